"""Separation of duties (itembank.operations.duties): who may write, submit, review and
withdraw, one rule used by the operations, the importer and the UI."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.errors import PermissionDenied
from itembank.extensions import db
from itembank.models import Item, ItemVersion, Role
from itembank.operations.accounts import add_member, create_user
from itembank.operations.duties import can_review, reviewable_by
from itembank.operations.items import update_draft
from itembank.operations.reviews import review_version, submit_version
from tests.factories import PASSWORD, World, make_item, unique


def reviewable_ids(user: Any) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(ItemVersion.id)
            .join(Item, Item.id == ItemVersion.item_id)
            .where(*reviewable_by(user))
        )
    )


def test_the_submitter_of_a_colleagues_draft_may_not_approve_it(world: World, plugins: Any) -> None:
    """Issue 18.6: an author-reviewer submitted a colleague's draft and approved it
    alone. Any author may submit any draft, but the submitter becomes a contributor."""
    item = make_item(world, plugins, actor=world.author)
    version = submit_version(item.latest_version, actor=world.author_reviewer)
    assert world.author_reviewer.id in version.contributor_ids
    assert not can_review(world.author_reviewer, version)
    assert version.id not in reviewable_ids(world.author_reviewer)
    with pytest.raises(PermissionDenied, match="you wrote, edited or submitted version 1"):
        review_version(version, actor=world.author_reviewer, decision="approve")
    assert version.status == "in_review"
    assert can_review(world.reviewer, version) and version.id in reviewable_ids(world.reviewer)


def test_nobody_grants_themself_a_role(world: World) -> None:
    with pytest.raises(PermissionDenied, match="nobody may grant themself a role"):
        add_member(world.bank, world.bank_admin, Role.REVIEWER, actor=world.bank_admin)
    admin = create_user(unique("root-"), PASSWORD, actor=None, is_admin=True)
    with pytest.raises(PermissionDenied, match="nobody may grant themself a role"):
        add_member(world.bank, admin, Role.REVIEWER, actor=admin)


def test_an_administrators_status_does_not_let_them_review(world: World, plugins: Any) -> None:
    """Reviewing needs a reviewer membership: a global administrator or a bank admin
    reviews only once someone else made them a reviewer of the bank."""
    admin = create_user(unique("root-"), PASSWORD, actor=None, is_admin=True)
    version = submit_version(make_item(world, plugins).latest_version, actor=world.author)
    for who in (admin, world.bank_admin):
        assert not can_review(who, version) and version.id not in reviewable_ids(who)
        with pytest.raises(PermissionDenied, match="you need the role reviewer in bank"):
            review_version(version, actor=who, decision="approve")
    add_member(world.bank, world.bank_admin, Role.REVIEWER, actor=admin)
    assert can_review(world.bank_admin, version)
    review_version(version, actor=world.bank_admin, decision="approve")
    assert version.status == "approved"


def test_any_author_edits_any_draft_and_becomes_a_contributor(world: World, plugins: Any) -> None:
    item = make_item(world, plugins, actor=world.author)
    version = update_draft(
        item.latest_version,
        actor=world.author_reviewer,
        plugins=plugins,
        base_revision=1,
        stem="<p>Disunting rekan.</p>",
    )
    assert version.contributor_ids == {world.author.id, world.author_reviewer.id}
    submit_version(version, actor=world.author)
    assert not can_review(world.author_reviewer, version)


def test_the_rule_and_its_sql_form_agree(world: World, plugins: Any) -> None:
    """The dashboard lists with :func:`reviewable_by`; the review page and the operation
    ask :func:`can_review`: for every user and version they say the same."""
    versions = []
    for author in ("author", "author_reviewer"):
        versions.append(make_item(world, plugins, actor=world.users[author]).latest_version)
        submitted = make_item(world, plugins, actor=world.users[author]).latest_version
        versions.append(submit_version(submitted, actor=world.users[author]))
    reviewed = submit_version(make_item(world, plugins).latest_version, actor=world.author2)
    review_version(reviewed, actor=world.reviewer3, decision="approve")
    versions.append(reviewed)
    for user in world.users.values():
        listed = reviewable_ids(user)
        assert {v.id for v in versions if can_review(user, v)} == listed & {v.id for v in versions}


def test_a_bank_admin_writes_items_neither_by_hand_nor_by_import(
    world: World, plugins: Any
) -> None:
    """Issue 18.8: a bank admin without the author role created items by import, then
    could not edit or submit them. One rule for both paths: writing needs the author
    role."""
    from itembank.operations.imports import run_import
    from tests.import_helpers import SC_ROW, csv_bytes

    def by_import(actor: Any) -> Any:
        data = csv_bytes([SC_ROW])
        return run_import(world.bank, actor=actor, plugins=plugins, filename="s.csv", data=data)

    with pytest.raises(PermissionDenied, match="you need the role author"):
        make_item(world, plugins, actor=world.bank_admin)
    with pytest.raises(PermissionDenied, match="you need the role author"):
        by_import(world.bank_admin)
    batch = by_import(world.author)
    draft = db.session.get(Item, batch.entries[-1].item_id).latest_version
    with pytest.raises(PermissionDenied, match="you need the role author"):
        update_draft(
            draft, actor=world.bank_admin, plugins=plugins, base_revision=1, stem="<p>X</p>"
        )
    with pytest.raises(PermissionDenied, match="you need the role author"):
        submit_version(draft, actor=world.bank_admin)
    admin = create_user(unique("root-"), PASSWORD, actor=None, is_admin=True)
    add_member(world.bank, world.bank_admin, Role.AUTHOR, actor=admin)
    assert by_import(world.bank_admin).items_created == 1
    submit_version(draft, actor=world.bank_admin)  # an author now, by both paths


def test_lowering_the_required_approvals_applies_to_later_submissions_only(
    session: Any, plugins: Any
) -> None:
    """Issue 18.7 and 14.9: a version in review keeps the count it was submitted
    under, so a lone bank admin cannot lower the count to approve it alone; versions
    submitted after the change need the new count."""
    from itembank.operations.accounts import update_bank_settings

    world = World(required_approvals=2)
    before = submit_version(make_item(world, plugins).latest_version, actor=world.author)
    assert before.required_approvals == 2
    update_bank_settings(world.bank, actor=world.bank_admin, required_approvals=1)
    review_version(before, actor=world.reviewer, decision="approve")
    assert before.status == "in_review"  # still needs its two approvals
    review_version(before, actor=world.reviewer2, decision="approve")
    assert before.status == "approved"
    after = submit_version(make_item(world, plugins).latest_version, actor=world.author)
    review_version(after, actor=world.reviewer, decision="approve")
    assert (after.required_approvals, after.status) == (1, "approved")


def test_an_author_withdraws_a_version_stuck_in_review(session: Any, plugins: Any) -> None:
    """Issue 18.7: a version whose reviewers cannot reach its count is not stuck: an
    author withdraws it (audited, reviews kept) and revises it as the next version."""
    from itembank.models import AuditEvent
    from itembank.operations.items import start_new_draft
    from itembank.operations.reviews import withdraw_version
    from itembank.workflow import TransitionNotAllowed

    world = World(required_approvals=3)
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer, decision="approve")
    with pytest.raises(PermissionDenied, match="you need the role author"):
        withdraw_version(version, actor=world.reviewer, reason="")
    withdraw_version(version, actor=world.author2, reason="Penelaah kurang.")
    assert version.status == "withdrawn" and len(version.reviews) == 1
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "version.withdrawn", AuditEvent.item_id == item.id
        )
    ).one()
    assert (event.actor_id, event.from_status, event.reason) == (
        world.author2.id,
        "in_review",
        "Penelaah kurang.",
    )
    with pytest.raises(TransitionNotAllowed):
        withdraw_version(version, actor=world.author, reason="")
    draft = start_new_draft(item, actor=world.author)
    assert (draft.number, draft.based_on_id, draft.status) == (2, version.id, "draft")


def test_the_rule_and_its_sql_form_agree_for_passages(world: World) -> None:
    """Passages are reviewed under the same rule (one :func:`review_refusal` for both
    kinds), and the dashboard lists them with the same SQL form."""
    from itembank.models import Passage, PassageVersion
    from itembank.operations.passage_reviews import review_passage_version, submit_passage_version
    from itembank.operations.passages import create_passage

    def new(author: str) -> Any:
        return create_passage(world.bank, actor=world.users[author], title="T", body="<p>x</p>")

    versions = []
    for author in ("author", "author_reviewer"):
        versions.append(new(author).latest_version)
        versions.append(
            submit_passage_version(new(author).latest_version, actor=world.users[author])
        )
    reviewed = submit_passage_version(new("author").latest_version, actor=world.author2)
    review_passage_version(reviewed, actor=world.reviewer3, decision="approve")
    versions.append(reviewed)
    for user in world.users.values():
        listed = set(
            db.session.scalars(
                sa.select(PassageVersion.id)
                .join(Passage, Passage.id == PassageVersion.passage_id)
                .where(*reviewable_by(user, PassageVersion))
            )
        )
        assert {v.id for v in versions if can_review(user, v)} == listed & {v.id for v in versions}
