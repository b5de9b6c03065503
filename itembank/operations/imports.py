"""Importing files into a bank, with a stored report of what was and was not imported.

:func:`run_import` reads a file with an importer plugin, validates every candidate item
through the same pipeline as an item written by hand (:func:`prepare_version`), then
writes the valid ones as drafts: new items, or a new draft version of an item the bank
already has. All of it happens in the caller's one transaction, so a crash or a kill
leaves nothing half-written.

Two modes: ``strict`` imports nothing when anything is wrong (and says what is);
``valid_only`` imports the valid items and reports the rest. The batch and its report
are stored either way: when nothing may be kept (strict mode with problems, a failure
while writing) the import's writes are rolled back first and the report is written
after, in the transaction that follows.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role, roles_in
from itembank.audit import record
from itembank.errors import DomainError, InvalidInput
from itembank.extensions import db
from itembank.importing import (
    CandidateItem,
    ImportContext,
    Importer,
    ImportFileError,
    ImportLimits,
    ImportSource,
    Location,
    ReportEntry,
    Severity,
    error,
)
from itembank.models import (
    AuditEvent,
    Bank,
    ImportBatch,
    ImportEntry,
    Item,
    ItemClassification,
    ItemVersion,
    Role,
    User,
    VersionContributor,
)
from itembank.models._types import utcnow
from itembank.operations.content import NodeLookup, PreparedVersion, prepare_version
from itembank.operations.items import start_new_draft, update_draft
from itembank.plugins import PluginHost
from itembank.workflow import DRAFTABLE_FROM, OPEN_STATUSES, Status

log = logging.getLogger(__name__)

#: Items written per flush.
BATCH_SIZE = 500
#: ``progress(phase, done, total)`` with phase ``read``, ``check`` or ``write``.
Progress = Callable[[str, int, int], None]


class Mode(enum.StrEnum):
    STRICT = "strict"
    VALID_ONLY = "valid_only"


class BatchStatus(enum.StrEnum):
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"
    FAILED = "failed"


class Outcome(enum.StrEnum):
    CREATED = "created"
    NEW_VERSION = "new_version"
    DRAFT_UPDATED = "draft_updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    NOT_IMPORTED = "not_imported"


@dataclass
class _Checked:
    """A candidate after validation: what to do with it, or why not."""

    candidate: CandidateItem
    problems: list[ReportEntry] = field(default_factory=list)
    prepared: PreparedVersion | None = None
    outcome: Outcome | None = None
    item: Item | None = None  # an existing item this one updates
    version: ItemVersion | None = None  # the version to compare with / the draft to update
    item_id: int | None = None  # the item it became
    external_id: str = ""
    result_version: int | None = None


def parse_mode(value: str) -> Mode:
    normal = value.strip().lower().replace("-", "_")
    try:
        return Mode(normal)
    except ValueError:
        raise InvalidInput(
            f"unknown import mode {value!r} (strict or valid_only)",
            [
                {
                    "field": "mode",
                    "message": f"Mode impor '{value}' tidak dikenal (strict atau valid_only).",
                    "message_en": f"Unknown import mode '{value}' (strict or valid_only).",
                }
            ],
        ) from None


def choose_importer(
    plugins: PluginHost, source: ImportSource, importer_id: str | None = None
) -> Importer:
    """The importer named, or the first that accepts the file; :class:`InvalidInput`
    when there is none."""
    if importer_id:
        importer = plugins.importers.get(importer_id)
        if importer is None:
            known = ", ".join(sorted(plugins.importers))
            raise InvalidInput(
                f"unknown importer {importer_id!r} (known: {known})",
                [
                    {
                        "field": "importer",
                        "message": f"Pengimpor '{importer_id}' tidak dikenal.",
                        "message_en": f"Unknown importer '{importer_id}'.",
                    }
                ],
            )
        return importer
    importer = plugins.importer_for(source)
    if importer is None:
        accepted = ", ".join(
            sorted({ext for imp in plugins.importers.values() for ext in imp.extensions})
        )
        raise InvalidInput(
            f"no importer reads {source.filename!r} (accepted: {accepted})",
            [
                {
                    "field": "file",
                    "message": f"Jenis berkas '{source.filename}' tidak didukung "
                    f"(yang didukung: {accepted}).",
                    "message_en": f"The file type of '{source.filename}' is not supported "
                    f"(supported: {accepted}).",
                }
            ],
        )
    return importer


def run_import(
    bank: Bank,
    *,
    actor: User,
    plugins: PluginHost,
    filename: str,
    data: bytes,
    mode: Mode | str = Mode.STRICT,
    importer_id: str | None = None,
    limits: ImportLimits | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportBatch:
    """Import ``data`` into ``bank`` as ``actor`` (an author or bank admin).

    Returns the stored batch with its report. Bad input never raises: it is in the
    report. Raises only for the request itself (no right to import, an unknown mode or
    importer, a file type no importer reads)."""
    require_role(actor, bank, Role.AUTHOR, Role.BANK_ADMIN, doing="import items")
    mode = parse_mode(mode) if isinstance(mode, str) else mode
    limits = limits or ImportLimits()
    source = ImportSource(filename=_short(filename, 255), data=data)
    importer = choose_importer(plugins, source, importer_id)
    report = _Report()
    notify = progress or (lambda phase, done, total: None)

    candidates = _read(importer, source, plugins, bank, limits, report, notify)
    checked = _check(candidates, bank, actor, plugins, notify)
    wrote_media = any(c.candidate.media for c in checked)
    file_failed = not checked and report.has_errors()
    invalid = any(c.problems for c in checked) or report.has_errors()
    meta = _BatchFacts(source, importer.id, mode)

    if file_failed or (mode is Mode.STRICT and invalid):
        if wrote_media:
            db.session.rollback()
        status = BatchStatus.FAILED if file_failed else BatchStatus.ROLLED_BACK
        for item in checked:
            if not item.problems:
                item.outcome = Outcome.NOT_IMPORTED
        return _store(bank, actor, meta, status, checked, report)

    batch = _new_batch(bank, actor, meta)
    try:
        _write(checked, bank, actor, plugins, batch, notify, batch_size)
    except (DomainError, sa.exc.SQLAlchemyError) as exc:
        log.warning("import of %s into %s failed while writing: %s", filename, bank.code, exc)
        db.session.rollback()
        message = getattr(exc, "message", None) or type(exc).__name__
        report.add(
            error(
                Location(source.filename),
                f"Impor gagal saat menyimpan soal dan dibatalkan seluruhnya: {message}",
                f"The import failed while saving items and was undone entirely: {message}",
            )
        )
        for item in checked:
            if not item.problems:
                item.outcome, item.item_id, item.result_version = Outcome.NOT_IMPORTED, None, None
        return _store(bank, actor, meta, BatchStatus.FAILED, checked, report)
    return _store(bank, actor, meta, BatchStatus.COMPLETED, checked, report, batch=batch)


# -- reading -------------------------------------------------------------------------------------


class _Report:
    """The report's file-level entries, and the order of everything in the file."""

    def __init__(self) -> None:
        #: ReportEntry (file level) or int (index of a candidate), in file order.
        self.order: list[ReportEntry | int] = []

    def add(self, entry: ReportEntry) -> None:
        self.order.append(entry)

    def has_errors(self) -> bool:
        return any(
            isinstance(entry, ReportEntry) and entry.severity is Severity.ERROR
            for entry in self.order
        )


def _read(
    importer: Importer,
    source: ImportSource,
    plugins: PluginHost,
    bank: Bank,
    limits: ImportLimits,
    report: _Report,
    notify: Progress,
) -> list[CandidateItem]:
    context = ImportContext(
        bank_code=bank.code,
        bank_language=bank.language,
        item_types=dict(plugins.item_types),
        limits=limits,
    )
    candidates: list[CandidateItem] = []
    where = Location(source.filename)
    try:
        for found in importer.read(source, context):
            if isinstance(found, CandidateItem):
                report.order.append(len(candidates))
                candidates.append(found)
                if len(candidates) % 1000 == 0:
                    notify("read", len(candidates), 0)
            else:
                report.add(found)
    except ImportFileError as exc:
        candidates.clear()
        report.order = [e for e in report.order if isinstance(e, ReportEntry)]
        report.add(error(where, exc.message, exc.message_en))
    except Exception as exc:  # a broken importer must not lose the report
        log.exception("importer %s failed on %s", importer.id, source.filename)
        candidates.clear()
        report.order = [e for e in report.order if isinstance(e, ReportEntry)]
        report.add(
            error(
                where,
                f"Berkas tidak dapat dibaca oleh pengimpor '{importer.id}' ({type(exc).__name__}).",
                f"The importer '{importer.id}' could not read the file ({type(exc).__name__}).",
            )
        )
    notify("read", len(candidates), len(candidates))
    return candidates


# -- checking ------------------------------------------------------------------------------------


def _check(
    candidates: list[CandidateItem],
    bank: Bank,
    actor: User,
    plugins: PluginHost,
    notify: Progress,
) -> list[_Checked]:
    lookup = NodeLookup(bank)
    _known_sources(bank, candidates)
    existing = _existing_items(bank, [c.external_id for c in candidates if c.external_id])
    first_source: dict[str, str] = {}
    may_update = actor.is_admin or Role.AUTHOR in roles_in(actor, bank)
    first_row: dict[str, str] = {}
    checked: list[_Checked] = []
    total = len(candidates)
    for index, candidate in enumerate(candidates, start=1):
        item = _Checked(candidate, problems=list(candidate.problems))
        checked.append(item)
        _prepare(item, bank, actor, plugins, lookup)
        if candidate.external_id:
            ref = candidate.external_id
            if ref in first_row:
                item.problems.append(
                    _at(
                        candidate,
                        "external_id",
                        f"ID soal {ref} sudah muncul di {first_row[ref]}.",
                        f"Item id {ref} already appears at {first_row[ref]}.",
                    )
                )
            else:
                first_row[ref] = _where(candidate.location)
                _match_existing(item, existing.get(ref), actor, may_update)
        elif candidate.source_id and candidate.source_id in first_source:
            item.problems.append(
                _at(
                    candidate,
                    "",
                    f"Identitas sumber {candidate.source_id} sudah muncul di "
                    f"{first_source[candidate.source_id]}.",
                    f"Source identifier {candidate.source_id} already appears at "
                    f"{first_source[candidate.source_id]}.",
                )
            )
        elif not item.problems:
            item.outcome = Outcome.CREATED
        if candidate.source_id and not candidate.external_id:
            first_source.setdefault(candidate.source_id, _where(candidate.location))
        if item.problems:
            item.outcome = Outcome.REJECTED
        if index % 200 == 0 or index == total:
            notify("check", index, total)
    return checked


def _prepare(
    item: _Checked, bank: Bank, actor: User, plugins: PluginHost, lookup: NodeLookup
) -> None:
    candidate = item.candidate
    item_type = plugins.item_types.get(candidate.item_type)
    if item_type is None:
        if candidate.item_type:  # an empty type was reported by the importer
            known = ", ".join(sorted(plugins.item_types))
            item.problems.append(
                _at(
                    candidate,
                    "type",
                    f"Jenis soal '{candidate.item_type}' tidak dikenal (yang dikenal: {known}).",
                    f"Unknown item type '{candidate.item_type}' (known: {known}).",
                )
            )
        return
    for media in candidate.media:
        _store_media(item, bank, actor, media)
    try:
        item.prepared = prepare_version(
            bank, item_type, candidate.stem, candidate.content, candidate.metadata, lookup=lookup
        )
    except InvalidInput as exc:
        for problem in exc.problems:
            item.problems.append(
                _at(candidate, problem["field"], problem["message"], problem["message_en"])
            )


def _store_media(item: _Checked, bank: Bank, actor: User, media: Any) -> None:
    from flask import current_app

    from itembank.operations.media import upload_media

    try:
        upload_media(
            bank,
            media.data,
            actor=actor,
            filename=media.name,
            max_bytes=int(current_app.config["ITEMBANK_MEDIA_MAX_BYTES"]),
        )
    except InvalidInput as exc:
        for problem in exc.problems:
            item.problems.append(
                ReportEntry(
                    item.candidate.location.at(media.name),
                    Severity.ERROR,
                    problem["message"],
                    problem["message_en"],
                )
            )


def _known_sources(bank: Bank, candidates: list[CandidateItem]) -> None:
    """A candidate without a bank id whose source identifier an item of the bank was
    imported with updates that item (its ``external_id`` is filled in)."""
    wanted = sorted({c.source_id[:255] for c in candidates if c.source_id and not c.external_id})
    known: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for source_ref, external_id in db.session.execute(
            sa.select(Item.source_ref, Item.external_id)
            .where(Item.bank_id == bank.id, Item.source_ref.in_(chunk))
            .order_by(Item.id)
        ):
            known.setdefault(source_ref, external_id)
    for candidate in candidates:
        if candidate.source_id and not candidate.external_id:
            candidate.external_id = known.get(candidate.source_id[:255])


def _existing_items(bank: Bank, refs: list[str]) -> dict[str, Item]:
    found: dict[str, Item] = {}
    unique = sorted(set(refs))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for item in db.session.scalars(
            sa.select(Item).where(Item.bank_id == bank.id, Item.external_id.in_(chunk))
        ):
            found[item.external_id] = item
    return found


def _match_existing(item: _Checked, existing: Item | None, actor: User, may_update: bool) -> None:
    """Decide what an update of an existing item does, or why it cannot."""
    candidate = item.candidate
    ref = candidate.external_id
    if existing is None:
        item.problems.append(
            _at(
                candidate,
                "external_id",
                f"Soal {ref} tidak ada di bank ini. Kosongkan ID soal untuk membuat soal baru.",
                f"There is no item {ref} in this bank. Leave the item id empty to create a "
                "new item.",
            )
        )
        return
    item.item = existing
    item.item_id, item.external_id = existing.id, existing.external_id
    if not may_update:
        item.problems.append(
            _at(
                candidate,
                "external_id",
                f"Hanya penulis soal yang dapat membuat versi baru soal {ref}.",
                f"Only an author can make a new version of item {ref}.",
            )
        )
        return
    if existing.item_type != candidate.item_type and candidate.item_type:
        item.problems.append(
            _at(
                candidate,
                "type",
                f"Soal {ref} berjenis '{existing.item_type}'; jenis soal tidak dapat diubah.",
                f"Item {ref} is of type '{existing.item_type}'; an item's type cannot change.",
            )
        )
        return
    if existing.is_retired:
        item.problems.append(
            _at(
                candidate,
                "external_id",
                f"Soal {ref} sudah dipensiunkan dan tidak dapat diubah.",
                f"Item {ref} is retired and cannot be changed.",
            )
        )
        return
    versions = existing.versions
    latest = versions[-1]
    open_version = next((v for v in versions if v.status in OPEN_STATUSES), None)
    if open_version is not None and open_version.status == Status.IN_REVIEW.value:
        item.problems.append(
            _at(
                candidate,
                "external_id",
                f"Versi {open_version.number} soal {ref} sedang ditelaah; tunggu keputusan "
                "penelaah.",
                f"Version {open_version.number} of item {ref} is in review; wait for the "
                "reviewers' decision.",
            )
        )
        return
    if open_version is not None:
        if actor.id not in open_version.contributor_ids:
            owner = open_version.created_by.username
            item.problems.append(
                _at(
                    candidate,
                    "external_id",
                    f"Draf versi {open_version.number} soal {ref} sedang disusun oleh {owner}; "
                    "impor tidak dapat mengubahnya.",
                    f"Draft version {open_version.number} of item {ref} is being written by "
                    f"{owner}; an import cannot change it.",
                )
            )
            return
        item.version = open_version
        item.outcome = Outcome.DRAFT_UPDATED
    elif Status(latest.status) in DRAFTABLE_FROM:
        item.version = latest
        item.outcome = Outcome.NEW_VERSION
    else:
        item.problems.append(
            _at(
                candidate,
                "external_id",
                f"Versi terakhir soal {ref} berstatus '{latest.status}'; versi baru tidak "
                "dapat dibuat darinya.",
                f"The latest version of item {ref} is '{latest.status}'; no new version can "
                "start from it.",
            )
        )
        return
    if item.prepared is not None and item.prepared.content_hash == item.version.content_hash:
        item.outcome = Outcome.UNCHANGED
        item.result_version = item.version.number


def _at(candidate: CandidateItem, field_path: str, message: str, message_en: str) -> ReportEntry:
    return ReportEntry(candidate.locate(field_path), Severity.ERROR, message, message_en)


def _where(location: Location) -> str:
    return f"baris/row {location.item}" if location.item.isdigit() else location.item


# -- writing -------------------------------------------------------------------------------------


def _write(
    checked: list[_Checked],
    bank: Bank,
    actor: User,
    plugins: PluginHost,
    batch: ImportBatch,
    notify: Progress,
    batch_size: int,
) -> None:
    creates = [c for c in checked if c.outcome is Outcome.CREATED]
    updates = [c for c in checked if c.outcome in (Outcome.NEW_VERSION, Outcome.DRAFT_UPDATED)]
    total = len(creates) + len(updates)
    done = 0
    notify("write", 0, total)
    for start in range(0, len(creates), batch_size):
        chunk = creates[start : start + batch_size]
        _create_items(chunk, bank, actor, batch)
        done += len(chunk)
        notify("write", done, total)
    for item in updates:
        _update_item(item, actor, plugins)
        done += 1
        if done % 100 == 0 or done == total:
            notify("write", done, total)


def _create_items(chunk: list[_Checked], bank: Bank, actor: User, batch: ImportBatch) -> None:
    """Create items and their first drafts with exactly the rows :func:`create_item`
    writes (item, version 1 as a draft, its contributor and classifications, an
    ``item.create`` audit event), a chunk at a time: one counter update and one
    multi-row INSERT per table instead of a flush per item."""
    last = db.session.execute(
        sa.update(Bank)
        .where(Bank.id == bank.id)
        .values(item_counter=Bank.item_counter + len(chunk))
        .returning(Bank.item_counter)
    ).scalar_one()
    first = int(last) - len(chunk) + 1
    now = utcnow()
    draft = Status.DRAFT.value
    for offset, checked in enumerate(chunk):
        checked.external_id = f"{bank.code}-{first + offset:06d}"
        checked.result_version = 1
    item_ids = db.session.execute(
        sa.insert(Item).returning(Item.id, sort_by_parameter_order=True),
        [
            {
                "bank_id": bank.id,
                "number": first + offset,
                "external_id": checked.external_id,
                "item_type": checked.candidate.item_type,
                "source_ref": (checked.candidate.source_id or None)
                and checked.candidate.source_id[:255],
                "created_by_id": actor.id,
                "created_at": now,
                "updated_at": now,
            }
            for offset, checked in enumerate(chunk)
        ],
    ).scalars()
    for checked, item_id in zip(chunk, item_ids, strict=True):
        checked.item_id = item_id
    version_ids = list(
        db.session.execute(
            sa.insert(ItemVersion).returning(ItemVersion.id, sort_by_parameter_order=True),
            [_version_row(checked, actor, now) for checked in chunk],
        ).scalars()
    )
    # Each new item's only version is its newest: one statement per chunk.
    chunk_ids = [checked.item_id for checked in chunk]
    db.session.execute(
        sa.update(Item.__table__)
        .where(Item.__table__.c.id.in_(chunk_ids))
        .values(
            newest_version_id=sa.select(ItemVersion.__table__.c.id)
            .where(ItemVersion.__table__.c.item_id == Item.__table__.c.id)
            .scalar_subquery()
        )
    )
    db.session.execute(
        sa.insert(VersionContributor),
        [{"version_id": version_id, "user_id": actor.id} for version_id in version_ids],
    )
    classifications = [
        {"version_id": version_id, "node_id": node.id, "level": level}
        for checked, version_id in zip(chunk, version_ids, strict=True)
        for node, level in checked.prepared.nodes  # type: ignore[union-attr]
    ]
    if classifications:
        db.session.execute(sa.insert(ItemClassification), classifications)
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                # what itembank.audit.record("item.create", ...) writes, plus the batch
                "created_at": now,
                "action": "item.create",
                "actor_id": actor.id,
                "bank_id": bank.id,
                "item_id": checked.item_id,
                "version_number": 1,
                "from_status": None,
                "to_status": draft,
                "reason": "",
                "object_type": "item",
                "object_id": checked.external_id,
                "data": {"via": "import", "import_batch": batch.id},
            }
            for checked in chunk
        ],
    )


def _version_row(checked: _Checked, actor: User, now: Any) -> dict[str, Any]:
    prepared = checked.prepared
    assert prepared is not None
    return {
        "item_id": checked.item_id,
        "number": 1,
        "status": Status.DRAFT.value,
        "stem": prepared.stem,
        "content": prepared.content,
        "meta": prepared.metadata,
        "content_hash": prepared.content_hash,
        "revision": 1,
        "created_by_id": actor.id,
        "created_at": now,
        "updated_by_id": actor.id,
        "updated_at": now,
    }


def _update_item(checked: _Checked, actor: User, plugins: PluginHost) -> None:
    """A new draft version (or an edit of the actor's own draft) through the core
    operations, with the same checks and audit events as by hand."""
    candidate, item = checked.candidate, checked.item
    assert item is not None and checked.version is not None
    if checked.outcome is Outcome.NEW_VERSION:
        draft = start_new_draft(item, actor=actor, from_number=checked.version.number)
    else:
        draft = checked.version
    draft = update_draft(
        draft,
        actor=actor,
        plugins=plugins,
        base_revision=draft.revision,
        stem=candidate.stem,
        content=candidate.content,
        metadata=candidate.metadata,
    )
    checked.result_version = draft.number


# -- storing the batch and its report ------------------------------------------------------------


@dataclass(frozen=True)
class _BatchFacts:
    source: ImportSource
    importer: str
    mode: Mode


def _new_batch(bank: Bank, actor: User, facts: _BatchFacts) -> ImportBatch:
    batch = ImportBatch(
        bank_id=bank.id,
        actor_id=actor.id,
        created_at=utcnow(),
        filename=facts.source.filename,
        size=len(facts.source.data),
        sha256=hashlib.sha256(facts.source.data).hexdigest(),
        importer=facts.importer,
        mode=facts.mode.value,
        status=BatchStatus.COMPLETED.value,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _store(
    bank: Bank,
    actor: User,
    facts: _BatchFacts,
    status: BatchStatus,
    checked: list[_Checked],
    report: _Report,
    *,
    batch: ImportBatch | None = None,
) -> ImportBatch:
    if batch is None:
        batch = _new_batch(bank, actor, facts)
    rows = list(_entry_rows(batch.id, checked, report, facts.source.filename))
    counts = {outcome: 0 for outcome in Outcome}
    for item in checked:
        if item.outcome is not None:
            counts[item.outcome] += 1
    batch.status = status.value
    batch.finished_at = utcnow()
    batch.items_total = len(checked)
    batch.items_created = counts[Outcome.CREATED]
    batch.items_updated = counts[Outcome.NEW_VERSION] + counts[Outcome.DRAFT_UPDATED]
    batch.items_unchanged = counts[Outcome.UNCHANGED]
    batch.items_rejected = counts[Outcome.REJECTED]
    batch.errors = sum(1 for row in rows if row["severity"] == Severity.ERROR.value)
    batch.warnings = sum(1 for row in rows if row["severity"] == Severity.WARNING.value)
    for start in range(0, len(rows), 1000):
        db.session.execute(sa.insert(ImportEntry), rows[start : start + 1000])
    record(
        "import.run",
        actor=actor,
        bank=bank,
        object_type="import",
        object_id=str(batch.id),
        filename=batch.filename,
        sha256=batch.sha256,
        importer=batch.importer,
        mode=batch.mode,
        status=batch.status,
        created=batch.items_created,
        updated=batch.items_updated,
        unchanged=batch.items_unchanged,
        rejected=batch.items_rejected,
    )
    db.session.flush()
    return batch


#: Outcomes whose item is in the bank (the report names it and its version).
_LANDED = frozenset(
    o.value
    for o in (Outcome.CREATED, Outcome.NEW_VERSION, Outcome.DRAFT_UPDATED, Outcome.UNCHANGED)
)


def _entry_rows(
    batch_id: int, checked: list[_Checked], report: _Report, filename: str
) -> Iterator[dict[str, Any]]:
    position = 0

    def row(entry: ReportEntry, outcome: str = "", item: _Checked | None = None) -> dict[str, Any]:
        nonlocal position
        position += 1
        return {
            "batch_id": batch_id,
            "position": position,
            "file": _short(entry.location.file or filename, 255),
            "item_ref": _short(entry.location.item, 255),
            "column_name": _short(entry.location.column, 255),
            "severity": entry.severity.value,
            "outcome": outcome,
            "message": entry.message,
            "message_en": entry.message_en,
            "item_id": item.item_id if item and outcome in _LANDED else None,
            "version_number": item.result_version if item and outcome in _LANDED else None,
        }

    for entry in report.order:
        if isinstance(entry, ReportEntry):
            yield row(entry)
            continue
        item = checked[entry]
        for note in item.candidate.notes:
            yield row(note)
        if item.outcome is Outcome.REJECTED:
            for problem in item.problems:
                yield row(problem, Outcome.REJECTED.value, item)
        elif item.outcome is not None:
            yield row(_outcome_entry(item), item.outcome.value, item)


def _outcome_entry(item: _Checked) -> ReportEntry:
    where = item.candidate.location
    ref = item.external_id
    number = item.result_version
    texts = {
        Outcome.CREATED: (
            f"Diimpor sebagai soal baru {ref} (versi 1, draf).",
            f"Imported as new item {ref} (version 1, draft).",
        ),
        Outcome.NEW_VERSION: (
            f"Diimpor sebagai versi baru {number} (draf) dari soal {ref}.",
            f"Imported as new version {number} (draft) of item {ref}.",
        ),
        Outcome.DRAFT_UPDATED: (
            f"Draf versi {number} soal {ref} diperbarui.",
            f"Draft version {number} of item {ref} was updated.",
        ),
        Outcome.UNCHANGED: (
            f"Sama dengan versi {number} soal {ref}; tidak ada yang diubah.",
            f"Same as version {number} of item {ref}; nothing was changed.",
        ),
        Outcome.NOT_IMPORTED: (
            "Soal ini valid, tetapi tidak diimpor karena impor dibatalkan seluruhnya "
            "(mode strict: semua atau tidak sama sekali).",
            "This item is valid but was not imported because the whole import was undone "
            "(strict mode: all or nothing).",
        ),
    }
    message, message_en = texts[item.outcome]  # type: ignore[index]
    return ReportEntry(where, Severity.INFO, message, message_en)


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
