"""Item curves for the item page: category probabilities, expected score and Fisher
information agree with the closed forms of each model."""

from __future__ import annotations

import numpy as np
import pytest

from itembank.assembly.irt import information as three_pl_information
from itembank.psychometrics.irt import ItemParameters
from itembank.psychometrics.irt.curves import information, item_curves

THETA = np.linspace(-4, 4, 33)


@pytest.mark.parametrize(("a", "b", "c"), [(1.3, 0.4, 0.2), (0.7, -1.1, 0.0), (2.2, 1.5, 0.05)])
def test_dichotomous_information_is_the_closed_form(a: float, b: float, c: float) -> None:
    model = "3PL" if c else "2PL"
    item = ItemParameters(model, a, (b,), c)
    expected = three_pl_information(np.array([a]), np.array([b]), np.array([c]), THETA)[0]
    assert information(item, THETA) == pytest.approx(expected, rel=1e-6, abs=1e-9)
    curves = item_curves(item, THETA)
    right = c + (1 - c) / (1 + np.exp(-a * (THETA - b)))
    assert curves.categories[1] == pytest.approx(right)
    assert curves.expected == pytest.approx(right)
    if not c:  # a 2PL is most informative at b, with a² / 4
        peak = item_curves(item, np.array([b])).information[0]
        assert peak == pytest.approx(a * a / 4)


def test_gpcm_information_is_a_squared_times_the_score_variance() -> None:
    item = ItemParameters("GPCM", 0.9, (-1.0, 0.2, 1.1))
    curves = item_curves(item, THETA)
    assert curves.categories.shape == (4, THETA.size)
    assert curves.categories.sum(axis=0) == pytest.approx(np.ones(THETA.size))
    k = np.arange(4)
    variance = (curves.categories.T * k**2).sum(axis=1) - curves.expected**2
    assert curves.information == pytest.approx(0.81 * variance, rel=1e-6)


def test_grm_categories_follow_the_cumulative_curves() -> None:
    a, thresholds = 1.4, (-0.8, 0.3, 1.2)
    curves = item_curves(ItemParameters("GRM", a, thresholds), THETA)
    at_least = [1 / (1 + np.exp(-a * (THETA - t))) for t in thresholds]
    assert curves.categories[0] == pytest.approx(1 - at_least[0])
    assert curves.categories[1] == pytest.approx(at_least[0] - at_least[1])
    assert curves.categories[3] == pytest.approx(at_least[2])
    assert curves.expected == pytest.approx(sum(at_least))
    assert np.all(curves.information > 0)
