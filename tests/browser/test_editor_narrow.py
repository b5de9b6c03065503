"""The item editor on a 390 px wide phone screen: nothing runs off the side (no
horizontal scrolling), for a new item and for an existing draft."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import LiveServer
from tests.browser.test_item_list_layout import BANK, _awkward_item
from tests.factories import unique

expect.set_options(timeout=10_000)

#: The elements wider than the viewport (for the failure message).
WIDE = """
() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + e.id)
"""


def test_the_editor_fits_390_pixels(login: Any, live_server: LiveServer) -> None:
    draft = _awkward_item(live_server, unique("sempit"))
    writer = login("penulis")
    page = writer.page
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (f"/banks/{BANK}/items/new?type=single_choice", f"/items/{draft}/edit"):
        page.goto(writer.url(path))
        expect(page.locator("#content-label")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width, page.evaluate(WIDE))
