"""The cyclic garbage collector paused during an import (itembank.collector): off inside,
as it was before once the last paused block ends (nested, in several threads, after an
error), and an import runs with it off and gives it back."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

import itembank.operations.imports as imports
from itembank.collector import collector_paused
from itembank.errors import InvalidInput
from itembank.plugins import PluginHost
from tests.factories import World
from tests.import_helpers import true_false_csv


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_off_inside_and_back_after(collector_on: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still runs
    assert gc.isenabled()


def test_back_after_an_error(collector_on: None) -> None:
    with pytest.raises(ZeroDivisionError), collector_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_left_off_when_it_was_off_before(collector_on: None) -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_blocks_in_two_threads(collector_on: None) -> None:
    """The first block to end does not turn the collector back on while the other
    thread's block still runs; the last one does."""
    entered, first_ended, seen = threading.Event(), threading.Event(), []

    def other() -> None:
        with collector_paused():
            entered.set()
            first_ended.wait(timeout=60)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert entered.wait(timeout=60)
    first_ended.set()
    thread.join(timeout=60)
    assert seen == [False]
    assert gc.isenabled()


def test_an_import_runs_with_the_collector_off(
    world: World, plugins: PluginHost, collector_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    read = imports.read_candidates

    def reading(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "read_candidates", reading)
    batch = imports.run_import(
        world.bank,
        actor=world.author,
        plugins=plugins,
        filename="soal.csv",
        data=true_false_csv(3),
    )
    assert (batch.status, batch.items_created) == ("completed", 3)
    assert seen == [False]
    assert gc.isenabled()


def test_a_refused_import_gives_the_collector_back(
    world: World, plugins: PluginHost, collector_on: None
) -> None:
    with pytest.raises(InvalidInput):
        imports.run_import(
            world.bank,
            actor=world.author,
            plugins=plugins,
            filename="soal.csv",
            data=true_false_csv(1),
            mode="no_such_mode",
        )
    assert gc.isenabled()
