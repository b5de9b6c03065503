"""Blueprints and forms through the domain operations, on both backends: the validation
report rule by rule (each message naming the item and the blueprint row), the lifecycle,
locked forms that never change, clones, newer-version notices and roles."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied, StaleEdit
from itembank.extensions import db
from itembank.models import AuditEvent, Form, FormEntry
from itembank.operations.blueprints import (
    create_blueprint,
    delete_blueprint,
    get_blueprint,
    update_blueprint,
)
from itembank.operations.enemies import mark_enemies, unmark_enemies
from itembank.operations.form_order import move_entry, remove_entry, set_order
from itembank.operations.form_report import match_rows
from itembank.operations.forms import (
    FormInvalid,
    FormLocked,
    add_entry,
    clone_form,
    create_form,
    delete_form,
    form_report,
    get_form,
    lock_form,
    mark_exported,
    repin_entry,
    update_form,
)
from itembank.operations.reviews import retire_item
from tests.factories import World, make_item
from tests.forms_helpers import approve_new_version, approved, blueprint_spec


@pytest.fixture
def kit(world: World, plugins: Any) -> dict[str, Any]:
    """A blueprint, a draft form and four approved items that fill it exactly."""
    blueprint = create_blueprint(
        world.bank, blueprint_spec(), actor=world.assembler, plugins=plugins
    )
    form = create_form(world.bank, blueprint, title="Paket A", actor=world.assembler)
    items = {
        "tiu1": approved(world, plugins, "TIU.NUM.DERET"),
        "tiu2": approved(world, plugins, "TIU.NUM"),
        "tkp": approved(world, plugins, "TKP.PP", item_type="weighted_options"),
        "tiu3": approved(world, plugins, "TIU.NUM.CERITA"),
    }
    return {"blueprint": blueprint, "form": form, **items}


def fill(world: World, kit: dict[str, Any]) -> Form:
    form = kit["form"]
    for name in ("tiu1", "tiu2", "tkp"):
        add_entry(form, kit[name].approved_version, actor=world.assembler)
    return form


def codes(report: Any) -> list[str]:
    return [f.code for f in report.findings]


def finding(report: Any, code: str) -> Any:
    found = [f for f in report.findings if f.code == code]
    assert found, codes(report)
    return found[0]


# -- blueprints ---------------------------------------------------------------------------


def test_blueprint_is_checked_and_every_problem_named(world: World, plugins: Any) -> None:
    spec = blueprint_spec(total_length=4)
    spec["sections"][0]["rows"][0].update(node="NOPE", item_types=["single_choice", "essay"])
    spec["sections"][1]["rows"][0].update(taxonomy="asn-2017", node="M.1", level=9)
    with pytest.raises(InvalidInput) as caught:
        create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    fields = {p["field"] for p in caught.value.problems}
    assert fields == {
        "sections.0.rows.0.node",
        "sections.0.rows.0.item_types.1",
        "sections.1.rows.0.level",
    }
    with pytest.raises(InvalidInput) as caught:
        create_blueprint(
            world.bank, blueprint_spec(total_length=4), actor=world.assembler, plugins=plugins
        )
    assert caught.value.problems[0]["field"] == "total_length"
    assert "(3)" in caught.value.problems[0]["message_en"]
    with pytest.raises(InvalidInput):
        create_blueprint(
            world.bank, blueprint_spec(code="bad code"), actor=world.assembler, plugins=plugins
        )


def test_blueprint_roles_and_freeze_once_used(world: World, plugins: Any) -> None:
    for who in ("author", "reviewer"):
        with pytest.raises(PermissionDenied):
            create_blueprint(world.bank, blueprint_spec(), actor=world.users[who], plugins=plugins)
    with pytest.raises(NotFound):
        create_blueprint(world.bank, blueprint_spec(), actor=world.outsider, plugins=plugins)
    blueprint = create_blueprint(
        world.bank, blueprint_spec(), actor=world.bank_admin, plugins=plugins
    )
    with pytest.raises(Conflict, match="already has a blueprint"):
        create_blueprint(world.bank, blueprint_spec(), actor=world.assembler, plugins=plugins)
    assert get_blueprint(world.bank, "SKD-MINI", actor=world.author) is blueprint  # members read
    changed = blueprint_spec(title="Kisi-kisi baru", total_length=4)
    changed["sections"][0]["rows"][0]["count"] = 3
    update_blueprint(blueprint, changed, actor=world.assembler, plugins=plugins)
    assert blueprint.title == "Kisi-kisi baru" and blueprint.sections[0].rows[0].count == 3
    form = create_form(world.bank, blueprint, title="Paket", actor=world.assembler)
    with pytest.raises(Conflict, match=form.external_id):
        update_blueprint(blueprint, blueprint_spec(), actor=world.assembler, plugins=plugins)
    with pytest.raises(Conflict, match="cannot be deleted"):
        delete_blueprint(blueprint, actor=world.assembler)
    delete_form(form, actor=world.assembler)
    delete_blueprint(blueprint, actor=world.assembler)
    with pytest.raises(NotFound):
        get_blueprint(world.bank, "SKD-MINI", actor=world.assembler)


# -- building a form -----------------------------------------------------------------------


def test_a_filled_form_validates_and_entries_land_in_their_sections(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    form = fill(world, kit)
    assert form.external_id == f"{world.bank.code}-F001"
    assert [(e.section.position, e.position, e.item) for e in form.entries] == [
        (1, 1, kit["tiu1"]),
        (1, 2, kit["tiu2"]),
        (2, 1, kit["tkp"]),
    ]
    report = form_report(form, actor=world.assembler, plugins=plugins)
    assert report.ok and report.findings == []
    assert [(r["ref"], r["filled"], r["count"]) for r in report.rows] == [
        ("1.1", 2, 2),
        ("2.1", 1, 1),
    ]
    assert report.as_dict()["counts"] == {"error": 0, "warning": 0}


def test_only_approved_versions_are_pinned(world: World, plugins: Any, kit: dict[str, Any]) -> None:
    draft = make_item(world, plugins)
    with pytest.raises(InvalidInput) as caught:
        add_entry(kit["form"], draft.latest_version, actor=world.assembler)
    problem = caught.value.problems[0]
    assert problem["field"] == "version"
    assert f"Version 1 of item {draft.external_id} is draft" in problem["message_en"]
    assert "hanya versi yang disetujui" in problem["message"]
    assert kit["form"].entries == []


def test_missing_surplus_and_length(world: World, plugins: Any, kit: dict[str, Any]) -> None:
    form = kit["form"]
    add_entry(form, kit["tiu1"].approved_version, actor=world.assembler)
    report = form_report(form, actor=world.assembler, plugins=plugins)
    assert codes(report) == ["row_missing", "row_missing", "length_mismatch"]
    missing = finding(report, "row_missing")
    assert missing.row == "1.1"
    assert "Row 1.1 (TIU.NUM; single_choice) in section 'TIU' is missing 1 item(s) (1 of 2)" in (
        missing.message_en
    )
    assert "masih kurang 1 butir" in missing.message
    for name in ("tiu2", "tiu3", "tkp"):
        add_entry(form, kit[name].approved_version, actor=world.assembler)
    report = form_report(form, actor=world.assembler, plugins=plugins)
    # The three TIU items are all keyed B: a key run, besides the errors.
    assert codes(report) == ["length_mismatch", "row_surplus", "key_run"]
    surplus = finding(report, "row_surplus")
    assert (surplus.item, surplus.row, surplus.number) == (kit["tiu3"].external_id, "1.1", 3)
    assert f"Item {kit['tiu3'].external_id} (v1) fits row 1.1" in surplus.message_en
    assert (
        "has 4 item(s); blueprint SKD-MINI asks for 3"
        in finding(report, "length_mismatch").message_en
    )


def test_wrong_section_and_no_row(world: World, plugins: Any, kit: dict[str, Any]) -> None:
    form = fill(world, kit)
    tkp_entry = form.entries[2]
    move_entry(tkp_entry, section=1, actor=world.assembler)
    other = approved(world, plugins, "TWK.NAS")
    add_entry(form, other.approved_version, actor=world.assembler, section=2)
    report = form_report(form, actor=world.assembler, plugins=plugins)
    wrong = finding(report, "wrong_section")
    assert (wrong.item, wrong.row) == (kit["tkp"].external_id, "2.1")
    assert "fits no row of section 'TIU'; it fits row 2.1" in wrong.message_en
    no_row = finding(report, "no_row")
    assert no_row.item == other.external_id and no_row.row is None
    assert "fits no row of blueprint SKD-MINI" in no_row.message_en


def test_level_and_type_decide_the_fit(world: World, plugins: Any) -> None:
    spec = {
        "code": "MANAJERIAL",
        "title": "Manajerial",
        "total_length": 2,
        "sections": [
            {
                "title": "M",
                "rows": [
                    {
                        "taxonomy": "asn-2017",
                        "node": "M.8",
                        "level": 3,
                        "count": 1,
                        "item_types": ["weighted_options"],
                    },
                    {"taxonomy": "asn-2017", "node": "MANAJERIAL", "count": 1},
                ],
            }
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="P", actor=world.assembler)
    level2 = approved(
        world, plugins, "M.8", taxonomy="asn-2017", level=2, item_type="weighted_options"
    )
    level3_sc = approved(world, plugins, "M.8", taxonomy="asn-2017", level=3)
    for item in (level2, level3_sc):
        add_entry(form, item.approved_version, actor=world.assembler)
    report = form_report(form, actor=world.assembler, plugins=plugins)
    # neither fits row 1.1 (wrong level; wrong type), both fit 1.2, which takes one
    assert [(r["ref"], r["filled"]) for r in report.rows] == [("1.1", 0), ("1.2", 1)]
    assert finding(report, "row_surplus").item == level3_sc.external_id


def test_an_item_fitting_several_rows_goes_where_it_makes_room() -> None:
    # entry 0 fits rows 0 and 1; entry 1 fits only row 0: both are counted
    assert match_rows([[0, 1], [0]], [1, 1]) == {0: 1, 1: 0}
    # first come, first row, when nothing forces a move
    assert match_rows([[0, 1], [0, 1]], [1, 1]) == {0: 0, 1: 1}
    # a longer chain: entry 2 displaces 1, which displaces 0
    assert match_rows([[0, 1, 2], [0, 1], [0]], [1, 1, 1]) == {0: 2, 1: 1, 2: 0}
    assert match_rows([[0], [0], []], [1]) == {0: 0}


def test_duplicates_enemies_and_points(world: World, plugins: Any, kit: dict[str, Any]) -> None:
    form = fill(world, kit)
    approve_new_version(world, kit["tiu1"], plugins)
    add_entry(form, kit["tiu1"].approved_version, actor=world.assembler, section=1)
    pair = mark_enemies(kit["tkp"], kit["tiu2"], actor=world.reviewer, reason="kloning")
    report = form_report(form, actor=world.assembler, plugins=plugins)
    duplicate = finding(report, "duplicate_item")
    assert duplicate.item == kit["tiu1"].external_id and duplicate.version == 2
    assert f"Item {kit['tiu1'].external_id} appears 2 times (numbers 1, 3; v1, v2)" in (
        duplicate.message_en
    )
    enemy = finding(report, "enemy_pair")
    assert (enemy.item, enemy.related_item) == (kit["tkp"].external_id, kit["tiu2"].external_id)
    assert enemy.message_en.endswith("are marked as not to appear together: kloning.")
    unmark_enemies(pair, actor=world.assembler)
    assert "enemy_pair" not in codes(form_report(form, actor=world.assembler, plugins=plugins))
    # a row's points differ from the item's maximum: a warning
    spec = blueprint_spec(code="TEN")
    spec["sections"][1]["rows"][0]["points"] = 4
    other = create_form(
        world.bank,
        create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins),
        title="P",
        actor=world.assembler,
    )
    add_entry(other, kit["tkp"].approved_version, actor=world.assembler)
    points = finding(form_report(other, actor=world.assembler, plugins=plugins), "points_mismatch")
    assert (points.severity, points.row) == ("warning", "2.1")
    assert "scores at most 5; row 2.1 says 4" in points.message_en


def test_enemy_pairs_are_stored_once(world: World, plugins: Any, kit: dict[str, Any]) -> None:
    mark_enemies(kit["tiu1"], kit["tiu2"], actor=world.author)
    with pytest.raises(Conflict, match="already marked"):
        mark_enemies(kit["tiu2"], kit["tiu1"], actor=world.assembler)
    with pytest.raises(InvalidInput):
        mark_enemies(kit["tiu1"], kit["tiu1"], actor=world.assembler)
    with pytest.raises(NotFound):
        mark_enemies(kit["tiu1"], kit["tiu3"], actor=world.outsider)


def test_retired_and_newer_versions_are_reported_not_switched(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    form = fill(world, kit)
    pinned = form.entries[0].version
    newer = approve_new_version(world, kit["tiu1"], plugins)
    report = form_report(form, actor=world.assembler, plugins=plugins)
    notice = finding(report, "newer_version")
    assert (notice.severity, notice.item, notice.version, notice.row) == (
        "warning",
        kit["tiu1"].external_id,
        1,
        "1.1",
    )
    assert f"Version 2 of item {kit['tiu1'].external_id} was approved" in notice.message_en
    assert form.entries[0].version is pinned  # nothing switched
    repin_entry(form.entries[0], actor=world.assembler)
    assert form.entries[0].version == newer
    assert form_report(form, actor=world.assembler, plugins=plugins).findings == []
    retire_item(kit["tiu2"], actor=world.bank_admin, reason="bocor")
    retired = finding(form_report(form, actor=world.assembler, plugins=plugins), "item_retired")
    assert (retired.severity, retired.item, retired.row) == (
        "error",
        kit["tiu2"].external_id,
        "1.1",
    )
    assert "was retired on" in retired.message_en


# -- ordering --------------------------------------------------------------------------------


def test_move_set_order_and_remove_keep_positions_dense(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    form = fill(world, kit)
    add_entry(form, kit["tiu3"].approved_version, actor=world.assembler, section=1, position=1)
    a, b, c = (e.id for e in form.entries[:3])
    assert [e.item for e in form.entries[:3]] == [kit["tiu3"], kit["tiu1"], kit["tiu2"]]
    move_entry(db.session.get(FormEntry, a), position=3, actor=world.assembler)
    assert [e.id for e in form.sections[0].entries] == [b, c, a]
    tkp = form.sections[1].entries[0].id
    set_order(
        form,
        [{"section": 2, "entries": [c, tkp]}, {"section": 1, "entries": [a, b]}],
        actor=world.assembler,
    )
    assert [(e.section.position, e.position, e.id) for e in form.entries] == [
        (1, 1, a),
        (1, 2, b),
        (2, 1, c),
        (2, 2, tkp),
    ]
    with pytest.raises(InvalidInput) as caught:
        set_order(form, [{"section": 1, "entries": [a, a, 999]}], actor=world.assembler)
    fields = [p["field"] for p in caught.value.problems]
    assert fields == ["sections.0.entries.1", "sections.0.entries.2", "sections"]
    remove_entry(db.session.get(FormEntry, a), actor=world.assembler)
    assert [(e.section.position, e.position) for e in form.entries] == [(1, 1), (2, 1), (2, 2)]
    with pytest.raises(InvalidInput, match="position must be 1 to 1"):
        move_entry(db.session.get(FormEntry, b), position=5, actor=world.assembler)


def test_stale_revision_is_refused(world: World, plugins: Any, kit: dict[str, Any]) -> None:
    form = kit["form"]
    seen = form.revision
    update_form(form, title="Paket A1", actor=world.assembler, base_revision=seen)
    with pytest.raises(StaleEdit) as caught:
        add_entry(form, kit["tiu1"].approved_version, actor=world.bank_admin, base_revision=seen)
    assert caught.value.details["changed_by"] == world.assembler.username


# -- lifecycle -------------------------------------------------------------------------------


def test_lock_refuses_errors_then_the_form_never_changes(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    form = kit["form"]
    add_entry(form, kit["tiu1"].approved_version, actor=world.assembler)
    with pytest.raises(FormInvalid) as caught:
        lock_form(form, actor=world.assembler, plugins=plugins)
    assert {f["code"] for f in caught.value.details["findings"]} == {
        "row_missing",
        "length_mismatch",
    }
    assert form.status == "draft"
    for name in ("tiu2", "tkp"):
        add_entry(form, kit[name].approved_version, actor=world.assembler)
    approve_new_version(world, kit["tiu1"], plugins)  # a warning does not stop the lock
    report = lock_form(form, actor=world.assembler, plugins=plugins)
    assert report.ok and [w.code for w in report.warnings] == ["newer_version"]
    assert (form.status, form.locked_by, form.locked_at is not None) == (
        "locked",
        world.assembler,
        True,
    )
    entry = form.entries[0]
    for attempt in (
        lambda: add_entry(form, kit["tiu3"].approved_version, actor=world.assembler),
        lambda: remove_entry(entry, actor=world.assembler),
        lambda: move_entry(entry, position=2, actor=world.assembler),
        lambda: repin_entry(entry, actor=world.assembler),
        lambda: set_order(form, [], actor=world.assembler),
        lambda: update_form(form, title="X", actor=world.assembler),
        lambda: delete_form(form, actor=world.assembler),
        lambda: lock_form(form, actor=world.assembler, plugins=plugins),
    ):
        with pytest.raises(FormLocked, match="a locked form never changes; clone it"):
            attempt()
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "form.lock", AuditEvent.object_id == form.external_id
        )
    ).one()
    assert (event.from_status, event.to_status, event.data["warnings"]) == (
        "draft",
        "locked",
        ["newer_version"],
    )
    assert event.data["entries"][0] == [kit["tiu1"].external_id, 1]


def test_the_database_refuses_changes_to_a_locked_form(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    form = fill(world, kit)
    lock_form(form, actor=world.assembler, plugins=plugins)
    entry_id = form.entries[0].id
    statements = [
        sa.update(FormEntry).where(FormEntry.id == entry_id).values(position=9),
        sa.delete(FormEntry).where(FormEntry.id == entry_id),
        sa.update(Form).where(Form.id == form.id).values(title="diubah"),
        sa.update(Form).where(Form.id == form.id).values(status="draft"),
        sa.delete(Form).where(Form.id == form.id),
    ]
    for statement in statements:
        with pytest.raises(sa.exc.DatabaseError), db.session.begin_nested():
            db.session.execute(statement)
    # exporting is the one change a locked form takes
    mark_exported(form, "a" * 64, "qti-3.0", actor=world.assembler)
    assert form.status == "exported"


def test_clone_and_export(world: World, plugins: Any, kit: dict[str, Any]) -> None:
    form = fill(world, kit)
    with pytest.raises(Conflict, match="only locked forms export"):
        mark_exported(form, "b" * 64, "qti-3.0", actor=world.assembler)
    lock_form(form, actor=world.assembler, plugins=plugins)
    with pytest.raises(InvalidInput):
        mark_exported(form, "not-a-hash", "qti-3.0", actor=world.assembler)
    mark_exported(form, "b" * 64, "qti-3.0", actor=world.assembler)
    mark_exported(form, "c" * 64, "qti-2.1", actor=world.bank_admin)
    assert (form.status, form.exported_by, form.package_sha256) == (
        "exported",
        world.assembler,
        "c" * 64,
    )
    exports = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "form.export", AuditEvent.object_id == form.external_id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.data["package_sha256"][0], e.data["format"], e.to_status) for e in exports] == [
        ("b", "qti-3.0", "exported"),
        ("c", "qti-2.1", "exported"),
    ]
    clone = clone_form(form, actor=world.bank_admin)
    assert (clone.status, clone.cloned_from, clone.title) == ("draft", form, "Paket A (salinan)")
    assert clone.external_id == f"{world.bank.code}-F002"
    assert [(e.section.position, e.position, e.item_version_id) for e in clone.entries] == [
        (e.section.position, e.position, e.item_version_id) for e in form.entries
    ]
    add_entry(clone, kit["tiu3"].approved_version, actor=world.assembler)
    assert len(form.entries) == 3 and len(clone.entries) == 4


def test_forms_are_for_assemblers_and_bank_admins(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    form = kit["form"]
    for who in ("author", "reviewer"):
        with pytest.raises(PermissionDenied):
            get_form(form.external_id, actor=world.users[who])
        with pytest.raises(PermissionDenied):
            add_entry(form, kit["tiu1"].approved_version, actor=world.users[who])
    with pytest.raises(NotFound):
        get_form(form.external_id, actor=world.outsider)
    assert get_form(form.external_id.lower(), actor=world.bank_admin) is form
    actions = set(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.object_id == form.external_id)
        )
    )
    assert "form.create" in actions


def test_an_item_of_another_bank_cannot_be_pinned(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    other = World()
    foreign = approved(other, plugins)
    with pytest.raises(InvalidInput, match="not in bank"):
        add_entry(kit["form"], foreign.approved_version, actor=world.assembler)


def test_deleting_a_cloned_draft_keeps_its_clones(
    world: World, plugins: Any, kit: dict[str, Any]
) -> None:
    """Issue finding 4: deleting a draft that had been cloned failed on the clones'
    reference to it. The clones stay, a locked one too, and only lose the link; the
    deletion's audit event names them."""
    form = fill(world, kit)
    draft_clone = clone_form(form, actor=world.assembler)
    locked_clone = clone_form(form, actor=world.assembler)
    lock_form(locked_clone, actor=world.assembler, plugins=plugins)
    revisions = (draft_clone.revision, locked_clone.revision)
    source = form.external_id

    delete_form(form, actor=world.assembler)

    assert db.session.scalar(sa.select(Form.id).where(Form.external_id == source)) is None
    for clone in (draft_clone, locked_clone):
        db.session.refresh(clone)
        assert clone.cloned_from_id is None and len(clone.entries) == 3
    assert (draft_clone.revision, locked_clone.revision) == revisions
    assert (locked_clone.status, draft_clone.status) == ("locked", "draft")
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "form.delete", AuditEvent.object_id == source
        )
    ).one()
    assert event.data["clones"] == [draft_clone.external_id, locked_clone.external_id]
    # the locked clone is otherwise as frozen as before, in the database too: its link
    # may only go
    with pytest.raises(FormLocked):
        update_form(locked_clone, actor=world.assembler, title="Lain")
    relink = sa.update(Form).where(Form.id == locked_clone.id).values(cloned_from_id=draft_clone.id)
    with pytest.raises(sa.exc.DatabaseError), db.session.begin_nested():
        db.session.execute(relink)


def test_a_write_refused_by_the_database_in_a_draft_edit_is_a_409(
    world: World, plugins: Any, kit: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue finding 5's safety net: should the database still refuse a draft edit's
    write (a row changed or gone under it), the edit is rolled back and answered as
    ``ConcurrentEdit`` (409), not an unexplained error."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from itembank.operations import forms as form_ops

    form = kit["form"]
    db.session.commit()
    for error in (
        StaleDataError("UPDATE statement on table 'form_entry' expected to update 2 row(s)"),
        IntegrityError("INSERT", {}, Exception("uq_form_entry_section_id_position")),
    ):

        def refused(*_: Any, error: Exception = error) -> None:
            raise error

        monkeypatch.setattr(form_ops, "touch_form", refused)
        with pytest.raises(form_ops.ConcurrentEdit, match="at the same moment") as caught:
            update_form(form, actor=world.assembler, title="Paket B")
        assert caught.value.code == "concurrent_edit"
        db.session.refresh(form)
        assert form.title == "Paket A"
