"""The scoring proof of an import: the new item scores every response tried exactly as
the source item does (pure: no Flask, no database).

The responses come from :func:`itembank.qti_bridge.responses.responses_for`, which says
exactly what is tried: blank, every choice, every combination of up to 10 choices, every
order of up to 7, every matching when there are at most 4,000, typed values with their
variants, and fixed samples beyond those sizes; an item that would need more than
:data:`~itembank.qti_bridge.responses.MAX_RESPONSES` responses is refused there, never
proved on part of them.

:func:`prove` runs each response through the source's response processing
(:mod:`qti.rp`) and through the item type (``response_from_qti`` and back through
``qti_response``, then ``score``, through the type's ``round_trip`` and ``scorer`` for
the content: the same functions, prepared once per item), and stops at the first
response whose scores differ, or that the bank cannot express. An item with several
interactions is tried on ``{identifier: value}`` responses
(:func:`itembank.qti_bridge.parts.joint_responses`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from itembank.itemtypes import JSON, ItemType


@dataclass(frozen=True)
class ProofFailure:
    """The first response on which source and bank disagree."""

    response: Any
    source_score: float
    bank_score: float | None
    message: str
    message_en: str


@dataclass(frozen=True)
class Proof:
    checked: int
    failure: ProofFailure | None = None


def describe(value: Any) -> str:
    """A response as people read it: ``[A, B]``, ``P1→R2``, ``'York'``, ``blank``."""
    if value is None:
        return "blank"
    if isinstance(value, dict):
        shown = [f"{key}={describe(part)}" for key, part in value.items() if part is not None]
        return "{" + ", ".join(shown) + "}" if shown else "blank"
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return f"{value[0]}→{value[1]}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _same_value(a: Any, b: Any) -> bool:
    if type(a) is type(b) and a == b:  # equal values are the same (the common case)
        return True
    if isinstance(a, dict) or isinstance(b, dict):  # several response variables
        a, b = a or {}, b or {}
        return all(_same_value(a.get(key), b.get(key)) for key in {*a, *b})
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a in (None, "") and b in (None, ""))


def prove(
    item_type: ItemType,
    content: dict[str, JSON],
    source_score: Callable[[Any], float],
    responses: Iterable[Any],
) -> Proof:
    """Compare source and bank scores for every response; see the module documentation.

    :raises qti.rp.RPError: when the source's processing cannot be run.
    """
    checked = 0
    by_person = item_type.scored_by_person
    # (response_from_qti then qti_response, and score, for this content: prepared once)
    trip = item_type.round_trip(content)
    score = item_type.scorer(content)
    for value in responses:
        checked += 1
        source = source_score(value)
        if by_person:
            if source != 0:
                shown = describe(value)
                return Proof(
                    checked,
                    ProofFailure(
                        value,
                        source,
                        None,
                        f"sumber memberi jawaban {shown} skor {source:g} secara otomatis, "
                        "sedangkan uraian di bank dinilai oleh penilai",
                        f"the source scores the response {shown} {source:g} automatically, "
                        "while essays in the bank are scored by a person",
                    ),
                )
            continue
        try:
            response, variables = trip(value)
            # several responses (a composite item) come back whole, one as RESPONSE
            back = variables if isinstance(value, dict) else variables.get("RESPONSE")
        except ValueError as exc:
            return Proof(checked, _inexpressible(value, source, str(exc)))
        if not _same_value(back, value):
            return Proof(checked, _inexpressible(value, source, f"it comes back as {back!r}"))
        bank = float(score(response))
        if bank != source:
            shown = describe(value)
            return Proof(
                checked,
                ProofFailure(
                    value,
                    source,
                    bank,
                    f"jawaban {shown} bernilai {source:g} di sumber tetapi {bank:g} di bank",
                    f"the response {shown} scores {source:g} in the source but {bank:g} in the "
                    "bank",
                ),
            )
    return Proof(checked)


def _inexpressible(value: Any, source: float, why: str) -> ProofFailure:
    shown = describe(value)
    return ProofFailure(
        value,
        source,
        None,
        f"jawaban {shown} (skor {source:g} di sumber) tidak dapat dinyatakan di bank ({why})",
        f"the response {shown} (scoring {source:g} in the source) cannot be expressed in the "
        f"bank ({why})",
    )
