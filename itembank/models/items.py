"""Items, their append-only versions, reviews and comments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.versioned import (
    DocumentVersion,
    VersionCommentRow,
    VersionContributorRow,
    VersionedDocument,
    VersionReviewRow,
)


class Item(VersionedDocument, db.Model):
    """A question in a bank. Its content lives in its versions; retired items are no
    longer assembled into forms."""

    __tablename__ = "item"
    __version_class__ = "ItemVersion"
    __version_table__ = "item_version"
    __newest_version_deferrable__ = True
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "number"),
        # A bank's listing, newest (or oldest) first, reads a page without sorting.
        sa.Index("ix_item_bank_updated", "bank_id", "updated_at", "id"),
        sa.Index("ix_item_bank_created", "bank_id", "created_at", "id"),
        sa.Index("ix_item_bank_source_ref", "bank_id", "source_ref"),
        # The items listing a version (newest; approved for assemblers): a small
        # subtree's items found from its classifications (migration 0020).
        sa.Index("ix_item_newest_version_id", "newest_version_id"),
        sa.Index("ix_item_approved_version_id", "approved_version_id"),
    )

    item_type: Mapped[str] = mapped_column(sa.String(64), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    #: The item's identifier in the system it was imported from (a QTI identifier), so
    #: importing it again makes a new version of this item instead of a second item.
    source_ref: Mapped[str | None] = mapped_column(sa.String(255))

    if TYPE_CHECKING:
        versions: Mapped[list[ItemVersion]]
        approved_version: Mapped[ItemVersion | None]
        newest_version: Mapped[ItemVersion | None]

        @property
        def latest_version(self) -> ItemVersion: ...


#: Trigram (pg_trgm) index that makes the listing's text query fast on PostgreSQL.
#: Migration 0009 creates it (0003 made the ones it replaces) when the extension can be
#: installed; they are not in the
#: models (SQLite cannot have them), so schema comparisons leave them out
#: (:func:`include_in_schema_comparison`).
SEARCH_INDEXES = frozenset({"ix_item_version_search_text_trgm"})


#: The search tables: SQLite's FTS5 tables (migrations 0015 and 0022) with the shadow
#: tables FTS5 keeps for them, and PostgreSQL's word table (0022, a tsvector per version).
SEARCH_TABLE_PREFIX = "item_version_search"


def include_in_schema_comparison(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: everything but :data:`SEARCH_INDEXES` and the
    search tables (:data:`SEARCH_TABLE_PREFIX`)."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


class ItemVersion(DocumentVersion, db.Model):
    """One version of an item. Editable only while ``draft``; frozen once submitted."""

    __tablename__ = "item_version"
    __document__ = "item"
    __contributor_class__ = "VersionContributor"
    __review_class__ = "Review"
    __comment_class__ = "Comment"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    stem: Mapped[str] = mapped_column(sa.Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    #: What the listing's ``q`` searches: the plain text of the stem and the type's
    #: rich-text fields, lower-cased (:func:`itembank.operations.content.search_text`).
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: SHA-256 of the canonical JSON of type, stem, content and metadata, and of the
    #: pinned passage version's text when there is one
    #: (:func:`itembank.operations.content.content_hash`).
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: The passage version this version is asked about (its item set), if any
    #: (:mod:`itembank.operations.passages`).
    passage_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("passage_version.id"), index=True
    )

    item: Mapped[Item] = relationship(back_populates="versions", foreign_keys=[item_id])
    classifications: Mapped[list[ItemClassification]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    passage_version: Mapped[Any] = relationship("PassageVersion")

    if TYPE_CHECKING:
        based_on: Mapped[ItemVersion | None]
        contributors: Mapped[list[VersionContributor]]
        reviews: Mapped[list[Review]]
        comments: Mapped[list[Comment]]


class VersionContributor(VersionContributorRow, db.Model):
    """Someone who created or edited an item version: they may never review it."""

    __tablename__ = "version_contributor"
    __version_table__ = "item_version"
    __version_class__ = "ItemVersion"


class Review(VersionReviewRow, db.Model):
    """A reviewer's decision on an item version; one per reviewer per version."""

    __tablename__ = "review"
    __version_table__ = "item_version"
    __version_class__ = "ItemVersion"

    #: The bank's review checklist as answered with this decision, criteria included
    #: (:mod:`itembank.operations.review_checklist`); ``None`` when the bank had none.
    checklist: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)


class Comment(VersionCommentRow, db.Model):
    """A comment on an item version, general or on one field (``stem``,
    ``options.2.text``)."""

    __tablename__ = "comment"
    __version_table__ = "item_version"
    __version_class__ = "ItemVersion"


class ItemClassification(db.Model):
    """A version's classification against a taxonomy node (and level), kept in a table
    so that listing by node, its descendants and level is an indexed query."""

    __tablename__ = "item_classification"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "node_id", "level"),
        # A subtree's versions (at a level) read from the index alone (migration 0020).
        sa.Index("ix_item_classification_node_level_version", "node_id", "level", "version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("item_version.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("taxonomy_node.id"))
    level: Mapped[int | None]

    version: Mapped[ItemVersion] = relationship(back_populates="classifications")
    node: Mapped[Any] = relationship("TaxonomyNode")
