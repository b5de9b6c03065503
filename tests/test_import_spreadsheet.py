"""Importing spreadsheets: every item type, row errors at their row and column, both modes,
CSV encodings and hostile files. Runs on every backend through ``run_import``."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.importing import ImportLimits
from itembank.models import AuditEvent, ImportBatch, Item
from itembank.operations.import_reports import import_template
from itembank.operations.imports import run_import
from itembank.operations.reads import ItemFilters, list_items
from itembank.plugins import PluginHost
from itembank.sanitize import html_to_text
from tests.factories import World, upload_example_media
from tests.import_helpers import SC_ROW, csv_bytes, entries, outcomes, xlsx_bytes

BUILTIN_TYPES = [
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
    "slider",
    "gap_match",
    "hot_text",
    "hotspot",
    "associate",
    "graphic_gap_match",
    "select_point",
    "graphic_order",
    "graphic_associate",
]


def do_import(
    world: World, plugins: PluginHost, data: bytes, filename: str = "soal.csv", **kwargs: Any
) -> ImportBatch:
    kwargs.setdefault("actor", world.author)
    return run_import(world.bank, plugins=plugins, filename=filename, data=data, **kwargs)


def bank_items(world: World) -> list[Item]:
    return list(db.session.scalars(sa.select(Item).where(Item.bank_id == world.bank.id)))


# -- every type, through its own template -----------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("type_id", BUILTIN_TYPES)
def test_each_type_imports_from_its_template(
    world: World, plugins: PluginHost, type_id: str, fmt: str
) -> None:
    template = import_template(world.bank, type_id, fmt, actor=world.author, plugins=plugins)
    # the graphic types' examples show images the bank must hold (their isi_json names them)
    upload_example_media(world.bank, world.author, plugins.item_type(type_id).example_content())
    batch = do_import(world, plugins, template.data, filename=template.filename)
    assert (batch.status, batch.items_created, batch.errors, batch.warnings) == (
        "completed",
        1,
        0,
        0,
    ), entries(batch)
    (item,) = bank_items(world)
    version = item.latest_version
    item_type = plugins.item_type(type_id)
    example = item_type.load(item_type.example_content())
    assert item.item_type == type_id and version.status == "draft"
    # The same item as the example, up to the option ids the columns give.
    assert item_type.max_score(version.content) == item_type.max_score(example)
    imported, original = item_type.summary(version.content), item_type.summary(example)
    texts = [html_to_text(text) for text in imported.options.values()]
    assert texts == [html_to_text(text) for text in original.options.values()]
    assert len(imported.keys) == len(original.keys)
    assert sorted(imported.weights.values()) == sorted(original.weights.values())
    assert batch.entries[-1].item_id == item.id and batch.entries[-1].outcome == "created"
    # Listed like an item written by hand (the bulk insert keeps the newest-version pointer).
    listed = list_items(world.bank, ItemFilters(), actor=world.author)
    assert [row["external_id"] for row in listed["items"]] == [item.external_id]
    assert listed["items"][0]["version"].id == version.id
    if fmt == "xlsx":  # the template lists the bank's taxonomies; the example uses one
        assert version.classifications


def test_a_row_becomes_exactly_the_content_it_says(world: World, plugins: PluginHost) -> None:
    rows = [
        SC_ROW,
        {
            "jenis_soal": "weighted_options",
            "pokok_soal": "Warga datang 10 menit sebelum layanan tutup.\n\nSikap Anda...",
            "opsi_a": "Meminta kembali besok",
            "bobot_a": "3",
            "opsi_b": "Melayani & menjelaskan <kekurangan>",
            "bobot_b": "5",
            "opsi_c": "Menolak",
            "bobot_c": "1",
            "taksonomi": "skd-cpns",
            "kode_klasifikasi": "TKP",
            "klasifikasi_lain": "asn-2017:M.5:2",
            "tingkat_kesukaran": "0,45",
            "tag": "tkp, pelayanan",
            "catatan": "dari bank lama",
        },
        {
            "jenis_soal": "matching",
            "pokok_soal": "<p>Pasangkan <strong>sila</strong> dengan lambangnya.</p>",
            "premis_1": "Sila pertama",
            "premis_2": "Sila ketiga",
            "opsi_a": "Bintang",
            "opsi_b": "Pohon beringin",
            "kunci": "1-A; P2=B",
            "penilaian": "sebagian",
            "acak": "tidak",
        },
        {
            "jenis_soal": "short text entry",
            "pokok_soal": "Ibu kota Jawa Barat adalah ....",
            "jawaban_diterima": "Bandung | Kota Bandung",
            "peka_huruf_besar": "Ya",
        },
    ]
    batch = do_import(world, plugins, csv_bytes(rows, delimiter=";"))
    assert batch.items_created == 4, entries(batch)
    by_type = {item.item_type: item.latest_version for item in bank_items(world)}
    single = by_type["single_choice"]
    assert single.stem == "<p>Berapa 2 + 3?</p>"
    assert single.content["key"] == "B" and single.content["points"] == 5
    assert [o["id"] for o in single.content["options"]] == ["A", "B", "C"]
    weighted = by_type["weighted_options"]
    assert weighted.stem.count("<p>") == 2
    assert [o["weight"] for o in weighted.content["options"]] == [3, 5, 1]
    assert weighted.content["options"][1]["text"] == "Melayani &amp; menjelaskan &lt;kekurangan&gt;"
    assert weighted.meta["difficulty"] == 0.45
    assert weighted.meta["tags"] == ["pelayanan", "tkp"]
    assert weighted.meta["notes"] == "dari bank lama"
    assert {(c.node.code, c.level) for c in weighted.classifications} == {("TKP", None), ("M.5", 2)}
    matching = by_type["matching"]
    assert "<strong>sila</strong>" in matching.stem
    assert matching.content["pairs"] == [["P1", "A"], ["P2", "B"]]
    assert matching.content["scoring"] == "partial" and matching.content["shuffle"] is False
    short = by_type["short_text"].content
    assert short["accepted"] == ["Bandung", "Kota Bandung"] and short["case_sensitive"] is True


def test_mapped_scoring_rows(world: World, plugins: PluginHost) -> None:
    rows = [
        {
            "jenis_soal": "multiple_response",
            "pokok_soal": "Unsur pembentuk air adalah ....",
            "opsi_a": "Hidrogen",
            "bobot_a": "1",
            "opsi_b": "Helium",
            "opsi_c": "Oksigen",
            "bobot_c": "1",
            "opsi_d": "Klorin",
            "bobot_d": "-0,5",
            "kunci": "A, C",
            "poin": "2",
            "penilaian": "berbobot",
            "bobot_lain": "-2",
            "skor_terendah": "0",
        },
        {
            "jenis_soal": "matching",
            "pokok_soal": "Pasangkan tokoh dengan lakonnya.",
            "premis_1": "Capulet",
            "premis_2": "Demetrius",
            "opsi_a": "Romeo dan Juliet",
            "opsi_b": "Impian di Tengah Musim",
            "kunci": "1-A; 2-B",
            "poin": "1,5",
            "penilaian": "berbobot",
            "bobot_pasangan": "1-A=1; 2-B=0,5; 2-A=-1",
        },
    ]
    batch = do_import(world, plugins, csv_bytes(rows, delimiter=";"))
    assert batch.items_created == 2, entries(batch)
    by_type = {item.item_type: item.latest_version.content for item in bank_items(world)}
    chosen = by_type["multiple_response"]
    assert chosen["scoring"] == "mapped"
    assert [o.get("value") for o in chosen["options"]] == [1, None, 1, -0.5]
    assert chosen["mapping"] == {"default": -2, "lower": 0}
    matched = by_type["matching"]
    assert matched["pair_values"] == [["P1", "A", 1], ["P2", "B", 0.5], ["P2", "A", -1]]
    assert matched["mapping"] == {"default": 0, "lower": 0}
    bad = {**rows[1], "bobot_pasangan": "1-A; 2-B=x"}
    batch = do_import(world, plugins, csv_bytes([bad], delimiter=";"))
    found = entries(batch, "error")
    assert ("2", "bobot_pasangan", "Pair value '1-A' cannot be read; write it like 1-B=0.5.") in (
        found
    ), found
    assert ("2", "bobot_pasangan", "A pair value must be a number from -1000 to 1000.") in found


def test_mapped_pair_rows_of_associate_and_gap_match(world: World, plugins: PluginHost) -> None:
    rows = [
        {
            "jenis_soal": "associate",
            "pokok_soal": "Pasangkan lembaga dengan tugasnya.",
            "opsi_a": "MK",
            "opsi_b": "BPK",
            "opsi_c": "Menguji undang-undang",
            "opsi_d": "Memeriksa keuangan negara",
            "kunci": "A-C; B-D",
            "poin": "3",
            "penilaian": "berbobot",
            "bobot_pasangan": "A-C=2; D-B=1; A-D=-1",
        },
        {
            "jenis_soal": "gap_match",
            "pokok_soal": "Lengkapi semboyan berikut.",
            "teks": "[[G1]] Tunggal [[G2]]",
            "opsi_a": "Bhinneka",
            "opsi_b": "Ika",
            "opsi_c": "Eka",
            "kunci": "1-A; 2-B",
            "penilaian": "berbobot",
            "bobot_pasangan": "1-C=-0,5; G2-A=-1",
            "bobot_lain": "0",
            "skor_terendah": "0",
        },
    ]
    batch = do_import(world, plugins, csv_bytes(rows, delimiter=";"))
    assert batch.items_created == 2, entries(batch)
    by_type = {item.item_type: item.latest_version.content for item in bank_items(world)}
    paired = by_type["associate"]
    assert paired["scoring"] == "mapped"
    assert paired["pair_values"] == [["A", "C", 2], ["D", "B", 1], ["A", "D", -1]]
    assert paired["mapping"] == {"default": 0, "lower": 0}
    gaps = by_type["gap_match"]
    assert gaps["scoring"] == "mapped"
    assert gaps["pair_values"] == [["G1", "C", -0.5], ["G2", "A", -1]]
    assert gaps["mapping"] == {"default": 0, "lower": 0}
    per_gap = {**rows[1], "penilaian": "per_rumpang", "bobot_pasangan": None}
    per_gap.pop("bobot_lain"), per_gap.pop("skor_terendah")
    batch = do_import(world, plugins, csv_bytes([per_gap], delimiter=";"))
    assert batch.items_created == 1, entries(batch)


def test_slider_rows_answer_or_mapped(world: World, plugins: PluginHost) -> None:
    row = {
        "jenis_soal": "slider",
        "pokok_soal": "Geser ke persentase kehadiran.",
        "batas_bawah": "0",
        "batas_atas": "100",
        "langkah": "5",
        "jawaban_bilangan": "85",
        "toleransi": "5",
        "poin": "2",
    }
    mapped = {
        **row,
        "langkah": "1",
        "toleransi": None,
        "penilaian": "berbobot",
        "bobot_nilai": "85=2; 84=1; 86=1; 0=-1",
        "skor_terendah": "0",
    }
    batch = do_import(world, plugins, csv_bytes([row, mapped], delimiter=";"))
    assert batch.items_created == 2, entries(batch)
    contents = sorted(
        (item.latest_version.content for item in bank_items(world)), key=lambda c: c["step"]
    )
    assert contents[1]["scoring"] == "answer" and contents[1]["tolerance"] == 5
    assert contents[0]["values"] == [
        {"id": "N1", "value": 85, "score": 2},
        {"id": "N2", "value": 84, "score": 1},
        {"id": "N3", "value": 86, "score": 1},
        {"id": "N4", "value": 0, "score": -1},
    ]
    assert contents[0]["mapping"] == {"default": 0, "lower": 0}
    bad = {**mapped, "bobot_nilai": "85; 84=x"}
    found = entries(do_import(world, plugins, csv_bytes([bad], delimiter=";")), "error")
    assert ("2", "bobot_nilai", "Value score '85' cannot be read; write it like 16=0.5.") in found


# -- row errors: row, column, message --------------------------------------------------------


ROW_ERRORS = [
    ({"kunci": "X"}, "kunci", "Key 'X' is not one of the options."),
    ({"kunci": None}, "kunci", "Missing data for required field."),
    ({"poin": "lima"}, "poin", "Not a valid number."),
    ({"poin": "0"}, "poin", "Points must be greater than 0."),
    ({"opsi_b": None}, "opsi_b", "Column opsi_b is empty, but a later one is filled."),
    ({"opsi_b": None, "opsi_c": None}, "opsi_a", "At least 2 options are required."),
    ({"pokok_soal": None}, "pokok_soal", "The stem is required."),
    ({"pokok_soal": "<p> </p><br>"}, "pokok_soal", "The stem is required."),
    ({"jenis_soal": None}, "jenis_soal", "The item type is required."),
    ({"jenis_soal": "esai"}, "jenis_soal", "Unknown item type 'esai'"),
    ({"taksonomi": "nope"}, "taksonomi", "Unknown taxonomy 'nope'."),
    ({"kode_klasifikasi": "XYZ"}, "kode_klasifikasi", "Code 'XYZ' is not in taxonomy"),
    ({"taksonomi": None}, "taksonomi", "Column taksonomi is required when"),
    (
        {"taksonomi": "asn-2017", "kode_klasifikasi": "M.1", "level": "7"},
        "level",
        "Level 7 does not exist for 'M.1'",
    ),
    ({"tingkat_kesukaran": "2"}, "tingkat_kesukaran", "less than or equal to 1"),
    ({"bahasa": "bahasa indonesia"}, "bahasa", "String does not match expected pattern."),
    ({"klasifikasi_lain": "asn-2017"}, "klasifikasi_lain", "cannot be read"),
    ({"id_soal": "NOPE-000001"}, "id_soal", "There is no item NOPE-000001 in this bank."),
    ({"isi_json": "{not json"}, "isi_json", "The JSON content is not valid"),
]


@pytest.mark.parametrize("changes,column,message", ROW_ERRORS, ids=[e[2][:40] for e in ROW_ERRORS])
def test_row_errors_name_row_and_column(
    world: World, plugins: PluginHost, changes: dict[str, Any], column: str, message: str
) -> None:
    bad = {**SC_ROW, **changes}
    rows = [SC_ROW, bad]
    batch = do_import(world, plugins, csv_bytes(rows), mode="valid_only")
    errors = entries(batch, "error")
    assert any(row == "3" and col == column and message in text for row, col, text in errors), (
        errors
    )
    assert outcomes(batch) == {"2": "created", "3": "rejected"}
    assert (batch.items_created, batch.items_rejected) == (1, 1)
    assert len(bank_items(world)) == 1


def test_every_problem_of_a_row_is_reported_together(world: World, plugins: PluginHost) -> None:
    bad = {**SC_ROW, "kunci": "Z", "poin": "-1", "taksonomi": "nope", "pokok_soal": ""}
    batch = do_import(world, plugins, csv_bytes([bad]), mode="valid_only")
    columns = {col for _, col, _ in entries(batch, "error")}
    assert {"kunci", "poin", "taksonomi", "pokok_soal"} <= columns


def test_messages_are_indonesian_first(world: World, plugins: PluginHost) -> None:
    batch = do_import(world, plugins, csv_bytes([{**SC_ROW, "kunci": "X"}]), mode="valid_only")
    entry = next(e for e in batch.entries if e.severity == "error")
    assert entry.message == "Kunci 'X' tidak ada di pilihan jawaban."
    assert entry.message_en == "Key 'X' is not one of the options."


def test_columns_of_another_type_and_unknown_columns_are_warnings(
    world: World, plugins: PluginHost
) -> None:
    row = {**SC_ROW, "bobot_a": "5", "warna": "merah"}
    batch = do_import(world, plugins, csv_bytes([row]))
    warnings = entries(batch, "warning")
    assert ("1", "warna", "Column 'warna' is not known and is ignored.") in warnings
    assert any(r == "2" and c == "bobot_a" and "not used" in m for r, c, m in warnings)
    assert batch.items_created == 1 and batch.warnings == 2


def test_english_headers_in_any_case_are_accepted(world: World, plugins: PluginHost) -> None:
    rows = [
        {
            "Type": "single_choice",
            "STEM": "Berapa 1 + 1?",
            "Option A": "1",
            "option-b": "2",
            "Key": "B",
            "Taxonomy": "skd-cpns",
            "Node": "TIU",
        }
    ]
    batch = do_import(world, plugins, csv_bytes(rows))
    assert batch.items_created == 1 and batch.warnings == 0, entries(batch)


def test_a_header_given_twice_fails_the_file(world: World, plugins: PluginHost) -> None:
    data = csv_bytes([SC_ROW], header=[*SC_ROW, "Stem"])
    batch = do_import(world, plugins, data)
    assert batch.status == "failed" and batch.items_total == 0
    assert ("1", "Stem", "Column 'Stem' is the same as column 'pokok_soal'.") in entries(batch)


def test_a_missing_required_column_fails_the_file(world: World, plugins: PluginHost) -> None:
    row = {k: v for k, v in SC_ROW.items() if k != "jenis_soal"}
    batch = do_import(world, plugins, csv_bytes([row]))
    assert batch.status == "failed"
    assert any("jenis_soal / type" in m for _, _, m in entries(batch, "error"))


# -- modes ---------------------------------------------------------------------------------------


def test_strict_mode_imports_nothing_and_reports_everything(
    world: World, plugins: PluginHost
) -> None:
    rows = [SC_ROW, {**SC_ROW, "kunci": "X"}, SC_ROW]
    counter = world.bank.item_counter
    batch = do_import(world, plugins, csv_bytes(rows), mode="strict")
    assert batch.status == "rolled_back"
    assert outcomes(batch) == {"2": "not_imported", "3": "rejected", "4": "not_imported"}
    assert bank_items(world) == []
    db.session.refresh(world.bank)
    assert world.bank.item_counter == counter
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.bank_id == world.bank.id)
    ).all()
    assert [e.action for e in events if e.action.startswith(("item", "import"))] == ["import.run"]
    assert events[-1].data["status"] == "rolled_back"


def test_valid_only_imports_the_valid_rows(world: World, plugins: PluginHost) -> None:
    rows = [SC_ROW, {**SC_ROW, "kunci": "X"}, SC_ROW]
    batch = do_import(world, plugins, csv_bytes(rows), mode="valid-only")
    assert (batch.status, batch.mode, batch.items_created, batch.items_rejected) == (
        "completed",
        "valid_only",
        2,
        1,
    )
    created = [e for e in batch.entries if e.outcome == "created"]
    assert [e.item.external_id for e in created] == sorted(i.external_id for i in bank_items(world))
    assert all(e.version_number == 1 for e in created)


def test_imports_are_audited_like_items_written_by_hand(world: World, plugins: PluginHost) -> None:
    batch = do_import(world, plugins, csv_bytes([SC_ROW, SC_ROW]))
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.bank_id == world.bank.id).order_by(AuditEvent.id)
    ).all()
    creates = [e for e in events if e.action == "item.create"]
    assert len(creates) == 2
    assert all(e.actor_id == world.author.id and e.to_status == "draft" for e in creates)
    assert all(e.data == {"via": "import", "import_batch": batch.id} for e in creates)
    (run,) = [e for e in events if e.action == "import.run"]
    assert run.object_id == str(batch.id) and run.data["created"] == 2
    assert run.data["sha256"] == batch.sha256 and run.data["filename"] == "soal.csv"


def test_only_authors_import(world: World, plugins: PluginHost) -> None:
    for name in ("reviewer", "assembler", "bank_admin"):
        with pytest.raises(PermissionDenied):
            do_import(world, plugins, csv_bytes([SC_ROW]), actor=world.users[name])
    with pytest.raises(NotFound):
        do_import(world, plugins, csv_bytes([SC_ROW]), actor=world.outsider)
    batch = do_import(world, plugins, csv_bytes([SC_ROW]), actor=world.author)
    assert batch.items_created == 1
    with pytest.raises(InvalidInput):
        do_import(world, plugins, csv_bytes([SC_ROW]), mode="some")
    with pytest.raises(InvalidInput):
        do_import(world, plugins, b"%PDF-1.4", filename="soal.pdf")


# -- encodings and hostile files -----------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [{}, {"bom": True}, {"delimiter": ";"}, {"delimiter": ";", "bom": True}],
    ids=["utf8", "utf8-bom", "semicolon", "semicolon-bom"],
)
def test_csv_in_utf8_with_or_without_bom(
    world: World, plugins: PluginHost, options: dict[str, Any]
) -> None:
    row = {**SC_ROW, "pokok_soal": "Apa arti “gotong royong”? — Pilih satu."}
    batch = do_import(world, plugins, csv_bytes([row], **options))
    assert batch.items_created == 1, entries(batch)
    (item,) = bank_items(world)
    assert "“gotong royong”" in item.latest_version.stem


@pytest.mark.parametrize(
    "data,message",
    [
        (
            csv_bytes([{**SC_ROW, "pokok_soal": "Ibu kota: Bogor?"}], encoding="cp1252")[:-3]
            + "é\r\n".encode("cp1252"),
            "is not UTF-8",
        ),
        (csv_bytes([SC_ROW], encoding="utf-16"), "is UTF-16"),
        (b"jenis_soal,pokok_soal\r\nsingle_choice,a\x00b\r\n", "contains NUL"),
        (b"", "The file is empty"),
    ],
    ids=["cp1252", "utf16", "nul", "empty"],
)
def test_unreadable_csv_fails_with_a_reason(
    world: World, plugins: PluginHost, data: bytes, message: str
) -> None:
    batch = do_import(world, plugins, data)
    assert batch.status == "failed" and batch.items_created == 0
    assert any(message in m for _, _, m in entries(batch, "error")), entries(batch)


def test_xlsx_formulas_are_text_never_evaluated(world: World, plugins: PluginHost) -> None:
    row = {**SC_ROW, "opsi_a": None}
    data = xlsx_bytes([row], formulas={(0, "opsi_a"): "=2+2", (0, "pokok_soal"): "=HYPERLINK(1)"})
    batch = do_import(world, plugins, data, filename="soal.xlsx")
    assert batch.items_created == 1, entries(batch)
    (item,) = bank_items(world)
    version = item.latest_version
    assert version.content["options"][0]["text"] == "=2+2"
    assert version.stem == "<p>=HYPERLINK(1)</p>"
    warnings = entries(batch, "warning")
    assert {c for _, c, _ in warnings} == {"opsi_a", "pokok_soal"}
    assert all("not evaluated" in m for _, _, m in warnings)


def test_csv_cells_starting_with_equals_are_text(world: World, plugins: PluginHost) -> None:
    batch = do_import(world, plugins, csv_bytes([{**SC_ROW, "opsi_a": "=cmd|' /C calc'!A0"}]))
    (item,) = bank_items(world)
    assert item.latest_version.content["options"][0]["text"] == "=cmd|' /C calc'!A0"
    assert batch.warnings == 0


def test_xlsx_reads_the_soal_sheet_with_numbers_as_numbers(
    world: World, plugins: PluginHost
) -> None:
    row = {**SC_ROW, "poin": 5, "opsi_a": 4, "opsi_b": 4.5, "tingkat_kesukaran": 0.3}
    batch = do_import(world, plugins, xlsx_bytes([row]), filename="SOAL.XLSX")
    assert batch.items_created == 1, entries(batch)
    version = bank_items(world)[0].latest_version
    assert version.content["points"] == 5 and version.meta["difficulty"] == 0.3
    assert [o["text"] for o in version.content["options"]][:2] == ["4", "4.5"]


def test_a_broken_xlsx_is_a_failed_import(world: World, plugins: PluginHost) -> None:
    for data in (b"PK\x03\x04 not really a zip", b"just text"):
        batch = do_import(world, plugins, data, filename="soal.xlsx")
        assert batch.status == "failed"
        assert entries(batch, "error") == [
            ("", "", "The file is not a valid XLSX (damaged, or not a ZIP archive).")
        ]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    batch = do_import(world, plugins, archive.getvalue(), filename="soal.xlsx")
    assert batch.status == "failed"
    assert "cannot be read" in entries(batch, "error")[0][2]


def test_an_xlsx_bomb_is_refused_before_unpacking(world: World, plugins: PluginHost) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 3_000_000)
    data = archive.getvalue()
    assert len(data) < 10_000
    limits = ImportLimits(max_uncompressed_bytes=1_000_000)
    batch = do_import(world, plugins, data, filename="soal.xlsx", limits=limits)
    assert batch.status == "failed"
    assert "expands to 3000000 bytes" in entries(batch, "error")[0][2]


def test_an_archive_with_too_many_members_is_refused(world: World, plugins: PluginHost) -> None:
    data = xlsx_bytes([SC_ROW])
    batch = do_import(world, plugins, data, filename="a.xlsx", limits=ImportLimits(max_files=3))
    assert batch.status == "failed"
    assert "at most 3 are allowed" in entries(batch, "error")[0][2]


def test_size_rows_columns_and_cells_are_limited(world: World, plugins: PluginHost) -> None:
    data = csv_bytes([SC_ROW] * 4)
    cases = [
        (ImportLimits(max_bytes=100), "The file is too large"),
        (ImportLimits(max_items=3), "more than 3 item rows"),
        (ImportLimits(max_columns=5), "has more than 5 columns"),
    ]
    for limits, message in cases:
        batch = do_import(world, plugins, data, limits=limits)
        assert batch.status == "failed" and batch.items_total == 0
        assert message in entries(batch, "error")[0][2]
    for filename, payload in (
        ("soal.csv", csv_bytes([{**SC_ROW, "catatan": "x" * 500}])),
        ("soal.xlsx", xlsx_bytes([{**SC_ROW, "catatan": "x" * 500}])),
    ):
        batch = do_import(
            world,
            plugins,
            payload,
            filename=filename,
            mode="valid_only",
            limits=ImportLimits(max_cell_chars=200),
        )
        assert ("2", "catatan", "The cell holds more than 200 characters.") in entries(batch)
        assert batch.items_rejected == 1
    assert bank_items(world) == []
    huge = csv_bytes([{**SC_ROW, "catatan": "x" * 200_000}])
    batch = do_import(world, plugins, huge)
    assert batch.status == "failed"
    assert entries(batch, "error") == [
        ("", "", "Row 2 holds a cell of more than 131072 characters.")
    ]


def test_metadata_loads_are_remembered_exactly() -> None:
    """The rows' metadata is loaded once per distinct input: what comes back equals the
    schema's load every time, each call gets its own copy, and errors are raised again."""
    import marshmallow as ma

    from itembank.itemtypes import schema_instance
    from itembank.operations.content import MetadataSchema, _load_metadata

    inputs: list[Any] = [
        {"classifications": [{"taxonomy": "skd-cpns", "node": "TIU", "level": 2}]},
        {"tags": ["paket-1", "paket-1"], "difficulty": 0.4, "language": "id"},
        {"difficulty": 1},
        {"tags": ("a", "b")},  # not plain JSON: loaded every time
        {},
    ]
    for metadata in inputs * 3:
        loaded = _load_metadata(metadata)
        assert loaded == schema_instance(MetadataSchema).load(metadata)
        loaded.setdefault("tags", []).append("changed")  # the caller completes its copy
    for bad in ({"difficulty": 2}, {"difficulty": True}, {"unknown": 1}, {"tags": [""]}):
        for _ in range(2):
            with pytest.raises(ma.ValidationError):
                _load_metadata(bad)


def test_numeric_and_hot_text_rows_written_by_hand(world: World, plugins: PluginHost) -> None:
    """The columns of the two text-based types that have their own: a number with a
    decimal comma and an Indonesian tolerance word; hot texts kept as plain text."""
    rows = [
        {
            "jenis_soal": "Isian bilangan",
            "pokok_soal": "Berapa liter volume tabung itu?",
            "jawaban_bilangan": "1,54",
            "toleransi": "5",
            "jenis_toleransi": "relatif",
            "poin": "2",
            "taksonomi": "skd-cpns",
            "kode_klasifikasi": "TIU.NUM",
        },
        {
            "jenis_soal": "hot_text",
            "pokok_soal": "Pilih kata yang tidak baku.",
            "teks": "Para [[H1]] menyusun [[H2]] dengan [[H3]].",
            "teks_pilihan_1": "pegawai",
            "teks_pilihan_2": "a & b",
            "teks_pilihan_3": "sistimatis",
            "kunci": "h3",
            "poin": "1",
            "taksonomi": "skd-cpns",
            "kode_klasifikasi": "TIU.NUM",
        },
    ]
    batch = do_import(world, plugins, csv_bytes(rows))
    assert (batch.status, batch.items_created, batch.errors) == ("completed", 2, 0), entries(batch)
    by_type = {item.item_type: item.latest_version.content for item in bank_items(world)}
    assert by_type["numeric"] == {
        "answer": 1.54,
        "tolerance": 5,
        "tolerance_mode": "relative",
        "points": 2,
        "expected_length": 10,
    }
    hot = by_type["hot_text"]
    assert hot["text"] == "<p>Para [[H1]] menyusun [[H2]] dengan [[H3]].</p>"
    assert [h["text"] for h in hot["hottexts"]] == ["pegawai", "a &amp; b", "sistimatis"]
    assert hot["keys"] == ["H3"]


def test_inline_choice_rows_name_the_gap_column_of_a_problem(
    world: World, plugins: PluginHost
) -> None:
    row = {
        "jenis_soal": "inline_choice",
        "pokok_soal": "Lengkapi kalimat berikut.",
        "teks": "Ibu kota Jawa Barat adalah [[G1]], Jawa Tengah [[G2]].",
        "rumpang_1": "Bogor | *Bandung | Bekasi & Depok",
        "poin_rumpang_1": "0,5",
        "rumpang_2": "Solo | *Semarang",
        "taksonomi": "skd-cpns",
        "kode_klasifikasi": "TIU.NUM",
    }
    batch = do_import(world, plugins, csv_bytes([row]))
    assert (batch.status, batch.items_created, batch.errors) == ("completed", 1, 0), entries(batch)
    (item,) = bank_items(world)
    content = item.latest_version.content
    assert [(g["id"], g["correct"], g["points"]) for g in content["gaps"]] == [
        ("G1", "B", 0.5),
        ("G2", "B", 1),
    ]
    assert content["gaps"][0]["options"][2] == {"id": "C", "text": "Bekasi & Depok"}
    unkeyed = {**row, "rumpang_2": "Solo | Semarang", "id_soal": ""}
    batch = do_import(world, plugins, csv_bytes([unkeyed]))
    assert batch.errors == 1
    ((_row, column, message),) = entries(batch, "error")
    assert column == "rumpang_2" and "The key of gap 'G2' is not one of its options" in message


def test_gap_match_rows_pair_gap_numbers_with_word_letters(
    world: World, plugins: PluginHost
) -> None:
    row = {
        "jenis_soal": "gap_match",
        "pokok_soal": "Lengkapi semboyan berikut.",
        "teks": "[[G1]] Tunggal [[G2]]",
        "opsi_a": "Bhinneka",
        "opsi_b": "Ika",
        "opsi_c": "Eka & Dwi",
        "kunci": "1-a; 2-B",
        "poin_rumpang_2": "2",
        "taksonomi": "skd-cpns",
        "kode_klasifikasi": "TWK.PN",
    }
    batch = do_import(world, plugins, csv_bytes([row]))
    assert (batch.status, batch.items_created, batch.errors) == ("completed", 1, 0), entries(batch)
    (item,) = bank_items(world)
    content = item.latest_version.content
    assert content["key"] == [["G1", "A"], ["G2", "B"]]
    assert content["gaps"] == [{"id": "G1", "points": 1}, {"id": "G2", "points": 2}]
    assert content["words"][2] == {"id": "C", "text": "Eka & Dwi"}
    batch = do_import(world, plugins, csv_bytes([{**row, "kunci": "1-A; x"}]))
    assert "kunci" in [column for _r, column, _m in entries(batch, "error")], entries(batch)


def test_an_ordering_row_may_be_scored_per_position(world: World, plugins: PluginHost) -> None:
    """``penilaian`` of an ordering row: ``per_posisi`` (each option in its place earns
    its share), ``semua_atau_tidak``, or blank (all or nothing, the key left out)."""
    row = {
        "jenis_soal": "ordering",
        "pokok_soal": "Urutkan tahapan pembentukan undang-undang.",
        "opsi_a": "Pembahasan",
        "opsi_b": "Perencanaan",
        "opsi_c": "Penyusunan",
        "kunci": "B, C, A",
        "poin": "3",
        "penilaian": "per_posisi",
    }
    rows = [row, {**row, "penilaian": "semua_atau_tidak"}, {**row, "penilaian": ""}]
    batch = do_import(world, plugins, csv_bytes(rows, delimiter=";"))
    assert batch.items_created == 3, entries(batch)
    scorings = sorted(str(item.latest_version.content.get("scoring")) for item in bank_items(world))
    # all or nothing is stored by leaving the key out, as before per-position scoring
    assert scorings == ["None", "None", "per_position"]
    ordering = plugins.item_types["ordering"]
    per_position = next(
        item.latest_version.content
        for item in bank_items(world)
        if item.latest_version.content.get("scoring") == "per_position"
    )
    assert ordering.score(per_position, ["B", "A", "C"]) == 1
    bad = do_import(world, plugins, csv_bytes([{**row, "penilaian": "sebagian"}], delimiter=";"))
    assert bad.items_created == 0
