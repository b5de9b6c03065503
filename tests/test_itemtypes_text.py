"""Short text entry and extended text (essay)."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.itemtypes.extended_text import ExtendedText
from plugins.itemtypes.short_text import ShortText
from tests.itemtype_helpers import problems

# -- short text ------------------------------------------------------------------------

ST = ShortText()
ST_BASE = ST.load({"accepted": ["Jakarta", "DKI Jakarta"], "points": 2})


def st(**changes: Any) -> dict[str, Any]:
    return {**ST_BASE, **changes}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            st(accepted=[]),
            (
                "accepted",
                "Minimal 1 jawaban yang diterima.",
                "At least one accepted answer is required.",
            ),
        ),
        (
            st(accepted=["Jakarta", ""]),
            ("accepted.1", "Jawaban yang diterima ke-2 kosong.", "Accepted answer 2 is empty."),
        ),
        (
            st(accepted=[" \t"]),
            ("accepted.0", "Jawaban yang diterima ke-1 kosong.", "Accepted answer 1 is empty."),
        ),
        (
            st(accepted=["x" * 201]),
            (
                "accepted.0",
                "Jawaban yang diterima ke-1 lebih dari 200 karakter.",
                "Accepted answer 1 is longer than 200 characters.",
            ),
        ),
        (
            st(accepted=["<b>Jakarta</b>"]),
            (
                "accepted.0",
                "Jawaban '<b>Jakarta</b>' berisi HTML; tulis sebagai teks biasa.",
                "Answer '<b>Jakarta</b>' contains HTML; write it as plain text.",
            ),
        ),
        (
            st(accepted=["Jakarta "]),
            (
                "accepted.0",
                "Jawaban 'Jakarta ' diawali atau diakhiri spasi; jawaban peserta tidak dipangkas, "
                "jadi spasi itu harus ikut diketik.",
                "Answer 'Jakarta ' starts or ends with whitespace; responses are not trimmed, so "
                "a candidate would have to type it too.",
            ),
        ),
        (
            st(accepted=["Jakarta", "JAKARTA"]),
            (
                "accepted.1",
                "Jawaban 'JAKARTA' sudah tercantum (huruf besar/kecil disamakan).",
                "Answer 'JAKARTA' is already listed (ignoring case).",
            ),
        ),
        (
            st(accepted=["Jakarta", "Jakarta"], case_sensitive=True),
            (
                "accepted.1",
                "Jawaban 'Jakarta' sudah tercantum.",
                "Answer 'Jakarta' is already listed.",
            ),
        ),
        (
            st(expected_length=0),
            (
                "expected_length",
                "Harus lebih besar atau sama dengan 1 dan lebih kecil atau sama dengan 200.",
                "Must be greater than or equal to 1 and less than or equal to 200.",
            ),
        ),
        (st(accepted=[1]), ("accepted.0", "Harus berupa teks.", "Not a valid string.")),
        (st(accepted="Jakarta"), ("accepted", "Harus berupa daftar.", "Not a valid list.")),
        (
            st(case_sensitive="no"),
            ("case_sensitive", "Harus benar atau salah (true/false).", "Not a valid boolean."),
        ),
        (
            st(points=0),
            ("points", "Poin harus lebih besar dari 0.", "Points must be greater than 0."),
        ),
    ],
)
def test_short_text_problems(content: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert problems(ST, content) == [expected]


@pytest.mark.parametrize(
    "accepted", [["x" * 200], ["x < y"], ["Jakarta", "JAKARTA"], ["Dua  spasi"], ["AT&T"]]
)
def test_short_text_valid_answers(accepted: list[str]) -> None:
    assert ST.load(st(accepted=accepted, case_sensitive=True))["accepted"] == accepted


def test_short_text_defaults() -> None:
    assert ST.load({"accepted": ["Jakarta"]}) == {
        "accepted": ["Jakarta"],
        "case_sensitive": False,
        "points": 1,
        "expected_length": 20,
    }


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Jakarta", 2),
        ("jakarta", 2),
        ("DKI JAKARTA", 2),
        (" Jakarta", 0),
        ("Jakarta ", 0),
        ("DKI  Jakarta", 0),
        ("Bandung", 0),
        ("", 0),
        (None, 0),
    ],
)
def test_short_text_score_ignoring_case(response: Any, expected: float) -> None:
    assert ST.score(ST_BASE, response) == expected


@pytest.mark.parametrize(("response", "expected"), [("Jakarta", 2), ("jakarta", 0), ("JAKARTA", 0)])
def test_short_text_score_case_sensitive(response: str, expected: float) -> None:
    assert ST.score(st(case_sensitive=True), response) == expected


def test_short_text_compares_lower_not_casefold() -> None:
    content = st(accepted=["straße"])
    assert ST.score(content, "STRAßE") == 2
    assert ST.score(content, "STRASSE") == 0


@pytest.mark.parametrize("response", [["Jakarta"], 5, True, {"text": "Jakarta"}])
def test_short_text_wrong_shape(response: Any) -> None:
    with pytest.raises(ValueError, match="string or None"):
        ST.score(ST_BASE, response)


def test_short_text_summary() -> None:
    summary = ST.summary(ST_BASE)
    assert summary.options == {}
    assert summary.keys == ["Jakarta", "DKI Jakarta"]
    assert summary.extra == {"points": 2, "case_sensitive": False, "expected_length": 20}
    assert ST.max_score(ST_BASE) == 2
    assert list(ST.html_fields(ST_BASE)) == []


def test_short_text_preview_hides_answers() -> None:
    content = st(accepted=["<script>alert(1)</script>", "Jakarta"], expected_length=12)
    html = ST.preview_html("<p>Ibu kota negara adalah ....</p>", content, "id")
    assert "script" not in html and "Jakarta" not in html
    assert 'type="text"' in html and 'size="12"' in html
    assert ">Jawaban</label>" in html
    assert ">Answer</label>" in ST.preview_html("<p>x</p>", content, "en")


# -- short text, mapped scoring ---------------------------------------------------------

#: 'Jakarta' 2; 'Jakarta Raya' 1; 'Batavia' -1; anything else -0.5; no lower bound.
ST_MAPPED = ST.load(
    {
        "accepted": ["Jakarta", "DKI Jakarta"],
        "points": 2,
        "scoring": "mapped",
        "answer_values": [
            {"id": "J1", "text": "Jakarta Raya", "value": 1},
            {"id": "J2", "text": "Batavia", "value": -1},
        ],
        "mapping": {"default": -0.5, "lower": None},
    }
)


def stm(**changes: Any) -> dict[str, Any]:
    return {**ST_MAPPED, **changes}


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("Jakarta", 2),
        ("dki jakarta", 2),
        ("JAKARTA RAYA", 1),
        ("Batavia", -1),
        ("Bandung", -0.5),
        (" Jakarta", -0.5),
        ("", 0),
        (None, 0),
    ],
)
def test_short_text_mapped_score(response: Any, expected: float) -> None:
    assert ST.score(ST_MAPPED, response) == expected


def test_short_text_mapped_score_is_bounded_and_case_sensitive() -> None:
    bounded = stm(mapping={"default": -0.5, "lower": 0}, case_sensitive=True)
    assert [ST.score(bounded, r) for r in ("Batavia", "Jakarta Raya", "jakarta raya")] == [0, 1, 0]


def test_short_text_mapped_defaults_and_all_or_nothing_unchanged() -> None:
    """The editor writes scoring, answer values and mapping for every item: an
    all-or-nothing item keeps the content (and hash) it had before mapped scoring."""
    written = {
        **ST_BASE,
        "scoring": "all_or_nothing",
        "answer_values": [],
        "mapping": {"default": 0, "lower": None},
    }
    assert ST.load(written) == ST_BASE
    loaded = ST.load({"accepted": ["Jakarta"], "scoring": "mapped"})
    assert loaded["mapping"] == {"default": 0, "lower": 0}
    assert ST.score(loaded, "Bandung") == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            stm(answer_values=[{"id": "J1", "text": "jakarta", "value": 1}]),
            (
                "answer_values.0.text",
                "Jawaban 'jakarta' sudah tercantum (huruf besar/kecil disamakan).",
                "Answer 'jakarta' is already listed (ignoring case).",
            ),
        ),
        (
            stm(answer_values=[{"id": "J1", "text": " ", "value": 1}]),
            (
                "answer_values.0.text",
                "Jawaban bernilai ke-1 kosong.",
                "Scored answer 1 is empty.",
            ),
        ),
        (
            stm(answer_values=[{"id": "J1", "text": "Jayakarta", "value": 2}]),
            (
                "answer_values.0.value",
                "Nilai jawaban 'Jayakarta' (2) tidak kurang dari poin (2): tulis jawaban itu "
                "di antara jawaban yang diterima.",
                "Answer 'Jayakarta' is worth 2, not less than the points (2): list it among "
                "the accepted answers.",
            ),
        ),
        (
            stm(
                answer_values=[
                    {"id": "J1", "text": "Jayakarta", "value": 1},
                    {"id": "J1", "text": "Sunda Kelapa", "value": 1},
                ]
            ),
            (
                "answer_values.1.id",
                "Kode 'J1' tidak valid atau dipakai lebih dari sekali.",
                "Identifier 'J1' is not valid or used more than once.",
            ),
        ),
        (
            stm(mapping={"default": 0, "lower": 2}),
            (
                "mapping.lower",
                "Batas bawah skor (2) harus lebih kecil dari poin (2).",
                "The lower bound of the score (2) must be less than the points (2).",
            ),
        ),
        (
            stm(mapping={"default": 2, "lower": 0}),
            (
                "mapping.default",
                "Nilai jawaban lainnya (2) tidak kurang dari poin (2): setiap jawaban akan "
                "mendapat poin penuh.",
                "The value of other answers (2) is not less than the points (2): every "
                "response would score full marks.",
            ),
        ),
        (
            {**ST_BASE, "answer_values": [{"id": "J1", "text": "Batavia", "value": 1}]},
            (
                "answer_values",
                "Skor per jawaban hanya dipakai pada penskoran berbobot; kosongkan atau pilih "
                "penskoran berbobot.",
                "Scores per answer are only used with mapped scoring; clear them or choose "
                "mapped scoring.",
            ),
        ),
        (
            {**ST_BASE, "mapping": {"default": -0.5, "lower": 0}},
            (
                "mapping",
                "Pengaturan nilai hanya dipakai pada penskoran berbobot (skor per jawaban).",
                "The mapping is only used with mapped scoring (scores per answer).",
            ),
        ),
    ],
)
def test_short_text_mapped_problems(
    content: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    assert problems(ST, content) == [expected]


def test_short_text_mapped_summary() -> None:
    summary = ST.summary(ST_MAPPED)
    assert summary.keys == ["Jakarta", "DKI Jakarta"]
    assert summary.extra["scoring"] == "mapped"
    assert summary.extra["answer_values"] == ["Jakarta Raya: 1", "Batavia: -1"]
    assert summary.extra["mapping"] == {"default": -0.5, "lower": None}
    assert ST.max_score(ST_MAPPED) == 2


# -- extended text ---------------------------------------------------------------------

ET = ExtendedText()
ET_BASE = ET.example_content()


def et_rubric(index: int, **changes: Any) -> dict[str, Any]:
    rubric = [dict(entry) for entry in ET_BASE["rubric"]]
    rubric[index].update(changes)
    return {**ET_BASE, "rubric": rubric}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {**ET_BASE, "rubric": []},
            (
                "rubric",
                "Minimal 1 kriteria penilaian.",
                "At least one scoring criterion is required.",
            ),
        ),
        (
            et_rubric(1, max_points=0),
            (
                "rubric.1.max_points",
                "Skor maksimum kriteria 'R2' harus lebih besar dari 0.",
                "The maximum score of criterion 'R2' must be greater than 0.",
            ),
        ),
        (
            et_rubric(0, criterion="<p></p>"),
            (
                "rubric.0.criterion",
                "Teks kriteria penilaian 'R1' kosong.",
                "The text of scoring criterion 'R1' is empty.",
            ),
        ),
        (
            et_rubric(2, id="R1"),
            (
                "rubric.2.id",
                "Kode 'R1' dipakai lebih dari sekali.",
                "Identifier 'R1' is used more than once.",
            ),
        ),
        (
            et_rubric(0, max_points="4"),
            ("rubric.0.max_points", "Harus berupa angka.", "Not a valid number."),
        ),
        (
            {**ET_BASE, "expected_length": 0},
            (
                "expected_length",
                "Harus lebih besar atau sama dengan 1 dan lebih kecil atau sama dengan 100000.",
                "Must be greater than or equal to 1 and less than or equal to 100000.",
            ),
        ),
    ],
)
def test_extended_text_problems(content: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert problems(ET, content) == [expected]


def test_extended_text_defaults_and_flags() -> None:
    loaded = ET.load({"rubric": [{"id": "R1", "criterion": "<p>Isi</p>", "max_points": 2.5}]})
    assert loaded["expected_length"] == 300
    assert ET.max_score(loaded) == 2.5
    assert ET.scored_by_person is True
    assert ET.max_score(ET_BASE) == 10


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ({"R1": 3, "R2": 4}, 7),
        ({"R1": 4, "R2": 4, "R3": 2}, 10),
        ({"R1": 1.5, "R3": 2}, 3.5),
        ({"R1": 0}, 0),
        ({}, 0),
        (None, 0),
    ],
)
def test_extended_text_score(response: Any, expected: float) -> None:
    assert ET.score(ET_BASE, response) == expected


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ({"R9": 1}, "'R9' is not a criterion"),
        ({"R1": 5}, "criterion 'R1' must be a number from 0 to 4"),
        ({"R3": -1}, "criterion 'R3' must be a number from 0 to 2"),
        ({"R1": "3"}, "criterion 'R1'"),
        ({"R1": True}, "criterion 'R1'"),
        ({"R1": float("nan")}, "criterion 'R1'"),
        ({"R1": None}, "criterion 'R1'"),
        ([3, 4], "map rubric criteria"),
        (7, "map rubric criteria"),
    ],
)
def test_extended_text_wrong_shape(response: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ET.score(ET_BASE, response)


def test_extended_text_summary_and_html_fields() -> None:
    summary = ET.summary(ET_BASE)
    assert list(summary.options) == ["R1", "R2", "R3"]
    assert summary.options["R1"] == ET_BASE["rubric"][0]["criterion"]
    assert summary.keys == [] and summary.weights == {}
    assert summary.extra == {"max_points": {"R1": 4, "R2": 4, "R3": 2}, "expected_length": 1000}
    assert [path for path, _ in ET.html_fields(ET_BASE)] == [
        "rubric.0.criterion",
        "rubric.1.criterion",
        "rubric.2.criterion",
    ]


@pytest.mark.parametrize(
    ("lang", "label", "hint"),
    [
        ("id", "Jawaban Anda", "Panjang jawaban yang diharapkan sekitar 1000 karakter."),
        ("en", "Your answer", "Expected length: about 1000 characters."),
    ],
)
def test_extended_text_preview(lang: str, label: str, hint: str) -> None:
    html = ET.preview_html("<p>Uraikan.</p>", ET_BASE, lang)
    assert f">{label}</label>" in html and f">{hint}</p>" in html
    assert "<textarea" in html and 'rows="17"' in html
    assert "Mengidentifikasi" not in html  # the rubric is for raters only


def test_short_text_scorer_scores_as_score() -> None:
    """The scorer (the answers under the case rule prepared once) gives what ``score``
    gives, of the same type, and refuses what it refuses, all or nothing and mapped,
    with and without case, bounded or not."""
    contents = [
        ST_BASE,
        {**ST_BASE, "case_sensitive": True},
        ST_MAPPED,
        stm(mapping={"default": -0.5, "lower": 0}, case_sensitive=True),
        stm(answer_values=[{"id": "J1", "text": "jakarta", "value": 1}]),
    ]
    responses = [None, "", "Jakarta", "jakarta", "DKI JAKARTA", " Jakarta", "Batavia"]
    responses += ["Jakarta Raya", "jakarta raya", "Bandung", "bandung", "BANDUNG", "Kota"]
    for content in contents:
        scorer = ST.scorer(content)
        for response in responses:
            expected = ST.score(content, response)
            assert scorer(response) == expected, (content, response)
            assert type(scorer(response)) is type(expected)
        for wrong in (5, ["Jakarta"], {"a": "b"}):
            with pytest.raises(ValueError):
                ST.score(content, wrong)
            with pytest.raises(ValueError):
                scorer(wrong)
