"""Versioned documents: what items and passages share.

A *document* (an item, a passage) belongs to a bank, has a per-bank number and an
external id, and keeps its content in append-only *versions* that go through the review
workflow (:mod:`itembank.workflow`): a version is edited while ``draft`` (each saved edit
bumps its ``revision``), frozen once submitted, and decided by reviewers. Everyone who
created, edited or submitted a version is one of its *contributors*, who never review
it; each reviewer's decision is one *review*; anyone writing or reviewing may *comment*.

These declarative mixins declare the columns and relationships once; each concrete
model names its tables and adds what is its own (an item's type and classifications, a
passage's title and body). The columns, constraints and their names are exactly those
the migrations create (``tests/test_cli.py`` compares them).

A concrete version class sets ``__document__`` (the attribute naming its document, also
the prefix of its foreign key column: ``item`` -> ``item_id``) and the class names of its
contributor, review and comment models; a document sets its version class and table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from itembank.models._types import UTCDateTime, utcnow
from itembank.models.users import Bank, User
from itembank.workflow import OPEN_STATUSES, Status

#: A version is "open" while it is a draft or in review: at most one per document.
ONE_OPEN_WHERE = "status IN ('draft', 'in_review')"


class VersionedDocument:
    """Columns and relationships of a document (:class:`~itembank.models.Item`,
    :class:`~itembank.models.Passage`). Subclasses set ``__version_class__`` (the
    name of their version model) and ``__version_table__``."""

    __version_class__: ClassVar[str]
    __version_table__: ClassVar[str]
    #: Whether ``newest_version_id``'s foreign key is ``DEFERRABLE INITIALLY IMMEDIATE``
    #: (checked at each statement unless a transaction defers it: the bulk import
    #: writes new items with their version's id before the version; migration 0023).
    __newest_version_deferrable__: ClassVar[bool] = False

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("bank.id"), index=True)
    #: Per-bank sequence number; ``external_id`` is derived from it and never changes.
    number: Mapped[int]
    external_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When and by whom it was retired (no longer used for new work); None: in use.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    @declared_attr
    def approved_version_id(cls) -> Mapped[int | None]:
        """The version in use: the newest approved one (None until one is approved)."""
        return mapped_column(
            sa.ForeignKey(
                f"{cls.__version_table__}.id",
                use_alter=True,
                name=f"fk_{cls.__tablename__}_approved_version",  # type: ignore[attr-defined]
            )
        )

    @declared_attr
    def newest_version_id(cls) -> Mapped[int | None]:
        """The newest version, whatever its status: what listings show and filter on.
        Kept by the operations that add versions, so listing needs no subquery."""
        return mapped_column(
            sa.ForeignKey(
                f"{cls.__version_table__}.id",
                use_alter=True,
                name=f"fk_{cls.__tablename__}_newest_version",  # type: ignore[attr-defined]
                **(
                    {"deferrable": True, "initially": "IMMEDIATE"}
                    if cls.__newest_version_deferrable__
                    else {}
                ),
            )
        )

    @declared_attr
    def bank(cls) -> Mapped[Bank]:
        return relationship(Bank)

    @declared_attr
    def created_by(cls) -> Mapped[User]:
        return relationship(User, foreign_keys=[cls.created_by_id])

    @declared_attr
    def retired_by(cls) -> Mapped[User | None]:
        return relationship(User, foreign_keys=[cls.retired_by_id])

    @declared_attr
    def versions(cls) -> Mapped[list[Any]]:
        version = cls.__version_class__
        return relationship(
            version,
            back_populates=cls.__tablename__,  # type: ignore[attr-defined]
            order_by=f"{version}.number",
            foreign_keys=f"{version}.{cls.__tablename__}_id",  # type: ignore[attr-defined]
        )

    @declared_attr
    def approved_version(cls) -> Mapped[Any]:
        return relationship(
            cls.__version_class__, foreign_keys=[cls.approved_version_id], post_update=True
        )

    @declared_attr
    def newest_version(cls) -> Mapped[Any]:
        return relationship(
            cls.__version_class__, foreign_keys=[cls.newest_version_id], post_update=True
        )

    @property
    def latest_version(self) -> Any:
        return self.versions[-1]

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.external_id}>"


class DocumentVersion:
    """Columns and relationships of one version of a document; see the module."""

    __document__: ClassVar[str]
    __contributor_class__: ClassVar[str]
    __review_class__: ClassVar[str]
    __comment_class__: ClassVar[str]

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        parent = f"{cls.__document__}_id"
        return (
            sa.UniqueConstraint(parent, "number"),
            # At most one open (draft or in review) version, enforced by the database.
            sa.Index(
                f"uq_{cls.__tablename__}_one_open",  # type: ignore[attr-defined]
                parent,
                unique=True,
                sqlite_where=sa.text(ONE_OPEN_WHERE),
                postgresql_where=sa.text(ONE_OPEN_WHERE),
            ),
        )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(32), default=Status.DRAFT.value, index=True)
    #: Bumped on every saved edit; edits carry the revision they were based on.
    revision: Mapped[int] = mapped_column(default=1)
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

    @declared_attr
    def based_on_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey(f"{cls.__tablename__}.id"))  # type: ignore[attr-defined]

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.revision}

    @declared_attr
    def created_by(cls) -> Mapped[User]:
        return relationship(User, foreign_keys=[cls.created_by_id])

    @declared_attr
    def updated_by(cls) -> Mapped[User]:
        return relationship(User, foreign_keys=[cls.updated_by_id])

    @declared_attr
    def submitted_by(cls) -> Mapped[User | None]:
        return relationship(User, foreign_keys=[cls.submitted_by_id])

    @declared_attr
    def based_on(cls) -> Mapped[Any]:
        return relationship(cls, remote_side=[cls.id])  # type: ignore[arg-type]

    @declared_attr
    def contributors(cls) -> Mapped[list[Any]]:
        return relationship(
            cls.__contributor_class__, back_populates="version", cascade="all, delete-orphan"
        )

    @declared_attr
    def reviews(cls) -> Mapped[list[Any]]:
        name = cls.__review_class__
        return relationship(
            name, back_populates="version", order_by=f"{name}.id", cascade="all, delete-orphan"
        )

    @declared_attr
    def comments(cls) -> Mapped[list[Any]]:
        name = cls.__comment_class__
        return relationship(
            name, back_populates="version", order_by=f"{name}.id", cascade="all, delete-orphan"
        )

    @property
    def document(self) -> VersionedDocument:
        """The item or passage this is a version of."""
        return getattr(self, self.__document__)  # type: ignore[no-any-return]

    @property
    def object_type(self) -> str:
        """``item`` or ``passage``: what the audit trail and notifications call it."""
        return self.__document__

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def contributor_ids(self) -> set[int]:
        return {c.user_id for c in self.contributors}  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {getattr(self, f'{self.__document__}_id')} "
            f"v{self.number} {self.status}>"
        )


class _VersionChild:
    """A row belonging to one version (``__version_table__``), deleted with it."""

    __version_table__: ClassVar[str]
    __version_class__: ClassVar[str]
    #: The version's relationship back to this class (``contributors``, ...).
    __back__: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def version_id(cls) -> Mapped[int]:
        return mapped_column(
            sa.ForeignKey(f"{cls.__version_table__}.id", ondelete="CASCADE"), index=True
        )

    @declared_attr
    def version(cls) -> Mapped[Any]:
        return relationship(cls.__version_class__, back_populates=cls.__back__)


class VersionContributorRow(_VersionChild):
    """Someone who created, edited or submitted a version: they may never review it."""

    __back__ = "contributors"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (sa.UniqueConstraint("version_id", "user_id"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)


class VersionReviewRow(_VersionChild):
    """A reviewer's decision on a version; one per reviewer per version."""

    __back__ = "reviews"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (sa.UniqueConstraint("version_id", "reviewer_id"),)

    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(32))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    def reviewer(cls) -> Mapped[User]:
        return relationship(User)


class VersionCommentRow(_VersionChild):
    """A comment on a version, general or on one field (``stem``, ``body``...)."""

    __back__ = "comments"

    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    field: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    def author(cls) -> Mapped[User]:
        return relationship(User)
