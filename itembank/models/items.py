"""Items, their append-only versions, reviews and comments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.users import Bank, User
from itembank.workflow import OPEN_STATUSES, Status


class Item(db.Model):
    """A question in a bank. Its content lives in its versions."""

    __tablename__ = "item"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "number"),
        # A bank's listing, newest (or oldest) first, reads a page without sorting.
        sa.Index("ix_item_bank_updated", "bank_id", "updated_at", "id"),
        sa.Index("ix_item_bank_created", "bank_id", "created_at", "id"),
        sa.Index("ix_item_bank_source_ref", "bank_id", "source_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    #: Per-bank sequence number; ``external_id`` is derived from it and never changes.
    number: Mapped[int]
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    item_type: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The item's identifier in the system it was imported from (a QTI identifier), so
    #: importing it again makes a new version of this item instead of a second item.
    source_ref: Mapped[str | None] = mapped_column(sa.String(255))
    retired_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    #: The version forms use: the newest approved one (None until one is approved).
    approved_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("item_version.id", use_alter=True, name="fk_item_approved_version")
    )
    #: The newest version, whatever its status: what listings show and filter on.
    #: Kept by the operations that add versions, so listing needs no per-item subquery.
    newest_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("item_version.id", use_alter=True, name="fk_item_newest_version")
    )

    bank: Mapped[Bank] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    versions: Mapped[list[ItemVersion]] = relationship(
        back_populates="item",
        order_by="ItemVersion.number",
        foreign_keys="ItemVersion.item_id",
    )
    approved_version: Mapped[ItemVersion | None] = relationship(
        foreign_keys=[approved_version_id], post_update=True
    )
    newest_version: Mapped[ItemVersion | None] = relationship(
        foreign_keys=[newest_version_id], post_update=True
    )

    @property
    def latest_version(self) -> ItemVersion:
        return self.versions[-1]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<Item {self.external_id}>"


#: Trigram (pg_trgm) index that makes the listing's text query fast on PostgreSQL.
#: Migration 0009 creates it (0003 made the ones it replaces) when the extension can be
#: installed; they are not in the
#: models (SQLite cannot have them), so schema comparisons leave them out
#: (:func:`include_in_schema_comparison`).
SEARCH_INDEXES = frozenset({"ix_item_version_search_text_trgm"})


#: SQLite's FTS5 search table (migration 0015) and the shadow tables FTS5 keeps for it.
SEARCH_TABLE_PREFIX = "item_version_search"


def include_in_schema_comparison(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: everything but :data:`SEARCH_INDEXES` and the
    search tables (:data:`SEARCH_TABLE_PREFIX`)."""
    if type_ == "table" and name and name.startswith(SEARCH_TABLE_PREFIX):
        return False
    return not (type_ == "index" and name in SEARCH_INDEXES)


class ItemVersion(db.Model):
    """One version of an item. Editable only while ``draft``; frozen once submitted."""

    __tablename__ = "item_version"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "number"),
        # At most one open (draft or in review) version per item, enforced by the database.
        sa.Index(
            "uq_item_version_one_open",
            "item_id",
            unique=True,
            sqlite_where=sa.text("status IN ('draft', 'in_review')"),
            postgresql_where=sa.text("status IN ('draft', 'in_review')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(32), default=Status.DRAFT.value, index=True)
    stem: Mapped[str] = mapped_column(sa.Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    #: What the listing's ``q`` searches: the plain text of the stem and the type's
    #: rich-text fields, lower-cased (:func:`itembank.operations.content.search_text`).
    search_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    #: SHA-256 of the canonical JSON of type, stem, content and metadata.
    content_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: Bumped on every saved edit; edits carry the revision they were based on.
    revision: Mapped[int] = mapped_column(default=1)
    based_on_id: Mapped[int | None] = mapped_column(sa.ForeignKey("item_version.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The bank's required approvals when the version was submitted: it is approved
    #: against this count, so a later change of the setting leaves it alone.
    required_approvals: Mapped[int | None] = mapped_column()
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The passage version this version is asked about (its item set), if any
    #: (:mod:`itembank.operations.passages`).
    passage_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("passage_version.id"), index=True
    )

    __mapper_args__ = {"version_id_col": revision}

    item: Mapped[Item] = relationship(back_populates="versions", foreign_keys=[item_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    based_on: Mapped[ItemVersion | None] = relationship(remote_side=[id])
    contributors: Mapped[list[VersionContributor]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="version", order_by="Review.id", cascade="all, delete-orphan"
    )
    comments: Mapped[list[Comment]] = relationship(
        back_populates="version", order_by="Comment.id", cascade="all, delete-orphan"
    )
    classifications: Mapped[list[ItemClassification]] = relationship(
        back_populates="version", cascade="all, delete-orphan"
    )
    passage_version: Mapped[Any] = relationship("PassageVersion")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def contributor_ids(self) -> set[int]:
        return {c.user_id for c in self.contributors}

    def __repr__(self) -> str:
        return f"<ItemVersion {self.item_id} v{self.number} {self.status}>"


class VersionContributor(db.Model):
    """Someone who created or edited a version: they may never review it."""

    __tablename__ = "version_contributor"
    __table_args__ = (sa.UniqueConstraint("version_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("item_version.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)

    version: Mapped[ItemVersion] = relationship(back_populates="contributors")


class Review(db.Model):
    """A reviewer's decision on a version; one per reviewer per version."""

    __tablename__ = "review"
    __table_args__ = (sa.UniqueConstraint("version_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("item_version.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(32))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    #: The bank's review checklist as answered with this decision, criteria included
    #: (:mod:`itembank.operations.review_checklist`); ``None`` when the bank had none.
    checklist: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[ItemVersion] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()


class Comment(db.Model):
    """A comment on a version, general or on one field (``stem``, ``options.2.text``)."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("item_version.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    field: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[ItemVersion] = relationship(back_populates="comments")
    author: Mapped[User] = relationship()


class ItemClassification(db.Model):
    """A version's classification against a taxonomy node (and level), kept in a table
    so that listing by node, its descendants and level is an indexed query."""

    __tablename__ = "item_classification"
    __table_args__ = (sa.UniqueConstraint("version_id", "node_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("item_version.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("taxonomy_node.id"), index=True)
    level: Mapped[int | None]

    version: Mapped[ItemVersion] = relationship(back_populates="classifications")
    node: Mapped[Any] = relationship("TaxonomyNode")
