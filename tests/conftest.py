"""Shared fixtures: an app per database backend, migrated once, and a database
transaction rolled back after every test.

The suite always runs on SQLite. It runs again on PostgreSQL when
``ITEMBANK_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it); each run gets a fresh schema
that is dropped at the end.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_sqlalchemy.session import Session as FlaskSession

from itembank.app import create_app
from itembank.extensions import db
from itembank.plugins import PluginHost
from tests.factories import World

POSTGRES_URL = os.environ.get("ITEMBANK_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("ITEMBANK_REQUIRE_POSTGRES") == "1"
#: Every PostgreSQL skip reason starts so; the end of the run repeats each one with a count
#: (``-rfE`` in the pyproject's addopts lists failures and errors only).
POSTGRES_SKIPPED = "PostgreSQL tests skipped: "
SKIP_POSTGRES = (
    f"{POSTGRES_SKIPPED}set ITEMBANK_TEST_POSTGRES_URL="
    "postgresql+psycopg://postgres@127.0.0.1:5432/test to run them"
)


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not POSTGRES_URL:
        raise pytest.UsageError(
            "ITEMBANK_REQUIRE_POSTGRES=1 but ITEMBANK_TEST_POSTGRES_URL is unset"
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--reverse-order",
        action="store_true",
        default=False,
        help="run the collected tests last to first (a test that leans on what an earlier "
        "one left behind fails)",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reverse-order"):
        items.reverse()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line per PostgreSQL skip reason at the end of the run, with its count."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            if reason.startswith(POSTGRES_SKIPPED):
                counts[reason] = counts.get(reason, 0) + 1
    for reason, count in counts.items():
        terminalreporter.write_line(f"{reason} ({count} skipped)", yellow=True)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _no_sqlite_fsync(dbapi_connection: Any, _record: Any) -> None:
    """The tests' SQLite commits need not wait for the disk (the WAL is still written
    before a commit returns, so another process or connection sees it)."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous=OFF")


def _normalise(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Backend:
    """A migrated database for one test session."""

    def __init__(self, name: str, url: str, engine_options: dict[str, Any], cleanup: Any):
        self.name = name
        self.url = url
        self.engine_options = engine_options
        self.cleanup = cleanup


def _sqlite_backend(tmp: Path) -> Backend:
    path = tmp / "itembank-test.sqlite3"
    return Backend("sqlite", f"sqlite:///{path}", {}, lambda: None)


def _postgres_backend() -> Backend:
    url = _normalise(POSTGRES_URL)
    schema = f"itembank_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    try:
        with admin.begin() as conn:
            # Parallel test processes migrate at once; the migrations' CREATE EXTENSION
            # (database-wide) can race on a fresh database, so it is made here, one
            # process at a time.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(74616)"))
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        if REQUIRE_POSTGRES:
            raise
        pytest.skip(
            f"{POSTGRES_SKIPPED}PostgreSQL at {url} is unreachable"
            f" ({' '.join(str(exc.orig).split())}); "
            "ITEMBANK_REQUIRE_POSTGRES=1 makes this a failure"
        )

    def cleanup() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    # The tests' commits need not wait for the disk: nothing here survives a power cut.
    options = {
        "connect_args": {"options": f"-csearch_path={schema} -csynchronous_commit=off"},
        "pool_pre_ping": True,
    }
    return Backend("postgres", url, options, cleanup)


def make_app(backend: Backend, **extra: Any) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": backend.url,
        "SQLALCHEMY_ENGINE_OPTIONS": backend.engine_options,
        "ITEMBANK_PLUGINS_ENTRY_POINTS": False,
        "ITEMBANK_MEDIA_MAX_BYTES": 200_000,
        "ITEMBANK_PASSWORD_METHOD": "pbkdf2:sha256:1000",
        # Jobs run where they are sent; tests/jobs/ starts real workers.
        "ITEMBANK_JOBS_IMMEDIATE": True,
    }
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(SKIP_POSTGRES)
        backend = _postgres_backend()
    else:
        backend = _sqlite_backend(tmp_path_factory.mktemp("db"))
    app = make_app(backend)
    with app.app_context():
        from flask_migrate import upgrade

        from itembank.app import MIGRATIONS
        from itembank.operations.taxonomies import sync_plugin_taxonomies

        upgrade(directory=str(MIGRATIONS))
        sync_plugin_taxonomies(app.extensions["itembank.plugins"])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    yield backend
    backend.cleanup()


@pytest.fixture(scope="session")
def app(backend: Backend) -> Iterator[Flask]:
    app = make_app(backend)
    yield app
    with app.app_context():
        db.engine.dispose()


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks an engine per table and ignores a ``bind``
    given to the session; this one uses the test's connection for everything."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        return bind if bind is not None else self.bind


@contextlib.contextmanager
def rolled_back(app: Flask) -> Iterator[Any]:
    """An app context whose ``db.session`` runs in a transaction that is rolled back at
    the end. Operations may call ``db.session.rollback()`` after a refused write; that
    rolls back to a savepoint, so the test's own data survives."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        scoped = db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _ConnectionBoundSession,
            }
        )
        original = db.session
        db.session = scoped
        try:
            yield scoped
        finally:
            scoped.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def session(app: Flask) -> Iterator[Any]:
    with rolled_back(app) as scoped:
        yield scoped


@pytest.fixture
def plugins(app: Flask) -> PluginHost:
    return app.extensions["itembank.plugins"]


@pytest.fixture
def world(session: Any) -> World:
    return World()
