"""Background jobs in the web UI: an upload becomes a job whose page shows its progress
and then the report; the page's JSON state; cancelling; who sees a job; the no-script
refresh; the dashboard's "my jobs" and the imports still running on the import page.

The suite runs jobs where they are sent (``ITEMBANK_JOBS_IMMEDIATE``), so a job started
by an upload has ended by the time its page is read; jobs in other states are written
directly (and committed, as the views roll back what they refuse), as a worker would
leave them.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from itembank.extensions import db
from itembank.models import ImportBatch, Job, JobStatus, User
from itembank.models._types import utcnow
from tests.factories import World
from tests.import_helpers import SC_ROW, csv_bytes
from tests.ui.conftest import UiClient, text
from tests.ui.test_import_pages import upload

REFRESH = '<noscript><meta http-equiv="refresh" content="2"></noscript>'
JOB_URL = re.compile(r"/jobs/(\d+)")


def make_job(world: World, starter: User | None = None, **values: Any) -> Job:
    """An import job as a worker would leave it (queued unless ``status`` says otherwise)."""
    job = Job(
        kind="import",
        bank_id=world.bank.id,
        actor_id=(starter or world.author).id,
        params={"filename": "antre.csv", "mode": "strict"},
        **{"message": "Menunggu pekerja", "message_en": "Waiting for a worker", **values},
    )
    db.session.add(job)
    db.session.commit()
    return job


def cancel_form(page: str) -> bool:
    """Whether the page offers the cancel button (a form that is not hidden)."""
    return bool(re.search(r'action="/jobs/\d+/cancel" [^>]*data-job-cancel>', page))


def test_an_upload_goes_to_its_job_page_which_links_the_report(as_user: Any, world: World) -> None:
    author = as_user("author")
    bank = world.bank.code
    response = upload(
        author, bank, csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}]), mode="valid_only"
    )
    assert response.status_code == 303
    match = JOB_URL.fullmatch(response.location)
    assert match, response.location
    job = db.session.get(Job, int(match.group(1)))
    assert job is not None and job.status == JobStatus.SUCCEEDED and job.kind == "import"

    page = text(author.get(response.location))
    assert "<h1>Impor soal" in page and "soal.csv" in page
    assert world.author.name in page
    assert "data-job-status>Selesai</span>" in page
    assert re.search(r'<progress data-job-bar max="(\d+)" value="\1"', page)
    batch = db.session.scalars(
        db.select(ImportBatch).where(ImportBatch.bank_id == world.bank.id)
    ).one()
    report = f"/banks/{bank}/imports/{batch.id}"
    assert f'data-job-result-link href="{report}">Buka laporan impor</a>' in page
    assert "Selesai: 1 baru, 0 diperbarui, 1 ditolak dari 2" in page
    assert 'data-job-follow="true"' in page and "js/job.js" in page
    # Ended: no self-refresh, no cancel button.
    assert "http-equiv" not in page and "/cancel" not in page
    assert author.get(report).status_code == 200
    state = author.get(f"{response.location}/state").json
    assert state["status"] == "succeeded" and state["finished"] and not state["cancellable"]
    assert state["result"] == {
        "url": report,
        "label": "Buka laporan impor",
        "summary": "Selesai: 1 baru, 0 diperbarui, 1 ditolak dari 2",
    }
    # The status and the result say it all: no "Done", no count.
    assert state["message"] == "" and state["progress_text"] == ""

    # In English.
    author.post("/language", {"lang": "en", "next": "/"})
    english = text(author.get(response.location))
    assert "<h1>Item import" in english and ">Open the import report</a>" in english
    assert "data-job-status>Finished</span>" in english
    author.post("/language", {"lang": "id", "next": "/"})


def test_the_script_gets_the_job_page_as_json(as_user: Any, world: World) -> None:
    author = as_user("author")
    response = upload(author, world.bank.code, csv_bytes([SC_ROW]), fetch=True)
    assert response.status_code == 202
    assert JOB_URL.fullmatch(response.json["url"])
    assert response.json["url"] == f"/jobs/{response.json['job']}"


def test_the_state_follows_the_job(as_user: Any, world: World) -> None:
    author = as_user("author")
    job = make_job(world)
    url = f"/jobs/{job.id}/state"
    queued = author.get(url)
    assert queued.status_code == 200 and queued.mimetype == "application/json"
    assert queued.headers["Cache-Control"] == "no-store"
    assert queued.json == {
        "id": job.id,
        "status": "queued",
        "status_text": "Menunggu pekerja",
        "finished": False,
        "cancellable": True,
        "done": 0,
        "total": 0,
        "progress_text": "",
        "bar": {"max": 1, "value": None},
        "message": "Menunggu pekerja",
        "error": "",
        "result": None,
    }

    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    job.progress_done, job.progress_total = 3, 10
    job.message, job.message_en = "Memeriksa soal", "Checking items"
    db.session.flush()
    running = author.get(url).json
    assert running["status_text"] == "Berjalan" and running["progress_text"] == "3 dari 10"
    assert running["bar"] == {"max": 10, "value": 3} and running["message"] == "Memeriksa soal"
    author.post("/language", {"lang": "en", "next": "/"})
    english = author.get(url).json
    assert english["message"] == "Checking items" and english["progress_text"] == "3 of 10"
    author.post("/language", {"lang": "id", "next": "/"})

    job.status, job.finished_at = JobStatus.FAILED, utcnow()
    job.error, job.error_en = "Berkas rusak.", "The file is broken."
    db.session.flush()
    failed = author.get(url).json
    assert failed["finished"] and not failed["cancellable"] and failed["result"] is None
    assert failed["status_text"] == "Gagal" and failed["error"] == "Berkas rusak."
    page = text(author.get(f"/jobs/{job.id}"))
    assert 'role="alert">Berkas rusak.</div>' in page and "Buka laporan" not in page


def test_without_script_the_page_refreshes_only_while_unfinished(
    as_user: Any, world: World
) -> None:
    author = as_user("author")
    job = make_job(world)
    queued = text(author.get(f"/jobs/{job.id}"))
    assert queued.count(REFRESH) == 1 and queued.index(REFRESH) < queued.index("</head>")
    assert "data-job-status>Menunggu pekerja</span>" in queued
    # The progress is not yet known: an indeterminate bar.
    assert '<progress data-job-bar max="1" aria-label="Kemajuan Impor soal">' in queued
    assert cancel_form(queued)

    job.status, job.progress_done, job.progress_total = JobStatus.RUNNING, 4, 8
    db.session.flush()
    running = text(author.get(f"/jobs/{job.id}"))
    assert REFRESH in running and '<progress data-job-bar max="8" value="4"' in running
    assert "4 dari 8" in running

    job.status, job.finished_at = JobStatus.SUCCEEDED, utcnow()
    db.session.flush()
    assert "http-equiv" not in text(author.get(f"/jobs/{job.id}"))


def test_cancelling_a_queued_job_and_then_again(as_user: Any, world: World) -> None:
    author = as_user("author")
    job = make_job(world)
    response = author.post(f"/jobs/{job.id}/cancel")
    assert response.status_code == 303 and response.location == f"/jobs/{job.id}"
    db.session.refresh(job)
    assert job.status == JobStatus.CANCELLED and job.cancelled_by_id == world.author.id
    page = text(author.get(response.location))
    assert "Pekerjaan dibatalkan sebelum dimulai; tidak ada yang dikerjakan." in page
    assert "data-job-status>Dibatalkan</span>" in page and "Dibatalkan sebelum dimulai" in page
    assert not cancel_form(page) and "http-equiv" not in page

    again = author.post(f"/jobs/{job.id}/cancel")
    assert again.status_code == 409
    assert "Pekerjaan ini sudah berakhir: tidak ada lagi yang dapat dibatalkan." in text(again)
    assert "Traceback" not in text(again)


def test_cancelling_a_running_job_asks_it_to_stop(as_user: Any, world: World) -> None:
    admin = as_user("bank_admin")
    job = make_job(world, status=JobStatus.RUNNING, started_at=utcnow())
    response = admin.post(f"/jobs/{job.id}/cancel")
    assert response.status_code == 303
    db.session.refresh(job)
    assert job.status == JobStatus.RUNNING and job.cancel_requested
    page = text(admin.get(response.location))
    assert "Pekerjaan akan berhenti pada langkah berikutnya" in page
    assert "Sedang dihentikan (pembatalan diminta)" in page and world.bank_admin.name in page
    # Still unfinished (it stops at its next checkpoint), but nothing more to cancel.
    assert REFRESH in page and not cancel_form(page)


def test_a_job_that_has_ended_cannot_be_cancelled(as_user: Any, world: World) -> None:
    author = as_user("author")
    job = make_job(world, status=JobStatus.SUCCEEDED, finished_at=utcnow())
    response = author.post(f"/jobs/{job.id}/cancel")
    assert response.status_code == 409 and 'id="job-problem"' in text(response)
    db.session.refresh(job)
    assert job.status == JobStatus.SUCCEEDED and not job.cancel_requested


EXPECTED = {
    "author": 200,
    "bank_admin": 200,
    "admin": 200,
    "author2": 404,
    "reviewer": 404,
    "assembler": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_who_sees_a_job(as_user: Any, world: World, role: str) -> None:
    """Its starter, the bank's admins and global administrators; nobody else learns it
    exists (the page, its state and cancelling answer alike)."""
    client = as_user(role)
    job = make_job(world)
    page = client.get(f"/jobs/{job.id}")
    state = client.get(f"/jobs/{job.id}/state")
    cancel = client.post(f"/jobs/{job.id}/cancel")
    if EXPECTED[role] == 200:
        assert page.status_code == 200 and state.status_code == 200
        assert cancel.status_code == 303
        db.session.refresh(job)
        assert job.status == JobStatus.CANCELLED
    else:
        assert (page.status_code, state.status_code, cancel.status_code) == (404, 404, 404)
        assert page.mimetype == "text/html" and "Tidak ditemukan" in text(page)
        assert state.mimetype == "application/json" and "error" in state.json
        db.session.refresh(job)
        assert job.status == JobStatus.QUEUED


def test_signed_out_users_are_sent_to_sign_in(ui: UiClient, world: World) -> None:
    job = make_job(world)
    for path in (f"/jobs/{job.id}", f"/jobs/{job.id}/state"):
        response = ui.get(path)
        assert response.status_code == 303 and response.location.startswith("/login?next=")
    assert ui.get(f"/jobs/{'9' * 30}").status_code == 404
    assert ui.post(f"/jobs/{job.id}/cancel").status_code == 303


def test_unknown_jobs_are_not_found(as_user: Any, world: World) -> None:
    admin = as_user("admin")
    assert admin.get("/jobs/2147483647").status_code == 404
    assert admin.get(f"/jobs/{'9' * 30}/state").status_code == 404
    assert admin.post("/jobs/2147483647/cancel").status_code == 404


def test_a_cancel_needs_the_csrf_token(as_user: Any, world: World) -> None:
    job = make_job(world)
    response = as_user("author").post(f"/jobs/{job.id}/cancel", csrf=False)
    assert response.status_code == 400
    db.session.refresh(job)
    assert job.status == JobStatus.QUEUED


def test_the_dashboard_lists_my_jobs(as_user: Any, world: World) -> None:
    def panel(role: str) -> str | None:
        page = text(as_user(role).get("/"))
        found = re.search(r'id="panel-my_jobs".*?</section>', page, re.S)
        return found.group(0) if found else None

    # Nobody has started a job yet: no panel.
    assert panel("author") is None
    running = make_job(world, status=JobStatus.RUNNING, progress_done=2, progress_total=5)
    finished = make_job(world, status=JobStatus.FAILED, error="Rusak.", error_en="Broken.")
    theirs = make_job(world, world.author2)
    mine = panel("author")
    assert mine is not None and "Pekerjaan saya" in mine
    assert f'href="/jobs/{running.id}"' in mine and f'href="/jobs/{finished.id}"' in mine
    assert f'href="/jobs/{theirs.id}"' not in mine
    assert "data-job-status>Berjalan</span>" in mine and "2 dari 5" in mine
    assert "Rusak." in mine and "antre.csv" in mine
    assert "js/job.js" in text(as_user("author").get("/"))
    # The bank admin sees every job on its page, but "my jobs" lists their own.
    assert panel("bank_admin") is None and panel("reviewer") is None


def test_the_import_page_lists_imports_still_running(as_user: Any, world: World) -> None:
    bank = world.bank.code
    waiting = make_job(world)
    running = make_job(world, status=JobStatus.RUNNING, progress_done=1, progress_total=4)
    ended = make_job(world, status=JobStatus.SUCCEEDED, finished_at=utcnow())
    theirs = make_job(world, world.author2)
    page = text(as_user("author").get(f"/banks/{bank}/imports"))
    listed = re.search(r'id="imports-unfinished".*?</section>', page, re.S)
    assert listed, "the running imports are listed"
    shown = set(JOB_URL.findall(listed.group(0)))
    assert shown == {str(waiting.id), str(running.id)}
    assert str(ended.id) not in shown and str(theirs.id) not in shown
    assert "js/job.js" in page
    everyone = text(as_user("bank_admin").get(f"/banks/{bank}/imports"))
    assert f'href="/jobs/{theirs.id}"' in everyone

    # Nothing running: no list, no polling.
    quiet = text(as_user("author2").get(f"/banks/{bank}/imports"))
    assert f'href="/jobs/{theirs.id}"' in quiet
    db.session.delete(theirs)
    db.session.flush()
    quiet = text(as_user("author2").get(f"/banks/{bank}/imports"))
    assert 'id="imports-unfinished"' not in quiet and "js/job.js" not in quiet


def test_an_unreachable_queue_is_a_message_not_an_error(
    as_user: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from itembank.jobs import queue

    def unreachable(job_id: int) -> None:
        raise queue.QueueError("ConnectionError: the queue is down")

    monkeypatch.setattr(queue, "send", unreachable)
    author = as_user("author")
    bank = world.bank.code
    response = upload(author, bank, csv_bytes([SC_ROW]))
    assert response.status_code == 503
    page = text(response)
    assert 'id="import-problems"' in page and "Antrean pekerjaan latar belakang" in page
    fetched = upload(author, bank, csv_bytes([SC_ROW]), fetch=True)
    assert fetched.status_code == 503 and "Antrean" in fetched.json["error"]
    # The jobs were recorded as failed, with the reason.
    failed = db.session.scalars(db.select(Job).where(Job.bank_id == world.bank.id)).all()
    assert [job.status for job in failed] == [JobStatus.FAILED] * 2
