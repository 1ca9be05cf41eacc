"""The copies kept on each authority for the public pages: its latest membership period and
first day of membership (compared with a rebuild from the memberships, and the SQL reading
them with the ORM's members()), and the département code copied from the referential."""

# ruff: noqa: S608 - the SQL written here names the models' tables; values go as parameters.

import datetime

import pytest
from django.db import connection

from essor.members import maps, services
from essor.members.models import Authority, Membership
from essor.members.selectors import running_membership_params, running_membership_sql, sql_rows
from essor.members.tests.factories import authority_for
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db
D = datetime.date
COLUMNS = ("membership_start", "membership_end", "first_joined_on")


def _kept() -> dict[int, tuple]:
    return {pk: tuple(row) for pk, *row in Authority.objects.values_list("pk", *COLUMNS)}


def _rebuilt() -> dict[int, tuple]:
    """The columns computed from the memberships, as refresh_membership_columns() defines them."""
    periods: dict[int, list] = {pk: [] for pk in Authority.objects.values_list("pk", flat=True)}
    for pk, joined, left in Membership.objects.values_list("authority", "joined_on", "left_on"):
        periods[pk].append((joined, left))
    kept = {}
    for pk, rows in periods.items():
        rows.sort()
        kept[pk] = (*rows[-1], rows[0][0]) if rows else (None, None, None)
    return kept


def _members_by_sql(day: datetime.date) -> set[int]:
    sql = f"SELECT a.id FROM {Authority._meta.db_table} a WHERE {running_membership_sql('a')}"
    return {pk for (pk,) in sql_rows(sql, running_membership_params(day))}


def _members_by_orm(day: datetime.date) -> set[int]:
    return set(Authority.objects.members(on=day).values_list("pk", flat=True))


@pytest.fixture
def periods():
    """Authorities with one period, a period left, two periods, a period to come after a
    running one, and none."""
    made = {
        "one": authority_for("35238", joined_on=D(2010, 1, 1)),
        "left": authority_for("29019"),
        "back": authority_for("33063"),
        "next": authority_for("59350"),
        "never": authority_for("14118"),
    }
    services.membership_record(made["left"], joined_on=D(2011, 3, 1), left_on=D(2015, 1, 1))
    services.membership_record(made["back"], joined_on=D(2008, 1, 1), left_on=D(2012, 1, 1))
    services.membership_record(made["back"], joined_on=D(2016, 1, 1))
    services.membership_record(made["next"], joined_on=D(2012, 1, 1), left_on=D(2030, 1, 1))
    services.membership_record(made["next"], joined_on=D(2031, 1, 1))
    return made


DAYS = [D(2007, 1, 1), D(2008, 1, 1), D(2011, 12, 31), D(2012, 1, 1), D(2014, 12, 31),
        D(2015, 1, 1), D(2016, 1, 1), D(2029, 12, 31), D(2030, 6, 1), D(2031, 1, 1)]  # fmt: skip


def test_columns_follow_every_recorded_period(periods):
    assert _kept() == _rebuilt()
    assert _kept()[periods["back"].pk] == (D(2016, 1, 1), None, D(2008, 1, 1))


def test_columns_follow_a_period_changed_moved_or_deleted(periods):
    membership = Membership.objects.get(authority=periods["one"])
    membership.left_on = D(2020, 1, 1)
    membership.save()
    assert _kept() == _rebuilt()
    membership.authority = periods["never"]  # moved: both authorities follow
    membership.save()
    assert _kept() == _rebuilt()
    assert _kept()[periods["one"].pk] == (None, None, None)
    Membership.objects.filter(authority=periods["back"]).delete()
    assert _kept() == _rebuilt()


def test_saving_an_authority_read_before_a_new_period_keeps_the_columns(periods):
    stale = Authority.objects.get(pk=periods["never"].pk)
    services.membership_record(periods["never"], joined_on=D(2019, 1, 1))
    stale.website = "https://example.org"
    stale.save()
    assert _kept() == _rebuilt()


def test_refresh_after_bulk_writes(periods):
    Membership.objects.bulk_create(
        [Membership(authority=periods["never"], joined_on=D(2001, 1, 1), left_on=D(2002, 1, 1))]
    )
    Membership.objects.filter(authority=periods["one"]).update(left_on=D(2013, 1, 1))
    assert _kept() != _rebuilt()  # bulk writes send no signal
    Authority.objects.refresh_membership_columns()
    assert _kept() == _rebuilt()


@pytest.mark.parametrize("day", DAYS)
def test_members_read_from_the_columns_are_those_of_the_orm(periods, day):
    assert _members_by_sql(day) == _members_by_orm(day)


@pytest.mark.parametrize("day", DAYS)
def test_members_stay_exact_with_overlapping_periods(periods, day):
    """Periods written in bulk may overlap (the form refuses it): the latest one then does
    not tell alone, and the memberships are read."""
    Membership.objects.bulk_create(
        [Membership(authority=periods["left"], joined_on=D(2009, 1, 1))]  # never left
    )
    Authority.objects.refresh_membership_columns()
    assert _members_by_sql(day) == _members_by_orm(day)


def test_departement_code_is_copied_and_follows_the_referential():
    commune = authority_for("33063")
    departement = authority_for("33", kind="departement")
    region = authority_for("75", kind="region")
    codes = lambda: dict(  # noqa: E731
        Authority.objects.values_list("pk", "peer_departement")
    )
    assert codes() == {commune.pk: "33", departement.pk: "33", region.pk: ""}
    territory = commune.territory
    territory.departement = Territory.objects.get(kind="departement", code="40")
    territory.save()
    assert codes()[commune.pk] == "40"
    Authority.objects.update(peer_departement="")
    Authority.objects.refresh_peer_columns()
    assert codes() == {commune.pk: "40", departement.pk: "33", region.pk: ""}


def test_the_index_reads_answer_without_the_authorities_rows(periods):
    """The map's grouped count runs on one index (SQLite's plan says so)."""
    if connection.vendor != "sqlite":
        pytest.skip("query plans differ by database")
    sql = "EXPLAIN QUERY PLAN " + maps._sql(maps._MEMBER_ROWS_SQL)
    params = [*maps._OWN_AREA_KINDS, *running_membership_params(D(2020, 1, 1))]
    plan = " ".join(str(row) for row in sql_rows(sql, params))
    assert "COVERING INDEX authority_areas_idx" in plan
