"""The form report warns when the key letters are unbalanced: runs of the same key in a
section, and a letter used far more (or never) than an even spread would."""

from __future__ import annotations

from typing import Any

from itembank.operations.blueprints import create_blueprint
from itembank.operations.form_report import build_report
from itembank.operations.forms import add_entry, create_form
from tests.factories import SINGLE_CHOICE, World, unique
from tests.forms_helpers import approved


def _form_with_keys(world: World, plugins: Any, keys: str) -> Any:
    spec = {
        "code": unique("KB-"),
        "title": "Satu bagian",
        "total_length": len(keys),
        "sections": [
            {"title": "TIU", "rows": [{"taxonomy": "skd-cpns", "node": "TIU", "count": len(keys)}]}
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.bank_admin, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Kunci", actor=world.bank_admin)
    for key in keys:
        item = approved(world, plugins, content={**SINGLE_CHOICE, "key": key})
        add_entry(form, item.approved_version, actor=world.bank_admin)
    return form


def _codes(report: Any) -> list[str]:
    return [f.code for f in report.findings if f.code.startswith("key_")]


def test_three_items_in_a_row_with_key_b_are_a_warning(world: World, plugins: Any) -> None:
    form = _form_with_keys(world, plugins, "ABBBCD")
    report = build_report(form, plugins)
    runs = [f for f in report.findings if f.code == "key_run"]
    assert len(runs) == 1
    (run,) = runs
    assert run.severity == "warning" and run.number == 2
    assert "nomor 2–4" in run.message and "berkunci B" in run.message
    assert "numbers 2–4" in run.message_en
    assert report.ok  # warnings never stop locking


def test_a_balanced_form_has_no_key_warnings(world: World, plugins: Any) -> None:
    form = _form_with_keys(world, plugins, "ABCDBADC")
    assert _codes(build_report(form, plugins)) == []


def test_an_overused_and_a_missing_letter_are_named_with_the_shares(
    world: World, plugins: Any
) -> None:
    form = _form_with_keys(world, plugins, "ABABCBABAB")
    shares = [f for f in build_report(form, plugins).findings if f.code == "key_share"]
    assert len(shares) == 1
    message = shares[0].message_en
    assert "A 40%, B 50%, C 10%, D 0%" in message
    assert "key A, B used too often" in message and "key D never used" in message


def test_fill_row_avoids_a_third_key_in_a_row_while_it_can(world: World, plugins: Any) -> None:
    import random

    from itembank.operations.form_fill import fill_row
    from itembank.operations.form_report import build_report as report_of

    spec = {
        "code": unique("KB-"),
        "title": "Satu bagian",
        "total_length": 4,
        "sections": [
            {"title": "TIU", "rows": [{"taxonomy": "skd-cpns", "node": "TIU", "count": 4}]}
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.bank_admin, plugins=plugins)
    for attempt in range(5):
        form = create_form(world.bank, blueprint, title=f"Isi {attempt}", actor=world.bank_admin)
        pinned = [approved(world, plugins, content={**SINGLE_CHOICE, "key": "B"}) for _ in "BB"]
        for item in pinned:
            add_entry(form, item.approved_version, actor=world.bank_admin)
        for key in "BBBA":
            approved(world, plugins, content={**SINGLE_CHOICE, "key": key})
        fill_row(form, "1.1", actor=world.assembler, plugins=plugins, rng=random.Random(attempt))
        report = report_of(form, plugins)
        assert report.length == 4
        assert "key_run" not in _codes(report), attempt
