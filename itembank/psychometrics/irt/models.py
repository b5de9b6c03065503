"""Item response functions, vectorised over the items of one model.

Every model works on an *internal* slope-intercept parameter vector per item (rows of a
``(J, P)`` array) and returns, at quadrature nodes ``theta`` (Q,), the log probabilities of
each score category, ``(J, Q, K)``, and their gradients with respect to the internal
parameters, ``(J, Q, K, P)``. The logistic metric has D = 1 throughout.

=========  ===========================================  ===========================
model      response function                            internal parameters
=========  ===========================================  ===========================
``2PL``    P(1) = σ(aθ + d),  b = −d/a                  (a, d)
``3PL``    P(1) = c + (1 − c) σ(aθ + d)                 (a, d, logit c)
``GPCM``   P(k) ∝ exp(a·k·θ + d_k), d_0 = 0,            (a, d_1 … d_m)
           step difficulties b_k = −(d_k − d_{k−1})/a
``GRM``    P(X ≥ k) = σ(aθ + d_k), d_1 > … > d_m,       (a, d_1 … d_m)
           thresholds b_k = −d_k/a
=========  ===========================================  ===========================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, log_expit, logsumexp

ModelName = Literal["2PL", "3PL", "GPCM", "GRM"]
MODELS: tuple[ModelName, ...] = ("2PL", "3PL", "GPCM", "GRM")

Array = NDArray[np.float64]

#: Smallest probability used inside logarithms (keeps log-likelihoods finite).
_TINY = 1e-300


def n_params(model: ModelName, n_categories: int) -> int:
    """Number of internal parameters of one item."""
    if model == "2PL":
        return 2
    if model == "3PL":
        return 3
    return n_categories  # a and one intercept per step


def log_prob(model: ModelName, params: Array, theta: Array) -> Array:
    """Log category probabilities ``(J, Q, K)``."""
    return _dispatch(model, params, theta, gradient=False)[0]


def log_prob_and_gradient(model: ModelName, params: Array, theta: Array) -> tuple[Array, Array]:
    """Log category probabilities ``(J, Q, K)`` and their gradients ``(J, Q, K, P)``."""
    logp, grad = _dispatch(model, params, theta, gradient=True)
    assert grad is not None
    return logp, grad


def _dispatch(
    model: ModelName, params: Array, theta: Array, *, gradient: bool
) -> tuple[Array, Array | None]:
    if model == "2PL":
        return _two_pl(params, theta, gradient)
    if model == "3PL":
        return _three_pl(params, theta, gradient)
    if model == "GPCM":
        return _gpcm(params, theta, gradient)
    if model == "GRM":
        return _grm(params, theta, gradient)
    raise ValueError(f"unknown model {model!r}; expected one of {', '.join(MODELS)}")


def _two_pl(params: Array, theta: Array, gradient: bool) -> tuple[Array, Array | None]:
    a, d = params[:, 0:1], params[:, 1:2]
    z = a * theta[None, :] + d  # (J, Q)
    logp = np.stack([log_expit(-z), log_expit(z)], axis=-1)
    if not gradient:
        return logp, None
    p = expit(z)
    dz = np.stack([-p, 1.0 - p], axis=-1)  # d log P_k / dz, (J, Q, 2)
    grad = np.empty((*dz.shape, 2))
    grad[..., 0] = dz * theta[None, :, None]
    grad[..., 1] = dz
    return logp, grad


def _three_pl(params: Array, theta: Array, gradient: bool) -> tuple[Array, Array | None]:
    a, d, g = params[:, 0:1], params[:, 1:2], params[:, 2:3]
    c = expit(g)
    z = a * theta[None, :] + d
    s = expit(z)
    p1 = c + (1.0 - c) * s
    p1 = np.clip(p1, _TINY, 1.0)
    q1 = (1.0 - c) * expit(-z)  # 1 - p1 computed without cancellation
    q1 = np.maximum(q1, _TINY)
    logp = np.stack([np.log(q1), np.log(p1)], axis=-1)
    if not gradient:
        return logp, None
    dp_dz = (1.0 - c) * s * (1.0 - s)
    dp_dg = c * (1.0 - c) * (1.0 - s)
    grad = np.empty((*p1.shape, 2, 3))
    for k, prob, sign in ((0, q1, -1.0), (1, p1, 1.0)):
        grad[..., k, 0] = sign * dp_dz * theta[None, :] / prob
        grad[..., k, 1] = sign * dp_dz / prob
        grad[..., k, 2] = sign * dp_dg / prob
    return logp, grad


def _gpcm(params: Array, theta: Array, gradient: bool) -> tuple[Array, Array | None]:
    n_items, n_par = params.shape
    n_cat = n_par  # a + (K - 1) intercepts
    k = np.arange(n_cat, dtype=np.float64)
    a = params[:, 0]
    d = np.concatenate([np.zeros((n_items, 1)), params[:, 1:]], axis=1)  # (J, K)
    z = a[:, None, None] * k[None, None, :] * theta[None, :, None] + d[:, None, :]
    logp = z - logsumexp(z, axis=-1, keepdims=True)
    if not gradient:
        return logp, None
    p = np.exp(logp)
    # sufficient statistics t_k = (k θ, e_k); gradient of log P_k is t_k - E[t]
    grad = np.zeros((*logp.shape, n_par))
    kt = k[None, None, :] * theta[None, :, None]
    grad[..., 0] = kt - (p * kt).sum(axis=-1, keepdims=True)
    for j in range(1, n_cat):
        grad[..., j] = -p[..., j : j + 1]
        grad[..., j, j] += 1.0
    return logp, grad


def _grm(params: Array, theta: Array, gradient: bool) -> tuple[Array, Array | None]:
    n_par = params.shape[1]
    a = params[:, 0]
    d = params[:, 1:]  # (J, K-1), decreasing
    z = a[:, None, None] * theta[None, :, None] + d[:, None, :]  # (J, Q, K-1)
    star = expit(z)
    ones = np.ones((*z.shape[:2], 1))
    zeros = np.zeros((*z.shape[:2], 1))
    upper = np.concatenate([ones, star], axis=-1)  # P(X >= k), k = 0..K-1
    lower = np.concatenate([star, zeros], axis=-1)  # P(X >= k+1)
    p = np.maximum(upper - lower, _TINY)
    logp = np.log(p)
    if not gradient:
        return logp, None
    w = star * (1.0 - star)  # dP*/dz
    w_up = np.concatenate([zeros, w], axis=-1)
    w_lo = np.concatenate([w, zeros], axis=-1)
    grad = np.zeros((*p.shape, n_par))
    grad[..., 0] = (w_up - w_lo) * theta[None, :, None] / p
    for m in range(1, n_par):
        # intercept d_m enters P(X >= m): + for category m-1's lower bound, - ... as below
        grad[..., m - 1, m] = -w[..., m - 1] / p[..., m - 1]
        grad[..., m, m] = w[..., m - 1] / p[..., m]
    return logp, grad


def feasible(model: ModelName, params: Array) -> NDArray[np.bool_]:
    """Which rows of ``params`` are valid (finite; GRM intercepts strictly decreasing)."""
    ok = np.all(np.isfinite(params), axis=1)
    if model == "GRM" and params.shape[1] > 2:
        ok &= np.all(np.diff(params[:, 1:], axis=1) < 0, axis=1)
    return ok


@dataclass(frozen=True)
class Reported:
    """An item's parameters in the IRT (difficulty) metric."""

    a: float
    b: tuple[float, ...]
    c: float = 0.0


def to_reported(model: ModelName, row: Array) -> Reported:
    """Internal slope-intercept vector to the reported (a, b, c) metric."""
    a = float(row[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        if model in ("2PL", "3PL"):
            c = float(expit(row[2])) if model == "3PL" else 0.0
            return Reported(a, (float(-row[1] / a),), c)
        if model == "GPCM":
            d = np.concatenate([[0.0], row[1:]])
            return Reported(a, tuple(float(v) for v in -np.diff(d) / a))
        return Reported(a, tuple(float(v) for v in -row[1:] / a))


def from_reported(
    model: ModelName, a: float, b: tuple[float, ...] | list[float], c: float
) -> Array:
    """The reported (a, b, c) metric to the internal vector."""
    bb = np.asarray(b, dtype=np.float64)
    if model == "2PL":
        return np.array([a, -a * bb[0]])
    if model == "3PL":
        cc = min(max(c, 1e-9), 1 - 1e-9)
        return np.array([a, -a * bb[0], np.log(cc / (1 - cc))])
    if model == "GPCM":
        return np.concatenate([[a], -a * np.cumsum(bb)])
    return np.concatenate([[a], -a * bb])
