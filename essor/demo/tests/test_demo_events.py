"""The demo events: the 2013 territorial meetings, the 2014 training day, the 2017 national
meeting and trainings from the documents' facts, one fictitious upcoming training day to try
registration on, loaded once, idempotent, and refused whole on a dangling reference."""

import datetime
import re
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision

from essor.demo import events as loader
from essor.demo.events import events_demo_load
from essor.demo.services import DATA_DIR, DemoDataError
from essor.events.models import (
    ContributionRole,
    Event,
    EventKind,
    EventOrganiser,
    EventSession,
    OutputKind,
    SessionContribution,
    SessionFormat,
    SessionOutput,
)
from essor.events.programme import event_programme, event_speakers
from essor.events.services import registration_refusal

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# The seeds live beside the checkout, never inside it.
SEEDS_DIR = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"


def _paris_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, PARIS).date()


# The folder's shared demo (conftest.py, `essor demo` once) is the first load: the test
# checks one area per helper, then loads the events again, unchanged, changed and broken.


def test_demo_events_carry_the_documents_facts_and_load_once(demo):
    count = Event.objects.count()
    assert count and f"  {count} événements (" in demo.output
    assert f"{count} créés ou mis à jour)" in demo.output  # the first load wrote every one
    first = events_demo_load()  # the reload: nothing to write
    _check_the_2013_territorial_meetings()
    _check_the_2014_training_day_programme()
    _check_the_2017_national_meeting_and_trainings()
    _check_every_past_event_is_closed_and_free_for_members()
    _check_the_fictitious_event_can_be_registered_to()
    _check_a_second_load_writes_nothing(first)
    _check_a_changed_line_is_published_in_place()
    _check_a_dangling_reference_writes_nothing()


def _check_the_2013_territorial_meetings():
    event = Event.objects.get(slug="rencontres-territoriales-2013")
    assert event.kind == EventKind.TERRITORIAL_MEETING and event.live
    assert _paris_day(event.starts_at) == _paris_day(event.ends_at) == datetime.date(2013, 9, 12)
    assert (event.participant_count, event.participant_count_is_estimate) == (400, True)
    sites = {site.name: site.commune.code for site in event.sites.select_related("commune")}
    assert sites == {
        "Grand Ouest": "35238",  # Rennes
        "Sud-Ouest": "33063",  # Bordeaux
        "Grand Est": "54395",  # Nancy
        "Sud-Est": "38185",  # Grenoble
    }
    sessions = EventSession.objects.filter(event=event)
    # Every session is at one of the four sites, or at all of them (the visio-conference).
    assert set(sessions.values_list("site", flat=True)) == {"", *sites}
    assert sessions.filter(site="", format=SessionFormat.VISIO_CONFERENCE).exists()
    cafe = sessions.filter(site="Grand Ouest", format=SessionFormat.WORLD_CAFE)
    assert cafe.count() == 3
    kinds = set(SessionOutput.objects.filter(session__in=cafe).values_list("kind", flat=True))
    assert kinds == {OutputKind.KEY_IDEA, OutputKind.DIVERGENT_IDEA}
    assert sessions.filter(format=SessionFormat.ROUND_TABLE).count() >= 4
    assert event.initiatives.filter(slug="eco-sol-brest-site-participatif").exists()
    # The thanks list: the speakers once each, by last name, with the position they held then.
    thanked = event_speakers(event)
    names = [speaker.name for speaker in thanked]
    assert names[0] == "Michel Adam" and len(names) == len(set(names)) > 40
    assert all(speaker.title for speaker in thanked)
    fortin = next(speaker for speaker in thanked if speaker.name == "Laurence Fortin")
    assert "Région Bretagne" in fortin.title


def _check_the_2014_training_day_programme():
    event = Event.objects.get(slug="journee-formation-loi-ess-2014")
    assert event.kind == EventKind.TRAINING_DAY
    assert _paris_day(event.starts_at) == datetime.date(2014, 11, 25)
    (day,) = event_programme(event)
    starts = [item.start for item in day.sessions]
    assert starts[0] == datetime.time(9, 0) and starts == sorted(starts)
    debates = [item for item in day.sessions if item.format == SessionFormat.ROUND_TABLE]
    assert [(item.start, item.end) for item in debates] == [
        (datetime.time(10, 15), datetime.time(11, 30)),
        (datetime.time(11, 30), datetime.time(12, 45)),
        (datetime.time(14, 30), datetime.time(15, 45)),
        (datetime.time(15, 45), datetime.time(16, 45)),
    ]
    for debate in debates:
        assert debate.questions, debate.title
        assert len(debate.moderators) == 1 and debate.speakers, debate.title
    assert [item.moderators[0].name for item in debates] == [
        "Anne-Laure Federici",
        "Anne-Laure Federici",
        "Jacques Dughéra",
        "Françoise Bernon",
    ]
    contributions = SessionContribution.objects.filter(session__event=event)
    assert contributions.count() >= 18
    assert not contributions.filter(position_title="").exists()
    assert contributions.get(person__last_name="Abhervé").position_title.startswith(
        "Professeur associé"
    )
    # The participant kit carries the profile sheets of the authorities of the 2014 kit.
    codes = set(event.authorities.values_list("territory__code", flat=True))
    assert codes == {"75", "44", "62", "246200729", "11"}
    assert event.initiatives.filter(slug="bou-sol-monnaie-locale-du-boulonnais").exists()
    organisers = set(event.organisers.values_list("organisation__slug", flat=True))
    assert organisers == {"cnfpt", "rtes"}


def _check_the_2017_national_meeting_and_trainings():
    national = Event.objects.get(slug="rencontre-nationale-2017")
    assert national.kind == EventKind.NATIONAL_MEETING
    assert _paris_day(national.starts_at) == datetime.date(2017, 6, 30)
    assert (national.participant_count, national.participant_count_is_estimate) == (140, True)
    assert national.commune.code == "75056"
    moderators = SessionContribution.objects.filter(
        session__event=national, role=ContributionRole.MODERATOR
    )
    assert set(moderators.values_list("person__last_name", flat=True)) == {"Andriot", "Lalu"}
    of_2017 = Event.objects.filter(starts_at__year=2017)
    counts = {event.slug: event.participant_count for event in of_2017}
    assert counts["journee-nouveaux-modeles-economiques-2017"] == 60
    assert counts["visioconference-antilles-guyane-2017"] == 60
    assert all(counts.values()), "every 2017 event has its participant count"
    minute = of_2017.get(kind=EventKind.MINUTE_CONFERENCE)
    assert _paris_day(minute.starts_at) == datetime.date(2017, 5, 18)
    assert minute.members_only and minute.ends_at - minute.starts_at == datetime.timedelta(
        minutes=45
    )
    online = of_2017.filter(kind=EventKind.ONLINE_CONFERENCE)
    assert online.count() == 4 and all(event.online for event in online)
    assert all(e.ends_at - e.starts_at == datetime.timedelta(hours=2) for e in online)
    assert of_2017.filter(kind=EventKind.VISIO_CONFERENCE).count() == 2
    mobility = of_2017.get(slug="journee-mobilite-durable-2017")
    assert sorted(mobility.practice_sheets.values_list("number", flat=True)) == [20, 24, 26, 27]


def _check_every_past_event_is_closed_and_free_for_members():
    past = Event.objects.filter(ends_at__lt=datetime.datetime(2026, 1, 1, tzinfo=PARIS))
    assert past.count() == Event.objects.count() - 1
    assert not past.filter(registration_enabled=True).exists()
    assert set(past.values_list("price", flat=True)) == {0}
    # No invented replay link, even where the document says a replay existed.
    assert not Event.objects.exclude(replay_url="").exists()


def _check_the_fictitious_event_can_be_registered_to():
    (upcoming,) = Event.objects.filter(registration_enabled=True)
    assert "démonstration" in upcoming.summary
    assert upcoming.capacity == 30 and upcoming.price == 40
    assert upcoming.allows_on_site and upcoming.allows_live
    assert upcoming.starts_at.year == 2027
    a_month_before = upcoming.starts_at - datetime.timedelta(days=30)
    assert registration_refusal(upcoming, now=a_month_before) == ""
    # Nobody real is said to speak at an event that does not exist.
    assert not SessionContribution.objects.filter(session__event=upcoming).exists()


def _history() -> tuple:
    return (
        Event.objects.count(),
        EventSession.objects.count(),
        SessionContribution.objects.count(),
        SessionOutput.objects.count(),
        Revision.objects.count(),
        ModelLogEntry.objects.count(),
    )


def _check_a_second_load_writes_nothing(first):
    before = _history()
    session_ids = sorted(EventSession.objects.values_list("pk", flat=True))
    again = events_demo_load()
    assert _history() == before, "loading twice must neither duplicate nor rewrite"
    assert (again.written, again.events, again.sessions) == (0, first.events, first.sessions)
    assert sorted(EventSession.objects.values_list("pk", flat=True)) == session_ids


def _edited(change):
    read = loader._read

    def read_edited(name: str) -> dict:
        data = read(name)
        if name == "events.toml":
            change(data["event"])
        return data

    return read_edited


def _check_a_changed_line_is_published_in_place():
    def recount(events: list[dict]) -> None:
        events[0]["participant_count"] = 401

    count = Event.objects.count()
    organisers = sorted(EventOrganiser.objects.values_list("pk", flat=True))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "_read", _edited(recount))
        assert events_demo_load().written == 1
    event = Event.objects.get(participant_count=401)
    assert event.live and not event.has_unpublished_changes
    assert Event.objects.count() == count
    # Lines the change did not touch keep their rows.
    assert sorted(EventOrganiser.objects.values_list("pk", flat=True)) == organisers


def _check_a_dangling_reference_writes_nothing():
    def break_the_last(events: list[dict]) -> None:
        events[0]["title"] = "Titre qui ne doit pas être enregistré"
        events[-1]["session"][0]["contribution"] = [{"person": "Personne Inconnue"}]

    before = _history()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(loader, "_read", _edited(break_the_last))
        with pytest.raises(DemoDataError, match="Personne Inconnue"):
            events_demo_load()
    assert _history() == before
    assert not Event.objects.filter(title__startswith="Titre qui ne doit pas").exists()


# ----------------------------------------------------------------- no copied text


def _seed_shingles(size: int) -> set[tuple[str, ...]]:
    shingles: set[tuple[str, ...]] = set()
    for path in SEEDS_DIR.glob("00*.txt"):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        shingles.update(tuple(words[i : i + size]) for i in range(len(words) - size + 1))
    return shingles


# Names, titles and positions may repeat the documents; what we write about them may not.
_QUOTED_KEYS = {"slug", "title", "name", "person", "position"}


def _free_texts(value: object, key: str = ""):
    if isinstance(value, str):
        if key not in _QUOTED_KEYS:
            yield re.sub(r"«[^»]*»", " ", value)
    elif isinstance(value, dict):
        for sub_key, sub_value in value.items():
            yield from _free_texts(sub_value, sub_key)
    elif isinstance(value, list):
        for item in value:
            yield from _free_texts(item, key)


def test_event_texts_are_our_own_words():
    """No run of 8 words of the seeds in the summaries, descriptions, questions and workshop
    outputs written for the demo."""
    seeds = _seed_shingles(8)
    if not seeds:
        pytest.skip("documents sources absents (../shared/seeds)")
    with open(DATA_DIR / "events.toml", "rb") as handle:
        data = tomllib.load(handle)
    for text in _free_texts(data):
        words = re.findall(r"\w+", text.lower())
        copied = [
            " ".join(words[i : i + 8])
            for i in range(len(words) - 7)
            if tuple(words[i : i + 8]) in seeds
        ]
        assert not copied, f"events.toml reprend une phrase d'un document source : {copied[0]}"
