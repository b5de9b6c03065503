"""Taxonomies stored in the database (from plugins and from bank imports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from itembank.extensions import db
from itembank.models._types import JSONType, UTCDateTime, utcnow


class TaxonomyRecord(db.Model):
    """A taxonomy: global (``bank_id`` NULL, from a plugin) or a bank's own."""

    __tablename__ = "taxonomy"
    __table_args__ = (
        sa.Index(
            "uq_taxonomy_global_code",
            "code",
            unique=True,
            sqlite_where=sa.text("bank_id IS NULL"),
            postgresql_where=sa.text("bank_id IS NULL"),
        ),
        sa.UniqueConstraint("bank_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64))
    bank_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    name: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    source: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[str] = mapped_column(sa.String(64), default="")
    #: ``plugin:<name>`` or ``import``.
    origin: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    nodes: Mapped[list[TaxonomyNode]] = relationship(
        back_populates="taxonomy", order_by="TaxonomyNode.position"
    )


class TaxonomyNode(db.Model):
    __tablename__ = "taxonomy_node"
    __table_args__ = (sa.UniqueConstraint("taxonomy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    taxonomy_id: Mapped[int] = mapped_column(sa.ForeignKey("taxonomy.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("taxonomy_node.id"))
    code: Mapped[str] = mapped_column(sa.String(64))
    #: Materialised path of codes, ``/MANAJERIAL/M.1/``: descendants share its prefix.
    path: Mapped[str] = mapped_column(sa.String(1024), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    description: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    #: ``[{"level": 1, "name": {...}, "description": {...}, "indicators": [...]}]``
    levels: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)

    taxonomy: Mapped[TaxonomyRecord] = relationship(back_populates="nodes")
    parent: Mapped[TaxonomyNode | None] = relationship(remote_side=[id])

    @property
    def level_numbers(self) -> list[int]:
        return [int(level["level"]) for level in self.levels or []]
