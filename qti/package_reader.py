"""Open what an importer is given - an item file, a folder or a content-package zip - and
list its item documents with their metadata, safely.

:func:`open_source` returns an :class:`ImportSource`: the item files to read
(:class:`ItemFile`, with the metadata their manifest resource carries), every problem
found on the way (:class:`SourceIssue`, with a stable ``code``), and ``read`` /
``resolve`` to fetch a file or find the file an item's ``img src`` names.

How items are found:

- a package (zip or folder) with ``imsmanifest.xml`` at its root is read from the
  manifest: every resource whose type names a QTI 2.x/3.0 item (``imsqti_item_xmlv2p1``,
  ``imsqti_item_xmlv2p2``, ``imsqti_item_xmlv3p0``) is one item, its ``href`` the document;
  tests and other resources are skipped (tests only point at items that the manifest lists
  itself); QTI 1.2 resources are reported as unsupported;
- without a manifest, or when the manifest is not well-formed XML (reported, with its
  line), every ``.xml`` file is examined and those that turn out not to be items are
  reported as such by the importer ("fall back to scanning": a folder of loose item files
  is a common way to hand items over, and a broken manifest should not hide items that
  are themselves fine);
- a single ``.xml`` file is one item. Read from disk, it finds its images beside it as an
  item in a package does: an ``img src`` relative to the file names a file in the file's
  folder or below it (never above it, never through a symbolic link); only the files
  its images name are looked at, the folder is not listed.

Safety (all limits in :class:`ImportLimits`): nothing is extracted to disk; zip member
names with absolute paths, drive letters, ``..`` or NUL are refused (zip-slip); symbolic
links are refused in zips and folders; every member's declared size, the total declared
size and the compression ratio are checked before anything is inflated, and reads stop at
the declared size (zip bombs); the number of files and each document's size are capped;
manifest hrefs must be relative paths inside the package. Hostile input gives issues,
never exceptions.
"""

from __future__ import annotations

import io
import os
import pickle
import posixpath
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, SupportsIndex

from lxml import etree

from qti._manifest_read import LomClassification, ResourceMetadata, resource_metadata
from qti._names import find_child, find_children, local_name
from qti._package import MANIFEST, is_external, manifest_href_problem, member_name_problem, resolve
from qti.ns import XML
from qti.xml import QtiParseError, parse_bytes

__all__ = [
    "DEFAULT_IMPORT_LIMITS",
    "ImportLimits",
    "ImportSource",
    "ItemFile",
    "LomClassification",
    "ResourceMetadata",
    "SourceIssue",
    "SourceReadError",
    "open_source",
]

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class ImportLimits:
    """Limits on what an import reads.

    :ivar max_files: most files (zip members, or files under a folder).
    :ivar max_total_bytes: most bytes all zip members may inflate to, together.
    :ivar max_file_bytes: most bytes one file may have (inflated).
    :ivar max_document_bytes: most bytes one item document may have (a manifest may have
        up to ``max_file_bytes``: it lists every file of the package).
    :ivar max_ratio: highest compression ratio for members of at least ``ratio_floor``.
    """

    max_files: int = 20_000
    max_total_bytes: int = 512 << 20
    max_file_bytes: int = 32 << 20
    max_document_bytes: int = 4 << 20
    max_ratio: float = 100.0
    ratio_floor: int = 1 << 20


DEFAULT_IMPORT_LIMITS = ImportLimits()


@dataclass(frozen=True)
class SourceIssue:
    """A problem with the source or one of its files.

    :ivar code: ``not_found``, ``not_a_zip``, ``unsafe_path``, ``symlink``, ``zip_bomb``,
        ``too_large``, ``too_many_files``, ``encrypted``, ``unreadable``,
        ``invalid_manifest``, ``no_manifest``, ``missing_file``, ``unsupported_version``;
        with severity ``info``: ``manifest`` (what the manifest lists) and ``not_an_item``
        (an XML document of a package that no item resource names: a test, metadata).
    """

    file: str
    line: int | None
    code: str
    message: str
    severity: Severity = "error"


class SourceReadError(Exception):
    """A file that cannot be read; ``code`` and ``message`` as in :class:`SourceIssue`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class ItemFile:
    """An item document to read: its path in the source and its manifest metadata."""

    path: str
    metadata: ResourceMetadata = field(default_factory=ResourceMetadata)


class ImportSource:
    """An opened source; use as a context manager (a zip stays open until closed)."""

    def __init__(self, label: str, limits: ImportLimits) -> None:
        self.label = label
        self.limits = limits
        self.items: list[ItemFile] = []
        self.issues: list[SourceIssue] = []
        self.names: list[str] = []
        self._read_member: dict[str, object] = {}
        self._archive: zipfile.ZipFile | None = None
        #: The zip's bytes when it is held in memory (members are then inflated from
        #: them directly: :func:`_inflate`).
        self._zip_bytes: bytes | None = None
        self._root: Path | None = None
        self._single: bytes | None = None
        self._single_folder: Path | None = None  # a single item file's folder, on disk

    def __enter__(self) -> ImportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
            self._archive = None

    def without_items(self) -> ImportSource:
        """This source listing no items (sharing all else with it: to be pickled, say, for
        a process given the items one by one)."""
        other = ImportSource.__new__(ImportSource)
        other.__dict__.update(self.__dict__, items=[])
        return other

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[object, ...]:
        """An opened source pickles, to be read in another process as it was read here
        (its members, items and metadata, its issues), unless it reads a zip from disk
        (open that again there: the file may have changed).

        A zip held in memory goes as its bytes - with protocol 5 as a
        :class:`pickle.PickleBuffer`, which a ``buffer_callback`` may take out of band -
        and each member as the place of its ``ZipInfo`` in the zip's list: the infos are
        read again from the same bytes there, each checked to name the same member (so
        that the members checked here, against the same limits, are the ones read there).
        """
        if self._archive is not None and self._zip_bytes is None:
            raise TypeError("a source reading a zip file from disk does not pickle")
        state = {**self.__dict__, "_archive": None}
        if self._zip_bytes is not None:
            assert self._archive is not None
            places = {id(info): place for place, info in enumerate(self._archive.infolist())}
            state["_read_member"] = {
                name: places[id(info)]
                for name, info in self._read_member.items()
                if isinstance(info, zipfile.ZipInfo)
            }
            if int(protocol) >= 5:
                state["_zip_bytes"] = pickle.PickleBuffer(self._zip_bytes)
        return (_unpickled_source, (), state)

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        data = self._zip_bytes
        if data is None:
            return
        if not isinstance(data, bytes):  # (an out-of-band buffer)
            data = self._zip_bytes = bytes(data)
        self._archive = zipfile.ZipFile(io.BytesIO(data))
        infos = self._archive.infolist()
        places: dict[str, int] = self._read_member  # type: ignore[assignment]
        members: dict[str, object] = {}
        for name, place in places.items():
            info = infos[place]
            if _member_key(info.filename) != name:
                raise ValueError(f"the zip read again does not have {name!r} at {place}")
            members[name] = info
        self._read_member = members

    def issue(
        self, file: str, line: int | None, code: str, message: str, severity: Severity = "error"
    ) -> None:
        self.issues.append(SourceIssue(file, line, code, message, severity))

    # -- reading ------------------------------------------------------------------------

    def read(self, name: str, *, document: bool = False) -> bytes:
        """The bytes of a file; ``document`` applies the XML document size limit.

        :raises SourceReadError: for a file that is not there, too large or unreadable.
        """
        if name not in self._read_member:
            raise SourceReadError("missing_file", f"{name!r} is not in {self.label}")
        limit = self.limits.max_document_bytes if document else self.limits.max_file_bytes
        member = self._read_member[name]
        if self._single is not None and member == name:
            data = self._single
        elif isinstance(member, zipfile.ZipInfo):
            data = self._read_zip(member, limit)
        else:
            assert isinstance(member, Path)
            try:
                size = member.stat().st_size
                if size > limit:
                    raise SourceReadError(
                        "too_large", f"{name!r} has {size} bytes, more than {limit}"
                    )
                with member.open("rb") as handle:
                    data = handle.read(limit + 1)
            except OSError as exc:
                raise SourceReadError(
                    "unreadable", f"{name!r} cannot be read: {exc.strerror}"
                ) from None
        if len(data) > limit:
            raise SourceReadError("too_large", f"{name!r} is larger than {limit} bytes")
        return data

    def _read_zip(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        assert self._archive is not None
        if info.file_size > limit:
            raise SourceReadError(
                "too_large",
                f"{info.filename!r} inflates to {info.file_size} bytes, more than {limit}",
            )
        if self._zip_bytes is not None:
            inflated = _inflate(self._zip_bytes, info)
            if inflated is not None:
                return inflated
        try:
            with self._archive.open(info) as member:
                data = member.read(info.file_size + 1)
        except NotImplementedError as exc:
            raise SourceReadError("unreadable", f"unsupported compression: {exc}") from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
            raise SourceReadError(
                "unreadable", f"{info.filename!r} cannot be read: {exc}"
            ) from None
        if len(data) > info.file_size:
            raise SourceReadError(
                "zip_bomb", f"{info.filename!r} inflates to more than its zip header declares"
            )
        return data

    def resolve(self, document: str, src: str) -> tuple[str | None, str]:
        """The file an ``img src`` in ``document`` names, or ``None`` and why not."""
        text = src.strip()
        if not text:
            return None, "the image has no source"
        if is_external(text):
            return None, f"the image {src!r} is not in the package (an external address)"
        if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", text):
            return None, f"the image {src!r} is an absolute path"
        if self._single_folder is not None:
            return self._resolve_beside(text, src)
        if self._single is not None:
            return None, (
                f"the image {src!r} did not come with the item: a single uploaded item file "
                "brings no images (upload a zip of the item and its images)"
            )
        target = resolve(posixpath.dirname(document), text)
        if target is None:
            return None, f"the image {src!r} points outside the package"
        if target not in self._read_member:
            return None, f"the image {src!r} is missing from the package"
        return target, ""

    def _resolve_beside(self, text: str, src: str) -> tuple[str | None, str]:
        """An image of a single item file read from disk: a file in its folder or below."""
        assert self._single_folder is not None
        target = resolve("", text)
        if target is None:
            return None, f"the image {src!r} points outside the item's folder"
        path = self._single_folder
        for part in target.split("/"):
            path = path / part
            if path.is_symlink():
                return None, f"the image {src!r} goes through a symbolic link"
        if not path.is_file():
            return None, f"the image {src!r} is missing from the item's folder"
        self._read_member.setdefault(target, path)
        return target, ""


def _unpickled_source() -> ImportSource:
    return ImportSource.__new__(ImportSource)


def open_source(
    target: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
) -> ImportSource:
    """Open an item file, folder or zip (a path), or a zip or item document held in memory
    (bytes). ``name`` labels it in issues (default: the file name)."""
    if isinstance(target, bytes | bytearray):
        data = bytes(target)
        label = name or ("upload.zip" if data.startswith(b"PK") else "upload.xml")
        source = ImportSource(label, limits)
        if data.startswith(b"PK"):
            _open_zip(source, io.BytesIO(data))
            if source._archive is not None:
                source._zip_bytes = data
        else:
            _open_single(source, label, data)
        return source
    path = Path(target)
    label = name or path.name or str(path)
    source = ImportSource(label, limits)
    if path.is_symlink():
        source.issue(label, None, "symlink", "is a symbolic link; not read")
    elif path.is_dir():
        _open_folder(source, path)
    elif not path.exists():
        source.issue(label, None, "not_found", "does not exist")
    elif path.suffix.lower() == ".xml":
        try:
            size = path.stat().st_size
            if size > limits.max_document_bytes:
                source.issue(
                    label,
                    None,
                    "too_large",
                    f"has {size} bytes, more than {limits.max_document_bytes}",
                )
                return source
            _open_single(source, label, path.read_bytes())
            source._single_folder = path.resolve().parent
        except OSError as exc:
            source.issue(label, None, "unreadable", f"cannot be read: {exc.strerror}")
    else:
        _open_zip(source, path)
    return source


def _open_single(source: ImportSource, label: str, data: bytes) -> None:
    if len(data) > source.limits.max_document_bytes:
        source.issue(
            label,
            None,
            "too_large",
            f"has {len(data)} bytes, more than {source.limits.max_document_bytes}",
        )
        return
    source._single = data
    source._read_member[label] = label
    source.names.append(label)
    source.items.append(ItemFile(label))


# -- zips ----------------------------------------------------------------------------------


def _open_zip(source: ImportSource, file: Path | io.BytesIO) -> None:
    limits, label = source.limits, source.label
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        source.issue(label, None, "not_a_zip", f"is not a readable zip file ({exc})")
        return
    infos = archive.infolist()
    if len(infos) > limits.max_files:
        archive.close()
        source.issue(
            label,
            None,
            "too_many_files",
            f"has {len(infos)} files, more than {limits.max_files}; not read",
        )
        return
    total = 0
    for info in infos:
        member = info.filename
        problem = member_name_problem(member)
        if problem:
            source.issue(label, None, "unsafe_path", f"zip member {member!r} {problem}; not read")
            continue
        if member.endswith(("/", "\\")):
            continue
        key = _member_key(member)
        code, problem = _member_problem(info, limits)
        if problem:
            source.issue(key, None, code, f"zip member {problem}; not read")
            continue
        if key in source._read_member:
            source.issue(key, None, "unsafe_path", "appears more than once in the zip; not read")
            continue
        total += info.file_size
        if total > limits.max_total_bytes:
            archive.close()
            source.issue(
                label,
                None,
                "zip_bomb",
                f"inflates to more than {limits.max_total_bytes} bytes in total; not read",
            )
            source._read_member.clear()
            source.names.clear()
            return
        source._read_member[key] = info
        source.names.append(key)
    source._archive = archive
    _find_items(source)


def _member_key(member: str) -> str:
    """The name a zip member is read by."""
    return posixpath.normpath(member.replace("\\", "/"))


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
#: Flags :func:`_inflate` leaves to ``zipfile``: encrypted, patched, strongly encrypted.
_LEFT_TO_ZIPFILE = 0x1 | 0x20 | 0x40


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """A member of the zip ``data`` inflated straight from the bytes, or ``None`` when
    anything is not as ``zipfile`` would accept it without a word (its local header, name,
    method, flags, sizes or CRC-32): ``zipfile`` then reads it and says what is wrong.
    What this returns is what ``zipfile`` returns for such a member, at a fraction of the
    cost of its file object."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    if info.flag_bits & _LEFT_TO_ZIPFILE:
        return None
    start = info.header_offset
    header = data[start : start + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        return None
    magic, *_fields, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if magic != b"PK\x03\x04":
        return None
    name_start = start + _LOCAL_HEADER.size
    raw_name = data[name_start : name_start + name_length]
    try:
        name = raw_name.decode("utf-8" if info.flag_bits & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if name != info.orig_filename:
        return None
    begin = name_start + name_length + extra_length
    packed = data[begin : begin + info.compress_size]
    if len(packed) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            return None
        member = packed
    else:
        inflater = zlib.decompressobj(-15)
        try:
            member = inflater.decompress(packed, info.file_size + 1)
        except zlib.error:
            return None
        if not inflater.eof or inflater.unconsumed_tail:
            return None
    if len(member) != info.file_size or zlib.crc32(member) != info.CRC:
        return None
    return member


def _member_problem(info: zipfile.ZipInfo, limits: ImportLimits) -> tuple[str, str | None]:
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "symlink", "is a symbolic link"
    if info.flag_bits & 0x1:
        return "encrypted", "is encrypted"
    if info.file_size > limits.max_file_bytes:
        return "too_large", f"inflates to {info.file_size} bytes, more than {limits.max_file_bytes}"
    if info.file_size >= limits.ratio_floor and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        ratio = info.file_size / max(info.compress_size, 1)
        return "zip_bomb", f"has a compression ratio of {ratio:.0f}:1 (possible zip bomb)"
    return "", None


# -- folders -------------------------------------------------------------------------------


def _open_folder(source: ImportSource, root: Path) -> None:
    root = root.resolve()
    source._root = root
    count = 0
    for folder, dirs, files in os.walk(root, followlinks=False):
        for directory in sorted(dirs):
            if Path(folder, directory).is_symlink():
                name = Path(folder, directory).relative_to(root).as_posix()
                source.issue(name, None, "symlink", "is a symbolic link; not read")
        dirs.sort()
        for filename in sorted(files):
            path = Path(folder, filename)
            name = path.relative_to(root).as_posix()
            if path.is_symlink():
                source.issue(name, None, "symlink", "is a symbolic link; not read")
                continue
            count += 1
            if count > source.limits.max_files:
                source.issue(
                    source.label,
                    None,
                    "too_many_files",
                    f"has more than {source.limits.max_files} files; not read",
                )
                source._read_member.clear()
                source.names.clear()
                return
            source._read_member[name] = path
            source.names.append(name)
    _find_items(source)


# -- the manifest ----------------------------------------------------------------------------


_ITEM_TYPE = re.compile(r"^imsqti_item_xmlv(2p1|2p2|3p0)")


def _find_items(source: ImportSource) -> None:
    if MANIFEST not in source._read_member:
        source.issue(
            source.label,
            None,
            "no_manifest",
            f"has no {MANIFEST}; every .xml file is examined",
            "warning",
        )
        _scan(source)
        return
    try:
        manifest = parse_bytes(source.read(MANIFEST))
    except SourceReadError as exc:
        source.issue(MANIFEST, None, exc.code, exc.message)
        _scan(source)
        return
    except QtiParseError as exc:
        source.issue(
            MANIFEST,
            exc.line,
            "invalid_manifest",
            f"is not well-formed XML ({exc.message}); every .xml file is examined instead",
        )
        _scan(source)
        return
    if local_name(manifest) != "manifest":
        source.issue(
            MANIFEST,
            manifest.sourceline,
            "invalid_manifest",
            "is not a content-packaging manifest; every .xml file is examined instead",
        )
        _scan(source)
        return
    _read_manifest(source, manifest)


def _scan(source: ImportSource) -> None:
    for name in source.names:
        if name.lower().endswith(".xml") and name != MANIFEST:
            source.items.append(ItemFile(name))


def _read_manifest(source: ImportSource, manifest: etree._Element) -> None:
    holder = find_child(manifest, "resources")
    if holder is None:
        source.issue(MANIFEST, manifest.sourceline, "invalid_manifest", "lists no resources")
        return
    outer_base = holder.get(f"{{{XML}}}base", "")
    seen: set[str] = set()
    stimuli: set[str] = set()  # read with the items that refer to them
    for resource in find_children(holder, "resource"):
        kind = resource.get("type", "")
        line = resource.sourceline
        if kind.startswith("imsqti_stimulus_xmlv"):
            stimulus_href = resource.get("href") or ""
            if stimulus_href and manifest_href_problem(stimulus_href) is None:
                base = _join(outer_base, resource.get(f"{{{XML}}}base", ""))
                member = resolve("", posixpath.join(base, stimulus_href) if base else stimulus_href)
                if member is not None:
                    stimuli.add(member)
            continue
        if kind.startswith("imsqti_xmlv1p") or kind.startswith("imsqti_item_xmlv1"):
            source.issue(
                MANIFEST,
                line,
                "unsupported_version",
                f"resource type {kind!r} is QTI 1.x, not supported",
            )
            continue
        if not _ITEM_TYPE.match(kind):
            continue
        href = resource.get("href")
        if href is None:
            files = find_children(resource, "file")
            href = files[0].get("href") if files else None
        if not href:
            source.issue(MANIFEST, line, "invalid_manifest", "an item resource names no file")
            continue
        base = _join(outer_base, resource.get(f"{{{XML}}}base", ""))
        full = posixpath.join(base, href) if base else href
        problem = manifest_href_problem(href) or (manifest_href_problem(full) if base else None)
        if problem:
            source.issue(MANIFEST, line, "unsafe_path", f"item href {href!r} {problem}")
            continue
        member = resolve("", full)
        if member is None or member not in source._read_member:
            source.issue(
                MANIFEST, line, "missing_file", f"item href {href!r} is not in the package"
            )
            continue
        if member in seen:
            continue
        seen.add(member)
        source.items.append(ItemFile(member, resource_metadata(resource)))
    source.issue(
        MANIFEST, manifest.sourceline, "manifest", f"lists {len(source.items)} item(s)", "info"
    )
    for name in source.names:
        if (
            name.lower().endswith(".xml")
            and name != MANIFEST
            and name not in seen
            and name not in stimuli
        ):
            source.issue(
                name, None, "not_an_item", "not an item resource of the manifest; not read", "info"
            )


def _join(outer: str, inner: str) -> str:
    joined = posixpath.join(outer, inner) if inner else outer
    return posixpath.normpath(joined) if joined else ""
