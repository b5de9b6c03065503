"""Jobs through real worker processes (``flask itembank worker``), on every database
backend with the SQLite queue file, and with Redis (when ``ITEMBANK_TEST_REDIS_URL`` is
set) on PostgreSQL, the multi-machine setup: API -> queue -> worker -> result; cancelling a
queued and a running job; a worker killed with SIGKILL mid-import (nothing written, the
job failed once its lease runs out); two workers never running the same job; a job
hidden from those who may not see it.

Every wait here waits for a state (a job's status, a process's exit), with a deadline.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent, Bank, ImportBatch, Item, Job, User
from itembank.models._types import utcnow
from tests.conftest import (
    POSTGRES_URL,
    SKIP_POSTGRES,
    Backend,
    _postgres_backend,
    _sqlite_backend,
    make_app,
)
from tests.import_helpers import SC_ROW, csv_bytes, true_false_csv
from tests.test_cli import ok
from tests.test_import_cli import _database_url

ROOT = Path(__file__).resolve().parents[2]
BANK = "KERJA"
PASSWORD = "rahasia-sekali-9"
REDIS_URL = os.environ.get("ITEMBANK_TEST_REDIS_URL", "")
#: The lease of the test that waits for one to run out (a worker killed mid-import).
SHORT_LEASE = 3.0
#: Every other test's: long enough that a heartbeat waiting for SQLite's write lock on a
#: loaded machine (busy timeout 10 s) never lets a healthy worker's lease run out.
LEASE = 30.0
DEADLINE = 120.0
#: How long a worker may take to exit after SIGINT before the test asks it for its
#: threads' stacks (SIGUSR1) and kills it: a test that stops a worker to check what
#: stopping does then fails with its log; the teardown of the others warns with it
#: (``StuckWorkerWarning``, shown in the run's summary), so that a slow stop seen in a
#: full run names where the worker waited without failing a test about something else.
STOP_DEADLINE = 30.0
#: The suite turns warnings into errors; this one is a report, shown in the summary.
pytestmark = pytest.mark.filterwarnings("always::tests.jobs.test_worker.StuckWorkerWarning")


class StuckWorkerWarning(UserWarning):
    """A worker stopped by a test's teardown took longer than :data:`STOP_DEADLINE`."""


WORKER = (sys.executable, "-m", "flask", "--app", "wsgi", "itembank", "worker")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """A database migrated from empty, with a bank, two authors, its admin and an
    outsider, all committed (workers are other processes)."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(SKIP_POSTGRES)
        backend = _postgres_backend()
    else:
        backend = _sqlite_backend(tmp_path_factory.mktemp("jobs-db"))
    app = make_app(backend)
    ok(app, "db", "upgrade")
    ok(app, "itembank", "taxonomy", "sync")
    ok(app, "itembank", "create-bank", BANK, "Bank pekerjaan")
    for user, role in (
        ("penulis", "author"),
        ("penulis2", "author"),
        ("admin-bank", "bank_admin"),
        ("luar", None),
    ):
        ok(app, "itembank", "create-user", user, "--password", PASSWORD)
        if role:
            ok(app, "itembank", "add-member", BANK, user, role)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    yield backend
    backend.cleanup()


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def live(request: pytest.FixtureRequest, database: Backend, tmp_path: Path) -> Iterator[LiveBank]:
    if request.param == "redis-queue" and not REDIS_URL:
        pytest.skip("Redis queue tests skipped: set ITEMBANK_TEST_REDIS_URL")
    if request.param == "redis-queue" and database.name == "sqlite":
        pytest.skip("the Redis queue runs with PostgreSQL (the multi-machine setup)")
    settings = {
        "ITEMBANK_JOBS_IMMEDIATE": False,
        "ITEMBANK_QUEUE_NAME": f"itembank-test-{uuid.uuid4().hex[:8]}",
        "ITEMBANK_JOB_LEASE_SECONDS": (
            SHORT_LEASE if request.node.get_closest_marker("lease_runs_out") else LEASE
        ),
        "ITEMBANK_REDIS_URL": REDIS_URL if request.param == "redis-queue" else None,
        "ITEMBANK_QUEUE_FILE": str(tmp_path / "queue.sqlite3"),
    }
    bank = LiveBank(make_app(database, **settings), database, settings, tmp_path)
    yield bank
    bank.stop_workers()
    if request.param == "redis-queue":
        import redis

        connection = redis.Redis.from_url(REDIS_URL)
        for key in connection.scan_iter(f"huey.*{settings['ITEMBANK_QUEUE_NAME']}*"):
            connection.delete(key)
    with bank.app.app_context():
        db.session.remove()
        db.engine.dispose()


class LiveBank:
    """The test's own app (a web process) and the worker processes beside it."""

    def __init__(self, app: Flask, backend: Backend, settings: dict[str, Any], logs: Path):
        self.app, self.backend, self.settings = app, backend, settings
        self.client = app.test_client()
        self.workers: list[subprocess.Popen[bytes]] = []
        #: Each worker's output (its log, and its stacks when asked), by pid.
        self.logs = logs
        self.log_files: dict[int, Path] = {}
        self.signal_state: dict[int, str] = {}
        self.stopped: set[int] = set()
        self.tokens: dict[str, str] = {}

    def start_worker(self, threads: int = 1) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(self.backend),
            "SECRET_KEY": "jobs",
            "ITEMBANK_PRELOAD_SCHEMAS": "0",
        }
        for key, value in self.settings.items():
            if key != "ITEMBANK_JOBS_IMMEDIATE" and value is not None:
                env[key] = str(value)
        env.pop("ITEMBANK_JOBS_IMMEDIATE", None)
        log_file = self.logs / f"worker-{len(self.workers) + 1}.log"
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [*WORKER, "--workers", str(threads)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.workers.append(process)
        self.log_files[process.pid] = log_file
        return process

    def log(self, process: subprocess.Popen[bytes]) -> str:
        text = self.log_files[process.pid].read_text(errors="replace")
        state = self.signal_state.get(process.pid, "")
        return f"--- worker {process.pid} (exit {process.returncode}) {state}---\n{text}"

    def stop_workers(self) -> None:
        """The teardown's stop: a stuck worker is reported as a warning."""
        workers, self.workers = self.workers, []
        self.stop(*workers, strict=False)

    def stop(self, *processes: subprocess.Popen[bytes], strict: bool = True) -> None:
        """SIGINT ``processes`` and wait for each to exit. One still running after
        :data:`STOP_DEADLINE` is asked for every thread's stack (SIGUSR1, see
        ``itembank worker``) and killed; the test fails with its log (``strict``),
        or a :class:`StuckWorkerWarning` carries it."""
        sent = utcnow().isoformat(timespec="milliseconds")  # beside the workers' log times
        for process in processes:
            self.stopped.add(process.pid)
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + STOP_DEADLINE
        stuck = []
        for process in processes:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                size = self.log_files[process.pid].stat().st_size
                self.signal_state[process.pid] = _signal_state(process.pid)
                process.send_signal(signal.SIGUSR1)
                self._wait_for_stacks(process, size)
                process.kill()
                process.wait()
                stuck.append(process)
        if stuck:
            logs = "\n".join(self.log(process) for process in stuck)
            message = (
                f"{len(stuck)} of {len(processes)} worker(s) still running "
                f"{STOP_DEADLINE:.0f} s after SIGINT (sent at {sent}); their stacks:\n{logs}"
            )
            if strict:
                raise AssertionError(message)
            warnings.warn(message, StuckWorkerWarning, stacklevel=2)

    def _wait_for_stacks(self, process: subprocess.Popen[bytes], size: int) -> None:
        """Until the worker's stack dump has been written (it grows, then stops)."""
        log_file, last, deadline = self.log_files[process.pid], size, time.monotonic() + 10
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            now = log_file.stat().st_size
            if last > size and now == last:
                return
            last = now

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post(
                "/api/v1/tokens", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 201, response.json
            self.tokens[username] = response.json["token"]
        return self.tokens[username]

    def api(self, method: str, path: str, user: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token(user)}"}
        url = path if path.startswith("/") else f"/api/v1/{path}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def upload(self, user: str, data: bytes, name: str = "soal.csv") -> dict[str, Any]:
        response = self.api(
            "POST",
            f"banks/{BANK}/imports",
            user,
            data={"file": (io.BytesIO(data), name), "mode": "valid_only"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 202, response.get_data(as_text=True)
        assert response.headers["Location"].endswith(f"/api/v1/jobs/{response.json['id']}")
        return response.json

    def job(self, job_id: int, user: str = "penulis") -> dict[str, Any]:
        response = self.api("GET", f"jobs/{job_id}", user)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def wait_for(
        self, job_id: int, done: Callable[[dict[str, Any]], bool], what: str
    ) -> dict[str, Any]:
        deadline = time.monotonic() + DEADLINE
        while True:
            job = self.job(job_id)
            if done(job):
                return job
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} never became {what}: {job}")
            for process in self.workers:
                if process.pid in self.stopped:
                    continue
                if process.poll() not in (None, -signal.SIGKILL):
                    raise AssertionError(f"a worker exited:\n{self.log(process)}")
            time.sleep(0.05)

    def wait_ended(self, job_id: int) -> dict[str, Any]:
        ended = ("succeeded", "failed", "cancelled")
        return self.wait_for(job_id, lambda j: j["status"] in ended, "finished")

    def counts(self) -> dict[str, int]:
        with self.app.app_context():
            bank = db.session.scalars(sa.select(Bank).where(Bank.code == BANK)).one()
            result = {
                "items": db.session.scalar(
                    sa.select(sa.func.count(Item.id)).where(Item.bank_id == bank.id)
                ),
                "batches": db.session.scalar(
                    sa.select(sa.func.count(ImportBatch.id)).where(ImportBatch.bank_id == bank.id)
                ),
                "item_events": db.session.scalar(
                    sa.select(sa.func.count(AuditEvent.id)).where(
                        AuditEvent.bank_id == bank.id, AuditEvent.action == "item.create"
                    )
                ),
            }
            db.session.remove()
            return result

    def events(self, job_id: int) -> list[str]:
        with self.app.app_context():
            actions = db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.object_type == "job", AuditEvent.object_id == str(job_id))
                .order_by(AuditEvent.id)
            ).all()
            db.session.remove()
            return list(actions)


def small_file(tag: str, rows: int = 2) -> bytes:
    return csv_bytes([{**SC_ROW, "pokok_soal": f"{tag}: berapa {n} + 3?"} for n in range(rows)])


def test_an_import_goes_through_the_worker_and_links_its_report(live: LiveBank) -> None:
    before = live.counts()
    live.start_worker()
    job = live.upload("penulis", small_file("lewat pekerja", rows=3))
    assert job["status"] in ("queued", "running", "succeeded") and job["kind"] == "import"
    assert job["bank"] == BANK and job["actor"] == "penulis"

    ended = live.wait_ended(job["id"])
    assert ended["status"] == "succeeded", (ended["error_en"], ended)
    assert ended["result"]["type"] == "import_batch"
    assert ended["result"]["summary"]["created"] == 3
    assert ended["progress"]["done"] == ended["progress"]["total"] == 3
    assert ended["started_at"] and ended["finished_at"] and ended["attempts"] == 1
    report = live.api("GET", ended["result"]["url"], "penulis")
    assert report.status_code == 200 and report.json["items"]["created"] == 3
    assert live.counts()["items"] == before["items"] + 3
    assert live.events(job["id"]) == ["job.create", "job.start", "job.end"]

    # Who sees it: its starter and the bank's admin; nobody else learns it exists.
    assert live.api("GET", f"jobs/{job['id']}", "admin-bank").status_code == 200
    for other in ("penulis2", "luar"):
        response = live.api("GET", f"jobs/{job['id']}", other)
        assert response.status_code == 404 and response.json["code"] == "not_found"
        response = live.api("POST", f"jobs/{job['id']}/cancel", other)
        assert response.status_code == 404
    listed = live.api("GET", f"banks/{BANK}/jobs", "penulis2").json
    assert job["id"] not in [j["id"] for j in listed]
    listed = live.api("GET", f"banks/{BANK}/jobs?kind=import&status=succeeded", "admin-bank")
    assert job["id"] in [j["id"] for j in listed.json]
    assert live.api("GET", f"banks/{BANK}/jobs", "luar").status_code == 404
    # An ended job cannot be cancelled.
    response = live.api("POST", f"jobs/{job['id']}/cancel", "penulis")
    assert response.status_code == 409


def test_a_large_qti_import_converts_in_processes_in_the_worker(live: LiveBank) -> None:
    """A QTI package above the threshold, imported by a worker allowed two processes:
    its items are converted in a pool (the worker's log says so) and all stored."""
    from itembank.qti_bridge.convert import PARALLEL_MIN_ITEMS
    from tests.test_qti_import_pool import _choices

    count = PARALLEL_MIN_ITEMS + 20
    before = live.counts()
    live.settings["ITEMBANK_IMPORT_PROCESSES"] = 2
    worker = live.start_worker()
    # identifiers of its own: the database is shared by the queue's parameters
    prefix = f"p{uuid.uuid4().hex[:8]}_"
    job = live.upload("penulis", _choices(count, prefix), name="paket.zip")
    ended = live.wait_ended(job["id"])
    assert ended["status"] == "succeeded", (ended["error_en"], ended)
    assert ended["result"]["summary"]["created"] == count
    assert live.counts()["items"] == before["items"] + count
    log = live.log(worker)
    assert f"converting the {count} items of paket.zip in 2 processes" in log, log


def test_a_cancelled_queued_job_never_starts(live: LiveBank) -> None:
    before = live.counts()
    job = live.upload("penulis", small_file("batal antre"))  # no worker yet: it waits
    assert live.job(job["id"])["status"] == "queued"
    cancelled = live.api("POST", f"jobs/{job['id']}/cancel", "admin-bank")
    assert cancelled.status_code == 200, cancelled.json
    assert cancelled.json["status"] == "cancelled"
    assert cancelled.json["cancelled_by"] == "admin-bank"

    # A worker now receives its message and must leave it alone; a second job sent
    # after it shows the worker has gone past the first.
    live.start_worker()
    later = live.upload("penulis", small_file("sesudahnya"))
    assert live.wait_ended(later["id"])["status"] == "succeeded"
    again = live.job(job["id"])
    assert again["status"] == "cancelled" and again["started_at"] is None
    assert again["attempts"] == 0 and again["result"] is None
    assert live.counts()["items"] == before["items"] + 2  # the later job's two only
    assert live.events(job["id"]) == ["job.create", "job.cancel", "job.end"]


def test_a_cancelled_running_job_stops_and_saves_nothing(live: LiveBank) -> None:
    before = live.counts()
    live.start_worker()
    job = live.upload("penulis", true_false_csv(5000))
    live.wait_for(job["id"], lambda j: j["progress"]["done"] > 0, "under way")
    response = live.api("POST", f"jobs/{job['id']}/cancel", "penulis")
    assert response.status_code == 200 and response.json["cancel_requested"] is True
    ended = live.wait_ended(job["id"])
    assert ended["status"] == "cancelled", ended
    assert ended["result"] is None and ended["finished_at"]
    assert live.counts() == before
    assert live.events(job["id"]) == ["job.create", "job.start", "job.cancel", "job.end"]


def test_a_worker_told_to_stop_gives_its_running_job_back(live: LiveBank) -> None:
    """Past ``ITEMBANK_WORKER_STOP_SECONDS`` (none here) a stopping worker's running job
    stops at its next checkpoint, saves nothing and goes back to the queue; the next
    worker runs it from the start."""
    before = live.counts()
    live.settings["ITEMBANK_WORKER_STOP_SECONDS"] = 0
    worker = live.start_worker()
    job = live.upload("penulis", true_false_csv(5000))
    live.wait_for(job["id"], lambda j: j["progress"]["done"] > 0, "under way")
    live.stop(worker)
    assert worker.returncode == 0, live.log(worker)

    given = live.job(job["id"])
    assert given["status"] == "queued", given
    assert given["attempts"] == 1 and given["started_at"] is None
    assert given["progress"]["done"] == 0 and given["result"] is None
    assert live.counts() == before
    assert live.events(job["id"]) == ["job.create", "job.start", "job.give_back"]
    assert "given back to the queue" in live.log(worker)

    live.start_worker()
    ended = live.wait_ended(job["id"])
    assert ended["status"] == "succeeded" and ended["attempts"] == 2, ended
    assert ended["result"]["summary"]["created"] == 5000
    assert live.events(job["id"]) == [
        "job.create",
        "job.start",
        "job.give_back",
        "job.start",
        "job.end",
    ]


def stopped_while_stuck(
    live: LiveBank, tag: str, before_stop: Callable[[dict[str, Any]], None] | None = None
) -> tuple[dict[str, Any], subprocess.Popen[bytes]]:
    """PostgreSQL: start a worker (stopping at once when told), lock the import entries
    table, upload a small file and wait until its job's work waits for that lock; then
    call ``before_stop`` with the job, stop the worker (which must exit 0) and free the
    table. Returns the job as uploaded and the worker."""
    live.settings["ITEMBANK_WORKER_STOP_SECONDS"] = 0
    worker = live.start_worker()
    live.token("penulis")  # signing in writes nothing once the lock is held
    with live.app.app_context():
        with db.engine.connect() as holder:
            holder.exec_driver_sql("LOCK TABLE import_entry IN EXCLUSIVE MODE")
            job = live.upload("penulis", small_file(tag, rows=3))
            waiting = sa.text(
                "SELECT count(*) FROM pg_locks"
                " WHERE NOT granted AND relation = 'import_entry'::regclass"
            )
            live.wait_for(
                job["id"],
                lambda j: j["status"] == "running" and holder.scalar(waiting) > 0,
                "waiting for the import entries table",
            )
            if before_stop is not None:
                before_stop(job)
            live.stop(worker)
            holder.rollback()
        db.session.remove()
    assert worker.returncode == 0, live.log(worker)
    return job, worker


def test_a_stopping_worker_gives_back_a_job_stuck_in_its_work(live: LiveBank) -> None:
    """PostgreSQL: the job's work waits for a lock (another transaction locked the
    import entries table), so it never reaches a checkpoint. Told to stop, the worker
    gives the job back itself and exits; the job's work, never committed, is not saved."""
    if live.backend.name != "postgres":
        pytest.skip("lock waits: PostgreSQL")
    before = live.counts()
    job, worker = stopped_while_stuck(live, "tertahan")
    assert "Worker-1 still busy" in live.log(worker)
    given = live.job(job["id"])
    assert given["status"] == "queued" and given["attempts"] == 1, given
    assert live.events(job["id"]) == ["job.create", "job.start", "job.give_back"]
    assert live.counts() == before

    live.start_worker()
    ended = live.wait_ended(job["id"])
    assert ended["status"] == "succeeded" and ended["attempts"] == 2, ended
    assert live.counts()["items"] == before["items"] + 3


def test_a_cancelled_job_stuck_in_its_work_ends_cancelled_when_its_worker_stops(
    live: LiveBank,
) -> None:
    """PostgreSQL: cancelling is asked for while the job's work waits for a lock, so the
    job never reaches a checkpoint to see it. Told to stop, the worker ends the job
    cancelled rather than giving it back for another worker to start only to stop."""
    if live.backend.name != "postgres":
        pytest.skip("lock waits: PostgreSQL")
    before = live.counts()

    def cancel(job: dict[str, Any]) -> None:
        response = live.api("POST", f"jobs/{job['id']}/cancel", "penulis")
        assert response.status_code == 200 and response.json["cancel_requested"] is True

    job, worker = stopped_while_stuck(live, "dibatalkan tertahan", before_stop=cancel)
    ended = live.job(job["id"])
    assert ended["status"] == "cancelled" and ended["attempts"] == 1, ended
    assert ended["finished_at"] and ended["result"] is None
    assert live.events(job["id"]) == ["job.create", "job.start", "job.cancel", "job.end"]
    assert f"job {job['id']} given back" not in live.log(worker)
    assert live.counts() == before

    # The next worker leaves it alone: a later job runs, the cancelled one stays so.
    live.start_worker()
    later = live.upload("penulis", small_file("sesudah batal"))
    assert live.wait_ended(later["id"])["status"] == "succeeded"
    assert live.job(job["id"])["status"] == "cancelled"
    assert live.counts()["items"] == before["items"] + 2


def test_a_stop_asked_for_while_the_worker_starts_is_kept(live: LiveBank) -> None:
    """PostgreSQL: the worker's start-up waits for the jobs table (another transaction
    holds it), and SIGINT comes then. The stop is kept, not raised in the middle of the
    start-up: once the table is free the worker exits 0 without taking the job that is
    waiting."""
    if live.backend.name != "postgres":
        pytest.skip("lock waits: PostgreSQL")
    job = live.upload("penulis", small_file("menunggu"))
    with live.app.app_context():
        with db.engine.connect() as holder:
            holder.exec_driver_sql("LOCK TABLE job IN ACCESS EXCLUSIVE MODE")
            worker = live.start_worker()
            waiting = sa.text(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'job'::regclass"
            )
            deadline = time.monotonic() + DEADLINE
            while not holder.scalar(waiting):
                assert worker.poll() is None, live.log(worker)
                assert time.monotonic() < deadline, "the worker never waited for the table"
                time.sleep(0.1)
            worker.send_signal(signal.SIGINT)
            time.sleep(0.5)  # the signal is handled before the table is free
            holder.rollback()
        db.session.remove()
    try:
        worker.wait(timeout=STOP_DEADLINE)  # no second signal: that one stops at once
    except subprocess.TimeoutExpired:
        live.stop(worker)  # fails, with the worker's stacks
    assert worker.returncode == 0, live.log(worker)
    assert "received SIGINT while starting" in live.log(worker)
    assert "worker stopped before taking any job" in live.log(worker)
    waiting_job = live.job(job["id"])
    assert waiting_job["status"] == "queued" and waiting_job["attempts"] == 0, waiting_job


@pytest.mark.lease_runs_out
def test_a_worker_stops_though_its_job_waits_for_a_row_lock(live: LiveBank) -> None:
    """PostgreSQL: another transaction holds the running job's row, so the job's
    progress, lease and end wait for it. Told to stop, the worker still exits; the job,
    which it could not give back, saves nothing and fails once its lease runs out."""
    if live.backend.name != "postgres":
        pytest.skip("row locks: PostgreSQL")
    before = live.counts()
    live.settings["ITEMBANK_WORKER_STOP_SECONDS"] = 0
    worker = live.start_worker()
    job = live.upload("penulis", true_false_csv(5000))
    live.wait_for(job["id"], lambda j: j["progress"]["done"] > 0, "under way")
    with live.app.app_context():
        with db.engine.connect() as holder:
            holder.execute(sa.select(Job.id).where(Job.id == job["id"]).with_for_update())
            live.stop(worker)
            holder.rollback()
        db.session.remove()
    assert worker.returncode == 0, live.log(worker)
    assert f"job {job['id']} not given back" in live.log(worker)

    ended = live.wait_ended(job["id"])  # once its lease (3 s) has run out
    assert ended["status"] == "failed" and "lease ran out" in ended["error_en"], ended
    assert live.counts() == before
    assert live.events(job["id"]) == ["job.create", "job.start", "job.end"]


@pytest.mark.lease_runs_out
def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_fails(live: LiveBank) -> None:
    before = live.counts()
    worker = live.start_worker()
    job = live.upload("penulis", true_false_csv(5000))
    live.wait_for(job["id"], lambda j: j["progress"]["done"] > 0, "under way")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)

    ended = live.wait_ended(job["id"])  # once the lease (3 s) has run out
    assert ended["status"] == "failed", ended
    assert "lease ran out" in ended["error_en"] and "nothing was saved" in ended["error_en"]
    assert ended["error"].startswith("Pekerja yang menjalankan")
    assert live.counts() == before
    assert live.events(job["id"])[-1] == "job.end"

    # A new worker takes new work; the failed job stays failed.
    live.start_worker()
    later = live.upload("penulis", small_file("setelah mati"))
    assert live.wait_ended(later["id"])["status"] == "succeeded"
    assert live.job(job["id"])["status"] == "failed"


def _signal_state(pid: int) -> str:
    """A process's pending, blocked, ignored and caught signals (Linux), as masks: what
    became of a SIGINT (bit 2) that a worker did not act on."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return ""
    names = ("SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt")
    return " ".join(line.replace("\t", "") for line in lines if line.startswith(names)) + " "


def test_two_workers_never_run_the_same_job(live: LiveBank) -> None:
    from itembank.jobs import queue

    before = live.counts()
    jobs = [live.upload("penulis", small_file(f"dua pekerja {n}")) for n in range(6)]
    # Every job is delivered three times in all, then two workers with two threads each
    # race for them.
    with live.app.app_context():
        for job in jobs:
            queue.send(job["id"])
            queue.send(job["id"])
    live.start_worker(threads=2)
    live.start_worker(threads=2)
    for job in jobs:
        ended = live.wait_ended(job["id"])
        assert ended["status"] == "succeeded" and ended["attempts"] == 1, ended
        assert live.events(job["id"]) == ["job.create", "job.start", "job.end"]
    after = live.counts()
    assert after["batches"] == before["batches"] + 6
    assert after["items"] == before["items"] + 12
    with live.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Job.id))) >= 6
        db.session.remove()


def test_a_job_whose_message_was_lost_is_sent_again(live: LiveBank) -> None:
    """A job recorded but never delivered (the queue restarted, or the web process died
    between its commit and the send) waits until housekeeping sends it again."""
    from datetime import timedelta

    from itembank.jobs.operations import resend_waiting
    from itembank.models import JobFile, JobStatus

    with live.app.app_context():
        bank = db.session.scalars(sa.select(Bank).where(Bank.code == BANK)).one()
        author = db.session.scalars(sa.select(User).where(User.username == "penulis")).one()
        lost = Job(kind="import", bank_id=bank.id, actor_id=author.id, params={"mode": "strict"})
        lost.sent_at = lost.created_at = utcnow() - timedelta(minutes=10)
        db.session.add(lost)
        db.session.flush()
        db.session.add(JobFile(job_id=lost.id, name="hilang.csv", data=small_file("hilang")))
        db.session.commit()
        lost_id = lost.id
        assert resend_waiting(timedelta(minutes=5)) == [lost_id]
        db.session.commit()
        assert resend_waiting(timedelta(minutes=5)) == []  # sent just now: not again
        db.session.remove()
    live.start_worker()
    ended = live.wait_ended(lost_id)
    assert ended["status"] == JobStatus.SUCCEEDED and ended["result"]["summary"]["created"] == 2


def test_a_queue_that_cannot_be_reached_is_a_503_and_the_job_fails(
    database: Backend, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    settings = {
        "ITEMBANK_JOBS_IMMEDIATE": False,
        "ITEMBANK_REDIS_URL": f"redis://127.0.0.1:{closed}/0",
    }
    bank = LiveBank(make_app(database, **settings), database, settings, tmp_path)
    try:
        response = bank.api(
            "POST",
            f"banks/{BANK}/imports",
            "penulis",
            data={"file": (io.BytesIO(small_file("tanpa antrean")), "soal.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.json["code"] == "queue_unavailable"
        job_id = response.json["job_id"]
        job = bank.job(job_id)
        assert job["status"] == "failed" and "could not be reached" in job["error_en"]
        assert bank.events(job_id) == ["job.create", "job.end"]
    finally:
        with bank.app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_jobs_commands(database: Backend, tmp_path: Path) -> None:
    """``itembank jobs list|show|cancel`` and ``itembank worker`` from the terminal."""
    from tests.test_cli import fails, ok

    settings = {"ITEMBANK_JOBS_IMMEDIATE": False, "ITEMBANK_QUEUE_FILE": str(tmp_path / "q")}
    bank = LiveBank(make_app(database, **settings), database, settings, tmp_path)
    try:
        job = bank.upload("penulis", small_file("dari terminal"))  # no worker: it waits
        listed = ok(bank.app, "itembank", "jobs", "list", "--bank", BANK, "--status", "queued")
        assert f"{job['id']}  import  queued  -  {BANK}  penulis  " in listed
        failed = ok(bank.app, "itembank", "jobs", "list", "--status", "failed")
        assert f"{job['id']}  import" not in failed
        shown = ok(bank.app, "itembank", "jobs", "show", str(job["id"]))
        assert f"job {job['id']}: import in {BANK} by penulis" in shown
        assert "status: queued" in shown and "Waiting for a worker" in shown

        assert f"no job {job['id']}" in fails(
            bank.app, "itembank", "jobs", "cancel", str(job["id"]), "--user", "penulis2"
        )
        assert "no job 999999" in fails(bank.app, "itembank", "jobs", "show", "999999")
        cancelled = ok(bank.app, "itembank", "jobs", "cancel", str(job["id"]), "--user", "penulis")
        assert cancelled.strip() == f"job {job['id']}: cancelled"
        assert "has already ended" in fails(
            bank.app, "itembank", "jobs", "cancel", str(job["id"]), "--user", "admin-bank"
        )
        assert bank.events(job["id"]) == ["job.create", "job.cancel", "job.end"]

        immediate = make_app(database, ITEMBANK_JOBS_IMMEDIATE=True)
        assert "jobs run where they are sent" in fails(immediate, "itembank", "worker")
    finally:
        with bank.app.app_context():
            db.session.remove()
            db.engine.dispose()
