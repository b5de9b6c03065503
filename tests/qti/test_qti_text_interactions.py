"""Text-based interactions in the model (:class:`qti.model.InlineBlock`, gap match, hot
text): XHTML with ``qti-slot`` placeholders, written as schema-valid QTI 3.0 and 2.1 and
read back to the same model; misplaced parts refused with a reason."""

from __future__ import annotations

import pytest

from qti.model import (
    AssessmentItem,
    Choice,
    Gap,
    GapMatchInteraction,
    HottextInteraction,
    Html,
    InlineBlock,
    InlineChoiceInteraction,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    SetOutcome,
    TextEntryInteraction,
    number,
    text_span,
)
from qti.reader import ItemReadError, read_item
from qti.validate import validate_element
from qti.writer import QtiWriteError, write_item
from qti.xml import serialize

SENTENCE = InlineBlock(
    '<p>Ibu kota <qti-slot index="0"/> adalah <b><qti-slot index="1"/></b> dan '
    '<qti-slot index="2"/> &amp; <img src="a.png" alt=""/>.</p>',
    (
        InlineChoiceInteraction("G1", (Choice("A", "Bandung"), Choice("B", "Bogor &lt; x"))),
        InlineChoiceInteraction("G2", (Choice("A", "x"), Choice("B", "y")), shuffle=True),
        TextEntryInteraction("N", 10),
    ),
)
GAP_MATCH = GapMatchInteraction(
    "GM",
    (Choice("W1", "kata", match_max=1), Choice("W2", "lain", match_max=0)),
    '<p>Isi <qti-slot index="0"/> dan <qti-slot index="1"/>.</p>',
    (Gap("X1"), Gap("X2", True)),
    shuffle=True,
    prompt="Seret kata ke rumpang.",
)
HOT_TEXT = HottextInteraction(
    "HT",
    '<div class="teks"><p>Pilih <qti-slot index="0"/> atau <qti-slot index="1"/>.</p></div>',
    (Choice("H1", "kata <i>ini</i>"), Choice("H2", "itu")),
    max_choices=0,
)


DECLARATIONS = {
    "G1": ResponseDeclaration("G1", "single", "identifier", ("A",)),
    "G2": ResponseDeclaration("G2", "single", "identifier", ("B",)),
    "N": ResponseDeclaration("N", "single", "float"),
    "GM": ResponseDeclaration("GM", "multiple", "directedPair", ("W1 X1",)),
    "HT": ResponseDeclaration("HT", "multiple", "identifier", ("H1",)),
}


def _item(*body: object) -> AssessmentItem:
    used = [
        i.response_identifier
        for part in body
        for i in (part.interactions if isinstance(part, InlineBlock) else (part,))
        if hasattr(i, "response_identifier")
    ]
    return AssessmentItem(
        identifier="q1",
        title="Q1",
        responses=tuple(DECLARATIONS[name] for name in used),
        outcomes=(OutcomeDeclaration("SCORE"),),
        body=body,  # type: ignore[arg-type]
        processing=ResponseProcessing(rules=(SetOutcome("SCORE", number(0)),)),
    )


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_text_interactions_are_written_valid_and_read_back_the_same(version: str) -> None:
    item = _item(Html("<p>Pokok soal.</p>"), SENTENCE, GAP_MATCH, HOT_TEXT)
    root = write_item(item, version)  # type: ignore[arg-type]
    assert validate_element(root) == []
    reading = read_item(serialize(root))
    assert reading.item.body == (Html("<div><p>Pokok soal.</p></div>"), *item.body[1:])
    assert [type(i).__name__ for i in reading.item.interactions()] == [
        "InlineChoiceInteraction",
        "InlineChoiceInteraction",
        "TextEntryInteraction",
        "GapMatchInteraction",
        "HottextInteraction",
    ]
    assert reading.item.interaction_types() == [
        "inlineChoiceInteraction",
        "textEntryInteraction",
        "gapMatchInteraction",
        "hottextInteraction",
    ]
    assert text_span(reading.item.body) == (1, 4)


def test_slots_are_numbered_in_document_order_when_read() -> None:
    swapped = InlineBlock(
        '<p><qti-slot index="1"/> lalu <qti-slot index="0"/></p>',
        (SENTENCE.interactions[0], SENTENCE.interactions[1]),
    )
    read = read_item(serialize(write_item(_item(swapped), "3.0"))).item.body[0]
    assert read == InlineBlock(
        '<p><qti-slot index="0"/> lalu <qti-slot index="1"/></p>',
        (SENTENCE.interactions[1], SENTENCE.interactions[0]),
    )


@pytest.mark.parametrize(
    "content",
    [
        '<p>Hanya <qti-slot index="0"/>.</p>',  # one of three slots
        '<p><qti-slot index="0"/><qti-slot index="0"/><qti-slot index="1"/></p>',
        '<p><qti-slot index="0"/><qti-slot index="1"/><qti-slot index="7"/></p>',
    ],
)
def test_slots_that_do_not_name_each_part_once_are_refused(content: str) -> None:
    block = InlineBlock(content, SENTENCE.interactions)
    with pytest.raises(QtiWriteError, match="do not name each of its 3 parts once"):
        write_item(_item(block), "2.1")


V21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"


def _doc(body: str) -> bytes:
    return (
        f'<assessmentItem xmlns="{V21}" identifier="q" title="Q" adaptive="false" '
        'timeDependent="false"><responseDeclaration identifier="R" cardinality="single" '
        'baseType="identifier"/><itemBody>'
        f"{body}</itemBody></assessmentItem>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<p>Sebuah <gap identifier="X"/> lepas.</p>', "<gap> is out of place"),
        (
            '<choiceInteraction responseIdentifier="R"><prompt>Pilih <inlineChoiceInteraction '
            'responseIdentifier="R" shuffle="false"><inlineChoice identifier="A">a</inlineChoice>'
            '</inlineChoiceInteraction></prompt><simpleChoice identifier="A">a</simpleChoice>'
            "</choiceInteraction>",
            "<inlineChoiceInteraction> is out of place",
        ),
    ],
)
def test_embedded_parts_out_of_their_text_are_refused(body: str, message: str) -> None:
    with pytest.raises(ItemReadError) as raised:
        read_item(_doc(body))
    assert raised.value.code == "invalid_item" and message in raised.value.message


def test_a_gap_match_with_images_is_not_supported() -> None:
    body = (
        '<gapMatchInteraction responseIdentifier="R" shuffle="false"><gapImg identifier="I" '
        'matchMax="1"><object data="a.png" type="image/png"/></gapImg><p><gap identifier="X"/>'
        "</p></gapMatchInteraction>"
    )
    with pytest.raises(ItemReadError) as raised:
        read_item(_doc(body))
    assert raised.value.code in ("unsupported_interaction", "unsupported_content")
