"""Items very similar to existing ones: found cheaply, shown as warnings, and exact
copies of an import skipped on request."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Item
from itembank.operations.imports import run_import
from itembank.operations.similarity import (
    MAX_CANDIDATES,
    jaccard,
    key_words,
    shingles,
    similar_to_version,
)
from itembank.plugins import PluginHost
from tests.factories import STEM, World, make_item
from tests.import_helpers import SC_ROW, csv_bytes, entries, outcomes


def test_shingle_similarity_sees_a_copy_with_one_word_changed() -> None:
    a = "kantor membeli 12 rim kertas seharga rp54.000 per rim berapa yang harus dibayar"
    b = "kantor membeli 15 rim kertas seharga rp54.000 per rim berapa yang harus dibayar"
    c = "seorang warga datang lima menit sebelum layanan tutup apa yang anda lakukan"
    assert jaccard(shingles(a), shingles(b)) == 0.6  # 9 of 15 shingles shared
    assert jaccard(shingles(a), shingles(c)) == 0
    assert key_words(a) == ["membeli", "seharga"]  # the longest, first ones first


def test_a_near_copy_is_found_and_an_unrelated_item_is_not(
    world: World, plugins: PluginHost
) -> None:
    original = make_item(world, plugins)
    make_item(world, plugins, stem="<p>Ibu kota provinsi Kalimantan Timur adalah ...</p>")
    copy = make_item(world, plugins, stem=STEM.replace("12 rim", "15 rim"))
    found = similar_to_version(copy.latest_version)
    assert [s.external_id for s in found] == [original.external_id]
    assert 0.6 < found[0].similarity < 1 and not found[0].exact
    # The item itself is never its own duplicate.
    assert all(s.external_id != copy.external_id for s in found)


def test_the_check_reads_a_bounded_number_of_rows(
    world: World, plugins: PluginHost, monkeypatch: Any
) -> None:
    import itembank.operations.similarity as similarity

    for n in range(6):
        make_item(world, plugins, stem=STEM.replace("12 rim", f"{20 + n} rim"))
    monkeypatch.setattr(similarity, "MAX_CANDIDATES", 3)
    target = make_item(world, plugins)
    assert len(similarity.similar_to_version(target.latest_version)) == 3
    assert MAX_CANDIDATES == 200


def _import(world: World, plugins: PluginHost, data: bytes, **kwargs: Any) -> Any:
    return run_import(
        world.bank, actor=world.author, plugins=plugins, filename="soal.csv", data=data, **kwargs
    )


def test_importing_the_same_file_twice_warns_and_can_skip_exact_copies(
    world: World, plugins: PluginHost
) -> None:
    rows = [SC_ROW, {**SC_ROW, "pokok_soal": "Berapa 7 + 8 jika dikalikan dua?"}]
    data = csv_bytes(rows)
    first = _import(world, plugins, data)
    assert first.items_created == 2 and first.warnings == 0

    second = _import(world, plugins, data)
    assert second.items_created == 2  # warned, not blocked
    warnings = entries(second, "warning")
    assert "This exact file was imported into this bank before" in warnings[0][2]
    assert sum("An exact copy of item" in w[2] for w in warnings) == 2

    third = _import(world, plugins, data, skip_duplicates=True)
    assert third.items_created == 0 and third.items_unchanged == 2
    assert set(outcomes(third).values()) == {"unchanged"}
    assert any("skipped (skip duplicates)" in e[2] for e in entries(third, "info"))
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(Item).where(Item.bank_id == world.bank.id)
    )
    assert count == 4  # the first two imports only


def test_an_import_warns_about_near_copies(world: World, plugins: PluginHost) -> None:
    existing = make_item(world, plugins)
    row = {
        **SC_ROW,
        "pokok_soal": "Kantor membeli 15 rim kertas seharga Rp54.000/rim. Pembelian di atas "
        "10 rim mendapat diskon 10%. Berapa yang harus dibayar?",
        "opsi_a": "Rp518.400",
        "opsi_b": "Rp583.200",
        "opsi_c": "Rp637.200",
        "opsi_d": "Rp648.000",
    }
    batch = _import(world, plugins, csv_bytes([row]))
    assert batch.items_created == 1
    warnings = [w[2] for w in entries(batch, "warning")]
    assert len(warnings) == 1 and warnings[0].startswith("Very similar to items already")
    assert existing.external_id in warnings[0]


def test_an_import_warns_only_about_near_copies_of_the_same_type(
    world: World, plugins: PluginHost
) -> None:
    stem = (
        "Kantor membeli 15 rim kertas seharga Rp54.000/rim. Pembelian di atas 10 rim "
        "mendapat diskon 10%. Benarkah yang harus dibayar Rp729.000?"
    )
    make_item(world, plugins, stem=f"<p>{stem}</p>")  # a single choice item
    row = {**SC_ROW, "jenis_soal": "true_false", "kunci": "Benar", "pokok_soal": stem}
    for column in ("opsi_a", "opsi_b", "opsi_c", "poin"):
        row.pop(column)
    batch = _import(world, plugins, csv_bytes([row, {**SC_ROW, "pokok_soal": stem}]))
    assert batch.items_created == 2
    warnings = entries(batch, "warning")
    # The single choice row is near the bank's single choice item; the true/false row,
    # of a type the bank has no items of, is near none.
    assert len(warnings) == 1 and warnings[0][2].startswith("Very similar to items already")
    assert warnings[0][0] == "3"  # the second row, after the header
