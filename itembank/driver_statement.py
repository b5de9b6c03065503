"""A hot statement sent through psycopg's own cursor, in the session's transaction.

For a statement run on every request of a busy endpoint (``GET /api/v1/items/{id}``:
:mod:`itembank.api.item_read`), SQLAlchemy's execution cost more CPU than PostgreSQL
took to run it: psycopg rewrote its 5,500 characters of ``%(name)s`` placeholders on
every call (it caches the rewriting only for statements under 4,096 characters), built
a description of all 46 result columns for SQLAlchemy's result, and the ORM and Core
layers wrapped each step. Here the statement is compiled once by the engine's own
dialect, its placeholders are turned into PostgreSQL's ``$1``, ``$2`` once, and each
call binds the values and fetches plain tuples through psycopg's ``RawCursor`` on the
session's connection: the same SQL text (casts included), the same parameters (bound by
their SQLAlchemy types' bind processing) and the same values back (each column through
its type's result processing, with the type code SQLAlchemy would pass), in the same
transaction (psycopg begins it if the session has not yet), prepared by psycopg after
the same number of calls.

What SQLAlchemy would still do around a statement, this does too: the engine's
``before_cursor_execute`` and ``after_cursor_execute`` listeners see the statement (the
tests count statements with them), and a driver error is raised as SQLAlchemy's
(:class:`sqlalchemy.exc.DBAPIError` subclasses), the connection invalidated when the
server is gone, so the pool does not hand it out again. What it does not: the ORM's
``do_orm_execute`` events (the statements sent this way write no table whose changes
they watch: the caller's business) and SQLAlchemy's statement logging (``echo``).

PostgreSQL with psycopg 3 only (:func:`available`).
"""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import sqlalchemy as sa
from psycopg import RawCursor
from sqlalchemy.orm import Session

#: SQLAlchemy's ``pyformat`` placeholders, and its escaped percent sign.
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def available(engine: sa.Engine) -> bool:
    """Whether ``engine``'s database takes a :class:`DriverStatement`."""
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"


class _Compiled(NamedTuple):
    sql: str  # with $1, $2 ... for the parameters' names, in order
    names: list[str]
    binds: list[Callable[[Any], Any] | None]
    compiled: sa.engine.Compiled
    row: Callable[..., Any]
    results: list[Callable[[Any], Any] | None] | None  # once the first call described them


class DriverStatement:
    """``statement`` (a SELECT, or DML ``WITH`` parts under one) run through psycopg.

    Compiled on first use with the session's dialect; :meth:`rows` then runs it. Every
    column a data-modifying part writes that has a Python-side default (which SQLAlchemy
    computes as it executes) must be given a value: compiling refuses it otherwise."""

    def __init__(self, statement: sa.Select[Any]):
        self.statement = statement
        self._columns = list(statement.selected_columns)
        #: Per dialect and server version, as SQLAlchemy's own compiled cache keys it.
        self._compiled: dict[Any, _Compiled] = {}

    def _compile(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        prefetch = [*compiled.insert_prefetch, *compiled.update_prefetch]
        if prefetch:  # SQLAlchemy computes these as it executes: give the values instead
            raise ValueError(
                "a column with a Python-side default is written without a value: "
                + ", ".join(str(column) for column in prefetch)
            )
        names: list[str] = []

        def numbered(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return "%"
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        sql = _PLACEHOLDER.sub(numbered, compiled.string)
        binds = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        ]
        row = namedtuple("Row", [column.key for column in self._columns])  # type: ignore[misc]
        return _Compiled(sql, names, binds, compiled, row, None)

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows for ``params``, as named tuples (attributes named as
        SQLAlchemy's row keys), in ``session``'s transaction."""
        connection = session.connection()
        dialect = connection.dialect
        key = (type(dialect), dialect.server_version_info)
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = self._compile(dialect)
        values = found.compiled.construct_params(params)
        bound = tuple(
            value if process is None else process(value)
            for value, process in zip(
                (values[name] for name in found.names), found.binds, strict=True
            )
        )
        sql = found.sql
        dispatch = connection.dispatch
        with RawCursor(connection.connection.driver_connection) as cursor:
            dispatch.before_cursor_execute(connection, cursor, sql, bound, None, False)
            try:
                cursor.execute(sql, bound)
                fetched: Sequence[tuple[Any, ...]] = cursor.fetchall()
            except dialect.loaded_dbapi.Error as error:
                raise sqlalchemy_error(connection, error, sql, bound, cursor) from error
            dispatch.after_cursor_execute(connection, cursor, sql, bound, None, False)
            results = found.results
            if results is None:  # each column's type code, as SQLAlchemy passes it
                results = [
                    column.type.dialect_impl(dialect).result_processor(dialect, described.type_code)
                    for column, described in zip(
                        self._columns, cursor.description or (), strict=True
                    )
                ]
                self._compiled[key] = found._replace(results=results)
        make = found.row
        if not any(results):
            return [make(*row) for row in fetched]
        return [
            make(
                *(
                    value if process is None else process(value)
                    for value, process in zip(row, results, strict=True)
                )
            )
            for row in fetched
        ]


def sqlalchemy_error(
    connection: sa.Connection, error: Exception, statement: str, params: Any, cursor: Any = None
) -> sa.exc.DBAPIError:
    """The driver's ``error`` from a statement sent past SQLAlchemy, as SQLAlchemy raises
    it (``IntegrityError``, ``DataError`` ...), so callers handle it as any other; the
    connection invalidated (the pool drops it) when the driver lost the server."""
    dialect = connection.dialect
    gone = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)
    if gone:
        connection.invalidate(error)
    return sa.exc.DBAPIError.instance(
        statement,
        params,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=gone,
        dialect=dialect,
    )
