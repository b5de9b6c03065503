"""The importer contract.

An importer is a plugin object registered through the
:func:`itembank.hookspecs.itembank_register_importers` hook. It turns the bytes of an
uploaded file (a spreadsheet, a QTI package, ...) into *candidate items* and *report
entries*; it never touches the database. The core (:mod:`itembank.operations.imports`)
validates every candidate through the same pipeline as an item written by hand (the
item type's schema and checks, the HTML sanitizer, classifications against the bank's
taxonomies), writes the valid ones in one transaction and stores the report.

What an importer receives: an :class:`ImportSource` (file name and bytes) and an
:class:`ImportContext` (the bank's code and language, the registered item types and
the limits to respect). What it yields, in file order:

* :class:`CandidateItem` for each item found, with the :class:`Location` it came
  from and a map from content fields back to locations, so a problem the item type
  reports in ``content.options.2.text`` is shown to the writer as "row 7, column
  opsi_c";
* :class:`ReportEntry` for anything else worth telling (a file that cannot be read, an
  ignored column, a row that is not an item at all).

A file that is not what it claims to be is reported, never raised: the importer yields
an error entry (or raises :class:`ImportFileError`, which the core turns into one).
Archives go through :func:`open_zip`, which checks the member count and the declared
uncompressed size before anything is decompressed.
"""

from __future__ import annotations

import enum
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from itembank.itemtypes import JSON, ItemType
from itembank.media_check import DEFAULT_MAX_BYTES as DEFAULT_MEDIA_MAX_BYTES


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Location:
    """Where something is in the imported file.

    :param file: the file name (inside an archive: the member's path).
    :param item: the row number of a spreadsheet, or an item's identifier in a package;
        ``""`` for the file as a whole.
    :param column: the column header as written in the file, or a path inside an item's
        XML; ``""`` for the whole item.
    """

    file: str
    item: str = ""
    column: str = ""

    def at(self, column: str) -> Location:
        return Location(self.file, self.item, column)


@dataclass(frozen=True)
class ReportEntry:
    """One line of an import report, in Indonesian and English."""

    location: Location
    severity: Severity
    message: str
    message_en: str


def error(location: Location, message: str, message_en: str) -> ReportEntry:
    return ReportEntry(location, Severity.ERROR, message, message_en)


def warning(location: Location, message: str, message_en: str) -> ReportEntry:
    return ReportEntry(location, Severity.WARNING, message, message_en)


@dataclass(frozen=True)
class MediaFile:
    """An image an item needs, stored in the bank before the item is validated. The
    item's HTML refers to it as ``/media/<sha256>`` (:attr:`sha256`)."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class CandidatePassage:
    """The shared passage an item asks about (its item set), as an importer found it.

    :param key: its identifier in the source: candidates naming the same key share one
        passage.
    :param title: plain text.
    :param body: HTML (the core sanitizes it); images as ``/media/<sha256>`` of the
        item's media.
    :param passage_id: the bank's passage it is a version of (the bank's own export),
        or ``None``: a version with the same text is pinned when there is one, else a
        new passage is written.
    """

    key: str
    title: str
    body: str
    passage_id: str | None = None


@dataclass
class CandidateItem:
    """An item read from a file, not yet validated.

    :param location: where the item is (``item`` set, ``column`` empty).
    :param item_type: the item type id (unknown ones are reported by the core).
    :param stem: the stem as HTML (the core sanitizes it).
    :param content: the type-specific content as plain JSON, validated by the type.
    :param metadata: ``classifications``, ``difficulty``, ``tags``, ``language``,
        ``notes``, as for an item written by hand.
    :param external_id: the id of an item in the bank this one updates (a new draft
        version), or ``None`` for a new item.
    :param source_id: the item's identifier in the system it came from, for the report.
    :param media: images to store in the bank first.
    :param fields: field path (``"content.options.2"``, ``"stem"``,
        ``"metadata.classifications.0.level"``) -> the column it came from. A problem's
        location is the longest path here that is a prefix of the problem's field.
    :param notes: warnings about this item that do not stop it being imported.
    :param problems: errors the importer found itself (a cell it could not read); the
        item is rejected with these and whatever the core finds.
    :param passage: the passage the item asks about, if any: the draft written pins a
        version of it (:mod:`itembank.operations.passages`).
    :param clean_html: HTML the importer already sanitized with
        :func:`itembank.sanitize.sanitize_and_scan`, by its clean form: its plain text and
        the images it shows, as that gave them. A stem or content field found here is
        stored as it is, with that text and those images, instead of being sanitized
        again (sanitizing clean HTML gives it back unchanged).
    :param loaded_by: the item type whose :meth:`~itembank.itemtypes.ItemType.load`
        returned ``content`` (unchanged since), in this process or in one of the
        import's own conversion workers (:mod:`itembank.qti_bridge.pool`, running a
        pickled copy of the type; the content, plain data, comes back from it as it
        was): an importer that validated the content with the type itself (the QTI
        importer's conversion does, before proving its scoring). The core then does not load it a
        second time when it is the type the core would use (the same object); anything
        else about the item is checked as always. ``None``: the content comes from the
        file as it is, and the core loads it.
    """

    location: Location
    item_type: str
    stem: Any
    content: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None
    source_id: str | None = None
    media: list[MediaFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    notes: list[ReportEntry] = field(default_factory=list)
    problems: list[ReportEntry] = field(default_factory=list)
    passage: CandidatePassage | None = None
    clean_html: Mapping[str, tuple[str, frozenset[str]]] = field(default_factory=dict, repr=False)
    loaded_by: ItemType | None = field(default=None, repr=False)

    def locate(self, field_path: str) -> Location:
        """The location of a problem in ``field_path`` (see :attr:`fields`)."""
        path = field_path
        while True:
            if path in self.fields:
                return self.location.at(self.fields[path])
            if "." not in path:
                return self.location
            path = path.rsplit(".", 1)[0]


@dataclass(frozen=True)
class ImportLimits:
    """What an import may be made of; importers must respect every limit that applies
    to them and report the one a file breaks.

    Each can be set in the Flask config or the environment under the name given in
    :data:`LIMIT_SETTINGS`.
    """

    #: Largest uploaded file.
    max_bytes: int = 16 * 1024 * 1024
    #: Most items (spreadsheet rows) in one import.
    max_items: int = 20_000
    #: Most members of an archive (an XLSX is one too).
    max_files: int = 30_000
    #: Largest total uncompressed size an archive declares.
    max_uncompressed_bytes: int = 512 * 1024 * 1024
    #: Most columns of a spreadsheet.
    max_columns: int = 200
    #: Longest text of one cell.
    max_cell_chars: int = 100_000
    #: Largest image an imported item brings (``ITEMBANK_MEDIA_MAX_BYTES``, the limit of
    #: an upload too): importers check it (the QTI importer refuses the item), and the
    #: import checks it again before storing the image.
    media_max_bytes: int = DEFAULT_MEDIA_MAX_BYTES
    #: How many processes may convert the items of one file (``ITEMBANK_IMPORT_PROCESSES``,
    #: by default the CPUs the application may use; 1 here, for imports started without
    #: the application's settings): the QTI importer converts a package of at least
    #: :data:`itembank.qti_bridge.convert.PARALLEL_MIN_ITEMS` items in that many.
    processes: int = 1

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImportLimits:
        return cls(**limit_settings(LIMIT_SETTINGS, config))


def limit_settings(settings: Mapping[str, str], config: Mapping[str, Any]) -> dict[str, int]:
    """``attribute -> value`` for each ``attribute -> setting name`` in ``settings`` set in
    the Flask config or else the environment (whole numbers)."""
    values: dict[str, int] = {}
    for attr, name in settings.items():
        raw = config.get(name)
        if raw is None:
            raw = os.environ.get(name)
        if raw is not None:
            values[attr] = int(raw)
    return values


LIMIT_SETTINGS: dict[str, str] = {
    "max_bytes": "ITEMBANK_IMPORT_MAX_BYTES",
    "max_items": "ITEMBANK_IMPORT_MAX_ITEMS",
    "max_files": "ITEMBANK_IMPORT_MAX_FILES",
    "max_uncompressed_bytes": "ITEMBANK_IMPORT_MAX_UNCOMPRESSED_BYTES",
    "max_columns": "ITEMBANK_IMPORT_MAX_COLUMNS",
    "max_cell_chars": "ITEMBANK_IMPORT_MAX_CELL_CHARS",
    "media_max_bytes": "ITEMBANK_MEDIA_MAX_BYTES",
    "processes": "ITEMBANK_IMPORT_PROCESSES",
}


@dataclass(frozen=True)
class TaxonomyListing:
    """A taxonomy the bank can classify against, for templates: its code, name and
    nodes as ``(code, name, level numbers)``."""

    code: str
    name: str
    nodes: Sequence[tuple[str, str, Sequence[int]]]


@dataclass(frozen=True)
class ImportContext:
    """What an importer may know about the import.

    :param taxonomies: filled for :meth:`Importer.template` only (empty when reading).
    """

    bank_code: str
    bank_language: str
    item_types: Mapping[str, ItemType]
    limits: ImportLimits = ImportLimits()
    taxonomies: Sequence[TaxonomyListing] = ()


@dataclass(frozen=True)
class ImportSource:
    """The file to import."""

    filename: str
    data: bytes

    @property
    def extension(self) -> str:
        """The lowercase extension with its dot (``".xlsx"``), or ``""``."""
        _, ext = os.path.splitext(self.filename)
        return ext.lower()


@dataclass(frozen=True)
class Template:
    """A file an item writer fills in and imports."""

    filename: str
    mimetype: str
    data: bytes


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the core reports it as one error entry."""

    def __init__(self, message: str, message_en: str):
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


class Importer:
    """Base class for importers. Subclass it and register an instance."""

    #: Stable identifier, e.g. ``"spreadsheet"``.
    id: ClassVar[str]
    #: Human names, ``{"id": ..., "en": ...}``.
    label: ClassVar[Mapping[str, str]]
    description: ClassVar[Mapping[str, str]] = {"id": "", "en": ""}
    #: File name extensions read, lowercase with the dot (``(".xlsx", ".csv")``).
    extensions: ClassVar[tuple[str, ...]] = ()
    #: Template formats offered (``("xlsx", "csv")``); empty when there are none.
    template_formats: ClassVar[tuple[str, ...]] = ()

    def accepts(self, source: ImportSource) -> bool:
        """Whether this importer reads ``source`` (by default: by its extension)."""
        return source.extension in self.extensions

    def read(
        self, source: ImportSource, context: ImportContext
    ) -> Iterator[CandidateItem | ReportEntry]:
        """Yield the candidate items and report entries of ``source``, in file order.
        Must not raise for bad input except :class:`ImportFileError`."""
        raise NotImplementedError

    def template(self, item_type: ItemType, fmt: str, context: ImportContext) -> Template:
        """A template for ``item_type`` in format ``fmt`` (one of
        :attr:`template_formats`)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Importer {self.id}>"


def open_zip(data: bytes, limits: ImportLimits, *, what: str = "ZIP") -> zipfile.ZipFile:
    """Open ``data`` as a ZIP archive after checking what its directory declares: the
    number of members, the total uncompressed size, no encryption and no member path
    that leaves the archive. Nothing is decompressed here; reading a member later
    yields at most its declared size (``zipfile`` checks the size and CRC), so these
    checks bound what the archive can expand to.

    :raises ImportFileError: in words a writer understands.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ImportFileError(
            f"Berkas bukan {what} yang utuh (rusak atau bukan arsip ZIP).",
            f"The file is not a valid {what} (damaged, or not a ZIP archive).",
        ) from None
    members = archive.infolist()
    if len(members) > limits.max_files:
        raise ImportFileError(
            f"Arsip berisi {len(members)} berkas; paling banyak {limits.max_files}.",
            f"The archive holds {len(members)} files; at most {limits.max_files} are allowed.",
        )
    declared = sum(info.file_size for info in members)
    if declared > limits.max_uncompressed_bytes:
        raise ImportFileError(
            f"Isi arsip terlalu besar setelah diekstrak ({declared} bajt; paling banyak "
            f"{limits.max_uncompressed_bytes}).",
            f"The archive expands to {declared} bytes; at most "
            f"{limits.max_uncompressed_bytes} are allowed.",
        )
    for info in members:
        name = info.filename
        if info.flag_bits & 0x1:
            raise ImportFileError(
                f"Berkas '{name}' di dalam arsip terenkripsi.",
                f"File '{name}' in the archive is encrypted.",
            )
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise ImportFileError(
                f"Nama berkas '{name}' di dalam arsip tidak aman.",
                f"The file name '{name}' in the archive is not safe.",
            )
    return archive


__all__ = [
    "JSON",
    "CandidateItem",
    "ImportContext",
    "ImportFileError",
    "ImportLimits",
    "ImportSource",
    "Importer",
    "Location",
    "MediaFile",
    "ReportEntry",
    "Severity",
    "TaxonomyListing",
    "Template",
    "error",
    "open_zip",
    "warning",
]
