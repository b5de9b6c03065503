"""The whole form (*naskah soal*): every item in delivery order, keys only in the
reviewer variant, a watermark naming who printed it and when, and the print audited."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.operations.blueprints import create_blueprint
from itembank.operations.form_order import move_entry
from itembank.operations.forms import add_entry, create_form
from tests.factories import World
from tests.forms_helpers import approved, blueprint_spec
from tests.ui.conftest import text


def _form(world: World, plugins: Any) -> tuple[Any, list[str]]:
    """A two-section form: two TIU items (the second moved first) and one TKP item."""
    blueprint = create_blueprint(
        world.bank, blueprint_spec("SKD-NASKAH"), actor=world.bank_admin, plugins=plugins
    )
    form = create_form(world.bank, blueprint, title="Paket uji naskah", actor=world.bank_admin)
    first = approved(world, plugins)
    second = approved(world, plugins)
    tkp = approved(world, plugins, "TKP.PP", item_type="weighted_options")
    entries = [add_entry(form, i.approved_version, actor=world.bank_admin) for i in (first, second)]
    add_entry(form, tkp.approved_version, actor=world.bank_admin, section=2)
    move_entry(entries[1], actor=world.bank_admin, position=1)
    return form, [second.external_id, first.external_id, tkp.external_id]


def test_the_candidate_variant_lists_every_item_in_delivery_order_without_keys(
    as_user: Any, world: World, plugins: Any
) -> None:
    form, order = _form(world, plugins)
    page = as_user("assembler").get(f"/forms/{form.external_id}/booklet")
    assert page.status_code == 200, text(page)
    body = text(page)
    assert [int(n) for n in re.findall(r'<div class="booklet-item" id="q(\d+)">', body)] == [
        1,
        2,
        3,
    ]
    assert "Soal 1" in body and "Soal 3" in body
    assert "Bagian 1: TIU" in body and "Bagian 2: TKP" in body
    # No keys, no item codes: what candidates see.
    assert "key-table" not in body and "Kunci" not in body
    assert not any(code in body for code in order)
    assert "RAHASIA · dicetak oleh" in body and world.assembler.username in body


def test_the_reviewer_variant_adds_keys_and_classification_in_the_same_order(
    as_user: Any, world: World, plugins: Any
) -> None:
    form, order = _form(world, plugins)
    body = text(as_user("bank_admin").get(f"/forms/{form.external_id}/booklet?variant=reviewer"))
    positions = [body.index(f"{code} v1") for code in order]
    assert positions == sorted(positions)
    assert body.count('class="table key-table"') == 3
    assert "TIU.NUM" in body and "TKP.PP" in body


def test_each_showing_is_audited_with_its_watermark(
    as_user: Any, world: World, plugins: Any
) -> None:
    form, _order = _form(world, plugins)
    client = as_user("assembler")
    client.get(f"/forms/{form.external_id}/booklet")
    client.get(f"/forms/{form.external_id}/booklet?variant=reviewer")
    events = list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "form.print", AuditEvent.object_id == form.external_id)
            .order_by(AuditEvent.id)
        )
    )
    assert [e.data["variant"] for e in events] == ["candidate", "reviewer"]
    assert all(e.actor_id == world.assembler.id and e.data["entries"] == 3 for e in events)
    assert events[0].data["watermark"]["user"] == world.assembler.username


def test_only_assemblers_and_bank_admins_see_it(as_user: Any, world: World, plugins: Any) -> None:
    form, _order = _form(world, plugins)
    path = f"/forms/{form.external_id}/booklet"
    assert as_user("author").get(path).status_code == 403
    assert as_user("reviewer").get(path).status_code == 403
    assert as_user("outsider").get(path).status_code == 404
    assert as_user("assembler").get(f"{path}?variant=semua").status_code == 422
    printed = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "form.print", AuditEvent.object_id == form.external_id)
    )
    assert printed == 0


def test_the_form_page_links_to_it(as_user: Any, world: World, plugins: Any) -> None:
    form, _order = _form(world, plugins)
    page = text(as_user("assembler").get(f"/forms/{form.external_id}"))
    assert f'href="/forms/{form.external_id}/booklet"' in page
