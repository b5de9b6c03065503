"""Writing audit events. Every state change goes through :func:`record`."""

from __future__ import annotations

from typing import Any

from itembank.extensions import db
from itembank.models import AuditEvent, Bank, Item, ItemVersion, User


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
