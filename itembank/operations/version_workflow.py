"""The review workflow of a versioned document (an item or a passage): submit, review,
withdraw, in one place.

The state machine is :mod:`itembank.workflow`; who may decide is
:func:`itembank.operations.duties.review_refusal`. These functions add the rest, the
same for every kind of document: the submitter becomes a contributor, approvals are
counted against the number the bank required at submission, ``request_changes`` and
``reject`` act at once and need a comment, every step is locked, audited and notified
(:mod:`itembank.operations.notifications`). :mod:`itembank.operations.reviews` (items)
and :mod:`itembank.operations.passage_reviews` (passages) add what is their own: the
problems that keep a draft from submission, an item review's checklist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from itembank.access import ensure_visible, require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.models import (
    Comment,
    ItemVersion,
    PassageComment,
    PassageContributor,
    Role,
    VersionContributor,
)
from itembank.models._types import utcnow
from itembank.models.users import User
from itembank.models.versioned import DocumentVersion, VersionCommentRow, VersionedDocument
from itembank.operations import notifications
from itembank.operations.duties import require_writer, review_model, review_refusal
from itembank.workflow import DECISION_ACTION, Action, Decision, Status, transition

MAX_COMMENT_CHARS = 10_000
#: Longest field path a comment may name.
MAX_FIELD_CHARS = 200

V = TypeVar("V", bound=DocumentVersion)
D = TypeVar("D", bound=VersionedDocument)

#: The audit trail's prefix of each kind's workflow actions (``version.submit``,
#: ``passage.submit``).
_ACTION_PREFIX = {"item": "version", "passage": "passage"}
#: What each kind is called in messages.
_PLURAL = {"item": "items", "passage": "passages"}


def problem(field: str, message: str, message_en: str) -> dict[str, str]:
    """A problem of one field, as :class:`InvalidInput` lists them."""
    return {"field": field, "message": message, "message_en": message_en}


def audit_version(action: str, version: DocumentVersion, *, actor: User, **data: Any) -> None:
    """Record ``action`` (``submit``, ``review``, ``approved``...) on ``version`` in the
    audit trail, under its kind's prefix."""
    name = f"{_ACTION_PREFIX[version.object_type]}.{action}"
    if isinstance(version, ItemVersion):
        record(name, actor=actor, version=version, **data)
        return
    document = version.document
    record(
        name,
        actor=actor,
        bank=document.bank,
        object_type=version.object_type,
        object_id=document.external_id,
        version_number=version.number,
        **data,
    )


def lock(version: V) -> V:
    """Reload ``version`` with a row lock (PostgreSQL ``FOR UPDATE``) so concurrent
    edits and reviews of it are serialised; returns the fresh object."""
    cls = type(version)
    return db.session.scalars(
        sa.select(cls)
        .where(cls.id == version.id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def lock_document(document: D) -> D:
    cls = type(document)
    return db.session.scalars(
        sa.select(cls)
        .where(cls.id == document.id)  # type: ignore[attr-defined]
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def add_contributor(version: DocumentVersion, user: User) -> None:
    """Record ``user`` as one of the version's contributors (once)."""
    if user.id in version.contributor_ids:
        return
    row = VersionContributor if isinstance(version, ItemVersion) else PassageContributor
    version.contributors.append(row(user_id=user.id))  # type: ignore[attr-defined]


def check_reason(reason: str | None, field: str = "reason") -> str:
    """``reason`` stripped; :class:`InvalidInput` when longer than the limit."""
    reason = (reason or "").strip()
    if len(reason) > MAX_COMMENT_CHARS:
        what_id, what_en = ("Alasan", "reason") if field == "reason" else ("Komentar", "comment")
        raise InvalidInput(
            f"the {what_en} is longer than {MAX_COMMENT_CHARS} characters",
            [
                problem(
                    field,
                    f"{what_id} terlalu panjang (maks. {MAX_COMMENT_CHARS} karakter).",
                    f"The {what_en} is too long (at most {MAX_COMMENT_CHARS} characters).",
                )
            ],
        )
    return reason


def submit(
    version: V,
    *,
    actor: User,
    reason: str,
    problems: Callable[[V], list[dict[str, str]]],
    doing: str,
) -> V:
    """Submit a draft for review (authors; ``doing`` names the step if refused): it
    never changes again. A draft with
    ``problems`` is refused listing them; the submitter becomes a contributor, so never
    reviews it. The bank's reviewers who may review it are told."""
    document = version.document
    require_writer(actor, document.bank, doing=doing)
    reason = check_reason(reason)
    version = lock(version)
    source = Status(version.status)
    target = transition(Action.SUBMIT, source)
    found = problems(version)
    if found:
        raise InvalidInput(
            f"version {version.number} of {document.external_id} cannot be submitted yet: "
            + "; ".join(f"{p['field']}: {p['message_en'] or p['message']}" for p in found[:10]),
            found,
        )
    now = utcnow()
    version.status = target.value
    version.submitted_by_id = actor.id
    version.submitted_at = now
    version.required_approvals = document.bank.required_approvals
    add_contributor(version, actor)
    document.updated_at = now
    db.session.flush()
    audit_version(
        "submit",
        version,
        actor=actor,
        from_status=source.value,
        to_status=target.value,
        reason=reason,
    )
    notifications.review_waiting(version, actor=actor)
    return version


def checked_decision(
    version: DocumentVersion, *, actor: User, decision: Decision | str, comment: str
) -> tuple[Decision, str]:
    """The decision and its comment, checked before anything is locked: a reviewer who
    may never review ``version`` is refused first (:class:`PermissionDenied`), then an
    unknown decision, a missing or too long comment (:class:`InvalidInput`)."""
    ensure_visible(actor, version.document.bank)
    refusal = review_refusal(actor, version)
    if refusal is not None and refusal.error is PermissionDenied:
        refusal.raise_()  # not a reviewer of this version: say so before checking input
    try:
        decision = Decision(decision)
    except ValueError:
        raise InvalidInput(
            f"unknown decision {decision!r}; use approve, request_changes or reject",
            [problem("decision", "Keputusan tidak dikenal.", "Unknown decision.")],
        ) from None
    comment = (comment or "").strip()
    if decision is not Decision.APPROVE and not comment:
        raise InvalidInput(
            "a comment saying what to change or why is required",
            [
                problem(
                    "comment",
                    "Tuliskan alasan atau perbaikan yang diminta.",
                    "Say what must change, or why.",
                )
            ],
        )
    return decision, check_reason(comment, "comment")


def review(
    version: V,
    *,
    actor: User,
    decision: Decision,
    comment: str,
    review_fields: dict[str, Any] | None = None,
    audit_fields: dict[str, Any] | None = None,
) -> V:
    """Record a reviewer's checked decision (:func:`checked_decision`) on a version in
    review. ``approve`` approves it once as many distinct reviewers approved as the bank
    required when it was submitted (the document then uses it); ``request_changes`` and
    ``reject`` act at once. ``review_fields``: more columns of the review row;
    ``audit_fields``: more data for the audit event."""
    version = lock(version)  # the approvals count below must see every earlier review
    source = Status(version.status)
    target = transition(DECISION_ACTION[decision], source)  # raises unless in review
    refusal = review_refusal(actor, version)  # again, under the lock
    if refusal is not None:
        refusal.raise_()
    model = review_model(version)
    db.session.add(
        model(
            version=version,
            reviewer_id=actor.id,
            decision=decision.value,
            comment=comment,
            **(review_fields or {}),
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("you reviewed this version at the same moment in another session") from None
    audit_version(
        "review",
        version,
        actor=actor,
        from_status=source.value,
        reason=comment,
        decision=decision.value,
        **(audit_fields or {}),
    )
    if decision is Decision.APPROVE:
        approvals = db.session.scalar(
            sa.select(sa.func.count(sa.distinct(model.reviewer_id))).where(
                model.version_id == version.id, model.decision == Decision.APPROVE.value
            )
        )
        if (approvals or 0) < required_approvals(version):
            return version  # still in review, waiting for more approvals
    move(version, source, target, actor=actor, reason=comment)
    if target is Status.APPROVED:
        document = lock_document(version.document)
        document.approved_version_id = version.id
        db.session.flush()
    return version


def required_approvals(version: DocumentVersion) -> int:
    """The approvals ``version`` needs: the bank's count when it was submitted."""
    if version.required_approvals is not None:
        return version.required_approvals
    return version.document.bank.required_approvals  # not submitted yet


def withdraw(version: V, *, actor: User, reason: str = "", doing: str) -> V:
    """Take a version out of review (authors): it becomes ``withdrawn`` with its
    reviews kept; a new draft starts from it like from one sent back for changes."""
    require_writer(actor, version.document.bank, doing=doing)
    reason = check_reason(reason)
    version = lock(version)
    source = Status(version.status)
    target = transition(Action.WITHDRAW, source)
    move(version, source, target, actor=actor, reason=reason)
    return version


def move(
    version: DocumentVersion, source: Status, target: Status, *, actor: User, reason: str
) -> None:
    """Put ``version`` in ``target``: audited, and its contributors told of a decision."""
    now = utcnow()
    version.status = target.value
    version.decided_at = now
    version.document.updated_at = now
    db.session.flush()
    audit_version(
        target.value,
        version,
        actor=actor,
        from_status=source.value,
        to_status=target.value,
        reason=reason,
    )
    notifications.version_decided(version, target, actor=actor, reason=reason)


def start_retiring(document: D, *, actor: User, reason: str, doing: str) -> tuple[D, str]:
    """The checks retiring ``document`` starts with (bank admins; a reason; not retired
    yet); returns the document locked and the reason. The caller checks that no version
    is open (:func:`refuse_open_versions`) and marks it retired (:func:`mark_retired`)."""
    plural = _PLURAL[document.__tablename__]  # type: ignore[attr-defined]
    require_role(actor, document.bank, Role.BANK_ADMIN, doing=doing)
    reason = check_reason(reason)
    if not reason:
        raise InvalidInput(
            f"say why the {plural[:-1]} is retired",
            [problem("reason", "Alasan wajib diisi.", "A reason is required.")],
        )
    document = lock_document(document)
    if document.is_retired:
        raise Conflict(f"{plural[:-1]} {document.external_id} is already retired")
    return document, reason


def refuse_open_versions(document: VersionedDocument) -> None:
    """A :class:`Conflict` while a version of ``document`` is in draft or in review."""
    noun = document.__tablename__  # type: ignore[attr-defined]
    open_version = next((v for v in document.versions if v.is_open), None)
    if open_version is not None:
        raise Conflict(
            f"version {open_version.number} of {document.external_id} is "
            f"{open_version.status}; it must be decided (approved, rejected or sent back) "
            f"before the {noun} is retired"
        )


def mark_retired(document: VersionedDocument, *, actor: User) -> None:
    now = utcnow()
    document.retired_at = now
    document.retired_by_id = actor.id
    document.updated_at = now


def add_comment(
    version: DocumentVersion, *, actor: User, body: str, field: str | None, doing: str
) -> VersionCommentRow:
    """Comment on a version (authors and reviewers of the bank), in general or on one
    field (``stem``, ``content.options.1.text``, a passage's ``title`` or ``body``).
    Audited as ``comment.add`` (items) or ``passage.comment``."""
    require_role(actor, version.document.bank, Role.AUTHOR, Role.REVIEWER, doing=doing)
    body = (body or "").strip()
    if not body:
        raise InvalidInput(
            "the comment is empty", [problem("body", "Komentar kosong.", "The comment is empty.")]
        )
    body = check_reason(body, "comment")
    field = (field or "").strip() or None
    if field is not None and len(field) > MAX_FIELD_CHARS:
        raise InvalidInput(
            "the field path is too long",
            [problem("field", "Nama isian terlalu panjang.", "The field path is too long.")],
        )
    model = Comment if isinstance(version, ItemVersion) else PassageComment
    comment = model(version=version, author_id=actor.id, body=body, field=field)
    db.session.add(comment)
    db.session.flush()
    if isinstance(version, ItemVersion):
        record(
            "comment.add",
            actor=actor,
            version=version,
            reason=body,
            field=field,
            comment_id=comment.id,
        )
    else:
        audit_version(
            "comment", version, actor=actor, reason=body, field=field, comment_id=comment.id
        )
    return comment
