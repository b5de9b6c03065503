"""A deterministic zip of in-memory files, written with :mod:`zlib` and :mod:`struct`.

:func:`write_zip` gives the same bytes :mod:`zipfile` writes for the same entries (each a
:class:`zipfile.ZipInfo` dated 1980-01-01, Unix permissions 0644, stored or deflated at
one level, written to a seekable buffer), without its per-entry work: no ``ZipInfo``
objects, no file-like writes and seeks back to patch the local headers, one ``zlib``
call per document. The tests compare the two byte for byte.

Archives that need zip64 records (more than 65,535 entries or an offset past 2 GiB) are
handed to :mod:`zipfile`, which writes those records.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Sequence

#: One entry: its name in the archive, its bytes, and whether they are deflated (else stored).
ZipEntry = tuple[str, bytes, bool]

_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_DOS_DATE = (_DATE_TIME[0] - 1980) << 9 | _DATE_TIME[1] << 5 | _DATE_TIME[2]
_DOS_TIME = _DATE_TIME[3] << 11 | _DATE_TIME[4] << 5 | _DATE_TIME[5] // 2
_VERSION = 20  # zipfile's DEFAULT_VERSION: what the entries need to be extracted
_UNIX = 3  # made on Unix, so that readers apply the permissions below
_PERMISSIONS = 0o100644 << 16  # a regular file, rw-r--r--
_UTF8_NAME = 0x800
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_ZIP64_LIMIT = (1 << 31) - 1
_MAX_ENTRIES = 0xFFFF


def write_zip(entries: Sequence[ZipEntry], level: int) -> bytes:
    """The zip of ``entries`` in the order given, deflated ones at ``level``."""
    if len(entries) > _MAX_ENTRIES or sum(len(data) for _, data, _ in entries) > _ZIP64_LIMIT // 2:
        return _write_with_zipfile(entries, level)
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data, deflate in entries:
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), _UTF8_NAME
        body = zlib.compress(data, level, -15) if deflate else data
        method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        # Flags, method, time, date, CRC, sizes, the name's length and no extra field: the
        # same in the local header and in the central directory.
        crc = zlib.crc32(data)
        common = (flags, method, _DOS_TIME, _DOS_DATE, crc, len(body), len(data), len(encoded), 0)
        header = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, *common)
        chunks += (header, encoded, body)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                _VERSION,
                _UNIX,
                _VERSION,
                0,
                *common,
                0,  # no comment
                0,  # disk number
                0,  # internal attributes
                _PERMISSIONS,
                offset,
            )
            + encoded
        )
        offset += len(header) + len(encoded) + len(body)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join(chunks) + directory + end


def _write_with_zipfile(entries: Sequence[ZipEntry], level: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, deflate in entries:
            info = zipfile.ZipInfo(name, date_time=_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            info.create_system = _UNIX
            info.external_attr = _PERMISSIONS
            archive.writestr(info, data, compresslevel=level if deflate else None)
    return buffer.getvalue()
