"""Benchmark: the first QTI export after a restart against the second.

Compiling the QTI schemas takes seconds, so a process that compiles them on first use
makes its first export that much slower. Served as in production, the schemas are
compiled when a process starts (``qti.validate.preload_schemas()``: gunicorn's master
before it forks, the job worker at start), and the first export should take no longer
than twice the second.

The bench prepares a database with the demo bank in a separate process (the demo
touches no schema, but a fresh process is what a restart gives), then, in a process
where no schema is compiled yet:

1. preloads the schemas as a server does at start (skipped with ``--no-preload``, to
   see what a first export costs without it);
2. exports the demo form ``CACT-DEMO-F001`` through the application's HTTP API
   (``POST /api/v1/forms/CACT-DEMO-F001/export``, as the assembler ``perakit``) twice,
   timing each request.

Both exports are checked: each answers 200 with a package whose SHA-256 is the one
the response names and which holds every item of the form (the form has some), and
both packages are the same bytes. It prints the times and their ratio (the second
export is the baseline); the target is reported, not asserted. ``--quick`` changes
nothing (one export of each kind is all there is); ``make bench`` passes it to every
bench. Run with::

    .venv/bin/python bench/first_export.py [--format qti3] [--no-preload]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import expect, expect_some, headline
from flask import Flask

from itembank.app import MIGRATIONS, create_app
from qti._schemas import ALL_SCHEMAS, cached_schema
from qti.package_reader import open_source
from qti.validate import preload_schemas

FORM = "CACT-DEMO-F001"
PASSWORD = "bench-password"


def make_app(database: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "ITEMBANK_PLUGINS_ENTRY_POINTS": False,
        }
    )


def prepare(database: Path) -> None:
    """Migrate a new database and load the demo bank into it."""
    from flask_migrate import upgrade

    from itembank.demo import load_demo
    from itembank.extensions import db

    app = make_app(database)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        load_demo(app.extensions["itembank.plugins"], password=PASSWORD)
        db.session.commit()


def export_twice(database: Path, export_format: str) -> tuple[float, float]:
    import sqlalchemy as sa

    from itembank.extensions import db
    from itembank.models import Form, FormEntry, FormSection

    app = make_app(database)
    with app.app_context():
        entries = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(FormEntry)
            .join(FormSection, FormSection.id == FormEntry.section_id)
            .join(Form, Form.id == FormSection.form_id)
            .where(Form.external_id == FORM)
        )
        db.session.remove()
    expect_some(f"entries of the demo form {FORM}", entries)
    client = app.test_client()
    response = client.post("/api/v1/tokens", json={"username": "perakit", "password": PASSWORD})
    expect("a token for perakit (status)", response.status_code, 201)
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    seconds, bodies = [], []
    for n in ("first", "second"):
        started = time.perf_counter()
        response = client.post(
            f"/api/v1/forms/{FORM}/export", json={"format": export_format}, headers=headers
        )
        seconds.append(time.perf_counter() - started)
        expect(f"{n} export: status", response.status_code, 200)
        body = response.get_data()
        expect(
            f"{n} export: X-Package-SHA256",
            response.headers.get("X-Package-SHA256"),
            hashlib.sha256(body).hexdigest(),
        )
        with open_source(body, name=f"{FORM}.zip") as source:
            errors = [i for i in source.issues if i.severity == "error"]
            expect(f"{n} export: errors reading the package", errors, [])
            expect(f"{n} export: items in the package", len(source.items), entries)
        bodies.append(body)
    expect("both exports are the same bytes", bodies[0] == bodies[1], True)
    return seconds[0], seconds[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", default="qti3", help="exporter id (qti3 or qti21)")
    parser.add_argument(
        "--no-preload", action="store_true", help="compile schemas on first use instead"
    )
    parser.add_argument("--quick", action="store_true", help="the same as without (make bench)")
    parser.add_argument("--prepare", metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(Path(args.prepare))
        return

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        subprocess.run([sys.executable, __file__, "--prepare", str(database)], check=True)
        assert all(cached_schema(spec) is None for spec in ALL_SCHEMAS)
        rows: list[tuple[str, Any]] = []
        if not args.no_preload:
            rows.append(("preload_schemas() at start", f"{preload_schemas():8.2f} s"))
        first, second = export_twice(database, args.format)
        rows += [
            (f"first export ({args.format}, {FORM})", f"{first:8.2f} s"),
            ("second export", f"{second:8.2f} s"),
            ("first / second", f"{first / second:8.2f}"),
            ("first <= 2 x second", f"{'yes' if first <= 2 * second else 'NO':>8}"),
        ]
        headline(
            f"first export after a restart ({args.format}, {FORM})",
            first,
            "s",
            "the second export",
            second,
            "<= 2x",
        )
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
