"""Per-position scoring of an order as QTI (2.1 and 3.0), shared by the ordering and
graphic order writers (pure: no item-type or web code): an ``EARNED`` outcome goes up by
one for each position ``n`` whose ``index n`` of the response matches the correct
choice; ``SCORE`` is then ``points * EARNED / positions``, as
:func:`plugins.itemtypes._common.partial_credit` computes it (0 and ``points`` exact).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugins.itemtypes._qti import RESPONSE, partial_credit_rules
from qti.model import (
    Branch,
    Condition,
    OutcomeDeclaration,
    ResponseProcessing,
    SetOutcome,
    base_value,
    number,
    op,
    variable,
)

ALL_OR_NOTHING = "all_or_nothing"
PER_POSITION = "per_position"
ORDER_SCORINGS = (ALL_OR_NOTHING, PER_POSITION)

#: The outcome that counts the positions holding their correct choice.
EARNED = "EARNED"


def scoring_of(content: Mapping[str, Any]) -> str:
    """The content's order scoring; absent: all or nothing (content stored before
    per-position scoring existed keeps its meaning and its hash)."""
    return str(content.get("scoring") or ALL_OR_NOTHING)


def per_position_processing(
    order: Sequence[str], points: float
) -> tuple[OutcomeDeclaration, ResponseProcessing]:
    """The ``EARNED`` outcome and the rules of the module documentation."""
    increment = SetOutcome(EARNED, op("sum", variable(EARNED), number(1)))
    rules = [
        Condition(
            (
                Branch(
                    op(
                        "match",
                        op("index", variable(RESPONSE), n=str(position)),
                        base_value("identifier", key),
                    ),
                    (increment,),
                ),
            )
        )
        for position, key in enumerate(order, start=1)
    ]
    rules += partial_credit_rules(variable(EARNED), len(order), points)
    return OutcomeDeclaration(EARNED, base_type="integer"), ResponseProcessing(rules=tuple(rules))
