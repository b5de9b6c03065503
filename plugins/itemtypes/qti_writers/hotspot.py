"""Hotspot as QTI: areas of an image to choose, one key or several."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import (
    RESPONSE,
    all_or_nothing,
    build_item,
    match_correct_or_points,
    partial_credit_rules,
)
from plugins.itemtypes.qti_writers._graphic import graphic_image, hotspot_choices
from qti.model import (
    AssessmentItem,
    HotspotInteraction,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
    map_response,
    number,
    op,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A hotspot interaction on the content's image.

    - one choice (``max_choices`` 1): a single identifier response; the key scores
      ``points`` (``match_correct`` when that is 1);
    - several: a multiple response on a mapping that counts choices, each key +1 and
      anything else the default: ``all_or_nothing`` with default ``-(keys + 1)`` (the count
      equals the number of keys only for exactly the keys), ``partial`` with default -1
      (the net of right and wrong choices, then ``points * net / keys`` clamped as
      ``partial_credit`` computes it).
    """
    keys = list(dict.fromkeys(content["keys"]))
    points = content["points"]
    interaction = HotspotInteraction(
        RESPONSE,
        graphic_image(content["image"]),
        hotspot_choices(content["hotspots"]),
        max_choices=content["max_choices"],
        min_choices=0,
    )
    if content["max_choices"] == 1:
        response = ResponseDeclaration(RESPONSE, "single", "identifier", (keys[0],))
        processing = match_correct_or_points(points)
    else:
        count = len(keys)
        all_or_none = content["scoring"] == "all_or_nothing"
        mapping = Mapping(
            tuple(MapEntry(key, 1) for key in keys),
            default=-(count + 1) if all_or_none else -1,
        )
        response = ResponseDeclaration(RESPONSE, "multiple", "identifier", tuple(keys), mapping)
        net = map_response(RESPONSE)
        if all_or_none:
            processing = all_or_nothing(
                op("equal", net, number(count), toleranceMode="exact"), points
            )
        else:
            processing = ResponseProcessing(rules=partial_credit_rules(net, count, points))
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=response,
        maximum=points,
        processing=processing,
    )
