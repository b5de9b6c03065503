"""``itembank administration|results|statistics|calibrate|flags`` against a database
migrated from empty, on every backend. Each test makes its own bank (with an exported
form, and results where it needs them), so the tests do not depend on each other."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent, ReviewFlag
from itembank.operations.results import import_results, results_secret
from tests.conftest import POSTGRES_URL, SKIP_POSTGRES, _postgres_backend, _sqlite_backend, make_app
from tests.factories import World
from tests.results_helpers import (
    administration_of,
    best_response,
    exported_form,
    keyed_responses,
    results_csv,
    scorer_for,
    simulated_rows,
)
from tests.test_cli import fails, ok, run

NIP = "199001012020121001"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """A database migrated by the CLI, with the plugins' taxonomies."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(SKIP_POSTGRES)
        backend = _postgres_backend()
    else:
        backend = _sqlite_backend(tmp_path_factory.mktemp("statistics-cli"))
    app = make_app(backend)
    ok(app, "db", "upgrade")
    ok(app, "itembank", "taxonomy", "sync")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    backend.cleanup()


def _state(app: Flask, *, candidates: int = 0, administration: bool = True) -> dict[str, Any]:
    """A new bank with an exported form; an administration of it, with ``candidates``
    simulated candidates' results (half F, half M, a miskeyed single-choice item)."""
    with app.app_context():
        plugins = app.extensions["itembank.plugins"]
        world = World()
        form = exported_form(world, plugins)
        scorer = scorer_for(form, plugins)
        state: dict[str, Any] = {
            "bank": world.bank.code,
            "form": form.external_id,
            "users": {name: user.username for name, user in world.users.items()},
            "identifiers": [entry.identifier for entry in scorer.entries],
            "items": [entry.item.external_id for entry in scorer.entries],
            "keyed": results_csv(
                scorer,
                [(NIP, keyed_responses(scorer, plugins)), ("NIP-2", [None] * len(scorer.entries))],
                delivered=[
                    [0.0] + [None] * (len(scorer.entries) - 1),
                    [None] * len(scorer.entries),
                ],
            ),
        }
        delivered = administration_of(world, form) if administration else None
        if delivered is not None:
            state["administration"] = delivered.external_id
        if delivered is not None and candidates:
            index = next(
                i for i, e in enumerate(scorer.entries) if e.item.item_type == "single_choice"
            )
            entry = scorer.entries[index]
            key = best_response(entry, plugins)
            distractor = next(o for o in entry.item_type.summary(entry.content).options if o != key)
            rows = simulated_rows(scorer, plugins, candidates, miskey=(index, distractor), seed=3)
            groups = [{"gender": "F" if n % 2 else "M"} for n in range(candidates)]
            batch = import_results(
                delivered,
                actor=world.assembler,
                plugins=plugins,
                filename="hasil.csv",
                data=results_csv(scorer, rows, groups=groups),
                secret=results_secret(app.config),
            )
            assert batch.status == "completed"
            state["miskeyed"] = entry.item.external_id
        db.session.commit()
        db.session.remove()
    return state


def _events(app: Flask, action: str, bank: str) -> list[dict[str, Any]]:
    from itembank.models import Bank

    with app.app_context():
        rows = [
            {"object_id": e.object_id, "actor": e.actor.username if e.actor else None, **e.data}
            for e in db.session.scalars(
                sa.select(AuditEvent)
                .join(Bank, Bank.id == AuditEvent.bank_id)
                .where(AuditEvent.action == action, Bank.code == bank)
                .order_by(AuditEvent.id)
            )
        ]
        db.session.remove()
    return rows


def _json(app: Flask, *args: str) -> Any:
    result = run(app, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _usage_error(result: Result, text: str) -> None:
    assert result.exit_code == 2 and text in result.output and "Traceback" not in result.output


def test_administrations_are_created_listed_shown_and_given_forms(app: Flask) -> None:
    state = _state(app, administration=False)
    second = _state(app, administration=False)  # another bank's form
    bank, form, users = state["bank"], state["form"], state["users"]
    out = ok(
        app, "itembank", "administration", "create", bank.lower(),
        "--title", "Seleksi CPNS 2026", "--starts-on", "2026-11-02", "--ends-on", "2026-11-20",
        "--session", "Sesi 1", "--session", "Sesi 2", "--form", form.lower(),
        "--user", users["assembler"],
    )  # fmt: skip
    first = f"{bank}-A001"
    assert out == (f"created {first}  2026-11-02..2026-11-20  Seleksi CPNS 2026  ({form})\n")
    made = _json(
        app, "itembank", "administration", "create", bank, "--title", "Simulasi",
        "--starts-on", "2026-12-01", "--simulated",
    )  # fmt: skip
    assert made["id"] == f"{bank}-A002" and made["simulated"] is True and made["forms"] == []
    lines = ok(app, "itembank", "administration", "list", "--bank", bank).splitlines()
    assert lines[0].startswith(f"{bank}-A002  2026-12-01..2026-12-01  Simulasi  (no forms)")
    assert lines[0].endswith("[SIMULASI/simulated]") and lines[1].startswith(first)
    listed = _json(app, "itembank", "administration", "list", "--bank", bank)
    assert [a["id"] for a in listed] == [f"{bank}-A002", first]

    out = ok(app, "itembank", "administration", "add-form", f"{bank}-A002", form)
    assert out == f"added {form} to {bank}-A002\n"
    again = ok(app, "itembank", "administration", "add-form", f"{bank}-A002", form)
    assert "names every one of them already" in again
    shown = ok(app, "itembank", "administration", "show", first.lower())
    assert "sessions: Sesi 1, Sesi 2" in shown
    assert f"form {form} (exported): 0 candidate(s)" in shown
    document = _json(app, "itembank", "administration", "show", first)
    assert document["forms"][0]["form"] == form and document["imports"] == []
    assert [e["object_id"] for e in _events(app, "administration.create", bank)] == [
        first,
        f"{bank}-A002",
    ]

    create = ("itembank", "administration", "create", bank, "--title", "X")
    assert "starts_on" in fails(app, *create, "--starts-on", "2026-02-30")
    assert "ends_on" in fails(app, *create, "--starts-on", "2026-02-03", "--ends-on", "2026-02-01")
    assert "forms[0]" in fails(app, *create, "--starts-on", "2026-02-03", "--form", "NOPE-F1")
    assert "forms[0]" in fails(app, *create, "--starts-on", "2026-02-03", "--form", second["form"])
    assert "you need the role assembler or bank_admin" in fails(
        app, *create, "--starts-on", "2026-02-03", "--user", users["reviewer"]
    )
    assert "no user 'ghost'" in fails(app, *create, "--starts-on", "2026-02-03", "--user", "ghost")
    assert "no administration 'NOPE-A1'" in fails(
        app, "itembank", "administration", "show", "NOPE-A1"
    )
    assert "no bank 'NOPE'" in fails(app, "itembank", "administration", "list", "--bank", "NOPE")


def test_results_are_imported_in_process_with_their_reports(app: Flask, tmp_path: Path) -> None:
    state = _state(app)
    bank, administration, users = state["bank"], state["administration"], state["users"]
    template = ok(
        app, "itembank", "results", "template", administration, "--group", "gender"
    )  # fmt: skip
    header = next(csv.reader(io.StringIO(template)))
    assert header[0] == "candidate_id" and "group:gender" in header
    assert all(i in header and f"{i}:score" in header for i in state["identifiers"])
    out_file = tmp_path / "template.csv"
    ok(app, "itembank", "results", "template", administration, "--out", str(out_file))
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbfcandidate_id,")
    assert (
        run(app, "itembank", "results", "template", administration, "--group", "a-b").exit_code == 2
    )

    results = tmp_path / "hasil.csv"
    results.write_bytes(state["keyed"])
    result = run(
        app, "itembank", "results", "import", administration, str(results),
        "--user", users["assembler"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("import ") and f"into {administration} completed" in lines[0]
    assert "2 candidate(s) read, 2 stored" in lines[0] and "1 disagreement(s)" in lines[0]
    first = state["items"][0]
    assert lines[1].startswith(f"  disagreement: {state['form']} #1 {first} v1")
    assert "delivered 0, bank" in lines[2] and lines[2].endswith("(1x)")
    assert "writing..." in result.output and NIP not in result.output

    # The same candidates again: rolled back, reported, exit 1, the import kept.
    result = run(app, "itembank", "results", "import", administration, str(results), "--json")
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["status"] == "rolled_back" and summary["problems_total"] == 2
    assert {p["code"] for p in summary["problems"]} == {"candidate_already_imported"}
    shown = ok(app, "itembank", "administration", "show", administration)
    assert f"form {state['form']} (exported): 2 candidate(s)" in shown
    assert "completed: hasil.csv (csv), 2 candidate(s)" in shown and "rolled_back" in shown
    imported = _events(app, "results.import", bank)
    assert [e["actor"] for e in imported] == [users["assembler"], None]

    import_id = _json(app, "itembank", "administration", "show", administration)["imports"][-1][
        "id"
    ]
    text = ok(app, "itembank", "results", "disagreements", administration, str(import_id))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["paket", "nomor", "kode_soal"] and rows[1][2] == first
    book = tmp_path / "ketidaksesuaian.xlsx"
    ok(
        app, "itembank", "results", "disagreements", administration, str(import_id),
        "--output", str(book), "--user", users["bank_admin"],
    )  # fmt: skip
    assert openpyxl.load_workbook(book)["Ketidaksesuaian"]["C3"].value == first
    reports = _events(app, "statistics.report", bank)
    assert [(e["format"], e["actor"]) for e in reports] == [
        ("csv", None),
        ("xlsx", users["bank_admin"]),
    ]

    unknown = tmp_path / "hasil.pdf"
    unknown.write_bytes(b"%PDF-1.7")
    assert "not a results file" in fails(
        app, "itembank", "results", "import", administration, str(unknown)
    )
    assert "cannot read" in fails(
        app, "itembank", "results", "import", administration, str(tmp_path / "none.csv")
    )
    assert "you need the role assembler or bank_admin" in fails(
        app, "itembank", "results", "import", administration, str(results),
        "--user", users["reviewer"],
    )  # fmt: skip
    assert "no administration" in fails(
        app, "itembank", "results", "import", f"{bank}-A999", str(results)
    )
    assert "has no results import 999999" in fails(
        app, "itembank", "results", "disagreements", administration, "999999"
    )


def test_the_statistics_of_a_form_and_an_item(app: Flask, tmp_path: Path) -> None:
    state = _state(app, candidates=240)
    bank, form, administration, users = (
        state["bank"], state["form"], state["administration"], state["users"]
    )  # fmt: skip
    out = ok(app, "itembank", "statistics", "form", form)
    lines = out.splitlines()
    assert lines[0].startswith(f"{form} (pooled): 240 candidate(s), analysis ")
    assert lines[1].startswith("form: N 240, mean ") and "alpha " in lines[1]
    assert lines[2].startswith("section Bagian 1: N 240")
    miskeyed = next(line for line in lines if f" {state['miskeyed']} v1 " in line)
    assert "possible_miskey" in miskeyed
    own = _json(app, "itembank", "statistics", "form", form, "--administration", administration)
    assert own["administration"] == administration and own["candidates"] == 240
    assert "version_id" not in own["items"][0] and own["form_stats"]["n"] == 240

    book = tmp_path / "analisis.xlsx"
    ok(
        app,
        "itembank",
        "statistics",
        "form",
        form,
        "--xlsx",
        str(book),
        "--user",
        users["reviewer"],
    )
    workbook = openpyxl.load_workbook(book)
    assert workbook.sheetnames == ["Paket", "Butir", "Opsi"]
    [report] = _events(app, "statistics.report", bank)
    assert report["report"] == "analysis" and report["actor"] == users["reviewer"]
    assert report["via"] == "cli" and report["file"] == str(book)

    dif = _json(app, "itembank", "statistics", "form", form, "--dif", "gender:M:F")
    assert dif["settings"]["dif"] == {"group": "gender", "reference": "M", "focal": "F"}
    assert all(row["dif"]["category"] in ("A", "B", "C") for row in dif["items"])
    assert "DIF " in ok(app, "itembank", "statistics", "form", form)  # now the current one
    assert [e["object_id"] for e in _events(app, "statistics.analyse", bank)][-1] == form
    _usage_error(run(app, "itembank", "statistics", "form", form, "--dif", "gender"), "--dif")
    assert "gender" in fails(app, "itembank", "statistics", "form", form, "--dif", "region:a:b")
    assert "dif" not in [
        k
        for k in _json(
            app, "itembank", "statistics", "form", form, "--administration", administration
        )["items"][0]
    ]
    assert "was not delivered" in fails(
        app, "itembank", "statistics", "form", form, "--administration", f"{bank}-A999"
    )
    assert "you need the role" in fails(
        app, "itembank", "statistics", "form", form, "--user", users["author"]
    )
    fresh = _state(app, administration=False)
    assert "has no analysed results yet" in fails(
        app, "itembank", "statistics", "form", fresh["form"]
    )

    item = ok(app, "itembank", "statistics", "item", state["miskeyed"])
    assert item.startswith(f"{state['miskeyed']} (single_choice)\n")
    assert "version 1: 240 candidate(s) in 1 administration(s), last used 2026-11-20" in item
    assert f"{form} (pooled) #" in item and f"{form} ({administration}) #" in item
    document = _json(app, "itembank", "statistics", "item", state["miskeyed"])
    assert document["exposure"] == [
        {"version": 1, "candidates": 240, "administrations": 1, "last_used": "2026-11-20"}
    ]
    assert {row["administration"] for row in document["statistics"]} == {administration, None}
    assert "no analysed results yet" in ok(app, "itembank", "statistics", "item", fresh["items"][0])
    assert "no item 'NOPE-000001'" in fails(app, "itembank", "statistics", "item", "NOPE-000001")
    assert "no bank" in fails(
        app, "itembank", "statistics", "item", state["miskeyed"], "--user", fresh["users"]["author"]
    )


def test_calibration_runs_in_process(app: Flask) -> None:
    state = _state(app, candidates=400)
    bank, administration, users = state["bank"], state["administration"], state["users"]
    result = run(
        app, "itembank", "calibrate", administration.lower(), "--min-responses", "50",
        "--user", users["reviewer"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    run_id = f"{bank}-C001"
    assert lines[0].startswith(f"calibration {run_id} completed on scale {run_id}: ")
    assert lines[1].startswith("converged True after ")
    assert any(" 2PL: a " in line for line in lines)
    assert any("left out" in line and "scored_by_person" in line for line in lines)
    assert "Calibrating (MML-EM)" in result.output  # the progress, on standard error
    anchored = _json(
        app, "itembank", "calibrate", administration, "--min-responses", "50",
        "--anchor-scale", run_id, "--model", "2PL",
    )  # fmt: skip
    assert anchored["id"] == f"{bank}-C002" and anchored["scale"] == run_id
    assert anchored["summary"]["anchors"] >= 2
    assert all(e["fixed"] for e in anchored["estimates"])
    calibrated = _events(app, "statistics.calibrate", bank)
    assert [(e["object_id"], e["actor"]) for e in calibrated] == [
        (run_id, users["reviewer"]),
        (f"{bank}-C002", None),
    ]
    _usage_error(run(app, "itembank", "calibrate", administration, "--model", "4PL"), "--model")
    assert "min_responses" in fails(
        app, "itembank", "calibrate", administration, "--min-responses", "5"
    )
    assert "scale" in fails(app, "itembank", "calibrate", administration, "--scale", "a b")
    assert "you need the role" in fails(
        app, "itembank", "calibrate", administration, "--user", users["author"]
    )
    assert "no administration" in fails(app, "itembank", "calibrate", f"{bank}-A999")
    other = _state(app)
    assert "administrations[1]" in fails(
        app, "itembank", "calibrate", administration, other["administration"]
    )
    # Too few versions with enough responses: the run is recorded as failed, exit 1.
    result = run(app, "itembank", "calibrate", other["administration"], "--min-responses", "20")
    assert result.exit_code == 1
    assert "failed" in result.stdout.splitlines()[0]


def test_the_review_queue_is_listed_and_decided(app: Flask) -> None:
    state = _state(app, candidates=240)
    bank, users = state["bank"], state["users"]
    flags = _json(app, "itembank", "flags", "list", "--bank", bank)
    [flag] = [f for f in flags if f["item"] == state["miskeyed"]]
    assert flag["status"] == "open" and "possible_miskey" in flag["codes"]
    assert flag["form"] == state["form"] and flag["source"] == "analysis"
    lines = ok(app, "itembank", "flags", "list", "--bank", bank).splitlines()
    assert any(line.startswith(f"{flag['id']}  open  {state['miskeyed']} v1  ") for line in lines)
    decide = ("itembank", "flags", "decide", str(flag["id"]))
    assert "you need the role reviewer or bank_admin" in fails(
        app, *decide, "--decision", "keep", "--reason", "ok", "--user", users["assembler"]
    )
    assert "you need the role bank_admin" in fails(
        app, *decide, "--decision", "retire", "--reason", "bocor", "--user", users["reviewer"]
    )
    assert "reason" in fails(
        app, *decide, "--decision", "keep", "--reason", " ", "--user", users["reviewer"]
    )
    _usage_error(
        run(app, *decide, "--decision", "maybe", "--reason", "x", "--user", users["reviewer"]),
        "--decision",
    )
    out = ok(
        app, *decide, "--decision", "revise", "--reason", "Kunci perlu diperiksa",
        "--user", users["reviewer"],
    )  # fmt: skip
    assert out == f"flag {flag['id']} ({state['miskeyed']} v1): revise\n"
    assert "decided already" in fails(
        app, *decide, "--decision", "keep", "--reason", "lagi", "--user", users["bank_admin"]
    )
    revised = _json(app, "itembank", "flags", "list", "--bank", bank, "--status", "revise")
    assert [(f["id"], f["decided_by"], f["reason"]) for f in revised] == [
        (flag["id"], users["reviewer"], "Kunci perlu diperiksa")
    ]
    assert flag["id"] not in {
        f["id"] for f in _json(app, "itembank", "flags", "list", "--bank", bank)
    }
    [event] = _events(app, "statistics.flag_decided", bank)
    assert event["flag"] == flag["id"] and event["actor"] == users["reviewer"]
    with app.app_context():
        assert db.session.get(ReviewFlag, flag["id"]).version.status == "approved"
        db.session.remove()
    assert "no review flag 99999999" in fails(
        app, "itembank", "flags", "decide", "99999999", "--decision", "keep", "--reason", "x",
        "--user", users["reviewer"],
    )  # fmt: skip
