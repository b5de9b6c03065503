"""What every API blueprint shares: authentication before the view, one commit after
it (or a rollback when it failed), request content types, problem responses, ETags.
Text no field may hold (NUL, lone surrogates) and JSON nested too deep are refused for
the whole application, before this: :mod:`itembank.request_guard`."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from itembank.api import auth, errors
from itembank.api.errors import ApiError
from itembank.errors import DomainError, InvalidInput
from itembank.extensions import db
from itembank.models import ItemVersion

URL_PREFIX = "/api/v1"
#: The largest SQL INTEGER (PostgreSQL's int4). No id, version number or page is larger,
#: and a larger number in a query is a database error, so inputs are limited to it.
DB_INT_MAX = 2**31 - 1
#: The route converter for ids and version numbers (larger ones: 404).
INT_ID = f"int(max={DB_INT_MAX})"
JSON_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: ``(endpoint, method)`` pairs that need no token.
PUBLIC: set[tuple[str, str]] = set()
#: ``(endpoint, method)`` pairs whose view checks the token itself (every answer it gives
#: but a 401 needs one: :func:`itembank.api.auth.current_user`, or a statement of its own).
AUTHENTICATED_IN_VIEW: set[tuple[str, str]] = set()
#: ``(endpoint, method)``: what checks the token instead of
#: :func:`itembank.api.auth.authenticate`, reading with it what the view needs.
AUTHENTICATED_WITH: dict[tuple[str, str], Callable[[], None]] = {}
#: Endpoints that take ``multipart/form-data`` instead of JSON.
MULTIPART: set[str] = set()


def make_blueprint(name: str, description: str) -> Blueprint:
    blp = Blueprint(name, __name__, url_prefix=URL_PREFIX, description=description)
    blp.before_request(_authenticate)
    blp.before_request(_check_content_type)
    blp.after_request(_finish)
    blp.register_error_handler(DomainError, errors.domain_error_response)
    blp.register_error_handler(HTTPException, errors.http_error_response)
    return blp


def _authenticate() -> None:
    endpoint = (request.endpoint, request.method)
    if endpoint not in PUBLIC and endpoint not in AUTHENTICATED_IN_VIEW:
        AUTHENTICATED_WITH.get(endpoint, auth.authenticate)()


def _check_content_type() -> None:
    """415 for a body that is not JSON where JSON is expected (or not a form upload
    where a file is expected). Bodiless requests pass; schemas report what is missing."""
    if request.method not in JSON_METHODS:
        return
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if request.endpoint in MULTIPART:
        if request.mimetype != "multipart/form-data":
            raise ApiError(
                415, "send the file as multipart/form-data", code="unsupported_media_type"
            )
        return
    if has_body and not request.is_json:
        raise ApiError(
            415,
            f"the body must be application/json, not {request.mimetype or 'untyped'}",
            code="unsupported_media_type",
        )


def _finish(response: Response) -> Response:
    """Each request commits once, at the end, if it succeeded; otherwise rolls back.
    A request that sent nothing through the session (an item read on PostgreSQL,
    committed with its statement: :mod:`itembank.api.item_read`) has nothing to end."""
    session = db.session()
    if response.status_code < 400:
        auth.record_token_use()
        if session.in_transaction():
            session.commit()
    else:
        auth.forget_token_use()
        session.rollback()
    return response


# -- ETags of drafts ---------------------------------------------------------------------------


def draft_etag(version: ItemVersion) -> str:
    """A strong ETag naming the version and its revision: ``"v2.r3"``."""
    return f'"v{version.number}.r{version.revision}"'


def base_revision(version: ItemVersion) -> int:
    """The revision the request's ``If-Match`` says the edit is based on: 428 without
    one, 412 when it names another version or is not one of ours."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise ApiError(
            428,
            "send If-Match with the ETag of the draft you edited (GET .../draft gives it)",
            code="precondition_required",
        )
    if header == "*":
        return version.revision
    for candidate in (part.strip() for part in header.split(",")):
        tag = candidate.removeprefix("W/").strip('"')
        number, _, revision = tag.partition(".")
        if (
            number.startswith("v")
            and revision.startswith("r")
            and number[1:].isdigit()
            and revision[1:].isdigit()
            and int(number[1:]) == version.number
        ):
            return int(revision[1:])
    raise ApiError(
        412,
        f"If-Match {header} does not match the current draft, version {version.number} "
        f"(ETag {draft_etag(version)}); reload it and apply your changes again",
        code="stale_edit",
        current_etag=draft_etag(version),
    )


class Extended:
    """A domain object with extra attributes for a response schema (``my_roles`` of a
    bank, the ``token`` secret of a new token); everything else is the object's."""

    def __init__(self, obj: object, **extra: object):
        self._obj = obj
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> object:
        if name == "_obj":
            raise AttributeError(name)
        return getattr(self._obj, name)


def read_upload(max_bytes: int, what: str = "file") -> tuple[str, bytes]:
    """The multipart field ``file`` as (its name, at most ``max_bytes`` bytes): a missing
    field is a 422 naming it, a larger file a 413 (no more than ``max_bytes + 1`` bytes
    are read)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(
            f"send the {what} in the form field 'file'",
            [{"field": "file", "message": "Wajib diisi.", "message_en": "Required."}],
        )
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(
            413, f"the {what} is larger than {max_bytes} bytes", code="content_too_large"
        )
    return upload.filename or "", data
