"""``itembank forms`` and ``itembank blueprints`` against a migrated database with the
demo bank, whose exported form validates without errors. Each test loads the demo into a
database of its own (``tests/test_cli.py``'s fixtures)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent, Form, Item, ItemVersion
from qti import parse_bytes, run_response_processing
from tests.test_cli import DEMO_PASSWORD, cli_app, demo_app, empty_app, fails, ok

__all__ = ["cli_app", "demo_app", "empty_app"]


def _cloned(output: str) -> str:
    """The new form's id in ``forms clone``'s output."""
    match = re.search(r"^cloned CACT-DEMO-F001 into (CACT-DEMO-F\d+) \(draft\): ", output, re.M)
    assert match, output
    return match.group(1)


def test_demo_has_a_blueprint_and_an_exported_form(cli_app: Flask) -> None:
    output = ok(cli_app, "itembank", "demo", "--password", DEMO_PASSWORD)
    assert "form CACT-DEMO-F001 (exported)" in output
    assert "simulated administration CACT-DEMO-A001 (500 candidates)" in output
    lines = ok(cli_app, "itembank", "forms", "list").splitlines()
    assert lines == ["CACT-DEMO-F001  exported  CACT-DEMO  Paket Demo CACT 1  (12 items)"]
    assert ok(cli_app, "itembank", "forms", "list", "--bank", "cact-demo").splitlines() == lines
    blueprints = ok(cli_app, "itembank", "blueprints", "list")
    assert "CACT-DEMO  CACT-DEMO-KISI-1  12 items  30 min" in blueprints
    shown = ok(cli_app, "itembank", "forms", "show", "cact-demo-f001")
    # No errors; the one warning is the demo form's three TWK items in a row keyed B.
    assert "error:" not in shown
    assert [line for line in shown.splitlines() if line.startswith("warning:")] == [
        "warning: [key_run] 3 items in a row in section 'Tes Wawasan Kebangsaan (TWK)' "
        "(numbers 1–3) have key B; candidates may guess from the pattern."
    ]
    assert "row 4.1 M.8: 1/1" in shown and "locked by perakit" in shown


def test_the_demo_form_was_delivered_to_simulated_candidates(demo_app: Flask) -> None:
    """Every statistics page has numbers: 500 simulated candidates (seeded), a gender
    group, the planted wrong key in the disagreement report and the planted DIF on top
    of the Mantel-Haenszel statistics."""
    import numpy as np

    from itembank.demo import ASSEMBLY_FILE, read_demo_file
    from itembank.models import Administration, CandidateResult, ResultImport
    from itembank.psychometrics import mantel_haenszel

    spec = read_demo_file(ASSEMBLY_FILE)["administration"]
    with demo_app.app_context():
        administration = db.session.scalars(sa.select(Administration)).one()
        assert administration.simulated and administration.title.endswith("(simulasi)")
        assert [f.external_id for f in administration.forms] == ["CACT-DEMO-F001"]
        batch = db.session.scalars(sa.select(ResultImport)).one()
        assert (batch.status, batch.candidates, batch.problems) == ("completed", 500, [])
        rows = db.session.scalars(sa.select(CandidateResult).order_by(CandidateResult.id)).all()
        assert len(rows) == 500 and {r.groups["gender"] for r in rows} == {"L", "P"}
        form = db.session.scalars(sa.select(Form)).one()
        entries = [e for section in form.sections for e in section.entries]
        [report] = batch.disagreement_report
        planted = entries[report["position"] - 1]
        assert "pembelaan negara" in planted.version.stem  # twk-bela-negara-01
        assert report["item"] == planted.item.external_id
        chosen = [r.responses[report["position"] - 1] for r in rows]
        given = (spec["wrong_key"]["option"], planted.version.content["key"])
        assert report["count"] == sum(c in given for c in chosen) > 100
        scores = np.array([r.scores for r in rows], dtype=float)
        group = np.array([r.groups["gender"] for r in rows])
        dif = mantel_haenszel(scores, group, reference="L", focal="P")
        assert "Sukamaju" in entries[int(np.nanargmax(dif.chi_square))].version.stem
        exports = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "form.export")
        ).all()
        assert [(e.data["format"], e.actor.username) for e in exports] == [("qti3", "perakit")]
        # Calibrated on the same results, so every item page can draw its curves; no
        # misfit flags from a 12-item form.
        from itembank.models import CalibrationRun, ItemParameters, ReviewFlag

        run = db.session.scalars(sa.select(CalibrationRun)).one()
        assert run.status == "completed" and run.summary["converged"] and run.candidates == 500
        estimated = set(
            db.session.scalars(
                sa.select(ItemParameters.version_id).where(ItemParameters.run_id == run.id)
            )
        )
        essays = {e.version.id for e in entries if e.item.item_type == "extended_text"}
        assert estimated == {e.version.id for e in entries} - essays
        assert not run.summary["fit_flags"]
        codes = {
            f["code"] for flag in db.session.scalars(sa.select(ReviewFlag)) for f in flag.flags
        }
        assert "misfit" not in codes
        db.session.remove()


def test_clone_lock_and_errors(demo_app: Flask) -> None:
    cli_app = demo_app
    out = ok(cli_app, "itembank", "forms", "clone", "CACT-DEMO-F001", "--user", "perakit")
    assert _cloned(out) == "CACT-DEMO-F002"
    listing = ok(cli_app, "itembank", "forms", "list").splitlines()
    assert listing[1].startswith("CACT-DEMO-F002  draft  CACT-DEMO")
    assert "you need the role assembler or bank_admin" in fails(
        cli_app, "itembank", "forms", "lock", "CACT-DEMO-F002", "--user", "penulis"
    )
    assert "locked CACT-DEMO-F002" in ok(
        cli_app, "itembank", "forms", "lock", "CACT-DEMO-F002", "--user", "perakit"
    )
    assert "a locked form never changes" in fails(
        cli_app, "itembank", "forms", "lock", "CACT-DEMO-F002", "--user", "perakit"
    )
    assert "no form 'NOPE-F9'" in fails(cli_app, "itembank", "forms", "show", "NOPE-F9")
    assert "no user 'ghost'" in fails(
        cli_app, "itembank", "forms", "clone", "CACT-DEMO-F001", "--user", "ghost"
    )
    assert "no bank 'NOPE'" in fails(cli_app, "itembank", "forms", "list", "--bank", "NOPE")
    with cli_app.app_context():
        locks = db.session.scalars(
            sa.select(AuditEvent.object_id).where(AuditEvent.action == "form.lock")
        ).all()
        db.session.remove()
    assert sorted(locks) == ["CACT-DEMO-F001", "CACT-DEMO-F002"]


def test_the_demo_form_exports_valid_identical_faithful_packages(
    demo_app: Flask, tmp_path: Path
) -> None:
    """The issue's acceptance, through the commands a delivery team runs."""
    cli_app = demo_app
    plugins = cli_app.extensions["itembank.plugins"]
    for qti, exporter in (("3.0", "qti3"), ("2.1", "qti21")):
        first = tmp_path / f"first-{exporter}.zip"
        out = ok(
            cli_app, "itembank", "export", "CACT-DEMO-F001", "--qti", qti, "--output", str(first)
        )
        sha = hashlib.sha256(first.read_bytes()).hexdigest()
        assert f"sha256 {sha}" in out
        folder = tmp_path / exporter
        ok(cli_app, "itembank", "export", "cact-demo-f001", "--qti", qti, "--output", f"{folder}/")
        second = folder / f"CACT-DEMO-F001-{exporter}.zip"
        assert second.read_bytes() == first.read_bytes()
        assert "valid: 14 document(s) checked, 0 error(s)" in ok(
            cli_app, "itembank", "qti", "validate", str(second)
        )
        key = json.loads((folder / f"CACT-DEMO-F001-{exporter}-answer-key.json").read_text())
        assert key["package"] == {"format": exporter, "sha256": sha}
        csv_rows = (folder / f"CACT-DEMO-F001-{exporter}-answer-key.csv").read_text().splitlines()
        assert len(csv_rows) == 13
        archive = zipfile.ZipFile(io.BytesIO(first.read_bytes()))
        with cli_app.app_context():
            for row in key["items"]:
                version = db.session.scalars(
                    sa.select(ItemVersion)
                    .join(Item, Item.id == ItemVersion.item_id)
                    .where(Item.external_id == row["item"], ItemVersion.number == row["version"])
                ).one()
                item_type = plugins.item_types[row["type"]]
                root = parse_bytes(archive.read(f"items/{row['qti_identifier']}.xml"))
                for option in [None, *item_type.summary(version.content).options]:
                    response = (
                        option == "true" if row["type"] == "true_false" and option else option
                    )
                    expected = item_type.score(version.content, response)
                    variables = item_type.qti_response(version.content, response)
                    assert run_response_processing(root, variables)["SCORE"] == expected
            db.session.remove()
    with cli_app.app_context():
        exports = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "form.export")
        ).all()
        # The demo exported the form once (QTI 3.0, by perakit): the same bytes.
        demo, exports = exports[0], exports[1:]
        assert demo.actor.username == "perakit"
        assert demo.data["package_sha256"] == exports[0].data["package_sha256"]
        assert len(exports) == 4 and exports[0].data["format"] == "qti3"
        # Writing the answer keys is recorded as the API and the UI record reading them.
        keys = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "form.answer_key")
        ).all()
        assert sorted(e.data["format"] for e in keys) == ["csv"] * 4 + ["json"] * 4
        assert all(e.object_id == "CACT-DEMO-F001" and e.data["via"] == "export" for e in keys)
        assert sorted(e.data["package_sha256"] for e in keys) == sorted(
            e.data["package_sha256"] for e in exports for _ in ("json", "csv")
        )
        assert any(e.data["file"].endswith("-answer-key.csv") for e in keys)
        db.session.remove()
    clone = _cloned(
        ok(cli_app, "itembank", "forms", "clone", "CACT-DEMO-F001", "--user", "perakit")
    )
    draft = tmp_path / "draft.zip"
    assert "only locked forms export" in fails(
        cli_app, "itembank", "export", clone, "--qti", "3.0", "--output", str(draft)
    )
    assert not draft.exists()
    assert "give one of --qti" in fails(
        cli_app, "itembank", "export", "CACT-DEMO-F001", "--output", str(tmp_path / "y.zip")
    )


def test_an_item_retired_since_locking_stops_the_export(demo_app: Flask, tmp_path: Path) -> None:
    """The command lists the report's errors and writes nothing; --force needs a bank
    admin named with --user, and the audit trail records the override."""
    from itembank.operations.accounts import get_user
    from itembank.operations.form_report import load_form_entries
    from itembank.operations.reviews import retire_item
    from tests.forms_helpers import get_item_by_id

    cli_app = demo_app
    clone = _cloned(
        ok(cli_app, "itembank", "forms", "clone", "CACT-DEMO-F001", "--user", "perakit")
    )
    assert clone == "CACT-DEMO-F002"
    ok(cli_app, "itembank", "forms", "lock", clone, "--user", "perakit")
    with cli_app.app_context():
        form = db.session.scalars(sa.select(Form).where(Form.external_id == clone)).one()
        item_id = load_form_entries(form)[0].item.external_id
        retire_item(get_item_by_id(item_id), actor=get_user("admin"), reason="Bocor")
        db.session.commit()
        db.session.remove()
    target = tmp_path / "f002.zip"
    export = ("itembank", "export", "CACT-DEMO-F002", "--qti", "3.0", "--output", str(target))
    out = fails(cli_app, *export)
    assert "form CACT-DEMO-F002 is not exported: its validation report has 1 error(s)" in out
    assert f"error: [item_retired] Item {item_id} was retired on" in out
    assert "--force --user" in out
    assert "you need the role bank_admin" in fails(cli_app, *export, "--force", "--user", "perakit")
    assert "must name the bank admin" in fails(cli_app, *export, "--force")
    assert not target.exists()
    out = ok(cli_app, *export, "--force", "--user", "admin")
    assert "warning: exported despite 1 error(s) in the validation report" in out
    assert target.exists()
    with cli_app.app_context():
        event = db.session.scalars(
            sa.select(AuditEvent).where(
                AuditEvent.action == "form.export", AuditEvent.object_id == "CACT-DEMO-F002"
            )
        ).one()
        assert event.data["forced"] is True
        assert [f["item"] for f in event.data["findings"]] == [item_id]
        db.session.remove()
