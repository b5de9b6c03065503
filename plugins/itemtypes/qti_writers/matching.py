"""Matching as QTI: a match interaction of directed pairs, all-or-nothing or partial."""

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
    Branch,
    Condition,
    Expr,
    MapEntry,
    Mapping,
    MatchInteraction,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    SetOutcome,
    base_value,
    map_response,
    number,
    op,
    value_text,
    variable,
)

#: The outcome that counts premises earning partial credit.
EARNED = "EARNED"


def _given(premise: str, answer: str) -> Expr:
    return op("member", base_value("directedPair", (premise, answer)), variable(RESPONSE))


def _earn_rule(premise: str, answer: str, response_ids: list[str]) -> Condition:
    """``EARNED += 1`` when ``premise -> answer`` is given and no other of its pairs is."""
    others = [_given(premise, other) for other in response_ids if other != answer]
    condition = op("and", _given(premise, answer), op("not", op("or", *others)))
    increment = SetOutcome(EARNED, op("sum", variable(EARNED), number(1)))
    return Condition((Branch(condition, (increment,)),))


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """A match interaction (directed pairs premise -> response). Each premise takes at
    most one response (``match-max="1"``); a response may serve several premises.

    - ``all_or_nothing``: a mapping counts key pairs +1 and any other pair
      ``-(pairs + 1)``; ``SCORE`` is ``points`` when the count equals the number of
      key pairs (exactly the key, each distinct pair counted once, as ``score`` does).
    - ``partial``: for each premise, ``EARNED`` goes up by one when its key pair is
      given and no other pair from that premise to one of the item's responses is;
      then ``SCORE`` is ``points * EARNED / pairs`` as ``partial_credit`` computes it.
    - ``mapped``: the mapping is the content's (each of ``pair_values`` an entry, the
      default, the lower bound, ``points`` as the upper bound), scored by the standard
      ``map_response`` template (blank: 0), which sums exactly as ``score`` does.
    """
    pairs = [tuple(pair) for pair in content["pairs"]]
    count, points = len(pairs), content["points"]
    keys = tuple(value_text(pair) for pair in pairs)
    mapping = None
    extra: list[OutcomeDeclaration] = []
    if content["scoring"] == "mapped":
        bounds = content.get("mapping") or {"default": 0, "lower": 0}
        mapping = Mapping(
            tuple(
                MapEntry(value_text((premise, answer)), value)
                for premise, answer, value in content.get("pair_values", [])
            ),
            default=bounds["default"],
            lower=bounds["lower"],
            upper=points,
        )
        processing = ResponseProcessing(template="map_response")
    elif content["scoring"] == "all_or_nothing":
        mapping = Mapping(tuple(MapEntry(key, 1) for key in keys), default=-(count + 1))
        condition = op("equal", map_response(RESPONSE), number(count), toleranceMode="exact")
        processing = all_or_nothing(condition, points)
    else:
        extra.append(OutcomeDeclaration(EARNED, base_type="integer"))
        response_ids = [entry["id"] for entry in content["responses"]]
        rules = [_earn_rule(premise, answer, response_ids) for premise, answer in pairs]
        rules += partial_credit_rules(variable(EARNED), count, points)
        processing = ResponseProcessing(rules=tuple(rules))
    interaction = MatchInteraction(
        RESPONSE,
        choices(content["premises"], match_max=1),
        choices(content["responses"], match_max=0),
        shuffle=content["shuffle"],
        max_associations=len(content["premises"]),
    )
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=ResponseDeclaration(RESPONSE, "multiple", "directedPair", keys, mapping),
        maximum=points,
        processing=processing,
        outcomes=extra,
    )
