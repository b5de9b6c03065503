"""Notifications: what a user is told about their work, in the app and by e-mail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.users import User


class NotificationKind(enum.StrEnum):
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVIEW_WAITING = "review_waiting"
    JOB_FINISHED = "job_finished"
    FLAGGED = "flagged"


class MailPreference(enum.StrEnum):
    """How a user wants notifications by e-mail (when the server can send mail)."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    NONE = "none"


class Notification(db.Model):
    """One thing one user is told, written with the change that caused it."""

    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_recipient_unread", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    bank_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bank.id", ondelete="CASCADE"))
    #: What it is about: ``item`` (``CACT-DEMO-000123``, with ``params["version"]``) or
    #: ``job`` (its id).
    object_type: Mapped[str] = mapped_column(sa.String(32), default="")
    object_id: Mapped[str] = mapped_column(sa.String(64), default="")
    #: The values its text is built from (version number, who, job kind, status...).
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When it went out by e-mail (alone or in a digest); None: not (yet).
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    recipient: Mapped[User] = relationship()


class NotificationPreference(db.Model):
    """A user's choice of e-mail: immediate (default), a daily digest, or none."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    mail: Mapped[str] = mapped_column(sa.String(16), default=MailPreference.IMMEDIATE.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
