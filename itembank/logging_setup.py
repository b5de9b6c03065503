"""Logs to standard output, one line per record, each tagged with its request's id.

``ITEMBANK_LOG_FORMAT`` picks the line format: ``text`` (the default, for people) or
``json`` (one JSON object per line, for a log collector). :func:`init_app` puts one
handler on the root logger, so every library's records come out the same way, and
gives every request an id:

- taken from the incoming ``X-Request-ID`` header when it looks like an id (letters,
  digits and ``._:+/=@-``, at most 128 characters; set by a proxy in front, it ties our
  lines to the proxy's), otherwise generated;
- echoed in the response's ``X-Request-ID`` header;
- added to every record logged while the request is handled (``request_id``).

gunicorn's own records (its error log and the access log) go through the same
formatters (``logger_class`` in :mod:`itembank.gunicorn_conf`); an access line carries
the id of the request it reports.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import uuid
from collections.abc import Mapping
from typing import Any, TextIO

from flask import Flask, Response, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+/=@-]{1,128}")
# The key under which gunicorn's access log finds a response header (its atoms).
_ACCESS_ATOM = "{" + REQUEST_ID_HEADER.lower() + "}o"


def request_id_from(header: str | None) -> str:
    """The id for a request: ``header`` if it is a sane id, else a new random one."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being handled, or ``None`` outside a request."""
    if has_request_context():
        return g.get("request_id")
    return None


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id``: the current request's, or for a gunicorn access
    record the id echoed in the response it reports; ``None`` when there is none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = current_request_id()
            if request_id is None and isinstance(record.args, Mapping):
                atom = record.args.get(_ACCESS_ATOM)
                request_id = atom if isinstance(atom, str) and atom != "-" else None
            record.request_id = request_id
        return True


def _timestamp(record: logging.LogRecord) -> str:
    moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """``time level [pid] logger [request id] message`` on one line.

    Newlines in the message or a traceback are written as ``\\n``.
    """

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            text += "\n" + self.formatStack(record.stack_info)
        request_id = getattr(record, "request_id", None) or "-"
        line = (
            f"{_timestamp(record)} {record.levelname} [{record.process}] {record.name} "
            f"[{request_id}] {text}"
        )
        return line.replace("\r", "\\r").replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time``, ``level``, ``logger``, ``pid``,
    ``request_id``, ``message`` and, when there is one, ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _timestamp(record),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "request_id": getattr(record, "request_id", None),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


FORMATTERS: dict[str, type[logging.Formatter]] = {"text": TextFormatter, "json": JsonFormatter}


def log_format(value: str | None) -> str:
    """``ITEMBANK_LOG_FORMAT`` checked: ``text`` when unset, else ``text`` or ``json``."""
    name = (value or "").strip().lower() or "text"
    if name not in FORMATTERS:
        choices = " or ".join(FORMATTERS)
        raise ValueError(f"ITEMBANK_LOG_FORMAT must be {choices}, not {value!r}")
    return name


def use_format(handler: logging.Handler, name: str) -> logging.Handler:
    """Make ``handler`` write lines in format ``name`` with the request id filled in."""
    handler.setFormatter(FORMATTERS[log_format(name)]())
    if not any(isinstance(existing, RequestIdFilter) for existing in handler.filters):
        handler.addFilter(RequestIdFilter())
    return handler


class StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is when each record is emitted."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self) -> TextIO:
        return sys.stdout

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure(name: str, level: int = logging.INFO) -> logging.Handler:
    """Send the root logger's records to standard output in format ``name``.

    Idempotent: a handler installed here before is replaced, so creating several
    applications in one process leaves exactly one.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, StdoutHandler):
            root.removeHandler(handler)
    handler = use_format(StdoutHandler(), name)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    """Give each request an id and, except under test (where pytest captures the
    logs), send the logs to standard output in ``ITEMBANK_LOG_FORMAT``."""
    name = log_format(app.config.get("ITEMBANK_LOG_FORMAT"))
    if not app.testing:
        configure(name)

    @app.before_request
    def _assign_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        return response
