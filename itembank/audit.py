"""Writing audit events. Every state change goes through :func:`record`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent, Bank, Item, ItemVersion, User
from itembank.models._types import utcnow


def record(
    action: str,
    *,
    actor: User | None,
    bank: Bank | None = None,
    item: Item | None = None,
    version: ItemVersion | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    version_number: int | None = None,
    **data: Any,
) -> AuditEvent:
    if version is not None and item is None:
        item = version.item
    if item is not None and bank is None:
        bank = item.bank
    if item is not None and not object_type:
        object_type, object_id = "item", item.external_id
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor else None,
        bank_id=bank.id if bank else None,
        item_id=item.id if item else None,
        version_number=version.number if version else version_number,
        from_status=from_status,
        to_status=to_status,
        reason=reason or "",
        object_type=object_type,
        object_id=object_id,
        data=data,
    )
    db.session.add(event)
    return event


_INSERT = sa.insert(AuditEvent.__table__)  # type: ignore[arg-type]


def record_read_now(
    action: str,
    *,
    actor: User,
    bank_id: int,
    item_id: int,
    external_id: str,
    number: int,
    **data: Any,
) -> None:
    """:func:`record` of a read of an item's version, written at once with one INSERT
    in the request's transaction (no object for the session to flush at its commit:
    a read records one event and changes nothing else)."""
    db.session.connection().execute(
        _INSERT,
        {
            "created_at": utcnow(),
            "action": action,
            "actor_id": actor.id,
            "bank_id": bank_id,
            "item_id": item_id,
            "version_number": number,
            "from_status": None,
            "to_status": None,
            "reason": "",
            "object_type": "item",
            "object_id": external_id,
            "data": data,
        },
    )
