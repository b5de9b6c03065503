"""Mapped scoring of multiple response and matching (QTI ``mapResponse``): scores,
content checks, what existing content keeps, summaries, and imports of mapped items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from itembank.itemtypes import check_editor_fields
from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import convert
from plugins.itemtypes.matching import Matching
from plugins.itemtypes.multiple_response import MultipleResponse
from tests.itemtype_helpers import assert_problem, patched, problems
from tests.shared import SHARED, shared_path

MR = MultipleResponse()
MATCHING = Matching()
HOST = PluginHost(entry_points=False)
SAMPLES = (
    SHARED / "qti-samples/davemckain-qtiworks/qtiworks-samples/src/main/resources/uk/ac/ed/ph/"
    "qtiworks/samples"
)


def options(*values: float | None) -> list[dict[str, Any]]:
    result = []
    for index, value in enumerate(values):
        option: dict[str, Any] = {"id": "ABCDEF"[index], "text": f"<p>Pilihan {index}</p>"}
        if value is not None:
            option["value"] = value
        result.append(option)
    return result


MAPPED_MR = {
    "options": options(1, 1, None, -1),
    "keys": ["A", "B"],
    "points": 2,
    "scoring": "mapped",
    "mapping": {"default": -2, "lower": 0},
}


def test_multiple_response_scores_by_the_mapping() -> None:
    content = MR.load(MAPPED_MR)
    assert content["mapping"] == {"default": -2, "lower": 0}
    assert MR.score(content, None) == 0
    assert MR.score(content, []) == 0
    assert MR.score(content, ["A"]) == 1
    assert MR.score(content, ["A", "B"]) == 2
    assert MR.score(content, ["A", "A", "B"]) == 2  # each distinct option once
    assert MR.score(content, ["A", "D"]) == 0  # 1 - 1
    assert MR.score(content, ["A", "C"]) == 0  # 1 - 2, held at the lower bound
    assert MR.score(content, ["A", "Z"]) == 0  # an unknown identifier scores the default
    assert MR.max_score(content) == 2
    unbounded = MR.load({**MAPPED_MR, "mapping": {"default": -2, "lower": None}})
    assert MR.score(unbounded, ["A", "C", "D"]) == -2
    capped = MR.load({**MAPPED_MR, "points": 1.5})
    assert MR.score(capped, ["A", "B"]) == 1.5  # points are the upper bound


def test_mapped_sums_like_qti_in_the_response_order() -> None:
    content = MR.load(
        {**MAPPED_MR, "options": options(0.1, 0.2, 0.3), "keys": ["A", "B", "C"], "points": 0.6}
    )
    assert MR.score(content, ["A", "B", "C"]) == min((0.0 + 0.1 + 0.2) + 0.3, 0.6)
    assert MR.score(content, ["C", "B"]) == 0.0 + 0.3 + 0.2


def test_existing_content_loads_unchanged() -> None:
    for item_type in (MR, MATCHING):
        example = item_type.example_content()
        assert item_type.load(example) == example
    # what the editor writes for an item that does not use mapped scoring
    written = {
        **MR.example_content(),
        "options": [{**o, "value": None} for o in MR.example_content()["options"]],
        "mapping": {"default": 0, "lower": 0},
    }
    assert MR.load(written) == MR.example_content()
    match_written = {
        **MATCHING.example_content(),
        "pair_values": [],
        "mapping": {"default": 0, "lower": None},  # the editor's empty lower bound
    }
    assert MATCHING.load(match_written) == MATCHING.example_content()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"points": 3},
            (
                "points",
                "Jawaban terbaik hanya mendapat skor 2, kurang dari poin (3): turunkan poin atau "
                "naikkan nilai pilihan.",
                "The best response only scores 2, less than the points (3): lower the points or "
                "raise the values.",
            ),
        ),
        (
            {"mapping.lower": 2},
            (
                "mapping.lower",
                "Batas bawah skor (2) harus lebih kecil dari poin (2).",
                "The lower bound of the score (2) must be less than the points (2).",
            ),
        ),
        (
            {"keys": ["A"]},
            (
                "keys",
                "Kunci jawaban hanya mendapat skor 1, padahal poin soal 2.",
                "The key only scores 1, while the item is worth 2 points.",
            ),
        ),
        (
            {"max_choices": 1},
            (
                "points",
                "Jawaban terbaik hanya mendapat skor 1, kurang dari poin (2): turunkan poin atau "
                "naikkan nilai pilihan.",
                "The best response only scores 1, less than the points (2): lower the points or "
                "raise the values.",
            ),
        ),
        (
            {"options.0.value": "1"},
            ("options.0.value", "Harus berupa angka.", "Not a valid number."),
        ),
        (
            {"scoring": "partial"},
            (
                "options.0.value",
                "Skor per pilihan hanya dipakai pada penskoran berbobot; kosongkan atau pilih "
                "penskoran berbobot.",
                "Scores per option are only used with mapped scoring; clear them or choose "
                "mapped scoring.",
            ),
        ),
    ],
)
def test_multiple_response_mapped_problems(
    changes: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    found = problems(MR, patched(MAPPED_MR, changes))
    assert expected in found


def test_a_mapping_on_an_unmapped_item_is_a_problem() -> None:
    content = {**MR.example_content(), "mapping": {"default": 1, "lower": 0}}
    assert problems(MR, content) == [
        (
            "mapping",
            "Pengaturan nilai hanya dipakai pada penskoran berbobot (skor per pilihan).",
            "The mapping is only used with mapped scoring (scores per option).",
        )
    ]


MAPPED_MATCH = {
    **MATCHING.example_content(),
    "scoring": "mapped",
    "points": 2.5,
    "pair_values": [["P1", "R2", 1], ["P2", "R3", 0.5], ["P3", "R1", 1], ["P1", "R4", -2]],
    "mapping": {"default": 0, "lower": 0},
}


def test_matching_scores_by_the_pair_values() -> None:
    content = MATCHING.load(MAPPED_MATCH)
    assert MATCHING.score(content, None) == 0
    assert MATCHING.score(content, [["P1", "R2"]]) == 1
    assert MATCHING.score(content, [["P1", "R2"], ["P2", "R3"], ["P3", "R1"]]) == 2.5
    assert MATCHING.score(content, [["P1", "R4"], ["P3", "R1"]]) == 0  # -2 + 1, held at 0
    assert MATCHING.score(content, [["P2", "R3"], ["P2", "R3"]]) == 0.5
    assert MATCHING.max_score(content) == 2.5
    summary = MATCHING.summary(content)
    assert summary.extra["pair_values"] == ["P1 R2: 1", "P2 R3: 0.5", "P3 R1: 1", "P1 R4: -2"]
    assert summary.extra["mapping"] == {"default": 0, "lower": 0}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"pair_values.0": ["P1", "R9", 1]},
            (
                "pair_values.0",
                "Pasangan 'P1 R9' tidak menghubungkan premis dengan jawaban soal ini.",
                "The pair 'P1 R9' does not join a premise and a response of this item.",
            ),
        ),
        (
            {"pair_values.3": ["P1", "R2", 2]},
            (
                "pair_values.3",
                "Nilai pasangan 'P1 R2' diberikan lebih dari sekali.",
                "The pair 'P1 R2' is given a value more than once.",
            ),
        ),
        (
            {"pair_values.1": ["P2", "R3"]},
            (
                "pair_values.1",
                "Nilai pasangan harus berbentuk [premis, jawaban, angka].",
                "A pair value must be [premise, response, number].",
            ),
        ),
        (
            {"pair_values.1": ["P2", "R3", True]},
            (
                "pair_values.1.2",
                "Nilai pasangan harus angka dari -1000 sampai 1000.",
                "A pair value must be a number from -1000 to 1000.",
            ),
        ),
        (
            {"pairs": [["P1", "R2"], ["P2", "R3"]]},
            (
                "pairs",
                "Kunci jawaban hanya mendapat skor 1.5, padahal poin soal 2.5.",
                "The key only scores 1.5, while the item is worth 2.5 points.",
            ),
        ),
        (
            {"points": 3},
            (
                "points",
                "Jawaban terbaik hanya mendapat skor 2.5, kurang dari poin (3): turunkan poin "
                "atau naikkan nilai pilihan.",
                "The best response only scores 2.5, less than the points (3): lower the points "
                "or raise the values.",
            ),
        ),
        (
            {"scoring": "partial"},
            (
                "pair_values",
                "Skor per pasangan hanya dipakai pada penskoran berbobot; kosongkan atau pilih "
                "penskoran berbobot.",
                "Scores per pair are only used with mapped scoring; clear them or choose "
                "mapped scoring.",
            ),
        ),
    ],
)
def test_matching_mapped_problems(changes: dict[str, Any], expected: tuple[str, str, str]) -> None:
    assert expected in problems(MATCHING, patched(MAPPED_MATCH, changes))


def test_the_answer_key_shows_the_option_values() -> None:
    content = MR.load(MAPPED_MR)
    summary = MR.summary(content)
    assert summary.weights == {"A": 1, "B": 1, "C": -2, "D": -1}
    assert summary.keys == ["A", "B"]
    assert summary.extra["mapping"] == {"default": -2, "lower": 0}


def test_the_editors_describe_the_mapped_fields() -> None:
    for item_type in (MR, MATCHING):
        assert check_editor_fields(item_type) == []
    kinds = {f.name: f.kind for f in MATCHING.editor_fields()}
    assert kinds["pair_values"] == "pair_values"
    assert {"mapping", "scoring"} <= kinds.keys()
    scoring = next(f for f in MR.editor_fields() if f.name == "scoring")
    assert "mapped" in [value for value, _label in scoring.choices]


def _candidate(relative: str) -> Any:
    shared_path("qti-samples")
    result = convert(SAMPLES / relative, HOST.item_types)
    assert len(result.candidates) == 1, [e.message_en for e in result.report]
    return result.candidates[0]


def test_a_mapped_choice_item_imports_with_its_mapping() -> None:
    candidate = _candidate("ims/choice_multiple.xml")
    assert candidate.type_id == "multiple_response"
    content = candidate.content
    assert content["scoring"] == "mapped"
    assert content["keys"] == ["H", "O"]
    assert content["points"] == 2
    assert content["mapping"] == {"default": -2, "lower": 0}
    values = {o["id"]: o.get("value") for o in content["options"]}
    assert values == {"H": 1, "He": None, "C": None, "O": 1, "N": None, "Cl": -1}
    assert candidate.responses_checked == 64


def test_a_mapped_match_item_imports_with_its_pair_values() -> None:
    candidate = _candidate("ims/match.xml")
    assert candidate.type_id == "matching"
    content = candidate.content
    assert content["scoring"] == "mapped"
    assert content["pairs"] == [["C", "R"], ["D", "M"], ["L", "M"], ["P", "T"]]
    assert content["points"] == 3
    assert content["pair_values"] == [
        ["C", "R", 1],
        ["D", "M", 0.5],
        ["L", "M", 0.5],
        ["P", "T", 1],
    ]
    assert content["mapping"] == {"default": 0, "lower": None}


def test_the_bank_export_of_a_classic_item_comes_back_classic(tmp_path: Path) -> None:
    """A bank export writes a mapping for all-or-nothing scoring too; the importer keeps
    the type's first content (all or nothing), never turning it into mapped scoring."""
    from qti.writer import write_item
    from qti.xml import serialize

    content = MR.load({**MR.example_content(), "scoring": "all_or_nothing"})
    model = MR.qti_item("<p>Soal</p>", content, identifier="item_1", title="Soal 1")
    path = tmp_path / "item.xml"
    path.write_bytes(serialize(write_item(model, "3.0")))
    result = convert(path, HOST.item_types)
    assert [c.content["scoring"] for c in result.candidates] == ["all_or_nothing"]
    mapped = MR.load(MAPPED_MR)
    model = MR.qti_item("<p>Soal</p>", mapped, identifier="item_2", title="Soal 2")
    path.write_bytes(serialize(write_item(model, "2.1")))
    result = convert(path, HOST.item_types)
    assert [c.content for c in result.candidates] == [mapped]


# -- associate, graphic gap match and gap match ------------------------------------------

ASSOCIATE = HOST.item_type("associate")
GRAPHIC_GAPS = HOST.item_type("graphic_gap_match")
GAP_MATCH = HOST.item_type("gap_match")

MAPPED_ASSOCIATE = {
    **ASSOCIATE.example_content(),
    "scoring": "mapped",
    "points": 4,
    "pair_values": [["A", "C", 2], ["D", "B", 1], ["E", "F", 1], ["A", "D", -1]],
    "mapping": {"default": 0, "lower": 0},
}
MAPPED_GAP_WORDS = {
    **GAP_MATCH.example_content(),
    "scoring": "mapped",
    "gaps": [{"id": "G1", "points": 1}, {"id": "G2", "points": 2}],
    "pair_values": [["G1", "C", 0.5]],
    "mapping": {"default": -1, "lower": 0},
}


def test_associate_scores_each_pair_in_either_order_by_its_value() -> None:
    content = ASSOCIATE.load(MAPPED_ASSOCIATE)
    assert ASSOCIATE.score(content, None) == 0
    assert ASSOCIATE.score(content, []) == 0
    assert ASSOCIATE.score(content, [["C", "A"]]) == 2  # a key pair worth more than the others
    assert ASSOCIATE.score(content, [["A", "C"], ["C", "A"], ["B", "D"]]) == 3  # once each
    assert ASSOCIATE.score(content, [["A", "C"], ["B", "D"], ["F", "E"]]) == 4
    assert ASSOCIATE.score(content, [["A", "D"]]) == 0  # -1, held at the lower bound
    assert ASSOCIATE.score(content, [["A", "C"], ["A", "D"]]) == 1
    assert ASSOCIATE.score(content, [["A", "B"], ["C", "D"]]) == 0  # the default: 0
    summary = ASSOCIATE.summary(content)
    assert summary.extra["pair_values"] == ["A C: 2", "D B: 1", "E F: 1", "A D: -1"]
    assert summary.extra["mapping"] == {"default": 0, "lower": 0}


def test_graphic_gap_match_scores_placements_by_their_values() -> None:
    content = GRAPHIC_GAPS.load(
        {
            **GRAPHIC_GAPS.example_content(),
            "scoring": "mapped",
            "points": 2,
            "pair_values": [["G2", "A", 1], ["G3", "B", 1], ["G1", "A", -0.5]],
            "mapping": {"default": 0, "lower": None},
        }
    )
    assert GRAPHIC_GAPS.score(content, [["G2", "A"], ["G3", "B"]]) == 2
    assert GRAPHIC_GAPS.score(content, [["G2", "A"], ["G3", "A"]]) == 1  # wrong: nothing
    assert GRAPHIC_GAPS.score(content, [["G1", "A"]]) == -0.5  # no lower bound
    assert GRAPHIC_GAPS.score(content, [["A", "G2"]]) == 0  # a pair is directed


def test_gap_match_scores_wrong_words_by_the_mapping() -> None:
    content = GAP_MATCH.load(MAPPED_GAP_WORDS)
    assert GAP_MATCH.max_score(content) == 3
    assert GAP_MATCH.score(content, None) == 0
    assert GAP_MATCH.score(content, [["A", "G1"], ["B", "G2"]]) == 3
    assert GAP_MATCH.score(content, [["A", "G1"], ["D", "G2"]]) == 0  # 1 - 1
    assert GAP_MATCH.score(content, [["C", "G1"], ["B", "G2"]]) == 2.5  # a near word
    assert GAP_MATCH.score(content, [["D", "G1"]]) == 0  # -1, held at the lower bound
    assert GAP_MATCH.summary(content).extra["scoring"] == "mapped"
    editor_written = {
        **MAPPED_GAP_WORDS,
        "scoring": "per_gap",
        "pair_values": [],
        "mapping": {"default": 0, "lower": None},  # the editor's untouched mapping
    }
    per_gap = GAP_MATCH.load(editor_written)
    assert not {"scoring", "pair_values", "mapping"} & per_gap.keys()
    assert GAP_MATCH.score(per_gap, [["A", "G1"], ["D", "G2"]]) == 1


@pytest.mark.parametrize(
    ("item_type", "content", "changes", "expected"),
    [
        (ASSOCIATE, MAPPED_ASSOCIATE, {"points": 5}, ("pairs", "hanya mendapat skor 4", "4")),
        (
            ASSOCIATE,
            MAPPED_ASSOCIATE,
            {"pair_values": [["A", "C", 2], ["C", "A", 1], ["D", "B", 1], ["E", "F", 1]]},
            ("pair_values.1", "lebih dari sekali", "more than once"),
        ),
        (
            ASSOCIATE,
            MAPPED_ASSOCIATE,
            {"pair_values": [["A", "A", 2]]},
            ("pair_values.0", "dirinya sendiri", "with itself"),
        ),
        (
            ASSOCIATE,
            MAPPED_ASSOCIATE,
            {"pair_values": [["A", "Z", 2]]},
            ("pair_values.0", "tidak menghubungkan", "does not join"),
        ),
        (
            ASSOCIATE,
            MAPPED_ASSOCIATE,
            {"mapping": {"default": 0, "lower": 4}},
            ("mapping.lower", "lebih kecil dari poin", "less than the points"),
        ),
        (
            ASSOCIATE,
            {**MAPPED_ASSOCIATE, "scoring": "partial"},
            {},
            ("pair_values", "hanya dipakai pada penskoran berbobot", "only used with mapped"),
        ),
        (ASSOCIATE, MAPPED_ASSOCIATE, {"pairs": [["A", "C", "D"]]}, ("pairs.0", "dua", "two")),
        (
            GAP_MATCH,
            MAPPED_GAP_WORDS,
            {"pair_values": [["G1", "A", 3]]},
            ("pair_values.0", "pasangan kunci", "is a key pair"),
        ),
        (
            GAP_MATCH,
            MAPPED_GAP_WORDS,
            {"pair_values": [["A", "G1", 3]]},
            ("pair_values.0", "tidak menghubungkan rumpang", "does not join a gap"),
        ),
        (
            GAP_MATCH,
            MAPPED_GAP_WORDS,
            {"mapping": {"default": 0, "lower": 3}},
            ("mapping.lower", "jumlah poin rumpang", "the gaps' points"),
        ),
        (
            GAP_MATCH,
            MAPPED_GAP_WORDS,
            {"pair_values": [["G1", "C", "x"]]},
            ("pair_values.0.2", "harus angka", "must be a number"),
        ),
    ],
)
def test_pair_mapped_problems(
    item_type: Any, content: dict[str, Any], changes: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    field, indonesian, english = expected
    assert_problem(item_type, content, changes, field, indonesian, english)


def test_the_pair_editors_describe_the_mapped_fields() -> None:
    for item_type in (ASSOCIATE, GRAPHIC_GAPS, GAP_MATCH):
        assert check_editor_fields(item_type) == []
        kinds = {f.name: f.kind for f in item_type.editor_fields()}
        assert kinds["pair_values"] == "pair_values"
        assert {"mapping", "scoring"} <= kinds.keys()


def test_key_pairs_of_different_values_import_as_mapped_associate() -> None:
    candidate = _candidate("ims/associate.xml")
    assert candidate.type_id == "associate"
    content = candidate.content
    assert content["scoring"] == "mapped"
    assert content["pairs"] == [["A", "P"], ["C", "M"], ["D", "L"]]
    assert content["points"] == 4
    assert content["pair_values"] == [["A", "P", 2], ["C", "M", 1], ["D", "L", 1]]
    assert content["mapping"] == {"default": 0, "lower": None}


def test_points_off_for_wrong_words_import_as_mapped_gap_match() -> None:
    for name in ("ims/gap_match.xml", "ims/shufflegap_match.xml"):
        candidate = _candidate(name)
        assert candidate.type_id == "gap_match"
        content = candidate.content
        assert content["scoring"] == "mapped"
        assert content["key"] == [["G1", "W"], ["G2", "Su"]]
        assert content["gaps"] == [{"id": "G1", "points": 1}, {"id": "G2", "points": 2}]
        assert content["pair_values"] == []
        assert content["mapping"] == {"default": -1, "lower": 0}


def test_free_wrong_placements_import_as_mapped_graphic_gap_match() -> None:
    candidate = _candidate("../samples/stomp/graphic_gap_matchGS.xml")
    assert candidate.type_id == "graphic_gap_match"
    content = candidate.content
    assert content["scoring"] == "mapped"
    assert content["pairs"] == [["GLA", "A"], ["EDI", "B"], ["MAN", "C"]]
    assert content["points"] == 3
    assert content["mapping"] == {"default": 0, "lower": 0}


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_mapped_pair_items_come_back_as_they_were_exported(tmp_path: Path, version: str) -> None:
    from qti.writer import write_item
    from qti.xml import serialize

    for item_type, raw in (
        (ASSOCIATE, MAPPED_ASSOCIATE),
        (GAP_MATCH, MAPPED_GAP_WORDS),
        (GAP_MATCH, {**MAPPED_GAP_WORDS, "mapping": {"default": -0.5, "lower": None}}),
    ):
        content = item_type.load(raw)
        model = item_type.qti_item("<p>Soal</p>", content, identifier="item_1", title="Soal 1")
        path = tmp_path / "item.xml"
        path.write_bytes(serialize(write_item(model, version)))  # type: ignore[arg-type]
        result = convert(path, HOST.item_types)
        assert [c.content for c in result.candidates] == [content], [
            e.message_en for e in result.report
        ]


def test_a_mapping_the_processing_never_uses_is_refused_as_no_scoring() -> None:
    """kennisnet's gap-match-no-processing: a match item with a mapping whose response
    processing never sets SCORE (every response scores 0), refused with that reason
    rather than as a scoring difference of some type."""
    shared_path("qti-samples")
    path = (
        SHARED / "qti-samples/kennisnet-php-qti3/tests/Unit/AssessmentItem/Service/resources"
        "/gap-match-no-processing.xml"
    )
    result = convert(path, HOST.item_types)
    (entry,) = [e for e in result.report if e.status != "note"]
    assert entry.reason == "no_scoring"
    assert "never sets SCORE" in entry.message_en


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        (
            "stomp/chc_mulS.xml",
            "the exact correct response (ChoiceA ChoiceB) scores 5, more than its choices' "
            "values together (4): a bonus for the exact answer has no form",
        ),
        (
            "ims/order_partial_scoring.xml",
            "other orders score too (DriverC DriverB DriverA: 1); an ordering item of the bank "
            "scores the exact order or each position; per-position scoring differs too: "
            "DriverA DriverC DriverB scores 0 in the source, 0.666667 per position",
        ),
        (
            "stomp/slider2.xml",
            "the source scores the parts together: the response {RESP1=2, RESP2=18} scores 1, "
            "not the sum of what each part scores alone (0 + 0, the other parts blank); a "
            "composite item scores each part by itself and adds them up",
        ),
    ],
)
def test_scoring_without_a_form_is_refused_with_its_reason(relative: str, reason: str) -> None:
    shared_path("qti-samples")
    result = convert(SAMPLES / relative, HOST.item_types)
    (entry,) = [e for e in result.report if e.status != "note"]
    assert entry.reason == "not_representable"
    assert reason in entry.message_en


def test_no_item_type_says_why_when_the_item_itself_does() -> None:
    """The corpus's no_item_type refusals name what no item can hold: a response type
    the interaction never sends, several texts for one essay; two different selections
    scoring fully are not_representable (one set of keys)."""
    shared_path("qti-samples")
    kennisnet = (
        SHARED / "qti-samples/kennisnet-php-qti3/tests/Unit/AssessmentItem/Service/resources"
    )
    cases = [
        (kennisnet / "simple-match-processing.xml", "sends directedPair values, but its response"),
        (SAMPLES / "regressions/extendedTextInteraction-multiple1.xml", "several texts"),
        (SAMPLES / "ims/choice_multiple_chocolade.xml", "several different selections score"),
    ]
    for path, reason in cases:
        result = convert(path, HOST.item_types)
        (entry,) = [e for e in result.report if e.status != "note"]
        assert reason in entry.message_en, entry.message_en
