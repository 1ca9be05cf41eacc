"""Public pages of the news: the articles (all, or a rubric's), an article, the merged agenda,
an agenda entry and the agenda's iCalendar feed.

Anonymous visitors get pages from the cache (`cache_public_page`); they only ever see public
content, so one cached copy serves them all. Members-only articles and entries are listed for
member users and the team (never cached: the cache serves anonymous visitors only); an
anonymous visitor who opens one is asked to log in.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from essor.core.agenda import AgendaOrigin, agenda_items
from essor.core.caching import cache_public_page
from essor.news import agenda as merged
from essor.news import selectors
from essor.news.filters import AgendaFilterForm, ArticleFilterForm, ArticleFilters
from essor.news.models import Rubric

ICS_TYPE = "text/calendar; charset=utf-8"


def _rubric_links(
    filters: ArticleFilters, counts: dict[int, int], base: str, rubrics: list[Rubric]
) -> list[dict]:
    """Each rubric with its number of articles (under the other filters), as a link selecting
    it; rubrics without articles are left out."""
    return [
        {
            "label": rubric.name,
            "count": counts[rubric.pk],
            "url": filters.url(base, rubrique=rubric.slug),
            "current": filters.rubric == rubric.slug,
        }
        for rubric in rubrics
        if counts.get(rubric.pk)
    ]


def _articles_page(request: HttpRequest, form: ArticleFilterForm, filters: ArticleFilters) -> dict:
    """What the list and a rubric's page share: the counts, the page of articles."""
    may_read = selectors.may_read_members_only(request.user)
    found = filters.apply(selectors.readable_articles(may_read))
    paginator = Paginator(selectors.list_rows(found), selectors.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "form": form,
        "filters": filters,
        "page": page,
        "articles": page.object_list,
        "count": paginator.count,
        "may_read_members_only": may_read,
        # On a rubric's page the rubric is the page's, not a filter the reader chose.
        "is_filtered": bool(
            filters.theme
            or filters.year
            or filters.authority
            or ("rubrique" in form.fields and filters.rubric)
        ),
    }


@cache_public_page
def article_list(request: HttpRequest) -> HttpResponse:
    form = ArticleFilterForm(request.GET or None)
    filters = form.filters()
    context = _articles_page(request, form, filters)
    base = reverse("news:list")
    may_read = context["may_read_members_only"]
    # The rubrics' counts under the other filters: choosing a rubric keeps them.
    without_rubric = ArticleFilters(
        theme=filters.theme, year=filters.year, authority=filters.authority
    )
    counts = selectors.rubric_counts(without_rubric.apply(selectors.readable_articles(may_read)))
    context["rubric_links"] = _rubric_links(filters, counts, base, selectors.rubrics())
    context["action"] = base
    return render(request, "news/article_list.html", context)


@cache_public_page
def rubric_detail(request: HttpRequest, slug: str) -> HttpResponse:
    rubric = selectors.rubric_by_slug(slug)
    if rubric is None:
        raise Http404("Rubrique introuvable")
    form = ArticleFilterForm(request.GET or None, with_rubric=False)
    context = _articles_page(request, form, form.filters(rubric=rubric.slug))
    context["rubric"] = rubric
    context["action"] = rubric.get_absolute_url()
    return render(request, "news/rubric.html", context)


def _refuse(request: HttpRequest) -> HttpResponse:
    """A members-only page asked by someone who may not read it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied("Réservé aux adhérents du réseau")


@cache_public_page
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.published_article(slug)
    if article is None:
        raise Http404("Article introuvable")
    may_read = selectors.may_read_members_only(request.user)
    if article.members_only and not may_read:
        return _refuse(request)
    return render(
        request,
        "news/article_detail.html",
        {
            "object": article,
            "others": selectors.other_articles(article, may_read),
        },
    )


@cache_public_page
def agenda(request: HttpRequest) -> HttpResponse:
    form = AgendaFilterForm(request.GET or None)
    filters = form.filters()
    items = agenda_items(timezone.localdate(), None, request.user)
    counts = dict.fromkeys(AgendaOrigin.LABELS, 0)
    for item in items:
        if not filters.theme or filters.theme in item.themes:
            counts[item.origin] = counts.get(item.origin, 0) + 1
    shown = [item for item in items if filters.keeps(item)]
    page = merged.agenda_page(shown, request.GET.get("page"))
    return render(
        request,
        "news/agenda.html",
        {
            "form": form,
            "filters": filters,
            "page": page.page,
            "months": page.months,
            "previous_months": page.previous_months,
            "next_months": page.next_months,
            "count": len(shown),
            "origin_counts": [
                {"label": label, "count": counts.get(origin, 0)}
                for origin, label in AgendaOrigin.LABELS.items()
            ],
        },
    )


@cache_public_page
def agenda_entry_detail(request: HttpRequest, slug: str) -> HttpResponse:
    entry = selectors.published_entry(slug)
    if entry is None:
        raise Http404("Événement introuvable")
    if entry.members_only and not selectors.may_read_members_only(request.user):
        return _refuse(request)
    return render(request, "news/agenda_entry_detail.html", {"object": entry})


@cache_public_page
def agenda_ical(request: HttpRequest) -> HttpResponse:
    items = merged.public_items(timezone.localdate())
    return HttpResponse(
        merged.items_calendar(items, request.build_absolute_uri("/")), content_type=ICS_TYPE
    )
