"""SQLite's write lock held past the busy timeout (a worker's long import transaction):
the request waits ``ITEMBANK_SQLITE_BUSY_SECONDS``, then is answered 503 with
``Retry-After``, a problem document for the API and a page in the user's language for
the UI; never a 500. Another database error is still a server error."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.busy import is_busy
from itembank.extensions import db
from tests.conftest import make_app
from tests.ui.conftest import UiClient


class _Backend:
    name = "sqlite"
    engine_options: dict[str, object] = {}

    def __init__(self, url: str) -> None:
        self.url = url


@pytest.fixture
def busy_app(tmp_path: Path) -> Iterator[tuple[Flask, Path]]:
    path = tmp_path / "busy.sqlite3"
    sqlite3.connect(path).close()
    app = make_app(_Backend(f"sqlite:///{path}"), ITEMBANK_SQLITE_BUSY_SECONDS=0.2)
    with app.app_context():
        db.session.execute(sa.text("CREATE TABLE api_token (id INTEGER)"))
        db.session.commit()
        db.session.remove()
    yield app, path
    with app.app_context():
        db.engine.dispose()


def _held(path: Path) -> sqlite3.Connection:
    """Another connection holding the write lock (as a worker's open transaction)."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_the_api_answers_503_with_retry_after_while_the_lock_is_held(
    busy_app: tuple[Flask, Path],
) -> None:
    app, path = busy_app
    client = app.test_client()
    other = _held(path)
    try:
        response = client.get(
            "/api/v1/banks", headers={"Authorization": "Bearer not-a-token-but-read"}
        )
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "database_busy"
    assert "try again" in response.json["detail"]


def test_the_ui_answers_a_503_page_in_indonesian_while_the_lock_is_held(
    busy_app: tuple[Flask, Path],
) -> None:
    app, path = busy_app
    ui = UiClient(app.test_client())
    ui.get("/login")  # the form's token (no database)
    other = _held(path)
    try:
        response = ui.post("/login", {"username": "penulis", "password": "salah-salah"})
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Basis data sedang sibuk" in page
    assert "Traceback" not in page


def test_other_database_errors_stay_server_errors(busy_app: tuple[Flask, Path]) -> None:
    app, _path = busy_app
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    # The table made above lacks the token's columns: a real fault, not a busy database.
    response = client.get("/api/v1/banks", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_only_sqlite_lock_messages_count_as_busy() -> None:
    assert is_busy(
        sa.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))
    )
    assert not is_busy(
        sa.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: x"))
    )
    assert not is_busy(RuntimeError("database is locked"))
