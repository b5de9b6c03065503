"""Items through the review workflow, via the domain operations."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied, StaleEdit
from itembank.extensions import db
from itembank.models import AuditEvent, Item, Review
from itembank.operations.items import current_draft, draft_problems, start_new_draft, update_draft
from itembank.operations.reviews import add_comment, retire_item, review_version, submit_version
from itembank.workflow import TransitionNotAllowed
from tests.factories import SINGLE_CHOICE, World, make_item


def audit(item: Any) -> list[tuple[str, str | None, str | None]]:
    rows = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.item_id == item.id).order_by(AuditEvent.id)
    )
    return [(e.action, e.from_status, e.to_status) for e in rows]


def approved_item(world: World, plugins: Any) -> Any:
    item = make_item(world, plugins)
    version = submit_version(item.versions[0], actor=world.author)
    review_version(version, actor=world.reviewer, decision="approve")
    return item


# -- creating ---------------------------------------------------------------------------


def test_create_item_starts_a_draft(world: World, plugins: Any) -> None:
    item = make_item(world, plugins, stem="<p onclick='x()'>Berapa?<script>alert(1)</script></p>")
    assert item.external_id == f"{world.bank.code}-{item.number:06d}"
    version = item.latest_version
    assert (version.number, version.status, version.revision) == (1, "draft", 1)
    assert version.stem == "<p>Berapa?</p>"
    assert version.meta["language"] == "id"
    assert version.contributor_ids == {world.author.id}
    assert len(version.content_hash) == 64
    codes = [c.node.code for c in version.classifications]
    assert codes == ["TIU.NUM"]
    assert audit(item) == [("item.create", None, "draft")]


def test_item_numbers_are_sequential_per_bank(world: World, plugins: Any) -> None:
    first, second = make_item(world, plugins), make_item(world, plugins)
    assert second.number == first.number + 1
    assert second.external_id.endswith(f"{second.number:06d}")


@pytest.mark.parametrize("who", ["reviewer", "assembler", "bank_admin"])
def test_only_authors_create_items(world: World, plugins: Any, who: str) -> None:
    with pytest.raises(PermissionDenied, match="you need the role author in bank"):
        make_item(world, plugins, actor=world.users[who])


def test_outsiders_are_told_the_bank_does_not_exist(world: World, plugins: Any) -> None:
    with pytest.raises(NotFound, match="no bank"):
        make_item(world, plugins, actor=world.outsider)


def test_unknown_item_type_is_refused(world: World, plugins: Any) -> None:
    with pytest.raises(InvalidInput, match="unknown item type 'essay2'") as info:
        make_item(world, plugins, item_type="essay2")
    assert info.value.problems[0]["field"] == "type"


def test_invalid_content_reports_every_problem_with_its_field(world: World, plugins: Any) -> None:
    content = {**SINGLE_CHOICE, "key": "Z"}
    metadata = {
        "classifications": [
            {"taxonomy": "asn-2017", "node": "M.9", "level": 2},
            {"taxonomy": "asn-2017", "node": "M.8", "level": 7},
            {"taxonomy": "nope", "node": "X"},
        ],
        "difficulty": 1.5,
    }
    with pytest.raises(InvalidInput) as info:
        make_item(world, plugins, stem="<p> </p>", content=content, metadata=metadata)
    fields = {p["field"] for p in info.value.problems}
    assert {"stem", "content.key", "metadata.difficulty"} <= fields
    with pytest.raises(InvalidInput) as info:
        make_item(world, plugins, metadata={**metadata, "difficulty": 0.5})
    fields = {p["field"] for p in info.value.problems}
    assert fields == {
        "metadata.classifications.0.node",
        "metadata.classifications.1.level",
        "metadata.classifications.2.taxonomy",
    }
    # nothing half-written: no item, and no item number used up, for refused input
    assert (
        db.session.scalar(sa.select(sa.func.count(Item.id)).where(Item.bank_id == world.bank.id))
        == 0
    )
    assert make_item(world, plugins).number == 1


def test_asn_classification_with_level(world: World, plugins: Any) -> None:
    item = make_item(
        world,
        plugins,
        metadata={"classifications": [{"taxonomy": "asn-2017", "node": "M.8", "level": 3}]},
    )
    (classification,) = item.latest_version.classifications
    assert (classification.node.code, classification.level) == ("M.8", 3)
    assert classification.node.path == "/MANAJERIAL/M.8/"


# -- editing drafts -----------------------------------------------------------------------


def test_edit_draft_bumps_revision_and_records_it(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = item.latest_version
    update_draft(
        version,
        actor=world.author2,
        plugins=plugins,
        base_revision=1,
        stem="<p>Berapa total yang dibayar?</p>",
    )
    assert version.revision == 2
    assert version.stem == "<p>Berapa total yang dibayar?</p>"
    assert version.updated_by_id == world.author2.id
    assert version.contributor_ids == {world.author.id, world.author2.id}
    assert audit(item)[-1] == ("version.update", "draft", "draft")


def test_stale_edit_is_refused_naming_who_changed_it(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = item.latest_version
    update_draft(version, actor=world.author2, plugins=plugins, base_revision=1, stem="<p>Satu</p>")
    with pytest.raises(StaleEdit) as info:
        update_draft(
            version, actor=world.author, plugins=plugins, base_revision=1, stem="<p>Dua</p>"
        )
    assert world.author2.username in info.value.message
    assert info.value.details["current_revision"] == 2
    assert version.stem == "<p>Satu</p>"


def test_an_edit_that_changes_nothing_makes_no_revision(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = item.latest_version
    update_draft(
        version, actor=world.author, plugins=plugins, base_revision=1, content=SINGLE_CHOICE
    )
    assert version.revision == 1
    assert [a for a, _, _ in audit(item)] == ["item.create"]


def test_invalid_edit_changes_nothing(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = item.latest_version
    with pytest.raises(InvalidInput):
        update_draft(
            version,
            actor=world.author,
            plugins=plugins,
            base_revision=1,
            content={"options": "A, B"},  # not storable: text where a list belongs
        )
    assert version.content["key"] == "B"
    assert version.revision == 1


def test_an_incomplete_edit_is_stored_but_cannot_be_submitted(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = update_draft(
        item.latest_version,
        actor=world.author,
        plugins=plugins,
        base_revision=1,
        content={"options": [{"id": "A", "text": "<p>Satu</p>"}]},
    )
    assert version.revision == 2 and version.content["options"] == [
        {"id": "A", "text": "<p>Satu</p>"}
    ]
    problems = draft_problems(version, plugins=plugins)
    assert {p["field"] for p in problems} == {"content.key", "content.options"}
    with pytest.raises(InvalidInput) as refused:
        submit_version(version, actor=world.author, plugins=plugins)
    assert refused.value.problems == problems
    assert version.status == "draft"


def test_reviewers_cannot_edit(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    with pytest.raises(PermissionDenied):
        update_draft(
            item.latest_version,
            actor=world.reviewer,
            plugins=plugins,
            base_revision=1,
            stem="<p>x</p>",
        )


def test_submitted_versions_are_frozen(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    with pytest.raises(Conflict, match="can no longer be edited"):
        update_draft(
            version,
            actor=world.author,
            plugins=plugins,
            base_revision=version.revision,
            stem="<p>x</p>",
        )


# -- submitting and reviewing -------------------------------------------------------------


def test_submit_moves_draft_to_review(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author, reason="siap ditelaah")
    assert version.status == "in_review"
    assert version.submitted_by_id == world.author.id
    assert audit(item)[-1] == ("version.submit", "draft", "in_review")
    with pytest.raises(TransitionNotAllowed):
        submit_version(version, actor=world.author)


def test_only_authors_submit(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    with pytest.raises(PermissionDenied):
        submit_version(item.latest_version, actor=world.reviewer)


def test_approve_with_one_required_approval(world: World, plugins: Any) -> None:
    item = approved_item(world, plugins)
    version = item.latest_version
    assert version.status == "approved"
    assert item.approved_version_id == version.id
    assert audit(item)[-2:] == [
        ("version.review", "in_review", None),
        ("version.approved", "in_review", "approved"),
    ]


def test_required_approvals_count_distinct_reviewers(session: Any, plugins: Any) -> None:
    world = World(required_approvals=2)
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer, decision="approve", comment="Baik.")
    assert version.status == "in_review"
    with pytest.raises(Conflict, match="already reviewed"):
        review_version(version, actor=world.reviewer, decision="approve")
    assert version.status == "in_review"
    review_version(version, actor=world.reviewer2, decision="approve")
    assert version.status == "approved"
    assert item.approved_version_id == version.id
    reviews = db.session.scalars(sa.select(Review).where(Review.version_id == version.id)).all()
    assert sorted(r.reviewer_id for r in reviews) == sorted([world.reviewer.id, world.reviewer2.id])


def test_nobody_reviews_their_own_version(world: World, plugins: Any) -> None:
    item = make_item(world, plugins, actor=world.author_reviewer)
    version = submit_version(item.latest_version, actor=world.author)
    with pytest.raises(PermissionDenied, match="you wrote, edited or submitted version 1"):
        review_version(version, actor=world.author_reviewer, decision="approve")
    assert version.status == "in_review"
    assert not version.reviews


def test_an_editor_of_the_draft_may_not_review_it(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = update_draft(
        item.latest_version,
        actor=world.author_reviewer,
        plugins=plugins,
        base_revision=1,
        stem="<p>Diperbaiki</p>",
    )
    submit_version(version, actor=world.author)
    with pytest.raises(PermissionDenied):
        review_version(version, actor=world.author_reviewer, decision="reject", comment="Tidak.")
    review_version(version, actor=world.reviewer, decision="approve")
    assert version.status == "approved"


@pytest.mark.parametrize("who", ["author", "assembler", "bank_admin"])
def test_only_reviewers_review(world: World, plugins: Any, who: str) -> None:
    item = make_item(world, plugins, actor=world.author2)
    version = submit_version(item.latest_version, actor=world.author2)
    with pytest.raises(PermissionDenied, match="you need the role reviewer in bank"):
        review_version(version, actor=world.users[who], decision="approve")


def test_outsider_cannot_review(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    with pytest.raises(NotFound):
        review_version(version, actor=world.outsider, decision="approve")


def test_drafts_cannot_be_reviewed(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    with pytest.raises(TransitionNotAllowed, match="cannot approve a version that is draft"):
        review_version(item.latest_version, actor=world.reviewer, decision="approve")


@pytest.mark.parametrize(
    ("decision", "status"), [("request_changes", "changes_requested"), ("reject", "rejected")]
)
def test_negative_decisions_need_a_comment_and_act_at_once(
    session: Any, plugins: Any, decision: str, status: str
) -> None:
    world = World(required_approvals=3)
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    with pytest.raises(InvalidInput, match="comment"):
        review_version(version, actor=world.reviewer, decision=decision, comment="  ")
    review_version(version, actor=world.reviewer, decision=decision, comment="Kunci salah hitung.")
    assert version.status == status
    assert audit(item)[-1] == (f"version.{status}", "in_review", status)
    assert version.reviews[-1].comment == "Kunci salah hitung."


def test_unknown_decision(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    with pytest.raises(InvalidInput, match="unknown decision"):
        review_version(version, actor=world.reviewer, decision="maybe")


def test_decided_versions_cannot_be_reviewed_again(world: World, plugins: Any) -> None:
    item = approved_item(world, plugins)
    with pytest.raises(TransitionNotAllowed):
        review_version(item.latest_version, actor=world.reviewer2, decision="reject", comment="x")


# -- new drafts -----------------------------------------------------------------------------


def test_editing_an_approved_item_starts_the_next_version(world: World, plugins: Any) -> None:
    item = approved_item(world, plugins)
    v1 = item.latest_version
    v2 = start_new_draft(item, actor=world.author2)
    assert (v2.number, v2.status, v2.based_on_id) == (2, "draft", v1.id)
    assert (v2.stem, v2.content, v2.content_hash) == (v1.stem, v1.content, v1.content_hash)
    assert v2.contributor_ids == {world.author2.id}
    assert item.approved_version_id == v1.id  # forms keep using v1
    update_draft(v2, actor=world.author2, plugins=plugins, base_revision=1, stem="<p>Baru</p>")
    submit_version(v2, actor=world.author2)
    # v1's author did not edit v2 and may review it
    review_version(v2, actor=world.reviewer2, decision="approve")
    assert item.approved_version_id == v2.id
    assert v1.status == "approved"  # the older approved version stays as it was
    assert v1.stem != v2.stem


def test_new_draft_from_changes_requested(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer, decision="request_changes", comment="Perjelas.")
    v2 = start_new_draft(item, actor=world.author)
    assert v2.number == 2
    assert current_draft(item) is v2
    assert item.approved_version_id is None


@pytest.mark.parametrize("state", ["draft", "in_review", "rejected"])
def test_new_draft_refused(world: World, plugins: Any, state: str) -> None:
    item = make_item(world, plugins)
    if state != "draft":
        version = submit_version(item.latest_version, actor=world.author)
    if state == "rejected":
        review_version(
            version, actor=world.reviewer, decision="reject", comment="Di luar kisi-kisi."
        )
    with pytest.raises(Conflict):
        start_new_draft(item, actor=world.author)
    assert [v.number for v in item.versions] == [1]


def test_only_one_open_version(world: World, plugins: Any) -> None:
    item = approved_item(world, plugins)
    start_new_draft(item, actor=world.author)
    with pytest.raises(Conflict, match="already has version 2 draft"):
        start_new_draft(item, actor=world.author)


# -- retiring and commenting -------------------------------------------------------------------


def test_retire(world: World, plugins: Any) -> None:
    item = approved_item(world, plugins)
    with pytest.raises(PermissionDenied):
        retire_item(item, actor=world.reviewer, reason="Terpapar.")
    with pytest.raises(InvalidInput):
        retire_item(item, actor=world.bank_admin, reason="")
    retire_item(item, actor=world.bank_admin, reason="Terpapar di media sosial.")
    assert item.is_retired
    assert item.latest_version.status == "retired"
    assert audit(item)[-1] == ("version.retired", "approved", "retired")
    with pytest.raises(Conflict, match="already retired"):
        retire_item(item, actor=world.bank_admin, reason="lagi")
    with pytest.raises(Conflict, match="retired"):
        start_new_draft(item, actor=world.author)


def test_retire_needs_an_approved_version(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    with pytest.raises(Conflict, match="no approved version"):
        retire_item(item, actor=world.bank_admin, reason="x")


def test_comments_general_and_on_a_field(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    add_comment(
        version,
        actor=world.reviewer,
        body="Pengecoh C terlalu mirip.",
        field="content.options.2.text",
    )
    add_comment(version, actor=world.author, body="Akan diperbaiki.")
    assert [(c.field, c.author_id) for c in version.comments] == [
        ("content.options.2.text", world.reviewer.id),
        (None, world.author.id),
    ]
    assert audit(item)[-1][0] == "comment.add"
    with pytest.raises(PermissionDenied):
        add_comment(version, actor=world.assembler, body="x")
    with pytest.raises(InvalidInput):
        add_comment(version, actor=world.reviewer, body="   ")


def test_audit_events_are_append_only(world: World, plugins: Any) -> None:
    from itembank.models import AuditTamperError

    item = make_item(world, plugins)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.item_id == item.id)).first()
    event.reason = "rewritten history"
    with pytest.raises(AuditTamperError):
        db.session.flush()
    db.session.rollback()


def test_schema_messages_reach_writers_in_indonesian(world: World, plugins: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        make_item(world, plugins, metadata={"difficulty": 2, "tags": ["x" * 60]})
    messages = {p["field"]: p["message"] for p in info.value.problems}
    assert messages["metadata.difficulty"].startswith("Harus lebih besar atau sama dengan 0 dan")
    assert messages["metadata.tags.0"].startswith("Panjang harus antara")
