"""Gap match as QTI: words (gap texts) dragged into the gaps of a text; each gap's key pair
adds its points."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import (
    RESPONSE,
    SCORE,
    escape_text,
    mapped_pairs_processing,
    score_outcomes,
)
from plugins.itemtypes.qti_writers._markers import slots_from_markers
from qti.model import (
    AssessmentItem,
    Branch,
    Choice,
    Condition,
    Gap,
    GapMatchInteraction,
    Html,
    ResponseDeclaration,
    ResponseProcessing,
    SetOutcome,
    base_value,
    number,
    op,
    value_text,
    variable,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A gap match interaction (multiple directedPair ``word gap``): the words as gap
    texts (``matchMax`` 1, or 0 when words may be reused), the text with a gap where each
    marker is. For each gap in order, when its key pair is in the response, ``SCORE``
    becomes ``SCORE + points`` (the order and arithmetic of the type's ``score``).
    ``mapped``: a mapping of each key pair to its gap's points and of each of
    ``pair_values``, the content's default and lower bound, the gaps' points together as
    the upper bound, scored by the ``map_response`` template."""
    key = {gap: word for gap, word in content["key"]}
    match_max = 0 if content["reuse_words"] else 1
    words = tuple(
        Choice(word["id"], escape_text(word["text"]), match_max=match_max)
        for word in content["words"]
    )
    gaps = content["gaps"]
    codes = [gap["id"] for gap in gaps]
    rules = tuple(
        Condition(
            (
                Branch(
                    op(
                        "member",
                        base_value("directedPair", (key[gap["id"]], gap["id"])),
                        variable(RESPONSE),
                    ),
                    (SetOutcome(SCORE, op("sum", variable(SCORE), number(gap["points"]))),),
                ),
            )
        )
        for gap in gaps
    )
    maximum: float = 0
    for gap in gaps:
        maximum = maximum + gap["points"]
    interaction = GapMatchInteraction(
        RESPONSE,
        words,
        slots_from_markers(content["text"], codes),
        tuple(Gap(code) for code in codes),
        shuffle=content["shuffle"],
    )
    correct = tuple(value_text((key[code], code)) for code in codes)
    mapping = None
    processing = ResponseProcessing(rules=rules)
    if content.get("scoring") == "mapped":
        entries = [(key[gap["id"]], gap["id"], gap["points"]) for gap in gaps]
        entries += [(word, gap, value) for gap, word, value in content.get("pair_values", [])]
        mapping, processing = mapped_pairs_processing(content, entries, upper=maximum)
    return AssessmentItem(
        identifier=identifier,
        title=title,
        lang=lang,
        responses=(ResponseDeclaration(RESPONSE, "multiple", "directedPair", correct, mapping),),
        outcomes=score_outcomes(maximum),
        body=(Html(stem), interaction),
        processing=processing,
    )
