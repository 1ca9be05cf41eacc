"""The facet index (facet_index.py): its counts are the SQL counts, and every write keeps it
as a rebuild from scratch would make it."""

import random
from io import StringIO

import numpy as np
import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape

from essor.core.models import Theme
from essor.core.services import theme_get_or_create
from essor.initiatives import browse, facet_index, maps
from essor.initiatives.models import (
    FacetBitmap,
    FacetMembership,
    Initiative,
    InitiativePlace,
    LegalForm,
    LeverUse,
)
from essor.initiatives.tests.factories import initiative_make
from essor.members.tests.factories import authority_for
from essor.territories.models import Territory

pytestmark = pytest.mark.django_db

LIST = reverse("initiatives:list")


def commune(code: str) -> Territory:
    return Territory.objects.get(kind="commune", code=code)


def stored_index() -> tuple[dict[str, int], set[tuple[str, int]], dict[int, str]]:
    """The index as stored: non-empty bitmaps, the communes' pairs, each initiative's keys."""
    rows = dict(FacetBitmap.objects.values_list("key", "bits"))
    pairs = set(facet_index.decode_communes(rows.pop(facet_index.COMMUNES, None)).pairs())
    bitmaps = {key: facet_index.from_bytes(bits) for key, bits in rows.items()}
    keys = dict(FacetMembership.objects.values_list("initiative", "keys"))
    return {key: bits for key, bits in bitmaps.items() if bits}, pairs, keys


def assert_index_is_fresh() -> None:
    """The stored index equals the one rebuild() makes from the database now."""
    before = stored_index()
    facet_index.rebuild()
    assert before == stored_index()


# --- the counts are the SQL counts --------------------------------------------------------


@pytest.fixture
def synthetic():
    """Sixty initiatives spread over every facet, a few of them unpublished."""
    call_command("synthetic_members", "--authorities", "60", "--people", "0", stdout=StringIO())
    call_command("synthetic_initiatives", "--count", "60", stdout=StringIO())
    drafts = list(Initiative.objects.order_by("pk").values_list("pk", flat=True)[::7])
    for initiative in Initiative.objects.filter(pk__in=drafts):
        initiative.live = False
        initiative.save()
    return drafts


def _random_query(rng: random.Random, choices: browse.FacetChoices) -> QueryDict:
    query = QueryDict(mutable=True)
    for facet in rng.sample(browse.FACETS, rng.randint(0, 3)):
        options = [value for value, _label in choices.lists[facet.key]]
        query.setlist(facet.key, rng.sample(options, min(len(options), rng.randint(1, 3))))
    if rng.random() < 0.2:
        query["q"] = rng.choice(["synthétique", "Recyclerie", "00", "garage solidaire"])
    if rng.random() < 0.2:
        places = InitiativePlace.objects.order_by("pk").select_related("territory__departement")
        territory = rng.choice(list(places)).territory
        territory = territory.departement or territory
        query["lieu"] = f"{territory.kind}:{territory.code}"
    query["tri"] = rng.choice(list(browse.SORTS))
    return query


def test_index_counts_are_the_sql_counts(synthetic):
    choices = browse.facet_choices()
    rng = random.Random(4)  # reproducible draws
    for _draw in range(40):
        filters = browse.BrowseForm(_random_query(rng, choices), choices=choices).filters()
        summary = browse.browse_summary(filters, choices)
        assert summary.count == browse.matching(filters).count(), filters
        selection = browse.index_selection(filters, choices)
        for facet in browse.FACETS:
            known = {value for value, _label in choices.lists[facet.key]}
            expected = browse.facet_counts(
                facet.key, browse.matching(filters, except_facet=facet.key)
            )
            expected = {value: n for value, n in expected.items() if value in known and n}
            assert browse.index_counts(selection, facet.key, choices) == expected, facet.key
        # The lines of the first two pages, in each order.
        sql = browse.sorted_matching(filters)
        for start in (0, browse.PAGE_SIZE):
            stop = start + browse.PAGE_SIZE
            assert browse.page_lines(filters, summary, start, stop) == browse.initiative_lines(
                sql, start, stop
            )
        # The map's figures.
        among = browse.matching(filters)
        counts = maps.index_counts(filters, choices)
        assert counts.total == summary.count
        assert counts.by_departement == maps.departement_counts(among)
        assert counts.by_region == {
            code: n for code, n in browse.facet_counts("region", among).items() if n
        }
        by_commune = maps.commune_counts(among)
        assert counts.commune_total == len(by_commune)
        assert [(code, n) for code, n, _name in counts.top_communes] == sorted(
            by_commune.items(), key=lambda item: (-item[1], item[0])
        )[: maps.MAX_DOTS]
        # Their names, and the départements of those the table lists, from the referential.
        referential = {
            code: (name, departement or "")
            for code, name, departement in Territory.objects.filter(
                kind="commune", code__in=[code for code, _n, _name in counts.top_communes]
            ).values_list("code", "name", "departement__code")
        }
        assert [(code, name) for code, _n, name in counts.top_communes] == [
            (code, referential[code][0]) for code, _n, _name in counts.top_communes
        ]
        listed = counts.top_communes[: maps.COMMUNES_LISTED]
        assert counts.listed_departements == [referential[code][1] for code, _n, _name in listed]


def test_unpublished_initiatives_are_never_counted_nor_listed(client, synthetic):
    published = Initiative.objects.published()
    response = client.get(LIST)
    assert response.context["summary"].count == published.count()
    assert not set(facet_index.ids_of(response.context["summary"].matched)) & set(synthetic)
    drafts = set(Initiative.objects.filter(pk__in=synthetic).values_list("name", flat=True))
    for page in range(1, 5):
        names = {line["name"] for line in client.get(f"{LIST}?page={page}").context["lines"]}
        assert not names & drafts
    assert client.get(reverse("initiatives:map")).context["drawn"].total == published.count()


def test_the_synthetic_generator_and_the_command_rebuild_the_index(synthetic):
    assert_index_is_fresh()
    FacetBitmap.objects.all().delete()
    out = StringIO()
    call_command("facet_index_rebuild", stdout=out)
    assert f"{Initiative.objects.published().count()} initiatives" in out.getvalue()
    assert stored_index()[0][facet_index.ALL].bit_count() == Initiative.objects.published().count()


# --- every write keeps it fresh -----------------------------------------------------------


def test_every_write_keeps_the_index_fresh():
    gers = authority_for("32", kind="departement")
    auch = authority_for("32013")
    covoiturage = initiative_make(
        "Covoiturage rural",
        themes=("Mobilité durable",),
        territory_types=("rural",),
        places=(commune("32013"),),
        authorities=(gers,),
        tools=("locaux",),
        legal_form="association",
        year_started=2015,
    )
    garage = initiative_make(
        "Garage solidaire",
        themes=("Mobilité durable", "Utilité sociale"),
        places=(commune("48095"), Territory.objects.get(kind="region", code="76")),
        authorities=(auch,),
        year_started=1999,
    )
    assert_index_is_fresh()
    keys = dict(FacetMembership.objects.values_list("initiative", "keys"))
    assert "soutien:32" in keys[covoiturage.pk] and "commune:32013" in keys[covoiturage.pk]
    assert "region:76" in keys[garage.pk] and "niveau:commune" in keys[garage.pk]

    covoiturage.legal_form, covoiturage.year_started = LegalForm.SCIC, 2021
    covoiturage.save()
    assert_index_is_fresh()

    place = InitiativePlace.objects.create(initiative=covoiturage, territory=commune("33063"))
    LeverUse.objects.create(initiative=covoiturage, tool="communication")
    assert_index_is_fresh()
    place.delete()
    LeverUse.objects.filter(initiative=covoiturage).delete()
    assert_index_is_fresh()

    food = theme_get_or_create("Alimentation durable")
    food.initiatives.add(garage, covoiturage)  # from the theme's side
    assert_index_is_fresh()
    food.initiatives.clear()
    assert_index_is_fresh()
    covoiturage.themes.add(food)  # from the initiative's side, committed by save()
    covoiturage.save()
    assert_index_is_fresh()
    Theme.objects.filter(pk=food.pk).delete()
    assert_index_is_fresh()

    auch.kind = "epci"  # the authority's level places its initiatives
    auch.save()
    assert_index_is_fresh()
    assert "niveau:intercommunalite" in FacetMembership.objects.get(initiative=garage.pk).keys

    garage.unpublish()
    assert_index_is_fresh()
    assert not FacetMembership.objects.filter(initiative=garage.pk).exists()
    covoiturage.delete()
    assert_index_is_fresh()
    assert not FacetMembership.objects.exists()


def test_many_writes_are_refreshed_once_at_the_end():
    gers = authority_for("32", kind="departement")
    made = [
        initiative_make(f"Initiative {n}", places=(commune("32013"),), authorities=(gers,))
        for n in range(3)
    ]
    ids = {initiative.pk for initiative in made}
    calls = []
    original = facet_index.refresh
    facet_index.refresh = lambda ids: calls.append(set(ids)) or original(ids)
    try:
        with facet_index.deferred():
            for initiative in made:
                initiative.delete()
    finally:
        facet_index.refresh = original
    assert calls == [ids]
    assert_index_is_fresh()
    assert not stored_index()[0]


# --- the page built from it ---------------------------------------------------------------


def test_facet_links_are_the_filters_links_and_labels_are_escaped(client):
    theme_get_or_create('Économie "circulaire" <b>')
    initiative_make(
        "Recyclerie",
        themes=('Économie "circulaire" <b>', "Mobilité durable"),
        places=(commune("32013"),),
        legal_form="association",
        year_started=2015,
    )
    choices = browse.facet_choices()
    slug = Theme.objects.get(name__startswith="Économie").slug
    for query in (
        "",
        f"theme={slug}",
        f"q=vélo+partagé&theme={slug}&forme=association&tri=recent",
        "collectivite=&annee=2010-2019&theme=mobilite-durable&tri=maj",
    ):
        response = client.get(f"{LIST}?{query}")
        html = response.content.decode()
        assert "<b>" not in html and "&lt;b&gt;" in html
        filters = browse.BrowseForm(QueryDict(query), choices=choices).filters()
        for facet in response.context["summary"].facets:
            for option in facet["options"]:
                assert option["url"] == filters.toggled(facet["key"], option["value"]).url()


def test_a_referential_import_rebuilds_the_index():
    from essor.territories.services import referential_import

    initiative_make("Covoiturage rural", places=(commune("32013"),))
    FacetBitmap.objects.all().delete()  # stale, as after a bulk write of the referential
    referential_import(force=True)
    assert_index_is_fresh()
    assert stored_index()[0][facet_index.ALL].bit_count() == 1


def test_bitmap_table_counts_as_python_ints_do():
    rng = random.Random(7)
    bitmaps = {f"theme:{n}": rng.getrandbits(rng.randint(0, 300)) for n in range(12)}
    table = facet_index.BitmapTable(
        {key: facet_index.to_bytes(bits) for key, bits in bitmaps.items()}
    )
    for _draw in range(20):
        among = rng.getrandbits(rng.randint(1, 400))
        keys = rng.sample(sorted(bitmaps), 3)
        words = table.words_of(among)
        assert facet_index.as_int(words) == among & (2 ** (table.width * 8) - 1)
        numbers = [table.position[key] for key in keys]
        assert table.counts(words, numbers).tolist() == [
            (among & bitmaps[key]).bit_count() for key in keys
        ]
        any_of = bitmaps[keys[0]] | bitmaps[keys[1]]
        assert facet_index.as_int(table.any_of([*keys[:2], "theme:absent"])) == any_of
    assert not table.words("theme:absent").any()


def test_map_areas_read_on_the_cursor_are_the_referential_rows():
    expected = list(
        Territory.objects.filter(kind__in=("region", "departement"), is_current=True)
        .order_by("code", "kind")
        .values_list("kind", "code", "name", "region__code")
    )
    assert sorted(maps._area_rows(), key=lambda row: (row[1], row[0])) == expected


def test_map_dots_and_tables_escape_commune_names(client):
    auch = commune("32013")
    auch.name = "Auch <b>\"l'&"
    auch.save()
    initiative_make("Covoiturage rural", places=(auch,))
    facet_index.rebuild()  # the commune's name is kept in the index
    drawn = client.get(reverse("initiatives:map")).context["drawn"]
    escaped = "Auch &lt;b&gt;&quot;l&#x27;&amp;"
    assert "<b>" not in drawn.svg and f"<title>{escaped} : 1 initiative</title>" in drawn.svg
    assert f">{escaped}</a>" in drawn.communes_html


def test_filters_problems_and_legends_written_in_python_are_escaped():
    active = [browse.ActiveFilter(label='Thème : <b>"vélo"', remove_url="/i/?a=1&b=<2>")]
    html = browse.active_html(active, '/i/?"')
    assert "<b>" not in html and "Thème : &lt;b&gt;&quot;vélo&quot; <span" in html
    assert 'href="/i/?a=1&amp;b=&lt;2&gt;"' in html and 'href="/i/?&quot;"' in html
    problems = browse.problems_html(["Thème : valeur inconnue « <script> », ignorée."])
    assert (
        "<script>" not in problems and "<li>Thème : valeur inconnue « &lt;script&gt; »" in problems
    )
    assert browse.active_html([], "/") == "" and browse.problems_html([]) == ""
    legend = maps._legend_html([('#fff"<', "1 <b>")])
    assert 'background: #fff&quot;&lt;"' in legend and "1 &lt;b&gt; dans le département" in legend
    dots = maps._dot_legend_html([(5.0, "1 <b>"), (17.6, "9 initiatives")])
    assert 'width="5" height="5" viewBox="0 0 5 5"' in dots and 'width="18"' in dots
    assert "1 &lt;b&gt; dans la commune" in dots


def test_communes_ranked_and_cut_out_as_sorting_and_splitting_do():
    rng = random.Random(11)
    for _draw in range(30):
        size = rng.randint(1, 60)
        totals = np.array([rng.choice([0, 0, 1, 2, 3, 9]) for _ in range(size)], dtype=np.int64)
        present = np.flatnonzero(totals)
        if not present.size:
            continue
        limit = rng.randint(1, size)
        expected = present[np.lexsort((present, -totals[present]))][:limit]
        order = facet_index._most_first(totals, present, limit)
        assert order.tolist() == expected.tolist()
        names = [rng.choice(["Èze", "Saint-Étienne", "", "Bâ", "Ys"]) for _ in range(size)]
        encoded = "\x1f".join(names).encode()
        assert facet_index._picked(encoded, "\x1f", order) == [names[i] for i in order]
    assert facet_index._picked(b"a,b", ",", np.array([], dtype=np.int64)) == []


def test_map_tables_and_dots_written_at_once_are_escaped_one_by_one():
    texts = ['<b>"Auch"', "l'&", "", "plain"]
    assert maps._escaped_each(texts) == [escape(text) for text in texts]
    assert maps._escaped_each(["a\x1fb", "<"]) == ["a\x1fb", "&lt;"]  # the joiner in a text
    assert maps._escaped_each([]) == []
    number = maps._number_writer()
    for value in (0, 999, 1000, 12345, 1234567):
        assert number(value) == str(intcomma(value))
    # A commune code that is not official: the address's part escaped as a whole would be.
    urls = maps._PlaceUrls(browse.BrowseForm(QueryDict("theme=a&b")).filters())
    assert not maps._dot_tails("<&>")  # no position: no dot
    tail = maps._escaped_place("<&>")
    assert urls.escaped_prefix + tail == escape(urls("commune", "<&>"))
    region = maps.AreaRow("84", 'Rhône <b>"', 3, '/i/?lieu=region%3A84&x="')
    region.departements.append(maps.AreaRow("01", "Ain & <i>", 2, "/i/?a=1&b=2"))
    html = maps._regions_html([region])
    assert '<a href="/i/?lieu=region%3A84&amp;x=&quot;">Rhône &lt;b&gt;&quot;</a>' in html
    assert '<a href="/i/?a=1&amp;b=2">Ain &amp; &lt;i&gt; (01)</a>' in html


@pytest.mark.parametrize("walked_at_most", [0, 10**9])
def test_a_selection_s_page_is_the_same_read_by_id_or_walking_the_order(
    synthetic, monkeypatch, walked_at_most
):
    monkeypatch.setattr(browse, "WALKED_AT_MOST", walked_at_most)
    choices = browse.facet_choices()
    rng = random.Random(5)
    for _draw in range(15):
        query = _random_query(rng, choices)
        query.setlist("theme", [rng.choice(choices.lists["theme"])[0]])  # always a selection
        filters = browse.BrowseForm(query, choices=choices).filters()
        summary = browse.browse_summary(filters, choices)
        assert summary.published == browse.matching(browse.BrowseFilters()).count()
        walks = browse._walks_the_order(filters.sort, summary, browse.PAGE_SIZE)
        expected = bool(walked_at_most and summary.count) and filters.sort in ("nom", "recent")
        assert walks == expected
        for start in (0, 3):
            stop = start + browse.PAGE_SIZE
            assert browse.page_lines(filters, summary, start, stop) == browse.initiative_lines(
                browse.sorted_matching(filters), start, stop
            ), filters
