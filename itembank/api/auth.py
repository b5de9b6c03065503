"""Personal API tokens: issuing them for a password, checking ``Authorization: Bearer``,
listing and revoking them, and holding off repeated failed logins.

A token is ``ibk_`` + 32 random bytes (URL-safe base64); only its SHA-256 is stored.

Every password check (here, at the web UI's sign-in and when confirming a password
change) is recorded in ``login_attempt`` with the client address, which is the socket's
unless ``ITEMBANK_PROXY_HOPS`` trusted proxies say otherwise (``itembank.app``). Within
``ITEMBANK_LOGIN_WINDOW_SECONDS``, an attempt is refused with 429 and ``Retry-After``,
without checking the password, when:

- one address has failed ``ITEMBANK_LOGIN_MAX_FAILURES`` times for one account (since
  that address's last success for it): locked until the oldest counted failure leaves
  the window. Other addresses, and other accounts from the same address, go on;
- one account has failed ``ITEMBANK_LOGIN_BACKOFF_AFTER`` times or more from anywhere
  (since its last success): each further attempt waits ``ITEMBANK_LOGIN_BACKOFF_SECONDS``
  after the newest failure, doubling with every further failure, at most
  ``ITEMBANK_LOGIN_BACKOFF_MAX_SECONDS``: guessing spread over many addresses slows
  down, but the account's owner is never locked out for long;
- one address has failed ``ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS`` times over all
  accounts (0: no such limit), which only password spraying reaches.

Nothing sleeps in the worker: a refused attempt is answered at once. The start of each
lockout or backoff is recorded once in the audit trail (``login.locked``,
``login.backoff``).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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

CONFIG_DEFAULTS = {
    "ITEMBANK_LOGIN_MAX_FAILURES": 5,
    "ITEMBANK_LOGIN_BACKOFF_AFTER": 10,
    "ITEMBANK_LOGIN_BACKOFF_SECONDS": 1,
    "ITEMBANK_LOGIN_BACKOFF_MAX_SECONDS": 300,
    "ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS": 100,
    "ITEMBANK_LOGIN_WINDOW_SECONDS": 15 * 60,
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


def client_address() -> str:
    """The request's client address as the lockouts count it: the socket's, or the one
    the ``ITEMBANK_PROXY_HOPS`` trusted proxies report (``ProxyFix`` sets it)."""
    return (request.remote_addr or "unknown")[:64]


def check_credentials(username: str, password: str) -> User:
    """The active user with this username and password, checked with the lockouts:
    every attempt is recorded; a failure raises 401 (``invalid_credentials``), a locked
    attempt 429 (``login_locked``, with ``retry_after`` seconds), a disabled account 403
    (``account_disabled``). The API's tokens and the web UI's sign-in both use it."""
    username = (username or "").strip().lower()[:64]
    address = client_address()
    refuse_if_locked(username, address)
    _prune_attempts()
    user = db.session.scalars(sa.select(User).where(User.username == username)).first()
    if not _check_password(user, password) or user is None:
        note_failure(username, address, user)
        raise ApiError(401, "wrong username or password", code="invalid_credentials")
    db.session.add(LoginAttempt(username=username, address=address, succeeded=True))
    if not user.is_active:
        raise ApiError(403, "this account is disabled", code="account_disabled")
    return user


@contextmanager
def counting_failures(user: User) -> Iterator[None]:
    """Around a signed-in user confirming their password (a password change): the
    lockouts apply as at sign-in, and a wrong password
    (:class:`itembank.operations.accounts.WrongPassword`) counts as a failed sign-in,
    so a stolen session cannot be used to guess the password."""
    from itembank.operations.accounts import WrongPassword

    address = client_address()
    refuse_if_locked(user.username, address)
    try:
        yield
    except WrongPassword:
        db.session.rollback()
        note_failure(user.username, address, db.session.get(User, user.id))
        raise
    db.session.add(LoginAttempt(username=user.username, address=address, succeeded=True))


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


def _config(name: str) -> int:
    return int(current_app.config.get(name, CONFIG_DEFAULTS[name]))


def _window() -> timedelta:
    return timedelta(seconds=_config("ITEMBANK_LOGIN_WINDOW_SECONDS"))


def _failure_times(condition: sa.ColumnElement[bool], *, reset_on_success: bool) -> list[datetime]:
    """When the failures matching ``condition`` in the window happened, newest first
    (since the last success, when a success resets the count: for an account, not for
    an address, where an attacker's own account would otherwise reset it)."""
    since = utcnow() - _window()
    if reset_on_success:
        last_success = db.session.scalar(
            sa.select(sa.func.max(LoginAttempt.created_at)).where(
                condition, LoginAttempt.succeeded.is_(True), LoginAttempt.created_at >= since
            )
        )
        if last_success is not None:
            since = max(since, last_success)
    return list(
        db.session.scalars(
            sa.select(LoginAttempt.created_at)
            .where(condition, LoginAttempt.succeeded.is_(False), LoginAttempt.created_at >= since)
            .order_by(LoginAttempt.created_at.desc())
        )
    )


def _rules(username: str, address: str) -> list[tuple[str, sa.ColumnElement[bool], bool]]:
    """(name, the attempts it counts, whether a success resets the count)."""
    return [
        (
            "account_address",
            sa.and_(LoginAttempt.username == username, LoginAttempt.address == address),
            True,
        ),
        ("account", LoginAttempt.username == username, True),
        ("address", LoginAttempt.address == address, False),
    ]


def _locked_until(rule: str, failures: list[datetime]) -> datetime | None:
    """Until when ``rule`` refuses attempts after these failures (None: it does not)."""
    if rule == "account_address":
        limit = _config("ITEMBANK_LOGIN_MAX_FAILURES")
        return failures[limit - 1] + _window() if len(failures) >= limit else None
    if rule == "account":
        after = _config("ITEMBANK_LOGIN_BACKOFF_AFTER")
        if len(failures) < after:
            return None
        return failures[0] + timedelta(seconds=backoff_seconds(len(failures) - after))
    limit = _config("ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS")
    if limit <= 0 or len(failures) < limit:
        return None
    return failures[limit - 1] + _window()


def backoff_seconds(beyond: int) -> int:
    """The wait after an account's ``beyond``-th failure past ``ITEMBANK_LOGIN_BACKOFF_AFTER``
    (the 0th is the one that reaches it)."""
    cap = _config("ITEMBANK_LOGIN_BACKOFF_MAX_SECONDS")
    base = _config("ITEMBANK_LOGIN_BACKOFF_SECONDS")
    return min(cap, base * 2 ** min(beyond, 30))


_REFUSALS = {
    "account_address": "for this account from your address",
    "account": "for this account",
    "address": "from your address",
}


def refuse_if_locked(username: str, address: str) -> None:
    """429 with ``Retry-After`` if a lockout or backoff holds for this attempt."""
    now = utcnow()
    for rule, condition, reset in _rules(username, address):
        until = _locked_until(rule, _failure_times(condition, reset_on_success=reset))
        if until is None or until <= now:
            continue
        seconds = max(1, math.ceil((until - now).total_seconds()))
        raise ApiError(
            429,
            f"too many failed logins {_REFUSALS[rule]}; try again in "
            + (f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"),
            code="login_locked",
            headers={"Retry-After": str(seconds)},
            retry_after=seconds,
        )


def note_failure(username: str, address: str, user: User | None) -> None:
    """Record a failed password check, and audit a lockout or backoff it starts; commits,
    as the failure must count even though its request fails."""
    db.session.add(LoginAttempt(username=username, address=address, succeeded=False))
    db.session.flush()
    thresholds = {
        "account_address": _config("ITEMBANK_LOGIN_MAX_FAILURES"),
        "account": _config("ITEMBANK_LOGIN_BACKOFF_AFTER"),
        "address": _config("ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS"),
    }
    for rule, condition, reset in _rules(username, address):
        failures = _failure_times(condition, reset_on_success=reset)
        if len(failures) != thresholds[rule] or thresholds[rule] <= 0:
            continue
        until = _locked_until(rule, failures)
        by_address = rule == "address"
        record(
            "login.backoff" if rule == "account" else "login.locked",
            actor=None,
            object_type="address" if by_address else "user",
            object_id=address if by_address else username,
            scope=rule,
            address=address,
            username=None if by_address else username,
            known_user=user is not None,
            failures=len(failures),
            until=until.isoformat() if until else None,
        )
    db.session.commit()


def _prune_attempts() -> None:
    """Forget attempts far outside the lockout window, so the table stays small (the
    audit trail, not this table, is the long-term record of token creation)."""
    keep = _window() * ATTEMPTS_KEPT_WINDOWS
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - keep))


# -- checking ---------------------------------------------------------------------------


#: The token's user with what the check reads of the token (one round trip for both; the
#: token as plain columns: it is not changed but for ``last_used_at``, at most once a
#: minute), by the secret's hash; built once (building the statement cost as much as
#: running it).
_TOKEN_BY_HASH = (
    sa.select(
        User,
        ApiToken.id.label("token_id"),
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
        User.is_active,
    )
    .select_from(ApiToken)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == sa.bindparam("token_hash", type_=sa.String))
)


def with_token(*columns: Any) -> sa.Select[Any]:
    """The token whose hash is the parameter ``presented_hash`` (no row: none), with
    what :func:`check_token` reads, its user's ``user_id`` and ``is_admin``, and
    ``columns``; for a statement that reads what the request needs with the token
    (one round trip for both)."""
    return (
        sa.select(
            ApiToken.id.label("token_id"),
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.last_used_at,
            User.id.label("user_id"),
            User.is_active,
            User.is_admin,
            *columns,
        )
        .select_from(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == sa.bindparam("presented_hash", type_=sa.String))
    )


@dataclass(frozen=True)
class Reader:
    """The user of a token read with :func:`with_token`: what the access rules read of
    them (:mod:`itembank.access`), not the user as an object of the session."""

    id: int
    is_admin: bool
    is_active: bool = True


def accept_token(found: Any, now: datetime) -> Reader:
    """:func:`check_token` for a row of :func:`with_token`; notes the request's user
    (:func:`current_user`) and the token's use, as :func:`authenticate` does."""
    if check_token(found, now):
        g.api_token_used = (found.token_id, now)
    reader = Reader(found.user_id, found.is_admin)
    g.api_user = reader
    return reader


def bearer_token_hash() -> str:
    """The hash of the request's bearer token, as stored; 401 without one."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise _unauthorized("send a token: Authorization: Bearer <token> (POST /api/v1/tokens)")
    if scheme.lower() != "bearer" or not secret.strip():
        raise _unauthorized(
            "use the Bearer scheme: Authorization: Bearer <token>", "invalid_request"
        )
    return hash_token(secret.strip())


def check_token(found: Any, now: datetime) -> bool:
    """Raise the 401 of a token that does not authenticate: ``found`` (None: no token
    has the hash) has the token's ``expires_at``, ``revoked_at`` and ``last_used_at``
    and its user's ``is_active``. True when ``last_used_at`` is stale (to be written if
    the request succeeds)."""
    if found is None or found.revoked_at is not None:
        raise _unauthorized("the token is unknown or revoked", "invalid_token")
    if found.expires_at <= now:  # ApiToken.is_valid, the revocation checked above
        raise _unauthorized(
            f"the token expired at {found.expires_at:%Y-%m-%d %H:%M} UTC", "invalid_token"
        )
    if not found.is_active:
        raise _unauthorized("this account is disabled", "invalid_token")
    last_used_at = found.last_used_at
    # At most one write a minute per token, so busy clients do not write every time.
    return last_used_at is None or now - last_used_at >= LAST_USED_PRECISION


def authenticate() -> User:
    """The user of the request's bearer token; 401 without a valid one."""
    token_hash = bearer_token_hash()
    found = db.session.execute(_TOKEN_BY_HASH, {"token_hash": token_hash}).first()
    now = utcnow()
    if check_token(found, now):
        g.api_token_used = (found.token_id, now)  # type: ignore[union-attr]
    g.api_user = found[0]  # type: ignore[index]
    return found[0]  # type: ignore[index,no-any-return]


def record_token_use() -> None:
    """Write the token's ``last_used_at`` if :func:`authenticate` found it stale: at the
    end of a request that succeeded, just before its commit, as the session flushed the
    token's change when the token was one of its objects (a row lock taken at the start
    would hold up the same token's other requests for as long as this one runs)."""
    used = g.pop("api_token_used", None)
    if used is not None:
        token_id, now = used
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
        )


def forget_token_use() -> None:
    """Leave the token's use unwritten (the request failed)."""
    g.pop("api_token_used", None)


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
