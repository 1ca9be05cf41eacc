from django.urls import path

from essor.library import views

app_name = "library"

urlpatterns = [
    path("", views.publication_list, name="list"),
    path("<slug:slug>/", views.publication_detail, name="detail"),
    path("<slug:slug>/fichier/", views.publication_file, name="file"),
]
