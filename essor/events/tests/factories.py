"""Events, their programme, registrations and answers for tests (factory-boy); other modules'
tests may import these.

`EventFactory()` is a published (live) event, one week from now, two hours long, public, with
registration closed. `EventFactory(draft=True)` is a draft that was never published;
`EventFactory(revision=True)` publishes through a Wagtail revision, as the admin does (for the
preview and the history). Sessions, contributions and outputs are saved directly: the
programme belongs to the event's row, which is the published version.
"""

import datetime
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from essor.events.models import (
    Audience,
    ContributionRole,
    DocumentKind,
    Evaluation,
    Event,
    EventKind,
    EventSession,
    GeneratedDocument,
    OutputKind,
    ParticipationMode,
    Registration,
    RegistrationStatus,
    SessionContribution,
    SessionFormat,
    SessionOutput,
)
from essor.members.tests import factories as member_factories


def _in_days(days: int, hour: int = 9, minute: int = 30) -> datetime.datetime:
    """A local (Europe/Paris) time `days` from today, aware."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(live=False, has_unpublished_changes=True)

    title = factory.Sequence(lambda n: f"Journée d'échanges n° {n}")
    slug = factory.Sequence(lambda n: f"journee-echanges-{n}")
    kind = EventKind.EXCHANGE_DAY
    summary = "Une journée pour partager les politiques locales d'économie sociale et solidaire."
    description = "<p>Programme détaillé, ateliers et tables rondes.</p>"
    starts_at = factory.LazyFunction(lambda: _in_days(7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    online = False
    venue = "Salle des fêtes"
    address = "1 place de la Mairie"
    audience = Audience.PUBLIC
    price = Decimal("0")
    live = True

    @factory.post_generation
    def themes(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and extracted:
            self.themes.set(extracted)
            self.save()  # a ParentalManyToManyField is written when the event is saved

    @factory.post_generation
    def revision(self, create: bool, extracted: object, **kwargs: object) -> None:
        """`revision=True`: publish through a revision, as an editor's "Publier" does."""
        if create and extracted:
            revision = self.save_revision(log_action=True)
            revision.publish()
            self.refresh_from_db()


def open_event(**fields: object) -> Event:
    """A published event with online registration open now (closes the day before)."""
    defaults = {
        "registration_enabled": True,
        "registration_opens_at": timezone.now() - datetime.timedelta(days=1),
        "registration_closes_at": _in_days(6, 12, 0),
        "capacity": 30,
        "price": Decimal("40"),
    }
    return EventFactory(**{**defaults, **fields})


class EventSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventSession

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Table ronde n° {n}")
    format = SessionFormat.ROUND_TABLE
    start_time = datetime.time(9, 30)
    end_time = datetime.time(10, 45)
    site = ""
    questions = "Comment soutenir les initiatives ?\nAvec quels outils ?"
    summary = ""
    sort_order = factory.Sequence(lambda n: n)


class SessionContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionContribution

    session = factory.SubFactory(EventSessionFactory)
    role = ContributionRole.SPEAKER
    person = factory.Sequence(lambda n: member_factories.person("Camille", f"Intervenante{n}"))
    position_title = "Adjointe à l'économie sociale et solidaire"
    sort_order = factory.Sequence(lambda n: n)


class SessionOutputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionOutput

    session = factory.SubFactory(EventSessionFactory, format=SessionFormat.WORLD_CAFE)
    kind = OutputKind.KEY_IDEA
    text = factory.Sequence(lambda n: f"Idée n° {n} : mutualiser les achats publics.")
    sort_order = factory.Sequence(lambda n: n)


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration written directly (no seat check, no e-mail): the services are tested
    with registration_create."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    first_name = "Dominique"
    last_name = factory.Sequence(lambda n: f"Participant{n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")
    organisation = "Communauté de communes du Val"
    mode = ParticipationMode.ON_SITE
    status = RegistrationStatus.CONFIRMED


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    registration = factory.SubFactory(RegistrationFactory, attended=True)
    satisfaction = 5
    usefulness = 4
    comment = "Des échanges concrets, des contacts utiles."
    quote_allowed = False
    featured = False


def events_fixture() -> dict:
    """One of each object the module's screens show, keyed by admin view set namespace (for
    the URL × role table of essor/config/tests): a published event (with a revision) open
    for registration, a registration and an evaluation answer."""
    event = open_event(title="Événement du fixture", slug="evenement-du-fixture", revision=True)
    registration = RegistrationFactory(event=event)
    evaluation = EvaluationFactory(registration__event=event)
    for kind in DocumentKind:  # a kit and proceedings already generated, as the admin does
        GeneratedDocument.objects.create(
            event=event,
            kind=kind,
            status=GeneratedDocument.Status.READY,
            generated_at=timezone.now(),
            file=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"{kind}.pdf"),
        )
    return {"event": event, "registration": registration, "evaluation": evaluation}
