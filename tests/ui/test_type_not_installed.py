"""Items whose item-type plugin is not installed (here refused with
``ITEMBANK_PLUGINS_DENY``): the pages still open, and name the type in words with its
code beside them as code, never the bare id ``single_choice``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import Backend, make_app
from tests.factories import World
from tests.forms_helpers import state_locked_form
from tests.ui.conftest import UiClient, text
from tests.ui.test_i18n import leaks, visible_text

DENIED = "plugins.itemtypes.single_choice"


@pytest.fixture(scope="module")
def denied_app(backend: Backend) -> Iterator[Flask]:
    """The same database, served by an app that does not load the single-choice type."""
    app = make_app(backend, ITEMBANK_PLUGINS_DENY=[DENIED])
    assert "single_choice" not in app.extensions["itembank.plugins"].item_types
    yield app


def test_pages_name_a_type_that_is_not_installed(
    denied_app: Flask, session: Any, world: World, plugins: Any
) -> None:
    names = state_locked_form(world, plugins)  # an approved single-choice item on a form
    client = UiClient(denied_app.test_client())
    assert client.login(world.users["bank_admin"]).status_code == 303
    installed = sorted(denied_app.extensions["itembank.plugins"].item_types)
    for path in (
        f"/forms/{names['form']}",
        f"/items/{names['item']}",
        f"/banks/{world.bank.code}/items",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = text(response)
        shown = visible_text(html)
        assert "jenis soal tidak terpasang" in shown, path
        assert '<code class="type-code"' in html and ">single_choice</code>" in html, path
        assert leaks(html, [*installed, "single_choice"]) == [], path
    report = visible_text(text(client.get(f"/forms/{names['form']}")))
    assert f"Butir {names['item']} memakai jenis soal yang tidak terpasang" in report
