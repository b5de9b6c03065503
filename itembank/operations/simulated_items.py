"""What the results simulator needs to know of each item of a form, as plain data.

:func:`item_spec` turns one entry of an exported form (its item type and content) into an
:class:`ItemSpec`: the item's IRT parameters and, per score category, the responses a
candidate in that category gives, in the bank's own response shapes (the ones each type's
``score()`` takes), with their scores computed by that ``score()``. The drawing itself
(:mod:`itembank.operations.simulated_results`) then needs no item type at all.

How each type is modelled:

=====================  ===========  ==========================================================
type                   model        categories
=====================  ===========  ==========================================================
``single_choice``      3PL (c .2)   0: a distractor, 1: the key
``true_false``         3PL (c .2)   0: the other value, 1: the key
``multiple_response``  2PL          0: wrong sets (a key left out, a distractor added, ...)
``short_text``         2PL          0: near misses of the first accepted answer, 1: accepted
``ordering``           2PL          0: the order with two neighbours swapped, or reversed
``matching``           2PL          0: the key with responses exchanged, 1: the key
``weighted_options``   GPCM         one per distinct weight, lowest first
``likert``             GRM          one per scale position score, 1 first
``extended_text``      GPCM         the rater's total 0, 1, ... points, split over criteria
``composite``          2PL          0: every part answered wrong, 1: every part right (each
                                    part's lowest and highest category as its type has them)
``numeric``            2PL          0: numbers outside the tolerance, 1: the answer
``hot_text``           2PL          0: other selections (a key left out, another added), 1: keys
``gap_match``          2PL          0: the gaps filled with other words, 1: the key
``hotspot``            2PL          0: another area (one choice) or a wrong set, 1: the key(s)
``associate``          2PL          0: the key pairs with partners exchanged, 1: the key
``graphic_gap_match``  2PL          0: the images on other areas (or other images), 1: the key
``graphic_order``      2PL          0: the order with two neighbours swapped, or reversed
``graphic_associate``  2PL          0: the key pairs with partners exchanged, 1: the key
``select_point``       2PL          0: points outside the areas worth most, 1: a point inside
                                    each of those (as many as may be clicked)
=====================  ===========  ==========================================================

Wrong responses are chosen so that they score 0 wherever the type allows it (a partial
credit matching item is answered wrong by giving every premise another response).

Where the parameters come from: :mod:`itembank.operations.simulated_parameters`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from itembank.errors import InvalidInput
from itembank.operations.simulated_parameters import resolve_parameters
from itembank.psychometrics.irt.results import ItemParameters
from qti.areas import edge_points, inner_point

__all__ = ["Category", "ItemSpec", "item_spec", "rubric_split"]

#: Median seconds a candidate spends on an item of each type (before any time limit).
TYPE_SECONDS: dict[str, float] = {
    "single_choice": 50.0,
    "true_false": 25.0,
    "multiple_response": 70.0,
    "short_text": 60.0,
    "ordering": 75.0,
    "matching": 90.0,
    "weighted_options": 45.0,
    "likert": 15.0,
    "extended_text": 420.0,
    "numeric": 70.0,
    "hot_text": 60.0,
    "gap_match": 80.0,
    "hotspot": 50.0,
    "associate": 90.0,
    "graphic_gap_match": 90.0,
    "select_point": 50.0,
    "graphic_order": 60.0,
    "graphic_associate": 90.0,
}


@dataclass(frozen=True)
class Category:
    """One score category: the responses given in it (bank shapes), each one's bank
    score, and how strongly each attracts (``appeal``, summing to 1; weaker candidates
    follow the appeal more strongly by ``tilt``: appeal × exp(-tilt × θ))."""

    responses: tuple[Any, ...]
    scores: tuple[float, ...]
    appeal: tuple[float, ...]
    tilt: tuple[float, ...]


@dataclass(frozen=True)
class ItemSpec:
    """One entry of the form, ready to draw responses for.

    ``categories`` has ``parameters.n_categories`` members, lowest score first. ``key``
    is the single correct response where the item has one (single choice, true/false),
    for planting a wrong key. ``shuffle``: the option identifiers a delivery shuffles for
    each candidate (None when it does not). ``rater``: scored by a person; each response
    is the rater's scores in the type's shape."""

    index: int
    identifier: str
    item_id: str
    type_id: str
    parameters: ItemParameters
    source: str
    categories: tuple[Category, ...]
    max_score: float
    options: tuple[str, ...] = ()
    key: Any = None
    shuffle: tuple[str, ...] | None = None
    rater: bool = False
    seconds: float = 60.0

    @property
    def blank_in_model(self) -> bool:
        """The model draws blanks itself (a calibration that counted them as a score)."""
        return any(c.responses == (None,) for c in self.categories)


Builder = Callable[
    [dict[str, Any], Any, np.random.Generator], tuple[list[Category], dict[str, Any]]
]


def _scored(item_type: Any, content: dict[str, Any], responses: Sequence[Any]) -> list[float]:
    return [float(item_type.score(content, r)) for r in responses]


def _category(
    item_type: Any,
    content: dict[str, Any],
    responses: Sequence[Any],
    rng: np.random.Generator | None = None,
    *,
    first_share: float | None = None,
) -> Category:
    """A category of ``responses``: distractor-like appeal drawn from ``rng`` (with a
    tilt towards weaker candidates), ``first_share`` for the first response and the rest
    shared evenly, or (neither) all alike."""
    n = len(responses)
    if rng is not None and n > 1:
        appeal = rng.dirichlet(np.full(n, 1.5))
        tilt = rng.uniform(0.0, 0.3, n)
    elif first_share is not None and n > 1:
        appeal = np.array([first_share] + [(1.0 - first_share) / (n - 1)] * (n - 1))
        tilt = np.zeros(n)
    else:
        appeal, tilt = np.full(n, 1.0 / n), np.zeros(n)
    return Category(
        responses=tuple(responses),
        scores=tuple(_scored(item_type, content, responses)),
        appeal=tuple(float(v) for v in appeal),
        tilt=tuple(float(v) for v in tilt),
    )


def _wrong(item_type: Any, content: dict[str, Any], options: Sequence[Any]) -> list[Any]:
    """The distinct ``options`` that score 0, else those below the maximum, lowest
    first (never an empty list for an item that can be answered wrong)."""
    unique: list[Any] = []
    for option in options:
        if option not in unique:
            unique.append(option)
    scores = _scored(item_type, content, unique)
    top = float(item_type.max_score(content))
    zero = [o for o, s in zip(unique, scores, strict=True) if s == 0]
    if zero:
        return zero
    below = sorted((s, n) for n, s in enumerate(scores) if s < top)
    return [unique[n] for _, n in below[:3]]


def _single_choice(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    ids = [o["id"] for o in content["options"]]
    key = content["key"]
    wrong = [i for i in ids if i != key]
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [key])]
    return categories, {"key": key, "options": tuple(ids), "shuffle": content.get("shuffle")}


def _true_false(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    key = bool(content["key"])
    categories = [
        _category(item_type, content, [not key]),
        _category(item_type, content, [key]),
    ]
    return categories, {"key": key, "options": ("true", "false")}


def _multiple_response(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    ids = [o["id"] for o in content["options"]]
    keys = [i for i in ids if i in content["keys"]]
    others = [i for i in ids if i not in keys]
    most = content.get("max_choices") or len(ids)
    least = content.get("min_choices") or 1
    tries: list[list[str]] = []
    for left_out in keys if len(keys) > 1 else []:
        tries.append([k for k in keys if k != left_out])
    for extra in others:
        if len(keys) + 1 <= most:
            tries.append([i for i in ids if i in keys or i == extra])
        tries.append([extra])
        tries.append([i for i in ids if (i in keys[:-1]) or i == extra])
    if len(others) > 1:
        tries.append(others[: max(least, 2)])
    fitting = [t for t in tries if least <= len(t) <= most and t] or [t for t in tries if t]
    wrong = _wrong(item_type, content, fitting)
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [keys])]
    return categories, {"options": tuple(ids), "shuffle": content.get("shuffle")}


def _short_text(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    # A cell of nothing but spaces is a blank, so such an answer cannot be given.
    accepted = [a for a in content["accepted"] if a.strip()] or list(content["accepted"])
    first = accepted[0]
    near = [first[:-1], first + first[-1:], first[::-1], first[1:], "tidak tahu"]
    near = [n for n in near if n.strip()]
    wrong = _wrong(item_type, content, near)
    categories = [
        _category(item_type, content, wrong, rng),
        _category(item_type, content, accepted, first_share=0.85),
    ]
    return categories, {}


def _ordering(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    order = list(content["correct_order"])
    tries = [[*order[:i], order[i + 1], order[i], *order[i + 2 :]] for i in range(len(order) - 1)]
    tries.append(order[::-1])
    wrong = _wrong(item_type, content, tries)
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [order])]
    ids = tuple(o["id"] for o in content["options"])
    return categories, {"options": ids, "shuffle": content.get("shuffle")}


def _matching(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    key = [[premise, answer] for premise, answer in content["pairs"]]
    answers = [answer for _, answer in key]
    others = [r["id"] for r in content["responses"] if r["id"] not in answers]
    tries: list[list[list[str]]] = []
    if len(key) > 1:
        rotated = answers[1:] + answers[:1]
        tries.append([[p, a] for (p, _), a in zip(key, rotated, strict=True)])
        for i in range(len(key) - 1):
            swapped = list(answers)
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            tries.append([[p, a] for (p, _), a in zip(key, swapped, strict=True)])
    for other in others:
        tries.append([[p, other] for p, _ in key])
    wrong = _wrong(item_type, content, tries)
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [key])]
    return categories, {}


def _numeric(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    answer = float(content["answer"])
    step = max(abs(answer), 1.0)
    near = [answer + step, answer - step, answer * 10 or 10.0, -answer or -1.0, answer + 2 * step]
    wrong = _wrong(item_type, content, near)
    categories = [
        _category(item_type, content, wrong, rng),
        _category(item_type, content, [content["answer"]]),
    ]
    return categories, {}


def _hot_text(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    ids = [h["id"] for h in content["hottexts"]]
    keys = [i for i in ids if i in content["keys"]]
    others = [i for i in ids if i not in keys]
    most = content.get("max_choices") or len(ids)
    tries: list[list[str]] = [[other] for other in others]
    tries += [[k for k in keys if k != left_out] for left_out in keys if len(keys) > 1]
    tries += [[*keys, other] for other in others if len(keys) + 1 <= most]
    wrong = _wrong(item_type, content, [t for t in tries if 0 < len(t) <= most])
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [keys])]
    return categories, {"options": tuple(ids), "shuffle": None}


def _gap_match(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    words = [w["id"] for w in content["words"]]
    key = {gap: word for gap, word in content["key"]}
    gaps = [g["id"] for g in content["gaps"]]
    right = [[key[gap], gap] for gap in gaps]
    tries: list[list[list[str]]] = []
    for shift in range(1, len(words)):  # every gap another word, each word once
        rotated = words[shift:] + words[:shift]
        filled = [[rotated[words.index(key[gap]) % len(words)], gap] for gap in gaps]
        if content["reuse_words"] or len({w for w, _ in filled}) == len(filled):
            tries.append(filled)
    tries += [[[word, gap]] for gap in gaps for word in words if word != key[gap]]
    wrong = _wrong(item_type, content, tries)
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [right])]
    return categories, {}


def _weighted_options(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    weights = sorted({o["weight"] for o in content["options"]})
    categories = [
        _category(item_type, content, [o["id"] for o in content["options"] if o["weight"] == w])
        for w in weights
    ]
    ids = tuple(o["id"] for o in content["options"])
    return categories, {"options": ids, "shuffle": content.get("shuffle")}


def _likert(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    weights = item_type.weights(content)
    by_score = sorted(weights.items(), key=lambda pair: pair[1])
    categories = [_category(item_type, content, [ident]) for ident, _ in by_score]
    return categories, {"options": tuple(weights)}


def rubric_split(total: float, rubric: Sequence[tuple[str, float]]) -> dict[str, float]:
    """A rater's ``total`` as scores per criterion, each within its maximum: shares in
    proportion to the maxima, in whole points (largest remainders first) where every
    maximum is whole."""
    maximum = sum(top for _, top in rubric)
    shares = {ident: total * top / maximum for ident, top in rubric}
    if not all(float(top).is_integer() for _, top in rubric):
        return shares
    scores = {ident: math.floor(share) for ident, share in shares.items()}
    left = round(total) - sum(scores.values())
    by_remainder = sorted(rubric, key=lambda pair: scores[pair[0]] - shares[pair[0]])
    for ident, top in by_remainder:
        if left > 0 and scores[ident] < top:
            scores[ident] += 1
            left -= 1
    return {ident: int(v) for ident, v in scores.items()}


def _rated(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    """Essays: the rater's total in whole points 0..max (or five steps of a maximum that
    is not whole), split over the rubric's criteria."""
    rubric = [(c["id"], float(c["max_points"])) for c in content.get("rubric", [])]
    maximum = float(item_type.max_score(content))
    steps = int(maximum) if maximum.is_integer() and 1 <= maximum <= 20 else 4
    totals = [maximum * k / steps for k in range(steps + 1)]
    categories = []
    for total in totals:
        response = rubric_split(total, rubric) if rubric else total
        score = float(item_type.score(content, response)) if rubric else total
        categories.append(Category((response,), (score,), (1.0,), (0.0,)))
    return categories, {}


def _composite(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    wrong, right = [], []
    for part in content["parts"]:
        builder = BUILDERS.get(part["type"])
        part_type = item_type.part_types().get(part["type"])
        if builder is None or part_type is None:
            raise _NotSimulated(part["type"])
        categories, _extra = builder(part["content"], part_type, rng)
        wrong.append(categories[0].responses[0])
        right.append(categories[-1].responses[0])
    return [_category(item_type, content, [wrong]), _category(item_type, content, [right])], {}


class _NotSimulated(Exception):
    """A composite item with a part of a type the simulator does not know."""


def _hotspot(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    ids = [h["id"] for h in content["hotspots"]]
    keys = [i for i in ids if i in content["keys"]]
    others = [i for i in ids if i not in keys]
    if content["max_choices"] == 1:
        wrong = _wrong(item_type, content, others)
        right: Any = keys[0]
    else:
        tries = [[k for k in keys if k != left_out] for left_out in keys if len(keys) > 1]
        tries += [[*keys, other] for other in others] + [[other] for other in others]
        wrong = _wrong(item_type, content, [t for t in tries if t])
        right = keys
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [right])]
    return categories, {"options": tuple(ids)}


def _associate(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    key = [list(pair) for pair in content["pairs"]]
    firsts = [first for first, _ in key]
    seconds = [second for _, second in key]
    tries: list[list[list[str]]] = []
    if len(key) > 1:
        rotated = seconds[1:] + seconds[:1]
        tries.append([[a, b] for a, b in zip(firsts, rotated, strict=True)])
    used = {ident for pair in key for ident in pair}
    others = [c["id"] for c in content["choices"] if c["id"] not in used]
    tries += [[[first, other]] for first in firsts for other in others]
    tries.append([[firsts[0], firsts[1]]] if len(firsts) > 1 else [[seconds[0], firsts[0]]])
    wrong = _wrong(item_type, content, [t for t in tries if t])
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [key])]
    return categories, {}


def _graphic_gap_match(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    key = [list(pair) for pair in content["pairs"]]
    gaps = [g["id"] for g in content["gaps"]]
    areas = [a["id"] for a in content["hotspots"]]
    tries: list[list[list[str]]] = []
    if len(key) > 1:
        areas_of_key = [area for _, area in key]
        rotated = [*areas_of_key[1:], areas_of_key[0]]
        tries.append([[gap, area] for (gap, _), area in zip(key, rotated, strict=True)])
    tries += [[[gap, area]] for gap in gaps for area in areas if [gap, area] not in key]
    wrong = _wrong(item_type, content, tries)
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [key])]
    return categories, {}


def _select_point(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    areas = content["areas"]
    inside = [inner_point(a["shape"], a["coords"]) for a in areas]
    ranked = sorted(
        (i for i, a in enumerate(areas) if a["value"] > 0 and inside[i]),
        key=lambda i: -areas[i]["value"],
    )
    single = content["max_choices"] == 1
    best = [list(inside[i]) for i in ranked[: content["max_choices"] or None]]  # type: ignore[arg-type]
    others = [list(p) for a in areas for p in edge_points(a["shape"], a["coords"])]
    others += [list(inside[i]) for i, a in enumerate(areas) if a["value"] <= 0 and inside[i]]  # type: ignore[arg-type]
    others += [[0, 0], [1, 1]]
    tries = others if single else [[point] for point in others]
    wrong = _wrong(item_type, content, tries)
    right: Any = best[0] if single else best
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [right])]
    return categories, {}


def _graphic_order(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    order = list(content["correct_order"])
    tries = [[*order[:i], order[i + 1], order[i], *order[i + 2 :]] for i in range(len(order) - 1)]
    tries.append(order[::-1])
    wrong = _wrong(item_type, content, tries)
    categories = [_category(item_type, content, wrong, rng), _category(item_type, content, [order])]
    return categories, {"options": tuple(h["id"] for h in content["hotspots"])}


def _graphic_associate(content: dict[str, Any], item_type: Any, rng: np.random.Generator) -> Any:
    # the areas play the choices of an associate item
    return _associate({**content, "choices": content["hotspots"]}, item_type, rng)


BUILDERS: dict[str, Builder] = {
    "single_choice": _single_choice,
    "true_false": _true_false,
    "multiple_response": _multiple_response,
    "short_text": _short_text,
    "ordering": _ordering,
    "matching": _matching,
    "weighted_options": _weighted_options,
    "likert": _likert,
    "extended_text": _rated,
    "composite": _composite,
    "numeric": _numeric,
    "hot_text": _hot_text,
    "gap_match": _gap_match,
    "hotspot": _hotspot,
    "associate": _associate,
    "graphic_gap_match": _graphic_gap_match,
    "select_point": _select_point,
    "graphic_order": _graphic_order,
    "graphic_associate": _graphic_associate,
}


#: The category of a blank response, when a model's categories include it.
BLANK = Category(responses=(None,), scores=(0.0,), appeal=(1.0,), tilt=(0.0,))


def _by_level(categories: tuple[Category, ...], levels: list[float]) -> tuple[Category, ...]:
    """The categories whose scores are ``levels``, in their order (a level of 0 that no
    category scores is a blank)."""
    by_score = {max(c.scores): c for c in categories}
    return tuple(
        next((c for s, c in by_score.items() if abs(s - level) < 1e-9), BLANK) for level in levels
    )


def item_spec(
    *,
    index: int,
    identifier: str,
    item_id: str,
    type_id: str,
    item_type: Any,
    content: dict[str, Any],
    rater: bool,
    seed: int,
    given: Mapping[str, Any] | None = None,
    bank_rows: Sequence[tuple[str, Mapping[str, Any]]] = (),
    proportion: tuple[str, float] | None = None,
) -> ItemSpec:
    """The spec of one entry.

    :param given: parameters the caller gives for this item (``{"model", "a", "b",
        "c"}``); used when they fit the item, else refused.
    :param bank_rows: the version's ``item_parameters`` rows as ``(model, params)``,
        newest first; the first that fits is used.
    :param proportion: ``(source, p)``: a proportion of the maximum candidates score
        on average (classical p, the author's difficulty estimate) to centre default
        parameters on.
    :raises InvalidInput: an item type the simulator does not know, or given parameters
        that do not fit the item."""
    builder = BUILDERS.get("extended_text" if rater else type_id)
    if builder is None:
        raise InvalidInput(
            f"cannot simulate responses to item {item_id}: type {type_id!r} is not one the "
            "simulator knows",
            [
                {
                    "field": "form",
                    "message": f"Jawaban untuk soal {item_id} (jenis '{type_id}') tidak dapat "
                    "disimulasikan.",
                    "message_en": f"Responses to item {item_id} (type '{type_id}') cannot be "
                    "simulated.",
                }
            ],
        )
    rng = np.random.default_rng([seed, 11, index])
    try:
        raw_categories, extra = builder(content, item_type, rng)
    except _NotSimulated as exc:
        raise InvalidInput(
            f"cannot simulate responses to item {item_id}: a part of type {exc.args[0]!r} is "
            "not one the simulator knows",
            [
                {
                    "field": "form",
                    "message": f"Jawaban untuk soal {item_id} (bagian berjenis '{exc.args[0]}') "
                    "tidak dapat disimulasikan.",
                    "message_en": f"Responses to item {item_id} (a part of type "
                    f"'{exc.args[0]}') cannot be simulated.",
                }
            ],
        ) from None
    categories = tuple(raw_categories)
    n_categories = len(categories)
    parameters, source, levels = resolve_parameters(
        type_id,
        [max(c.scores) for c in categories],
        float(item_type.max_score(content)),
        rng,
        given,
        bank_rows,
        proportion,
    )
    categories = _by_level(categories, levels)
    if given is not None and source != "given":
        raise InvalidInput(
            f"the parameters given for item {item_id} do not fit it",
            [
                {
                    "field": "parameters",
                    "message": f"Parameter untuk soal {item_id} tidak cocok: soal ini memiliki "
                    f"{n_categories} kategori skor (model "
                    f"{'3PL/2PL' if n_categories == 2 else 'GPCM/GRM'}, b berisi "
                    f"{n_categories - 1} nilai).",
                    "message_en": f"The parameters for item {item_id} do not fit it: it has "
                    f"{n_categories} score categories (model "
                    f"{'3PL/2PL' if n_categories == 2 else 'GPCM/GRM'}, b with "
                    f"{n_categories - 1} value(s)).",
                }
            ],
        )
    shuffle = tuple(extra["options"]) if extra.get("shuffle") else None
    return ItemSpec(
        index=index,
        identifier=identifier,
        item_id=item_id,
        type_id=type_id,
        parameters=parameters,
        source=source,
        categories=categories,
        max_score=float(item_type.max_score(content)),
        options=tuple(extra.get("options", ())),
        key=extra.get("key"),
        shuffle=shuffle,
        rater=rater,
        seconds=TYPE_SECONDS.get("extended_text" if rater else type_id, 60.0),
    )
