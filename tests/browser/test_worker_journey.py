"""An import in a real browser through a real worker process, as ``make run`` serves it:
the app (jobs not run where they are sent) beside ``flask itembank worker`` on the SQLite
queue, sharing a file database with the demo bank.

``penulis`` uploads 20,000 rows and watches the job's live progress, then cancels it:
nothing is imported. Then uploads 8,000 rows, closes the tab while it runs, comes back
through the dashboard's *my jobs*, and follows the job to its report.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import make_server

from itembank.app import MIGRATIONS, PROJECT_ROOT, create_app
from itembank.extensions import db
from itembank.models import Bank, Item, Job
from tests.browser.conftest import PASSWORD, LiveServer, Session, _require_chromium, buffered
from tests.import_helpers import true_false_csv

BANK = "CACT-DEMO"


@pytest.fixture(scope="module")
def worker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_chromium()
    tmp = tmp_path_factory.mktemp("worker-journey")
    database, queue_file = tmp / "itembank.sqlite3", tmp / "queue.sqlite3"
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": "worker-journey",
        "ITEMBANK_PLUGINS_ENTRY_POINTS": False,
        "ITEMBANK_PASSWORD_METHOD": "pbkdf2:sha256:1000",
        "ITEMBANK_SECURE_COOKIES": True,
        "ITEMBANK_JOBS_IMMEDIATE": False,
        "ITEMBANK_QUEUE_FILE": str(queue_file),
        "ITEMBANK_QUEUE_NAME": "worker-journey",
    }
    app = create_app(settings)
    with app.app_context():
        from flask_migrate import upgrade

        from itembank.demo import load_demo

        upgrade(directory=str(MIGRATIONS))
        load_demo(app.extensions["itembank.plugins"], password=PASSWORD)
        db.session.commit()
        db.session.remove()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "worker-journey",
        "ITEMBANK_QUEUE_FILE": str(queue_file),
        "ITEMBANK_QUEUE_NAME": "worker-journey",
        "ITEMBANK_PRELOAD_SCHEMAS": "0",
    }
    env.pop("ITEMBANK_JOBS_IMMEDIATE", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "itembank", "worker"],
        cwd=PROJECT_ROOT,
        env=env,
    )
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        with app.app_context():
            db.engine.dispose()


def _items(server: LiveServer) -> int:
    with server.app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count(Item.id)).join(Bank).where(Bank.code == BANK)
        )
        db.session.remove()
        return int(count or 0)


def _upload(page: Any, session: Session, path: Path) -> str:
    page.goto(session.url(f"/banks/{BANK}/imports"))
    page.get_by_label(re.compile(r"^Berkas")).set_input_files(str(path))
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    return page.url


def test_an_import_through_the_worker_live_cancelled_and_after_closing_the_tab(
    browser: Any, worker_server: LiveServer, tmp_path: Path
) -> None:
    expect.set_options(timeout=60_000)  # real work on a shared machine
    writer = Session(browser, worker_server, "penulis")
    try:
        before = _items(worker_server)
        big = tmp_path / "besar.csv"
        big.write_bytes(true_false_csv(20_000, "Batal"))
        page = writer.page
        _upload(page, writer, big)
        job = page.locator("section.job")
        # Live progress: the page's script shows the worker's steps as they happen.
        expect(job.locator("[data-job-status]")).to_have_text("Berjalan")
        expect(job.locator("[data-job-message]")).to_have_text(
            re.compile("Membaca berkas|Memeriksa soal")
        )
        expect(job.locator("[data-job-count]")).to_have_text(re.compile(r"^[1-9][\d.]* "))
        writer.shot("40-penulis-import-running")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Batalkan pekerjaan").click()
        expect(job.locator("[data-job-status]")).to_have_text("Dibatalkan")
        expect(page.get_by_role("button", name="Batalkan pekerjaan")).to_have_count(0)
        assert _items(worker_server) == before

        medium = tmp_path / "sedang.csv"
        medium.write_bytes(true_false_csv(8_000, "Tutup"))
        job_url = _upload(page, writer, medium)
        page.close()  # the tab is closed while the job runs (8,000 rows take a while)

        page = writer.context.new_page()
        writer.page = page
        page.goto(writer.url("/"))
        panel = page.locator("#panel-my_jobs")
        link = panel.locator(f"a[href='{job_url.removeprefix(worker_server.url)}']")
        expect(link).to_have_count(1)
        link.click()
        # Still running: the page opens the report when the job ends; ended meanwhile:
        # the page says so and links it.
        outcome = page.locator("#import-outcome")
        report = outcome.or_(page.get_by_role("link", name="Buka laporan impor"))
        expect(report).to_be_visible(timeout=300_000)  # on a loaded machine, minutes
        if "/jobs/" in page.url and not outcome.is_visible():
            page.get_by_role("link", name="Buka laporan impor").click()
        page.wait_for_url(re.compile(rf"/banks/{BANK}/imports/\d+$"))
        expect(page.locator("#import-outcome")).to_contain_text(
            "8.000 baru, 0 diperbarui"
        )  # Indonesian thousands
        assert _items(worker_server) == before + 8_000
        with worker_server.app.app_context():
            statuses = db.session.scalars(sa.select(Job.status).order_by(Job.id)).all()
            db.session.remove()
        assert statuses == ["cancelled", "succeeded"]
    finally:
        writer.close()
