"""The text-based item types in the browser: a writer writes an inline choice (a sentence
with two gaps marked ``[[G1]]``, ``[[G2]]``), a numeric answer with a tolerance, a slider,
a gap match, a hot text (one phrase in italics) and a short text with a half-marks answer
in the editor, the preview shows each as a candidate sees it, and
two reviewers approve each."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_journey import open_from_the_bell, wait_for_clean_preview


def _field(page: Any, path: str) -> Any:
    return page.locator(f'#type-fields [data-path="content.{path}"]')


def _start(writer: Any, type_id: str, stem_text: str) -> Any:
    page = writer.page
    page.goto(writer.url(f"/banks/CACT-DEMO/items/new?type={type_id}"))
    stem = page.get_by_role("textbox", name="Pokok soal")
    stem.click()
    stem.type(stem_text)
    page.get_by_label("Taksonomi").select_option("skd-cpns")
    page.get_by_label("Kompetensi atau bidang").select_option("TWK.PN")
    return page


def _submit(writer: Any) -> str:
    page = writer.page
    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/items/CACT-DEMO-\d+$"))
    return page.url.rsplit("/", 1)[1]


def _approve_twice(login: Any, item_id: str, check: Any) -> None:
    first = login("penelaah1")
    open_from_the_bell(first, item_id, 1)
    check(first.page)
    first.check_accessible_names()
    first.page.get_by_role("button", name="Setujui").click()
    first.page.wait_for_url(first.url("/"))
    expect(first.page.locator(".flashes")).to_contain_text("masih memerlukan persetujuan lain")
    second = login("penelaah2")
    open_from_the_bell(second, item_id, 1)
    second.page.get_by_role("button", name="Setujui").click()
    second.page.wait_for_url(second.url("/"))
    expect(second.page.locator(".flashes")).to_contain_text("Versi 1 disetujui")


def test_an_inline_choice_is_written_with_marked_gaps_and_approved(login: Any) -> None:
    writer = login("penulis")
    page = _start(writer, "inline_choice", "Lengkapi kalimat berikut.")
    sentence = _field(page, "text").locator(".rt-content")
    sentence.click()
    sentence.type("Ibu kota Jawa Barat adalah [[G1]] dan ibu kota Jawa Tengah adalah [[G2]].")
    for number, word in enumerate(["Bogor", "Bandung", "Bekasi"]):
        _field(page, f"gaps.0.options.{number}.text").locator("input").fill(word)
    _field(page, "gaps.0.correct").locator("select").select_option("B")
    # [[G2]] names no gap yet: the preview says so, in the writer's words
    expect(page.locator("#preview-problems")).to_contain_text("[[G2]]")
    page.get_by_role("button", name="Tambah: Rumpang").click()
    for number, word in enumerate(["Solo", "Semarang", "Magelang"]):
        _field(page, f"gaps.1.options.{number}.text").locator("input").fill(word)
    _field(page, "gaps.1.correct").locator("select").select_option("B")
    _field(page, "gaps.1.points").locator("input").fill("2")
    wait_for_clean_preview(page)
    gaps = page.locator("#preview select.ib-gap")
    expect(gaps).to_have_count(2)
    expect(gaps.nth(1).locator("option")).to_have_text(["Pilih", "Solo", "Semarang", "Magelang"])
    expect(page.locator("#preview .ib-sentence")).to_contain_text("Ibu kota Jawa Barat adalah")
    expect(page.locator("#preview .ib-sentence")).not_to_contain_text("[[")
    writer.check_accessible_names()
    writer.shot("inline-choice-editor")
    item_id = _submit(writer)
    expect(page.locator(".preview-box .ib-sentence")).to_contain_text("Jawa Tengah adalah")
    expect(page.locator(".preview-box select.ib-gap")).to_have_count(2)
    expect(page.locator(".key-table")).to_contain_text("Semarang")

    def check(review: Any) -> None:
        expect(review.locator(".preview-box select.ib-gap")).to_have_count(2)

    _approve_twice(login, item_id, check)


def test_a_numeric_answer_with_a_tolerance_is_written_and_approved(login: Any) -> None:
    writer = login("penulis")
    page = _start(writer, "numeric", "Berapa liter volume tabung berjari-jari 7 cm, tinggi 10 cm?")
    _field(page, "answer").locator("input").fill("1.54")
    _field(page, "tolerance").locator("input").fill("5")
    _field(page, "tolerance_mode").get_by_label("Relatif (persen)").check()
    _field(page, "points").locator("input").fill("2")
    wait_for_clean_preview(page)
    expect(page.locator("#preview")).to_contain_text("Jawaban (bilangan)")
    # a negative answer cannot take a relative tolerance: the writer is told why
    _field(page, "answer").locator("input").fill("-1.54")
    expect(page.locator("#preview-problems")).to_contain_text("Toleransi relatif")
    _field(page, "answer").locator("input").fill("1.54")
    wait_for_clean_preview(page)
    writer.check_accessible_names()
    item_id = _submit(writer)

    def check(review: Any) -> None:
        expect(review.locator(".preview-box input[inputmode=decimal]")).to_have_count(1)

    _approve_twice(login, item_id, check)


def test_a_slider_is_written_its_preview_shows_the_value_and_it_is_approved(login: Any) -> None:
    writer = login("penulis")
    page = _start(writer, "slider", "Geser penanda ke persentase kehadiran rapat (34 dari 40).")
    _field(page, "lower").locator("input").fill("0")
    _field(page, "upper").locator("input").fill("100")
    _field(page, "step").locator("input").fill("5")
    _field(page, "answer").locator("input").fill("85")
    _field(page, "points").locator("input").fill("2")
    wait_for_clean_preview(page)
    slider = page.locator("#preview input[type=range]")
    expect(slider).to_have_attribute("max", "100")
    expect(slider).to_have_attribute("step", "5")
    slider.fill("40")  # as a candidate moves it: the value shows beside it
    expect(page.locator("#preview .ib-slider output")).to_have_text("40")
    # an answer off the scale's steps: the writer is told why
    _field(page, "answer").locator("input").fill("83")
    expect(page.locator("#preview-problems")).to_contain_text("tidak ada di skala")
    _field(page, "answer").locator("input").fill("85")
    wait_for_clean_preview(page)
    writer.check_accessible_names()
    writer.shot("slider-editor")
    item_id = _submit(writer)
    expect(page.locator(".preview-box input[type=range]")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("Kunci: 85")
    expect(page.locator("main .facts").first).to_contain_text("Langkah")
    assert item_id.startswith("CACT-DEMO-")

    def check(review: Any) -> None:
        expect(review.locator(".preview-box input[type=range]")).to_have_count(1)

    _approve_twice(login, item_id, check)


def test_a_gap_match_is_written_with_its_key_pairs_and_approved(login: Any) -> None:
    writer = login("penulis")
    page = _start(writer, "gap_match", "Lengkapi teks berikut dengan kata yang tepat.")
    text = _field(page, "text").locator(".rt-content")
    text.click()
    text.type("Pancasila sebagai [[G1]] negara dan sumber segala sumber [[G2]] negara.")
    for number, word in enumerate(["dasar", "hukum", "tujuan", "kekuasaan"]):
        _field(page, f"words.{number}.text").locator("input").fill(word)
    pairs = _field(page, "key")
    pairs.get_by_label("G1").select_option("A")
    pairs.get_by_label("G2").select_option("B")
    wait_for_clean_preview(page)
    expect(page.locator("#preview select.ib-gap")).to_have_count(2)
    expect(page.locator("#preview .ib-word")).to_have_text(
        ["dasar", "hukum", "tujuan", "kekuasaan"]
    )
    writer.check_accessible_names()
    item_id = _submit(writer)

    def check(review: Any) -> None:
        expect(review.locator(".preview-box select.ib-gap")).to_have_count(2)

    _approve_twice(login, item_id, check)


def test_a_hot_text_is_written_with_its_keys_and_approved(login: Any) -> None:
    writer = login("penulis")
    page = _start(writer, "hot_text", "Pilih kata yang penulisannya tidak baku.")
    text = _field(page, "text").locator(".rt-content")
    text.click()
    text.type("Para [[H1]] menyusun [[H2]] kerja dengan [[H3]] dan [[H4]].")
    for number, word in enumerate(["pegawai", "rencana", "sistimatis", "efektip"]):
        phrase = _field(page, f"hottexts.{number}.text").locator(".rt-content")
        phrase.click()
        phrase.type(word)
    # a hot text may be formatted inline: the last one in italics (the editor's own key)
    last = _field(page, "hottexts.3.text").locator(".rt-content")
    last.press("ControlOrMeta+a")
    last.press("ControlOrMeta+i")
    keys = _field(page, "keys")
    keys.get_by_label("H3").check()
    keys.get_by_label("H4").check()
    wait_for_clean_preview(page)
    expect(page.locator("#preview .ib-hottext input[type=checkbox]")).to_have_count(4)
    expect(page.locator("#preview .ib-sentence")).to_contain_text("Para pegawai menyusun")
    expect(page.locator("#preview .ib-hottext label em")).to_have_text("efektip")
    writer.check_accessible_names()
    item_id = _submit(writer)

    def check(review: Any) -> None:
        expect(review.locator(".preview-box .ib-hottext")).to_have_count(4)
        # stored as inline formatting: no paragraph of the editor's inside the sentence
        expect(review.locator(".preview-box .ib-hottext label em")).to_have_text("efektip")
        expect(review.locator(".preview-box .ib-hottext p")).to_have_count(0)

    _approve_twice(login, item_id, check)


def test_a_short_text_with_an_answer_worth_half_is_written_and_approved(login: Any) -> None:
    """Mapped scoring: 'York' earns the points, 'york' (case sensitive) half of them; the
    writer adds the half-marks answer beside the accepted ones."""
    writer = login("penulis")
    page = _start(writer, "short_text", "Lengkapi kutipan Richard III: matahari ....")
    _field(page, "accepted").locator("input").first.fill("York")
    _field(page, "case_sensitive").get_by_label("Bedakan huruf besar dan kecil").check()
    _field(page, "points").locator("input").fill("2")
    _field(page, "scoring").get_by_label("Berbobot (nilai per jawaban)").check()
    page.get_by_role("button", name="Tambah: Jawaban bernilai").click()
    _field(page, "answer_values.0.text").locator("input").fill("york")
    # worth the points: it belongs among the accepted answers, and the writer is told so
    _field(page, "answer_values.0.value").locator("input").fill("2")
    expect(page.locator("#preview-problems")).to_contain_text("di antara jawaban yang diterima")
    _field(page, "answer_values.0.value").locator("input").fill("1")
    wait_for_clean_preview(page)
    expect(page.locator("#preview input[type=text]")).to_have_count(1)
    writer.check_accessible_names()
    item_id = _submit(writer)
    expect(page.locator("main")).to_contain_text("Kunci: York")
    facts = page.locator("main .facts").first
    expect(facts).to_contain_text("york: 1")
    expect(facts).to_contain_text("Berbobot (nilai per jawaban)")

    def check(review: Any) -> None:
        expect(review.locator(".preview-box input[type=text]")).to_have_count(1)

    _approve_twice(login, item_id, check)
