"""``itembank forms`` and ``itembank blueprints`` against a migrated database with the
demo bank, whose locked form validates without errors."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent
from tests.test_cli import cli_app, fails, ok

__all__ = ["cli_app"]


def test_01_demo_has_a_blueprint_and_a_locked_form(cli_app: Flask) -> None:
    ok(cli_app, "db", "upgrade")
    output = ok(cli_app, "itembank", "demo", "--password", "demo-pass-123")
    assert "form CACT-DEMO-F001 (locked)" in output
    lines = ok(cli_app, "itembank", "forms", "list").splitlines()
    assert lines == ["CACT-DEMO-F001  locked  CACT-DEMO  Paket Demo CACT 1  (12 items)"]
    assert ok(cli_app, "itembank", "forms", "list", "--bank", "cact-demo").splitlines() == lines
    blueprints = ok(cli_app, "itembank", "blueprints", "list")
    assert "CACT-DEMO  CACT-DEMO-KISI-1  12 items  30 min" in blueprints
    shown = ok(cli_app, "itembank", "forms", "show", "cact-demo-f001")
    assert "report: no errors, no warnings" in shown
    assert "row 4.1 M.8: 1/1" in shown and "locked by perakit" in shown


def test_02_clone_lock_and_errors(cli_app: Flask) -> None:
    out = ok(cli_app, "itembank", "forms", "clone", "CACT-DEMO-F001", "--user", "perakit")
    assert "cloned CACT-DEMO-F001 into CACT-DEMO-F002 (draft)" in out
    listing = ok(cli_app, "itembank", "forms", "list").splitlines()
    assert listing[1].startswith("CACT-DEMO-F002  draft  CACT-DEMO")
    assert "only a assembler or bank_admin" in fails(
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
