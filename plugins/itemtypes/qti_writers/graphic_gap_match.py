"""Graphic gap match as QTI: small images (gaps) placed on areas of an image."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item
from plugins.itemtypes.qti_writers._graphic import graphic_image, hotspot_choices
from plugins.itemtypes.qti_writers._pairs import pair_response
from qti.model import AssessmentItem, GapChoice, GraphicGapMatchInteraction


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A graphic gap match interaction: the gaps as ``gapImg`` (with their labels as
    ``objectLabel``), the areas as ``associableHotspot`` s, directed pairs gap -> area,
    scored as ``associate`` is (:mod:`plugins.itemtypes.qti_writers._pairs`)."""
    response, processing = pair_response(content, "directedPair")
    interaction = GraphicGapMatchInteraction(
        RESPONSE,
        graphic_image(content["image"]),
        tuple(
            GapChoice(gap["id"], gap["label"], graphic_image(gap["image"]), gap["match_max"])
            for gap in content["gaps"]
        ),
        hotspot_choices(content["hotspots"]),
        max_associations=0,
    )
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=response,
        maximum=content["points"],
        processing=processing,
    )
