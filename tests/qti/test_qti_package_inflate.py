"""A zip held in memory is read member by member straight from its bytes
(:func:`qti.package_reader._inflate`): every member comes back as ``zipfile`` reads it,
and anything ``zipfile`` would object to (a damaged member, a header that lies, a
method or flag it refuses) is left to ``zipfile``, so the import reports the same
problem with the same words as for the same zip read from disk."""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from qti.package_reader import SourceReadError, _inflate, open_source

_TEXT = "Soal nomor 1: bacalah uraian berikut. " * 40
_MEMBERS: dict[str, bytes] = {
    "imsmanifest.xml": b"<manifest/>",
    "items/one.xml": _TEXT.encode(),
    "items/dua \u00e9.xml": _TEXT.encode("utf-8") * 3,  # a UTF-8 name
    "media/empty.bin": b"",
    "media/noise.bin": random.Random(7).randbytes(3000),
}


def _zip(method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index, (name, data) in enumerate(_MEMBERS.items()):
            kind = zipfile.ZIP_STORED if index % 2 else method
            archive.writestr(name, data, compress_type=kind)
    return buffer.getvalue()


def _read_all(target: bytes | Path, name: str = "p.zip") -> list[tuple[str, object]]:
    """Every member as read through ``open_source``: its bytes, or the error's code and
    message."""
    results: list[tuple[str, object]] = []
    with open_source(target, name=name) as source:
        for member in source.names:
            try:
                results.append((member, source.read(member)))
            except SourceReadError as exc:
                results.append((member, (exc.code, exc.message)))
    return results


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_every_member_is_what_zipfile_reads(method: int) -> None:
    data = _zip(method)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            assert _inflate(data, info) == archive.read(info) == _MEMBERS[info.filename]
    assert dict(_read_all(data)) == _MEMBERS


def _damaged(data: bytes, rng: random.Random) -> bytes:
    spoilt = bytearray(data)
    at = rng.randrange(len(spoilt))
    spoilt[at] ^= 1 << rng.randrange(8)
    return bytes(spoilt)


def test_a_damaged_zip_reads_as_from_disk(tmp_path: Path) -> None:
    """Single bit flips anywhere in the zip: in memory, each member comes back, or fails
    with the code and message, exactly as when the same zip is read from disk (through
    ``zipfile`` alone)."""
    rng = random.Random(16)
    original = _zip()
    failures = 0
    for attempt in range(300):
        data = _damaged(original, rng)
        path = tmp_path / f"{attempt}.zip"
        path.write_bytes(data)
        from_disk = _read_all(path)
        assert _read_all(data) == from_disk
        failures += sum(1 for _name, got in from_disk if isinstance(got, tuple))
    assert failures > 20  # damage was seen, not only in parts nobody reads


def _with_local_header(data: bytes, name: str, **changes: int) -> bytes:
    """``data`` with fields of ``name``'s local header changed (by struct offset)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        offset = archive.getinfo(name).header_offset
    spoilt = bytearray(data)
    for field, value in changes.items():
        at, fmt = {"flags": (6, "<H"), "method": (8, "<H"), "name_length": (26, "<H")}[field]
        struct.pack_into(fmt, spoilt, offset + at, value)
    return bytes(spoilt)


@pytest.mark.parametrize(
    "changes",
    [{"name_length": 3}, {"method": 12}, {"flags": 0x20}],
)
def test_headers_zipfile_refuses_are_left_to_it(tmp_path: Path, changes: dict[str, int]) -> None:
    data = _with_local_header(_zip(), "items/one.xml", **changes)
    path = tmp_path / "p.zip"
    path.write_bytes(data)
    assert _read_all(data) == _read_all(path)


def test_lying_sizes_and_checksums_are_left_to_zipfile() -> None:
    data = _zip()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("items/one.xml")
    for change in (
        {"CRC": info.CRC ^ 1},
        {"file_size": info.file_size - 1},
        {"file_size": info.file_size + 1},
        {"compress_size": info.compress_size - 1},
        {"compress_type": zipfile.ZIP_BZIP2},
        {"flag_bits": info.flag_bits | 0x1},
    ):
        lying = zipfile.ZipInfo(info.filename)
        for name in ("CRC", "file_size", "compress_size", "compress_type", "flag_bits"):
            setattr(lying, name, getattr(info, name))
        lying.header_offset = info.header_offset
        lying.orig_filename = info.orig_filename
        for name, value in change.items():
            setattr(lying, name, value)
        assert _inflate(data, lying) is None, change
    assert zlib.crc32(_inflate(data, info) or b"") == info.CRC
