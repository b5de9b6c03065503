"""Endpoints outside the API: the front door, liveness and health."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from itembank import web


@pytest.fixture
def no_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Health checks as before the job queue: its module cannot be imported."""
    monkeypatch.setattr(web, "QUEUE_MODULE", "itembank.no_such_queue_module")


@pytest.fixture
def fake_queue(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """A stand-in ``itembank.jobs.queue`` whose ``health()`` returns ``state.result``."""
    state = types.SimpleNamespace(result=(True, "ok"))

    def health() -> tuple[bool, str]:
        if isinstance(state.result, Exception):
            raise state.result
        return state.result

    module = types.ModuleType(web.QUEUE_MODULE)
    module.health = health  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, web.QUEUE_MODULE, module)
    return state


def test_front_door_and_health(app: Any, session: Any, no_queue: None) -> None:
    client = app.test_client()
    response = client.get("/")
    # The front door is the web UI's dashboard, behind the sign-in page.
    assert response.status_code == 303 and response.location.startswith("/login?next=/")
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_livez_does_no_io(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("/livez touched the database or the queue")

    monkeypatch.setattr(web, "_database_ok", refuse)
    monkeypatch.setattr(web, "queue_check", refuse)
    response = app.test_client().get("/livez")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_health_is_503_when_the_database_is_unreachable(
    app: Any, session: Any, no_queue: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_args: Any, **_kwargs: Any) -> None:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(session, "execute", unreachable)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_queue_check_is_none_without_a_queue(no_queue: None) -> None:
    assert web.queue_check() is None


def test_a_queue_module_that_fails_to_import_is_not_ok(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "itembank_test_broken_queue.py").write_text("import no_such_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(web, "QUEUE_MODULE", "itembank_test_broken_queue")
    assert web.queue_check() == (
        False,
        "cannot import itembank_test_broken_queue: No module named 'no_such_dependency_xyz'",
    )


def test_health_includes_the_queue(app: Any, session: Any, fake_queue: Any) -> None:
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}

    fake_queue.result = (False, "redis unreachable")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "error",
        "database": "ok",
        "queue": "redis unreachable",
    }

    fake_queue.result = RuntimeError("boom")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["queue"] == "health check failed: RuntimeError: boom"
