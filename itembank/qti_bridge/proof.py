"""The scoring proof of an import: the new item scores every response exactly as the
source item does (pure: no Flask, no database).

:func:`responses_for` builds the responses to try from the source's interaction and
response declaration, in QTI form: blank, every option, every subset of options (up to
2^10), every order of the options (up to 7! orders, else a fixed sample), every way of
matching premises within the interaction's limits (up to :data:`MAX_RESPONSES`, else a
fixed sample), and for typed answers the declared, mapped and key values with case,
space and length variants and some wrong ones (numbers: neighbours, signs, the constants
of the processing). Only what a delivery system could send is tried: identifiers of the
item's own choices, within ``maxChoices`` and ``matchMax``.

:func:`prove` runs each response through the source's response processing
(:mod:`qti.rp`) and through the item type (``response_from_qti``, then ``score``), and
stops at the first response whose scores differ, or that the bank cannot express.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from itembank.itemtypes import JSON, ItemType
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
    Condition,
    Expr,
    ExtendedTextInteraction,
    Interaction,
    MatchInteraction,
    OrderInteraction,
    ResponseDeclaration,
    TextEntryInteraction,
)

MAX_RESPONSES = 4000
"""At most this many responses are tried per item."""
_SEED = 20250101


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
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return f"{value[0]}→{value[1]}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(describe(v) for v in value) + "]"
    if isinstance(value, str):
        return repr(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
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
    for value in responses:
        checked += 1
        source = source_score(value)
        shown = describe(value)
        if item_type.scored_by_person:
            if source != 0:
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
            response = item_type.response_from_qti(content, value)
            back = item_type.qti_response(content, response).get("RESPONSE")
        except ValueError as exc:
            return Proof(checked, _inexpressible(value, source, str(exc)))
        if not _same_value(back, value):
            return Proof(checked, _inexpressible(value, source, f"it comes back as {back!r}"))
        bank = float(item_type.score(content, response))
        if bank != source:
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


# -- the responses -----------------------------------------------------------------------------


def responses_for(
    item: AssessmentItem,
    interaction: Interaction,
    response: ResponseDeclaration,
    extra: Iterable[str] = (),
) -> list[Any]:
    """The QTI responses to try for ``interaction``; ``extra`` adds values to try for typed
    answers (the new content's keys)."""
    if isinstance(interaction, ChoiceInteraction):
        ids = [choice.identifier for choice in interaction.choices]
        if response.cardinality == "single":
            values: list[Any] = [None, *ids]
        else:
            values = [None, *_subsets(ids, interaction.max_choices, list(response.correct))]
    elif isinstance(interaction, OrderInteraction):
        values = [None, *_orders([c.identifier for c in interaction.choices], response)]
    elif isinstance(interaction, MatchInteraction):
        values = [None, *_matchings(interaction, response)]
    elif isinstance(interaction, TextEntryInteraction | ExtendedTextInteraction):
        values = _typed(item, response, list(extra))
    else:  # pragma: no cover - the model's union is closed
        values = [None]
    unique: dict[str, Any] = {}
    for value in values:
        unique.setdefault(repr(value), value)
    return list(unique.values())[:MAX_RESPONSES]


def _subsets(ids: list[str], max_choices: int, correct: list[str]) -> list[list[str]]:
    largest = max_choices if 0 < max_choices < len(ids) else len(ids)
    if len(ids) <= 10:
        return [
            list(combination)
            for size in range(1, largest + 1)
            for combination in itertools.combinations(ids, size)
        ]
    result = [[ident] for ident in ids]
    result += [list(pair) for pair in itertools.combinations(ids, 2)]
    keys = [ident for ident in ids if ident in correct]
    if keys:
        result.append(keys)
        result += [[k for k in keys if k != left_out] for left_out in keys]
        result += [[*keys, other] for other in ids if other not in keys]
    rng = random.Random(_SEED)
    for _ in range(500):
        result.append(sorted(rng.sample(ids, rng.randint(1, largest)), key=ids.index))
    return [subset for subset in result if subset and len(subset) <= largest]


def _orders(ids: list[str], response: ResponseDeclaration) -> list[list[str]]:
    if len(ids) <= 7:
        return [list(order) for order in itertools.permutations(ids)]
    base = [i for i in response.correct if i in ids] or ids
    result = [list(base), list(reversed(base))]
    for index in range(len(base) - 1):  # every neighbour swap
        swapped = list(base)
        swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
        result.append(swapped)
    result += [base[shift:] + base[:shift] for shift in range(1, len(base))]
    rng = random.Random(_SEED)
    for _ in range(1000):
        result.append(rng.sample(base, len(base)))
    return result


def _matchings(interaction: MatchInteraction, response: ResponseDeclaration) -> list[list[tuple]]:
    sources = [c.identifier for c in interaction.sources]
    targets = [c.identifier for c in interaction.targets]
    limits = {c.identifier: c.match_max for c in (*interaction.sources, *interaction.targets)}
    every = [(s, t) for s in sources for t in targets]
    candidates: list[list[tuple]] = [[pair] for pair in every]
    if (len(targets) + 1) ** len(sources) <= MAX_RESPONSES:
        for choice in itertools.product([None, *targets], repeat=len(sources)):
            candidates.append([(s, t) for s, t in zip(sources, choice, strict=True) if t])
    correct = [tuple(v.split()) for v in response.correct if len(v.split()) == 2]
    if correct:
        candidates.append(correct)
        candidates += [[p for p in correct if p != left_out] for left_out in correct]
        candidates += [[*correct, pair] for pair in every if pair not in correct]
    rng = random.Random(_SEED)
    for _ in range(400):
        candidates.append(rng.sample(every, rng.randint(1, len(every))))
    return [pairs for pairs in candidates if pairs and _allowed(pairs, limits, interaction)]


def _allowed(pairs: list[tuple], limits: dict[str, int], interaction: MatchInteraction) -> bool:
    if 0 < interaction.max_associations < len(pairs):
        return False
    used: dict[str, int] = {}
    for pair in pairs:
        for ident in pair:
            used[ident] = used.get(ident, 0) + 1
    return all(limits.get(ident, 1) == 0 or n <= limits.get(ident, 1) for ident, n in used.items())


def _typed(item: AssessmentItem, response: ResponseDeclaration, extra: list[str]) -> list[Any]:
    texts = [*response.correct, *extra]
    if response.mapping is not None:
        texts += [entry.key for entry in response.mapping.entries]
    if response.base_type in ("float", "integer"):
        return _numbers(item, response.base_type, texts)
    values: list[Any] = [None, "", " ", "salah", "0", "?", "jawaban yang panjang " * 5]
    for text in texts:
        values += [
            text,
            text.upper(),
            text.lower(),
            text.swapcase(),
            text.title(),
            f" {text}",
            f"{text} ",
            text + text,
            text[:-1],
        ]
    return values


def _numbers(item: AssessmentItem, base_type: str, texts: list[str]) -> list[Any]:
    seeds: list[float] = [0.0, 1.0, -1.0]
    for text in [*texts, *_constants(item)]:
        try:
            number = float(text)
        except ValueError:
            continue
        if math.isfinite(number):
            seeds.append(number)
    values: list[Any] = [None]
    for seed in seeds:
        around = [seed, -seed, seed + 1, seed - 1, seed + 0.5, seed - 0.5, seed * 10]
        around += [math.nextafter(seed, math.inf), math.nextafter(seed, -math.inf)]
        for number in around:
            if base_type == "integer":
                if float(number).is_integer():
                    values.append(int(number))
            else:
                values.append(float(number))
    return values


def _constants(item: AssessmentItem) -> list[str]:
    """The text of every ``baseValue`` in the item's inline processing."""
    found: list[str] = []
    pending: list[Any] = list(item.processing.rules) if item.processing else []
    while pending:
        node = pending.pop()
        if isinstance(node, Expr):
            if node.name == "baseValue" and node.text is not None:
                found.append(node.text)
            pending += node.args
        elif isinstance(node, Condition):
            for branch in node.branches:
                pending.append(branch.condition)
                pending += branch.rules
            pending += node.otherwise or ()
        elif hasattr(node, "expression"):
            pending.append(node.expression)
    return found
