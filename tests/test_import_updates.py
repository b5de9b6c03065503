"""Importing rows that name existing items (new draft versions, the writer's own draft,
and every reason one cannot change), and a 10,000-row import."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent, ImportBatch, Item, ItemVersion
from itembank.operations.imports import run_import
from itembank.operations.items import start_new_draft
from itembank.operations.reviews import retire_item, review_version, submit_version
from itembank.plugins import PluginHost
from tests.factories import World, make_item
from tests.import_helpers import SC_ROW, csv_bytes, entries, outcomes


def do_import(world: World, plugins: PluginHost, rows: list[dict[str, Any]], **kw: Any) -> Any:
    kw.setdefault("actor", world.author)
    kw.setdefault("mode", "valid_only")
    return run_import(world.bank, plugins=plugins, filename="soal.csv", data=csv_bytes(rows), **kw)


def approved_item(world: World, plugins: PluginHost) -> Item:
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    review_version(item.latest_version, actor=world.reviewer, decision="approve")
    return item


def row_for(item: Item, **changes: Any) -> dict[str, Any]:
    return {**SC_ROW, "id_soal": item.external_id, **changes}


def test_an_approved_item_gets_a_new_draft_version(world: World, plugins: PluginHost) -> None:
    item = approved_item(world, plugins)
    batch = do_import(world, plugins, [row_for(item, pokok_soal="Berapa 3 + 3?", opsi_c="6")])
    assert outcomes(batch) == {"2": "new_version"}, entries(batch)
    db.session.refresh(item)
    v1, v2 = item.versions
    assert (v1.status, v2.status, v2.number) == ("approved", "draft", 2)
    assert v2.stem == "<p>Berapa 3 + 3?</p>" and v2.based_on_id == v1.id
    assert item.approved_version_id == v1.id  # in use until v2 is approved
    entry = batch.entries[-1]
    assert (entry.item_id, entry.version_number, batch.items_updated) == (item.id, 2, 1)
    assert entry.message_en == f"Imported as new version 2 (draft) of item {item.external_id}."
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.item_id == item.id).order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["version.new_draft", "version.update"]


def test_the_writers_own_draft_is_updated(world: World, plugins: PluginHost) -> None:
    item = make_item(world, plugins)
    revision = item.latest_version.revision
    batch = do_import(world, plugins, [row_for(item, pokok_soal="Versi perbaikan.")])
    assert outcomes(batch) == {"2": "draft_updated"}, entries(batch)
    (version,) = item.versions
    db.session.refresh(version)
    assert version.stem == "<p>Versi perbaikan.</p>" and version.revision == revision + 1


def test_an_identical_row_changes_nothing(world: World, plugins: PluginHost) -> None:
    first = do_import(world, plugins, [SC_ROW])
    item = db.session.get(Item, first.entries[-1].item_id)
    hash_before = item.latest_version.content_hash
    batch = do_import(world, plugins, [row_for(item)])
    assert outcomes(batch) == {"2": "unchanged"}
    assert batch.items_unchanged == 1 and batch.entries[-1].version_number == 1
    assert item.latest_version.content_hash == hash_before and len(item.versions) == 1


def test_items_that_cannot_change_are_refused_with_the_reason_and_others_drafts_change(
    world: World, plugins: PluginHost
) -> None:
    in_review = make_item(world, plugins)
    submit_version(in_review.latest_version, actor=world.author)
    others = make_item(world, plugins, actor=world.author2)
    retired = approved_item(world, plugins)
    retire_item(retired, actor=world.bank_admin, reason="bocor")
    rejected = make_item(world, plugins)
    submit_version(rejected.latest_version, actor=world.author)
    review_version(rejected.latest_version, actor=world.reviewer, decision="reject", comment="x")
    other_type = make_item(
        world, plugins, item_type="true_false", content={"key": True}, metadata={}
    )
    fresh = approved_item(world, plugins)
    rows = [
        row_for(in_review),
        row_for(others),
        row_for(retired),
        row_for(rejected),
        row_for(other_type),
        row_for(fresh, pokok_soal="Satu"),
        row_for(fresh, pokok_soal="Dua"),
    ]
    batch = do_import(world, plugins, rows)
    errors = {row: (column, message) for row, column, message in entries(batch, "error")}
    assert errors["2"] == (
        "id_soal",
        f"Version 1 of item {in_review.external_id} is in review; "
        "wait for the reviewers' decision.",
    )
    assert "3" not in errors  # any author edits any draft, by import as by hand
    assert errors["4"] == (
        "id_soal",
        f"Item {retired.external_id} is retired and cannot be changed.",
    )
    assert errors["5"] == (
        "id_soal",
        f"The latest version of item {rejected.external_id} is "
        "'rejected'; no new version can start from it.",
    )
    assert errors["6"] == (
        "jenis_soal",
        f"Item {other_type.external_id} is of type True/false; an item's type cannot change.",
    )
    assert errors["8"] == (
        "id_soal",
        f"Item id {fresh.external_id} already appears at baris/row 7.",
    )
    assert outcomes(batch)["7"] == "new_version"
    assert outcomes(batch)["3"] == "draft_updated"
    assert batch.items_rejected == 5 and batch.items_updated == 2
    db.session.refresh(others)
    assert others.latest_version.contributor_ids == {world.author.id, world.author2.id}
    for item in (in_review, others, retired, rejected, other_type):
        db.session.refresh(item)
        assert len(item.versions) == 1


def test_an_item_of_another_bank_is_not_found(world: World, plugins: PluginHost) -> None:
    elsewhere = World()
    foreign = make_item(elsewhere, plugins)
    batch = do_import(world, plugins, [row_for(foreign)])
    assert entries(batch, "error") == [
        (
            "2",
            "id_soal",
            f"There is no item {foreign.external_id} in this bank. Leave the item "
            "id empty to create a new item.",
        )
    ]
    assert len(foreign.versions) == 1


def test_a_new_draft_started_meanwhile_fails_the_whole_import(
    world: World, plugins: PluginHost
) -> None:
    """A conflict while writing (here: someone started a draft between the checks and the
    write) undoes everything; the report says so."""
    from itembank.operations import imports

    item = approved_item(world, plugins)
    # The import rolls back its transaction; in tests that is back to this savepoint.
    db.session.commit()
    original = imports.write_items

    def racing_write(*args: Any, **kwargs: Any) -> None:
        start_new_draft(item, actor=world.author2)
        original(*args, **kwargs)

    imports.write_items = racing_write
    try:
        batch = do_import(world, plugins, [SC_ROW, row_for(item, pokok_soal="Baru")])
    finally:
        imports.write_items = original
    assert batch.status == "failed"
    assert outcomes(batch) == {"2": "not_imported", "3": "not_imported"}
    assert any("undone entirely" in m for _, _, m in entries(batch, "error"))
    db.session.refresh(item)
    assert len(item.versions) == 1
    count = db.session.scalar(
        sa.select(sa.func.count(Item.id)).where(Item.bank_id == world.bank.id)
    )
    assert count == 1


def test_ten_thousand_rows_with_a_correct_report(world: World, plugins: PluginHost) -> None:
    rows: list[dict[str, Any]] = []
    for index in range(10_000):
        row = {
            "jenis_soal": "true_false",
            "pokok_soal": f"Pernyataan nomor {index}.",
            "kunci": "Benar" if index % 2 else "Salah",
            "taksonomi": "skd-cpns",
            "kode_klasifikasi": "TWK",
        }
        if index % 1000 == 999:
            row["kunci"] = "mungkin"
        rows.append(row)
    steps: list[tuple[str, int, int]] = []
    batch = run_import(
        world.bank,
        actor=world.author,
        plugins=plugins,
        filename="besar.csv",
        data=csv_bytes(rows),
        mode="valid_only",
        progress=lambda phase, done, total: steps.append((phase, done, total)),
    )
    assert (batch.items_total, batch.items_created, batch.items_rejected) == (10_000, 9_990, 10)
    rejected = [(r, c) for r, c, _ in entries(batch, "error")]
    assert rejected == [(str(n + 2), "kunci") for n in range(999, 10_000, 1000)]
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ItemVersion.id))
            .join(Item, ItemVersion.item_id == Item.id)
            .where(Item.bank_id == world.bank.id)
        )
        == 9_990
    )
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.bank_id == world.bank.id, AuditEvent.action == "item.create"
            )
        )
        == 9_990
    )
    numbers = db.session.scalars(
        sa.select(Item.number).where(Item.bank_id == world.bank.id).order_by(Item.number)
    ).all()
    assert numbers == list(range(1, 9_991))
    writes = [done for phase, done, _ in steps if phase == "write"]
    assert writes[0] == 0 and writes[-1] == 9_990 and len(writes) > 10
    stored = db.session.get(ImportBatch, batch.id)
    assert len(stored.entries) == 10_000
