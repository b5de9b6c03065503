"""The graphic and association item types in the browser: a writer uploads an image,
draws regions on it with the mouse (a rectangle and a circle dragged, a polygon clicked
point by point), corrects one by its coordinate field, chooses the key, submits, and two
reviewers approve the item; the same for an associate item (choices and their pairs)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_journey import open_from_the_bell, wait_for_clean_preview

WIDTH, HEIGHT = 200, 150
PLAN_ALT = "Denah kantor kecamatan"
#: The plan's four rooms, as the corners of a rectangle dragged over each.
ROOMS = {
    "northwest": ((10, 10), (90, 65)),
    "northeast": ((110, 10), (190, 65)),
    "southwest": ((10, 85), (90, 140)),
    "southeast": ((110, 85), (190, 140)),
}


def plan_png(tmp_path: Path) -> Path:
    """A floor plan of three rooms (a real PNG the server decodes)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), (250, 250, 245))
    for x in range(WIDTH):
        image.putpixel((x, 75), (40, 40, 40))
    for y in range(HEIGHT):
        image.putpixel((100, y), (40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path = tmp_path / "denah-kantor.png"
    path.write_bytes(buffer.getvalue())
    return path


def _at(box: dict[str, float], x: float, y: float) -> tuple[float, float]:
    """The page position of image pixel ``(x, y)`` on the drawing surface."""
    return box["x"] + x * box["width"] / WIDTH, box["y"] + y * box["height"] / HEIGHT


def _drag(page: Any, box: dict[str, float], start: tuple[int, int], end: tuple[int, int]) -> None:
    page.mouse.move(*_at(box, *start))
    page.mouse.down()
    page.mouse.move(*_at(box, *end), steps=6)
    page.mouse.up()


def draw_rooms(page: Any, fields: Any, *rooms: str) -> None:
    """A rectangle dragged over each of ``rooms`` (the default tool), in order: regions
    A, B, ..."""
    box = drawing_surface(fields)
    for room in rooms:
        _drag(page, box, *ROOMS[room])
    expect(fields.locator(".region-entry")).to_have_count(len(rooms))


def start_item(login: Any, item_type: str, stem_text: str) -> tuple[Any, Any, Any]:
    """The writer's form for a new ``item_type`` item of the demo bank, its stem typed:
    the writer, the page and the type's fields."""
    writer = login("penulis")
    page = writer.page
    page.goto(writer.url(f"/banks/CACT-DEMO/items/new?type={item_type}"))
    stem = page.get_by_role("textbox", name="Pokok soal")
    stem.click()
    stem.type(stem_text)
    return writer, page, page.locator("#type-fields")


def pick_plan(page: Any, fields: Any, tmp_path: Path) -> None:
    """The plan uploaded and chosen as the item's image (the first image field)."""
    button = fields.get_by_role("button", name="Pilih atau unggah gambar")
    _pick_image(page, button.first, plan_png(tmp_path), PLAN_ALT)


def drawing_surface(fields: Any) -> dict[str, float]:
    """The page box of the region canvas over the image, scrolled into view."""
    canvas = fields.locator(".region-canvas")
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 0
    return box


def classify(page: Any, competence: str) -> Any:
    """The item filed under ``competence`` of the SKD CPNS taxonomy; the preview, once
    it shows the form without problems."""
    page.get_by_label("Taksonomi").select_option("skd-cpns")
    page.get_by_label("Kompetensi atau bidang").select_option(competence)
    wait_for_clean_preview(page)
    return page.locator("#preview")


def submit(page: Any) -> str:
    """Saved and submitted for review: the new item's identifier."""
    page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
    page.wait_for_url(re.compile(r"/items/CACT-DEMO-\d+$"))
    return str(page.url.rsplit("/", 1)[1])


def test_a_hotspot_item_is_drawn_with_the_mouse_submitted_and_approved(
    login: Any, tmp_path: Path
) -> None:
    writer, page, fields = start_item(
        login,
        "hotspot",
        "Pada denah kantor kecamatan berikut, di manakah loket pelayanan KTP elektronik?",
    )

    # -- the image: uploaded in the media dialog --------------------------------------------
    expect(fields.locator(".region-empty")).to_be_visible()
    pick_plan(page, fields, tmp_path)
    expect(fields).to_contain_text(f"{PLAN_ALT} — {WIDTH} × {HEIGHT} piksel")
    box = drawing_surface(fields)

    # -- regions drawn with the mouse ---------------------------------------------------------
    _drag(page, box, *ROOMS["northwest"])  # A: a rectangle (the default tool)
    fields.get_by_role("button", name="Lingkaran", exact=True).click()
    _drag(page, box, (150, 40), (170, 40))  # B: a circle of radius 20
    fields.get_by_role("button", name="Poligon", exact=True).click()
    for x, y in ((20, 90), (90, 90), (55, 140)):
        page.mouse.click(*_at(box, x, y))
    page.mouse.click(*_at(box, 20, 90))  # the first point again closes C
    expect(fields.locator(".region-canvas .region-shape")).to_have_count(3)
    rows = fields.locator(".region-entry")
    expect(rows).to_have_count(3)
    coords = [rows.nth(i).get_by_label(re.compile("^Koordinat")).input_value() for i in range(3)]
    numbers = [[int(v) for v in text.split(", ")] for text in coords]
    drawn = ([10, 10, 90, 65], [150, 40, 20], [20, 90, 90, 90, 55, 140])
    for got, wanted in zip(numbers, drawn, strict=True):
        assert len(got) == len(wanted), coords
        assert all(abs(g - w) <= 1 for g, w in zip(got, wanted, strict=True)), coords
    assert rows.nth(1).get_by_label(re.compile("^Bentuk")).input_value() == "circle"

    # -- the keyboard fallback: a coordinate corrected, labels typed ---------------------------
    rows.nth(0).get_by_label(re.compile("^Koordinat")).fill("10, 10, 95, 70")
    expect(
        fields.locator('.region-canvas rect.region-shape[width="85"][height="60"]')
    ).to_have_count(1)
    for index, label in enumerate(["Ruang arsip", "Loket KTP-el", "Ruang tunggu"]):
        rows.nth(index).get_by_label(re.compile("^Keterangan")).fill(label)

    keys = fields.locator('[data-path="content.keys"]')
    keys.get_by_label("B", exact=True).check()
    preview = classify(page, "TKP.PP")
    expect(preview.locator(".ib-graphic img[src^='/media/']")).to_have_count(1)
    expect(preview.locator(".ib-graphic-overlay .ib-region")).to_have_count(3)
    expect(preview.get_by_label(re.compile("Loket KTP-el"))).to_have_attribute("type", "radio")
    writer.check_accessible_names()
    writer.shot("hotspot-editor")

    item_id = submit(page)
    expect(page.locator(".ib-graphic .ib-region")).to_have_count(3)

    approve_twice(login, writer, item_id, ".preview-box .ib-graphic .ib-region")


def approve_twice(login: Any, writer: Any, item_id: str, shown: str) -> None:
    """Both reviewers of the demo bank approve version 1 of the item (the bank needs two
    approvals), each seeing ``shown`` in the preview; the item is approved."""
    for name, flash in (
        ("penelaah1", "masih memerlukan persetujuan lain"),
        ("penelaah2", "disetujui"),
    ):
        reviewer = login(name)
        open_from_the_bell(reviewer, item_id, 1)
        review = reviewer.page
        expect(review.locator(shown).first).to_be_visible()
        reviewer.check_accessible_names()
        review.get_by_role("button", name="Setujui").click()
        review.wait_for_url(reviewer.url("/"))
        expect(review.locator(".flashes")).to_contain_text(flash)
    writer.page.goto(writer.url(f"/items/{item_id}"))
    expect(writer.page.locator("main")).to_contain_text("Disetujui")


ASSOCIATE_CHOICES = [
    "Mahkamah Konstitusi",
    "Badan Pemeriksa Keuangan",
    "Menguji undang-undang terhadap UUD 1945",
    "Memeriksa pengelolaan keuangan negara",
    "Komisi Yudisial",
    "Mengusulkan pengangkatan hakim agung",
]


def test_an_associate_item_is_written_submitted_and_approved(login: Any) -> None:
    writer, page, fields = start_item(
        login, "associate", "Pasangkan setiap lembaga negara dengan kewenangannya."
    )
    entries = fields.locator('[data-path="content.choices"] .entry')
    expect(entries).to_have_count(len(ASSOCIATE_CHOICES))
    for index, text in enumerate(ASSOCIATE_CHOICES):
        entries.nth(index).locator(".rt-content").click()
        entries.nth(index).locator(".rt-content").type(text)
    pairs = fields.locator('[data-path="content.pairs"]')
    for first, second in (("A", "C"), ("B", "D"), ("E", "F")):
        pairs.get_by_label(first, exact=True).select_option(second)
    page.get_by_label("Jumlah pasangan maksimum").fill("3")
    page.get_by_label("Poin").fill("3")
    page.get_by_label("Sebagian (per jawaban benar)").check()
    preview = classify(page, "TKP.PP")
    expect(preview.locator(".ib-associate-pair")).to_have_count(3)
    expect(preview).to_contain_text("Komisi Yudisial")
    writer.check_accessible_names()
    writer.shot("associate-editor")

    approve_twice(login, writer, submit(page), ".preview-box .ib-associate-pair")


def tile_png(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> Path:
    """A small coloured tile to place on the plan (a real PNG)."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 16), colour).save(buffer, format="PNG")
    path = tmp_path / f"{name}.png"
    path.write_bytes(buffer.getvalue())
    return path


def _pick_image(page: Any, button: Any, path: Path, alt: str) -> None:
    button.click()
    dialog = page.locator("#media-dialog")
    dialog.get_by_label("Unggah gambar baru (PNG, JPEG, atau GIF)").set_input_files(str(path))
    dialog.locator(".media-choice[aria-pressed=true]").wait_for()
    # The upload has ended once *Sisipkan* is enabled (the dialog disables it on opening,
    # and a list from an earlier opening may still show a pressed choice): only then has
    # the dialog put the file's name into an empty description, which the fill replaces
    # (filled sooner, the name was put in front of the typed text).
    expect(dialog.get_by_role("button", name="Sisipkan", exact=True)).to_be_enabled()
    dialog.get_by_label("Deskripsi gambar (untuk pembaca layar)").fill(alt)
    dialog.get_by_role("button", name="Sisipkan", exact=True).click()
    expect(dialog).to_be_hidden()


def test_a_graphic_gap_match_item_is_drawn_submitted_and_approved(
    login: Any, tmp_path: Path
) -> None:
    writer, page, fields = start_item(
        login,
        "graphic_gap_match",
        "Tempatkan penanda yang tepat pada denah kantor kecamatan berikut.",
    )
    choose = fields.get_by_role("button", name="Pilih atau unggah gambar")
    expect(choose).to_have_count(3)  # the plan and the two gap images
    pick_plan(page, fields, tmp_path)
    gaps = fields.locator('[data-path="content.gaps"] .entry')
    for index, (name, colour) in enumerate(
        [("Titik kumpul", (200, 60, 60)), ("Pintu darurat", (60, 160, 80))]
    ):
        gap = gaps.nth(index)
        path = tile_png(tmp_path, f"penanda-{index}", colour)
        _pick_image(page, gap.get_by_role("button", name="Pilih atau unggah gambar"), path, name)
        gap.get_by_label("Keterangan").fill(name)
    draw_rooms(page, fields, "northwest", "southeast")
    expect(fields.locator(".region-canvas .region-shape")).to_have_count(2)
    pairs = fields.locator('[data-path="content.pairs"]')
    pairs.get_by_label("G1", exact=True).select_option("B")
    pairs.get_by_label("G2", exact=True).select_option("A")
    preview = classify(page, "TKP.PP")
    expect(preview.locator(".ib-graphic-overlay .ib-region")).to_have_count(2)
    expect(preview.locator(".ib-gaps img[src^='/media/']")).to_have_count(2)
    writer.check_accessible_names()
    writer.shot("graphic-gap-match-editor")

    approve_twice(login, writer, submit(page), ".preview-box .ib-graphic .ib-region")


def test_a_select_point_item_is_drawn_submitted_and_approved(login: Any, tmp_path: Path) -> None:
    """The scoring areas are drawn like hotspots, with a value each and no label; the
    preview shows the image without them and a field pair per point."""
    writer, page, fields = start_item(
        login,
        "select_point",
        "Tunjuk loket pelayanan KTP elektronik dan ruang tunggunya pada denah berikut.",
    )
    pick_plan(page, fields, tmp_path)
    box = drawing_surface(fields)
    _drag(page, box, *ROOMS["northeast"])  # A: the counter
    fields.get_by_role("button", name="Lingkaran", exact=True).click()
    _drag(page, box, (50, 110), (70, 110))  # B: the waiting room, radius 20
    _drag(page, box, (150, 110), (165, 110))  # C: a wrong room, radius 15
    rows = fields.locator(".region-entry")
    expect(rows).to_have_count(3)
    expect(rows.get_by_label(re.compile("^Keterangan"))).to_have_count(0)  # hidden areas
    values = [rows.nth(i).get_by_label(re.compile("^Nilai titik di area ini")) for i in range(3)]
    expect(values[0]).to_have_value("1")
    values[2].fill("-0.5")
    page.get_by_label("Jumlah titik maksimum").fill("2")
    page.get_by_label("Poin").fill("2")
    preview = classify(page, "TIU.FIG")
    expect(preview.locator(".ib-graphic img[src^='/media/']")).to_have_count(1)
    expect(preview.locator(".ib-graphic-overlay .ib-region")).to_have_count(0)
    expect(preview.locator(".ib-point input[type=number]")).to_have_count(4)
    writer.check_accessible_names()
    writer.shot("select-point-editor")

    approve_twice(login, writer, submit(page), ".preview-box .ib-graphic img")


def test_a_select_point_item_with_a_marker_is_saved_and_placed_in_the_preview(
    login: Any, tmp_path: Path
) -> None:
    """The optional marker (QTI's position object): chosen, removed and chosen again in
    the editor; the preview shows it beside the plan, and a click on the plan fills the
    point's fields and places the marker there."""
    writer, page, fields = start_item(
        login, "select_point", "Letakkan papan informasi di ruang tunggu pada denah berikut."
    )
    choose = fields.get_by_role("button", name="Pilih atau unggah gambar")
    expect(choose).to_have_count(2)  # the plan and the marker
    pick_plan(page, fields, tmp_path)
    marker_field = fields.locator('[data-path="content.marker"]')
    remove = marker_field.get_by_role("button", name="Hapus gambar")
    expect(remove).to_be_hidden()  # nothing to remove yet
    marker_png = tile_png(tmp_path, "papan", (200, 60, 60))
    _pick_image(page, marker_field.get_by_role("button"), marker_png, "Papan informasi")
    remove.click()
    expect(marker_field).to_contain_text("Belum ada gambar")
    _pick_image(page, marker_field.get_by_role("button").first, marker_png, "Papan informasi")
    expect(marker_field.locator("img")).to_have_count(1)
    draw_rooms(page, fields, "southwest")  # A: the waiting room
    preview = classify(page, "TIU.FIG")
    expect(preview.locator(".ib-marker img[src^='/media/']")).to_have_count(1)
    expect(preview).to_contain_text("Letakkan penanda")
    writer.check_accessible_names()
    writer.shot("select-point-marker-editor")

    submit(page)
    shown = page.locator(".preview-box .ib-select_point")
    marker = shown.locator(".ib-marker img")
    expect(marker).to_have_attribute("alt", "Papan informasi")
    plan = shown.locator(".ib-graphic img")
    plan.scroll_into_view_if_needed()
    box = plan.bounding_box()
    assert box is not None
    page.mouse.click(*_at(box, 50, 110))
    point = shown.locator(".ib-point").first
    x, y = (int(point.locator("input").nth(i).input_value()) for i in range(2))
    assert abs(x - 50) <= 1 and abs(y - 110) <= 1
    placed = shown.locator(".ib-graphic-overlay image.ib-placed")
    expect(placed).to_have_count(1)
    expect(placed).to_have_attribute("href", marker.get_attribute("src") or "")
    expect(placed).to_have_attribute("width", "40")
    writer.shot("select-point-marker-placed")


def test_a_graphic_order_item_is_drawn_ordered_submitted_and_approved(
    login: Any, tmp_path: Path
) -> None:
    writer, page, fields = start_item(
        login, "graphic_order", "Urutkan ruang yang dilalui warga yang mengurus KTP elektronik."
    )
    pick_plan(page, fields, tmp_path)
    draw_rooms(page, fields, "northwest", "northeast", "southeast")
    order = fields.locator('[data-path="content.correct_order"]')
    for position, ident in enumerate(["C", "A", "B"], start=1):
        order.get_by_label(f"Posisi {position}", exact=True).select_option(ident)
    preview = classify(page, "TIU.FIG")
    expect(preview.locator(".ib-graphic-overlay .ib-region")).to_have_count(3)
    expect(preview.locator(".ib-order-item select")).to_have_count(3)
    writer.check_accessible_names()
    writer.shot("graphic-order-editor")

    approve_twice(login, writer, submit(page), ".preview-box .ib-graphic .ib-region")


def test_a_graphic_associate_item_is_drawn_paired_submitted_and_approved(
    login: Any, tmp_path: Path
) -> None:
    writer, page, fields = start_item(
        login, "graphic_associate", "Pasangkan ruang-ruang yang dihubungkan oleh pintu penghubung."
    )
    pick_plan(page, fields, tmp_path)
    draw_rooms(page, fields, "northwest", "northeast", "southwest")
    rows = fields.locator(".region-entry")
    rows.nth(0).get_by_label(re.compile("^Paling banyak dipakai")).fill("2")
    pairs = fields.locator('[data-path="content.pairs"]')
    pairs.get_by_label("B", exact=True).select_option("A")
    pairs.get_by_label("C", exact=True).select_option("A")
    page.get_by_label("Poin").fill("2")
    page.get_by_label("Sebagian (per jawaban benar)").check()
    preview = classify(page, "TIU.FIG")
    expect(preview.locator(".ib-graphic-overlay .ib-region")).to_have_count(3)
    expect(preview.locator(".ib-associate-pair")).to_have_count(1)  # 3 areas // 2
    writer.check_accessible_names()
    writer.shot("graphic-associate-editor")

    approve_twice(login, writer, submit(page), ".preview-box .ib-graphic .ib-region")
