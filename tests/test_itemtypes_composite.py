"""Composite items: parts of other registered types, scored as the sum of the parts;
their content checks, and imports of items with several interactions."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from itembank.itemtypes import ContentError
from itembank.plugins import BUILTIN_PLUGINS, PluginHost
from itembank.qti_bridge.convert import convert
from qti.writer import write_item
from qti.xml import serialize
from tests.itemtype_helpers import problems

HOST = PluginHost(entry_points=False)
COMPOSITE = HOST.item_type("composite")
#: The types a part may have: every built-in type that scores by itself and exports.
USABLE = (
    "single_choice, multiple_response, weighted_options, true_false, short_text, ordering, "
    "matching, likert, inline_choice, numeric, slider, gap_match, hot_text, hotspot, associate, "
    "graphic_gap_match, select_point, graphic_order, graphic_associate"
)


def opts(*ids: str) -> list[dict[str, str]]:
    return [{"id": ident, "text": f"<p>Pilihan {ident}</p>"} for ident in ids]


CONTENT: dict[str, Any] = {
    "parts": [
        {
            "id": "RESPONSE_1",
            "type": "single_choice",
            "prompt": "<p>Bagian pertama</p>",
            "content": {"options": opts("A", "B", "C"), "key": "B", "points": 2},
        },
        {
            "id": "RESPONSE_2",
            "type": "short_text",
            "prompt": "",
            "content": {"accepted": ["Bandung"], "points": 1.5},
        },
    ]
}


def test_the_score_is_the_sum_of_the_parts() -> None:
    content = COMPOSITE.load(CONTENT)
    assert content["parts"][1]["content"]["case_sensitive"] is False  # the part's own load
    assert COMPOSITE.score(content, None) == 0
    assert COMPOSITE.score(content, [None, None]) == 0
    assert COMPOSITE.score(content, ["B", None]) == 2
    assert COMPOSITE.score(content, ["A", "bandung"]) == 1.5
    assert COMPOSITE.score(content, ["B", "Bandung"]) == 3.5
    assert COMPOSITE.max_score(content) == 3.5
    for wrong in ("B", ["B"], ["B", "x", None], {"RESPONSE_1": "B"}):
        with pytest.raises(ValueError):
            COMPOSITE.score(content, wrong)
    assert COMPOSITE.qti_response(content, ["B", None]) == {"RESPONSE_1": "B", "RESPONSE_2": None}
    assert COMPOSITE.response_from_qti(content, {"RESPONSE_1": "B"}) == ["B", None]
    assert COMPOSITE.response_from_qti(content, {"RESPONSE_1": None}) is None
    summary = COMPOSITE.summary(content)
    assert list(summary.options) == ["RESPONSE_1.A", "RESPONSE_1.B", "RESPONSE_1.C"]
    assert summary.keys == ["RESPONSE_1.B", "RESPONSE_2.Bandung"]  # as option ids: "RESPONSE_1.B"
    assert summary.extra["parts"] == ["RESPONSE_1: single_choice", "RESPONSE_2: short_text"]


def test_the_scorer_scores_as_score_with_each_part_s_own_scorer() -> None:
    """The composite's ``scorer`` (each part's type and scorer found once) gives what
    ``score`` gives, and refuses what it refuses; a part type's own scorer is used (select
    point's, which finds each point's area once)."""
    parts = [
        *CONTENT["parts"],
        {
            "id": "RESPONSE_3",
            "type": "select_point",
            "prompt": "",
            "content": HOST.item_type("select_point").example_content(),
        },
    ]
    content = COMPOSITE.load({"parts": parts})
    scorer = COMPOSITE.scorer(content)
    select_point = HOST.item_type("select_point")
    points = [None, [[0, 0]], [[5, 5], [60, 40]], [[30, 30]], [[-1, 9999]]]
    responses = [None] + [
        [choice, text, point]
        for choice in (None, "A", "B")
        for text in (None, "bandung", "Jakarta")
        for point in points
    ]
    for response in responses:
        expected = COMPOSITE.score(content, response)
        assert scorer(response) == expected, response
        assert type(scorer(response)) is type(expected)
    for point in points:
        alone = select_point.score(parts[2]["content"], point)
        assert scorer([None, None, point]) == alone
    for wrong in ("B", ["B"], ["B", "x", None, None], {"RESPONSE_1": "B"}, [None, None, [1]]):
        with pytest.raises(ValueError):
            COMPOSITE.score(content, wrong)
        with pytest.raises(ValueError):
            scorer(wrong)


def changed(path: list[Any], value: Any) -> dict[str, Any]:
    content = copy.deepcopy(CONTENT)
    target: Any = content
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return content


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            changed(["parts", 0, "content", "key"], "Z"),
            (
                "parts.0.content.key",
                "Kunci 'Z' tidak ada di pilihan jawaban.",
                "Key 'Z' is not one of the options.",
            ),
        ),
        (
            changed(["parts", 1, "type"], "extended_text"),
            (
                "parts.1.type",
                f"Jenis bagian 'extended_text' tidak dapat dipakai (yang dapat: {USABLE}).",
                f"Part type 'extended_text' cannot be used (usable: {USABLE}).",
            ),
        ),
        (
            changed(["parts", 1, "type"], "composite"),
            (
                "parts.1.type",
                f"Jenis bagian 'composite' tidak dapat dipakai (yang dapat: {USABLE}).",
                f"Part type 'composite' cannot be used (usable: {USABLE}).",
            ),
        ),
        (
            changed(["parts", 1, "id"], "RESPONSE_1"),
            (
                "parts.1.id",
                "Kode bagian 'RESPONSE_1' dipakai lebih dari sekali.",
                "Part identifier 'RESPONSE_1' is used more than once.",
            ),
        ),
        (
            changed(["parts", 1, "id"], "SCORE"),
            (
                "parts.1.id",
                "Kode bagian 'SCORE' dipakai untuk skor; pilih kode lain.",
                "The part identifier 'SCORE' is used for scores; choose another.",
            ),
        ),
        (
            changed(["parts", 1, "id"], "2 salah"),
            (
                "parts.1.id",
                "Kode bagian '2 salah' tidak valid: gunakan huruf, angka, '_', '.' atau '-', "
                "diawali huruf atau '_', paling panjang 32 karakter.",
                "The part identifier '2 salah' is not valid: use letters, digits, '_', '.' or "
                "'-', starting with a letter or '_', at most 32 characters.",
            ),
        ),
        (
            changed(["parts"], CONTENT["parts"][:1]),
            ("parts", "Minimal 2 bagian.", "At least 2 parts are required."),
        ),
    ],
)
def test_problems_name_the_part_and_its_field(
    content: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    assert expected in problems(COMPOSITE, content)


def test_a_wrong_part_content_never_raises_anything_but_content_error() -> None:
    for broken in ({"options": "x"}, {"key": 5}, {}):
        with pytest.raises(ContentError):
            COMPOSITE.load(changed(["parts", 0, "content"], broken))
    assert list(COMPOSITE.html_fields({"parts": [{"type": ["x"], "content": {}}, 5]})) == []
    too_many = {"parts": [CONTENT["parts"][0]] * 21}
    assert problems(COMPOSITE, too_many)[0][0] == "parts"
    assert list(COMPOSITE.html_fields(changed(["parts", 0, "content"], {"options": 5}))) == [
        ("parts.0.prompt", "<p>Bagian pertama</p>"),
        ("parts.1.prompt", ""),
    ]


def test_the_preview_numbers_the_parts_with_their_own_ids() -> None:
    html = COMPOSITE.preview_html("<p>Soal</p>", COMPOSITE.load(CONTENT), "id")
    assert html.count('class="ib-part"') == 2
    assert "Bagian 1" in html and "Bagian 2" in html and "Pilih satu jawaban." in html
    ids = [chunk.split('"')[0] for chunk in html.split(' id="')[1:]]
    assert len(ids) == len(set(ids)), ids


# -- importing items with several interactions -------------------------------------------

TWO_CHOICES = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="two"
    title="Dua pilihan" adaptive="false" timeDependent="false">
<responseDeclaration identifier="Q1" cardinality="single" baseType="identifier">
<correctResponse><value>A</value></correctResponse></responseDeclaration>
<responseDeclaration identifier="Q2" cardinality="single" baseType="identifier">
<correctResponse><value>D</value></correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float">
<defaultValue><value>0</value></defaultValue></outcomeDeclaration>
<itemBody><p>Jawab kedua pertanyaan.</p>
<choiceInteraction responseIdentifier="Q1" maxChoices="1"><prompt>Ibu kota?</prompt>
<simpleChoice identifier="A">Jakarta</simpleChoice><simpleChoice identifier="B">Bogor</simpleChoice>
</choiceInteraction>
<choiceInteraction responseIdentifier="Q2" maxChoices="1"><prompt>Lambang sila ke-3?</prompt>
<simpleChoice identifier="C">Bintang</simpleChoice>
<simpleChoice identifier="D">Beringin</simpleChoice>
</choiceInteraction></itemBody>
<responseProcessing>{rules}</responseProcessing>
</assessmentItem>"""

ADD = """<responseCondition><responseIf><match><variable identifier="{r}"/>
<correct identifier="{r}"/></match><setOutcomeValue identifier="SCORE"><sum>
<variable identifier="SCORE"/><baseValue baseType="float">{points}</baseValue></sum>
</setOutcomeValue></responseIf></responseCondition>"""
BONUS = """<responseCondition><responseIf><and><match><variable identifier="Q1"/>
<correct identifier="Q1"/></match><match><variable identifier="Q2"/><correct identifier="Q2"/>
</match></and><setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/>
<baseValue baseType="float">1</baseValue></sum></setOutcomeValue></responseIf>
</responseCondition>"""


def _convert(rules: str, host: PluginHost = HOST) -> Any:
    document = TWO_CHOICES.replace("{rules}", rules).encode()
    return convert(document, host.item_types, name="two.xml")


def test_two_choices_scored_as_a_sum_import_as_a_composite() -> None:
    result = _convert(ADD.format(r="Q1", points=1) + ADD.format(r="Q2", points=2))
    (candidate,) = result.candidates
    assert candidate.type_id == "composite"
    parts = candidate.content["parts"]
    assert [(p["id"], p["type"], p["prompt"]) for p in parts] == [
        ("Q1", "single_choice", "Ibu kota?"),
        ("Q2", "single_choice", "Lambang sila ke-3?"),
    ]
    assert [p["content"]["points"] for p in parts] == [1, 2]
    assert candidate.stem == "<p>Jawab kedua pertanyaan.</p>"
    assert candidate.responses_checked == 9  # every combination of 3 x 3
    # exported again, it comes back the same, responses named as the source named them
    model = COMPOSITE.qti_item(candidate.stem, candidate.content, identifier="I", title="I")
    again = convert(serialize(write_item(model, "3.0")), HOST.item_types, name="again.xml")
    assert [c.content for c in again.candidates] == [candidate.content]


def test_a_bonus_for_every_part_right_is_refused() -> None:
    result = _convert(ADD.format(r="Q1", points=1) + ADD.format(r="Q2", points=1) + BONUS)
    assert result.candidates == []
    (entry,) = [e for e in result.report if e.status == "not_imported"]
    assert entry.reason == "scoring_mismatch"
    assert "{Q1='A', Q2='D'} scores 3 in the source but 2 in the bank" in entry.message_en


def test_parts_that_score_only_together_are_refused_by_name() -> None:
    result = _convert(BONUS)
    (entry,) = [e for e in result.report if e.status == "not_imported"]
    assert entry.reason == "not_representable"
    assert entry.message_en.endswith(
        "the source scores the parts together: the response {Q1='A', Q2='D'} scores 1, not "
        "the sum of what each part scores alone (0 + 0, the other parts blank); a composite "
        "item scores each part by itself and adds them up"
    )


def test_without_the_composite_type_several_interactions_are_refused() -> None:
    host = PluginHost(
        builtins=[name for name in BUILTIN_PLUGINS if name != "plugins.itemtypes.composite"],
        entry_points=False,
    )
    result = _convert(ADD.format(r="Q1", points=1) + ADD.format(r="Q2", points=2), host)
    (entry,) = [e for e in result.report if e.status == "not_imported"]
    assert entry.reason == "several_interactions"
    assert "2 interactions, and no item type represents them together" in entry.message_en
