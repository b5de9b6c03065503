"""Reading an import file with its importer and checking every candidate it yields:
what each would become in the bank (a new item, a new version, an updated draft,
nothing because it is unchanged), or why it cannot. Nothing here writes: the images an
item brings are checked here and stored with the item when it is written (so the images
of a rejected item are never stored), and a job may read and check in a transaction that
takes no write lock (:func:`itembank.extensions.reading_phase`).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from itembank.errors import InvalidInput
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
    warning,
)
from itembank.media_check import ImageInfo, MediaError, inspect_image
from itembank.models import Bank, Item, ItemVersion, User
from itembank.operations.content import NodeLookup, PreparedVersion, prepare_version
from itembank.plugins import PluginHost
from itembank.workflow import DRAFTABLE_FROM, OPEN_STATUSES, Status

log = logging.getLogger(__name__)

#: ``progress(phase, done, total)`` with phase ``read``, ``check`` or ``write``.
Progress = Callable[[str, int, int], None]


class Outcome(enum.StrEnum):
    CREATED = "created"
    NEW_VERSION = "new_version"
    DRAFT_UPDATED = "draft_updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"
    NOT_IMPORTED = "not_imported"


@dataclass
class CheckedItem:
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
    #: The item's own images that passed their checks, stored when the item is written:
    #: ``(sha256, media file, its ImageInfo)``.
    media: list[tuple[str, Any, ImageInfo]] = field(default_factory=list)
    #: Warnings that do not stop the item (a near-copy of an item of the bank, ...).
    warnings: list[ReportEntry] = field(default_factory=list)
    #: The item of the bank this one copies exactly (same type, stem, content and
    #: metadata), when the import skips exact copies: then nothing is written.
    duplicate_of: Any = None


# -- reading -------------------------------------------------------------------------------------


class FileReport:
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


def read_candidates(
    importer: Importer,
    source: ImportSource,
    plugins: PluginHost,
    bank: Bank,
    limits: ImportLimits,
    report: FileReport,
    notify: Progress,
) -> list[CandidateItem]:
    """The candidates ``importer`` finds in ``source``; its file-level entries, and the
    order of everything, go to ``report``. A file the importer cannot read gives no
    candidates and an error in the report."""
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


def check_candidates(
    candidates: list[CandidateItem],
    bank: Bank,
    actor: User,
    plugins: PluginHost,
    limits: ImportLimits,
    notify: Progress,
    *,
    skip_duplicates: bool = False,
) -> list[CheckedItem]:
    """Each candidate validated and matched with the item it updates, if any: its
    outcome, or its problems (then its outcome is ``rejected``). Images are checked
    against ``limits.media_max_bytes``. New items that copy an item of the bank (or an
    earlier row) exactly, or come close to one, get a warning
    (:func:`warn_about_copies`); with ``skip_duplicates`` exact copies of the bank's
    items are not imported (outcome ``unchanged``)."""
    lookup = NodeLookup(bank)
    _known_sources(bank, candidates)
    existing = _existing_items(bank, [c.external_id for c in candidates if c.external_id])
    first_source: dict[str, str] = {}
    first_row: dict[str, str] = {}
    checked: list[CheckedItem] = []
    total = len(candidates)
    images: _ImageChecks = {}  # each distinct image checked once (items share them)
    for index, candidate in enumerate(candidates, start=1):
        item = CheckedItem(candidate, problems=list(candidate.problems))
        checked.append(item)
        _prepare(item, bank, actor, plugins, lookup, limits.media_max_bytes, images)
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
                _match_existing(item, existing.get(ref), actor, plugins)
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
    warn_about_copies(checked, bank, skip_duplicates=skip_duplicates)
    return checked


#: Imports with more new items than this check them for exact copies only (each near-copy
#: check is one bounded query: see :mod:`itembank.operations.similarity`).
NEAR_COPY_CHECK_LIMIT = 500


def warn_about_copies(
    checked: list[CheckedItem], bank: Bank, *, skip_duplicates: bool = False
) -> None:
    """Warn about new items that copy an item of the bank exactly (same content hash)
    or an earlier row of the file, and about near-copies of the bank's items; skip the
    exact copies of the bank's items when asked."""
    from itembank.operations.similarity import exact_copies, item_types_in, similar_items

    new = [c for c in checked if c.outcome is Outcome.CREATED and c.prepared is not None]
    copies = exact_copies(bank, [c.prepared.content_hash for c in new if c.prepared])
    earlier: dict[str, str] = {}
    near_check = len(new) <= NEAR_COPY_CHECK_LIMIT
    # A near copy is an item of the bank of the same type: for a type the bank has no
    # items of, nothing is asked per item (a first import into a bank asks nothing).
    present = item_types_in(bank) if near_check else set()
    for item in new:
        prepared = item.prepared
        assert prepared is not None
        copy = copies.get(prepared.content_hash)
        where = item.candidate.location
        if copy is not None and skip_duplicates:
            item.outcome = Outcome.UNCHANGED
            item.duplicate_of = copy
            item.external_id, item.result_version = copy.external_id, copy.version
            item.item_id = copy.item_id
            continue
        if copy is not None:
            item.warnings.append(
                warning(
                    where,
                    f"Sama persis dengan soal {copy.external_id} (versi {copy.version}) yang "
                    "sudah ada di bank; berkas ini mungkin sudah pernah diimpor.",
                    f"An exact copy of item {copy.external_id} (version {copy.version}) "
                    "already in the bank; this file may have been imported before.",
                )
            )
        elif prepared.content_hash in earlier:
            item.warnings.append(
                warning(
                    where,
                    f"Sama persis dengan soal di {earlier[prepared.content_hash]} berkas ini.",
                    f"An exact copy of the item at {earlier[prepared.content_hash]} of this file.",
                )
            )
        elif item.candidate.item_type in present:
            close = similar_items(bank, prepared.search_text, item_type=item.candidate.item_type)
            if close:
                listed = ", ".join(f"{s.external_id} ({s.percent}%)" for s in close)
                item.warnings.append(
                    warning(
                        where,
                        f"Sangat mirip dengan soal yang sudah ada: {listed}.",
                        f"Very similar to items already in the bank: {listed}.",
                    )
                )
        earlier.setdefault(prepared.content_hash, _where(where))


def _prepare(
    item: CheckedItem,
    bank: Bank,
    actor: User,
    plugins: PluginHost,
    lookup: NodeLookup,
    media_max_bytes: int,
    images: _ImageChecks,
) -> None:
    candidate = item.candidate
    item_type = plugins.item_types.get(candidate.item_type)
    if item_type is None:
        if candidate.item_type:  # an empty type was reported by the importer
            # The file names types by their code, so the known ones are listed with
            # their names and the code to write.
            known_id, known_en = (
                ", ".join(f"{plugins.type_name(t, lang)} ({t})" for t in sorted(plugins.item_types))
                for lang in ("id", "en")
            )
            item.problems.append(
                _at(
                    candidate,
                    "type",
                    f"Jenis soal '{candidate.item_type}' tidak dikenal; yang dikenal: {known_id}.",
                    f"Unknown item type '{candidate.item_type}'; known: {known_en}.",
                )
            )
        return
    for media in candidate.media:
        _check_image(item, media, media_max_bytes, images)
    try:
        item.prepared = prepare_version(
            bank,
            item_type,
            candidate.stem,
            candidate.content,
            candidate.metadata,
            lookup=lookup,
            uploading=frozenset(sha for sha, _, _ in item.media),
            passage_hash=_passage_hash(bank, candidate),
            clean_html=candidate.clean_html,
            # the importer's own load of this very type (the QTI conversion's) is not
            # repeated; any other content, or another type's, is loaded here
            loaded=candidate.loaded_by is item_type,
        )
    except InvalidInput as exc:
        for problem in exc.problems:
            item.problems.append(
                _at(candidate, problem["field"], problem["message"], problem["message_en"])
            )


def _passage_hash(bank: Bank, candidate: CandidateItem) -> str | None:
    """The content hash of the passage the item asks about, part of the item's own (so
    an exact copy is the same question about the same text). None without a passage,
    or when its text cannot be stored as it is (writing it reports why)."""
    found = candidate.passage
    if found is None:
        return None
    from itembank.operations.passages import prepare_passage

    try:
        return prepare_passage(bank, found.title, found.body).content_hash
    except InvalidInput:
        return None


#: The images of one import's check by their bytes: what :func:`inspect_image` gave or
#: raised (with the one ``max_bytes`` of the import).
_ImageChecks = dict[bytes, "ImageInfo | MediaError"]


def _check_image(item: CheckedItem, media: Any, max_bytes: int, images: _ImageChecks) -> None:
    """Check an image the item brings; a good one is kept for writing, a bad one is a
    problem of the item at the image's name. ``images``: the import's images checked so
    far (an image several items bring is decoded once)."""
    data = media.data
    shared = type(data) is bytes  # (hashable: any other kind is checked every time)
    found = images.get(data) if shared else None
    if found is None:
        try:
            found = inspect_image(data, max_bytes=max_bytes)
        except MediaError as exc:
            found = exc
        if shared:
            images[data] = found
    if isinstance(found, MediaError):
        exc = found
        item.problems.append(
            ReportEntry(
                item.candidate.location.at(media.name),
                Severity.ERROR,
                exc.message_id,
                exc.message_en,
            )
        )
        return
    item.media.append((found.sha256, media, found))


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


def _match_existing(
    item: CheckedItem, existing: Item | None, actor: User, plugins: PluginHost
) -> None:
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
    if existing.item_type != candidate.item_type and candidate.item_type:
        item.problems.append(
            _at(
                candidate,
                "type",
                f"Soal {ref} berjenis {plugins.type_name(existing.item_type, 'id')}; jenis "
                "soal tidak dapat diubah.",
                f"Item {ref} is of type {plugins.type_name(existing.item_type, 'en')}; an "
                "item's type cannot change.",
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
        # Any author may edit any draft of the bank, by import as by hand
        # (itembank.operations.duties); the import becomes one of its contributors.
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
