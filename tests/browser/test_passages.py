"""A passage set in the browser: write a passage with the rich-text editor, have two
reviewers approve it, put two items in its set from the item editor, and preview the
set as candidates see it (the passage beside its items)."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect


def test_write_review_attach_and_preview_a_passage_set(login: Any) -> None:
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url("/banks/CACT-DEMO/passages"))
    page.get_by_role("link", name="Tulis bacaan baru").click()
    page.wait_for_url(re.compile(r"/passages/new$"))
    page.get_by_label(re.compile(r"^Judul")).fill("Layanan izin usaha daring")
    body = page.locator("#body-editor .rt-content")
    body.click()
    body.type("Pemerintah kota membuka layanan izin usaha daring sejak 2024.")
    writer.check_accessible_names()
    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/passages/CACT-DEMO-P\d+$"))
    passage_url = page.url
    passage_id = passage_url.rsplit("/", 1)[1]
    expect(page.locator("#passage-status")).to_have_text("Dalam telaah")
    expect(page.locator(".passage-box")).to_contain_text("layanan izin usaha daring")

    # the demo bank needs two approvals, from reviewers who did not write it
    for name in ("penelaah1", "penelaah2"):
        reviewer = login(name)
        reviewer.page.goto(reviewer.url(f"/passages/{passage_id}/versions/1/review"))
        expect(reviewer.page.locator(".passage-box").last).to_contain_text("sejak 2024")
        reviewer.page.get_by_role("button", name="Setujui").click()
        reviewer.page.wait_for_url(re.compile(rf"/passages/{passage_id}$"))
    page.reload()
    expect(page.locator("#passage-status")).to_have_text("Disetujui")

    # two of the writer's drafts join the set from the item editor
    page.goto(writer.url("/banks/CACT-DEMO/items?status=draft"))
    links = page.eval_on_selector_all(
        "a[href^='/items/CACT-DEMO-']",
        "links => [...new Set(links.map(a => a.getAttribute('href'))"
        ".filter(h => /^\\/items\\/CACT-DEMO-\\d+$/.test(h)))]",
    )
    assert len(links) >= 2, links
    attached = []
    for href in links[:2]:
        page.goto(writer.url(f"{href}/edit"))
        choice = page.get_by_label(re.compile(r"^Bacaan yang ditanyakan soal ini"))
        choice.select_option(value=f"{passage_id}:1")
        page.get_by_role("button", name="Simpan draf").click()
        page.wait_for_url(re.compile(r"/edit$"))
        expect(page.locator(".flashes")).to_contain_text("Draf disimpan")
        attached.append(href.rsplit("/", 1)[1])

    # the item page shows the passage beside the item
    page.goto(writer.url(f"/items/{attached[0]}"))
    expect(page.locator(".with-passage .passage-box")).to_contain_text("sejak 2024")

    # the passage lists its set, and the preview shows the passage beside both items
    page.goto(passage_url)
    for item in attached:
        expect(page.locator("#set-items")).to_contain_text(item)
    page.get_by_role("link", name="Pratinjau kelompok soal").click()
    page.wait_for_url(re.compile(r"/set$"))
    expect(page.locator(".set-preview .passage-box")).to_have_count(1)
    expect(page.locator(".set-preview .passage-box")).to_contain_text("sejak 2024")
    expect(page.locator(".set-item")).to_have_count(2)
    for item in attached:
        expect(page.locator(".set-items")).to_contain_text(item)
    writer.check_accessible_names()
    writer.shot("passage-set-preview")


def test_revise_compare_comment_and_retire_a_passage(login: Any) -> None:
    """The demo's approved passage: a writer revises its text, a reviewer sees the change
    word by word and comments, the writer withdraws the version, and the bank's
    administrator retires the passage (after confirming), so no item editor offers it."""
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url("/passages/CACT-DEMO-P00001"))
    page.get_by_role("button", name=re.compile(r"^Revisi")).click()
    page.wait_for_url(re.compile(r"/passages/CACT-DEMO-P00001/edit$"))
    page.get_by_label(re.compile(r"^Judul")).fill("Bacaan demo direvisi")
    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/passages/CACT-DEMO-P00001$"))
    status_line = page.locator("#passage-status").locator("xpath=..").inner_text()
    match = re.search(r"Versi (\d+)", status_line)
    assert match, status_line
    number = int(match.group(1))

    reviewer = login("penelaah1")
    review = reviewer.page
    review.goto(reviewer.url(f"/passages/CACT-DEMO-P00001/versions/{number}/review"))
    expect(review.locator("#passage-diff ins")).to_contain_text(["direvisi"])
    review.get_by_label("Tambahkan komentar").fill("Judul baru lebih jelas.")
    review.get_by_role("button", name="Kirim komentar").click()
    review.wait_for_url(re.compile(r"/review$"))
    expect(review.locator("#passage-comments")).to_contain_text("Judul baru lebih jelas.")
    reviewer.check_accessible_names()

    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tarik dari telaah").click()
    page.wait_for_url(re.compile(r"/passages/CACT-DEMO-P00001$"))

    admin = login("admin")
    admin.page.goto(admin.url("/passages/CACT-DEMO-P00001"))
    admin.page.get_by_label(re.compile(r"^Alasan")).fill("Data sudah usang.")
    admin.page.once("dialog", lambda dialog: dialog.accept())
    admin.page.get_by_role("button", name="Pensiunkan").click()
    admin.page.wait_for_url(re.compile(r"/passages/CACT-DEMO-P00001$"))
    expect(admin.page.locator("#passage-retired")).to_be_visible()
    admin.check_accessible_names()
    admin.shot("passage-retired")
