"""Imports and their stored reports."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import UTCDateTime, utcnow
from itembank.models.items import Item
from itembank.models.users import Bank, User


class ImportBatch(db.Model):
    """One import of one file into a bank, and its outcome. Stored even when nothing
    was imported (a strict import with problems, an unreadable file), so the report can
    be read afterwards."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(sa.String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: The importer's id (``spreadsheet``), or ``""`` when none accepted the file.
    importer: Mapped[str] = mapped_column(sa.String(64))
    #: ``strict`` or ``valid_only``.
    mode: Mapped[str] = mapped_column(sa.String(16))
    #: ``completed``, ``rolled_back`` (strict, with problems) or ``failed``.
    status: Mapped[str] = mapped_column(sa.String(16), index=True)
    items_total: Mapped[int] = mapped_column(default=0)
    items_created: Mapped[int] = mapped_column(default=0)
    items_updated: Mapped[int] = mapped_column(default=0)
    items_unchanged: Mapped[int] = mapped_column(default=0)
    items_rejected: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)

    bank: Mapped[Bank] = relationship()
    actor: Mapped[User] = relationship()
    entries: Mapped[list[ImportEntry]] = relationship(
        back_populates="batch", order_by="ImportEntry.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.filename} {self.status}>"


class ImportEntry(db.Model):
    """One line of an import report: where (file, row or item, column), how bad, what
    happened in Indonesian and English, and the item it became, if any."""

    __tablename__ = "import_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        sa.ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    file: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The row number, or the item's identifier in the file.
    item_ref: Mapped[str] = mapped_column(sa.String(255), default="")
    column_name: Mapped[str] = mapped_column(sa.String(255), default="")
    #: ``error``, ``warning`` or ``info``.
    severity: Mapped[str] = mapped_column(sa.String(16))
    #: For the entry that concludes an item: ``created``, ``new_version``,
    #: ``draft_updated``, ``unchanged``, ``rejected`` or ``not_imported``; else ``""``.
    outcome: Mapped[str] = mapped_column(sa.String(32), default="")
    message: Mapped[str] = mapped_column(sa.Text)
    message_en: Mapped[str] = mapped_column(sa.Text, default="")
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("item.id"))
    version_number: Mapped[int | None]

    batch: Mapped[ImportBatch] = relationship(back_populates="entries")
    item: Mapped[Item | None] = relationship()
