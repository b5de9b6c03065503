"""Item fit: observed against model-expected category proportions in θ groups."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy.stats import chi2

from itembank.psychometrics.irt import models as m
from itembank.psychometrics.irt.results import ItemFit

Array = NDArray[np.float64]

#: Cells expected to hold fewer candidates than this are left out of the statistic.
MIN_EXPECTED = 1.0


class FitGroup(NamedTuple):
    model: m.ModelName
    items: NDArray[np.intp]
    params: Array
    rows: NDArray[np.intp]  # (J, K) columns of the one-hot response matrix


def item_fit(
    y: NDArray,
    observed: NDArray[np.bool_],
    groups: list[FitGroup],
    posterior: Array,
    nodes: Array,
    eap: Array,
    n_groups: int,
) -> dict[int, ItemFit]:
    """A binned χ² per item (see :class:`ItemFit`).

    Candidates are split into ``n_groups`` groups of (nearly) equal size by EAP θ. For
    group g and category k: O = the number of the group's respondents in category k,
    E = Σ over those respondents of Σ_q posterior(θ_q) P_k(θ_q). Cells with E below
    ``MIN_EXPECTED`` are dropped and reduce the degrees of freedom.

    :param y: candidates × categories one-hot responses (as in the E-step).
    """
    answered = ~np.isnan(eap)
    order = np.argsort(np.where(answered, eap, np.inf), kind="stable")
    n_answered = int(answered.sum())
    label = np.full(y.shape[0], -1)
    if n_answered:
        label[order[:n_answered]] = np.arange(n_answered) * n_groups // n_answered
    member = (label[None, :] == np.arange(n_groups)[:, None]).astype(np.float32)  # (G, N)
    obs_all = (member @ y).astype(np.float64)  # (G, categories)
    seen = observed.astype(np.float32)
    mass_all = np.stack(
        [seen[label == g].T @ posterior[label == g].astype(np.float32) for g in range(n_groups)]
    ).astype(np.float64)  # (G, items, Q)
    out: dict[int, ItemFit] = {}
    for model, items, params, rows in groups:
        probs = np.exp(m.log_prob(model, params, nodes))  # (J, Q, K)
        exp = np.einsum("gjq,jqk->jgk", mass_all[:, items], probs)
        obs = obs_all[:, rows].transpose(1, 0, 2)  # (J, G, K)
        keep = exp >= MIN_EXPECTED
        terms = np.where(keep, (obs - exp) ** 2 / np.where(keep, exp, 1.0), 0.0)
        stat = terms.sum(axis=(1, 2))
        # one category per group is determined by the others
        cells = keep.sum(axis=2) - (keep.sum(axis=2) > 0)
        df = cells.sum(axis=1) - params.shape[1]
        for row, item in enumerate(items):
            d = int(df[row])
            p = float(chi2.sf(stat[row], d)) if d > 0 else float("nan")
            out[int(item)] = ItemFit(float(stat[row]), d, p, n_groups)
    return out
