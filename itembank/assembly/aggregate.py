"""The aggregate model: which items the forms use together, not yet which form.

One integer column ``z[i, r]`` per pair of a candidate item and a row it fits: how many
forms use item ``i`` in row ``r`` (0/1 when forms share no items). With ``F`` forms and
``n_r`` items of row ``r`` per form (anchors deducted)::

    sum_i z[i, r] = F n_r                               (the blueprint, all forms together)
    sum_r z[i, r] <= m                                  (item usage; m = 1: no overlap)
    sum_i I_k(i) z[i, .] + F A_k >= F y   for every k   (maximin: y is the per-form value)
    |sum_i c_k(i) z[i, .] + F A_k - F g_k| <= F d        (target curves, classical target)
    key shares of every section summed over the forms within F x the bounds

Summing any set of forms over ``f`` gives a solution of this model with the same value, so
its LP relaxation bounds every set of forms (and equals the LP relaxation of the whole
model by symmetry: ``x[i, f] = z[i] / F``). With partial overlap the convex pair count
``sum_i C(u_i, 2) <= k C(F, 2)`` is added through unit increments, still a relaxation.

``slack=True`` builds the diagnosis variant: rows, key shares, inclusions and enemies
(one form) get slack columns, items left out by exposure come back at a cost, and the
objective is the total slack (a unit of slack on a rule costs twice an item let back in
past the exposure rule): what has to give, and by how much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from itembank.assembly.milp import INF, Model
from itembank.assembly.model import Classical
from itembank.assembly.prepare import Problem

EXPOSURE_RULES = ("exposure_share", "exposure_recent", "flagged")


@dataclass
class Aggregate:
    model: Model
    pair_item: np.ndarray
    pair_row: np.ndarray
    z: np.ndarray
    value: int | None
    slacks: dict[str, list[tuple[int, str, int]]] = field(default_factory=dict)
    readmitted: np.ndarray | None = None


def section_key_limits(problem: Problem) -> dict[str, np.ndarray]:
    """Per section: its length, the anchors' key counts (sections x letters), the anchors'
    keyed count, and the most items one letter may have so no run exceeds ``max_run``."""
    sections = len(problem.blueprint.sections)
    letters = len(problem.letters)
    length = np.bincount(problem.row_section, weights=problem.counts, minlength=sections)
    anchor_keys = np.zeros((sections, max(letters, 1)))
    for a, r in zip(problem.anchors, problem.anchor_rows, strict=True):
        if problem.key_code[a] >= 0:
            anchor_keys[problem.row_section[r], problem.key_code[a]] += 1
    kb = problem.rules.key_balance
    run = kb.max_run if kb else 2
    run_cap = np.floor(run * (length + 1) / (run + 1))
    return {"length": length, "anchor_keys": anchor_keys, "run_cap": run_cap}


def build(
    problem: Problem,
    *,
    slack: bool = False,
    objective_weights: np.ndarray | None = None,
) -> Aggregate:
    forms = problem.forms
    cap = problem.usage_cap
    candidate = problem.candidate
    readmitted = None
    if slack:
        soft = np.zeros_like(candidate)
        for name in EXPOSURE_RULES:
            soft |= problem.removed[name]
        others = [n for n in problem.removed if n not in EXPOSURE_RULES]
        for name in others:
            soft &= ~problem.removed[name]
        soft &= problem.fits.any(axis=1)
        readmitted = soft & ~candidate
        candidate = candidate | readmitted
        pair_item, pair_row = np.nonzero(problem.fits & candidate[:, None])
    else:
        pair_item, pair_row = problem.pair_item, problem.pair_row
    n = problem.pool.size
    m = Model()
    z = m.add_columns(pair_item.size, 0.0, float(cap), integer=True)
    items_used = np.unique(pair_item)
    slacks: dict[str, list[tuple[int, str, int]]] = {}

    def add_slack(rule: str, label: str, count: int) -> np.ndarray:
        cols = m.add_columns(count, 0.0, INF, cost=2.0, integer=False)
        slacks.setdefault(rule, []).extend((int(c), label, k) for k, c in enumerate(cols))
        return cols

    # Blueprint rows.
    demand = forms * problem.need.astype(float)
    if slack:
        s_rows = add_slack("rows", "rows", len(problem.labels))
        m.add_rows(
            demand,
            demand,
            np.concatenate([pair_row, np.arange(len(problem.labels))]),
            np.concatenate([z, s_rows]),
            1.0,
            count=len(problem.labels),
        )
    else:
        m.add_rows(demand, demand, pair_row, z, 1.0, count=len(problem.labels))

    # Usage per item (rows only for items that fit several rows; bounds do the rest).
    multi = np.bincount(pair_item, minlength=n) > 1
    if multi.any():
        chosen = multi[pair_item]
        _, local = np.unique(pair_item[chosen], return_inverse=True)
        m.add_rows(-INF, float(cap), local, z[chosen], 1.0)

    def usage_rows(items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers (the position in ``items``, distinct) and the columns of ``z`` that
        sum each item's usage."""
        position = np.full(n, -1, dtype=np.int64)
        position[items] = np.arange(items.size)
        chosen = position[pair_item] >= 0
        return position[pair_item[chosen]], z[chosen]

    # Item sets: every member used as often as the first.
    for group in problem.sets:
        members = group[np.isin(group, items_used)]
        if members.size < 2:
            continue
        first_rows, first_cols = usage_rows(members[:1])
        for other in members[1:]:
            o_rows, o_cols = usage_rows(np.array([other]))
            m.add_rows(
                0.0,
                0.0,
                np.concatenate([first_rows, o_rows]),
                np.concatenate([first_cols, o_cols]),
                np.concatenate([np.ones(first_cols.size), -np.ones(o_cols.size)]),
                count=1,
            )

    # Inclusions.
    include = problem.include[np.isin(problem.include, items_used)]
    if include.size:
        rows_, cols_ = usage_rows(include)
        if slack:
            s_inc = add_slack("include", "include", include.size)
            rows_ = np.concatenate([rows_, np.arange(include.size)])
            cols_ = np.concatenate([cols_, s_inc])
        m.add_rows(1.0, INF, rows_, cols_, 1.0, count=include.size)

    # Enemies matter here only with one form (else the partition separates them).
    if forms == 1 and problem.enemies.size:
        pairs = problem.enemies[
            np.isin(problem.enemies[:, 0], items_used) & np.isin(problem.enemies[:, 1], items_used)
        ]
        for i, j in pairs:
            _, c1 = usage_rows(np.array([i, j]))
            cols_ = c1
            if slack:
                s = add_slack(
                    "enemies", f"{problem.pool.item_ids[i]}-{problem.pool.item_ids[j]}", 1
                )
                cols_ = np.concatenate([c1, s])
                vals = np.concatenate([np.ones(c1.size), -np.ones(1)])
            else:
                vals = np.ones(c1.size)
            m.add_rows(-INF, 1.0, np.zeros(cols_.size), cols_, vals, count=1)

    # Key balance per section, summed over the forms.
    kb = problem.rules.key_balance
    if kb is not None:
        limits = section_key_limits(problem)
        pair_section = problem.row_section[pair_row]
        pair_key = problem.key_code[pair_item]
        for s in range(len(problem.blueprint.sections)):
            in_s = pair_section == s
            keyed = in_s & (pair_key >= 0)
            if not keyed.any():
                continue
            a_keys = limits["anchor_keys"][s]
            a_keyed = a_keys.sum()
            fixed = None
            if keyed.sum() == in_s.sum():
                in_section = problem.row_section[problem.anchor_rows] == s
                unkeyed = int((problem.key_code[problem.anchors[in_section]] < 0).sum())
                fixed = float(limits["length"][s]) - unkeyed
            for k, letter in enumerate(kb.letters):
                is_l = keyed & (pair_key == k)
                a_l = a_keys[k] if k < a_keys.size else 0.0
                coef = np.where(is_l[keyed], 1.0, 0.0)
                cols = z[keyed]
                for bound, sign, rule in (
                    (kb.min_share, 1.0, "key_min"),
                    (kb.max_share, -1.0, "key_max"),
                ):
                    if fixed is not None:
                        # Every slot of the section is keyed: the per-form count is an
                        # integer, so the bounds round inward (ceil / floor of share x K).
                        share = bound * fixed
                        per_form = math.ceil(share - 1e-9) if sign > 0 else math.floor(share + 1e-9)
                        vals = coef
                        rhs = forms * (per_form - a_l)
                    else:
                        vals = coef - bound
                        rhs = forms * (bound * a_keyed - a_l)
                    c_ = cols
                    v_ = vals
                    if slack:
                        s_ = add_slack(rule, f"{s + 1}:{letter}", 1)
                        c_ = np.concatenate([cols, s_])
                        v_ = np.concatenate([vals, [sign]])
                    if sign > 0:
                        m.add_rows(rhs, INF, np.zeros(c_.size), c_, v_, count=1)
                    else:
                        m.add_rows(-INF, rhs, np.zeros(c_.size), c_, v_, count=1)
                run_rhs = forms * (limits["run_cap"][s] - a_l)
                c_, v_ = z[is_l], np.ones(int(is_l.sum()))
                if slack:
                    s_ = add_slack("key_run", f"{s + 1}:{letter}", 1)
                    c_, v_ = np.concatenate([c_, s_]), np.concatenate([v_, [-1.0]])
                if c_.size:
                    m.add_rows(-INF, run_rhs, np.zeros(c_.size), c_, v_, count=1)
                del letter

    # Pairwise overlap budget (partial overlap): unit increments with convex cost.
    if problem.rules.max_shared is not None and cap > 1:
        items = items_used
        inc = m.add_columns(items.size * cap, 0.0, 1.0, integer=False)
        rows_, cols_ = usage_rows(items)
        inc_rows = np.repeat(np.arange(items.size), cap)
        m.add_rows(
            0.0,
            0.0,
            np.concatenate([rows_, inc_rows]),
            np.concatenate([cols_, inc]),
            np.concatenate([np.ones(cols_.size), -np.ones(inc.size)]),
            count=items.size,
        )
        step_cost = np.tile(np.arange(cap, dtype=float), items.size)
        budget = problem.rules.max_shared * math.comb(forms, 2)
        m.add_rows(-INF, float(budget), np.zeros(inc.size), inc, step_cost, count=1)

    # Objective.
    value = None
    if slack:
        if readmitted is not None and readmitted.any():
            soft_cols = z[readmitted[pair_item]]
            m.set_cost(soft_cols, 1.0)
        m.maximize = False
    elif problem.sense == "max":
        value = int(m.add_columns(1, 0.0, INF, integer=False)[0])
        m.set_cost(np.array([value]), 1.0)
        m.maximize = True
        k_count = problem.coef.shape[1]
        coef = problem.coef[pair_item]
        rows_ = np.concatenate(
            [np.repeat(np.arange(k_count)[None, :], z.size, 0).ravel(), np.arange(k_count)]
        )
        cols_ = np.concatenate([np.repeat(z, k_count), np.full(k_count, value)])
        vals = np.concatenate([coef.ravel(), np.full(k_count, -float(forms))])
        m.add_rows(-forms * problem.anchor_coef, INF, rows_, cols_, vals, count=k_count)
    elif problem.sense == "min" and (
        problem.goal is not None
        or (isinstance(problem.target, Classical) and problem.target.target_mean_p is not None)
    ):
        value = int(m.add_columns(1, 0.0, INF, integer=False)[0])
        m.set_cost(np.array([value]), 1.0)
        if problem.goal is not None:
            coef, goal = problem.coef, problem.goal
            anchor = problem.anchor_coef
        else:
            assert isinstance(problem.target, Classical)
            assert problem.target.target_mean_p is not None
            length = float(problem.counts.sum())
            coef = problem.coef[:, 1:2] / length
            goal = np.array([problem.target.target_mean_p])
            anchor = problem.anchor_coef[1:2] / length
        k_count = coef.shape[1]
        c = coef[pair_item]
        rows_ = np.concatenate(
            [np.repeat(np.arange(k_count)[None, :], z.size, 0).ravel(), np.arange(k_count)]
        )
        cols_ = np.concatenate([np.repeat(z, k_count), np.full(k_count, value)])
        for sign in (1.0, -1.0):
            vals = np.concatenate([c.ravel(), np.full(k_count, -sign * forms)])
            rhs = forms * (goal - anchor)
            if sign > 0:
                m.add_rows(-INF, rhs, rows_, cols_, vals, count=k_count)
            else:
                m.add_rows(rhs, INF, rows_, cols_, vals, count=k_count)
    else:
        # Content only (or classical without a target p): items drawn at random, seeded.
        weights = objective_weights
        if weights is None:
            rng = np.random.default_rng(problem.settings.seed)
            weights = rng.random(n)
        m.set_cost(z, weights[pair_item])
        m.maximize = True
    return Aggregate(m, pair_item, pair_row, z, value, slacks, readmitted)
