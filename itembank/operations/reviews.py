"""The review workflow operations: submit, review, retire, comment.

The state machine itself is :mod:`itembank.workflow`; these functions add who may do
what (roles, separation of duties), the approvals count, locking and the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from itembank.access import ensure_visible, require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.models import Comment, Item, ItemVersion, Review, Role, User, VersionContributor
from itembank.models._types import utcnow
from itembank.operations import notifications
from itembank.operations.duties import require_writer, review_refusal
from itembank.operations.items import draft_problems, lock_item, lock_version
from itembank.operations.review_checklist import answered_checklist
from itembank.plugins import PluginHost
from itembank.plugins import plugins as current_plugins
from itembank.workflow import DECISION_ACTION, Action, Decision, Status, transition

MAX_COMMENT_CHARS = 10_000


def submit_version(
    version: ItemVersion,
    *,
    actor: User,
    reason: str = "",
    plugins: PluginHost | None = None,
) -> ItemVersion:
    """Submit a draft for review. From here on the version never changes.

    A draft with problems (:func:`~itembank.operations.items.draft_problems`: an
    incomplete item, a writing rule of the bank not met) is refused with
    :class:`InvalidInput` listing them. The submitter becomes one of the version's
    contributors, so they never review it (:mod:`itembank.operations.duties`)."""
    item = version.item
    require_writer(actor, item.bank, doing="submit items for review")
    version = lock_version(version)
    source = Status(version.status)
    target = transition(Action.SUBMIT, source)
    problems = draft_problems(version, plugins=plugins or current_plugins())
    if problems:
        raise InvalidInput(
            f"version {version.number} of {item.external_id} cannot be submitted yet: "
            + "; ".join(f"{p['field']}: {p['message_en'] or p['message']}" for p in problems[:10]),
            problems,
        )
    now = utcnow()
    version.status = target.value
    version.submitted_by_id = actor.id
    version.submitted_at = now
    version.required_approvals = item.bank.required_approvals
    if actor.id not in version.contributor_ids:
        version.contributors.append(VersionContributor(user_id=actor.id))
    item.updated_at = now
    db.session.flush()
    record(
        "version.submit",
        actor=actor,
        version=version,
        from_status=source.value,
        to_status=target.value,
        reason=reason,
    )
    notifications.review_waiting(version, actor=actor)
    return version


def review_version(
    version: ItemVersion,
    *,
    actor: User,
    decision: Decision | str,
    comment: str = "",
    checklist: Mapping[str, Any] | None = None,
) -> ItemVersion:
    """Record a reviewer's decision on a version in review.

    ``approve`` approves the version once the bank's required number of distinct
    reviewers have approved it; ``request_changes`` and ``reject`` take effect at once
    and need a comment. Who may review is :func:`itembank.operations.duties.review_refusal`'s
    rule: a reviewer of the bank who did not create, edit or submit the version and has
    not decided on it yet.

    When the bank has a review checklist (:mod:`itembank.operations.review_checklist`),
    ``checklist`` answers every criterion (code -> ``yes``/``no``/``na``) and the review
    keeps the criteria with the answers.
    """
    item = version.item
    bank = item.bank
    ensure_visible(actor, bank)
    refusal = review_refusal(actor, version)
    if refusal is not None and refusal.error is PermissionDenied:
        refusal.raise_()  # not a reviewer of this version: say so before checking input
    try:
        decision = Decision(decision)
    except ValueError:
        raise InvalidInput(
            f"unknown decision {decision!r}; use approve, request_changes or reject",
            [
                {
                    "field": "decision",
                    "message": "Keputusan tidak dikenal.",
                    "message_en": "Unknown decision.",
                }
            ],
        ) from None
    comment = (comment or "").strip()
    if decision is not Decision.APPROVE and not comment:
        raise InvalidInput(
            "a comment saying what to change or why is required",
            [
                {
                    "field": "comment",
                    "message": "Tuliskan alasan atau perbaikan yang diminta.",
                    "message_en": "Say what must change, or why.",
                }
            ],
        )
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"the comment is longer than {MAX_COMMENT_CHARS} characters")
    answered = answered_checklist(bank, checklist)
    # Serialise reviews of this version: the approvals count below must see every
    # review committed before ours.
    version = lock_version(version)
    source = Status(version.status)
    action = DECISION_ACTION[decision]
    target = transition(action, source)  # raises unless the version is in review
    refusal = review_refusal(actor, version)  # again, under the lock
    if refusal is not None:
        refusal.raise_()
    review = Review(
        version=version,
        reviewer_id=actor.id,
        decision=decision.value,
        comment=comment,
        checklist=answered,
    )
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("you reviewed this version at the same moment in another session") from None
    record(
        "version.review",
        actor=actor,
        version=version,
        from_status=source.value,
        reason=comment,
        decision=decision.value,
        **({"checklist": {c["code"]: c["answer"] for c in answered}} if answered else {}),
    )
    if decision is Decision.APPROVE:
        approvals = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(Review.reviewer_id))).where(
                Review.version_id == version.id, Review.decision == Decision.APPROVE.value
            )
        )
        if approvals < required_approvals(version):
            return version  # still in review, waiting for more approvals
    _move(version, source, target, actor=actor, reason=comment)
    if target is Status.APPROVED:
        locked_item = lock_item(item)
        locked_item.approved_version_id = version.id
    return version


def required_approvals(version: ItemVersion) -> int:
    """The approvals ``version`` needs: the bank's count when it was submitted."""
    if version.required_approvals is not None:
        return version.required_approvals
    return version.item.bank.required_approvals  # not submitted yet


def withdraw_version(version: ItemVersion, *, actor: User, reason: str = "") -> ItemVersion:
    """Take a version out of review (an author of the bank, like submitting it). It
    becomes ``withdrawn`` with its reviews kept; a new draft starts from it like from
    a version sent back for changes."""
    item = version.item
    require_writer(actor, item.bank, doing="withdraw items from review")
    reason = (reason or "").strip()
    if len(reason) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"the reason is longer than {MAX_COMMENT_CHARS} characters")
    version = lock_version(version)
    source = Status(version.status)
    target = transition(Action.WITHDRAW, source)
    _move(version, source, target, actor=actor, reason=reason)
    return version


def _move(
    version: ItemVersion, source: Status, target: Status, *, actor: User, reason: str
) -> None:
    now = utcnow()
    version.status = target.value
    version.decided_at = now
    version.item.updated_at = now
    db.session.flush()
    record(
        f"version.{target.value}",
        actor=actor,
        version=version,
        from_status=source.value,
        to_status=target.value,
        reason=reason,
    )
    notifications.version_decided(version, target, actor=actor, reason=reason)


def retire_item(item: Item, *, actor: User, reason: str) -> Item:
    """Retire an item: its approved version is no longer assembled into forms."""
    require_role(actor, item.bank, Role.BANK_ADMIN, doing="retire items")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(
            "say why the item is retired",
            [
                {
                    "field": "reason",
                    "message": "Alasan wajib diisi.",
                    "message_en": "A reason is required.",
                }
            ],
        )
    item = lock_item(item)
    if item.is_retired:
        raise Conflict(f"item {item.external_id} is already retired")
    version = item.approved_version
    if version is None:
        raise Conflict(f"item {item.external_id} has no approved version to retire")
    version = lock_version(version)
    source = Status(version.status)
    target = transition(Action.RETIRE, source)
    open_version = next((v for v in item.versions if v.is_open), None)
    if open_version is not None:
        raise Conflict(
            f"version {open_version.number} of {item.external_id} is {open_version.status}; "
            "it must be decided (approved, rejected or sent back) before the item is retired"
        )
    now = utcnow()
    item.retired_at = now
    item.retired_by_id = actor.id
    _move(version, source, target, actor=actor, reason=reason)
    return item


def add_comment(
    version: ItemVersion, *, actor: User, body: str, field: str | None = None
) -> Comment:
    """Comment on a version, in general or on one field (``stem``, ``content.options.1.text``)."""
    require_role(actor, version.item.bank, Role.AUTHOR, Role.REVIEWER, doing="comment on items")
    body = (body or "").strip()
    if not body:
        raise InvalidInput(
            "the comment is empty",
            [
                {
                    "field": "body",
                    "message": "Komentar kosong.",
                    "message_en": "The comment is empty.",
                }
            ],
        )
    if len(body) > MAX_COMMENT_CHARS:
        raise InvalidInput(f"the comment is longer than {MAX_COMMENT_CHARS} characters")
    field = (field or "").strip() or None
    if field is not None and len(field) > 200:
        raise InvalidInput("the field path is too long")
    comment = Comment(version=version, author_id=actor.id, body=body, field=field)
    db.session.add(comment)
    db.session.flush()
    record(
        "comment.add", actor=actor, version=version, reason=body, field=field, comment_id=comment.id
    )
    return comment
