"""The slider item type: its checks, scores, answer key, and the import of QTI sliders
(qtiworks ``slider.xml`` mapped; two sliders scored together refused)."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.itemtypes import check_editor_fields
from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import convert
from plugins.itemtypes.slider import Slider, positions, scale_values
from tests.itemtype_helpers import assert_problem, patched, problems
from tests.shared import SHARED, shared_path

SLIDER = Slider()
HOST = PluginHost(entry_points=False)
SAMPLES = (
    SHARED / "qti-samples/davemckain-qtiworks/qtiworks-samples/src/main/resources/uk/ac/ed/ph/"
    "qtiworks/samples"
)
EXAMPLE = SLIDER.example_content()
MAPPED = {
    **EXAMPLE,
    "step": 1,
    "answer": 16,
    "tolerance": 0,
    "scoring": "mapped",
    "values": [
        {"id": "N1", "value": 16, "score": 1},
        {"id": "N2", "value": 15, "score": 0.5},
        {"id": "N3", "value": 0, "score": -1},
    ],
    "mapping": {"default": 0, "lower": 0},
}


def test_the_scale_and_its_values() -> None:
    assert positions(EXAMPLE) == 21
    assert scale_values(EXAMPLE)[:3] == [0, 5, 10] and scale_values(EXAMPLE)[-1] == 100
    floats = {**EXAMPLE, "integer": False, "lower": 0.5, "upper": 2.5, "step": 1}
    assert scale_values(floats) == [0.5, 1.5, 2.5]


def test_the_answer_scores_within_the_tolerance() -> None:
    content = SLIDER.load(EXAMPLE)
    assert SLIDER.score(content, None) == 0
    assert [SLIDER.score(content, v) for v in (55, 60, 65, 70, 75)] == [0, 1, 1, 1, 0]
    exact = SLIDER.load({**EXAMPLE, "tolerance": 0})
    assert SLIDER.score(exact, 65) == 1 and SLIDER.score(exact, 65.0) == 1
    assert SLIDER.score(exact, 70) == 0
    with pytest.raises(ValueError):
        SLIDER.score(content, "65")
    with pytest.raises(ValueError):
        SLIDER.qti_response(content, 64.5)  # a whole-number slider sends whole numbers
    assert SLIDER.qti_response(content, 65.0) == {"RESPONSE": 65}


def test_mapped_values_score_their_own_score_held_within_the_bounds() -> None:
    content = SLIDER.load(MAPPED)
    assert [SLIDER.score(content, v) for v in (16, 15, 14, 0)] == [1, 0.5, 0, 0]
    unbounded = SLIDER.load({**MAPPED, "mapping": {"default": 0, "lower": None}})
    assert SLIDER.score(unbounded, 0) == -1
    summary = SLIDER.summary(content)
    assert summary.keys == ["16"]
    assert summary.extra["values"] == ["16: 1", "15: 0.5", "0: -1"]


@pytest.mark.parametrize(
    ("changes", "field", "indonesian", "english"),
    [
        ({"upper": 0}, "upper", "lebih besar dari batas bawah", "greater than the lower"),
        ({"answer": 63}, "answer", "tidak ada di skala", "not on the scale"),
        ({"answer": 110}, "answer", "tidak ada di skala", "not on the scale"),
        ({"lower": 0.5}, "lower", "bilangan bulat", "whole numbers"),
        ({"step": 1, "upper": 9000}, "step", "paling banyak 5000", "at most 5000"),
        ({"tolerance_mode": "relative", "tolerance": 150}, "tolerance", "100 persen", "100"),
        ({"lower": -5}, "lower", "lebih besar atau sama dengan 0", "greater than or equal to 0"),
        (
            {"values": [{"id": "N1", "value": 5, "score": 1}]},
            "values",
            "Skor per nilai hanya dipakai",
            "Scores per value are only used",
        ),
        (
            {"mapping": {"default": 1, "lower": 0}},
            "mapping",
            "berbobot (skor per nilai)",
            "scoring (scores per value)",
        ),
    ],
)
def test_problems_name_the_field(
    changes: dict[str, Any], field: str, indonesian: str, english: str
) -> None:
    assert_problem(SLIDER, EXAMPLE, changes, field, indonesian, english)


@pytest.mark.parametrize(
    ("changes", "field", "english"),
    [
        ({"values.1.value": 15.5}, "values.1.value", "not on the scale"),
        ({"values.1.value": 16}, "values.1.value", "more than once"),
        ({"points": 2}, "points", "best response only scores 1"),
        ({"answer": 15}, "answer", "The key only scores 0.5"),
        ({"mapping": {"default": 0, "lower": 1}}, "mapping.lower", "less than the points"),
    ],
)
def test_mapped_problems(changes: dict[str, Any], field: str, english: str) -> None:
    found = problems(SLIDER, patched(MAPPED, changes))
    assert any(f == field and english in message_en for f, _m, message_en in found), found


def test_the_editor_describes_every_field() -> None:
    assert check_editor_fields(SLIDER) == []
    names = {f.name for f in SLIDER.editor_fields()}
    assert names == set(SLIDER.load(MAPPED)) - {"id"}


def test_the_preview_is_a_range_input_showing_its_value() -> None:
    html = SLIDER.preview_html("<p>Geser.</p>", SLIDER.load(EXAMPLE))
    assert 'type="range"' in html and 'min="0" max="100" step="5"' in html
    assert "<output" in html and "Geser untuk memilih nilai" in html
    assert "65" not in html  # the key is not shown


def _convert(relative: str) -> Any:
    shared_path("qti-samples")
    return convert(SAMPLES / relative, HOST.item_types)


def test_qtiworks_slider_imports_with_its_mapping_proved_on_every_value() -> None:
    result = _convert("ims/slider.xml")
    (candidate,) = result.candidates
    assert candidate.type_id == "slider"
    content = candidate.content
    assert (content["lower"], content["upper"], content["step"]) == (0, 100, 1)
    assert content["integer"] is True and content["scoring"] == "mapped"
    assert content["answer"] == 16 and content["points"] == 1
    assert [(v["value"], v["score"]) for v in content["values"]] == [
        (12, 0.5),
        (13, 0.5),
        (14, 1),
        (15, 1),
        (16, 1),
        (17, 1),
        (18, 1),
        (19, 0.5),
        (20, 0.5),
    ]
    assert content["mapping"] == {"default": 0, "lower": None}
    assert candidate.responses_checked == 102  # blank and every value of the scale


def test_two_sliders_scored_by_their_sum_are_refused() -> None:
    result = _convert("stomp/slider2.xml")
    assert result.candidates == []
    (entry,) = result.report
    assert entry.reason == "not_representable"


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("raw", [EXAMPLE, MAPPED], ids=["answer", "mapped"])
def test_an_exported_slider_comes_back_as_it_was(
    tmp_path: Any, version: str, raw: dict[str, Any]
) -> None:
    from qti.writer import write_item
    from qti.xml import serialize

    content = SLIDER.load(raw)
    model = SLIDER.qti_item("<p>Soal</p>", content, identifier="item_1", title="Soal 1")
    path = tmp_path / "item.xml"
    path.write_bytes(serialize(write_item(model, version)))  # type: ignore[arg-type]
    result = convert(path, HOST.item_types)
    assert [c.content for c in result.candidates] == [content], [
        e.message_en for e in result.report
    ]
