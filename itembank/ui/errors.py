"""Friendly error pages for the web UI: domain errors and HTTP errors outside ``/api/``
become a page in the user's language with what happened and where to go next; never
a traceback. Paths under ``/api/`` keep the API's problem documents."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from itembank.api.errors import API_PREFIX
from itembank.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Unavailable,
)
from itembank.extensions import db
from itembank.ui.blueprint import bp, page
from itembank.ui.i18n import error_text, problem_text
from itembank.ui.i18n import gettext as _
from itembank.workflow import TransitionNotAllowed

log = logging.getLogger(__name__)


def domain_status(exc: DomainError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, InvalidInput):
        return 422
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, Unavailable):
        return 503
    return 400


def explain(exc: DomainError) -> str:
    """What the error means for the user, in their language."""
    if isinstance(exc, NotFound):
        return _(
            "It does not exist, or it is in a bank you are not a member of. "
            "Check the address or ask the bank's administrator."
        )
    if isinstance(exc, PermissionDenied):
        return _("Your role in this bank does not allow this.")
    if isinstance(exc, TransitionNotAllowed):
        return _("This is not possible in the item's current state; reload the page.")
    if isinstance(exc, InvalidInput):
        return "; ".join(problem_text(p) for p in exc.problems) or _("The input is not valid.")
    if isinstance(exc, Conflict):
        if exc.message_id:  # the error says itself what is not possible now
            return _("This is not possible in its current state.")
        return _("Someone else changed this in the meantime, or it is already done.")
    if isinstance(exc, Unavailable):
        return _(
            "The background job queue cannot be reached, so nothing was started. Try again "
            "in a few minutes; if it keeps happening, tell the administrator."
        )
    return _("The request could not be carried out.")


TITLES: dict[int, Callable[[], str]] = {
    400: lambda: _("The request is not valid"),
    403: lambda: _("Not allowed"),
    404: lambda: _("Not found"),
    405: lambda: _("Not allowed"),
    409: lambda: _("Not possible right now"),
    413: lambda: _("The upload is too large"),
    422: lambda: _("The input is not valid"),
    429: lambda: _("Too many requests"),
    500: lambda: _("Something went wrong"),
    503: lambda: _("Not available right now"),
}


def error_page(status: int, message: str, detail: str = "") -> ResponseReturnValue:
    title = TITLES.get(status, TITLES[400])()
    return page("error.html", status, title=title, message=message, detail=detail, code=status)


def refused_page(problems: list[dict[str, str]]) -> ResponseReturnValue:
    """The page for a request the shared guard (:mod:`itembank.request_guard`) refused:
    400, naming each field and what is wrong with it."""
    return error_page(
        400,
        _(
            "The request holds text that cannot be saved: %(problems)s",
            problems="; ".join(f"{p['field']}: {problem_text(p)}" for p in problems),
        ),
    )


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> ResponseReturnValue:
    db.session.rollback()
    return error_page(domain_status(exc), explain(exc), error_text(exc))


def init_app(app: Flask) -> None:
    """HTTP errors outside the API (no route, CSRF, too large, server errors) become
    pages; the API keeps its handler (registered before or after this one)."""
    previous: Callable[[HTTPException], Any] | None = app.error_handler_spec[None][None].get(
        HTTPException
    )

    def handle(exc: HTTPException) -> Any:
        if request.path.startswith(API_PREFIX):
            return previous(exc) if previous is not None else exc
        if isinstance(exc, CSRFError):
            return error_page(
                400,
                _(
                    "The form had expired or did not come from this site. Go back, "
                    "reload the page and try again; nothing was saved."
                ),
            )
        status = exc.code or 500
        messages = {
            400: _("The request could not be read; go back and try again."),
            404: _("There is no page at this address."),
            405: _("This page cannot be used that way."),
            413: _("The upload is larger than allowed."),
        }
        return error_page(status, messages.get(status, exc.description or ""))

    def server_error(exc: InternalServerError) -> Any:
        if request.path.startswith(API_PREFIX):
            return previous(exc) if previous is not None else exc
        db.session.rollback()
        return error_page(
            500,
            _("The server could not complete the request. Nothing was saved; try again later."),
        )

    app.register_error_handler(HTTPException, handle)
    app.register_error_handler(InternalServerError, server_error)
