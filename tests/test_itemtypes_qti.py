"""The item types' QTI hooks: every built-in type (and the third-party numeric entry),
several contents each, exported to QTI 3.0 and 2.1. Each document must pass the schemas
(3.0: lenient and strict profile; 2.1) and the checks no schema makes, and for every
response in a large set - blank, each option, combinations, permutations, every pairing,
unknown identifiers, wrong shapes - the exported response processing run by ``qti.rp``
must give exactly ``score()``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from itembank.itemtypes import ExportNotSupported, ItemType
from itembank.plugins import PluginHost
from plugins.itemtypes._graphic import EXAMPLE_GAP_IMAGES
from qti.rp import run_response_processing
from qti.validate import validate_element
from qti.writer import VERSIONS, write_item
from qti.xml import parse_bytes, serialize
from tests.itemtype_helpers import (
    NO_QTI_FORM,
    associate_responses,
    gap_filling_responses,
    gap_match_responses,
    gap_responses,
    hot_text_responses,
    matching_responses,
    multiple_responses,
    number_responses,
    numeric_responses,
    ordering_responses,
    point_responses,
    single_responses,
    slider_responses,
    text_responses,
)

HOST = PluginHost(entry_points=False)
STEM = '<p>Pokok soal dengan <strong>penekanan</strong> dan <span lang="en">English</span>.</p>'


def _acme() -> ItemType:
    import sys

    sys.path.insert(0, str(Path(__file__).parent / "thirdparty"))
    try:
        from acme_itembank import NumericEntry
    finally:
        sys.path.pop(0)
    return NumericEntry()


NUMERIC = _acme()


def opts(*ids: str) -> list[dict[str, str]]:
    return [{"id": ident, "text": f"<p>Pilihan <em>{ident}</em></p>"} for ident in ids]


# -- cases ------------------------------------------------------------------------------


_count: dict[str, int] = {}


def _case(type_id: str, content: dict[str, Any], responses: Iterable[Any]) -> Any:
    item_type = NUMERIC if type_id == NUMERIC.id else HOST.item_type(type_id)
    loaded = item_type.load(content)
    _count[type_id] = _count.get(type_id, 0) + 1
    return pytest.param(item_type, loaded, list(responses), id=f"{type_id}-{_count[type_id]}")


ABCDE = ["A", "B", "C", "D", "E"]
MR = {"options": opts(*ABCDE), "keys": ["A", "C", "D"], "points": 3, "scoring": "partial"}
MATCH = HOST.item_type("matching").example_content()
# Three gaps worth 0.1, 2 and 0.2 (float sums in order), markers inside formatting, a gap
# with the same option codes as another and an option text that needs escaping.
# Words reused (one word is the key of two gaps), uneven points, markers in formatting.
GAPS_REUSED = {
    "text": "<p><em>[[G1]]</em> dan [[G2]] lalu [[G3]] &lt; x</p>",
    "words": [{"id": "A", "text": "a & b"}, {"id": "B", "text": "dua"}, {"id": "C", "text": "3"}],
    "gaps": [{"id": "G1", "points": 0.1}, {"id": "G2", "points": 0.2}, {"id": "G3", "points": 3}],
    "key": [["G1", "A"], ["G2", "A"], ["G3", "C"]],
    "reuse_words": True,
    "shuffle": False,
}
INLINE_UNEVEN = {
    "text": "<p>[[G1]] dan <strong>[[x.2]]</strong>, lalu <em>a &amp; b</em> [[G3]].</p>",
    "gaps": [
        {
            "id": "G1",
            "options": [{"id": "A", "text": "a < b"}, {"id": "B", "text": "b & c"}],
            "correct": "B",
            "points": 0.1,
        },
        {
            "id": "x.2",
            "options": [
                {"id": "A", "text": "satu"},
                {"id": "B", "text": "dua"},
                {"id": "C", "text": "tiga"},
            ],
            "correct": "A",
            "points": 2,
        },
        {
            "id": "G3",
            "options": [{"id": "P", "text": "ya"}, {"id": "Q", "text": "tidak"}],
            "correct": "Q",
            "points": 0.2,
        },
    ],
    "shuffle": True,
}
HOTSPOT = HOST.item_type("hotspot").example_content()
ASSOC = HOST.item_type("associate").example_content()
GAPS = HOST.item_type("graphic_gap_match").example_content()
GAP_WORDS = HOST.item_type("gap_match").example_content()
#: Wrong words cost points (or earn some), gaps worth their points.
MAPPED_WORDS = {
    "scoring": "mapped",
    "gaps": [{"id": "G1", "points": 1}, {"id": "G2", "points": 0.25}],
    "pair_values": [["G1", "C", 0.5], ["G2", "A", -1], ["G1", "B", -0.1]],
    "mapping": {"default": -0.25, "lower": 0},
}
SLIDER = {**HOST.item_type("slider").example_content(), "upper": 30, "step": 1}
#: slider.xml's scoring: values near the answer score half.
SLIDER_MAPPED = {
    "answer": 16,
    "scoring": "mapped",
    "values": [
        {"id": f"N{n}", "value": value, "score": score}
        for n, (value, score) in enumerate(
            [(12, 0.5), (13, 0.5), (14, 1), (16, 1), (15, 1.0), (19, 0.5), (0, -1)], start=1
        )
    ],
    "mapping": {"default": 0, "lower": 0},
}
#: Key pairs of different values, wrong pairs costing points or nothing (QTI mapResponse).
MAPPED_ASSOC = {
    "scoring": "mapped",
    "points": 4,
    "pair_values": [["A", "C", 2], ["D", "B", 1], ["E", "F", 1], ["A", "D", -1.5]],
    "mapping": {"default": -0.25, "lower": 0},
}
MAPPED_GAPS = {
    "scoring": "mapped",
    "points": 1.5,
    "pair_values": [["G2", "A", 1], ["G3", "B", 0.5], ["G1", "A", -0.1]],
    "mapping": {"default": 0, "lower": 0},
}
UNLIMITED_GAP = [{**GAPS["gaps"][0], "match_max": 0}, *GAPS["gaps"][1:]]
POINTS = HOST.item_type("select_point").example_content()
#: Overlapping areas (the first holding a point scores it), uneven values, no lower bound.
POINTS_OVERLAP = {
    **POINTS,
    "areas": [
        {"id": "A", "shape": "rect", "coords": [100, 50, 200, 150], "value": 0.1},
        {"id": "B", "shape": "circle", "coords": [150, 100, 80], "value": 2},
        {
            "id": "C",
            "shape": "poly",
            "coords": [250, 200, 390, 200, 390, 290, 320, 240, 250, 290],
            "value": 0.2,
        },
        {"id": "D", "shape": "rect", "coords": [0, 0, 60, 60], "value": -0.5},
    ],
    "max_choices": 0,
    "mapping": {"default": 0, "lower": None},
    "points": 2.3,
}
#: A marker placed on the stage: a position object interaction, scored as select point.
POINTS_MARKER = {**POINTS, "marker": EXAMPLE_GAP_IMAGES[0]}
ORDER_MAP = HOST.item_type("graphic_order").example_content()
LINKS = HOST.item_type("graphic_associate").example_content()
LINKS_UNLIMITED = [{**area, "match_max": 0} for area in LINKS["hotspots"]]
#: text_entry.xml's scoring: 'York' 1, 'york' 0.5 (case sensitive), others 0.
YORK = {
    "accepted": ["York"],
    "case_sensitive": True,
    "points": 1,
    "scoring": "mapped",
    "answer_values": [
        {"id": "J1", "text": "york", "value": 0.5},
        {"id": "J2", "text": "Lancaster", "value": -0.5},
    ],
    "mapping": {"default": 0, "lower": 0},
}
#: Hot texts with inline formatting (stomp's hottext.xml: "<em>No error</em>.").
HOT_FORMATTED = [
    {"id": "H1", "text": "H<sub>2</sub>O"},
    {"id": "H2", "text": "<em>No error</em>."},
    {"id": "H3", "text": "x<sup>2</sup> &amp; <strong>y</strong>"},
    {"id": "H4", "text": "a &lt; b"},
]
HOTSPOTS_MANY = {"keys": ["A", "C"], "max_choices": 0, "scoring": "partial", "points": 3}

CASES = [
    _case(
        "single_choice", {"options": opts(*ABCDE), "key": "B", "points": 5}, single_responses(ABCDE)
    ),
    _case(
        "single_choice",
        {"options": opts("A", "B"), "key": "A", "points": 1},
        single_responses(["A", "B"]),
    ),
    _case(
        "single_choice",
        {"options": opts("a", "B", "C"), "key": "a", "points": 2.5, "shuffle": True},
        single_responses(["a", "B", "C"]),
    ),
    _case("multiple_response", MR, multiple_responses(ABCDE)),
    _case("multiple_response", {**MR, "scoring": "all_or_nothing"}, multiple_responses(ABCDE)),
    _case("multiple_response", {**MR, "points": 1}, multiple_responses(ABCDE)),
    _case(
        "multiple_response",
        {**MR, "points": 0.7, "keys": ["A", "B", "C", "D", "E"]},
        multiple_responses(ABCDE),
    ),
    _case(
        "multiple_response",
        {**MR, "points": 0.1, "keys": ["E", "A", "C"], "max_choices": 3},
        multiple_responses(ABCDE),
    ),
    _case(
        "multiple_response",
        {**MR, "keys": ["B"], "points": 1, "scoring": "all_or_nothing"},
        multiple_responses(ABCDE),
    ),
    _case("multiple_response", {**MR, "keys": ["B"], "points": 2}, multiple_responses(ABCDE)),
    _case(
        "multiple_response",
        {
            "options": [
                {**o, "value": v}
                for o, v in zip(opts(*ABCDE), [1, 0.5, None, -1, 0.1], strict=True)
            ],
            "keys": ["A", "B", "E"],
            "points": 1.6,
            "scoring": "mapped",
            "mapping": {"default": -0.3, "lower": 0},
        },
        [*multiple_responses(ABCDE), ["A", "Z"], ["E", "B", "A", "A"]],
    ),
    _case(
        "multiple_response",
        {
            "options": [
                {**o, "value": v}
                for o, v in zip(opts(*ABCDE), [2, 2, None, None, None], strict=True)
            ],
            "keys": ["A", "B"],
            "points": 3,
            "scoring": "mapped",
            "max_choices": 3,
            "mapping": {"default": -1.5, "lower": None},
        },
        multiple_responses(ABCDE),
    ),
    _case(
        "weighted_options",
        HOST.item_type("weighted_options").example_content(),
        single_responses(ABCDE),
    ),
    _case(
        "weighted_options",
        {
            "options": [
                {**o, "weight": w}
                for o, w in zip(opts("A", "B", "C", "D"), [2, 4, 1, 3.0], strict=True)
            ],
            "scale": {"min": 1, "max": 4},
        },
        single_responses(["A", "B", "C", "D"]),
    ),
    _case(
        "weighted_options",
        {
            "options": [{**o, "weight": w} for o, w in zip(opts("A", "B"), [0, 2], strict=True)],
            "scale": {"min": 0, "max": 2},
        },
        single_responses(["A", "B"]),
    ),
    _case("true_false", {"key": True, "points": 1}, [None, True, False, 1, 0, "true", "false"]),
    _case("true_false", {"key": False, "points": 2.5}, [None, True, False, 1, 0, "true", "false"]),
    _case(
        "short_text",
        {"accepted": ["Bandung", "Kota Bandung"], "points": 1},
        text_responses(["Bandung", "Kota Bandung"]),
    ),
    _case(
        "short_text",
        {"accepted": ["NaCl"], "case_sensitive": True, "points": 2},
        text_responses(["NaCl"]),
    ),
    _case(
        "short_text",
        {"accepted": ["straße", "İstanbul", "ΣΟΦΟΣ"], "points": 3},
        [
            *text_responses(["straße", "İstanbul", "ΣΟΦΟΣ"]),
            "STRASSE",
            "strasse",
            "istanbul",
            "σοφος",
            "σοφοσ",
        ],
    ),
    _case(
        "short_text",
        {"accepted": ["a\tb", "x & y > 2"], "points": 1},
        [*text_responses(["a\tb", "x & y > 2"]), "a b"],
    ),
    _case("short_text", YORK, text_responses(["York", "york", "Lancaster"])),
    _case(
        "short_text",
        {
            **YORK,
            "accepted": ["Paris", "paris (France)"],
            "case_sensitive": False,
            "points": 2,
            "answer_values": [
                {"id": "J1", "text": "Pariss", "value": 0.5},
                {"id": "J2", "text": "London", "value": -1},
                {"id": "J3", "text": "Lyon", "value": 0.1},
            ],
            "mapping": {"default": -0.25, "lower": None},
        },
        [*text_responses(["Paris", "Pariss", "London", "Lyon", "PARISS"]), "paris (france)"],
    ),
    _case(
        "ordering",
        HOST.item_type("ordering").example_content(),
        ordering_responses(["B", "D", "A", "E", "C"]),
    ),
    _case(
        "ordering",
        {"options": opts("A", "B", "C"), "correct_order": ["C", "A", "B"], "points": 1},
        ordering_responses(["A", "B", "C"]),
    ),
    _case(
        "ordering",
        {**HOST.item_type("ordering").example_content(), "scoring": "per_position"},
        ordering_responses(["B", "D", "A", "E", "C"]),
    ),
    _case(
        "ordering",
        {
            "options": opts("A", "B", "C"),
            "correct_order": ["C", "A", "B"],
            "points": 2,
            "scoring": "per_position",
        },
        ordering_responses(["A", "B", "C"]),
    ),
    _case(
        "ordering",
        {
            "options": opts("A", "B", "C"),
            "correct_order": ["C", "A", "B"],
            "points": 1,
            "scoring": "all_or_nothing",
        },
        ordering_responses(["A", "B", "C"]),
    ),
    _case("matching", MATCH, matching_responses(MATCH)),
    _case("matching", {**MATCH, "points": 2}, matching_responses(MATCH)),
    _case("matching", {**MATCH, "points": 0.1}, matching_responses(MATCH)),
    _case(
        "matching", {**MATCH, "scoring": "all_or_nothing", "points": 4}, matching_responses(MATCH)
    ),
    _case(
        "matching", {**MATCH, "scoring": "all_or_nothing", "points": 1}, matching_responses(MATCH)
    ),
    _case(
        "matching",
        {**MATCH, "pairs": [["P1", "R1"], ["P3", "R1"]], "points": 2},  # P2 has no key pair
        matching_responses({**MATCH, "pairs": [["P1", "R1"], ["P3", "R1"]]}),
    ),
    _case(
        "matching",
        {
            **MATCH,
            "scoring": "mapped",
            "points": 2.5,
            "pair_values": [["P1", "R2", 1], ["P2", "R3", 0.5], ["P3", "R1", 1], ["P1", "R4", -2]],
            "mapping": {"default": -0.25, "lower": None},
        },
        [*matching_responses(MATCH), [["P1", "R2"], ["P1", "R2"], ["P2", "R3"]]],
    ),
    _case(
        "likert",
        HOST.item_type("likert").example_content(),
        single_responses(["SS", "S", "N", "TS", "STS"]),
    ),
    _case(
        "likert",
        {**HOST.item_type("likert").example_content(), "direction": "negative"},
        single_responses(["SS", "S", "N", "TS", "STS"]),
    ),
    _case(
        "likert",
        {"scale": opts("Ya", "Tidak"), "direction": "negative"},
        single_responses(["Ya", "Tidak"]),
    ),
    _case(
        "inline_choice",
        HOST.item_type("inline_choice").example_content(),
        gap_responses(HOST.item_type("inline_choice").example_content()),
    ),
    _case("inline_choice", INLINE_UNEVEN, gap_responses(INLINE_UNEVEN)),
    _case(
        "numeric",
        HOST.item_type("numeric").example_content(),
        number_responses(HOST.item_type("numeric").example_content()),
    ),
    *(
        _case("numeric", content, number_responses(content))
        for content in (
            {"answer": 0.3, "tolerance": 0, "tolerance_mode": "absolute", "points": 1},
            {"answer": -2.5, "tolerance": 0.1, "tolerance_mode": "absolute", "points": 0.5},
            {"answer": 1200, "tolerance": 5, "tolerance_mode": "relative", "points": 3},
            {"answer": 0.7, "tolerance": 12.5, "tolerance_mode": "relative", "points": 1},
            {"answer": 7, "tolerance": 1, "tolerance_mode": "absolute", "points": 2},
        )
    ),
    _case(
        "gap_match",
        HOST.item_type("gap_match").example_content(),
        gap_filling_responses(HOST.item_type("gap_match").example_content()),
    ),
    _case("gap_match", GAPS_REUSED, gap_filling_responses(GAPS_REUSED)),
    *(
        _case("gap_match", content, gap_filling_responses(content))
        for content in (
            {**GAP_WORDS, **MAPPED_WORDS},
            {
                **GAPS_REUSED,
                "scoring": "mapped",
                "pair_values": [["G1", "B", 0.05], ["G3", "A", -2]],
                "mapping": {"default": -0.5, "lower": None},
            },
            {**GAP_WORDS, **MAPPED_WORDS, "pair_values": [], "mapping": {"default": 0}},
        )
    ),
    _case(
        "hot_text",
        HOST.item_type("hot_text").example_content(),
        hot_text_responses(HOST.item_type("hot_text").example_content()),
    ),
    *(
        _case("hot_text", content, hot_text_responses(content))
        for content in (
            {**HOST.item_type("hot_text").example_content(), "keys": ["H2"], "max_choices": 1},
            {**HOST.item_type("hot_text").example_content(), "points": 0.5, "max_choices": 3},
            {**HOST.item_type("hot_text").example_content(), "hottexts": HOT_FORMATTED},
        )
    ),
    _case("select_point", POINTS, point_responses(POINTS)),
    _case(
        "select_point",
        {**POINTS, "max_choices": 1, "points": 1},
        point_responses({**POINTS, "max_choices": 1}),
    ),
    _case("select_point", POINTS_OVERLAP, point_responses(POINTS_OVERLAP)),
    _case("select_point", POINTS_MARKER, point_responses(POINTS_MARKER)),
    _case(
        "select_point",
        {**POINTS_MARKER, "max_choices": 1, "points": 1},
        point_responses({**POINTS_MARKER, "max_choices": 1}),
    ),
    _case(
        "select_point",
        {**POINTS_OVERLAP, "max_choices": 2, "points": 2, "mapping": {"default": 0, "lower": 0.5}},
        point_responses({**POINTS_OVERLAP, "max_choices": 2}),
    ),
    _case("graphic_order", ORDER_MAP, ordering_responses(["C", "B", "D", "A"])),
    _case("graphic_order", {**ORDER_MAP, "points": 1}, ordering_responses(["C", "B", "D", "A"])),
    _case(
        "graphic_order",
        {**ORDER_MAP, "points": 4, "scoring": "per_position"},
        ordering_responses(["C", "B", "D", "A"]),
    ),
    _case(
        "graphic_order",
        {**ORDER_MAP, "points": 1.5, "scoring": "per_position"},
        ordering_responses(["C", "B", "D", "A"]),
    ),
    _case(
        "graphic_order",
        {
            **ORDER_MAP,
            "hotspots": ORDER_MAP["hotspots"][:2],
            "correct_order": ["B", "A"],
            "points": 0.1,
        },
        ordering_responses(["B", "A"]),
    ),
    _case("graphic_associate", LINKS, associate_responses(LINKS)),
    _case(
        "graphic_associate",
        {**LINKS, "scoring": "all_or_nothing", "points": 1.5},
        associate_responses(LINKS),
    ),
    _case(
        "graphic_associate",
        {**LINKS, "pairs": [["A", "B"], ["A", "C"], ["D", "A"]], "hotspots": LINKS_UNLIMITED},
        associate_responses(LINKS),
    ),
    _case("hotspot", HOTSPOT, single_responses(["A", "B", "C"])),
    _case("hotspot", {**HOTSPOT, "points": 2.5}, single_responses(["A", "B", "C"])),
    _case("hotspot", {**HOTSPOT, **HOTSPOTS_MANY}, multiple_responses(["A", "B", "C"])),
    _case(
        "hotspot",
        {**HOTSPOT, **HOTSPOTS_MANY, "scoring": "all_or_nothing", "points": 1},
        multiple_responses(["A", "B", "C"]),
    ),
    _case(
        "hotspot",
        {**HOTSPOT, **HOTSPOTS_MANY, "keys": ["C"], "points": 0.1, "max_choices": 2},
        multiple_responses(["A", "B", "C"]),
    ),
    _case("associate", ASSOC, associate_responses(ASSOC)),
    _case("associate", {**ASSOC, "points": 0.1}, associate_responses(ASSOC)),
    _case(
        "associate",
        {**ASSOC, "scoring": "all_or_nothing", "points": 1},
        associate_responses(ASSOC),
    ),
    _case(
        "associate",
        {**ASSOC, "pairs": [["F", "A"]], "points": 2, "max_associations": 0},
        associate_responses({**ASSOC, "pairs": [["F", "A"]]}),
    ),
    _case("graphic_gap_match", GAPS, gap_match_responses(GAPS)),
    _case(
        "graphic_gap_match",
        {**GAPS, "scoring": "all_or_nothing", "points": 1},
        gap_match_responses(GAPS),
    ),
    _case(
        "graphic_gap_match",
        {**GAPS, "pairs": [["G1", "A"], ["G1", "B"]], "gaps": UNLIMITED_GAP, "points": 0.3},
        gap_match_responses(GAPS),
    ),
    _case(
        "graphic_gap_match",
        {**GAPS, **MAPPED_GAPS},
        [*gap_match_responses(GAPS), [["G2", "A"], ["G2", "A"], ["G3", "B"], ["G1", "A"]]],
    ),
    _case(
        "graphic_gap_match",
        {**GAPS, **MAPPED_GAPS, "mapping": {"default": 0, "lower": None}, "points": 1.5},
        gap_match_responses(GAPS),
    ),
    _case("associate", {**ASSOC, **MAPPED_ASSOC}, associate_responses(ASSOC)),
    _case(
        "associate",
        {**ASSOC, **MAPPED_ASSOC, "mapping": {"default": -0.5, "lower": None}},
        [*associate_responses(ASSOC), [["C", "A"], ["A", "C"], ["D", "B"]]],
    ),
    *(
        _case("slider", content, slider_responses(content))
        for content in (
            HOST.item_type("slider").example_content(),
            {**SLIDER, "answer": 16, "tolerance": 0},
            {**SLIDER, "answer": 20, "tolerance": 10, "tolerance_mode": "relative", "points": 2},
            {
                **SLIDER,
                "integer": False,
                "lower": 1.5,
                "upper": 5.5,
                "answer": 2.5,
                "tolerance": 0.75,
                "points": 0.5,
            },
            {**SLIDER, **SLIDER_MAPPED},
            {**SLIDER, **SLIDER_MAPPED, "mapping": {"default": -0.25, "lower": None}},
            {
                **SLIDER,
                **SLIDER_MAPPED,
                "integer": False,
                "lower": 0.5,
                "upper": 30.5,
                "answer": 16.5,
                "values": [
                    {"id": "N1", "value": 16.5, "score": 1},
                    {"id": "N2", "value": 12.5, "score": 0.3},
                ],
            },
        )
    ),
    _case(NUMERIC.id, NUMERIC.example_content(), numeric_responses(NUMERIC.example_content())),
    _case(
        NUMERIC.id,
        {"answer": 0.3, "tolerance": 0.1, "points": 2.5},
        numeric_responses({"answer": 0.3, "tolerance": 0.1}),
    ),
    _case(
        NUMERIC.id,
        {"answer": -1.5, "tolerance": 0.0, "points": 1},
        numeric_responses({"answer": -1.5, "tolerance": 0.0}),
    ),
]


COMPOSITE_PARTS = [
    {
        "id": "RESPONSE_1",
        "type": "single_choice",
        "prompt": "<p>Bagian <strong>pertama</strong></p>",
        "content": {"options": opts("A", "B", "C"), "key": "B", "points": 2.5},
    },
    {"id": "RESPONSE_2", "type": "short_text", "content": {"accepted": ["Bandung"], "points": 1}},
    {
        "id": "jawaban.3",
        "type": "multiple_response",
        "prompt": "<p>Bagian ketiga</p>",
        "content": {
            "options": [
                {**o, "value": v} for o, v in zip(opts("A", "B", "C"), [0.1, 0.2, -1], strict=True)
            ],
            "keys": ["A", "B"],
            "points": 0.3,
            "scoring": "mapped",
        },
    },
]
CASES.append(
    _case(
        "composite",
        {"parts": COMPOSITE_PARTS},
        [
            [first, second, third]
            for first in [None, "A", "B", "C"]
            for second in [None, "Bandung", "bandung", "Bogor"]
            for third in [None, ["A"], ["A", "B"], ["B", "A"], ["A", "B", "C"], ["C"]]
        ]
        + [None, "B", ["B"], [None, None], {"RESPONSE_1": "B"}],
    )
)


#: A select point part (its area mapping and map_response_point template written out as
#: the part's rules) beside a choice.
COMPOSITE_POINTS = [
    COMPOSITE_PARTS[0],
    {"id": "RESPONSE_2", "type": "select_point", "prompt": "<p>Tunjuk</p>", "content": POINTS},
]
#: The same with the point part's marker: a position object stage in the composite.
COMPOSITE_MARKER = [
    COMPOSITE_PARTS[0],
    {**COMPOSITE_POINTS[1], "content": POINTS_MARKER},
]
CASES.append(
    _case(
        "composite",
        {"parts": COMPOSITE_POINTS},
        [
            [first, second]
            for first in [None, "A", "B"]
            for second in [None, [[300, 75]], [[300, 75], [110, 207]], [[100, 75]], [[0, 0]]]
        ],
    )
)
CASES.append(
    _case(
        "composite",
        {"parts": COMPOSITE_MARKER},
        [[first, second] for first in [None, "A"] for second in [None, [[300, 75]], [[0, 0]]]],
    )
)


def _export(item_type: ItemType, content: dict[str, Any], version: str) -> etree._Element:
    model = item_type.qti_item(STEM, content, identifier="item_1", title="Soal 1", lang="id")
    return write_item(model, version)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("item_type", "content", "responses"), CASES)
def test_export_is_valid_and_scores_exactly_as_score(
    item_type: ItemType, content: dict[str, Any], responses: list[Any], version: str
) -> None:
    root = _export(item_type, content, version)
    assert validate_element(root, name="item_1.xml") == []
    # what is scored is the written document, read back
    root = parse_bytes(serialize(root))
    outcomes = run_response_processing(root, {})
    assert outcomes["MAXSCORE"] == item_type.max_score(content)
    assert outcomes["SCORE"] == 0
    for response in responses:
        try:
            expected = item_type.score(content, response)
        except ValueError:
            with pytest.raises(ValueError):
                run_response_processing(root, item_type.qti_response(content, response))
            continue
        try:
            qti_response = item_type.qti_response(content, response)
        except ValueError as exc:
            assert response in NO_QTI_FORM, f"{response!r} refused: {exc}"
            continue
        got = run_response_processing(root, qti_response)["SCORE"]
        assert got == expected, f"response {response!r}: QTI {got!r}, score() {expected!r}"


def test_every_registered_type_is_covered() -> None:
    covered = {param.values[0].id for param in CASES}
    assert covered == {*HOST.item_types, NUMERIC.id} - {"extended_text"}


# -- essays -----------------------------------------------------------------------------

ESSAY = HOST.item_type("extended_text")


@pytest.mark.parametrize("version", VERSIONS)
def test_essay_is_scored_by_a_person(version: str) -> None:
    content = ESSAY.load(ESSAY.example_content())
    root = _export(ESSAY, content, version)
    assert validate_element(root, name="essay.xml") == []
    text = serialize(root).decode()
    # no response processing: SCORE stays 0 whatever the candidate writes
    for answer in (None, "", "Jawaban panjang " * 50):
        outcomes = run_response_processing(root, {"RESPONSE": answer})
        assert outcomes == {"SCORE": 0.0, "MAXSCORE": 10.0}
    assert "responseProcessing" not in text and "response-processing" not in text
    if version == "3.0":
        assert 'external-scored="human"' in text
        assert 'view="scorer" use="scoring"' in text
    else:
        assert 'rubricBlock view="scorer"' in text
    # every criterion of the rubric reaches the raters, with its maximum
    for entry in content["rubric"]:
        assert f"Kriteria {entry['id']} (maks. {entry['max_points']} poin)" in text
    assert "Mengidentifikasi pokok masalah" in text
    with pytest.raises(ValueError, match="scored by a person"):
        ESSAY.qti_response(content, {"R1": 2})


# -- rich text, errors ------------------------------------------------------------------


def test_rich_text_is_converted_and_images_kept() -> None:
    sc = HOST.item_type("single_choice")
    content = sc.load(
        {
            "options": [
                {"id": "A", "text": '<p>Gambar <img src="/media/' + "a" * 64 + '"></p>'},
                {"id": "B", "text": "Teks&nbsp;biasa <script>alert(1)</script>"},
            ],
            "key": "A",
        }
    )
    root = write_item(sc.qti_item(STEM, content, identifier="q", title="q"), "3.0")
    assert validate_element(root) == []
    text = serialize(root).decode()
    assert f'<img src="/media/{"a" * 64}" alt=""/>' in text
    assert "Teks\u00a0biasa" in text and "script" not in text
    assert '<span xml:lang="en">English</span>' in text


def test_a_type_without_the_hook_cannot_be_exported() -> None:
    class Legacy(ItemType):
        id = "legacy"
        label = {"id": "Lama", "en": "Legacy"}

    with pytest.raises(ExportNotSupported) as info:
        Legacy().qti_item("<p>x</p>", {}, identifier="q", title="q")
    assert info.value.message == "Jenis soal 'legacy' tidak dapat diekspor ke QTI."
    assert info.value.message_en == "Item type 'legacy' cannot be exported to QTI."


# -- the writers alone: plain content to a package without the web side ----------------


def test_the_writers_alone_write_what_the_item_types_export() -> None:
    from itembank.itemtypes import QTI_LABEL_PREFIX
    from plugins.itemtypes.qti_writers import LABEL_PREFIX, WRITERS
    from plugins.itemtypes.qti_writers import write_item as write_plain

    assert LABEL_PREFIX == QTI_LABEL_PREFIX
    assert set(WRITERS) == set(HOST.item_types)
    for type_id in WRITERS:
        item_type = HOST.item_type(type_id)
        content = item_type.load(item_type.example_content())
        for lang in ("id", "en"):
            by_type = item_type.qti_item(STEM, content, identifier="q", title="Q", lang=lang)
            plain = write_plain(type_id, STEM, content, identifier="q", title="Q", lang=lang)
            assert plain == by_type, type_id
    with pytest.raises(KeyError, match=r"'numeric_entry'.*single_choice"):
        write_plain("numeric_entry", STEM, {}, identifier="q", title="Q")


def test_exporting_from_plain_data_imports_no_web_or_database_code() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from plugins.itemtypes.qti_writers import write_item\n"
        "from qti.package import PackageItem, PackageSection, PackageTest, build_package\n"
        "options = [{'id': x, 'text': '<p>' + x + '</p>', 'weight': n}"
        " for n, x in enumerate('ABCDE', 1)]\n"
        "items = [PackageItem(write_item('single_choice', '<p>Soal</p>', {'options': options,"
        " 'key': 'B', 'points': 1, 'shuffle': False}, identifier='q1', title='Q1'), 'Q-1', 1),"
        " PackageItem(write_item('weighted_options', '<p>Soal</p>', {'options': options,"
        " 'scale': {'min': 1, 'max': 5}, 'shuffle': False}, identifier='q2', title='Q2'),"
        " 'Q-2', 1)]\n"
        "test = PackageTest('t', 'T', (PackageSection('s', 'S', ('q1', 'q2')),))\n"
        "for version in ('3.0', '2.1'):\n"
        "    package = build_package(test, items, {}, version, validate=False)\n"
        "    assert {'items/q1.xml', 'items/q2.xml'} <= {f.path for f in package.files}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy',"
        " 'flask_sqlalchemy', 'marshmallow', 'itembank', 'markupsafe', 'bleach'})\n"
        "print(','.join(bad))"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert done.stdout.strip() == ""
