"""Composing an issue from the month's articles and the agenda's coming items: what each kind
of letter may carry, nothing twice, and the contents grouped by rubric in the rubrics' order."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from essor.core.editorial import Audience
from essor.core.roles import Role
from essor.letters.composition import (
    issue_add_month_items,
    issue_contents,
    issue_number_next,
)
from essor.letters.models import IssueStatus, LetterKind
from essor.letters.tests.factories import issue_make
from essor.news.tests.factories import article_make, entry_make, rubric_make

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2025, 3, 28)


def _titles(issue) -> list[str]:
    return [str(item) for item in issue.items.order_by("sort_order", "pk")]


def test_the_e_letter_takes_the_months_published_public_articles_and_coming_public_events():
    news = rubric_make("Actualités du réseau", sort_order=1)
    article_make("Assemblée générale de mars", rubric=news, date=datetime.date(2025, 3, 3))
    article_make("Brouillon de mars", rubric=news, date=datetime.date(2025, 3, 5), live=False)
    article_make(
        "Réservé de mars", rubric=news, date=datetime.date(2025, 3, 6), audience=Audience.MEMBERS
    )
    article_make("Article de février", rubric=news, date=datetime.date(2025, 2, 27))
    entry_make("Forum d'avril", starts_on=datetime.date(2025, 4, 10))
    entry_make(
        "Réunion des adhérents", starts_on=datetime.date(2025, 4, 11), audience=Audience.MEMBERS
    )
    entry_make("Salon de l'automne", starts_on=datetime.date(2025, 10, 1))
    issue = issue_make(LetterKind.LETTER, date=MARCH)

    assert issue_add_month_items(issue) == 2
    assert _titles(issue) == ["Assemblée générale de mars", "Forum d'avril"]
    # Again: nothing is added twice.
    assert issue_add_month_items(issue) == 0
    assert issue.items.count() == 2


def test_the_next_issue_takes_what_appeared_since_the_previous_one():
    article_make("Début de mois", date=datetime.date(2025, 3, 2))
    article_make("Fin de mois", date=datetime.date(2025, 3, 20))
    issue_make(LetterKind.FLASH, date=datetime.date(2025, 3, 10))
    following = issue_make(LetterKind.FLASH, date=datetime.date(2025, 3, 24))
    issue_add_month_items(following)
    assert _titles(following) == ["Fin de mois"]


def test_the_flash_takes_members_only_articles_and_authorities_rubrics_first(make_user):
    general = rubric_make("En bref", sort_order=1)
    calls = rubric_make("Appels à projets", sort_order=5, for_authorities=True)
    article_make("Brève", rubric=general, date=datetime.date(2025, 3, 2))
    article_make(
        "Appel réservé", rubric=calls, date=datetime.date(2025, 3, 9), audience=Audience.MEMBERS
    )
    flash = issue_make(LetterKind.FLASH, date=MARCH)
    issue_add_month_items(flash, make_user(Role.EDITOR))
    assert _titles(flash) == ["Appel réservé", "Brève"]
    assert [section.title for section in issue_contents(flash).sections] == [
        "Appels à projets",
        "En bref",
    ]


def test_contents_group_articles_by_rubric_in_rubric_order_whatever_the_items_order():
    first = rubric_make("Territoires solidaires", sort_order=1)
    second = rubric_make("Europe", sort_order=2)
    europe = article_make("Fonds européens", rubric=second, date=MARCH)
    brest = article_make("Brest", rubric=first, date=MARCH)
    quimper = article_make("Quimper", rubric=first, date=MARCH)
    issue = issue_make(items=(europe, brest, quimper), date=MARCH)
    sections = issue_contents(issue).sections
    assert [(s.title, [e.title for e in s.entries]) for s in sections] == [
        ("Territoires solidaires", ["Brest", "Quimper"]),
        ("Europe", ["Fonds européens"]),
    ]


def test_numbers_follow_each_kind_and_a_sending_issue_takes_nothing_more():
    assert issue_number_next(LetterKind.LETTER) == 1
    issue_make(LetterKind.LETTER, number=41)
    assert issue_number_next(LetterKind.LETTER) == 42
    assert issue_number_next(LetterKind.FLASH) == 1
    article_make("Article de mars", date=MARCH)
    sending = issue_make(LetterKind.FLASH, date=MARCH, status=IssueStatus.SENDING)
    with pytest.raises(ValidationError):
        issue_add_month_items(sending)
    assert not sending.items.exists()
