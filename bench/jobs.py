"""Benchmark: background jobs through a real worker process.

Prints, in one run, per database backend (SQLite in a temporary file; PostgreSQL too
with ``--postgres``) and queue (the SQLite file; Redis too with ``--redis`` or
``$ITEMBANK_BENCH_REDIS``):

* **enqueue-to-start latency**: the time from a job's commit to a worker taking it
  (``started_at - created_at``, both from the database clock of this machine), over
  ``--jobs`` one-row imports sent one after another to an idle worker: median and p95;
* a **10,000-row import through the queue** (upload committed -> the job's end) beside
  **the same import run inline** (``run_import`` and commit in this process), and
  their ratio: what the queue costs on top of the work.

Every job is checked: each one-row job succeeds having created its item, and both the
inline and the queued import complete having created every row (checked on the very
runs that are timed). Run from the repository root:

    .venv/bin/python bench/jobs.py [--quick] [--rows 10000] [--jobs 20] [--postgres URL]
        [--redis URL]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any

from _common import PASSWORD, Sizes, add_postgres, database, expect, headline, make_app
from import_spreadsheet import generate_rows, prepare_database, to_csv

ROOT = Path(__file__).resolve().parent.parent


def _database_url(url: str, options: dict[str, Any]) -> str:
    search = options.get("connect_args", {}).get("options")
    return f"{url}?options={urllib.parse.quote(search)}" if search else url


def _bank(app: Any) -> tuple[str, str]:
    from itembank.extensions import db
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_bank, create_user

    with app.app_context():
        suffix = uuid.uuid4().hex[:6].upper()
        bank = create_bank(f"J{suffix}", "Bench jobs", actor=None)
        author = create_user(f"jobs-{suffix.lower()}", PASSWORD, actor=None)
        add_member(bank, author, Role.AUTHOR, actor=None)
        db.session.commit()
        names = bank.code, author.username
        db.session.remove()
    return names


def _start(app: Any, bank_code: str, username: str, data: bytes) -> int:
    from itembank.extensions import db
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.import_jobs import start_import

    with app.app_context():
        job = start_import(
            get_bank(bank_code),
            actor=get_user(username),
            host=app.extensions["itembank.plugins"],
            filename="bench.csv",
            data=data,
            mode="strict",
        )
        job_id = job.id
        db.session.remove()
    return job_id


def _wait(app: Any, job_id: int, deadline: float = 600) -> Any:
    from itembank.extensions import db
    from itembank.models import Job

    end = time.monotonic() + deadline
    with app.app_context():
        while True:
            job = db.session.get(Job, job_id)
            if job is not None and job.finished:
                db.session.expunge(job)
                db.session.remove()
                return job
            db.session.remove()
            if time.monotonic() > end:
                raise SystemExit(f"job {job_id} did not end within {deadline} s")
            time.sleep(0.005)


def _check_job(what: str, job: Any, created: int) -> None:
    """The job succeeded and its import completed having created ``created`` items."""
    summary = job.result_summary or {}
    expect(f"{what}: the job's status (its error: {job.error_en!r})", job.status, "succeeded")
    expect(f"{what}: the import's status", summary.get("status"), "completed")
    expect(f"{what}: items created", summary.get("created"), created)
    expect(f"{what}: rows rejected", summary.get("rejected"), 0)


def _inline(app: Any, bank_code: str, username: str, data: bytes, rows: int) -> float:
    from itembank.extensions import db
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.imports import run_import

    with app.app_context():
        start = time.perf_counter()
        batch = run_import(
            get_bank(bank_code),
            actor=get_user(username),
            plugins=app.extensions["itembank.plugins"],
            filename="bench.csv",
            data=data,
            mode="strict",
        )
        db.session.commit()
        elapsed = time.perf_counter() - start
        expect("inline import: status", batch.status, "completed")
        expect("inline import: items created", batch.items_created, rows)
        db.session.remove()
    return elapsed


def run(
    name: str, url: str, options: dict[str, Any], redis_url: str | None, args: Any, tmp: Path
) -> str:
    queue_name = f"bench-{uuid.uuid4().hex[:8]}"
    settings = {
        "ITEMBANK_QUEUE_NAME": queue_name,
        "ITEMBANK_QUEUE_FILE": str(tmp / f"{queue_name}.sqlite3"),
        "ITEMBANK_REDIS_URL": redis_url,
        "ITEMBANK_JOBS_IMMEDIATE": False,
    }
    app = make_app(url, options, SECRET_KEY="bench", **settings)
    env = {**os.environ, "DATABASE_URL": _database_url(url, options), "SECRET_KEY": "bench"}
    env["ITEMBANK_PRELOAD_SCHEMAS"] = "0"  # imports need no schema; keep the cores for the work
    env.update({k: str(v) for k, v in settings.items() if v not in (None, False)})
    env.pop("ITEMBANK_JOBS_IMMEDIATE", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "itembank", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        bank, user = _bank(app)
        one_row = to_csv(generate_rows(1))
        # The worker is up and warm, and a one-row job does its work.
        _check_job("first one-row job", _wait(app, _start(app, bank, user, one_row)), 1)
        latencies = []
        for n in range(args.jobs):
            job = _wait(app, _start(app, bank, user, one_row))
            _check_job(f"one-row job {n + 1}", job, 1)
            latencies.append((job.started_at - job.created_at).total_seconds())
        data = to_csv(generate_rows(args.rows))
        inline = _inline(app, *_bank(app), data, args.rows)
        bank, user = _bank(app)
        start = time.perf_counter()
        job = _wait(app, _start(app, bank, user, data))
        queued = time.perf_counter() - start
        _check_job("queued import", job, args.rows)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=60)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    kind = "redis" if redis_url else "sqlite"
    headline(f"jobs ({name}, {kind} queue): start latency p95", 1000 * p95, "ms")
    headline(
        f"jobs ({name}, {kind} queue): {args.rows}-row import through the queue",
        queued,
        "s",
        "the same import inline",
        inline,
    )
    return (
        f"| {name} | {kind} | {1000 * statistics.median(latencies):.1f} ms | "
        f"{1000 * p95:.1f} ms | {inline:.2f} s | {queued:.2f} s | {queued / inline:.2f}x |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sizes = Sizes(parser)
    sizes.add("--rows", quick=2000, full=10_000, help="rows of the import through the queue")
    sizes.add("--jobs", quick=10, full=20, help="one-row jobs for the latency")
    add_postgres(parser)
    parser.add_argument(
        "--redis",
        default=os.environ.get("ITEMBANK_BENCH_REDIS") or None,
        metavar="URL",
        help="a Redis URL for a second queue (default $ITEMBANK_BENCH_REDIS)",
    )
    args = sizes.parse()
    redis_url = args.redis
    print(
        f"# Background jobs: {args.jobs} one-row jobs for the latency; a {args.rows:,}-row "
        "import through the queue beside the same import inline (one run)\n"
    )
    print("| database | queue | start latency median | p95 | inline | through the queue | ratio |")
    print("|---|---|---|---|---|---|---|")
    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        backends.append(("postgresql", args.postgres))
    with tempfile.TemporaryDirectory() as tmp_dir:
        for name, given in backends:
            with database(given, prefix="itembank_bench_") as (url, options):
                prepare_database(make_app(url, options, SECRET_KEY="bench"))
                for queue_url in [None, redis_url] if redis_url else [None]:
                    print(run(name, url, options, queue_url, args, Path(tmp_dir)), flush=True)


if __name__ == "__main__":
    main()
