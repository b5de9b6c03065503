"""Account management in the API: your own password; administrators list users, reset
passwords, disable and enable accounts. Each change is audited and ends the user's web
sessions and API tokens."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import ApiToken, AuditEvent, User
from itembank.operations.sessions import list_sessions, start_session
from tests.api.conftest import ApiClient, assert_problem, login
from tests.factories import PASSWORD, World

NEW_PASSWORD = "a-new-password-9"


def _live_tokens(user: User) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )


def _actions(user: User) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == user.username)
            .order_by(AuditEvent.id)
        )
    )


def test_changing_your_password_revokes_every_token_and_session(
    api: ApiClient, world: World
) -> None:
    me = api.as_(login(api, world.author))
    other = api.as_(login(api, world.author))
    start_session(world.author)
    assert me.get("me").json["username"] == world.author.username
    changed = me.post(
        "me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json == {
        "username": world.author.username,
        "is_active": True,
        "sessions_ended": 1,
        "tokens_revoked": 2,
    }
    # the token of the request and every other one: sign in again with the new password
    assert_problem(me.get("banks"), 401)
    assert_problem(other.get("banks"), 401)
    assert list_sessions(world.author, actor=None) == []
    assert_problem(
        api.post("tokens", json={"username": world.author.username, "password": PASSWORD}),
        401,
        "invalid_credentials",
    )
    assert login(api, world.author, password=NEW_PASSWORD)
    assert "user.password_change" in _actions(world.author)


def test_a_wrong_current_password_is_422_and_counts_towards_the_lockout(
    api: ApiClient, world: World, app: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_MAX_FAILURES", 3)
    me = api.as_(login(api, world.author))
    wrong = {"current_password": "guess", "new_password": NEW_PASSWORD}
    body = assert_problem(me.post("me/password", json=wrong), 422)
    assert [e["field"] for e in body["errors"]] == ["current_password"]
    short = me.post("me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert "new_password" in {e["field"] for e in assert_problem(short, 422)["errors"]}
    same = me.post("me/password", json={"current_password": PASSWORD, "new_password": PASSWORD})
    assert [e["field"] for e in assert_problem(same, 422)["errors"]] == ["new_password"]
    for _ in range(2):
        assert me.post("me/password", json=wrong).status_code == 422
    locked = me.post(
        "me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert_problem(locked, 429, "login_locked")
    assert int(locked.headers["Retry-After"]) > 0
    assert world.author.check_password(PASSWORD)
    assert _live_tokens(world.author) == 1


def test_administrators_reset_passwords(api: ApiClient, world: World, as_user: Any) -> None:
    admin = as_user("admin")
    login(api, world.author)
    start_session(world.author)
    path = f"users/{world.author.username}/password"
    for role in ("author", "bank_admin"):
        assert_problem(as_user(role).post(path, json={"new_password": NEW_PASSWORD}), 403)
    assert world.author.check_password(PASSWORD)
    reset = admin.post(path, json={"new_password": NEW_PASSWORD})
    assert reset.status_code == 200, reset.json
    assert reset.json["sessions_ended"] == 1
    assert reset.json["tokens_revoked"] == 2  # login() above and as_user("author")'s
    assert _live_tokens(world.author) == 0
    assert login(api, world.author, password=NEW_PASSWORD)
    assert "user.password_reset" in _actions(world.author)
    assert_problem(admin.post("users/nobody-here/password", json={"new_password": "x" * 9}), 404)
    short = admin.post(path, json={"new_password": "short"})
    assert_problem(short, 422)
    # an administrator changes their own password with the current one, never by a reset
    own = f"users/{world.users['admin'].username}/password"
    assert_problem(admin.post(own, json={"new_password": NEW_PASSWORD}), 403)
    assert world.users["admin"].check_password(PASSWORD)


def test_administrators_disable_and_enable_users(
    api: ApiClient, world: World, as_user: Any
) -> None:
    admin = as_user("admin")
    author = as_user("author")
    listed = admin.get("users").json
    assert world.author.username in {u["username"] for u in listed}
    assert_problem(author.get("users"), 403)
    assert_problem(as_user("bank_admin").post(f"users/{world.author.username}/disable"), 403)
    disabled = admin.post(f"users/{world.author.username}/disable", json={"reason": "cuti"})
    assert disabled.status_code == 200
    assert disabled.json["is_active"] is False and disabled.json["tokens_revoked"] == 1
    assert_problem(author.get("banks"), 401)
    assert_problem(
        api.post("tokens", json={"username": world.author.username, "password": PASSWORD}),
        403,
        "account_disabled",
    )
    # nobody disables themself (the last administrator could lock everyone out)
    admin_name = world.users["admin"].username
    assert_problem(admin.post(f"users/{admin_name}/disable"), 403)
    enabled = admin.post(f"users/{world.author.username}/enable")
    assert enabled.status_code == 200 and enabled.json["is_active"] is True
    assert login(api, world.author)
    assert _actions(world.author).count("user.disable") == 1
    assert _actions(world.author).count("user.enable") == 1
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "user.disable", AuditEvent.object_id == world.author.username
        )
    ).one()
    assert event.actor_id == world.users["admin"].id and event.reason == "cuti"
