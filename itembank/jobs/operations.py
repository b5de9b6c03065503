"""Starting, reading, listing and cancelling jobs: the bank's job API.

Who sees a job: whoever started it, the bank's admins and global administrators, like
the imports. Others are told it does not exist. Reading a job also settles jobs whose
worker stopped renewing its lease (:func:`expire_stale`), so nobody ever sees a job
``running`` that no worker runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from itembank.access import ensure_visible, roles_in
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound, Unavailable
from itembank.extensions import db
from itembank.jobs import queue
from itembank.jobs.registry import job_kind, job_kinds
from itembank.models import FINISHED, Bank, Job, JobFile, JobStatus, Role, User
from itembank.models._types import utcnow

log = logging.getLogger(__name__)

#: A queued job's message (Indonesian, English).
WAITING = ("Menunggu pekerja", "Waiting for a worker")


class QueueUnavailable(Unavailable):
    """The job was recorded but could not be handed to the queue."""

    code = "queue_unavailable"


def job_event(action: str, job: Job, *, actor: User | None = None, **data: Any) -> None:
    """Audit ``action`` (``job.create``, ``job.start``, ``job.cancel``, ``job.end``) on
    ``job``; by default its starter is the actor (a worker acts for them)."""
    record(
        action,
        actor=actor or job.actor,
        bank=job.bank,
        object_type="job",
        object_id=str(job.id),
        kind=job.kind,
        **data,
    )


def sees_all_jobs(actor: User, bank: Bank) -> bool:
    return actor.is_admin or Role.BANK_ADMIN in roles_in(actor, bank)


def start_job(
    kind: str,
    *,
    bank: Bank,
    actor: User,
    params: dict[str, Any] | None = None,
    files: list[tuple[str, bytes]] | None = None,
) -> Job:
    """Record a job, commit it, and hand it to the queue. The caller checks that
    ``actor`` may do what the job does (the kind's own operation checks it again when
    the job runs). Raises :class:`QueueUnavailable` when the queue cannot take it (the
    job is then failed, with that reason)."""
    if job_kind(kind) is None:
        raise InvalidInput(
            f"unknown job kind {kind!r}",
            [
                {
                    "field": "kind",
                    "message": f"Jenis pekerjaan '{kind}' tidak dikenal.",
                    "message_en": f"Unknown job kind '{kind}'.",
                }
            ],
        )
    job = Job(
        kind=kind,
        bank_id=bank.id,
        actor_id=actor.id,
        params=params or {},
        status=JobStatus.QUEUED,
        message=WAITING[0],
        message_en=WAITING[1],
        sent_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    for name, data in files or []:
        db.session.add(JobFile(job_id=job.id, name=name[:255], data=data))
    job_event("job.create", job, actor=actor, params=params or {})
    db.session.commit()
    try:
        queue.send(job.id)
    except queue.QueueError as exc:
        log.error("job %s could not be queued: %s", job.id, exc)
        _fail(
            job,
            "Antrean pekerjaan tidak dapat dihubungi; pekerjaan tidak dimulai.",
            "The job queue could not be reached; the job was not started.",
        )
        db.session.commit()
        raise QueueUnavailable(
            "the job queue could not be reached; the job was not started", job_id=job.id
        ) from None
    db.session.refresh(job)
    return job


def get_job(job_id: int, *, actor: User) -> Job:
    """A job its reader may see (settling it first if its worker stopped)."""
    expire_stale()
    job = db.session.get(Job, job_id)
    if job is None or not _may_see(actor, job):
        raise NotFound(f"no job {job_id}")
    return job


@dataclass(frozen=True)
class JobPage:
    jobs: list[Job]
    total: int


def list_jobs(
    bank: Bank,
    *,
    actor: User,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> JobPage:
    """The bank's jobs, newest first: all of them for bank admins, their own for others."""
    ensure_visible(actor, bank)
    expire_stale()
    query = sa.select(Job).where(Job.bank_id == bank.id)
    if not sees_all_jobs(actor, bank):
        query = query.where(Job.actor_id == actor.id)
    if kind:
        query = query.where(Job.kind == kind)
    if status:
        query = query.where(Job.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    jobs = db.session.scalars(
        query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit).offset(offset)
    ).all()
    return JobPage(list(jobs), total)


def my_jobs(actor: User, *, limit: int = 10) -> list[Job]:
    """The user's own recent jobs in every bank they still belong to (the dashboard)."""
    expire_stale()
    jobs = db.session.scalars(
        sa.select(Job)
        .where(Job.actor_id == actor.id)
        .order_by(Job.created_at.desc(), Job.id.desc())
        .limit(limit)
    ).all()
    return [job for job in jobs if _may_see(actor, job)]


def cancel_job(job: Job, *, actor: User) -> Job:
    """Cancel a job: a queued one never starts; a running one stops at its next
    checkpoint and writes nothing. The caller commits."""
    if not _may_see(actor, job):
        raise NotFound(f"no job {job.id}")
    if job.status in FINISHED:
        raise Conflict(
            f"job {job.id} has already ended ({job.status})", job_id=job.id, job_status=job.status
        )
    job_event("job.cancel", job, actor=actor, status_then=job.status)
    now = utcnow()
    cancelled = db.session.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.CANCELLED,
            cancel_requested=True,
            cancelled_by_id=actor.id,
            finished_at=now,
            message="Dibatalkan sebelum dimulai",
            message_en="Cancelled before it started",
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if cancelled:
        db.session.execute(sa.delete(JobFile).where(JobFile.job_id == job.id))
        job_event("job.end", job, status=str(JobStatus.CANCELLED))
    else:
        db.session.execute(
            sa.update(Job)
            .where(Job.id == job.id, Job.status == JobStatus.RUNNING)
            .values(cancel_requested=True, cancelled_by_id=actor.id)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(job)
    return job


def expire_stale() -> list[int]:
    """Fail every running job whose lease ran out (its worker died or stalled), and
    return their ids. Writes only when there is such a job; the caller commits."""
    now = utcnow()
    stale = db.session.scalars(
        sa.select(Job).where(Job.status == JobStatus.RUNNING, Job.lease_expires_at < now)
    ).all()
    expired = []
    for job in stale:
        when = job.lease_expires_at
        changed = db.session.execute(
            sa.update(Job)
            .where(
                Job.id == job.id,
                Job.status == JobStatus.RUNNING,
                Job.lease_expires_at == when,
            )
            .values(
                status=JobStatus.FAILED,
                finished_at=now,
                error=(
                    "Pekerja yang menjalankan pekerjaan ini berhenti merespons "
                    f"(sewa berakhir {when:%Y-%m-%d %H:%M:%S} UTC); tidak ada yang disimpan."
                ),
                error_en=(
                    "The worker running this job stopped responding (its lease ran out at "
                    f"{when:%Y-%m-%d %H:%M:%S} UTC); nothing was saved."
                ),
                lease_expires_at=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            db.session.execute(sa.delete(JobFile).where(JobFile.job_id == job.id))
            db.session.refresh(job)
            job_event(
                "job.end",
                job,
                status=str(JobStatus.FAILED),
                error="lease expired",
                worker=job.worker,
            )
            log.warning("job %s failed: lease of %s ran out", job.id, job.worker)
            expired.append(job.id)
    return expired


def resend_waiting(older_than: timedelta) -> list[int]:
    """Hand to the queue again every job still queued ``older_than`` after it was last
    sent (a message lost with a queue restart, or a crash between commit and send).
    Delivering a job twice is harmless: only one worker can take it. The caller commits."""
    cutoff = utcnow() - older_than
    waiting = db.session.scalars(
        sa.select(Job).where(Job.status == JobStatus.QUEUED, Job.sent_at < cutoff)
    ).all()
    sent = []
    for job in waiting:
        try:
            queue.send(job.id)
        except queue.QueueError as exc:
            log.error("job %s could not be sent again: %s", job.id, exc)
            break
        job.sent_at = utcnow()
        sent.append(job.id)
    return sent


def job_titles() -> dict[str, tuple[str, str]]:
    return {kind.id: (kind.title, kind.title_en) for kind in job_kinds().values()}


def _may_see(actor: User, job: Job) -> bool:
    if actor.is_admin:
        return True
    held = roles_in(actor, job.bank)
    if not held:
        return False
    return job.actor_id == actor.id or Role.BANK_ADMIN in held


def _fail(job: Job, message: str, message_en: str) -> None:
    job.status = JobStatus.FAILED
    job.finished_at = utcnow()
    job.error, job.error_en = message, message_en
    db.session.execute(sa.delete(JobFile).where(JobFile.job_id == job.id))
    job_event("job.end", job, status=str(JobStatus.FAILED), error=message_en)
