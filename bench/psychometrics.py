"""Benchmark: item statistics for 10,000 simulated candidates x 400 items (240 single
choice 2PL, 160 weighted 1-5 GPCM), in one run:

* classical statistics for the form (target <= 1 s);
* 2PL/GPCM calibration (target <= 10 s), beside the reference implementation (girth,
  ``pip install -e '.[ref]'``) on the same data: girth fits one model per call, so it
  runs on the 240 2PL items and on the 160 GPCM items, and ours is also run on each of
  those subsets for the agreement figures (max |difference| per parameter);
* DIF (Mantel-Haenszel / Mantel) for all items.

Wall and CPU seconds are printed; the machine is shared, so wall time varies.

    .venv/bin/python bench/psychometrics.py [--candidates 10000] [--skip-reference]
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
    print(f"{name:<44} {wall:8.2f} s wall {cpu:8.2f} s cpu  {note}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
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

    _, cold, cold_cpu = timed(classical)
    row("classical statistics, first call", cold, cold_cpu)
    runs = [timed(classical)[1:] for _ in range(3)]
    wall, cpu = (float(np.median([r[i] for r in runs])) for i in (0, 1))
    row("classical statistics, median of 3 after", wall, cpu, "form + 2 sections; target <= 1 s")

    cal, wall, cpu = timed(lambda: calibrate(sim.categories, models))
    a_true = np.array([it.parameters.a for it in items])
    a_est = np.array([e.parameters.a for e in cal.items])
    b_true = np.concatenate([it.parameters.b for it in items])
    b_est = np.concatenate([e.parameters.b for e in cal.items])
    row(
        "calibration 2PL + GPCM, 400 items (ours)",
        wall,
        cpu,
        f"target <= 10 s; {cal.convergence.iterations} EM iterations; "
        f"r(a) {np.corrcoef(a_true, a_est)[0, 1]:.4f} r(b) {np.corrcoef(b_true, b_est)[0, 1]:.4f}",
    )

    if not args.skip_reference:
        try:
            import girth
        except ImportError:
            print("girth not installed: pip install -e '.[ref]'")
        else:
            for name, cols, model, fit in (
                ("2PL", slice(0, 240), "2PL", girth.twopl_mml),
                ("GPCM", slice(240, 400), "GPCM", girth.pcm_mml),
            ):
                data = sim.categories[:, cols]
                ours, w1, c1 = timed(lambda d=data, m=model: calibrate(d, m))
                ref, w2, c2 = timed(
                    lambda d=data, f=fit: f(np.where(np.isnan(d), -99999, d).T.astype(int))
                )
                a_ours = np.array([e.parameters.a for e in ours.items])
                a_ref = np.asarray(ref["Discrimination"])
                b_ours = np.array([e.parameters.b for e in ours.items]).reshape(len(a_ours), -1)
                b_ref = np.asarray(ref["Difficulty"]).reshape(len(a_ours), -1)
                a_true = np.array([it.parameters.a for it in items[cols]])
                # the linear map of girth's θ scale onto ours (slope, intercept of b)
                slope, shift = np.polyfit(b_ours.ravel(), b_ref.ravel(), 1)
                rescaled_a = np.abs(a_ref * slope - a_ours).max()
                rescaled_b = np.abs((b_ref - shift) / slope - b_ours).max()
                row(
                    f"  {name} items alone (ours)",
                    w1,
                    c1,
                    f"mean a / true a {np.mean(a_ours / a_true):.3f}",
                )
                row(
                    f"  {name} items alone (girth {version('girth')})",
                    w2,
                    c2,
                    f"mean a / true a {np.mean(a_ref / a_true):.3f}; max |a diff| "
                    f"{np.abs(a_ours - a_ref).max():.4f}, max |b diff| "
                    f"{np.abs(b_ours - b_ref).max():.4f}; after mapping girth's scale onto "
                    f"ours (b x {1 / slope:.3f}): {rescaled_a:.4f}, {rescaled_b:.4f}",
                )

    dif, wall, cpu = timed(lambda: mantel_haenszel(sim.scores, sim.group))
    counts = {c: dif.category.count(c) for c in "ABC"}
    row("DIF, all 400 items (MH / Mantel)", wall, cpu, f"categories {counts}")
    dif, wall, cpu = timed(lambda: mantel_haenszel(sim.scores, sim.group, purify=True))
    row("DIF with purification", wall, cpu)


if __name__ == "__main__":
    main()
