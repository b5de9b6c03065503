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

:class:`ProofMemo` gives an item the proof of an earlier item of the same import whose
proof is the same function of the same inputs: the same type, the same
:meth:`~itembank.itemtypes.ItemType.proof_key` of the content, the same source scoring
(:meth:`qti.rp.ScoringCache.key_of`) and the same responses.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from itembank.itemtypes import JSON, ItemType, frozen_json


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


class ProofMemo:
    """The proofs of one import, by what a proof is a function of: the item type (this
    very object), the type's :meth:`~itembank.itemtypes.ItemType.proof_key` of the
    content, the source's scoring (a key of it: :meth:`qti.rp.ScoringCache.key_of`, with
    how the convert calls it) and the responses tried (the very sequence an import's
    :class:`~itembank.qti_bridge.responses.ResponsesCache` gives every item of a shape,
    else every value, frozen with its types). An item whose key is known gets the known
    proof - its count and its first failure (the same response, scores and messages) -
    without running the bank's side or the source's; any part without a key (a type
    without ``proof_key``, a scoring the cache does not share) proves as :func:`prove`.
    Only proofs that ran to their end are kept (an error is raised again next time).
    Bounded: at most ``max_proofs`` proofs kept, and ``max_values`` response values
    frozen into their keys in all; a proof beyond those is made and not kept (the kept
    ones are still given)."""

    def __init__(self, *, max_proofs: int = 100_000, max_values: int = 200_000) -> None:
        #: key -> (the proof, what the key names by id: held, so the ids stay theirs)
        self._proofs: dict[Hashable, tuple[Proof, tuple[Any, ...]]] = {}
        self._max_proofs = max_proofs
        self._room = max_values
        #: How many items were given a known proof.
        self.hits = 0

    def prove(
        self,
        item_type: ItemType,
        content: dict[str, JSON],
        source_score: Callable[[Any], float],
        responses: Iterable[Any],
        *,
        source_key: Hashable | None,
        shared_responses: bool,
    ) -> Proof:
        """:func:`prove`, or the proof already made on the same key.

        :param source_key: what ``source_score`` is (equal keys: the same score for
            every response), or ``None`` (no memo).
        :param shared_responses: ``responses`` is a sequence the import gives every item
            of its shape (kept by its identity), else keyed by its values (then it is
            read twice: a list or a :class:`~itembank.qti_bridge.responses.Responses`).
        """
        key = None
        if source_key is not None:
            key = self._key(item_type, content, source_key, responses, shared_responses)
        if key is None:
            return prove(item_type, content, source_score, responses)
        known = self._proofs.get(key)
        if known is not None:
            self.hits += 1
            return known[0]
        proof = prove(item_type, content, source_score, responses)
        frozen = 0 if shared_responses else len(key[-1]) - 1  # (values frozen into the key)
        if frozen <= self._room and len(self._proofs) < self._max_proofs:
            self._room -= frozen
            self._proofs[key] = (proof, (item_type, responses))
        return proof

    @staticmethod
    def _key(
        item_type: ItemType,
        content: dict[str, JSON],
        source_key: Hashable,
        responses: Iterable[Any],
        shared: bool,
    ) -> Hashable | None:
        content_key = item_type.proof_key(content)
        if content_key is None:
            return None
        if shared:
            tried: Hashable = ("shared", id(responses))
        else:
            try:
                tried = ("values", *(frozen_json(value) for value in responses))
            except ValueError:  # a value that is not plain data: no memo
                return None
        try:
            key = (id(item_type), content_key, source_key, tried)
            hash(key)
        except TypeError:  # a type's key that cannot be hashed: no memo
            return None
        return key
