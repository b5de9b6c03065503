"""The whole (monolithic) model: one binary ``x[i, r, f]`` per candidate item, row it fits
and form. Used when a rule couples the forms (an item in several forms, at most k items
shared by two forms), as the baseline in the benchmark, and as the reference in tests.

    sum_i x[i, r, f] = n_r                        every form, every row
    sum_r x[i, r, f] <= 1                         an item once per form
    sum_{r, f} x[i, r, f] <= m                    usage
    u[i, f] + u[j, f] <= 1                        enemies, every form
    w[i, f, g] >= u[i, f] + u[i, g] - 1,  sum_i w[i, f, g] <= k     partial overlap
    key shares per form and section; item sets equal per form; inclusions >= 1
    maximin: TIF_f(theta_k) >= y;  target: |value - goal| <= d;  content only: random weights

with ``u[i, f] = sum_r x[i, r, f]``.
"""

from __future__ import annotations

import itertools

import numpy as np

from itembank.assembly.aggregate import section_key_limits
from itembank.assembly.milp import INF, Model
from itembank.assembly.model import Classical
from itembank.assembly.prepare import Problem


class FullModel:
    def __init__(self, problem: Problem) -> None:
        self.p = problem
        forms = problem.forms
        pi, pr = problem.pair_item, problem.pair_row
        self.pair_item, self.pair_row = pi, pr
        npairs = pi.size
        self.npairs = npairs
        m = Model()
        self.m = m
        x = m.add_columns(npairs * forms, 0.0, 1.0, integer=True)
        self.x = x.reshape(forms, npairs)
        rows_count = len(problem.labels)
        n = problem.pool.size
        items = np.unique(pi)
        position = np.full(n, -1, dtype=np.int64)
        position[items] = np.arange(items.size)
        item_pos = position[pi]
        self.items = items
        form_of = np.repeat(np.arange(forms), npairs)
        flat_pairs = np.tile(np.arange(npairs), forms)
        cols = self.x.ravel()

        need = np.tile(problem.need.astype(float), forms)
        m.add_rows(
            need, need, form_of * rows_count + pr[flat_pairs], cols, 1.0, count=forms * rows_count
        )
        multi = np.bincount(pi, minlength=n)[items] > 1
        if multi.any():
            sel = multi[item_pos[flat_pairs]]
            m.add_rows(
                -INF,
                1.0,
                form_of[sel] * items.size + item_pos[flat_pairs][sel],
                cols[sel],
                1.0,
                count=forms * items.size,
            )
        if problem.usage_cap < forms:
            m.add_rows(
                -INF, float(problem.usage_cap), item_pos[flat_pairs], cols, 1.0, count=items.size
            )

        # Usage of item i in form f as (row-of-block, column) entries for any item list.
        def usage(targets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """For each target item t and form f: entries (block row, column, 1)."""
            rows_, cols_ = [], []
            by_item: dict[int, np.ndarray] = {}
            for p, i in enumerate(pi):
                by_item.setdefault(int(i), []).append(p)  # type: ignore[attr-defined]
            for t, i in enumerate(targets):
                pairs = np.asarray(by_item.get(int(i), []), dtype=np.int64)
                for f in range(forms):
                    rows_.append(np.full(pairs.size, t * forms + f))
                    cols_.append(self.x[f, pairs])
            if not rows_:
                empty = np.zeros(0, dtype=np.int64)
                return empty, empty, np.zeros(0)
            r_ = np.concatenate(rows_)
            return r_, np.concatenate(cols_), np.ones(r_.size)

        enemies = problem.enemies[
            np.isin(problem.enemies[:, 0], items) & np.isin(problem.enemies[:, 1], items)
        ]
        if enemies.size:
            ri, ci, _ = usage(enemies[:, 0])
            rj, cj, _ = usage(enemies[:, 1])
            rows_ = np.concatenate([ri, rj])
            m.add_rows(
                -INF, 1.0, rows_, np.concatenate([ci, cj]), 1.0, count=enemies.shape[0] * forms
            )
        for group in problem.sets:
            members = group[np.isin(group, items)]
            for other in members[1:]:
                r1, c1, _ = usage(members[:1])
                r2, c2, _ = usage(np.array([other]))
                m.add_rows(
                    0.0,
                    0.0,
                    np.concatenate([r1, r2]),
                    np.concatenate([c1, c2]),
                    np.concatenate([np.ones(c1.size), -np.ones(c2.size)]),
                    count=forms,
                )
        include = problem.include[np.isin(problem.include, items)]
        if include.size:
            r_, c_, _ = usage(include)
            m.add_rows(1.0, INF, r_ // forms, c_, 1.0, count=include.size)

        kb = problem.rules.key_balance
        if kb is not None:
            limits = section_key_limits(problem)
            sec = problem.row_section[pr]
            key = problem.key_code[pi]
            for s in range(len(problem.blueprint.sections)):
                keyed = (sec == s) & (key >= 0)
                if not keyed.any():
                    continue
                a_keys = limits["anchor_keys"][s]
                a_keyed = a_keys.sum()
                for k in range(len(kb.letters)):
                    is_l = (key[keyed] == k).astype(float)
                    a_l = a_keys[k] if k < a_keys.size else 0.0
                    for f in range(forms):
                        c_ = self.x[f, keyed]
                        z0 = np.zeros(c_.size)
                        m.add_rows(
                            kb.min_share * a_keyed - a_l, INF, z0, c_, is_l - kb.min_share, count=1
                        )
                        m.add_rows(
                            -INF, kb.max_share * a_keyed - a_l, z0, c_, is_l - kb.max_share, count=1
                        )
                        sel = self.x[f, keyed][is_l > 0]
                        if sel.size:
                            m.add_rows(
                                -INF,
                                limits["run_cap"][s] - a_l,
                                np.zeros(sel.size),
                                sel,
                                1.0,
                                count=1,
                            )

        if problem.rules.max_shared is not None and problem.usage_cap > 1:
            pairs = list(itertools.combinations(range(forms), 2))
            w = m.add_columns(len(pairs) * items.size, 0.0, 1.0, integer=False).reshape(
                len(pairs), items.size
            )
            r_all, c_all, _ = usage(items)
            block_item, block_form = r_all // forms, r_all % forms
            for q, (f, g) in enumerate(pairs):
                sel_f, sel_g = block_form == f, block_form == g
                rows_ = np.concatenate(
                    [block_item[sel_f], block_item[sel_g], np.arange(items.size)]
                )
                cols_ = np.concatenate([c_all[sel_f], c_all[sel_g], w[q]])
                vals = np.concatenate(
                    [np.ones(sel_f.sum()), np.ones(sel_g.sum()), -np.ones(items.size)]
                )
                m.add_rows(-INF, 1.0, rows_, cols_, vals, count=items.size)
                m.add_rows(
                    -INF, float(problem.rules.max_shared), np.zeros(items.size), w[q], 1.0, count=1
                )

        self.value: int | None = None
        coef = problem.coef
        if (
            problem.sense == "max"
            or problem.goal is not None
            or (isinstance(problem.target, Classical) and problem.target.target_mean_p is not None)
        ):
            self.value = int(m.add_columns(1, 0.0, INF, integer=False)[0])
            m.set_cost(np.array([self.value]), 1.0)
            anchor = problem.anchor_coef
            goal = problem.goal
            if isinstance(problem.target, Classical):
                assert problem.target.target_mean_p is not None
                length = float(problem.counts.sum())
                coef = coef[:, 1:2] / length
                anchor = anchor[1:2] / length
                goal = np.array([problem.target.target_mean_p])
            kc = coef.shape[1]
            c = coef[pi]
            for f in range(forms):
                rows_ = np.concatenate([np.tile(np.arange(kc), npairs), np.arange(kc)])
                cols_ = np.concatenate([np.repeat(self.x[f], kc), np.full(kc, self.value)])
                if problem.sense == "max":
                    m.maximize = True
                    vals = np.concatenate([c.ravel(), -np.ones(kc)])
                    m.add_rows(-anchor, INF, rows_, cols_, vals, count=kc)
                else:
                    assert goal is not None
                    for sign in (1.0, -1.0):
                        vals = np.concatenate([c.ravel(), -sign * np.ones(kc)])
                        if sign > 0:
                            m.add_rows(-INF, goal - anchor, rows_, cols_, vals, count=kc)
                        else:
                            m.add_rows(goal - anchor, INF, rows_, cols_, vals, count=kc)
        else:
            rng = np.random.default_rng(problem.settings.seed)
            weights = rng.random(problem.pool.size)[pi]
            m.set_cost(cols, np.tile(weights, forms))
            m.maximize = True

    def start_from(self, form_of_item: dict[int, list[tuple[int, int]]]) -> np.ndarray:
        """A start vector from ``{item: [(form, row), ...]}``."""
        x0 = np.zeros(self.m.ncols)
        lookup = {
            (int(i), int(r)): p
            for p, (i, r) in enumerate(zip(self.pair_item, self.pair_row, strict=True))
        }
        for i, places in form_of_item.items():
            for f, r in places:
                x0[self.x[f, lookup[(i, r)]]] = 1.0
        if self.value is not None:
            x0[self.value] = 0.0
        return x0

    def decode(self, x: np.ndarray) -> list[list[tuple[int, int]]]:
        """Per form: (pool position, row) of the chosen pairs."""
        out = []
        for f in range(self.p.forms):
            chosen = np.flatnonzero(x[self.x[f]] > 0.5)
            out.append([(int(self.pair_item[p]), int(self.pair_row[p])) for p in chosen])
        return out
