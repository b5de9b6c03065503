"""The response of a pair item type as QTI (associate, graphic associate, graphic gap
match): the key pairs declared correct and a mapping that counts distinct pairs, each
key pair +1 and any other pair the default, as ``multiple_response`` counts choices:
``all_or_nothing`` with default ``-(pairs + 1)`` (the sum equals the number of key pairs
only for exactly the key), ``partial`` with default -1 (the net of right and wrong
pairs, then ``points * net / pairs`` clamped as ``partial_credit`` computes it; a blank
response scores 0 before anything is mapped). ``mapped``: the content's own mapping
(:func:`plugins.itemtypes._qti.mapped_pairs_processing`).
"""

from __future__ import annotations

from collections.abc import Mapping as ContentMapping
from typing import Any

from plugins.itemtypes._qti import (
    RESPONSE,
    all_or_nothing,
    mapped_pairs_processing,
    partial_credit_rules,
    set_score,
)
from qti.model import (
    Branch,
    Condition,
    Expr,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
    Rule,
    map_response,
    number,
    op,
    value_text,
    variable,
)


def pair_response(
    content: ContentMapping[str, Any], base_type: str, *, mapped: bool = True
) -> tuple[ResponseDeclaration, ResponseProcessing]:
    """The response declaration (multiple ``base_type``: ``pair`` or ``directedPair``)
    and its processing for the content's ``pairs``, ``points`` and ``scoring`` (without
    ``mapped``, a type that has no mapped scoring: any scoring but all or nothing is
    partial)."""
    keys = [value_text(tuple(pair)) for pair in content["pairs"]]
    count, points = len(keys), content["points"]
    all_or_none = content["scoring"] == "all_or_nothing"
    mapping = Mapping(
        tuple(MapEntry(key, 1) for key in keys), default=-(count + 1) if all_or_none else -1
    )
    net = map_response(RESPONSE)
    if mapped and content["scoring"] == "mapped":
        mapping, processing = mapped_pairs_processing(content, content.get("pair_values", []))
    elif all_or_none:
        processing = all_or_nothing(op("equal", net, number(count), toleranceMode="exact"), points)
    else:
        processing = ResponseProcessing(rules=pair_partial_rules(net, count, points))
    return ResponseDeclaration(RESPONSE, "multiple", base_type, tuple(keys), mapping), processing


def pair_partial_rules(net: Expr, count: int, points: float) -> tuple[Rule, ...]:
    """``partial_credit_rules`` for a pair response, when it is not blank; a blank one
    scores 0 (as ``partial_credit`` gives it too) without being mapped: some delivery
    engines cannot map a NULL pair container (Cito's qti-components throws)."""
    blank = Branch(op("isNull", variable(RESPONSE)), (set_score(number(0)),))
    return (Condition((blank,), otherwise=partial_credit_rules(net, count, points)),)
