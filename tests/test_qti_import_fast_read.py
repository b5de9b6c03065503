"""The reading's faster paths change nothing but its speed: :func:`convert` with the body's
plain fragments written from lxml's serialization (:func:`qti._read_body._plain_fragment`)
or copied by lxml (:func:`qti._read_body._plain_copy`), declarations and response
processing remembered (:func:`qti.reader._remembered`) and the members of a zip held in
memory inflated from its bytes (:func:`qti.package_reader._inflate`) returns exactly what
it returns with all switched off (every fragment copied element by element, everything
read again for every item, every member read through ``zipfile``): the same candidates,
HTML, content, responses checked and report, on the bank's own export of every type (QTI
3.0 and 2.1, labelled and not) and on the public sample corpus (its zips also as uploaded
bytes). Every item document's reading (the model, its images and notes) is compared too."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from itembank.qti_bridge import convert as convert_module
from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from qti import _read_body, package_reader, reader
from qti.package import PackageItem, PackageSection, PackageTest, build_package
from qti.package_reader import open_source
from qti.reader import ItemReadError, read_item
from tests.test_qti_import import OWN, PNG, PNG_SHA, STEM, TYPES, _targets


def _reference_paths(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(_read_body, "_plain_fragment", lambda _element, _keep_self: None)
    patch.setattr(_read_body, "_plain_copy", lambda _element, _reader: None)
    patch.setattr(reader, "_remembered", lambda read, element, _flag=False: read(element))
    patch.setattr(package_reader, "_inflate", lambda _data, _info: None)


def _readings(target: Any) -> list[Any]:
    """Every item document of ``target`` as read: its model, images and notes, or the
    error's code, message and line."""
    found: list[Any] = []
    with open_source(target) as source:
        for item in source.items:
            try:
                reading = read_item(source.read(item.path, document=True))
            except ItemReadError as exc:
                found.append((item.path, exc.code, exc.message, exc.line))
            except package_reader.SourceReadError as exc:
                found.append((item.path, exc.code, exc.message))
            else:
                found.append((item.path, reading.item, reading.images, reading.notes))
    return found


def _both_ways(monkeypatch: pytest.MonkeyPatch, target: Any) -> convert_module.ImportResult:
    fast = convert_module.convert(target, TYPES, name="source")
    readings = _readings(target)
    with monkeypatch.context() as patch:
        _reference_paths(patch)
        reference = convert_module.convert(target, TYPES, name="source")
        assert _readings(target) == readings
    assert fast == reference
    assert fast.report == reference.report
    for mine, theirs in zip(fast.candidates, reference.candidates, strict=True):
        assert mine.scans == theirs.scans
        assert [m.data for m in mine.media] == [m.data for m in theirs.media]
    assert not [e for e in fast.report if e.reason == "internal_error"]
    return fast


def own_export_package(version: str, labelled: bool) -> bytes:
    """The bank's own export of every type of :data:`OWN` (labelled or not) as a package."""
    items = []
    for index, (type_id, content) in enumerate(OWN):
        model = TYPES[type_id].qti_item(STEM, content, identifier=f"Q{index}", title="S")
        model = model if labelled else replace(model, label=None)
        items.append(PackageItem(model, f"B{index}", 1))
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    return build_package(test, items, {PNG_SHA: PNG, **EXAMPLE_MEDIA}, version).data  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("labelled", [True, False])
def test_own_export_the_same_as_with_the_reference_reading(
    monkeypatch: pytest.MonkeyPatch, version: str, labelled: bool
) -> None:
    result = _both_ways(monkeypatch, own_export_package(version, labelled))
    assert len(result.candidates) == len(OWN)


def test_sample_corpus_the_same_as_with_the_reference_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    imported = zipped = 0
    for _label, path in _targets():
        imported += len(_both_ways(monkeypatch, path).candidates)
        if isinstance(path, Path) and path.suffix == ".zip":
            zipped += len(_both_ways(monkeypatch, path.read_bytes()).candidates)
    assert imported > 50
    assert zipped > 0


def test_the_fast_paths_are_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """(So that the comparisons above compare something.)"""
    calls = {"plain": 0, "written": 0, "inflated": 0}
    plain, written = _read_body._plain_copy, _read_body._plain_fragment
    inflate = package_reader._inflate

    def counted_plain(element: Any, reader: Any) -> Any:
        copy = plain(element, reader)
        calls["plain"] += copy is not None
        return copy

    def counted_written(element: Any, keep_self: bool) -> Any:
        text = written(element, keep_self)
        calls["written"] += text is not None
        return text

    def counted_inflate(data: bytes, info: Any) -> Any:
        member = inflate(data, info)
        calls["inflated"] += member is not None
        return member

    monkeypatch.setattr(_read_body, "_plain_copy", counted_plain)
    monkeypatch.setattr(_read_body, "_plain_fragment", counted_written)
    monkeypatch.setattr(package_reader, "_inflate", counted_inflate)
    convert_module.convert(own_export_package("3.0", True), TYPES)
    assert calls["written"] > len(OWN)
    assert calls["plain"] > 0  # (a fragment with an image)
    assert calls["inflated"] > len(OWN)
