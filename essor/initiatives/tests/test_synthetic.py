"""`essor synthetic_initiatives`: the load-test data generator (benchmarks/)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from essor.core.caching import public_version
from essor.core.testing import assert_page_ok
from essor.initiatives.levers import LEVER_OF_TOOL
from essor.initiatives.management.commands.synthetic_initiatives import (
    SUFFIX,
    SYNTHETIC_NOTE,
    full_initiative,
)
from essor.initiatives.models import Initiative, InitiativePlace, Involvement, LeverUse
from essor.initiatives.tests.factories import initiative_make
from essor.members.tests.factories import authority_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorities():
    call_command("synthetic_members", "--authorities", "60", "--people", "0", stdout=StringIO())


def _generate(*args: str, count: int = 40) -> str:
    out = StringIO()
    call_command("synthetic_initiatives", "--count", str(count), *args, stdout=out)
    return out.getvalue()


def test_tops_up_to_the_total_with_labelled_published_initiatives(authorities):
    real = initiative_make("Une vraie initiative")
    version = public_version()
    output = _generate()
    assert Initiative.objects.published().count() == 40
    synthetic = Initiative.objects.exclude(pk=real.pk)
    assert all(i.name.endswith(SUFFIX) and SYNTHETIC_NOTE in i.summary for i in synthetic)
    assert all(i.live and not i.has_unpublished_changes for i in synthetic)
    # Spread over what the facets filter on.
    assert synthetic.values("legal_form").distinct().count() >= 3
    assert synthetic.values("year_started").distinct().count() >= 5
    assert Initiative.themes.through.objects.values("theme").distinct().count() >= 3
    assert Initiative.territory_types.through.objects.exists()
    assert InitiativePlace.objects.filter(territory__kind="commune").exists()
    # Supported by the synthetic authorities; levers derived from the tools.
    supporters = Involvement.objects.filter(initiative__in=synthetic)
    assert supporters.exists() and all(
        s.authority.name.endswith(SUFFIX) for s in supporters.select_related("authority")
    )
    assert all(use.lever == LEVER_OF_TOOL[use.tool] for use in LeverUse.objects.all())
    # Written in bulk (no signal): the cached public pages are made stale once at the end.
    assert public_version() > version
    assert "Initiative complète à mesurer" in output


def test_generated_pages_render(client, authorities):
    _generate()
    full = full_initiative()
    assert full is not None
    assert full.themes.filter(slug="mobilite-durable").exists()
    assert full.involvements.filter(authority__kind="departement").exists()
    assert full.key_figures.count() == 3 and full.contacts.count() == 2
    html = assert_page_ok(client.get(full.get_absolute_url()))
    assert SYNTHETIC_NOTE in html and "Chiffres clés" in html and "Financement" in html
    listed = client.get(
        reverse("initiatives:list") + "?theme=mobilite-durable&territoire=rural&niveau=departement"
    )
    assert_page_ok(listed)
    assert full.name in {line["name"] for line in listed.context["lines"]}
    assert_page_ok(client.get(reverse("initiatives:map")))


def _snapshot() -> list:
    return sorted(
        Initiative.objects.values_list("slug", "legal_form", "year_started", "places__territory")
    )


def test_is_deterministic_idempotent_and_replaceable(authorities):
    _generate("--seed", "7")
    first = _snapshot()
    _generate("--seed", "7")
    assert _snapshot() == first  # the total is reached: nothing more
    _generate("--seed", "7", "--replace")
    assert _snapshot() == first  # same seed, same start: same data
    _generate("--replace", count=10)
    assert Initiative.objects.count() == 10


def test_needs_authorities_and_is_refused_in_production(settings):
    with pytest.raises(CommandError, match="Aucune collectivité"):
        _generate()
    authority_for("14118")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _generate()
    assert not Initiative.objects.exists()
    _generate("--force", count=5)
    assert Initiative.objects.published().count() == 5
