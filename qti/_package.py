"""Reading the files of a package (zip or folder) safely, and checking hrefs.

Nothing is ever extracted to disk. A zip is opened in place: member names are checked
(no absolute paths, no ``..``, no symbolic links), sizes and compression ratios are checked
from the headers before anything is read, and reads are capped at the size the header
declared. Hostile input produces issues, never exceptions.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import unquote

from qti._report import Issue

MANIFEST = "imsmanifest.xml"


@dataclass(frozen=True)
class ZipLimits:
    """Limits that stop a zip bomb before it is inflated.

    :ivar max_members: most members (files and folders) a package may have.
    :ivar max_total_size: most bytes all members may inflate to, together.
    :ivar max_member_size: most bytes one member may inflate to.
    :ivar max_ratio: highest compression ratio allowed for members of at least
        ``ratio_floor`` bytes (ordinary XML compresses 5-20 times, images about once).
    """

    max_members: int = 20_000
    max_total_size: int = 1 << 30
    max_member_size: int = 256 << 20
    max_ratio: float = 100.0
    ratio_floor: int = 1 << 20


DEFAULT_LIMITS = ZipLimits()


class PackageReadError(Exception):
    """A member could not be read; the message says why, in English."""


class PackageSource(Protocol):
    """The files of a package, by their normalised relative path (``items/q1.xml``)."""

    label: str
    names: list[str]

    def read(self, name: str) -> bytes: ...


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def member_name_problem(name: str) -> str | None:
    """Why a zip member name is unsafe to use (zip-slip), or ``None`` if it is safe."""
    if "\x00" in name:
        return "contains a NUL character"
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        return "is an absolute path"
    if ".." in text.split("/"):
        return "contains '..'"
    return None


def manifest_href_problem(href: str) -> str | None:
    """Why a manifest ``href`` is not a plain relative path inside the package, or ``None``."""
    if not href.strip():
        return "is empty"
    if re.match(r"^[A-Za-z]:[\\/]", href) or href.startswith(("/", "\\")):
        return "is an absolute path; use a path relative to the package root"
    if _SCHEME.match(href):
        return "is a URL; every file must be inside the package, with a relative href"
    if "\\" in href:
        return "uses backslashes; use '/'"
    if ".." in unquote(href).split("/"):
        return "contains '..'; hrefs must stay inside the package"
    return None


def resolve(base: str, href: str) -> str | None:
    """Resolve a relative ``href`` against folder ``base``; ``None`` if it leaves the package.

    Query strings and fragments are dropped and %-escapes decoded, so the result is a
    member name.
    """
    path = unquote(href.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    joined = posixpath.normpath(posixpath.join(base, path)) if path else base
    if joined in ("..", ".") or joined.startswith(("../", "/")):
        return None
    return joined


def is_external(reference: str) -> bool:
    """True for URLs (``http:``, ``data:``, ...) and in-document ``#fragments``."""
    text = reference.strip()
    if text.startswith("#"):
        return True
    match = _SCHEME.match(text)
    return match is not None and len(match.group(0)) > 2  # "C:" is a drive, not a scheme


class ZipSource:
    """A zip package opened in place, with unsafe members already set aside."""

    def __init__(self, archive: zipfile.ZipFile, label: str) -> None:
        self.label = label
        self.names: list[str] = []
        self._archive = archive
        self._infos: dict[str, zipfile.ZipInfo] = {}

    def read(self, name: str) -> bytes:
        info = self._infos[name]
        try:
            with self._archive.open(info) as member:
                data = member.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
            raise PackageReadError(f"cannot be read from the zip: {exc}") from None
        except NotImplementedError as exc:
            raise PackageReadError(f"uses an unsupported compression method: {exc}") from None
        if len(data) > info.file_size:
            raise PackageReadError("inflates to more than its zip header declares")
        return data

    def close(self) -> None:
        self._archive.close()


def open_zip(
    file: str | os.PathLike[str] | IO[bytes], label: str, limits: ZipLimits = DEFAULT_LIMITS
) -> tuple[ZipSource | None, list[Issue]]:
    """Open a zip package and screen its members; ``None`` if it cannot be used at all."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return None, [Issue(label, None, "error", f"not a readable zip file: {exc}")]
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        archive.close()
        message = f"has {len(infos)} members, more than the limit of {limits.max_members}; not read"
        return None, [Issue(label, None, "error", message)]
    source = ZipSource(archive, label)
    issues: list[Issue] = []
    total = 0
    for info in infos:
        name = info.filename
        problem = member_name_problem(name)
        if problem:
            message = f"zip member {name!r} {problem} (zip-slip); ignored"
            issues.append(Issue(label, None, "error", message))
            continue
        if name.endswith(("/", "\\")):
            continue
        key = posixpath.normpath(name.replace("\\", "/"))
        problem = _member_problem(info, limits)
        if problem:
            issues.append(Issue(key, None, "error", f"zip member {problem}; ignored"))
            continue
        if key in source._infos:
            issues.append(Issue(key, None, "error", "appears more than once in the zip"))
            continue
        total += info.file_size
        if total > limits.max_total_size:
            archive.close()
            message = (
                f"inflates to more than {limits.max_total_size} bytes in total "
                "(possible zip bomb); not read"
            )
            return None, [*issues, Issue(label, None, "error", message)]
        source._infos[key] = info
        source.names.append(key)
    return source, issues


def _member_problem(info: zipfile.ZipInfo, limits: ZipLimits) -> str | None:
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return "is a symbolic link"
    if info.flag_bits & 0x1:
        return "is encrypted"
    if info.file_size > limits.max_member_size:
        return f"inflates to {info.file_size} bytes, more than {limits.max_member_size}"
    if info.file_size >= limits.ratio_floor and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        ratio = info.file_size / max(info.compress_size, 1)
        return (
            f"has a compression ratio of {ratio:.0f}:1, more than {limits.max_ratio:.0f}:1 "
            "(possible zip bomb)"
        )
    return None


class FolderSource:
    """An unpacked package: the files under a folder, symbolic links excluded."""

    def __init__(self, root: Path, label: str) -> None:
        self.label = label
        self.root = root.resolve()
        self.names: list[str] = []
        self.issues: list[Issue] = []
        for folder, dirs, files in os.walk(self.root, followlinks=False):
            dirs.sort()
            for filename in sorted(files):
                path = Path(folder, filename)
                name = path.relative_to(self.root).as_posix()
                if path.is_symlink():
                    message = "is a symbolic link; ignored"
                    self.issues.append(Issue(name, None, "warning", message))
                    continue
                self.names.append(name)
        self._known = set(self.names)

    def read(self, name: str) -> bytes:
        if name not in self._known:
            raise PackageReadError("is not in the package")
        try:
            return (self.root / name).read_bytes()
        except OSError as exc:
            raise PackageReadError(f"cannot be read: {exc.strerror or exc}") from None
