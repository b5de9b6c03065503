"""The text-based item types (inline choice, numeric answer): their checks in both
languages, their markers, and QTI items written elsewhere imported as them, each with its
scoring proof - honest sources imported, sources that score one response apart refused."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from itembank.itemtypes import ContentError
from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import ImportResult, convert
from plugins.itemtypes.qti_writers._markers import (
    markers_from_slots,
    markers_in,
    replace_markers_html,
    slots_from_markers,
)
from qti.rp import run_response_processing
from qti.validate import validate_element
from qti.writer import write_item
from qti.xml import parse_bytes, serialize
from tests.itemtype_helpers import patched, problems

TYPES = PluginHost(entry_points=False).item_types
INLINE = TYPES["inline_choice"]
NUMERIC = TYPES["numeric"]


def _outcome(result: ImportResult) -> tuple[str, str, str]:
    (entry,) = [e for e in result.report if e.status != "note"]
    return entry.status, entry.type_id or entry.reason, entry.message_en


# -- markers -------------------------------------------------------------------------------------


def test_markers_become_slots_and_back_wherever_they_are_in_the_text() -> None:
    text = "<p>A [[G1]] b <b>[[G2]] c</b> [[X]] d[[G3]]e &amp; f</p>[[G4]]"
    codes = ["G1", "G2", "G3", "G4"]
    slotted = slots_from_markers(text, codes)
    assert slotted == (
        '<p>A <qti-slot index="0"/> b <b><qti-slot index="1"/> c</b> [[X]] '
        'd<qti-slot index="2"/>e &amp; f</p><qti-slot index="3"/>'
    )
    assert markers_from_slots(slotted, codes) == text
    assert markers_in(text) == ["G1", "G2", "X", "G3", "G4"]


def test_markers_inside_tags_are_not_gaps() -> None:
    html = '<p><img src="/media/x" alt="[[G1]]">[[G1]]</p>'
    assert markers_in(html) == ["G1"]
    assert replace_markers_html(html, lambda code: f"<{code}>") == (
        '<p><img src="/media/x" alt="[[G1]]"><G1></p>'
    )


# -- inline choice: checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "english"),
    [
        ({"text": "<p>Tanpa rumpang [[G1]].</p>"}, "text", "Gap 'G2' is not marked in the text"),
        (
            {"text": "<p>[[G1]] [[G2]] [[G2]]</p>"},
            "text",
            "Gap 'G2' is marked 2 times in the text",
        ),
        ({"text": "<p>[[G1]] [[G2]] [[G9]]</p>"}, "text", "The marker [[G9]] in the text"),
        ({"gaps.0.correct": "Z"}, "gaps.0.correct", "The key of gap 'G1' is not one of"),
        ({"gaps.1.options.1.text": "bpupki"}, "gaps.1.options.1.text", "is already listed"),
        ({"gaps.1.options.1.text": "<b>PPKI</b>"}, "gaps.1.options.1.text", "contains HTML"),
        ({"gaps.1.options.1.text": " "}, "gaps.1.options.1.text", "The option's text is empty"),
        ({"gaps.0.options.1.id": "A"}, "gaps.0.options.1.id", "is not valid or is used more"),
        ({"gaps.0.points": 0}, "gaps.0.points", "Points must be greater than 0"),
        (
            {"gaps.1.id": "SCORE", "text": "<p>[[G1]] [[SCORE]]</p>"},
            "gaps.1.id",
            "not SCORE or MAXSCORE",
        ),
    ],
)
def test_inline_choice_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, english: str
) -> None:
    found = problems(INLINE, patched(INLINE.example_content(), changes))
    matching = [p for p in found if p[0] == field and english in p[2]]
    assert matching, found
    assert matching[0][1] and matching[0][1] != matching[0][2]  # Indonesian first


def test_inline_choice_needs_a_gap_and_two_options_per_gap() -> None:
    content = INLINE.example_content()
    with pytest.raises(ContentError) as raised:
        INLINE.load({**content, "gaps": [], "text": "<p>x</p>"})
    assert raised.value.problems[0].field == "gaps"
    one = patched(content, {"gaps.0.options": [{"id": "A", "text": "satu"}]})
    assert any(p[0] == "gaps.0.options" for p in problems(INLINE, {**one, "gaps": one["gaps"]}))


def test_inline_choice_scores_the_sum_of_the_gaps_and_refuses_other_shapes() -> None:
    content = INLINE.example_content()
    assert INLINE.score(content, {"G1": "B", "G2": "B"}) == 2
    assert INLINE.score(content, {"G1": "B"}) == 1
    assert INLINE.score(content, {"G1": "A", "G2": "B"}) == 1
    assert INLINE.score(content, {"G1": None, "G2": None}) == 0
    assert INLINE.score(content, None) == 0
    for wrong in ("B", ["B"], {"G3": "A"}, {"G1": 1}):
        with pytest.raises(ValueError):
            INLINE.score(content, wrong)
    assert INLINE.qti_response(content, {"G1": "B"}) == {"G1": "B", "G2": None}
    with pytest.raises(ValueError):
        INLINE.qti_response(content, {"G1": "A B"})


def test_inline_choice_preview_escapes_option_texts_and_keeps_alt_markers() -> None:
    content = patched(
        INLINE.example_content(),
        {
            "gaps.0.options.0.text": '"><script>alert(1)</script>',
            "text": '<p><img src="/media/x" alt="[[G1]]">[[G1]] dan [[G2]]</p>',
        },
    )
    html = INLINE.preview_html("<p>Lengkapi.</p>", content)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'alt="[[G1]]"' in html and html.count("<select") == 2


# -- numeric: checks and scoring -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "english"),
    [
        (
            {"answer": -4, "tolerance": 5, "tolerance_mode": "relative"},
            "tolerance_mode",
            "A relative tolerance needs a positive answer",
        ),
        ({"tolerance": 150, "tolerance_mode": "relative"}, "tolerance", "at most 100 percent"),
        ({"points": 0}, "points", "Points must be greater than 0"),
        ({"tolerance": -1}, "tolerance", "greater than or equal to 0"),
        ({"tolerance_mode": "percent"}, "tolerance_mode", "Must be one of"),
    ],
)
def test_numeric_problems_name_the_field_in_both_languages(
    changes: dict[str, Any], field: str, english: str
) -> None:
    found = problems(NUMERIC, patched(NUMERIC.example_content(), changes))
    assert any(p[0] == field and english in p[2] and p[1] != p[2] for p in found), found


def test_numeric_scores_inside_the_tolerance_bounds_included() -> None:
    absolute = NUMERIC.example_content()  # 1.54 +- 0.01
    assert [NUMERIC.score(absolute, v) for v in (1.53, 1.54, 1.55, 1.56, None)] == [2, 2, 2, 0, 0]
    relative = {**absolute, "answer": 200, "tolerance": 5, "tolerance_mode": "relative"}
    assert [NUMERIC.score(relative, v) for v in (189.9, 190, 210, 210.01)] == [0, 2, 2, 0]
    exact = {**absolute, "tolerance": 0}
    assert [NUMERIC.score(exact, v) for v in (1.54, 1.5400000000000003)] == [2, 0]
    for wrong in ("1.54", True, [1.54], float("nan")):
        with pytest.raises(ValueError):
            NUMERIC.score(absolute, wrong)


# -- foreign items imported, with their proofs ---------------------------------------------------

_HEAD21 = (
    '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{ident}" '
    'title="T" adaptive="false" timeDependent="false">'
)


def _gap_item(rules: str, *, points: tuple[float, float] = (1, 2)) -> bytes:
    """Two inline choices in one sentence (keys ``B`` and ``Q``), QTI 2.1; ``rules`` is
    the response processing (``{p1}``/``{p2}`` are the gaps' points)."""
    return (
        _HEAD21.format(ident="gaps")
        + '<responseDeclaration identifier="R1" cardinality="single" baseType="identifier">'
        "<correctResponse><value>B</value></correctResponse></responseDeclaration>"
        '<responseDeclaration identifier="R2" cardinality="single" baseType="identifier">'
        "<correctResponse><value>Q</value></correctResponse></responseDeclaration>"
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>0</value></defaultValue></outcomeDeclaration>"
        "<itemBody><p>Lengkapi kalimat berikut.</p><p>Ibu kota Jawa Barat adalah "
        '<inlineChoiceInteraction responseIdentifier="R1" shuffle="false">'
        '<inlineChoice identifier="A">Bogor</inlineChoice>'
        '<inlineChoice identifier="B">Bandung</inlineChoice>'
        '<inlineChoice identifier="C">Bekasi &amp; sekitarnya</inlineChoice>'
        "</inlineChoiceInteraction> dan ibu kota <em>Jawa Tengah</em> adalah "
        '<inlineChoiceInteraction responseIdentifier="R2" shuffle="true">'
        '<inlineChoice identifier="P">Solo</inlineChoice>'
        '<inlineChoice identifier="Q">Semarang</inlineChoice>'
        "</inlineChoiceInteraction>.</p></itemBody>"
        f"<responseProcessing>{rules.format(p1=points[0], p2=points[1])}</responseProcessing>"
        "</assessmentItem>"
    ).encode()


def _add_when_right(gap: str, points: str) -> str:
    return (
        f'<responseCondition><responseIf><match><variable identifier="{gap}"/>'
        f'<correct identifier="{gap}"/></match><setOutcomeValue identifier="SCORE"><sum>'
        f'<variable identifier="SCORE"/><baseValue baseType="float">{points}</baseValue>'
        "</sum></setOutcomeValue></responseIf></responseCondition>"
    )


SUM_OF_GAPS = _add_when_right("R1", "{p1}") + _add_when_right("R2", "{p2}")
# Both right earn a bonus point: one combination scores apart from the sum.
WITH_BONUS = SUM_OF_GAPS + (
    '<responseCondition><responseIf><and><match><variable identifier="R1"/>'
    '<correct identifier="R1"/></match><match><variable identifier="R2"/>'
    '<correct identifier="R2"/></match></and><setOutcomeValue identifier="SCORE"><sum>'
    '<variable identifier="SCORE"/><baseValue baseType="float">1</baseValue></sum>'
    "</setOutcomeValue></responseIf></responseCondition>"
)
# Only both right score: no gap scores alone.
ALL_OR_NOTHING = (
    '<responseCondition><responseIf><and><match><variable identifier="R1"/>'
    '<correct identifier="R1"/></match><match><variable identifier="R2"/>'
    '<correct identifier="R2"/></match></and><setOutcomeValue identifier="SCORE">'
    '<baseValue baseType="float">3</baseValue></setOutcomeValue></responseIf>'
    "</responseCondition>"
)


def test_a_sentence_with_two_inline_choices_is_imported_with_every_combination_proved() -> None:
    result = convert(_gap_item(SUM_OF_GAPS, points=(0.5, 2)), TYPES, name="gaps.xml")
    status, type_id, message = _outcome(result)
    assert (status, type_id) == ("imported", "inline_choice"), message
    assert "checked on 12 responses" in message  # (3 + 1) * (2 + 1), blank included
    (candidate,) = result.candidates
    assert candidate.stem == "<p>Lengkapi kalimat berikut.</p>"
    content = candidate.content
    assert content["text"] == (
        "<p>Ibu kota Jawa Barat adalah [[R1]] dan ibu kota <em>Jawa Tengah</em> adalah [[R2]].</p>"
    )
    assert [(g["id"], g["correct"], g["points"]) for g in content["gaps"]] == [
        ("R1", "B", 0.5),
        ("R2", "Q", 2),
    ]
    assert content["gaps"][0]["options"][2] == {"id": "C", "text": "Bekasi & sekitarnya"}
    assert content["shuffle"] is True
    # exported again, it scores every combination as the source does
    source = parse_bytes(_gap_item(SUM_OF_GAPS, points=(0.5, 2)))
    for version in ("3.0", "2.1"):
        model = INLINE.qti_item(candidate.stem, content, identifier="q", title="Q")
        root = write_item(model, version)  # type: ignore[arg-type]
        assert validate_element(root) == []
        root = parse_bytes(serialize(root))
        for r1, r2 in itertools.product([None, "A", "B", "C"], [None, "P", "Q"]):
            given = {"R1": r1, "R2": r2}
            expected = run_response_processing(source, given)["SCORE"]
            assert run_response_processing(root, given)["SCORE"] == expected
            assert INLINE.score(content, given) == expected


def test_a_combination_scored_apart_is_refused_and_so_are_gaps_without_own_scores() -> None:
    status, reason, message = _outcome(convert(_gap_item(WITH_BONUS), TYPES, name="g.xml"))
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert "the response {R1='B', R2='Q'} scores 4 in the source but 3 in the bank" in message
    status, reason, message = _outcome(convert(_gap_item(ALL_OR_NOTHING), TYPES, name="g.xml"))
    assert (status, reason) == ("not_imported", "not_representable")
    assert "In gap 'R1' not exactly one option scores on its own" in message


def _numeric_item(equal: str, *, base: str = "float", correct: str = "9.81") -> bytes:
    return (
        _HEAD21.format(ident="num")
        + f'<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="{base}">'
        f"<correctResponse><value>{correct}</value></correctResponse></responseDeclaration>"
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>0</value></defaultValue></outcomeDeclaration>"
        "<itemBody><p>Percepatan gravitasi (m/s²)?</p>"
        '<p><textEntryInteraction responseIdentifier="RESPONSE" expectedLength="6"/></p>'
        "</itemBody><responseProcessing><responseCondition><responseIf>"
        f'{equal}<setOutcomeValue identifier="SCORE"><baseValue baseType="float">2'
        "</baseValue></setOutcomeValue></responseIf></responseCondition></responseProcessing>"
        "</assessmentItem>"
    ).encode()


def _equal(attrs: str, first: str = '<correct identifier="RESPONSE"/>') -> str:
    return f'<equal {attrs}>{first}<variable identifier="RESPONSE"/></equal>'


@pytest.mark.parametrize(
    ("attrs", "mode", "tolerance"),
    [
        ('toleranceMode="absolute" tolerance="0.05"', "absolute", 0.05),
        ('toleranceMode="relative" tolerance="2 2"', "relative", 2),
        ('toleranceMode="exact"', "absolute", 0),
    ],
)
def test_a_numeric_entry_with_a_tolerance_is_imported(
    attrs: str, mode: str, tolerance: float
) -> None:
    result = convert(_numeric_item(_equal(attrs)), TYPES, name="n.xml")
    status, type_id, message = _outcome(result)
    assert (status, type_id) == ("imported", "numeric"), message
    (candidate,) = result.candidates
    assert candidate.content == {
        "answer": 9.81,
        "tolerance": tolerance,
        "tolerance_mode": mode,
        "points": 2,
        "expected_length": 6,
    }
    assert candidate.stem.startswith("<p>Percepatan gravitasi (m/s²)?</p>")


@pytest.mark.parametrize(
    ("equal", "reason", "english"),
    [
        (
            _equal('toleranceMode="absolute" tolerance="0.05 0.1"'),
            "not_representable",
            "The tolerance differs on the two sides",
        ),
        (
            _equal(
                'toleranceMode="absolute" tolerance="0.05"',
                '<baseValue baseType="float">9.81</baseValue>',
            ).replace("<equal ", '<equal includeUpperBound="false" '),
            "not_representable",
            "leaves out its bounds",
        ),
        (  # the tolerance around the response: not the bank's rule at the bounds
            '<equal toleranceMode="absolute" tolerance="0.05"><variable identifier="RESPONSE"/>'
            '<correct identifier="RESPONSE"/></equal>',
            "not_representable",
            "around the candidate's response",
        ),
    ],
)
def test_numeric_tolerances_the_bank_cannot_hold_are_refused(
    equal: str, reason: str, english: str
) -> None:
    status, got, message = _outcome(convert(_numeric_item(equal), TYPES, name="n.xml"))
    assert (status, got) == ("not_imported", reason)
    assert english in message


def test_a_numeric_source_scoring_beyond_its_tolerance_is_refused_by_the_proof() -> None:
    """The source also scores anything from 100 up: the constant is a number the proof
    tries. Two different tolerances are refused before the proof, with the reason."""
    wider = (
        '<or><equal toleranceMode="absolute" tolerance="0.05"><correct identifier="RESPONSE"/>'
        '<variable identifier="RESPONSE"/></equal><gte><variable identifier="RESPONSE"/>'
        '<baseValue baseType="float">100</baseValue></gte></or>'
    )
    status, reason, message = _outcome(convert(_numeric_item(wider), TYPES, name="n.xml"))
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert "the response 100 scores 2 in the source but 0 in the bank" in message
    two = (
        '<or><equal toleranceMode="absolute" tolerance="0.05"><correct identifier="RESPONSE"/>'
        '<variable identifier="RESPONSE"/></equal><equal toleranceMode="exact">'
        '<baseValue baseType="float">10</baseValue><variable identifier="RESPONSE"/></equal>'
        "</or>"
    )
    status, reason, message = _outcome(convert(_numeric_item(two), TYPES, name="n.xml"))
    assert (status, reason) == ("not_imported", "not_representable")
    assert "several different tolerances" in message


# -- gap match and hot text ----------------------------------------------------------------------

GAP_MATCH = TYPES["gap_match"]
HOT_TEXT = TYPES["hot_text"]


@pytest.mark.parametrize(
    ("type_id", "changes", "field", "english"),
    [
        ("gap_match", {"key": [["G1", "A"]]}, "key", "Gap 'G2' has no key word yet"),
        ("gap_match", {"key": [["G1", "A"], ["G2", "A"]]}, "key", "is the key of 2 gaps"),
        ("gap_match", {"key": [["G1", "A"], ["G9", "B"]]}, "key.1", "names gap 'G9'"),
        ("gap_match", {"key": [["G1", "A"], ["G2", "Z"]]}, "key.1", "names word 'Z'"),
        ("gap_match", {"words.0.id": "G1"}, "words.0.id", "gap and word codes must differ"),
        ("gap_match", {"words.1.text": "Dasar"}, "words.1.text", "is already listed"),
        ("gap_match", {"text": "<p>[[G1]] saja</p>"}, "text", "Gap 'G2' is not marked"),
        ("hot_text", {"keys": []}, "keys", "Choose at least one key"),
        ("hot_text", {"keys": ["H9"]}, "keys.0", "Key 'H9' is not one of the hot texts"),
        ("hot_text", {"max_choices": 1}, "max_choices", "below the number of keys (2)"),
        ("hot_text", {"text": "<p>[[H1]] [[H2]] [[H3]]</p>"}, "text", "'H4' is not marked"),
        ("hot_text", {"hottexts.1.text": "<em> </em>"}, "hottexts.1.text", "text is empty"),
        ("hot_text", {"hottexts.1.text": "<em>Pegawai</em>"}, "hottexts.1.text", "already listed"),
        (
            "hot_text",
            {"hottexts.1.text": "<em>xyz</em>" * 70},
            "hottexts.1.text",
            "longer than 200",
        ),
    ],
)
def test_gap_match_and_hot_text_problems_in_both_languages(
    type_id: str, changes: dict[str, Any], field: str, english: str
) -> None:
    item_type = TYPES[type_id]
    found = problems(item_type, patched(item_type.example_content(), changes))
    assert any(p[0] == field and english in p[2] and p[1] != p[2] for p in found), found


def test_reused_words_may_be_the_key_of_several_gaps() -> None:
    content = {**GAP_MATCH.example_content(), "key": [["G1", "A"], ["G2", "A"]]}
    content["reuse_words"] = True
    loaded = GAP_MATCH.load(content)
    assert GAP_MATCH.score(loaded, [["A", "G1"], ["A", "G2"]]) == 2
    assert GAP_MATCH.score(loaded, [["A", "G1"], ["A", "G1"]]) == 1  # a pair counts once


def test_a_hot_text_of_one_choice_is_a_single_response_in_qti() -> None:
    content = {**HOT_TEXT.example_content(), "keys": ["H3"], "max_choices": 1}
    assert HOT_TEXT.qti_response(content, ["H3"]) == {"RESPONSE": "H3"}
    assert HOT_TEXT.qti_response(content, []) == {"RESPONSE": None}
    with pytest.raises(ValueError, match="at most one"):
        HOT_TEXT.qti_response(content, ["H3", "H4"])
    assert HOT_TEXT.response_from_qti(content, "H3") == ["H3"]
    model = HOT_TEXT.qti_item("<p>Pilih.</p>", content, identifier="q", title="Q")
    assert model.responses[0].cardinality == "single"


def test_a_hot_text_keeps_inline_formatting_only() -> None:
    """A hot text may be emphasised, carry sub/superscripts or a formula; the editor's
    paragraph, a line break, an image or a link go (their text stays), as does anything
    the sanitizer removes. Plain text stored before is left as it is."""
    example = HOT_TEXT.example_content()
    formatted = [
        "<p>H<sub>2</sub>O <strong>murni</strong></p>",
        '<p><em>No error</em>.<br><img src="/media/' + "a" * 64 + '" alt="x"></p>',
        "<a href='x'>tautan</a> <script>alert(1)</script><sup>2</sup>",
        "a & b < c",
    ]
    hottexts = [
        {**hot, "text": text} for hot, text in zip(example["hottexts"], formatted, strict=True)
    ]
    loaded = HOT_TEXT.load({**example, "hottexts": hottexts})
    assert [hot["text"] for hot in loaded["hottexts"]] == [
        "H<sub>2</sub>O <strong>murni</strong>",
        "<em>No error</em>.",
        "tautan <sup>2</sup>",
        "a & b < c",
    ]
    assert HOT_TEXT.load(loaded) == loaded
    assert list(HOT_TEXT.check(loaded)) == []
    assert HOT_TEXT.summary(loaded).options["H1"] == "H<sub>2</sub>O <strong>murni</strong>"
    preview = HOT_TEXT.preview_html("<p>Pilih.</p>", loaded, "id")
    assert '-h0">H<sub>2</sub>O <strong>murni</strong></label>' in preview
    assert "script" not in preview and "href" not in preview
    fields = dict(HOT_TEXT.html_fields(loaded))
    assert fields["hottexts.2.text"] == "tautan <sup>2</sup>"


def _gap_match_item(mapping: str, match_max: str = "1") -> bytes:
    return (
        _HEAD21.format(ident="gm")
        + '<responseDeclaration identifier="RESPONSE" cardinality="multiple" '
        'baseType="directedPair"><correctResponse><value>W1 X1</value><value>W2 X2</value>'
        f"</correctResponse>{mapping}</responseDeclaration>"
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        '<itemBody><gapMatchInteraction responseIdentifier="RESPONSE" shuffle="false">'
        "<prompt>Lengkapi semboyan berikut.</prompt>"
        f'<gapText identifier="W1" matchMax="{match_max}">Bhinneka</gapText>'
        f'<gapText identifier="W2" matchMax="{match_max}">Ika</gapText>'
        f'<gapText identifier="W3" matchMax="{match_max}">Eka</gapText>'
        '<p><gap identifier="X1"/> Tunggal <gap identifier="X2"/></p>'
        "</gapMatchInteraction></itemBody>"
        '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/'
        'rptemplates/map_response"/></assessmentItem>'
    ).encode()


def test_a_gap_match_is_imported_with_every_filling_proved_and_penalties_mapped() -> None:
    honest = '<mapping defaultValue="0"><mapEntry mapKey="W1 X1" mappedValue="1"/>' + (
        '<mapEntry mapKey="W2 X2" mappedValue="0.5"/></mapping>'
    )
    result = convert(_gap_match_item(honest), TYPES, name="gm.xml")
    status, type_id, message = _outcome(result)
    assert (status, type_id) == ("imported", "gap_match"), message
    assert "checked on 13 responses" in message  # 1 + 6 single pairs + 6 pairs of pairs
    (candidate,) = result.candidates
    assert candidate.stem == "Lengkapi semboyan berikut."
    assert candidate.content["text"] == "<p>[[X1]] Tunggal [[X2]]</p>"
    assert candidate.content["key"] == [["X1", "W1"], ["X2", "W2"]]
    assert [g["points"] for g in candidate.content["gaps"]] == [1, 0.5]
    assert "scoring" not in candidate.content  # per gap
    penalty = honest.replace('defaultValue="0"', 'defaultValue="-1" lowerBound="0"')
    result = convert(_gap_match_item(penalty), TYPES, name="gm.xml")
    status, type_id, message = _outcome(result)
    assert (status, type_id) == ("imported", "gap_match"), message
    (candidate,) = result.candidates
    assert candidate.content["scoring"] == "mapped"
    assert candidate.content["key"] == [["X1", "W1"], ["X2", "W2"]]
    assert [g["points"] for g in candidate.content["gaps"]] == [1, 0.5]
    assert candidate.content["pair_values"] == []
    assert candidate.content["mapping"] == {"default": -1, "lower": 0}
    assert GAP_MATCH.score(candidate.content, [["W1", "X1"], ["W3", "X2"]]) == 0
    assert GAP_MATCH.score(candidate.content, [["W1", "X1"], ["W2", "X2"]]) == 1.5
    unbounded = penalty.replace(' lowerBound="0"', "")
    result = convert(_gap_match_item(unbounded), TYPES, name="gm.xml")
    (candidate,) = result.candidates
    assert GAP_MATCH.score(candidate.content, [["W3", "X1"], ["W1", "X2"]]) == -2
    status, reason, message = _outcome(
        convert(_gap_match_item(honest, match_max="2"), TYPES, name="gm.xml")
    )
    assert (status, reason) == ("not_imported", "not_representable")
    assert "use limits differ or exceed one" in message


@pytest.mark.parametrize("type_id", ["inline_choice", "numeric", "gap_match", "hot_text"])
@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_without_the_label_each_text_type_is_recognised_by_its_shape(
    type_id: str, version: str
) -> None:
    """The bank's export as another system would write it (no ``itembank:`` label):
    the same type, the same content."""
    from dataclasses import replace

    item_type = TYPES[type_id]
    content = item_type.load(item_type.example_content())
    model = item_type.qti_item("<p>Soal.</p>", content, identifier="Q", title="Q")
    document = serialize(write_item(replace(model, label=None), version))  # type: ignore[arg-type]
    result = convert(document, TYPES, name="q.xml")
    status, got, message = _outcome(result)
    assert (status, got) == ("imported", type_id), message
    (candidate,) = result.candidates
    assert candidate.content == content
    assert candidate.stem == "<p>Soal.</p>"


def _hot_text_item(last: str) -> bytes:
    """A single-choice hot text, QTI 2.1, whose second hot text holds ``last``."""
    return (
        _HEAD21.format(ident="ht")
        + '<responseDeclaration identifier="RESPONSE" cardinality="single" '
        'baseType="identifier"><correctResponse><value>A</value></correctResponse>'
        "</responseDeclaration>"
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        '<itemBody><p>Pilih kesalahannya.</p><hottextInteraction responseIdentifier="RESPONSE" '
        'maxChoices="1"><p>Para <hottext identifier="A">pegawai</hottext> menyusun '
        f'<hottext identifier="B">{last}</hottext></p></hottextInteraction></itemBody>'
        '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/'
        'rptemplates/match_correct"/></assessmentItem>'
    ).encode()


def test_a_hot_text_with_formatting_imports_and_one_with_an_image_is_refused() -> None:
    result = convert(_hot_text_item("<b>No</b> H<sub>2</sub>O"), TYPES, name="h.xml")
    status, got, message = _outcome(result)
    assert (status, got) == ("imported", "hot_text"), message
    (candidate,) = result.candidates
    assert candidate.content["hottexts"][1]["text"] == "<strong>No</strong> H<sub>2</sub>O"
    pictured = _hot_text_item('rencana <img src="x.png" alt="x" width="2" height="2"/>')
    status, reason, message = _outcome(convert(pictured, TYPES, name="h.xml"))
    assert (status, reason) == ("not_imported", "not_representable")
    assert "Option 'B' holds <img>; hot texts in the bank hold inline formatting only" in message
