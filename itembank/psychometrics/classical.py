"""Classical item analysis (*analisis butir soal*) for one form or section, vectorised.

Inputs are candidates × items arrays: ``scores`` (float; NaN = item not presented),
``omitted`` (True = presented but left blank; it scores 0), ``max_scores`` per item and,
optionally, ``options`` (chosen option id, -1 = none) with ``keys`` (single-choice items:
the key's option id; weighted items: -1) for the option analysis.

Correlations use the candidates presented the item; the *rest* score is the total
without the item. Reliability (KR-20/alpha) and alpha-if-deleted use the candidates
presented every item of the set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import norm, rankdata

Array = NDArray[np.float64]

#: Score groups of the option analysis (quintiles of the total).
GROUPS = 5
#: Most distinct score values for which polyserial correlations are computed.
_MAX_LEVELS = 64


@dataclass(frozen=True)
class ItemStatistics:
    """Per-item arrays (length = items). NaN where a statistic is undefined."""

    n_exposed: NDArray[np.int64]
    n_attempted: NDArray[np.int64]
    n_omitted: NDArray[np.int64]
    mean: Array
    p: Array  #: mean / max score
    sd: Array
    item_rest: Array  #: corrected item-total (item-rest) Pearson correlation
    item_total: Array  #: point-biserial / Pearson with the total
    latent: Array  #: biserial (0/1-valued items) or polyserial (Olsson's ad hoc), from item-rest
    alpha_if_deleted: Array
    dichotomous: NDArray[np.bool_]


@dataclass(frozen=True)
class OptionStatistics:
    """Option analysis, arrays items × options (options = the largest id + 1)."""

    share: Array  #: share of exposed candidates choosing the option
    share_by_group: Array  #: items × GROUPS × options, groups by total score (low → high)
    group_sizes: NDArray[np.int64]  #: items × GROUPS, exposed candidates per group
    mean_total: Array  #: mean total score of the option's choosers
    point_biserial: Array  #: option chosen (0/1) against the rest score
    omitted_share: Array  #: per item
    possible_miskey: NDArray[np.bool_]  #: per item (single choice with a key only)
    miskey_options: tuple[tuple[int, ...], ...]  #: per item, the suspicious distractors


@dataclass(frozen=True)
class WeightStatistics:
    """Weighted-option items: share of each score value among those who answered."""

    values: tuple[float, ...]
    share: Array  #: items × values
    mean_weight: Array  #: mean score of those who answered (blanks left out)


@dataclass(frozen=True)
class FormStatistics:
    n: int  #: candidates with at least one item presented
    n_complete: int  #: candidates presented every item (used for reliability)
    mean: float
    sd: float
    max_score: float
    histogram_edges: Array
    histogram_counts: NDArray[np.int64]
    alpha: float  #: KR-20 when every item is 0/max, Cronbach's alpha otherwise
    sem: float  #: SD × sqrt(1 - alpha)


@dataclass(frozen=True)
class ClassicalResult:
    items: ItemStatistics
    form: FormStatistics
    options: OptionStatistics | None
    weights: WeightStatistics | None
    sections: dict[str, FormStatistics]


def analyse(
    scores: ArrayLike,
    max_scores: ArrayLike,
    *,
    omitted: ArrayLike | None = None,
    options: ArrayLike | None = None,
    keys: ArrayLike | None = None,
    weighted: ArrayLike | None = None,
    sections: dict[str, list[int]] | None = None,
    histogram_bins: int = 20,
    miskey_min_pbis: float = 0.05,
) -> ClassicalResult:
    """Classical statistics of one form.

    :param scores: candidates × items, NaN where not presented.
    :param max_scores: per item.
    :param omitted: candidates × items, True where presented and left blank.
    :param options: candidates × items chosen option ids (-1 none); with ``keys``.
    :param keys: per item the key's option id, -1 for items without a single key.
    :param weighted: per item True for weighted-option items (share per weight).
    :param sections: name → item indices, each gets its own :class:`FormStatistics`.
    :param miskey_min_pbis: a distractor whose point-biserial (with the rest score) exceeds
        this, or that the top fifth chooses more often than the key, marks a possible
        miskey.
    """
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2 or x.shape[0] < 2:
        raise ValueError(f"scores: need candidates × items with 2 or more of each, got {x.shape}")
    j = x.shape[1]
    mx = np.asarray(max_scores, dtype=np.float64)
    if mx.shape != (j,) or np.any(~(mx > 0)):
        raise ValueError(f"max_scores: expected {j} positive values")
    seen = ~np.isnan(x)
    om = np.zeros_like(seen) if omitted is None else np.asarray(omitted, dtype=bool)
    if om.shape != x.shape:
        raise ValueError(f"omitted: expected shape {x.shape}, got {om.shape}")
    om = om & seen
    x0 = np.where(seen, x, 0.0)
    total = x0.sum(axis=1)

    items = _items(x0, seen, om, mx, total)
    form = _form(x0, seen, mx, total, histogram_bins)
    option_stats = None
    if options is not None:
        if keys is None:
            raise ValueError("options: keys are needed for the option analysis")
        option_stats = _options(
            np.asarray(options), np.asarray(keys), x0, seen, om, total, miskey_min_pbis
        )
    weight_stats = None
    if weighted is not None:
        w = np.asarray(weighted, dtype=bool)
        if w.shape != (j,):
            raise ValueError(f"weighted: expected {j} flags")
        weight_stats = _weights(x, seen & ~om, w)
    section_stats = {}
    for name, cols in (sections or {}).items():
        idx = np.asarray(cols, dtype=np.intp)
        section_stats[name] = _form(
            x0[:, idx], seen[:, idx], mx[idx], x0[:, idx].sum(axis=1), histogram_bins
        )
    return ClassicalResult(items, form, option_stats, weight_stats, section_stats)


def _corr(n: Array, sx: Array, sxx: Array, sy: Array, syy: Array, sxy: Array) -> Array:
    """Pearson r from sums (vectorised); NaN when a variance is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = sxy - sx * sy / n
        vx = sxx - sx**2 / n
        vy = syy - sy**2 / n
        r = cov / np.sqrt(vx * vy)
    return np.where(
        (vx > 1e-12 * np.maximum(sxx, 1)) & (vy > 1e-12 * np.maximum(syy, 1)), r, np.nan
    )


def _items(x0: Array, seen: NDArray, om: NDArray, mx: Array, total: Array) -> ItemStatistics:
    s = seen.astype(np.float64)
    n = s.sum(axis=0)
    sx = x0.sum(axis=0)
    sxx = (x0**2).sum(axis=0)
    st = s.T @ total
    stt = s.T @ total**2
    sxt = x0.T @ total
    nn = np.where(n > 0, n, np.nan)
    mean = sx / nn
    with np.errstate(invalid="ignore"):
        var = np.maximum(sxx / nn - mean**2, 0.0)
        sd = np.sqrt(var * nn / np.where(n > 1, n - 1, np.nan))
    item_total = _corr(nn, sx, sxx, st, stt, sxt)
    # rest = total - item: sums over the candidates presented the item
    sr = st - sx
    srr = stt - 2 * sxt + sxx
    sxr = sxt - sxx
    item_rest = _corr(nn, sx, sxx, sr, srr, sxr)

    levels = _levels(x0, seen)
    dich = np.ones(x0.shape[1], dtype=bool)
    latent = np.full(x0.shape[1], np.nan)
    if levels.size <= _MAX_LEVELS:
        counts = np.stack([((x0 == v) & seen).sum(axis=0) for v in levels])  # (V, J)
        present = counts > 0
        dich = present.sum(axis=0) <= 2
        latent = _polyserial(item_rest, sd, counts, levels, n)
    alpha_del = _alpha_if_deleted(x0, seen)
    return ItemStatistics(
        n_exposed=n.astype(np.int64),
        n_attempted=(seen & ~om).sum(axis=0).astype(np.int64),
        n_omitted=om.sum(axis=0).astype(np.int64),
        mean=mean,
        p=mean / mx,
        sd=sd,
        item_rest=item_rest,
        item_total=item_total,
        latent=latent,
        alpha_if_deleted=alpha_del,
        dichotomous=dich,
    )


def _levels(x: Array, mask: NDArray) -> Array:
    """Distinct values of ``x[mask]``; scores on a half-point grid are counted in one pass
    instead of sorting every response."""
    doubled = x * 2.0
    grid = doubled == np.round(doubled)
    if grid.all() and x.size:
        codes = doubled.astype(np.int64)
        low = int(codes.min())
        counts = np.bincount((codes - low)[mask], minlength=1)
        return (np.nonzero(counts)[0] + low) / 2.0
    return np.unique(x[mask])


def _polyserial(r: Array, sd: Array, counts: NDArray, levels: Array, n: Array) -> Array:
    """Olsson's ad hoc estimator r · σ_x / Σ_k φ(τ_k)(x_{k+1} − x_k), τ_k = Φ⁻¹(share
    scoring ≤ x_k) over the item's observed levels; for a 0/1 item it is the biserial
    r · sqrt(pq) / φ(z_p). Levels an item never takes add nothing (their τ repeats the
    previous one and the widths add up)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.cumsum(counts, axis=0)[:-1] / n[None, :]  # (V - 1, J)
        density = norm.pdf(norm.ppf(np.clip(share, 0.0, 1.0)))
        denom = (density * np.diff(levels)[:, None]).sum(axis=0)
        pop_sd = sd * np.sqrt((n - 1) / n)
        out = r * pop_sd / denom
    return np.where((denom > 0) & np.isfinite(r), out, np.nan)


def _alpha(x: Array) -> float:
    k = x.shape[1]
    if x.shape[0] < 2 or k < 2:
        return float("nan")
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    if total_var <= 0:
        return float("nan")
    return float(k / (k - 1) * (1 - item_var / total_var))


def _alpha_if_deleted(x0: Array, seen: NDArray) -> Array:
    complete = seen.all(axis=1)
    x = x0 if complete.all() else x0[complete]
    n, k = x.shape
    if n < 2 or k < 3:
        return np.full(k, np.nan)
    total = x.sum(axis=1)
    mean = x.mean(axis=0)
    item_var = ((x**2).sum(axis=0) - n * mean**2) / (n - 1)
    cov_with_total = (x.T @ total - n * mean * total.mean()) / (n - 1)
    rest_var = total.var(ddof=1) - 2 * cov_with_total + item_var
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (k - 1) / (k - 2) * (1 - (item_var.sum() - item_var) / rest_var)
    return np.where(rest_var > 0, out, np.nan)


def _form(x0: Array, seen: NDArray, mx: Array, total: Array, bins: int) -> FormStatistics:
    any_seen = seen.any(axis=1)
    complete = seen.all(axis=1)
    t = total[any_seen]
    max_score = float(mx.sum())
    edges = np.linspace(0.0, max_score, bins + 1)
    counts, _ = np.histogram(t, bins=edges)
    alpha = _alpha(x0 if complete.all() else x0[complete])
    sd = float(t.std(ddof=1)) if t.size > 1 else float("nan")
    sd_complete = float(total[complete].std(ddof=1)) if complete.sum() > 1 else float("nan")
    sem = sd_complete * float(np.sqrt(1 - alpha)) if np.isfinite(alpha) and alpha <= 1 else np.nan
    return FormStatistics(
        n=int(any_seen.sum()),
        n_complete=int(complete.sum()),
        mean=float(t.mean()) if t.size else float("nan"),
        sd=sd,
        max_score=max_score,
        histogram_edges=edges,
        histogram_counts=counts.astype(np.int64),
        alpha=alpha,
        sem=float(sem),
    )


def score_groups(total: Array, groups: int = GROUPS) -> NDArray[np.intp]:
    """Score group (0 = lowest) of each candidate by rank of the total; ties share a group."""
    ranks = rankdata(total, method="average")
    return np.minimum(((ranks - 0.5) * groups / total.size).astype(np.intp), groups - 1)


def _options(
    opt: NDArray,
    keys: NDArray,
    x0: Array,
    seen: NDArray,
    om: NDArray,
    total: Array,
    miskey_min_pbis: float,
) -> OptionStatistics:
    if opt.shape != x0.shape:
        raise ValueError(f"options: expected shape {x0.shape}, got {opt.shape}")
    if keys.shape != (x0.shape[1],):
        raise ValueError(f"keys: expected {x0.shape[1]} values")
    n_opt = int(max(opt.max(initial=-1), keys.max(initial=-1))) + 1
    j = x0.shape[1]
    group = score_groups(total)
    s = seen.astype(np.float64)
    n = np.count_nonzero(seen, axis=0).astype(np.float64)
    nn = np.where(n > 0, n, np.nan)
    # counts per score group by summing rows sorted by group (no BLAS: a thin matrix
    # product is slow and erratic when the machine's cores are busy)
    order = np.argsort(group, kind="stable")
    present = np.unique(group)
    starts = np.searchsorted(group[order], present)

    def per_group(flags: NDArray[np.bool_]) -> Array:
        out = np.zeros((GROUPS, flags.shape[1]))
        out[present] = np.add.reduceat(flags[order], starts, axis=0, dtype=np.int64)
        return out.T  # (J, G)

    group_sizes = per_group(seen)
    share = np.full((j, n_opt), np.nan)
    by_group = np.full((j, GROUPS, n_opt), np.nan)
    mean_total = np.full((j, n_opt), np.nan)
    pbis = np.full((j, n_opt), np.nan)
    # rest score (total - item) sums over the candidates presented the item
    sx = x0.sum(axis=0)
    sr = s.T @ total - sx
    srr = s.T @ total**2 - 2 * (x0.T @ total) + (x0**2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for o in range(n_opt):
            picked = (opt == o) & seen
            chose = picked.astype(np.float64)
            c = np.count_nonzero(picked, axis=0).astype(np.float64)
            share[:, o] = c / nn
            by_group[:, :, o] = per_group(picked) / np.where(group_sizes > 0, group_sizes, np.nan)
            ct = chose.T @ total
            mean_total[:, o] = np.where(c > 0, ct / c, np.nan)
            sxr = ct - np.einsum("ij,ij->j", picked, x0)
            pbis[:, o] = _corr(nn, c, c, sr, srr, sxr)
    omitted_share = om.sum(axis=0) / nn
    miskey = np.zeros(j, dtype=bool)
    suspects: list[tuple[int, ...]] = []
    for item in range(j):
        key = int(keys[item])
        if key < 0:
            suspects.append(())
            continue
        top = by_group[item, GROUPS - 1]
        bad = [
            o
            for o in range(n_opt)
            if o != key
            and share[item, o] > 0
            and ((pbis[item, o] > miskey_min_pbis) or (top[o] > top[key]))
        ]
        miskey[item] = bool(bad)
        suspects.append(tuple(bad))
    return OptionStatistics(
        share,
        by_group,
        group_sizes.astype(np.int64),
        mean_total,
        pbis,
        omitted_share,
        miskey,
        tuple(suspects),
    )


def _weights(x: Array, answered: NDArray, weighted: NDArray) -> WeightStatistics:
    cols = np.nonzero(weighted)[0]
    xw = x[:, cols]
    aw = answered[:, cols]
    vals = _levels(np.where(aw, xw, 0.0), aw)
    share = np.full((x.shape[1], vals.size), np.nan)
    mean = np.full(x.shape[1], np.nan)
    n = aw.sum(axis=0)
    nn = np.where(n > 0, n, np.nan)
    for k, v in enumerate(vals):
        share[cols, k] = ((xw == v) & aw).sum(axis=0) / nn
    mean[cols] = np.where(aw, xw, 0.0).sum(axis=0) / nn
    return WeightStatistics(tuple(float(v) for v in vals), share, mean)
