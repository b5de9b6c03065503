"""Endpoints outside the API: the front door, liveness and health."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import sqlalchemy as sa

from itembank import web
from itembank.jobs import queue
from tests.conftest import Backend, make_app


def test_front_door_and_health(app: Any, session: Any) -> None:
    client = app.test_client()
    response = client.get("/")
    # The front door is the web UI's dashboard, behind the sign-in page.
    assert response.status_code == 303 and response.location.startswith("/login?next=/")
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_livez_does_no_io(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("/livez touched the database or the queue")

    monkeypatch.setattr(web, "_database_ok", refuse)
    monkeypatch.setattr(web, "queue_check", refuse)
    response = app.test_client().get("/livez")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_is_503_when_the_database_is_unreachable(
    app: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: Any, **_kwargs: Any) -> None:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(session, "execute", unreachable)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable", "queue": "ok"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_health_checks_the_real_queue(backend: Backend, tmp_path: Any) -> None:
    """The SQLite queue file answers; a Redis queue nobody listens on is a 503 that
    names it (a load balancer takes the instance out of rotation)."""
    sqlite_app = make_app(
        backend, ITEMBANK_JOBS_IMMEDIATE=False, ITEMBANK_QUEUE_FILE=str(tmp_path / "q.sqlite3")
    )
    with sqlite_app.app_context():
        assert queue.backend() == "sqlite"
    response = sqlite_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}

    redis_app = make_app(
        backend,
        ITEMBANK_JOBS_IMMEDIATE=False,
        ITEMBANK_REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0",
    )
    response = redis_app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error" and body["database"] == "ok"
    assert body["queue"].startswith("redis: ConnectionError")
    for app in (sqlite_app, redis_app):
        with app.app_context():
            from itembank.extensions import db

            db.engine.dispose()
