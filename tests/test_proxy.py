"""``ITEMBANK_PROXY_HOPS``: X-Forwarded-* headers are believed only from trusted proxies."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, jsonify, request, url_for

from itembank.config import default_config
from tests.conftest import Backend, make_app

FORWARDED = {
    "X-Forwarded-For": "198.51.100.9, 203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "bank.example.go.id",
}


def _echo_app(backend: Backend, hops: int) -> Flask:
    app = make_app(backend, ITEMBANK_PROXY_HOPS=hops)

    @app.get("/_test/whoami")
    def whoami() -> Any:
        return jsonify(remote_addr=request.remote_addr, url=url_for("livez", _external=True))

    return app


def test_one_hop_follows_the_last_proxy(backend: Backend) -> None:
    client = _echo_app(backend, 1).test_client()
    seen = client.get("/_test/whoami", headers=FORWARDED).get_json()
    # One trusted proxy: the address it saw (the last one listed), its scheme and host.
    assert seen == {"remote_addr": "203.0.113.7", "url": "https://bank.example.go.id/livez"}


def test_no_hops_ignores_the_headers(backend: Backend) -> None:
    client = _echo_app(backend, 0).test_client()
    seen = client.get("/_test/whoami", headers=FORWARDED).get_json()
    assert seen == {"remote_addr": "127.0.0.1", "url": "http://localhost/livez"}


def test_proxy_hops_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("ITEMBANK_PROXY_HOPS", raising=False)
    assert default_config(str(tmp_path))["ITEMBANK_PROXY_HOPS"] == 0
    monkeypatch.setenv("ITEMBANK_PROXY_HOPS", "2")
    assert default_config(str(tmp_path))["ITEMBANK_PROXY_HOPS"] == 2
    for wrong in ("-1", "one"):
        monkeypatch.setenv("ITEMBANK_PROXY_HOPS", wrong)
        with pytest.raises(ValueError, match="ITEMBANK_PROXY_HOPS must be a whole number"):
            default_config(str(tmp_path))


def _login_statuses(client: Any, username: str, forwarded_for: str, times: int) -> list[int]:
    return [
        client.post(
            "/api/v1/tokens",
            json={"username": username, "password": "wrong"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for _ in range(times)
    ]


def _forget_attempts(app: Flask, username: str) -> None:
    from itembank.extensions import db
    from itembank.models import LoginAttempt

    with app.app_context():
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.username == username))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()  # no connection left for the garbage collector to close


def test_lockouts_count_the_client_behind_a_trusted_proxy(backend: Backend) -> None:
    """Behind one trusted proxy, two clients are two addresses: one's failures do not
    lock the other out; without trusted proxies, a forged header escapes nothing."""
    app = _echo_app(backend, 1)
    client = app.test_client()
    username = f"ghost-{uuid.uuid4().hex[:8]}"
    try:
        assert _login_statuses(client, username, "198.51.100.1", 6) == [401] * 5 + [429]
        assert _login_statuses(client, username, "198.51.100.2", 1) == [401]
    finally:
        _forget_attempts(app, username)

    app = _echo_app(backend, 0)
    client = app.test_client()
    try:
        statuses = [
            _login_statuses(client, username, f"198.51.100.{n}", 1)[0] for n in range(10, 16)
        ]
        assert statuses == [401] * 5 + [429]  # all from the socket's address
    finally:
        _forget_attempts(app, username)
