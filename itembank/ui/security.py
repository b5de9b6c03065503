"""Security headers, session cookie settings and CSRF protection for the web UI."""

from __future__ import annotations

import os

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect

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
    csrf.init_app(app)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        """Every response outside the API (pages, static files, images) gets the
        headers; the API's JSON and its documentation page keep their own."""
        if request.path.startswith(API_PREFIX):
            return response
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
