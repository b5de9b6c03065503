"""The job queue: the only module of the bank that talks to Huey.

It carries job ids from the web processes to the workers and nothing else (the job
itself is a database row). By default the queue is a SQLite file in ``instance/``
(``ITEMBANK_QUEUE_FILE``), which needs no server and serves workers on the same machine;
with ``ITEMBANK_REDIS_URL`` it is Redis, shared by any number of workers on any number
of machines. ``ITEMBANK_JOBS_IMMEDIATE`` runs each job at once in the process that sends
it (the test suite, and tools that want no worker).

The worker (:func:`run_worker`) is Huey's consumer with threads; it also settles jobs
whose worker died and sends again jobs whose message was lost, once a minute.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import Huey

from itembank.extensions import db

log = logging.getLogger(__name__)

TASK_NAME = "itembank.run_job"


class QueueError(RuntimeError):
    """The queue could not be reached."""


def init_app(app: Flask) -> None:
    huey, run_job_task = _make_queue(app)
    app.extensions["itembank.queue"] = huey
    app.extensions["itembank.queue.run_job"] = run_job_task


def _make_queue(app: Flask) -> tuple[Huey, Any]:
    """The app's Huey and its ``run_job`` task (calling the task sends a job id)."""
    name = app.config.get("ITEMBANK_QUEUE_NAME", "itembank")
    redis_url = app.config.get("ITEMBANK_REDIS_URL")
    huey: Huey
    if app.config.get("ITEMBANK_JOBS_IMMEDIATE"):
        huey = MemoryHuey(name, immediate=True, results=False)
    elif redis_url:
        huey = RedisHuey(name, url=redis_url, results=False, blocking=True, read_timeout=1)
    else:
        path = Path(app.config.get("ITEMBANK_QUEUE_FILE") or "")
        if not path.name:
            path = Path(app.instance_path) / "jobs-queue.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(path), results=False)

    def in_app(fn: Any, *args: Any) -> Any:
        # Sent with the queue immediate, the job runs inside the sender's own context
        # (and its session); in a worker, each task gets a context of its own.
        if has_app_context() and current_app._get_current_object() is app:  # type: ignore[attr-defined]
            return fn(*args)
        with app.app_context():
            try:
                return fn(*args)
            finally:
                db.session.remove()

    @huey.task(name=TASK_NAME)
    def run_job_task(job_id: int) -> None:
        from itembank.jobs.runner import run_job

        in_app(run_job, job_id)

    @huey.periodic_task(crontab(minute="*"), name="itembank.housekeeping")
    def housekeeping() -> None:
        in_app(_housekeeping, app)

    digest_hour = str(int(app.config.get("ITEMBANK_DIGEST_HOUR_UTC", 23)) % 24)

    @huey.periodic_task(crontab(minute="0", hour=digest_hour), name="itembank.mail_digest")
    def mail_digest() -> None:
        in_app(_mail, app, True)

    return huey, run_job_task


def _housekeeping(app: Flask) -> None:
    from itembank.jobs.operations import expire_stale, resend_waiting

    expire_stale()
    resend_waiting(timedelta(seconds=float(app.config.get("ITEMBANK_JOB_RESEND_SECONDS", 300))))
    db.session.commit()
    _mail(app, False)


def _mail(app: Flask, digest: bool) -> None:
    """Send notification mail (immediate, or the daily digests) if SMTP is configured; a
    mail server that fails is logged and tried again next time."""
    import smtplib

    from itembank.notification_mail import send_pending, smtp_settings

    if smtp_settings(app) is None:
        return
    try:
        send_pending(digest=digest, app=app)
    except (OSError, smtplib.SMTPException) as exc:
        db.session.rollback()
        log.warning("notification mail not sent: %s", exc)


def _queue(app: Flask | None = None) -> Huey:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions["itembank.queue"]


def send(job_id: int) -> None:
    """Hand job ``job_id`` to the workers (or, immediate, run it now)."""
    try:
        current_app.extensions["itembank.queue.run_job"](job_id)
    except Exception as exc:
        # Redis or the queue file unreachable; an immediate job never raises (the
        # runner records its failures).
        raise QueueError(f"{type(exc).__name__}: {exc}") from exc


def backend() -> str:
    """``redis``, ``sqlite`` or ``immediate``."""
    huey = _queue()
    if isinstance(huey, MemoryHuey):
        return "immediate"
    return "redis" if isinstance(huey, RedisHuey) else "sqlite"


def health() -> tuple[bool, str]:
    """Whether the queue answers, and which it is (for ``/healthz``)."""
    kind = backend()
    try:
        waiting = _queue().pending_count()
    except Exception as exc:
        return False, f"{kind}: {type(exc).__name__}"
    return True, f"{kind}, {waiting} waiting"


def waiting_count() -> int:
    return int(_queue().pending_count())


#: After the stop's wait (``ITEMBANK_WORKER_STOP_SECONDS``, or none on SIGTERM), how long
#: the running jobs have to reach a checkpoint and give themselves back.
GIVE_UP_SECONDS = 5.0


class StopSignals:
    """SIGINT and SIGTERM received while the worker starts, before the queue's consumer
    has handlers of its own: recorded instead of raised in the middle of start-up, so
    that the worker then exits without taking a job. :meth:`install` as early as the
    worker's command starts; :meth:`hand_to` the consumer before it runs."""

    HANDLED = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: list[int] = []
        self._consumer: Any = None

    def install(self) -> None:
        for signum in self.HANDLED:
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, _frame: Any) -> None:
        if self._consumer is not None:  # between hand_to and the consumer's own handlers
            self._consumer._handle_signal(signum, None)
            return
        log.info("received %s while starting", signal.Signals(signum).name)
        self.received.append(signum)

    def hand_to(self, consumer: Any) -> bool:
        """Whether ``consumer`` may run: not when a stop came while starting. Signals
        from now on go to it (huey's own handler, which it installs when it starts)."""
        self._consumer = consumer
        return not self.received


def run_worker(app: Flask, *, workers: int = 1, signals: StopSignals | None = None) -> None:
    """Run the consumer until SIGINT or SIGTERM, then return within a bounded time.

    On SIGINT the running jobs may finish, for ``ITEMBANK_WORKER_STOP_SECONDS`` at most;
    on SIGTERM, or once that has passed, the jobs still running stop at their next
    checkpoint, commit nothing and go back to the queue for another worker. A job whose
    thread does not reach a checkpoint within :data:`GIVE_UP_SECONDS` (it waits for a
    lock, say) is given back by the process all the same, which then exits: that thread
    dies with it, its transaction uncommitted."""
    from itembank.jobs.runner import give_back, process_worker_prefix, stop_running_jobs
    from itembank.models import Job

    huey = _queue(app)
    if isinstance(huey, MemoryHuey):
        raise QueueError("ITEMBANK_JOBS_IMMEDIATE is set: jobs run where they are sent")
    consumer = huey.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        initial_delay=0.05,
        backoff=1.5,
        max_delay=0.5,
        check_worker_health=True,
        shutdown_timeout=float(app.config.get("ITEMBANK_WORKER_STOP_SECONDS", 300)),
    )
    if signals is not None and not signals.hand_to(consumer):
        log.info("worker stopped before taking any job")
        return
    consumer.run()
    threads = [thread for _, thread in consumer.worker_threads] + [consumer.scheduler]
    if not any(thread.is_alive() for thread in threads):
        return
    stop_running_jobs()
    deadline = time.monotonic() + GIVE_UP_SECONDS
    try:
        for thread in threads:
            thread.join(max(deadline - time.monotonic(), 0))
    except KeyboardInterrupt:
        pass  # asked again: give back what is left now
    with app.app_context():
        try:
            given = give_back(Job.worker.startswith(process_worker_prefix(), autoescape=True))
        finally:
            db.session.remove()
    still = [thread.name for thread in threads if thread.is_alive()]
    if given or still:
        log.warning(
            "worker stopped with %s still busy; job(s) given back to the queue: %s",
            ", ".join(still) or "no thread",
            ", ".join(map(str, given)) or "none",
        )
