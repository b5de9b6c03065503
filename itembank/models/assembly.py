"""Item statistics and automated test assembly runs.

**Item parameters** are append-only: one row per estimate of one item *version* under
one model (``3PL``, ``2PL``, ``GPCM``, ``GRM``, ``classical``), from a simulation or a
calibration run. Nothing overwrites an earlier row; the newest row per version and model
is the current one. The statistics issue's calibration writes here too.

An **assembly run** records one automated assembly: what was asked (blueprint, forms,
rules, target, seed, time limit), the pool it saw (version ids with the parameters used),
the solver, the times, the objective, the LP bound and the certified gap, the forms it
proposes and their comparison, or why it is infeasible. Nothing else is created until an
assembler accepts it: then its draft forms are made (``form_ids``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.forms import Blueprint
from itembank.models.items import ItemVersion
from itembank.models.users import Bank, User

PARAMETER_MODELS = ("3PL", "2PL", "GPCM", "GRM", "classical")
#: Models whose parameters give an item characteristic curve for dichotomous items.
IRT_MODELS = ("3PL", "2PL")
PARAMETER_SOURCES = ("simulated", "calibration")


class ItemParameters(db.Model):
    """Statistical parameters of one item version under one model (append-only).

    ``params``: ``{"a": .., "b": .., "c": ..}`` (3PL, logistic metric, D = 1), ``{"a",
    "b"}`` (2PL), category thresholds for GPCM/GRM, or classical ``{"p": .., "r_it": ..}``.
    ``standard_errors`` has the same keys. ``flags``: what the statistics flagged
    (``["low_discrimination", ...]``), empty when nothing."""

    __tablename__ = "item_parameters"
    __table_args__ = (
        sa.CheckConstraint(
            "model IN ('3PL', '2PL', 'GPCM', 'GRM', 'classical')", name="model_known"
        ),
        sa.CheckConstraint("source IN ('simulated', 'calibration')", name="source_known"),
        sa.Index("ix_item_parameters_current", "version_id", "model", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("item_version.id", ondelete="CASCADE"), index=True
    )
    model: Mapped[str] = mapped_column(sa.String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    standard_errors: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The scale the parameters are on (``"SIM-2026"``, a calibration's scale name).
    scale: Mapped[str] = mapped_column(sa.String(64), default="")
    sample_size: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.String(16))
    #: The calibration run that estimated them (statistics issue); None when simulated.
    run_id: Mapped[int | None]
    flags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    version: Mapped[ItemVersion] = relationship()
    created_by: Mapped[User | None] = relationship()


class RunStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DISCARDED = "discarded"
    INFEASIBLE = "infeasible"


RUN_STATUS_LABELS: dict[str, dict[str, str]] = {
    RunStatus.PROPOSED: {"id": "Usulan", "en": "Proposed"},
    RunStatus.ACCEPTED: {"id": "Diterima", "en": "Accepted"},
    RunStatus.DISCARDED: {"id": "Dibuang", "en": "Discarded"},
    RunStatus.INFEASIBLE: {"id": "Tidak dapat dirakit", "en": "Infeasible"},
}


class AssemblyRun(db.Model):
    """One automated assembly of a blueprint's forms (see the module doc)."""

    __tablename__ = "assembly_run"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'discarded', 'infeasible')", name="status_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    blueprint_id: Mapped[int] = mapped_column(sa.ForeignKey("blueprint.id"), index=True)
    #: The blueprint's revision when the run read it (accepting a run of an older one
    #: is refused).
    blueprint_revision: Mapped[int]
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("job.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    #: What was asked: forms, rules, target, seed, time limit (as validated).
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: The pool: ``{"versions": [[version_id, item_id], ...], "parameters": {...}}``.
    pool: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    solver: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    seed: Mapped[int] = mapped_column(default=0)
    method: Mapped[str] = mapped_column(sa.String(16), default="")
    stopped: Mapped[str] = mapped_column(sa.String(32), default="")
    times: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    objective: Mapped[float | None] = mapped_column(sa.Float)
    lp_bound: Mapped[float | None] = mapped_column(sa.Float)
    gap: Mapped[float | None] = mapped_column(sa.Float)
    #: The proposed forms: ``[{"sections": [[version_id, ...], ...], "rows": {...}}]``.
    forms: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: Per form statistics, the overlap matrix, item usage, the theta grid.
    comparison: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Infeasibility messages (or the solver's remarks): ``[{code, message, message_en,
    #: row, rule, numbers}]``.
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: What the run could not apply or left out: ``[{message, message_en}]``.
    notes: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    #: The draft forms made on acceptance (form ids, in form order).
    form_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    bank: Mapped[Bank] = relationship()
    blueprint: Mapped[Blueprint] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def __repr__(self) -> str:
        return f"<AssemblyRun {self.id} {self.status}>"
