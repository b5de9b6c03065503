"""Shared passages (stimuli): a text several items are asked about, with its own
append-only versions and review, like an item's.

An item version pins one passage version (:attr:`ItemVersion.passage_version_id`); the
passage and the items pinning it make an *item set*.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import UTCDateTime, utcnow
from itembank.models.users import Bank, User
from itembank.workflow import OPEN_STATUSES, Status


class Passage(db.Model):
    """A passage of a bank (``CACT-DEMO-P0001``). Its text lives in its versions."""

    __tablename__ = "passage"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "number"),
        sa.Index("ix_passage_bank_updated", "bank_id", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    #: Per-bank sequence number; ``external_id`` is derived from it and never changes.
    number: Mapped[int]
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The newest approved version (None until one is approved).
    approved_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("passage_version.id", use_alter=True, name="fk_passage_approved_version")
    )
    #: The newest version, whatever its status (what listings show).
    newest_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("passage_version.id", use_alter=True, name="fk_passage_newest_version")
    )

    bank: Mapped[Bank] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    versions: Mapped[list[PassageVersion]] = relationship(
        back_populates="passage",
        order_by="PassageVersion.number",
        foreign_keys="PassageVersion.passage_id",
    )
    approved_version: Mapped[PassageVersion | None] = relationship(
        foreign_keys=[approved_version_id], post_update=True
    )
    newest_version: Mapped[PassageVersion | None] = relationship(
        foreign_keys=[newest_version_id], post_update=True
    )

    @property
    def latest_version(self) -> PassageVersion:
        return self.versions[-1]

    def __repr__(self) -> str:
        return f"<Passage {self.external_id}>"


class PassageVersion(db.Model):
    """One version of a passage. Editable only while ``draft``; frozen once submitted."""

    __tablename__ = "passage_version"
    __table_args__ = (
        sa.UniqueConstraint("passage_id", "number"),
        sa.Index(
            "uq_passage_version_one_open",
            "passage_id",
            unique=True,
            sqlite_where=sa.text("status IN ('draft', 'in_review')"),
            postgresql_where=sa.text("status IN ('draft', 'in_review')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    passage_id: Mapped[int] = mapped_column(sa.ForeignKey("passage.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(32), default=Status.DRAFT.value, index=True)
    #: Plain text, shown to authors and in listings and written as the stimulus title.
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Sanitized rich text (like a stem: paragraphs, tables, images, MathML).
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: SHA-256 of the canonical JSON of title and body.
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: Bumped on every saved edit; edits carry the revision they were based on.
    revision: Mapped[int] = mapped_column(default=1)
    based_on_id: Mapped[int | None] = mapped_column(sa.ForeignKey("passage_version.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The bank's required approvals when the version was submitted.
    required_approvals: Mapped[int | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __mapper_args__ = {"version_id_col": revision}

    passage: Mapped[Passage] = relationship(back_populates="versions", foreign_keys=[passage_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    based_on: Mapped[PassageVersion | None] = relationship(remote_side=[id])
    contributors: Mapped[list[PassageContributor]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[PassageReview]] = relationship(
        back_populates="version", order_by="PassageReview.id", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def contributor_ids(self) -> set[int]:
        return {c.user_id for c in self.contributors}

    def __repr__(self) -> str:
        return f"<PassageVersion {self.passage_id} v{self.number} {self.status}>"


class PassageContributor(db.Model):
    """Someone who created, edited or submitted a passage version: they never review it."""

    __tablename__ = "passage_contributor"
    __table_args__ = (sa.UniqueConstraint("version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("passage_version.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)

    version: Mapped[PassageVersion] = relationship(back_populates="contributors")


class PassageReview(db.Model):
    """A reviewer's decision on a passage version; one per reviewer per version."""

    __tablename__ = "passage_review"
    __table_args__ = (sa.UniqueConstraint("version_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("passage_version.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(32))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[PassageVersion] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()
