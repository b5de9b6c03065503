"""Personal API tokens: creation, expiry, listing, revocation, and login lockouts."""

from __future__ import annotations

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


def test_five_failures_lock_the_account_with_retry_after(api: ApiClient, world: World) -> None:
    name = world.author.username
    assert _fail(api, name, 5) == [401] * 5
    locked = api.post(
        "tokens",
        json={"username": name, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    body = assert_problem(locked, 429, "login_locked")
    retry = int(locked.headers["Retry-After"])
    assert 800 < retry <= 900 and body["retry_after"] == retry
    # other accounts are not locked
    assert (
        api.post(
            "tokens", json={"username": world.author2.username, "password": PASSWORD}
        ).status_code
        == 201
    )
    # the lock ends when the failures leave the 15-minute window
    db.session.execute(
        sa.update(LoginAttempt)
        .where(LoginAttempt.username == name)
        .values(created_at=utcnow() - timedelta(minutes=16))
    )
    assert login(api, world.author)


def test_a_success_resets_the_account_count(api: ApiClient, world: World) -> None:
    name = world.author.username
    assert _fail(api, name, 4) == [401] * 4
    login(api, world.author)
    assert _fail(api, name, 4) == [401] * 4
    assert login(api, world.author)


def test_many_failures_from_one_address_lock_that_address(
    api: ApiClient, app: Any, world: World
) -> None:
    old = app.config["ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS"]
    app.config["ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    try:
        statuses = []
        for user in ("author", "author2", "reviewer"):
            statuses += _fail(api, world.users[user].username, 2, address="10.1.1.1")
        assert statuses == [401] * 6
        locked = api.post(
            "tokens",
            json={"username": world.reviewer2.username, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.1.1.1"},
        )
        assert_problem(locked, 429, "login_locked")
        elsewhere = api.post(
            "tokens",
            json={"username": world.reviewer2.username, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.2.2.2"},
        )
        assert elsewhere.status_code == 201
    finally:
        app.config["ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS"] = old


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
