"""The item editor on a 390 px wide phone screen (390x844): no horizontal scrolling for a
new item of every built-in type and for an existing draft with its problem summary; the
rich-text toolbar wraps, option rows stack, and *save draft* works from there."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.test_item_list_layout import BANK, _awkward_item
from tests.factories import unique

expect.set_options(timeout=10_000)

#: What runs off the right edge (for the failure message).
WIDE = """
() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)
"""
FITS = "document.scrollingElement.scrollWidth <= window.innerWidth"
TYPES = (
    "single_choice",
    "multiple_response",
    "weighted_options",
    "true_false",
    "short_text",
    "extended_text",
    "ordering",
    "matching",
    "likert",
    "inline_choice",
    "numeric",
    "gap_match",
    "hot_text",
)


def assert_fits(page: Any, where: str) -> None:
    assert page.evaluate(FITS), (where, page.evaluate(WIDE))
    for button in (page.locator("#save-draft"), page.locator("#submit-review")):
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (where, box)


def test_the_editor_fits_390_pixels(login: Any, live_server: LiveServer) -> None:
    draft = _awkward_item(live_server, unique("sempit"))
    writer = login("penulis")
    page = writer.page
    page.set_viewport_size({"width": 390, "height": 844})
    for type_id in TYPES:
        page.goto(writer.url(f"/banks/{BANK}/items/new?type={type_id}"))
        expect(page.locator("#preview-problems:not([aria-busy])")).to_contain_text(re.compile("."))
        assert_fits(page, type_id)
    # A toolbar wraps onto more lines rather than running off the side.
    toolbar = page.locator("#stem-editor .rt-toolbar")
    assert toolbar.evaluate("t => t.scrollWidth <= t.clientWidth")

    # An existing draft: an option emptied, saved, comes back with the problem summary.
    page.goto(writer.url(f"/items/{draft}/edit"))
    entries = page.locator("#type-fields .entry")
    expect(entries.first).to_be_visible()
    head = entries.first.locator(".entry-head").bounding_box()
    body = entries.first.locator(".rt-content").bounding_box()
    assert head and body and body["y"] >= head["y"] + head["height"], "option rows stack"
    entries.first.locator(".rt-content").fill("")
    # Measured once the page after saving has loaded its style sheets: Chromium lays out a
    # page whose style sheets are still loading without them (seen once in CI: the
    # passage list, unstyled, ran off the side).
    with page.expect_navigation(wait_until="load"):
        page.locator("#save-draft").click()
    expect(page.locator("#problem-summary")).to_be_visible()
    assert_fits(page, "problem summary")
    writer.shot("91-penulis-editor-390")
