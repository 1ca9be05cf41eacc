"""What every module's published content shares: licences, the "published" filter, free
addresses and publishing from code."""

from django.db import models, transaction
from django.utils.text import slugify


class Licence(models.TextChoices):
    CC_BY_NC_ND = "cc-by-nc-nd-4.0", "CC BY-NC-ND 4.0"
    CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC_BY = "cc-by-4.0", "CC BY 4.0"
    ALL_RIGHTS = "tous-droits", "Tous droits réservés"


LICENCE_URLS = {
    Licence.CC_BY_NC_ND: "https://creativecommons.org/licenses/by-nc-nd/4.0/deed.fr",
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/deed.fr",
}


class Audience(models.TextChoices):
    """Who may read a piece of content: events, articles, letters."""

    PUBLIC = "public", "Ouvert à tous"
    MEMBERS = "adherents", "Réservé aux adhérents"


class PublishedQuerySet(models.QuerySet):
    """For models with Wagtail's DraftStateMixin: the row is the published version."""

    def published(self) -> "PublishedQuerySet":
        return self.filter(live=True)


SLUG_LENGTH = 110


def unique_slug(model: type[models.Model], name: str, exclude_pk: int | None = None) -> str:
    """A free address for `name` among the model's slugs: "bou-sol", then "bou-sol-2"…"""
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
def content_publish(item: models.Model, user: object | None = None) -> None:
    """Save an item with Wagtail's draft and revision mixins (initiative, sheet, event…) with
    its child lines, and publish it at once with a revision as Wagtail would make it: for
    editors' scripts, the demo and imports."""
    if not item.slug:
        item.slug = unique_slug(type(item), str(getattr(item, "name", None) or item.title))
    item.live = False  # publishing sets it, and records the first publication
    item.save()
    revision = item.save_revision(user=user, log_action=True)
    revision.publish(user=user)
    item.refresh_from_db()  # publishing wrote a copy built from the revision
