"""The review workflow operations of items: submit, review, retire, comment.

The steps items and passages share (roles, separation of duties, the approvals count,
locking, the audit trail, notifications) are :mod:`itembank.operations.version_workflow`;
these functions add what is an item's own: the problems of a draft, the review
checklist, retiring the approved version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from itembank.errors import Conflict
from itembank.models import Comment, Item, ItemVersion, User
from itembank.operations import version_workflow as workflow
from itembank.operations.items import draft_problems, lock_version
from itembank.operations.review_checklist import answered_checklist
from itembank.operations.version_workflow import MAX_COMMENT_CHARS
from itembank.plugins import PluginHost
from itembank.plugins import plugins as current_plugins
from itembank.workflow import Action, Decision, Status, transition

__all__ = ["MAX_COMMENT_CHARS"]


def submit_version(
    version: ItemVersion,
    *,
    actor: User,
    reason: str = "",
    plugins: PluginHost | None = None,
) -> ItemVersion:
    """Submit a draft for review. From here on the version never changes.

    A draft with problems (:func:`~itembank.operations.items.draft_problems`: an
    incomplete item, a writing rule of the bank not met, a pinned passage not approved)
    is refused with :class:`InvalidInput` listing them. The submitter becomes one of the
    version's contributors, so they never review it (:mod:`itembank.operations.duties`)."""
    host = plugins or current_plugins()
    return workflow.submit(
        version,
        actor=actor,
        reason=reason,
        problems=lambda v: draft_problems(v, plugins=host),
        doing="submit items for review",
    )


def review_version(
    version: ItemVersion,
    *,
    actor: User,
    decision: Decision | str,
    comment: str = "",
    checklist: Mapping[str, Any] | None = None,
) -> ItemVersion:
    """Record a reviewer's decision on a version in review
    (:func:`itembank.operations.version_workflow.review`, the rules shared with
    passages).

    ``approve`` approves the version once the bank's required number of distinct
    reviewers have approved it; ``request_changes`` and ``reject`` take effect at once
    and need a comment. Who may review is :func:`itembank.operations.duties.review_refusal`'s
    rule: a reviewer of the bank who did not create, edit or submit the version and has
    not decided on it yet.

    When the bank has a review checklist (:mod:`itembank.operations.review_checklist`),
    ``checklist`` answers every criterion (code -> ``yes``/``no``/``na``) and the review
    keeps the criteria with the answers.
    """
    decided, comment = workflow.checked_decision(
        version, actor=actor, decision=decision, comment=comment
    )
    answered = answered_checklist(version.item.bank, checklist)
    return workflow.review(
        version,
        actor=actor,
        decision=decided,
        comment=comment,
        review_fields={"checklist": answered},
        audit_fields=(
            {"checklist": {c["code"]: c["answer"] for c in answered}} if answered else None
        ),
    )


def required_approvals(version: ItemVersion) -> int:
    """The approvals ``version`` needs: the bank's count when it was submitted."""
    return workflow.required_approvals(version)


def withdraw_version(version: ItemVersion, *, actor: User, reason: str = "") -> ItemVersion:
    """Take a version out of review (an author of the bank, like submitting it). It
    becomes ``withdrawn`` with its reviews kept; a new draft starts from it like from
    a version sent back for changes."""
    return workflow.withdraw(
        version, actor=actor, reason=reason, doing="withdraw items from review"
    )


def _move(
    version: ItemVersion, source: Status, target: Status, *, actor: User, reason: str
) -> None:
    workflow.move(version, source, target, actor=actor, reason=reason)


def retire_item(item: Item, *, actor: User, reason: str) -> Item:
    """Retire an item (bank admins, with a reason): its approved version is no longer
    assembled into forms."""
    item, reason = workflow.start_retiring(item, actor=actor, reason=reason, doing="retire items")
    version = item.approved_version
    if version is None:
        raise Conflict(f"item {item.external_id} has no approved version to retire")
    version = lock_version(version)
    source = Status(version.status)
    target = transition(Action.RETIRE, source)
    workflow.refuse_open_versions(item)
    workflow.mark_retired(item, actor=actor)
    _move(version, source, target, actor=actor, reason=reason)
    return item


def add_comment(
    version: ItemVersion, *, actor: User, body: str, field: str | None = None
) -> Comment:
    """Comment on a version, in general or on one field (``stem``, ``content.options.1.text``)."""
    comment = workflow.add_comment(
        version, actor=actor, body=body, field=field, doing="comment on items"
    )
    assert isinstance(comment, Comment)
    return comment
