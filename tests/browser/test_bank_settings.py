"""The bank settings page in a real browser: the bank admin turns *every item must be
classified* off and on again from the item list's *Pengaturan bank*, and the writer's
editor follows: without the rule an unclassified draft has no problem; with it the
preview names the rule and *Simpan dan ajukan* is refused. The demo bank is left with
the rule on, as it started."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from itembank.extensions import db
from tests.browser.conftest import LiveServer
from tests.factories import SINGLE_CHOICE

BANK = "CACT-DEMO"
RULE = "Setiap butir wajib diklasifikasikan"
expect.set_options(timeout=15_000)


def _unclassified_draft(server: LiveServer) -> str:
    """A complete single-choice draft of ``penulis`` (five options, as the demo bank
    wants) with no classification."""
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.items import create_item

    content = {
        **SINGLE_CHOICE,
        "options": [
            *SINGLE_CHOICE["options"],
            {"id": "E", "text": "<p>lima</p>"},
        ][:5],
    }
    with server.app.app_context():
        item = create_item(
            get_bank(BANK),
            actor=get_user("penulis"),
            plugins=server.app.extensions["itembank.plugins"],
            item_type="single_choice",
            stem="<p>Berapa hasil 12 + 30?</p>",
            content=content,
            metadata={},
        )
        db.session.commit()
        external_id = item.external_id
        db.session.remove()
    return external_id


def _set_rule(admin: Any, on: bool) -> None:
    page = admin.page
    page.goto(admin.url(f"/banks/{BANK}/items"))
    page.get_by_role("link", name="Pengaturan bank").click()
    page.wait_for_url(re.compile(rf"/banks/{BANK}/settings$"))
    rule = page.get_by_label(re.compile(RULE))
    rule.set_checked(on)
    page.get_by_role("button", name="Simpan pengaturan").click()
    expect(page.locator(".flashes")).to_contain_text(f"Pengaturan bank {BANK} telah disimpan")
    expect(page.get_by_label(re.compile(RULE))).to_be_checked(checked=on)


def _restore(server: LiveServer) -> None:
    from itembank.operations.accounts import get_bank
    from itembank.operations.quality import writing_rules

    with server.app.app_context():
        bank = get_bank(BANK)
        rules = writing_rules(bank)
        if not rules["require_classification"]:
            bank.settings = {
                **bank.settings,
                "writing_rules": {**rules, "require_classification": True},
            }
            db.session.commit()
        db.session.remove()


def test_a_setting_changed_on_the_page_takes_effect(login: Any, live_server: LiveServer) -> None:
    draft = _unclassified_draft(live_server)
    admin, writer = login("admin"), login("penulis")
    problems = writer.page.locator("#preview-problems:not([aria-busy])")
    try:
        _set_rule(admin, on=False)
        writer.page.goto(writer.url(f"/items/{draft}/edit"))
        expect(problems.locator(".ok")).to_be_visible()  # "Tidak ada masalah."
        admin.shot("92-admin-bank-settings")

        _set_rule(admin, on=True)
        writer.page.reload()
        expect(problems).to_contain_text(f"Bank {BANK} mewajibkan klasifikasi")
        writer.page.get_by_role("button", name="Simpan dan ajukan untuk ditelaah").click()
        writer.page.wait_for_url(re.compile(rf"/items/{draft}/edit$"))
        expect(writer.page.locator("#problem-summary")).to_contain_text("mewajibkan klasifikasi")
        expect(writer.page.locator(".flashes")).to_contain_text("tidak diajukan")
    finally:
        _restore(live_server)
