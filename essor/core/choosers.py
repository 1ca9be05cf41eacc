"""Admin choosers for long lists (35 000 territories, thousands of authorities): a modal with
a name search instead of a <select> holding every row."""

from django import forms
from django.db.models import Q, QuerySet
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet


class NameSearchFilterForm(BaseFilterForm):
    """Filters on the words typed, each found in one of the view's `search_lookups`."""

    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Nom ou code"}),
    )

    def __init__(self, *args: object, search_lookups: tuple[str, ...] = (), **kwargs: object):
        super().__init__(*args, **kwargs)
        self.search_lookups = search_lookups

    def filter(self, objects: QuerySet) -> QuerySet:
        text = self.cleaned_data.get("q", "").strip() if self.is_valid() else ""
        for word in text.split():
            match = Q()
            for lookup in self.search_lookups:
                match |= Q(**{lookup: word})  # lookups are fixed by code, only the value is typed
            objects = objects.filter(match)
        if text:
            self.is_searching = True
            self.search_query = text
        return objects


class _NameSearchMixin:
    filter_form_class = NameSearchFilterForm
    search_lookups: tuple[str, ...] = ()

    def get_filter_form(self) -> NameSearchFilterForm:
        return self.filter_form_class(self.request.GET, search_lookups=self.search_lookups)


class NameSearchChooseView(_NameSearchMixin, ChooseView):
    pass


class NameSearchChooseResultsView(_NameSearchMixin, ChooseResultsView):
    pass


class NameSearchChooserViewSet(ChooserViewSet):
    """A chooser whose search looks the typed words up in `search_lookups`."""

    choose_view_class = NameSearchChooseView
    choose_results_view_class = NameSearchChooseResultsView
    search_lookups: tuple[str, ...] = ("name__icontains",)
    per_page = 20

    @property
    def choose_view(self):
        return self.construct_view(
            self.inject_view_methods(self.choose_view_class, ["get_object_list"]),
            icon=self.icon,
            page_title=self.page_title,
            search_tab_label=self.search_tab_label,
            creation_tab_label=self.creation_tab_label,
            search_lookups=self.search_lookups,
        )

    @property
    def choose_results_view(self):
        return self.construct_view(
            self.inject_view_methods(self.choose_results_view_class, ["get_object_list"]),
            search_lookups=self.search_lookups,
        )
