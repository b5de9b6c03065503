"""Slider as QTI: a slider interaction with an integer or float response, scored like a
numeric answer (``equal`` with the tolerance) or by a mapping of values."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, all_or_nothing, build_item
from plugins.itemtypes.qti_writers.numeric import answer_condition
from qti.model import (
    AssessmentItem,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
    SliderInteraction,
    value_text,
)


def _value(content: dict[str, Any], value: float) -> int | float:
    """A value of the scale as the response's base type carries it."""
    return int(value) if content["integer"] else float(value)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A slider from ``lower`` to ``upper`` by ``step`` (``integer`` response when the
    scale holds whole numbers, else ``float``); the answer is the correct response.

    - ``answer``: ``SCORE = points`` when ``equal(answer, RESPONSE)`` holds with the
      tolerance, as :func:`plugins.itemtypes.qti_writers.numeric.to_qti` writes it.
    - ``mapped``: a mapping with an entry per scored value, the content's default and
      lower bound, ``points`` as the upper bound, scored by the ``map_response``
      template (blank: 0), which sums as the type's ``score`` does.
    """
    points = content["points"]
    base_type = "integer" if content["integer"] else "float"
    mapping = None
    if content["scoring"] == "mapped":
        bounds = content.get("mapping") or {"default": 0, "lower": 0}
        mapping = Mapping(
            tuple(
                MapEntry(value_text(_value(content, entry["value"])), entry["score"])
                for entry in content.get("values", [])
            ),
            default=bounds["default"],
            lower=bounds["lower"],
            upper=points,
        )
        processing = ResponseProcessing(template="map_response")
    else:
        processing = all_or_nothing(answer_condition(content), points)
    interaction = SliderInteraction(
        RESPONSE,
        float(content["lower"]),
        float(content["upper"]),
        content["step"],
        step_label=content["step_label"],
        vertical=content["vertical"],
    )
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=ResponseDeclaration(
            RESPONSE,
            "single",
            base_type,
            (value_text(_value(content, content["answer"])),),
            mapping,
        ),
        maximum=points,
        processing=processing,
    )
