"""Weighted options as QTI: every option maps to its weight."""

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


def max_score(content: dict[str, Any]) -> float:
    """The highest weight."""
    return max(option["weight"] for option in content["options"])


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A choice interaction (one choice) scored by ``map_response``: every option maps
    to its weight; blank and unknown identifiers score the default 0. No correct
    response is declared: every option is partly right."""
    mapping = Mapping(tuple(MapEntry(o["id"], o["weight"]) for o in content["options"]))
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[ChoiceInteraction(RESPONSE, choices(content["options"]), shuffle=content["shuffle"])],
        response=ResponseDeclaration(RESPONSE, "single", "identifier", mapping=mapping),
        maximum=max_score(content),
        processing=ResponseProcessing(template="map_response"),
    )
