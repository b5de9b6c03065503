"""Graphic associate as QTI: undirected pairs of areas of one image."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, all_or_nothing, build_item
from plugins.itemtypes.qti_writers._graphic import (
    graphic_image,
    hotspot_choices,
    pair_partial_rules,
)
from qti.model import (
    AssessmentItem,
    GraphicAssociateInteraction,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
    map_response,
    number,
    op,
    value_text,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A graphic associate interaction on the content's image, the areas as
    ``associableHotspot`` s with their ``match-max``, ``max-associations`` (0: no
    limit). As ``associate``: a mapping counts distinct pairs (compared unordered, as
    QTI compares ``pair`` values), each key pair +1 and any other pair the default;
    ``all_or_nothing`` with default ``-(pairs + 1)``, ``partial`` with default -1 (the
    net of right and wrong pairs, then ``points * net / pairs`` clamped; a blank response
    scores 0 before anything is mapped)."""
    keys = [value_text(tuple(pair)) for pair in content["pairs"]]
    count, points = len(keys), content["points"]
    all_or_none = content["scoring"] == "all_or_nothing"
    mapping = Mapping(
        tuple(MapEntry(key, 1) for key in keys), default=-(count + 1) if all_or_none else -1
    )
    net = map_response(RESPONSE)
    if all_or_none:
        processing = all_or_nothing(op("equal", net, number(count), toleranceMode="exact"), points)
    else:
        processing = ResponseProcessing(rules=pair_partial_rules(net, count, points))
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
        response=ResponseDeclaration(RESPONSE, "multiple", "pair", tuple(keys), mapping),
        maximum=points,
        processing=processing,
    )
