"""Public routes of the news: the rubrics' articles, the agenda, the feeds (views.py, feeds.py)
and the members' proposals (moderation_urls.py)."""

from essor.news.moderation_urls import urlpatterns as proposal_patterns

app_name = "news"

urlpatterns: list = [*proposal_patterns]
