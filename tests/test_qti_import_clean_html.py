"""A QTI import sanitizes each stem, content field and passage once: the HTML
:func:`convert` gives is stored as it is, with the plain text and images its sanitizer
pass found (:attr:`Candidate.scans`, handed to ``prepare_version`` as ``clean_html``),
instead of being sanitized a second time when the version is prepared.

That is allowed because it changes nothing: on the bank's own export of every type (QTI
3.0 and 2.1) and on the public sample corpus, every such HTML sanitizes to itself with
the same text and the same images, and ``prepare_version`` gives the same stem, content,
content hash and search text with the candidates' ``clean_html`` as without it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from itembank.operations.content import prepare_version
from itembank.qti_bridge.convert import Candidate, convert
from itembank.sanitize import sanitize_and_scan
from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from qti.package import PackageItem, PackageSection, PackageTest, build_package
from tests.factories import World
from tests.test_qti_import import OWN, PNG, PNG_SHA, STEM, TYPES, _targets


def own_package(version: str) -> bytes:
    """The bank's own export of every type (:data:`OWN`) in QTI ``version``."""
    items = []
    for index, (type_id, content) in enumerate(OWN):
        model = TYPES[type_id].qti_item(STEM, content, identifier=f"Q{index}", title="S")
        items.append(PackageItem(model, f"B{index}", 1))
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    media = {PNG_SHA: PNG, **EXAMPLE_MEDIA}
    return build_package(test, items, media, version).data  # type: ignore[arg-type]


def _own_export(version: str) -> list[Candidate]:
    result = convert(own_package(version), TYPES, name="export.zip")
    assert len(result.candidates) == len(OWN)
    return result.candidates


def _corpus() -> list[Candidate]:
    return [c for _label, path in _targets() for c in convert(path, TYPES).candidates]


def _texts(candidate: Candidate) -> Iterator[str]:
    """Every rich text the candidate stores: its stem, content fields and passage."""
    yield candidate.stem
    for _path, html in TYPES[candidate.type_id].html_fields(candidate.content):
        yield html
    if candidate.passage is not None:
        yield candidate.passage.body


def _check_scans(candidates: list[Candidate]) -> int:
    """Every text's scan is what sanitizing it again gives; how many texts were known."""
    known = 0
    for candidate in candidates:
        for html in _texts(candidate):
            if not html:
                continue
            assert html in candidate.scans, (candidate.file, html[:80])
            assert sanitize_and_scan(html) == (html, *candidate.scans[html]), candidate.file
            known += 1
    return known


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_own_export_html_sanitizes_to_itself_with_the_same_text_and_images(
    version: str,
) -> None:
    candidates = _own_export(version)
    assert _check_scans(candidates) > 2 * len(OWN)
    # images found by the scan, not only text
    assert any(candidate.scans[candidate.stem][1] for candidate in candidates)


def test_sample_corpus_html_sanitizes_to_itself_with_the_same_text_and_images() -> None:
    candidates = _corpus()
    assert len(candidates) > 50
    assert _check_scans(candidates) > 2 * len(candidates)


def _prepared(world: World, candidate: Candidate, clean_html: Any) -> tuple[Any, ...]:
    prepared = prepare_version(
        world.bank,
        TYPES[candidate.type_id],
        candidate.stem,
        candidate.content,
        {},
        uploading=frozenset(m.sha256 for m in candidate.media),
        clean_html=clean_html,
    )
    return (prepared.stem, prepared.content, prepared.content_hash, prepared.search_text)


def test_versions_prepared_the_same_with_the_import_scans_as_without(world: World) -> None:
    candidates = [*_own_export("3.0"), *_own_export("2.1"), *_corpus()]
    for candidate in candidates:
        fast = _prepared(world, candidate, candidate.scans)
        assert fast == _prepared(world, candidate, None), (candidate.file, candidate.type_id)
        assert fast[:2] == (candidate.stem, candidate.content)
