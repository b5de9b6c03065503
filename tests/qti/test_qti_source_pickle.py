"""An opened :class:`~qti.package_reader.ImportSource` pickles (for the import's worker
processes) and reads the same there: its items, names, issues and every member's bytes
or refusal. A zip held in memory goes as its bytes (out of band with protocol 5, when
asked) and each member as the place of its ``ZipInfo`` in the zip's list, read again
there from the same bytes and checked to be the same member."""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import pytest

from qti.package_reader import ImportLimits, ImportSource, SourceReadError, open_source

_MANIFEST = b"""<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_v1p2"><resources>
  <resource identifier="R1" type="imsqti_item_xmlv2p1" href="items/one.xml"><metadata>
    <imsmd:lom><imsmd:general><imsmd:title><imsmd:langstring>Satu</imsmd:langstring>
    </imsmd:title></imsmd:general></imsmd:lom></metadata></resource>
  <resource identifier="R2" type="imsqti_item_xmlv2p1" href="items/two.xml"/>
</resources></manifest>"""


def _zip(*, reverse: bool = False) -> bytes:
    """A package whose member list has members that are not read (unsafe, a folder, too
    large, a duplicate), so that places in the zip and the members read differ."""
    members = [
        ("../evil.xml", b"<x/>"),
        ("items/", b""),
        ("imsmanifest.xml", _MANIFEST),
        ("big.bin", b"0" * 5000),
        ("items\\one.xml", b"<assessmentItem/>"),
        ("items/one.xml", b"<again/>"),
        ("items/two.xml", b"<assessmentItem identifier='2'/>"),
        ("media/a.png", b"\x89PNG" + bytes(range(50))),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in reversed(members) if reverse else members:
            archive.writestr(name, data)
    return buffer.getvalue()


_LIMITS = ImportLimits(max_file_bytes=4000)


def _reading(source: ImportSource) -> list[object]:
    found: list[object] = [source.label, source.items, source.issues, source.names]
    for name in [*source.names, "missing.xml"]:
        try:
            found.append((name, source.read(name)))
        except SourceReadError as exc:
            found.append((name, exc.code, exc.message))
    return found


@pytest.mark.parametrize("protocol", [4, 5])
def test_a_zip_in_memory_reads_the_same_unpickled(protocol: int) -> None:
    with open_source(_zip(), name="p.zip", limits=_LIMITS) as source:
        assert {i.code for i in source.issues} >= {"unsafe_path", "too_large"}
        assert source.items[0].metadata.title == "Satu"
        with pickle.loads(pickle.dumps(source, protocol)) as again:
            assert _reading(again) == _reading(source)


def test_the_zip_may_go_out_of_band() -> None:
    data = _zip()
    with open_source(data, name="p.zip", limits=_LIMITS) as source:
        buffers: list[pickle.PickleBuffer] = []
        blob = pickle.dumps(source.without_items(), 5, buffer_callback=buffers.append)
        assert len(buffers) == 1 and bytes(buffers[0].raw()) == data
        assert len(blob) < len(data) // 2
        assert source.items  # (the source itself keeps its items)
        with pickle.loads(blob, buffers=[bytes(buffers[0].raw())]) as again:
            assert again.items == []
            assert _reading(again)[2:] == _reading(source)[2:]


def test_a_member_read_again_must_be_the_same_member() -> None:
    with open_source(_zip(), name="p.zip", limits=_LIMITS) as source:
        _, _, state = source.__reduce_ex__(4)  # type: ignore[misc]
        moved = ImportSource.__new__(ImportSource)
        with pytest.raises(ValueError, match="does not have"):  # (other bytes: members moved)
            moved.__setstate__({**state, "_zip_bytes": _zip(reverse=True)})
        again = ImportSource.__new__(ImportSource)
        again.__setstate__({**state})
        assert _reading(again) == _reading(source)


def test_a_folder_pickles_and_a_zip_on_disk_does_not(tmp_path: Path) -> None:
    (tmp_path / "items").mkdir()
    (tmp_path / "imsmanifest.xml").write_bytes(_MANIFEST)
    (tmp_path / "items" / "one.xml").write_bytes(b"<assessmentItem/>")
    (tmp_path / "items" / "two.xml").write_bytes(b"<assessmentItem identifier='2'/>")
    with open_source(tmp_path) as source, pickle.loads(pickle.dumps(source, 5)) as again:
        assert _reading(again) == _reading(source)
    (tmp_path / "p.zip").write_bytes(_zip())
    with open_source(tmp_path / "p.zip") as source, pytest.raises(TypeError):
        pickle.dumps(source)
