"""Demo news (data/news.toml): the rubrics, articles by rubric from the documents' facts in our
own words (and a few fictitious ones that say so, among them the month's articles of late 2026),
and the agenda's external events, published through `content_publish`.

Every load is an upsert keyed by slug: an article or agenda entry is written, with a new
revision and history entry, only when the file says something the published row does not.
Every reference (rubric, authority, theme, commune) is resolved before anything is written: a
dangling one raises DemoDataError and the load writes nothing."""

import html
import tomllib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction

from essor.core.editorial import Audience, content_publish
from essor.core.models import Theme
from essor.demo.services import DATA_DIR, DemoDataError, source_label
from essor.members.models import Authority
from essor.news.models import AgendaEntry, Article, EntryOrigin, Rubric
from essor.territories.selectors import territory_by_code

DEMO_WORD = "démonstration"
# The note closing every fictitious text, so that nobody mistakes it for the network's news.
FICTITIOUS_NOTE = "Contenu fictif : données de démonstration d'Essor."


@dataclass
class NewsReport:
    rubrics: int = 0
    articles: int = 0
    members_only: int = 0
    agenda_entries: int = 0
    written: int = 0  # articles and agenda entries created or updated by this load


def _read() -> dict:
    with open(DATA_DIR / "news.toml", "rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def news_demo_load() -> NewsReport:
    """Publish the demo rubrics, articles and agenda entries, after the network (authorities,
    themes). Raises DemoDataError on a dangling reference, writing nothing."""
    data = _read()
    references = _References()
    rubric_rows = data["rubric"]
    rubric_slugs = [row["slug"] for row in rubric_rows]
    articles = [_article_plan(row, rubric_slugs, references) for row in data["article"]]
    entries = [_entry_plan(row, references) for row in data.get("agenda_entry", [])]
    for kind, plans in (("article", articles), ("agenda_entry", entries)):
        slugs = [plan.slug for plan in plans]
        if len(set(slugs)) != len(slugs):
            raise DemoDataError(f"news.toml : deux entrées [[{kind}]] ont le même slug")
    report = NewsReport()
    rubrics = {row["slug"]: _rubric_upsert(row, order) for order, row in enumerate(rubric_rows)}
    report.rubrics = len(rubrics)
    for plan in articles:
        plan.fields["rubric_id"] = rubrics[plan.rubric].pk
        report.written += _upsert(Article, plan)
        report.articles += 1
        report.members_only += plan.fields["audience"] == Audience.MEMBERS
    for plan in entries:
        report.written += _upsert(AgendaEntry, plan)
        report.agenda_entries += 1
    return report


# ------------------------------------------------------------------ references


class _References:
    """The records the file names, looked up once each; anything unknown is a DemoDataError
    saying which entry to fix."""

    def __init__(self) -> None:
        with open(DATA_DIR / "authorities.toml", "rb") as handle:
            self._authority_kinds = {
                row["code"]: row["kind"] for row in tomllib.load(handle)["authority"]
            }
        self._themes = {theme.name: theme.pk for theme in Theme.objects.all()}
        self._authorities: dict[str, int | None] = {}

    def authority(self, code: str, where: str) -> int:
        if code not in self._authority_kinds:
            raise DemoDataError(f"{where} : collectivité {code!r} absente de authorities.toml")
        if code not in self._authorities:
            self._authorities[code] = (
                Authority.objects.filter(
                    territory__kind=self._authority_kinds[code], territory__code=code
                )
                .values_list("pk", flat=True)
                .first()
            )
        if self._authorities[code] is None:
            raise DemoDataError(f"{where} : collectivité {code} non chargée")
        return self._authorities[code]

    def theme(self, name: str, where: str) -> int:
        if name not in self._themes:
            raise DemoDataError(f"{where} : thème {name!r} absent de themes.toml")
        return self._themes[name]

    def commune(self, code: str, where: str) -> int:
        commune = territory_by_code("commune", code)
        if commune is None:
            raise DemoDataError(f"{where} : commune {code!r} absente du référentiel")
        return commune.pk


# ------------------------------------------------------------------------- plan


@dataclass
class _Plan:
    slug: str
    where: str
    fields: dict
    links: dict[str, list[int]]
    rubric: str = ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _checked_fictitious(row: dict, text: str, where: str) -> None:
    """A made-up item must say so where readers see it first (summary, list, letter)."""
    if row.get("fictitious") and DEMO_WORD not in text.casefold():
        raise DemoDataError(f"{where} : contenu fictif dont le résumé ne dit pas « démonstration »")


def _source_note(row: dict) -> str:
    if row.get("fictitious"):
        return FICTITIOUS_NOTE
    if row.get("seeds"):
        titles = " ; ".join(source_label(seed) for seed in row["seeds"])
        return (
            f"Données de démonstration tirées de : {titles}. Faits repris du document, "
            "texte rédigé pour Essor."
        )
    raise DemoDataError("news.toml : une entrée ni fictive ni tirée d'un document (seeds)")


def _body(row: dict) -> str:
    paragraphs = [text.strip() for text in row.get("body", "").split("\n\n")]
    paragraphs.append(_source_note(row))
    return "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in paragraphs if text)


def _audience(row: dict, where: str) -> str:
    audience = row.get("audience", Audience.PUBLIC)
    if audience not in Audience.values:
        raise DemoDataError(f"{where} : public {audience!r} inconnu")
    return audience


def _article_plan(row: dict, rubric_slugs: list[str], references: _References) -> _Plan:
    where = f"news.toml, article {row.get('slug') or row.get('title')}"
    if not row.get("slug"):
        raise DemoDataError(f"{where} : slug manquant (clé de l'article)")
    if row.get("rubric") not in rubric_slugs:
        raise DemoDataError(f"{where} : rubrique {row.get('rubric')!r} absente de news.toml")
    summary = _one_line(row["summary"])
    _checked_fictitious(row, summary, where)
    fields = {
        "title": row["title"],
        "date": row["date"],
        "summary": summary,
        "body": _body(row),
        "audience": _audience(row, where),
        "signature": row.get("signature", ""),
        "source_url": "",  # the documents' links are not kept: many are dead
        "deadline": row.get("deadline"),
    }
    links = {
        "authorities": sorted(
            {references.authority(code, where) for code in row.get("authorities", [])}
        ),
        "themes": sorted({references.theme(name, where) for name in row.get("themes", [])}),
    }
    return _Plan(row["slug"], where, fields, links, rubric=row["rubric"])


def _entry_plan(row: dict, references: _References) -> _Plan:
    where = f"news.toml, agenda {row.get('slug') or row.get('title')}"
    if not row.get("slug"):
        raise DemoDataError(f"{where} : slug manquant (clé de l'événement)")
    if row.get("origin", EntryOrigin.PARTNER) not in EntryOrigin.values:
        raise DemoDataError(f"{where} : origine {row['origin']!r} inconnue")
    summary = _one_line(row["summary"])
    _checked_fictitious(row, summary, where)
    if not row.get("fictitious"):
        summary = f"{summary} {_source_note(row)}"
    authority = row.get("authority")
    commune = row.get("commune")
    fields = {
        "title": row["title"],
        "origin": row.get("origin", EntryOrigin.PARTNER),
        "organiser": row["organiser"],
        "authority_id": references.authority(authority, where) if authority else None,
        "starts_on": row["starts_on"],
        "ends_on": row.get("ends_on"),
        "start_time": row.get("start_time"),
        "online": row.get("online", False),
        "venue": row.get("venue", ""),
        "commune_id": references.commune(commune, where) if commune else None,
        "url": "",
        "summary": summary,
        "audience": _audience(row, where),
    }
    links = {"themes": sorted({references.theme(name, where) for name in row.get("themes", [])})}
    return _Plan(row["slug"], where, fields, links)


# ----------------------------------------------------------------------- write


def _rubric_upsert(row: dict, order: int) -> Rubric:
    wanted = {
        "name": row["name"],
        "description": _one_line(row.get("description", "")),
        "sort_order": order,
        "for_authorities": row.get("for_authorities", False),
    }
    rubric = Rubric.objects.filter(slug=row["slug"]).first()
    if rubric is not None and all(getattr(rubric, k) == v for k, v in wanted.items()):
        return rubric
    rubric = rubric or Rubric(slug=row["slug"])
    for name, value in wanted.items():
        setattr(rubric, name, value)
    try:
        rubric.full_clean()
    except ValidationError as error:
        raise DemoDataError(
            f"news.toml, rubrique {row['slug']} : {' '.join(error.messages)}"
        ) from error
    rubric.save()
    return rubric


_LINKED: dict[str, type[models.Model]] = {"authorities": Authority, "themes": Theme}


def _upsert(model: type[Article] | type[AgendaEntry], plan: _Plan) -> int:
    """Publish the item when it differs from the file; 1 when written, 0 when left alone."""
    item = model.objects.filter(slug=plan.slug).first()
    if item is not None:
        current = {
            name: sorted(getattr(item, name).values_list("pk", flat=True)) for name in plan.links
        }
        if (
            item.live
            and not item.has_unpublished_changes
            and all(getattr(item, name) == value for name, value in plan.fields.items())
            and current == plan.links
        ):
            return 0
    else:
        item = model(slug=plan.slug)
    for name, value in plan.fields.items():
        setattr(item, name, value)
    for name, pks in plan.links.items():
        setattr(item, name, list(_LINKED[name].objects.filter(pk__in=pks)))
    try:
        item.full_clean()
    except ValidationError as error:
        raise DemoDataError(f"{plan.where} : {' '.join(error.messages)}") from error
    content_publish(item)
    return 1
