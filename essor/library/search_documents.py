"""Publications as the search sees them: the publication itself and each page of its text
(a passage is found where it is, and the link opens that page)."""

from django.db.models import Model

from essor.core.search_sources import SearchDocument, SearchSource, owner_key
from essor.core.search_text import plain
from essor.library.models import Publication, PublicationPage


def _documents(publication: Publication) -> list[SearchDocument]:
    owner = owner_key("publication", publication.pk)
    common = {
        "owner": owner,
        "kind": "publication",
        "date": publication.date,
        "themes": [theme.slug for theme in publication.themes.all()],
        "members_only": publication.members_only,
    }
    url = publication.get_absolute_url()
    documents = [
        SearchDocument(
            key=owner,
            title=publication.title,
            url=url,
            text=plain(publication.get_kind_display(), publication.summary, publication.authors),
            **common,
        )
    ]
    for page in publication.pages.all():
        if page.text.strip():
            documents.append(
                SearchDocument(
                    key=f"{owner}:p{page.number}",
                    title=f"{publication.title} — p. {page.number}",
                    url=f"{url}?page={page.number}",
                    text=page.text,
                    **common,
                )
            )
    return documents


def _query():
    return Publication.objects.published().prefetch_related("themes", "pages")


def _publications() -> list[SearchDocument]:
    return [document for publication in _query() for document in _documents(publication)]


def _publication_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    pk = instance.publication_id if isinstance(instance, PublicationPage) else instance.pk
    found = _query().filter(pk=pk).first()
    return owner_key("publication", pk), _documents(found) if found else []


def _owner(instance: Model) -> str:
    pk = instance.publication_id if isinstance(instance, PublicationPage) else instance.pk
    return owner_key("publication", pk)


def publication_source() -> SearchSource:
    return SearchSource(
        "publication",
        "Publications",
        (Publication, PublicationPage),
        _publications,
        _publication_of,
        _owner,
    )
