"""3PL item response functions on the logistic metric (D = 1).

P(theta) = c + (1 - c) / (1 + exp(-a (theta - b)))
I(theta) = a^2 (Q / P) ((P - c) / (1 - c))^2,   Q = 1 - P   (2PL when c = 0: a^2 P Q)

The test information function (TIF) is the sum of the items' I, the test characteristic
curve (TCC) the sum of their P (expected number correct).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def probability(
    a: np.ndarray, b: np.ndarray, c: np.ndarray | None, thetas: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Items x thetas matrix of P(theta)."""
    theta = np.asarray(thetas, dtype=float)[None, :]
    guess = np.zeros_like(a) if c is None else c
    logistic = 1.0 / (1.0 + np.exp(-a[:, None] * (theta - b[:, None])))
    return guess[:, None] + (1.0 - guess[:, None]) * logistic


def information(
    a: np.ndarray, b: np.ndarray, c: np.ndarray | None, thetas: Sequence[float] | np.ndarray
) -> np.ndarray:
    """Items x thetas matrix of Fisher information I(theta)."""
    guess = np.zeros_like(a) if c is None else c
    p = probability(a, b, c, thetas)
    q = 1.0 - p
    ratio = (p - guess[:, None]) / (1.0 - guess[:, None])
    return (a[:, None] ** 2) * (q / p) * ratio**2
