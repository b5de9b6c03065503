"""Weighted options and Likert statements: types that score every option."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.itemtypes.likert import Likert
from plugins.itemtypes.weighted_options import WeightedOptions
from tests.itemtype_helpers import DROP, patched, problems

# -- weighted options ------------------------------------------------------------------

WO = WeightedOptions()
WO_BASE = WO.example_content()


def weight_problem(index: int, ident: str, low: int = 1, high: int = 5) -> tuple[str, str, str]:
    return (
        f"options.{index}.weight",
        f"Bobot pilihan '{ident}' harus bilangan bulat dari {low} sampai {high}.",
        f"The weight of option '{ident}' must be a whole number from {low} to {high}.",
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"options.2.weight": 6}, weight_problem(2, "C")),
        ({"options.2.weight": 0}, weight_problem(2, "C")),
        ({"options.2.weight": 2.5}, weight_problem(2, "C")),
        (
            {"options.2.weight": "1"},
            ("options.2.weight", "Harus berupa angka.", "Not a valid number."),
        ),
        (
            {"options.2.weight": DROP},
            ("options.2.weight", "Wajib diisi.", "Missing data for required field."),
        ),
        (
            {"options.1.weight": 4},
            (
                "options",
                "Tidak ada pilihan dengan bobot tertinggi (5).",
                "No option carries the highest weight (5).",
            ),
        ),
        (
            {"scale": {"min": -1, "max": 5}},
            (
                "scale.min",
                "Bobot minimum tidak boleh kurang dari 0.",
                "The minimum weight cannot be less than 0.",
            ),
        ),
        (
            {"scale": {"min": 1, "max": 11}},
            (
                "scale.max",
                "Bobot maksimum tidak boleh lebih dari 10.",
                "The maximum weight cannot be more than 10.",
            ),
        ),
        (
            {"scale": {"min": 5, "max": 5}},
            (
                "scale",
                "Bobot minimum (5) harus lebih kecil dari bobot maksimum (5).",
                "The minimum weight (5) must be less than the maximum weight (5).",
            ),
        ),
        (
            {"scale": {"min": 1.5}},
            ("scale.min", "Harus berupa bilangan bulat.", "Not a valid integer."),
        ),
        (
            {"scale": {"max": 5, "step": 1}},
            ("scale.step", "Kolom tidak dikenal.", "Unknown field."),
        ),
        (
            {"options": WO_BASE["options"][1:2]},
            ("options", "Minimal 2 pilihan.", "At least 2 options are required."),
        ),
    ],
)
def test_weighted_options_problems(changes: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert problems(WO, patched(WO_BASE, changes)) == [expected]


def test_weighted_options_scale_defaults_and_pppk_scale() -> None:
    assert WO.load(patched(WO_BASE, {"scale": DROP}))["scale"] == {"min": 1, "max": 5}
    pppk = patched(WO_BASE, {"options": WO_BASE["options"][:4], "scale": {"max": 4}})
    pppk["options"][1]["weight"] = 2
    pppk["options"][3]["weight"] = 4
    loaded = WO.load(pppk)
    assert loaded["scale"] == {"min": 1, "max": 4}
    assert WO.max_score(loaded) == 4
    assert problems(WO, patched(pppk, {"options.1.weight": 5})) == [weight_problem(1, "B", 1, 4)]
    assert WO.load(patched(WO_BASE, {"options.0.weight": 3.0}))["options"][0]["weight"] == 3


def test_weighted_options_broken_scale_does_not_flag_every_weight() -> None:
    found = problems(WO, patched(WO_BASE, {"scale": {"min": 6, "max": 5}, "options.0.weight": 2.5}))
    assert [field for field, _, _ in found] == ["scale", "options.0.weight"]


@pytest.mark.parametrize(
    ("response", "expected"),
    [("A", 3), ("B", 5), ("C", 1), ("D", 4), ("E", 2), (None, 0), ("Z", 0), ("b", 0)],
)
def test_weighted_options_score(response: Any, expected: float) -> None:
    assert WO.score(WO_BASE, response) == expected


@pytest.mark.parametrize("response", [["B"], 5, False])
def test_weighted_options_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="identifier string"):
        WO.score(WO_BASE, response)


def test_weighted_options_summary() -> None:
    summary = WO.summary(WO_BASE)
    assert summary.keys == ["B"]
    assert summary.weights == {"A": 3, "B": 5, "C": 1, "D": 4, "E": 2}
    assert list(summary.options) == ["A", "B", "C", "D", "E"]
    assert summary.extra == {"scale": {"min": 1, "max": 5}, "shuffle": False}
    assert WO.summary(patched(WO_BASE, {"options.3.weight": 5})).keys == ["B", "D"]
    assert WO.max_score(WO_BASE) == 5


# -- likert ----------------------------------------------------------------------------

LI = Likert()
LI_BASE = LI.example_content()
LI_NEGATIVE = {**LI_BASE, "direction": "negative"}


def scale(*ids: str) -> list[dict[str, str]]:
    return [{"id": ident, "text": f"Label {ident}"} for ident in ids]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"scale": scale("S")},
            ("scale", "Minimal 2 titik skala.", "At least 2 scale points are required."),
        ),
        (
            {"scale": scale(*"ABCDEFGH")},
            ("scale", "Maksimal 7 titik skala.", "At most 7 scale points are allowed."),
        ),
        (
            {"scale": scale("S", "S")},
            (
                "scale.1.id",
                "Kode 'S' dipakai lebih dari sekali.",
                "Identifier 'S' is used more than once.",
            ),
        ),
        (
            {"scale": [*scale("S"), {"id": "TS", "text": " "}]},
            (
                "scale.1.text",
                "Teks titik skala 'TS' kosong.",
                "The text of scale point 'TS' is empty.",
            ),
        ),
        (
            {"direction": "up"},
            (
                "direction",
                "Harus salah satu dari: positive, negative.",
                "Must be one of: positive, negative.",
            ),
        ),
        (
            {"direction": None},
            ("direction", "Tidak boleh kosong.", "Field may not be null."),
        ),
        (
            {"key": "SS"},
            ("key", "Kolom tidak dikenal.", "Unknown field."),
        ),
    ],
)
def test_likert_problems(changes: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert problems(LI, {**LI_BASE, **changes}) == [expected]


def test_likert_direction_is_required_and_seven_points_allowed() -> None:
    assert problems(LI, {"scale": LI_BASE["scale"]}) == [
        ("direction", "Wajib diisi.", "Missing data for required field.")
    ]
    assert LI.load({**LI_BASE, "scale": scale(*"ABCDEFG")})


@pytest.mark.parametrize(
    ("response", "positive", "negative"),
    [
        ("SS", 5, 1),
        ("S", 4, 2),
        ("N", 3, 3),
        ("TS", 2, 4),
        ("STS", 1, 5),
        (None, 0, 0),
        ("X", 0, 0),
    ],
)
def test_likert_score(response: Any, positive: int, negative: int) -> None:
    assert LI.score(LI_BASE, response) == positive
    assert LI.score(LI_NEGATIVE, response) == negative


def test_likert_two_point_scale() -> None:
    content = {"scale": scale("Y", "T"), "direction": "positive"}
    assert [LI.score(content, r) for r in ("Y", "T")] == [2, 1]
    assert LI.max_score(content) == 2


@pytest.mark.parametrize("response", [["SS"], 1, True])
def test_likert_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="identifier string"):
        LI.score(LI_BASE, response)


def test_likert_summary() -> None:
    summary = LI.summary(LI_NEGATIVE)
    assert summary.keys == []
    assert summary.options["SS"] == "Sangat setuju"
    assert summary.weights == {"SS": 1, "S": 2, "N": 3, "TS": 4, "STS": 5}
    assert summary.extra == {"direction": "negative"}
    assert LI.max_score(LI_BASE) == 5


def test_likert_preview_is_an_unlettered_radio_scale() -> None:
    html = LI.preview_html("<p>Saya menepati janji.</p>", LI_BASE, "id")
    assert html.count('type="radio"') == 5
    assert "ib-choice-letter" not in html
    assert "Pilih satu tanggapan" in html
