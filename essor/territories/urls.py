from django.urls import path

from essor.territories import views

app_name = "territories"

urlpatterns = [
    path("resoudre/", views.resolve, name="resolve"),
]
