"""Filling a form in a real browser: ticking several items and *fill this row* change
the form in place, without loading a new page, and say what they did."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from tests.browser.conftest import LiveServer

BANK = "CACT-DEMO"
expect.set_options(timeout=10_000)


def _draft_form(server: LiveServer) -> str:
    from itembank.models import Blueprint
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.forms import create_form

    with server.app.app_context():
        bank = get_bank(BANK)
        blueprint = db.session.query(Blueprint).filter_by(bank_id=bank.id).first()
        form = create_form(bank, blueprint, title="Paket isi cepat", actor=get_user("perakit"))
        db.session.commit()
        external_id = form.external_id
        db.session.remove()
    return external_id


def test_ticked_items_and_a_row_fill_in_place(login: Any, live_server: LiveServer) -> None:
    form_id = _draft_form(live_server)
    assembler = login("perakit")
    page = assembler.page
    page.goto(assembler.url(f"/forms/{form_id}"))
    expect(page.locator("#form-length")).to_contain_text("0 dari")
    page.evaluate("window.__samePage = true")

    boxes = page.locator('input[type="checkbox"][form="add-several-form"]')
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Tambahkan butir yang dicentang").click()
    expect(page.locator("#form-length")).to_contain_text("2 dari")
    expect(page.locator(".flashes-toast")).to_contain_text("2 butir ditambahkan.")
    assert page.evaluate("window.__samePage") is True  # no new page was loaded

    fill = page.get_by_role("button", name=re.compile(r"^Isi baris 1\.1 "))
    fill.click()
    expect(page.locator(".flashes-toast")).to_contain_text("Baris 1.1:")
    assert page.evaluate("window.__samePage") is True
    length = page.locator("#form-length").inner_text()
    assert int(re.match(r"(\d+)", length).group(1)) > 2
    assembler.check_accessible_names()
    assembler.shot("80-perakit-form-fill")
