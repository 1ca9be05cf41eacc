"""Public routes of the news: the rubrics' articles, the agenda, the feeds (views.py, feeds.py)
and the members' proposals (moderation_urls.py).

The proposals' routes come first: "agenda/proposer/" must not be read as an agenda entry's
address."""

from django.urls import path

from essor.news import feeds, views
from essor.news.moderation_urls import urlpatterns as proposal_patterns

app_name = "news"

urlpatterns: list = [
    *proposal_patterns,
    path("", views.article_list, name="list"),
    path("flux.rss", feeds.articles_rss, name="feed_rss"),
    path("flux.atom", feeds.articles_atom, name="feed_atom"),
    path("rubrique/<slug:slug>/", views.rubric_detail, name="rubric"),
    path("rubrique/<slug:slug>/flux.rss", feeds.rubric_rss, name="rubric_feed_rss"),
    path("rubrique/<slug:slug>/flux.atom", feeds.rubric_atom, name="rubric_feed_atom"),
    path("article/<slug:slug>/", views.article_detail, name="article"),
    path("agenda/", views.agenda, name="agenda"),
    path("agenda.ics", views.agenda_ical, name="agenda_ical"),
    path("agenda/<slug:slug>/", views.agenda_entry_detail, name="agenda_entry"),
]
