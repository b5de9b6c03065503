"""Numeric entry as QTI: a text entry with a float response, scored by ``equal`` with the
content's tolerance (``toleranceMode`` exact, absolute or relative: the same operator in
QTI 2.1 and 3.0)."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, all_or_nothing, build_item
from qti.model import (
    AssessmentItem,
    Expr,
    ResponseDeclaration,
    TextEntryInteraction,
    base_value,
    op,
    value_text,
    variable,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """``SCORE = points`` when ``equal(answer, RESPONSE)`` holds with the tolerance, else
    0: with tolerance 0 ``toleranceMode="exact"``; else ``absolute`` (``answer - t <=
    RESPONSE <= answer + t``) or ``relative`` (``answer * (1 - t/100) <= RESPONSE <=
    answer * (1 + t/100)``), bounds included, the answer first (QTI puts the tolerance
    around the first operand). The answer is the declared correct response."""
    answer = float(content["answer"])
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[TextEntryInteraction(RESPONSE, content["expected_length"])],
        response=ResponseDeclaration(RESPONSE, "single", "float", (value_text(answer),)),
        maximum=content["points"],
        processing=all_or_nothing(answer_condition(content), content["points"]),
    )


def answer_condition(content: dict[str, Any]) -> Expr:
    """``equal(answer, RESPONSE)`` with the content's tolerance (see :func:`to_qti`)."""
    answer = float(content["answer"])
    tolerance = float(content["tolerance"])
    if tolerance == 0:
        condition = op(
            "equal", base_value("float", answer), variable(RESPONSE), toleranceMode="exact"
        )
    else:
        condition = op(
            "equal",
            base_value("float", answer),
            variable(RESPONSE),
            toleranceMode=content["tolerance_mode"],
            tolerance=value_text(tolerance),
            includeLowerBound="true",
            includeUpperBound="true",
        )
    return condition
