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

The phases live beside this module: reading and checking in
:mod:`itembank.operations.import_checks`, writing in
:mod:`itembank.operations.import_writes`; this one runs them and stores the batch and
its report.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from itembank.audit import record
from itembank.collector import collector_paused
from itembank.errors import DomainError, InvalidInput
from itembank.extensions import db, reading_phase
from itembank.importing import (
    Importer,
    ImportLimits,
    ImportSource,
    Location,
    ReportEntry,
    Severity,
    error,
    warning,
)
from itembank.models import Bank, ImportBatch, ImportEntry, User
from itembank.models._types import utcnow
from itembank.operations.duties import require_writer
from itembank.operations.import_checks import (
    CheckedItem,
    FileReport,
    Outcome,
    Progress,
    check_candidates,
    read_candidates,
)
from itembank.operations.import_writes import BATCH_SIZE, insert_rows, write_items
from itembank.plugins import PluginHost

log = logging.getLogger(__name__)


class Mode(enum.StrEnum):
    STRICT = "strict"
    VALID_ONLY = "valid_only"


class BatchStatus(enum.StrEnum):
    COMPLETED = "completed"
    ROLLED_BACK = "rolled_back"
    FAILED = "failed"


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


@collector_paused()
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
    read_apart: bool = False,
    skip_duplicates: bool = False,
) -> ImportBatch:
    """Import ``data`` into ``bank`` as ``actor`` (an author or bank admin).

    Returns the stored batch with its report. Bad input never raises: it is in the
    report. Raises only for the request itself (no right to import, an unknown mode or
    importer, a file type no importer reads).

    ``read_apart``: read and check in a transaction of their own, which on SQLite takes
    no write lock, and commit before writing (a job does this, so that others can write,
    its progress included, while it reads and checks for minutes). Reading writes
    nothing, so the import's writes stay in one transaction either way.

    The same file imported into the bank before is a warning in the report, as is each
    new item that copies or comes close to an item of the bank; ``skip_duplicates``
    leaves exact copies of the bank's items out (reported as ``unchanged``).

    Python's cyclic garbage collector is paused meanwhile (:mod:`itembank.collector`):
    the rows read and checked live until they are written, and its full collections
    would walk the whole process again and again for them."""
    mode = parse_mode(mode) if isinstance(mode, str) else mode
    limits = limits or ImportLimits()
    source = ImportSource(filename=_short(filename, 255), data=data)
    digest = hashlib.sha256(data).hexdigest()  # the file's, once (a package: megabytes)
    report = FileReport()
    notify = progress or (lambda phase, done, total: None)

    with reading_phase() if read_apart else contextlib.nullcontext():
        require_writer(actor, bank, doing="import items")
        importer = choose_importer(plugins, source, importer_id)
        _warn_if_imported_before(bank, source, digest, report)
        candidates = read_candidates(importer, source, plugins, bank, limits, report, notify)
        checked = check_candidates(
            candidates, bank, actor, plugins, limits, notify, skip_duplicates=skip_duplicates
        )
        if read_apart:
            db.session.commit()
    file_failed = not checked and report.has_errors()
    invalid = any(c.problems for c in checked) or report.has_errors()
    meta = _BatchFacts(source, digest, importer.id, mode)

    if file_failed or (mode is Mode.STRICT and invalid):
        status = BatchStatus.FAILED if file_failed else BatchStatus.ROLLED_BACK
        for item in checked:
            if not item.problems:
                item.outcome = Outcome.NOT_IMPORTED
        return _store(bank, actor, meta, status, checked, report)

    batch = _new_batch(bank, actor, meta)
    try:
        write_items(checked, bank, actor, plugins, batch, notify, batch_size)
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


def _warn_if_imported_before(
    bank: Bank, source: ImportSource, digest: str, report: FileReport
) -> None:
    """A file-level warning when the same bytes (SHA-256 ``digest``) were imported into
    ``bank`` before."""
    before = db.session.scalars(
        sa.select(ImportBatch)
        .where(
            ImportBatch.bank_id == bank.id,
            ImportBatch.sha256 == digest,
            ImportBatch.status == BatchStatus.COMPLETED.value,
            ImportBatch.items_created > 0,
        )
        .order_by(ImportBatch.id.desc())
    ).first()
    if before is None:
        return
    when = before.created_at.strftime("%Y-%m-%d %H:%M")
    report.add(
        warning(
            Location(source.filename),
            f"Berkas yang sama persis sudah diimpor ke bank ini (impor #{before.id}, {when} "
            f"UTC, {before.items_created} soal baru). Soal yang sama persis ditandai; "
            "centang 'lewati duplikat' agar tidak diimpor dua kali.",
            f"This exact file was imported into this bank before (import #{before.id}, "
            f"{when} UTC, {before.items_created} new items). Exact copies are marked; "
            "choose 'skip duplicates' not to import them twice.",
        )
    )


# -- storing the batch and its report ------------------------------------------------------------


@dataclass(frozen=True)
class _BatchFacts:
    source: ImportSource
    sha256: str  # of source.data
    importer: str
    mode: Mode


def _new_batch(bank: Bank, actor: User, facts: _BatchFacts) -> ImportBatch:
    batch = ImportBatch(
        bank_id=bank.id,
        actor_id=actor.id,
        created_at=utcnow(),
        filename=facts.source.filename,
        size=len(facts.source.data),
        sha256=facts.sha256,
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
    checked: list[CheckedItem],
    report: FileReport,
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
        insert_rows(ImportEntry, rows[start : start + 1000])
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
    batch_id: int, checked: list[CheckedItem], report: FileReport, filename: str
) -> Iterator[dict[str, Any]]:
    position = 0

    def row(
        entry: ReportEntry, outcome: str = "", item: CheckedItem | None = None
    ) -> dict[str, Any]:
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
            for note in item.warnings:  # the outcome entry above concludes the item
                yield row(note)


def _outcome_entry(item: CheckedItem) -> ReportEntry:
    ref = item.external_id
    number = item.result_version
    outcome = item.outcome
    # (only the outcome's own texts are written: this runs for every item of the file)
    if outcome is Outcome.CREATED:
        message, message_en = (
            f"Diimpor sebagai soal baru {ref} (versi 1, draf).",
            f"Imported as new item {ref} (version 1, draft).",
        )
    elif outcome is Outcome.NEW_VERSION:
        message, message_en = (
            f"Diimpor sebagai versi baru {number} (draf) dari soal {ref}.",
            f"Imported as new version {number} (draft) of item {ref}.",
        )
    elif outcome is Outcome.DRAFT_UPDATED:
        message, message_en = (
            f"Draf versi {number} soal {ref} diperbarui.",
            f"Draft version {number} of item {ref} was updated.",
        )
    elif outcome is Outcome.UNCHANGED and item.duplicate_of is not None:
        message, message_en = (
            f"Sama persis dengan soal {ref} (versi {number}) yang sudah ada; dilewati "
            "(lewati duplikat).",
            f"An exact copy of item {ref} (version {number}) already in the bank; skipped "
            "(skip duplicates).",
        )
    elif outcome is Outcome.UNCHANGED:
        message, message_en = (
            f"Sama dengan versi {number} soal {ref}; tidak ada yang diubah.",
            f"Same as version {number} of item {ref}; nothing was changed.",
        )
    elif outcome is Outcome.NOT_IMPORTED:
        message, message_en = (
            "Soal ini valid, tetapi tidak diimpor karena impor dibatalkan seluruhnya "
            "(mode strict: semua atau tidak sama sekali).",
            "This item is valid but was not imported because the whole import was undone "
            "(strict mode: all or nothing).",
        )
    else:
        raise KeyError(outcome)
    return ReportEntry(item.candidate.location, Severity.INFO, message, message_en)


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
