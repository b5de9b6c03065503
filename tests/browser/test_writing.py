"""Writing in the browser: parking an incomplete draft and finding its problems."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect


def test_an_incomplete_draft_is_saved_and_its_summary_leads_to_each_field(login: Any) -> None:
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url("/banks/CACT-DEMO/items/new?type=single_choice"))
    stem = page.get_by_role("textbox", name="Pokok soal")
    stem.click()
    stem.type("Ibu kota provinsi Kalimantan Timur adalah ...")
    entries = page.locator("#type-fields .entry")
    for index, text in enumerate(["Samarinda", "Balikpapan", "Bontang"]):
        entries.nth(index).locator(".rt-content").click()
        entries.nth(index).locator(".rt-content").type(text)
    # No key chosen yet, option D still empty: the preview still shows the options.
    page.locator("#preview-problems:not([aria-busy]) li").first.wait_for()
    expect(page.locator("#preview .ib-choice")).to_have_count(4)
    expect(page.locator("#preview")).to_contain_text("Balikpapan")

    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url(re.compile(r"/items/CACT-DEMO-\d+/edit$"))
    expect(page.locator(".flashes")).to_contain_text("Draf disimpan")
    summary = page.locator("#problem-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Draf ini sudah disimpan")
    key_link = summary.get_by_role("link", name=re.compile(r"^Kunci jawaban: "))
    expect(key_link).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile(r"Pilihan D › Teks: "))).to_be_visible()

    key_link.click()
    key = page.get_by_label("Kunci jawaban", exact=True)
    expect(key).to_be_focused()
    expect(key).to_have_attribute("aria-invalid", "true")
    # The message stands between the field's label and its control, not above the label.
    field = page.locator('#type-fields [data-path="content.key"]')
    order = field.evaluate(
        "f => [...f.children].map(c => c.tagName.toLowerCase() + '.' + c.className)"
    )
    assert order.index("label.") < order.index("p.field-error") < order.index("select.")
    # The preview of the saved draft shows its options too.
    expect(page.locator("#preview .ib-choice")).to_have_count(4)

    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/items/CACT-DEMO-\d+/edit$"))
    expect(page.locator(".flashes")).to_contain_text("tidak diajukan")
