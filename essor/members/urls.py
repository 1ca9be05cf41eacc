from django.urls import path

from essor.members import views

app_name = "members"

urlpatterns = [
    path("", views.network, name="network"),
    path("collectivites/", views.member_directory, name="directory"),
    path("collectivites/export.csv", views.directory_export, name="directory_export"),
    path("collectivites/<slug:slug>/", views.authority_detail, name="authority"),
    path("carte/", views.member_map, name="map"),
    path("conseil-d-administration/", views.board, name="board"),
    path("personnes/<slug:slug>/", views.person_detail, name="person"),
    path("mon-espace/", views.member_space, name="member_space"),
    path("mon-espace/fiche/", views.profile_edit, name="profile_edit"),
]
