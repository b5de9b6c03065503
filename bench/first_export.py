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

It prints the times and their ratio; nothing is asserted. Run with::

    .venv/bin/python bench/first_export.py [--format qti3] [--no-preload]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask

from itembank.app import MIGRATIONS, create_app
from qti._schemas import ALL_SCHEMAS, cached_schema
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
    app = make_app(database)
    client = app.test_client()
    response = client.post("/api/v1/tokens", json={"username": "perakit", "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    headers = {"Authorization": f"Bearer {response.get_json()['token']}"}
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        response = client.post(
            f"/api/v1/forms/{FORM}/export", json={"format": export_format}, headers=headers
        )
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_json()
    return seconds[0], seconds[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", default="qti3", help="exporter id (qti3 or qti21)")
    parser.add_argument(
        "--no-preload", action="store_true", help="compile schemas on first use instead"
    )
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
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
