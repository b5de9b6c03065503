"""Marginal maximum likelihood by EM (Bock & Aitkin 1981) on a fixed quadrature grid.

The latent distribution is N(μ, σ²) on ``settings.quadrature_points`` equally spaced
nodes (μ = 0, σ = 1 unless estimated); the metric is logistic with D = 1.

* **E-step**: the responses are one-hot coded into a candidates × categories matrix
  ``Y``; with the log category probabilities at the nodes stacked into a categories ×
  nodes table, each candidate's log-likelihood at every node is ``Y @ logP`` (one matrix
  product for all items), the posterior follows by normalising, and the expected counts
  of each category at each node are ``Yᵀ @ posterior``. Responses absent by design
  (NaN) have no column set, so they are simply not in the likelihood: forms that share
  items are calibrated onto one scale at once.
* **M-step**: per model, for all free items at once, a few Fisher-scoring steps (the
  expected information Σ_q n_q Σ_k P_k g_k g_kᵀ, which equals the Hessian for 2PL and
  GPCM) with step-halving so the expected complete-data log-posterior never decreases.
* **Anchors** keep the given parameters; with anchors the population mean and SD are
  estimated from the posterior moments by default, so new items land on the anchors'
  scale.
* **Standard errors**: the observed information of each item's own parameters by Louis'
  formula at the final E-step (exact for that block; the covariance with other items'
  parameters is ignored).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, logsumexp

from itembank.psychometrics.irt import models as m
from itembank.psychometrics.irt.fit import FitGroup, item_fit
from itembank.psychometrics.irt.results import (
    Abilities,
    Calibration,
    Convergence,
    ItemEstimate,
    ItemParameters,
    Priors,
    Settings,
)

Array = NDArray[np.float64]

#: Bounds that keep estimates of degenerate items (everyone in one category) finite.
_A_LIMIT = 10.0
_D_LIMIT = 25.0


@dataclass
class _Group:
    """The items of one model and number of categories."""

    model: m.ModelName
    n_cat: int
    items: NDArray[np.intp]  # item indices
    params: Array  # (J, P) internal parameters
    fixed: NDArray[np.bool_]  # (J,)
    rows: NDArray[np.intp]  # (J, K) rows of the category table


def calibrate(
    responses: ArrayLike,
    models: m.ModelName | Sequence[m.ModelName],
    *,
    n_categories: Sequence[int] | None = None,
    anchors: Mapping[int, ItemParameters] | None = None,
    settings: Settings | None = None,
) -> Calibration:
    """Calibrate items by marginal maximum likelihood (EM).

    :param responses: candidates × items, the score category of each response (0, 1 for
        dichotomous items; 0..K-1 for polytomous ones, e.g. weights 1-5 recoded 0-4);
        NaN where the item was not presented (or the response is to be left out).
    :param models: one model name for all items or one per item: "2PL", "3PL", "GPCM",
        "GRM".
    :param n_categories: per item (default: 2 for 2PL/3PL, the highest observed category
        + 1 otherwise).
    :param anchors: item index → parameters held fixed (they set the scale).
    :param settings: quadrature, tolerances, priors, population estimation.
    :returns: a :class:`Calibration`.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    x = _check_responses(responses)
    n_cand, n_items = x.shape
    model_list = _check_models(models, n_items)
    cats = _check_categories(x, model_list, n_categories)
    anchors = dict(anchors or {})
    for index, par in anchors.items():
        if not 0 <= index < n_items:
            raise ValueError(f"anchors: item index {index} is outside 0..{n_items - 1}")
        if par.model != model_list[index] or par.n_categories != cats[index]:
            raise ValueError(
                f"anchors: item {index} is {model_list[index]} with {cats[index]} "
                f"categories, the anchor is {par.model} with {par.n_categories}"
            )
    estimate_population = (
        bool(anchors) if settings.estimate_population is None else settings.estimate_population
    )

    offsets = np.concatenate([[0], np.cumsum(cats)])
    observed = ~np.isnan(x)
    y = _indicator(x, observed, offsets)
    answered = observed.any(axis=1)
    groups = _groups(x, observed, model_list, cats, offsets, anchors)

    z, log_w = _standard_grid(settings)
    mu, sigma = 0.0, 1.0
    trace: list[float] = []
    converged = False
    max_change = float("inf")
    iteration = 0
    for iteration in range(1, settings.max_iterations + 1):  # noqa: B007
        nodes = mu + sigma * z
        table = _log_table(groups, nodes, int(offsets[-1]))
        counts, node_mass, loglik, _ = _e_step(y, answered, table, log_w, settings.chunk_rows)
        trace.append(loglik)
        starts = [group.params.copy() for group in groups]
        for group in groups:
            r = counts[group.rows].transpose(0, 2, 1)  # (J, Q, K)
            _m_step(group, r, nodes, settings)
        total = node_mass.sum()
        post_mu = float(node_mass @ nodes / total)
        post_sigma = float(np.sqrt(node_mass @ (nodes - post_mu) ** 2 / total))
        max_change = 0.0
        if estimate_population:
            max_change = max(abs(post_mu - mu), abs(post_sigma - sigma))
            mu, sigma = post_mu, post_sigma
        else:
            # parameter expansion (PX-EM; Liu, Rubin & Wu 1998): the posterior moments of
            # θ are the population's estimate in the expanded model; mapping them back to
            # N(0, 1) rescales every item, which removes EM's slow drift along the scale
            for group in groups:
                group.params[:] = _standardise(group.model, group.params, post_mu, post_sigma)
                group.params[group.fixed] = starts[groups.index(group)][group.fixed]
        for group, before in zip(groups, starts, strict=True):
            max_change = max(max_change, float(np.max(np.abs(group.params - before))))
        if max_change < settings.tolerance:
            converged = True
            break

    nodes = mu + sigma * z
    table = _log_table(groups, nodes, int(offsets[-1]))
    counts, _, loglik, posterior = _e_step(
        y, answered, table, log_w, settings.chunk_rows, keep_posterior=True
    )
    trace.append(loglik)
    assert posterior is not None
    eap = posterior @ nodes
    sd = np.sqrt(np.maximum(posterior @ nodes**2 - eap**2, 0.0))
    eap[~answered] = np.nan
    sd[~answered] = np.nan

    fits = item_fit(y, observed, _fit_groups(groups), posterior, nodes, eap, settings.fit_groups)
    estimates: list[ItemEstimate | None] = [None] * n_items
    for group in groups:
        r = counts[group.rows].transpose(0, 2, 1)
        cov = (
            _covariances(group, r, posterior, x, observed, nodes, settings.priors)
            if settings.standard_errors
            else np.full((len(group.items), group.params.shape[1], group.params.shape[1]), np.nan)
        )
        for row, item in enumerate(group.items):
            estimates[item] = _estimate(
                group, row, int(item), cov[row], int(observed[:, item].sum()), fits[int(item)]
            )

    return Calibration(
        items=tuple(e for e in estimates if e is not None),
        population=(mu, sigma),
        abilities=Abilities(eap=eap, se=sd),
        convergence=Convergence(converged, iteration, max_change, tuple(trace)),
        settings=settings,
        n_candidates=n_cand,
        n_items=n_items,
        n_responses=int(observed.sum()),
        seconds=time.perf_counter() - started,
        versions={"numpy": np.__version__, "scipy": scipy.__version__},
    )


def _fit_groups(groups: list[_Group]) -> list[FitGroup]:
    return [FitGroup(g.model, g.items, g.params, g.rows) for g in groups]


# -- input -------------------------------------------------------------------------------


def _check_responses(responses: ArrayLike) -> Array:
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"responses: expected a non-empty 2-D array, got shape {x.shape}")
    finite = x[~np.isnan(x)]
    if np.any(np.isinf(finite)) or np.any(finite < 0) or np.any(finite != np.round(finite)):
        raise ValueError("responses: categories must be whole numbers >= 0 (NaN = absent)")
    return x


def _check_models(models: m.ModelName | Sequence[m.ModelName], n_items: int) -> list[m.ModelName]:
    names = [models] * n_items if isinstance(models, str) else list(models)
    if len(names) != n_items:
        raise ValueError(f"models: {len(names)} names for {n_items} items")
    for name in names:
        if name not in m.MODELS:
            raise ValueError(f"models: unknown model {name!r}; expected one of {m.MODELS}")
    return names  # type: ignore[return-value]


def _check_categories(
    x: Array, models: list[m.ModelName], n_categories: Sequence[int] | None
) -> NDArray[np.intp]:
    with np.errstate(all="ignore"):
        highest = np.where(np.isnan(x), -1, x).max(axis=0).astype(np.intp)
    if n_categories is None:
        cats = np.array(
            [
                2 if md in ("2PL", "3PL") else max(int(h) + 1, 2)
                for md, h in zip(models, highest, strict=True)
            ]
        )
    else:
        cats = np.asarray(n_categories, dtype=np.intp)
        if cats.shape != (x.shape[1],):
            raise ValueError(f"n_categories: expected {x.shape[1]} values")
    for j, (md, k) in enumerate(zip(models, cats, strict=True)):
        if md in ("2PL", "3PL") and k != 2:
            raise ValueError(f"item {j}: {md} needs 2 categories (0/1), got {k}")
        if k < 2:
            raise ValueError(f"item {j}: needs at least 2 categories")
        if highest[j] >= k:
            raise ValueError(f"item {j}: category {highest[j]} observed, only {k} declared")
    return cats


def _indicator(x: Array, observed: NDArray[np.bool_], offsets: NDArray[np.intp]) -> NDArray:
    y = np.zeros((x.shape[0], int(offsets[-1])), dtype=np.float32)
    rows, cols = np.nonzero(observed)
    y[rows, offsets[cols] + x[rows, cols].astype(np.intp)] = 1.0
    return y


def _groups(
    x: Array,
    observed: NDArray[np.bool_],
    models: list[m.ModelName],
    cats: NDArray[np.intp],
    offsets: NDArray[np.intp],
    anchors: dict[int, ItemParameters],
) -> list[_Group]:
    keys = sorted({(md, int(k)) for md, k in zip(models, cats, strict=True)})
    groups = []
    for md, k in keys:
        items = np.array([j for j in range(len(models)) if models[j] == md and cats[j] == k])
        params = np.array([_start(md, k, x[observed[:, j], j]) for j in items])
        fixed = np.zeros(len(items), dtype=bool)
        for row, j in enumerate(items):
            if int(j) in anchors:
                par = anchors[int(j)]
                params[row] = m.from_reported(md, par.a, par.b, par.c)
                fixed[row] = True
        rows = offsets[items][:, None] + np.arange(k)[None, :]
        groups.append(_Group(md, k, items, params, fixed, rows))
    return groups


def _start(model: m.ModelName, k: int, values: Array) -> Array:
    """Start values from the category proportions (smoothed)."""
    freq = np.bincount(values.astype(np.intp), minlength=k)[:k] + 0.5
    share = freq / freq.sum()
    if model in ("2PL", "3PL"):
        d = 1.3 * np.log(share[1] / share[0])
        return np.array([1.0, d]) if model == "2PL" else np.array([1.0, d, np.log(0.2 / 0.8)])
    if model == "GPCM":
        return np.concatenate([[1.0], np.cumsum(np.log(share[1:] / share[:-1]))])
    above = 1.0 - np.cumsum(share)[:-1]  # P(X >= k), k = 1..K-1
    d = 1.3 * np.log(above / (1.0 - above))
    d = np.minimum.accumulate(d - np.arange(k - 1) * 1e-3)
    return np.concatenate([[1.0], d])


# -- EM ----------------------------------------------------------------------------------


def _standard_grid(settings: Settings) -> tuple[Array, Array]:
    lo, hi = settings.quadrature_range
    if settings.quadrature_points < 5 or not lo < hi:
        raise ValueError("settings: need at least 5 quadrature points on a valid range")
    z = np.linspace(lo, hi, settings.quadrature_points)
    log_w = -0.5 * z**2
    return z, log_w - logsumexp(log_w)


def _log_table(groups: list[_Group], nodes: Array, n_rows: int) -> NDArray[np.float32]:
    table = np.empty((n_rows, nodes.size), dtype=np.float32)
    for g in groups:
        logp = m.log_prob(g.model, g.params, nodes)  # (J, Q, K)
        table[g.rows.ravel()] = logp.transpose(0, 2, 1).reshape(-1, nodes.size)
    return table


def _e_step(
    y: NDArray,
    answered: NDArray[np.bool_],
    table: NDArray[np.float32],
    log_w: Array,
    chunk: int,
    *,
    keep_posterior: bool = False,
) -> tuple[Array, Array, float, Array | None]:
    n = y.shape[0]
    counts = np.zeros(table.shape, dtype=np.float64)
    node_mass = np.zeros(log_w.size)
    loglik = 0.0
    posterior = np.empty((n, log_w.size)) if keep_posterior else None
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        ll = (y[start:stop] @ table).astype(np.float64) + log_w[None, :]
        top = ll.max(axis=1, keepdims=True)
        post = np.exp(ll - top)
        total = post.sum(axis=1, keepdims=True)
        post /= total
        # float32 denormals make the matrix product below very slow: flush them to zero
        post[post < 1e-30] = 0.0
        post[~answered[start:stop]] = 0.0
        marginal = top + np.log(total)
        loglik += float(marginal[answered[start:stop]].sum())
        counts += (y[start:stop].T @ post.astype(np.float32)).astype(np.float64)
        node_mass += post.sum(axis=0)
        if posterior is not None:
            posterior[start:stop] = post
    return counts, node_mass, loglik, posterior


def _log_prior(model: m.ModelName, params: Array, priors: Priors) -> tuple[Array, Array, Array]:
    """Log prior density, its gradient and its (positive) curvature per item."""
    n, p = params.shape
    value = np.zeros(n)
    grad = np.zeros((n, p))
    curv = np.zeros((n, p, p))
    if priors.a_lognormal is not None and model in priors.a_models:
        mean, sd = priors.a_lognormal
        a = params[:, 0]
        positive = a > 0
        safe = np.where(positive, a, 1.0)
        la = np.log(safe)
        value += np.where(positive, -la - (la - mean) ** 2 / (2 * sd**2), -np.inf)
        grad[:, 0] = -1.0 / safe - (la - mean) / (safe * sd**2)
        curv[:, 0, 0] = 1.0 / (safe**2 * sd**2)
    if priors.c_beta is not None and model == "3PL":
        alpha, beta = priors.c_beta
        c = expit(params[:, 2])
        value += (alpha - 1) * np.log(c) + (beta - 1) * np.log1p(-c)
        grad[:, 2] = (alpha - 1) * (1 - c) - (beta - 1) * c
        curv[:, 2, 2] = (alpha + beta - 2) * c * (1 - c)
    return value, grad, curv


def _objective(group: _Group, params: Array, r: Array, nodes: Array, priors: Priors) -> Array:
    logp = m.log_prob(group.model, params, nodes)
    value = np.einsum("jqk,jqk->j", r, logp) + _log_prior(group.model, params, priors)[0]
    ok = m.feasible(group.model, params) & np.isfinite(value)
    return np.where(ok, value, -np.inf)


def _m_step(group: _Group, r: Array, nodes: Array, settings: Settings) -> None:
    free = ~group.fixed
    if not free.any():
        return
    params = group.params[free]
    r = r[free]
    n_node = r.sum(axis=2)  # (J, Q)
    priors = settings.priors
    for _ in range(settings.newton_steps):
        logp, g = m.log_prob_and_gradient(group.model, params, nodes)
        prior_value, prior_grad, prior_curv = _log_prior(group.model, params, priors)
        grad = np.einsum("jqk,jqkp->jp", r, g) + prior_grad
        weight = n_node[:, :, None] * np.exp(logp)
        info = np.einsum("jqk,jqkp,jqkr->jpr", weight, g, g) + prior_curv
        info += 1e-8 * np.eye(info.shape[1])[None]
        step = np.linalg.solve(info, grad[..., None])[..., 0]
        current = np.einsum("jqk,jqk->j", r, logp) + prior_value
        scale = np.ones(len(params))
        accepted = np.zeros(len(params), dtype=bool)
        for _halving in range(20):
            trial = _clip(params + scale[:, None] * step)
            value = _objective(group, trial, r, nodes, priors)
            good = ~accepted & (value >= current - 1e-9 * np.abs(current))
            params[good] = trial[good]
            accepted |= good
            if accepted.all():
                break
            scale[~accepted] *= 0.5
        if np.max(np.abs(step * scale[:, None])) < 1e-7:
            break
    group.params[free] = params


def _standardise(model: m.ModelName, params: Array, mu: float, sigma: float) -> Array:
    """Item parameters for θ* = (θ - mu) / sigma, so that aθ + d = a*θ* + d*."""
    out = params.copy()
    a = params[:, 0]
    out[:, 0] = a * sigma
    if model in ("2PL", "3PL"):
        out[:, 1] = params[:, 1] + a * mu
    elif model == "GPCM":
        k = np.arange(1, params.shape[1])
        out[:, 1:] = params[:, 1:] + a[:, None] * k[None, :] * mu
    else:
        out[:, 1:] = params[:, 1:] + a[:, None] * mu
    return out


def _clip(params: Array) -> Array:
    out = params.copy()
    out[:, 0] = np.clip(out[:, 0], -_A_LIMIT, _A_LIMIT)
    out[:, 1:] = np.clip(out[:, 1:], -_D_LIMIT, _D_LIMIT)
    return out


# -- standard errors ---------------------------------------------------------------------


def _covariances(
    group: _Group,
    r: Array,
    posterior: Array,
    x: Array,
    observed: NDArray[np.bool_],
    nodes: Array,
    priors: Priors,
) -> Array:
    """Louis: I = Σ_qk r_qk (−∂² log P − g gᵀ) + Σ_i s_i s_iᵀ, per item block."""
    params = group.params
    n_items, n_par = params.shape
    _, g = m.log_prob_and_gradient(group.model, params, nodes)  # (J, Q, K, P)
    hess = np.empty((*g.shape, n_par))
    for p in range(n_par):
        h = 1e-5 * max(1.0, float(np.max(np.abs(params[:, p]))))
        up, down = params.copy(), params.copy()
        up[:, p] += h
        down[:, p] -= h
        g_up = m.log_prob_and_gradient(group.model, up, nodes)[1]
        g_down = m.log_prob_and_gradient(group.model, down, nodes)[1]
        hess[..., p] = (g_up - g_down) / (2 * h)
    info = np.einsum("jqk,jqkpr->jpr", r, -hess - g[..., :, None] * g[..., None, :])
    info += _log_prior(group.model, params, priors)[2]
    # Σ_i s_i s_iᵀ with s_i = Σ_q posterior_iq g(θ_q, x_ij): items in chunks bound memory
    n_cand = posterior.shape[0]
    size = max(1, 2_000_000 // max(1, n_cand * group.n_cat * n_par))
    for lo in range(0, n_items, size):
        hi = min(lo + size, n_items)
        cols = group.items[lo:hi]
        gq = g[lo:hi].transpose(1, 0, 2, 3).reshape(nodes.size, -1)
        scores = (posterior @ gq).reshape(n_cand, hi - lo, group.n_cat, n_par)
        seen = observed[:, cols]
        cat = np.where(seen, x[:, cols], 0).astype(np.intp)
        s = np.take_along_axis(scores, cat[:, :, None, None], axis=2)[:, :, 0, :]
        s *= seen[:, :, None]
        info[lo:hi] += np.einsum("njp,njr->jpr", s, s)
    cov = np.full((n_items, n_par, n_par), np.nan)
    for row in range(n_items):
        if group.fixed[row]:
            continue
        try:
            cov[row] = np.linalg.inv(info[row])
        except np.linalg.LinAlgError:
            continue
    return cov


def _estimate(
    group: _Group, row: int, item: int, cov: Array, n_resp: int, fit: object
) -> ItemEstimate:
    from itembank.psychometrics.irt.results import ItemFit

    internal = group.params[row]
    rep = m.to_reported(group.model, internal)
    par = ItemParameters(group.model, rep.a, rep.b, rep.c)
    flat = np.array([rep.a, *rep.b, rep.c])
    jac = np.empty((flat.size, internal.size))
    for p in range(internal.size):
        h = 1e-6 * max(1.0, abs(float(internal[p])))
        up = internal.copy()
        up[p] += h
        r2 = m.to_reported(group.model, up)
        jac[:, p] = (np.array([r2.a, *r2.b, r2.c]) - flat) / h
    with np.errstate(invalid="ignore"):
        se_rep = np.sqrt(np.diag(jac @ cov @ jac.T))
        se_int = np.sqrt(np.diag(cov))
    return ItemEstimate(
        index=item,
        parameters=par,
        se_a=float(se_rep[0]),
        se_b=tuple(float(v) for v in se_rep[1:-1]),
        se_c=float(se_rep[-1]) if group.model == "3PL" else float("nan"),
        internal=tuple(float(v) for v in internal),
        internal_se=tuple(float(v) for v in se_int),
        fixed=bool(group.fixed[row]),
        n_responses=n_resp,
        fit=fit if isinstance(fit, ItemFit) else None,
    )
