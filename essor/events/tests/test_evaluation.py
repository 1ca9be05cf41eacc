"""The evaluation questionnaire: open after the event to confirmed registrations, answered
once; an unknown link is a 404 page."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from essor.core.testing import assert_page_ok
from essor.events.models import Evaluation, RegistrationStatus
from essor.events.tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def _page(response, status: int = 200) -> str:
    return html.unescape(assert_page_ok(response, status))


def _past_registration(**fields: object):
    now = timezone.now()
    event = EventFactory(
        starts_at=now - datetime.timedelta(hours=5),
        ends_at=now - datetime.timedelta(hours=1),
        **fields,
    )
    return RegistrationFactory(event=event)


ANSWER = {
    "satisfaction": "5",
    "usefulness": "4",
    "comment": "Des échanges concrets entre élus, des contacts à suivre.",
    "quote_allowed": "on",
}


def test_a_participant_answers_once(client):
    registration = _past_registration()
    url = reverse("events:evaluate", args=[registration.token])
    form = _page(client.get(url))
    assert "Êtes-vous satisfait·e de l'événement ?" in form
    assert 'name="csrfmiddlewaretoken"' in form

    thanks = _page(client.post(url, ANSWER))
    assert "Merci ! Votre réponse est enregistrée" in thanks
    evaluation = Evaluation.objects.get()
    assert (evaluation.registration, evaluation.satisfaction, evaluation.usefulness) == (
        registration,
        5,
        4,
    )
    assert evaluation.quote_allowed is True and evaluation.featured is False

    assert "vous avez déjà répondu" in _page(client.get(url))
    again = _page(client.post(url, {**ANSWER, "satisfaction": "1"}))
    assert "vous avez déjà répondu" in again
    assert Evaluation.objects.get().satisfaction == 5


def test_an_incomplete_answer_is_explained_and_kept(client):
    registration = _past_registration()
    url = reverse("events:evaluate", args=[registration.token])
    page = _page(client.post(url, {**ANSWER, "usefulness": ""}))
    assert "Choisissez une note de 1 à 5." in page
    assert "Des échanges concrets entre élus" in page
    assert not Evaluation.objects.exists()


def test_the_questionnaire_opens_only_after_the_event(client):
    registration = RegistrationFactory(event=EventFactory())  # next week
    url = reverse("events:evaluate", args=[registration.token])
    assert "Le questionnaire ouvrira à la fin de l'événement" in _page(client.get(url))
    _page(client.post(url, ANSWER))
    assert not Evaluation.objects.exists()


def test_no_questionnaire_when_the_event_has_none_nor_for_a_cancelled_registration(client):
    disabled = _past_registration(evaluation_enabled=False)
    page = _page(client.post(reverse("events:evaluate", args=[disabled.token]), ANSWER))
    assert "Il n'y a pas de questionnaire d'évaluation pour cet événement." in page

    cancelled = _past_registration()
    cancelled.status = RegistrationStatus.CANCELLED
    cancelled.save()
    page = _page(client.post(reverse("events:evaluate", args=[cancelled.token]), ANSWER))
    assert "réservé aux personnes dont l'inscription était confirmée" in page
    assert not Evaluation.objects.exists()


def test_an_unknown_link_is_a_404_page(client):
    page = _page(client.get(reverse("events:evaluate", args=["inconnu"])), status=404)
    assert "Lien d'inscription non valide" in page
    assert client.post(reverse("events:evaluate", args=["inconnu"]), ANSWER).status_code == 404
    assert not Evaluation.objects.exists()


def test_the_manage_page_links_to_the_open_questionnaire(client):
    registration = _past_registration()
    page = _page(client.get(reverse("events:registration", args=[registration.token])))
    assert reverse("events:evaluate", args=[registration.token]) in page
    assert "Annuler mon inscription" not in page  # too late to cancel
