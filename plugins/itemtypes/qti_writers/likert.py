"""Likert statement as QTI: the scale's labels mapped to their positions' scores."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item, choices
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
)


def weights(content: dict[str, Any]) -> dict[str, int]:
    """Scale identifier -> its score under the content's direction."""
    count = len(content["scale"])
    positive = content["direction"] == "positive"
    return {
        entry["id"]: count + 1 - position if positive else position
        for position, entry in enumerate(content["scale"], start=1)
    }


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A choice interaction over the scale, never shuffled (the order is the scale),
    scored by position through ``map_response``: each label maps to its
    :func:`weights` value (reversed for negative statements); blank and unknown
    labels score 0. There is no key, so no correct response is declared."""
    mapping = Mapping(tuple(MapEntry(ident, weight) for ident, weight in weights(content).items()))
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[ChoiceInteraction(RESPONSE, choices(content["scale"]), shuffle=False)],
        response=ResponseDeclaration(RESPONSE, "single", "identifier", mapping=mapping),
        maximum=len(content["scale"]),
        processing=ResponseProcessing(template="map_response"),
    )
