"""The passage pages: write a passage, put items in its set from the item editor,
review it, and see the passage beside the items (item page, set preview)."""

from __future__ import annotations

import json
import re
from typing import Any

from itembank.operations.passages import get_passage
from tests.factories import SINGLE_CHOICE, World, make_item
from tests.ui.conftest import text

BODY = "<p>Tabel izin:</p><table><tr><td>2024</td><td>1.200</td></tr></table>"


def _edit_form(passage: str, revision: int) -> dict[str, str]:
    return {
        "stem": "<p>Berapa izin pada 2024?</p>",
        "content": json.dumps(SINGLE_CHOICE),
        "metadata": json.dumps({"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]}),
        "base_revision": str(revision),
        "passage": passage,
        "action": "save",
    }


def test_a_passage_set_through_the_pages(as_user: Any, world: World, plugins: Any) -> None:
    author, reviewer = as_user("author"), as_user("reviewer")
    bank = world.bank.code
    editor = author.get(f"/banks/{bank}/passages/new")
    assert editor.status_code == 200 and 'id="body-editor"' in text(editor)
    saved = author.post(
        f"/banks/{bank}/passages/new",
        {"title": "Izin usaha", "body": BODY + "<script>x()</script>", "action": "submit"},
    )
    assert saved.status_code == 303
    passage = get_passage(f"{bank}-P00001", actor=world.author)
    assert passage.latest_version.status == "in_review"
    assert "<script" not in passage.latest_version.body

    # the author may not review their own passage; a reviewer approves it
    own = text(author.get(f"/passages/{passage.external_id}/versions/1/review"))
    assert 'id="cannot-decide"' in own
    decided = reviewer.post(
        f"/passages/{passage.external_id}/versions/1/review", {"decision": "approve"}
    )
    assert decided.status_code == 303
    assert passage.latest_version.status == "approved"

    # two items join the set from the item editor
    items = [make_item(world, plugins) for _ in range(2)]
    for item in items:
        page = text(author.get(f"/items/{item.external_id}/edit"))
        assert f'value="{passage.external_id}:1"' in page
        answer = author.post(
            f"/items/{item.external_id}/edit", _edit_form(f"{passage.external_id}:1", 1)
        )
        assert answer.status_code == 303, text(answer)
        assert item.latest_version.passage_version_id == passage.latest_version.id

    # the editor and the item page show the passage beside the item; the passage page
    # lists the set
    assert 'class="passage-box"' in text(author.get(f"/items/{items[0].external_id}/edit"))
    item_page = text(author.get(f"/items/{items[0].external_id}"))
    assert 'class="passage-box"' in item_page and "<td>1.200</td>" in item_page
    passage_page = text(reviewer.get(f"/passages/{passage.external_id}"))
    assert all(item.external_id in passage_page for item in items)
    preview = text(reviewer.get(f"/passages/{passage.external_id}/set"))
    assert preview.count('class="passage-box"') == 1
    assert preview.count('class="set-item"') == 2
    # the two items have the same stem and type: their controls still have ids (and
    # so labels) of their own
    ids = re.findall(r' id="([^"]+)"', preview)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)

    # unpinning: an empty choice
    revision = items[1].latest_version.revision
    answer = author.post(f"/items/{items[1].external_id}/edit", _edit_form("", revision))
    assert answer.status_code == 303
    assert items[1].latest_version.passage_version_id is None


def test_a_bad_passage_choice_is_a_clear_error(as_user: Any, world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    answer = as_user("author").post(
        f"/items/{item.external_id}/edit", _edit_form("NOPE-P00009:1", 1)
    )
    assert answer.status_code == 422
    assert "Bacaan NOPE-P00009 tidak ada" in text(answer)
    assert item.latest_version.revision == 1


def test_a_passage_review_needs_a_comment_to_send_back(as_user: Any, world: World) -> None:
    from itembank.operations.passage_reviews import submit_passage_version
    from itembank.operations.passages import create_passage

    passage = create_passage(world.bank, actor=world.author, title="T", body="<p>x</p>")
    submit_passage_version(passage.latest_version, actor=world.author)
    answer = as_user("reviewer").post(
        f"/passages/{passage.external_id}/versions/1/review", {"decision": "reject"}
    )
    assert answer.status_code == 422
    assert "Tuliskan alasan" in text(answer)
    assert passage.latest_version.status == "in_review"


def test_a_reviewer_finds_passages_to_review_on_the_dashboard(as_user: Any, world: World) -> None:
    from itembank.operations.passage_reviews import submit_passage_version
    from itembank.operations.passages import create_passage

    passage = create_passage(world.bank, actor=world.author, title="Bacaan telaah", body="<p>x</p>")
    submit_passage_version(passage.latest_version, actor=world.author_reviewer)
    review_link = f"/passages/{passage.external_id}/versions/1/review"
    assert review_link in text(as_user("reviewer").get("/"))
    # the submitter may not review it: it is not offered to them
    assert review_link not in text(as_user("author_reviewer").get("/"))


def test_a_stale_passage_edit_is_a_conflict_that_keeps_the_text(as_user: Any, world: World) -> None:
    from itembank.operations.passages import create_passage, update_passage_draft

    passage = create_passage(world.bank, actor=world.author, title="T", body="<p>satu</p>")
    update_passage_draft(
        passage.latest_version, actor=world.author2, base_revision=1, body="<p>dua</p>"
    )
    answer = as_user("author").post(
        f"/passages/{passage.external_id}/edit",
        {"title": "T", "body": "<p>tiga</p>", "base_revision": "1", "action": "save"},
    )
    assert answer.status_code == 409
    page = text(answer)
    assert 'id="conflict"' in page and world.author2.username in page
    assert "tiga" in page  # what was typed comes back to the editor
    assert passage.latest_version.body == "<p>dua</p>"


def test_the_review_page_shows_what_changed_and_takes_comments(as_user: Any, world: World) -> None:
    from itembank.operations.passage_reviews import review_passage_version, submit_passage_version
    from itembank.operations.passages import (
        create_passage,
        start_new_passage_draft,
        update_passage_draft,
    )

    passage = create_passage(
        world.bank, actor=world.author, title="Banjir", body="<p>Tiga hari.</p>"
    )
    review_passage_version(
        submit_passage_version(passage.latest_version, actor=world.author),
        actor=world.reviewer,
        decision="approve",
    )
    draft = start_new_passage_draft(passage, actor=world.author)
    update_passage_draft(draft, actor=world.author, base_revision=1, body="<p>Lima hari.</p>")
    submit_passage_version(draft, actor=world.author)
    reviewer = as_user("reviewer")
    review = f"/passages/{passage.external_id}/versions/2/review"
    page = text(reviewer.get(review))
    assert 'id="passage-diff"' in page
    assert "<del>Tiga</del>" in page and "<ins>Lima</ins>" in page
    added = reviewer.post(
        f"/passages/{passage.external_id}/versions/2/comments", {"body": "Sumber angkanya?"}
    )
    assert added.status_code == 303 and added.headers["Location"].endswith(review)
    assert "Sumber angkanya?" in text(reviewer.get(review))
    empty = reviewer.post(f"/passages/{passage.external_id}/versions/2/comments", {"body": " "})
    assert empty.status_code == 303
    assert [c.body for c in draft.comments] == ["Sumber angkanya?"]
    # an assembler may not comment
    refused = as_user("assembler").post(
        f"/passages/{passage.external_id}/versions/1/comments", {"body": "x"}
    )
    assert refused.status_code == 403


def test_a_bank_admin_retires_a_passage_from_its_page(
    as_user: Any, world: World, plugins: Any
) -> None:
    from itembank.operations.passage_reviews import review_passage_version, submit_passage_version
    from itembank.operations.passages import create_passage

    passage = create_passage(world.bank, actor=world.author, title="Lama", body="<p>x</p>")
    review_passage_version(
        submit_passage_version(passage.latest_version, actor=world.author),
        actor=world.reviewer,
        decision="approve",
    )
    from itembank.operations.passage_sets import set_item_passage

    pinned = make_item(world, plugins)
    set_item_passage(pinned.latest_version, actor=world.author, passage=passage.latest_version)
    address = f"/passages/{passage.external_id}"
    assert 'id="retire-form"' not in text(as_user("author").get(address))
    admin = as_user("bank_admin")
    assert 'id="retire-form"' in text(admin.get(address))
    no_reason = admin.post(f"{address}/retire", {"reason": ""})
    assert no_reason.status_code == 303 and not passage.is_retired
    assert as_user("author").post(f"{address}/retire", {"reason": "x"}).status_code == 403
    done = admin.post(f"{address}/retire", {"reason": "Data usang."})
    assert done.status_code == 303 and passage.is_retired
    page = text(admin.get(address))
    assert 'id="passage-retired"' in page and 'id="retire-form"' not in page
    # the item editor no longer offers it to a new item, nor may a draft choose it
    author = as_user("author")
    item = make_item(world, plugins)
    editor = text(author.get(f"/items/{item.external_id}/edit"))
    assert f'value="{passage.external_id}:1"' not in editor
    chosen = author.post(
        f"/items/{item.external_id}/edit", _edit_form(f"{passage.external_id}:1", 1)
    )
    assert chosen.status_code == 422 and item.latest_version.passage_version_id is None
    # while the item that pins it keeps it: its draft is saved with the passage as before
    kept = text(author.get(f"/items/{pinned.external_id}/edit"))
    assert f'value="{passage.external_id}:1"' in kept
    revision = pinned.latest_version.revision
    saved = author.post(
        f"/items/{pinned.external_id}/edit", _edit_form(f"{passage.external_id}:1", revision)
    )
    assert saved.status_code == 303, text(saved)
    assert pinned.latest_version.passage_version_id == passage.latest_version.id
