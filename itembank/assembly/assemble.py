"""``assemble``: parallel forms from one blueprint, with a certificate or an explanation.

Stages: check supply against demand (stop with messages if short); solve the aggregate
model's LP relaxation explicitly (the bound); then either **decompose** (the aggregate
MIP chooses the items of all forms together, :mod:`partition` divides them into forms and
improves them by swaps) or, when a rule couples forms (an item in several forms, partial
overlap) or the division fails, solve the **full** model (started from the division when
there is one); order each section for delivery; compute every figure from the chosen
items, and the gap from those figures and the bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from itembank.assembly import stats
from itembank.assembly.aggregate import build
from itembank.assembly.diagnose import explain
from itembank.assembly.full import FullModel
from itembank.assembly.milp import solver_version
from itembank.assembly.model import (
    Blueprint,
    MaximinTIF,
    Pool,
    Rules,
    Settings,
    Target,
)
from itembank.assembly.order import order_section
from itembank.assembly.partition import partition
from itembank.assembly.prepare import Problem, prepare
from itembank.assembly.result import Form, Infeasible, Message, Result, relative_gap

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

STAGES = 5


class Cancelled(Exception):
    """The cancel check said stop; nothing is returned."""


def assemble(
    pool: Pool,
    blueprint: Blueprint,
    rules: Rules | None = None,
    target: Target | None = None,
    settings: Settings | None = None,
    *,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> Result | Infeasible:
    """Assemble ``settings.forms`` forms of ``blueprint`` from ``pool`` under ``rules``,
    optimising ``target`` (default: maximin TIF at -1, 0, 1).

    :param progress: called as ``progress(done, total, message_en)`` between stages and
        at every improvement.
    :param cancel: called at checkpoints (and inside HiGHS); when it returns true the run
        stops with :class:`Cancelled`.
    :returns: a :class:`Result`, or an :class:`Infeasible` whose messages say what cannot
        be met.
    """
    rules = rules or Rules()
    target = target or MaximinTIF()
    settings = settings or Settings()
    began = time.perf_counter()
    deadline = began + settings.time_limit
    times: dict[str, float] = {}

    def step(done: int, message_en: str) -> None:
        if cancel is not None and cancel():
            raise Cancelled(message_en)
        if progress is not None:
            progress(done, STAGES, message_en)

    def left() -> float:
        return max(deadline - time.perf_counter(), 0.01)

    step(0, "Checking supply against demand")
    problem, messages = prepare(pool, blueprint, rules, target, settings)
    times["check"] = time.perf_counter() - began
    if problem is None or messages:
        return Infeasible("check", messages, times)
    options = {"threads": settings.threads, "random_seed": settings.seed}

    step(1, "Computing the LP bound")
    mark = time.perf_counter()
    bound: float | None = None
    certified = problem.sense == "max" or problem.goal is not None
    aggregate = build(problem)
    lp = aggregate.model.solve(relax=True, time_limit=left(), options=options, cancel=cancel)
    times["bound"] = time.perf_counter() - mark
    if lp.status == "cancelled":
        raise Cancelled("LP bound")
    if lp.status == "infeasible":
        return Infeasible("solve", explain(problem, min(left(), 10.0)), times)
    if certified and lp.x is not None and aggregate.value is not None:
        bound = float(lp.x[aggregate.value])

    method = settings.method
    if method == "auto":
        method = "full" if problem.usage_cap > 1 else "decompose"
    trace: list[tuple[float, float]] = []
    chosen_forms: list[list[tuple[int, int]]] | None = None
    solver: dict[str, object] = {
        "name": "HiGHS",
        "version": solver_version(),
        "options": dict(options),
        "pool": pool.size,
        "candidates": int(problem.candidate.sum()),
        "pairs": int(problem.pair_item.size),
    }
    stopped = "local_optimum"

    if method == "decompose":
        step(2, "Choosing the items of all forms together")
        mark = time.perf_counter()
        mip_gap = max(settings.gap / 2, 1e-4)
        mip_options: dict[str, object] = {**options, "mip_rel_gap": mip_gap}
        if problem.sense == "min":
            # Deviations near 0 make a relative gap unreachable; stop on the absolute one.
            mip_options["mip_abs_gap"] = mip_gap
        outcome = aggregate.model.solve(
            time_limit=left() * 0.6,
            options=mip_options,
            cancel=cancel,
        )
        times["aggregate"] = time.perf_counter() - mark
        solver["aggregate"] = {"status": outcome.status, "mip_rel_gap": mip_gap}
        if outcome.status == "cancelled":
            raise Cancelled("aggregate")
        if outcome.status == "infeasible":
            return Infeasible("solve", explain(problem, min(left(), 10.0)), times)
        if outcome.x is None:
            return Infeasible("solve", [_no_solution_message(settings)], times)
        chosen = outcome.x[aggregate.z] > 0.5
        items, rows = aggregate.pair_item[chosen], aggregate.pair_row[chosen]
        step(3, "Dividing the items into forms")
        mark = time.perf_counter()
        part = partition(
            problem,
            items,
            rows,
            deadline=deadline,
            bound=bound,
            gap=settings.gap,
            began=began,
            cancel=cancel,
        )
        times["partition"] = time.perf_counter() - mark
        solver["partition"] = {"swaps": part.swaps, "problems": part.problems}
        if cancel is not None and cancel():
            raise Cancelled("partition")
        if part.ok:
            chosen_forms = [
                [(int(i), int(r)) for i, r, f in zip(items, rows, part.form, strict=True) if f == g]
                for g in range(problem.forms)
            ]
            trace = part.trace
            stopped = "gap" if _gap_reached(problem, bound, part, settings) else "local_optimum"
            if time.perf_counter() >= deadline:
                stopped = "time_limit"
        else:
            method = "full"

    if method == "full":
        step(3, "Solving the whole model")
        mark = time.perf_counter()
        full = FullModel(problem)
        start = None
        if chosen_forms is not None:
            places: dict[int, list[tuple[int, int]]] = {}
            for f, pairs in enumerate(chosen_forms):
                for i, r in pairs:
                    places.setdefault(i, []).append((f, r))
            start = full.start_from(places)
        outcome = full.m.solve(
            time_limit=left(),
            options={**options, "mip_rel_gap": settings.gap},
            cancel=cancel,
            start=start,
            record=True,
        )
        times["full"] = time.perf_counter() - mark
        solver["full"] = {"status": outcome.status, "solver_dual_bound": outcome.dual_bound}
        if outcome.status == "cancelled":
            raise Cancelled("full model")
        if outcome.status == "infeasible":
            return Infeasible("solve", explain(problem, min(left(), 10.0)), times)
        if outcome.x is None:
            return Infeasible("solve", [_no_solution_message(settings)], times)
        offset = mark - began
        for seconds, x in outcome.improvements:
            values = stats.form_values(problem, _with_anchors(problem, full.decode(x)))
            value = stats.objective(problem, values)
            if value is not None:
                trace.append((offset + seconds, value))
        chosen_forms = full.decode(outcome.x)
        stopped = {"optimal": "gap", "feasible": "time_limit"}.get(outcome.status, outcome.status)

    assert chosen_forms is not None
    step(4, "Ordering sections and computing statistics")
    mark = time.perf_counter()
    result_or_failure = _finish(problem, chosen_forms)
    times["finish"] = time.perf_counter() - mark
    times["total"] = time.perf_counter() - began
    if isinstance(result_or_failure, Infeasible):
        result_or_failure.times = times
        return result_or_failure
    forms, values, objective, overlap, usage = result_or_failure
    gap = relative_gap(bound, objective) if bound is not None and objective is not None else None
    if not trace and objective is not None:
        trace = [(times["total"], objective)]
    first = trace[0][0] if trace else times["total"]
    step(STAGES, "Done")
    return Result(
        forms=forms,
        objective=objective,
        lp_bound=bound,
        gap=gap,
        method="decomposition" if method == "decompose" else "full",
        sense=problem.sense,
        solver=solver,
        times=times,
        trace=trace,
        first_feasible=first,
        overlap=overlap,
        usage=usage,
        grid=settings.grid,
        seed=settings.seed,
        stopped=stopped,
    )


def _gap_reached(problem: Problem, bound: float | None, part: object, settings: Settings) -> bool:
    trace = getattr(part, "trace", [])
    if bound is None or not trace:
        return False
    return relative_gap(bound, trace[-1][1]) <= settings.gap


def _no_solution_message(settings: Settings) -> Message:
    return Message(
        "time_limit",
        f"Batas waktu {settings.time_limit:g} detik habis sebelum ditemukan paket yang memenuhi"
        " semua aturan; tambah batas waktu atau kurangi jumlah paket.",
        f"The time limit of {settings.time_limit:g} s ran out before any forms met every rule;"
        " allow more time or ask for fewer forms.",
        rule="time_limit",
    )


def _with_anchors(problem: Problem, forms: list[list[tuple[int, int]]]) -> list[np.ndarray]:
    return [
        np.concatenate([problem.anchors, np.array([i for i, _ in pairs], dtype=np.int64)])
        for pairs in forms
    ]


def _finish(
    problem: Problem,
    chosen: list[list[tuple[int, int]]],
) -> Infeasible | tuple[list[Form], np.ndarray, float | None, np.ndarray, dict[int, int]]:
    settings = problem.settings
    ids = problem.pool.item_ids
    kb = problem.rules.key_balance
    anchor_pairs = [
        (int(a), int(r)) for a, r in zip(problem.anchors, problem.anchor_rows, strict=True)
    ]
    all_items = _with_anchors(problem, chosen)
    values = stats.form_values(problem, all_items)
    objective = stats.objective(problem, values)
    forms: list[Form] = []
    for f, pairs in enumerate(chosen):
        placed = anchor_pairs + pairs
        items = np.array([i for i, _ in placed], dtype=np.int64)
        rows = np.array([r for _, r in placed], dtype=np.int64)
        rng = np.random.default_rng([settings.seed, f])
        sections: list[list[int]] = []
        for s in range(len(problem.blueprint.sections)):
            members = np.flatnonzero(problem.row_section[rows] == s)
            shuffle = rng.permutation(members.size)
            members = members[shuffle][np.argsort(rows[members][shuffle], kind="stable")]
            if kb is not None:
                keys = problem.key_code[items[members]].tolist()
                order = order_section(keys, kb.max_run)
                if order is None:
                    return Infeasible(
                        "order",
                        [
                            Message(
                                "order_impossible",
                                f"Paket {f + 1}, bagian {s + 1}: tidak ada urutan tanpa lebih dari"
                                f" {kb.max_run} kunci sama berturut-turut.",
                                f"Form {f + 1}, section {s + 1}: no delivery order avoids more than"
                                f" {kb.max_run} equal keys in a row.",
                                rule="key_balance",
                            )
                        ],
                    )
                members = members[np.asarray(order, dtype=np.int64)]
            sections.append([int(ids[items[k]]) for k in members])
        form_stats = stats.form_stats(problem, items, rows, settings.grid, values[f])
        forms.append(
            Form(
                index=f,
                sections=sections,
                rows={int(ids[i]): problem.labels[r] for i, r in placed},
                stats=form_stats,
            )
        )
    overlap = stats.overlap_matrix([np.sort(x) for x in all_items])
    usage: dict[int, int] = {}
    for items in all_items:
        for i in items.tolist():
            usage[int(ids[i])] = usage.get(int(ids[i]), 0) + 1
    return forms, values, objective, overlap, usage
