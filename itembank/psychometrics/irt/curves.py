"""Curves of one item for people to look at: category probabilities, the expected score
and the Fisher information over a θ grid (logistic metric, D = 1).

Information is ``I(θ) = Σ_k P_k'(θ)² / P_k(θ)`` for every model, with ``P_k'`` by a
central difference of the exact category probabilities (:func:`probabilities`); for
2PL/3PL this is the familiar ``a² (Q/P) ((P − c)/(1 − c))²`` and for GPCM ``a² Var(k)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from itembank.psychometrics.irt.results import ItemParameters
from itembank.psychometrics.irt.scoring import probabilities

Array = NDArray[np.float64]

#: Step of the central difference (the probabilities are smooth; the error is ~h²).
_STEP = 1e-5


@dataclass(frozen=True)
class ItemCurves:
    """An item's curves at ``theta``: ``categories`` is ``(K, Q)`` (K = 2 for 2PL/3PL:
    wrong, right), ``expected`` the expected category (score) and ``information``."""

    theta: Array
    categories: Array
    expected: Array
    information: Array


def information(item: ItemParameters, theta: ArrayLike) -> Array:
    """Fisher information of ``item`` at each ``theta``."""
    t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    p = probabilities(item, t)
    slope = (probabilities(item, t + _STEP) - probabilities(item, t - _STEP)) / (2 * _STEP)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, slope**2 / p, 0.0)
    return np.asarray(terms.sum(axis=1), dtype=np.float64)


def item_curves(item: ItemParameters, theta: ArrayLike) -> ItemCurves:
    t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    p = probabilities(item, t)  # (Q, K)
    k = np.arange(p.shape[1], dtype=np.float64)
    return ItemCurves(
        theta=t,
        categories=np.ascontiguousarray(p.T),
        expected=p @ k,
        information=information(item, t),
    )
