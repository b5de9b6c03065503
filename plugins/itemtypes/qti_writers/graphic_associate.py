"""Graphic associate as QTI: undirected pairs of areas of one image."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item
from plugins.itemtypes.qti_writers._graphic import graphic_image, hotspot_choices
from plugins.itemtypes.qti_writers._pairs import pair_response
from qti.model import AssessmentItem, GraphicAssociateInteraction


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A graphic associate interaction on the content's image, the areas as
    ``associableHotspot`` s with their ``match-max``, ``max-associations`` (0: no
    limit). Scored as ``associate`` (:mod:`plugins.itemtypes.qti_writers._pairs`; pairs
    compared unordered, as QTI compares ``pair`` values), without mapped scoring."""
    response, processing = pair_response(content, "pair", mapped=False)
    interaction = GraphicAssociateInteraction(
        RESPONSE,
        graphic_image(content["image"]),
        hotspot_choices(content["hotspots"]),
        max_associations=content["max_associations"],
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
