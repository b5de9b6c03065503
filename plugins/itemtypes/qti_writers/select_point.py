"""Select point as QTI: points clicked on an image, scored by an area mapping."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item
from plugins.itemtypes.qti_writers._graphic import graphic_image, inner_points
from qti.model import (
    AreaMapEntry,
    AreaMapping,
    AssessmentItem,
    BodyPart,
    PositionObjectInteraction,
    PositionObjectStage,
    ResponseDeclaration,
    ResponseProcessing,
    SelectPointInteraction,
    value_text,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A select point interaction on the content's image (a single point when
    ``max_choices`` is 1, else a multiple one) and the ``map_response_point`` template
    on an area mapping of the content's areas in their order, with ``mapping.default``,
    ``mapping.lower`` and ``points`` as its default, lower and upper bound: QTI's
    ``mapResponsePoint`` is the sum ``score`` computes. The correct response is a point
    inside each area worth more than 0 (best first, as many as may be clicked), taken
    where that area itself scores it. With a ``marker`` image the interaction is a
    position object interaction placing the marker (centred on the point) on a stage of
    the content's image: the same point response, scored the same way."""
    areas = content["areas"]
    mapping = content["mapping"]
    most = content["max_choices"]
    inside = inner_points(areas)
    best = sorted(
        (index for index, area in enumerate(areas) if area["value"] > 0 and inside[index]),
        key=lambda index: -areas[index]["value"],
    )
    correct = tuple(value_text(inside[index]) for index in best[: most or None])
    response = ResponseDeclaration(
        RESPONSE,
        "single" if most == 1 else "multiple",
        "point",
        correct,
        area_mapping=AreaMapping(
            tuple(
                AreaMapEntry(area["shape"], tuple(area["coords"]), area["value"]) for area in areas
            ),
            default=mapping["default"],
            lower=mapping["lower"],
            upper=content["points"],
        ),
    )
    stage = graphic_image(content["image"])
    interaction: BodyPart
    if content.get("marker"):
        interaction = PositionObjectStage(
            stage,
            (
                PositionObjectInteraction(
                    RESPONSE, stage, graphic_image(content["marker"]), max_choices=most
                ),
            ),
        )
    else:
        interaction = SelectPointInteraction(RESPONSE, stage, max_choices=most)
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=response,
        maximum=content["points"],
        processing=ResponseProcessing(template="map_response_point"),
    )
