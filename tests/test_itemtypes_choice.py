"""Single choice, multiple response and true/false."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.itemtypes.multiple_response import MultipleResponse
from plugins.itemtypes.single_choice import SingleChoice
from plugins.itemtypes.true_false import TrueFalse
from tests.itemtype_helpers import DROP, patched, problems


def options(*ids: str) -> list[dict[str, str]]:
    return [{"id": ident, "text": f"<p>Pilihan {ident}</p>"} for ident in ids]


# -- single choice ---------------------------------------------------------------------

SC = SingleChoice()
SC_BASE = {"options": options("A", "B", "C"), "key": "B", "points": 5, "shuffle": False}
INVALID_ID = (
    "Kode pilihan '{0}' tidak valid: gunakan huruf, angka, '_', '.' atau '-', diawali huruf "
    "atau '_', paling panjang 32 karakter.",
    "The option identifier '{0}' is not valid: use letters, digits, '_', '.' or '-', starting "
    "with a letter or '_', at most 32 characters.",
)


def invalid_id(path: str, ident: str) -> tuple[str, str, str]:
    return (path, INVALID_ID[0].format(ident), INVALID_ID[1].format(ident))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"key": "F"},
            (
                "key",
                "Kunci 'F' tidak ada di pilihan jawaban.",
                "Key 'F' is not one of the options.",
            ),
        ),
        (
            {"options": options("B")},
            ("options", "Minimal 2 pilihan.", "At least 2 options are required."),
        ),
        (
            {"options": options(*"ABCDEFGHIJK")},
            ("options", "Maksimal 10 pilihan.", "At most 10 options are allowed."),
        ),
        (
            {"options.2.id": "A"},
            (
                "options.2.id",
                "Kode 'A' dipakai lebih dari sekali.",
                "Identifier 'A' is used more than once.",
            ),
        ),
        ({"options.0.id": "1A"}, invalid_id("options.0.id", "1A")),
        ({"options.0.id": "A\n"}, invalid_id("options.0.id", "A\n")),
        ({"options.0.id": "A" * 33}, invalid_id("options.0.id", "A" * 33)),
        ({"options.0.id": "A B"}, invalid_id("options.0.id", "A B")),
        (
            {"options.2.text": "<p> &nbsp;</p>"},
            ("options.2.text", "Teks pilihan 'C' kosong.", "The text of option 'C' is empty."),
        ),
        (
            {"points": 0},
            ("points", "Poin harus lebih besar dari 0.", "Points must be greater than 0."),
        ),
        (
            {"points": -2.5},
            ("points", "Poin harus lebih besar dari 0.", "Points must be greater than 0."),
        ),
        ({"points": "5"}, ("points", "Harus berupa angka.", "Not a valid number.")),
        ({"points": True}, ("points", "Harus berupa angka.", "Not a valid number.")),
        ({"points": float("nan")}, ("points", "Harus berupa angka.", "Not a valid number.")),
        (
            {"shuffle": 1},
            ("shuffle", "Harus benar atau salah (true/false).", "Not a valid boolean."),
        ),
        ({"key": DROP}, ("key", "Wajib diisi.", "Missing data for required field.")),
        (
            {"options.1.text": DROP},
            ("options.1.text", "Wajib diisi.", "Missing data for required field."),
        ),
        (
            {"options.1.colour": "red"},
            ("options.1.colour", "Kolom tidak dikenal.", "Unknown field."),
        ),
    ],
)
def test_single_choice_problems(changes: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert problems(SC, patched(SC_BASE, changes)) == [expected]


def test_single_choice_defaults_and_valid_edge_cases() -> None:
    loaded = SC.load({"options": options("A", "B"), "key": "A"})
    assert loaded["points"] == 1 and loaded["shuffle"] is False
    many = SC.load(patched(SC_BASE, {"options": options(*"ABCDEFGHIJ"), "key": "J"}))
    assert len(many["options"]) == 10
    image = SC.load(patched(SC_BASE, {"options.0.text": '<p><img src="g.png" alt=""></p>'}))
    assert image["options"][0]["text"].startswith("<p><img")
    assert SC.load(patched(SC_BASE, {"options.0.id": "_a-1." + "x" * 27}))
    assert type(SC.load(SC_BASE)["points"]) is int
    assert SC.load(patched(SC_BASE, {"points": 2.5}))["points"] == 2.5


@pytest.mark.parametrize(
    ("response", "expected"), [("B", 5), ("A", 0), ("b", 0), ("Z", 0), ("", 0), (None, 0)]
)
def test_single_choice_score(response: Any, expected: float) -> None:
    assert SC.score(SC_BASE, response) == expected


@pytest.mark.parametrize("response", [["B"], 1, True, {"B": 1}])
def test_single_choice_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="identifier string"):
        SC.score(SC_BASE, response)


def test_single_choice_summary() -> None:
    summary = SC.summary(SC_BASE)
    assert summary.options == {ident: f"<p>Pilihan {ident}</p>" for ident in "ABC"}
    assert summary.keys == ["B"]
    assert summary.weights == {}
    assert summary.extra == {"points": 5, "shuffle": False}
    assert SC.max_score(SC_BASE) == 5


# -- multiple response -----------------------------------------------------------------

MR = MultipleResponse()
MR_BASE = MR.load({"options": options("A", "B", "C", "D"), "keys": ["A", "C"], "points": 4})
MR_PARTIAL = {**MR_BASE, "scoring": "partial"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"keys": []}, ("keys", "Minimal 1 kunci jawaban.", "At least one key is required.")),
        (
            {"keys": ["A", "X"]},
            (
                "keys.1",
                "Kunci 'X' tidak ada di pilihan jawaban.",
                "Key 'X' is not one of the options.",
            ),
        ),
        (
            {"keys": ["A", "C", "A"]},
            (
                "keys.2",
                "Kunci 'A' tercantum lebih dari sekali.",
                "Key 'A' is listed more than once.",
            ),
        ),
        (
            {"min_choices": 3, "max_choices": 2},
            (
                "min_choices",
                "Jumlah pilihan minimum (3) melebihi jumlah maksimum (2).",
                "The minimum number of choices (3) exceeds the maximum (2).",
            ),
        ),
        (
            {"max_choices": 1},
            (
                "max_choices",
                "Jumlah pilihan maksimum (1) lebih kecil dari jumlah kunci (2).",
                "The maximum number of choices (1) is less than the number of keys (2).",
            ),
        ),
        (
            {"min_choices": 3},
            (
                "min_choices",
                "Jumlah pilihan minimum (3) melebihi jumlah kunci (2), sehingga jawaban yang "
                "benar tidak dapat diberikan.",
                "The minimum number of choices (3) exceeds the number of keys (2), so the "
                "correct answer cannot be given.",
            ),
        ),
        (
            {"min_choices": -1},
            (
                "min_choices",
                "Harus lebih besar atau sama dengan 0 dan lebih kecil atau sama dengan 1000.",
                "Must be greater than or equal to 0 and less than or equal to 1000.",
            ),
        ),
        (
            {"max_choices": 1.5},
            ("max_choices", "Harus berupa bilangan bulat.", "Not a valid integer."),
        ),
        (
            {"scoring": "some"},
            (
                "scoring",
                "Harus salah satu dari: all_or_nothing, partial, mapped.",
                "Must be one of: all_or_nothing, partial, mapped.",
            ),
        ),
        (
            {"options": options("A"), "keys": ["A"]},
            ("options", "Minimal 2 pilihan.", "At least 2 options are required."),
        ),
        (
            {"points": 0},
            ("points", "Poin harus lebih besar dari 0.", "Points must be greater than 0."),
        ),
        ({"keys": "A"}, ("keys", "Harus berupa daftar.", "Not a valid list.")),
    ],
)
def test_multiple_response_problems(
    changes: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    assert problems(MR, patched(MR_BASE, changes)) == [expected]


@pytest.mark.parametrize(
    "changes",
    [
        {"min_choices": 1, "max_choices": 2},
        {"min_choices": 2, "max_choices": 2},
        {"min_choices": 2, "max_choices": 0},
        {"max_choices": 4},
        {"keys": ["A", "B", "C", "D"]},
    ],
)
def test_multiple_response_valid_limits(changes: dict[str, Any]) -> None:
    assert MR.load(patched(MR_BASE, changes))


def test_multiple_response_defaults() -> None:
    loaded = MR.load({"options": options("A", "B", "C", "D"), "keys": ["A", "C"], "points": 4})
    assert loaded == {
        "options": options("A", "B", "C", "D"),
        "keys": ["A", "C"],
        "points": 4,
        "scoring": "all_or_nothing",
        "min_choices": 0,
        "max_choices": 0,
        "shuffle": False,
    }


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (["A", "C"], 4),
        (["C", "A"], 4),
        (("A", "C"), 4),
        (["A", "C", "A"], 4),
        (["A"], 0),
        (["A", "C", "B"], 0),
        (["A", "C", "Z"], 0),
        ([], 0),
        (None, 0),
    ],
)
def test_multiple_response_all_or_nothing(response: Any, expected: float) -> None:
    assert MR.score(MR_BASE, response) == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (["A", "C"], 4),
        (["A"], 2),
        (["A", "A"], 2),
        (["A", "B"], 0),
        (["A", "C", "B"], 2),
        (["A", "C", "B", "D"], 0),
        (["B"], 0),
        (["B", "D"], 0),
        (["A", "Z"], 0),
        ([], 0),
        (None, 0),
    ],
)
def test_multiple_response_partial(response: Any, expected: float) -> None:
    assert MR.score(MR_PARTIAL, response) == expected


def test_multiple_response_partial_thirds_are_exact() -> None:
    content = {**MR_PARTIAL, "keys": ["A", "B", "C"], "points": 1}
    assert MR.score(content, ["A"]) == 1 / 3
    assert MR.score(content, ["A", "B"]) == 2 / 3
    assert MR.score(content, ["A", "B", "C"]) == 1
    assert MR.score(content, ["A", "B", "C", "D"]) == 2 / 3


@pytest.mark.parametrize("response", ["A", 1, ["A", 1], {"A"}, [["A"]]])
def test_multiple_response_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="identifier"):
        MR.score(MR_BASE, response)


def test_multiple_response_summary_lists_keys_in_option_order() -> None:
    summary = MR.summary({**MR_PARTIAL, "keys": ["C", "A"], "max_choices": 3})
    assert summary.keys == ["A", "C"]
    assert list(summary.options) == ["A", "B", "C", "D"]
    assert summary.extra == {
        "points": 4,
        "scoring": "partial",
        "min_choices": 0,
        "max_choices": 3,
        "shuffle": False,
    }
    assert MR.max_score(MR_BASE) == 4


@pytest.mark.parametrize(
    ("limits", "lang", "hint"),
    [
        ((1, 2), "id", "Pilih 1 sampai 2 jawaban."),
        ((1, 2), "en", "Choose 1 to 2 answers."),
        ((2, 2), "id", "Pilih tepat 2 jawaban."),
        ((2, 2), "en", "Choose exactly 2 answers."),
        ((1, 0), "id", "Pilih paling sedikit 1 jawaban."),
        ((1, 0), "en", "Choose at least 1 answer."),
        ((0, 3), "id", "Pilih paling banyak 3 jawaban."),
        ((0, 3), "en", "Choose at most 3 answers."),
    ],
)
def test_multiple_response_preview_states_limits(
    limits: tuple[int, int], lang: str, hint: str
) -> None:
    content = {**MR_BASE, "min_choices": limits[0], "max_choices": limits[1]}
    html = MR.preview_html("<p>Pilih.</p>", content, lang)
    assert f">{hint}</p>" in html
    assert html.count('type="checkbox"') == 4


def test_multiple_response_preview_without_limits_has_no_hint() -> None:
    assert "ib-hint" not in MR.preview_html("<p>Pilih.</p>", MR_BASE)


# -- true/false ------------------------------------------------------------------------

TF = TrueFalse()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({"key": "true"}, ("key", "Harus benar atau salah (true/false).", "Not a valid boolean.")),
        ({"key": 1}, ("key", "Harus benar atau salah (true/false).", "Not a valid boolean.")),
        ({}, ("key", "Wajib diisi.", "Missing data for required field.")),
        (
            {"key": True, "points": 0},
            ("points", "Poin harus lebih besar dari 0.", "Points must be greater than 0."),
        ),
        ({"key": True, "options": []}, ("options", "Kolom tidak dikenal.", "Unknown field.")),
    ],
)
def test_true_false_problems(content: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert problems(TF, content) == [expected]


@pytest.mark.parametrize(
    ("key", "response", "expected"),
    [
        (True, True, 2),
        (True, False, 0),
        (False, False, 2),
        (False, True, 0),
        (True, None, 0),
        (False, None, 0),
    ],
)
def test_true_false_score(key: bool, response: Any, expected: float) -> None:
    assert TF.score({"key": key, "points": 2}, response) == expected


@pytest.mark.parametrize("response", [1, 0, "true", "Benar", [True]])
def test_true_false_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="true, false or None"):
        TF.score({"key": True, "points": 1}, response)


def test_true_false_summary_and_defaults() -> None:
    loaded = TF.load({"key": False})
    assert loaded == {"key": False, "points": 1}
    summary = TF.summary(loaded)
    assert summary.options == {"true": "Benar", "false": "Salah"}
    assert summary.keys == ["false"]
    assert summary.extra == {"points": 1}
    assert TF.summary({"key": True, "points": 1}).keys == ["true"]
    assert TF.max_score({"key": True, "points": 3}) == 3
