"""What every module's published content shares: licences and the "published" filter."""

from django.db import models


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


class PublishedQuerySet(models.QuerySet):
    """For models with Wagtail's DraftStateMixin: the row is the published version."""

    def published(self) -> "PublishedQuerySet":
        return self.filter(live=True)
