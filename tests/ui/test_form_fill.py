"""Building a form faster: several items at once and *fill this row* at random, from
the page (plain posts, no script) and the API, under the rules of a single addition."""

from __future__ import annotations

import random
import re
from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent, FormEntry
from itembank.operations import form_fill
from itembank.operations.blueprints import create_blueprint
from itembank.operations.enemies import mark_enemies
from itembank.operations.forms import add_entry, create_form
from itembank.operations.reviews import retire_item
from tests.factories import World, make_item
from tests.forms_helpers import approved, blueprint_spec
from tests.ui.conftest import text


def _draft_form(world: World, plugins: Any) -> Any:
    blueprint = create_blueprint(
        world.bank, blueprint_spec("SKD-ISI"), actor=world.bank_admin, plugins=plugins
    )
    return create_form(world.bank, blueprint, title="Isi cepat", actor=world.bank_admin)


def _items_on(form: Any) -> list[str]:
    db.session.expire_all()
    return [e.item.external_id for s in form.sections for e in s.entries]


def test_fill_row_draws_only_eligible_items(world: World, plugins: Any) -> None:
    form = _draft_form(world, plugins)
    pinned = approved(world, plugins)
    add_entry(form, pinned.approved_version, actor=world.bank_admin)
    enemy = approved(world, plugins)
    mark_enemies(pinned, enemy, actor=world.bank_admin, reason="mirip")
    retired = approved(world, plugins)
    retire_item(retired, actor=world.bank_admin, reason="bocor")
    make_item(world, plugins)  # a draft, never eligible
    approved(world, plugins, "TIU.VER")  # another node
    good = [approved(world, plugins).external_id for _ in range(3)]

    row = form.blueprint.sections[0].rows[0]
    eligible = {v.item.external_id for v in form_fill.eligible_versions(form, row)}
    assert eligible == set(good)

    fill = form_fill.fill_row(
        form, "1.1", actor=world.assembler, plugins=plugins, rng=random.Random(3)
    )
    assert fill.wanted == 1 and fill.short == 0 and fill.eligible == 3
    on_form = _items_on(form)
    assert on_form[0] == pinned.external_id and on_form[1] in good and len(on_form) == 2
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "form.fill_row")
    ).one()
    assert event.data["row"] == "1.1" and event.data["added"][0][0] == on_form[1]


def test_fill_row_says_how_many_are_still_missing(world: World, plugins: Any) -> None:
    form = _draft_form(world, plugins)
    only = approved(world, plugins).external_id
    fill = form_fill.fill_row(form, "1.1", actor=world.assembler, plugins=plugins)
    assert (fill.wanted, len(fill.added), fill.short) == (2, 1, 1)
    assert _items_on(form) == [only]


def test_the_page_adds_ticked_items_and_fills_a_row_without_script(
    as_user: Any, world: World, plugins: Any
) -> None:
    form = _draft_form(world, plugins)
    tiu = [approved(world, plugins).external_id for _ in range(2)]
    tkp = [
        approved(world, plugins, "TKP.PP", item_type="weighted_options").external_id
        for _ in range(3)
    ]
    client = as_user("assembler")
    page = text(client.get(f"/forms/{form.external_id}"))
    assert 'id="add-several-form"' in page and "data-inplace" in page
    assert all(f'name="items" value="{code}" form="add-several-form"' in page for code in tiu)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)

    added = client.post(
        f"/forms/{form.external_id}/entries/several",
        {"items": tiu, "revision": revision, "anchor": "#add"},
    )
    assert added.status_code == 303 and added.headers["Location"].endswith("#add")
    assert _items_on(form) == tiu
    assert "2 butir ditambahkan." in text(client.get(added.headers["Location"]))

    page = text(client.get(f"/forms/{form.external_id}"))
    assert f"/forms/{form.external_id}/rows/2.1/fill" in page
    assert f"/forms/{form.external_id}/rows/1.1/fill" not in page  # full: no button
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    filled = client.post(f"/forms/{form.external_id}/rows/2.1/fill", {"revision": revision})
    assert filled.status_code == 303
    assert _items_on(form)[2] in tkp
    shown = text(client.get(filled.headers["Location"]))
    assert "Baris 2.1: 1 butir ditambahkan secara acak dari 3 butir" in shown


def test_several_at_once_is_all_or_nothing(as_user: Any, world: World, plugins: Any) -> None:
    form = _draft_form(world, plugins)
    good = approved(world, plugins).external_id
    draft = make_item(world, plugins).external_id
    client = as_user("bank_admin")
    response = client.post(f"/forms/{form.external_id}/entries/several", {"items": [good, draft]})
    assert response.status_code == 303
    assert "hanya versi yang disetujui" in text(client.get(response.headers["Location"]))
    assert _items_on(form) == []
    # Assemblers do not see drafts at all.
    hidden = as_user("assembler").post(
        f"/forms/{form.external_id}/entries/several", {"items": [good, draft]}
    )
    assert hidden.status_code == 404
    entries = db.session.scalar(
        sa.select(sa.func.count()).select_from(FormEntry).where(FormEntry.form_id == form.id)
    )
    assert entries == 0


def test_the_api_adds_several_and_refuses_one_already_on_the_form(
    api: Any, world: World, plugins: Any
) -> None:
    from tests.api.conftest import login

    form = _draft_form(world, plugins)
    first, second = (approved(world, plugins).external_id for _ in range(2))
    client = api.as_(login(api, world.assembler))
    response = client.post(f"forms/{form.external_id}/entries/several", json={"items": [first]})
    assert response.status_code == 201
    assert [e["item"] for e in response.get_json()] == [first]
    again = client.post(
        f"forms/{form.external_id}/entries/several", json={"items": [second, first]}
    )
    assert again.status_code == 422
    assert "on the form already" in again.get_data(as_text=True)
    assert _items_on(form) == [first]
    fill = client.post(f"forms/{form.external_id}/rows/1.1/fill")
    assert fill.status_code == 200
    body = fill.get_json()
    assert body["wanted"] == 1 and [a["item"] for a in body["added"]] == [second]
    full = client.post(f"forms/{form.external_id}/rows/1.1/fill")
    assert full.status_code == 409
    unknown = client.post(f"forms/{form.external_id}/rows/9.9/fill")
    assert unknown.status_code == 422


def test_the_answer_key_waits_for_the_lock(as_user: Any, world: Any, plugins: Any) -> None:
    from itembank.extensions import db as database
    from tests.forms_helpers import state_filled_form
    from tests.ui.conftest import text as page_text

    form = state_filled_form(world, plugins)["form"]
    admin = as_user("bank_admin")
    page = page_text(admin.get(f"/forms/{form}"))
    assert "tersedia setelah paket difinalkan" in page
    assert f"/forms/{form}/answer-key.csv" not in page
    refused = admin.get(f"/forms/{form}/answer-key.csv")
    assert refused.status_code == 409
    assert f"Paket {form} belum difinalkan" in page_text(refused)

    world.bank.settings = {**(world.bank.settings or {}), "answer_key_from_drafts": True}
    database.session.flush()
    page = page_text(admin.get(f"/forms/{form}"))
    assert f"/forms/{form}/answer-key.csv" in page
    assert admin.get(f"/forms/{form}/answer-key.csv").status_code == 200
