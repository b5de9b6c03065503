"""Multiple response as QTI: several keys, all-or-nothing or partial credit."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import (
    RESPONSE,
    all_or_nothing,
    build_item,
    choices,
    partial_credit_rules,
)
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
    map_response,
    number,
    op,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A choice interaction (several choices) with inline processing on a mapping
    that counts selections: each key +1, anything else (unknown identifiers too) the
    mapping's default. ``mapResponse`` counts each distinct value once, as ``score``
    counts the set of selections.

    - ``all_or_nothing``: default ``-(keys + 1)``, so the count equals the number of
      keys only for exactly the keys; then ``points``.
    - ``partial``: default -1, so the count is the net of right and wrong choices;
      ``SCORE`` is ``points * net / keys`` clamped as ``partial_credit`` does, with
      the same operations in the same order (no summed float shares).
    - ``mapped``: the mapping is the content's (each option with a value of its own an
      entry, the default, the lower bound, ``points`` as the upper bound) and the
      standard ``map_response`` template scores by it (blank: 0), which sums exactly as
      ``score`` does.
    """
    keys = list(dict.fromkeys(content["keys"]))
    count, points = len(keys), content["points"]
    if content["scoring"] == "mapped":
        bounds = content.get("mapping") or {"default": 0, "lower": 0}
        mapping = Mapping(
            tuple(
                MapEntry(option["id"], option["value"])
                for option in content["options"]
                if option.get("value") is not None
            ),
            default=bounds["default"],
            lower=bounds["lower"],
            upper=points,
        )
        return _item(
            stem,
            content,
            identifier=identifier,
            title=title,
            lang=lang,
            response=ResponseDeclaration(RESPONSE, "multiple", "identifier", tuple(keys), mapping),
            processing=ResponseProcessing(template="map_response"),
        )
    all_or_none = content["scoring"] == "all_or_nothing"
    mapping = Mapping(
        tuple(MapEntry(key, 1) for key in keys),
        default=-(count + 1) if all_or_none else -1,
    )
    net = map_response(RESPONSE)
    if all_or_none:
        processing = all_or_nothing(op("equal", net, number(count), toleranceMode="exact"), points)
    else:
        processing = ResponseProcessing(rules=partial_credit_rules(net, count, points))
    return _item(
        stem,
        content,
        identifier=identifier,
        title=title,
        lang=lang,
        response=ResponseDeclaration(RESPONSE, "multiple", "identifier", tuple(keys), mapping),
        processing=processing,
    )


def _item(
    stem: str,
    content: dict[str, Any],
    *,
    identifier: str,
    title: str,
    lang: str,
    response: ResponseDeclaration,
    processing: ResponseProcessing,
) -> AssessmentItem:
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[
            ChoiceInteraction(
                RESPONSE,
                choices(content["options"]),
                shuffle=content["shuffle"],
                max_choices=content["max_choices"],
                min_choices=content["min_choices"],
            )
        ],
        response=response,
        maximum=content["points"],
        processing=processing,
    )
