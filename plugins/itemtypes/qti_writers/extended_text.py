"""Extended text (essay) as QTI: a human-scored interaction with the rubric for scorers."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item, escape_text
from qti.model import AssessmentItem, ExtendedTextInteraction, ResponseDeclaration, RubricBlock


def max_score(content: dict[str, Any]) -> float:
    """The rubric's total."""
    return sum(entry["max_points"] for entry in content["rubric"])


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """An extended text interaction (string response) with no response processing:
    ``SCORE`` is set by a rater (``external-scored="human"`` in QTI 3.0), stays 0
    until then, and ``MAXSCORE`` is the rubric's total. The rubric travels with the
    item as a rubric block for scorers (``view="scorer"``), one criterion per
    block with its maximum."""
    rubric: list[str] = []
    for entry in content["rubric"]:
        heading = (
            f"Kriteria {entry['id']} (maks. {entry['max_points']} poin)"
            if lang != "en"
            else f"Criterion {entry['id']} (at most {entry['max_points']} points)"
        )
        rubric += [f"<p><strong>{escape_text(heading)}</strong></p>", entry["criterion"]]
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[
            ExtendedTextInteraction(RESPONSE, content["expected_length"]),
            RubricBlock("scorer", tuple(rubric)),
        ],
        response=ResponseDeclaration(RESPONSE, "single", "string"),
        maximum=max_score(content),
        processing=None,
        human=True,
    )
