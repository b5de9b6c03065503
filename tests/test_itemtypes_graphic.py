"""The graphic item types' content rules (an image with its size, regions inside it),
scoring, previews, and their QTI round trip: bank -> QTI 3.0 / 2.1 (valid) -> bank."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from itembank.plugins import PluginHost
from plugins.itemtypes._graphic import (
    EXAMPLE_GAP_IMAGES,
    EXAMPLE_IMAGE,
    MAX_POLY_POINTS,
    MAX_REGIONS,
    read_image,
)
from qti.reader import read_item
from qti.rp import score_function
from qti.validate import validate_element
from qti.writer import write_item
from qti.xml import serialize
from tests.itemtype_helpers import assert_problem, patched, problems, subsets

HOST = PluginHost(entry_points=False)
HOTSPOT = HOST.item_type("hotspot")
EXAMPLE = HOTSPOT.example_content()
STEM = "<p>Di manakah loket pelayanan KTP elektronik?</p>"


# -- the image ---------------------------------------------------------------------------


def test_the_image_is_read_with_its_size() -> None:
    image = read_image(EXAMPLE_IMAGE)
    assert image is not None and (image.width, image.height) == (400, 300)
    assert image.alt == "Denah kantor kecamatan"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<p>Denah</p>",
        '<img src="/media/x" alt="a">',  # no size
        '<img src="/media/x" width="0" height="10">',
        '<img src="/media/x" width="4001" height="10">',
        '<img src="/media/x" width="10px" height="10">',
        '<img alt="a" width="10" height="10">',  # no source
        '<img src="/media/x" width="10" height="10"><img src="/media/y" width="10" height="10">',
        '<p>Denah <img src="/media/x" width="10" height="10"></p>',  # text beside it
    ],
)
def test_an_image_field_without_exactly_one_sized_image_is_refused(html: str) -> None:
    found = problems(HOTSPOT, {**EXAMPLE, "image": html})
    assert found[0][0] == "image"
    assert found[0][1].startswith("Pilih satu gambar") and found[0][2].startswith("Choose one")


# -- regions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "indonesian", "english"),
    [
        ({"hotspots.0.coords": [20, 20, 180]}, "hotspots.0.coords", "memerlukan 4", "needs 4"),
        ({"hotspots.0.coords": [180, 20, 20, 130]}, "hotspots.0.coords", "x1 dan y1", "x1 and"),
        ({"hotspots.0.coords": [20, 20, 401, 130]}, "hotspots.0.coords", "keluar dari", "outside"),
        ({"hotspots.0.coords": [-1, 20, 40, 130]}, "hotspots.0.coords", "keluar dari", "outside"),
        ({"hotspots.1.coords": [300, 75]}, "hotspots.1.coords", "memerlukan 3", "needs 3"),
        ({"hotspots.1.coords": [300, 75, 0]}, "hotspots.1.coords", "jari-jari", "radius"),
        ({"hotspots.1.coords": [380, 75, 50]}, "hotspots.1.coords", "keluar dari", "outside"),
        ({"hotspots.2.coords": [40, 170, 180, 170]}, "hotspots.2.coords", "3 sampai", "3 to"),
        ({"hotspots.2.coords": [40, 170, 180, 170, 110]}, "hotspots.2.coords", "3 sampai", "3 to"),
        (
            {"hotspots.2.coords": [10, 10, 20, 20, 30, 30]},
            "hotspots.2.coords",
            "segaris",
            "in a line",
        ),
        ({"hotspots.2.shape": "ellipse"}, "hotspots.2.shape", "Harus salah satu", "Must be one"),
        ({"hotspots.2.id": "B"}, "hotspots.2.id", "lebih dari sekali", "more than once"),
        ({"hotspots.2.id": "1C"}, "hotspots.2.id", "tidak valid", "not valid"),
        ({"hotspots.0.label": "x" * 201}, "hotspots.0.label", "panjang", "Longer than"),
        ({"keys": ["D"]}, "keys.0", "tidak ada di area", "not one of the regions"),
        ({"keys": []}, "keys", "Minimal 1", "At least one key"),
        (
            {"keys": ["A", "B", "A"], "max_choices": 0},
            "keys.2",
            "lebih dari sekali",
            "more than once",
        ),
        ({"keys": ["A", "B"]}, "max_choices", "lebih kecil dari jumlah kunci", "less than the"),
        ({"points": 0}, "points", "lebih besar dari 0", "greater than 0"),
    ],
)
def test_region_and_key_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert_problem(HOTSPOT, EXAMPLE, changes, field, indonesian, english)


def test_the_number_of_regions_and_points_is_bounded() -> None:
    one = [EXAMPLE["hotspots"][0]]
    assert ("hotspots", "Minimal 2 area.", "At least 2 regions are required.") in problems(
        HOTSPOT, {**EXAMPLE, "hotspots": one, "keys": ["A"]}
    )
    many = [
        {"id": f"R{i}", "shape": "circle", "coords": [10 + i, 10, 5]}
        for i in range(MAX_REGIONS + 1)
    ]
    found = problems(HOTSPOT, {**EXAMPLE, "hotspots": many, "keys": ["R1"]})
    assert found[0][0] == "hotspots"
    corners = [v for i in range(MAX_POLY_POINTS + 1) for v in (i % 400, (i * 7) % 300)]
    found = problems(HOTSPOT, patched(EXAMPLE, {"hotspots.2.coords": corners}))
    assert found[0][0] == "hotspots.2.coords"
    assert len(str(found[0][1])) < 200  # the marshmallow length bound speaks first


def test_coordinates_must_be_whole_numbers() -> None:
    found = problems(HOTSPOT, patched(EXAMPLE, {"hotspots.0.coords": [20.5, 20, 180, 130]}))
    assert found[0][0] == "hotspots.0.coords.0"
    found = problems(HOTSPOT, patched(EXAMPLE, {"hotspots.0.coords": "20,20,180,130"}))
    assert found[0][0] == "hotspots.0.coords"


# -- scoring -----------------------------------------------------------------------------

MANY = {**EXAMPLE, "keys": ["A", "C"], "max_choices": 0, "points": 4}


def test_one_choice_scores_the_key_only() -> None:
    assert [HOTSPOT.score(EXAMPLE, r) for r in (None, "A", "B", "C", "X", "")] == [0, 0, 1, 0, 0, 0]
    for wrong in (["B"], 1, {"B": 1}):
        with pytest.raises(ValueError):
            HOTSPOT.score(EXAMPLE, wrong)


def test_several_choices_all_or_nothing_and_partial() -> None:
    strict = {**MANY, "scoring": "all_or_nothing"}
    partial = {**MANY, "scoring": "partial"}
    expected_partial = {
        (): 0,
        ("A",): 2,
        ("C",): 2,
        ("A", "C"): 4,
        ("A", "B"): 0,
        ("A", "B", "C"): 2,
        ("B",): 0,
        ("A", "C", "X"): 2,
    }
    for chosen, score in expected_partial.items():
        assert HOTSPOT.score(partial, list(chosen)) == score, chosen
        assert HOTSPOT.score(strict, list(chosen)) == (4 if set(chosen) == {"A", "C"} else 0)
    assert HOTSPOT.score(partial, ["A", "A", "C"]) == 4
    with pytest.raises(ValueError):
        HOTSPOT.score(partial, "A")


def test_the_summary_lists_areas_by_label_and_the_keys_in_order() -> None:
    summary = HOTSPOT.summary(HOTSPOT.load({**MANY, "keys": ["C", "A"]}))
    assert summary.options == {"A": "Ruang arsip", "B": "Loket KTP-el", "C": "Ruang tunggu"}
    assert summary.keys == ["A", "C"]
    assert summary.extra["regions"].startswith("A: rect 20,20,180,130; B: circle 300,75,50")


def test_the_preview_shows_the_image_and_outlines_without_the_key() -> None:
    html = HOTSPOT.preview_html(STEM, EXAMPLE, "id")
    assert EXAMPLE_IMAGE in html
    assert html.count('class="ib-region"') == 3
    assert 'type="radio"' in html and "Loket KTP-el" in html
    several = HOTSPOT.preview_html(STEM, MANY, "en")
    assert 'type="checkbox"' in several and "Choose the right areas." in several
    assert HOTSPOT.preview_html(STEM, {**EXAMPLE, "keys": ["A"]}) == HOTSPOT.preview_html(
        STEM, EXAMPLE
    )


# -- QTI: bank -> QTI 3.0 / 2.1 -> bank ----------------------------------------------------------


def round_trip(
    item_type: Any, loaded: dict[str, Any], version: str
) -> tuple[bytes, Callable[[dict[str, Any]], float], dict[str, Any]]:
    """``loaded`` written as a QTI ``version`` item (valid against the schema) and read
    back: its XML, the source's score of a response (``{"RESPONSE": value}``) and the
    content the type imports from it."""
    model = item_type.qti_item(STEM, loaded, identifier="item_1", title="Soal 1")
    root = write_item(model, version)  # type: ignore[arg-type]
    assert validate_element(root, name="item_1.xml") == []
    text = serialize(root)
    reading = read_item(text)
    source = score_function(reading.root)
    back = item_type.from_qti(reading.item, lambda value: source({"RESPONSE": value}))
    assert back is not None
    return text, source, back


ROUND_TRIPS = [
    EXAMPLE,
    {**EXAMPLE, "points": 2.5},
    {**MANY, "scoring": "partial"},
    {**MANY, "scoring": "all_or_nothing", "max_choices": 3},
    {**MANY, "keys": ["B"], "points": 1, "scoring": "all_or_nothing"},
]


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("content", ROUND_TRIPS)
def test_hotspot_round_trip_is_valid_and_scores_exactly(
    content: dict[str, Any], version: str
) -> None:
    loaded = HOTSPOT.load(content)
    text, source, back = round_trip(HOTSPOT, loaded, version)
    shape = b"qti-hotspot-choice" if version == "3.0" else b"<hotspotChoice"
    assert text.count(shape) == 3
    assert (b'<img src="/media/' if version == "3.0" else b'<object data="/media/') in text
    assert read_image(back["image"]) == read_image(loaded["image"])
    imported = HOTSPOT.load({**back, "image": loaded["image"]})
    assert imported == loaded
    ids = [h["id"] for h in loaded["hotspots"]]
    responses: list[Any] = [None, *ids] if loaded["max_choices"] == 1 else list(subsets(ids))
    for response in responses:
        qti_value = HOTSPOT.qti_response(loaded, response)["RESPONSE"]
        assert source({"RESPONSE": qti_value}) == HOTSPOT.score(loaded, response), response


# -- associate -------------------------------------------------------------------------------

ASSOCIATE = HOST.item_type("associate")
PAIRS = ASSOCIATE.example_content()


@pytest.mark.parametrize(
    ("changes", "field", "indonesian", "english"),
    [
        ({"pairs": [["A", "Z"]]}, "pairs.0", "'Z' tidak ada", "'Z' is not one of"),
        ({"pairs": [["A", "A"]]}, "pairs.0", "dirinya sendiri", "with itself"),
        ({"pairs": [["A", "C"], ["C", "A"]]}, "pairs.1", "lebih dari sekali", "more than once"),
        ({"pairs": [["A", "C", "D"]]}, "pairs.0", "dua pilihan", "two choices"),
        ({"pairs": []}, "pairs", "Minimal 1", "At least one key pair"),
        (
            {"pairs": [["A", "C"], ["A", "D"]]},
            "choices.0.match_max",
            "paling banyak 1",
            "at most 1",
        ),
        ({"max_associations": 2}, "max_associations", "lebih kecil", "less than"),
        ({"choices.1.id": "A"}, "choices.1.id", "lebih dari sekali", "more than once"),
        ({"choices.2.text": "<p> </p>"}, "choices.2.text", "kosong", "empty"),
        ({"choices.0.match_max": -1}, "choices.0.match_max", "lebih besar", "greater than"),
    ],
)
def test_associate_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert_problem(ASSOCIATE, PAIRS, changes, field, indonesian, english)


def test_associate_needs_three_choices_at_most_twenty() -> None:
    three = PAIRS["choices"][:2]
    found = problems(ASSOCIATE, {**PAIRS, "choices": three, "pairs": [["A", "B"]]})
    assert ("choices", "Minimal 3 pilihan.", "At least 3 choices are required.") in found
    many = [{"id": f"C{i}", "text": f"<p>{i}</p>"} for i in range(21)]
    assert problems(ASSOCIATE, {**PAIRS, "choices": many, "pairs": [["C1", "C2"]]})[0][0] == (
        "choices"
    )


def test_associate_scores_pairs_in_either_order() -> None:
    key = [["A", "C"], ["B", "D"], ["E", "F"]]
    assert ASSOCIATE.score(PAIRS, key) == 3
    assert ASSOCIATE.score(PAIRS, [["C", "A"], ["D", "B"], ["F", "E"], ["A", "C"]]) == 3
    assert ASSOCIATE.score(PAIRS, [["C", "A"]]) == 1
    assert ASSOCIATE.score(PAIRS, [["C", "A"], ["B", "E"]]) == 0  # one right, one wrong
    assert ASSOCIATE.score(PAIRS, [*key, ["A", "B"]]) == 2
    assert ASSOCIATE.score(PAIRS, None) == ASSOCIATE.score(PAIRS, []) == 0
    strict = {**PAIRS, "scoring": "all_or_nothing"}
    assert ASSOCIATE.score(strict, key[:2]) == 0 and ASSOCIATE.score(strict, key[::-1]) == 3
    for wrong in ("A C", [["A"]], [[1, 2]], {"A": "C"}):
        with pytest.raises(ValueError):
            ASSOCIATE.score(PAIRS, wrong)


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize(
    "content",
    [
        PAIRS,
        {**PAIRS, "scoring": "all_or_nothing", "points": 2.5, "shuffle": False},
        # one key pair: partial scores as all-or-nothing does, and is read back so
        {**PAIRS, "pairs": [["F", "B"]], "max_associations": 0, "scoring": "all_or_nothing"},
    ],
)
def test_associate_round_trip_is_valid_and_scores_exactly(
    content: dict[str, Any], version: str
) -> None:
    loaded = ASSOCIATE.load(content)
    _, source, back = round_trip(ASSOCIATE, loaded, version)
    from itembank.sanitize import html_to_xhtml

    assert ASSOCIATE.load(back) == ASSOCIATE.map_html(loaded, html_to_xhtml)
    ids = [c["id"] for c in loaded["choices"]]
    every = [list(pair) for pair in itertools.combinations(ids, 2)]
    for response in [None, *([p] for p in every), *itertools.combinations(every, 2)]:
        value = ASSOCIATE.qti_response(loaded, None if response is None else list(response))
        expected = ASSOCIATE.score(loaded, None if response is None else list(response))
        assert source(value) == expected, response


# -- graphic gap match -------------------------------------------------------------------------

GAP_MATCH = HOST.item_type("graphic_gap_match")
GAPS = GAP_MATCH.example_content()


@pytest.mark.parametrize(
    ("changes", "field", "indonesian", "english"),
    [
        ({"gaps.0.image": "<p>x</p>"}, "gaps.0.image", "Pilih satu gambar untuk", "Choose one"),
        ({"gaps.1.label": " "}, "gaps.1.label", "wajib diisi", "is required"),
        ({"gaps.1.id": "G1"}, "gaps.1.id", "lebih dari sekali", "more than once"),
        ({"hotspots.0.id": "G1"}, "hotspots.0.id", "lebih dari sekali", "more than once"),
        ({"pairs": [["G9", "A"]]}, "pairs.0.0", "'G9' tidak ada", "not one of the gap"),
        ({"pairs": [["G1", "Z"]]}, "pairs.0.1", "'Z' tidak ada", "not one of the areas"),
        ({"pairs": [["G1", "A"], ["G1", "A"]]}, "pairs.1", "lebih dari sekali", "more than once"),
        ({"pairs": [["G1", "A"], ["G1", "B"]]}, "pairs.1", "'G1' ada di lebih", "'G1' is in more"),
        ({"pairs": [["G1", "A"], ["G2", "A"]]}, "pairs.1", "'A' ada di lebih", "'A' is in more"),
        ({"pairs": []}, "pairs", "Minimal 1", "At least one key pair"),
        ({"hotspots.1.coords": [390, 75, 50]}, "hotspots.1.coords", "keluar", "outside"),
    ],
)
def test_gap_match_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert_problem(GAP_MATCH, GAPS, changes, field, indonesian, english)


def test_gap_match_scores_directed_pairs() -> None:
    assert GAP_MATCH.score(GAPS, [["G2", "A"], ["G3", "B"]]) == 2
    assert GAP_MATCH.score(GAPS, [["G2", "A"]]) == 1
    assert GAP_MATCH.score(GAPS, [["A", "G2"]]) == 0  # directed: gap first
    assert GAP_MATCH.score(GAPS, [["G2", "A"], ["G1", "B"]]) == 0
    assert GAP_MATCH.score({**GAPS, "scoring": "all_or_nothing"}, [["G2", "A"]]) == 0
    assert GAP_MATCH.score(GAPS, None) == 0
    with pytest.raises(ValueError):
        GAP_MATCH.score(GAPS, "G2 A")


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("content", [GAPS, {**GAPS, "scoring": "all_or_nothing", "points": 1.5}])
def test_gap_match_round_trip_is_valid_and_scores_exactly(
    content: dict[str, Any], version: str
) -> None:
    loaded = GAP_MATCH.load(content)
    text, source, back = round_trip(GAP_MATCH, loaded, version)
    assert text.count(b"<qti-gap-img" if version == "3.0" else b"<gapImg") == 3
    from itembank.sanitize import html_to_xhtml

    assert GAP_MATCH.load(back) == GAP_MATCH.map_html(loaded, html_to_xhtml)
    every = [[g["id"], a["id"]] for g in loaded["gaps"] for a in loaded["hotspots"]]
    for size in range(len(every) + 1):
        for chosen in itertools.combinations(every, size):
            value = GAP_MATCH.qti_response(loaded, list(chosen))
            assert source(value) == GAP_MATCH.score(loaded, list(chosen)), chosen


# -- select point -----------------------------------------------------------------------------

SELECT_POINT = HOST.item_type("select_point")
POINTS = SELECT_POINT.example_content()
#: Inside A (circle), inside B (polygon), inside C (rectangle), outside every area.
IN_A, IN_B, IN_C, NOWHERE = [300, 75], [110, 207], [100, 75], [390, 290]


@pytest.mark.parametrize(
    ("changes", "field", "indonesian", "english"),
    [
        ({"areas.1.id": "X"}, "areas.1.id", "harus berkode 'B'", "must be named 'B'"),
        ({"areas.0.value": 0, "areas.1.value": -1}, "areas", "lebih dari 0", "more than 0"),
        ({"mapping.default": 0.5}, "mapping.default", "bernilai 0", "worth 0"),
        ({"mapping.default": -1}, "mapping.default", "sekali per titik", "once per point"),
        ({"points": 3}, "points", "hanya mendapat skor 2", "only scores 2"),
        ({"max_choices": 1}, "points", "hanya mendapat skor 1", "only scores 1"),
        ({"mapping.lower": 2}, "mapping.lower", "lebih kecil dari poin", "less than the points"),
        ({"areas.2.coords": [20, 20, 500, 130]}, "areas.2.coords", "keluar dari", "outside"),
        ({"marker": "<p>Pin</p>"}, "marker", "Pilih satu gambar", "Choose one image"),
        ({"marker": '<img src="/media/x" alt="">'}, "marker", "lebar dan tinggi", "width"),
    ],
)
def test_select_point_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert_problem(SELECT_POINT, POINTS, changes, field, indonesian, english)


def test_select_point_areas_have_no_label() -> None:
    """Candidates never see the areas, and QTI's area mapping keeps no label."""
    with pytest.raises(Exception, match="label"):
        SELECT_POINT.load(patched(POINTS, {"areas.0.label": "Loket"}))


def test_select_point_scores_as_map_response_point() -> None:
    content = SELECT_POINT.load(POINTS)
    score = SELECT_POINT.score
    assert score(content, None) == score(content, []) == 0
    assert score(content, [IN_A]) == 1
    assert score(content, [IN_A, IN_B]) == 2
    assert score(content, [IN_A, IN_A]) == 1  # each area once
    assert score(content, [IN_A, IN_C]) == 0  # C is worth -1
    assert score(content, [IN_C]) == 0  # held at the lower bound
    assert score(content, [NOWHERE]) == 0
    assert score(content, [[350, 75]]) == 1  # a circle holds its edge
    assert score(content, [[351, 75]]) == 0
    overlapping = {**content, "areas": [content["areas"][0], {**content["areas"][0], "id": "B"}]}
    assert score(overlapping, [IN_A]) == 1  # the first area holding the point scores it
    unbounded = {**content, "mapping": {"default": 0, "lower": None}}
    assert score(unbounded, [IN_C, NOWHERE]) == -1
    one = SELECT_POINT.load({**POINTS, "max_choices": 1, "points": 1})
    assert score(one, IN_A) == 1 and score(one, IN_B) == 1 and score(one, IN_C) == 0


def _reference_point_score(content: dict[str, Any], response: Any) -> float:
    """Select point's ``score`` as it was written before :meth:`scorer` (the reference:
    each point's area looked up afresh)."""
    from plugins.itemtypes.qti_writers._graphic import first_area
    from plugins.itemtypes.select_point import response_points

    points = response_points(content, response)
    if points is None:
        return 0
    areas, mapping = content["areas"], content["mapping"]
    total, used = 0.0, set()
    for point in points:
        hit = first_area(areas, point)
        if hit is None:
            total += mapping["default"]
        elif hit not in used:
            used.add(hit)
            total += areas[hit]["value"]
    if mapping["lower"] is not None and total < mapping["lower"]:
        total = float(mapping["lower"])
    return float(min(total, content["points"]))


def test_select_point_scorer_scores_every_proof_response_as_the_reference() -> None:
    """One scorer (the area of each point found once) gives exactly the reference score
    for every response the import's proof tries, bad responses raise alike, and areas
    replaced between calls are looked up again."""
    from itembank.qti_bridge.responses import responses_for

    content = SELECT_POINT.load(POINTS)
    item = SELECT_POINT.qti_item("<p>Tunjuk.</p>", content, identifier="P", title="P")
    (interaction,) = item.interactions()
    tried = list(responses_for(item, interaction, item.responses[0]))
    assert len(tried) > 100
    scorer = SELECT_POINT.scorer(content)
    for value in tried + tried:  # twice: the second time from the areas found
        response = SELECT_POINT.response_from_qti(content, value)
        assert scorer(response) == _reference_point_score(content, response), value
        assert SELECT_POINT.score(content, response) == scorer(response)
    for bad in (["A"], [[1, 2, 3]], [[1.5, 2]], 7):
        with pytest.raises(ValueError):
            scorer(bad)
    moved = {
        **content,
        "areas": [{**area, "shape": "rect", "coords": [0, 0, 1, 1]} for area in content["areas"]],
    }
    changing = dict(content)
    scorer = SELECT_POINT.scorer(changing)
    assert scorer([IN_A]) == 1
    changing["areas"] = moved["areas"]  # another areas list: found again
    assert scorer([IN_A]) == _reference_point_score(moved, [IN_A]) == 0
    odd = {**content, "areas": [{"id": "A", "shape": "poly", "coords": [0, 0, 5], "value": 1}]}
    scorer = SELECT_POINT.scorer(odd)
    for _ in range(2):  # an error is raised every time, never remembered
        with pytest.raises(ValueError, match="pairs"):
            scorer([IN_A])


@pytest.mark.parametrize("response", ["A", [1], [1.5, 2], [True, 2], [[1, 2, 3]], 7, [10**6, 1]])
def test_select_point_refuses_what_is_not_a_point(response: Any) -> None:
    content = SELECT_POINT.load(POINTS)
    with pytest.raises(ValueError):
        SELECT_POINT.score(content, response if isinstance(response, list) else [response])


def test_select_point_preview_shows_the_image_without_the_areas() -> None:
    content = SELECT_POINT.load(POINTS)
    html = SELECT_POINT.preview_html(STEM, content)
    assert EXAMPLE_IMAGE.split(" alt")[0] in html
    assert not any(shape in html for shape in ("<rect", "<circle", "<polygon", "ib-region"))
    assert html.count('type="number"') == 4  # x and y for each of two points


def test_select_point_with_a_marker_shows_it_beside_the_image_and_in_the_key() -> None:
    content = SELECT_POINT.load({**POINTS, "marker": EXAMPLE_GAP_IMAGES[0]})
    html = SELECT_POINT.preview_html(STEM, content, lang="en")
    stage = html.index('class="ib-point-stage"')
    marker = html.index('class="ib-marker"')
    assert stage < html.index(EXAMPLE_IMAGE.split(" alt")[0]) < marker
    assert EXAMPLE_GAP_IMAGES[0].split(" alt")[0] in html[marker:]
    assert "Place the marker" in html and "Click" not in html
    assert SELECT_POINT.summary(content).extra["marker"] == "Merah (60 × 24)"
    assert "marker" not in SELECT_POINT.summary(SELECT_POINT.load(POINTS)).extra
    assert ("marker", content["marker"]) in list(SELECT_POINT.html_fields(content))


def test_select_point_content_saved_before_the_marker_still_works() -> None:
    """Stored content from before the marker field has no ``marker`` key."""
    stored = {key: value for key, value in POINTS.items() if key != "marker"}
    assert SELECT_POINT.load(stored)["marker"] == ""
    assert list(SELECT_POINT.check(stored)) == []
    assert "Click" in SELECT_POINT.preview_html(STEM, stored, lang="en")
    assert "marker" not in SELECT_POINT.summary(stored).extra


@pytest.mark.parametrize("marker", [False, True])
@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("max_choices", [1, 2, 0])
def test_select_point_round_trip_is_valid_and_scores_exactly(
    max_choices: int, version: str, marker: bool
) -> None:
    """Without a marker a select point interaction; with one a position object stage
    (the stage the image, the object the marker), read back the same."""
    loaded = SELECT_POINT.load(
        {
            **POINTS,
            "max_choices": max_choices,
            "points": 1 if max_choices == 1 else 2,
            "marker": EXAMPLE_GAP_IMAGES[1] if marker else "",
        }
    )
    text, source, back = round_trip(SELECT_POINT, loaded, version)
    assert text.count(b"<qti-area-map-entry" if version == "3.0" else b"<areaMapEntry") == 3
    stage = b"<qti-position-object-stage>" if version == "3.0" else b"<positionObjectStage>"
    assert (stage in text) is marker
    assert (b"electPointInteraction" in text or b"select-point" in text) is not marker
    images = {"image": loaded["image"], "marker": loaded["marker"]}
    assert bool(back["marker"]) is marker
    assert SELECT_POINT.load({**back, **images}) == loaded
    singles = [IN_A, IN_B, IN_C, NOWHERE, [350, 75], [40, 170], [180, 130]]
    responses: list[Any] = [None, *singles] if max_choices == 1 else [None, *subsets(singles)]
    for response in responses:
        value = SELECT_POINT.qti_response(loaded, response)
        assert source(value) == SELECT_POINT.score(loaded, response), response


# -- graphic order ----------------------------------------------------------------------------

GRAPHIC_ORDER = HOST.item_type("graphic_order")
ORDER = GRAPHIC_ORDER.example_content()


@pytest.mark.parametrize(
    ("changes", "field", "indonesian", "english"),
    [
        ({"correct_order": ["C", "B", "D", "Z"]}, "correct_order.3", "'Z' yang tidak", "'Z'"),
        ({"correct_order": ["C", "B", "D", "C"]}, "correct_order.3", "lebih dari", "more than"),
        ({"correct_order": ["C", "B", "D"]}, "correct_order", "tidak memuat area 'A'", "'A'"),
        ({"hotspots": [ORDER["hotspots"][0]], "correct_order": ["A"]}, "hotspots", "2", "2"),
        ({"points": 0}, "points", "lebih besar dari 0", "greater than 0"),
    ],
)
def test_graphic_order_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert_problem(GRAPHIC_ORDER, ORDER, changes, field, indonesian, english)


def test_graphic_order_scores_the_whole_order_only() -> None:
    content = GRAPHIC_ORDER.load(ORDER)
    assert GRAPHIC_ORDER.score(content, ["C", "B", "D", "A"]) == 2
    for wrong in (None, [], ["C", "B", "A", "D"], ["C", "B", "D"], ["C", "B", "D", "A", "A"]):
        assert GRAPHIC_ORDER.score(content, wrong) == 0
    with pytest.raises(ValueError):
        GRAPHIC_ORDER.score(content, "CBDA")


def test_graphic_order_preview_outlines_the_areas_without_the_order() -> None:
    content = GRAPHIC_ORDER.load(ORDER)
    html = GRAPHIC_ORDER.preview_html(STEM, content)
    assert html.count('class="ib-region"') == 4
    assert html.count("<select") == 4
    other = GRAPHIC_ORDER.load({**ORDER, "correct_order": ["A", "B", "C", "D"]})
    assert GRAPHIC_ORDER.preview_html(STEM, other) == html


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("points", [1, 2.5])
def test_graphic_order_round_trip_is_valid_and_scores_exactly(points: float, version: str) -> None:
    loaded = GRAPHIC_ORDER.load({**ORDER, "points": points})
    text, source, back = round_trip(GRAPHIC_ORDER, loaded, version)
    assert text.count(b"<qti-hotspot-choice" if version == "3.0" else b"<hotspotChoice") == 4
    assert GRAPHIC_ORDER.load({**back, "image": loaded["image"]}) == loaded
    for order in [None, *map(list, itertools.permutations(["A", "B", "C", "D"]))]:
        value = GRAPHIC_ORDER.qti_response(loaded, order)
        assert source(value) == GRAPHIC_ORDER.score(loaded, order), order


def test_graphic_order_of_some_areas_only_is_refused_by_name() -> None:
    from itembank.itemtypes import ImportNotSupported

    loaded = GRAPHIC_ORDER.load(ORDER)
    model = GRAPHIC_ORDER.qti_item(STEM, loaded, identifier="item_1", title="Soal 1")
    (response,) = model.responses
    from dataclasses import replace

    partial = replace(model, responses=(replace(response, correct=("C", "B")),))
    with pytest.raises(ImportNotSupported, match="only some of the areas"):
        GRAPHIC_ORDER.from_qti(partial, lambda value: 1.0)


# -- graphic associate ------------------------------------------------------------------------

GRAPHIC_ASSOCIATE = HOST.item_type("graphic_associate")
LINKS = GRAPHIC_ASSOCIATE.example_content()


@pytest.mark.parametrize(
    ("changes", "field", "indonesian", "english"),
    [
        ({"pairs": [["A", "Z"]]}, "pairs.0", "'Z' tidak ada", "'Z' is not one of"),
        ({"pairs": [["A", "A"]]}, "pairs.0", "dirinya sendiri", "with itself"),
        ({"pairs": [["A", "C"], ["C", "A"]]}, "pairs.1", "lebih dari sekali", "more than once"),
        ({"pairs": [["A", "C", "D"]]}, "pairs.0", "dua area", "two regions"),
        ({"pairs": []}, "pairs", "Minimal 1", "At least one key pair"),
        (
            {"pairs": [["A", "C"], ["A", "D"], ["A", "B"]]},
            "hotspots.0.match_max",
            "paling banyak 2",
            "at most 2",
        ),
        ({"max_associations": 1}, "max_associations", "lebih kecil", "less than"),
        ({"hotspots.1.id": "A"}, "hotspots.1.id", "lebih dari sekali", "more than once"),
        ({"hotspots": LINKS["hotspots"][:2], "pairs": [["A", "B"]]}, "hotspots", "3", "3"),
    ],
)
def test_graphic_associate_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert_problem(GRAPHIC_ASSOCIATE, LINKS, changes, field, indonesian, english)


def test_graphic_associate_scores_pairs_in_either_order() -> None:
    content = GRAPHIC_ASSOCIATE.load(LINKS)  # key B–C, D–B; partial, 2 points
    score = GRAPHIC_ASSOCIATE.score
    assert score(content, None) == score(content, []) == 0
    assert score(content, [["C", "B"], ["B", "D"]]) == 2
    assert score(content, [["B", "C"], ["C", "B"]]) == 1  # one pair, given twice
    assert score(content, [["B", "C"], ["A", "D"]]) == 0  # one right, one wrong
    assert score(content, [["B", "C"], ["B", "D"], ["A", "C"]]) == 1
    whole = GRAPHIC_ASSOCIATE.load({**LINKS, "scoring": "all_or_nothing"})
    assert score(whole, [["B", "C"]]) == 0 and score(whole, [["D", "B"], ["C", "B"]]) == 2
    for wrong in ("B C", [["B"]], [[1, 2]], {"B": "C"}):
        with pytest.raises(ValueError):
            score(content, wrong)


def test_graphic_associate_preview_outlines_the_areas_without_the_pairs() -> None:
    content = GRAPHIC_ASSOCIATE.load(LINKS)
    html = GRAPHIC_ASSOCIATE.preview_html(STEM, content)
    assert html.count('class="ib-region"') == 4
    assert html.count('class="ib-associate-pair"') == 3  # max_associations
    other = GRAPHIC_ASSOCIATE.load({**LINKS, "pairs": [["A", "D"]]})
    assert GRAPHIC_ASSOCIATE.preview_html(STEM, other) == html


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("scoring", ["partial", "all_or_nothing"])
def test_graphic_associate_round_trip_is_valid_and_scores_exactly(
    scoring: str, version: str
) -> None:
    loaded = GRAPHIC_ASSOCIATE.load({**LINKS, "scoring": scoring})
    text, source, back = round_trip(GRAPHIC_ASSOCIATE, loaded, version)
    assert (
        text.count(b"<qti-associable-hotspot" if version == "3.0" else b"<associableHotspot") == 4
    )
    assert GRAPHIC_ASSOCIATE.load({**back, "image": loaded["image"]}) == loaded
    every = [list(pair) for pair in itertools.combinations("ABCD", 2)]
    for size in range(len(every) + 1):
        for chosen in itertools.combinations(every, size):
            value = GRAPHIC_ASSOCIATE.qti_response(loaded, list(chosen))
            assert source(value) == GRAPHIC_ASSOCIATE.score(loaded, list(chosen)), chosen


def test_key_pairs_read_from_qti_are_equal_shares_or_said_not_to_be() -> None:
    from plugins.itemtypes._pairs import key_pairs_from_qti

    def each(pairs: list[tuple[str, str]]) -> float:
        return len(pairs)

    def first_worth_two(pairs: list[tuple[str, str]]) -> float:
        return sum(2 if pair == ("A", "B") else 1 for pair in pairs)

    def together(pairs: list[tuple[str, str]]) -> float:
        return 3 if len(pairs) == 2 else 0

    shares = key_pairs_from_qti(["A B", "C D"], each)
    assert shares is not None
    assert (shares.pairs, shares.points, shares.partial, shares.unequal) == (
        [["A", "B"], ["C", "D"]],
        2,
        True,
        False,
    )
    unequal = key_pairs_from_qti(["A B", "C D"], first_worth_two)
    assert unequal is not None and unequal.partial and unequal.unequal
    whole = key_pairs_from_qti(["A B", "C D"], together)
    assert whole is not None and (whole.points, whole.partial, whole.unequal) == (3, False, False)
    assert key_pairs_from_qti([], each) is None
    assert key_pairs_from_qti(["A B C"], each) is None
    assert key_pairs_from_qti(["A B"], lambda pairs: 0) is None


def test_graphic_associate_key_pairs_worth_different_scores_are_refused_by_name() -> None:
    from itembank.itemtypes import ImportNotSupported

    loaded = GRAPHIC_ASSOCIATE.load(LINKS)  # key B–C, D–B
    model = GRAPHIC_ASSOCIATE.qti_item(STEM, loaded, identifier="item_1", title="Soal 1")
    reading = read_item(serialize(write_item(model, "3.0")))

    def unequal(pairs: list[tuple[str, str]]) -> float:
        return sum(2 if tuple(pair) == ("B", "C") else 1 for pair in pairs)

    with pytest.raises(ImportNotSupported, match=r"different scores \(B–C: 2, D–B: 1\)"):
        GRAPHIC_ASSOCIATE.from_qti(reading.item, unequal)


@pytest.mark.parametrize("name", ["hotspot", "graphic_associate"])
def test_types_without_values_to_map_refuse_mapped_scoring(name: str) -> None:
    """Hotspot and graphic associate have no values per region or pair: mapped scoring
    is a problem (not scored some other way), and their editors do not offer it."""
    item_type, content = {
        "hotspot": (HOTSPOT, EXAMPLE),
        "graphic_associate": (GRAPHIC_ASSOCIATE, LINKS),
    }[name]
    assert_problem(
        item_type,
        content,
        {"scoring": "mapped"},
        "scoring",
        "Penskoran berbobot tidak tersedia",
        "Mapped scoring is not available",
    )
    item_type.load(patched(content, {"scoring": "partial"}))  # no problem
    (scoring,) = [f for f in item_type.editor_fields() if f.name == "scoring"]
    assert [value for value, _ in scoring.choices] == ["all_or_nothing", "partial"]
