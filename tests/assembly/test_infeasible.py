"""Every infeasibility cause produces its message, in Indonesian and English."""

from __future__ import annotations

import numpy as np

from itembank.assembly import (
    Blueprint,
    Exposure,
    Infeasible,
    KeyBalance,
    MaximinTIF,
    Pool,
    Row,
    Rules,
    Section,
    Settings,
    assemble,
    simulate_blueprint,
    simulate_pool,
)
from itembank.assembly.order import order_section, runs_ok


def failure(pool, blueprint, rules, forms=2, target=None) -> Infeasible:
    result = assemble(pool, blueprint, rules, target, Settings(forms=forms, time_limit=10))
    assert isinstance(result, Infeasible)
    for message in result.messages:
        assert message.message and message.message_en and message.message != message.message_en
    return result


def codes(result: Infeasible) -> set[str]:
    return {m.code for m in result.messages}


def test_row_short_names_demand_supply_and_the_exposure_rule():
    pool = simulate_pool(300, seed=1, enemy_pairs=0)
    blueprint = simulate_blueprint(40)
    result = failure(pool, blueprint, Rules(exposure=Exposure(max_share=0.05)), forms=8)
    assert result.stage == "check"
    short = [m for m in result.messages if m.code == "row_short"]
    assert short
    first = short[0]
    assert first.row == "1.1"
    assert first.numbers["demand"] == 10 * 8
    assert first.numbers["removed_exposure_share"] > 0
    assert "needs 10 × 8 = 80 items" in first.message_en
    assert "the exposure rule (share seen) removes" in first.message_en
    assert "memerlukan 10 × 8 = 80 butir" in first.message


def test_anchor_problems():
    pool = simulate_pool(300, seed=1, enemy_pairs=0)
    ids = pool.item_ids.tolist()
    pool2 = simulate_pool(300, seed=1, enemy_pairs=0)
    object.__setattr__(pool2, "enemies", [(ids[0], ids[1])])
    blueprint = simulate_blueprint(20)
    result = failure(pool2, blueprint, Rules(anchors=(ids[0], ids[1]), exclude=(ids[0],)))
    assert {"anchor_excluded", "anchor_enemies"} <= codes(result)


def test_include_excluded_and_target_without_irt():
    pool = simulate_pool(300, seed=1, enemy_pairs=0)
    ids = pool.item_ids.tolist()
    blueprint = simulate_blueprint(20)
    assert "include_excluded" in codes(
        failure(pool, blueprint, Rules(include=(ids[3],), exclude=(ids[3],)))
    )
    bare = Pool(item_ids=ids, fits=pool.fit_matrix(blueprint))
    assert "target_needs_irt" in codes(failure(bare, blueprint, Rules(), target=MaximinTIF()))


def test_key_supply_short():
    pool = simulate_pool(300, seed=1, enemy_pairs=0)
    keys = ["A" if k == "E" else k for k in pool.keys or []]
    object.__setattr__(pool, "keys", keys)
    result = failure(pool, simulate_blueprint(20), Rules(key_balance=KeyBalance(min_share=0.1)))
    assert "key_short" in codes(result)


def test_relaxed_model_says_which_rule_gives():
    # Rows 1.1 and 2.1 draw on the same 7 items; each alone has enough, together not.
    n = 40
    node = ["A"] * 7 + ["B"] * (n - 7)
    level = [1] * 5 + [2] * 2 + [1] * (n - 7)
    pool = Pool(
        item_ids=list(range(1, n + 1)),
        classifications=[((p, lv),) for p, lv in zip(node, level, strict=True)],
        a=np.ones(n),
        b=np.linspace(-2, 2, n),
        c=np.zeros(n),
    )
    blueprint = Blueprint(
        sections=(
            Section("S1", (Row(4, node="A"),)),
            Section("S2", (Row(4, node="A", level=1),)),
            Section("S3", (Row(10, node="B"),)),
        )
    )
    result = failure(pool, blueprint, Rules(), forms=1)
    assert result.stage == "solve"
    relaxed = [m for m in result.messages if m.code == "row_relaxed"]
    assert relaxed and relaxed[0].numbers["slack"] == 1
    assert "items short" in relaxed[0].message_en


def test_relaxed_model_names_the_exposure_rule():
    n = 40
    pool = Pool(
        item_ids=list(range(1, n + 1)),
        classifications=[(("A" if i < 9 else "B", 1),) for i in range(n)],
        a=np.ones(n),
        b=np.zeros(n),
        exposure=np.array([0.5] * 2 + [0.0] * (n - 2)),
    )
    blueprint = Blueprint(
        sections=(
            Section("S1", (Row(4, node="A"),)),
            Section("S2", (Row(4, node="A", level=1),)),
            Section("S3", (Row(10, node="B"),)),
        )
    )
    result = failure(pool, blueprint, Rules(exposure=Exposure(max_share=0.2)), forms=1)
    assert "exposure_relaxed" in codes(result)


def test_delivery_order_avoids_runs_and_says_when_it_cannot():
    keys = [0] * 6 + [1] * 4 + [-1] * 2
    order = order_section(keys, 2)
    assert order is not None and sorted(order) == list(range(12))
    assert runs_ok([keys[k] for k in order], 2)
    assert order_section([0] * 7 + [1] * 2, 2) is None
