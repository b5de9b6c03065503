"""Notifications: telling people about events that concern their work.

A notification is written in the same transaction as the event that causes it (a review
decision, a submission, a job's end, a statistics flag), so it exists exactly when the
event does. Who is told:

- ``changes_requested``, ``approved``, ``rejected``: the version's contributors (who
  wrote, edited or submitted it), except whoever decided; for items and passages alike
  (``object_type`` ``item`` or ``passage``).
- ``review_waiting``: the bank's reviewers who may review the submitted version (not its
  contributors; active accounts), of an item or a passage.
- ``job_finished``: whoever started the job, when it succeeds or fails.
- ``flagged``: the contributors of a version that an item analysis flags.

Users read them in the app (the bell, ``/notifications``) and through the API
(``/api/v1/me/notifications``), and get them by e-mail according to their preference
(``immediate``, ``daily`` digest, ``none``) when the server has SMTP settings; mail goes
out from the job worker's housekeeping or the CLI (:mod:`itembank.notification_mail`),
never inside a web request. A notification's text is built when it is shown, in the
reader's language, from its kind and ``params``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from itembank.errors import InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import (
    ItemVersion,
    Job,
    MailPreference,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    Role,
    User,
)
from itembank.models._types import utcnow
from itembank.models.versioned import DocumentVersion
from itembank.workflow import Status

#: Most notifications one listing returns.
PAGE_LIMIT = 100

_DECISION_KINDS = {
    Status.CHANGES_REQUESTED: NotificationKind.CHANGES_REQUESTED,
    Status.APPROVED: NotificationKind.APPROVED,
    Status.REJECTED: NotificationKind.REJECTED,
}


def notify(
    recipient_ids: Iterable[int],
    kind: NotificationKind,
    *,
    bank_id: int | None,
    object_type: str,
    object_id: str,
    params: dict[str, Any],
) -> list[Notification]:
    """Add one notification per recipient to the session (the caller's transaction)."""
    made = []
    for recipient_id in sorted(set(recipient_ids)):
        notification = Notification(
            recipient_id=recipient_id,
            kind=kind.value,
            bank_id=bank_id,
            object_type=object_type,
            object_id=object_id,
            params=params,
            created_at=utcnow(),
        )
        db.session.add(notification)
        made.append(notification)
    return made


def _version_params(version: DocumentVersion, actor: User | None) -> dict[str, Any]:
    return {"version": version.number, "by": actor.name if actor is not None else ""}


def version_decided(version: DocumentVersion, target: Status, *, actor: User, reason: str) -> None:
    """The version (of an item or a passage) was sent back, approved or rejected: tell
    its contributors."""
    kind = _DECISION_KINDS.get(target)
    if kind is None:
        return
    document = version.document
    notify(
        version.contributor_ids - {actor.id},
        kind,
        bank_id=document.bank_id,
        object_type=version.object_type,
        object_id=document.external_id,
        params={**_version_params(version, actor), "comment": (reason or "")[:500]},
    )


def review_waiting(version: DocumentVersion, *, actor: User) -> None:
    """The version (of an item or a passage) was submitted: tell the reviewers who may
    review it."""
    document = version.document
    excluded = version.contributor_ids | {actor.id}
    reviewers = db.session.scalars(
        sa.select(Membership.user_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.bank_id == document.bank_id,
            Membership.role == Role.REVIEWER.value,
            User.is_active.is_(True),
        )
    )
    notify(
        [r for r in reviewers if r not in excluded],
        NotificationKind.REVIEW_WAITING,
        bank_id=document.bank_id,
        object_type=version.object_type,
        object_id=document.external_id,
        params=_version_params(version, actor),
    )


def job_finished(job: Job) -> None:
    """The job succeeded or failed: tell whoever started it."""
    if job.status not in ("succeeded", "failed"):
        return
    notify(
        [job.actor_id],
        NotificationKind.JOB_FINISHED,
        bank_id=job.bank_id,
        object_type="job",
        object_id=str(job.id),
        params={"job_kind": job.kind, "status": str(job.status)},
    )


def version_flagged(version: ItemVersion, codes: list[str], *, analysis_id: int) -> None:
    """An item analysis flagged the version: tell its contributors."""
    item = version.item
    notify(
        version.contributor_ids,
        NotificationKind.FLAGGED,
        bank_id=item.bank_id,
        object_type="item",
        object_id=item.external_id,
        params={"version": version.number, "codes": sorted(codes), "analysis": analysis_id},
    )


# -- reading ---------------------------------------------------------------------------------


def unread_count(user: User) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def list_notifications(
    user: User, *, unread_only: bool = False, limit: int = PAGE_LIMIT
) -> list[Notification]:
    """The user's notifications, newest first."""
    query = sa.select(Notification).where(Notification.recipient_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(
        db.session.scalars(
            query.order_by(Notification.id.desc()).limit(max(1, min(limit, PAGE_LIMIT)))
        )
    )


def get_notification(user: User, notification_id: int) -> Notification:
    """One of the user's notifications (NotFound for anyone else's)."""
    found = db.session.get(Notification, notification_id)
    if found is None or found.recipient_id != user.id:
        raise NotFound(f"no notification {notification_id}")
    return found


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (``ids``; None: all of them); returns how many
    changed. Ids that are not the user's are ignored."""
    query = (
        sa.update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if ids is not None:
        wanted = list(ids)
        if not wanted:
            return 0
        query = query.where(Notification.id.in_(wanted))
    changed = db.session.execute(query).rowcount
    db.session.expire_all()
    return int(changed or 0)


def mail_preference(user: User) -> MailPreference:
    found = db.session.get(NotificationPreference, user.id)
    return MailPreference(found.mail) if found is not None else MailPreference.IMMEDIATE


def set_mail_preference(user: User, value: Any) -> MailPreference:
    try:
        preference = MailPreference(value)
    except ValueError:
        choices = ", ".join(p.value for p in MailPreference)
        raise InvalidInput(
            f"unknown e-mail preference {value!r}; choose {choices}",
            [
                {
                    "field": "mail",
                    "message": f"Pilihan surel tidak dikenal. Pilihan: {choices}.",
                    "message_en": f"Unknown e-mail preference. Choose: {choices}.",
                }
            ],
        ) from None
    found = db.session.get(NotificationPreference, user.id)
    if found is None:
        found = NotificationPreference(user_id=user.id)
        db.session.add(found)
    found.mail = preference.value
    found.updated_at = utcnow()
    db.session.flush()
    return preference


# -- text ------------------------------------------------------------------------------------


def describe(notification: Notification) -> dict[str, str]:
    """The notification's text: ``{"id": ..., "en": ...}``."""
    p = notification.params or {}
    what = notification.object_id
    version = p.get("version")
    by = p.get("by") or "?"
    kind = notification.kind
    if kind == NotificationKind.CHANGES_REQUESTED:
        return {
            "id": f"{by} meminta perbaikan pada {what} versi {version}.",
            "en": f"{by} requested changes to {what} version {version}.",
        }
    if kind == NotificationKind.APPROVED:
        return {
            "id": f"{what} versi {version} disetujui.",
            "en": f"{what} version {version} was approved.",
        }
    if kind == NotificationKind.REJECTED:
        return {
            "id": f"{by} menolak {what} versi {version}.",
            "en": f"{by} rejected {what} version {version}.",
        }
    if kind == NotificationKind.REVIEW_WAITING:
        return {
            "id": f"{what} versi {version} menunggu telaah Anda (diajukan oleh {by}).",
            "en": f"{what} version {version} is waiting for your review (submitted by {by}).",
        }
    if kind == NotificationKind.JOB_FINISHED:
        from itembank.jobs.operations import job_titles

        title_id, title_en = job_titles().get(p.get("job_kind", ""), (p.get("job_kind"),) * 2)
        if p.get("status") == "succeeded":
            return {
                "id": f"Pekerjaan {title_id} #{what} selesai.",
                "en": f"Job {title_en} #{what} finished.",
            }
        return {
            "id": f"Pekerjaan {title_id} #{what} gagal.",
            "en": f"Job {title_en} #{what} failed.",
        }
    if kind == NotificationKind.FLAGGED:
        codes = ", ".join(p.get("codes") or [])
        return {
            "id": f"Analisis butir menandai {what} versi {version} ({codes}).",
            "en": f"Item analysis flagged {what} version {version} ({codes}).",
        }
    return {"id": kind, "en": kind}


def link(notification: Notification) -> str:
    """The site path the notification leads to."""
    if notification.object_type == "item":
        version = (notification.params or {}).get("version")
        if notification.kind == NotificationKind.REVIEW_WAITING and version:
            return f"/items/{notification.object_id}/versions/{version}/review"
        if version:
            return f"/items/{notification.object_id}/versions/{version}"
        return f"/items/{notification.object_id}"
    if notification.object_type == "passage":
        version = (notification.params or {}).get("version")
        if notification.kind == NotificationKind.REVIEW_WAITING and version:
            return f"/passages/{notification.object_id}/versions/{version}/review"
        if version:
            return f"/passages/{notification.object_id}/versions/{version}"
        return f"/passages/{notification.object_id}"
    if notification.object_type == "job":
        return f"/jobs/{notification.object_id}"
    return "/notifications"
