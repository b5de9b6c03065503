"""Who may do what in a bank. Every domain operation calls these."""

from __future__ import annotations

import sqlalchemy as sa

from itembank.errors import NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import Bank, Membership, Role, User


def roles_in(user: User, bank: Bank) -> set[Role]:
    rows = db.session.scalars(
        sa.select(Membership.role).where(
            Membership.bank_id == bank.id, Membership.user_id == user.id
        )
    )
    return {Role(r) for r in rows}


def is_member(user: User, bank: Bank) -> bool:
    return user.is_admin or bool(roles_in(user, bank))


def ensure_visible(user: User, bank: Bank) -> None:
    """Non-members are told nothing exists, so a bank's existence does not leak."""
    if not is_member(user, bank):
        raise NotFound(f"no bank {bank.code!r}")


def require_role(user: User, bank: Bank, *roles: Role, doing: str) -> None:
    """Raise unless ``user`` holds one of ``roles`` in ``bank`` (global admins always do).

    Non-members get :class:`NotFound`; members without the role get
    :class:`PermissionDenied` naming the roles that may.
    """
    if not user.is_active:
        raise PermissionDenied("this account is disabled")
    if user.is_admin:
        return
    held = roles_in(user, bank)
    if not held:
        raise NotFound(f"no bank {bank.code!r}")
    if not held & set(roles):
        names = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"you need the role {names} in bank {bank.code} to {doing}")
