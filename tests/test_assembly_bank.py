"""Automated assembly in the bank: the pool from real bank data, every rule in the
accepted forms (checked with the forms' own validation report), nothing made before
accepting, accepting once, discarding, roles, the job, the CLI."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from itembank.errors import InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.jobs.operations import get_job
from itembank.models import Form, ItemParameters
from itembank.operations.assembly import (
    RunDecided,
    accept_run,
    build_pool,
    current_parameters,
    discard_run,
    run_inline,
)
from itembank.operations.assembly_jobs import start_assembly
from itembank.operations.assembly_request import load_request
from itembank.operations.blueprints import create_blueprint, get_blueprint
from itembank.operations.enemies import mark_enemies
from itembank.operations.form_report import build_report
from itembank.operations.reviews import retire_item
from tests.assembly_helpers import small_bank
from tests.factories import World, make_item
from tests.forms_helpers import approve_new_version, approved, blueprint_spec


def _forms(bank: Any) -> int:
    return db.session.query(Form).filter(Form.bank_id == bank.id).count()


def test_pool_from_bank_data(world: World, plugins: Any) -> None:
    first, second = approved(world, plugins), approved(world, plugins)
    retired = approved(world, plugins)
    retire_item(retired, actor=world.bank_admin, reason="usang")
    make_item(world, plugins)  # a draft: never in the pool
    revised = approved(world, plugins)
    newer = approve_new_version(world, revised, plugins)
    tkp = approved(world, plugins, "TKP.PP", item_type="weighted_options")
    mark_enemies(first, second, actor=world.assembler, reason="kembar")
    db.session.add(
        ItemParameters(
            version_id=first.approved_version_id,
            model="3PL",
            params={"a": 1.2, "b": 0.3, "c": 0.2},
            source="simulated",
        )
    )
    db.session.add(
        ItemParameters(
            version_id=first.approved_version_id,
            model="3PL",
            params={"a": 1.5, "b": 0.1, "c": 0.1},
            source="calibration",
        )
    )
    db.session.flush()
    pool = build_pool(world.bank, load_request({"target": "content"}), plugins)
    ids = pool.external_ids
    assert set(ids) == {first.external_id, second.external_id, revised.external_id, tkp.external_id}
    assert pool.version_ids[ids.index(revised.external_id)] == newer.id
    assert pool.pool.enemies == [(first.id, second.id)]
    keys = dict(zip(ids, pool.pool.keys, strict=True))
    assert keys[first.external_id] == "B" and keys[tkp.external_id] is None
    assert pool.pool.max_score[ids.index(first.external_id)] == 5
    # the newest row is current; nothing was overwritten
    current = current_parameters([first.approved_version_id])[first.approved_version_id]
    assert current["3PL"].params["a"] == 1.5 and current["3PL"].source == "calibration"
    assert db.session.query(ItemParameters).count() >= 2
    # maximin needs IRT parameters: the others are left out, and the run says so
    irt = build_pool(world.bank, load_request({"target": "maximin"}), plugins)
    assert irt.external_ids == [first.external_id]
    assert irt.pool.a.tolist() == [1.5] and "3 items" in irt.notes[0].message_en


def test_every_rule_holds_in_the_accepted_forms(world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins, items=200)
    bank = sim.bank
    blueprint = get_blueprint(bank, sim.blueprint_code, actor=world.assembler)
    first = run_inline(
        bank, blueprint, {"forms": 2, "seed": 2}, actor=world.assembler, plugins=plugins
    )
    used = {e["external_id"] for f in first.forms for s in f["sections"] for e in s}
    accept_run(first, actor=world.assembler)
    anchor = sorted(set(sim_ids(bank)) - used)[0]
    excluded = sorted(set(sim_ids(bank)) - used)[1]
    request = {
        "forms": 3,
        "seed": 9,
        "max_overlap": 0,
        "exposure_days": 30,
        "anchors": [anchor],
        "exclude": [excluded],
        "key_balance": True,
        "key_min_share": 0.0,
        "key_max_share": 0.6,
        "exposure_max_share": 0.5,
    }
    before = _forms(bank)
    run = run_inline(bank, blueprint, request, actor=world.assembler, plugins=plugins)
    assert run.status == "proposed", run.messages
    assert _forms(bank) == before  # nothing made before accepting
    assert any("could not be applied" in n["message_en"] for n in run.notes)
    assert (
        run.gap is not None
        and abs(
            run.gap - abs(run.lp_bound - run.objective) / max(abs(run.lp_bound), abs(run.objective))
        )
        < 1e-9
    )
    forms = accept_run(run, actor=world.assembler)
    assert _forms(bank) == before + 3
    enemies = {(p.item_low_id, p.item_high_id) for p in bank_enemies(bank)}
    seen: dict[str, int] = {}
    for form in forms:
        report = build_report(form, plugins)
        assert report.ok, [f.code for f in report.findings]  # quotas and enemies
        items = [e.item.external_id for e in form.entries]
        assert anchor in items and excluded not in items
        ids = {e.item_id for e in form.entries}
        assert not any(low in ids and high in ids for low, high in enemies)
        for external in items:
            if external != anchor:
                assert external not in used  # exposure: used in the last 30 days
                seen[external] = seen.get(external, 0) + 1
        for section in form.sections:
            keys = [e.version.content["key"] for e in section.entries]
            assert all(
                keys[k] != keys[k + 1] or keys[k] != keys[k + 2] for k in range(len(keys) - 2)
            )
            assert all(keys.count(letter) / len(keys) <= 0.6 for letter in set(keys))
    assert max(seen.values()) == 1  # no overlap (anchors aside)
    with pytest.raises(RunDecided):
        accept_run(run, actor=world.assembler)
    with pytest.raises(RunDecided):
        discard_run(run, actor=world.assembler)


def sim_ids(bank: Any) -> list[str]:
    from itembank.models import Item

    return [i.external_id for i in db.session.query(Item).filter(Item.bank_id == bank.id)]


def bank_enemies(bank: Any) -> list[Any]:
    from itembank.models import EnemyPair

    return db.session.query(EnemyPair).filter(EnemyPair.bank_id == bank.id).all()


def test_deterministic_and_infeasible(world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins, items=100)
    blueprint = get_blueprint(sim.bank, sim.blueprint_code, actor=world.assembler)
    runs = [
        run_inline(
            sim.bank, blueprint, {"forms": 2, "seed": 4}, actor=world.assembler, plugins=plugins
        )
        for _ in range(2)
    ]
    assert runs[0].forms == runs[1].forms and runs[0].objective == runs[1].objective
    failed = run_inline(sim.bank, blueprint, {"forms": 10}, actor=world.assembler, plugins=plugins)
    assert failed.status == "infeasible"
    assert any(m["row"] == "1.1" and "needs" in m["message_en"] for m in failed.messages)
    discarded = discard_run(runs[0], actor=world.assembler)
    assert discarded.status == "discarded"


def test_roles_and_bad_input(world: World, plugins: Any) -> None:
    approved(world, plugins)
    blueprint = create_blueprint(
        world.bank, blueprint_spec("AS-1"), actor=world.assembler, plugins=plugins
    )
    for user in (world.author, world.reviewer):
        with pytest.raises(PermissionDenied):
            run_inline(world.bank, blueprint, {}, actor=user, plugins=plugins)
    with pytest.raises(NotFound):
        run_inline(world.bank, blueprint, {}, actor=world.outsider, plugins=plugins)
    with pytest.raises(InvalidInput) as caught:
        run_inline(
            world.bank, blueprint, {"forms": 0, "seed": -1}, actor=world.assembler, plugins=plugins
        )
    assert {p["field"] for p in caught.value.problems} == {"forms", "seed"}
    with pytest.raises(InvalidInput) as caught:
        run_inline(
            world.bank, blueprint, {"anchors": ["X-1"]}, actor=world.assembler, plugins=plugins
        )
    assert caught.value.problems[0]["field"] == "anchors"


def test_the_job_stores_the_run(world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins)
    blueprint = get_blueprint(sim.bank, sim.blueprint_code, actor=world.assembler)
    job = start_assembly(sim.bank, blueprint, {"forms": 2}, actor=world.assembler)
    job = get_job(job.id, actor=world.assembler)
    assert job.status == "succeeded" and job.result_type == "assembly_run"
    assert job.result_summary["status"] == "proposed"
    with pytest.raises(PermissionDenied):
        start_assembly(world.bank, blueprint, {}, actor=world.author)


def test_cli_assemble_and_simulate(app: Flask, world: World, plugins: Any, session: Any) -> None:
    sim = small_bank(world, plugins)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "itembank", "assemble", sim.blueprint_code, "--bank", sim.bank.code,
            "--user", world.assembler.username, "--forms", "2", "--accept",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "certified gap" in result.output and "draft forms:" in result.output
    result = runner.invoke(
        args=[
            "itembank", "assemble", sim.blueprint_code, "--bank", sim.bank.code,
            "--user", world.assembler.username, "--forms", "40",
        ]
    )  # fmt: skip
    assert result.exit_code == 1 and "cannot be assembled" in result.output
    result = runner.invoke(
        args=["itembank", "simulate-bank", "--code", sim.bank.code, "--if-missing"]
    )
    assert result.exit_code == 0 and "exists" in result.output


def test_an_assembly_cancelled_while_it_solves_records_nothing(
    world: World, plugins: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Somebody cancels while the solver works: the job ends cancelled (at the core's
    next look at the cancel check, or at the latest before the run would be recorded),
    and no run is recorded."""
    import sqlalchemy as sa

    from itembank.extensions import db
    from itembank.models import AssemblyRun, Job
    from itembank.operations import assembly_jobs

    sim = small_bank(world, plugins)
    blueprint = get_blueprint(sim.bank, sim.blueprint_code, actor=world.assembler)
    original = assembly_jobs.solve

    def solve_with_a_cancel(prepared: Any, *, progress: Any, cancel: Any) -> Any:
        db.session.execute(sa.update(Job).values(cancel_requested=True))
        return original(prepared, progress=progress, cancel=cancel)

    monkeypatch.setattr(assembly_jobs, "solve", solve_with_a_cancel)
    runs_before = db.session.scalar(sa.select(sa.func.count(AssemblyRun.id)))
    job = start_assembly(sim.bank, blueprint, {"forms": 2}, actor=world.assembler)
    job = get_job(job.id, actor=world.assembler)
    assert job.status == "cancelled" and job.result_id is None
    assert db.session.scalar(sa.select(sa.func.count(AssemblyRun.id))) == runs_before


def test_the_simulated_bank_is_searchable_like_a_written_one(world: World, plugins: Any) -> None:
    """Its versions carry the derived search text and the approvals they were held to,
    as versions written by hand do."""
    from itembank.models import ItemVersion
    from itembank.operations.reads import ItemFilters, list_items

    sim = small_bank(world, plugins, items=20)
    found = list_items(sim.bank, ItemFilters(q="simulasi", per_page=50), actor=world.bank_admin)
    assert found["total"] == 20
    versions = db.session.query(ItemVersion).join(ItemVersion.item).filter_by(bank_id=sim.bank.id)
    assert {v.required_approvals for v in versions} == {sim.bank.required_approvals}
