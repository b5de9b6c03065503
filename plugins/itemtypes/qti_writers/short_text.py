"""Short text entry as QTI: accepted answers mapped to the points."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item
from qti.model import (
    AssessmentItem,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
    TextEntryInteraction,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A text entry interaction (string response) scored by ``map_response``: each
    accepted answer maps to ``points`` with the content's case rule (written on every
    entry); anything else scores 0. The first accepted answer is the declared correct
    response."""
    points, case_sensitive = content["points"], content["case_sensitive"]
    mapping = Mapping(
        tuple(MapEntry(answer, points, case_sensitive) for answer in content["accepted"])
    )
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[TextEntryInteraction(RESPONSE, content["expected_length"])],
        response=ResponseDeclaration(
            RESPONSE, "single", "string", (content["accepted"][0],), mapping
        ),
        maximum=points,
        processing=ResponseProcessing(template="map_response"),
    )
