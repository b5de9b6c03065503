"""A running job's own state, written beside the transaction of the work it does.

The work of a job (an import, say) happens in ``db.session`` and is committed only at
the end, together with the job's final state. Its progress, its lease and the question
"has somebody asked to cancel?" must be visible to others before that: they go through a
connection of their own, each statement committed at once.

On SQLite a writer holds the database's write lock until it commits, so a progress
update from the side connection cannot be written while the job's own transaction is
writing; such updates wait only briefly and are skipped (the next one catches up). Jobs
keep their write phase short (see :func:`itembank.extensions.reading_phase`).

With ``ITEMBANK_JOBS_IMMEDIATE`` (tests, and running a job inline) there is no worker
and no second connection: everything goes through ``db.session``.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db, ping_when_idle

log = logging.getLogger(__name__)

#: How long a statement may wait for SQLite's write lock, or on PostgreSQL for the job
#: row's lock, by purpose (milliseconds).
WAIT_PROGRESS_MS = 50
WAIT_HEARTBEAT_MS = 2_000
WAIT_REQUIRED_MS = 30_000


class Control:
    def __init__(self, app: Flask):
        self.immediate = bool(app.config.get("ITEMBANK_JOBS_IMMEDIATE"))
        self.engine = None if self.immediate else side_engine(app)

    def execute(self, statement: Any, *, wait_ms: int, required: bool = False) -> int:
        """Run one statement and commit it; the number of rows it changed, or -1 when
        it could not get the lock in ``wait_ms`` (raised instead when ``required``)."""
        if self.engine is None:
            return db.session.execute(statement).rowcount
        try:
            with self.engine.begin() as connection:
                if connection.dialect.name == "sqlite":
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
                elif connection.dialect.name == "postgresql":
                    connection.exec_driver_sql(f"SET LOCAL lock_timeout = {int(wait_ms)}")
                return connection.execute(statement).rowcount
        except sa.exc.OperationalError as exc:
            if required:
                raise
            log.debug("job state not written now (%s)", exc.orig)
            return -1

    def first(self, statement: Any) -> Any:
        """The first row ``statement`` selects, or None."""
        if self.engine is None:
            return db.session.execute(statement).first()
        with self.engine.connect() as connection:
            return connection.execute(statement).first()


def side_engine(app: Flask) -> sa.Engine:
    """The app's second engine, for job state (created once per process)."""
    engine = app.extensions.get("itembank.jobs.engine")
    if engine is None:
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url.startswith("sqlite"):
            options.pop("pool_pre_ping", None)
        else:
            options.setdefault("pool_size", 2)
        engine = sa.create_engine(url, **options)
        ping_when_idle(engine)
        if engine.dialect.name == "sqlite":

            @sa.event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.close()

        app.extensions["itembank.jobs.engine"] = engine
    return engine
