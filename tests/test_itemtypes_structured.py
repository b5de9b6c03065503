"""Ordering and matching."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.itemtypes.matching import Matching
from plugins.itemtypes.ordering import Ordering
from tests.itemtype_helpers import problems

# -- ordering --------------------------------------------------------------------------

OR = Ordering()
OR_BASE = OR.example_content()
ORDER = ["B", "D", "A", "E", "C"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"correct_order": ["B", "D", "A", "E", "C", "X"]},
            [
                (
                    "correct_order.5",
                    "Urutan benar memuat 'X' yang tidak ada di pilihan jawaban.",
                    "The correct order names 'X', which is not one of the options.",
                )
            ],
        ),
        (
            {"correct_order": ["B", "D", "A", "E", "C", "B"]},
            [
                (
                    "correct_order.5",
                    "Pilihan 'B' muncul lebih dari sekali dalam urutan benar.",
                    "Option 'B' appears more than once in the correct order.",
                )
            ],
        ),
        (
            {"correct_order": ["B", "D", "A"]},
            [
                (
                    "correct_order",
                    "Urutan benar tidak memuat pilihan 'C'.",
                    "The correct order leaves out option 'C'.",
                ),
                (
                    "correct_order",
                    "Urutan benar tidak memuat pilihan 'E'.",
                    "The correct order leaves out option 'E'.",
                ),
            ],
        ),
        (
            {"options": OR_BASE["options"][:1], "correct_order": ["A"]},
            [("options", "Minimal 2 pilihan.", "At least 2 options are required.")],
        ),
        (
            {"points": -1},
            [("points", "Poin harus lebih besar dari 0.", "Points must be greater than 0.")],
        ),
        (
            {"correct_order": None},
            [("correct_order", "Tidak boleh kosong.", "Field may not be null.")],
        ),
    ],
)
def test_ordering_problems(changes: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert problems(OR, {**OR_BASE, **changes}) == expected


def test_ordering_defaults() -> None:
    loaded = OR.load({"options": OR_BASE["options"], "correct_order": ORDER})
    assert loaded["shuffle"] is True and loaded["points"] == 1


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (ORDER, 2),
        (tuple(ORDER), 2),
        (["A", "B", "C", "D", "E"], 0),
        (ORDER[:4], 0),
        ([*ORDER, "B"], 0),
        ([], 0),
        (None, 0),
    ],
)
def test_ordering_score(response: Any, expected: float) -> None:
    assert OR.score(OR_BASE, response) == expected


@pytest.mark.parametrize("response", ["BDAEC", [1, 2, 3], {"B": 1}])
def test_ordering_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="identifier"):
        OR.score(OR_BASE, response)


def test_ordering_summary() -> None:
    summary = OR.summary(OR_BASE)
    assert summary.keys == ORDER
    assert list(summary.options) == ["A", "B", "C", "D", "E"]
    assert summary.extra == {"points": 2, "shuffle": True}
    assert OR.max_score(OR_BASE) == 2


def test_ordering_preview_lists_options_with_positions() -> None:
    html = OR.preview_html("<p>Urutkan.</p>", OR_BASE, "id")
    assert "1 sampai 5" in html
    assert html.count("<select") == 5 and html.count('<option value="5">5</option>') == 5
    texts = [html.index(option["text"]) for option in OR_BASE["options"]]
    assert texts == sorted(texts)  # authored order, not the key's
    assert "numbering them 1 to 5" in OR.preview_html("<p>x</p>", OR_BASE, "en")


# -- matching --------------------------------------------------------------------------

MA = Matching()
MA_BASE = MA.example_content()
MA_KEY = [["P1", "R2"], ["P2", "R3"], ["P3", "R1"]]
MA_ALL = {**MA_BASE, "scoring": "all_or_nothing"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"premises": MA_BASE["premises"][:1], "pairs": [["P1", "R2"]]},
            ("premises", "Minimal 2 premis.", "At least 2 premises are required."),
        ),
        (
            {"responses": MA_BASE["responses"][1:2], "pairs": [["P1", "R2"]]},
            ("responses", "Minimal 2 jawaban.", "At least 2 responses are required."),
        ),
        (
            {"responses": [*MA_BASE["responses"][:3], {"id": "P1", "text": "<p>Rantai</p>"}]},
            (
                "responses.3.id",
                "Kode 'P1' dipakai lebih dari sekali.",
                "Identifier 'P1' is used more than once.",
            ),
        ),
        (
            {"pairs": []},
            ("pairs", "Minimal 1 pasangan kunci.", "At least one key pair is required."),
        ),
        (
            {"pairs": [["P1"], ["P2", "R3"]]},
            (
                "pairs.0",
                "Pasangan harus terdiri atas satu premis dan satu jawaban.",
                "A pair must name one premise and one response.",
            ),
        ),
        (
            {"pairs": [["P9", "R1"]]},
            ("pairs.0.0", "Premis 'P9' tidak ada.", "'P9' is not one of the premises."),
        ),
        (
            {"pairs": [["P1", "R9"]]},
            ("pairs.0.1", "Jawaban 'R9' tidak ada.", "'R9' is not one of the responses."),
        ),
        (
            {"pairs": [["P1", "R2"], ["P1", "R3"]]},
            (
                "pairs.1.0",
                "Premis 'P1' dipasangkan lebih dari sekali.",
                "Premise 'P1' is in more than one pair.",
            ),
        ),
        (
            {"pairs": [["P1", 2]]},
            ("pairs.0.1", "Harus berupa teks.", "Not a valid string."),
        ),
        (
            {"points": 0},
            ("points", "Poin harus lebih besar dari 0.", "Points must be greater than 0."),
        ),
    ],
)
def test_matching_problems(changes: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert problems(MA, {**MA_BASE, **changes}) == [expected]


def test_matching_swapped_pair_names_both_sides() -> None:
    found = problems(MA, {**MA_BASE, "pairs": [["R2", "P1"]]})
    assert [field for field, _, _ in found] == ["pairs.0.0", "pairs.0.1"]


@pytest.mark.parametrize(
    "pairs", [[["P1", "R2"], ["P2", "R2"]], [["P1", "R2"]], [["P3", "R1"], ["P1", "R4"]]]
)
def test_matching_valid_pairings(pairs: list[list[str]]) -> None:
    assert MA.load({**MA_BASE, "pairs": pairs})["pairs"] == pairs


def test_matching_defaults() -> None:
    loaded = MA.load({key: MA_BASE[key] for key in ("premises", "responses", "pairs")})
    assert loaded["scoring"] == "all_or_nothing"
    assert loaded["shuffle"] is True and loaded["points"] == 1


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (MA_KEY, 3),
        (list(reversed(MA_KEY)), 3),
        ([tuple(pair) for pair in MA_KEY], 3),
        ([*MA_KEY, ["P1", "R2"]], 3),
        (MA_KEY[:2], 0),
        ([*MA_KEY, ["P1", "R4"]], 0),
        ([], 0),
        (None, 0),
    ],
)
def test_matching_all_or_nothing(response: Any, expected: float) -> None:
    assert MA.score(MA_ALL, response) == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (MA_KEY, 3),
        ([["P1", "R2"]], 1),
        ([["P1", "R2"], ["P1", "R2"]], 1),
        ([["P1", "R2"], ["P2", "R3"], ["P3", "R4"]], 2),
        ([["P1", "R1"], ["P2", "R1"], ["P3", "R2"]], 0),
        # a premise given two responses earns nothing, so giving every pair earns 0
        ([*MA_KEY, ["P1", "R4"]], 2),
        ([[p, r] for p in ("P1", "P2", "P3") for r in ("R1", "R2", "R3", "R4")], 0),
        # pairs naming no response of the item are ignored
        ([*MA_KEY, ["P1", "R9"]], 3),
        ([], 0),
        (None, 0),
    ],
)
def test_matching_partial(response: Any, expected: float) -> None:
    assert MA.score(MA_BASE, response) == expected


def test_matching_partial_thirds_are_exact() -> None:
    content = {**MA_BASE, "points": 2}
    assert MA.score(content, [["P1", "R2"]]) == 2 / 3
    assert MA.score(content, MA_KEY[:2]) == 4 / 3
    assert MA.score(content, MA_KEY) == 2


@pytest.mark.parametrize(
    "response",
    ["P1 R2", {"P1": "R2"}, [["P1"]], [["P1", "R2", "R3"]], [[1, 2]], [("P1", 2)], ["P1R2"]],
)
def test_matching_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="pair"):
        MA.score(MA_BASE, response)


def test_matching_summary_lists_pairs_in_premise_order() -> None:
    summary = MA.summary({**MA_BASE, "pairs": [["P3", "R1"], ["P1", "R2"]]})
    assert summary.keys == ["P1 R2", "P3 R1"]
    assert list(summary.options) == ["P1", "P2", "P3", "R1", "R2", "R3", "R4"]
    assert summary.extra == {"points": 3, "scoring": "partial", "shuffle": True}
    assert MA.max_score(MA_BASE) == 3


def test_matching_html_fields() -> None:
    paths = [path for path, _ in MA.html_fields(MA_BASE)]
    assert paths == [f"premises.{i}.text" for i in range(3)] + [
        f"responses.{i}.text" for i in range(4)
    ]


def test_matching_preview_offers_every_response_to_every_premise() -> None:
    html = MA.preview_html("<p>Pasangkan.</p>", MA_BASE, "id")
    assert html.count("<select") == 3
    assert html.count('<option value="R4">D</option>') == 3
    assert "— pilih —" in html and "Pasangkan setiap pernyataan" in html
    assert "— choose —" in MA.preview_html("<p>x</p>", MA_BASE, "en")
