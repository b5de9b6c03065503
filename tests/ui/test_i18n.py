"""Languages: Indonesian by default, English on request, every label translated."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo

from itembank.ui import catalog
from itembank.ui.i18n import compile_catalogs
from tests.ui.conftest import UiClient, text


def test_indonesian_is_the_default_and_english_is_one_click_away(ui: UiClient) -> None:
    page = text(ui.get("/login"))
    assert '<html lang="id">' in page and "Nama pengguna" in page and "Kata sandi" in page
    switched = ui.post("/language", {"lang": "en", "next": "/login"})
    assert switched.status_code == 303 and switched.location == "/login"
    page = text(ui.get("/login"))
    assert '<html lang="en">' in page and "Username" in page and "Password" in page
    ui.post("/language", {"lang": "xx", "next": "https://evil.example/"})
    assert '<html lang="en">' in text(ui.get("/login"))


def test_the_choice_survives_signing_in_and_out(ui: UiClient, world: Any) -> None:
    ui.post("/language", {"lang": "en", "next": "/login"})
    ui.login(world.author)
    assert "Dashboard" in text(ui.get("/"))
    ui.post("/logout")
    assert "Sign in" in text(ui.get("/login"))


def test_domain_texts_follow_the_language(as_user: Any, world: Any) -> None:
    author = as_user("author")
    new = text(author.get(f"/banks/{world.bank.code}/items/new"))
    assert "Pilihan berbobot" in new
    author.post("/language", {"lang": "en", "next": "/"})
    new = text(author.get(f"/banks/{world.bank.code}/items/new"))
    assert "Weighted options" in new and "Pilihan berbobot" not in new


def test_every_label_has_an_indonesian_translation() -> None:
    template = catalog.extract()
    assert len(template) > 200
    assert catalog.untranslated(catalog.read_catalog(), template) == []


def test_catalogues_are_compiled_when_stale(tmp_path: Path) -> None:
    po = tmp_path / "id" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(catalog.PO_FILE.read_bytes())
    written = compile_catalogs(tmp_path)
    mo = po.with_suffix(".mo")
    assert written == [mo]
    with mo.open("rb") as file:
        compiled = read_mo(file)
    assert compiled.get("Sign in").string == "Masuk"
    assert compile_catalogs(tmp_path) == []  # up to date: nothing to do
    later = time.time() + 10
    os.utime(po, (later, later))
    assert compile_catalogs(tmp_path) == [mo]


def test_refusals_are_explained_in_indonesian(as_user: Any, world: Any) -> None:
    reviewer = as_user("reviewer")
    refused = reviewer.get(f"/banks/{world.bank.code}/items/new")
    assert refused.status_code == 403
    page = text(refused)
    assert f"Anda memerlukan peran penulis soal di bank {world.bank.code} untuk" in page
    assert "you need the role" not in page
    reviewer.post("/language", {"lang": "en", "next": "/"})
    english = text(reviewer.get(f"/banks/{world.bank.code}/items/new"))
    assert f"you need the role author in bank {world.bank.code}" in english


def test_every_refused_action_has_indonesian_words() -> None:
    import re

    from itembank.access import DOING_ID

    package = Path(catalog.PACKAGE)
    actions = {
        match
        for path in package.rglob("*.py")
        for match in re.findall(r'\bdoing="([^"]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(actions) > 30
    assert sorted(actions - DOING_ID.keys()) == []
