"""Writing, in a real browser, a composite item (a choice and a short answer) and a
multiple-response item with mapped scoring, submitting both, and both reviewers
approving them; the stored content is what the forms said."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from itembank.models import Item
from tests.browser.conftest import LiveServer, item_id_from
from tests.browser.test_journey import wait_for_clean_preview


def _new_item(writer: Any, type_label: str, stem_text: str) -> Any:
    page = writer.page
    page.goto(writer.url("/banks/CACT-DEMO/items/new"))
    page.get_by_label(type_label, exact=True).check()
    page.get_by_role("button", name="Lanjut").click()
    stem = page.get_by_role("textbox", name="Pokok soal")
    stem.click()
    stem.type(stem_text)
    return page


def _type_text(entry: Any, text: str) -> None:
    box = entry.locator(".rt-content").first
    box.click()
    box.type(text)


def _classify_and_submit(writer: Any, shot: str) -> str:
    page = writer.page
    page.get_by_label("Taksonomi").select_option("skd-cpns")
    page.get_by_label("Kompetensi atau bidang").select_option("TIU.VER")
    wait_for_clean_preview(page)
    writer.check_accessible_names()
    writer.shot(shot)
    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/items/CACT-DEMO-\d+$"))
    expect(page.locator(".flashes")).to_contain_text("telah diajukan untuk ditelaah")
    return item_id_from(page.url)


def _approve(login: Any, item_id: str) -> None:
    for name in ("penelaah1", "penelaah2"):
        reviewer = login(name)
        page = reviewer.page
        page.goto(reviewer.url(f"/items/{item_id}/versions/1/review"))
        page.get_by_role("button", name="Setujui").click()
        page.wait_for_url(reviewer.url("/"))
    expect(page.locator(".flashes")).to_contain_text("Versi 1 disetujui")


def _content(live_server: LiveServer, item_id: str) -> dict[str, Any]:
    with live_server.app.app_context():
        item = db.session.scalars(db.select(Item).where(Item.external_id == item_id)).one()
        content = dict(item.latest_version.content)
        status = item.latest_version.status
        db.session.remove()
    assert status == "approved"
    return content


def test_a_composite_item_is_written_and_approved(login: Any, live_server: LiveServer) -> None:
    writer = login("penulis")
    page = _new_item(writer, "Soal majemuk", "Bacalah teks berikut, lalu jawab dua bagiannya.")
    first = page.locator('[data-path="content.parts.0"].entry')
    second = page.locator('[data-path="content.parts.1"].entry')
    expect(page.locator('[data-path="content.parts.2"]')).to_have_count(0)
    _type_text(first, "Gagasan utama teks adalah ....")
    options = first.locator('[data-path*=".content.options."].entry')
    for index, text in enumerate(["Pendidikan", "Kesehatan", "Ekonomi", "Budaya"]):
        _type_text(options.nth(index), text)
    first.get_by_label("Kunci jawaban").select_option("B")
    second.get_by_label("Jenis bagian").select_option("short_text")
    _type_text(second, "Tuliskan satu kata kunci teks.")
    second.get_by_role("textbox", name="Jawaban 1", exact=True).fill("kesehatan")
    item_id = _classify_and_submit(writer, "composite-editor")
    _approve(login, item_id)
    content = _content(live_server, item_id)
    assert [(p["id"], p["type"]) for p in content["parts"]] == [
        ("RESPONSE_1", "single_choice"),
        ("RESPONSE_2", "short_text"),
    ]
    assert content["parts"][0]["content"]["key"] == "B"
    assert content["parts"][1]["content"]["accepted"] == ["kesehatan"]
    assert "Tuliskan satu kata kunci" in content["parts"][1]["prompt"]


def test_a_mapped_multiple_response_item_is_written_and_approved(
    login: Any, live_server: LiveServer
) -> None:
    writer = login("penulis")
    page = _new_item(writer, "Pilihan ganda kompleks", "Unsur pembentuk air adalah ....")
    options = page.locator('[data-path^="content.options."].entry')
    values = {"Hidrogen": "1", "Helium": "", "Oksigen": "1", "Klorin": "-0.5"}
    for index, (text, value) in enumerate(values.items()):
        _type_text(options.nth(index), text)
        options.nth(index).get_by_label("Nilai (penskoran berbobot)").fill(value)
    page.get_by_role("group", name="Jawaban benar").get_by_label("A", exact=True).check()
    page.get_by_role("group", name="Jawaban benar").get_by_label("C", exact=True).check()
    page.get_by_label("Poin").fill("2")
    page.get_by_label("Berbobot (nilai per pilihan)").check()
    page.get_by_label("Nilai lainnya").fill("-1")
    page.get_by_label("Batas bawah skor").fill("0")
    item_id = _classify_and_submit(writer, "mapped-editor")
    page.goto(writer.url(f"/items/{item_id}"))
    expect(page.locator(".key-table")).to_contain_text("-0,5")
    _approve(login, item_id)
    content = _content(live_server, item_id)
    assert content["scoring"] == "mapped"
    assert [o.get("value") for o in content["options"]] == [1, None, 1, -0.5]
    assert content["mapping"] == {"default": -1, "lower": 0}
    assert content["keys"] == ["A", "C"]


def test_a_mapped_matching_item_round_trips_through_its_grid(
    login: Any, live_server: LiveServer
) -> None:
    """The pair-value grid reads and writes the values exactly: opening a mapped matching
    draft and saving it unchanged changes nothing; a value typed into a cell is stored."""
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.items import create_item

    with live_server.app.app_context():
        host = live_server.app.extensions["itembank.plugins"]
        matching = host.item_type("matching")
        item = create_item(
            get_bank("CACT-DEMO"),
            actor=get_user("penulis"),
            plugins=host,
            item_type="matching",
            stem="<p>Pasangkan sila dengan lambangnya.</p>",
            content={
                **matching.example_content(),
                "scoring": "mapped",
                "points": 2.5,
                "pair_values": [["P1", "R2", 1], ["P2", "R3", 0.5], ["P3", "R1", 1]],
                "mapping": {"default": -0.5, "lower": None},
            },
            metadata={"classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}]},
        )
        item_id = item.external_id
        db.session.commit()
        db.session.remove()
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(f"/items/{item_id}/edit"))
    wait_for_clean_preview(page)
    grid = page.locator(".pair-grid")
    expect(grid.get_by_label("P2 → R3")).to_have_value("0.5")
    writer.check_accessible_names()
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator(".flashes")).to_contain_text(
        "Tidak ada perubahan sejak penyimpanan terakhir."
    )
    grid.get_by_label("P3 → R4").fill("-1")
    wait_for_clean_preview(page)
    page.get_by_role("button", name="Simpan draf").click()
    expect(page.locator(".flashes")).not_to_contain_text("Tidak ada perubahan")
    with live_server.app.app_context():
        stored = db.session.scalars(db.select(Item).where(Item.external_id == item_id)).one()
        values = stored.latest_version.content["pair_values"]
        db.session.remove()
    assert values == [["P1", "R2", 1], ["P2", "R3", 0.5], ["P3", "R1", 1], ["P3", "R4", -1]]
