"""Writes of the library: a publication made from a file (the file kept as a Wagtail document,
its text page by page), the text extracted again, publishing."""

import datetime
from collections.abc import Iterable
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from wagtail.actions.create import CreateAction
from wagtail.documents import get_document_model
from wagtail.models import Collection

from essor.library.extraction import Extraction, extract
from essor.library.models import Publication, PublicationPage

SLUG_LENGTH = 110
PUBLIC_COLLECTION = "Bibliothèque"
MEMBERS_COLLECTION = "Bibliothèque — réservé aux membres"
# What a caller may set besides the file, kind, title, date and flag (never a user's dict).
METADATA_FIELDS = {"number", "authors", "partners", "summary", "licence", "slug", "themes"}


def unique_slug(title: str, exclude_pk: int | None = None) -> str:
    """A free address for `title`: "actes-2013", then "actes-2013-2"…"""
    base = slugify(title)[:SLUG_LENGTH] or "publication"
    taken = set(
        Publication.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def library_collection(members_only: bool) -> Collection:
    """The collection of the library's files, created under the root when missing: members-only
    files apart, so that their access can be restricted as a whole."""
    name = MEMBERS_COLLECTION if members_only else PUBLIC_COLLECTION
    root = Collection.get_first_root_node()
    return root.get_children().filter(name=name).first() or root.add_child(name=name)


def publication_create(
    *,
    file_name: str,
    data: bytes,
    kind: str,
    title: str,
    date: datetime.date | None = None,
    members_only: bool = False,
    user: object | None = None,
    **metadata: object,
) -> Publication:
    """A draft publication from a file: the file stored as a document in the library's
    collection, its text page by page, a first revision. Raises ExtractionError (a French
    message) for a file that cannot be read, ValidationError for bad metadata; either way
    nothing is left behind, neither rows nor the stored file."""
    unknown = set(metadata) - METADATA_FIELDS
    if unknown:
        raise TypeError(f"champs inconnus : {sorted(unknown)}")
    extraction = extract(file_name, data)  # before any write: a refused file costs nothing
    themes = metadata.pop("themes", None) or []
    stored: list = []
    try:
        with transaction.atomic():
            document = _document_store(file_name, data, title, extraction, members_only, user)
            stored.append(document.file)
            publication = Publication(
                kind=kind,
                title=title,
                date=date,
                members_only=members_only,
                document=document,
                text_status=extraction.status,
                page_count=len(extraction.pages),
                **metadata,
            )
            publication.slug = publication.slug or unique_slug(title)
            publication.full_clean(exclude=["themes"])
            publication.themes.set(themes)
            CreateAction(publication, user=user).execute(skip_permission_checks=True)
            _pages_write(publication, extraction.pages)
    except BaseException:
        for file in stored:  # the database rolled back; the storage does not
            file.storage.delete(file.name)
        raise
    return publication


def _stored_name(file_name: str, extraction: Extraction) -> str:
    """The name the file is kept under: the extension says what the content is (a PDF sent
    as .txt is kept as .pdf), one of the extensions Wagtail's documents accept."""
    path = PurePath(PurePath(file_name).name)
    stem = slugify(path.stem)[:80] or "publication"
    if extraction.is_pdf:
        return f"{stem}.pdf"
    extension = path.suffix.lower()
    return f"{stem}{extension if extension in ('.txt', '.csv') else '.txt'}"


def _document_store(
    file_name: str,
    data: bytes,
    title: str,
    extraction: Extraction,
    members_only: bool,
    user: object | None,
) -> object:
    document = get_document_model()(
        title=title[:255],
        file=ContentFile(data, name=_stored_name(file_name, extraction)),
        collection=library_collection(members_only),
        uploaded_by_user=user,
    )
    document._set_document_file_metadata()
    document.save()
    return document


def _pages_write(publication: Publication, pages: Iterable[str]) -> None:
    PublicationPage.objects.filter(publication=publication).delete()
    PublicationPage.objects.bulk_create(
        PublicationPage(publication=publication, number=number, text=text)
        for number, text in enumerate(pages, start=1)
    )


@transaction.atomic
def publication_text_refresh(publication: Publication) -> Extraction:
    """Extract the text of the publication's file again (after a better extraction, or a new
    file): its pages, page count and text status are replaced. Raises ExtractionError when
    the file is refused, changing nothing."""
    document = publication.document
    if document is None:
        raise ValueError("La publication n'a pas de fichier.")
    with document.open_file() as handle:
        data = handle.read()
    extraction = extract(document.filename, data)
    _pages_write(publication, extraction.pages)
    # Only these fields: the text comes from the file, editors' drafts are left alone.
    Publication.objects.filter(pk=publication.pk).update(
        text_status=extraction.status, page_count=len(extraction.pages)
    )
    publication.text_status, publication.page_count = extraction.status, len(extraction.pages)
    return extraction


@transaction.atomic
def publication_publish(publication: Publication, user: object | None = None) -> Publication:
    """Publish the publication's latest revision (a new one when it has none), as Wagtail's
    "Publish" button does."""
    revision = publication.latest_revision or publication.save_revision(user=user)
    revision.publish(user=user, skip_permission_checks=True)
    publication.refresh_from_db()
    return publication
