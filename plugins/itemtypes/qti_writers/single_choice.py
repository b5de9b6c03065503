"""Single choice as QTI: one key among the options."""

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


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A choice interaction (one choice). Worth 1 point: ``match_correct``; otherwise
    ``map_response`` mapping the key to ``points`` (anything else maps to 0)."""
    key, points = content["key"], content["points"]
    mapping = None if points == 1 else Mapping((MapEntry(key, points),))
    template = "match_correct" if points == 1 else "map_response"
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[ChoiceInteraction(RESPONSE, choices(content["options"]), shuffle=content["shuffle"])],
        response=ResponseDeclaration(RESPONSE, "single", "identifier", (key,), mapping),
        maximum=points,
        processing=ResponseProcessing(template=template),
    )
