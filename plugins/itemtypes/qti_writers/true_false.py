"""True/false as QTI: two labelled choices scored like a single choice."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item, escape_text
from qti.model import (
    AssessmentItem,
    Choice,
    ChoiceInteraction,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
)

#: The two choices: identifier, Indonesian label, English label.
ANSWERS = (("true", "Benar", "True"), ("false", "Salah", "False"))


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A choice interaction with the choices ``true`` and ``false`` (labelled in the
    item's language), scored like a single choice: ``match_correct`` at 1 point,
    else ``map_response`` mapping the key to ``points``."""
    key = "true" if content["key"] else "false"
    points = content["points"]
    labels = [
        Choice(ident, escape_text(label_en if lang == "en" else label_id))
        for ident, label_id, label_en in ANSWERS
    ]
    mapping = None if points == 1 else Mapping((MapEntry(key, points),))
    template = "match_correct" if points == 1 else "map_response"
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[ChoiceInteraction(RESPONSE, tuple(labels))],
        response=ResponseDeclaration(RESPONSE, "single", "identifier", (key,), mapping),
        maximum=points,
        processing=ResponseProcessing(template=template),
    )
