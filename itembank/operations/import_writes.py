"""Writing the checked candidates of an import: new items a chunk at a time, in
multi-row INSERTs (a ``COPY`` per table on PostgreSQL) with exactly the rows creating an
item by hand writes, and new drafts of existing items through the core operations. On
PostgreSQL each new item is written with its newest version's id, reserved beforehand
(:func:`_insert_items_and_versions`); SQLite points the items at their versions after.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from itembank.content_stamp import in_bank, note_bulk_write
from itembank.driver_statement import sqlalchemy_error
from itembank.extensions import db
from itembank.models import (
    AuditEvent,
    Bank,
    ImportBatch,
    Item,
    ItemClassification,
    ItemVersion,
    Passage,
    PassageVersion,
    User,
    VersionContributor,
)
from itembank.models._types import utcnow
from itembank.operations.import_checks import CheckedItem, Outcome, Progress
from itembank.operations.items import start_new_draft, update_draft
from itembank.plugins import PluginHost
from itembank.workflow import Status

#: Items written per flush.
BATCH_SIZE = 500
#: ``item.newest_version_id``'s foreign key, deferrable (migration 0023).
NEWEST_VERSION_KEY = "fk_item_newest_version"


def write_items(
    checked: list[CheckedItem],
    bank: Bank,
    actor: User,
    plugins: PluginHost,
    batch: ImportBatch,
    notify: Progress,
    batch_size: int,
) -> None:
    """Write every candidate that creates or updates an item: new items ``batch_size`` at
    a time, then the updates one by one; the images of the items written first (as they
    were checked with each item, against the import's ``media_max_bytes``)."""
    creates = [c for c in checked if c.outcome is Outcome.CREATED]
    updates = [c for c in checked if c.outcome in (Outcome.NEW_VERSION, Outcome.DRAFT_UPDATED)]
    total = len(creates) + len(updates)
    done = 0
    notify("write", 0, total)
    _store_images(creates + updates, bank, actor)
    for start in range(0, len(creates), batch_size):
        chunk = creates[start : start + batch_size]
        _create_items(chunk, bank, actor, batch)
        done += len(chunk)
        notify("write", done, total)
    for item in updates:
        _update_item(item, actor, plugins)
        done += 1
        if done % 100 == 0 or done == total:
            notify("write", done, total)
    _pin_passages([c for c in creates + updates if c.candidate.passage is not None], bank, actor)


def _pin_passages(written: list[CheckedItem], bank: Bank, actor: User) -> None:
    """Put each written draft in its item set: pin a passage version of the bank with
    the same title and text (the bank's own passage coming back, or one imported
    before), else a new passage written for it (once per passage of the source)."""
    from itembank.operations.passage_sets import set_item_passage
    from itembank.operations.passages import PINNABLE, create_passage, prepare_passage

    chosen: dict[str, PassageVersion] = {}
    for checked in written:
        found = checked.candidate.passage
        assert found is not None
        version = chosen.get(found.key)
        if version is None:
            prepared = prepare_passage(bank, found.title, found.body)
            query = (
                sa.select(PassageVersion)
                .join(Passage, Passage.id == PassageVersion.passage_id)
                .where(
                    Passage.bank_id == bank.id,
                    PassageVersion.content_hash == prepared.content_hash,
                    PassageVersion.status.in_(PINNABLE),
                )
                .order_by(PassageVersion.id.desc())
            )
            if found.passage_id:
                query = query.where(Passage.external_id == found.passage_id)
            version = db.session.scalars(query).first()
            if version is None:
                passage = create_passage(bank, actor=actor, title=found.title, body=found.body)
                version = passage.latest_version
            chosen[found.key] = version
        item_id = checked.item_id if checked.item_id is not None else checked.item.id
        draft = db.session.scalars(
            sa.select(ItemVersion).where(
                ItemVersion.item_id == item_id, ItemVersion.number == checked.result_version
            )
        ).one()
        set_item_passage(draft, actor=actor, passage=version)


def _store_images(items: list[CheckedItem], bank: Bank, actor: User) -> None:
    """Store the images of the items being written (each image once, as checked with
    its item: ``import_checks._check_image``, for the import's ``media_max_bytes``)."""
    from itembank.operations.media import upload_checked_media

    images: dict[str, tuple[bytes, str, Any]] = {}
    for item in items:
        for sha256, media, info in item.media:
            images.setdefault(sha256, (media.data, media.name, info))
    upload_checked_media(bank, list(images.values()), actor=actor)


def _create_items(chunk: list[CheckedItem], bank: Bank, actor: User, batch: ImportBatch) -> None:
    """Create items and their first drafts with exactly the rows :func:`create_item`
    writes (item, version 1 as a draft, its contributor and classifications, an
    ``item.create`` audit event), a chunk at a time: one counter update and one
    multi-row INSERT (:func:`insert_rows`) per table instead of a flush per item."""
    last = db.session.execute(
        sa.update(Bank)
        .where(Bank.id == bank.id)
        .values(item_counter=Bank.item_counter + len(chunk))
        .returning(Bank.item_counter)
        .execution_options(**in_bank(bank.id))
    ).scalar_one()
    first = int(last) - len(chunk) + 1
    now = utcnow()
    draft = Status.DRAFT.value
    for offset, checked in enumerate(chunk):
        checked.external_id = f"{bank.code}-{first + offset:06d}"
        checked.result_version = 1
    if db.session.connection().dialect.name == "postgresql":
        version_ids = _insert_items_and_versions(chunk, bank, actor, now, first)
    else:
        version_ids = _insert_then_point(chunk, bank, actor, now, first, int(last))
    insert_rows(
        VersionContributor,
        [{"version_id": version_id, "user_id": actor.id} for version_id in version_ids],
    )
    classifications = [
        {"version_id": version_id, "node_id": node.id, "level": level}
        for checked, version_id in zip(chunk, version_ids, strict=True)
        for node, level in checked.prepared.nodes  # type: ignore[union-attr]
    ]
    if classifications:
        insert_rows(ItemClassification, classifications)
    # one dict for the chunk's events (the same value: serialized once, by insert_rows)
    data = {"via": "import", "import_batch": batch.id}
    insert_rows(
        AuditEvent,
        [
            {
                # what itembank.audit.record("item.create", ...) writes, plus the batch
                "created_at": now,
                "action": "item.create",
                "actor_id": actor.id,
                "bank_id": bank.id,
                "item_id": checked.item_id,
                "version_number": 1,
                "from_status": None,
                "to_status": draft,
                "reason": "",
                "object_type": "item",
                "object_id": checked.external_id,
                "data": data,
            }
            for checked in chunk
        ],
    )


def _item_row(
    checked: CheckedItem, bank: Bank, actor: User, now: Any, number: int
) -> dict[str, Any]:
    return {
        "bank_id": bank.id,
        "number": number,
        "external_id": checked.external_id,
        "item_type": checked.candidate.item_type,
        "source_ref": (checked.candidate.source_id or None) and checked.candidate.source_id[:255],
        "created_by_id": actor.id,
        "created_at": now,
        "updated_at": now,
    }


def _insert_then_point(
    chunk: list[CheckedItem], bank: Bank, actor: User, now: Any, first: int, last: int
) -> list[int]:
    """The items, then their versions, then each item's newest version (one UPDATE):
    the version ids, in the chunk's order."""
    # Core INSERTs of every row at once (the ORM's bulk insert splits rows whose NULLs
    # differ into separate statements, and an INSERT ... RETURNING in parameter order runs
    # row by row on SQLite), then one SELECT for the new ids: (bank, number) and
    # (item, 1) are unique, and the numbers were reserved above.
    insert_rows(
        Item,
        [
            _item_row(checked, bank, actor, now, first + offset)
            for offset, checked in enumerate(chunk)
        ],
        bank.id,
    )
    item_by_number = dict(
        db.session.execute(
            sa.select(Item.number, Item.id).where(
                Item.bank_id == bank.id, Item.number.between(first, last)
            )
        ).all()
    )
    for offset, checked in enumerate(chunk):
        checked.item_id = item_by_number[first + offset]
    insert_rows(ItemVersion, [_version_row(checked, actor, now) for checked in chunk], bank.id)
    # The chunk's items are the bank's numbers first..last (reserved above): they name
    # the items below instead of a list of their ids.
    version_by_item = dict(
        db.session.execute(
            sa.select(ItemVersion.item_id, ItemVersion.id)
            .join(Item, Item.id == ItemVersion.item_id)
            .where(
                Item.bank_id == bank.id,
                Item.number.between(first, last),
                ItemVersion.number == 1,
            )
        ).all()
    )
    version_ids = [version_by_item[checked.item_id] for checked in chunk]
    # Each new item's only version is its newest: one statement per chunk.
    items = Item.__table__
    db.session.execute(
        sa.update(items)
        .where(items.c.bank_id == bank.id, items.c.number.between(first, last))
        .values(
            newest_version_id=sa.select(ItemVersion.__table__.c.id)
            .where(ItemVersion.__table__.c.item_id == Item.__table__.c.id)
            .scalar_subquery()
        )
        .execution_options(**in_bank(bank.id))
    )
    return version_ids


def _insert_items_and_versions(
    chunk: list[CheckedItem], bank: Bank, actor: User, now: Any, first: int
) -> list[int]:
    """PostgreSQL: the ids of the items and their versions reserved from their sequences
    first, then each item written with its newest version's id and the versions after
    (no UPDATE of every new item, no reading ids back). ``fk_item_newest_version`` is
    deferrable (migration 0023): deferred between the two writes, and set immediate
    after them, which checks every item written meanwhile there and then (a failure
    raises here, and the import is undone)."""
    reserved = db.session.execute(
        sa.text(
            "SELECT nextval(pg_get_serial_sequence('item', 'id')), "
            "nextval(pg_get_serial_sequence('item_version', 'id')) "
            "FROM generate_series(1, :count)"
        ),
        {"count": len(chunk)},
    ).all()
    db.session.execute(sa.text(f"SET CONSTRAINTS {NEWEST_VERSION_KEY} DEFERRED"))
    items = []
    for offset, (checked, (item_id, version_id)) in enumerate(zip(chunk, reserved, strict=True)):
        checked.item_id = item_id
        row = _item_row(checked, bank, actor, now, first + offset)
        items.append({**row, "id": item_id, "newest_version_id": version_id})
    insert_rows(Item, items, bank.id)
    versions = [
        {**_version_row(checked, actor, now), "id": version_id}
        for checked, (_, version_id) in zip(chunk, reserved, strict=True)
    ]
    insert_rows(ItemVersion, versions, bank.id)
    db.session.execute(sa.text(f"SET CONSTRAINTS {NEWEST_VERSION_KEY} IMMEDIATE"))
    return [version_id for _, version_id in reserved]


def insert_rows(model: type[Any], rows: list[dict[str, Any]], bank_id: int | None = None) -> None:
    """One Core INSERT of ``rows`` (keyed by ``model``'s attribute names, every row the
    same ones) into its table; a key that names no attribute is an error, never silently
    dropped. ``bank_id``: the bank the rows belong to, for :mod:`itembank.content_stamp`.

    The rows go to the driver as one statement, not an INSERT executed per row, each
    value through its column type's bind processing as an INSERT sends it
    (:func:`_driver_rows`): on PostgreSQL (psycopg 3) one ``COPY`` (:func:`_copy_rows`:
    about a third of the server's work on an import's rows, and psycopg's per-row work),
    on SQLite multi-row ``INSERT ... VALUES`` statements (:func:`_insert_values`: the
    FTS5 indexes' triggers then write one index segment per statement instead of one
    per row)."""
    columns = {attr.key: attr.columns[0].name for attr in sa.inspect(model).column_attrs}
    first = rows[0].keys() if rows else {}.keys()
    alike = all(row.keys() == first for row in rows)
    unknown = (first if alike else {key for row in rows for key in row}) - columns.keys()
    if unknown:
        raise KeyError(f"{model.__name__} has no attribute {sorted(unknown)}")
    if not alike:
        raise KeyError(f"{model.__name__}: the rows name different attributes")
    table = model.__table__  # type: ignore[attr-defined]
    options = in_bank(bank_id)
    connection = db.session.connection()
    dialect = connection.dialect
    write = (
        _copy_rows
        if dialect.driver == "psycopg"
        else _insert_values
        if dialect.name == "sqlite"
        else None
    )
    prepared = _driver_rows(connection, table, rows, columns) if write is not None else None
    if write is not None and prepared is not None:
        write(connection, table, *prepared)
        note_bulk_write(db.session, table.name, options)
        return
    named = [{columns[key]: value for key, value in row.items()} for row in rows]
    db.session.execute(sa.insert(table).execution_options(**options), named)


def _driver_rows(
    connection: sa.Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    columns: dict[str, str],
) -> tuple[list[str], list[list[Any]]] | None:
    """The column names and each row's values as the driver gets them from an INSERT of
    ``rows`` (keyed by attribute name, ``columns`` giving each attribute's column; every
    row the same attributes) into ``table``: each value
    through its column type's bind processing, a column left out with its scalar default
    as in an INSERT (its server default if it has none). None when that is not enough:
    no rows, or a column left out whose default is computed per row.

    A value that is the very object of the row before in its column (a chunk's one
    timestamp, its actor, an audit event's shared data) is processed once for the run:
    bind processing is a function of the value alone."""
    if not rows:
        return None
    keys = list(rows[0])
    given = [columns[key] for key in keys]
    defaults: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in given and column.default is not None:
            if not column.default.is_scalar:
                return None
            defaults[column.name] = column.default.arg  # type: ignore[attr-defined]
    dialect = connection.dialect
    names = [*given, *defaults]
    processors = [
        table.columns[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    values: list[list[Any]] = [[row[key] for row in rows] for key in keys]
    values += [[value] * len(rows) for value in defaults.values()]
    processed = [
        column if process is None else _processed(column, process)
        for column, process in zip(values, processors, strict=True)
    ]
    return names, [list(row) for row in zip(*processed, strict=True)]


_UNSET = object()


def _processed(column: list[Any], process: Callable[[Any], Any]) -> list[Any]:
    """``process`` of each value of ``column``, called once for a run of the same object."""
    result: list[Any] = []
    last: Any = _UNSET
    done: Any = None
    for value in column:
        if value is not last:
            last, done = value, process(value)
        result.append(done)
    return result


def _copy_rows(
    connection: sa.Connection, table: sa.Table, names: list[str], values: list[list[Any]]
) -> None:
    """PostgreSQL (psycopg 3): ``COPY`` the rows' ``values`` (:func:`_driver_rows`) into
    ``table``'s columns ``names``."""
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    statement = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in values:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as exc:
        # As SQLAlchemy raises it for an INSERT (IntegrityError, ...), so that callers
        # handle a failed write the same on every database.
        raise sqlalchemy_error(connection, exc, statement, None) from exc


def _insert_values(
    connection: sa.Connection, table: sa.Table, names: list[str], values: list[list[Any]]
) -> None:
    """SQLite: the rows' ``values`` (:func:`_driver_rows`) in multi-row ``INSERT ...
    VALUES`` statements, as many rows in each as SQLite's limit of bound values allows
    (through SQLAlchemy's connection: its events run, its errors are raised)."""
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in names)
    head = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES "
    one = "(" + ", ".join("?" * len(names)) + ")"
    per_statement = max(1, _sqlite_bound_values(connection) // len(names))
    for start in range(0, len(values), per_statement):
        part = values[start : start + per_statement]
        connection.exec_driver_sql(
            head + ", ".join([one] * len(part)), tuple(v for row in part for v in row)
        )


def _sqlite_bound_values(connection: sa.Connection) -> int:
    """The most values one SQLite statement may bind (``SQLITE_LIMIT_VARIABLE_NUMBER``:
    32,766 since SQLite 3.32, 999 before)."""
    driver = connection.connection.driver_connection
    return int(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))  # type: ignore[union-attr]


def _version_row(checked: CheckedItem, actor: User, now: Any) -> dict[str, Any]:
    prepared = checked.prepared
    assert prepared is not None
    return {
        "item_id": checked.item_id,
        "number": 1,
        "status": Status.DRAFT.value,
        "stem": prepared.stem,
        "content": prepared.content,
        "meta": prepared.metadata,
        "content_hash": prepared.content_hash,
        "search_text": prepared.search_text,
        "revision": 1,
        "created_by_id": actor.id,
        "created_at": now,
        "updated_by_id": actor.id,
        "updated_at": now,
    }


def _update_item(checked: CheckedItem, actor: User, plugins: PluginHost) -> None:
    """A new draft version (or an edit of the actor's own draft) through the core
    operations, with the same checks and audit events as by hand."""
    candidate, item = checked.candidate, checked.item
    assert item is not None and checked.version is not None
    if checked.outcome is Outcome.NEW_VERSION:
        draft = start_new_draft(item, actor=actor, from_number=checked.version.number)
    else:
        draft = checked.version
    draft = update_draft(
        draft,
        actor=actor,
        plugins=plugins,
        base_revision=draft.revision,
        stem=candidate.stem,
        content=candidate.content,
        metadata=candidate.metadata,
    )
    checked.result_version = draft.number
