"""Admin edit views whose header menu ("…" next to the title) other modules extend, without
the module that owns the record knowing them: a module registers a callable under the Wagtail
hook ``essor_record_header_buttons``, ``(instance, user) -> list[Button]`` (ingestion adds
"Sources" to a record taken from a document)."""

from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.views.generic.models import EditView as ModelEditView
from wagtail.snippets.views.snippets import EditView as SnippetEditView

RECORD_HEADER_BUTTONS_HOOK = "essor_record_header_buttons"


class RecordHeaderButtonsMixin:
    @cached_property
    def header_more_buttons(self) -> list:
        buttons = list(super().header_more_buttons)
        for hook in hooks.get_hooks(RECORD_HEADER_BUTTONS_HOOK):
            buttons.extend(hook(self.object, self.request.user))
        return buttons


class RecordEditView(RecordHeaderButtonsMixin, ModelEditView):
    """The edit view of a plain model's view set, open to other modules' buttons."""


class RecordSnippetEditView(RecordHeaderButtonsMixin, SnippetEditView):
    """The edit view of a snippet, open to other modules' buttons."""
