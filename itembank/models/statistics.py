"""Item statistics from delivered results: analyses, calibrations and review flags.

An **analysis** is the classical item analysis of one form, in one administration or
pooled over all of them (``administration_id`` None), computed from the stored results
whenever results are imported (and on request, e.g. with DIF for a group variable). The
newest analysis of a (form, administration) is the current one; older ones stay as they
were, so a flag can always show the figures that raised it.

A **calibration run** estimates IRT parameters from the results of one or more
administrations; its estimates are appended to ``item_parameters`` (``source``
``calibration``, ``run_id`` this run), never overwriting an earlier calibration.

A **review flag** puts an item version in the reviewers' queue (*perlu ditelaah:
statistik*) because its statistics crossed a threshold. Nothing changes status by
itself: a reviewer decides (``revise`` starts a new draft, ``keep`` or ``retire``), and
the decision and its reason are audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.forms import Form
from itembank.models.items import Item, ItemVersion
from itembank.models.results import Administration
from itembank.models.users import Bank, User

FLAG_STATUSES = ("open", "revise", "keep", "retire")
CALIBRATION_STATUSES = ("running", "completed", "failed")


class Analysis(db.Model):
    """The classical analysis of one form in one administration (or pooled)."""

    __tablename__ = "analysis"
    __table_args__ = (sa.Index("ix_analysis_current", "form_id", "administration_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("form.id"), index=True)
    #: None: pooled over every administration of the form.
    administration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("administration.id", ondelete="CASCADE"), index=True
    )
    candidates: Mapped[int]
    #: What the analysis was computed from (candidate count and newest result id), so a
    #: newer import is seen as making it stale.
    results_mark: Mapped[str] = mapped_column(sa.String(64))
    #: Thresholds and options used (DIF group, reference, focal).
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Form statistics: n, mean, sd, max, histogram, alpha, sem; ``sections`` by title.
    form_stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Per entry in delivery order: version, item, statistics, options, flags.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    bank: Mapped[Bank] = relationship()
    form: Mapped[Form] = relationship()
    administration: Mapped[Administration | None] = relationship()


class CalibrationRun(db.Model):
    """One IRT calibration over the results of one or more administrations."""

    __tablename__ = "calibration_run"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "number"),
        sa.CheckConstraint("status IN ('running', 'completed', 'failed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    number: Mapped[int]
    #: The scale the estimates are on (``CACT-DEMO-C001`` unless named).
    scale: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    #: Administrations (external ids), models per item type, anchors, priors.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    candidates: Mapped[int] = mapped_column(default=0)
    items: Mapped[int] = mapped_column(default=0)
    #: Convergence, iterations, log-likelihood, population, seconds; fit per item.
    summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    bank: Mapped[Bank] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def external_id(self) -> str:
        return f"{self.bank.code}-C{self.number:03d}"


class ReviewFlag(db.Model):
    """An item version its statistics sent back to the reviewers."""

    __tablename__ = "review_flag"
    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'revise', 'keep', 'retire')", name="status_known"),
        sa.CheckConstraint(
            "status = 'open' OR (decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decided_has_who_and_when",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("item_version.id", ondelete="CASCADE"), index=True
    )
    #: ``analysis`` or ``calibration``: what raised it.
    source: Mapped[str] = mapped_column(sa.String(16))
    analysis_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("analysis.id", ondelete="SET NULL")
    )
    calibration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("calibration_run.id", ondelete="SET NULL")
    )
    #: ``[{"code", "message", "message_en", "value"}]``.
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="open", index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    item: Mapped[Item] = relationship()
    version: Mapped[ItemVersion] = relationship()
    analysis: Mapped[Analysis | None] = relationship()
    calibration: Mapped[CalibrationRun | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def codes(self) -> list[str]:
        return [flag["code"] for flag in self.flags]
