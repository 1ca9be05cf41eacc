"""Events in the search: the index follows their publishing (the events module gives the
documents, the search module keeps the index)."""

import pytest

from essor.events.tests.factories import (
    EventFactory,
    EventSessionFactory,
    SessionContributionFactory,
)
from essor.members.tests.factories import person
from essor.search.engine import search

pytestmark = pytest.mark.django_db


def test_the_index_follows_the_event_s_publishing(settings, django_capture_on_commit_callbacks):
    settings.ESSOR_SEARCH_AUTO_INDEX = True
    with django_capture_on_commit_callbacks(execute=True):
        event = EventFactory(title="Journée sur les monnaies locales", revision=True)
        session = EventSessionFactory(event=event, questions="Comment financer une recyclerie ?")
        SessionContributionFactory(session=session, person=person("Bérénice", "Quintard"))

    def urls(text: str) -> list[str]:
        return [hit.url for hit in search(text, member=False).hits]

    assert event.get_absolute_url() in urls("Quintard")
    assert event.get_absolute_url() in urls("recyclerie")
    with django_capture_on_commit_callbacks(execute=True):
        event.live = False
        event.save()
    assert urls("Quintard") == []
