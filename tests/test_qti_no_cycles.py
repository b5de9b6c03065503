"""Reading an item and compiling its scoring leave no reference cycles: the reader, the
processor and the item's tree they hold are freed as soon as they are done with, not
when Python's cyclic collector next comes by (an import converts thousands of items in
a row; with the collector paused, as a pooled conversion's calling process pauses it,
nothing would free them)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from itembank.qti_bridge.pool import _collector_paused
from qti.reader import read_item
from qti.rp import compile_processing
from tests import qti_reader_cases as cases


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
