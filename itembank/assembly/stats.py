"""Figures of produced forms, recomputed from the chosen items only: per form the row
counts, TIF and TCC over a theta grid, expected score, mean p, keys per section and the
target's value; across forms the overlap matrix and item usage; and the objective that
the certificate compares with the LP bound."""

from __future__ import annotations

import numpy as np

from itembank.assembly import irt
from itembank.assembly.model import Classical, ContentOnly, MaximinTIF, Pool, TargetCurve
from itembank.assembly.prepare import Problem
from itembank.assembly.result import FormStats


def form_values(problem: Problem, forms: list[np.ndarray]) -> np.ndarray:
    """Per form, the target's value from its items (pool positions, anchors included):
    maximin: smallest TIF at the target thetas; target curve: largest relative deviation;
    classical: expected score; content only: NaN."""
    target = problem.target
    pool = problem.pool
    out = np.full(len(forms), np.nan)
    for f, items in enumerate(forms):
        if isinstance(target, MaximinTIF):
            assert pool.a is not None and pool.b is not None
            a, b = pool.a[items], pool.b[items]
            c = None if pool.c is None else pool.c[items]
            out[f] = irt.information(a, b, c, target.thetas).sum(axis=0).min()
        elif isinstance(target, TargetCurve):
            assert pool.a is not None and pool.b is not None
            a, b = pool.a[items], pool.b[items]
            c = None if pool.c is None else pool.c[items]
            devs = []
            if target.tif is not None:
                tif = irt.information(a, b, c, target.thetas).sum(axis=0)
                devs.append(np.abs(tif / np.asarray(target.tif) - 1.0))
            if target.tcc is not None:
                tcc = irt.probability(a, b, c, target.thetas).sum(axis=0)
                devs.append(np.abs(tcc / np.asarray(target.tcc) - 1.0))
            out[f] = float(np.concatenate(devs).max())
        elif isinstance(target, Classical):
            out[f] = expected_score(pool, items)
    return out


def objective(problem: Problem, values: np.ndarray) -> float | None:
    """The set of forms' objective: the weakest form (maximin), the largest deviation
    (target curve), the spread of expected scores (classical), ``None`` (content only)."""
    target = problem.target
    if isinstance(target, ContentOnly) or values.size == 0:
        return None
    if isinstance(target, MaximinTIF):
        return float(values.min())
    if isinstance(target, TargetCurve):
        return float(values.max())
    return float(values.max() - values.min())


def expected_score(pool: Pool, items: np.ndarray) -> float:
    assert pool.p is not None
    score = pool.max_score[items] if pool.max_score is not None else np.ones(items.size)
    return float((pool.p[items] * score).sum())


def form_stats(
    problem: Problem,
    items: np.ndarray,
    rows: np.ndarray,
    grid: tuple[float, ...],
    value: float,
) -> FormStats:
    """One form's figures (``items`` pool positions, ``rows`` the row each fills)."""
    pool = problem.pool
    counts = np.bincount(rows, minlength=len(problem.labels))
    tif = tcc = None
    if pool.a is not None and pool.b is not None:
        c = None if pool.c is None else pool.c[items]
        tif = irt.information(pool.a[items], pool.b[items], c, grid).sum(axis=0)
        tcc = irt.probability(pool.a[items], pool.b[items], c, grid).sum(axis=0)
    keys: dict[str, dict[str, int]] = {}
    sections = problem.row_section[rows]
    for s in range(len(problem.blueprint.sections)):
        codes = problem.key_code[items[sections == s]]
        keys[str(s + 1)] = {
            letter: int((codes == k).sum()) for k, letter in enumerate(problem.letters)
        }
    return FormStats(
        row_counts={label: int(counts[r]) for r, label in enumerate(problem.labels)},
        tif=tif,
        tcc=tcc,
        expected_score=expected_score(pool, items) if pool.p is not None else None,
        mean_p=float(pool.p[items].mean()) if pool.p is not None else None,
        keys=keys,
        objective=None if np.isnan(value) else float(value),
    )


def overlap_matrix(forms: list[np.ndarray]) -> np.ndarray:
    """Items shared by every two forms (the diagonal: each form's length)."""
    count = len(forms)
    out = np.zeros((count, count), dtype=np.int64)
    for f in range(count):
        for g in range(f, count):
            out[f, g] = out[g, f] = np.intersect1d(forms[f], forms[g]).size
    return out
