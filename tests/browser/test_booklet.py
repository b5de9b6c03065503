"""The whole form printed from a real browser: the print stylesheet hides the site's
chrome, keeps each question on one page, starts each section on a new page and puts the
watermark (who printed it, when) on every page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

FORM = "CACT-DEMO-F001"
expect.set_options(timeout=10_000)


def test_the_booklet_prints_cleanly_with_a_watermark(login: Any) -> None:
    assembler = login("perakit")
    page = assembler.page
    page.goto(assembler.url(f"/forms/{FORM}"))
    page.locator("#booklet-link").click()
    page.wait_for_url(re.compile(rf"/forms/{FORM}/booklet$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    items = page.locator(".booklet-item")
    count = items.count()
    assert count >= 3
    expect(page.get_by_role("button", name="Cetak")).to_be_visible()  # the script shows it
    expect(page.locator(".booklet-watermark")).to_be_hidden()  # on screen: no watermark
    assembler.check_accessible_names()

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".booklet-toolbar")).to_be_hidden()
    watermark = page.locator(".booklet-watermark")
    expect(watermark).to_be_visible()
    expect(watermark).to_contain_text("RAHASIA · dicetak oleh")
    expect(watermark).to_contain_text("(perakit)")
    assert page.locator(".booklet-stamp").evaluate("e => getComputedStyle(e).position") == "fixed"
    breaks = items.evaluate_all("els => els.map(e => getComputedStyle(e).breakInside)")
    assert set(breaks) == {"avoid"}
    sections = page.locator(".booklet-section")
    if sections.count() > 1:
        assert sections.nth(1).evaluate("e => getComputedStyle(e).breakBefore") == "page"
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= max(2, sections.count())  # each section starts a page
    assembler.shot("70-perakit-booklet-print")

    page.emulate_media(media="screen")
    page.get_by_role("link", name="Versi penelaah (dengan kunci)").click()
    page.wait_for_url(re.compile(r"variant=reviewer"))
    expect(page.locator(".booklet-key")).to_have_count(count)
