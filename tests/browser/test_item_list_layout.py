"""The item list on a 1366 px wide screen: nothing runs off the side, item codes, statuses
and dates stay on one line, and excerpts keep superscripts."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from tests.browser.conftest import LiveServer
from tests.factories import SINGLE_CHOICE, unique

BANK = "CACT-DEMO"
expect.set_options(timeout=10_000)


def _awkward_item(server: LiveServer, word: str) -> str:
    """A draft with a long unbroken word, superscripts and several classifications."""
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.items import create_item

    stem = (
        f"<p>{word}: hasil 2<sup>5</sup> + 3<sup>4</sup> = ... "
        + "https://contoh.go.id/"
        + "sangatpanjangtanpaspasi" * 8
        + "</p>"
    )
    classifications = [
        {"taxonomy": "skd-cpns", "node": code} for code in ("TIU.NUM", "TIU.VER", "TIU.FIG")
    ]
    with server.app.app_context():
        item = create_item(
            get_bank(BANK),
            actor=get_user("penulis"),
            plugins=server.app.extensions["itembank.plugins"],
            item_type="single_choice",
            stem=stem,
            content=SINGLE_CHOICE,
            metadata={"classifications": classifications},
        )
        db.session.commit()
        external_id = item.external_id
        db.session.remove()
    return external_id


ONE_LINE = "els => els.map(e => e.getClientRects().length)"


def test_the_list_fits_1366_pixels(login: Any, live_server: LiveServer) -> None:
    word = unique("lebar")
    _awkward_item(live_server, word)
    writer = login("penulis")
    page = writer.page
    page.set_viewport_size({"width": 1366, "height": 768})
    for path in (f"/banks/{BANK}/items?per_page=50", f"/banks/{BANK}/items?q={word}"):
        page.goto(writer.url(path))
        expect(page.locator(".items-table")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"{path}: the page is {width}px wide"
        table = page.locator(".items-table").bounding_box()
        assert table is not None and table["x"] + table["width"] <= 1366
        rows = page.locator(".items-table tbody tr")
        codes = rows.locator("td.nowrap a").evaluate_all(ONE_LINE)
        dates = rows.locator("td.nowrap time").evaluate_all(ONE_LINE)
        assert codes and set(codes) == {1}, codes
        assert dates and set(dates) == {1}, dates
    expect(page.locator(".items-table")).to_contain_text("hasil 2⁵ + 3⁴ = ...")
    writer.shot("90-penulis-list-1366")
