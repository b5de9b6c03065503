"""Administrations (pelaksanaan) and the candidates' results they bring back.

An **administration** is one delivery of one or more of the bank's exported forms: its
dates, sessions and site. Results attach to it, one **candidate result** per candidate
and form: the responses in the form's order, the bank's own scores of them (every
response is re-scored with the pinned version's ``score()``), and what the delivery
system reported beside them (its scores, the option order each candidate saw, the time
spent), as the delivery gave them.

Candidates are personal data. The bank keeps a keyed hash of the delivery system's
candidate id (``candidate_key``, HMAC-SHA256 under the app's results key), never the id
itself, and group variables (for DIF) only when the results carry them. Every read of
results is audited by the operations that read them.

A **results import** is one file of results brought into an administration, with its
report (problems by file/row and item) and the disagreement report (responses the
delivery scored differently from the bank). An import either lands whole or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.forms import Form
from itembank.models.users import Bank, User

RESULT_FORMATS = ("qti", "csv", "xlsx")
RESULT_IMPORT_STATUSES = ("completed", "rolled_back", "failed")


class Administration(db.Model):
    """One delivery (pelaksanaan) of exported forms: when, where, which sessions."""

    __tablename__ = "administration"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "number"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    #: Per-bank sequence number; ``external_id`` (``CACT-DEMO-A001``) is derived from it.
    number: Mapped[int]
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    site: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    #: Session labels (``["Sesi 1", "Sesi 2"]``); results may name one.
    sessions: Mapped[list[str]] = mapped_column(JSONType, default=list)
    #: Results made up by the bank's simulator (demo, tests), never real candidates.
    simulated: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Bumped on every saved change (optimistic locking, ETags).
    revision: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": revision}

    bank: Mapped[Bank] = relationship()
    created_by: Mapped[User | None] = relationship()
    forms: Mapped[list[Form]] = relationship(
        secondary="administration_form", order_by="Form.number", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Administration {self.external_id}>"


class AdministrationForm(db.Model):
    """A form delivered in an administration (only exported forms)."""

    __tablename__ = "administration_form"

    administration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("administration.id", ondelete="CASCADE"), primary_key=True
    )
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("form.id"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ResultImport(db.Model):
    """One results file brought into an administration, and what came of it. Stored
    even when nothing landed (the report says why)."""

    __tablename__ = "result_import"
    __table_args__ = (
        sa.CheckConstraint("format IN ('qti', 'csv', 'xlsx')", name="format_known"),
        sa.CheckConstraint("status IN ('completed', 'rolled_back', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("administration.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    format: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(16))
    candidates: Mapped[int] = mapped_column(default=0)
    responses: Mapped[int] = mapped_column(default=0)
    #: Responses the delivery scored differently from the bank.
    disagreements: Mapped[int] = mapped_column(default=0)
    #: ``[{"file", "row", "item", "code", "message", "message_en"}]``, at most a bound.
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    problems_total: Mapped[int] = mapped_column(default=0)
    #: Per item, the disagreeing patterns (see ``operations.results``).
    disagreement_report: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))

    administration: Mapped[Administration] = relationship()
    actor: Mapped[User | None] = relationship()


class CandidateResult(db.Model):
    """One candidate's results on one form of an administration.

    The lists run in the form's delivery order (``Form.entries``): ``responses`` in the
    bank's own response shape (``None``: left blank or not presented), ``scores`` the
    bank's scores (``None``: not presented; a blank scores 0), ``delivered_scores`` what
    the delivery system reported (``None`` per item or for the whole list when absent),
    ``choice_orders`` the option order the candidate saw (``None`` when not reported),
    ``durations`` seconds per item when reported."""

    __tablename__ = "candidate_result"
    __table_args__ = (sa.UniqueConstraint("administration_id", "form_id", "candidate_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    administration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("administration.id", ondelete="CASCADE"), index=True
    )
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("form.id"), index=True)
    import_id: Mapped[int] = mapped_column(
        sa.ForeignKey("result_import.id", ondelete="CASCADE"), index=True
    )
    #: HMAC-SHA256 (hex) of the delivery system's candidate id under the results key.
    candidate_key: Mapped[str] = mapped_column(sa.String(64))
    session: Mapped[str] = mapped_column(sa.String(64), default="")
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration: Mapped[float | None] = mapped_column(sa.Float)
    #: Group variables for DIF (``{"gender": "F", "region": "Jawa"}``), only when given.
    groups: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    responses: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    scores: Mapped[list[float | None]] = mapped_column(JSONType, default=list)
    delivered_scores: Mapped[list[float | None] | None] = mapped_column(JSONType)
    choice_orders: Mapped[list[list[str] | None] | None] = mapped_column(JSONType)
    durations: Mapped[list[float | None] | None] = mapped_column(JSONType)
    total: Mapped[float] = mapped_column(sa.Float, default=0.0)
    delivered_total: Mapped[float | None] = mapped_column(sa.Float)

    administration: Mapped[Administration] = relationship()
    form: Mapped[Form] = relationship()
