"""The API's read of one item (``GET /items/{id}``): the item, the version the reader
sees as its latest and what the answer shows of them, in one statement of plain columns.

The same rules as :func:`itembank.operations.reads.readable_item`: non-members (other
than administrators) are told nothing exists; a reader whose only role in the bank is
assembler sees the approved version (and no item without one), everyone else the
newest. Both are decided in the statement itself (the reader's memberships are joined
to it), which reads only the columns :class:`itembank.api.schemas.ItemOut` shows, the
people's usernames, the reviews and the bank's content stamp
(:mod:`itembank.content_stamp`). The answer is made of plain objects with the
attributes the schema reads, so it dumps exactly as the ORM objects do; building those
(seven objects and their identity map) cost more than everything else in the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from itembank.content_stamp import remember_fresh
from itembank.errors import NotFound
from itembank.extensions import db
from itembank.models import (
    Bank,
    Item,
    ItemVersion,
    Membership,
    Passage,
    PassageVersion,
    Review,
    Role,
    User,
)
from itembank.workflow import Status

_VERSION = aliased(ItemVersion, name="shown_version")
_APPROVED = aliased(ItemVersion, name="approved_version")
_BASED_ON = aliased(ItemVersion, name="based_on_version")
_ITEM_CREATOR = aliased(User, name="item_creator")
_CREATOR = aliased(User, name="version_creator")
_UPDATER = aliased(User, name="version_updater")
_SUBMITTER = aliased(User, name="version_submitter")
_REVIEWER = aliased(User, name="reviewer")


def item_query(
    *, admin: bool | sa.ColumnElement[bool], actor_id: Any = None, start: Any = None
) -> sa.Select[Any]:
    """The statement, for an administrator or not (``admin``: a bool, or a column when
    the reader is read in the same statement); the item's ``external_id`` and the
    reader's ``actor_id`` (or a column) are its parameters (built once: building it
    took as long as running it). ``start``: (what, condition), the rows the item is
    joined to (the reader's token, :mod:`itembank.api.item_read`), which then leads
    the rows, one for each review, rather than orders them."""
    if actor_id is None:
        actor_id = sa.bindparam("actor_id", type_=sa.Integer)
    member = sa.exists().where(Membership.bank_id == Item.bank_id, Membership.user_id == actor_id)
    if admin is True:
        newest: Any = sa.true()
        visible: Any = sa.true()
        shown_id: Any = Item.newest_version_id
    else:
        # Any role but assembler: the newest version; assembler alone: the approved one.
        newest = sa.exists().where(
            Membership.bank_id == Item.bank_id,
            Membership.user_id == actor_id,
            Membership.role != Role.ASSEMBLER.value,
        )
        visible = member
        if admin is not False:
            newest, visible = sa.or_(admin, newest), sa.or_(admin, visible)
        shown_id = sa.case((newest, Item.newest_version_id), else_=Item.approved_version_id)
    by_id = Item.external_id == sa.bindparam("external_id", type_=sa.String)
    query = sa.select(
        visible.label("visible"),
        newest.label("sees_newest"),
        Item.id,
        Item.bank_id,
        Item.external_id,
        Item.item_type,
        Item.created_at,
        Item.updated_at,
        Item.retired_at,
        Item.approved_version_id,
        Item.newest_version_id,
        Bank.code.label("bank_code"),
        Bank.content_stamp,
        _ITEM_CREATOR.username.label("item_created_by"),
        _APPROVED.number.label("approved_number"),
        _VERSION.id.label("version_id"),
        _VERSION.number,
        _VERSION.status,
        _VERSION.revision,
        _VERSION.content_hash,
        _VERSION.stem,
        _VERSION.content,
        _VERSION.meta.label("meta"),
        _VERSION.created_at.label("version_created_at"),
        _VERSION.updated_at.label("version_updated_at"),
        _VERSION.submitted_at,
        _VERSION.required_approvals,
        _VERSION.decided_at,
        _BASED_ON.number.label("based_on_number"),
        _CREATOR.username.label("created_by"),
        _UPDATER.username.label("updated_by"),
        _SUBMITTER.username.label("submitted_by"),
        Passage.external_id.label("passage_id"),
        PassageVersion.number.label("passage_number"),
        _REVIEWER.username.label("reviewer"),
        Review.decision,
        Review.comment,
        Review.checklist,
        Review.created_at.label("review_created_at"),
    ).select_from(start[0] if start else Item)
    if start:
        query = query.join(Item, sa.and_(start[1], by_id))
    query = (
        query.join(Bank, Bank.id == Item.bank_id)
        .join(_ITEM_CREATOR, _ITEM_CREATOR.id == Item.created_by_id)
        .outerjoin(_APPROVED, _APPROVED.id == Item.approved_version_id)
        .outerjoin(_VERSION, _VERSION.id == shown_id)
        .outerjoin(_BASED_ON, _BASED_ON.id == _VERSION.based_on_id)
        .outerjoin(_CREATOR, _CREATOR.id == _VERSION.created_by_id)
        .outerjoin(_UPDATER, _UPDATER.id == _VERSION.updated_by_id)
        .outerjoin(_SUBMITTER, _SUBMITTER.id == _VERSION.submitted_by_id)
        .outerjoin(PassageVersion, PassageVersion.id == _VERSION.passage_version_id)
        .outerjoin(Passage, Passage.id == PassageVersion.passage_id)
        .outerjoin(Review, Review.version_id == _VERSION.id)
        .outerjoin(_REVIEWER, _REVIEWER.id == Review.reviewer_id)
    )
    if start:
        return query.add_columns(Review.id.label("review_id"))
    return query.where(by_id).order_by(Review.id)


_QUERIES = {admin: item_query(admin=admin) for admin in (False, True)}


def _user(username: str | None) -> SimpleNamespace | None:
    return None if username is None else SimpleNamespace(username=username)


def _numbered(number: int | None) -> SimpleNamespace | None:
    """A version the answer names by its number (the approved one, the one it is based on)."""
    return None if number is None else SimpleNamespace(number=number)


def shown_item(external_id: str, *, actor: User) -> tuple[Any, Any] | None:
    """(item, version) as :func:`~itembank.operations.reads.readable_item` would give
    them, as plain objects with what the answer shows; NotFound as it raises it. None
    for an item without a newest version recorded (the ORM read then finds it)."""
    rows = db.session.execute(
        _QUERIES[bool(actor.is_admin)], {"external_id": external_id, "actor_id": actor.id}
    ).all()
    return from_rows(rows, external_id)


def from_rows(rows: Sequence[Any], external_id: str) -> tuple[Any, Any] | None:
    """:func:`shown_item`'s answer from the rows of its statement (none: no such item)."""
    if not rows or not rows[0].visible:
        raise NotFound(f"no item {external_id!r}")
    row = rows[0]
    if not row.sees_newest:
        if row.version_id is None or row.status != Status.APPROVED.value:
            raise NotFound(f"no item {external_id!r}")
    elif row.version_id is None:
        return None  # no newest version recorded: the ORM read finds the latest
    remember_fresh(db.session, row.bank_id, row.content_stamp)
    item = SimpleNamespace(
        id=row.id,
        bank_id=row.bank_id,
        external_id=row.external_id,
        bank=SimpleNamespace(code=row.bank_code),
        item_type=row.item_type,
        created_by=SimpleNamespace(username=row.item_created_by),
        created_at=row.created_at,
        updated_at=row.updated_at,
        retired_at=row.retired_at,
        approved_version=_numbered(row.approved_number),
    )
    version = SimpleNamespace(
        id=row.version_id,
        item=item,
        number=row.number,
        status=row.status,
        revision=row.revision,
        content_hash=row.content_hash,
        based_on=_numbered(row.based_on_number),
        created_by=_user(row.created_by),
        created_at=row.version_created_at,
        updated_by=_user(row.updated_by),
        updated_at=row.version_updated_at,
        submitted_by=_user(row.submitted_by),
        submitted_at=row.submitted_at,
        required_approvals=row.required_approvals,
        decided_at=row.decided_at,
        reviews=[
            SimpleNamespace(
                reviewer=_user(r.reviewer),
                decision=r.decision,
                comment=r.comment,
                checklist=r.checklist,
                created_at=r.review_created_at,
            )
            for r in rows
            if r.decision is not None
        ],
        passage_version=(
            None
            if row.passage_id is None
            else SimpleNamespace(
                passage=SimpleNamespace(external_id=row.passage_id), number=row.passage_number
            )
        ),
        stem=row.stem,
        content=row.content,
        meta=row.meta,
    )
    return item, version
