"""θ scoring from known item parameters (EAP with the posterior SD as its SE)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from itembank.psychometrics.irt import models as m
from itembank.psychometrics.irt.results import Abilities, ItemParameters

Array = NDArray[np.float64]


def probabilities(item: ItemParameters, theta: ArrayLike) -> Array:
    """Category probabilities ``(len(theta), K)`` of one item."""
    t = np.atleast_1d(np.asarray(theta, dtype=np.float64))
    row = m.from_reported(item.model, item.a, item.b, item.c)[None, :]
    return np.exp(m.log_prob(item.model, row, t)[0])


def eap_scores(
    responses: ArrayLike,
    items: Sequence[ItemParameters],
    *,
    mean: float = 0.0,
    sd: float = 1.0,
    points: int = 61,
    limit: float = 6.0,
) -> Abilities:
    """EAP θ and posterior SD per candidate under a N(mean, sd²) prior.

    :param responses: candidates × items categories, NaN where not presented.
    """
    x = np.asarray(responses, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(items):
        raise ValueError(f"responses: expected (candidates, {len(items)}), got {x.shape}")
    nodes = mean + sd * np.linspace(-limit, limit, points)
    ll = np.tile(-0.5 * np.linspace(-limit, limit, points) ** 2, (x.shape[0], 1))
    for j, item in enumerate(items):
        logp = np.log(probabilities(item, nodes))  # (Q, K)
        seen = ~np.isnan(x[:, j])
        cat = x[seen, j].astype(np.intp)
        if cat.size and cat.max() >= logp.shape[1]:
            raise ValueError(f"responses: item {j} has a category above {logp.shape[1] - 1}")
        ll[seen] += logp[:, cat].T
    post = np.exp(ll - logsumexp(ll, axis=1, keepdims=True))
    eap = post @ nodes
    se = np.sqrt(np.maximum(post @ nodes**2 - eap**2, 0.0))
    return Abilities(eap=eap, se=se)
