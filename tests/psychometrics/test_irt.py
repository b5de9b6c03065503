"""IRT calibration: gradients, recovery of simulated parameters, published results
(LSAT6), a reference implementation (girth), anchors and concurrent calibration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from itembank.psychometrics.irt import ItemParameters, Settings, calibrate, eap_scores
from itembank.psychometrics.irt import models as m
from itembank.psychometrics.simulate import anchor_design, simulate_items, simulate_responses


@pytest.mark.parametrize(
    ("model", "row"),
    [
        ("2PL", [1.2, -0.3]),
        ("3PL", [1.1, 0.4, -1.2]),
        ("GPCM", [0.9, 0.5, 0.2, -0.7, -1.5]),
        ("GRM", [1.3, 1.5, 0.2, -0.8]),
    ],
)
def test_gradients_match_finite_differences(model: m.ModelName, row: list[float]) -> None:
    theta = np.linspace(-3, 3, 7)
    params = np.array([row])
    logp, grad = m.log_prob_and_gradient(model, params, theta)
    assert np.allclose(np.exp(logp).sum(axis=2), 1.0)
    for p in range(params.shape[1]):
        h = 1e-6
        up, down = params.copy(), params.copy()
        up[0, p] += h
        down[0, p] -= h
        numeric = (m.log_prob(model, up, theta) - m.log_prob(model, down, theta)) / (2 * h)
        assert np.allclose(grad[..., p], numeric, atol=1e-6)


def test_reported_round_trip() -> None:
    for model, a, b, c in [
        ("2PL", 1.2, (0.5,), 0.0),
        ("3PL", 0.8, (-1.0,), 0.2),
        ("GPCM", 0.9, (-1.0, 0.3, 0.2), 0.0),
        ("GRM", 1.4, (-1.0, 0.0, 1.2), 0.0),
    ]:
        rep = m.to_reported(model, m.from_reported(model, a, b, c))
        assert rep.a == pytest.approx(a)
        assert rep.b == pytest.approx(b)
        assert rep.c == pytest.approx(c)


# LSAT section 6 (Thissen 1982; Bock & Lieberman 1970), 1,000 examinees x 5 items, as the
# cumulative counts of the 32 response patterns in binary order (00000 ... 11111) given by
# the OpenBUGS "LSAT" example (https://chjackson.github.io/openbugsdoc/Examples/Lsat.html).
LSAT6_CUMULATIVE = [
    3, 9, 11, 22, 23, 24, 27, 31, 32, 40, 40, 56, 56, 59, 61, 76,
    86, 115, 129, 210, 213, 241, 256, 336, 352, 408, 429, 602, 613, 674, 702, 1000,
]  # fmt: skip
# Published 2PL results on these data:
# * mirt's own test suite (philchalmers/mirt, tests/testthat/test-01-mirtOne.R):
#   mirt(expand.table(LSAT6), 1) has logLik -2466.653 (tolerance 1e-4 there);
# * ltm (Rizopoulos), ltm(LSAT ~ z1, IRT.param = TRUE), 21 Gauss-Hermite points, as printed
#   in its summary: log.Lik -2466.653; Dscrmn, Dffclt and their std.err below.
LSAT6_LOGLIK = -2466.653
LSAT6_A = [0.8253715, 0.7229499, 0.8904748, 0.6885502, 0.6574516]
LSAT6_B = [-3.3597341, -1.3696497, -0.2798983, -1.8659189, -3.1235725]
LSAT6_SE_A = [0.2581, 0.1867, 0.2326, 0.1852, 0.2100]


def lsat6() -> np.ndarray:
    counts = np.diff([0, *LSAT6_CUMULATIVE])
    patterns = np.array(list(itertools.product([0, 1], repeat=5)))
    return np.repeat(patterns, counts, axis=0).astype(np.float64)


def test_lsat6_agrees_with_published_mirt_and_ltm() -> None:
    cal = calibrate(lsat6(), "2PL", settings=Settings(tolerance=1e-6))
    assert cal.convergence.converged
    assert cal.convergence.loglik == pytest.approx(LSAT6_LOGLIK, abs=0.01)
    a = np.array([e.parameters.a for e in cal.items])
    b = np.array([e.parameters.b[0] for e in cal.items])
    assert np.max(np.abs(a - LSAT6_A)) < 0.01
    assert np.max(np.abs(b - LSAT6_B)) < 0.01
    # per-item observed information ignores the covariance between items, so with only 5
    # items the SEs are somewhat smaller than the full-matrix ones (within 15 %)
    se = np.array([e.se_a for e in cal.items])
    assert np.all(np.abs(se / LSAT6_SE_A - 1) < 0.15)


def test_recovery_10000_candidates() -> None:
    items = simulate_items(12, 8, seed=11)
    sim = simulate_responses(items, 10_000, seed=12)
    cal = calibrate(sim.categories, [it.parameters.model for it in items])
    assert cal.convergence.converged
    a_true = [it.parameters.a for it in items]
    a_est = [e.parameters.a for e in cal.items]
    b_true = np.concatenate([it.parameters.b for it in items[:12]])
    b_est = np.concatenate([e.parameters.b for e in cal.items[:12]])
    steps_true = np.concatenate([it.parameters.b for it in items[12:]])
    steps_est = np.concatenate([e.parameters.b for e in cal.items[12:]])
    assert np.corrcoef(a_true, a_est)[0, 1] >= 0.99
    assert np.corrcoef(b_true, b_est)[0, 1] >= 0.99
    assert np.corrcoef(steps_true, steps_est)[0, 1] >= 0.99
    theta_r = np.corrcoef(sim.theta, cal.abilities.eap)[0, 1]
    assert theta_r > 0.85


girth = pytest.importorskip("girth", reason="reference implementation: pip install -e '.[ref]'")


def test_agrees_with_girth_2pl_and_gpcm() -> None:
    # same data, same model, no priors; girth maximises the same marginal likelihood
    # (per-item coordinate ascent, 41 Gauss-Legendre points on [-4.5, 4.5])
    items = simulate_items(10, 0, seed=21)
    sim = simulate_responses(items, 3000, seed=22)
    x = sim.categories
    ours = calibrate(x, "2PL", settings=Settings(tolerance=1e-6))
    ref = girth.twopl_mml(x.T.astype(int), {"max_iteration": 200})
    a_diff = np.abs([e.parameters.a for e in ours.items] - ref["Discrimination"])
    b_diff = np.abs([e.parameters.b[0] for e in ours.items] - ref["Difficulty"])
    assert a_diff.max() < 0.03
    assert b_diff.max() < 0.03

    witems = simulate_items(0, 6, seed=23)
    wsim = simulate_responses(witems, 3000, seed=24)
    ours = calibrate(wsim.categories, "GPCM", settings=Settings(tolerance=1e-6))
    ref = girth.pcm_mml(wsim.categories.T.astype(int), {"max_iteration": 200})
    a_diff = np.abs([e.parameters.a for e in ours.items] - ref["Discrimination"])
    b_diff = np.abs(np.array([e.parameters.b for e in ours.items]) - ref["Difficulty"])
    assert a_diff.max() < 0.03
    assert b_diff.max() < 0.03


def test_concurrent_calibration_and_anchors() -> None:
    items = simulate_items(30, 0, seed=31)
    forms = anchor_design(30, 2, 10)
    sim = simulate_responses(items, 4000, seed=32, forms=forms)
    assert np.isnan(sim.categories).any()
    cal = calibrate(sim.categories, "2PL")
    assert cal.convergence.converged
    b_true = [it.parameters.b[0] for it in items]
    assert np.corrcoef(b_true, [e.parameters.b[0] for e in cal.items])[0, 1] > 0.98

    # a new group, 0.5 SD abler, on a form whose first 10 items are anchors at true values
    new = simulate_responses(items, 3000, seed=33, theta_mean=0.5)
    anchors = {j: items[j].parameters for j in range(10)}
    fixed = calibrate(new.categories, "2PL", anchors=anchors)
    assert fixed.population[0] == pytest.approx(0.5, abs=0.1)
    for j in range(10):
        assert fixed.items[j].fixed
        assert fixed.items[j].parameters.a == pytest.approx(items[j].parameters.a)
    b_new = np.array([e.parameters.b[0] for e in fixed.items[10:]])
    b_ref = np.array(b_true[10:])
    assert abs(float(np.mean(b_new - b_ref))) < 0.1  # same scale: no shift of 0.5


def test_3pl_and_grm_run_with_priors() -> None:
    items = simulate_items(8, 4, seed=41, single_model="3PL", weighted_model="GRM")
    sim = simulate_responses(items, 3000, seed=42)
    cal = calibrate(sim.categories, [it.parameters.model for it in items])
    assert cal.convergence.converged
    for est in cal.items[:8]:
        assert 0.0 < est.parameters.c < 0.5
        assert np.isfinite(est.se_c)
    for est in cal.items[8:]:
        assert list(est.parameters.b) == sorted(est.parameters.b)


def test_eap_scores_and_item_fit() -> None:
    items = simulate_items(20, 0, seed=51)
    sim = simulate_responses(items, 2000, seed=52)
    ab = eap_scores(sim.categories, [it.parameters for it in items])
    assert np.corrcoef(ab.eap, sim.theta)[0, 1] > 0.85
    assert np.all(ab.se > 0)
    # the binned statistic groups by EAP, which includes the item itself: it is meant for
    # long forms (hundreds of items); here 80 items keep the false-alarm rate low
    long_items = simulate_items(80, 0, seed=53)
    long_sim = simulate_responses(long_items, 3000, seed=54)
    cal = calibrate(long_sim.categories, "2PL")
    fits = [e.fit for e in cal.items]
    assert all(f is not None and f.df > 0 for f in fits)
    assert sum(f.p_value < 0.01 for f in fits if f) <= 4


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(ValueError, match="responses"):
        calibrate(np.array([[0.5, 1.0]]), "2PL")
    with pytest.raises(ValueError, match="models"):
        calibrate(np.zeros((3, 2)), ["2PL"])
    with pytest.raises(ValueError, match="anchors"):
        calibrate(np.zeros((3, 2)), "2PL", anchors={5: ItemParameters("2PL", 1.0, (0.0,))})
