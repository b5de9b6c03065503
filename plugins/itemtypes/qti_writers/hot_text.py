"""Hot text as QTI: phrases of a text to select; the exact set of key phrases scores."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item, match_correct_or_points
from plugins.itemtypes.qti_writers._markers import slots_from_markers
from qti.model import AssessmentItem, Choice, HottextInteraction, ResponseDeclaration


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A hot text interaction (``maxChoices`` as the content says, 0 for no limit; a
    single identifier response when it is 1, else multiple) with a hot text (its XHTML,
    inline formatting included) where each marker is: ``match_correct`` at 1 point, else
    the same exact match inline with ``points``."""
    codes = [hot["id"] for hot in content["hottexts"]]
    interaction = HottextInteraction(
        RESPONSE,
        slots_from_markers(content["text"], codes),
        tuple(Choice(hot["id"], hot["text"]) for hot in content["hottexts"]),
        max_choices=content["max_choices"],
    )
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=ResponseDeclaration(
            RESPONSE,
            "single" if content["max_choices"] == 1 else "multiple",
            "identifier",
            tuple(content["keys"]),
        ),
        maximum=content["points"],
        processing=match_correct_or_points(content["points"]),
    )
