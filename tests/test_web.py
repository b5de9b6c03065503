"""Endpoints outside the API."""

from __future__ import annotations

from typing import Any


def test_front_door_and_health(app: Any, session: Any) -> None:
    client = app.test_client()
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/api/v1/docs")
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
