"""Ordering as QTI: an order interaction with the right sequence as the correct response."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item, choices, match_correct_or_points
from plugins.itemtypes.qti_writers._orders import PER_POSITION, per_position_processing, scoring_of
from qti.model import AssessmentItem, OrderInteraction, OutcomeDeclaration, ResponseDeclaration


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """An order interaction (ordered identifiers): ``match_correct`` at 1 point, else
    the same exact-sequence match inline with ``points``; per-position scoring as
    :mod:`plugins.itemtypes._ordered` writes it."""
    order = tuple(content["correct_order"])
    outcomes: list[OutcomeDeclaration] = []
    if scoring_of(content) == PER_POSITION:
        earned, processing = per_position_processing(order, content["points"])
        outcomes.append(earned)
    else:
        processing = match_correct_or_points(content["points"])
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[OrderInteraction(RESPONSE, choices(content["options"]), shuffle=content["shuffle"])],
        response=ResponseDeclaration(RESPONSE, "ordered", "identifier", order),
        maximum=content["points"],
        processing=processing,
        outcomes=outcomes,
    )
