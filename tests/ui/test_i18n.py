"""Languages: Indonesian by default, English on request, every label translated."""

from __future__ import annotations

import os
import re
import time
from html.parser import HTMLParser
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


class _VisibleText(HTMLParser):
    """The text a reader sees: no tags, attribute values, scripts, styles, or code and
    pre blocks (which legitimately show identifiers)."""

    HIDDEN = frozenset({"script", "style", "code", "pre", "template", "textarea"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


#: Words that give away English (or internal codes) in an Indonesian page.
TELLTALES = (
    r"\bthe\b",
    r"\byou need\b",
    r"\brequired\b",
    r"\bnone\b",
    r"\bstrict\b",
    r"\bNot a valid\b",
    r"\bBahasa:? id\b",
)


#: Numbers written the English (or no) way in an Indonesian page: a decimal point where
#: it cannot be a thousands group ("0.5", "12.75", "3.14159"; not a row label "1.2", not
#: "QTI 2.1") and four or more digits without grouping ("10000"; not a year, an item
#: code, a time or an id after #).
RAW_NUMBERS = (
    r"(?<![\w.,])(?:0\.\d+|\d+\.\d{4,}|\d{2,}\.\d{1,2})(?!\w|[.,]\d)",
    r"(?<![\w.,:#/-])(?!(?:19|20)\d\d\b)\d{4,}(?!\w|[.,:/-]\w)",
)


def leaks(html: str, type_ids: list[str]) -> list[str]:
    shown = visible_text(html)
    found = []
    for pattern in (*TELLTALES, *RAW_NUMBERS, *(rf"\b{re.escape(t)}\b" for t in type_ids)):
        for match in re.finditer(pattern, shown):
            found.append(shown[max(0, match.start() - 40) : match.end() + 40])
    return found


def _main_pages(world: Any, plugins: Any, author: UiClient) -> dict[str, list[str]]:
    """The main pages, by the roles that see them, over a bank holding a draft, an
    item in review, approved items, a locked form, a blueprint and an import."""
    from tests.forms_helpers import state_locked_form
    from tests.import_helpers import SC_ROW, csv_bytes
    from tests.ui.test_import_pages import report_of, upload
    from tests.ui.test_roles import _draft, _in_review

    bank = world.bank.code
    draft = _draft(world, plugins)["item"]
    in_review = _in_review(world, plugins)["item"]
    names = state_locked_form(world, plugins)
    approved, form = names["item"], names["form"]
    from itembank.extensions import db
    from itembank.models import Blueprint

    blueprint = db.session.scalars(
        db.select(Blueprint).where(Blueprint.bank_id == world.bank.id)
    ).first()
    from tests.api.test_matrix import _passage_approved, _passage_in_review

    passage = _passage_approved(world, plugins)["passage"]
    passage_in_review = _passage_in_review(world, plugins)["passage"]
    started = upload(author, bank, csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}]), mode="valid_only")
    report = report_of(author, started.location)
    everyone = [
        "/",
        "/notifications",
        f"/banks/{bank}/items",
        f"/items/{approved}",
        f"/items/{approved}/versions/1",
        "/passages",
        f"/banks/{bank}/passages",
        f"/passages/{passage}",
        f"/passages/{passage}/set",
    ]
    forms = [
        "/forms",
        "/blueprints",
        "/administrations",
        "/review-flags",
        f"/banks/{bank}/administrations",
        f"/banks/{bank}/review-flags",
        f"/banks/{bank}/forms",
        f"/forms/{form}",
        f"/forms/{form}/analysis",
        f"/banks/{bank}/blueprints",
        f"/banks/{bank}/blueprints/{blueprint.code}",
        f"/items/{approved}/statistics",
    ]
    return {
        "author": [
            *everyone,
            f"/items/{draft}",
            f"/items/{draft}/edit",
            f"/banks/{bank}/items/new?type=single_choice",
            f"/banks/{bank}/imports",
            f"/banks/{bank}/passages/new",
            report,
        ],
        "reviewer": [
            *everyone,
            f"/items/{in_review}/versions/1/review",
            f"/items/{approved}/statistics",
            f"/passages/{passage_in_review}/versions/1/review",
        ],
        "assembler": everyone + forms,
        "bank_admin": everyone
        + forms
        + [
            f"/banks/{bank}/blueprints/{blueprint.code}/edit",
            f"/banks/{bank}/imports",
            f"/banks/{bank}/settings",
            report,
        ],
    }


def test_indonesian_pages_show_no_english_or_codes(as_user: Any, world: Any, plugins: Any) -> None:
    type_ids = sorted(plugins.item_types)
    assert "single_choice" in type_ids
    pages = _main_pages(world, plugins, as_user("author"))
    found: dict[str, list[str]] = {}
    for role, paths in pages.items():
        client = as_user(role)
        for path in paths:
            response = client.get(path, follow_redirects=True)
            assert response.status_code == 200, (role, path, response.status_code)
            html = text(response)
            assert '<html lang="id">' in html
            if leaked := leaks(html, type_ids):
                found[f"{role} {path}"] = leaked
    assert found == {}


def test_the_leak_check_sees_english_and_codes() -> None:
    html = (
        "<p>you need the role author</p><p data-x='strict'>Pilihan</p>"
        "<code>single_choice</code><td>single_choice</td>"
    )
    assert len(leaks(html, ["single_choice"])) == 3
    numbers = "<p>12345 butir, p = 0.52, 3.14159; 12.345 butir, p = 0,52, QTI 2.1, 6 Des 2026</p>"
    raw = [m.group(0) for pattern in RAW_NUMBERS for m in re.finditer(pattern, numbers)]
    assert sorted(raw) == ["0.52", "12345", "3.14159"] and len(leaks(numbers, [])) == 3


def test_item_facts_read_as_words(as_user: Any, world: Any, plugins: Any) -> None:
    from tests.factories import TKP, make_item

    item = make_item(
        world,
        plugins,
        item_type="weighted_options",
        content=TKP,
        metadata={"language": "id"},
    )
    page = visible_text(text(as_user("author").get(f"/items/{item.external_id}")))
    assert "terendah: 1, tertinggi: 5" in page and "min: 1" not in page
    assert "Bahasa Bahasa Indonesia" in page and "Bahasa id" not in page
    assert "weighted_options" not in page


def test_numbers_are_written_the_indonesian_way(as_user: Any, world: Any, plugins: Any) -> None:
    from tests.factories import make_item

    make_item(world, plugins)
    author = as_user("author")
    page = visible_text(text(author.get(f"/banks/{world.bank.code}/items")))
    assert "Paling banyak 1.000 butir per tindakan" in page
    author.post("/language", {"lang": "en", "next": "/"})
    english = visible_text(text(author.get(f"/banks/{world.bank.code}/items")))
    assert "At most 1,000 items per action" in english


def test_numbers_in_messages_are_written_the_indonesian_way(app: Any, ui: UiClient) -> None:
    """Counts and figures put into translated texts (templates, flash messages) and the
    statistics helpers come out grouped and with a decimal comma; identifiers do not."""
    from flask import render_template_string

    from itembank.ui.analyses import num, pct
    from itembank.ui.i18n import gettext, ngettext

    template = (
        "{{ ngettext('%(num)d item', '%(num)d items', n) }} | "
        "{{ _('%(have)d of %(need)d items', have=n, need=20000) }} | "
        "{{ _('Version %(number)d', number=1234) }} | {{ share|number(2) }} | "
        "{{ [1.5, 2]|map('number', 1)|join('; ') }}"
    )
    with app.test_request_context("/"):
        shown = render_template_string(template, n=12345, share=0.5)
        assert shown == "12.345 butir | 12.345 dari 20.000 butir | Versi 1234 | 0,50 | 1,5; 2,0"
        assert gettext("%(num)d notifications marked read.", num=1500).startswith("1.500 ")
        assert ngettext("%(num)d item", "%(num)d items", 2500) == "2.500 butir"
        assert (num(0.5), pct(0.125), num(None)) == ("0,50", "12,5 %", "—")


def test_locking_a_form_is_not_worded_like_the_answer_key(
    as_user: Any, world: Any, plugins: Any
) -> None:
    from tests.forms_helpers import state_filled_form

    form = state_filled_form(world, plugins)["form"]
    page = text(as_user("bank_admin").get(f"/forms/{form}"))
    lock = re.search(r'id="lock-button"[^>]*>([^<]+)</button>', page)
    assert lock and lock.group(1) == "Finalkan paket"
    assert "Kunci paket" not in visible_text(page)


def test_a_fraction_where_a_whole_number_belongs_is_refused_in_indonesian(
    as_user: Any, world: Any
) -> None:
    import json

    from tests.factories import TKP

    author = as_user("author")
    bad = {**TKP, "options": [{**TKP["options"][0], "weight": 1.5}, *TKP["options"][1:]]}
    saved = author.post(
        f"/banks/{world.bank.code}/items/new?type=weighted_options",
        {
            "stem": "<p>Sikap Anda?</p>",
            "content": json.dumps(bad),
            "metadata": "{}",
            "action": "save",
        },
    )
    shown = visible_text(text(author.get(saved.location)))
    assert saved.status_code == 303
    assert "Bobot pilihan 'A' harus bilangan bulat dari 1 sampai 5." in shown
    assert "Not a valid" not in shown and "whole number" not in shown


def test_a_fraction_refused_by_the_content_schema_reads_indonesian(
    as_user: Any, world: Any, plugins: Any
) -> None:
    import json

    content = {**plugins.item_types["multiple_response"].example_content(), "min_choices": 1.5}
    page = as_user("author").post(
        f"/banks/{world.bank.code}/items/new?type=multiple_response",
        {
            "stem": "<p>Pilih yang benar.</p>",
            "content": json.dumps(content),
            "metadata": "{}",
            "action": "save",
        },
    )
    assert page.status_code == 422
    shown = visible_text(text(page))
    assert "Harus berupa bilangan bulat." in shown
    assert "Not a valid" not in shown
