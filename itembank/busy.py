"""A database that stays busy: SQLite's write lock held past the busy timeout.

On SQLite every transaction takes the write lock as it begins (``BEGIN IMMEDIATE``, see
:func:`itembank.app._configure_sqlite`) and waits up to ``ITEMBANK_SQLITE_BUSY_SECONDS``
for another writer to finish. A long write (a worker saving a 20,000-row import in one
transaction on a loaded machine) can hold it longer. A request that waited that long
is not a server fault and must not look like one: it is rolled back (nothing was saved)
and answered ``503 Service Unavailable`` with ``Retry-After``: a problem document under
``/api/``, an error page in the user's language elsewhere, which a page's script (the
job page's polling) takes as "try again shortly". Any other database error stays a 500.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import sqlalchemy as sa
from flask import Flask, request

from itembank.extensions import db

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER_SECONDS = 5
#: SQLite's messages for a lock it could not take within the busy timeout.
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite giving up on a lock another connection holds."""
    original = getattr(exc, "orig", exc)
    return isinstance(original, sqlite3.OperationalError) and str(original).startswith(
        _BUSY_MESSAGES
    )


def init_app(app: Flask) -> None:
    def busy(exc: sa.exc.OperationalError) -> Any:
        if not is_busy(exc):
            raise exc  # a real fault: the server error handler logs it and answers 500
        db.session.rollback()
        log.warning(
            "database busy: %s %s waited the busy timeout for another writer",
            request.method,
            request.path,
        )
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        from itembank.api.errors import API_PREFIX, problem

        if request.path.startswith(API_PREFIX):
            return problem(
                503,
                "the database is busy saving other work; nothing was saved; "
                f"try again in {RETRY_AFTER_SECONDS} seconds",
                code="database_busy",
                headers=headers,
            )
        from itembank.ui.errors import error_page
        from itembank.ui.i18n import gettext as _

        response = app.make_response(
            error_page(
                503,
                _(
                    "The database is busy saving other work, so nothing was done. "
                    "Try again in a few seconds."
                ),
            )
        )
        response.headers.update(headers)
        return response

    app.register_error_handler(sa.exc.OperationalError, busy)
