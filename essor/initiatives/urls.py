from django.urls import path

from essor.initiatives import moderation_views, sheet_views, views

app_name = "initiatives"

urlpatterns = [
    path("", views.initiative_list, name="list"),
    path("carte/", views.initiative_map, name="map"),
    path("proposer/", moderation_views.propose, name="propose"),
    path("mes-propositions/", moderation_views.my_proposals, name="my_proposals"),
    path("mes-propositions/<int:pk>/", moderation_views.proposal_edit, name="proposal_edit"),
    path("fiches/", sheet_views.sheet_list, name="sheets"),
    path("fiches/<int:number>-<slug:slug>/", sheet_views.sheet_detail, name="sheet"),
    path("fiches/<int:number>-<slug:slug>.pdf", sheet_views.sheet_pdf, name="sheet_pdf"),
    path("<slug:slug>/", views.initiative_detail, name="detail"),
    path(
        "<slug:slug>/proposer-une-modification/",
        moderation_views.propose_change,
        name="propose_change",
    ),
]
