"""Reading an item and compiling its scoring leave no reference cycles: the reader, the
processor and the item's tree they hold are freed as soon as they are done with, not
when Python's cyclic collector next comes by (an import converts thousands of items in
a row; with the collector paused, as a pooled conversion's calling process pauses it,
nothing would free them)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from itembank.qti_bridge.convert import _Caches, convert_item
from itembank.qti_bridge.pool import _collector_paused
from qti.package_reader import open_source
from qti.reader import read_item
from qti.rp import compile_processing
from tests import qti_reader_cases as cases
from tests.qti_items import CHOICE_ITEM, zip_of
from tests.test_qti_import import PNG, TYPES


@pytest.fixture(scope="module")
def own_documents() -> list[tuple[str, bytes]]:
    """The bank's own export of every item type, QTI 3.0 and 2.1, labelled and not."""
    return list(cases.documents(None))


@pytest.fixture
def collector_paused() -> Iterator[None]:
    gc.collect()
    with _collector_paused():
        yield


def test_reading_an_item_leaves_no_cycles(
    own_documents: list[tuple[str, bytes]], collector_paused: None
) -> None:
    assert len(own_documents) > 60
    left = {}
    for key, document in own_documents:
        reading = read_item(document)
        assert reading.item.identifier
        del reading
        found = gc.collect(0)  # (everything since the last collection is young)
        if found:
            left[key] = found
    assert left == {}


def test_compiled_scoring_leaves_no_cycles(
    own_documents: list[tuple[str, bytes]], collector_paused: None
) -> None:
    left = {}
    for key, document in own_documents:
        compiled = compile_processing(document)
        compiled.score({})
        del compiled
        found = gc.collect(0)  # (everything since the last collection is young)
        if found:
            left[key] = found
    assert left == {}


def test_converting_items_imported_or_refused_leaves_no_cycles(collector_paused: None) -> None:
    """The whole conversion of one item (reading, sanitizing, asking the item types,
    proving the scoring), and a refusal's way out of it (an exception raised from a
    frame holding the item's tree), leave nothing for the collector."""
    members: dict[str, bytes | str] = {"img/a.png": PNG, "img/fake.png": b"\x89PNGnot really"}
    changes = {
        "refused_no_type": ("<value>A</value>", "<value>Q</value>"),
        "refused_empty_stem": ("<p>Pilih. </p>", "<p></p>"),
        "refused_missing_image": ("Pilih. ", 'Pilih. <img src="../img/none.png"/>'),
        "refused_not_an_image": ("Pilih. ", 'Pilih. <img src="../img/fake.png"/>'),
        "refused_not_xml": ("</assessmentItem>", ""),
        "imported": ("Pilih. ", 'Pilih. <img src="../img/a.png" alt=""/>'),
        "imported_multiple": ('maxChoices="1"', 'maxChoices="2"'),
    }
    for name, (old, new) in changes.items():
        document = CHOICE_ITEM.format(ident=name, image="")
        assert old in document
        members[f"items/{name}.xml"] = document.replace(old, new, 1)
    caches = _Caches.new()
    with open_source(zip_of(members), name="rusak.zip") as source:
        for item in source.items:  # the caches filled once, as by earlier items
            convert_item(source, item, TYPES, 10**7, caches)
        gc.collect()
        left, reasons = {}, {}
        for item in source.items:
            _candidate, (entry,) = convert_item(source, item, TYPES, 10**7, caches)
            reasons[item.path] = entry.status
            found = gc.collect(0)
            if found:
                left[item.path] = found
    assert reasons == {
        f"items/{name}.xml": "imported" if name.startswith("imported") else "not_imported"
        for name in changes
    }
    assert left == {}
