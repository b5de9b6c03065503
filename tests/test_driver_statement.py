"""itembank.driver_statement: a statement sent through psycopg's own cursor gives the rows
SQLAlchemy's execution gives, in the session's transaction, seen by the engine's cursor
listeners, its errors raised as SQLAlchemy's (issue 16: GET /items/{id} on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

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
