"""Divide the items the aggregate model chose into forms, then improve by swaps.

Every form gets exactly its rows' counts. Item sets are placed first, as units, and stay
where they are put; single items are dealt per row in snake order (sorted by key letter,
then by their target value, or shuffled with the seed when there is no target), skipping
forms where an enemy already sits. Repairs then swap items of the same row between forms
until no enemies share a form and every form's key shares hold. Finally a steepest-ascent
local search swaps two items of the same row between the weakest form and any other when
that raises the weaker of the two (for maximin: the smallest TIF at the target thetas);
each accepted swap improves the sorted vector of form values, so it ends. Nothing here
depends on the clock except the stop at the time limit, so the same input gives the same
forms.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from itembank.assembly.aggregate import section_key_limits
from itembank.assembly.model import Classical
from itembank.assembly.prepare import Problem

EPS = 1e-9


@dataclass
class Partition:
    items: np.ndarray
    rows: np.ndarray
    form: np.ndarray
    movable: np.ndarray
    totals: np.ndarray
    ok: bool
    problems: list[str] = field(default_factory=list)
    trace: list[tuple[float, float]] = field(default_factory=list)
    swaps: int = 0


class Evaluator:
    """A form's value from its target totals (higher is better): maximin TIF, minus the
    largest deviation from a target, minus the largest deviation from the forms' mean in
    tolerance units (classical), or 0. Totals carry the target's columns on the first
    axis (vectorised over the others), so the reduction runs over contiguous arrays."""

    def __init__(self, problem: Problem, centre: np.ndarray) -> None:
        self.sense = problem.sense
        self.goal = problem.goal
        self.scale: np.ndarray | None = None
        self.centre = centre
        target = problem.target
        if isinstance(target, Classical):
            length = float(problem.counts.sum())
            self.scale = np.array([target.score_tolerance, target.p_tolerance * length]) / 2

    def score(self, k: int, x: np.ndarray) -> np.ndarray:
        """Column ``k``'s contribution (higher is better), elementwise."""
        if self.sense == "max":
            return x
        if self.goal is not None:
            return -np.abs(x - self.goal[k])
        assert self.scale is not None
        return -np.abs(x - self.centre[k]) / self.scale[k]

    def __call__(self, totals: np.ndarray) -> np.ndarray:
        """Per form (totals: columns x forms): the worst column's score."""
        if totals.shape[0] == 0:
            return np.zeros(totals.shape[1:])
        out = self.score(0, totals[0])
        for k in range(1, totals.shape[0]):
            out = np.minimum(out, self.score(k, totals[k]))
        return out

    def swaps(
        self,
        coef_t: np.ndarray,
        totals: np.ndarray,
        f: int,
        a: np.ndarray,
        b: np.ndarray,
        g: np.ndarray,
    ) -> np.ndarray:
        """(a, b) matrix: the weaker of forms ``f`` and ``g[b]`` if item ``a`` in ``f``
        swapped with item ``b`` in ``g[b]``."""
        out: np.ndarray | None = None
        for k in range(coef_t.shape[0]):
            delta = coef_t[k, b][None, :] - coef_t[k, a][:, None]
            value = np.minimum(
                self.score(k, totals[f, k] + delta), self.score(k, totals[g, k][None, :] - delta)
            )
            out = value if out is None else np.minimum(out, value, out=out)
        assert out is not None
        return out


def _key_violation(
    counts: np.ndarray, keyed: np.ndarray, lo: float, hi: float, cap: np.ndarray
) -> np.ndarray:
    """Items by which key counts (..., letters) miss the share bounds and the run cap."""
    k = keyed[..., None]
    under = np.maximum(np.ceil(lo * k - 1e-9) - counts, 0)
    over = np.maximum(counts - np.floor(hi * k + 1e-9), 0)
    run = np.maximum(counts - cap[..., None], 0)
    return (under + over + run).sum(axis=-1)


class State:
    """Where every chosen item sits, with the per-form sums the moves need."""

    def __init__(self, problem: Problem, items: np.ndarray, rows: np.ndarray) -> None:
        self.p = problem
        self.items = items
        self.rows = rows
        self.forms = problem.forms
        self.form = np.full(items.size, -1, dtype=np.int64)
        self.coef = problem.coef[items]
        self.totals = np.tile(problem.anchor_coef, (self.forms, 1)).astype(float)
        n = problem.pool.size
        self.local = np.full(n, -1, dtype=np.int64)
        self.local[items] = np.arange(items.size)
        # Enemy counts: enemies[k, f] = how many enemies of chosen item k sit in form f.
        self.enemy_count = np.zeros((items.size, self.forms), dtype=np.int64)
        neighbours: list[list[int]] = [[] for _ in range(items.size)]
        for i, j in problem.enemies:
            a, b = self.local[i], self.local[j]
            if a >= 0 and b >= 0:
                neighbours[a].append(int(b))
                neighbours[b].append(int(a))
        self.neighbours = [np.array(x, dtype=np.int64) for x in neighbours]
        # Key counts per form, section, letter, and keyed counts per form, section.
        self.sections = len(problem.blueprint.sections)
        self.letters = max(len(problem.letters), 1)
        self.section = problem.row_section[rows]
        self.key = problem.key_code[items]
        limits = section_key_limits(problem)
        self.key_counts = np.tile(limits["anchor_keys"], (self.forms, 1, 1))
        self.keyed = self.key_counts.sum(axis=-1)
        self.run_cap = limits["run_cap"]
        kb = problem.rules.key_balance
        self.kb = kb

    def place(self, k: int, f: int, sign: int = 1) -> None:
        if sign > 0:
            self.form[k] = f
        self.totals[f] += sign * self.coef[k]
        for other in self.neighbours[k]:
            self.enemy_count[other, f] += sign
        if self.key[k] >= 0:
            self.key_counts[f, self.section[k], self.key[k]] += sign
            self.keyed[f, self.section[k]] += sign

    def swap(self, a: int, b: int) -> None:
        fa, fb = int(self.form[a]), int(self.form[b])
        self.place(a, fa, -1)
        self.place(b, fb, -1)
        self.place(a, fb)
        self.place(b, fa)

    def key_violation(self) -> np.ndarray:
        """Per form: items by which its key shares miss the bounds."""
        if self.kb is None:
            return np.zeros(self.forms)
        return _key_violation(
            self.key_counts, self.keyed, self.kb.min_share, self.kb.max_share, self.run_cap[None, :]
        ).sum(axis=-1)

    def enemy_conflicts(self) -> int:
        placed = self.form >= 0
        return int(self.enemy_count[placed, self.form[placed]].sum() // 2)

    def swap_key_delta(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Change of the total key violation if each ``a[c]`` swaps with ``b[c]``."""
        if self.kb is None:
            return np.zeros(a.size)
        fa, fb = self.form[a], self.form[b]
        s = self.section[a]
        ka, kb_ = self.key[a], self.key[b]
        differ = ka != kb_
        delta = np.zeros(a.size)
        if not differ.any():
            return delta
        idx = np.flatnonzero(differ)
        fa, fb, s, ka, kb_ = fa[idx], fb[idx], s[idx], ka[idx], kb_[idx]
        lo, hi = self.kb.min_share, self.kb.max_share
        cap = self.run_cap[s]
        total = np.zeros(idx.size)
        for form, out, into in ((fa, ka, kb_), (fb, kb_, ka)):
            counts = self.key_counts[form, s].copy()
            keyed = self.keyed[form, s].copy()
            before = _key_violation(counts, keyed, lo, hi, cap)
            rows_ = np.arange(idx.size)
            has_out, has_in = out >= 0, into >= 0
            counts[rows_[has_out], out[has_out]] -= 1
            counts[rows_[has_in], into[has_in]] += 1
            keyed = keyed - has_out + has_in
            total += _key_violation(counts, keyed, lo, hi, cap) - before
        delta[idx] = total
        return delta


def _deal(
    state: State,
    movable: np.ndarray,
    rng: np.random.Generator | None,
    evaluate: Evaluator,
) -> bool:
    """Initial placement: item sets first, then single items, largest first, each to the
    weakest form with room in its row and no enemy there (with key balance: among the
    forms with the fewest items of its key in its section, give or take one)."""
    p = state.p
    room = np.tile(p.need, (state.forms, 1)).astype(np.int64)
    # Units (item sets) first: the form with room in all their rows and no enemy, emptiest first.
    for unit in _units(state, movable):
        vector = np.bincount(state.rows[unit], minlength=p.need.size)
        fits = np.all(room >= vector[None, :], axis=1)
        clean = fits & (state.enemy_count[unit].sum(axis=0) == 0)
        choice = np.flatnonzero(clean if clean.any() else fits)
        if choice.size == 0:
            return False
        f = int(choice[np.argmax(room[choice].sum(axis=1))])
        for k in unit:
            state.place(int(k), f)
        room[f] -= vector
    members = np.flatnonzero(movable)
    if rng is not None:
        members = members[rng.permutation(members.size)]
    else:
        size = state.coef[members].sum(axis=1)
        members = members[np.argsort(-size, kind="stable")]
    keyed = state.kb is not None
    for k in members:
        r = state.rows[k]
        open_ = room[:, r] > 0
        if not open_.any():
            return False
        choice = open_ & (state.enemy_count[k] == 0)
        if not choice.any():
            choice = open_
        if keyed and state.key[k] >= 0:
            counts = state.key_counts[:, state.section[k], state.key[k]]
            least = counts[choice].min()
            choice = choice & (counts <= least + 1)
        if rng is not None:
            fill = room.sum(axis=1)
            f = int(np.flatnonzero(choice)[np.argmax(fill[choice])])
        else:
            values = evaluate(state.totals.T)
            f = int(np.flatnonzero(choice)[np.argmin(values[choice])])
        state.place(int(k), f)
        room[f, r] -= 1
    return True


def _units(state: State, movable: np.ndarray) -> list[np.ndarray]:
    units = []
    for group in state.p.sets:
        local = state.local[group]
        local = local[local >= 0]
        if local.size:
            units.append(local)
    units.sort(key=lambda u: (-u.size, int(u.min())))
    return units


def _candidates(state: State, movable: np.ndarray, f: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per row: the movable items in form ``f`` and those of the same row elsewhere."""
    out = []
    in_f = movable & (state.form == f)
    elsewhere = movable & (state.form != f)
    for r in range(state.p.need.size):
        a = np.flatnonzero(in_f & (state.rows == r))
        b = np.flatnonzero(elsewhere & (state.rows == r))
        if a.size and b.size:
            out.append((a, b))
    return out


def _repair(state: State, movable: np.ndarray, deadline: float) -> None:
    """Swap items of one row between forms until enemies are apart and key shares hold."""
    for _ in range(10 * state.items.size + 100):
        if time.perf_counter() > deadline:
            return
        violation = state.key_violation()
        conflict = np.flatnonzero(
            movable
            & (state.enemy_count[np.arange(state.items.size), np.maximum(state.form, 0)] > 0)
        )
        if violation.sum() == 0 and conflict.size == 0:
            return
        if conflict.size:
            f = int(state.form[conflict[0]])
            sources = conflict[:1]
        else:
            f = int(np.argmax(violation))
            sources = np.flatnonzero(movable & (state.form == f))
        best: tuple[float, int, int] | None = None
        for a_all, b in _candidates(state, movable, f):
            a = np.intersect1d(a_all, sources)
            if a.size == 0:
                continue
            aa = np.repeat(a, b.size)
            bb = np.tile(b, a.size)
            fa, fb = state.form[aa], state.form[bb]
            enemy_before = state.enemy_count[aa, fa] + state.enemy_count[bb, fb]
            enemy_after = state.enemy_count[aa, fb] + state.enemy_count[bb, fa]
            delta = state.swap_key_delta(aa, bb) + 2.0 * (enemy_after - enemy_before)
            c = int(np.argmin(delta))
            if best is None or delta[c] < best[0]:
                best = (float(delta[c]), int(aa[c]), int(bb[c]))
        if best is None or best[0] >= 0:
            return
        state.swap(best[1], best[2])


def partition(
    problem: Problem,
    items: np.ndarray,
    rows: np.ndarray,
    *,
    deadline: float,
    bound: float | None = None,
    gap: float = 0.0,
    began: float | None = None,
    cancel: Callable[[], bool] | None = None,
    progress: Callable[[float], None] | None = None,
) -> Partition:
    """Forms for the chosen ``items`` (pool positions, each filling row ``rows[k]``)."""
    state = State(problem, items, rows)
    in_set = np.zeros(items.size, dtype=bool)
    for unit in _units(state, np.ones(items.size, dtype=bool)):
        in_set[unit] = True
    movable = ~in_set
    content_only = problem.coef.shape[1] == 0
    rng = np.random.default_rng(problem.settings.seed) if content_only else None
    centre = problem.anchor_coef + state.coef.sum(axis=0) / problem.forms
    evaluate = Evaluator(problem, centre)
    if not _deal(state, movable, rng, evaluate):
        return Partition(items, rows, state.form, movable, state.totals, False, ["deal"])
    _repair(state, movable, deadline)
    problems = []
    if state.enemy_conflicts():
        problems.append("enemies")
    if state.key_violation().sum() > 0:
        problems.append("key_balance")
    result = Partition(items, rows, state.form, movable, state.totals, not problems, problems)
    if problems or content_only:
        return result
    coef_t = np.ascontiguousarray(state.coef.T)
    start = began if began is not None else time.perf_counter()

    def worst() -> float:
        return float(evaluate(state.totals.T).min())

    def objective() -> float:
        value = worst()
        return value if problem.sense == "max" else -value

    result.trace.append((time.perf_counter() - start, objective()))
    while time.perf_counter() < deadline:
        if cancel is not None and cancel():
            break
        if bound is not None and _within(objective(), bound, gap, problem.sense):
            break
        values = evaluate(state.totals.T)
        f = int(np.argmin(values))
        current = values[f]
        best: tuple[float, int, int] | None = None
        for a, b in _candidates(state, movable, f):
            g = state.form[b]
            value = evaluate.swaps(coef_t, state.totals, f, a, b, g)
            legal = (state.enemy_count[b, f][None, :] == 0) & (state.enemy_count[a][:, g] == 0)
            if state.kb is not None:
                differ = state.key[a][:, None] != state.key[b][None, :]
                if differ.any():
                    ia, ib = np.nonzero(differ & legal)
                    bad = state.swap_key_delta(a[ia], b[ib]) > 0
                    legal[ia[bad], ib[bad]] = False
            value = np.where(legal, value, -np.inf)
            c = int(np.argmax(value))
            ia, ib = divmod(c, b.size)
            if value.flat[c] > current + EPS and (best is None or value.flat[c] > best[0]):
                best = (float(value.flat[c]), int(a[ia]), int(b[ib]))
        if best is None:
            break
        state.swap(best[1], best[2])
        result.swaps += 1
        result.trace.append((time.perf_counter() - start, objective()))
        if progress is not None:
            progress(objective())
    result.form = state.form
    result.totals = state.totals
    return result


def _within(objective: float, bound: float, gap: float, sense: str) -> bool:
    scale = max(abs(bound), abs(objective))
    if scale == 0:
        return True
    return abs(bound - objective) / scale <= gap
