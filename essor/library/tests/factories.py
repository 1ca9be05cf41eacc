"""Publications for tests; other modules' tests may import these."""

import datetime

from django.utils.text import slugify

from essor.library.models import Publication, PublicationKind, PublicationPage, TextStatus


def publication_make(
    title: str = "Actes des rencontres territoriales",
    *,
    kind: str = PublicationKind.PROCEEDINGS,
    pages: tuple[str, ...] = ("Première page du texte.", "Deuxième page du texte."),
    members_only: bool = False,
    live: bool = True,
    **fields: object,
) -> Publication:
    """A publication with its text page by page (no file), published unless `live=False`."""
    publication = Publication(
        title=title,
        slug=fields.pop("slug", None) or slugify(title)[:110],
        kind=kind,
        date=fields.pop("date", datetime.date(2013, 9, 12)),
        members_only=members_only,
        text_status=TextStatus.EXTRACTED if pages else TextStatus.NO_FILE,
        page_count=len(pages),
        **fields,
    )
    publication.live = False
    publication.save()
    PublicationPage.objects.bulk_create(
        PublicationPage(publication=publication, number=number, text=text)
        for number, text in enumerate(pages, start=1)
    )
    if live:
        revision = publication.save_revision()
        revision.publish()
        publication.refresh_from_db()
    return publication
