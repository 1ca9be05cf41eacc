"""The map of France: complete geometry, accessible and safe SVG, renders in WeasyPrint."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from essor.territories import snapshot
from essor.territories.maps import (
    BASE_FILL,
    MAP_PATH,
    PALETTE,
    MapArea,
    departement_codes,
    france_map_svg,
    legend_steps,
    map_attribution,
    region_codes,
    shade,
)

SVG = "{http://www.w3.org/2000/svg}"
REGIONS = {"11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"}
REGIONS |= {"01", "02", "03", "04", "06"}
DEPARTEMENTS = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B"}
DEPARTEMENTS |= {"971", "972", "973", "974", "976"}
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def data():
    return json.loads(MAP_PATH.read_text(encoding="utf-8"))


def _absolute_points(d: str) -> list[tuple[float, float]]:
    """Vertices of a path written as the build script writes it: M x y l dx dy … z."""
    points = []
    for ring in re.findall(r"M([^l]*)l([^z]*)z", d):
        x, y = (float(v) for v in _NUMBERS.findall(ring[0]))
        points.append((x, y))
        deltas = [float(v) for v in _NUMBERS.findall(ring[1])]
        for dx, dy in zip(deltas[::2], deltas[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
    return points


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 - our own output


# --- geometry file ------------------------------------------------------------------------


def test_every_current_departement_and_region_is_drawn(data):
    assert {row["code"] for row in data["departements"]} == DEPARTEMENTS
    assert {row["code"] for row in data["regions"]} == REGIONS
    assert departement_codes() == DEPARTEMENTS
    assert region_codes() == REGIONS


def test_departement_links_and_names_agree_with_the_referential(data):
    referential = {d["code"]: d for d in snapshot.read()["departements"]}
    for row in data["departements"]:
        assert row["region"] == referential[row["code"]]["region"], row["code"]
        assert row["name"] == referential[row["code"]]["nom"]
    regions = {r["code"]: r["nom"] for r in snapshot.read()["regions"]}
    assert all(row["name"] == regions[row["code"]] for row in data["regions"])


def test_paths_are_non_empty_and_inside_the_viewbox(data):
    minx, miny, width, height = data["viewbox"]
    rows = data["departements"] + data["regions"]
    for row in rows:
        for key in ("d", "zoom_d"):
            if key not in row:
                continue
            points = _absolute_points(row[key])
            assert len(points) >= 3, row["code"]
            for x, y in points:
                assert minx <= x <= minx + width and miny <= y <= miny + height, row["code"]


def test_region_labels_and_insets_are_inside_the_viewbox(data):
    minx, miny, width, height = data["viewbox"]
    for row in data["regions"]:
        x, y = row["label"]
        assert minx < x < minx + width and miny < y < miny + height
    keys = {inset["key"] for inset in data["insets"]}
    assert keys == {"971", "972", "973", "974", "976", "paris"}
    for inset in data["insets"]:
        x, y, w, h = inset["box"]
        assert minx <= x and x + w <= minx + width and miny <= y and y + h <= miny + height
        assert inset["lines"]


def test_petite_couronne_has_an_enlarged_copy(data):
    zoomed = {row["code"] for row in data["departements"] if "zoom_d" in row}
    assert zoomed == {"75", "92", "93", "94"}


def test_geometry_file_stays_small():
    assert MAP_PATH.stat().st_size < 300 * 1024


def test_attribution_names_the_source():
    assert "DSFR" in map_attribution()


# --- colours ------------------------------------------------------------------------------


def test_shade_and_legend_agree():
    assert shade(0, 10) == BASE_FILL
    assert shade(3, 0) == BASE_FILL
    steps = legend_steps(12)
    assert [label for _, label in steps] == ["1 à 3", "4 à 6", "7 à 9", "10 à 12"]
    assert [shade(v, 12) for v in (1, 4, 7, 12)] == [colour for colour, _ in steps]
    assert shade(2, 12) == shade(3, 12) != shade(4, 12)
    assert legend_steps(0) == []


def test_small_maximum_gives_one_class_per_value():
    assert [label for _, label in legend_steps(3)] == ["1", "2", "3"]
    assert len({colour for colour, _ in legend_steps(5)}) == 5
    assert [c for c, _ in legend_steps(2)] == [PALETTE[1], PALETTE[4]]
    assert [c for c, _ in legend_steps(4)] == list(PALETTE[1:])
    assert shade(1, 1) == legend_steps(1)[0][0]


# --- the SVG ------------------------------------------------------------------------------


def _map(**kwargs) -> str:
    kwargs.setdefault("title", "Collectivités adhérentes")
    kwargs.setdefault("description", "Nombre de collectivités adhérentes par département.")
    return france_map_svg(**kwargs)


def test_without_links_the_map_is_one_image():
    root = _parse(_map())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    assert root.get("width") == "100%"
    assert root.get("height") is None
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id
    assert root.find(f".//{SVG}a") is None


def test_linked_areas_are_labelled_links_and_others_hidden():
    areas = [
        MapArea("33", "#1f6f8b", "Gironde : 3 collectivités adhérentes", "/membres/?dep=33"),
        MapArea("974", "#1f6f8b", "La Réunion : 1 collectivité adhérente", "/membres/?dep=974"),
        MapArea("29", "#8fc1e3", "Finistère : 1 collectivité adhérente"),
    ]
    root = _parse(_map(departements=areas))
    assert root.get("role") == "group"
    links = [a for a in root.iter(f"{SVG}a") if a.get("tabindex") != "-1"]
    assert {a.get("aria-label") for a in links} == {areas[0].label, areas[1].label}
    for link in links:
        assert link.get("href").startswith("/membres/")
        assert link.find(f"{SVG}title").text == link.get("aria-label")
        assert link.find(f"{SVG}path").get("fill") == "#1f6f8b"
    # Every drawn path outside a reachable link is hidden from assistive technologies.
    hidden = {id(p) for g in root.iter() if g.get("aria-hidden") == "true" for p in g.iter()}
    in_links = {id(p) for a in links for p in a.iter()}
    for path in root.iter(f"{SVG}path"):
        assert id(path) in hidden or id(path) in in_links
    # The unlinked shaded area keeps its fill and a tooltip, but is hidden.
    tooltips = [t.text for t in root.iter(f"{SVG}title")]
    assert areas[2].label in tooltips


def test_paris_copy_is_clickable_but_out_of_tab_order():
    area = MapArea("75", "#0b4276", "Paris : 7 collectivités adhérentes", "/membres/?dep=75")
    root = _parse(_map(departements=[area]))
    links = list(root.iter(f"{SVG}a"))
    assert len(links) == 2
    mirror = [a for a in links if a.get("tabindex") == "-1"]
    assert len(mirror) == 1 and mirror[0].get("aria-hidden") == "true"


def test_regions_and_counts():
    areas = [MapArea("75", "#2470a8", "Nouvelle-Aquitaine : 12", "/membres/?region=75")]
    root = _parse(_map(regions=areas, region_counts={"75": 12, "53": 0, "988": 4, "04": 3}))
    links = [a for a in root.iter(f"{SVG}a") if a.get("tabindex") != "-1"]
    assert [a.get("aria-label") for a in links] == ["Nouvelle-Aquitaine : 12"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "12" in texts and "3" in texts
    assert "0" not in texts and "4" not in texts  # zero and unknown régions get no bubble
    bubbles = list(root.iter(f"{SVG}circle"))
    assert len(bubbles) == 2


def test_inset_names_are_written():
    texts = {t.text for t in _parse(_map()).iter(f"{SVG}text")}
    assert {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"} <= texts


def test_codes_not_on_the_map_are_ignored():
    svg = _map(departements=[MapArea("988", "#123456", "Nouvelle-Calédonie", "/x/")])
    assert "Nouvelle-Calédonie" not in svg


def test_labels_are_escaped():
    evil = '<script>alert("x")</script> & "quotes"'
    svg = _map(
        title=evil,
        description=evil,
        departements=[MapArea("01", "#123456", evil, "/membres/?a=1&b=2")],
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = _parse(svg)  # still well-formed
    assert root.find(f"{SVG}title").text == evil
    link = next(root.iter(f"{SVG}a"))
    assert link.get("aria-label") == evil
    assert link.get("href") == "/membres/?a=1&b=2"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "//evil.example/", "data:text/html,x"])
def test_unsafe_urls_are_refused(url):
    with pytest.raises(ValueError):
        _map(departements=[MapArea("01", "#123456", "Ain", url)])


@pytest.mark.parametrize("colour", ['red" onload="x', "url(#x)", ""])
def test_unsafe_colours_are_refused(colour):
    with pytest.raises(ValueError):
        _map(departements=[MapArea("01", colour, "Ain")])


def test_id_prefix_makes_ids_unique_per_map():
    first, second = _map(id_prefix="carte-a"), _map(id_prefix="carte-b")
    ids_a = {e.get("id") for e in _parse(first).iter() if e.get("id")}
    ids_b = {e.get("id") for e in _parse(second).iter() if e.get("id")}
    assert ids_a and ids_b and not ids_a & ids_b
    with pytest.raises(ValueError):
        _map(id_prefix='x" onload="y')


def test_two_maps_in_one_page_parse_together():
    page = f"<div xmlns:svg='http://www.w3.org/2000/svg'>{_map(id_prefix='a')}{_map(id_prefix='b')}</div>"
    root = ET.fromstring(page)  # noqa: S314 - our own output
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_weasyprint_renders_the_map_to_pdf():
    import weasyprint  # heavy: only this test needs it

    areas = [
        MapArea(code, shade(n, 5), f"{code} : {n}", f"/membres/?dep={code}")
        for n, code in enumerate(["33", "29", "75", "974", "2A"], start=1)
    ]
    svg = _map(departements=areas, region_counts={"75": 3, "53": 2, "04": 1})
    html = f"<!doctype html><html><body><h1>Carte</h1><div style='width:16cm'>{svg}</div></body></html>"
    pdf = weasyprint.HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 20 * 1024


def test_region_on_the_paris_inset_is_linked_once():
    area = MapArea("11", "#2470a8", "Île-de-France : 4", "/membres/?region=11")
    root = _parse(_map(regions=[area]))
    links = list(root.iter(f"{SVG}a"))
    assert len(links) == 2  # the région and its enlarged copy in the Paris inset
    assert [a.get("tabindex") for a in links] == [None, "-1"]
    assert all(a.find(f"{SVG}path").get("fill") == "#2470a8" for a in links)


def test_safe_labels_are_not_escaped_twice():
    from django.utils.safestring import mark_safe

    svg = _map(departements=[MapArea("01", "#123456", mark_safe("Ain &amp; co"), "/a/")])
    assert 'aria-label="Ain &amp; co"' in svg and "&amp;amp;" not in svg


def test_every_departement_is_drawn_once_and_unshaded_ones_get_the_base_fill():
    root = _parse(_map(base_fill="#abcdef", departements=[MapArea("33", "#123456", "Gironde")]))
    fills = [p.get("fill") for p in root.iter(f"{SVG}path") if p.get("fill") not in (None, "none")]
    assert fills.count("#123456") == 1
    assert fills.count("#abcdef") == len(DEPARTEMENTS) - 1 + 4  # with the Paris copies


def test_the_same_call_draws_the_same_map():
    # The geometry's parts are rendered once: calls must not leak into each other.
    first = _map(departements=[MapArea("33", "#123456", "Gironde", "/g/")])
    _map(departements=[MapArea("29", "#654321", "Finistère", "/f/")], base_fill="#000000")
    assert _map(departements=[MapArea("33", "#123456", "Gironde", "/g/")]) == first
