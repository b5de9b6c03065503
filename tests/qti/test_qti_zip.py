"""The package's zip writer (qti._zip) against zipfile, which it replaces on the hot path."""

from __future__ import annotations

import io
import zipfile

import pytest

from qti import _zip
from qti._zip import ZipEntry, write_zip
from qti.package import build_package
from tests.qti.test_qti_export_package import ITEMS, MEDIA, TEST, members

ENTRIES: list[ZipEntry] = [
    ("checksums.sha256", b"0" * 64 + b"  items/a.xml\n", True),
    ("empty.xml", b"", True),
    (
        "items/a.xml",
        b'<?xml version="1.0" encoding="UTF-8"?>\n<a>' + b"teks " * 2000 + b"</a>\n",
        True,
    ),
    ("items/soal-\u00e9\u00e8.xml", "<p>Bahasa: \u00e9\u00e8</p>".encode(), True),
    ("media/image.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, False),
    ("media/empty.gif", b"", False),
]


def zipfile_bytes(entries: list[ZipEntry], level: int) -> bytes:
    """What zipfile writes for the same entries (the writer before qti._zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, deflate in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=level if deflate else None)
    return buffer.getvalue()


@pytest.mark.parametrize("level", [1, 3, 9])
def test_the_same_bytes_as_zipfile(level: int) -> None:
    assert write_zip(ENTRIES, level) == zipfile_bytes(ENTRIES, level)


def test_entries_read_back_with_their_metadata() -> None:
    with zipfile.ZipFile(io.BytesIO(write_zip(ENTRIES, 3))) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [info.filename for info in infos] == [name for name, _, _ in ENTRIES]
        for info, (_, data, deflate) in zip(infos, ENTRIES, strict=True):
            assert archive.read(info) == data
            assert info.compress_type == (zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED)
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644 and info.create_system == 3
        assert infos[3].flag_bits & 0x800  # the non-ASCII name is flagged as UTF-8
        assert not infos[2].flag_bits & 0x800


def test_archives_needing_zip64_are_written_by_zipfile(monkeypatch: pytest.MonkeyPatch) -> None:
    # Past 65,535 entries zipfile writes zip64 records; the fallback gives, below that
    # limit, the same bytes as the writer itself.
    expected = write_zip(ENTRIES, 3)
    monkeypatch.setattr(_zip, "_MAX_ENTRIES", 2)
    assert write_zip(ENTRIES, 3) == expected


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_a_package_is_the_zip_zipfile_writes_of_its_files(version: str) -> None:
    package = build_package(TEST, ITEMS, MEDIA, version)  # type: ignore[arg-type]
    files = members(package)
    entries = [(path, data, not path.startswith("media/")) for path, data in files.items()]
    assert package.data == zipfile_bytes(entries, 3)
