"""Import pages: upload (form post and the script's background request) starting a job
whose page links the stored report, the report in the user's language, its CSV,
templates, past imports, bad uploads. (The job pages themselves: test_job_pages.py.)"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Flask

from itembank.extensions import db
from itembank.models import ImportBatch
from tests.factories import World
from tests.import_helpers import SC_ROW, csv_bytes
from tests.ui.conftest import UiClient, text


def report_of(client: UiClient, job_page: str) -> str:
    """The report a finished import job's page links (the suite runs jobs at once)."""
    assert re.fullmatch(r"/jobs/\d+", job_page), job_page
    found = re.search(r'data-job-result-link href="([^"]+)"', text(client.get(job_page)))
    assert found, "the job page links its report"
    return found.group(1)


def upload(
    client: UiClient,
    bank: str,
    data: bytes,
    name: str = "soal.csv",
    *,
    fetch: bool = False,
    **form: str,
) -> Any:
    headers = {"X-Requested-With": "fetch"} if fetch else {}
    return client.post(
        f"/banks/{bank}/imports",
        {"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_upload_shows_the_report_and_lists_the_import(as_user: Any, world: World) -> None:
    author = as_user("author")
    bank = world.bank.code
    page = text(author.get(f"/banks/{bank}/imports"))
    assert 'id="import-form"' in page and "js/import.js" in page
    assert "Belum ada impor." in page

    response = upload(
        author, bank, csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}]), mode="valid_only"
    )
    assert response.status_code == 303
    location = report_of(author, response.location)
    assert re.fullmatch(rf"/banks/{bank}/imports/\d+", location)
    report = text(author.get(location))
    assert "1 baru" in report and "1 ditolak dari 2" in report
    rows = re.findall(r'<tr class="severity-(\w+)">\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>', report)
    assert ("error", "3", "kunci") in rows
    created = db.session.scalars(
        db.select(ImportBatch).where(ImportBatch.bank_id == world.bank.id)
    ).one()
    assert created.items_created == 1
    item_link = re.search(r'<a href="/items/([A-Z0-9-]+)">', report)
    assert item_link, "the created item is linked"
    indonesian = re.search(r'severity-error">.*?</tr>', report, re.S)
    assert indonesian and "kesalahan" in indonesian.group(0)

    # The report in English after switching.
    author.post("/language", {"lang": "en", "next": "/"})
    english = text(author.get(location))
    assert "1 new" in english and "rejected" in english
    author.post("/language", {"lang": "id", "next": "/"})

    exported = author.get(f"{location}/report.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert table[0][:3] == ["baris_atau_item", "kolom", "tingkat"]
    assert any(row[:3] == ["3", "kunci", "error"] for row in table)

    listing = text(author.get(f"/banks/{bank}/imports"))
    assert "soal.csv" in listing and location in listing


def test_the_script_gets_json_and_strict_mode_imports_nothing(as_user: Any, world: World) -> None:
    author = as_user("author")
    bank = world.bank.code
    response = upload(author, bank, csv_bytes([SC_ROW, {**SC_ROW, "poin": "x"}]), fetch=True)
    assert response.status_code == 202 and response.json["status"] == "succeeded"
    report = text(author.get(report_of(author, response.json["url"])))
    assert "tidak ada yang diimpor (mode ketat)" in report and "0 baru" in report


def test_bad_uploads_are_explained_not_errors(as_user: Any, world: World, app: Flask) -> None:
    author = as_user("author")
    bank = world.bank.code
    missing = author.post(
        f"/banks/{bank}/imports", {"mode": "strict"}, content_type="multipart/form-data"
    )
    assert missing.status_code == 422 and "Pilih berkas yang akan diimpor." in text(missing)
    wrong_type = upload(author, bank, b"%PDF-1.4", "soal.pdf")
    assert wrong_type.status_code == 422 and "soal.pdf" in text(wrong_type)
    assert 'id="import-problems"' in text(wrong_type)
    bad_mode = upload(author, bank, csv_bytes([SC_ROW]), mode="sometimes", fetch=True)
    assert bad_mode.status_code == 422 and "sometimes" in bad_mode.json["error"]
    broken = upload(author, bank, b"\xff\xfe\x00garbage", "soal.xlsx")
    assert broken.status_code == 303  # a failed import has a report too
    assert "gagal" in text(author.get(report_of(author, broken.location)))
    old = app.config.get("ITEMBANK_IMPORT_MAX_BYTES")
    app.config["ITEMBANK_IMPORT_MAX_BYTES"] = 100
    try:
        too_big = upload(author, bank, csv_bytes([SC_ROW] * 3))
        assert too_big.status_code == 413 and "lebih besar dari" in text(too_big)
    finally:
        app.config["ITEMBANK_IMPORT_MAX_BYTES"] = old


def test_templates_and_who_may_import(as_user: Any, world: World) -> None:
    bank = world.bank.code
    reviewer = as_user("reviewer")
    template = reviewer.get(f"/banks/{bank}/import-templates/weighted_options?format=csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.data.decode("utf-8-sig").startswith("jenis_soal,")
    xlsx = reviewer.get(f"/banks/{bank}/import-templates/weighted_options")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert reviewer.get(f"/banks/{bank}/import-templates/nope").status_code == 404
    assert reviewer.get(f"/banks/{bank}/import-templates/likert?format=pdf").status_code == 422
    assert as_user("outsider").get(f"/banks/{bank}/import-templates/likert").status_code == 404

    # The author sees their own imports; the bank admin sees everyone's.
    upload(as_user("author"), bank, csv_bytes([SC_ROW]), "mine.csv")
    upload(as_user("author2"), bank, csv_bytes([SC_ROW]), "theirs.csv")
    mine = text(as_user("author").get(f"/banks/{bank}/imports"))
    assert "mine.csv" in mine and "theirs.csv" not in mine
    everyone = text(as_user("bank_admin").get(f"/banks/{bank}/imports"))
    assert "mine.csv" in everyone and "theirs.csv" in everyone
    other = re.search(
        rf"/banks/{bank}/imports/\d+", everyone.split("theirs.csv")[0].rsplit("<tr>", 1)[1]
    )
    assert other and as_user("author").get(other.group(0)).status_code == 404


def test_the_import_page_offers_the_upload_only_to_writers(as_user: Any, world: World) -> None:
    page = as_user("bank_admin").get(f"/banks/{world.bank.code}/imports").get_data(as_text=True)
    assert 'id="import-form"' not in page and 'id="import-authors-only"' in page
    page = as_user("author").get(f"/banks/{world.bank.code}/imports").get_data(as_text=True)
    assert 'id="import-form"' in page
