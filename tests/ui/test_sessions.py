"""Web sessions live on the server: a copy of the session cookie is worthless once the
user signed out, changed their password, had it reset or was disabled, and once the
session was idle too long or is too old; a "remember me" cookie signs nobody in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent, User, UserSession
from itembank.models._types import utcnow
from itembank.operations.accounts import disable_user, reset_password
from tests.factories import PASSWORD, World
from tests.ui.conftest import UiClient, text

NEW_PASSWORD = "a-new-password-9"


def _signed_in(app: Flask, user: User) -> UiClient:
    browser = UiClient(app.test_client())
    assert browser.login(user).status_code == 303
    assert browser.get("/").status_code == 200
    return browser


def _cookie(browser: UiClient) -> str:
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> Any:
    """A request from another browser carrying a copy of ``cookie``."""
    thief = UiClient(app.test_client())
    thief.client.set_cookie("session", cookie)
    return thief.get("/")


def _sessions(user: User) -> list[UserSession]:
    return list(db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)))


def test_signing_out_ends_the_session_for_good(app: Flask, session: Any, world: World) -> None:
    browser = _signed_in(app, world.author)
    stolen = _cookie(browser)
    assert _replay(app, stolen).status_code == 200  # the cookie is the session
    assert browser.post("/logout").status_code == 303
    replayed = _replay(app, stolen)
    assert replayed.status_code == 303 and replayed.location.startswith("/login")
    (ended,) = _sessions(world.author)
    assert ended.ended_at is not None and ended.end_reason == "logout"
    # The session id is stored hashed: the cookie's secret is not in the table.
    assert len(ended.id_hash) == 64


def test_changing_the_password_ends_the_other_sessions(
    app: Flask, session: Any, world: World
) -> None:
    laptop = _signed_in(app, world.author)
    phone = _signed_in(app, world.author)
    old_laptop_cookie = _cookie(laptop)
    page = laptop.get("/account/password")
    assert page.status_code == 200 and "Ubah kata sandi" in text(page)
    changed = laptop.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    # this browser goes on in a fresh session; the other one and old copies are out
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 303
    assert _replay(app, old_laptop_cookie).status_code == 303
    assert world.author.check_password(NEW_PASSWORD)
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == world.author.username)
    ).all()
    assert "user.password_change" in actions


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failure(
    app: Flask, session: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_MAX_FAILURES", 2)
    browser = _signed_in(app, world.author)
    form = {"current_password": "guess", "new_password": NEW_PASSWORD}
    wrong = browser.post("/account/password", {**form, "confirm_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "Kata sandi saat ini salah." in text(wrong)
    differ = browser.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": "x"},
    )
    assert differ.status_code == 422 and "Ulangi kata sandi baru yang sama." in text(differ)
    browser.post("/account/password", {**form, "confirm_password": NEW_PASSWORD})
    # two wrong guesses: the stolen session cannot go on guessing
    locked = browser.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert locked.status_code == 429
    assert world.author.check_password(PASSWORD)
    assert browser.get("/").status_code == 200


@pytest.mark.parametrize("action", ["reset", "disable"])
def test_an_administrators_reset_or_disabling_ends_the_sessions(
    app: Flask, session: Any, world: World, action: str
) -> None:
    browser = _signed_in(app, world.author)
    stolen = _cookie(browser)
    if action == "reset":
        change = reset_password(world.author, NEW_PASSWORD, actor=None)
    else:
        change = disable_user(world.author, actor=None)
    db.session.flush()
    assert change.sessions_ended == 1
    assert browser.get("/").status_code == 303
    assert _replay(app, stolen).status_code == 303
    assert {s.end_reason for s in _sessions(world.author)} == {
        "password_reset" if action == "reset" else "disabled"
    }


def test_an_idle_session_ends(app: Flask, session: Any, world: World) -> None:
    browser = _signed_in(app, world.author)
    (live,) = _sessions(world.author)
    live.last_seen_at = utcnow() - timedelta(minutes=59)
    db.session.flush()
    assert browser.get("/").status_code == 200  # within the hour: still live, seen again
    assert utcnow() - live.last_seen_at < timedelta(minutes=1)
    live.last_seen_at = utcnow() - timedelta(minutes=61)
    db.session.flush()
    ended = browser.get("/")
    assert ended.status_code == 303
    assert "Sesi Anda telah berakhir" in text(browser.get(ended.location))


def test_a_session_ends_after_its_lifetime_however_busy(
    app: Flask, session: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = _signed_in(app, world.author)
    (live,) = _sessions(world.author)
    live.created_at = utcnow() - timedelta(hours=11, minutes=59)
    db.session.flush()
    assert browser.get("/").status_code == 200
    live.created_at = utcnow() - timedelta(hours=12, minutes=1)
    db.session.flush()
    assert browser.get("/").status_code == 303
    # the limits are settings
    monkeypatch.setitem(app.config, "ITEMBANK_SESSION_MAX_HOURS", 24)
    assert browser.get("/").status_code == 200
    monkeypatch.setitem(app.config, "ITEMBANK_SESSION_IDLE_MINUTES", 1)
    live.last_seen_at = utcnow() - timedelta(minutes=2)
    db.session.flush()
    assert browser.get("/").status_code == 303


def test_last_seen_is_written_at_most_once_a_minute(app: Flask, session: Any, world: World) -> None:
    browser = _signed_in(app, world.author)
    (live,) = _sessions(world.author)
    half_a_minute_ago = utcnow() - timedelta(seconds=30)
    live.last_seen_at = half_a_minute_ago
    db.session.flush()
    browser.get("/")
    assert live.last_seen_at == half_a_minute_ago
    live.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.flush()
    browser.get("/")
    assert utcnow() - live.last_seen_at < timedelta(minutes=1)


def test_a_remember_me_cookie_signs_nobody_in(app: Flask, session: Any, world: World) -> None:
    """Flask-Login reads a ``remember_token`` cookie when there is no session; one made
    with the app's own key (as a stolen or old one would be) still signs nobody in."""
    from flask_login.utils import encode_cookie

    with app.test_request_context():
        forged = encode_cookie(world.author.get_id())
    browser = UiClient(app.test_client())
    browser.client.set_cookie("remember_token", forged)
    assert browser.get("/").status_code == 303


def test_the_users_page_is_for_administrators(as_user: Any, world: World) -> None:
    admin = as_user("admin")
    page = admin.get("/admin/users")
    assert page.status_code == 200
    body = text(page)
    assert "Pengguna" in body and world.author.username in body
    assert "Setel ulang kata sandi" in body and "Nonaktifkan" in body
    assert 'href="/admin/users"' in text(admin.get("/"))  # in the menu
    author = as_user("author")
    assert 'href="/admin/users"' not in text(author.get("/"))
    assert author.get("/admin/users").status_code == 403
    # a refused reset says why, and changes nothing
    short = admin.post(f"/admin/users/{world.author.username}/password", {"new_password": "x"})
    assert short.status_code == 303
    assert "Kata sandi harus 8 sampai 1024 karakter." in text(admin.get(short.location))
    assert world.author.check_password(PASSWORD)
    assert author.get("/").status_code == 200
    # disabling signs the author out at once
    assert admin.post(f"/admin/users/{world.author.username}/disable").status_code == 303
    assert author.get("/").status_code == 303
    assert "nonaktif" in text(admin.get("/admin/users"))


def test_session_and_login_limits_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from itembank.config import default_config

    monkeypatch.setenv("SECRET_KEY", "x")
    for name in ("ITEMBANK_SESSION_IDLE_MINUTES", "ITEMBANK_SESSION_MAX_HOURS"):
        monkeypatch.delenv(name, raising=False)
    defaults = default_config(str(tmp_path))
    assert (defaults["ITEMBANK_SESSION_IDLE_MINUTES"], defaults["ITEMBANK_SESSION_MAX_HOURS"]) == (
        60,
        12,
    )
    assert defaults["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=12)
    monkeypatch.setenv("ITEMBANK_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("ITEMBANK_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("ITEMBANK_LOGIN_MAX_FAILURES", "3")
    monkeypatch.setenv("ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS", "0")
    config = default_config(str(tmp_path))
    assert config["ITEMBANK_SESSION_IDLE_MINUTES"] == 30
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(hours=8)
    assert config["ITEMBANK_LOGIN_MAX_FAILURES"] == 3
    assert config["ITEMBANK_LOGIN_MAX_FAILURES_PER_ADDRESS"] == 0
    monkeypatch.setenv("ITEMBANK_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValueError, match="ITEMBANK_SESSION_IDLE_MINUTES must be a whole number"):
        default_config(str(tmp_path))
