"""Images uploaded to a bank, stored once by content hash."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import UTCDateTime, utcnow


class MediaBlob(db.Model):
    """The bytes of an image, once per SHA-256 however many banks use it."""

    __tablename__ = "media_blob"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    mime: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Media(db.Model):
    """A bank's use of an image (what items in that bank may reference)."""

    __tablename__ = "media"
    __table_args__ = (sa.UniqueConstraint("bank_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.ForeignKey("media_blob.sha256"))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    blob: Mapped[MediaBlob] = relationship()
