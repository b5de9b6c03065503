"""Users, banks and memberships."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import ApiToken, Bank, Membership, Role, User
from itembank.models._types import utcnow
from itembank.operations.sessions import end_user_sessions

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
BANK_CODE_RE = re.compile(r"^[A-Z][A-Z0-9-]{1,23}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


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
    _check_new_password(password, "password")
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


def list_users(*, actor: User | None) -> list[User]:
    """Every user, by username (administrators only)."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only administrators list users")
    return list(db.session.scalars(sa.select(User).order_by(User.username)))


# -- passwords and disabling ------------------------------------------------------------------


class WrongPassword(InvalidInput):
    """The current password given to confirm a change is wrong (it counts as a failed
    sign-in for the lockouts: :func:`itembank.api.auth.counting_failures`)."""


@dataclass(frozen=True)
class AccountChange:
    """What a password change, reset or disabling did."""

    user: User
    sessions_ended: int
    tokens_revoked: int


def _check_new_password(password: str, field: str) -> None:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInput(
            f"the password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            [
                {
                    "field": field,
                    "message": f"Kata sandi harus {MIN_PASSWORD} sampai {MAX_PASSWORD} karakter.",
                    "message_en": f"The password must have {MIN_PASSWORD} to {MAX_PASSWORD} "
                    "characters.",
                }
            ],
        )


def _end_access(user: User, *, actor: User | None, reason: str) -> tuple[int, int]:
    """End all of ``user``'s web sessions and revoke all of their API tokens."""
    sessions = end_user_sessions(user, reason=reason)
    now = utcnow()
    tokens = list(
        db.session.scalars(
            sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )
    for token in tokens:
        token.revoked_at = now
        token.revoked_by_id = actor.id if actor is not None else None
    db.session.flush()
    return sessions, len(tokens)


def change_password(
    user: User, current_password: str, new_password: str, *, actor: User
) -> AccountChange:
    """``user`` changes their own password, confirming the current one. Ends all of
    their sessions and revokes all of their API tokens (the caller may start a fresh
    session for the one in use)."""
    if actor.id != user.id:
        raise PermissionDenied("only the user changes their own password; administrators reset it")
    if not user.is_active:
        raise PermissionDenied("this account is disabled")
    if not user.check_password(current_password or ""):
        raise WrongPassword(
            "the current password is wrong",
            [
                {
                    "field": "current_password",
                    "message": "Kata sandi saat ini salah.",
                    "message_en": "The current password is wrong.",
                }
            ],
        )
    _check_new_password(new_password, "new_password")
    if new_password == current_password:
        raise InvalidInput(
            "the new password is the current one",
            [
                {
                    "field": "new_password",
                    "message": "Kata sandi baru sama dengan yang lama.",
                    "message_en": "The new password is the same as the current one.",
                }
            ],
        )
    return _set_password(user, new_password, actor=actor, change="password_change")


def reset_password(user: User, new_password: str, *, actor: User | None) -> AccountChange:
    """An administrator (or the server's operator, ``actor`` None) sets ``user``'s
    password. Ends all of their sessions and revokes all of their API tokens."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only administrators reset passwords")
    if actor is not None and actor.id == user.id:
        # Otherwise a stolen administrator's session could set a new password without
        # knowing the current one.
        raise PermissionDenied("change your own password with the current one, not by a reset")
    _check_new_password(new_password, "new_password")
    return _set_password(user, new_password, actor=actor, change="password_reset")


def _set_password(
    user: User, new_password: str, *, actor: User | None, change: str
) -> AccountChange:
    """Set a checked password, end ``user``'s sessions and tokens, record ``user.<change>``."""
    user.set_password(new_password)
    sessions, tokens = _end_access(user, actor=actor, reason=change)
    record(
        f"user.{change}",
        actor=actor,
        object_type="user",
        object_id=user.username,
        sessions_ended=sessions,
        tokens_revoked=tokens,
    )
    return AccountChange(user, sessions, tokens)


def disable_user(user: User, *, actor: User | None, reason: str = "") -> AccountChange:
    """An administrator (or the operator) disables ``user``: they can no longer sign
    in; all of their sessions end and all of their API tokens are revoked."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only administrators disable users")
    if actor is not None and actor.id == user.id:
        raise PermissionDenied("nobody may disable their own account")
    was_active = user.is_active
    user.is_active = False
    sessions, tokens = _end_access(user, actor=actor, reason="disabled")
    if was_active or sessions or tokens:
        record(
            "user.disable",
            actor=actor,
            object_type="user",
            object_id=user.username,
            reason=(reason or "").strip()[:500],
            sessions_ended=sessions,
            tokens_revoked=tokens,
        )
    return AccountChange(user, sessions, tokens)


def enable_user(user: User, *, actor: User | None) -> User:
    """An administrator (or the operator) enables a disabled ``user`` again (their
    old sessions and tokens stay ended)."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied("only administrators enable users")
    if not user.is_active:
        user.is_active = True
        db.session.flush()
        record("user.enable", actor=actor, object_type="user", object_id=user.username)
    return user


def end_sessions(user: User, *, actor: User | None) -> AccountChange:
    """End all of ``user``'s web sessions and revoke their API tokens without changing
    anything else (a lost laptop): the user or an administrator, or the operator."""
    if actor is not None and actor.id != user.id and not actor.is_admin:
        raise PermissionDenied("only administrators end other users' sessions")
    sessions, tokens = _end_access(user, actor=actor, reason="ended")
    record(
        "user.sessions_end",
        actor=actor,
        object_type="user",
        object_id=user.username,
        sessions_ended=sessions,
        tokens_revoked=tokens,
    )
    return AccountChange(user, sessions, tokens)


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


def update_bank_settings(
    bank: Bank,
    *,
    actor: User,
    required_approvals: int | None = None,
    writing_rules: dict[str, Any] | None = None,
    review_checklist: Any = None,
    answer_key_from_drafts: bool | None = None,
    statistics_thresholds: dict[str, Any] | None = None,
) -> Bank:
    """Change the bank's required approvals, its writing rules
    (:mod:`itembank.operations.quality`), its review checklist
    (:mod:`itembank.operations.review_checklist`: ``True`` for the standard one,
    ``False`` for none, or a list of criteria), whether answer keys of draft forms are
    given out and/or its statistics flag thresholds
    (:mod:`itembank.operations.flag_thresholds`; names left out take their defaults);
    ``None`` leaves a setting as it is.
    Versions already submitted keep the approvals count they were submitted under
    (``ItemVersion.required_approvals``); new writing rules apply from the next save or
    submission (versions in review are not checked again)."""
    from itembank.operations.quality import load_writing_rules

    require_role(actor, bank, Role.BANK_ADMIN, doing="change bank settings")
    changes: dict[str, Any] = {}
    settings = dict(bank.settings or {})
    if required_approvals is not None:
        if (
            isinstance(required_approvals, bool)
            or not isinstance(required_approvals, int)
            or not 1 <= required_approvals <= 10
        ):
            raise InvalidInput(
                "required approvals must be a whole number from 1 to 10",
                [
                    {
                        "field": "required_approvals",
                        "message": "Jumlah persetujuan harus bilangan bulat dari 1 sampai 10.",
                        "message_en": "Required approvals must be a whole number from 1 to 10.",
                    }
                ],
            )
        changes["required_approvals"] = {"from": bank.required_approvals, "to": required_approvals}
        settings["required_approvals"] = required_approvals
    if writing_rules is not None:
        rules = load_writing_rules(writing_rules)
        changes["writing_rules"] = {"from": bank.setting("writing_rules") or {}, "to": rules}
        settings["writing_rules"] = rules
    if review_checklist is not None:
        from itembank.operations.review_checklist import load_checklist

        criteria = load_checklist(review_checklist)
        old_codes = [c.get("code") for c in bank.setting("review_checklist") or []]
        changes["review_checklist"] = {"from": old_codes, "to": [c["code"] for c in criteria]}
        settings["review_checklist"] = criteria
    if answer_key_from_drafts is not None:
        if not isinstance(answer_key_from_drafts, bool):
            raise InvalidInput(
                "answer_key_from_drafts must be true or false",
                [
                    {
                        "field": "answer_key_from_drafts",
                        "message": "Harus ya atau tidak (true atau false).",
                        "message_en": "Must be true or false.",
                    }
                ],
            )
        changes["answer_key_from_drafts"] = {
            "from": bool(bank.setting("answer_key_from_drafts")),
            "to": answer_key_from_drafts,
        }
        settings["answer_key_from_drafts"] = answer_key_from_drafts
    if statistics_thresholds is not None:
        from itembank.operations.flag_thresholds import bank_thresholds, load_thresholds

        thresholds = load_thresholds(statistics_thresholds)
        changes["statistics_thresholds"] = {"from": bank_thresholds(bank), "to": thresholds}
        settings["statistics_thresholds"] = thresholds
    if not changes:
        raise InvalidInput(
            "nothing to change: give required_approvals, writing_rules, review_checklist, "
            "answer_key_from_drafts or statistics_thresholds"
        )
    bank.settings = settings
    db.session.flush()
    record(
        "bank.settings",
        actor=actor,
        bank=bank,
        object_type="bank",
        object_id=bank.code,
        **changes,
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
