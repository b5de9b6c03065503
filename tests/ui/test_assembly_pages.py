"""Blueprint and form pages: writing a blueprint with the structured form, assembling a
form (add, move, remove, re-pin, rows filling), the report, lock, clone, export,
answer keys, enemy pairs and the dashboard's forms in progress."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from typing import Any

from itembank.extensions import db
from itembank.models import Form
from itembank.operations.blueprints import create_blueprint
from itembank.operations.forms import add_entry, create_form, get_form
from qti.validate import validate_package_bytes
from tests.factories import TKP, World, unique
from tests.forms_helpers import approve_new_version, approved, blueprint_spec
from tests.ui.conftest import text


def _blueprint(world: World, plugins: Any, code: str | None = None) -> Any:
    return create_blueprint(
        world.bank, blueprint_spec(code or unique("BP-")), actor=world.assembler, plugins=plugins
    )


def _form(world: World, plugins: Any) -> Form:
    return create_form(
        world.bank, _blueprint(world, plugins), title="Paket uji", actor=world.assembler
    )


def entry_ids(page: str) -> list[str]:
    """The items of the form page's entry list, in order."""
    section = page.split('id="entries-title"')[1].split('id="rows-title"')[0]
    return re.findall(
        r'<li class="form-entry" id="entry-\d+">\s*<div>\s*<a href="[^"]+"><strong>([^<]+)', section
    )


def filled(page: str, ref: str) -> str:
    match = re.search(
        rf'data-row="{re.escape(ref)}">.*?<span class="filled">([^<]+)</span>', page, re.S
    )
    assert match, ref
    return match.group(1).strip()


# -- blueprints ----------------------------------------------------------------------------


BLUEPRINT_FORM = {
    "code": "KISI-UJI",
    "title": "Kisi-kisi uji",
    "description": "",
    "total_length": "",
    "time_limit_minutes": "20",
    "sections.0.title": "TIU",
    "sections.0.rows.0.node": "skd-cpns:TIU.NUM",
    "sections.0.rows.0.level": "",
    "sections.0.rows.0.item_types": "single_choice",
    "sections.0.rows.0.count": "2",
    "sections.0.rows.0.points": "5",
}


def test_writing_a_blueprint_with_the_structured_form(as_user: Any, world: World) -> None:
    client = as_user("assembler")
    bank = world.bank.code
    new = client.get(f"/banks/{bank}/blueprints/new")
    assert new.status_code == 200 and 'name="sections.0.rows.0.node"' in text(new)

    # Structural buttons return the form with the change; nothing is saved.
    more = client.post(f"/banks/{bank}/blueprints/new", {**BLUEPRINT_FORM, "action": "add_section"})
    assert more.status_code == 200
    assert 'name="sections.1.title"' in text(more) and 'name="sections.1.rows.0.node"' in text(more)
    rows = client.post(f"/banks/{bank}/blueprints/new", {**BLUEPRINT_FORM, "action": "add_row-0"})
    assert 'name="sections.0.rows.1.node"' in text(rows)
    assert 'value="skd-cpns:TIU.NUM" selected' in text(rows)  # what was chosen stays
    assert client.get(f"/banks/{bank}/blueprints/KISI-UJI").status_code == 404

    # Problems are shown beside their controls, in Indonesian.
    bad = client.post(
        f"/banks/{bank}/blueprints/new",
        {
            **BLUEPRINT_FORM,
            "sections.0.rows.0.level": "9",
            "sections.1.title": "TKP",
            "sections.1.rows.0.node": "",
            "sections.1.rows.0.count": "x",
            "action": "save",
        },
    )
    assert bad.status_code == 422
    page = text(bad)
    assert 'id="f-sections-1-rows-0-node-error"' in page and "Pilih kompetensi atau bidang." in page
    assert 'id="f-sections-1-rows-0-count-error"' in page
    bad = client.post(
        f"/banks/{bank}/blueprints/new",
        {**BLUEPRINT_FORM, "sections.0.rows.0.level": "9", "action": "save"},
    )
    assert bad.status_code == 422
    assert 'id="f-sections-0-rows-0-level-error"' in text(bad) and "Level 9 tidak ada" in text(bad)
    wrong_total = client.post(
        f"/banks/{bank}/blueprints/new", {**BLUEPRINT_FORM, "total_length": "5", "action": "save"}
    )
    assert wrong_total.status_code == 422 and 'id="f-total_length-error"' in text(wrong_total)

    saved = client.post(f"/banks/{bank}/blueprints/new", {**BLUEPRINT_FORM, "action": "save"})
    assert saved.status_code == 303
    assert saved.location == f"/banks/{bank}/blueprints/KISI-UJI"
    view = text(client.get(saved.location))
    assert "TIU.NUM" in view and "Numerik" in view and "20 menit" in view
    assert "Pilihan ganda" in view  # the allowed type by its label
    listing = text(client.get(f"/banks/{bank}/blueprints"))
    assert "KISI-UJI" in listing
    again = client.post(f"/banks/{bank}/blueprints/new", {**BLUEPRINT_FORM, "action": "save"})
    assert again.status_code == 409 and 'id="f-code-error"' in text(again)

    # Editing: the saved values come back; a change is saved.
    edit = text(client.get(f"/banks/{bank}/blueprints/KISI-UJI/edit"))
    assert 'value="2"' in edit and 'value="5"' in edit and "checked" in edit
    changed = client.post(
        f"/banks/{bank}/blueprints/KISI-UJI/edit",
        {**BLUEPRINT_FORM, "sections.0.rows.0.count": "3", "action": "save"},
    )
    assert changed.status_code == 303
    assert "<td>3</td>" in text(client.get(changed.location))


def test_a_blueprint_in_use_is_frozen_and_can_be_copied(
    as_user: Any, world: World, plugins: Any
) -> None:
    form = _form(world, plugins)
    code = form.blueprint.code
    bank = world.bank.code
    client = as_user("assembler")
    view = text(client.get(f"/banks/{bank}/blueprints/{code}"))
    assert 'id="blueprint-frozen"' in view and form.external_id in view
    assert f"/blueprints/{code}/edit" not in view
    edit = client.get(f"/banks/{bank}/blueprints/{code}/edit")
    assert 'id="blueprint-frozen"' in text(edit)
    refused = client.post(
        f"/banks/{bank}/blueprints/{code}/edit", {**BLUEPRINT_FORM, "action": "save"}
    )
    assert refused.status_code == 409 and "Traceback" not in text(refused)
    deleted = client.post(f"/banks/{bank}/blueprints/{code}/delete")
    assert deleted.status_code == 409
    copy = text(client.get(f"/banks/{bank}/blueprints/new?copy={code}"))
    assert 'name="code" type="text" value=""' in copy
    assert "Kisi-kisi SKD mini (salinan)" in copy and 'value="skd-cpns:TKP" selected' in copy


def test_members_read_blueprints_and_only_assemblers_write(
    as_user: Any, world: World, plugins: Any
) -> None:
    code = _blueprint(world, plugins).code
    bank = world.bank.code
    for role, can_write in (("author", False), ("reviewer", False), ("assembler", True)):
        page = as_user(role).get(f"/banks/{bank}/blueprints/{code}")
        assert page.status_code == 200
        assert ("/blueprints/new" in text(page)) is can_write
        assert as_user(role).get(f"/banks/{bank}/blueprints/new").status_code == (
            200 if can_write else 403
        )
    assert as_user("outsider").get(f"/banks/{bank}/blueprints/{code}").status_code == 404


# -- forms ---------------------------------------------------------------------------------


def test_assembling_a_form_fills_the_blueprint_rows(
    as_user: Any, world: World, plugins: Any
) -> None:
    blueprint = _blueprint(world, plugins)
    first, second, third = (approved(world, plugins) for _ in range(3))
    tkp = approved(world, plugins, "TKP.PP", item_type="weighted_options", content=TKP)
    client = as_user("assembler")
    bank = world.bank.code

    created = client.post(f"/banks/{bank}/forms", {"blueprint": blueprint.code, "title": "Paket A"})
    assert created.status_code == 303
    form_path = created.location
    form_id = form_path.rsplit("/", 1)[1]
    page = text(client.get(form_path))
    assert filled(page, "1.1") == "0 / 2" and filled(page, "2.1") == "0 / 1"
    assert "0 dari 3 butir" in page
    # The add panel offers the approved items, each with the rows it would fill.
    assert f'data-item="{tkp.external_id}"' in page
    candidate = page.split(f'data-item="{tkp.external_id}"')[1].split("</tr>")[0]
    assert "baris 2.1" in candidate and "ada tempat" in candidate
    found = text(client.get(f"{form_path}?type=weighted_options"))
    assert (
        f'data-item="{tkp.external_id}"' in found
        and f'data-item="{first.external_id}"' not in found
    )

    revision = get_form(form_id, actor=world.assembler).revision
    for item in (first, tkp, second):
        added = client.post(
            f"{form_path}/entries", {"item": item.external_id, "revision": str(revision)}
        )
        assert added.status_code == 303
        revision += 1
    page = text(client.get(form_path))
    assert entry_ids(page) == [first.external_id, second.external_id, tkp.external_id]
    assert filled(page, "1.1") == "2 / 2" and filled(page, "2.1") == "1 / 1"
    assert "Tidak ada kesalahan atau peringatan" in page

    # A page opened before someone else's change changes nothing.
    stale = client.post(f"{form_path}/entries", {"item": third.external_id, "revision": "1"})
    assert stale.status_code == 303
    assert "mengubah paket ini setelah Anda membukanya" in text(client.get(form_path))
    assert len(get_form(form_id, actor=world.assembler).entries) == 3

    # Move down, then up again: keyboard-operable buttons, one step each.
    form = get_form(form_id, actor=world.assembler)
    entry = form.sections[0].entries[0]
    assert (
        client.post(f"{form_path}/entries/{entry.id}/move", {"direction": "down"}).status_code
        == 303
    )
    assert entry_ids(text(client.get(form_path)))[:2] == [second.external_id, first.external_id]
    client.post(f"{form_path}/entries/{entry.id}/move", {"direction": "up"})
    assert entry_ids(text(client.get(form_path)))[:2] == [first.external_id, second.external_id]
    # Past the end of a section it goes to the next one, and the report says it is misplaced.
    last = get_form(form_id, actor=world.assembler).sections[0].entries[-1]
    client.post(f"{form_path}/entries/{last.id}/move", {"direction": "down"})
    page = text(client.get(form_path))
    assert filled(page, "1.1") == "1 / 2" and "Pindahkan ke sana" in page
    client.post(f"{form_path}/entries/{last.id}/move", {"direction": "up"})
    assert filled(text(client.get(form_path)), "1.1") == "2 / 2"

    # Removing an entry empties its row again.
    removed = client.post(f"{form_path}/entries/{entry.id}/remove")
    assert removed.status_code == 303
    page = text(client.get(form_path))
    assert filled(page, "1.1") == "1 / 2" and first.external_id not in entry_ids(page)
    assert "kurang 1 butir" in page


def test_lock_is_refused_with_the_report_then_export_and_answer_keys(
    as_user: Any, world: World, plugins: Any
) -> None:
    form = _form(world, plugins)
    items = [approved(world, plugins) for _ in range(2)]
    tkp = approved(world, plugins, "TKP.PP", item_type="weighted_options", content=TKP)
    client = as_user("assembler")
    path = f"/forms/{form.external_id}"
    add_entry(form, items[0].approved_version, actor=world.assembler)
    db.session.commit()  # a refused request rolls back what was not committed

    refused = client.post(f"{path}/lock")
    assert refused.status_code == 409
    page = text(refused)
    assert 'id="lock-refused"' in page and "Baris 1.1 (TIU.NUM; single_choice)" in page
    assert "masih kurang 1 butir (terisi 1 dari 2)" in page
    assert get_form(form.external_id, actor=world.assembler).status == "draft"
    assert client.post(f"{path}/export", {"format": "qti3"}).status_code == 409  # a draft

    for item in (items[1], tkp):
        add_entry(form, item.approved_version, actor=world.assembler)
    locked = client.post(f"{path}/lock")
    assert locked.status_code == 303
    page = text(client.get(path))
    assert "dikunci" in page.lower() and 'id="export-button"' in page
    assert f"{path}/entries" not in page  # nothing to edit any more

    for fmt in ("qti3", "qti21"):
        exported = client.post(f"{path}/export", {"format": fmt})
        assert exported.status_code == 200 and exported.mimetype == "application/zip"
        assert f'filename="{form.external_id}-{fmt}.zip"' in exported.headers["Content-Disposition"]
        assert validate_package_bytes(exported.data).ok
        names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
        assert any(tkp.external_id in name for name in names)
    assert get_form(form.external_id, actor=world.assembler).status == "exported"
    bad_format = client.post(f"{path}/export", {"format": "pdf"})
    assert bad_format.status_code == 303
    assert "pdf" in text(client.get(path))

    key = json.loads(client.get(f"{path}/answer-key.json").data)
    assert [row["item"] for row in key["items"]] == [
        items[0].external_id,
        items[1].external_id,
        tkp.external_id,
    ]
    rows = list(csv.reader(io.StringIO(client.get(f"{path}/answer-key.csv").data.decode("utf-8"))))
    assert rows[0][0] == "number" and len(rows) == 4

    clone = client.post(f"{path}/clone", {"title": "Paket B"})
    assert clone.status_code == 303
    copy = text(client.get(clone.location))
    assert "Paket B" in copy and "Draf" in copy and len(entry_ids(copy)) == 3


def test_an_item_retired_since_locking_stops_the_export_with_a_message(
    as_user: Any, world: World, plugins: Any
) -> None:
    """The page says why (409) and writes no package; an assembler is told to clone and
    replace, a bank admin may export anyway, which the audit trail records."""
    import sqlalchemy as sa

    from itembank.models import AuditEvent
    from itembank.operations.reviews import retire_item
    from tests.forms_helpers import get_item_by_id, state_locked_form

    names = state_locked_form(world, plugins)
    retire_item(get_item_by_id(names["item"]), actor=world.bank_admin, reason="Bocor")
    db.session.commit()  # a refused request rolls back what was not committed
    path = f"/forms/{names['form']}/export"

    refused = as_user("assembler").post(path, {"format": "qti21"})
    assert refused.status_code == 409 and refused.mimetype == "text/html"
    page = text(refused)
    assert 'id="export-refused"' in page and "Paket tidak diekspor" in page
    assert f"Butir {names['item']} dipensiunkan" in page
    assert 'id="force-export-button"' not in page and "Salin paket menjadi draf baru" in page
    assert get_form(names["form"], actor=world.assembler).status == "locked"

    admin = as_user("bank_admin")
    page = text(admin.post(path, {"format": "qti21"}))
    assert 'id="force-export-button"' in page and 'name="format" value="qti21"' in page
    forced = admin.post(path, {"format": "qti21", "force": "1"})
    assert forced.status_code == 200 and forced.mimetype == "application/zip"
    assert validate_package_bytes(forced.data).ok
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "form.export", AuditEvent.object_id == names["form"]
        )
    ).one()
    assert event.data["forced"] is True and event.data["format"] == "qti21"
    assert event.data["findings"][0]["code"] == "item_retired"


def test_repin_to_a_newer_approved_version(as_user: Any, world: World, plugins: Any) -> None:
    form = _form(world, plugins)
    item = approved(world, plugins)
    entry = add_entry(form, item.approved_version, actor=world.assembler)
    approve_new_version(world, item, plugins)
    client = as_user("assembler")
    path = f"/forms/{form.external_id}"
    page = text(client.get(path))
    assert "Versi 2 butir" in page and "Pakai versi disetujui terbaru" in page
    assert client.post(f"{path}/entries/{entry.id}/repin").status_code == 303
    page = text(client.get(path))
    assert f"<strong>{item.external_id}</strong></a>\n          v2" in page
    assert "Pakai versi disetujui terbaru" not in page


def test_enemy_pairs_from_the_item_page_and_the_form_page(
    as_user: Any, world: World, plugins: Any
) -> None:
    form = _form(world, plugins)
    one, two = approved(world, plugins), approved(world, plugins)
    for item in (one, two):
        add_entry(form, item.approved_version, actor=world.assembler)
    bank = world.bank.code
    reviewer = as_user("reviewer")
    item_page = f"/items/{one.external_id}"
    marked = reviewer.post(
        f"/banks/{bank}/enemies",
        {
            "first": one.external_id,
            "second": two.external_id,
            "reason": "kembar",
            "next": item_page,
        },
    )
    assert marked.status_code == 303 and marked.location == item_page
    page = text(reviewer.get(item_page))
    assert two.external_id in page.split('id="enemies-title"')[1] and "kembar" in page
    again = reviewer.post(
        f"/banks/{bank}/enemies",
        {"first": two.external_id, "second": one.external_id, "next": item_page},
    )
    assert again.status_code == 303
    assert "sudah ditandai" in text(reviewer.get(item_page))
    unknown = reviewer.post(
        f"/banks/{bank}/enemies", {"first": one.external_id, "second": "NOPE-1", "next": item_page}
    )
    assert unknown.status_code == 303 and "tidak ditemukan" in text(reviewer.get(item_page))

    assembler = as_user("assembler")
    form_page = text(assembler.get(f"/forms/{form.external_id}"))
    assert "ditandai tidak boleh muncul bersama: kembar" in form_page
    pair = re.search(rf"/banks/{bank}/enemies/(\d+)/delete", form_page)
    assert pair
    back = f"/forms/{form.external_id}"
    assert assembler.post(pair.group(0), {"next": back}).status_code == 303
    assert "tidak boleh muncul bersama" not in text(assembler.get(back))
    # Marked again from the form page, with its items to choose from.
    assert (
        assembler.post(
            f"/banks/{bank}/enemies",
            {"first": one.external_id, "second": two.external_id, "next": back},
        ).status_code
        == 303
    )
    assert "tidak boleh muncul bersama" in text(assembler.get(back))
    # Writers outside the bank cannot.
    assert (
        as_user("outsider").post(f"/banks/{bank}/enemies", {"first": one.external_id}).status_code
        == 404
    )


def test_forms_in_progress_on_the_dashboard(as_user: Any, world: World, plugins: Any) -> None:
    form = _form(world, plugins)
    add_entry(form, approved(world, plugins).approved_version, actor=world.assembler)
    page = text(as_user("assembler").get("/"))
    panel = page.split('id="panel-forms_in_progress"')[1].split("</section>")[0]
    assert form.external_id in panel and "1 dari 3 butir" in panel and "Paket uji" in panel
    assert 'id="panel-forms_in_progress"' not in text(as_user("author").get("/"))


def test_menu_entries_follow_the_roles(as_user: Any, world: World) -> None:
    assembler = text(as_user("assembler").get("/"))
    author = text(as_user("author").get("/"))
    assert "Paket soal" in assembler and "Impor" not in assembler.split("</nav>")[0]
    assert "Impor" in author.split("</nav>")[0] and "Paket soal" not in author.split("</nav>")[0]
    assert "Kisi-kisi" in author.split("</nav>")[0]
    assert as_user("assembler").get("/forms").location == f"/banks/{world.bank.code}/forms"


def test_the_add_panel_lists_approved_versions_behind_a_newer_draft(
    as_user: Any, world: World, plugins: Any
) -> None:
    """A bank admin sees every version, yet the panel offers what a form can pin: the
    approved version, even when the item's newest version is a draft."""
    from itembank.operations.items import start_new_draft

    form = _form(world, plugins)
    item = approved(world, plugins)
    start_new_draft(item, actor=world.author)
    for role in ("bank_admin", "assembler"):
        page = text(as_user(role).get(f"/forms/{form.external_id}?q={item.external_id}"))
        row = page.split(f'data-item="{item.external_id}"')[1].split("</tr>")[0]
        assert f"{item.external_id}</a> v1" in row and "baris 1.1" in row, role
    added = as_user("bank_admin").post(
        f"/forms/{form.external_id}/entries", {"item": item.external_id}
    )
    assert added.status_code == 303
    assert get_form(form.external_id, actor=world.bank_admin).entries[0].version.number == 1


def test_bad_input_is_explained_never_a_server_error(
    as_user: Any, world: World, plugins: Any
) -> None:
    form = _form(world, plugins)
    entry = add_entry(form, approved(world, plugins).approved_version, actor=world.assembler)
    db.session.commit()
    client = as_user("assembler")
    bank = world.bank.code
    path = f"/forms/{form.external_id}"
    huge = "9" * 30
    cases = [
        client.post(f"{path}/entries/{huge}/remove"),
        client.post(f"{path}/entries/2147483647/remove"),
        client.post(f"{path}/entries/{entry.id}/move", {"direction": "sideways"}),
        client.post(f"{path}/entries", {"item": "", "revision": "x"}),
        client.post(f"{path}/entries", {"item": "../../etc", "revision": huge}),
        client.post(f"{path}/rename", {"title": "", "revision": "-1"}),
        client.post(f"{path}/export", {"format": "qti3"}),
        client.post(f"/banks/{bank}/forms", {"blueprint": "NOPE", "title": "x"}),
        client.post(f"/banks/{bank}/forms", {"blueprint": form.blueprint.code, "title": ""}),
        client.get(f"{path}?page={huge}&level=99&node=nope:x&type=<b>"),
        client.get(f"/banks/{bank}/imports/{huge}"),
        client.post(f"/banks/{bank}/enemies/{huge}/delete"),
        client.post(
            f"/banks/{bank}/blueprints/new",
            {
                **BLUEPRINT_FORM,
                "code": "X" * 300,
                "sections.999.title": "T",
                "sections.999.rows.999.node": "nope:nope",
                "sections.999.rows.999.count": huge,
                "sections.999.rows.999.points": "nan",
                "action": "save",
            },
        ),
        client.post(
            f"/banks/{bank}/blueprints/new", {**BLUEPRINT_FORM, "action": "remove_row-99-99"}
        ),
        client.post(f"/banks/{bank}/blueprints/new", {**BLUEPRINT_FORM, "action": "add_row-x"}),
    ]
    for response in cases:
        assert response.status_code < 500, response.request.path
        assert "Traceback" not in text(response)
    assert {r.status_code for r in cases[:2]} == {404}
    assert len(get_form(form.external_id, actor=world.assembler).entries) == 1


def test_deleting_a_cloned_draft_from_its_page(as_user: Any, world: World, plugins: Any) -> None:
    """Issue finding 4: the form page's delete button answered 500 for a draft that had
    been cloned. The draft goes, the copy stays."""
    client = as_user("assembler")
    form = _form(world, plugins)
    clone = client.post(f"/forms/{form.external_id}/clone", data={"title": "Salinan"})
    assert clone.status_code == 303
    copy = clone.headers["Location"].rsplit("/", 1)[-1]
    assert form.external_id in client.get(f"/forms/{copy}").get_data(as_text=True)
    deleted = client.post(f"/forms/{form.external_id}/delete")
    assert deleted.status_code == 303, deleted.get_data(as_text=True)[:500]
    assert client.get(f"/forms/{form.external_id}").status_code == 404
    page = client.get(f"/forms/{copy}")
    assert page.status_code == 200 and form.external_id not in page.get_data(as_text=True)
