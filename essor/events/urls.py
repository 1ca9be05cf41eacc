from django.urls import path

from essor.events import document_views, registration_views, views

app_name = "events"

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("passes/", views.past_events, name="past"),
    path("agenda.ics", views.agenda_ical, name="agenda_ical"),
    path("inscription/<str:token>/", registration_views.manage, name="registration"),
    path("inscription/<str:token>/annuler/", registration_views.cancel, name="cancel"),
    path("evaluation/<str:token>/", registration_views.evaluate, name="evaluate"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/evenement.ics", views.event_ical, name="ical"),
    path("<slug:slug>/inscription/", registration_views.register, name="register"),
    path("<slug:slug>/dossier-du-participant.pdf", document_views.kit_pdf, name="kit_pdf"),
    path("<slug:slug>/actes.pdf", document_views.proceedings_pdf, name="proceedings_pdf"),
]
