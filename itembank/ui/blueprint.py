"""The UI blueprint and what its views share: the signed-in user, CSRF on every POST,
one commit per successful change, and rendering with the common context. Text no field
may hold (NUL, lone surrogates) is refused for the whole application:
:mod:`itembank.request_guard`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from itembank.extensions import db
from itembank.models import User
from itembank.ui.security import csrf

bp = Blueprint("ui", __name__)


@bp.before_request
def _protect() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@bp.after_request
def _no_store(response: Response) -> Response:
    """Pages show secret item content: never cache them (static files and images
    have their own rules)."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def actor() -> User:
    """The signed-in user (views are wrapped in ``login_required``)."""
    user = current_user._get_current_object()
    assert isinstance(user, User)
    return user


def commit() -> None:
    db.session.commit()


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"ui/{template}", **context), status


def safe_next(target: str | None, default: str) -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def redirect_to(url: str) -> BaseResponse:
    from flask import redirect

    return redirect(url, code=303)


__all__ = ["actor", "bp", "commit", "login_required", "page", "redirect_to", "safe_next"]
