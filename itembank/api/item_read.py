"""``GET /items/{id}`` on PostgreSQL in one statement: the bearer token with its user,
the item as :mod:`itembank.operations.shown_item` reads it, the ``item.read`` audit row
and the token's ``last_used_at`` (when stale), in the request's transaction.

The general path takes a statement for each (the token, the item, the audit row, the
token's use), each a round trip to the server; with ``BEGIN`` and ``COMMIT``, five.
Here the audit row and the token's use are data-modifying parts (``WITH ... INSERT``,
``WITH ... UPDATE``) of the statement that reads the token and the item, written only
when the statement's rows give the answer 200 (a valid token, a visible item with the
version the reader sees): ``BEGIN``, the statement, ``COMMIT``. The answers are the
general path's, checked in the same order: the token first (401), then the item (404).
What the statement cannot answer alone (an item without a newest version recorded,
which the ORM read finds) goes the general path, having written nothing.

The statement is sent through psycopg's own connection (:mod:`itembank.driver_statement`):
SQLAlchemy's execution of it took more CPU than PostgreSQL took to run it. It is the
request's first statement and its only write, so ``BEGIN`` and ``COMMIT`` go with it
in one round trip, on a pooled connection the ORM session never holds
(``DriverStatement.committed_rows``): the audit row and the token's use are committed
with the read, in its transaction, before the answer is written out (the session,
having begun nothing, has nothing to commit at the request's end; a session with a
transaction under way, as in the tests, runs it in that transaction). Nothing is lost or
deferred: the only difference from a commit at the end of the request is that an error
while writing out the answer (a 500) would leave the read recorded. A statement that
fails is not committed. It writes
only ``audit_event`` and ``api_token``, no table whose changes the bank's content stamp
follows (:mod:`itembank.content_stamp`, which the ORM's execution events would tell).

SQLite has no data-modifying ``WITH``: there the view takes the general path.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g

from itembank import driver_statement
from itembank.api import auth
from itembank.extensions import db
from itembank.models import ApiToken, AuditEvent, User
from itembank.models._types import UTCDateTime, utcnow
from itembank.operations import shown_item
from itembank.workflow import Status

_NOW = sa.bindparam("now", type_=UTCDateTime())

#: The token by its hash with what checking it reads (at most one row).
_TOKEN = auth.with_token().cte("reader_token")
#: What :func:`itembank.api.auth.check_token` accepts.
_VALID = sa.and_(_TOKEN.c.revoked_at.is_(None), _TOKEN.c.expires_at > _NOW, _TOKEN.c.is_active)

#: The item's rows (one for each review) for a valid token's reader, else none.
_SHOWN = (
    shown_item.item_query(
        admin=_TOKEN.c.is_admin, actor_id=_TOKEN.c.user_id, start=(_TOKEN, _VALID)
    )
    .add_columns(_TOKEN.c.user_id.label("reader_id"))
    .cte("shown")
)
#: The rows give the answer 200 (:func:`itembank.operations.shown_item.from_rows`): a
#: visible item with a version, the newest, or for a reader who sees only approved
#: versions, an approved one.
_ANSWERED = sa.and_(
    _SHOWN.c.visible,
    _SHOWN.c.version_id.is_not(None),
    sa.or_(_SHOWN.c.sees_newest, _SHOWN.c.status == Status.APPROVED.value),
)

_AUDIT = AuditEvent.__table__
#: The ``item.read`` row, as :func:`itembank.operations.reads.record_read` writes it.
_RECORD_READ = (
    sa.insert(_AUDIT)
    .from_select(
        [
            "created_at",
            "action",
            "actor_id",
            "bank_id",
            "item_id",
            "version_number",
            "from_status",
            "to_status",
            "reason",
            "object_type",
            "object_id",
            "data",
        ],
        sa.select(
            _NOW,
            sa.literal_column("'item.read'", sa.String),
            _SHOWN.c.reader_id,
            _SHOWN.c.bank_id,
            _SHOWN.c.id,
            _SHOWN.c.number,
            sa.null(),
            sa.null(),
            sa.literal_column("''", sa.Text),
            sa.literal_column("'item'", sa.String),
            _SHOWN.c.external_id,
            sa.literal_column("""'{"via": "item"}'""", _AUDIT.c.data.type),
        )
        .where(_ANSWERED)
        .limit(sa.literal_column("1", sa.Integer)),
    )
    .cte("read_recorded")
)
#: The token's use (:func:`itembank.api.auth.record_token_use`), if stale.
_RECORD_USE = (
    sa.update(ApiToken)
    .where(
        ApiToken.id == sa.select(_TOKEN.c.token_id).scalar_subquery(),
        sa.or_(
            ApiToken.last_used_at.is_(None),
            ApiToken.last_used_at <= sa.bindparam("stale", type_=UTCDateTime()),
        ),
        sa.exists().where(_ANSWERED),
    )
    .values(last_used_at=_NOW)
    .cte("use_recorded")
)

_STATEMENT = (
    sa.select(
        _TOKEN.c.token_id,
        _TOKEN.c.expires_at,
        _TOKEN.c.revoked_at,
        _TOKEN.c.last_used_at,
        _TOKEN.c.user_id,
        _TOKEN.c.is_active,
        *(column for column in _SHOWN.c if column.key != "reader_id"),
    )
    .select_from(_TOKEN)
    .outerjoin(_SHOWN, sa.true())
    .order_by(_SHOWN.c.review_id)
    .add_cte(_RECORD_READ, _RECORD_USE)
)
_SENT = driver_statement.DriverStatement(_STATEMENT)


def available() -> bool:
    """Whether the session's database takes the one statement (PostgreSQL)."""
    return driver_statement.available(db.engine)


def read_item(external_id: str) -> tuple[Any, Any] | None:
    """(item, version) of :func:`~itembank.operations.shown_item.shown_item` for the
    request's token, the read and the token's use recorded; the token's 401 and the
    item's 404 as the general path raises them. None: the general path answers (the
    request's user and the token's use are then noted as
    :func:`~itembank.api.auth.authenticate` notes them, and nothing was written)."""
    g.pop("api_token_used", None)
    token_hash = auth.bearer_token_hash()
    now = utcnow()
    # The request's first statement and its only write: a transaction of its own,
    # COMMIT sent with it, outside the ORM session (which then has nothing to commit).
    rows = _SENT.committed_rows(
        db.session(),
        {
            # No parameter is named as a column of api_token: SQLAlchemy would add it
            # to the UPDATE's SET.
            "presented_hash": token_hash,
            "now": now,
            "stale": now - auth.LAST_USED_PRECISION,
            "external_id": external_id,
        },
    )
    stale = auth.check_token(rows[0] if rows else None, now)
    shown = shown_item.from_rows(rows, external_id)
    if shown is not None:
        return shown
    if stale:
        g.api_token_used = (rows[0].token_id, now)
    g.api_user = db.session.get(User, rows[0].user_id)
    return None
