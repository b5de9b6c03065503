"""The IRT parameters the results simulator draws an item's responses from.

In this order: parameters ``given`` by the caller (e.g. from a file), the version's newest
``item_parameters`` row of a model that fits the item (3PL/2PL for items scored 0 or
their maximum, GPCM/GRM for the others), default parameters centred on a known proportion
of the maximum that candidates score (classical p, the author's difficulty estimate), and
otherwise defaults drawn from the seed: a ~ lognormal around 1.2, b ~ N(0, 1), c = .2 for
choice items (single choice, true/false); ordered steps around N(0, .7) for polytomous
items (GPCM, GRM for Likert statements).

A row fits when its model is of the item's kind and it has a b per step between its
categories. Its categories are the item's scores, lowest first, unless the row names them
(``levels``, as a calibration stores the scores it saw): then a level of 0 that the item
cannot score is a blank, which the model draws itself.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from itembank.psychometrics.irt.models import ModelName
from itembank.psychometrics.irt.results import ItemParameters
from itembank.psychometrics.irt.scoring import probabilities

__all__ = ["centred_on", "parameters_from_row", "resolve_parameters", "row_levels"]

CHOICE_GUESSING = 0.2
DICHOTOMOUS_MODELS: tuple[ModelName, ...] = ("3PL", "2PL")
POLYTOMOUS_MODELS: tuple[ModelName, ...] = ("GPCM", "GRM")
_NODES = np.linspace(-5.0, 5.0, 61)
_WEIGHTS = np.exp(-0.5 * _NODES**2) / np.exp(-0.5 * _NODES**2).sum()


def _default_model(type_id: str, n_categories: int) -> ModelName:
    if n_categories == 2:
        return "3PL" if type_id in ("single_choice", "true_false") else "2PL"
    return "GRM" if type_id == "likert" else "GPCM"


def parameters_from_row(
    model: str, params: Mapping[str, Any], n_categories: int
) -> ItemParameters | None:
    """An ``item_parameters`` row (or given parameters of the same shape: ``{"a", "b",
    "c"}``, ``b`` a list for GPCM/GRM) as parameters for an item of ``n_categories``,
    or None when they do not fit it (another kind of model, the wrong number of steps,
    values out of range)."""
    fitting = DICHOTOMOUS_MODELS if n_categories == 2 else POLYTOMOUS_MODELS
    if model not in fitting or not isinstance(params, Mapping):
        return None
    try:
        a = float(params["a"])
        raw_b = params["b"]
        b = tuple(float(v) for v in raw_b) if isinstance(raw_b, list | tuple) else (float(raw_b),)
        c = float(params.get("c", 0.0) or 0.0) if model == "3PL" else 0.0
    except (KeyError, TypeError, ValueError):
        return None
    values = np.array([a, c, *b])
    if not np.isfinite(values).all() or not 0 < a <= 10 or not 0 <= c < 1:
        return None
    if len(b) != n_categories - 1 or max(abs(v) for v in b) > 10:
        return None
    if model == "GRM" and any(later <= earlier for earlier, later in itertools.pairwise(b)):
        return None
    return ItemParameters(model, a, b, c)  # type: ignore[arg-type]


def _default_parameters(
    type_id: str, n_categories: int, rng: np.random.Generator
) -> ItemParameters:
    model = _default_model(type_id, n_categories)
    if n_categories == 2:
        a = float(np.exp(rng.normal(math.log(1.2), 0.25)))
        b = float(np.clip(rng.normal(0.0, 1.0), -2.5, 2.5))
        return ItemParameters(model, a, (b,), CHOICE_GUESSING if model == "3PL" else 0.0)
    a = float(np.exp(rng.normal(math.log(0.9), 0.2)))
    centre = float(rng.normal(0.0, 0.7))
    steps = np.sort(rng.normal(0.0, 1.0, n_categories - 1)) * 0.8 + centre
    for k in range(1, steps.size):  # ordered with room between them (GRM needs it)
        steps[k] = max(steps[k], steps[k - 1] + 0.2)
    return ItemParameters(model, a, tuple(float(s) for s in steps))


def _relative_score(par: ItemParameters, scores: np.ndarray, maximum: float) -> float:
    probs = probabilities(par, _NODES)  # (Q, K)
    return float(_WEIGHTS @ (probs @ scores)) / maximum


def centred_on(par: ItemParameters, scores: Sequence[float], maximum: float, p: float) -> Any:
    """``par`` with every b moved by one shift so that candidates drawn from N(0, 1)
    score ``p`` of the maximum on average (as near as the model allows)."""
    values = np.asarray(scores, dtype=np.float64)

    def shifted(s: float) -> ItemParameters:
        return ItemParameters(par.model, par.a, tuple(b + s for b in par.b), par.c)

    low, high = -8.0, 8.0  # the relative score falls as the shift grows
    reach = (
        _relative_score(shifted(high), values, maximum),
        _relative_score(shifted(low), values, maximum),
    )
    target = min(max(p, reach[0] + 0.01), reach[1] - 0.01)
    for _ in range(40):
        middle = 0.5 * (low + high)
        if _relative_score(shifted(middle), values, maximum) > target:
            low = middle
        else:
            high = middle
    return shifted(0.5 * (low + high))


def row_levels(params: Mapping[str, Any], scores: Sequence[float]) -> list[float] | None:
    """The score of each IRT category of a row that names them (``levels``, as a
    calibration stores them: the scores it saw, a blank's 0 included), when each is one
    of the item's category ``scores`` or 0; else None. Rows without ``levels`` have one
    category per score."""
    levels = params.get("levels")
    if levels is None:
        return list(scores)
    if not isinstance(levels, list) or len(levels) < 2:
        return None
    try:
        values = [float(v) for v in levels]
    except (TypeError, ValueError):
        return None
    known = [*scores, 0.0]
    if any(later <= earlier for earlier, later in itertools.pairwise(values)) or not all(
        any(abs(v - k) < 1e-9 for k in known) for v in values
    ):
        return None
    return values


def resolve_parameters(
    type_id: str,
    category_scores: Sequence[float],
    maximum: float,
    rng: np.random.Generator,
    given: Mapping[str, Any] | None,
    bank_rows: Sequence[tuple[str, Mapping[str, Any]]],
    proportion: tuple[str, float] | None,
) -> tuple[ItemParameters, str, list[float]]:
    """The item's parameters, where they came from (``given``, ``bank 3PL``, the
    proportion's source, ``default``) and the score of each of their categories."""
    scores = list(category_scores)
    default = _default_parameters(type_id, len(scores), rng)  # drawn always: stable streams
    rows = [(str(given.get("model", "")), given)] if given is not None else list(bank_rows)
    for model, params in rows:
        levels = row_levels(params, scores)
        found = parameters_from_row(model, params, len(levels)) if levels else None
        if found is not None and levels is not None:
            return found, "given" if given is not None else f"bank {model}", levels
    if given is not None:
        return default, "default", scores
    if proportion is not None and maximum > 0:
        source, p = proportion
        return centred_on(default, scores, maximum, p), source, scores
    return default, "default", scores
