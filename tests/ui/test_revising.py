"""Revising an item: the reviewers' notes in the editor, and a history in words."""

from __future__ import annotations

from typing import Any

from itembank.operations.items import start_new_draft
from itembank.operations.reviews import add_comment, review_version, submit_version
from tests.factories import World, make_item
from tests.forms_helpers import get_item_by_id, state_filled_form
from tests.ui.conftest import text


def test_the_editor_shows_the_reviewers_notes_while_revising(
    as_user: Any, world: World, plugins: Any
) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    add_comment(version, actor=world.reviewer2, body="Angka diskon di pokok soal tidak jelas.")
    review_version(
        version,
        actor=world.reviewer,
        decision="request_changes",
        comment="Pengecoh C terlalu jauh dari kunci; dekatkan nilainya.",
    )
    start_new_draft(item, actor=world.author)
    body = text(as_user("author").get(f"/items/{item.external_id}/edit"))
    notes = body.split('id="reviewer-notes"')[1].split("</details>")[0]
    assert "Catatan penelaah untuk versi 1" in notes
    assert "Pengecoh C terlalu jauh dari kunci; dekatkan nilainya." in notes
    assert world.reviewer.name in notes and "meminta revisi" in notes
    assert "Angka diskon di pokok soal tidak jelas." in notes


def test_a_first_draft_has_no_reviewers_notes(as_user: Any, world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    body = text(as_user("author").get(f"/items/{item.external_id}/edit"))
    assert 'id="reviewer-notes"' not in body


def test_the_history_reads_as_words_and_names_the_form(
    as_user: Any, world: World, plugins: Any
) -> None:
    names = state_filled_form(world, plugins)
    item = get_item_by_id(names["item"])
    body = text(as_user("bank_admin").get(f"/items/{item.external_id}"))
    history = body.split('class="history"')[1].split("</ol>")[0]
    assert "form.entry_add" not in history
    assert f"menambahkan butir ke paket {names['form']}" in history
    assert f'href="/forms/{names["form"]}"' in history
    assert "mengajukan untuk ditelaah" in history
    assert "(versi 1)" in history
