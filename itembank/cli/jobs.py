"""``flask --app wsgi itembank worker`` and ``... jobs list|show|cancel``: the job worker
and background jobs from the terminal. Listing and showing read the database directly
(the operator runs the server); cancelling acts as ``--user``, whose right is checked."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from itembank.cli.core import itembank_cli, transactional
from itembank.errors import NotFound
from itembank.extensions import db
from itembank.models import Bank, Job, JobStatus

jobs_cli = AppGroup("jobs", help="List, show and cancel background jobs.")
itembank_cli.add_command(jobs_cli)


@itembank_cli.command("worker")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at once by this process (threads).",
)
def worker_command(workers: int) -> None:
    """Run jobs from the queue until stopped (Ctrl-C finishes the running jobs first)."""
    from itembank.jobs import queue
    from itembank.jobs.operations import expire_stale
    from itembank.jobs.registry import job_kinds

    signals = queue.StopSignals()
    signals.install()  # a stop asked for while starting is kept, not lost
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("ITEMBANK_JOBS_IMMEDIATE"):
        raise click.ClickException("ITEMBANK_JOBS_IMMEDIATE=1: jobs run where they are sent")
    _stacks_on_request()
    _warm_up()
    expired = expire_stale()
    db.session.commit()
    db.session.remove()
    kinds = ", ".join(sorted(job_kinds()))
    click.echo(
        f"itembank worker: {workers} at once, queue {queue.backend()}, kinds: {kinds}"
        + (f"; failed {len(expired)} job(s) whose worker had died" if expired else ""),
        err=True,
    )
    queue.run_worker(app, workers=workers, signals=signals)


def _stacks_on_request() -> None:
    """``kill -USR1 <pid>`` prints every thread's stack to stderr (the journal): what a
    worker that does not stop, or a job that does not move, is waiting for."""
    import faulthandler
    import signal

    if hasattr(signal, "SIGUSR1"):
        faulthandler.register(signal.SIGUSR1, all_threads=True)


def _warm_up() -> None:
    """Compile the QTI schemas in the background while the worker already takes jobs (a
    job that needs one meanwhile waits only for that one); ``ITEMBANK_PRELOAD_SCHEMAS=0``
    leaves them to first use, as in the tests."""
    import logging
    import threading

    from itembank.gunicorn_conf import preload_schemas_enabled
    from qti.validate import preload_schemas

    if not preload_schemas_enabled():
        return

    def preload() -> None:
        seconds = preload_schemas()
        logging.getLogger("itembank.worker").info("QTI schemas compiled in %.1f s", seconds)

    threading.Thread(target=preload, name="preload-schemas", daemon=True).start()


def _job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}")
    return job


def _progress(job: Job) -> str:
    if job.progress_total:
        return f"{job.progress_done}/{job.progress_total}"
    return str(job.progress_done) if job.progress_done else "-"


@jobs_cli.command("list")
@click.option("--bank", "bank_code", default=None, help="Only this bank's jobs.")
@click.option("--status", type=click.Choice([s.value for s in JobStatus]), default=None)
@click.option("--kind", default=None, help="Only jobs of this kind (import, ...).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@transactional
def jobs_list_command(
    bank_code: str | None, status: str | None, kind: str | None, limit: int
) -> None:
    """One line per job, newest first: id, kind, status, progress, bank, who, created."""
    from itembank.jobs.operations import expire_stale
    from itembank.operations.accounts import get_bank

    expire_stale()
    query = sa.select(Job).join(Bank, Bank.id == Job.bank_id)
    if bank_code:
        query = query.where(Job.bank_id == get_bank(bank_code).id)
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Job.kind == kind)
    for job in db.session.scalars(query.order_by(Job.id.desc()).limit(limit)):
        click.echo(
            f"{job.id}  {job.kind}  {job.status}  {_progress(job)}  {job.bank.code}  "
            f"{job.actor.username}  {job.created_at:%Y-%m-%d %H:%M:%S}"
        )


@jobs_cli.command("show")
@click.argument("job_id", type=int)
@transactional
def jobs_show_command(job_id: int) -> None:
    """A job's status, progress, times, result or error."""
    from itembank.jobs.operations import expire_stale

    expire_stale()
    job = _job(job_id)
    lines = [
        f"job {job.id}: {job.kind} in {job.bank.code} by {job.actor.username}",
        f"status: {job.status}" + ("  (cancel requested)" if job.cancel_requested else ""),
        f"progress: {_progress(job)}  {job.message_en}",
        f"created: {job.created_at:%Y-%m-%d %H:%M:%S} UTC",
    ]
    if job.started_at:
        lines.append(f"started: {job.started_at:%Y-%m-%d %H:%M:%S} UTC by {job.worker}")
    if job.finished_at:
        lines.append(f"ended: {job.finished_at:%Y-%m-%d %H:%M:%S} UTC")
    if job.result_type:
        lines.append(f"result: {job.result_type} {job.result_id} {job.result_summary}")
    if job.error_en:
        lines.append(f"error: {job.error_en}")
    click.echo("\n".join(lines))


@jobs_cli.command("cancel")
@click.argument("job_id", type=int)
@click.option("--user", "username", required=True, help="Who cancels (starter or bank admin).")
@transactional
def jobs_cancel_command(job_id: int, username: str) -> None:
    """Cancel a job: a queued one never starts, a running one stops and saves nothing."""
    from itembank.jobs.operations import cancel_job
    from itembank.operations.accounts import get_user

    job = cancel_job(_job(job_id), actor=get_user(username))
    state = "cancelled" if job.status == JobStatus.CANCELLED else "cancel requested"
    click.echo(f"job {job.id}: {state}")
