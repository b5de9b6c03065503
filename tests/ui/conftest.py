"""Web UI test fixtures: a Flask test client that signs in through the login page and
sends the session's CSRF token with every POST, on the test's rolled-back session."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient

from itembank.models import User
from tests.api.conftest import api  # noqa: F401  (the API client, for comparisons)
from tests.factories import PASSWORD, World, unique

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _fresh_request_globals() -> None:
    """The tests run requests inside the test's app context, so ``g`` outlives a
    request; forget what Flask-Login and Flask-WTF cache there (the signed-in user, the
    CSRF token, the language), as a real server does between requests."""
    if has_app_context():
        for name in ("_login_user", "csrf_token", "_flask_babel"):
            g.pop(name, None)


class UiClient:
    """A browser-like client: keeps cookies, reads the CSRF token from pages."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        _fresh_request_globals()
        response = self.client.get(path, **kwargs)
        self._remember_token(response)
        return response

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any
    ) -> Any:
        data = dict(data or {})
        if csrf:
            if not self.csrf:
                self.get("/login")
            data.setdefault("csrf_token", self.csrf)
        _fresh_request_globals()
        return self.client.post(path, data=data, **kwargs)

    def post_json(self, path: str, body: Any, *, csrf: bool = True) -> Any:
        if csrf and not self.csrf:
            self.get("/login")
        headers = {"X-CSRFToken": self.csrf} if csrf else {}
        _fresh_request_globals()
        return self.client.post(path, json=body, headers=headers)

    def _remember_token(self, response: Any) -> None:
        if response.mimetype == "text/html":
            match = CSRF_META.search(response.get_data(as_text=True))
            if match:
                self.csrf = match.group(1)

    def login(self, user: User | str, password: str = PASSWORD) -> Any:
        username = user if isinstance(user, str) else user.username
        self.get("/login")
        response = self.post("/login", {"username": username, "password": password})
        if response.status_code == 303:
            self.get("/")  # a fresh CSRF token for the new session
        return response


def text(response: Any) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def ui(app: Flask, session: Any) -> UiClient:
    """An anonymous browser whose requests run in the test's transaction."""
    return UiClient(app.test_client())


@pytest.fixture
def as_user(app: Flask, session: Any, world: World) -> Any:
    """``as_user("author")``: a signed-in client for that world user (``"admin"``: a
    global administrator)."""
    cache: dict[str, UiClient] = {}

    def get(name: str) -> UiClient:
        if name == "admin" and "admin" not in world.users:
            from itembank.operations.accounts import create_user

            world.users["admin"] = create_user(
                unique("admin-"), PASSWORD, actor=None, is_admin=True
            )
        if name not in cache:
            client = UiClient(app.test_client())
            if name != "anonymous":
                response = client.login(world.users[name])
                assert response.status_code == 303, text(response)
            cache[name] = client
        return cache[name]

    return get
