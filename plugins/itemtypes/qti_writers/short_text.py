"""Short text entry as QTI: accepted answers (and, under mapped scoring, other answers
with their own values) mapped to what they score."""

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
    response.

    ``mapped``: the entries of the accepted answers come first, then one per answer of
    ``answer_values`` with its value; the content's default and lower bound, ``points``
    as the upper bound. QTI looks up the first entry a response matches, as the type's
    ``score`` does."""
    points, case_sensitive = content["points"], content["case_sensitive"]
    entries = [MapEntry(answer, points, case_sensitive) for answer in content["accepted"]]
    if content.get("scoring") == "mapped":
        entries += [
            MapEntry(entry["text"], entry["value"], case_sensitive)
            for entry in content.get("answer_values", [])
        ]
        bounds = content.get("mapping") or {"default": 0, "lower": 0}
        mapping = Mapping(
            tuple(entries), default=bounds["default"], lower=bounds["lower"], upper=points
        )
    else:
        mapping = Mapping(tuple(entries))
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
