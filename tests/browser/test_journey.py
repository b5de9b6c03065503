"""The journey in a real browser: ``penulis`` writes a weighted-option TKP item with an
image and submits it; ``penelaah1`` requests changes with a comment; ``penulis`` revises
and resubmits; ``penelaah1`` and ``penelaah2`` approve; ``perakit`` opens the demo
blueprint, creates a form from it, adds the new item and other approved items until
every blueprint row is full, locks the form, downloads its QTI 3.0 package (which the
QTI validator accepts, with the new item and its image in it) and its answer key.
A screenshot of each step is kept in ``test-artifacts/browser/``."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from PIL import Image
from playwright.sync_api import expect

from qti.validate import validate_package_bytes
from tests.browser.conftest import item_id_from

STEM = (
    "Sepuluh menit sebelum layanan tutup, seorang warga lanjut usia datang dengan berkas "
    "permohonan yang belum lengkap. Sikap Anda ..."
)
OPTIONS = [
    ("Meminta warga kembali besok pagi dengan berkas lengkap.", 3),
    (
        "Menjelaskan dengan ramah kekurangannya, menerima berkas yang ada, dan memberi daftar "
        "tertulis kekurangan serta cara melengkapinya secara daring.",
        5,
    ),
    ("Menolak melayani karena waktu layanan hampir habis.", 1),
    ("Menjelaskan dengan ramah kekurangannya dan memberi daftar tertulis persyaratan.", 4),
    ("Menyarankan warga bertanya ke meja informasi.", 2),
]


def counter_png(tmp_path: Path) -> Path:
    """A small picture of a service counter (a real PNG the server decodes)."""
    image = Image.new("RGB", (64, 40), (240, 240, 240))
    for x in range(8, 56):
        for y in range(24, 32):
            image.putpixel((x, y), (30, 80, 160))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / "loket-pelayanan.png"
    path.write_bytes(buffer.getvalue())
    return path


def open_from_the_bell(reviewer: Any, item_id: str, version: int) -> None:
    """The reviewer follows the bell to the notification that version ``version`` of
    the item waits for them (the dashboard's panel lists the longest waiting first, and
    other tests leave versions waiting), onto its review page."""
    page = reviewer.page
    expect(page.locator(".bell-count")).to_be_visible()
    page.locator("a.bell").click()
    page.wait_for_url(re.compile(r"/notifications"))
    told = page.locator(".notification-list li").filter(has_text=f"{item_id} versi {version} ")
    told.first.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/items/{item_id}/versions/{version}/review"))


def wait_for_clean_preview(page: Any) -> None:
    """Wait until the preview of the latest change is shown and has no problems (the
    editor marks the preview ``aria-busy`` from a change until its preview is back)."""
    page.locator("#preview-problems:not([aria-busy]) .ok").wait_for()


def test_items_journey(login: Any, tmp_path: Path) -> None:
    # -- penulis writes the item, with an image in the stem, and submits it -----------
    writer = login("penulis")
    page = writer.page
    writer.shot("01-penulis-dashboard")
    writer.check_accessible_names()
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Bank soal").click()
    page.wait_for_url(re.compile(r"/banks/CACT-DEMO/items"))
    writer.check_accessible_names()
    page.get_by_role("link", name="Tulis butir soal baru").click()
    page.get_by_label("Pilihan berbobot").check()
    page.get_by_role("button", name="Lanjut").click()

    stem = page.get_by_role("textbox", name="Pokok soal")
    stem.click()
    stem.type(STEM)
    page.locator("#stem-editor").get_by_role("button", name="Sisipkan gambar").click()
    dialog = page.locator("#media-dialog")
    dialog.get_by_label("Unggah gambar baru (PNG, JPEG, atau GIF)").set_input_files(
        str(counter_png(tmp_path))
    )
    dialog.locator(".media-choice[aria-pressed=true]").wait_for()
    # The upload has ended once *Sisipkan* is enabled; only then is the description
    # field the dialog's to fill (see test_graphic._pick_image).
    expect(dialog.get_by_role("button", name="Sisipkan", exact=True)).to_be_enabled()
    dialog.get_by_label("Deskripsi gambar (untuk pembaca layar)").fill("Loket pelayanan")
    dialog.get_by_role("button", name="Sisipkan", exact=True).click()
    page.locator('#stem-editor img[src^="/media/"][alt="Loket pelayanan"]').wait_for()

    entries = page.locator("#type-fields .entry")
    expect(entries).to_have_count(len(OPTIONS))
    for index, (text, weight) in enumerate(OPTIONS):
        entry = entries.nth(index)
        entry.locator(".rt-content").click()
        entry.locator(".rt-content").type(text)
        entry.get_by_label("Bobot").fill(str(weight))
    page.get_by_label("Taksonomi").select_option("skd-cpns")
    page.get_by_label("Kompetensi atau bidang").select_option("TKP.PP")
    wait_for_clean_preview(page)
    expect(page.locator('#preview img[src^="/media/"]')).to_have_count(1)
    writer.check_accessible_names()
    writer.shot("02-penulis-editor")
    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/items/CACT-DEMO-\d+$"))
    item_id = item_id_from(page.url)
    expect(page.locator(".flashes")).to_contain_text("telah diajukan untuk ditelaah")
    expect(page.locator(".badge.status-in_review").first).to_be_visible()
    writer.check_accessible_names()
    writer.shot("03-penulis-submitted")

    # The writer is not offered a review of their own item.
    page.goto(writer.url(f"/items/{item_id}/versions/1/review"))
    expect(page.locator("#cannot-decide")).to_contain_text("Hanya penelaah")
    expect(page.locator("#decision-form")).to_have_count(0)

    # -- penelaah1 requests changes with a comment ---------------------------------------
    reviewer1 = login("penelaah1")
    page = reviewer1.page
    open_from_the_bell(reviewer1, item_id, 1)
    expect(page.locator('.preview-box img[src^="/media/"]').first).to_be_visible()
    reviewer1.check_accessible_names()
    reviewer1.shot("04-penelaah1-review-v1")
    page.get_by_label("Catatan untuk penulis").fill(
        "Bobot pilihan A dan E perlu ditukar: menyarankan ke meja informasi lebih baik "
        "daripada meminta warga kembali besok."
    )
    page.get_by_role("button", name="Minta revisi").click()
    page.wait_for_url(reviewer1.url("/"))
    expect(page.locator(".flashes")).to_contain_text("Revisi diminta")
    expect(page.locator("#panel-waiting_for_review").get_by_text(item_id)).to_have_count(0)
    reviewer1.shot("05-penelaah1-requested-changes")

    # -- penulis revises and resubmits ----------------------------------------------------
    page = writer.page
    page.goto(writer.url("/"))
    page.locator("#panel-changes_requested").get_by_role("link", name=re.compile(item_id)).click()
    page.wait_for_url(writer.url(f"/items/{item_id}"))
    expect(page.locator(".reviews")).to_contain_text("Bobot pilihan A dan E perlu ditukar")
    page.get_by_role("button", name="Revisi (mulai versi 2)").click()
    page.wait_for_url(re.compile(rf"/items/{item_id}/edit"))
    entries = page.locator("#type-fields .entry")
    entries.nth(0).get_by_label("Bobot").fill("2")
    entries.nth(4).get_by_label("Bobot").fill("3")
    option_e = entries.nth(4).locator(".rt-content")
    option_e.click()
    page.keyboard.press("End")
    option_e.type(" untuk dilayani petugas")
    wait_for_clean_preview(page)
    writer.shot("06-penulis-revision")
    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(writer.url(f"/items/{item_id}"))
    expect(page.locator(".flashes")).to_contain_text("Versi 2")

    # -- penelaah1 and penelaah2 approve version 2 ------------------------------------------
    page = reviewer1.page
    page.goto(reviewer1.url("/"))
    open_from_the_bell(reviewer1, item_id, 2)
    diff = page.locator(".diff")
    expect(diff.locator("ins").filter(has_text="untuk dilayani petugas")).not_to_have_count(0)
    expect(diff).to_contain_text("Bobot A")
    expect(diff).to_contain_text("Bobot E")
    reviewer1.check_accessible_names()
    reviewer1.shot("07-penelaah1-review-v2-diff")
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_url(reviewer1.url("/"))
    expect(page.locator(".flashes")).to_contain_text("masih memerlukan persetujuan lain")

    reviewer2 = login("penelaah2")
    page = reviewer2.page
    open_from_the_bell(reviewer2, item_id, 2)
    page.get_by_role("button", name="Setujui").click()
    page.wait_for_url(reviewer2.url("/"))
    expect(page.locator(".flashes")).to_contain_text("Versi 2 disetujui")
    expect(page.locator("#panel-recently_approved").get_by_text(item_id)).to_have_count(1)
    reviewer2.shot("08-penelaah2-approved")

    page.goto(reviewer2.url(f"/items/{item_id}"))
    expect(page.locator(".badge.status-approved").first).to_be_visible()
    history = page.locator(".history")
    for phrase in (
        "membuat butir soal",
        "mengajukan untuk ditelaah",
        "meminta revisi",
        "memulai versi baru",
        "menyetujui",
    ):
        expect(history).to_contain_text(phrase)
    reviewer2.check_accessible_names()
    reviewer2.shot("09-item-history")

    assemble_and_export(login, item_id)


def _filled(page: Any, ref: str) -> tuple[int, int]:
    text = page.locator(f'#blueprint-rows tr[data-row="{ref}"] .filled').inner_text()
    have, need = (int(part) for part in text.split("/"))
    return have, need


def _add(page: Any, candidate: Any) -> None:
    """Add ``candidate`` (a row of the *add items* table) to the form and wait for the
    page that lists it among the form's items."""
    item = candidate.get_attribute("data-item")
    candidate.get_by_role("button", name=f"Tambahkan {item} ke paket").click()
    entries = page.locator(".form-entries").get_by_role("link", name=item, exact=True)
    expect(entries).to_be_visible()


def assemble_and_export(login: Any, item_id: str) -> None:
    assembler = login("perakit")
    page = assembler.page
    expect(page.locator("#panel-forms_in_progress")).to_be_visible()
    menu = page.get_by_role("navigation", name="Menu utama")
    menu.get_by_role("link", name="Kisi-kisi").click()
    page.get_by_role("link", name="CACT-DEMO-KISI-1").click()
    page.wait_for_url(re.compile(r"/blueprints/CACT-DEMO-KISI-1$"))
    expect(page.locator("#blueprint-frozen")).to_be_visible()  # the demo form uses it
    assembler.check_accessible_names()
    assembler.shot("10-perakit-blueprint")

    # -- a new form from the demo blueprint ----------------------------------------------
    page.get_by_label("Judul paket baru").fill("Paket Latihan Pelayanan Publik")
    page.get_by_role("button", name="Buat paket").click()
    page.wait_for_url(re.compile(r"/forms/CACT-DEMO-F\d+$"))
    form_url = page.url
    expect(page.locator("#form-length")).to_contain_text("0 dari 12 butir")
    assembler.check_accessible_names()
    assembler.shot("11-perakit-new-form")

    # The newly approved TKP item first: it would fill the TKP row.
    page.get_by_label("Cari teks atau kode butir").fill(item_id)
    page.locator("#add").get_by_role("button", name="Cari").click()
    page.wait_for_url(re.compile(rf"[?&]q={item_id}(&|#|$)"))
    candidate = page.locator(f'tr[data-item="{item_id}"]')
    expect(candidate).to_contain_text("baris 3.1")
    expect(candidate).to_contain_text("ada tempat")
    _add(page, candidate)
    expect(page.locator('#blueprint-rows tr[data-row="3.1"] .filled')).to_have_text("1 / 2")

    # Then every row with room, through its "find items" link.
    refs = page.locator("#blueprint-rows tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.row)"
    )
    for ref in refs:
        while True:
            have, need = _filled(page, ref)
            if have >= need:
                break
            find = page.locator(f'#blueprint-rows tr[data-row="{ref}"] a.find-link')
            target = urljoin(page.url, find.get_attribute("href"))
            find.click()
            # After an addition the page is already this one (only the #add differs).
            page.wait_for_url(lambda url, target=target: url == target)
            fitting = (
                page.locator("#add tbody tr")
                .filter(
                    has=page.locator("li", has_text=f"baris {ref}").filter(has_text="ada tempat")
                )
                .filter(has=page.get_by_role("button", name="Tambah"))
            )
            expect(fitting.first, f"no approved item left for row {ref}").to_be_visible()
            _add(page, fitting.first)
    page.goto(form_url)
    expect(page.locator("#form-length")).to_contain_text("12 dari 12 butir")
    report = page.locator("#report")
    expect(report.locator(".finding-error"), report.inner_text()).to_have_count(0)
    assembler.check_accessible_names()
    assembler.shot("12-perakit-form-filled")

    # -- lock and export -----------------------------------------------------------------
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finalkan paket").click()
    # Locked and back on the same page: the message is the sign of the new page.
    expect(page.locator(".flashes")).to_contain_text("dikunci")
    expect(page).to_have_url(form_url)
    expect(page.locator("#form-status")).to_have_text("Dikunci")
    assembler.shot("13-perakit-locked")

    page.get_by_label("Ekspor sebagai").select_option("qti3")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Unduh paket").click()
    download = download_info.value
    assert re.fullmatch(r"CACT-DEMO-F\d+-qti3\.zip", download.suggested_filename)
    package = Path(download.path()).read_bytes()
    report = validate_package_bytes(package, name=download.suggested_filename)
    assert report.ok, report
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    new_item = [name for name in names if item_id in name and name.endswith(".xml")]
    assert new_item, names
    item_xml = zipfile.ZipFile(io.BytesIO(package)).read(new_item[0]).decode("utf-8")
    assert "untuk dilayani petugas" in item_xml  # version 2, as approved
    assert any(name.endswith(".png") for name in names)  # the counter picture

    with page.expect_download() as key_info:
        page.get_by_role("link", name="JSON").click()
    key = json.loads(Path(key_info.value.path()).read_text("utf-8"))
    row = next(r for r in key["items"] if r["item"] == item_id)
    assert row["version"] == 2 and row["max_score"] == 5
    page.reload()
    expect(page.locator("#form-status")).to_have_text("Diekspor")
    assembler.check_accessible_names()
    assembler.shot("14-perakit-exported")
