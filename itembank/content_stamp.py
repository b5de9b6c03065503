"""A bank's content stamp: a number that changes in every transaction that changes what a
draft's checks read in the bank, so that their results can be remembered by it.

A draft's problems (:func:`itembank.operations.items.draft_problems`) read the bank (its
code and settings), its media, the taxonomies it sees and the passage version the draft
pins; its similar items (:func:`itembank.operations.similarity.similar_to_version`) read
the newest versions of the bank's other items. :attr:`Bank.content_stamp
<itembank.models.Bank.content_stamp>` is raised by one, just before the commit, in every
transaction that wrote one of those tables for the bank, as seen by the session: flushed
objects (:data:`STAMPED`) name their bank; a bulk statement through the session on one
of those tables names it in its execution options (:data:`BANK_OPTION`), or raises the
stamp of every bank, as a shared taxonomy does. The raise is the
transaction's last statement, so the bank row stays locked only until its commit.

The stamp is read in the same statement as the item it is used for
(:func:`remember_fresh`), and commits with the data it describes, so a result
remembered under (version, stamp) describes the bank as of that stamp or later: never an
older state. Writes that bypass the session (SQL typed into a console, a data migration
while the app runs) do not raise it: restart the app after them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from itembank.models import (
    Bank,
    Item,
    ItemVersion,
    Media,
    Passage,
    PassageVersion,
    TaxonomyNode,
    TaxonomyRecord,
)

#: The tables whose rows a draft's checks read.
STAMPED = (Bank, Item, ItemVersion, Media, TaxonomyRecord, TaxonomyNode, Passage, PassageVersion)
_TABLES = frozenset(model.__tablename__ for model in STAMPED)

#: ``session.info`` keys: what this transaction changed, and the stamps read in it.
_CHANGED = "itembank.content_stamp.changed"
_FRESH = "itembank.content_stamp.fresh"
#: The execution option naming the one bank a bulk statement writes in (without it, a
#: bulk statement on a stamped table raises every bank's stamp).
BANK_OPTION = "itembank_bank_id"
#: Set while the stamp itself is raised (that statement changes nothing checked).
_RAISING = "itembank.content_stamp.raising"


class _Changes:
    """Whose stamps this transaction raises: banks by id, or through an item, a
    taxonomy or a passage id; ``every`` for all banks."""

    def __init__(self) -> None:
        self.banks: set[int] = set()
        self.items: set[int] = set()
        self.taxonomies: set[int] = set()
        self.passages: set[int] = set()
        self.every = False

    def note(self, obj: Any) -> None:
        loaded = sa.inspect(obj).dict  # no lazy load in a flush
        if isinstance(obj, Bank):
            self._add(self.banks, loaded.get("id"))
        elif isinstance(obj, Item | Passage | Media):
            self._add(self.banks, loaded.get("bank_id"))
        elif isinstance(obj, ItemVersion):
            self._add(self.items, loaded.get("item_id"))
        elif isinstance(obj, PassageVersion):
            self._add(self.passages, loaded.get("passage_id"))
        elif isinstance(obj, TaxonomyRecord):
            if "bank_id" not in loaded or loaded["bank_id"] is None:
                self.every = True  # a shared taxonomy: every bank sees it
            else:
                self.banks.add(loaded["bank_id"])
        elif isinstance(obj, TaxonomyNode):
            self._add(self.taxonomies, loaded.get("taxonomy_id"))

    def _add(self, ids: set[int], value: int | None) -> None:
        if value is None:
            self.every = True
        else:
            ids.add(value)

    def __bool__(self) -> bool:
        return bool(self.every or self.banks or self.items or self.taxonomies or self.passages)


def in_bank(bank_id: int | None) -> dict[str, Any]:
    """Execution options for a bulk statement that writes in one bank (``None``: say
    nothing, so every bank's stamp is raised)."""
    return {} if bank_id is None else {BANK_OPTION: bank_id}


def _changes(session: Session) -> _Changes:
    found = session.info.get(_CHANGED)
    if found is None:
        found = session.info[_CHANGED] = _Changes()
    return found  # type: ignore[no-any-return]


def _after_flush(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, STAMPED):
            _changes(session).note(obj)


def _do_orm_execute(state: Any) -> None:
    if state.session.info.get(_RAISING) or not (
        state.is_insert or state.is_update or state.is_delete
    ):
        return
    table = getattr(state.statement, "table", None)
    note_bulk_write(state.session, getattr(table, "name", None), state.execution_options)


def note_bulk_write(session: Session, table: str | None, options: dict[str, Any]) -> None:
    """Note a bulk write on ``table`` through ``session`` (its execution ``options`` may
    name the bank, :func:`in_bank`); for a write that bypasses ``session.execute``, as a
    PostgreSQL ``COPY`` does, call it directly."""
    if table in _TABLES:
        bank_id = options.get(BANK_OPTION)
        if bank_id is None:
            _changes(session).every = True
        else:
            _changes(session).banks.add(bank_id)


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush comes after this event
    changes = session.info.pop(_CHANGED, None)
    session.info.pop(_FRESH, None)
    if not changes:
        return
    if changes.every:
        which: sa.ColumnElement[bool] = sa.true()
    else:
        conditions: list[sa.ColumnElement[bool]] = []
        if changes.banks:
            conditions.append(Bank.id.in_(sorted(changes.banks)))
        if changes.items:
            conditions.append(
                Bank.id.in_(sa.select(Item.bank_id).where(Item.id.in_(sorted(changes.items))))
            )
        if changes.passages:
            conditions.append(
                Bank.id.in_(
                    sa.select(Passage.bank_id).where(Passage.id.in_(sorted(changes.passages)))
                )
            )
        if changes.taxonomies:
            owners = session.execute(
                sa.select(TaxonomyRecord.id, TaxonomyRecord.bank_id).where(
                    TaxonomyRecord.id.in_(sorted(changes.taxonomies))
                )
            ).all()
            if len(owners) < len(changes.taxonomies) or any(b is None for _, b in owners):
                conditions.append(sa.true())  # a shared (or vanished) taxonomy
            else:
                conditions.append(Bank.id.in_(sorted({b for _, b in owners})))
        which = sa.or_(*conditions)
    # Locked in the order of their ids, so two transactions never wait on each other;
    # FOR NO KEY UPDATE (what an UPDATE of a non-key column takes anyway), not FOR
    # UPDATE: the latter also waits for the KEY SHARE locks that other transactions'
    # inserts referencing the bank hold (an import batch, an audit row), while this
    # transaction may hold the bank row they wait for (a reserved item number): a
    # deadlock, seen with two workers importing into one bank.
    locked = sa.select(Bank.id).where(which).order_by(Bank.id).with_for_update(key_share=True)
    session.info[_RAISING] = True
    try:
        session.execute(
            sa.update(Bank)
            .where(Bank.id.in_(locked.scalar_subquery()))
            .values(content_stamp=Bank.content_stamp + 1)
            .execution_options(synchronize_session=False)
        )
    finally:
        session.info.pop(_RAISING, None)
    for obj in session.identity_map.values():
        if isinstance(obj, Bank):
            session.expire(obj, ["content_stamp"])


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_CHANGED, None)
    session.info.pop(_FRESH, None)


def _after_soft_rollback(session: Session, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction (not a savepoint) rolled back
        _forget(session)


def remember_fresh(session: Session, bank_id: int, stamp: int) -> None:
    """Note that ``stamp`` was read for ``bank_id`` in this transaction, with the rows
    it will be used for."""
    fresh = session.info.get(_FRESH)
    if fresh is None:
        fresh = session.info[_FRESH] = {}
    fresh[bank_id] = stamp


def fresh_stamp(session: Session, bank_id: int) -> int | None:
    """The stamp of ``bank_id`` read in this transaction (:func:`remember_fresh`), or
    None: not read, or this transaction has written what the stamp covers (its result
    is then not the committed state's)."""
    stamp = session.info.get(_FRESH, {}).get(bank_id)
    if stamp is None or session.info.get(_CHANGED):
        return None
    if any(isinstance(obj, STAMPED) for obj in (*session.new, *session.dirty, *session.deleted)):
        return None
    return stamp  # type: ignore[no-any-return]


def init_stamps() -> None:
    """Listen to every session (once per process)."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _forget)
    event.listen(Session, "after_soft_rollback", _after_soft_rollback)
