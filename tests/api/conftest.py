"""API test fixtures: a test client on the test's rolled-back session, and tokens."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from itembank.models import User
from tests.factories import PASSWORD, World, unique


class ApiClient:
    """The test client with a bearer token (or none) and the API prefix.

    Every response it receives must have a status the OpenAPI document declares for
    that operation (so the whole API suite checks the document's error statuses).
    """

    def __init__(self, client: FlaskClient, token: str | None = None):
        self.client = client
        self.token = token

    def as_(self, token: str | None) -> ApiClient:
        return ApiClient(self.client, token)

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        url = path if path.startswith("/") else f"/api/v1/{path}"
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        assert_documented(self.client.application, method, url, response.status_code)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


def _documented_spec(app: Flask) -> dict[str, Any]:
    """The app's OpenAPI document, built once per app (it does not change)."""
    cached = app.extensions.get("tests.openapi")
    if cached is None:
        cached = app.extensions["tests.openapi"] = app.extensions["itembank.api"].spec.to_dict()
    return cached


_RULE_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def assert_documented(app: Flask, method: str, url: str, status: int) -> None:
    """``status`` is one the OpenAPI document lists for the operation ``url`` reaches
    (requests that reach no operation, such as unknown paths, are not checked; nor are
    5xx, which no operation promises and ``test_errors`` provokes on purpose)."""
    if status >= 500:
        return
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method=method)
    except HTTPException:
        return
    rules = [r for r in app.url_map.iter_rules(endpoint) if method in (r.methods or ())]
    spec = _documented_spec(app)
    for rule in rules:
        operation = spec["paths"].get(_RULE_PARAM.sub(r"{\1}", rule.rule), {})
        documented = operation.get(method.lower(), {}).get("responses")
        if documented is not None:
            assert str(status) in documented, (
                f"{method} {rule.rule} answered {status}, which its OpenAPI operation "
                f"does not document (it documents {sorted(documented)})"
            )


@pytest.fixture
def api(app: Flask, session: Any) -> ApiClient:
    """An anonymous client whose requests run in the test's transaction."""
    return ApiClient(app.test_client())


def login(api: ApiClient, user: User, **extra: Any) -> str:
    response = api.as_(None).post(
        "tokens", json={"username": user.username, "password": PASSWORD, **extra}
    )
    assert response.status_code == 201, response.json
    return response.json["token"]


@pytest.fixture
def as_user(api: ApiClient, world: World) -> Any:
    """``as_user("author")``: a client with a fresh token of that world user."""
    cache: dict[str, ApiClient] = {}

    def get(name: str) -> ApiClient:
        if name == "admin" and "admin" not in world.users:
            from itembank.operations.accounts import create_user

            world.users["admin"] = create_user(
                unique("admin-"), PASSWORD, actor=None, is_admin=True
            )
        if name not in cache:
            cache[name] = api.as_(login(api, world.users[name]))
        return cache[name]

    return get


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is problem details with ``status`` (and ``code``)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert {"type", "title", "status", "detail", "code"} <= set(body)
    assert body["status"] == status
    assert body["detail"]
    if code is not None:
        assert body["code"] == code, body
    return body
