"""Builders for blueprint and form tests: approved items, blueprint documents."""

from __future__ import annotations

from typing import Any

from itembank.models import Item
from itembank.operations.reviews import review_version, submit_version
from itembank.plugins import PluginHost
from tests.factories import SINGLE_CHOICE, TKP, World, make_item


def approved(
    world: World,
    plugins: PluginHost,
    node: str = "TIU.NUM",
    *,
    taxonomy: str = "skd-cpns",
    level: int | None = None,
    item_type: str = "single_choice",
    content: dict[str, Any] | None = None,
) -> Item:
    """An item whose version 1 is approved, classified under ``node``."""
    if content is None:
        content = TKP if item_type == "weighted_options" else SINGLE_CHOICE
    item = make_item(
        world,
        plugins,
        item_type=item_type,
        content=content,
        metadata={"classifications": [{"taxonomy": taxonomy, "node": node, "level": level}]},
    )
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer, decision="approve")
    return item


def approve_new_version(world: World, item: Item, plugins: PluginHost, **changes: Any) -> Any:
    """Start, edit, submit and approve the item's next version."""
    from itembank.operations.items import start_new_draft, update_draft

    draft = start_new_draft(item, actor=world.author)
    draft = update_draft(
        draft,
        actor=world.author,
        plugins=plugins,
        base_revision=draft.revision,
        stem=changes.get("stem", "<p>Versi baru: berapa yang harus dibayar?</p>"),
    )
    submit_version(draft, actor=world.author)
    review_version(draft, actor=world.reviewer, decision="approve")
    return draft


def blueprint_spec(code: str = "SKD-MINI", **overrides: Any) -> dict[str, Any]:
    """Two sections: TIU (2 single-choice numeric items, 5 points each) and TKP (1
    weighted item of any TKP aspect)."""
    spec: dict[str, Any] = {
        "code": code,
        "title": "Kisi-kisi SKD mini",
        "total_length": 3,
        "time_limit_minutes": 10,
        "sections": [
            {
                "title": "TIU",
                "rows": [
                    {
                        "taxonomy": "skd-cpns",
                        "node": "TIU.NUM",
                        "item_types": ["single_choice"],
                        "count": 2,
                        "points": 5,
                    }
                ],
            },
            {
                "title": "TKP",
                "rows": [{"taxonomy": "skd-cpns", "node": "TKP", "count": 1, "points": 5}],
            },
        ],
    }
    spec.update(overrides)
    return spec


# -- states for the authorization matrices (tests/api/test_matrix.py, tests/ui/test_roles.py) --


def state_nothing(world: World, plugins: PluginHost) -> dict[str, str]:
    return {}


def state_draft(world: World, plugins: PluginHost) -> dict[str, str]:
    return {"item": make_item(world, plugins).external_id}


def state_in_review(world: World, plugins: PluginHost) -> dict[str, str]:
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    return {"item": item.external_id}


def state_approved(world: World, plugins: PluginHost) -> dict[str, str]:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer2, decision="approve")
    return {"item": item.external_id}


def one_row_spec(code: str) -> dict[str, Any]:
    """A blueprint of one single-choice numeric item (what ``make_item`` makes)."""
    return {
        "code": code,
        "title": "Satu butir",
        "total_length": 1,
        "sections": [
            {"title": "TIU", "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": 1}]}
        ],
    }


def _blueprint(world: World, plugins: PluginHost) -> Any:
    from itembank.operations.blueprints import create_blueprint
    from tests.factories import unique

    return create_blueprint(
        world.bank, one_row_spec(unique("BP-")), actor=world.bank_admin, plugins=plugins
    )


def state_code(world: World, plugins: PluginHost) -> dict[str, str]:
    from tests.factories import unique

    return {"code": unique("BP-")}


def state_blueprint(world: World, plugins: PluginHost) -> dict[str, str]:
    return {"blueprint": _blueprint(world, plugins).code}


def state_form(world: World, plugins: PluginHost) -> dict[str, str]:
    """An empty draft form, and an approved item that fills it."""
    from itembank.operations.forms import create_form

    form = create_form(world.bank, _blueprint(world, plugins), title="P", actor=world.bank_admin)
    return {"form": form.external_id, "item": approved(world, plugins).external_id}


def state_filled_form(world: World, plugins: PluginHost) -> dict[str, str]:
    """A draft form whose one entry makes it complete (it can be locked)."""
    from itembank.operations.forms import add_entry, get_form

    names = state_form(world, plugins)
    form = get_form(names["form"], actor=world.bank_admin)
    item = get_item_by_id(names["item"])
    entry = add_entry(form, item.approved_version, actor=world.bank_admin)
    return {**names, "entry": str(entry.id)}


def state_locked_form(world: World, plugins: PluginHost) -> dict[str, str]:
    """A locked form (it can be exported)."""
    from itembank.operations.forms import get_form, lock_form

    names = state_filled_form(world, plugins)
    lock_form(
        get_form(names["form"], actor=world.bank_admin), actor=world.bank_admin, plugins=plugins
    )
    return names


def state_enemies(world: World, plugins: PluginHost) -> dict[str, str]:
    from itembank.operations.enemies import mark_enemies

    one, two = approved(world, plugins), approved(world, plugins)
    pair = mark_enemies(one, two, actor=world.bank_admin)
    three = approved(world, plugins)
    return {"item": one.external_id, "item2": three.external_id, "pair": str(pair.id)}


def get_item_by_id(external_id: str) -> Item:
    import sqlalchemy as sa

    from itembank.extensions import db

    return db.session.scalars(sa.select(Item).where(Item.external_id == external_id)).one()


# -- states for the schemathesis run (tests/api/test_schemathesis.py) ------------------------


def build_form_states(world: World, plugins: PluginHost) -> dict[str, Any]:
    """Blueprints (one used, one not), a draft form with an entry, a locked form, an
    approved item not yet in a form and an enemy pair."""
    from itembank.operations.blueprints import create_blueprint
    from itembank.operations.enemies import mark_enemies
    from itembank.operations.forms import add_entry, create_form, lock_form

    used = create_blueprint(
        world.bank, one_row_spec("FUZZ-USED"), actor=world.bank_admin, plugins=plugins
    )
    create_blueprint(world.bank, one_row_spec("FUZZ-FREE"), actor=world.bank_admin, plugins=plugins)
    draft = create_form(world.bank, used, title="Draf", actor=world.bank_admin)
    locked = create_form(world.bank, used, title="Terkunci", actor=world.bank_admin)
    first, second, spare = (approved(world, plugins) for _ in range(3))
    entry = add_entry(draft, first.approved_version, actor=world.bank_admin)
    add_entry(locked, second.approved_version, actor=world.bank_admin)
    lock_form(locked, actor=world.bank_admin, plugins=plugins)
    pair = mark_enemies(first, second, actor=world.bank_admin, reason="kembar")
    return {
        "blueprints": ["FUZZ-USED", "FUZZ-FREE"],
        "forms": [draft.external_id, locked.external_id],
        "entry": entry.id,
        "spare_item": spare.external_id,
        "pair": pair.id,
        "approved_items": [first.external_id, second.external_id],
    }


def form_path_values(state: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        "blueprint_code": state["blueprints"],
        "form_id": state["forms"],
        "entry_id": [state["entry"]],
        "pair_id": [state["pair"]],
    }


def form_examples(state: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Valid requests, by operation label, for the operations random data rarely hits."""
    bank, (draft, locked) = state["bank"], state["forms"]
    spec = one_row_spec("FUZZ-NEW")
    body = {k: v for k, v in spec.items() if k != "code"}
    form = {"form_id": draft}
    return {
        "POST /api/v1/banks/{bank_code}/blueprints": [
            {"path_parameters": {"bank_code": bank}, "body": spec}
        ],
        "PUT /api/v1/banks/{bank_code}/blueprints/{blueprint_code}": [
            {"path_parameters": {"bank_code": bank, "blueprint_code": "FUZZ-FREE"}, "body": body}
        ],
        "POST /api/v1/banks/{bank_code}/forms": [
            {
                "path_parameters": {"bank_code": bank},
                "body": {"blueprint": "FUZZ-USED", "title": "Paket"},
            }
        ],
        "POST /api/v1/forms/{form_id}/entries": [
            {"path_parameters": form, "body": {"item": state["spare_item"], "position": 1}}
        ],
        "PATCH /api/v1/forms/{form_id}/entries/{entry_id}": [
            {"path_parameters": {**form, "entry_id": state["entry"]}, "body": {"latest": True}}
        ],
        "PUT /api/v1/forms/{form_id}/order": [
            {
                "path_parameters": form,
                "body": {"sections": [{"section": 1, "entries": [state["entry"]]}]},
            }
        ],
        "POST /api/v1/forms/{form_id}/clone": [
            {"path_parameters": {"form_id": locked}, "body": {"title": "Salinan"}}
        ],
        "POST /api/v1/banks/{bank_code}/enemies": [
            {
                "path_parameters": {"bank_code": bank},
                "body": {"items": [state["spare_item"], state["approved_items"][0]]},
            }
        ],
    }
