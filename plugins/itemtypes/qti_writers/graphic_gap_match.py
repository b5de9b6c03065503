"""Graphic gap match as QTI: small images (gaps) placed on areas of an image."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import (
    RESPONSE,
    all_or_nothing,
    build_item,
    mapped_pairs_processing,
)
from plugins.itemtypes.qti_writers._graphic import (
    graphic_image,
    hotspot_choices,
    pair_partial_rules,
)
from qti.model import (
    AssessmentItem,
    GapChoice,
    GraphicGapMatchInteraction,
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
    """A graphic gap match interaction: the gaps as ``gapImg`` (with their labels as
    ``objectLabel``), the areas as ``associableHotspot`` s, directed pairs gap -> area.
    A mapping counts distinct pairs, each key pair +1 and any other pair the default, as
    ``associate`` does: ``all_or_nothing`` with default ``-(pairs + 1)``, ``partial``
    with default -1 (the net of right and wrong pairs, ``points * net / pairs``
    clamped); ``mapped``: the content's own mapping
    (:func:`plugins.itemtypes._qti.mapped_pairs_processing`)."""
    keys = [value_text(tuple(pair)) for pair in content["pairs"]]
    count, points = len(keys), content["points"]
    all_or_none = content["scoring"] == "all_or_nothing"
    mapping = Mapping(
        tuple(MapEntry(key, 1) for key in keys), default=-(count + 1) if all_or_none else -1
    )
    net = map_response(RESPONSE)
    if content["scoring"] == "mapped":
        mapping, processing = mapped_pairs_processing(content, content.get("pair_values", []))
    elif all_or_none:
        processing = all_or_nothing(op("equal", net, number(count), toleranceMode="exact"), points)
    else:
        processing = ResponseProcessing(rules=pair_partial_rules(net, count, points))
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
        response=ResponseDeclaration(RESPONSE, "multiple", "directedPair", tuple(keys), mapping),
        maximum=points,
        processing=processing,
    )
