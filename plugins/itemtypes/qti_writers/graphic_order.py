"""Graphic order as QTI: areas of an image put in order, the right sequence as the
correct response."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item, match_correct_or_points
from plugins.itemtypes.qti_writers._graphic import graphic_image, hotspot_choices
from plugins.itemtypes.qti_writers._orders import PER_POSITION, per_position_processing, scoring_of
from qti.model import (
    AssessmentItem,
    GraphicOrderInteraction,
    OutcomeDeclaration,
    ResponseDeclaration,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A graphic order interaction on the content's image (every area ordered: no
    ``maxChoices``), ordered identifiers; ``match_correct`` at 1 point, else the same
    exact-sequence match inline with ``points``, as ``ordering`` (per-position
    scoring too)."""
    order = tuple(content["correct_order"])
    outcomes: list[OutcomeDeclaration] = []
    if scoring_of(content) == PER_POSITION:
        earned, processing = per_position_processing(order, content["points"])
        outcomes.append(earned)
    else:
        processing = match_correct_or_points(content["points"])
    interaction = GraphicOrderInteraction(
        RESPONSE, graphic_image(content["image"]), hotspot_choices(content["hotspots"])
    )
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=ResponseDeclaration(RESPONSE, "ordered", "identifier", order),
        maximum=content["points"],
        processing=processing,
        outcomes=outcomes,
    )
