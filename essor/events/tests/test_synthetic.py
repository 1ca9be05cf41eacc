"""`essor synthetic_events`: the load-test data generator (benchmarks/)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from essor.core.caching import public_version
from essor.core.testing import assert_page_ok
from essor.events.management.commands.synthetic_events import (
    SUFFIX,
    SYNTHETIC_NOTE,
    full_event,
)
from essor.events.models import Event, EventSession, SessionContribution
from essor.events.tests.factories import EventFactory
from essor.initiatives.tests.factories import initiative_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def network():
    """Synthetic authorities and people to host and speak."""
    call_command("synthetic_members", "--authorities", "60", "--people", "150", stdout=StringIO())


def _generate(*args: str, count: int = 40) -> str:
    out = StringIO()
    call_command("synthetic_events", "--count", str(count), *args, stdout=out)
    return out.getvalue()


def test_tops_up_to_the_total_with_labelled_published_events(network):
    real = EventFactory(title="Un vrai événement")
    version = public_version()
    output = _generate()
    assert Event.objects.published().count() == 40
    synthetic = Event.objects.exclude(pk=real.pk)
    assert all(e.title.endswith(SUFFIX) and SYNTHETIC_NOTE in e.summary for e in synthetic)
    assert all(e.live and not e.has_unpublished_changes for e in synthetic)
    # Spread over what the agenda filters on, past and upcoming.
    assert synthetic.values("kind").distinct().count() >= 4
    assert synthetic.dates("starts_at", "year").count() >= 5
    assert synthetic.past().exists() and synthetic.upcoming().exists()
    # Written without Event.save(): the local year of the start is set all the same.
    assert all(e.start_year == timezone.localtime(e.starts_at).year for e in synthetic)
    assert Event.themes.through.objects.values("theme").distinct().count() >= 2
    # A programme of 3 to 12 sessions (20 for the complete one), spoken by synthetic people.
    full = full_event()
    for event in synthetic.exclude(pk=full.pk):
        assert 3 <= event.sessions.count() <= 12
    speakers = SessionContribution.objects.select_related("person")
    assert speakers.exists() and all(c.person.last_name.startswith("Synthétique") for c in speakers)
    # Written in bulk (no signal): the cached public pages are made stale once at the end.
    assert public_version() > version
    assert "Événement complet à mesurer" in output


def test_the_complete_event_and_the_agenda_render(client, network):
    initiative_make("Une initiative présentée")
    _generate()
    full = full_event()
    assert full.starts_at > timezone.now() and full.registration_enabled
    assert full.sites.count() == 4
    assert EventSession.objects.filter(event=full).count() == 20
    assert EventSession.objects.filter(event=full, outputs__isnull=False).exists()
    assert full.initiatives.exists() and full.authorities.count() == 10
    html = assert_page_ok(client.get(full.get_absolute_url()))
    assert SYNTHETIC_NOTE in html and "places restantes" in html
    agenda = assert_page_ok(client.get(reverse("events:agenda")))
    assert full.title in agenda
    assert_page_ok(client.get(reverse("events:agenda") + "?type=journee-formation"))
    assert_page_ok(client.get(reverse("events:past")))


def _snapshot() -> list:
    return sorted(
        Event.objects.values_list("slug", "kind", "starts_at", "commune", "sessions__title")
    )


def test_is_deterministic_idempotent_and_replaceable(network):
    _generate("--seed", "7")
    first = _snapshot()
    _generate("--seed", "7")
    assert _snapshot() == first  # the total is reached: nothing more
    _generate("--seed", "7", "--replace")
    assert _snapshot() == first  # same seed, same start: same data
    _generate("--replace", count=10)
    assert Event.objects.count() == 10


def test_needs_people_and_is_refused_in_production(settings):
    with pytest.raises(CommandError, match="Aucune personne"):
        _generate()
    call_command("synthetic_members", "--authorities", "5", "--people", "10", stdout=StringIO())
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _generate()
    assert not Event.objects.exists()
    _generate("--force", count=5)
    assert Event.objects.published().count() == 5
