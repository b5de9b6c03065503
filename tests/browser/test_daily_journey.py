"""The daily-work journey in a real browser, end to end: ``penulis`` imports 20 drafts
and submits them in one go from the item list; each reviewer finds them through the
bell and approves every one; ``perakit`` starts a form from the demo blueprint, fills
its TIU row with *fill this row* and opens the whole form for printing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.factories import unique
from tests.import_helpers import SC_ROW, csv_bytes

BANK = "CACT-DEMO"
COUNT = 20
expect.set_options(timeout=15_000)


def _rows(word: str) -> list[dict[str, str]]:
    """Single-choice TIU items as the demo bank's writing rules want them (five
    options, classified), each stem holding ``word`` so a search finds only them."""
    return [
        {
            **SC_ROW,
            "pokok_soal": f"Soal {word} nomor {n}: berapa {n} + {n + 3}?",
            "opsi_a": str(2 * n + 1),
            "opsi_b": str(2 * n + 3),
            "opsi_c": str(2 * n + 5),
            "opsi_d": str(2 * n + 7),
            "opsi_e": str(2 * n + 9),
            "kunci": "b",
        }
        for n in range(COUNT)
    ]


def _approve_all(session: Any, ids: list[str]) -> None:
    page = session.page
    for item_id in ids:
        page.goto(session.url(f"/items/{item_id}/versions/1/review"))
        page.get_by_role("button", name="Setujui").click()
        page.wait_for_url(session.url("/"))


def test_import_submit_notify_approve_fill_and_print(
    login: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    word = unique("harian")
    path = tmp_path / "soal-harian.csv"
    path.write_bytes(csv_bytes(_rows(word)))

    # -- penulis imports 20 drafts ------------------------------------------------------
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(f"/banks/{BANK}/imports"))
    page.get_by_label(re.compile(r"^Berkas")).set_input_files(str(path))
    page.get_by_role("button", name="Impor", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    page.get_by_role("link", name="Buka laporan impor").click()
    page.wait_for_url(re.compile(rf"/banks/{BANK}/imports/\d+$"))
    expect(page.locator("#import-outcome")).to_contain_text(f"{COUNT} baru")
    writer.shot("90-penulis-import-20")

    # -- ... and submits them in one go ---------------------------------------------------
    page.goto(writer.url(f"/banks/{BANK}/items?q={word}&per_page=50"))
    boxes = page.locator('tbody input[type="checkbox"][name="items"]')
    expect(boxes).to_have_count(COUNT)
    ids = [box.get_attribute("value") or "" for box in boxes.all()]
    page.get_by_label("Pilih semua butir di halaman ini").check()
    page.get_by_label("Tindakan", exact=True).select_option("submit")
    page.get_by_role("button", name="Jalankan").click()
    page.wait_for_url(re.compile(rf"/banks/{BANK}/items/bulk$"))
    expect(page.locator(".bulk-summary")).to_contain_text(f"{COUNT} selesai")
    writer.shot("91-penulis-bulk-submit")

    # -- the reviewers are told, and both approve each ----------------------------------
    for username in ("penelaah1", "penelaah2"):
        reviewer = login(username)
        page = reviewer.page
        count = page.locator(".bell-count")
        expect(count).to_be_visible()
        assert int(count.inner_text()) >= COUNT
        page.locator("a.bell").click()
        page.wait_for_url(re.compile(r"/notifications"))
        listed = page.locator(".notification-list li").filter(has_text=ids[0])
        expect(listed).to_have_count(1)
        reviewer.check_accessible_names()
        reviewer.shot(f"92-{username}-notifications")
        listed.get_by_role("link").click()
        page.wait_for_url(re.compile(rf"/items/{ids[0]}"))
        _approve_all(reviewer, ids)
    expect(page.locator(".flashes")).to_contain_text("disetujui")

    # -- perakit fills the TIU row of a new form and prints it ---------------------------
    assembler = login("perakit")
    page = assembler.page
    page.goto(assembler.url(f"/banks/{BANK}/forms"))
    page.get_by_label("Kisi-kisi").select_option("CACT-DEMO-KISI-1")
    page.get_by_label("Judul paket baru").fill(f"Paket {word}")
    page.get_by_role("button", name="Buat paket").click()
    page.wait_for_url(re.compile(r"/forms/[A-Z0-9-]+$"))
    form_url = page.url
    fill = page.get_by_role("button", name=re.compile(r"^Isi baris 2\.1 "))
    fill.click()
    expect(page.locator(".flashes-toast")).to_contain_text("Baris 2.1:")
    expect(page.locator("#form-length")).to_contain_text("2 dari")
    assembler.shot("93-perakit-fill-row")
    page.goto(form_url)
    page.locator("#booklet-link").click()
    page.wait_for_url(re.compile(r"/booklet"))
    expect(page.locator(".booklet-item")).to_have_count(2)
    page.emulate_media(media="print")
    expect(page.locator(".booklet-watermark")).to_be_visible()
    expect(page.locator(".booklet-watermark")).to_contain_text("perakit")
    assembler.shot("94-perakit-booklet-print")
