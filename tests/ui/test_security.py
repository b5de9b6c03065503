"""Signing in and out, CSRF, security headers and session cookies of the web UI."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.ui.security import CONTENT_SECURITY_POLICY, secure_cookies
from tests.api.conftest import ApiClient
from tests.factories import PASSWORD, World, make_item
from tests.ui.conftest import UiClient, text


def test_sign_in_and_out(ui: UiClient, world: World) -> None:
    response = ui.login(world.author)
    assert response.status_code == 303 and response.location == "/"
    dashboard = ui.get("/")
    assert dashboard.status_code == 200 and world.author.username in text(dashboard)
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == world.author.username)
    ).all()
    assert "user.login" in events

    # Signing out needs a POST (with the CSRF token); a GET is no way to do it.
    assert ui.get("/logout").status_code == 405
    out = ui.post("/logout")
    assert out.status_code == 303 and out.location == "/login"
    assert ui.get("/").status_code == 303


def test_wrong_password_is_refused_with_a_message(ui: UiClient, world: World) -> None:
    response = ui.post("/login", {"username": world.author.username, "password": "nope"})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in text(response)
    assert ui.get("/").status_code == 303


def test_the_lockout_is_the_apis(
    app: Flask, ui: UiClient, api: ApiClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failures at the API and at the sign-in page count together."""
    monkeypatch.setitem(app.config, "ITEMBANK_LOGIN_MAX_FAILURES", 3)
    for _ in range(2):
        api.post("tokens", json={"username": world.author.username, "password": "nope"})
    ui.post("/login", {"username": world.author.username, "password": "nope"})
    locked = ui.post("/login", {"username": world.author.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in text(locked)


def test_next_is_followed_only_within_the_site(ui: UiClient, world: World) -> None:
    ui.get("/login")
    for target, expected in (
        ("/banks", "/banks"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
    ):
        response = ui.post(
            "/login",
            {"username": world.author.username, "password": PASSWORD, "next": target},
        )
        assert response.location == expected, target
        ui.post("/logout")
        ui.get("/login")


def test_a_changed_password_ends_the_session(ui: UiClient, world: World) -> None:
    ui.login(world.author)
    assert ui.get("/").status_code == 200
    world.author.set_password("another-password-1")
    db.session.flush()
    assert ui.get("/").status_code == 303


def test_post_without_csrf_token_is_refused(as_user: Any, world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    author = as_user("author")
    response = author.post(f"/items/{item.external_id}/revise", {}, csrf=False)
    assert response.status_code == 400
    assert "Formulir sudah kedaluwarsa" in text(response)
    bad = author.post(f"/items/{item.external_id}/revise", {"csrf_token": "forged"}, csrf=False)
    assert bad.status_code == 400
    preview = author.post_json(f"/banks/{world.bank.code}/preview", {}, csrf=False)
    assert preview.status_code == 400
    assert len(item.versions) == 1


def test_the_api_needs_no_csrf_token(api: ApiClient, as_user: Any, world: World) -> None:
    """CSRF protects cookie sessions; the API authenticates with bearer tokens."""
    from tests.api.conftest import login

    client = api.as_(login(api, world.author))
    response = client.post(
        f"banks/{world.bank.code}/items",
        json={"type": "true_false", "stem": "<p>Benar?</p>", "content": {"key": True}},
    )
    assert response.status_code == 201


def test_security_headers(ui: UiClient, as_user: Any) -> None:
    for response in (
        ui.get("/login"),
        ui.get("/static/css/app.css"),
        ui.get("/no-such-page"),
        as_user("author").get("/"),
    ):
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        response.close()  # the static file's stream
    csp = CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page = as_user("author").get("/")
    assert page.headers["Cache-Control"] == "no-store"
    # No inline script anywhere: every <script> has a src or holds JSON data.
    for tag in re.findall(r"<script\b[^>]*>", text(page)):
        assert "src=" in tag or 'type="application/json"' in tag


def test_the_api_keeps_its_own_headers(api: ApiClient) -> None:
    response = api.get("/api/v1/banks")
    assert "Content-Security-Policy" not in response.headers


def test_api_responses_are_never_stored_nor_sniffed(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Issue finding 10: API responses carrying item content (an item, a draft, the
    listing, an error) had no ``Cache-Control: no-store`` and no ``nosniff``, unlike the
    pages showing the same content. Images keep their own (private) caching."""
    item = make_item(world, plugins)
    db.session.commit()
    author = as_user("author")
    for response in (
        author.get(f"/api/v1/items/{item.external_id}"),
        author.get(f"/api/v1/items/{item.external_id}/draft"),
        author.get(f"/api/v1/banks/{world.bank.code}/items"),
        author.get("/api/v1/items/NO-SUCH-ITEM"),
        author.get("/api/v1/no-such-resource"),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path


def test_the_api_docs_page_has_the_pages_headers(api: ApiClient) -> None:
    """Issue finding 10: the API's documentation page had no Content-Security-Policy
    and could be framed. It has the pages' headers, and starts Swagger UI from a script
    file, so the policy's ``script-src 'self'`` does not stop it."""
    page = api.get("/api/v1/docs")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    tags = re.findall(r"<script\b[^>]*>", page.get_data(as_text=True))
    assert tags and all("src=" in tag for tag in tags), tags
    script = api.get("/static/js/api-docs.js")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.data
    script.close()


def test_session_cookie_flags(app: Flask, ui: UiClient, world: World) -> None:
    response = ui.login(world.author)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Testing apps send it over plain HTTP; everywhere else it is Secure by default.
    assert "Secure" not in cookie


@pytest.mark.parametrize(
    "setting,env,debug,testing,expected",
    [
        (None, None, False, False, True),
        (None, None, True, False, False),
        (None, None, False, True, False),
        (None, "0", False, False, False),
        (None, "off", False, False, False),
        (None, "1", False, True, True),
        (True, "0", False, True, True),
        (False, None, False, False, False),
    ],
)
def test_secure_cookie_setting(
    monkeypatch: pytest.MonkeyPatch,
    setting: Any,
    env: str | None,
    debug: bool,
    testing: bool,
    expected: bool,
) -> None:
    if env is None:
        monkeypatch.delenv("ITEMBANK_SECURE_COOKIES", raising=False)
    else:
        monkeypatch.setenv("ITEMBANK_SECURE_COOKIES", env)
    app = Flask(__name__)
    app.debug, app.testing = debug, testing
    if setting is not None:
        app.config["ITEMBANK_SECURE_COOKIES"] = setting
    assert secure_cookies(app) is expected


def test_secure_cookie_is_sent(backend: Any, session: Any, world: World) -> None:
    from tests.conftest import make_app

    app = make_app(backend, ITEMBANK_SECURE_COOKIES=True)
    try:
        client = UiClient(app.test_client())
        with app.app_context():
            response = client.get("/login")
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        with app.app_context():
            db.engine.dispose()


def test_error_pages_are_friendly(as_user: Any, world: World) -> None:
    author = as_user("author")
    missing = author.get("/items/NOPE-000001")
    assert missing.status_code == 404 and "Tidak ditemukan" in text(missing)
    assert "Traceback" not in text(missing)
    nowhere = author.get("/no/such/page")
    assert nowhere.status_code == 404 and "Tidak ada halaman di alamat ini." in text(nowhere)
    assert author.get("/items/X/versions/99999999999").status_code == 404


# -- text no field may hold, JSON too deep (itembank.request_guard) ------------------------


def test_edge_input_gets_the_error_page_naming_the_field(
    as_user: Any, world: World, plugins: Any
) -> None:
    """NUL in a path parameter, JSON nested too deep or holding a lone surrogate: a 400
    page (or the editor's own problems) naming the field, in Indonesian, never a 500."""
    author = as_user("author")
    item = make_item(world, plugins).external_id
    page = author.get(f"/items/{item}%00")
    assert page.status_code == 400
    assert "external_id: Karakter NUL (\\u0000) tidak diperbolehkan." in text(page)

    if not author.csrf:
        author.get("/login")
    deep = author.client.post(
        f"/banks/{world.bank.code}/preview",
        data='{"type": "true_false", "content": ' + "[" * 100_000 + "]" * 100_000 + "}",
        content_type="application/json",
        headers={"X-CSRFToken": author.csrf},
    )
    assert deep.status_code == 400
    assert "JSON bersarang terlalu dalam (lebih dari 64 tingkat)." in text(deep)
    assert "content." + ".".join(["0"] * 63) in text(deep)
    surrogate = author.client.post(
        f"/banks/{world.bank.code}/preview",
        data='{"type": "true_false", "stem": "x", "content": {"key": true}, '
        '"metadata": {"notes": "\\ud800"}}',
        content_type="application/json",
        headers={"X-CSRFToken": author.csrf},
    )
    assert surrogate.status_code == 400
    assert "metadata.notes: Teks memuat surrogate UTF-16 tunggal" in text(surrogate)


@pytest.mark.parametrize(
    ("content", "field", "message"),
    [
        ("[" * 100_000, "content", "JSON bersarang terlalu dalam (lebih dari 64 tingkat)."),
        ('{"key": true, "a\\udc00": 1}', "content.a\\udc00", "surrogate UTF-16 tunggal"),
        ('{"key": "\\ud800"}', "content.key", "surrogate UTF-16 tunggal"),
    ],
)
def test_the_editor_reads_its_json_fields_through_the_same_checks(
    as_user: Any, world: World, content: str, field: str, message: str
) -> None:
    author = as_user("author")
    response = author.post(
        f"/banks/{world.bank.code}/items/new?type=true_false",
        {"stem": "<p>Soal</p>", "content": content, "metadata": "{}"},
    )
    assert response.status_code == 422
    assert message in text(response)
    assert f'data-path="{field}' in text(response)


def test_the_api_opens_no_cookie_session(app: Flask) -> None:
    """The API authenticates with bearer tokens: its requests get Flask's null session,
    whatever cookie they carry, and never set one; pages (the API's documentation page
    too) open the signed session as before."""
    from flask import request, session

    signed = app.session_interface.get_signing_serializer(app).dumps({"lang": "en"})  # type: ignore[attr-defined]
    cookie = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={signed}"}
    for path, opened in (
        ("/api/v1/items/X-000001", False),
        ("/api/v1/banks", False),
        ("/api/v1/docs", True),
        ("/login", True),
    ):
        with app.test_request_context(path, headers=cookie):
            assert request.path == path
            assert app.session_interface.is_null_session(session) is not opened, path
            assert session.get("lang") == ("en" if opened else None), path
    response = app.test_client().get("/api/v1/banks", headers=cookie)
    assert response.status_code == 401
    assert "Set-Cookie" not in response.headers
