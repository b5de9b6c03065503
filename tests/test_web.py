"""Endpoints outside the API."""

from __future__ import annotations

from typing import Any


def test_front_door_and_health(app: Any, session: Any) -> None:
    client = app.test_client()
    response = client.get("/")
    # The front door is the web UI's dashboard, behind the sign-in page.
    assert response.status_code == 303 and response.location.startswith("/login?next=/")
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
