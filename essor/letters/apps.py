from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "essor.letters"
    label = "letters"
    verbose_name = "Lettres d'information"

    def ready(self) -> None:
        from essor.core.caching import stale_on_writes
        from essor.letters.models import Issue, IssueItem

        # The web archive is cached for visitors: an edit or deletion of an issue or of its
        # items makes it stale; an issue becoming "sent" is an UPDATE without signal, so
        # sending.issue_finish_if_done says it itself. Not the subscriptions nor the
        # deliveries: they are not shown, and a sending writes one per recipient.
        stale_on_writes([Issue, IssueItem])
