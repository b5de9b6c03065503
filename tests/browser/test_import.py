"""An import in a real browser: ``penulis`` uploads a small CSV in valid-only mode,
sees the progress indication replaced by the report (one item created, one row
rejected, in Indonesian), and finds the import in the list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.import_helpers import SC_ROW, csv_bytes


def test_import_a_csv_and_read_the_report(login: Any, tmp_path: Path) -> None:
    path = tmp_path / "soal-tiu.csv"
    path.write_bytes(csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}]))
    writer = login("penulis")
    page = writer.page
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Impor").click()
    page.wait_for_url(re.compile(r"/banks/CACT-DEMO/imports$"))
    writer.check_accessible_names()
    writer.shot("20-penulis-imports")

    page.get_by_label(re.compile(r"^Berkas")).set_input_files(str(path))
    page.get_by_label("impor butir yang valid, laporkan sisanya").check()
    button = page.get_by_role("button", name="Impor", exact=True)
    button.click()
    # The script sends the file in the background and follows to the import's job page,
    # which links the report once the job has ended.
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    page.get_by_role("link", name="Buka laporan impor").click()
    page.wait_for_url(re.compile(r"/banks/CACT-DEMO/imports/\d+$"))
    outcome = page.locator("#import-outcome").inner_text()
    assert "1 baru" in outcome and "1 ditolak dari 2" in outcome
    rejected = page.locator("#import-entries tr.severity-error")
    assert rejected.count() >= 1 and "kunci" in rejected.first.inner_text()
    created = page.locator("#import-entries a[href^='/items/']")
    assert created.count() == 1
    writer.check_accessible_names()
    writer.shot("21-penulis-import-report")

    page.get_by_role("link", name="Kembali ke impor").click()
    assert "soal-tiu.csv" in page.locator(".imports-table").inner_text()


def test_the_import_form_refuses_a_second_submit(login: Any, tmp_path: Path) -> None:
    """While the server works, the button is disabled and the status says so; a
    wrong file comes back as a message on the same page."""
    path = tmp_path / "soal.pdf"
    path.write_bytes(b"%PDF-1.4 not a spreadsheet")
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url("/banks/CACT-DEMO/imports"))
    page.get_by_label(re.compile(r"^Berkas")).set_input_files(str(path))
    page.route(
        re.compile(r"/banks/CACT-DEMO/imports$"),
        lambda route: route.continue_() if route.request.method == "GET" else _slow(route),
    )
    button = page.get_by_role("button", name="Impor", exact=True)
    button.click()
    assert button.is_disabled()
    assert page.locator("#import-progress").is_visible()
    page.locator("#import-status").filter(has_text="soal.pdf").wait_for()
    assert button.is_enabled()
    assert page.url.endswith("/banks/CACT-DEMO/imports")
    writer.shot("22-penulis-import-refused")
    # The browser logs the refused request (422) itself; nothing else may be logged.
    expected = [p for p in writer.problems if "status of 422" in p]
    assert len(expected) == 1
    writer.problems.remove(expected[0])


def _slow(route: Any) -> None:
    import time

    time.sleep(0.5)
    route.continue_()
