"""Rules, certificate, determinism and the cross-check against the whole model."""

from __future__ import annotations

import numpy as np
import pytest

from itembank.assembly import (
    Cancelled,
    Classical,
    ContentOnly,
    Exposure,
    KeyBalance,
    MaximinTIF,
    Result,
    Rules,
    Settings,
    TargetCurve,
    assemble,
    simulate_blueprint,
    simulate_pool,
)
from itembank.assembly.full import FullModel
from itembank.assembly.prepare import prepare
from itembank.assembly.result import relative_gap
from itembank.assembly.stats import form_values

from .helpers import check_forms, weakest_tif

THETAS = (-1.0, 0.0, 1.0)


@pytest.fixture(scope="module")
def pool():
    return simulate_pool(800, seed=3, enemy_pairs=120)


@pytest.fixture(scope="module")
def blueprint():
    return simulate_blueprint(40)


def all_rules(pool) -> Rules:
    ids = pool.item_ids.tolist()
    return Rules(
        exposure=Exposure(max_share=0.25),
        anchors=(ids[0], ids[300]),
        include=(ids[5], ids[400], ids[700]),
        exclude=tuple(ids[10:30]),
        key_balance=KeyBalance(min_share=0.1, max_share=0.35, max_run=2),
    )


def run(pool, blueprint, rules, target=None, **settings) -> Result:
    settings.setdefault("time_limit", 20.0)
    result = assemble(pool, blueprint, rules, target or MaximinTIF(), Settings(**settings))
    assert isinstance(result, Result), getattr(result, "messages", None)
    return result


def test_every_rule_holds_in_every_form(pool, blueprint):
    rules = all_rules(pool)
    result = run(pool, blueprint, rules, forms=5, seed=1)
    assert result.method == "decomposition"
    check_forms(result, pool, blueprint, rules)


def test_same_seed_same_forms(pool, blueprint):
    rules = all_rules(pool)
    one = run(pool, blueprint, rules, forms=4, seed=7)
    two = run(pool, blueprint, rules, forms=4, seed=7)
    assert [f.sections for f in one.forms] == [f.sections for f in two.forms]
    assert one.objective == two.objective


def test_certificate_is_recomputed_from_the_forms(pool, blueprint):
    result = run(pool, blueprint, all_rules(pool), forms=5, seed=2, gap=0.001)
    weakest = weakest_tif(result, pool, THETAS)
    assert result.objective == pytest.approx(min(weakest), rel=1e-12)
    assert result.lp_bound is not None and result.gap is not None
    assert result.gap == pytest.approx(relative_gap(result.lp_bound, min(weakest)), abs=1e-12)
    assert all(value <= result.lp_bound + 1e-9 for value in weakest)
    # Maximin: the weakest form is within the certified gap of the bound.
    assert min(weakest) >= result.lp_bound * (1 - result.gap) - 1e-9
    assert result.gap <= 0.01


def test_decomposition_is_within_its_gap_of_the_true_optimum():
    pool = simulate_pool(60, seed=11, enemy_pairs=6)
    blueprint = simulate_blueprint(8)
    rules = Rules()
    settings = Settings(forms=2, seed=0, time_limit=20.0, gap=0.0)
    result = run(pool, blueprint, rules, forms=2, seed=0, gap=0.0)
    problem, messages = prepare(pool, blueprint, rules, MaximinTIF(), settings)
    assert problem is not None and not messages
    full = FullModel(problem)
    outcome = full.m.solve(time_limit=30.0, options={"threads": 1, "mip_rel_gap": 0.0})
    assert outcome.status == "optimal" and outcome.x is not None
    forms = [np.array([i for i, _ in f]) for f in full.decode(outcome.x)]
    optimum = float(form_values(problem, forms).min())
    assert result.lp_bound is not None and result.gap is not None
    assert optimum <= result.lp_bound + 1e-6
    assert result.objective is not None and result.objective <= optimum + 1e-6
    assert (optimum - result.objective) / optimum <= result.gap + 1e-9


def test_content_only_is_balanced_and_seeded(pool, blueprint):
    rules = Rules(key_balance=KeyBalance(min_share=0.1, max_share=0.35))
    one = run(pool, blueprint, rules, ContentOnly(), forms=4, seed=1)
    two = run(pool, blueprint, rules, ContentOnly(), forms=4, seed=2)
    check_forms(one, pool, blueprint, rules)
    assert one.objective is None and one.gap is None
    assert [f.items for f in one.forms] != [f.items for f in two.forms]


def test_classical_forms_equal_within_tolerances(pool, blueprint):
    target = Classical(score_tolerance=0.3, p_tolerance=0.01)
    result = run(pool, blueprint, Rules(), target, forms=4, seed=1)
    scores = [f.stats.expected_score for f in result.forms]
    means = [f.stats.mean_p for f in result.forms]
    assert max(scores) - min(scores) <= 0.3
    assert max(means) - min(means) <= 0.01


def test_target_curve_is_certified(pool, blueprint):
    target = TargetCurve(thetas=THETAS, tif=(6.0, 7.0, 6.0))
    result = run(pool, blueprint, Rules(), target, forms=3, seed=1)
    assert result.sense == "min" and result.lp_bound is not None
    assert result.objective is not None and result.objective >= result.lp_bound - 1e-9
    assert result.gap == pytest.approx(relative_gap(result.lp_bound, result.objective))


def test_partial_overlap_and_usage_use_the_full_model():
    pool = simulate_pool(150, seed=5, enemy_pairs=10)
    blueprint = simulate_blueprint(20)
    rules = Rules(max_forms_per_item=2, max_shared=3)
    result = run(pool, blueprint, rules, forms=3, seed=0, time_limit=4.0, gap=0.02)
    assert result.method == "full"
    check_forms(result, pool, blueprint, rules)
    assert result.lp_bound is not None
    assert all(v <= result.lp_bound + 1e-6 for v in weakest_tif(result, pool, THETAS))


def test_item_sets_go_together():
    base = simulate_pool(300, seed=8, enemy_pairs=0)
    ids = base.item_ids.tolist()
    groups = [(ids[0], ids[1]), (ids[2], ids[3], ids[4])]
    pool = simulate_pool(300, seed=8, enemy_pairs=0)
    object.__setattr__(pool, "item_sets", groups)
    blueprint = simulate_blueprint(20)
    rules = Rules(include=(ids[0], ids[2]))
    result = run(pool, blueprint, rules, forms=3, seed=0)
    for group in groups:
        homes = [f.index for f in result.forms if set(group) & set(f.items)]
        assert len(homes) == 1
        assert set(group) <= set(result.forms[homes[0]].items)


def test_progress_and_cancel(pool, blueprint):
    seen: list[tuple[int, int, str]] = []
    run_ = assemble(
        pool,
        blueprint,
        Rules(),
        MaximinTIF(),
        Settings(forms=2, time_limit=10),
        progress=lambda d, t, m: seen.append((d, t, m)),
    )
    assert isinstance(run_, Result)
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    with pytest.raises(Cancelled):
        assemble(pool, blueprint, settings=Settings(forms=2), cancel=lambda: True)
