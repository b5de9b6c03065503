"""Background jobs: the durable record of work done outside a web request."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.users import Bank, User


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


#: Statuses a job never leaves.
FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(db.Model):
    """One piece of background work: what was asked (kind, parameters, by whom, in which
    bank), where it stands (status, progress, the lease of the worker running it) and
    what it produced (``result_type``/``result_id``, e.g. an import batch) or why it failed.

    The queue only carries the job's id; this row is the truth. A worker takes a job by
    moving it from ``queued`` to ``running`` in one conditional UPDATE, so no job runs
    twice, and keeps its lease fresh while it works; a job whose lease ran out is failed.
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default=JobStatus.QUEUED, index=True)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    #: The current step in Indonesian and English ("Memeriksa soal", "Checking items").
    message: Mapped[str] = mapped_column(sa.String(255), default="")
    message_en: Mapped[str] = mapped_column(sa.String(255), default="")
    #: What the job produced: ``import_batch`` and its id, say.
    result_type: Mapped[str] = mapped_column(sa.String(32), default="")
    result_id: Mapped[int | None]
    #: A short summary of the result for lists (counts), never personal data.
    result_summary: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: Why it failed, for the user (the traceback goes to the server log only).
    error: Mapped[str] = mapped_column(sa.Text, default="")
    error_en: Mapped[str] = mapped_column(sa.Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    #: ``host:pid/thread`` of the worker running it.
    worker: Mapped[str] = mapped_column(sa.String(255), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: When the job was last handed to the queue (re-sent if it waits too long).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    bank: Mapped[Bank] = relationship()
    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.status}>"


class JobFile(db.Model):
    """A file a job works on (an uploaded import), kept in the database so that a
    worker on another machine can read it, and deleted when the job ends."""

    __tablename__ = "job_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(sa.ForeignKey("job.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
