"""Writing the versions of a document (an item or a passage): a new draft, an edit of
the draft, the draft a new version starts from. The steps both kinds share;
:mod:`itembank.operations.items` and :mod:`itembank.operations.passages` add their
content.

Versions are append-only: a version is edited only while ``draft``, each saved edit
bumps its revision and an edit based on an older revision is refused
(:class:`~itembank.errors.StaleEdit`); everyone who creates or edits it is recorded
as a contributor.
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from itembank.errors import Conflict, NotFound, StaleEdit
from itembank.extensions import db
from itembank.models import User
from itembank.models._types import utcnow
from itembank.models.versioned import DocumentVersion, VersionedDocument
from itembank.operations.version_workflow import add_contributor, lock
from itembank.workflow import DRAFTABLE_FROM, Status

V = TypeVar("V", bound=DocumentVersion)


def new_version(
    document: VersionedDocument,
    model: type[V],
    number: int,
    *,
    actor: User,
    based_on: V | None,
    **content: Any,
) -> V:
    """Version ``number`` of ``document``, a draft by ``actor`` holding ``content``
    (the model's own columns); it becomes the document's newest version."""
    now = utcnow()
    version = model(
        **{document.__tablename__: document},  # type: ignore[attr-defined]
        number=number,
        status=Status.DRAFT.value,
        based_on=based_on,
        created_by_id=actor.id,
        created_at=now,
        updated_by_id=actor.id,
        updated_at=now,
        **content,
    )
    add_contributor(version, actor)
    db.session.add(version)
    document.newest_version = version  # type: ignore[attr-defined]
    return version


def editable_draft(version: V, *, base_revision: int) -> V:
    """``version`` locked for an edit: a :class:`Conflict` unless it is a draft, a
    :class:`StaleEdit` naming who saved since when the edit is based on an older
    revision than the draft's."""
    version = lock(version)
    if version.status != Status.DRAFT.value:
        raise Conflict(
            f"version {version.number} of {version.document.external_id} is "
            f"{version.status} and can no longer be edited; start a new draft instead"
        )
    if version.revision != base_revision:
        raise StaleEdit(
            base_revision=base_revision,
            current_revision=version.revision,
            changed_by=version.updated_by.username,  # type: ignore[attr-defined]
            changed_at=version.updated_at,
        )
    return version


def save_edit(version: DocumentVersion, *, actor: User) -> None:
    """Record that ``actor`` changed the draft now (its contributors, times) and flush:
    a :class:`Conflict` if someone else saved it at the same moment. One flush, so one
    new revision, whatever the caller changed before."""
    now = utcnow()
    with db.session.no_autoflush:
        version.updated_by_id = actor.id
        version.updated_at = now
        add_contributor(version, actor)
        version.document.updated_at = now
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(
            "this draft was changed by someone else at the same moment; reload it"
        ) from None


def draft_source(versions: list[V], *, from_number: int | None, label: str) -> V:
    """The version a new draft of the document ``label`` starts from (by default its
    newest): a :class:`Conflict` while a version is open (draft or in review) or when
    the source cannot start a draft (only approved, changes-requested and withdrawn
    versions can)."""
    open_version = next((v for v in versions if v.is_open), None)
    if open_version is not None:
        raise Conflict(
            f"{label} already has version {open_version.number} "
            f"{open_version.status}; finish that one first"
        )
    if from_number is None:
        source = versions[-1]
    else:
        found = next((v for v in versions if v.number == from_number), None)
        if found is None:
            raise NotFound(f"{label} has no version {from_number}")
        source = found
    if Status(source.status) not in DRAFTABLE_FROM:
        raise Conflict(
            "a new draft can start only from an approved, changes-requested or withdrawn "
            f"version; version {source.number} is {source.status}"
        )
    return source


def all_versions(model: type[V], document: VersionedDocument, *, for_update: bool) -> list[V]:
    """The document's versions, oldest first (locked when ``for_update``)."""
    parent = getattr(model, f"{document.__tablename__}_id")  # type: ignore[attr-defined]
    query = sa.select(model).where(parent == document.id).order_by(model.number)
    if for_update:
        query = query.with_for_update()
    return list(db.session.scalars(query))
