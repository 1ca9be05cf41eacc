"""Routes of the web archive of the letters' issues (included by urls.py, in the "letters"
namespace, after the subscription routes whose words "<kind>/" would otherwise take)."""

from django.urls import path

from essor.letters import archive_views

urlpatterns: list = [
    path("", archive_views.archive, name="archive"),
    path("<str:kind>/", archive_views.archive_kind, name="archive_kind"),
    path("<str:kind>/<int:number>/", archive_views.issue_detail, name="issue"),
]
