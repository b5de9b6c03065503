"""Items and versions: create, edit drafts, start new drafts.

Versions are append-only: a version is edited only while ``draft``; submitting freezes
it; changing an approved or changes-requested item starts the next version from it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from itembank.access import ensure_visible, remember_roles
from itembank.audit import record
from itembank.content_stamp import in_bank, remember_fresh
from itembank.errors import Conflict, InvalidInput, NotFound
from itembank.extensions import db
from itembank.itemtypes import ContentSummary, ItemType
from itembank.models import (
    Bank,
    Item,
    ItemClassification,
    ItemVersion,
    Membership,
    User,
)
from itembank.models._types import utcnow
from itembank.operations.content import PreparedVersion, prepare_version
from itembank.operations.duties import require_writer
from itembank.operations.version_workflow import lock
from itembank.operations.versioning import (
    all_versions,
    draft_source,
    editable_draft,
    new_version,
    save_edit,
)
from itembank.plugins import PluginHost
from itembank.workflow import Status

_KEEP = object()


def get_item(
    external_id: str, *, actor: User, options: tuple[Any, ...] = (), stamp: bool = False
) -> Item:
    """The item with ``external_id`` if ``actor`` may see its bank (else NotFound);
    ``options``: loader options for the query (what the caller reads next); ``stamp``:
    read the bank's content stamp with it (:func:`itembank.content_stamp.remember_fresh`)."""
    # The actor's roles in the item's bank come with it (one row per role), for
    # ensure_visible and every later check in this transaction.
    columns: list[Any] = [Item, Membership.role]
    if stamp:
        columns.append(
            sa.select(Bank.content_stamp).where(Bank.id == Item.bank_id).scalar_subquery()
        )
    rows = (
        db.session.execute(
            sa.select(*columns)
            .outerjoin(
                Membership,
                sa.and_(Membership.bank_id == Item.bank_id, Membership.user_id == actor.id),
            )
            .where(Item.external_id == external_id)
            .options(*options)
        )
        .unique()
        .all()
    )  # unique: options may join a collection (a version's reviews)
    if not rows:
        raise NotFound(f"no item {external_id!r}")
    item = rows[0][0]
    remember_roles(actor, item.bank_id, {row[1] for row in rows if row[1] is not None})
    if stamp:
        remember_fresh(db.session, item.bank_id, rows[0][2])
    try:
        ensure_visible(actor, item.bank)
    except NotFound:
        raise NotFound(f"no item {external_id!r}") from None
    return item


def get_version(item: Item, number: int) -> ItemVersion:
    version = db.session.scalars(
        sa.select(ItemVersion).where(ItemVersion.item_id == item.id, ItemVersion.number == number)
    ).first()
    if version is None:
        raise NotFound(f"item {item.external_id} has no version {number}")
    return version


def next_item_number(bank: Bank) -> int:
    """Hand out the bank's next item number atomically (safe under concurrency)."""
    number = db.session.execute(
        sa.update(Bank)
        .where(Bank.id == bank.id)
        .values(item_counter=Bank.item_counter + 1)
        .returning(Bank.item_counter)
        .execution_options(**in_bank(bank.id))
    ).scalar_one()
    return int(number)


def create_item(
    bank: Bank,
    *,
    actor: User,
    plugins: PluginHost,
    item_type: str,
    stem: Any,
    content: Any,
    metadata: Any = None,
) -> Item:
    """Create an item and its first version, a draft. The draft is stored even when
    it is not complete yet (:func:`draft_problems` lists what is missing); only
    content that cannot be stored raises :class:`InvalidInput`."""
    require_writer(actor, bank, doing="write items")
    if item_type not in plugins.item_types:
        known = ", ".join(sorted(plugins.item_types))
        raise InvalidInput(
            f"unknown item type {item_type!r} (known: {known})",
            [
                {
                    "field": "type",
                    "message": f"Jenis soal '{item_type}' tidak dikenal.",
                    "message_en": f"Unknown item type '{item_type}'.",
                }
            ],
        )
    prepared = prepare_version(
        bank, plugins.item_type(item_type), stem, content, metadata, draft=True
    )
    number = next_item_number(bank)
    now = utcnow()
    item = Item(
        bank=bank,
        number=number,
        external_id=f"{bank.code}-{number:06d}",
        item_type=item_type,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    version = _new_version(item, 1, prepared, actor=actor, based_on=None)
    db.session.flush()
    record("item.create", actor=actor, version=version, to_status=Status.DRAFT.value)
    return item


def _new_version(
    item: Item,
    number: int,
    prepared: PreparedVersion,
    *,
    actor: User,
    based_on: ItemVersion | None,
) -> ItemVersion:
    version = new_version(
        item,
        ItemVersion,
        number,
        actor=actor,
        based_on=based_on,
        stem=prepared.stem,
        content=prepared.content,
        meta=prepared.metadata,
        content_hash=prepared.content_hash,
        search_text=prepared.search_text,
    )
    if based_on is not None:  # the next version stays in the same item set
        version.passage_version_id = based_on.passage_version_id
    set_classifications(version, prepared.nodes)
    return version


def set_classifications(version: ItemVersion, nodes: list[tuple[Any, int | None]]) -> None:
    """Make the version's classification rows match ``nodes``, keeping rows that stay
    (replacing them all would collide with the unique constraint in one flush)."""
    wanted = {(node.id, level): node for node, level in nodes}
    kept = [c for c in version.classifications if (c.node_id, c.level) in wanted]
    have = {(c.node_id, c.level) for c in kept}
    added = [
        ItemClassification(node=node, level=level)
        for (node_id, level), node in wanted.items()
        if (node_id, level) not in have
    ]
    version.classifications = kept + added


def lock_version(version: ItemVersion) -> ItemVersion:
    """Reload ``version`` with a row lock (PostgreSQL ``FOR UPDATE``) so concurrent
    edits and reviews of it are serialised; returns the fresh object."""
    return lock(version)


def pinned_passage_hash(version: ItemVersion) -> str | None:
    """The content hash of the passage version ``version`` pins (None: it pins none),
    part of the version's own content hash."""
    pinned = version.passage_version
    return pinned.content_hash if pinned is not None else None


def lock_item(item: Item) -> Item:
    return db.session.scalars(
        sa.select(Item)
        .where(Item.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def current_draft(item: Item) -> ItemVersion:
    version = db.session.scalars(
        sa.select(ItemVersion).where(
            ItemVersion.item_id == item.id, ItemVersion.status == Status.DRAFT.value
        )
    ).first()
    if version is None:
        raise NotFound(f"item {item.external_id} has no draft")
    return version


def update_draft(
    version: ItemVersion,
    *,
    actor: User,
    plugins: PluginHost,
    base_revision: int,
    stem: Any = _KEEP,
    content: Any = _KEEP,
    metadata: Any = _KEEP,
) -> ItemVersion:
    """Save an edit of a draft. ``base_revision`` is the revision the edit was based on;
    if someone saved since, :class:`StaleEdit` names them and nothing changes. As with
    :func:`create_item`, an incomplete draft is stored (see :func:`draft_problems`)."""
    item = version.item
    require_writer(actor, item.bank, doing="edit items")
    version = editable_draft(version, base_revision=base_revision)
    prepared = prepare_version(
        item.bank,
        plugins.item_type(item.item_type),
        version.stem if stem is _KEEP else stem,
        version.content if content is _KEEP else content,
        version.meta if metadata is _KEEP else metadata,
        draft=True,
        passage_hash=pinned_passage_hash(version),
    )
    if prepared.content_hash == version.content_hash:
        return version  # nothing changed: no new revision, no audit noise
    changed = [
        name
        for name, old, new in (
            ("stem", version.stem, prepared.stem),
            ("content", version.content, prepared.content),
            ("metadata", version.meta, prepared.metadata),
        )
        if old != new
    ]
    with db.session.no_autoflush:  # one flush, one new revision (save_edit's)
        version.stem = prepared.stem
        version.content = prepared.content
        version.meta = prepared.metadata
        version.content_hash = prepared.content_hash
        version.search_text = prepared.search_text
        set_classifications(version, prepared.nodes)
    save_edit(version, actor=actor)
    record(
        "version.update",
        actor=actor,
        version=version,
        from_status=Status.DRAFT.value,
        to_status=Status.DRAFT.value,
        fields=changed,
        revision=version.revision,
    )
    return version


def draft_problems(version: ItemVersion, *, plugins: PluginHost) -> list[dict[str, str]]:
    """What keeps ``version`` from being submitted: its content checked as it is now
    (the bank's writing rules and its images included), each problem with its field
    path. Empty for a complete version; versions past draft are not checked."""
    if version.status != Status.DRAFT.value:
        return []
    item = version.item
    try:
        prepared = prepare_version(
            item.bank,
            plugins.item_type(item.item_type),
            version.stem,
            version.content,
            version.meta,
            draft=True,
        )
    except InvalidInput as exc:  # e.g. an image removed from the bank since
        return exc.problems
    except KeyError:
        return [
            {
                "field": "type",
                "message": f"Jenis soal '{item.item_type}' tidak terpasang.",
                "message_en": f"Item type '{item.item_type}' is not installed.",
            }
        ]
    from itembank.operations.passage_sets import pinned_passage_problems

    return [p.as_dict() for p in prepared.problems] + pinned_passage_problems(version)


def start_new_draft(item: Item, *, actor: User, from_number: int | None = None) -> ItemVersion:
    """Start draft v+1 from an approved or changes-requested version (by default the
    newest one). The approved version stays in use until the new one is approved."""
    require_writer(actor, item.bank, doing="edit items")
    item = lock_item(item)
    if item.is_retired:
        raise Conflict(f"item {item.external_id} is retired")
    versions = all_versions(ItemVersion, item, for_update=False)
    source = draft_source(versions, from_number=from_number, label=f"item {item.external_id}")
    prepared = PreparedVersion(
        stem=source.stem,
        content=source.content,
        metadata=source.meta,
        nodes=[(c.node, c.level) for c in source.classifications],
        content_hash=source.content_hash,
        search_text=source.search_text,
    )
    number = versions[-1].number + 1
    version = _new_version(item, number, prepared, actor=actor, based_on=source)
    item.updated_at = utcnow()
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            f"someone else started a new version of {item.external_id} at the same moment"
        ) from None
    record(
        "version.new_draft",
        actor=actor,
        version=version,
        to_status=Status.DRAFT.value,
        based_on=source.number,
    )
    return version


def diff_item_versions(
    item: Item, old_number: int, new_number: int, *, actor: User, plugins: PluginHost
) -> dict[str, Any]:
    """The differences between two versions of ``item``: stem and option text word by
    word, keys, weights, other type facts and metadata."""
    from itembank.diff import VersionView, diff_versions

    ensure_visible(actor, item.bank)
    item_type = plugins.item_type(item.item_type)

    def view(number: int) -> VersionView:
        version = get_version(item, number)
        return VersionView(
            number=version.number,
            stem=version.stem,
            summary=_summary(item_type, version.content),
            metadata=version.meta,
            item_type=item.item_type,
        )

    return diff_versions(view(old_number), view(new_number))


def _summary(item_type: ItemType, content: dict[str, Any]) -> ContentSummary:
    """The type's summary of ``content``; for a draft still incomplete (no key yet, ...)
    whatever of its options can be read, so it can be compared all the same."""
    try:
        return item_type.summary(content)
    except (KeyError, IndexError, TypeError, ValueError):
        entries = content.get("options") if isinstance(content, dict) else None
        options = {
            str(entry["id"]): str(entry.get("text", ""))
            for entry in entries or []
            if isinstance(entry, dict) and "id" in entry
        }
        return ContentSummary(options=options)
