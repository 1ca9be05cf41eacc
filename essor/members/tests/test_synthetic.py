"""`essor synthetic_members`: the load-test data generator (benchmarks/)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from essor.core.caching import public_version
from essor.core.testing import assert_page_ok
from essor.members.management.commands.synthetic_members import (
    AUTHORITY_SUFFIX,
    SYNTHETIC_NOTE,
    full_sheet,
)
from essor.members.models import (
    Authority,
    EssBudget,
    EssFigure,
    Membership,
    Person,
    PolicyAxis,
    Position,
)
from essor.members.tests.factories import authority_for, person

pytestmark = pytest.mark.django_db


def _generate(*args: str) -> str:
    out = StringIO()
    call_command("synthetic_members", "--authorities", "50", "--people", "200", *args, stdout=out)
    return out.getvalue()


def test_tops_up_to_the_totals_with_labelled_data():
    existing = authority_for("14118")  # already used: never picked again
    real_person = person()
    version = public_version()
    output = _generate()

    assert Authority.objects.count() == 50 and Person.objects.count() == 200
    synthetic = Authority.objects.exclude(pk=existing.pk)
    assert all(a.name.endswith(AUTHORITY_SUFFIX) for a in synthetic)
    assert {"commune", "epci", "departement", "other"} <= set(
        synthetic.values_list("kind", flat=True)
    )
    assert Authority.objects.filter(territory=existing.territory).count() == 1
    people = Person.objects.exclude(pk=real_person.pk)
    assert all(p.full_name.startswith("Personne Synthétique ") for p in people)
    assert not Position.objects.exclude(source=SYNTHETIC_NOTE).exists()
    assert not Membership.objects.exclude(note=SYNTHETIC_NOTE).exists()
    # Most of them are running members; a share has a profile sheet and themes.
    assert Authority.objects.members().count() >= 35
    assert PolicyAxis.objects.exists() and EssFigure.objects.exists()
    assert EssBudget.objects.filter(note=SYNTHETIC_NOTE).exists()
    assert Authority.themes.through.objects.exists()
    assert all(SYNTHETIC_NOTE in a.ess_context for a in synthetic.exclude(ess_context=""))
    # Written in bulk (no signal): the cached public pages are made stale once at the end.
    assert public_version() > version
    assert "Initiatives : pas encore générées" in output


def test_full_sheet_has_everything_and_renders(client):
    _generate()
    sheet = full_sheet()
    assert sheet is not None and sheet.kind == "commune" and sheet.is_member
    assert sheet.position_count >= 12
    html = assert_page_ok(client.get(sheet.get_absolute_url()))
    assert AUTHORITY_SUFFIX in html and "Données synthétiques (banc d" in html


def _snapshot() -> tuple[list, list]:
    return (
        list(Authority.objects.order_by("slug").values_list("slug", "kind")),
        sorted(Position.objects.values_list("person__slug", "authority__slug", "title")),
    )


def test_is_deterministic_and_a_second_run_adds_nothing():
    _generate("--seed", "7")
    first = _snapshot()
    _generate("--seed", "7")
    assert _snapshot() == first  # the totals are reached: nothing more
    Authority.objects.all().delete()
    Person.objects.all().delete()
    _generate("--seed", "7")
    assert _snapshot() == first  # same seed, same start: same data


def test_is_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _generate()
    assert not Authority.objects.exists()
    _generate("--force")
    assert Authority.objects.count() == 50
