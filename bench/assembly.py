"""Benchmark: automated test assembly (itembank.assembly), decomposition against the
whole model given to HiGHS.

Prints, in one run:

* the **main case**: a simulated 6,000-item pool with 3PL parameters, 5 content areas
  with quotas, 600 enemy pairs; 10 disjoint 400-item forms, maximin TIF at -1, 0, 1.
  Medians over ``--seeds`` seeds of: time to the first feasible set of forms, to within
  1 % and 0.1 % of the LP bound, and the final certified gap (recomputed from the
  forms). Beside it the **baseline**: the whole model (60,000 binaries) given to HiGHS
  with default settings for the same wall time (or ``--baseline-seconds``): time to its
  first feasible solution and its gap against the same LP bound;
* a **table** for pools of 2,000 and 6,000 items (and 20,000 with ``--full``) x 2, 10
  and 30 forms of 400 items: total time, first feasible, certified gap, or the
  explanation when the pool cannot fill the forms.

Every set of forms is checked before its figures are printed: as many forms as asked,
each with the blueprint's 400 items filling its rows, no item in two forms, no enemy
pair in one form, and the certified gap recomputed from the objective and the LP bound;
a pool reported unable to fill the forms really has fewer items than they need.

Run from the repository root:

    .venv/bin/python bench/assembly.py [--quick] [--seeds 3] [--full] [--baseline-seconds S]

``--quick`` (what ``make bench`` runs): one seed, and the table without 30 forms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import Sizes, expect, headline  # noqa: E402

from itembank.assembly import (  # noqa: E402
    Blueprint,
    Infeasible,
    MaximinTIF,
    Pool,
    Result,
    Rules,
    Settings,
    assemble,
    simulate_blueprint,
    simulate_pool,
)
from itembank.assembly.full import FullModel  # noqa: E402
from itembank.assembly.prepare import prepare  # noqa: E402
from itembank.assembly.result import relative_gap  # noqa: E402
from itembank.assembly.stats import form_values  # noqa: E402


def first_within(result: Result, gap: float) -> float | None:
    assert result.lp_bound is not None
    for seconds, value in result.trace:
        if relative_gap(result.lp_bound, value) <= gap:
            return seconds
    return None


def check_forms(what: str, result: object, pool: Pool, blueprint: Blueprint, forms: int) -> Result:
    """The result is ``forms`` disjoint forms that each fill the blueprint, keep enemies
    apart and whose gap is the one the objective and the bound give."""
    expect(f"{what}: a set of forms", type(result).__name__, "Result")
    assert isinstance(result, Result)
    expect(f"{what}: forms", len(result.forms), forms)
    counts = sorted(row.count for section in blueprint.sections for row in section.rows)
    length = sum(counts)
    for form in result.forms:
        expect(f"{what}: items in form {form.index}", len(set(form.items)), length)
        expect(f"{what}: rows of form {form.index}", sorted(form.stats.row_counts.values()), counts)
        chosen = set(form.items)
        together = [pair for pair in pool.enemies if pair[0] in chosen and pair[1] in chosen]
        expect(f"{what}: enemy pairs in form {form.index}", together, [])
    used = [item for form in result.forms for item in form.items]
    expect(f"{what}: items in more than one form", len(used) - len(set(used)), 0)
    assert result.lp_bound is not None and result.objective is not None
    expect(
        f"{what}: the certified gap",
        round(relative_gap(result.lp_bound, result.objective), 9),
        round(result.gap or 0.0, 9),
    )
    return result


def fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:6.2f} s"


def median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) == len(values) else None


def baseline(items: int, forms: int, seed: int, seconds: float, bound: float) -> dict[str, object]:
    pool = simulate_pool(items, seed=seed, enemy_pairs=items // 10)
    blueprint = simulate_blueprint(400)
    settings = Settings(forms=forms, seed=seed)
    problem, _ = prepare(pool, blueprint, Rules(), MaximinTIF(), settings)
    assert problem is not None
    began = time.perf_counter()
    full = FullModel(problem)
    built = time.perf_counter() - began
    outcome = full.m.solve(time_limit=max(seconds - built, 0.1), record=True)
    first = outcome.improvements[0][0] + built if outcome.improvements else None
    gap = None
    if outcome.x is not None:
        chosen = [np.array([i for i, _ in f]) for f in full.decode(outcome.x)]
        gap = relative_gap(bound, float(form_values(problem, chosen).min()))
    return {"first": first, "gap": gap, "status": outcome.status, "built": built}


def main_case(seeds: int, baseline_seconds: float | None) -> None:
    print("Main case: 6,000 items (3PL), 5 areas, 600 enemy pairs, 10 disjoint forms of 400,")
    print("maximin TIF at -1, 0, 1; HiGHS threads=1; certified gap against the explicit LP bound")
    rows = []
    for seed in range(seeds):
        pool = simulate_pool(6000, seed=seed, enemy_pairs=600)
        blueprint = simulate_blueprint(400)
        result = check_forms(
            f"main case, seed {seed}",
            assemble(
                pool,
                blueprint,
                Rules(),
                MaximinTIF(),
                Settings(forms=10, seed=seed, gap=0.0001, time_limit=30),
            ),
            pool,
            blueprint,
            10,
        )
        rows.append(
            {
                "first": result.first_feasible,
                "1%": first_within(result, 0.01),
                "0.1%": first_within(result, 0.001),
                "total": result.times["total"],
                "gap": result.gap,
                "bound": result.lp_bound,
                "seed": seed,
            }
        )
        print(
            f"  seed {seed}: first feasible {fmt(result.first_feasible)},"
            f" 1 % {fmt(rows[-1]['1%'])},"
            f" 0.1 % {fmt(rows[-1]['0.1%'])}, end {fmt(result.times['total'])},"
            f" certified gap {result.gap:.4%} (objective {result.objective:.3f},"
            f" LP bound {result.lp_bound:.3f})"
        )
    med = {k: median([r[k] for r in rows]) for k in ("first", "1%", "0.1%", "total", "gap")}
    print(
        f"  decomposition, median of {seeds}: first feasible {fmt(med['first'])}, within 1 %"
        f" {fmt(med['1%'])}, within 0.1 % {fmt(med['0.1%'])}, final certified gap"
        f" {med['gap']:.4%} at {fmt(med['total'])}"
    )
    seconds = baseline_seconds or float(rows[0]["total"])
    base = baseline(6000, 10, 0, seconds, float(rows[0]["bound"]))
    gap = "no solution" if base["gap"] is None else f"gap {base['gap']:.2%}"
    print(
        f"  baseline (whole model, HiGHS defaults, seed 0, {seconds:.1f} s"
        f" incl. {base['built']:.1f} s"
        f" to build): first feasible {fmt(base['first'])}, {gap}, status {base['status']}"
    )
    if med["first"] is not None:
        headline(
            f"assembly, 10 forms of 400 from 6,000 items: first feasible (median of {seeds})",
            med["first"],
            "s",
            "the whole model in HiGHS: its first feasible",
            base["first"],
        )


def table(full: bool, quick: bool) -> None:
    print()
    print("Table: 400-item forms, maximin TIF at -1, 0, 1, pools with enemy pairs = items / 10")
    print(f"  {'pool':>6} {'forms':>5} {'first':>9} {'total':>9} {'gap':>9}  note")
    pools = (2000, 6000, 20000) if full else (2000, 6000)
    for items in pools:
        pool = simulate_pool(items, seed=0, enemy_pairs=items // 10)
        blueprint = simulate_blueprint(400)
        for forms in (2, 10) if quick else (2, 10, 30):
            began = time.perf_counter()
            result = assemble(
                pool, blueprint, Rules(), MaximinTIF(), Settings(forms=forms, seed=0, time_limit=60)
            )
            seconds = time.perf_counter() - began
            if isinstance(result, Infeasible):
                expect(f"{items} items for {forms} forms: too few", items < forms * 400, True)
                note = result.messages[0].message_en
                print(f"  {items:>6} {forms:>5} {'-':>9} {fmt(seconds):>9} {'-':>9}  {note}")
                continue
            check_forms(f"{items} items, {forms} forms", result, pool, blueprint, forms)
            print(
                f"  {items:>6} {forms:>5} {fmt(result.first_feasible):>9} {fmt(seconds):>9}"
                f" {result.gap:>9.4%}  {result.method}, stopped: {result.stopped}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = Sizes(parser)
    sizes.add("--seeds", quick=1, full=3, help="seeds of the main case (median)")
    parser.add_argument("--full", action="store_true", help="add the 20,000-item pools")
    parser.add_argument("--baseline-seconds", type=float, default=None)
    args = sizes.parse()
    main_case(args.seeds, args.baseline_seconds)
    table(args.full, args.quick)


if __name__ == "__main__":
    main()
