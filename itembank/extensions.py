"""Flask extensions, created unbound and bound in the app factory."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)


#: How SQLite transactions begin in this context (see :func:`reading_phase`).
_SQLITE_BEGIN: ContextVar[str] = ContextVar("itembank_sqlite_begin", default="BEGIN IMMEDIATE")


def sqlite_begin_statement() -> str:
    return _SQLITE_BEGIN.get()


@contextlib.contextmanager
def reading_phase() -> Iterator[None]:
    """Transactions begun inside this block on SQLite take no write lock until they
    write (``BEGIN`` instead of the usual ``BEGIN IMMEDIATE``).

    For the long, read-only first part of a job (reading and checking an import's
    20,000 rows): others may write meanwhile, the job's own progress included. The
    block must not write, and must end its transaction (commit or roll back) before the
    writing part begins, which then takes the lock as usual. No effect on PostgreSQL.
    """
    token = _SQLITE_BEGIN.set("BEGIN")
    try:
        yield
    finally:
        _SQLITE_BEGIN.reset(token)


#: A pooled connection unused for longer than this is checked (``SELECT 1``) before it is
#: handed out again; one in steady use is not (see :func:`ping_when_idle`).
PING_IDLE_SECONDS = 1.0
_CHECKED_IN_AT = "itembank_checked_in_at"


def ping_when_idle(engine: sa.Engine, idle_seconds: float = PING_IDLE_SECONDS) -> None:
    """Check a pooled connection before use when it has been idle for ``idle_seconds``.

    Like SQLAlchemy's ``pool_pre_ping`` (a connection the server closed while it sat
    in the pool, after a database restart or an idle timeout, is replaced before a
    request uses it), without its cost under load: ``pool_pre_ping`` sends a round
    trip before every request, while a connection that went back to the pool a moment
    ago (each request of a busy worker) is not asked again. Nothing to do for SQLite,
    a file."""
    if engine.dialect.name == "sqlite":
        return

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_CHECKED_IN_AT] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN_AT)
        if since is None or time.monotonic() - since < idle_seconds:
            return  # a new connection, or one in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool discards the connection and hands out another (a new one).
            raise sa.exc.DisconnectionError(f"the pooled connection is gone: {error}") from error
