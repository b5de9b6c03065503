"""The web UI's sessions, kept on the server (:class:`itembank.models.UserSession`).

Signing in starts one and hands back a random id for the signed cookie; every request
checks that it exists, has not ended, has been used within
``ITEMBANK_SESSION_IDLE_MINUTES`` and is younger than ``ITEMBANK_SESSION_MAX_HOURS``.
Signing out ends it; a password change or reset and disabling the account end all of
the user's sessions (:mod:`itembank.operations.accounts`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context

from itembank.errors import PermissionDenied
from itembank.extensions import db
from itembank.models import User, UserSession
from itembank.models._types import utcnow

DEFAULT_IDLE_MINUTES = 60
DEFAULT_MAX_HOURS = 12
#: How stale ``UserSession.last_seen_at`` may get before a request updates it, so a busy
#: user does not cost a write on every request.
LAST_SEEN_PRECISION = timedelta(minutes=1)
#: Ended and expired sessions are deleted this long after they began.
KEPT_FOR = timedelta(days=30)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def idle_limit() -> timedelta:
    minutes = DEFAULT_IDLE_MINUTES
    if has_app_context():
        minutes = int(current_app.config.get("ITEMBANK_SESSION_IDLE_MINUTES", minutes))
    return timedelta(minutes=minutes)


def max_age() -> timedelta:
    hours = DEFAULT_MAX_HOURS
    if has_app_context():
        hours = int(current_app.config.get("ITEMBANK_SESSION_MAX_HOURS", hours))
    return timedelta(hours=hours)


def start_session(user: User, *, address: str = "", user_agent: str = "") -> str:
    """A new session of ``user``; returns the secret id the cookie keeps (only its
    hash is stored). Sessions that ended or expired long ago are deleted meanwhile."""
    db.session.execute(sa.delete(UserSession).where(UserSession.created_at < utcnow() - KEPT_FOR))
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            id_hash=_hash(secret),
            created_at=now,
            last_seen_at=now,
            address=(address or "")[:64],
            user_agent=(user_agent or "")[:200],
        )
    )
    db.session.flush()
    return secret


def live_session(secret: str, user: User, now: datetime | None = None) -> UserSession | None:
    """The session with this secret id if it is ``user``'s and still live: not ended,
    not idle too long, not too old. Marks it seen (at most once a minute)."""
    if not secret:
        return None
    found = db.session.scalars(
        sa.select(UserSession).where(UserSession.id_hash == _hash(secret))
    ).first()
    now = now or utcnow()
    if found is None or found.user_id != user.id or not is_live(found, now):
        return None
    if now - found.last_seen_at >= LAST_SEEN_PRECISION:
        found.last_seen_at = now
    return found


def is_live(found: UserSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        found.ended_at is None
        and now - found.last_seen_at <= idle_limit()
        and now - found.created_at <= max_age()
    )


def end_session(secret: str, *, reason: str = "logout") -> UserSession | None:
    """End the session with this secret id (signing out); None if there is none."""
    found = db.session.scalars(
        sa.select(UserSession).where(UserSession.id_hash == _hash(secret or ""))
    ).first()
    if found is not None and found.ended_at is None:
        found.ended_at = utcnow()
        found.end_reason = reason
        db.session.flush()
    return found


def end_user_sessions(user: User, *, reason: str) -> int:
    """End every session of ``user`` still open; returns how many were live."""
    now = utcnow()
    open_sessions = list(
        db.session.scalars(
            sa.select(UserSession).where(
                UserSession.user_id == user.id, UserSession.ended_at.is_(None)
            )
        )
    )
    live = sum(1 for found in open_sessions if is_live(found, now))
    for found in open_sessions:
        found.ended_at = now
        found.end_reason = reason
    db.session.flush()
    return live


def list_sessions(user: User, *, actor: User | None) -> list[UserSession]:
    """``user``'s live sessions, newest first (the user or an administrator may see
    them; ``actor`` None is the server's operator)."""
    if actor is not None and actor.id != user.id and not actor.is_admin:
        raise PermissionDenied("only administrators see other users' sessions")
    now = utcnow()
    found = db.session.scalars(
        sa.select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    )
    return [one for one in found if is_live(one, now)]


def live_session_counts() -> dict[int, int]:
    """How many live sessions each user has (users without one are left out)."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(UserSession.user_id, sa.func.count())
        .where(
            UserSession.ended_at.is_(None),
            UserSession.last_seen_at >= now - idle_limit(),
            UserSession.created_at >= now - max_age(),
        )
        .group_by(UserSession.user_id)
    )
    return {user_id: count for user_id, count in rows}
