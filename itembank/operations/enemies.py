"""Enemy pairs: two items of a bank that must not appear in the same form (clones, or
one gives away the other's answer). A form's validation report flags a form that holds
both; locking it is refused.

Any author, reviewer, assembler or bank admin of the bank may mark or unmark a pair (the
people who notice clones and give-aways); every member sees them. A pair is stored once,
whichever order its items were given in.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from itembank.access import ensure_visible, require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import Bank, EnemyPair, Item, Role, User

MARKING_ROLES = (Role.AUTHOR, Role.REVIEWER, Role.ASSEMBLER, Role.BANK_ADMIN)
MAX_REASON = 2000
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _invalid(field: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(
        message_en, [{"field": field, "message": message, "message_en": message_en}]
    )


def mark_enemies(first: Item, second: Item, *, actor: User, reason: str = "") -> EnemyPair:
    bank = first.bank
    require_role(actor, bank, *MARKING_ROLES, doing="mark enemy items")
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON or CONTROL_RE.search(reason):
        raise _invalid(
            "reason",
            f"Alasan paling banyak {MAX_REASON} karakter, tanpa karakter kendali.",
            f"The reason is at most {MAX_REASON} characters, without control characters.",
        )
    if second.bank_id != first.bank_id:
        raise _invalid(
            "items",
            f"Butir {first.external_id} dan {second.external_id} tidak dalam bank yang sama.",
            f"Items {first.external_id} and {second.external_id} are not in the same bank.",
        )
    if first.id == second.id:
        raise _invalid(
            "items",
            "Sebuah butir tidak dapat dipasangkan dengan dirinya sendiri.",
            "An item cannot be its own enemy.",
        )
    low, high = sorted((first, second), key=lambda item: item.id)
    existing = db.session.scalars(
        sa.select(EnemyPair).where(
            EnemyPair.item_low_id == low.id, EnemyPair.item_high_id == high.id
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"items {low.external_id} and {high.external_id} are already marked as enemies "
            f"(pair {existing.id})",
            pair=existing.id,
        )
    pair = EnemyPair(bank=bank, item_low=low, item_high=high, reason=reason, created_by_id=actor.id)
    db.session.add(pair)
    db.session.flush()
    record(
        "enemy.mark",
        actor=actor,
        bank=bank,
        object_type="enemy_pair",
        object_id=str(pair.id),
        reason=reason,
        items=[low.external_id, high.external_id],
    )
    return pair


def get_pair(bank: Bank, pair_id: int, *, actor: User) -> EnemyPair:
    ensure_visible(actor, bank)
    pair = db.session.get(EnemyPair, pair_id)
    if pair is None or pair.bank_id != bank.id:
        raise NotFound(f"bank {bank.code} has no enemy pair {pair_id}")
    return pair


def unmark_enemies(pair: EnemyPair, *, actor: User) -> None:
    bank = pair.bank
    require_role(actor, bank, *MARKING_ROLES, doing="unmark enemy items")
    items = [pair.item_low.external_id, pair.item_high.external_id]
    pair_id = pair.id
    db.session.delete(pair)
    db.session.flush()
    record(
        "enemy.unmark",
        actor=actor,
        bank=bank,
        object_type="enemy_pair",
        object_id=str(pair_id),
        items=items,
    )


def list_enemies(bank: Bank, *, actor: User, item: Item | None = None) -> list[EnemyPair]:
    ensure_visible(actor, bank)
    query = sa.select(EnemyPair).where(EnemyPair.bank_id == bank.id)
    if item is not None:
        query = query.where(
            sa.or_(EnemyPair.item_low_id == item.id, EnemyPair.item_high_id == item.id)
        )
    return list(db.session.scalars(query.order_by(EnemyPair.id)))
