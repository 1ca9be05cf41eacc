"""Admin addresses of ingestion, under /admin/ingest/ (namespace "ingest")."""

from django.urls import path

from essor.ingest import admin_views

app_name = "ingest"

urlpatterns = [
    path("", admin_views.QueueView.as_view(), name="queue"),
    path("deposer/", admin_views.UploadView.as_view(), name="upload"),
    path("document/<int:pk>/", admin_views.DocumentView.as_view(), name="document"),
    path("document/<int:pk>/fichier/", admin_views.DocumentFileView.as_view(), name="file"),
    path(
        "document/<int:pk>/accepter-tout/",
        admin_views.BulkAcceptView.as_view(),
        name="accept_bulk",
    ),
    path("candidat/<int:pk>/accepter/", admin_views.AcceptView.as_view(), name="accept"),
    path("candidat/<int:pk>/rejeter/", admin_views.RejectView.as_view(), name="reject"),
    path("candidat/<int:pk>/corriger/", admin_views.CorrectView.as_view(), name="correct"),
    path(
        "sources/<str:app_label>/<str:model>/<int:pk>/",
        admin_views.SourcesView.as_view(),
        name="sources",
    ),
]
