"""The review workflow of passages: submit, review, withdraw.

The items' rules (:mod:`itembank.workflow` for the states,
:func:`itembank.operations.duties.passage_review_refusal` for who may decide): authors
submit and withdraw; reviewers who did not create, edit or submit a version approve it,
as many as the bank required when it was submitted; ``request_changes`` and ``reject``
act at once and need a comment. Every step is audited.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from itembank.access import ensure_visible
from itembank.errors import Conflict, InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.models import Passage, PassageContributor, PassageReview, PassageVersion, User
from itembank.models._types import utcnow
from itembank.operations.duties import passage_review_refusal, require_writer
from itembank.operations.passages import (
    MAX_COMMENT_CHARS,
    audit_passage,
    field_problem,
    lock_passage_version,
    passage_problems,
)
from itembank.workflow import DECISION_ACTION, Action, Decision, Status, transition


def submit_passage_version(
    version: PassageVersion, *, actor: User, reason: str = ""
) -> PassageVersion:
    """Submit a passage draft for review (authors); it never changes again. A draft
    with problems is refused listing them; the submitter never reviews it."""
    passage = version.passage
    require_writer(actor, passage.bank, doing="submit passages for review")
    _check_reason(reason)
    version = lock_passage_version(version)
    source = Status(version.status)
    target = transition(Action.SUBMIT, source)
    problems = passage_problems(version)
    if problems:
        raise InvalidInput(
            f"version {version.number} of {passage.external_id} cannot be submitted yet: "
            + "; ".join(f"{p['field']}: {p['message_en'] or p['message']}" for p in problems),
            problems,
        )
    now = utcnow()
    version.status = target.value
    version.submitted_by_id = actor.id
    version.submitted_at = now
    version.required_approvals = passage.bank.required_approvals
    if actor.id not in version.contributor_ids:
        version.contributors.append(PassageContributor(user_id=actor.id))
    passage.updated_at = now
    db.session.flush()
    audit_passage(
        "passage.submit",
        version,
        actor=actor,
        from_status=source.value,
        to_status=target.value,
        reason=reason,
    )
    return version


def review_passage_version(
    version: PassageVersion, *, actor: User, decision: Decision | str, comment: str = ""
) -> PassageVersion:
    """A reviewer's decision on a passage version in review, under the items' rules:
    approved once as many distinct reviewers approve as the bank required when it was
    submitted; ``request_changes`` and ``reject`` act at once and need a comment;
    contributors never review, each reviewer decides once."""
    passage = version.passage
    ensure_visible(actor, passage.bank)
    refusal = passage_review_refusal(actor, version)
    if refusal is not None and refusal.error is PermissionDenied:
        refusal.raise_()
    try:
        decision = Decision(decision)
    except ValueError:
        raise InvalidInput(
            f"unknown decision {decision!r}; use approve, request_changes or reject",
            [field_problem("decision", "Keputusan tidak dikenal.", "Unknown decision.")],
        ) from None
    comment = (comment or "").strip()
    if decision is not Decision.APPROVE and not comment:
        raise InvalidInput(
            "a comment saying what to change or why is required",
            [
                field_problem(
                    "comment",
                    "Tuliskan alasan atau perbaikan yang diminta.",
                    "Say what must change, or why.",
                )
            ],
        )
    if len(comment) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            f"the comment is longer than {MAX_COMMENT_CHARS} characters",
            [
                field_problem(
                    "comment",
                    f"Komentar terlalu panjang (maks. {MAX_COMMENT_CHARS} karakter).",
                    f"The comment is too long (at most {MAX_COMMENT_CHARS} characters).",
                )
            ],
        )
    version = lock_passage_version(version)
    source = Status(version.status)
    target = transition(DECISION_ACTION[decision], source)
    refusal = passage_review_refusal(actor, version)
    if refusal is not None:
        refusal.raise_()
    db.session.add(
        PassageReview(
            version=version, reviewer_id=actor.id, decision=decision.value, comment=comment
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("you reviewed this version at the same moment in another session") from None
    audit_passage(
        "passage.review",
        version,
        actor=actor,
        from_status=source.value,
        reason=comment,
        decision=decision.value,
    )
    if decision is Decision.APPROVE:
        approvals = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(PassageReview.reviewer_id))).where(
                PassageReview.version_id == version.id,
                PassageReview.decision == Decision.APPROVE.value,
            )
        )
        needed = version.required_approvals or passage.bank.required_approvals
        if approvals < needed:
            return version
    _move(version, source, target, actor=actor, reason=comment)
    if target is Status.APPROVED:
        db.session.execute(sa.select(Passage.id).where(Passage.id == passage.id).with_for_update())
        passage.approved_version_id = version.id
        db.session.flush()
    return version


def withdraw_passage_version(
    version: PassageVersion, *, actor: User, reason: str = ""
) -> PassageVersion:
    """Take a passage version out of review (authors); its reviews are kept and a new
    draft can start from it."""
    require_writer(actor, version.passage.bank, doing="withdraw passages from review")
    reason = _check_reason(reason)
    version = lock_passage_version(version)
    source = Status(version.status)
    target = transition(Action.WITHDRAW, source)
    _move(version, source, target, actor=actor, reason=reason)
    return version


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_COMMENT_CHARS:
        raise InvalidInput(
            f"the reason is longer than {MAX_COMMENT_CHARS} characters",
            [
                field_problem(
                    "reason",
                    f"Alasan terlalu panjang (maks. {MAX_COMMENT_CHARS} karakter).",
                    f"The reason is too long (at most {MAX_COMMENT_CHARS} characters).",
                )
            ],
        )
    return reason


def _move(
    version: PassageVersion, source: Status, target: Status, *, actor: User, reason: str
) -> None:
    now = utcnow()
    version.status = target.value
    version.decided_at = now
    version.passage.updated_at = now
    db.session.flush()
    audit_passage(
        f"passage.{target.value}",
        version,
        actor=actor,
        from_status=source.value,
        to_status=target.value,
        reason=reason,
    )
