from django.urls import path

from essor.members import views

app_name = "members"

urlpatterns = [
    path("", views.network, name="network"),
    path("collectivites/<slug:slug>/", views.authority_detail, name="authority"),
    path("personnes/<slug:slug>/", views.person_detail, name="person"),
]
