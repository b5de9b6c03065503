"""itembank.driver_statement: a statement sent through psycopg's own cursor gives the rows
SQLAlchemy's execution gives, in the session's transaction, seen by the engine's cursor
listeners, its errors raised as SQLAlchemy's (issue 16: GET /items/{id} on PostgreSQL)."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from psycopg import pq
from sqlalchemy.orm import Session

from itembank import content_stamp, driver_statement
from itembank.api import item_read
from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.models._types import UTCDateTime
from tests.factories import World

_AUDIT = AuditEvent.__table__


def _postgres_only() -> None:
    if not driver_statement.available(db.engine):
        assert db.engine.dialect.name == "sqlite"
        assert not item_read.available()  # SQLite: the general path, statement by statement
        pytest.skip("a statement through psycopg's cursor: PostgreSQL only")


@contextmanager
def sent() -> Iterator[list[tuple[str, str]]]:
    """(event, statement) for each cursor event of the engine while the block runs."""
    seen: list[tuple[str, str]] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(("before", statement))

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(("after", statement))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(db.engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)
        sa.event.remove(db.engine, "after_cursor_execute", after)


def test_rows_are_sqlalchemys_rows(world: World) -> None:
    """Types with bind and result processing (UTC datetimes), JSON, NULLs, a parameter
    used twice, an escaped percent sign: the same values under the same names."""
    _postgres_only()
    moment = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    stamp = sa.bindparam("moment", type_=UTCDateTime())
    statement = sa.select(
        stamp.label("moment"),
        (sa.cast(stamp, UTCDateTime()) + sa.text("interval '1 hour'")).label("later"),
        sa.literal_column("'50%'", sa.String).label("percent"),
        sa.func.concat(sa.bindparam("word", type_=sa.String), "%").label("pattern"),
        sa.cast(sa.null(), UTCDateTime()).label("nothing"),
        sa.cast(sa.literal_column("""'{"a": [1, "dua"]}'"""), sa.JSON).label("data"),
        sa.bindparam("word", type_=sa.String).label("word_again"),
    )
    params = {"moment": moment, "word": "kata"}
    expected = db.session.execute(statement, params).all()
    through = driver_statement.DriverStatement(statement)
    for _ in range(2):  # compiled on the first call, reused on the next
        rows = through.rows(db.session, params)
        assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
        assert rows[0]._fields == tuple(expected[0]._fields)
    row = rows[0]
    assert row.moment == moment and row.moment.tzinfo is not None
    assert row.later == moment + timedelta(hours=1)
    assert (row.percent, row.pattern, row.word_again) == ("50%", "kata%", "kata")
    assert row.nothing is None
    assert row.data == {"a": [1, "dua"]}


def test_writes_are_in_the_sessions_transaction(world: World) -> None:
    """A data-modifying part is written in the session's transaction: the session reads
    it before the commit, and a rollback takes it back. The engine's cursor listeners
    see the statement (tests count statements with them)."""
    _postgres_only()
    written = (
        sa.insert(_AUDIT)
        .values(
            created_at=sa.bindparam("now", type_=UTCDateTime()),
            action="test.driver",
            object_type="test",
            object_id=sa.bindparam("object_id", type_=sa.String),
            reason="",
            data={"via": "test"},
        )
        .returning(_AUDIT.c.id)
        .cte("written")
    )
    statement = sa.select(written.c.id)
    count = sa.select(sa.func.count()).select_from(_AUDIT).where(_AUDIT.c.action == "test.driver")
    db.session.execute(sa.select(1))  # the session's transaction is under way
    with sent() as seen:
        rows = driver_statement.DriverStatement(statement).rows(
            db.session, {"now": datetime.now(UTC), "object_id": "x-1"}
        )
    assert len(rows) == 1 and rows[0].id is not None
    assert [event for event, _ in seen] == ["before", "after"]
    assert all("INSERT INTO audit_event" in text for _, text in seen)
    assert db.session.scalar(count) == 1
    db.session.rollback()
    assert db.session.scalar(count) == 0


def test_a_python_side_default_is_refused(world: World) -> None:
    """SQLAlchemy computes a column's Python-side default (the audit row's ``data``) as
    it executes; a statement that leaves one to it is refused, not sent without it."""
    _postgres_only()
    written = (
        sa.insert(_AUDIT)
        .values(created_at=sa.func.now(), action="test.driver", object_type="test", reason="")
        .returning(_AUDIT.c.id)
        .cte("written")
    )
    with pytest.raises(ValueError, match=r"audit_event\.data"):
        driver_statement.DriverStatement(sa.select(written.c.id)).rows(db.session, {})


def test_a_driver_error_is_sqlalchemys_and_the_session_goes_on(world: World) -> None:
    _postgres_only()
    statement = sa.select(
        (sa.literal_column("1") / sa.bindparam("zero", type_=sa.Integer)).label("quotient")
    )
    through = driver_statement.DriverStatement(statement)
    with sent() as seen, pytest.raises(sa.exc.DataError) as raised:
        through.rows(db.session, {"zero": 0})
    assert "division by zero" in str(raised.value.orig)
    assert [event for event, _ in seen] == ["before"]
    db.session.rollback()
    assert [tuple(row) for row in through.rows(db.session, {"zero": 2})] == [
        tuple(row) for row in db.session.execute(statement, {"zero": 2})
    ]


def test_the_item_read_writes_no_table_the_content_stamp_follows() -> None:
    """The statement of GET /items/{id} skips the ORM's execution events, by which the
    bank's content stamp learns of bulk writes: it writes only the audit row and the
    token's use."""
    written = {item_read._RECORD_READ.element.table.name, item_read._RECORD_USE.element.table.name}
    assert written == {"audit_event", "api_token"}
    assert not written & content_stamp._TABLES


# -- one round trip, prepared statements bounded -------------------------------------------


@contextmanager
def round_trips(session: Any) -> Iterator[list[list[str]]]:
    """The messages ``session``'s connection sends while the block runs, in round trips
    (libpq's protocol trace: each run of messages sent before the server answers)."""
    driver = session.connection().connection.driver_connection
    trips: list[list[str]] = []
    with tempfile.TemporaryFile() as trace:
        driver.pgconn.trace(trace.fileno())
        driver.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            yield trips
        finally:
            driver.pgconn.untrace()
            trace.seek(0)
            sending = False
            for line in trace.read().decode().splitlines():
                if not line.startswith(("F\t", "B\t")):
                    continue  # the rest of a message's text, across lines
                side, _, message = line.split("\t", 2)
                if side == "F":
                    if not sending:
                        trips.append([])
                    trips[-1].append(_message(message))
                sending = side == "F"


def _message(traced: str) -> str:
    """A message of the trace as its kind, with the first word of the SQL it sends:
    ``Parse BEGIN``, ``Parse SELECT``, ``Query COMMIT``, ``Bind``."""
    kind, _, rest = traced.partition("\t")
    if kind == "Query":
        return "Query " + rest.split()[0].strip('"')
    if kind == "Parse":
        return "Parse " + rest.split()[1].strip('"')
    return kind


def _server_statements() -> dict[str, str]:
    """The connection's prepared statements on the server: name, statement."""
    driver = db.session.connection().connection.driver_connection
    # Never prepared itself, so that asking changes nothing psycopg records.
    rows = driver.execute("SELECT name, statement FROM pg_prepared_statements", prepare=False)
    return {name: text for name, text in rows}


def _names(driver: Any) -> set[str]:
    """The statements psycopg records as prepared on the connection."""
    return {name.decode() for name in driver_statement._prepared_names(driver).values()}


_SUMS = itertools.count(1)


def _sum() -> sa.Select[Any]:
    """``a + b, 1 / b``, with SQL text no other test sends: psycopg records prepared
    statements per connection by their text, and the pool hands a test a connection that
    earlier tests of the process used, so the same text could already be prepared on it
    (under another DriverStatement's name)."""
    return sa.select(
        (sa.bindparam("a", type_=sa.Integer) + sa.bindparam("b", type_=sa.Integer)).label("total"),
        (sa.literal_column("1") / sa.bindparam("b", type_=sa.Integer)).label("quotient"),
    ).prefix_with(f"/* {next(_SUMS)} */")


def test_begin_goes_with_the_statement_in_one_round_trip(world: World) -> None:
    """A session without a transaction under way: BEGIN, the statement's preparation
    and the statement go in one round trip (psycopg sent BEGIN alone first), the
    statement prepared on the connection from the first call; the next call, in the
    transaction, binds the prepared statement. COMMIT is the session's, at its end."""
    _postgres_only()
    through = driver_statement.DriverStatement(_sum())
    # A session of its own (the tests' session runs inside a transaction of the test), on
    # one connection throughout: the pool could hand the session another after a commit.
    with db.engine.connect() as connection, Session(bind=connection) as own:
        own.connection()  # the connection, without a transaction on the server yet
        with round_trips(own) as trips:
            assert [tuple(row) for row in through.rows(own, {"a": 2, "b": 1})] == [(3, 1)]
            assert [tuple(row) for row in through.rows(own, {"a": 5, "b": 1})] == [(6, 1)]
            own.commit()
        begin = ["Parse BEGIN", "Bind", "Describe", "Execute"]
        statement = ["Bind", "Describe", "Execute"]
        assert trips == [
            [*begin, "Close", "Parse SELECT", *statement, "Sync"],
            [*statement, "Sync"],
            ["Query COMMIT"],
        ]
        own.connection()
        with round_trips(own) as trips:
            through.rows(own, {"a": 1, "b": 1})
            own.rollback()
        # psycopg deallocates every prepared statement after a rollback
        assert trips == [[*begin, *statement, "Sync"], ["Query ROLLBACK"], ["Query DEALLOCATE"]]
        own.connection()
        with round_trips(own) as trips:
            through.rows(own, {"a": 1, "b": 1})
        assert trips == [[*begin, "Close", "Parse SELECT", *statement, "Sync"]]


def test_the_prepared_statements_stay_bounded_across_rollbacks(world: World) -> None:
    """Many calls, with rollbacks after them (psycopg then deallocates every prepared
    statement), failing calls (the statement prepared but its execution an error) and
    statements psycopg prepares itself: the server holds the statement at most once,
    under its one name, and nothing psycopg does not record as prepared."""
    _postgres_only()
    through = driver_statement.DriverStatement(_sum())
    name = through._name.decode()
    others = [
        sa.select(sa.literal_column(str(number)).label("n")).where(
            sa.bindparam("x", type_=sa.Integer) > 0
        )
        for number in range(3)
    ]
    sizes: list[int] = []
    for call in range(60):
        if call % 7 == 3:
            with pytest.raises(sa.exc.DataError):
                through.rows(db.session, {"a": call, "b": 0})
            db.session.rollback()
        else:
            assert [tuple(row) for row in through.rows(db.session, {"a": call, "b": 1})] == [
                (call + 1, 1)
            ]
        for other in others:  # prepared by psycopg after five calls
            db.session.execute(other, {"x": 1}).all()
        if call % 5 == 4:
            db.session.rollback()
        elif call % 5 == 2:
            db.session.commit()
        driver = db.session.connection().connection.driver_connection
        on_server = _server_statements()
        recorded = _names(driver)
        # Every statement on the server is one psycopg records (at most prepared_max),
        # or this one, under its one name; what psycopg records is on the server.
        assert set(on_server) <= recorded | {name}
        assert recorded <= set(on_server)
        sizes.append(len(on_server))
    # No growth: the statements sent are the same each time round.
    assert max(sizes[30:]) <= max(sizes[:30])
    assert max(sizes) <= 2 + len(others) + 2  # with the session's own statements


def test_a_statement_the_server_still_holds_is_prepared_again(world: World) -> None:
    """If psycopg forgot the statement while the server still holds it (psycopg drops
    its record of a statement whose execution failed, and an eviction's deallocation
    waits for its next statement), preparing it again first closes the name on the
    server: no error, no second name."""
    _postgres_only()
    through = driver_statement.DriverStatement(_sum())
    name = through._name.decode()
    through.rows(db.session, {"a": 1, "b": 1})
    driver = db.session.connection().connection.driver_connection
    records = driver_statement._prepared_names(driver)
    forgotten = [key for key, value in records.items() if value == through._name]
    assert forgotten and name in _server_statements()
    for key in forgotten:
        del records[key]
    assert [tuple(row) for row in through.rows(db.session, {"a": 2, "b": 1})] == [(3, 1)]
    assert list(_server_statements()).count(name) == 1
    assert name in _names(driver)


def test_without_prepared_statements_the_statement_goes_unnamed(world: World) -> None:
    """A connection that prepares nothing (``prepare_threshold`` None, as behind
    PgBouncer): BEGIN and the unnamed statement in one round trip, nothing prepared."""
    _postgres_only()
    through = driver_statement.DriverStatement(_sum())
    db.session.commit()
    driver = db.session.connection().connection.driver_connection
    before = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        with round_trips(db.session) as trips:
            assert [tuple(row) for row in through.rows(db.session, {"a": 4, "b": 1})] == [(5, 1)]
        assert trips == [["Parse SELECT", "Bind", "Describe", "Execute", "Sync"]]
        assert through._name.decode() not in _server_statements()
    finally:
        driver.prepare_threshold = before


def test_in_psycopgs_pipeline_the_statement_goes_through_its_cursor(world: World) -> None:
    _postgres_only()
    through = driver_statement.DriverStatement(_sum())
    db.session.execute(sa.select(1))
    driver = db.session.connection().connection.driver_connection
    with driver.pipeline():
        assert [tuple(row) for row in through.rows(db.session, {"a": 7, "b": 1})] == [(8, 1)]
    assert [tuple(row) for row in through.rows(db.session, {"a": 8, "b": 1})] == [(9, 1)]


#: A table of the test's own for committed writes (the audit trail is append-only).
_PROBE = sa.Table(
    "driver_statement_probe",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("marker", sa.String(40), nullable=False),
)


def _written() -> int:
    """The probe's rows that another connection sees (committed)."""
    with db.engine.connect() as other:
        return int(other.scalar(sa.select(sa.func.count()).select_from(_PROBE)))


def _probe_write() -> sa.Select[Any]:
    written = (
        sa.insert(_PROBE)
        .values(marker=sa.bindparam("marker", type_=sa.String))
        .returning(_PROBE.c.id)
        .cte("written")
    )
    return sa.select(
        written.c.id,
        (sa.literal_column("1") / sa.bindparam("divisor", type_=sa.Integer)).label("quotient"),
    )


def test_alone_the_commit_goes_with_the_statement(world: World) -> None:
    """``alone``: BEGIN, the statement and COMMIT in one round trip, the write committed
    (another connection sees it) and the session's own commit with nothing left to
    send; a failing statement is not committed (the session rolls back); in a
    transaction under way, nothing is committed."""
    _postgres_only()
    _PROBE.create(db.engine)
    try:
        through = driver_statement.DriverStatement(_probe_write())
        with Session(db.engine) as own:
            own.connection()
            with round_trips(own) as trips:
                through.rows(own, {"marker": "alone", "divisor": 1}, alone=True)
            assert _written() == 1
            with round_trips(own) as trips_after:
                own.commit()
            assert trips_after == []
            statement = ["Bind", "Describe", "Execute"]
            assert trips == [
                [
                    "Parse BEGIN",
                    *statement,
                    "Close",
                    "Parse WITH",
                    *statement,
                    "Parse COMMIT",
                    *statement,
                    "Sync",
                ]
            ]
            own.connection()
            with pytest.raises(sa.exc.DataError):
                through.rows(own, {"marker": "fails", "divisor": 0}, alone=True)
            own.rollback()
            assert _written() == 1
            own.execute(sa.select(1))  # a transaction under way: not committed
            through.rows(own, {"marker": "under way", "divisor": 1}, alone=True)
            assert _written() == 1
            own.rollback()
            assert _written() == 1
    finally:
        _PROBE.drop(db.engine)


def test_a_statement_psycopg_evicts_is_prepared_again(world: World) -> None:
    """psycopg keeps at most ``prepared_max`` statements, deallocating the least
    recently used: when that is this one, it is gone from the server too, and the next
    call prepares it again under its name."""
    _postgres_only()
    through = driver_statement.DriverStatement(_sum())
    name = through._name.decode()
    driver = db.session.connection().connection.driver_connection
    before = driver.prepared_max
    driver.prepared_max = 2
    try:
        others = [
            sa.select(sa.literal_column(str(number)).label("n")).where(
                sa.bindparam("x", type_=sa.Integer) > number
            )
            for number in range(4)
        ]
        for call in range(3):
            db.session.rollback()  # psycopg deallocates everything: a known start
            assert [tuple(row) for row in through.rows(db.session, {"a": call, "b": 1})] == [
                (call + 1, 1)
            ]
            assert name in _names(driver)
            for other in others:
                for _ in range(6):  # prepared by psycopg from the sixth call on
                    db.session.execute(other, {"x": 9}).all()
            assert name not in _names(driver)  # evicted, and deallocated
            on_server = _server_statements()
            assert name not in on_server
            # psycopg's own statements are its business (it may hold one it no longer
            # records until its next DEALLOCATE ALL); bounded all the same.
            assert len(on_server) <= 2 + len(others)
    finally:
        driver.prepared_max = before


def test_committed_rows_go_outside_a_session_without_a_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``committed_rows``: a session without a transaction under way gets the rows from
    a connection of its engine, in a transaction of their own committed with the
    statement; the session begins nothing and the connection is back in the pool. A
    failing statement is rolled back (the next call goes on); with a transaction under
    way, the statement is the session's and nothing is committed."""
    _postgres_only()
    _PROBE.create(db.engine)
    try:
        through = driver_statement.DriverStatement(_probe_write())
        pool = db.engine.pool
        with Session(db.engine) as own:
            held = pool.checkedout()  # type: ignore[attr-defined]
            with sent() as seen:
                rows = through.committed_rows(own, {"marker": "own", "divisor": 1})
            assert [row.quotient for row in rows] == [1]
            assert [event for event, _ in seen] == ["before", "after"]
            assert _written() == 1
            assert not own.in_transaction()
            assert pool.checkedout() == held  # type: ignore[attr-defined]
            with pytest.raises(sa.exc.DataError):
                through.committed_rows(own, {"marker": "fails", "divisor": 0})
            assert _written() == 1
            assert not own.in_transaction()
            assert pool.checkedout() == held  # type: ignore[attr-defined]
            through.committed_rows(own, {"marker": "again", "divisor": 1})
            assert _written() == 2
            own.execute(sa.select(1))  # a transaction under way: the session's
            through.committed_rows(own, {"marker": "under way", "divisor": 1})
            assert own.in_transaction()
            own.rollback()
            assert _written() == 2
        # Transactions begun otherwise (an isolation level): through psycopg's cursor,
        # which sends BEGIN alone; committed all the same.
        isolated = db.engine.execution_options(isolation_level="REPEATABLE READ")
        through_cursor = []
        original = through._rows_through_cursor
        monkeypatch.setattr(
            through,
            "_rows_through_cursor",
            lambda *args: through_cursor.append(args) or original(*args),
        )
        with Session(isolated) as own:
            through.committed_rows(own, {"marker": "isolated", "divisor": 1})
            assert not own.in_transaction()
        assert len(through_cursor) == 1
        assert _written() == 3
    finally:
        _PROBE.drop(db.engine)
