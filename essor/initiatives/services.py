"""Writes of the initiatives module that do not go through the moderation workflow (see
moderation.py for members' proposals)."""

from django.db import transaction
from django.utils.text import slugify

from essor.initiatives.models import Initiative, PracticeSheet

SLUG_LENGTH = 110


def unique_slug(
    model: type[Initiative | PracticeSheet], name: str, exclude_pk: int | None = None
) -> str:
    """A free address for `name`: "bou-sol", then "bou-sol-2"…"""
    base = slugify(name)[:SLUG_LENGTH] or model._meta.model_name
    taken = set(
        model.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@transaction.atomic
def content_publish(item: Initiative | PracticeSheet, user: object | None = None) -> None:
    """Save an initiative or sheet (with its child lines) and publish it at once, with a
    revision as Wagtail would make it: for editors' scripts, the demo and imports."""
    if not item.slug:
        item.slug = unique_slug(type(item), str(getattr(item, "name", None) or item.title))
    item.live = False  # publishing sets it, and records the first publication
    item.save()
    revision = item.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    item.refresh_from_db()  # publishing wrote a copy built from the revision
