"""Formulas in the browser: a writer types LaTeX (and uses the palette), the editor stores
MathML, and the preview, the item page, the item list and the reviewer show it."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import expect

from itembank.sanitize import sanitize_html
from tests.browser.test_journey import open_from_the_bell, wait_for_clean_preview

TEX = r"\frac{2^5+3^4}{\sqrt{9}}"
PASTE_JS = """(target, html) => {
    const data = new DataTransfer()
    data.setData('text/html', html)
    const init = {clipboardData: data, bubbles: true, cancelable: true}
    const event = new ClipboardEvent('paste', init)
    target.dispatchEvent(event)
}"""
PASTED = (
    '<p>22 <math onmouseover="window.pwned=1" href="javascript:window.pwned=1">'
    '<mi onclick="window.pwned=1" style="color:red">y</mi><maction actiontype="toggle">'
    '<mi>z</mi></maction><annotation-xml encoding="text/html"><img src=x '
    'onerror="window.pwned=1"></annotation-xml></math></p>'
)


def test_a_formula_typed_as_latex_is_stored_shown_and_reviewed(login: Any) -> None:
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url("/banks/CACT-DEMO/items/new?type=single_choice"))
    stem = page.get_by_role("textbox", name="Pokok soal")
    stem.click()
    page.keyboard.type("Hasil dari ")

    # -- the stem: LaTeX typed in the dialog, previewed as it is typed ----------------------
    page.locator("#stem-editor").get_by_role("button", name="Sisipkan atau ubah rumus").click()
    dialog = page.locator("#formula-dialog")
    expect(dialog).to_be_visible()
    latex = dialog.get_by_label("Rumus dalam LaTeX")
    expect(latex).to_be_focused()
    latex.fill(r"\frac{2^5+3^4}{\sqrt{9")
    expect(dialog.locator("#formula-error")).to_contain_text("Rumus tidak dapat dibaca")
    expect(dialog.get_by_role("button", name="Sisipkan", exact=True)).to_be_disabled()
    latex.fill(r"\overline{AB}")  # Temml's <menclose> is written as an accent
    expect(dialog.locator("#formula-preview math mover[accent=true] mo")).to_have_text("\u203e")
    latex.fill(TEX)
    expect(dialog.locator("#formula-error")).to_have_text("")
    expect(dialog.locator("#formula-preview math mfrac msqrt")).to_have_count(1)
    writer.check_accessible_names()
    writer.shot("formula-dialog")
    dialog.get_by_role("button", name="Sisipkan", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#stem-editor math mfrac")).to_have_count(1)
    page.keyboard.type(" adalah ...")

    # -- option A: built from the palette (a square root, then a symbol) ------------------
    entries = page.locator("#type-fields .entry")
    option_a = entries.nth(0).locator(".rt-content")
    option_a.click()
    entries.nth(0).get_by_role("button", name="Sisipkan atau ubah rumus").click()
    dialog.get_by_role("button", name="Akar kuadrat").click()
    page.keyboard.type("144")  # the caret waits inside the braces
    page.keyboard.press("End")
    dialog.get_by_role("button", name="Plus minus").click()
    page.keyboard.type("1")
    expect(latex).to_have_value(r"\sqrt{144}\pm 1")
    dialog.get_by_role("button", name="Sisipkan", exact=True).click()
    expect(entries.nth(0).locator("math msqrt")).to_have_count(1)
    page.get_by_role("button", name="Tambah: Pilihan").click()
    expect(entries).to_have_count(5)  # the bank asks for five options
    for index, text in enumerate(["19", "20", "21"], start=1):
        entries.nth(index).locator(".rt-content").click()
        entries.nth(index).locator(".rt-content").type(text)

    # -- option E: hostile MathML pasted in keeps only the subset, even in the editor ------
    option_e = entries.nth(4).locator(".rt-content")
    option_e.click()
    before = len(writer.problems)
    option_e.evaluate(PASTE_JS, PASTED)
    pasted = entries.nth(4).locator(".rt-content math")
    expect(pasted.locator("mi")).to_have_text("y")
    # ProseMirror reads pasted HTML in a detached document, which has the page's CSP: the
    # browser refuses the handlers and the style there and says so on the console.
    refused = writer.problems[before:]
    assert all("Content Security Policy" in problem for problem in refused), refused
    del writer.problems[before:]
    for needle in ("[onclick]", "[onmouseover]", "[style]", "[href]", "maction", "img"):
        expect(pasted.locator(needle)).to_have_count(0)
    expect(pasted.locator("annotation-xml")).to_have_count(0)
    assert pasted.evaluate("m => [...m.attributes].map(a => a.name)") == []
    pasted.hover()
    pasted.locator("mi").click()
    assert page.evaluate("window.pwned") is None
    assert writer.problems == []  # nothing tried to run in the page itself
    page.get_by_label("Kunci jawaban", exact=True).select_option("A")
    page.get_by_label("Taksonomi").select_option("skd-cpns")
    page.get_by_label("Kompetensi atau bidang").select_option("TKP.PP")

    # -- the live preview shows MathML; what is sent is what the sanitizer keeps ------------
    expect(page.locator("#preview")).not_to_have_attribute("aria-busy", "true")
    with page.expect_request(lambda r: r.url.endswith("/preview")) as preview:
        stem.click()
        page.keyboard.press("End")
        page.keyboard.type(" ")
    sent = preview.value.post_data_json["stem"]
    assert "<math><semantics><mfrac>" in sent and "\\frac{2^5+3^4}{\\sqrt{9}}</annotation>" in sent
    assert sanitize_html(sent) == sent
    wait_for_clean_preview(page)
    expect(page.locator("#preview .ib-stem math mfrac")).to_have_count(1)
    expect(page.locator("#preview .ib-choice math msqrt")).to_have_count(1)
    expect(page.locator("#preview .ib-choice").nth(4)).to_contain_text("22")
    content = preview.value.post_data_json["content"]
    assert "<math><mi>y</mi></math>" in (
        content if isinstance(content, str) else json.dumps(content)
    )
    writer.shot("formula-editor")

    # -- a formula opens again as its LaTeX ------------------------------------------------
    page.locator("#stem-editor math").dblclick()
    expect(latex).to_have_value(TEX)
    dialog.get_by_role("button", name="Batal").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/items/CACT-DEMO-\d+$"))
    item_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("math mfrac").first).to_be_visible()
    # MathML is laid out as maths: the numerator stands above the denominator (inline text
    # would put them side by side), so the fraction is as tall as both together.
    layout = page.locator("math mfrac").first.evaluate(
        """e => {
            const [top, bottom] = [...e.children].map(c => c.getBoundingClientRect());
            return {gap: bottom.top - top.bottom, height: e.getBoundingClientRect().height,
                    parts: top.height + bottom.height};
        }"""
    )
    assert layout["gap"] >= 0 and layout["height"] >= layout["parts"], layout
    writer.shot("formula-item-page")

    # -- the item list writes it as readable text -----------------------------------------
    page.goto(writer.url(f"/banks/CACT-DEMO/items?q={item_id}"))
    expect(page.locator("main")).to_contain_text("Hasil dari (2^5+3^4)/√9 adalah")

    # -- the reviewer sees the formula ------------------------------------------------------
    reviewer = login("penelaah1")
    open_from_the_bell(reviewer, item_id, 1)
    review = reviewer.page
    expect(review.locator(".preview-box math mfrac").first).to_be_visible()
    expect(review.locator(".preview-box math msqrt").first).to_be_visible()
    reviewer.check_accessible_names()
    reviewer.shot("formula-review")
    review.get_by_role("button", name="Setujui").click()
    review.wait_for_url(reviewer.url("/"))
    expect(review.locator(".flashes")).to_contain_text("masih memerlukan persetujuan lain")
