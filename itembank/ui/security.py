"""Security headers, session cookie settings and CSRF protection for the web UI."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from itembank.api.common import URL_PREFIX
from itembank.api.errors import API_PREFIX

csrf = CSRFProtect()

#: Scripts, styles, images and fetches only from this site; no inline script or style
#: (the rich-text editor is configured not to inject any); no framing; forms post only
#: here. Images may be ``data:`` only for the browser's own previews of an upload.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

#: Every API response: its body (item content, answer keys, results) is never stored by
#: a browser or a proxy, nor read as another type than the one sent. A response that
#: sets its own caching (an image, Swagger UI's files) keeps it.
API_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

#: The API's documentation page is a page like the others: the same headers.
API_DOCS_PATH = f"{URL_PREFIX}/docs"


def is_api_request(path: str) -> bool:
    """Whether ``path`` is the API's (its documentation page is a page like the others)."""
    return path.startswith(API_PREFIX) and path.rstrip("/") != API_DOCS_PATH


class WebSessionInterface(SecureCookieSessionInterface):
    """The signed session cookie of the web UI, not opened for the API: it authenticates
    with bearer tokens only, and nothing under it reads or writes the session (its
    requests get Flask's null session, which refuses writes; no cookie is read, none is
    set). Opening and saving the session took a twentieth of an API request's CPU."""

    def open_session(self, app: Flask, request: Request) -> Any:
        if is_api_request(request.path):
            return None
        return super().open_session(app, request)


def secure_cookies(app: Flask) -> bool:
    """``ITEMBANK_SECURE_COOKIES`` (config or environment; ``1``/``0``), else on
    unless the app runs in debug or testing mode."""
    value = app.config.get("ITEMBANK_SECURE_COOKIES")
    if value is None:
        value = os.environ.get("ITEMBANK_SECURE_COOKIES")
    if value is None or value == "":
        return not (app.debug or app.testing)
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off")
    return bool(value)


def init_app(app: Flask) -> None:
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = secure_cookies(app)
    app.session_interface = WebSessionInterface()
    csrf.init_app(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        """Every page (the API's documentation page too), static file and image gets
        :data:`HEADERS`; every other API response :data:`API_HEADERS`."""
        headers = API_HEADERS if is_api_request(request.path) else HEADERS
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
