"""Items with several interactions (pure: no Flask, no database): the content of one
interaction as a part, and the responses the scoring proof of the whole item tries.

A part is the item narrowed to one interaction and its response declaration, scored by
the source's own processing with every other response blank. :func:`part_content` asks
the part types in the importer's order and keeps the first content whose scoring is
proved on that part alone (:mod:`itembank.qti_bridge.proof`).

:func:`joint_responses` lists what the proof of the whole item tries, as
``{response identifier: value}``: when every combination of the parts' own responses
(:func:`itembank.qti_bridge.responses.responses_for`) is at most
:data:`~itembank.qti_bridge.responses.MAX_RESPONSES`, all of them; otherwise blank,
every part's best response together, each part's responses with the others blank and
with the others at their best, and :data:`JOINT_SAMPLE` combinations drawn with a fixed
seed. More than the limit raises
:class:`~itembank.qti_bridge.responses.ProofIncomplete`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from itembank.itemtypes import ContentError, ImportNotSupported, ItemType
from itembank.qti_bridge.proof import prove
from itembank.qti_bridge.responses import (
    MAX_RESPONSES,
    ProofIncomplete,
    Responses,
    ResponsesCache,
    responses_for,
    shape_key,
)
from qti.model import AssessmentItem, Interaction, ResponseDeclaration

JOINT_SAMPLE = 1_000
"""Combinations of the parts' responses drawn with a fixed seed when not all are tried."""
_SEED = 20250102

Score = Callable[[Any], float]


def declaration_of(item: AssessmentItem, interaction: Interaction) -> ResponseDeclaration:
    """The response declaration ``interaction`` answers in."""
    return next(r for r in item.responses if r.identifier == interaction.response_identifier)


def narrowed(item: AssessmentItem, interaction: Interaction) -> AssessmentItem:
    """``item`` with only ``interaction`` in its body and only its response declared."""
    return replace(
        item,
        body=(interaction,),
        responses=(declaration_of(item, interaction),),
        label=None,
    )


def part_score(score: Score, identifier: str) -> Score:
    """The source's score with only ``identifier`` answered (every other response blank)."""
    return lambda value: score({identifier: value})


def part_content(
    item: AssessmentItem,
    interaction: Interaction,
    score: Score,
    types: Mapping[str, ItemType],
) -> tuple[str, dict[str, Any]] | None:
    """``(type id, content)`` for one interaction of ``item``: the first of ``types`` (in
    the importer's order) offering content that loads and whose scores equal the
    source's on every response tried for that interaction alone; ``None`` when none."""
    from itembank.qti_bridge.convert import type_order

    part = narrowed(item, interaction)
    declaration = part.responses[0]
    scored = part_score(score, declaration.identifier)
    for item_type in type_order(dict(types)):
        try:
            offered = list(item_type.from_qti_contents(part, scored))
        except ImportNotSupported:
            continue
        for content in offered:
            try:
                loaded = item_type.load(content)
                extra = [str(key) for key in item_type.summary(loaded).keys]
                responses = responses_for(part, interaction, declaration, extra)
            except (ContentError, ProofIncomplete):
                continue
            if prove(item_type, loaded, scored, responses).failure is None:
                return item_type.id, content
    return None


def joint_responses(
    item: AssessmentItem, score: Score, cache: ResponsesCache | None = None
) -> Responses:
    """What the proof of an item with several interactions tries (see the module
    documentation), each response ``{identifier: value}``; ``score`` takes the same.

    :param cache: the import's responses: every combination of the parts' own responses
        (at most ``MAX_RESPONSES``) depends on the parts' identifiers and their shapes
        alone (:func:`~itembank.qti_bridge.responses.shape_key`), so it is kept and given
        again for an item of the same parts (the sample around the parts' best responses
        depends on the source's scores: never kept).
    :raises ProofIncomplete: when that is more than ``MAX_RESPONSES``.
    """
    interactions = list(item.interactions())
    ids = [interaction.response_identifier for interaction in interactions]
    key = None
    if cache is not None:
        shapes = [shape_key(i, declaration_of(item, i)) for i in interactions]
        if None not in shapes:
            key = repr(("joint", ids, shapes))
            known = cache.known(key)
            if known is not None:
                return known
    own: list[list[Any]] = []
    for interaction in interactions:
        declaration = declaration_of(item, interaction)
        own.append(list(responses_for(narrowed(item, interaction), interaction, declaration)))
    count = math.prod(len(values) for values in own)
    n = len(ids)
    if count <= MAX_RESPONSES:
        import itertools

        values = [dict(zip(ids, combo, strict=True)) for combo in itertools.product(*own)]
        every = Responses(
            values,
            f"setiap kombinasi jawaban {n} bagian ({count})",
            f"every combination of the {n} parts' responses ({count})",
        )
        if cache is not None and key is not None:
            cache.keep(key, every)
        return every
    needed = 2 + 2 * sum(len(values) for values in own) + JOINT_SAMPLE
    if needed > MAX_RESPONSES:
        raise ProofIncomplete(
            needed,
            f"jawaban setiap bagian dengan bagian lain kosong dan benar, dan {JOINT_SAMPLE} "
            "kombinasi acak",
            f"each part's responses with the other parts blank and right, and {JOINT_SAMPLE} "
            "random combinations",
        )
    blank = dict.fromkeys(ids)
    best = {
        ident: _best(values, part_score(score, ident))
        for ident, values in zip(ids, own, strict=True)
    }
    tried: list[dict[str, Any]] = [blank, dict(best)]
    for ident, values in zip(ids, own, strict=True):
        for value in values:
            tried.append({**blank, ident: value})
            tried.append({**best, ident: value})
    rng = random.Random(_SEED)
    for _ in range(JOINT_SAMPLE):
        tried.append({ident: rng.choice(values) for ident, values in zip(ids, own, strict=True)})
    unique: dict[str, dict[str, Any]] = {}
    for value in tried:
        unique.setdefault(repr(sorted(value.items(), key=lambda kv: kv[0])), value)
    return Responses(
        list(unique.values()),
        f"kosong, jawaban terbaik semua bagian, jawaban setiap bagian dengan bagian lain kosong "
        f"dan dengan bagian lain benar, dan {JOINT_SAMPLE} kombinasi acak tetap (bukan setiap "
        f"kombinasi: {count}, lebih dari {MAX_RESPONSES})",
        f"blank, every part's best response together, each part's responses with the other "
        f"parts blank and with them right, and {JOINT_SAMPLE} fixed random combinations (not "
        f"every combination: {count}, more than {MAX_RESPONSES})",
    )


def _best(values: Sequence[Any], score: Score) -> Any:
    """The first of ``values`` the source scores highest."""
    scores = [score(value) for value in values]
    return values[max(range(len(values)), key=lambda index: (scores[index], -index))]


#: Most combinations of the parts' responses :func:`not_a_sum` compares.
SUM_CHECKED = 20_000


def not_a_sum(
    item: AssessmentItem, score: Score
) -> tuple[dict[str, Any], float, list[float]] | None:
    """A combination of the parts' own responses that the source scores other than the
    sum of what each of them scores alone (the other parts blank), as
    ``(response, source score, [each part alone])``: the source scores the parts
    together (their sum, their product), which a composite item, each part scored by
    itself and the item the sum, has no form for. ``None`` when the first
    :data:`SUM_CHECKED` combinations (in the order of every combination) all add up,
    or the parts' responses cannot be listed."""
    import itertools

    interactions = list(item.interactions())
    ids = [interaction.response_identifier for interaction in interactions]
    own: list[list[Any]] = []
    try:
        for interaction in interactions:
            declaration = declaration_of(item, interaction)
            own.append(list(responses_for(narrowed(item, interaction), interaction, declaration)))
    except ProofIncomplete:
        return None
    blank = dict.fromkeys(ids)
    alone: dict[tuple[str, str], float] = {}
    for combo in itertools.islice(itertools.product(*own), SUM_CHECKED):
        response = dict(zip(ids, combo, strict=True))
        parts = []
        for ident, value in response.items():
            key = (ident, repr(value))
            if key not in alone:
                alone[key] = score({**blank, ident: value})
            parts.append(alone[key])
        whole = score(response)
        if whole != sum(parts):
            return response, whole, parts
    return None
