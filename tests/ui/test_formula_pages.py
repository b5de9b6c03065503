"""Formulas (MathML) on the server-rendered pages: the item and review pages and the printed
form show the MathML as stored; the item list, whose excerpts are plain text, writes it
as a readable line."""

from __future__ import annotations

from typing import Any

from itembank.operations.blueprints import create_blueprint
from itembank.operations.forms import add_entry, create_form
from itembank.operations.reviews import review_version, submit_version
from tests.factories import SINGLE_CHOICE, World, make_item
from tests.forms_helpers import blueprint_spec
from tests.test_sanitize_math import FORMULA
from tests.ui.conftest import text

STEM = f"<p>Hasil dari {FORMULA} adalah ...</p>"
ROOT = "<math><msqrt><mn>144</mn></msqrt></math>"


def _item(world: World, plugins: Any) -> Any:
    options = [{**SINGLE_CHOICE["options"][0], "text": ROOT}, *SINGLE_CHOICE["options"][1:]]
    return make_item(world, plugins, stem=STEM, content={**SINGLE_CHOICE, "options": options})


def test_item_review_and_list_pages_show_formulas(as_user: Any, world: World, plugins: Any) -> None:
    item = _item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    client = as_user("reviewer")
    for path in (f"/items/{item.external_id}", f"/items/{item.external_id}/versions/1/review"):
        body = text(client.get(path))
        assert FORMULA in body, path
        assert ROOT in body, path
    listing = text(client.get(f"/banks/{world.bank.code}/items"))
    assert "Hasil dari (2^5+3^4)/√9 adalah ..." in listing
    assert "<math" not in listing


def test_the_printed_form_shows_formulas(as_user: Any, world: World, plugins: Any) -> None:
    item = _item(world, plugins)
    review_version(
        submit_version(item.latest_version, actor=world.author),
        actor=world.reviewer,
        decision="approve",
    )
    blueprint = create_blueprint(
        world.bank, blueprint_spec("SKD-RUMUS"), actor=world.bank_admin, plugins=plugins
    )
    form = create_form(world.bank, blueprint, title="Paket rumus", actor=world.bank_admin)
    add_entry(form, item.approved_version, actor=world.bank_admin)
    for variant in ("candidate", "reviewer"):
        page = as_user("assembler").get(f"/forms/{form.external_id}/booklet?variant={variant}")
        assert page.status_code == 200
        body = text(page)
        assert FORMULA in body and ROOT in body, variant
