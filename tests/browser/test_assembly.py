"""Automated assembly in the browser: a small simulated bank, Rakit otomatis on its
blueprint, the job page opening the comparison (chart, overlap matrix), accepting the
forms and following a link to one of them."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from tests.browser.conftest import PASSWORD, LiveServer

#: The simulated bank's own assembler: the demo's perakit stays in one bank, as the
#: other browser tests expect (with two banks the menu asks which bank first).
ASSEMBLER = "perakit-simulasi"


def _simulated_bank(live_server: LiveServer) -> tuple[str, str]:
    from itembank.operations.accounts import create_user, get_user
    from itembank.operations.simulated_bank import simulate_bank

    with live_server.app.app_context():
        assembler = create_user(ASSEMBLER, PASSWORD, actor=None, display_name="Perakit Simulasi")
        made = simulate_bank(
            live_server.app.extensions["itembank.plugins"],
            code="SIM-BROWSER",
            items=150,
            length=20,
            seed=5,
            admin=get_user("admin"),
            assembler=assembler,
        )
        names = (made.bank.code, made.blueprint_code)
        db.session.commit()
        db.session.remove()
    return names


def test_assemble_on_a_simulated_bank_and_accept(login: Any, live_server: LiveServer) -> None:
    code, blueprint = _simulated_bank(live_server)
    assembler = login(ASSEMBLER)
    page = assembler.page
    page.goto(assembler.url(f"/banks/{code}/blueprints/{blueprint}"))
    page.locator("#blueprint-assemble").click()
    page.wait_for_url(re.compile(r"/assemble$"))
    page.locator("#f-forms").fill("3")
    page.locator("#assemble-start").click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    result = page.locator("[data-job-result-link]")
    expect(result).to_be_visible()
    result.click()
    page.wait_for_url(re.compile(r"/banks/[^/]+/assemblies/\d+$"))
    expect(page.locator("#tif-chart .tif-curve")).to_have_count(3)
    expect(page.locator("#run-overlap tbody tr")).to_have_count(3)
    expect(page.locator("#run-gap")).to_be_visible()
    page.locator("#run-accept").click()
    links = page.locator("#run-forms a")
    expect(links).to_have_count(3)
    links.first.click()
    page.wait_for_url(re.compile(r"/forms/"))
    expect(page.locator("h1")).to_contain_text("rakitan")
