"""Personal API tokens: issuing them for a password, checking ``Authorization: Bearer``,
listing and revoking them, and locking out repeated failed logins.

A token is ``ibk_`` + 32 random bytes (URL-safe base64); only its SHA-256 is stored.
Failed password checks are kept in ``login_attempt``: after
``ITEMBANK_LOGIN_MAX_FAILURES`` failures for one account (or
``ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS`` from one client address) within
``ITEMBANK_LOGIN_WINDOW_SECONDS``, further attempts are refused with 429 until the
window has passed, without checking the password. Each failure also waits a little
longer than the one before (``ITEMBANK_LOGIN_DELAY_STEP`` seconds per earlier failure,
at most two seconds).
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, request
from werkzeug.security import check_password_hash, generate_password_hash

from itembank.api.errors import ApiError
from itembank.audit import record
from itembank.errors import InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import ApiToken, LoginAttempt, User
from itembank.models._types import utcnow

TOKEN_PREFIX = "ibk_"
DEFAULT_DAYS = 30
MAX_DAYS = 365
MAX_DELAY = 2.0

CONFIG_DEFAULTS = {
    "ITEMBANK_LOGIN_MAX_FAILURES": 5,
    "ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    "ITEMBANK_LOGIN_WINDOW_SECONDS": 15 * 60,
    "ITEMBANK_LOGIN_DELAY_STEP": 0.25,
}

_DUMMY_HASH: str | None = None
#: How stale ``ApiToken.last_used_at`` may get before a request updates it.
LAST_USED_PRECISION = timedelta(minutes=1)
#: Login attempts older than this many lockout windows are deleted.
ATTEMPTS_KEPT_WINDOWS = 4


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- issuing -------------------------------------------------------------------------------


def issue_token(
    username: str, password: str, *, name: str = "", days: int = DEFAULT_DAYS
) -> tuple[ApiToken, str]:
    """Check the password (with lockouts) and create a token; returns the stored token
    and the secret, which is shown once and never again."""
    user = check_credentials(username, password)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            f"a token lasts 1 to {MAX_DAYS} days",
            [
                {
                    "field": "expires_in_days",
                    "message": f"Masa berlaku token 1 sampai {MAX_DAYS} hari.",
                    "message_en": f"A token lasts 1 to {MAX_DAYS} days.",
                }
            ],
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        name=(name or "").strip()[:100],
        token_hash=hash_token(secret),
        prefix=secret[:12],
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    record(
        "token.create",
        actor=user,
        object_type="api_token",
        object_id=str(token.id),
        name=token.name,
        expires_at=token.expires_at.isoformat(),
    )
    return token, secret


def check_credentials(username: str, password: str) -> User:
    """The active user with this username and password, checked with the lockouts:
    every attempt is recorded; a failure is slowed and raises 401
    (``invalid_credentials``), a locked account or address 429 (``login_locked``,
    with ``retry_after`` seconds), a disabled account 403 (``account_disabled``).
    The API's tokens and the web UI's sign-in both use it."""
    username = (username or "").strip().lower()[:64]
    address = (request.remote_addr or "unknown")[:64]
    _refuse_if_locked(username, address)
    _prune_attempts()
    user = db.session.scalars(sa.select(User).where(User.username == username)).first()
    ok = _check_password(user, password)
    db.session.add(LoginAttempt(username=username, address=address, succeeded=ok))
    if not ok or user is None:
        failures = _recent_failures(LoginAttempt.username == username, reset_on_success=True)
        db.session.commit()  # the failure must count even though this request fails
        delay = min(failures * float(_config("ITEMBANK_LOGIN_DELAY_STEP")), MAX_DELAY)
        if delay > 0:
            time.sleep(delay)
        raise ApiError(401, "wrong username or password", code="invalid_credentials")
    if not user.is_active:
        raise ApiError(403, "this account is disabled", code="account_disabled")
    return user


def _check_password(user: User | None, password: str) -> bool:
    """Check the password; for unknown users check a dummy hash, so timing does not
    tell which usernames exist."""
    global _DUMMY_HASH
    if user is None or not user.password_hash:
        if _DUMMY_HASH is None:
            method = current_app.config.get("ITEMBANK_PASSWORD_METHOD", "scrypt")
            _DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method=method)
        check_password_hash(_DUMMY_HASH, password or "")
        return False
    return user.check_password(password or "")


def _config(name: str) -> int | float:
    return current_app.config.get(name, CONFIG_DEFAULTS[name])


def _recent_failures(condition: sa.ColumnElement[bool], *, reset_on_success: bool) -> int:
    """Failures matching ``condition`` in the window (since the last success, when a
    success resets the count: for an account, not for an address, where an attacker's
    own account would otherwise reset it)."""
    since = utcnow() - timedelta(seconds=int(_config("ITEMBANK_LOGIN_WINDOW_SECONDS")))
    if reset_on_success:
        last_success = db.session.scalar(
            sa.select(sa.func.max(LoginAttempt.created_at)).where(
                condition, LoginAttempt.succeeded.is_(True), LoginAttempt.created_at >= since
            )
        )
        if last_success is not None:
            since = max(since, last_success)
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginAttempt)
            .where(condition, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since)
        )
    )


def _prune_attempts() -> None:
    """Forget attempts far outside the lockout window, so the table stays small (the
    audit trail, not this table, is the long-term record of token creation)."""
    keep = timedelta(seconds=int(_config("ITEMBANK_LOGIN_WINDOW_SECONDS")) * ATTEMPTS_KEPT_WINDOWS)
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - keep))


def _refuse_if_locked(username: str, address: str) -> None:
    window = timedelta(seconds=int(_config("ITEMBANK_LOGIN_WINDOW_SECONDS")))
    for condition, limit, what, reset in (
        (
            LoginAttempt.username == username,
            int(_config("ITEMBANK_LOGIN_MAX_FAILURES")),
            "this account",
            True,
        ),
        (
            LoginAttempt.address == address,
            int(_config("ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS")),
            "your address",
            False,
        ),
    ):
        if _recent_failures(condition, reset_on_success=reset) < limit:
            continue
        # Locked until the limit-th newest failure leaves the window.
        oldest_counted = db.session.scalar(
            sa.select(LoginAttempt.created_at)
            .where(condition, LoginAttempt.succeeded.is_(False))
            .order_by(LoginAttempt.created_at.desc())
            .offset(limit - 1)
            .limit(1)
        )
        now = utcnow()
        until = (oldest_counted or now) + window
        seconds = max(1, math.ceil((until - now).total_seconds()))
        raise ApiError(
            429,
            f"too many failed logins for {what}; try again in {math.ceil(seconds / 60)} minutes",
            code="login_locked",
            headers={"Retry-After": str(seconds)},
            retry_after=seconds,
        )


# -- checking ---------------------------------------------------------------------------


def authenticate() -> User:
    """The user of the request's bearer token; 401 without a valid one."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise _unauthorized("send a token: Authorization: Bearer <token> (POST /api/v1/tokens)")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized(
            "use the Bearer scheme: Authorization: Bearer <token>", "invalid_request"
        )
    token = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret.strip()))
    ).first()
    if token is None or token.revoked_at is not None:
        raise _unauthorized("the token is unknown or revoked", "invalid_token")
    if not token.is_valid(utcnow()):
        raise _unauthorized(
            f"the token expired at {token.expires_at:%Y-%m-%d %H:%M} UTC", "invalid_token"
        )
    if not token.user.is_active:
        raise _unauthorized("this account is disabled", "invalid_token")
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        # At most one write a minute per token, so busy clients do not write every time.
        token.last_used_at = now
    g.api_token = token
    g.api_user = token.user
    return token.user


def _unauthorized(detail: str, error: str = "") -> ApiError:
    challenge = 'Bearer realm="itembank"' + (f', error="{error}"' if error else "")
    return ApiError(401, detail, code="unauthorized", headers={"WWW-Authenticate": challenge})


def current_user() -> User:
    user = g.get("api_user")
    return user if user is not None else authenticate()


# -- listing and revoking ------------------------------------------------------------------


def list_tokens(owner: User, *, actor: User) -> list[ApiToken]:
    """``owner``'s tokens that are not revoked (expired ones too, marked so)."""
    if owner.id != actor.id and not actor.is_admin:
        raise PermissionDenied("only administrators see other users' tokens")
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == owner.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(token_id: int, *, actor: User) -> ApiToken:
    """Revoke a token; its owner and administrators may (others are told it does not exist)."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.is_admin):
        raise NotFound(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by_id = actor.id
        db.session.flush()
        record(
            "token.revoke",
            actor=actor,
            object_type="api_token",
            object_id=str(token.id),
            owner=token.user.username,
        )
    return token


def is_expired(token: ApiToken, now: datetime | None = None) -> bool:
    return token.expires_at <= (now or utcnow())
