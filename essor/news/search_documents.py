"""Articles and agenda entries as the search sees them (registered in public_hooks): one
document per published record, members-only ones flagged so that the search shows them to
members only."""

from django.db.models import Model, Prefetch, QuerySet

from essor.core.search_sources import SearchDocument, SearchSource, owner_key
from essor.core.search_text import plain
from essor.members.models import Authority
from essor.news.models import AgendaEntry, Article
from essor.news.selectors import entry_place

ARTICLE = "article"
AGENDA_ENTRY = "agendaentry"


def _region(authority: Authority | None) -> str:
    territory = authority.territory if authority and authority.territory_id else None
    if territory is None:
        return ""
    if territory.kind == "region":
        return territory.code
    return territory.region.code if territory.region_id else ""


def _articles(found: QuerySet[Article]) -> QuerySet[Article]:
    authorities = Prefetch(
        "authorities", Authority.objects.select_related("territory__region").order_by("name")
    )
    return found.select_related("rubric").prefetch_related("themes", authorities)


def article_document(article: Article) -> SearchDocument:
    authorities = list(article.authorities.all())
    return SearchDocument(
        key=owner_key(ARTICLE, article.pk),
        owner=owner_key(ARTICLE, article.pk),
        kind=ARTICLE,
        title=article.title,
        url=article.get_absolute_url(),
        text=plain(
            article.summary,
            article.body,
            article.rubric.name,
            article.signature,
            " ".join(authority.name for authority in authorities),
        ),
        date=article.date,
        themes=[theme.slug for theme in article.themes.all()],
        region=_region(authorities[0] if authorities else None),
        level=authorities[0].kind if authorities else "",
        members_only=article.members_only,
    )


def _article_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    found = _articles(Article.objects.published().filter(pk=instance.pk)).first()
    return owner_key(ARTICLE, instance.pk), [article_document(found)] if found else []


def article_source() -> SearchSource:
    return SearchSource(
        ARTICLE,
        "Articles",
        (Article,),
        lambda: [article_document(a) for a in _articles(Article.objects.published())],
        _article_of,
        lambda instance: owner_key(ARTICLE, instance.pk),
    )


def _entries(found: QuerySet[AgendaEntry]) -> QuerySet[AgendaEntry]:
    return found.select_related("commune__region", "authority__territory__region").prefetch_related(
        "themes"
    )


def entry_document(entry: AgendaEntry) -> SearchDocument:
    region = entry.commune.region.code if entry.commune and entry.commune.region_id else ""
    return SearchDocument(
        key=owner_key(AGENDA_ENTRY, entry.pk),
        owner=owner_key(AGENDA_ENTRY, entry.pk),
        kind=AGENDA_ENTRY,
        title=entry.title,
        url=entry.get_absolute_url(),
        text=plain(entry.summary, entry.organiser, entry_place(entry)),
        date=entry.starts_on,
        themes=[theme.slug for theme in entry.themes.all()],
        region=region or _region(entry.authority),
        level=entry.authority.kind if entry.authority else "",
        members_only=entry.members_only,
    )


def _entry_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    found = _entries(AgendaEntry.objects.published().filter(pk=instance.pk)).first()
    return owner_key(AGENDA_ENTRY, instance.pk), [entry_document(found)] if found else []


def agenda_entry_source() -> SearchSource:
    return SearchSource(
        AGENDA_ENTRY,
        "Agenda des adhérents et partenaires",
        (AgendaEntry,),
        lambda: [entry_document(e) for e in _entries(AgendaEntry.objects.published())],
        _entry_of,
        lambda instance: owner_key(AGENDA_ENTRY, instance.pk),
    )
