"""Background jobs in a real browser.

``penulis`` uploads a CSV on the import page and lands on the import's job page, which
says it has finished and opens the report. The live server runs jobs inside the request
that starts them, so to watch a job move, the tests write its states into the database
as a worker would: the page's script follows them (the bar, the count, the status) and
opens the report when the job succeeds; the cancel button cancels a waiting job; and
without script the page refreshes itself until the job has ended.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from itembank.models import Job, JobStatus
from itembank.models._types import utcnow
from tests.browser.conftest import PASSWORD, LiveServer
from tests.import_helpers import SC_ROW, csv_bytes

BANK = "CACT-DEMO"
# The machines running the suite are shared: give each expectation some room.
expect.set_options(timeout=10_000)


@contextmanager
def database(server: LiveServer) -> Iterator[None]:
    """Write to the live server's database (committed at the end), as a worker does."""
    with server.app.app_context():
        try:
            yield
            db.session.commit()
        finally:
            db.session.remove()


def new_job(server: LiveServer, username: str = "penulis") -> int:
    """An import job that no worker has taken yet."""
    from itembank.operations.accounts import get_bank, get_user

    with database(server):
        job = Job(
            kind="import",
            bank_id=get_bank(BANK).id,
            actor_id=get_user(username).id,
            params={"filename": "antrean.csv", "mode": "strict"},
            message="Menunggu pekerja",
            message_en="Waiting for a worker",
        )
        db.session.add(job)
        db.session.flush()
        return job.id


def move_job(server: LiveServer, job_id: int, **values: Any) -> None:
    with database(server):
        job = db.session.get(Job, job_id)
        assert job is not None
        for name, value in values.items():
            setattr(job, name, value)


def an_import(server: LiveServer) -> int:
    """A stored import report (the result a succeeding job links)."""
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.imports import run_import

    with database(server):
        batch = run_import(
            get_bank(BANK),
            actor=get_user("penulis"),
            plugins=server.app.extensions["itembank.plugins"],
            filename="hasil.csv",
            data=csv_bytes([SC_ROW]),
            mode="valid_only",
        )
        return batch.id


def test_an_upload_lands_on_its_job_page_which_opens_the_report(login: Any, tmp_path: Path) -> None:
    path = tmp_path / "soal-pekerjaan.csv"
    path.write_bytes(csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}]))
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(f"/banks/{BANK}/imports"))
    page.get_by_label(re.compile(r"^Berkas")).set_input_files(str(path))
    page.get_by_label("impor butir yang valid, laporkan sisanya").check()
    page.get_by_role("button", name="Impor", exact=True).click()

    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_page = page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Impor soal")
    job = page.locator("section.job")
    expect(job.locator("[data-job-status]")).to_have_text("Selesai")
    expect(job).to_contain_text("soal-pekerjaan.csv")
    expect(job).to_contain_text("Rina Kartika")
    expect(job.locator("progress")).to_have_attribute("value", re.compile(r"^\d+$"))
    expect(job.locator("[data-job-summary]")).to_contain_text("1 baru")
    expect(page.get_by_role("button", name="Batalkan pekerjaan")).to_have_count(0)
    writer.check_accessible_names()
    writer.shot("30-penulis-import-job")

    page.get_by_role("link", name="Buka laporan impor").click()
    page.wait_for_url(re.compile(rf"/banks/{BANK}/imports/\d+$"))
    expect(page.locator("#import-outcome")).to_contain_text("1 ditolak dari 2")

    # The dashboard lists the job under "my jobs".
    page.goto(writer.url("/"))
    panel = page.locator("#panel-my_jobs")
    expect(panel.get_by_role("heading")).to_contain_text("Pekerjaan saya")
    expect(panel.locator(f"a[href='{job_page.removeprefix(writer.server.url)}']")).to_have_count(1)


def test_the_job_page_follows_the_job_and_opens_its_result(
    login: Any, live_server: LiveServer
) -> None:
    job_id = new_job(live_server)
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(f"/jobs/{job_id}"))
    job = page.locator("section.job")
    status, bar = job.locator("[data-job-status]"), job.locator("progress")
    expect(status).to_have_text("Menunggu pekerja")
    assert not bar.evaluate("bar => bar.hasAttribute('value')")  # not yet known
    expect(page.get_by_role("button", name="Batalkan pekerjaan")).to_be_visible()
    writer.check_accessible_names()

    move_job(
        live_server,
        job_id,
        status=JobStatus.RUNNING,
        started_at=utcnow(),
        progress_done=3,
        progress_total=10,
        message="Memeriksa soal",
        message_en="Checking items",
    )
    expect(status).to_have_text("Berjalan")
    expect(job.locator("[data-job-count]")).to_have_text("3 dari 10")
    expect(job.locator("[data-job-message]")).to_have_text("Memeriksa soal")
    expect(bar).to_have_attribute("value", "3")
    expect(bar).to_have_attribute("max", "10")
    writer.shot("31-penulis-job-running")

    batch_id = an_import(live_server)
    move_job(
        live_server,
        job_id,
        status=JobStatus.SUCCEEDED,
        finished_at=utcnow(),
        progress_done=10,
        message="Selesai",
        message_en="Done",
        result_type="import_batch",
        result_id=batch_id,
        result_summary={"status": "completed", "total": 1, "created": 1},
    )
    # Finished while watched: the page opens the result.
    page.wait_for_url(writer.url(f"/banks/{BANK}/imports/{batch_id}"))
    expect(page.locator("#import-outcome")).to_contain_text("1 baru")


def test_the_job_page_keeps_following_through_a_busy_server(
    login: Any, live_server: LiveServer
) -> None:
    """A state request answered 503 (the database held by a long write) or 502 does not
    end the page's watch: it asks again and shows the job's progress when it can."""
    job_id = new_job(live_server)
    writer = login("penulis")
    page = writer.page
    refused: list[int] = []

    def busy_twice(route: Any) -> None:
        if len(refused) < 2:
            status = 503 if not refused else 502
            refused.append(status)
            route.fulfill(status=status, body="busy", headers={"Retry-After": "5"})
        else:
            route.continue_()

    page.route(f"**/jobs/{job_id}/state", busy_twice)
    page.goto(writer.url(f"/jobs/{job_id}"))
    job = page.locator("section.job")
    expect(job.locator("[data-job-status]")).to_have_text("Menunggu pekerja")
    move_job(
        live_server,
        job_id,
        status=JobStatus.RUNNING,
        started_at=utcnow(),
        progress_done=4,
        progress_total=10,
        message="Memeriksa soal",
        message_en="Checking items",
    )
    # Asked again after each refusal (3 s apart), then drawn.
    expect(job.locator("[data-job-status]")).to_have_text("Berjalan", timeout=30_000)
    expect(job.locator("[data-job-count]")).to_have_text("4 dari 10")
    assert refused == [503, 502]
    expect(job.locator("[data-job-message]")).to_have_text("Memeriksa soal")  # not "lost"
    # The browser logs each refused request; those two, and nothing else, are expected.
    expected = [p for p in writer.problems if "Failed to load resource" in p]
    assert len(expected) == 2 and "503" in expected[0] and "502" in expected[1]
    writer.problems[:] = [p for p in writer.problems if p not in expected]


def test_a_waiting_job_is_cancelled_from_its_page(login: Any, live_server: LiveServer) -> None:
    job_id = new_job(live_server, "admin")
    admin = login("admin")
    page = admin.page
    page.goto(admin.url(f"/jobs/{job_id}"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Batalkan pekerjaan").click()
    expect(page.locator(".flash-success")).to_contain_text("dibatalkan sebelum dimulai")
    expect(page.locator("[data-job-status]")).to_have_text("Dibatalkan")
    expect(page.get_by_role("button", name="Batalkan pekerjaan")).to_have_count(0)
    with database(live_server):
        job = db.session.get(Job, job_id)
        assert job is not None and job.status == JobStatus.CANCELLED


def test_without_script_the_page_refreshes_until_the_job_ends(
    browser: Any, live_server: LiveServer
) -> None:
    job_id = new_job(live_server)
    context = browser.new_context(java_script_enabled=False, locale="id-ID")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/login")
        page.get_by_label("Nama pengguna").fill("penulis")
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.locator("form button[type=submit].btn-primary").click()
        page.wait_for_url(live_server.url + "/")
        page.goto(live_server.url + f"/jobs/{job_id}")
        status = page.locator("[data-job-status]")
        expect(status).to_have_text("Menunggu pekerja")

        move_job(
            live_server,
            job_id,
            status=JobStatus.FAILED,
            finished_at=utcnow(),
            error="Berkas tidak dapat dibaca.",
            error_en="The file cannot be read.",
        )
        # The page reloads itself (every 2 s) and stops once the job has ended.
        expect(status).to_have_text("Gagal")
        expect(page.get_by_role("alert")).to_have_text("Berkas tidak dapat dibaca.")
        assert page.locator("meta[http-equiv=refresh]").count() == 0
    finally:
        context.close()
