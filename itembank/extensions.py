"""Flask extensions, created unbound and bound in the app factory."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

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
