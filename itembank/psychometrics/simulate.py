"""Seeded simulation of item parameters and candidates' responses (clearly simulated).

Used by the tests, the benchmark and the demo. Every function takes its ``seed``; no
global random state is touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from itembank.psychometrics.irt import models as m
from itembank.psychometrics.irt.results import ItemParameters

ItemKind = Literal["single", "weighted"]


@dataclass(frozen=True)
class SimulatedItem:
    """An item with true parameters and, for delivery, its options.

    ``single``: one ``key`` option (0-based) worth ``points``; ``weighted``: every option
    carries a weight, ``weights[o]`` (1..K), the chosen option's weight is the score and
    the IRT category is weight - 1.
    """

    kind: ItemKind
    parameters: ItemParameters
    n_options: int
    key: int | None = None
    weights: tuple[int, ...] | None = None
    points: float = 5.0


@dataclass(frozen=True)
class SimulatedResults:
    """Responses of simulated candidates. Arrays are candidates × items.

    ``categories``: IRT categories (0/1 for single choice, omitted = 0; weight - 1 for
    weighted items, omitted = NaN), NaN when not presented. ``scores``: delivered scores
    (points or 0; the weight or 0), NaN when not presented. ``options``: chosen option,
    -1 when omitted or not presented. ``group``: 0 reference, 1 focal.
    """

    theta: NDArray[np.float64]
    categories: NDArray[np.float64]
    scores: NDArray[np.float64]
    omitted: NDArray[np.bool_]
    options: NDArray[np.int8]
    group: NDArray[np.int8]
    form: NDArray[np.intp]


def simulate_items(
    n_single: int,
    n_weighted: int,
    *,
    seed: int,
    single_model: m.ModelName = "2PL",
    weighted_model: m.ModelName = "GPCM",
    n_options: int = 5,
    weights: int = 5,
    points: float = 5.0,
) -> list[SimulatedItem]:
    """Items with plausible parameters: a ~ LN(0, 0.3) (1.1 mean), b ~ N(0, 1) for single
    choice (c ~ Beta(5, 17) for 3PL); weighted items with ordered steps around N(0, 1)."""
    rng = np.random.default_rng(seed)
    items: list[SimulatedItem] = []
    for _ in range(n_single):
        a = float(np.exp(rng.normal(0.1, 0.3)))
        b = float(np.clip(rng.normal(0.0, 1.0), -2.5, 2.5))
        c = float(rng.beta(5, 17)) if single_model == "3PL" else 0.0
        key = int(rng.integers(n_options))
        par = ItemParameters(single_model, a, (b,), c)
        items.append(SimulatedItem("single", par, n_options, key=key, points=points))
    for _ in range(n_weighted):
        a = float(np.exp(rng.normal(-0.1, 0.25)))
        centre = rng.normal(0.0, 0.7)
        steps = np.sort(rng.normal(0.0, 1.0, weights - 1)) * 0.8 + centre
        if weighted_model == "GPCM":
            steps = steps + rng.normal(0, 0.2, weights - 1)  # steps need not be ordered
        par = ItemParameters(weighted_model, a, tuple(float(s) for s in steps))
        perm = rng.permutation(weights) + 1
        items.append(SimulatedItem("weighted", par, weights, weights=tuple(int(w) for w in perm)))
    return items


def anchor_design(n_items: int, n_forms: int, n_anchors: int) -> list[list[int]]:
    """Forms that share the first ``n_anchors`` items and split the rest evenly."""
    if not 0 <= n_anchors <= n_items or n_forms < 1:
        raise ValueError("anchor_design: need 0 <= n_anchors <= n_items and n_forms >= 1")
    unique = np.array_split(np.arange(n_anchors, n_items), n_forms)
    return [list(range(n_anchors)) + [int(j) for j in part] for part in unique]


def simulate_responses(
    items: Sequence[SimulatedItem],
    n_candidates: int,
    *,
    seed: int,
    forms: Sequence[Sequence[int]] | None = None,
    theta_mean: float = 0.0,
    theta_sd: float = 1.0,
    focal_share: float = 0.0,
    focal_shift: float = 0.0,
    dif: Mapping[int, float] | None = None,
    omit_rate: float = 0.0,
) -> SimulatedResults:
    """Responses of ``n_candidates`` with θ ~ N(theta_mean, theta_sd²).

    :param forms: item indices per form; candidates are dealt to forms in turn (default
        one form with every item).
    :param focal_share: share of candidates in the focal group (group 1), whose θ is
        shifted by ``focal_shift``.
    :param dif: item index → shift of every b (or step) for the focal group (> 0: the item
        is harder for the focal group at the same θ).
    :param omit_rate: chance of leaving an item blank for a candidate at θ = 0 (falls with
        θ); a blank scores 0.
    """
    rng = np.random.default_rng(seed)
    n_items = len(items)
    group = (rng.random(n_candidates) < focal_share).astype(np.int8)
    theta = rng.normal(theta_mean, theta_sd, n_candidates) + focal_shift * group
    form_list = [list(range(n_items))] if forms is None else [list(f) for f in forms]
    form = np.arange(n_candidates) % len(form_list)
    presented = np.zeros((n_candidates, n_items), dtype=bool)
    for f, members in enumerate(form_list):
        presented[np.ix_(form == f, members)] = True

    categories = np.full((n_candidates, n_items), np.nan)
    dif = dict(dif or {})
    for j, item in enumerate(items):
        cat = _draw(item.parameters, theta, rng)
        if j in dif:
            shifted = item.parameters
            shifted = ItemParameters(
                shifted.model, shifted.a, tuple(b + dif[j] for b in shifted.b), shifted.c
            )
            focal = group == 1
            cat[focal] = _draw(shifted, theta[focal], rng)
        categories[:, j] = cat
    omitted = np.zeros_like(presented)
    if omit_rate > 0:
        chance = omit_rate * np.exp(-0.7 * theta)[:, None]
        omitted = (rng.random((n_candidates, n_items)) < chance) & presented
    categories[~presented] = np.nan

    scores = np.full((n_candidates, n_items), np.nan)
    options = np.full((n_candidates, n_items), -1, dtype=np.int8)
    for j, item in enumerate(items):
        seen = presented[:, j]
        cat = categories[:, j]
        blank = omitted[:, j]
        if item.kind == "single":
            assert item.key is not None
            correct = seen & ~blank & (cat == 1)
            wrong = seen & ~blank & (cat == 0)
            scores[seen, j] = np.where(correct[seen], item.points, 0.0)
            options[correct, j] = item.key
            options[wrong, j] = _distractors(item, theta[wrong], rng)
            categories[blank, j] = 0.0
        else:
            assert item.weights is not None
            option_of_weight = np.argsort(item.weights)  # weight w+1 -> option
            chosen = seen & ~blank
            scores[seen, j] = np.where(chosen[seen], cat[seen] + 1, 0.0)
            options[chosen, j] = option_of_weight[cat[chosen].astype(np.intp)]
            categories[blank, j] = np.nan
    return SimulatedResults(theta, categories, scores, omitted, options, group, form)


def _draw(par: ItemParameters, theta: NDArray[np.float64], rng: np.random.Generator) -> NDArray:
    row = m.from_reported(par.model, par.a, par.b, par.c)[None, :]
    probs = np.exp(m.log_prob(par.model, row, theta)[0])  # (N, K)
    u = rng.random(theta.size)[:, None]
    return (u > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1).astype(np.float64)


def _distractors(
    item: SimulatedItem, theta: NDArray[np.float64], rng: np.random.Generator
) -> NDArray[np.int8]:
    """Wrong answers: each distractor has an appeal (seeded by the item) that weaker
    candidates follow more strongly."""
    others = np.array([o for o in range(item.n_options) if o != item.key])
    item_rng = np.random.default_rng(abs(hash((item.key, item.parameters.b))) % 2**32)
    appeal = item_rng.dirichlet(np.full(others.size, 2.0))
    tilt = item_rng.uniform(0.3, 0.9, others.size)
    logits = np.log(appeal)[None, :] - tilt[None, :] * theta[:, None]
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    u = rng.random(theta.size)[:, None]
    pick = (u > np.cumsum(probs, axis=1)[:, :-1]).sum(axis=1)
    return others[pick].astype(np.int8)
