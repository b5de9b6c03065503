"""Bulk actions on the item list in a real browser: the head checkbox ticks the page,
only the chosen action's fields show, and one click submits every ticked draft."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from itembank.models import Item
from tests.browser.conftest import LiveServer
from tests.factories import SINGLE_CHOICE, unique

BANK = "CACT-DEMO"
#: The demo bank's writing rules ask five options of a single-choice item.
FIVE_OPTIONS = {
    **SINGLE_CHOICE,
    "options": [*SINGLE_CHOICE["options"], {"id": "E", "text": "Rp700.000"}],
}
expect.set_options(timeout=10_000)


def _drafts(server: LiveServer, word: str, count: int) -> list[str]:
    """``count`` drafts by penulis whose stems hold ``word`` (so a search finds only them)."""
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.items import create_item

    with server.app.app_context():
        ids = [
            create_item(
                get_bank(BANK),
                actor=get_user("penulis"),
                plugins=server.app.extensions["itembank.plugins"],
                item_type="single_choice",
                stem=f"<p>Soal {word} nomor {n}: berapa hasilnya?</p>",
                content=FIVE_OPTIONS,
                metadata={"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]},
            ).external_id
            for n in range(count)
        ]
        db.session.commit()
        db.session.remove()
    return ids


def _statuses(server: LiveServer, ids: list[str]) -> set[str]:
    with server.app.app_context():
        items = db.session.query(Item).filter(Item.external_id.in_(ids)).all()
        statuses = {item.versions[-1].status for item in items}
        db.session.remove()
    return statuses


def test_a_writer_submits_every_draft_of_a_search_in_one_go(
    login: Any, live_server: LiveServer
) -> None:
    word = unique("massal")
    ids = _drafts(live_server, word, 4)
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(f"/banks/{BANK}/items?q={word}"))
    boxes = page.locator('tbody input[type="checkbox"][name="items"]')
    expect(boxes).to_have_count(4)

    # Only the chosen action's fields show.
    tags = page.get_by_label("Label (pisahkan dengan koma)")
    expect(tags).to_be_hidden()
    page.get_by_label("Tindakan", exact=True).select_option("tag")
    expect(tags).to_be_visible()
    page.get_by_label("Tindakan", exact=True).select_option("submit")
    expect(tags).to_be_hidden()

    head = page.get_by_label("Pilih semua butir di halaman ini")
    head.check()
    for index in range(4):
        expect(boxes.nth(index)).to_be_checked()
    boxes.nth(0).uncheck()
    expect(head).not_to_be_checked()
    head.check()
    writer.check_accessible_names()
    writer.shot("60-penulis-bulk-list")

    page.get_by_role("button", name="Jalankan").click()
    page.wait_for_url(re.compile(rf"/banks/{BANK}/items/bulk$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ajukan untuk ditelaah")
    expect(page.locator(".bulk-summary")).to_contain_text("4 selesai")
    expect(page.locator("tbody tr.bulk-done")).to_have_count(4)
    writer.shot("61-penulis-bulk-result")
    assert _statuses(live_server, ids) == {"in_review"}

    page.get_by_role("link", name="Kembali ke daftar butir").click()
    expect(page).to_have_url(re.compile(rf"q={word}"))
