"""A hot statement sent through psycopg's own connection, in the session's transaction.

For a statement run on every request of a busy endpoint (``GET /api/v1/items/{id}``:
:mod:`itembank.api.item_read`), SQLAlchemy's execution cost more CPU than PostgreSQL
took to run it: psycopg rewrote its 5,500 characters of ``%(name)s`` placeholders on
every call (it caches the rewriting only for statements under 4,096 characters), built
a description of all 46 result columns for SQLAlchemy's result, and the ORM and Core
layers wrapped each step. Here the statement is compiled once by the engine's own
dialect, its placeholders are turned into PostgreSQL's ``$1``, ``$2`` once, and each
call binds the values (with psycopg's adapters) and fetches plain tuples on the
session's connection: the same SQL text (casts included), the same parameters (bound by
their SQLAlchemy types' bind processing) and the same values back (each column through
its type's result processing, with the type code SQLAlchemy would pass), in the same
transaction.

One round trip for the statement, ``BEGIN`` included: the call is sent in libpq's
pipeline mode, where several messages go to the server at once and their answers come
back together. When the session's transaction has not yet begun, ``BEGIN`` goes with the
statement (psycopg would send it alone first and wait for its answer: a round trip of
its own); when the connection has not prepared the statement yet, its preparation goes
too (``Close`` of its name first, which the server ignores for a name it does not hold,
then ``Parse``), and from then on the statement is prepared on that connection. Its name
is fixed for the statement (one per :class:`DriverStatement`), and it is kept in
psycopg's own record of the connection's prepared statements, so that psycopg forgets
it when it deallocates them all (after a rollback or a ``DROP``: psycopg sends
``DEALLOCATE ALL``) or evicts it (psycopg keeps at most ``prepared_max``, deallocating
the oldest), and the next call prepares it again under the same name: the statements a
pooled connection holds on the server stay bounded. A connection with prepared
statements turned off (``prepare_threshold`` None, as behind PgBouncer), or whose libpq
cannot close a statement (before 17), runs it unnamed; one in psycopg's own pipeline,
or beginning its transactions with more than a plain ``BEGIN`` (an isolation level,
read only), or whose libpq has no pipeline mode (before 14), goes through psycopg's
``RawCursor``, ``BEGIN`` alone first.

What SQLAlchemy would still do around a statement, this does too: the engine's
``before_cursor_execute`` and ``after_cursor_execute`` listeners see the statement (the
tests count statements with them; the cursor they are given is None when it went
through the pipeline), and a driver error is raised as SQLAlchemy's
(:class:`sqlalchemy.exc.DBAPIError` subclasses), the connection invalidated when the
server is gone, so the pool does not hand it out again. What it does not: the ORM's
``do_orm_execute`` events (the statements sent this way write no table whose changes
they watch: the caller's business) and SQLAlchemy's statement logging (``echo``).

PostgreSQL with psycopg 3 only (:func:`available`). What of psycopg this reads beyond its
documented interface, it reads in :func:`_prepared_names` (its record of prepared
statements); the tests check it against the server's ``pg_prepared_statements``.
"""

from __future__ import annotations

import itertools
import re
import select
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import psycopg
import sqlalchemy as sa
from psycopg import RawCursor, pq
from psycopg.adapt import PyFormat, Transformer
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from psycopg.pq.abc import PGconn, PGresult

#: SQLAlchemy's ``pyformat`` placeholders, and its escaped percent sign.
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


_IDLE = pq.TransactionStatus.IDLE
_TUPLES_OK = pq.ExecStatus.TUPLES_OK
_COMMAND_OK = pq.ExecStatus.COMMAND_OK
_FATAL_ERROR = pq.ExecStatus.FATAL_ERROR
_PIPELINE_ABORTED = pq.ExecStatus.PIPELINE_ABORTED
_PIPELINE_SYNC = pq.ExecStatus.PIPELINE_SYNC
_PIPELINE_OFF = pq.PipelineStatus.OFF
_BAD = pq.ConnStatus.BAD
#: Each DriverStatement's prepared name: ``_itembank_`` and a number of this process.
_NUMBERS = itertools.count(1)
#: What the libpq psycopg uses can do: pipeline mode (14), closing a prepared
#: statement, which the server ignores for a name it does not hold (17).
_PIPELINES = psycopg.capabilities.has_pipeline()
_CLOSES = psycopg.capabilities.has_send_close_prepared()


def available(engine: sa.Engine) -> bool:
    """Whether ``engine``'s database takes a :class:`DriverStatement`."""
    return engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"


class _Compiled(NamedTuple):
    sql: str  # with $1, $2 ... for the parameters' names, in order
    names: list[str]
    binds: list[Callable[[Any], Any] | None]
    compiled: sa.engine.Compiled
    row: Callable[..., Any]
    #: (index, processing) of the columns with result processing, once the first call
    #: described them.
    results: list[tuple[int, Callable[[Any], Any]]] | None


class DriverStatement:
    """``statement`` (a SELECT, or DML ``WITH`` parts under one) run through psycopg.

    Compiled on first use with the session's dialect; :meth:`rows` then runs it. Every
    column a data-modifying part writes that has a Python-side default (which SQLAlchemy
    computes as it executes) must be given a value: compiling refuses it otherwise."""

    def __init__(self, statement: sa.Select[Any]):
        self.statement = statement
        self._columns = list(statement.selected_columns)
        self._name = f"_itembank_{next(_NUMBERS)}".encode()
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

    def rows(
        self, session: Session, params: Mapping[str, Any], *, alone: bool = False
    ) -> list[Any]:
        """The statement's rows for ``params``, as named tuples (attributes named as
        SQLAlchemy's row keys), in ``session``'s transaction.

        ``alone``: the caller sends nothing else in this transaction. When the call
        begins it, ``COMMIT`` goes with the statement, in the same round trip (the
        session's later commit or rollback has nothing left to end, and its next
        statement begins another transaction); a statement that fails is not committed
        (the transaction is left failed, as without ``alone``, for the session's
        rollback). When the session's transaction was under way, nothing is committed."""
        return self._run(session.connection(), params, alone=alone)

    def committed_rows(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows for ``params`` in a transaction of their own, committed
        with the statement (``BEGIN``, the statement and ``COMMIT`` in one round trip),
        when ``session`` has no transaction under way: on a connection of the session's
        engine that the session never holds, back in the pool before this returns (the
        session's own work around a connection, beginning, committing and closing its
        transaction, took a tenth of a request's CPU, for a transaction already ended
        here). Otherwise (a transaction under way, or a session bound to a connection,
        inside a transaction of its caller) it is :meth:`rows` with ``alone``: in the
        session's transaction, committed only if the call began it. A statement that
        fails is rolled back as its connection goes back to the pool."""
        bind = session.get_bind()
        if session.in_transaction() or not isinstance(bind, sa.Engine):
            return self.rows(session, params, alone=True)
        with bind.connect() as connection:
            rows = self._run(connection, params, alone=True)
            driver = connection.connection.driver_connection
            if driver.pgconn.transaction_status != _IDLE:  # psycopg's cursor began it
                try:
                    driver.commit()
                except connection.dialect.loaded_dbapi.Error as error:
                    raise sqlalchemy_error(connection, error, "COMMIT", ()) from error
            return rows

    def _run(
        self, connection: sa.Connection, params: Mapping[str, Any], *, alone: bool
    ) -> list[Any]:
        """:meth:`rows` on ``connection``."""
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
        driver = connection.connection.driver_connection
        begin = _begin_command(driver)
        if begin is None:  # psycopg's own pipeline, or a transaction of its own kind
            return self._rows_through_cursor(connection, found, key, bound)
        dispatch.before_cursor_execute(connection, None, sql, bound, None, False)
        try:
            result, transformer = self._round_trip(
                driver, begin, sql, bound, commit=alone and bool(begin)
            )
            transformer.set_pgresult(result)
            fetched: Sequence[tuple[Any, ...]] = transformer.load_rows(0, result.ntuples, tuple)
        except dialect.loaded_dbapi.Error as error:
            raise sqlalchemy_error(connection, error, sql, bound) from error
        dispatch.after_cursor_execute(connection, None, sql, bound, None, False)
        # The result's types, for the first call's result processing (the same after).
        codes = (
            [] if found.results is not None else [result.ftype(i) for i in range(result.nfields)]
        )
        return self._made(found, key, dialect, fetched, codes)

    def _round_trip(
        self,
        driver: psycopg.Connection[Any],
        begin: bytes,
        sql: str,
        bound: tuple[Any, ...],
        *,
        commit: bool,
    ) -> tuple[PGresult, Transformer]:
        """Send ``BEGIN`` (``begin``, if not empty), the statement's preparation if the
        connection has not prepared it, the statement and ``COMMIT`` (``commit``), all
        at once; the statement's result, and the transformer that dumped its parameters
        (to load its rows). A driver error is raised as psycopg raises it."""
        transformer = Transformer.from_context(driver)
        params = transformer.dump_sequence(bound, [PyFormat.AUTO] * len(bound))
        types = transformer.types or ()
        formats = transformer.formats
        query = sql.encode(driver.info.encoding)
        names = _prepared_names(driver)
        key = (query, types)
        name = None if names is None else names.get(key)
        if name is not None:
            names.move_to_end(key)  # psycopg evicts the least recently used
        prepare = name is None and names is not None
        if prepare:
            name = self._name
        pgconn = driver.pgconn
        with driver.lock:
            pgconn.enter_pipeline_mode()
            try:
                sent = 0
                if begin:
                    pgconn.send_query_params(begin, None)
                    sent += 1
                if prepare:
                    pgconn.send_close_prepared(self._name)
                    pgconn.send_prepare(self._name, query, param_types=types)
                    sent += 2
                if name is None:  # prepared statements are turned off
                    pgconn.send_query_params(
                        query, params, param_types=types, param_formats=formats
                    )
                else:
                    pgconn.send_query_prepared(name, params, param_formats=formats)
                if commit:
                    pgconn.send_query_params(b"COMMIT", None)
                pgconn.pipeline_sync()
                answers = _answers(pgconn, sent + 1 + commit)
            finally:
                _leave_pipeline(driver)
        if prepare and answers[sent - 1][-1].status == _COMMAND_OK:
            assert names is not None and name is not None
            names[key] = name  # prepared: psycopg forgets it as it forgets its own
        for answer in answers:
            for result in answer:
                if result.status == _FATAL_ERROR:
                    raise psycopg.errors.error_from_result(result, encoding=driver.info.encoding)
        (result,) = answers[sent]
        if result.status != _TUPLES_OK:
            raise psycopg.ProgrammingError(f"the statement returned no rows ({result.status!r})")
        return result, transformer

    def _rows_through_cursor(
        self, connection: sa.Connection, found: _Compiled, key: Any, bound: tuple[Any, ...]
    ) -> list[Any]:
        """The statement through psycopg's ``RawCursor`` (which sends ``BEGIN`` first)."""
        sql = found.sql
        dispatch = connection.dispatch
        dialect = connection.dialect
        with RawCursor(connection.connection.driver_connection) as cursor:
            dispatch.before_cursor_execute(connection, cursor, sql, bound, None, False)
            try:
                cursor.execute(sql, bound)
                fetched: Sequence[tuple[Any, ...]] = cursor.fetchall()
            except dialect.loaded_dbapi.Error as error:
                raise sqlalchemy_error(connection, error, sql, bound, cursor) from error
            dispatch.after_cursor_execute(connection, cursor, sql, bound, None, False)
            codes = [described.type_code for described in cursor.description or ()]
        return self._made(found, key, dialect, fetched, codes)

    def _made(
        self,
        found: _Compiled,
        key: Any,
        dialect: sa.Dialect,
        fetched: Sequence[tuple[Any, ...]],
        type_codes: list[int],
    ) -> list[Any]:
        """The fetched rows as named tuples, each value through its column's result
        processing (worked out from the first call's type codes, as SQLAlchemy's)."""
        results = found.results
        if results is None:
            processors = [
                column.type.dialect_impl(dialect).result_processor(dialect, type_code)
                for column, type_code in zip(self._columns, type_codes, strict=True)
            ]
            results = [(index, process) for index, process in enumerate(processors) if process]
            self._compiled[key] = found._replace(results=results)
        make = found.row
        if not results:
            return [make(*row) for row in fetched]
        made = []
        for row in fetched:
            values = list(row)
            for index, process in results:
                values[index] = process(values[index])
            made.append(make(*values))
        return made


def _begin_command(driver: psycopg.Connection[Any]) -> bytes | None:
    """What begins the connection's transaction before the statement: ``BEGIN`` as
    psycopg would send it, or nothing (a transaction under way, or autocommit). None:
    the statement goes through psycopg's cursor (libpq has no pipeline mode, before
    version 14; the connection is in psycopg's own pipeline; or its transactions begin
    otherwise: an isolation level, read only, deferrable)."""
    if not _PIPELINES or driver.pgconn.pipeline_status != _PIPELINE_OFF:
        return None
    if driver.autocommit or driver.pgconn.transaction_status != _IDLE:
        return b""
    if driver.isolation_level is not None or driver.read_only is not None:
        return None
    if driver.deferrable is not None:
        return None
    return b"BEGIN"


def _prepared_names(driver: psycopg.Connection[Any]) -> OrderedDict[Any, bytes] | None:
    """psycopg's record of the statements ``driver`` has prepared, by (query, parameter
    types): what psycopg deallocates, it removes (``DEALLOCATE ALL`` after a rollback or
    a ``DROP``, one name when it holds more than ``prepared_max``). None: the statement
    is not prepared (the connection prepares no statements, ``prepare_threshold`` None;
    libpq cannot close a statement that may not exist, before version 17; or psycopg
    keeps its record otherwise than this version does)."""
    if driver.prepare_threshold is None or not _CLOSES:
        return None
    names = getattr(getattr(driver, "_prepared", None), "_names", None)
    return names if isinstance(names, OrderedDict) else None


def _leave_pipeline(driver: psycopg.Connection[Any]) -> None:
    """Leave pipeline mode. When that fails (an error while results were still to
    come), the connection is closed: the pool then replaces it (SQLAlchemy sees it is
    closed), rather than hand out a connection left in pipeline mode."""
    pgconn = driver.pgconn
    if pgconn.status == _BAD or pgconn.pipeline_status == _PIPELINE_OFF:
        return
    try:
        pgconn.exit_pipeline_mode()
    except psycopg.OperationalError:
        driver.close()


def _answers(pgconn: PGconn, count: int) -> list[list[PGresult]]:
    """The results of the ``count`` queries sent in pipeline mode, then of the sync
    that ended them (each query's list of results: a failed one's error, or
    ``PIPELINE_ABORTED`` for those after it), waiting for the server as psycopg does
    (its connections are non-blocking)."""
    descriptor = pgconn.socket
    while pgconn.flush():  # part of the messages still to send
        readable, _, _ = select.select([descriptor], [descriptor], [])
        if readable:
            pgconn.consume_input()
    answers: list[list[PGresult]] = []
    current: list[PGresult] = []
    while True:
        while pgconn.is_busy():
            select.select([descriptor], [], [])
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:  # the end of one query's results
            answers.append(current)
            current = []
        elif result.status == _PIPELINE_SYNC:
            if len(answers) != count:
                raise psycopg.InterfaceError(
                    f"{len(answers)} answers in the pipeline where {count} were sent"
                )
            return answers
        else:
            current.append(result)


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
