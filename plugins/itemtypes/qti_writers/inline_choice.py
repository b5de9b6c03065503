"""Inline choice as QTI: one inline choice interaction per gap of the sentence, each its
own response variable, ``SCORE`` the sum of the points of the gaps answered correctly."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import SCORE, escape_text, score_outcomes
from plugins.itemtypes.qti_writers._markers import slots_from_markers
from qti.model import (
    AssessmentItem,
    Branch,
    Choice,
    Condition,
    Html,
    InlineBlock,
    InlineChoiceInteraction,
    ResponseDeclaration,
    ResponseProcessing,
    SetOutcome,
    correct,
    number,
    op,
    variable,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """The stem, then the sentence (``content["text"]``) with an inline choice
    interaction where each gap's marker ``[[code]]`` is; the gap's code is its response
    identifier and its key the declared correct response. For each gap in order, when
    its response matches the correct one, ``SCORE`` becomes ``SCORE + points`` (the
    order and the arithmetic of the type's ``score``)."""
    gaps = content["gaps"]
    codes = [gap["id"] for gap in gaps]
    interactions = tuple(
        InlineChoiceInteraction(
            gap["id"],
            tuple(Choice(option["id"], escape_text(option["text"])) for option in gap["options"]),
            shuffle=content["shuffle"],
        )
        for gap in gaps
    )
    rules = tuple(
        Condition(
            (
                Branch(
                    op("match", variable(gap["id"]), correct(gap["id"])),
                    (SetOutcome(SCORE, op("sum", variable(SCORE), number(gap["points"]))),),
                ),
            )
        )
        for gap in gaps
    )
    maximum = sum(gap["points"] for gap in gaps)
    return AssessmentItem(
        identifier=identifier,
        title=title,
        lang=lang,
        responses=tuple(
            ResponseDeclaration(gap["id"], "single", "identifier", (gap["correct"],))
            for gap in gaps
        ),
        outcomes=score_outcomes(maximum),
        body=(Html(stem), InlineBlock(slots_from_markers(content["text"], codes), interactions)),
        processing=ResponseProcessing(rules=rules),
    )
