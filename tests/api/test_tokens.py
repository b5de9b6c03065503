"""Personal API tokens: creation, expiry, listing, revocation, and login lockouts."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.api.auth import hash_token
from itembank.extensions import db
from itembank.models import ApiToken, AuditEvent, LoginAttempt
from itembank.models._types import utcnow
from tests.api.conftest import ApiClient, assert_problem, login
from tests.factories import PASSWORD, World


def test_a_token_is_stored_hashed_and_expires_in_30_days(api: ApiClient, world: World) -> None:
    response = api.post(
        "tokens", json={"username": world.author.username, "password": PASSWORD, "name": "ci"}
    )
    assert response.status_code == 201
    body = response.json
    secret = body["token"]
    assert secret.startswith("ibk_") and len(secret) > 40
    stored = db.session.get(ApiToken, body["id"])
    assert stored.token_hash == hash_token(secret) and secret not in stored.token_hash
    assert stored.prefix == secret[:12] == body["prefix"]
    lifetime = stored.expires_at - stored.created_at
    assert lifetime == timedelta(days=30)
    assert body["expires_at"].startswith(stored.expires_at.date().isoformat())
    assert (body["name"], body["user"], body["expired"]) == ("ci", world.author.username, False)
    assert api.as_(secret).get("banks").status_code == 200
    event = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "token.create")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert (event.actor_id, event.object_id) == (world.author.id, str(body["id"]))


@pytest.mark.parametrize("days,status", [(365, 201), (1, 201), (366, 422), (0, 422)])
def test_token_lifetime_is_1_to_365_days(
    api: ApiClient, world: World, days: int, status: int
) -> None:
    response = api.post(
        "tokens",
        json={"username": world.author.username, "password": PASSWORD, "expires_in_days": days},
    )
    assert response.status_code == status


def test_an_expired_token_is_refused(api: ApiClient, world: World) -> None:
    token = login(api, world.author)
    stored = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    body = assert_problem(api.as_(token).get("banks"), 401)
    assert "expired" in body["detail"]
    listed = api.as_(login(api, world.author)).get("tokens").json
    assert {t["id"]: t["expired"] for t in listed}[stored.id] is True


def test_a_disabled_account_cannot_use_or_get_tokens(api: ApiClient, world: World) -> None:
    token = login(api, world.author)
    world.author.is_active = False
    db.session.commit()
    assert_problem(api.as_(token).get("banks"), 401)
    response = api.post("tokens", json={"username": world.author.username, "password": PASSWORD})
    assert_problem(response, 403, "account_disabled")


def test_owners_list_and_revoke_their_tokens(api: ApiClient, world: World) -> None:
    first, second = login(api, world.author, name="one"), login(api, world.author, name="two")
    mine = api.as_(first)
    listed = mine.get("tokens")
    assert listed.status_code == 200
    assert [t["name"] for t in listed.json] == ["two", "one"]
    assert all("token" not in t for t in listed.json)
    second_id = next(t["id"] for t in listed.json if t["name"] == "two")
    assert mine.delete(f"tokens/{second_id}").status_code == 204
    assert_problem(api.as_(second).get("banks"), 401)
    assert [t["name"] for t in mine.get("tokens").json] == ["one"]
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "token.revoke", AuditEvent.object_id == str(second_id))
        )
        == 1
    )


def test_others_cannot_see_or_revoke_a_token_but_admins_can(
    api: ApiClient, as_user: Any, world: World
) -> None:
    token = login(api, world.author)
    token_id = db.session.scalars(
        sa.select(ApiToken.id).where(ApiToken.token_hash == hash_token(token))
    ).one()
    reviewer = as_user("reviewer")
    assert_problem(reviewer.delete(f"tokens/{token_id}"), 404)
    assert_problem(reviewer.get(f"tokens?user={world.author.username}"), 403)
    admin = as_user("admin")
    listed = admin.get(f"tokens?user={world.author.username}")
    assert [t["id"] for t in listed.json] == [token_id]
    assert admin.delete(f"tokens/{token_id}").status_code == 204
    assert_problem(api.as_(token).get("banks"), 401)


def test_wrong_password_is_401(api: ApiClient, world: World) -> None:
    response = api.post("tokens", json={"username": world.author.username, "password": "nope"})
    assert_problem(response, 401, "invalid_credentials")
    unknown = api.post("tokens", json={"username": "ghost-user", "password": "nope"})
    assert_problem(unknown, 401, "invalid_credentials")


def _fail(api: ApiClient, username: str, times: int, address: str = "10.0.0.1") -> list[int]:
    return [
        api.post(
            "tokens",
            json={"username": username, "password": "wrong"},
            environ_base={"REMOTE_ADDR": address},
        ).status_code
        for _ in range(times)
    ]


def _attempt(api: ApiClient, username: str, address: str, password: str = PASSWORD) -> Any:
    return api.post(
        "tokens",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_five_failures_lock_that_address_out_of_that_account(api: ApiClient, world: World) -> None:
    name = world.author.username
    assert _fail(api, name, 5) == [401] * 5
    locked = _attempt(api, name, "10.0.0.1")
    body = assert_problem(locked, 429, "login_locked")
    retry = int(locked.headers["Retry-After"])
    assert 800 < retry <= 900 and body["retry_after"] == retry
    # The owner, from their own desk, is not locked out by someone else's guesses...
    assert _attempt(api, name, "10.9.9.9").status_code == 201
    # ...nor are the guesser's office colleagues, from the same address.
    assert _attempt(api, world.author2.username, "10.0.0.1").status_code == 201
    # the lock ends when the failures leave the 15-minute window
    db.session.execute(
        sa.update(LoginAttempt)
        .where(LoginAttempt.username == name)
        .values(created_at=utcnow() - timedelta(minutes=16))
    )
    assert _attempt(api, name, "10.0.0.1").status_code == 201


def test_a_success_resets_the_count(api: ApiClient, world: World) -> None:
    name = world.author.username
    assert _fail(api, name, 4) == [401] * 4
    assert _attempt(api, name, "10.0.0.1").status_code == 201
    assert _fail(api, name, 4) == [401] * 4
    assert _attempt(api, name, "10.0.0.1").status_code == 201


def test_an_office_behind_one_address_is_not_locked_out(api: ApiClient, world: World) -> None:
    """Twenty failures from one NAT address, by colleagues mistyping, lock nobody else."""
    users = ("author", "author2", "reviewer", "reviewer2", "reviewer3")
    statuses = []
    for user in users:
        statuses += _fail(api, world.users[user].username, 4, address="10.1.1.1")
    assert statuses == [401] * 20
    for user in (*users, "assembler"):
        assert _attempt(api, world.users[user].username, "10.1.1.1").status_code == 201, user


def test_password_spraying_from_one_address_locks_that_address(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch, app: Any
) -> None:
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS", 6)
    statuses = []
    for user in ("author", "author2", "reviewer"):
        statuses += _fail(api, world.users[user].username, 2, address="10.1.1.1")
    assert statuses == [401] * 6
    assert_problem(_attempt(api, world.reviewer2.username, "10.1.1.1"), 429, "login_locked")
    assert _attempt(api, world.reviewer2.username, "10.2.2.2").status_code == 201
    # 0 turns the per-address limit off
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS", 0)
    assert _attempt(api, world.reviewer2.username, "10.1.1.1").status_code == 201


def test_guesses_from_many_addresses_back_off_exponentially(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch, app: Any
) -> None:
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_BACKOFF_AFTER", 4)
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_BACKOFF_SECONDS", 60)
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_BACKOFF_MAX_SECONDS", 200)
    name = world.author.username
    for n in range(4):
        assert _fail(api, name, 1, address=f"10.3.0.{n}") == [401]

    def wait_from(address: str) -> int:
        refused = _attempt(api, name, address)
        assert_problem(refused, 429, "login_locked")
        return int(refused.headers["Retry-After"])

    def time_passes(seconds: int) -> None:
        for attempt in db.session.scalars(
            sa.select(LoginAttempt).where(LoginAttempt.username == name)
        ):
            attempt.created_at -= timedelta(seconds=seconds)
        db.session.flush()

    assert 55 <= wait_from("10.3.1.1") <= 60  # the right password waits too
    time_passes(61)
    assert _fail(api, name, 1, address="10.3.1.2") == [401]  # the fifth failure
    assert 115 <= wait_from("10.3.1.3") <= 120  # doubled
    time_passes(121)
    assert _fail(api, name, 1, address="10.3.1.4") == [401]
    assert 195 <= wait_from("10.3.1.5") <= 200  # at most the maximum
    time_passes(201)
    assert _attempt(api, name, "10.3.1.6").status_code == 201
    # the success ends the backoff
    assert _fail(api, name, 1, address="10.3.1.7") == [401]


def test_lockouts_are_audited_once_when_they_start(api: ApiClient, world: World) -> None:
    name = world.author.username
    assert _fail(api, name, 7) == [401] * 5 + [429] * 2
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "login.locked", AuditEvent.object_id == name
        )
    ).all()
    assert len(events) == 1
    assert events[0].data["scope"] == "account_address"
    assert events[0].data["address"] == "10.0.0.1"
    assert events[0].data["failures"] == 5


def test_failed_logins_do_not_hold_the_worker(
    api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch, app: Any
) -> None:
    """A failure is answered at once (the lockouts answer 429 with Retry-After), never
    by sleeping in the worker, which four parallel failures once held for a second."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_DELAY_STEP", 0.25)  # the old setting
    for n in range(4):
        assert _fail(api, world.author.username, 1, address=f"10.4.0.{n}") == [401]
    assert slept == []


def test_failed_attempts_survive_the_failed_request(api: ApiClient, world: World) -> None:
    _fail(api, world.author.username, 1)
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.username == world.author.username, LoginAttempt.succeeded.is_(False)
            )
        )
        == 1
    )


def test_tokens_show_when_they_were_last_used(api: ApiClient, world: World) -> None:
    used, unused = login(api, world.author, name="used"), login(api, world.author, name="idle")
    before = utcnow()
    assert api.as_(used).get("banks").status_code == 200
    listed = {t["name"]: t for t in api.as_(used).get("tokens").json}
    assert listed["idle"]["last_used_at"] is None
    last_used = datetime.fromisoformat(listed["used"]["last_used_at"])
    assert before - timedelta(seconds=1) <= last_used <= utcnow()
    # Within the minute, further use does not write again; after it, it does.
    stored = db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(used))
    ).one()
    stored.last_used_at = utcnow() - timedelta(seconds=30)
    db.session.flush()
    half_a_minute_ago = stored.last_used_at
    api.as_(used).get("banks")
    assert stored.last_used_at == half_a_minute_ago
    stored.last_used_at = utcnow() - timedelta(minutes=5)
    db.session.flush()
    api.as_(used).get("banks")
    assert stored.last_used_at >= before
    assert unused


def test_old_login_attempts_are_pruned(api: ApiClient, world: World) -> None:
    """The lockout table keeps a few windows of history, not every attempt forever."""
    name = world.author.username
    _fail(api, name, 2)
    db.session.execute(
        sa.update(LoginAttempt)
        .where(LoginAttempt.username == name)
        .values(created_at=utcnow() - timedelta(hours=2))
    )
    _fail(api, world.author2.username, 1)
    db.session.execute(
        sa.update(LoginAttempt)
        .where(LoginAttempt.username == world.author2.username)
        .values(created_at=utcnow() - timedelta(minutes=50))
    )
    login(api, world.reviewer)

    def attempts(username: str) -> int:
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == username)
        )

    assert attempts(name) == 0  # older than four 15-minute windows
    assert attempts(world.author2.username) == 1  # still within them
    assert attempts(world.reviewer.username) == 1
