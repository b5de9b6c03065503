"""Every API error is one shape: RFC 9457 problem details (``application/problem+json``).

``{"type", "title", "status", "detail", "code"}``, plus ``errors`` (``[{"field",
"message", "message_en"}]``) when input failed validation, plus any facts a program can
act on (a stale edit's ``current_revision`` and ``changed_by``). Domain errors, the
workflow's refusals, flask-smorest's own 422s and werkzeug's HTTP errors all come out
of :func:`problem`.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException

from itembank.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleEdit,
    Unavailable,
)
from itembank.itemtypes import flatten_marshmallow_errors

PROBLEM_MIMETYPE = "application/problem+json"
API_PREFIX = "/api/"

#: Domain error class -> HTTP status (most specific first).
DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (StaleEdit, 412),
    (NotFound, 404),
    (PermissionDenied, 403),
    (InvalidInput, 422),
    (Conflict, 409),
    (Unavailable, 503),
)


class ApiError(HTTPException):
    """An HTTP error raised by the API itself, with a detail and optional extra members."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        code: str = "",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ):
        super().__init__(detail)
        self.code = status
        self.problem_code = code or HTTPStatus(status).name.lower()
        self.extra_headers = headers or {}
        self.extra = extra


def problem(
    status: int,
    detail: str,
    *,
    code: str = "",
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """The problem-details response for ``status``."""
    phrase = _phrase(status)
    body: dict[str, Any] = {
        "type": f"urn:itembank:problem:{code}" if code else "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
        "code": code or phrase.lower().replace(" ", "_").replace("-", "_"),
    }
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def domain_error_response(exc: DomainError) -> Response:
    status = next((s for cls, s in DOMAIN_STATUS if isinstance(exc, cls)), 400)
    extra = {k: v for k, v in exc.details.items() if k != "problems"}
    errors = exc.problems if isinstance(exc, InvalidInput) else None
    if isinstance(exc, InvalidInput) and not errors:
        errors = [{"field": "", "message": exc.message, "message_en": exc.message}]
    return problem(status, exc.message, code=exc.code, errors=errors, **extra)


def http_error_response(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, ApiError):
        return problem(
            status,
            exc.description or "",
            code=exc.problem_code,
            headers=exc.extra_headers,
            **exc.extra,
        )
    data = getattr(exc, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
        headers["Allow"] = ", ".join(exc.valid_methods)
    messages = data.get("messages")
    if messages is not None:  # webargs: the request failed its schema
        errors = _validation_errors(messages)
        detail = "the request is invalid: " + "; ".join(
            f"{e['field'] or 'body'}: {e['message_en']}" for e in errors[:10]
        )
        code = "invalid"
        if status == 400:
            detail, code = "the request body is not valid JSON", "malformed_json"
        return problem(status, detail, code=code, errors=errors, headers=headers)
    detail = data.get("message") or (exc.description if status != 500 else "")
    return problem(status, detail or "", headers=headers)


def _validation_errors(messages: Any) -> list[dict[str, str]]:
    """webargs' ``{location: {field: [messages]}}`` as a flat list of problems (the
    location is dropped: body fields are named as in the body, query ones as in the URL)."""
    problems = []
    locations = messages if isinstance(messages, dict) else {"": messages}
    for value in locations.values():
        problems.extend(p.as_dict() for p in flatten_marshmallow_errors(value))
    return problems


def register(app: Flask) -> None:
    """Problem responses for HTTP errors under ``/api/`` that happen outside the API's
    blueprints (no route: 404, 405; the docs); other paths keep the app's handler.
    The blueprints register their own handlers (:func:`itembank.api.common.make_blueprint`)."""
    previous: Callable[[HTTPException], Any] | None = app.error_handler_spec[None][None].get(
        HTTPException
    )

    def handle(exc: HTTPException) -> Any:
        if request.path.startswith(API_PREFIX):
            return http_error_response(exc)
        return previous(exc) if previous is not None else exc

    app.register_error_handler(HTTPException, handle)
