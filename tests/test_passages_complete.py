"""What passages have that items have: notifications of their review, comments on their
versions, retiring, the differences between versions, and the item's content hash
naming the passage version it pins."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import AuditEvent, ItemVersion, Notification
from itembank.operations.content import content_hash
from itembank.operations.items import start_new_draft, update_draft
from itembank.operations.notifications import describe, link
from itembank.operations.passage_reviews import (
    add_passage_comment,
    retire_passage,
    review_passage_version,
    submit_passage_version,
    withdraw_passage_version,
)
from itembank.operations.passage_sets import pinnable_version, set_item_passage
from itembank.operations.passages import (
    create_passage,
    diff_passage_versions,
    list_passages,
    read_passage_comments,
    start_new_passage_draft,
    update_passage_draft,
)
from itembank.operations.reviews import review_version, submit_version
from itembank.operations.similarity import exact_copies
from tests.factories import World, make_item
from tests.test_passages import BODY, actions, approved_passage


def notifications(user: Any) -> list[Notification]:
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.recipient_id == user.id)
            .order_by(Notification.id)
        )
    )


# -- notifications -------------------------------------------------------------------------


def test_reviewers_are_told_a_passage_waits_and_authors_hear_the_decision(world: World) -> None:
    passage = create_passage(world.bank, actor=world.author, title="Hutan", body=BODY)
    draft = passage.latest_version
    update_passage_draft(draft, actor=world.author2, base_revision=1, title="Hutan kota")
    submit_passage_version(draft, actor=world.author)
    # every reviewer of the bank who may review it; not the authors who wrote it
    for reviewer in (world.reviewer, world.reviewer2, world.author_reviewer):
        (waiting,) = notifications(reviewer)
        assert (waiting.kind, waiting.object_type) == ("review_waiting", "passage")
        assert waiting.object_id == passage.external_id and waiting.params["version"] == 1
        assert link(waiting) == f"/passages/{passage.external_id}/versions/1/review"
        assert passage.external_id in describe(waiting)["en"]
    assert notifications(world.author) == notifications(world.author2) == []
    review_passage_version(
        draft, actor=world.reviewer, decision="request_changes", comment="Judul kurang jelas."
    )
    for author in (world.author, world.author2):
        (decided,) = notifications(author)
        assert decided.kind == "changes_requested" and decided.object_type == "passage"
        assert decided.params["comment"] == "Judul kurang jelas."
        assert link(decided) == f"/passages/{passage.external_id}/versions/1"
    assert len(notifications(world.reviewer)) == 1  # whoever decided is not told


def test_an_approval_is_told_once_the_count_is_reached(session: Any) -> None:
    world = World(required_approvals=2)
    passage = create_passage(world.bank, actor=world.author, title="T", body=BODY)
    version = submit_passage_version(passage.latest_version, actor=world.author)
    review_passage_version(version, actor=world.reviewer, decision="approve")
    assert [n.kind for n in notifications(world.author)] == []
    review_passage_version(version, actor=world.reviewer2, decision="approve")
    assert [n.kind for n in notifications(world.author)] == ["approved"]


# -- comments ------------------------------------------------------------------------------


def test_authors_and_reviewers_comment_on_passage_versions(world: World) -> None:
    passage = create_passage(world.bank, actor=world.author, title="T", body=BODY)
    version = passage.latest_version
    first = add_passage_comment(version, actor=world.reviewer, body="  Tabelnya rapi. ")
    second = add_passage_comment(version, actor=world.author, body="Judul diganti?", field="title")
    assert (first.body, first.field, second.field) == ("Tabelnya rapi.", None, "title")
    assert read_passage_comments(version, actor=world.author2, via="test") == [first, second]
    assert actions(passage)[-3:] == ["passage.comment", "passage.comment", "passage.comment_read"]
    with pytest.raises(InvalidInput, match="empty"):
        add_passage_comment(version, actor=world.author, body="   ")
    with pytest.raises(InvalidInput, match="longer than"):
        add_passage_comment(version, actor=world.author, body="x" * 10_001)
    with pytest.raises(InvalidInput, match="field path"):
        add_passage_comment(version, actor=world.author, body="x", field="f" * 201)
    for who in ("assembler", "bank_admin"):
        with pytest.raises(PermissionDenied, match="comment on passages"):
            add_passage_comment(version, actor=getattr(world, who), body="x")
    with pytest.raises(NotFound):
        add_passage_comment(version, actor=world.outsider, body="x")


# -- retiring ------------------------------------------------------------------------------


def test_a_retired_passage_is_pinned_by_no_new_item_and_kept_by_its_items(
    world: World, plugins: Any
) -> None:
    passage = approved_passage(world)
    approved = passage.approved_version
    item = make_item(world, plugins)
    set_item_passage(item.latest_version, actor=world.author, passage=approved)
    submitted = submit_version(item.latest_version, actor=world.author)
    review_version(submitted, actor=world.reviewer, decision="approve")

    for who in ("author", "reviewer", "assembler"):
        with pytest.raises(PermissionDenied, match="retire passages"):
            retire_passage(passage, actor=getattr(world, who), reason="Usang.")
    with pytest.raises(InvalidInput, match="say why"):
        retire_passage(passage, actor=world.bank_admin, reason="  ")
    retire_passage(passage, actor=world.bank_admin, reason="Data sudah usang.")
    assert passage.is_retired and passage.retired_by_id == world.bank_admin.id
    assert actions(passage)[-1] == "passage.retire"
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "passage.retire")
    ).one()
    assert event.reason == "Data sudah usang." and event.bank_id == world.bank.id
    with pytest.raises(Conflict, match="already retired"):
        retire_passage(passage, actor=world.bank_admin, reason="Lagi.")

    # no new item pins it, by its id or by a version
    other = make_item(world, plugins)
    found = pinnable_version(world.bank, passage.external_id, None)
    with pytest.raises(InvalidInput, match="retired"):
        set_item_passage(other.latest_version, actor=world.author, passage=found)
    assert list_passages(world.bank, actor=world.author, retired=False)["total"] == 0
    assert list_passages(world.bank, actor=world.author, retired=True)["total"] == 1
    # nor does it get a new version
    with pytest.raises(Conflict, match="retired"):
        start_new_passage_draft(passage, actor=world.author)

    # the item that pins it keeps it: its next version too, which still goes to review
    draft = start_new_draft(item, actor=world.author)
    assert draft.passage_version_id == approved.id
    update_draft(
        draft, actor=world.author, plugins=plugins, base_revision=1, stem="<p>Apa judulnya?</p>"
    )
    set_item_passage(draft, actor=world.author, passage=approved)  # unchanged: allowed
    assert submit_version(draft, actor=world.author).status == "in_review"


def test_a_passage_with_an_open_version_is_not_retired(world: World) -> None:
    passage = create_passage(world.bank, actor=world.author, title="T", body=BODY)
    with pytest.raises(Conflict, match="is draft"):
        retire_passage(passage, actor=world.bank_admin, reason="Tidak dipakai.")
    version = submit_passage_version(passage.latest_version, actor=world.author)
    with pytest.raises(Conflict, match="is in_review"):
        retire_passage(passage, actor=world.bank_admin, reason="Tidak dipakai.")
    withdraw_passage_version(version, actor=world.author)
    assert retire_passage(passage, actor=world.bank_admin, reason="Tidak dipakai.").is_retired


# -- differences ---------------------------------------------------------------------------


def test_the_diff_of_two_passage_versions_is_word_by_word(world: World) -> None:
    passage = approved_passage(world)
    draft = start_new_passage_draft(passage, actor=world.author)
    update_passage_draft(
        draft,
        actor=world.author,
        base_revision=draft.revision,
        title="Layanan luring",
        body=BODY.replace("layanan daring", "layanan terpadu"),
    )
    diff = diff_passage_versions(passage, 1, 2, actor=world.reviewer)
    assert (diff["from"], diff["to"], diff["changed"]) == (1, 2, True)
    assert {"op": "delete", "text": "daring"} in diff["title"]["ops"]
    assert {"op": "insert", "text": "luring"} in diff["title"]["ops"]
    assert {"op": "delete", "text": "daring"} in diff["body"]["ops"]
    assert {"op": "insert", "text": "terpadu"} in diff["body"]["ops"]
    same = diff_passage_versions(passage, 1, 1, actor=world.reviewer)
    assert not same["changed"] and same["title"]["ops"] == same["body"]["ops"] == []


# -- the item's content hash ---------------------------------------------------------------


def test_an_items_content_hash_names_the_passage_version_it_pins(
    world: World, plugins: Any
) -> None:
    first = approved_passage(world)
    second = approved_passage(world, body="<p>Teks lain sama sekali.</p>")
    item = make_item(world, plugins)
    twin = make_item(world, plugins)
    draft = item.latest_version
    alone = draft.content_hash
    assert twin.latest_version.content_hash == alone  # the same question, no passage
    set_item_passage(draft, actor=world.author, passage=first.approved_version)
    on_first = draft.content_hash
    assert on_first == content_hash(
        "single_choice", draft.stem, draft.content, draft.meta, first.approved_version.content_hash
    )
    set_item_passage(twin.latest_version, actor=world.author, passage=second.approved_version)
    # the same question about two texts is two items, not copies of each other
    assert twin.latest_version.content_hash not in (alone, on_first)
    assert set(exact_copies(world.bank, [on_first])) == {on_first}
    assert exact_copies(world.bank, [on_first])[on_first].external_id == item.external_id
    # saving the draft unchanged keeps it: nothing changed, no new revision
    revision = draft.revision
    update_draft(draft, actor=world.author, plugins=plugins, base_revision=revision)
    assert (draft.revision, draft.content_hash) == (revision, on_first)
    set_item_passage(draft, actor=world.author, passage=None)
    assert draft.content_hash == alone


def test_editing_a_pinned_passage_draft_rehashes_the_item_drafts(
    world: World, plugins: Any
) -> None:
    passage = create_passage(world.bank, actor=world.author, title="T", body=BODY)
    item = make_item(world, plugins)
    draft = item.latest_version
    set_item_passage(draft, actor=world.author, passage=passage.latest_version)
    revision, before = draft.revision, draft.content_hash
    update_passage_draft(
        passage.latest_version, actor=world.author, base_revision=1, body="<p>Baru.</p>"
    )
    db.session.expire_all()
    fresh = db.session.get(ItemVersion, draft.id)
    assert fresh is not None and fresh.revision == revision  # the item's editors lose nothing
    assert fresh.content_hash != before
    assert fresh.content_hash == content_hash(
        "single_choice", fresh.stem, fresh.content, fresh.meta, passage.latest_version.content_hash
    )
