from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "essor.search"
    label = "search"
    verbose_name = "Recherche"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from essor.core.caching import public_content_changed
        from essor.search import updates
        from essor.search.analysis import glossary_changed
        from essor.search.models import GlossaryTerm

        updates.connect()
        post_save.connect(glossary_changed, sender=GlossaryTerm, dispatch_uid="glossary-saved")
        post_delete.connect(glossary_changed, sender=GlossaryTerm, dispatch_uid="glossary-deleted")
        # Pages show the glossary's expansions (<abbr>): cached pages become stale on an edit.
        post_save.connect(
            public_content_changed, sender=GlossaryTerm, dispatch_uid="cache-glossary-saved"
        )
        post_delete.connect(
            public_content_changed, sender=GlossaryTerm, dispatch_uid="cache-glossary-deleted"
        )
