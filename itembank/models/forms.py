"""Blueprints (kisi-kisi), test forms (paket soal) and enemy item pairs.

A **blueprint** describes a test: sections, each with rows of (taxonomy node, optional
level, allowed item types, number of items, points per item), its total length and
time limit. A **form** is built against a blueprint: sections copied from it and an
ordered list of entries, each pinning one approved :class:`ItemVersion`. A form is
``draft`` (edited), then ``locked`` (never changes again), then ``exported``. An
**enemy pair** marks two items of a bank that must not appear in the same form.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow
from itembank.models.items import Item, ItemVersion
from itembank.models.taxonomy import TaxonomyNode
from itembank.models.users import Bank, User


class FormStatus(enum.StrEnum):
    DRAFT = "draft"
    LOCKED = "locked"
    EXPORTED = "exported"


FORM_STATUS_LABELS: dict[FormStatus, dict[str, str]] = {
    FormStatus.DRAFT: {"id": "Draf", "en": "Draft"},
    FormStatus.LOCKED: {"id": "Dikunci", "en": "Locked"},
    FormStatus.EXPORTED: {"id": "Diekspor", "en": "Exported"},
}


class Blueprint(db.Model):
    """A bank's test blueprint (kisi-kisi)."""

    __tablename__ = "blueprint"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "code"),
        sa.CheckConstraint("total_length >= 1", name="total_length_positive"),
        sa.CheckConstraint(
            "time_limit_minutes IS NULL OR time_limit_minutes >= 1", name="time_limit_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: The number of items a form of this blueprint has (the sum of its rows' counts).
    total_length: Mapped[int]
    time_limit_minutes: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Bumped on every saved change (optimistic locking, ETags).
    revision: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": revision}

    bank: Mapped[Bank] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    sections: Mapped[list[BlueprintSection]] = relationship(
        back_populates="blueprint",
        order_by="BlueprintSection.position",
        cascade="all, delete-orphan",
    )

    @property
    def rows(self) -> list[BlueprintRow]:
        return [row for section in self.sections for row in section.rows]

    def __repr__(self) -> str:
        return f"<Blueprint {self.code}>"


class BlueprintSection(db.Model):
    __tablename__ = "blueprint_section"
    __table_args__ = (sa.UniqueConstraint("blueprint_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("blueprint.id", ondelete="CASCADE"), index=True
    )
    #: 1-based order of the section in the blueprint.
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))

    blueprint: Mapped[Blueprint] = relationship(back_populates="sections")
    rows: Mapped[list[BlueprintRow]] = relationship(
        back_populates="section", order_by="BlueprintRow.position", cascade="all, delete-orphan"
    )


class BlueprintRow(db.Model):
    """How many items of a kind a section needs: classified under ``node`` (or a
    descendant), at ``level`` when given, of one of ``item_types`` (any when empty)."""

    __tablename__ = "blueprint_row"
    __table_args__ = (
        sa.UniqueConstraint("section_id", "position"),
        sa.CheckConstraint("count >= 1", name="count_positive"),
        sa.CheckConstraint("points IS NULL OR points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(
        sa.ForeignKey("blueprint_section.id", ondelete="CASCADE"), index=True
    )
    #: 1-based order of the row in its section.
    position: Mapped[int]
    node_id: Mapped[int] = mapped_column(sa.ForeignKey("taxonomy_node.id"), index=True)
    level: Mapped[int | None]
    item_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    count: Mapped[int]
    #: The maximum score each item of the row is worth (None: not checked).
    points: Mapped[float | None] = mapped_column(sa.Float)

    section: Mapped[BlueprintSection] = relationship(back_populates="rows")
    node: Mapped[TaxonomyNode] = relationship()


class Form(db.Model):
    """A test form (paket soal) built against a blueprint."""

    __tablename__ = "form"
    __table_args__ = (
        sa.UniqueConstraint("bank_id", "number"),
        sa.CheckConstraint("status IN ('draft', 'locked', 'exported')", name="status_known"),
        sa.CheckConstraint(
            "status = 'draft' OR (locked_at IS NOT NULL AND locked_by_id IS NOT NULL)",
            name="locked_has_who_and_when",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    #: Per-bank sequence number; ``external_id`` is derived from it and never changes.
    number: Mapped[int]
    #: ``CACT-DEMO-F001``: what the CLI and the API take.
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    blueprint_id: Mapped[int] = mapped_column(sa.ForeignKey("blueprint.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(16), default=FormStatus.DRAFT.value, index=True)
    cloned_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("form.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The first export; every export is an audit event with its package hash.
    exported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: SHA-256 of the most recent exported package.
    package_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    #: Bumped on every saved change to the form or its entries (ETags, optimistic locking).
    revision: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": revision}

    bank: Mapped[Bank] = relationship()
    blueprint: Mapped[Blueprint] = relationship()
    cloned_from: Mapped[Form | None] = relationship(remote_side=[id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User] = relationship(foreign_keys=[updated_by_id])
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])
    exported_by: Mapped[User | None] = relationship(foreign_keys=[exported_by_id])
    sections: Mapped[list[FormSection]] = relationship(
        back_populates="form", order_by="FormSection.position", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        return self.status == FormStatus.DRAFT.value

    @property
    def entries(self) -> list[FormEntry]:
        """Every entry in delivery order: sections in order, entries in order within."""
        return [entry for section in self.sections for entry in section.entries]

    def __repr__(self) -> str:
        return f"<Form {self.external_id} {self.status}>"


class FormSection(db.Model):
    """A section of a form, copied from a blueprint section when the form is made."""

    __tablename__ = "form_section"
    __table_args__ = (sa.UniqueConstraint("form_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("form.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    blueprint_section_id: Mapped[int] = mapped_column(sa.ForeignKey("blueprint_section.id"))

    form: Mapped[Form] = relationship(back_populates="sections")
    blueprint_section: Mapped[BlueprintSection] = relationship()
    entries: Mapped[list[FormEntry]] = relationship(
        back_populates="section", order_by="FormEntry.position", cascade="all, delete-orphan"
    )


class FormEntry(db.Model):
    """One question of a form: a pinned item version at a position in a section."""

    __tablename__ = "form_entry"
    __table_args__ = (sa.UniqueConstraint("section_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("form.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int] = mapped_column(
        sa.ForeignKey("form_section.id", ondelete="CASCADE"), index=True
    )
    #: 1-based order within the section.
    position: Mapped[int]
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    item_version_id: Mapped[int] = mapped_column(sa.ForeignKey("item_version.id"), index=True)
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    section: Mapped[FormSection] = relationship(back_populates="entries")
    item: Mapped[Item] = relationship()
    version: Mapped[ItemVersion] = relationship()
    added_by: Mapped[User] = relationship()


class EnemyPair(db.Model):
    """Two items of a bank that must not appear in the same form (clones, or one gives
    away the other's answer). Stored once, the lower item id first."""

    __tablename__ = "enemy_pair"
    __table_args__ = (
        sa.UniqueConstraint("item_low_id", "item_high_id"),
        sa.CheckConstraint("item_low_id < item_high_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    item_low_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    item_high_id: Mapped[int] = mapped_column(sa.ForeignKey("item.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    bank: Mapped[Bank] = relationship()
    item_low: Mapped[Item] = relationship(foreign_keys=[item_low_id])
    item_high: Mapped[Item] = relationship(foreign_keys=[item_high_id])
    created_by: Mapped[User] = relationship()
