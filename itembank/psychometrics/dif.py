"""Differential item functioning: Mantel–Haenszel (0/1 items) and Mantel / SMD
(polytomous items), matched on total-score strata, reference and focal groups chosen by
the caller; optional purification of the matching score.

ETS categories (dichotomous), Δ = −2.35 ln α_MH (negative: the item favours the
reference group):
  A: |Δ| < 1 or MH χ² not significant at ``alpha``;
  C: |Δ| ≥ 1.5 and |Δ| significantly greater than 1 (one-sided z at ``alpha``);
  B: otherwise.
Polytomous (ETS, SMD/SD with SD the item's standard deviation in both groups):
  A: Mantel χ² not significant or |SMD/SD| ≤ .17; C: significant and |SMD/SD| > .25;
  B: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import chi2, norm

Array = NDArray[np.float64]
Category = Literal["A", "B", "C", "-"]


@dataclass(frozen=True)
class DifResult:
    """Per-item arrays. ``method`` is "MH" (0/1 items) or "Mantel" (polytomous)."""

    method: tuple[str, ...]
    alpha_mh: Array  #: common odds ratio (NaN for polytomous items)
    delta: Array  #: ETS Δ (NaN for polytomous items)
    delta_se: Array
    smd: Array  #: standardised mean difference focal − reference (polytomous; also 0/1)
    smd_sd: Array  #: SMD / item SD
    chi_square: Array  #: MH χ² with continuity correction (0/1) or Mantel χ² (polytomous)
    p_value: Array
    category: tuple[Category, ...]
    favours: tuple[str, ...]  #: "reference", "focal" or ""
    n_reference: NDArray[np.int64]
    n_focal: NDArray[np.int64]
    purified_out: tuple[int, ...]  #: items left out of the matching score


def mantel_haenszel(
    scores: ArrayLike,
    group: ArrayLike,
    *,
    max_scores: ArrayLike | None = None,
    reference: object = 0,
    focal: object = 1,
    matching: ArrayLike | None = None,
    purify: bool = False,
    alpha: float = 0.05,
    max_purification_rounds: int = 10,
) -> DifResult:
    """DIF for every item.

    :param scores: candidates × items item scores, NaN where not presented. An item is
        treated as 0/1 when it takes at most two values (its minimum and maximum).
    :param group: per candidate; candidates in neither ``reference`` nor ``focal`` are
        left out.
    :param matching: per candidate matching score (default: the total over the items);
        its distinct values are the strata.
    :param purify: recompute with items in category C (or B) left out of the matching
        total (the studied item stays in) until the set is stable.
    """
    x = np.asarray(scores, dtype=np.float64)
    g = np.asarray(group)
    if x.ndim != 2 or g.shape != (x.shape[0],):
        raise ValueError("scores must be candidates × items and group one value per candidate")
    keep = (g == reference) | (g == focal)
    x = x[keep]
    is_focal = (g[keep] == focal).astype(np.float64)
    seen = ~np.isnan(x)
    x0 = np.where(seen, x, 0.0)
    mx = (
        np.nanmax(np.where(seen, x, -np.inf), axis=0)
        if max_scores is None
        else np.asarray(max_scores, dtype=np.float64)
    )
    lo = np.nanmin(np.where(seen, x, np.inf), axis=0)
    dich = np.array([np.all(np.isin(x[seen[:, j], j], (lo[j], mx[j]))) for j in range(x.shape[1])])
    if matching is not None:
        match = np.asarray(matching, dtype=np.float64)[keep]
        return _all_items(x0, seen, is_focal, dich, lo, mx, lambda j: match, alpha, ())
    excluded: tuple[int, ...] = ()
    result = _all_items(x0, seen, is_focal, dich, lo, mx, _totals(x0, excluded), alpha, ())
    if purify:
        for _ in range(max_purification_rounds):
            flagged = tuple(j for j, c in enumerate(result.category) if c in ("B", "C"))
            if flagged == excluded:
                break
            excluded = flagged
            result = _all_items(
                x0, seen, is_focal, dich, lo, mx, _totals(x0, excluded), alpha, excluded
            )
    return result


def _totals(x0: Array, excluded: tuple[int, ...]):  # type: ignore[no-untyped-def]
    base = x0.sum(axis=1) - (x0[:, list(excluded)].sum(axis=1) if excluded else 0.0)
    left_out = set(excluded)

    def total_for(j: int) -> Array:
        return base + x0[:, j] if j in left_out else base

    return total_for


def _all_items(x0, seen, is_focal, dich, lo, mx, match_for, alpha, excluded):  # type: ignore[no-untyped-def]
    n_items = x0.shape[1]
    cols = {
        name: np.full(n_items, np.nan)
        for name in ("amh", "delta", "dse", "smd", "smdsd", "chi", "p")
    }
    cats: list[Category] = []
    fav: list[str] = []
    n_ref = np.zeros(n_items, dtype=np.int64)
    n_foc = np.zeros(n_items, dtype=np.int64)
    # strata are shared by all items that use the common total: compute once
    cache: dict[int, tuple[NDArray, int]] = {}
    for j in range(n_items):
        match = match_for(j)
        key = id(match)
        if key not in cache:
            _, codes = np.unique(match, return_inverse=True)
            cache[key] = (codes, int(codes.max()) + 1 if codes.size else 0)
        codes, k = cache[key]
        who = seen[:, j]
        f = is_focal[who]
        y = x0[who, j]
        s = codes[who]
        n_ref[j] = int((f == 0).sum())
        n_foc[j] = int((f == 1).sum())
        res = _one_item(y, f, s, k, bool(dich[j]), lo[j], mx[j], alpha)
        for name, value in zip(
            ("amh", "delta", "dse", "smd", "smdsd", "chi", "p"), res[:7], strict=True
        ):
            cols[name][j] = value
        cats.append(res[7])
        fav.append(res[8])
    return DifResult(
        method=tuple("MH" if d else "Mantel" for d in dich),
        alpha_mh=cols["amh"],
        delta=cols["delta"],
        delta_se=cols["dse"],
        smd=cols["smd"],
        smd_sd=cols["smdsd"],
        chi_square=cols["chi"],
        p_value=cols["p"],
        category=tuple(cats),
        favours=tuple(fav),
        n_reference=n_ref,
        n_focal=n_foc,
        purified_out=tuple(excluded),
    )


def _one_item(y, f, s, k, dich, lo, hi, alpha):  # type: ignore[no-untyped-def]
    nan = float("nan")
    ref = 1.0 - f
    n_r = np.bincount(s, weights=ref, minlength=k)
    n_f = np.bincount(s, weights=f, minlength=k)
    n = n_r + n_f
    use = (n_r > 0) & (n_f > 0) & (n > 1)
    if not use.any():
        return (nan, nan, nan, nan, nan, nan, nan, "-", "")
    sum_f = np.bincount(s, weights=f * y, minlength=k)
    sum_r = np.bincount(s, weights=ref * y, minlength=k)
    sd_item = float(np.std(y, ddof=1)) if y.size > 1 else nan
    with np.errstate(divide="ignore", invalid="ignore"):
        smd = float(
            np.sum((n_f[use] / n_f[use].sum()) * (sum_f[use] / n_f[use] - sum_r[use] / n_r[use]))
        )
        smd_sd = smd / sd_item if sd_item > 0 else nan
    if dich:
        r = (y - lo) / (hi - lo) if hi > lo else np.zeros_like(y)
        a_ = np.bincount(s, weights=ref * r, minlength=k)[use]  # reference right
        c_ = np.bincount(s, weights=f * r, minlength=k)[use]  # focal right
        nr, nf, nt = n_r[use], n_f[use], n[use]
        b_ = nr - a_
        d_ = nf - c_
        m1 = a_ + c_
        m0 = b_ + d_
        rr = a_ * d_ / nt
        ss = b_ * c_ / nt
        expected = nr * m1 / nt
        var = nr * nf * m1 * m0 / (nt**2 * (nt - 1))
        if rr.sum() <= 0 or ss.sum() <= 0 or var.sum() <= 0:
            return (nan, nan, nan, smd, smd_sd, nan, nan, "-", "")
        amh = float(rr.sum() / ss.sum())
        chi_sq = float((abs(a_.sum() - expected.sum()) - 0.5) ** 2 / var.sum())
        p = float(chi2.sf(chi_sq, 1))
        # Robins–Breslow–Greenland variance of ln α_MH
        pp = (a_ + d_) / nt
        qq = (b_ + c_) / nt
        var_log = (
            np.sum(pp * rr) / (2 * rr.sum() ** 2)
            + np.sum(pp * ss + qq * rr) / (2 * rr.sum() * ss.sum())
            + np.sum(qq * ss) / (2 * ss.sum() ** 2)
        )
        delta = -2.35 * float(np.log(amh))
        delta_se = 2.35 * float(np.sqrt(var_log))
        z_crit = norm.isf(alpha)
        if abs(delta) < 1.0 or p >= alpha:
            cat: Category = "A"
        elif abs(delta) >= 1.5 and (abs(delta) - 1.0) / delta_se > z_crit:
            cat = "C"
        else:
            cat = "B"
        favours = "" if cat == "A" else ("reference" if delta < 0 else "focal")
        return (amh, delta, delta_se, smd, smd_sd, chi_sq, p, cat, favours)
    # Mantel (1963) for ordered scores: focal sum against its expectation per stratum
    sum_all = sum_f + sum_r
    sq_all = np.bincount(s, weights=y**2, minlength=k)
    nr, nf, nt = n_r[use], n_f[use], n[use]
    expected = nf * sum_all[use] / nt
    var = nr * nf / (nt**2 * (nt - 1)) * (nt * sq_all[use] - sum_all[use] ** 2)
    if var.sum() <= 0:
        return (nan, nan, nan, smd, smd_sd, nan, nan, "-", "")
    chi_sq = float((sum_f[use].sum() - expected.sum()) ** 2 / var.sum())
    p = float(chi2.sf(chi_sq, 1))
    size = abs(smd_sd)
    if p >= alpha or size <= 0.17:
        cat = "A"
    elif size > 0.25:
        cat = "C"
    else:
        cat = "B"
    favours = "" if cat == "A" else ("reference" if smd < 0 else "focal")
    return (nan, nan, nan, smd, smd_sd, chi_sq, p, cat, favours)
