"""Classical statistics against direct slow formulas; Mantel–Haenszel against a hand
computation; flags."""

from __future__ import annotations

import numpy as np
import pytest

from itembank.psychometrics import analyse, item_flags, mantel_haenszel
from itembank.psychometrics.simulate import simulate_items, simulate_responses


def small_form() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    items = simulate_items(6, 2, seed=61)
    sim = simulate_responses(items, 300, seed=62, omit_rate=0.05)
    keys = np.array([it.key if it.key is not None else -1 for it in items])
    return sim.scores, np.full(8, 5.0), sim.omitted, sim.options, keys


def test_item_statistics_match_slow_formulas() -> None:
    x, mx, om, opt, keys = small_form()
    res = analyse(x, mx, omitted=om, options=opt, keys=keys)
    total = x.sum(axis=1)
    for j in range(x.shape[1]):
        col = x[:, j]
        rest = total - col
        assert res.items.p[j] == pytest.approx(col.mean() / 5.0)
        assert res.items.sd[j] == pytest.approx(col.std(ddof=1))
        assert res.items.item_rest[j] == pytest.approx(np.corrcoef(col, rest)[0, 1])
        assert res.items.item_total[j] == pytest.approx(np.corrcoef(col, total)[0, 1])
        kept = np.delete(x, j, axis=1)
        k = kept.shape[1]
        alpha = k / (k - 1) * (1 - kept.var(axis=0, ddof=1).sum() / kept.sum(1).var(ddof=1))
        assert res.items.alpha_if_deleted[j] == pytest.approx(alpha)
        assert res.items.n_omitted[j] == om[:, j].sum()
        for o in range(5):
            chose = (opt[:, j] == o).astype(float)
            assert res.options.share[j, o] == pytest.approx(chose.mean())
            if chose.sum():
                assert res.options.mean_total[j, o] == pytest.approx(total[chose == 1].mean())
                assert res.options.point_biserial[j, o] == pytest.approx(
                    np.corrcoef(chose, rest)[0, 1]
                )
    k = x.shape[1]
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / total.var(ddof=1))
    assert res.form.alpha == pytest.approx(alpha)
    assert res.form.sem == pytest.approx(total.std(ddof=1) * np.sqrt(1 - alpha))
    assert res.form.histogram_counts.sum() == x.shape[0]


def test_biserial_formula_for_a_01_item() -> None:
    from scipy.stats import norm

    x, mx, *_ = small_form()
    res = analyse(x, mx)
    j = 0
    p = (x[:, j] > 0).mean()
    r = res.items.item_rest[j]
    expected = r * np.sqrt(p * (1 - p)) / norm.pdf(norm.ppf(1 - p))
    assert res.items.dichotomous[j]
    assert res.items.latent[j] == pytest.approx(expected)
    assert not res.items.dichotomous[7]
    assert np.isfinite(res.items.latent[7])


def test_missing_by_design_and_sections() -> None:
    x, mx, *_ = small_form()
    x = x.copy()
    x[:100, 0] = np.nan
    res = analyse(x, mx, sections={"first": [0, 1, 2], "rest": [3, 4, 5, 6, 7]})
    assert res.items.n_exposed[0] == 200
    seen = ~np.isnan(x[:, 0])
    rest = np.nansum(x, axis=1) - np.nan_to_num(x[:, 0])
    assert res.items.item_rest[0] == pytest.approx(np.corrcoef(x[seen, 0], rest[seen])[0, 1])
    assert res.form.n_complete == 200
    assert set(res.sections) == {"first", "rest"}


def test_planted_miskey_is_signalled() -> None:
    x, mx, om, opt, keys = small_form()
    wrong = keys.copy()
    key = int(keys[0])
    distractor = (key + 1) % 5
    wrong[0] = distractor
    # rescore item 0 with the wrong key
    x = x.copy()
    x[:, 0] = np.where(opt[:, 0] == distractor, 5.0, 0.0)
    res = analyse(x, mx, omitted=om, options=opt, keys=wrong)
    assert res.options.possible_miskey[0]
    assert key in res.options.miskey_options[0]
    flags = item_flags(res)
    assert "possible_miskey" in {f.code for f in flags[0]}


def test_mantel_haenszel_by_hand() -> None:
    # 2 strata; reference right/wrong, focal right/wrong:
    # stratum 1: A=20 B=10 C=10 D=10 (N=50); stratum 2: A=30 B=5 C=20 D=10 (N=65)
    table = [(1, 20, 10, 10, 10), (2, 30, 5, 20, 10)]
    scores, group, match = [], [], []
    for stratum, a, b, c, d in table:
        for value, count, grp in ((1, a, 0), (0, b, 0), (1, c, 1), (0, d, 1)):
            scores += [value] * count
            group += [grp] * count
            match += [stratum] * count
    x = np.column_stack([scores, scores]).astype(float)  # second column only to have 2 items
    res = mantel_haenszel(x, np.array(group), matching=np.array(match, dtype=float))
    num = 20 * 10 / 50 + 30 * 10 / 65
    den = 10 * 10 / 50 + 5 * 20 / 65
    alpha = num / den
    assert res.alpha_mh[0] == pytest.approx(alpha)
    assert res.delta[0] == pytest.approx(-2.35 * np.log(alpha))
    exp_a = 30 * 30 / 50 + 35 * 50 / 65
    var_a = 30 * 20 * 30 * 20 / (50**2 * 49) + 35 * 30 * 50 * 15 / (65**2 * 64)
    chi = (abs(50 - exp_a) - 0.5) ** 2 / var_a
    assert res.chi_square[0] == pytest.approx(chi)
    assert res.method[0] == "MH"


def test_planted_dif_is_found_and_purification_runs() -> None:
    items = simulate_items(30, 6, seed=71)
    sim = simulate_responses(items, 6000, seed=72, focal_share=0.5, dif={0: 1.0, 31: 1.0})
    res = mantel_haenszel(sim.scores, sim.group, purify=True)
    assert res.category[0] == "C"
    assert res.favours[0] == "reference"
    assert res.method[31] == "Mantel"
    assert res.category[31] in ("B", "C")
    others = [c for j, c in enumerate(res.category) if j not in (0, 31)]
    assert others.count("C") == 0
    assert 0 in res.purified_out


def test_flags_thresholds() -> None:
    items = simulate_items(10, 0, seed=81)
    sim = simulate_responses(items, 1000, seed=82)
    x = sim.scores.copy()
    x[:, 0] = 5.0 * (np.random.default_rng(1).random(1000) < 0.97)  # easy, unrelated item
    res = analyse(x, np.full(10, 5.0))
    flags = item_flags(res)
    codes = {f.code for f in flags[0]}
    assert {"p_high", "low_discrimination"} <= codes
    assert all(f.message and f.message_en for f in flags[0])
    with pytest.raises(ValueError, match="disagree"):
        item_flags(res, dif=mantel_haenszel(x[:, :3], sim.group))
