"""What a worker does with a job id.

1. **Take** the job: one conditional UPDATE from ``queued`` to ``running`` that names this
   worker and sets a lease. If no row changed, the job was cancelled, taken by another
   worker or is no longer queued, and the message is dropped: a job never runs twice at
   once, however often its id is delivered.
2. **Keep the lease**: a heartbeat thread renews it while the job runs. A worker that dies
   (kill -9, a machine lost) stops renewing; once the lease runs out the job is failed by
   :func:`itembank.jobs.operations.expire_stale`. A worker whose job was failed that way
   (it stalled beyond its lease) notices at its next checkpoint or at its end and commits
   nothing.
3. **Run** the kind's handler in ``db.session``; it reports progress and stops at its
   next checkpoint when cancelled.
4. **End**: the handler's work and the job's final state are committed together, in one
   transaction, and only if this worker still holds the job. A cancelled or failed job
   commits nothing of its work.
5. **Give back** when the worker stops before the job ends (:func:`stop_running_jobs`):
   the job stops at its next checkpoint, commits nothing of its work and goes back to
   the queue for another worker (:func:`give_back`).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from itembank.extensions import db, reading_phase
from itembank.jobs import queue
from itembank.jobs.control import WAIT_HEARTBEAT_MS, WAIT_PROGRESS_MS, WAIT_REQUIRED_MS, Control
from itembank.jobs.operations import WAITING, job_event
from itembank.jobs.registry import JobResult, job_kind
from itembank.models import Bank, Job, JobFile, JobStatus, User
from itembank.models._types import utcnow
from itembank.operations import notifications

log = logging.getLogger(__name__)

#: Least time between two progress writes, and between two looks at the cancel flag.
PROGRESS_INTERVAL = 0.25
CANCEL_CHECK_INTERVAL = 0.25

#: Set when this worker process stops before its running jobs end: each gives up at its
#: next checkpoint (see :func:`stop_running_jobs`).
_stopping = threading.Event()


class JobStopped(BaseException):
    """Raised at a checkpoint: the job was cancelled, or this worker lost its lease.

    A ``BaseException`` (like ``KeyboardInterrupt``), so that the work's own
    ``except Exception`` (an importer guarding against a broken plugin) lets it through."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class JobFailed(Exception):
    """A handler's way to fail a job with a message for the user."""

    def __init__(self, message: str, message_en: str):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


@dataclass
class JobContext:
    """What a handler gets: the job's parameters, bank and requester, its files, and
    the means to report progress and to stop when asked."""

    job_id: int
    kind: str
    params: dict[str, Any]
    bank: Bank
    actor: User
    control: Control
    worker: str
    _last_progress: float = 0.0
    _last_message: tuple[str, str] = ("", "")
    _last_check: float = 0.0
    lost: threading.Event = field(default_factory=threading.Event)
    #: The last progress reported (written or not): ``(done, total)``.
    reported: tuple[int, int] = (0, 0)

    def files(self) -> list[tuple[str, bytes]]:
        """The job's files, ``(name, data)``; read leaving no transaction open (and on
        SQLite without taking the write lock)."""
        with reading_phase():
            rows = db.session.execute(
                sa.select(JobFile.name, JobFile.data)
                .where(JobFile.job_id == self.job_id)
                .order_by(JobFile.id)
            ).all()
            db.session.commit()
        return [(name, bytes(data)) for name, data in rows]

    def progress(self, done: int, total: int, message: str, message_en: str) -> None:
        """Report progress (written at most every :data:`PROGRESS_INTERVAL` unless the
        message changes), then stop here if the job was cancelled."""
        self.reported = (done, total)
        now = time.monotonic()
        changed = (message, message_en) != self._last_message
        if changed or now - self._last_progress >= PROGRESS_INTERVAL or done == total:
            self._last_progress, self._last_message = now, (message, message_en)
            self.control.execute(
                sa.update(Job)
                .where(
                    Job.id == self.job_id,
                    Job.status == JobStatus.RUNNING,
                    Job.worker == self.worker,
                )
                .values(
                    progress_done=done,
                    progress_total=total,
                    message=message[:255],
                    message_en=message_en[:255],
                ),
                wait_ms=WAIT_PROGRESS_MS,
            )
        self.checkpoint()

    def checkpoint(self, *, force: bool = False) -> None:
        """Raise :class:`JobStopped` if the job was cancelled or its lease was lost (the
        database is asked at most every :data:`CANCEL_CHECK_INTERVAL`, unless ``force``),
        or the worker is stopping."""
        if self.lost.is_set():
            raise JobStopped("lease_lost")
        if _stopping.is_set():
            raise JobStopped("worker_stopping")
        now = time.monotonic()
        if not force and now - self._last_check < CANCEL_CHECK_INTERVAL:
            return
        self._last_check = now
        state = self.control.first(
            sa.select(Job.status, Job.cancel_requested, Job.worker).where(Job.id == self.job_id)
        )
        if state is None:
            raise JobStopped("lease_lost")
        status, cancel_requested, worker = state
        if status != JobStatus.RUNNING or worker != self.worker:
            raise JobStopped("lease_lost")
        if cancel_requested:
            raise JobStopped("cancelled")


class _Heartbeat(threading.Thread):
    """Renews the job's lease until stopped; sets ``lost`` if the job is no longer ours."""

    def __init__(self, control: Control, job_id: int, worker: str, lease: float, lost: Any):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.control, self.job_id, self.worker, self.lease = control, job_id, worker, lease
        self.lost = lost
        self.stopped = threading.Event()

    def run(self) -> None:
        interval = max(self.lease / 4, 0.05)
        while not self.stopped.wait(interval):
            now = utcnow()
            changed = self.control.execute(
                sa.update(Job)
                .where(
                    Job.id == self.job_id,
                    Job.status == JobStatus.RUNNING,
                    Job.worker == self.worker,
                )
                .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=self.lease)),
                wait_ms=WAIT_HEARTBEAT_MS,
            )
            if changed == 0:
                self.lost.set()
                return

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join()


def lease_seconds() -> float:
    return float(current_app.config.get("ITEMBANK_JOB_LEASE_SECONDS", 60))


def run_job(job_id: int) -> str:
    """Take job ``job_id`` and run it to its end; returns its final status, or
    ``"skipped"`` when it was not ours to run. Needs an app context."""
    control = Control(current_app._get_current_object())  # type: ignore[attr-defined]
    worker = worker_name()
    lease = lease_seconds()
    now = utcnow()
    taken = control.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(
            status=JobStatus.RUNNING,
            worker=worker,
            attempts=Job.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            lease_expires_at=now + timedelta(seconds=lease),
        ),
        wait_ms=WAIT_REQUIRED_MS,
        required=True,
    )
    if taken != 1:
        log.info("job %s not taken (cancelled, taken or unknown)", job_id)
        return "skipped"

    job = db.session.get(Job, job_id)
    assert job is not None
    job_event("job.start", job, worker=worker, attempt=job.attempts)
    context = JobContext(job.id, job.kind, dict(job.params), job.bank, job.actor, control, worker)
    # The handler starts with no transaction open (on SQLite it may read without the
    # write lock, see itembank.extensions.reading_phase).
    db.session.commit()
    heartbeat = None
    if not control.immediate:
        heartbeat = _Heartbeat(control, job.id, worker, lease, context.lost)
        heartbeat.start()
    log.info("job %s (%s) started by %s", job.id, job.kind, worker)
    try:
        kind = job_kind(job.kind)
        if kind is None:
            raise JobFailed(
                f"Jenis pekerjaan '{job.kind}' tidak dikenal oleh pekerja ini.",
                f"This worker does not know the job kind '{job.kind}'.",
            )
        result = kind.handler(context)
        # A cancel asked for while the work ran, but after its last checkpoint, still
        # counts: nothing is committed yet.
        context.checkpoint(force=True)
        if heartbeat is not None:
            heartbeat.stop()
        if context.lost.is_set():
            raise JobStopped("lease_lost")
        return _finish(
            job_id, worker, JobStatus.SUCCEEDED, result=result, reported=context.reported
        )
    except JobStopped as stop:
        if heartbeat is not None:
            heartbeat.stop()
        db.session.rollback()
        if stop.reason == "cancelled":
            return _finish(job_id, worker, JobStatus.CANCELLED)
        if stop.reason == "worker_stopping":
            return "given back" if give_back(Job.worker == worker) else "stopped"
        log.warning("job %s: lease lost by %s; its work was not committed", job_id, worker)
        return "lost"
    except JobFailed as failure:
        if heartbeat is not None:
            heartbeat.stop()
        db.session.rollback()
        return _finish(
            job_id, worker, JobStatus.FAILED, error=(failure.message, failure.message_en)
        )
    except Exception:
        if heartbeat is not None:
            heartbeat.stop()
        log.exception("job %s (%s) failed", job_id, job.kind)
        db.session.rollback()
        return _finish(
            job_id,
            worker,
            JobStatus.FAILED,
            error=(
                f"Terjadi kesalahan internal; tidak ada yang disimpan (pekerjaan {job_id}, "
                "lihat log server).",
                f"An internal error occurred; nothing was saved (job {job_id}, see the "
                "server log).",
            ),
        )


def _finish(
    job_id: int,
    worker: str,
    status: JobStatus,
    *,
    result: JobResult | None = None,
    error: tuple[str, str] = ("", ""),
    reported: tuple[int, int] = (0, 0),
) -> str:
    """Write the job's end in ``db.session`` (with the handler's work, if any) and commit,
    only if this worker still holds the job; otherwise roll everything back."""
    result = result or JobResult()
    now = utcnow()
    values: dict[str, Any] = {
        "status": status,
        "finished_at": now,
        "lease_expires_at": None,
        "result_type": result.result_type,
        "result_id": result.result_id,
        "result_summary": result.summary,
        "error": error[0],
        "error_en": error[1],
    }
    if status is JobStatus.SUCCEEDED:
        total = reported[1] or reported[0]
        values.update(
            progress_done=total, progress_total=total, message="Selesai", message_en="Done"
        )
    changed = db.session.execute(
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.RUNNING, Job.worker == worker)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        db.session.rollback()
        log.warning("job %s was no longer held by %s at its end; nothing committed", job_id, worker)
        return "lost"
    db.session.execute(sa.delete(JobFile).where(JobFile.job_id == job_id))
    job = db.session.get(Job, job_id)
    assert job is not None
    db.session.refresh(job)
    job_event(
        "job.end",
        job,
        status=str(status),
        result_type=result.result_type,
        result_id=result.result_id,
        error=error[1],
    )
    notifications.job_finished(job)
    db.session.commit()
    log.info("job %s ended: %s", job_id, status)
    return str(status)


def stop_running_jobs() -> None:
    """This worker process is stopping: its running jobs stop at their next checkpoint,
    commit nothing and are given back to the queue."""
    _stopping.set()


def process_worker_prefix() -> str:
    """What the names of this process's workers (:func:`worker_name`) begin with."""
    return f"{socket.gethostname()}:{os.getpid()}:"


def give_back(holder: sa.ColumnElement[bool]) -> list[int]:
    """Put the running jobs whose worker matches ``holder`` back in the queue, as if
    never taken (their work was never committed), and send them again; returns their
    ids. Each job is given back only if that worker still holds it (a job that ended
    meanwhile stays ended); one whose cancelling was asked for ends cancelled instead
    (nothing of it was saved, and no other worker should start it only to stop).
    Commits ``db.session``; waits for a job row's lock at most
    :data:`~itembank.jobs.control.WAIT_HEARTBEAT_MS` (a job it cannot get now is left
    to its lease)."""
    db.session.rollback()
    held = db.session.execute(
        sa.select(Job.id, Job.worker).where(Job.status == JobStatus.RUNNING, holder)
    ).all()
    db.session.commit()
    given = []
    for job_id, worker in held:
        try:
            limit_lock_wait(WAIT_HEARTBEAT_MS)
            changed = db.session.execute(
                sa.update(Job)
                .where(
                    Job.id == job_id,
                    Job.status == JobStatus.RUNNING,
                    Job.worker == worker,
                    Job.cancel_requested.is_(False),
                )
                .values(
                    status=JobStatus.QUEUED,
                    worker="",
                    started_at=None,
                    heartbeat_at=None,
                    lease_expires_at=None,
                    progress_done=0,
                    progress_total=0,
                    message=WAITING[0],
                    message_en=WAITING[1],
                    sent_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed == 1:
                job = db.session.get(Job, job_id, populate_existing=True)  # as updated
                assert job is not None
                job_event("job.give_back", job, worker=worker, reason="worker stopped")
                db.session.commit()
            else:
                db.session.rollback()
                # Not given back: ended or taken over meanwhile, or its cancelling was
                # asked for; then, if this worker still holds it, it ends cancelled.
                cancelled = db.session.scalar(
                    sa.select(Job.id).where(
                        Job.id == job_id,
                        Job.status == JobStatus.RUNNING,
                        Job.worker == worker,
                        Job.cancel_requested.is_(True),
                    )
                )
                if cancelled is not None:
                    limit_lock_wait(WAIT_HEARTBEAT_MS)
                    _finish(job_id, worker, JobStatus.CANCELLED)
                else:
                    db.session.commit()
        except sa.exc.OperationalError as exc:
            db.session.rollback()
            log.warning("job %s not given back (%s); its lease will run out", job_id, exc.orig)
            continue
        if changed != 1:
            continue
        log.warning("job %s given back to the queue by %s", job_id, worker)
        given.append(job_id)
        try:
            queue.send(job_id)
        except queue.QueueError as exc:  # housekeeping sends it again later
            log.error("job %s given back but not sent again: %s", job_id, exc)
    return given


def limit_lock_wait(wait_ms: int) -> None:
    """The rest of ``db.session``'s transaction waits for a row lock at most ``wait_ms``
    on PostgreSQL (SQLite's busy timeout bounds its own waits)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
