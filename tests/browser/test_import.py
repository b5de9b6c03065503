"""An import in a real browser: ``penulis`` uploads a small CSV in valid-only mode,
sees the progress indication replaced by the report (one item created, one row
rejected, in Indonesian), and finds the import in the list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.import_helpers import SC_ROW, csv_bytes

IMPORTS = "/banks/CACT-DEMO/imports"


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
    outcome = page.locator("#import-outcome")
    expect(outcome).to_contain_text("1 baru")
    expect(outcome).to_contain_text("1 ditolak dari 2")
    expect(page.locator("#import-entries tr.severity-error").first).to_contain_text("kunci")
    expect(page.locator("#import-entries a[href^='/items/']")).to_have_count(1)
    writer.check_accessible_names()
    writer.shot("21-penulis-import-report")

    page.get_by_role("link", name="Kembali ke impor").click()
    page.wait_for_url(re.compile(r"/banks/CACT-DEMO/imports$"))
    expect(page.locator(".imports-table")).to_contain_text("soal-tiu.csv")


def test_the_import_form_refuses_a_second_submit(
    login: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    """While the server works, the button is disabled, the status says so and a second
    submit is refused; a wrong file comes back as a message on the same page."""
    path = tmp_path / "soal.pdf"
    path.write_bytes(b"%PDF-1.4 not a spreadsheet")
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(IMPORTS))
    form = page.locator("#import-form")
    working, busy = form.get_attribute("data-working"), form.get_attribute("data-busy")
    assert working and busy
    page.get_by_label(re.compile(r"^Berkas")).set_input_files(str(path))
    button = page.get_by_role("button", name="Impor", exact=True)
    status = page.locator("#import-status")
    # The server holds the upload until the busy form has been checked, so the checks
    # cannot race the answer.
    with live_server.hold("POST", IMPORTS) as upload:
        button.click()
        expect(button).to_be_disabled()
        expect(page.locator("#import-progress")).to_be_visible()
        upload.wait_until_arrived()
        # The file is sent; the status says that the server is working on it.
        expect(status).to_have_text(working)
        # Submitting again (as a script may, with the button disabled) only says that
        # an import is running.
        form.evaluate("form => form.requestSubmit()")
        expect(status).to_have_text(busy)
        # The browser logs the refused request (422) itself; nothing else may be logged.
        with page.expect_console_message(lambda message: "status of 422" in message.text):
            upload.release()
            expect(status).to_contain_text("soal.pdf")
    expect(button).to_be_enabled()
    expect(page).to_have_url(writer.url(IMPORTS))
    writer.shot("22-penulis-import-refused")
    expected = [p for p in writer.problems if "status of 422" in p]
    assert len(expected) == 1
    writer.problems.remove(expected[0])
