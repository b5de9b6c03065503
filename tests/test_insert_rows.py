"""``insert_rows``, the bulk write of an import's rows (one ``COPY`` on PostgreSQL): what
it writes is what an INSERT writes (values through their column types, defaults of the
columns left out), it raises the content stamp of the bank it names (or of every bank),
and it refuses rows it cannot write as given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent, Bank, Item
from itembank.operations.accounts import create_bank
from itembank.operations.import_writes import insert_rows
from itembank.operations.imports import run_import
from tests.factories import World
from tests.import_helpers import SC_ROW, csv_bytes, entries

WHEN = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=7)))


def _item_row(world: World, number: int) -> dict[str, Any]:
    return {
        "bank_id": world.bank.id,
        "number": number,
        "external_id": f"{world.bank.code}-R{number}",
        "item_type": "single_choice",
        "source_ref": None,
        "created_by_id": world.users["author"].id,
        "created_at": WHEN,
        "updated_at": WHEN,
    }


def _stamp(bank: Bank) -> int:
    return int(db.session.scalar(sa.select(Bank.content_stamp).where(Bank.id == bank.id)))


def test_rows_are_written_as_an_insert_writes_them(world: World) -> None:
    data = {"via": "import", "score": 1.5, "rows": [1, "dua", None], "nested": {"ok": True}}
    insert_rows(
        AuditEvent,
        [
            {
                "created_at": WHEN,
                "action": "item.create",
                "actor_id": world.users["author"].id,
                "bank_id": world.bank.id,
                "object_id": f"row-{n}\ttab\\slash\nline 'quote' \"double\"",
                "data": {**data, "n": n},
            }
            for n in range(3)
        ],
    )
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.bank_id == world.bank.id, AuditEvent.action == "item.create")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.data for e in events] == [{**data, "n": n} for n in range(3)]
    assert [e.object_id for e in events] == [
        f"row-{n}\ttab\\slash\nline 'quote' \"double\"" for n in range(3)
    ]
    assert {e.created_at for e in events} == {WHEN.astimezone(UTC)}
    # left out: scalar defaults ('') as an INSERT gives them; no default: NULL
    assert {(e.object_type, e.reason, e.item_id, e.version_number) for e in events} == {
        ("", "", None, None)
    }


def test_rows_beyond_one_statement_are_all_written_in_order(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite writes the rows in multi-row INSERTs of as many rows as its limit of bound
    values allows: with a limit of two rows' values, five rows take three statements and
    are written as given, in order."""
    from itembank.operations import import_writes

    if db.session.connection().dialect.name != "sqlite":
        pytest.skip("PostgreSQL writes the rows in one COPY")
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("INSERT INTO item "):
            statements.append(statement)

    monkeypatch.setattr(import_writes, "_sqlite_bound_values", lambda connection: 17)
    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        insert_rows(Item, [_item_row(world, n) for n in range(9201, 9206)], world.bank.id)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 3
    items = db.session.scalars(
        sa.select(Item).where(Item.bank_id == world.bank.id).order_by(Item.id)
    ).all()
    assert [(i.number, i.external_id, i.created_at) for i in items] == [
        (n, f"{world.bank.code}-R{n}", WHEN.astimezone(UTC)) for n in range(9201, 9206)
    ]


def test_a_left_out_column_computed_per_row_gets_its_default(world: World) -> None:
    insert_rows(
        AuditEvent,
        [{"action": "item.create", "actor_id": world.users["author"].id, "bank_id": world.bank.id}],
    )
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.bank_id == world.bank.id, AuditEvent.action == "item.create"
        )
    ).one()
    assert event.data == {}  # default=dict
    assert event.created_at is not None and event.created_at.tzinfo is not None


def test_the_named_bank_or_every_banks_stamp_is_raised(world: World) -> None:
    other = create_bank("COPYSTAMP", "Bank lain", actor=None)
    db.session.commit()
    mine, theirs = _stamp(world.bank), _stamp(other)
    insert_rows(Item, [_item_row(world, 9001), _item_row(world, 9002)], world.bank.id)
    db.session.commit()
    assert (_stamp(world.bank), _stamp(other)) == (mine + 1, theirs)
    insert_rows(Item, [_item_row(world, 9003)])  # no bank named: every bank's
    db.session.commit()
    assert (_stamp(world.bank), _stamp(other)) == (mine + 2, theirs + 1)
    numbers = db.session.scalars(
        sa.select(Item.number).where(Item.bank_id == world.bank.id).order_by(Item.number)
    ).all()
    assert numbers == [9001, 9002, 9003]


def test_rows_it_cannot_write_as_given_are_refused(world: World) -> None:
    with pytest.raises(KeyError, match="no attribute"):
        insert_rows(Item, [{**_item_row(world, 9101), "colour": "blue"}], world.bank.id)
    short = _item_row(world, 9103)
    del short["source_ref"]
    with pytest.raises(KeyError, match="different attributes"):
        insert_rows(Item, [_item_row(world, 9102), short], world.bank.id)
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Item).where(Item.bank_id == world.bank.id)
    )
    assert count == 0


def test_rows_the_database_refuses_fail_the_import_as_a_whole(world: World, plugins: Any) -> None:
    """The database refusing a chunk (here the id the first new item would get, taken by
    an item of another bank) fails the import and undoes it, with the same report on
    every database (the COPY's error is raised as an INSERT's would be)."""
    other = create_bank("COPYFAIL", "Bank lain", actor=None)
    taken = {**_item_row(world, 1), "bank_id": other.id}
    taken["external_id"] = f"{world.bank.code}-000001"
    insert_rows(Item, [taken], other.id)
    db.session.commit()
    batch = run_import(
        world.bank,
        actor=world.author,
        plugins=plugins,
        filename="soal.csv",
        data=csv_bytes([SC_ROW, SC_ROW]),
        mode="valid_only",
    )
    assert batch.status == "failed" and batch.items_created == 0
    assert any("undone entirely" in m for _, _, m in entries(batch, "error")), entries(batch)
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Item).where(Item.bank_id == world.bank.id)
    )
    assert count == 0
