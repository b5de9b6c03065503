"""Shared passages (stimuli): a text several items are asked about, with its own
append-only versions, review and comments, like an item's (the columns they share are
:mod:`itembank.models.versioned`'s).

An item version pins one passage version (:attr:`ItemVersion.passage_version_id`); the
passage and the items pinning it make an *item set*. A retired passage
(:attr:`Passage.retired_at`) can no longer be pinned by items; those pinning it keep it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models.versioned import (
    DocumentVersion,
    VersionCommentRow,
    VersionContributorRow,
    VersionedDocument,
    VersionReviewRow,
)


class Passage(VersionedDocument, db.Model):
    """A passage of a bank (``CACT-DEMO-P0001``). Its text lives in its versions."""

    __tablename__ = "passage"
    __version_class__ = "PassageVersion"
    __version_table__ = "passage_version"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "number"),
        sa.Index("ix_passage_bank_updated", "bank_id", "updated_at", "id"),
    )

    if TYPE_CHECKING:
        versions: Mapped[list[PassageVersion]]
        approved_version: Mapped[PassageVersion | None]
        newest_version: Mapped[PassageVersion | None]

        @property
        def latest_version(self) -> PassageVersion: ...


class PassageVersion(DocumentVersion, db.Model):
    """One version of a passage. Editable only while ``draft``; frozen once submitted."""

    __tablename__ = "passage_version"
    __document__ = "passage"
    __contributor_class__ = "PassageContributor"
    __review_class__ = "PassageReview"
    __comment_class__ = "PassageComment"

    passage_id: Mapped[int] = mapped_column(sa.ForeignKey("passage.id"), index=True)
    #: Plain text, shown to authors and in listings and written as the stimulus title.
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Sanitized rich text (like a stem: paragraphs, tables, images, MathML).
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: SHA-256 of the canonical JSON of title and body.
    content_hash: Mapped[str] = mapped_column(sa.String(64))

    passage: Mapped[Passage] = relationship(back_populates="versions", foreign_keys=[passage_id])

    if TYPE_CHECKING:
        based_on: Mapped[PassageVersion | None]
        contributors: Mapped[list[PassageContributor]]
        reviews: Mapped[list[PassageReview]]
        comments: Mapped[list[PassageComment]]


class PassageContributor(VersionContributorRow, db.Model):
    """Someone who created, edited or submitted a passage version: they never review it."""

    __tablename__ = "passage_contributor"
    __version_table__ = "passage_version"
    __version_class__ = "PassageVersion"


class PassageReview(VersionReviewRow, db.Model):
    """A reviewer's decision on a passage version; one per reviewer per version."""

    __tablename__ = "passage_review"
    __version_table__ = "passage_version"
    __version_class__ = "PassageVersion"


class PassageComment(VersionCommentRow, db.Model):
    """A comment on a passage version, general or on its ``title`` or ``body``."""

    __tablename__ = "passage_comment"
    __version_table__ = "passage_version"
    __version_class__ = "PassageVersion"
