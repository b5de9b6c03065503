"""The item editor in the browser: every toolbar feature produces HTML the sanitizer
stores unchanged, and every item type's form reproduces its content exactly."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from itembank.extensions import db
from itembank.models import Item
from itembank.sanitize import sanitize_html
from tests.browser.conftest import LiveServer
from tests.browser.test_journey import counter_png, wait_for_clean_preview

GOLDEN = Path(__file__).resolve().parent.parent / "data" / "richtext_editor_output.html"


def same_media(html: str) -> str:
    """The image's hash depends on how this Pillow writes PNG; compare without it."""
    return re.sub(r"/media/[0-9a-f]{64}", "/media/<sha256>", html)


def toolbar(page: Any, name: str) -> Any:
    return page.locator("#stem-editor .rt-toolbar").get_by_role("button", name=name, exact=True)


def press(page: Any, name: str) -> None:
    """Click a toolbar button and wait until the text has the focus again."""
    toolbar(page, name).click()
    page.locator("#stem-editor .rt-content:focus").wait_for()


def test_every_toolbar_feature_survives_the_sanitizer(login: Any, tmp_path: Path) -> None:
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url("/banks/CACT-DEMO/items/new?type=single_choice"))
    stem = page.get_by_role("textbox", name="Pokok soal")
    stem.click()
    keyboard = page.keyboard

    def marked(button: str, words: str) -> None:
        press(page, button)
        keyboard.type(words)
        press(page, button)

    keyboard.type("Biasa ")
    marked("Tebal", "tebal")
    keyboard.type(" ")
    marked("Miring", "miring")
    keyboard.type(" H")
    marked("Subskrip", "2")
    keyboard.type("O dan x")
    marked("Superskrip", "2")
    keyboard.type(" ")
    marked("Bagian berbahasa asing (Inggris)", "smart city")
    keyboard.press("Shift+Enter")
    keyboard.type("baris kedua")
    keyboard.press("Control+b")  # the keyboard shortcut works as well as the button
    keyboard.type(" pintas")
    keyboard.press("Control+b")
    keyboard.press("Enter")
    press(page, "Daftar berbutir")
    keyboard.type("satu")
    keyboard.press("Enter")
    keyboard.type("dua")
    keyboard.press("Enter")
    keyboard.press("Enter")
    press(page, "Daftar bernomor")
    keyboard.type("pertama")
    keyboard.press("Enter")
    keyboard.press("Enter")
    keyboard.type("sementara")
    press(page, "Batalkan")
    press(page, "Ulangi")
    keyboard.press("Enter")

    toolbar(page, "Sisipkan gambar").click()
    dialog = page.locator("#media-dialog")
    dialog.get_by_label("Unggah gambar baru (PNG, JPEG, atau GIF)").set_input_files(
        str(counter_png(tmp_path))
    )
    dialog.locator(".media-choice[aria-pressed=true]").wait_for()
    # The upload has ended once *Sisipkan* is enabled; only then is the description
    # field the dialog's to fill (see test_graphic._pick_image).
    expect(dialog.get_by_role("button", name="Sisipkan", exact=True)).to_be_enabled()
    dialog.get_by_label("Deskripsi gambar (untuk pembaca layar)").fill("Loket & antrean")
    dialog.get_by_role("button", name="Sisipkan", exact=True).click()
    page.locator("#stem-editor img").wait_for()

    press(page, "Sisipkan tabel")
    keyboard.type("Kolom")
    for cell in ("Nilai", "A", "1"):
        keyboard.press("Tab")
        keyboard.type(cell)
    # Add a row below and remove it again; the same with a column on the right.
    press(page, "Tambah baris")
    keyboard.press("ArrowDown")
    press(page, "Hapus baris")
    press(page, "Tambah kolom")
    keyboard.press("Tab")
    press(page, "Hapus kolom")

    # Once the previews of the edits so far are done, the next one is the last edit's.
    expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")
    with page.expect_request(lambda r: r.url.endswith("/preview")) as preview:
        keyboard.type(" ")
    html = preview.value.post_data_json["stem"]
    for tag in (
        "<strong>",
        "<em>",
        "<sub>",
        "<sup>",
        '<span lang="en">',
        "<br>",
        "<ul>",
        "<ol>",
        "<li>",
        "<table>",
        "<th",
        "<td",
        '<img src="/media/',
    ):
        assert tag in html, (tag, html)
    assert sanitize_html(html) == html
    writer.shot("editor-toolbar-features")
    if os.environ.get("ITEMBANK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(html + "\n", encoding="utf-8")
    golden = GOLDEN.read_text(encoding="utf-8").rstrip("\n")
    assert same_media(html) == same_media(golden), (
        "the editor's output changed; check it and run with ITEMBANK_UPDATE_GOLDEN=1"
    )


def test_the_toolbar_is_keyboard_usable(login: Any) -> None:
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url("/banks/CACT-DEMO/items/new?type=single_choice"))
    bold = toolbar(page, "Tebal")
    bold.focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar(page, "Miring")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(bold).to_be_focused()
    page.keyboard.press("Enter")  # bold on, focus back in the text
    expect(page.locator("#stem-editor .rt-content")).to_be_focused()
    page.keyboard.type("tebal")
    expect(bold).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#stem-editor .rt-content strong")).to_have_text("tebal")


@pytest.mark.parametrize(
    "type_id",
    [
        "composite",
        "extended_text",
        "likert",
        "matching",
        "multiple_response",
        "ordering",
        "short_text",
        "single_choice",
        "true_false",
        "weighted_options",
        "inline_choice",
        "numeric",
        "slider",
        "gap_match",
        "hot_text",
        "hotspot",
        "associate",
        "graphic_gap_match",
        "select_point",
        "graphic_order",
        "graphic_associate",
        "numeric_entry",  # the third-party example: no form of its own, edited as JSON
    ],
)
def test_every_type_round_trips_through_its_form(
    login: Any, live_server: LiveServer, type_id: str
) -> None:
    """Opening a draft and saving it unchanged changes nothing: the form reads and
    writes the type's content exactly."""
    writer = login("penulis")
    page = writer.page
    item_id = live_server.drafts[type_id]
    page.goto(writer.url(f"/items/{item_id}/edit"))
    wait_for_clean_preview(page)
    writer.check_accessible_names()
    writer.shot(f"editor-{type_id}")
    page.get_by_role("button", name="Simpan draf").click()
    # Saved and back on the same page: the message is the sign of the new page.
    expect(page.locator(".flashes")).to_contain_text(
        "Tidak ada perubahan sejak penyimpanan terakhir."
    )
    expect(page).to_have_url(writer.url(f"/items/{item_id}/edit"))


def test_a_type_without_a_form_is_edited_as_json(login: Any, live_server: LiveServer) -> None:
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(f"/items/{live_server.drafts['numeric_entry']}/edit"))
    content = page.get_by_label("Isi soal (JSON)")
    wait_for_clean_preview(page)
    content.fill('{"value": 12,')
    page.get_by_role("button", name="Simpan draf").click()
    # The script refuses the submit and says why beside the text area (the same
    # handler that shows the message cancels the submit: nothing is sent).
    expect(page.locator('[data-path="content"] .field-error')).to_have_text(
        "Ini bukan JSON yang valid."
    )
    expect(content).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(re.compile(r"/edit$"))
    expect(page.locator(".flashes")).to_have_count(0)


def test_an_ordering_item_is_set_to_per_position_scoring(
    login: Any, live_server: LiveServer
) -> None:
    """The scoring choice of an ordering item writes ``per_position``; all or nothing
    is stored by leaving the key out."""
    writer = login("penulis")
    page = writer.page
    item_id = live_server.drafts["ordering"]
    page.goto(writer.url(f"/items/{item_id}/edit"))
    wait_for_clean_preview(page)
    page.get_by_label("Per posisi (setiap pilihan di tempat yang benar mendapat bagiannya)").check()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page).to_have_url(writer.url(f"/items/{item_id}/edit"))
    expect(page.locator(".flashes")).not_to_contain_text("Tidak ada perubahan")
    with live_server.app.app_context():
        item = db.session.scalars(db.select(Item).where(Item.external_id == item_id)).one()
        content = dict(item.latest_version.content)
        db.session.remove()
    assert content["scoring"] == "per_position"
    page.get_by_label("Semua atau tidak sama sekali").check()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page).to_have_url(writer.url(f"/items/{item_id}/edit"))
    with live_server.app.app_context():
        item = db.session.scalars(db.select(Item).where(Item.external_id == item_id)).one()
        content = dict(item.latest_version.content)
        db.session.remove()
    assert "scoring" not in content
