"""Shared passages (itembank.operations.passages): versions, review under the items'
duties, item sets and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied, StaleEdit
from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.operations.items import draft_problems, start_new_draft
from itembank.operations.passage_reviews import (
    review_passage_version,
    submit_passage_version,
    withdraw_passage_version,
)
from itembank.operations.passage_sets import pinnable_version, set_item_passage
from itembank.operations.passages import (
    create_passage,
    get_passage,
    list_passages,
    passage_items,
    passage_problems,
    start_new_passage_draft,
    update_passage_draft,
)
from itembank.operations.reviews import review_version, submit_version
from tests.factories import World, make_item

BODY = (
    "<p>Pemerintah daerah menyiapkan <strong>layanan daring</strong> untuk izin usaha.</p>"
    "<table><tr><th>Tahun</th><th>Izin</th></tr><tr><td>2024</td><td>1.200</td></tr></table>"
    '<p><math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mn>1</mn><mn>2</mn>'
    "</mfrac></math></p>"
)


def actions(passage: Any) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "passage", AuditEvent.object_id == passage.external_id)
            .order_by(AuditEvent.id)
        )
    )


def approved_passage(world: World, body: str = BODY) -> Any:
    passage = create_passage(world.bank, actor=world.author, title="Layanan daring", body=body)
    version = submit_passage_version(passage.latest_version, actor=world.author)
    review_passage_version(version, actor=world.reviewer, decision="approve")
    return passage


def test_a_passage_starts_as_a_sanitized_draft(world: World) -> None:
    passage = create_passage(
        world.bank,
        actor=world.author,
        title="  Layanan\n daring ",
        body=BODY + '<script>alert(1)</script><p onclick="x()">Akhir</p>',
    )
    version = passage.latest_version
    assert passage.external_id == f"{world.bank.code}-P00001"
    assert version.number == 1 and version.status == "draft"
    assert version.title == "Layanan daring"
    assert "<script" not in version.body and "onclick" not in version.body
    assert "<table>" in version.body and "<mfrac>" in version.body
    assert actions(passage) == ["passage.create"]
    second = create_passage(world.bank, actor=world.author, title="", body="")
    assert second.number == 2
    assert {p["field"] for p in passage_problems(second.latest_version)} == {"title", "body"}


@pytest.mark.parametrize("who", ["reviewer", "assembler", "bank_admin"])
def test_only_authors_write_passages(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied, match="write passages"):
        create_passage(world.bank, actor=getattr(world, who), title="T", body="<p>x</p>")


def test_outsiders_see_no_passage(world: World) -> None:
    passage = create_passage(world.bank, actor=world.author, title="T", body="<p>x</p>")
    with pytest.raises(NotFound):
        get_passage(passage.external_id, actor=world.outsider)
    with pytest.raises(NotFound):
        create_passage(world.bank, actor=world.outsider, title="T", body="<p>x</p>")


def test_bad_input_names_the_field(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        create_passage(world.bank, actor=world.author, title="x" * 201, body=5)
    assert {p["field"] for p in caught.value.problems} == {"title", "body"}
    with pytest.raises(InvalidInput) as caught:
        create_passage(world.bank, actor=world.author, title="T", body="<p>x</p>" * 20_000)
    assert caught.value.problems[0]["field"] == "body"
    with pytest.raises(InvalidInput, match="control characters"):
        create_passage(world.bank, actor=world.author, title="Judul\x07", body="<p>x</p>")
    with pytest.raises(InvalidInput, match="has not been uploaded"):
        create_passage(
            world.bank, actor=world.author, title="T", body=f'<img src="/media/{"a" * 64}">'
        )


def test_edits_bump_the_revision_and_stale_edits_are_refused(world: World) -> None:
    passage = create_passage(world.bank, actor=world.author, title="T", body="<p>satu</p>")
    draft = passage.latest_version
    update_passage_draft(draft, actor=world.author2, base_revision=1, body="<p>dua</p>")
    assert draft.revision == 2 and draft.body == "<p>dua</p>"
    assert world.author2.id in draft.contributor_ids
    with pytest.raises(StaleEdit, match=world.author2.username):
        update_passage_draft(draft, actor=world.author, base_revision=1, title="Lain")
    same = update_passage_draft(draft, actor=world.author, base_revision=2, body="<p>dua</p>")
    assert same.revision == 2  # nothing changed, no new revision
    assert actions(passage) == ["passage.create", "passage.update"]


def test_review_follows_the_items_rules(session: Any) -> None:
    world = World(required_approvals=2)
    passage = create_passage(world.bank, actor=world.author, title="T", body=BODY)
    version = submit_passage_version(passage.latest_version, actor=world.author_reviewer)
    with pytest.raises(Conflict):
        update_passage_draft(version, actor=world.author, base_revision=1, title="X")
    # the submitter and the writer never review it; nor does a bank admin
    for who in (world.author_reviewer, world.bank_admin):
        with pytest.raises(PermissionDenied):
            review_passage_version(version, actor=who, decision="approve")
    with pytest.raises(InvalidInput, match="comment"):
        review_passage_version(version, actor=world.reviewer, decision="reject")
    review_passage_version(version, actor=world.reviewer, decision="approve")
    assert version.status == "in_review" and passage.approved_version_id is None
    with pytest.raises(Conflict, match="already reviewed"):
        review_passage_version(version, actor=world.reviewer, decision="approve")
    world.bank.settings = {**(world.bank.settings or {}), "required_approvals": 1}
    # ... a later change of the setting applies to later submissions only
    assert version.status == "in_review"
    review_passage_version(version, actor=world.reviewer2, decision="approve")
    assert version.status == "approved" and passage.approved_version_id == version.id
    assert actions(passage) == [
        "passage.create",
        "passage.submit",
        "passage.review",
        "passage.review",
        "passage.approved",
    ]


def test_changes_requested_then_a_new_version(world: World) -> None:
    passage = create_passage(world.bank, actor=world.author, title="T", body=BODY)
    version = submit_passage_version(passage.latest_version, actor=world.author)
    review_passage_version(
        version, actor=world.reviewer, decision="request_changes", comment="Perjelas tabel."
    )
    assert version.status == "changes_requested"
    draft = start_new_passage_draft(passage, actor=world.author)
    assert draft.number == 2 and draft.based_on_id == version.id and draft.body == version.body
    with pytest.raises(Conflict, match="already has version 2"):
        start_new_passage_draft(passage, actor=world.author)
    submitted = submit_passage_version(draft, actor=world.author)
    withdrawn = withdraw_passage_version(submitted, actor=world.author2, reason="salah kirim")
    assert withdrawn.status == "withdrawn"


def test_an_item_set_pins_a_passage_version(world: World, plugins: Any) -> None:
    passage = create_passage(world.bank, actor=world.author, title="T", body=BODY)
    items = [make_item(world, plugins) for _ in range(2)]
    for item in items:
        set_item_passage(
            item.latest_version,
            actor=world.author,
            passage=pinnable_version(world.bank, passage.external_id, None),
            base_revision=1,
        )
        assert item.latest_version.revision == 2
    assert [i for i, _ in passage_items(passage, actor=world.reviewer)] == items
    # an item cannot go to review before its passage is approved
    problems = draft_problems(items[0].latest_version, plugins=plugins)
    assert [p["field"] for p in problems] == ["passage"]
    with pytest.raises(InvalidInput, match="not approved yet"):
        submit_version(items[0].latest_version, actor=world.author)
    version = submit_passage_version(passage.latest_version, actor=world.author)
    review_passage_version(version, actor=world.reviewer, decision="approve")
    submitted = submit_version(items[0].latest_version, actor=world.author)
    review_version(submitted, actor=world.reviewer, decision="approve")
    # the next version of the item stays in the set
    draft = start_new_draft(items[0], actor=world.author)
    assert draft.passage_version_id == version.id
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "version.passage", AuditEvent.item_id == items[1].id
        )
    ).one()
    assert event.data["passage_to"] == f"{passage.external_id} v1"


def test_pinning_is_refused_across_banks_and_for_closed_versions(
    world: World, plugins: Any
) -> None:
    other = World()
    foreign = create_passage(other.bank, actor=other.author, title="T", body="<p>x</p>")
    item = make_item(world, plugins)
    with pytest.raises(InvalidInput) as caught:
        pinnable_version(world.bank, foreign.external_id, None)
    assert caught.value.problems[0]["field"] == "passage"
    with pytest.raises(InvalidInput, match="another bank"):
        set_item_passage(item.latest_version, actor=world.author, passage=foreign.latest_version)
    passage = create_passage(world.bank, actor=world.author, title="T", body="<p>x</p>")
    version = submit_passage_version(passage.latest_version, actor=world.author)
    review_passage_version(version, actor=world.reviewer, decision="reject", comment="Tidak.")
    with pytest.raises(InvalidInput, match="no version that can be used"):
        pinnable_version(world.bank, passage.external_id, None)
    with pytest.raises(PermissionDenied):
        set_item_passage(item.latest_version, actor=world.reviewer, passage=None)


def test_assemblers_see_approved_passages_only(world: World) -> None:
    draft = create_passage(world.bank, actor=world.author, title="Draf", body="<p>x</p>")
    approved = approved_passage(world)
    with pytest.raises(NotFound):
        get_passage(draft.external_id, actor=world.assembler)
    assert get_passage(approved.external_id, actor=world.assembler) is approved
    page = list_passages(world.bank, actor=world.assembler)
    assert [row["passage"] for row in page["passages"]] == [approved]
    everything = list_passages(world.bank, actor=world.author)
    assert everything["total"] == 2
    assert list_passages(world.bank, actor=world.author, q="draf")["total"] == 1
    assert list_passages(world.bank, actor=world.author, status="approved")["total"] == 1
