"""Users, banks and memberships."""

from __future__ import annotations

import re

import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import Bank, Membership, Role, User

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
BANK_CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,23}$")
MIN_PASSWORD = 8


def create_user(
    username: str,
    password: str,
    *,
    actor: User | None,
    display_name: str = "",
    email: str | None = None,
    is_admin: bool = False,
) -> User:
    """Create a user. ``actor`` None means the system itself (CLI, demo loader)."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only administrators create users")
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise InvalidInput(
            f"username {username!r} must be 2-64 characters: "
            "lowercase letters, digits, '.', '_' or '-'"
        )
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(
        username=username, display_name=display_name.strip(), email=email, is_admin=is_admin
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record("user.create", actor=actor, object_type="user", object_id=username, is_admin=is_admin)
    return user


def get_user(username: str) -> User:
    user = db.session.scalars(
        sa.select(User).where(User.username == (username or "").lower())
    ).first()
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def create_bank(
    code: str,
    name: str,
    *,
    actor: User | None,
    language: str = "id",
    required_approvals: int = 1,
) -> Bank:
    """Create a bank. Only global administrators (or the system) may."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only administrators create banks")
    code = (code or "").strip().upper()
    if not BANK_CODE_RE.match(code):
        raise InvalidInput(
            f"bank code {code!r} must be 2-24 characters: capital letters, digits and '-', "
            "starting with a letter"
        )
    name = (name or "").strip()
    if not name:
        raise InvalidInput("the bank needs a name")
    if not isinstance(required_approvals, int) or not 1 <= required_approvals <= 10:
        raise InvalidInput("required approvals must be a whole number from 1 to 10")
    if db.session.scalar(sa.select(Bank.id).where(Bank.code == code)) is not None:
        raise Conflict(f"bank {code!r} already exists")
    bank = Bank(
        code=code, name=name, language=language, settings={"required_approvals": required_approvals}
    )
    db.session.add(bank)
    db.session.flush()
    record(
        "bank.create",
        actor=actor,
        bank=bank,
        object_type="bank",
        object_id=code,
        required_approvals=required_approvals,
    )
    return bank


def get_bank(code: str) -> Bank:
    bank = db.session.scalars(sa.select(Bank).where(Bank.code == (code or "").upper())).first()
    if bank is None:
        raise NotFound(f"no bank {code!r}")
    return bank


def update_bank_settings(bank: Bank, *, actor: User, required_approvals: int) -> Bank:
    """Change the bank's required approvals; versions already submitted keep the count
    they were submitted under (``ItemVersion.required_approvals``)."""
    require_role(actor, bank, Role.BANK_ADMIN, doing="change bank settings")
    if not isinstance(required_approvals, int) or not 1 <= required_approvals <= 10:
        raise InvalidInput("required approvals must be a whole number from 1 to 10")
    old = bank.required_approvals
    bank.settings = {**(bank.settings or {}), "required_approvals": required_approvals}
    db.session.flush()
    record(
        "bank.settings",
        actor=actor,
        bank=bank,
        object_type="bank",
        object_id=bank.code,
        required_approvals={"from": old, "to": required_approvals},
    )
    return bank


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {role!r}; roles are: {names}") from None


def add_member(bank: Bank, user: User, role: Role | str, *, actor: User | None) -> Membership:
    role = parse_role(role) if isinstance(role, str) else role
    if actor is not None:
        require_role(actor, bank, Role.BANK_ADMIN, doing="manage members")
        if actor.id == user.id:
            raise PermissionDenied(
                "nobody may grant themself a role; another bank admin or an administrator "
                "must do it"
            )
    existing = db.session.scalars(
        sa.select(Membership).where(
            Membership.bank_id == bank.id,
            Membership.user_id == user.id,
            Membership.role == role.value,
        )
    ).first()
    if existing is not None:
        raise Conflict(f"{user.username} is already {role.value} in {bank.code}")
    membership = Membership(bank=bank, user=user, role=role.value)
    db.session.add(membership)
    db.session.flush()
    record(
        "member.add",
        actor=actor,
        bank=bank,
        object_type="user",
        object_id=user.username,
        role=role.value,
    )
    return membership


def remove_member(bank: Bank, user: User, role: Role | str, *, actor: User | None) -> None:
    role = parse_role(role) if isinstance(role, str) else role
    if actor is not None:
        require_role(actor, bank, Role.BANK_ADMIN, doing="manage members")
    membership = db.session.scalars(
        sa.select(Membership).where(
            Membership.bank_id == bank.id,
            Membership.user_id == user.id,
            Membership.role == role.value,
        )
    ).first()
    if membership is None:
        raise NotFound(f"{user.username} is not {role.value} in {bank.code}")
    db.session.delete(membership)
    db.session.flush()
    record(
        "member.remove",
        actor=actor,
        bank=bank,
        object_type="user",
        object_id=user.username,
        role=role.value,
    )
