"""Benchmark: item statistics for 10,000 simulated candidates x 400 items (240 single
choice 2PL, 160 weighted 1-5 GPCM), in one run:

* classical statistics for the form (target <= 1 s), beside the floor: p values and
  item-rest correlations alone, in a few numpy lines;
* 2PL/GPCM calibration (target <= 10 s), beside the reference implementation (girth,
  ``pip install -e '.[ref]'``) on the same data: girth fits one model per call, so it
  runs on the 2PL items and on the GPCM items, and ours is also run on each of those
  subsets for the agreement figures (max |difference| per parameter). With ``--quick``
  the comparison takes the first 30 items of each model and 1,500 candidates (girth
  needs minutes for the whole form);
* DIF (Mantel-Haenszel / Mantel) for all items.

Each step is checked on the run that is timed: classical statistics for all 400 items
whose p values and item-rest correlations equal the floor's, a converged calibration
of every item recovering the simulated parameters (r >= 0.95), girth's fit of every
item of its subset, a DIF category for every item. Wall and CPU seconds are printed;
the machine is shared, so wall time varies.

    .venv/bin/python bench/psychometrics.py [--quick] [--candidates 10000] [--skip-reference]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import Sizes, expect, headline

from itembank.psychometrics import (
    analyse,
    calibrate,
    mantel_haenszel,
    simulate_items,
    simulate_responses,
)


def timed(function: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = function()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def row(name: str, wall: float, cpu: float, note: str = "") -> None:
    print(f"{name:<50} {wall:8.2f} s wall {cpu:8.2f} s cpu  {note}")


def classical_floor(scores: np.ndarray, max_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p values and item-rest correlations (items presented to everyone), nothing else."""
    p = scores.mean(axis=0) / max_scores
    rest = scores.sum(axis=1)[:, None] - scores
    x = scores - scores.mean(axis=0)
    y = rest - rest.mean(axis=0)
    r = (x * y).sum(axis=0) / np.sqrt((x * x).sum(axis=0) * (y * y).sum(axis=0))
    return p, r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = Sizes(parser)
    sizes.add("--candidates", quick=10_000, full=10_000, help="simulated candidates")
    sizes.add("--reference-items", quick=30, full=0, help="items per model girth fits (0: all)")
    sizes.add("--reference-candidates", quick=1500, full=0, help="candidates girth fits (0: all)")
    parser.add_argument("--skip-reference", action="store_true")
    args = sizes.parse()
    items = simulate_items(240, 160, seed=1)
    sim = simulate_responses(items, args.candidates, seed=2, omit_rate=0.02, focal_share=0.4)
    models = [it.parameters.model for it in items]
    keys = np.array([it.key if it.key is not None else -1 for it in items])
    weighted = np.array([it.kind == "weighted" for it in items])
    print(f"{args.candidates} candidates x 400 items (240 2PL single choice, 160 GPCM 1-5)")

    def classical() -> object:
        return analyse(
            sim.scores,
            np.full(400, 5.0),
            omitted=sim.omitted,
            options=sim.options,
            keys=keys,
            weighted=weighted,
            sections={"single": list(range(240)), "weighted": list(range(240, 400))},
        )

    result, cold, cold_cpu = timed(classical)
    expect("classical statistics: items", len(result.items.p), 400)  # type: ignore[attr-defined]
    everyone = not np.isnan(sim.scores).any()
    if everyone:
        p, r = classical_floor(sim.scores, np.full(400, 5.0))
        expect("classical p equals the floor's", bool(np.allclose(result.items.p, p)), True)  # type: ignore[attr-defined]
        same_r = bool(np.allclose(result.items.item_rest, r))  # type: ignore[attr-defined]
        expect("classical item-rest r equals the floor's", same_r, True)
    row("classical statistics, first call", cold, cold_cpu)
    runs = [timed(classical)[1:] for _ in range(3)]
    wall, cpu = (float(np.median([r[i] for r in runs])) for i in (0, 1))
    row("classical statistics, median of 3 after", wall, cpu, "form + 2 sections; target <= 1 s")
    headline(f"classical statistics, {args.candidates} x 400 (CPU)", cpu, "s", target="<= 1 s")
    if everyone:
        runs = [timed(lambda: classical_floor(sim.scores, np.full(400, 5.0)))[1:] for _ in range(3)]
        wall, cpu = (float(np.median([r[i] for r in runs])) for i in (0, 1))
        row("  floor: p and item-rest r (numpy)", wall, cpu, "median of 3")

    cal, wall, cpu = timed(lambda: calibrate(sim.categories, models))
    expect("calibration: items estimated", len(cal.items), 400)
    expect("calibration: converged", cal.convergence.converged, True)
    a_true = np.array([it.parameters.a for it in items])
    a_est = np.array([e.parameters.a for e in cal.items])
    b_true = np.concatenate([it.parameters.b for it in items])
    b_est = np.concatenate([e.parameters.b for e in cal.items])
    for name, true, estimated in (("a", a_true, a_est), ("b", b_true, b_est)):
        recovered = float(np.corrcoef(true, estimated)[0, 1]) >= 0.95
        expect(f"calibration: r({name}) with the simulated values >= 0.95", recovered, True)
    row(
        "calibration 2PL + GPCM, 400 items (ours)",
        wall,
        cpu,
        f"target <= 10 s; {cal.convergence.iterations} EM iterations; "
        f"r(a) {np.corrcoef(a_true, a_est)[0, 1]:.4f} r(b) {np.corrcoef(b_true, b_est)[0, 1]:.4f}",
    )
    headline(f"calibration 2PL + GPCM, {args.candidates} x 400 (CPU)", cpu, "s", target="<= 10 s")

    if not args.skip_reference:
        try:
            import girth
        except ImportError:
            print("girth not installed: pip install -e '.[ref]'")
        else:
            per_model = args.reference_items or None
            rows = args.reference_candidates or None
            for name, cols, model, fit in (
                ("2PL", slice(0, min(240, per_model or 240)), "2PL", girth.twopl_mml),
                ("GPCM", slice(240, 240 + min(160, per_model or 160)), "GPCM", girth.pcm_mml),
            ):
                data = sim.categories[:rows, cols]
                size = f"{data.shape[1]} items x {data.shape[0]} candidates"
                ours, w1, c1 = timed(lambda d=data, m=model: calibrate(d, m))
                ref, w2, c2 = timed(
                    lambda d=data, f=fit: f(np.where(np.isnan(d), -99999, d).T.astype(int))
                )
                a_ours = np.array([e.parameters.a for e in ours.items])
                a_ref = np.asarray(ref["Discrimination"])
                expect(f"{name}: items ours estimated", len(a_ours), data.shape[1])
                expect(f"{name}: items girth estimated", a_ref.size, data.shape[1])
                b_ours = np.array([e.parameters.b for e in ours.items]).reshape(len(a_ours), -1)
                b_ref = np.asarray(ref["Difficulty"]).reshape(len(a_ours), -1)
                a_true = np.array([it.parameters.a for it in items[cols]])
                # the linear map of girth's θ scale onto ours (slope, intercept of b)
                slope, shift = np.polyfit(b_ours.ravel(), b_ref.ravel(), 1)
                rescaled_a = np.abs(a_ref * slope - a_ours).max()
                rescaled_b = np.abs((b_ref - shift) / slope - b_ours).max()
                row(
                    f"  {name}, {size} (ours)",
                    w1,
                    c1,
                    f"mean a / true a {np.mean(a_ours / a_true):.3f}",
                )
                row(
                    f"  {name}, {size} (girth {version('girth')})",
                    w2,
                    c2,
                    f"mean a / true a {np.mean(a_ref / a_true):.3f}; max |a diff| "
                    f"{np.abs(a_ours - a_ref).max():.4f}, max |b diff| "
                    f"{np.abs(b_ours - b_ref).max():.4f}; after mapping girth's scale onto "
                    f"ours (b x {1 / slope:.3f}): {rescaled_a:.4f}, {rescaled_b:.4f}",
                )

    dif, wall, cpu = timed(lambda: mantel_haenszel(sim.scores, sim.group))
    expect("DIF: items categorised", len(dif.category), 400)
    counts = {c: dif.category.count(c) for c in "ABC"}
    row("DIF, all 400 items (MH / Mantel)", wall, cpu, f"categories {counts}")
    dif, wall, cpu = timed(lambda: mantel_haenszel(sim.scores, sim.group, purify=True))
    expect("DIF with purification: items categorised", len(dif.category), 400)
    row("DIF with purification", wall, cpu)


if __name__ == "__main__":
    main()
