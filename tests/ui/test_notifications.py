"""Notifications: who is told what, in the app and the API, and by e-mail through a
local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import Notification, User
from itembank.notification_mail import send_pending
from itembank.operations import notifications as ops
from itembank.operations.reviews import review_version, submit_version
from tests.factories import World, make_item
from tests.smtp_server import SmtpServer
from tests.ui.conftest import text
from tests.ui.test_statistics_pages import form, planted  # noqa: F401  (fixtures)


def _of(user: User, kind: str | None = None) -> list[Notification]:
    query = sa.select(Notification).where(Notification.recipient_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_submission_tells_the_reviewers_who_may_review_it(world: World, plugins: Any) -> None:
    item = make_item(world, plugins, actor=world.author_reviewer)
    submit_version(item.latest_version, actor=world.author_reviewer)
    for name in ("reviewer", "reviewer2", "reviewer3"):
        (waiting,) = _of(world.users[name], "review_waiting")
        assert waiting.object_id == item.external_id
        assert ops.link(waiting) == f"/items/{item.external_id}/versions/1/review"
    # Not the submitter (a reviewer too, but a contributor), nor other roles.
    for name in ("author_reviewer", "author", "assembler", "bank_admin", "outsider"):
        assert _of(world.users[name]) == []


@pytest.mark.parametrize(
    ("decision", "kind", "text_id"),
    [
        ("request_changes", "changes_requested", "meminta perbaikan pada"),
        ("reject", "rejected", "menolak"),
        ("approve", "approved", "disetujui"),
    ],
)
def test_a_decision_tells_the_versions_writers(
    world: World, plugins: Any, decision: str, kind: str, text_id: str
) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer, decision=decision, comment="Perbaiki kunci.")
    (told,) = _of(world.author, kind)
    assert text_id in ops.describe(told)["id"]
    assert told.params["version"] == 1
    assert _of(world.reviewer, kind) == []
    assert _of(world.author2) == []


def test_a_notification_exists_only_if_its_event_does(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    db.session.commit()
    with db.session.begin_nested():
        submit_version(item.latest_version, actor=world.author)
        assert len(_of(world.reviewer, "review_waiting")) == 1
        db.session.rollback()
    assert _of(world.reviewer) == []


def test_a_finished_job_tells_whoever_started_it(world: World, plugins: Any) -> None:
    from itembank.operations.import_jobs import start_import
    from tests.import_helpers import SC_ROW, csv_bytes

    job = start_import(
        world.bank, actor=world.author, host=plugins, filename="a.csv", data=csv_bytes([SC_ROW])
    )
    db.session.refresh(job)
    assert job.status == "succeeded"
    (told,) = _of(world.author, "job_finished")
    assert told.object_id == str(job.id)
    assert ops.link(told) == f"/jobs/{job.id}"
    assert "selesai" in ops.describe(told)["id"]


# -- the bell, the page and the API ----------------------------------------------------------


def test_the_bell_counts_unread_and_opening_marks_read(
    as_user: Any, world: World, plugins: Any
) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer, decision="request_changes", comment="Kunci.")
    client = as_user("author")
    home = text(client.get("/"))
    assert 'class="bell-count" aria-hidden="true">1<' in home
    assert "Pemberitahuan: 1 belum dibaca" in home
    listing = text(client.get("/notifications"))
    assert f"meminta perbaikan pada {item.external_id} versi 1" in listing
    (told,) = _of(world.author)
    opened = client.get(f"/notifications/{told.id}")
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(f"/items/{item.external_id}/versions/1")
    assert 'class="bell-count"' not in text(client.get("/"))
    # Someone else's notification does not exist for you.
    assert as_user("author2").get(f"/notifications/{told.id}").status_code == 404


def test_mark_all_read_and_the_preference_on_the_page(
    as_user: Any, world: World, plugins: Any
) -> None:
    for _ in range(2):
        submit_version(make_item(world, plugins).latest_version, actor=world.author)
    client = as_user("reviewer")
    assert ops.unread_count(world.reviewer) == 2
    done = client.post("/notifications/read", {"all": "1"})
    assert done.status_code == 303
    assert ops.unread_count(world.reviewer) == 0
    saved = client.post("/notifications/preferences", {"mail": "daily"})
    assert saved.status_code == 303
    assert ops.mail_preference(world.reviewer).value == "daily"
    page = text(client.get("/notifications"))
    assert 'value="daily" checked' in page
    bad = client.post("/notifications/preferences", {"mail": "hourly"})
    assert bad.status_code == 422
    assert ops.mail_preference(world.reviewer).value == "daily"


def test_the_api_lists_marks_and_sets_the_preference(api: Any, world: World, plugins: Any) -> None:
    from tests.api.conftest import login

    submit_version(make_item(world, plugins).latest_version, actor=world.author)
    client = api.as_(login(api, world.reviewer))
    listed = client.get("me/notifications").get_json()
    assert listed["unread"] == 1
    (entry,) = listed["notifications"]
    assert entry["kind"] == "review_waiting" and entry["read_at"] is None
    assert "menunggu telaah Anda" in entry["text"] and entry["link"].endswith("/review")
    other = api.as_(login(api, world.reviewer2))
    mine = other.get("me/notifications").get_json()["notifications"][0]["id"]
    # Marking someone else's does nothing.
    assert client.post("me/notifications/read", json={"ids": [mine]}).get_json()["marked"] == 0
    marked = client.post("me/notifications/read", json={"ids": [entry["id"]]}).get_json()
    assert marked == {"marked": 1, "unread": 0}
    assert client.get("me/notification-preferences").get_json() == {"mail": "immediate"}
    assert client.patch("me/notification-preferences", json={"mail": "none"}).status_code == 200
    assert client.patch("me/notification-preferences", json={"mail": "x"}).status_code == 422
    assert client.get("me/notification-preferences").get_json() == {"mail": "none"}


# -- e-mail ------------------------------------------------------------------------------------


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "ITEMBANK_SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "ITEMBANK_SMTP_PORT", server.port)
        monkeypatch.setitem(app.config, "ITEMBANK_SMTP_STARTTLS", False)
        monkeypatch.setitem(app.config, "ITEMBANK_SMTP_FROM", "banksoal@example.org")
        monkeypatch.setitem(app.config, "ITEMBANK_BASE_URL", "https://banksoal.example.org")
        yield server


def _with_email(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.org"
    db.session.flush()


def _addressed(smtp: SmtpServer) -> dict[str, Any]:
    return {r.recipients[0]: r.message for r in smtp.mailbox.messages}


def test_immediate_mail_goes_once_per_user_and_only_once(
    app: Flask, smtp: SmtpServer, world: World, plugins: Any
) -> None:
    _with_email(world.reviewer, world.reviewer2, world.author)
    ops.set_mail_preference(world.reviewer2, "none")
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    counts = send_pending(digest=False, app=app)
    assert counts["failed"] == 0
    mail = _addressed(smtp)
    # reviewer3 has no address; reviewer2 wants none; the author was not told anything.
    assert set(mail) == {world.reviewer.email}
    message = mail[world.reviewer.email]
    assert message["From"] == "banksoal@example.org"
    assert item.external_id in message["Subject"]
    body = message.get_payload(decode=True).decode()
    assert f"https://banksoal.example.org/items/{item.external_id}/versions/1/review" in body
    assert "menunggu telaah Anda" in body and "waiting for your review" in body
    # Sent is sent: nothing goes out twice.
    assert send_pending(digest=False, app=app)["sent"] == 0
    assert len(smtp.mailbox.messages) == 1


def test_the_daily_digest_gathers_a_users_notifications_in_one_message(
    app: Flask, smtp: SmtpServer, world: World, plugins: Any
) -> None:
    _with_email(world.reviewer)
    ops.set_mail_preference(world.reviewer, "daily")
    ids = []
    for _ in range(3):
        item = make_item(world, plugins)
        submit_version(item.latest_version, actor=world.author)
        ids.append(item.external_id)
    assert send_pending(digest=False, app=app)["sent"] == 0  # not an immediate user
    counts = send_pending(digest=True, app=app)
    assert counts == {"sent": 1, "notifications": 3, "failed": 0}
    (received,) = smtp.mailbox.messages
    assert "Ringkasan harian: 3 pemberitahuan" in received.message["Subject"]
    body = received.message.get_payload(decode=True).decode()
    assert all(i in body for i in ids)


def test_a_refused_message_stays_unsent_and_goes_next_time(
    app: Flask, smtp: SmtpServer, world: World, plugins: Any
) -> None:
    _with_email(world.reviewer, world.reviewer2)
    smtp.mailbox.refuse.add(world.reviewer.email)
    submit_version(make_item(world, plugins).latest_version, actor=world.author)
    first = send_pending(digest=False, app=app)
    assert first["sent"] == 1 and first["failed"] == 1
    assert set(_addressed(smtp)) == {world.reviewer2.email}
    smtp.mailbox.refuse.clear()
    assert send_pending(digest=False, app=app)["sent"] == 1
    assert set(_addressed(smtp)) == {world.reviewer.email, world.reviewer2.email}


def test_the_cli_sends_and_says_when_mail_is_not_configured(
    app: Flask, smtp: SmtpServer, world: World, plugins: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_email(world.reviewer)
    ops.set_mail_preference(world.reviewer, "daily")
    submit_version(make_item(world, plugins).latest_version, actor=world.author)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["itembank", "notifications", "send-digest"])
    assert result.exit_code == 0, result.output
    assert "1 messages sent (1 notifications), 0 failed" in result.output
    assert len(smtp.mailbox.messages) == 1
    monkeypatch.setitem(app.config, "ITEMBANK_SMTP_HOST", "")
    result = runner.invoke(args=["itembank", "notifications", "send"])
    assert result.exit_code != 0 and "ITEMBANK_SMTP_HOST is not set" in result.output


def test_a_statistics_flag_tells_the_items_writers(
    world: World, request: pytest.FixtureRequest
) -> None:
    found = request.getfixturevalue("planted")  # an analysis that flags a miskeyed item
    version = found["version"]
    told = [n for n in _of(world.author, "flagged") if n.object_id == found["item"].external_id]
    assert len(told) == 1
    assert told[0].params["version"] == version.number
    assert "Analisis butir menandai" in ops.describe(told[0])["id"]
    assert _of(world.reviewer, "flagged") == []
