"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from itembank import logging_setup
from itembank.config import default_config
from itembank.extensions import db, migrate, ping_when_idle, sqlite_begin_statement
from itembank.plugins import host_from_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = PROJECT_ROOT / "migrations"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(default_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    _trust_proxies(app)
    logging_setup.init_app(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    with app.app_context():
        _configure_sqlite(db.engine, float(app.config["ITEMBANK_SQLITE_BUSY_SECONDS"]))
        ping_when_idle(db.engine)

    app.extensions["itembank.plugins"] = host_from_config(app.config)

    from itembank import (  # noqa: F401  (models: registers the tables)
        api,
        busy,
        cli,
        models,
        request_guard,
        ui,
        web,
    )
    from itembank.content_stamp import init_stamps
    from itembank.jobs import queue

    queue.init_app(app)

    init_stamps()
    request_guard.init_app(app)
    cli.init_app(app)
    web.init_app(app)
    api.init_app(app)
    ui.init_app(app)
    busy.init_app(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Believe ``X-Forwarded-For/-Proto/-Host`` from ``ITEMBANK_PROXY_HOPS`` proxies.

    With 0 (the default) the headers are ignored: anyone can send them, so they are
    trusted only when that many reverse proxies in front are known to set them.
    """
    hops = int(app.config.get("ITEMBANK_PROXY_HOPS") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _configure_sqlite(engine: sa.Engine, busy_seconds: float) -> None:
    """SQLite: foreign keys on, WAL, and every transaction begun with ``BEGIN IMMEDIATE``.

    SQLite has no row locks: two transactions that read and then write the same rows
    would otherwise both proceed and the second would fail on commit (or, worse,
    overwrite what it never saw). Taking the write lock at the start serialises
    transactions instead; others wait up to the busy timeout
    (``ITEMBANK_SQLITE_BUSY_SECONDS``, then 503: :mod:`itembank.busy`). That suits SQLite's
    place here (the demo, a single office); PostgreSQL, with row locks, is the
    database for many concurrent users.
    """
    if engine.dialect.name != "sqlite":
        return
    busy_ms = max(1, round(busy_seconds * 1000))

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is turned off; "begin" below emits ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql(sqlite_begin_statement())
