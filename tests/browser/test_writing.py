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


def test_a_refused_decision_is_shown_where_the_reviewer_is_looking(login: Any) -> None:
    reviewer = login("penelaah1")
    page = reviewer.page
    page.locator("#panel-waiting_for_review a[href$='/review']").first.click()
    page.wait_for_url(re.compile(r"/versions/\d+/review$"))
    with page.expect_console_message(lambda message: "status of 422" in message.text):
        page.get_by_role("button", name="Minta revisi").click()  # no note for the author
    page.wait_for_url(re.compile(r"/review$"))
    reviewer.problems.remove(next(p for p in reviewer.problems if "status of 422" in p))
    alert = page.locator("#decision-problems")
    expect(alert).to_be_focused()
    expect(alert).to_contain_text("Keputusan Anda belum dicatat")
    expect(alert).to_contain_text("Catatan untuk penulis: Tuliskan alasan")
    expect(alert).to_be_in_viewport()
    expect(page.get_by_role("button", name="Minta revisi")).to_be_in_viewport()
    alert.get_by_role("link", name="Catatan untuk penulis").click()
    expect(page.locator("#decision-comment")).to_be_focused()
