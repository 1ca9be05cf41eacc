"""An editor builds an event from scratch in the admin: the event, its sites, its timed
programme with the people who speak, and publishes it."""

import datetime

import pytest
from django.urls import reverse

from essor.core.roles import Role
from essor.core.testing import form_defaults
from essor.events.models import ContributionRole, Event, SessionFormat
from essor.members.tests.factories import person

pytestmark = pytest.mark.django_db


def _session(data: dict, index: int, title: str, start: str, end: str, people: list) -> None:
    prefix = f"sessions-{index}"
    data.update(
        {
            f"{prefix}-title": title,
            f"{prefix}-format": SessionFormat.ROUND_TABLE,
            f"{prefix}-day": "",
            f"{prefix}-start_time": start,
            f"{prefix}-end_time": end,
            f"{prefix}-site": "",
            f"{prefix}-questions": "Que change la loi ?\nQuels outils pour les collectivités ?",
            f"{prefix}-summary": "",
            f"{prefix}-ORDER": str(index + 1),
            f"{prefix}-id": "",
            f"{prefix}-DELETE": "",
            f"{prefix}-outputs-TOTAL_FORMS": "0",
            f"{prefix}-outputs-INITIAL_FORMS": "0",
            f"{prefix}-outputs-MIN_NUM_FORMS": "0",
            f"{prefix}-outputs-MAX_NUM_FORMS": "1000",
            f"{prefix}-contributions-TOTAL_FORMS": str(len(people)),
            f"{prefix}-contributions-INITIAL_FORMS": "0",
            f"{prefix}-contributions-MIN_NUM_FORMS": "0",
            f"{prefix}-contributions-MAX_NUM_FORMS": "1000",
        }
    )
    for number, (speaker, role, title_then) in enumerate(people):
        line = f"{prefix}-contributions-{number}"
        data.update(
            {
                f"{line}-person": str(speaker.pk),
                f"{line}-role": role,
                f"{line}-position_title": title_then,
                f"{line}-ORDER": str(number + 1),
                f"{line}-id": "",
                f"{line}-DELETE": "",
            }
        )


def _training_day_form(client) -> dict:
    data = form_defaults(client.get(reverse("event:add")).content.decode())
    data.update(
        {
            "title": "Journée de formation : la loi ESS et les collectivités",
            "slug": "formation-loi-ess",
            "kind": "journee-formation",
            "audience": "public",
            "summary": "Une journée pour comprendre ce que la loi change pour les collectivités.",
            "starts_at": "2014-10-07 09:30",
            "ends_at": "2014-10-07 17:00",
            "venue": "Salle du conseil",
            "registration_enabled": "on",
            "allows_on_site": "on",
            "capacity": "60",
            "price": "40",
            "sessions-TOTAL_FORMS": "2",
            "sessions-INITIAL_FORMS": "0",
            "action-publish": "action-publish",
        }
    )
    return data


def test_an_editor_builds_a_training_day_with_its_programme_and_publishes_it(client, make_user):
    moderator, speaker = person("Alice", "Martin"), person("Bruno", "Petit")
    client.force_login(make_user(Role.EDITOR))
    data = _training_day_form(client)
    _session(
        data,
        0,
        "Ce que dit la loi",
        "09:30",
        "10:45",
        [(moderator, ContributionRole.MODERATOR, "Déléguée générale du réseau")],
    )
    _session(
        data,
        1,
        "Table ronde des élus",
        "11:00",
        "12:30",
        [(speaker, ContributionRole.SPEAKER, "Vice-président, Région test")],
    )

    response = client.post(reverse("event:add"), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(slug="formation-loi-ess")
    assert event.live and event.capacity == 60
    sessions = list(event.sessions.order_by("start_time"))
    assert [s.title for s in sessions] == ["Ce que dit la loi", "Table ronde des élus"]
    assert sessions[0].start_time == datetime.time(9, 30)
    line = sessions[1].contributions.get()
    assert (line.person, line.position_title) == (speaker, "Vice-président, Région test")


def test_a_session_ending_before_it_starts_is_refused_and_nothing_is_saved(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    data = _training_day_form(client)
    _session(data, 0, "Ce que dit la loi", "10:45", "09:30", [])
    data["sessions-TOTAL_FORMS"] = "1"

    response = client.post(reverse("event:add"), data)

    assert response.status_code == 200
    assert "La séance se termine avant de commencer." in response.content.decode()
    assert not Event.objects.exists()


def test_an_event_ending_before_it_starts_is_refused(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    data = _training_day_form(client)
    data["ends_at"] = "2014-10-06 17:00"

    response = client.post(reverse("event:add"), data)

    assert "L&#x27;événement se termine avant de commencer." in response.content.decode()
    assert not Event.objects.exists()


def test_the_event_form_uses_choosers_not_endless_selects(client, make_user):
    client.force_login(make_user(Role.EDITOR))
    html = client.get(reverse("event:add")).content.decode()
    # The commune and the speakers are chosen in a modal with a search, not from 35 000 options.
    assert html.count("<option") < 500
    assert "person_chooser" in html or "Choisir une personne" in html
