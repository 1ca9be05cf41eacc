"""Routes of the members' proposals of articles and agenda entries (included by urls.py, in
the "news" namespace, before the slugs of articles and entries)."""

from django.urls import path

from essor.news import moderation_views

urlpatterns: list = [
    path("proposer/", moderation_views.propose_article, name="propose_article"),
    path("agenda/proposer/", moderation_views.propose_agenda_entry, name="propose_agenda_entry"),
    path("mes-propositions/", moderation_views.my_proposals, name="my_proposals"),
    path(
        "mes-propositions/article/<int:pk>/",
        moderation_views.article_proposal_edit,
        name="article_proposal_edit",
    ),
    path(
        "mes-propositions/agenda/<int:pk>/",
        moderation_views.agenda_proposal_edit,
        name="agenda_proposal_edit",
    ),
]
