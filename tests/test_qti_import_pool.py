"""Converting a large source in several processes (:mod:`itembank.qti_bridge.pool`) returns
exactly what converting it in one process returns: the same candidates and the same
report, in the same order (compared pickled, field by field, without the sharing of
objects that a process boundary cannot keep), with the HTML scans of the one process -
on the bank's own export of every type (QTI 3.0 and 2.1), a generated package above
:data:`~itembank.qti_bridge.convert.PARALLEL_MIN_ITEMS`, the public sample corpus and a
package with broken items in several chunks (forced into processes with a low threshold).
A worker that dies or raises fails the conversion with a clear error, through the QTI
importer as the file's error; ``ITEMBANK_IMPORT_PROCESSES`` is checked at start."""

from __future__ import annotations

import fcntl
import gc
import io
import itertools
import os
import pickle
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from itembank.config import default_config, usable_cpus
from itembank.importing import ImportLimits
from itembank.plugins import PluginHost
from itembank.qti_bridge import convert as convert_module
from itembank.qti_bridge import pool
from itembank.qti_bridge.convert import ConvertError, ImportResult, convert
from tests.factories import World
from tests.pool_hooks import die_on_i05, no_application, raise_on_i05
from tests.qti_items import CHOICE_ITEM, zip_of
from tests.test_qti_import import OWN, PNG, TYPES, _targets, own_package


def _pickled(value: Any) -> bytes:
    """``value`` pickled without its objects' sharing (each written out where it is)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: equal values give equal bytes, shared or not
    pickler.dump(value)
    return buffer.getvalue()


def assert_same(parallel: ImportResult, sequential: ImportResult) -> None:
    assert parallel.source == sequential.source
    assert [_pickled(e) for e in parallel.report] == [_pickled(e) for e in sequential.report]
    assert [_pickled(replace(c, scans={})) for c in parallel.candidates] == [
        _pickled(replace(c, scans={})) for c in sequential.candidates
    ]
    assert parallel == sequential
    if sequential.candidates:
        # one mapping of scans for the import, with what the one process had, in order
        scans = sequential.candidates[0].scans
        assert all(c.scans is parallel.candidates[0].scans for c in parallel.candidates)
        assert list(parallel.candidates[0].scans.items()) == list(scans.items())


def _both(target: Any, processes: int = 2, least: int | None = 2, **kwargs: Any) -> ImportResult:
    sequential = convert(target, TYPES, **kwargs)
    parallel = convert(target, TYPES, processes=processes, parallel_min_items=least, **kwargs)
    assert_same(parallel, sequential)
    return parallel


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many items each conversion in processes was given."""
    calls: list[int] = []
    real = pool.convert_in_processes

    def counting(target: Any, source: Any, *args: Any) -> Any:
        calls.append(len(source.items))
        return real(target, source, *args)

    monkeypatch.setattr(pool, "convert_in_processes", counting)
    return calls


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_own_export_the_same_in_processes(version: str, used: list[int]) -> None:
    package = own_package(version)
    for processes in (2, 3):
        result = _both(package, processes, name="paket.zip")
        assert len(result.candidates) == 2 * len(OWN)
    assert used == [2 * len(OWN)] * 2


def test_a_package_above_the_threshold_goes_to_processes_by_itself(
    tmp_path: Path, used: list[int]
) -> None:
    copies = convert_module.PARALLEL_MIN_ITEMS // len(OWN) + 1
    package = own_package("3.0", copies, labelled=False)
    small = own_package("3.0", 1)
    result = _both(package, least=None)
    assert len(result.candidates) == copies * len(OWN) >= convert_module.PARALLEL_MIN_ITEMS
    assert used == [copies * len(OWN)]
    # a path too (each worker opens it again)
    (tmp_path / "paket.zip").write_bytes(package)
    _both(tmp_path / "paket.zip", least=None)
    assert len(used) == 2
    # below it: in this process, whatever the processes allowed
    convert(small, TYPES, processes=2)
    assert len(used) == 2


def test_sample_corpus_the_same_in_processes(used: list[int]) -> None:
    imported = 0
    for label, path in _targets():
        imported += len(_both(path, name=label).candidates)
    assert imported > 50
    assert len(used) > 10


def test_broken_items_in_several_chunks(used: list[int]) -> None:
    members: dict[str, bytes | str] = {"img/a.png": PNG, "img/fake.png": b"\x89PNGnot really"}
    for n in range(40):
        kind = n % 5
        image = {
            0: '<img src="../img/a.png" alt=""/>',
            1: '<img src="../img/none.png"/>',
            2: '<img src="../img/fake.png"/>',
        }.get(kind, "")
        document = CHOICE_ITEM.format(ident=f"i{n:02d}", image=image)
        if kind == 3:
            document = document.replace("</assessmentItem>", "")  # not well-formed
        members[f"items/i{n:02d}.xml"] = document
    members["../slip.xml"] = "<x/>"  # an issue of the source, reported once
    result = _both(zip_of(members), processes=2, name="rusak.zip")
    reasons = [e.reason for e in result.report]
    assert reasons.count("unsafe_path") == 1
    assert reasons.count("missing_media") == reasons.count("unsupported_media") == 8
    assert reasons.count("invalid_xml") == 8 and len(result.candidates) == 16
    refused = [int(e.file[7:9]) for e in result.report if e.status == "not_imported" and e.item]
    chunks = pool._chunks(40, 2)
    assert len({next(i for i, (a, b) in enumerate(chunks) if a <= n < b) for n in refused}) > 2
    assert used == [40]


# -- how the workers get the source ----------------------------------------------------------


def _spills(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The temporary files written for the workers (the source, the types, the zip; made in
    ``tmp_path``) where there is no in-memory file."""
    monkeypatch.setattr(pool, "_memfd_create", None)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    paths: list[str] = []
    enter = pool._Spilled.__enter__

    def entered(spilled: Any) -> Any:
        enter(spilled)
        if spilled.path is not None:
            assert Path(spilled.path).read_bytes() == b"".join(spilled.blobs)
            paths.append(spilled.path)
        return spilled

    monkeypatch.setattr(pool._Spilled, "__enter__", entered)
    return paths


def _in_memory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[int]:
    """The in-memory files written for the workers: each checked, as it is handed to them,
    to hold what was given and to be sealed; no temporary file may be made."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fds: list[int] = []
    enter = pool._Spilled.__enter__

    def entered(spilled: Any) -> Any:
        enter(spilled)
        assert spilled.path is None and spilled.fd is not None
        assert fcntl.fcntl(spilled.fd, fcntl.F_GET_SEALS) & pool._SEALS == pool._SEALS
        with pytest.raises(PermissionError):  # sealed against writing
            os.pwrite(spilled.fd, b"x", 0)
        assert Path(f"/proc/self/fd/{spilled.fd}").read_bytes() == b"".join(spilled.blobs)
        fds.append(spilled.fd)
        return spilled

    monkeypatch.setattr(pool._Spilled, "__enter__", entered)
    return fds


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="no in-memory files here")
def test_an_in_memory_file_that_is_not_sealed_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unsealed(spilled: Any) -> int:
        spilled.fd = os.memfd_create("itembank-qti", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        for blob in spilled.blobs:
            os.write(spilled.fd, blob)
        return spilled.fd

    monkeypatch.setattr(pool._Spilled, "_in_memory", unsealed)
    with pytest.raises(ConvertError) as failed:
        convert(_choices(), TYPES, processes=2, parallel_min_items=2)
    assert failed.value.message_en.endswith("nothing was imported.")


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="no memfd here")
def test_a_worker_reads_the_in_memory_file_by_position_in_parts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = bytes(range(256)) * 40
    fd = os.memfd_create("itembank-qti-test", os.MFD_CLOEXEC)
    try:
        os.write(fd, data)  # (the descriptor's own offset is now at the end)
        monkeypatch.setattr(pool, "_READ_BYTES", 7)
        assert pool._read_at(fd, 1000, 3) == data[3:1003]
        assert pool._read_at(fd, 0, 5) == b""
        with pytest.raises(RuntimeError, match="shorter than the calling process wrote"):
            pool._read_at(fd, 100, len(data) - 50)
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    "in_memory",
    [
        pytest.param(
            True,
            marks=pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="no memfd here"),
        ),
        False,
    ],
)
def test_the_workers_start_from_a_file_gone_after(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, in_memory: bool
) -> None:
    """A sealed in-memory file, closed after; without one, a temporary file in the
    temporary folder, removed after; either way after success and failure alike."""
    places: list[Any] = (_in_memory if in_memory else _spills)(monkeypatch, tmp_path)
    _both(_choices())
    monkeypatch.setattr(pool, "chunk_hook", raise_on_i05)
    with pytest.raises(ConvertError):
        convert(_choices(), TYPES, processes=2, parallel_min_items=2)
    assert len(places) == 2
    if in_memory:
        for fd in places:  # closed (or, if reused since, no longer the workers' file)
            link = Path(f"/proc/self/fd/{fd}")
            assert not link.exists() or "itembank-qti" not in os.readlink(link)
    else:
        assert all(Path(p).parent == tmp_path for p in places)
    assert list(tmp_path.glob("itembank-qti-*")) == []  # (nothing on disk in memory)


def test_without_a_temporary_file_all_goes_down_the_pipes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spills = _spills(monkeypatch, tmp_path)

    def no_room(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pool.tempfile, "mkstemp", no_room)
    _both(_choices())
    assert spills == [] and list(tmp_path.glob("itembank-qti-*")) == []


def test_a_file_changed_before_a_worker_reads_it_fails_the_conversion(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spills = _spills(monkeypatch, tmp_path)
    enter = pool._Spilled.__enter__

    def changed(spilled: Any) -> Any:
        enter(spilled)
        data = bytearray(Path(spills[-1]).read_bytes())
        start = len(data) - len(spilled.blobs[-1])  # (the zip comes last)
        info = zipfile.ZipFile(io.BytesIO(data[start:])).getinfo("items/i03.xml")
        data[start + info.header_offset + 30 + len(info.filename) + 2] ^= 1  # (deflated)
        Path(spills[-1]).write_bytes(data)
        return spilled

    monkeypatch.setattr(pool._Spilled, "__enter__", changed)
    with pytest.raises(ConvertError) as failed:
        convert(_choices(), TYPES, processes=2, parallel_min_items=2)
    assert "a conversion worker process ended abruptly" in failed.value.message_en
    assert list(tmp_path.glob("itembank-qti-*")) == []


# -- a worker that fails ------------------------------------------------------------------


def _choices(count: int = 12, prefix: str = "i") -> bytes:
    return zip_of(
        {
            f"items/{prefix}{n:02d}.xml": CHOICE_ITEM.format(ident=f"{prefix}{n:02d}", image="")
            for n in range(count)
        }
    )


@pytest.mark.parametrize(
    ("hook", "message"),
    [
        (die_on_i05, "a conversion worker process ended abruptly"),
        (raise_on_i05, "(RuntimeError: kaputt bei i05)"),
    ],
)
def test_a_worker_that_dies_or_raises_fails_the_conversion_clearly(
    monkeypatch: pytest.MonkeyPatch, hook: Any, message: str
) -> None:
    monkeypatch.setattr(pool, "chunk_hook", hook)
    with pytest.raises(ConvertError) as failed:
        convert(_choices(), TYPES, processes=2, parallel_min_items=2)
    assert message in failed.value.message_en
    assert failed.value.message_en.endswith("nothing was imported.")
    assert "tidak ada butir yang diimpor" in failed.value.message
    # the next conversion has a pool of its own
    monkeypatch.setattr(pool, "chunk_hook", None)
    _both(_choices())


@pytest.mark.parametrize("in_memory", [True, False])
def test_workers_end_when_the_process_they_work_for_is_killed(
    tmp_path: Path, in_memory: bool
) -> None:
    pids = tmp_path / "pids"
    script = (
        "from itembank.qti_bridge import pool\n"
        "from itembank.qti_bridge.convert import convert\n"
        "from tests.pool_hooks import tell_and_wait\n"
        "from tests.test_qti_import import TYPES\n"
        "from tests.test_qti_import_pool import _choices\n"
        "if __name__ == '__main__':\n"
        "    pool.chunk_hook = tell_and_wait\n"
        f"    pool._memfd_create = pool._memfd_create if {in_memory} else None\n"
        "    convert(_choices(), TYPES, processes=2, parallel_min_items=2)\n"
    )
    (tmp_path / "caller.py").write_text(script)
    root = Path(__file__).resolve().parents[1]
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {
        **os.environ,
        "POOL_HOOK_PIDS": str(pids),
        "PYTHONPATH": str(root),
        "TMPDIR": str(temporary),
    }
    caller = subprocess.Popen([sys.executable, str(tmp_path / "caller.py")], cwd=root, env=env)
    try:
        deadline = time.monotonic() + 60
        while len(_lines(pids)) < 2:
            assert caller.poll() is None and time.monotonic() < deadline, "no workers"
            time.sleep(0.1)
    finally:
        caller.kill()
        caller.wait()
    workers = [int(pid) for pid in _lines(pids)]
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in workers):
        assert time.monotonic() < deadline, f"workers {workers} still running"
        time.sleep(0.1)
    # the temporary file the killed process could not remove: its workers did (an
    # in-memory file goes with the last process holding it); multiprocessing's own
    # folder (pymp-*) the killed process leaves is not ours
    assert list(temporary.glob("itembank-qti-*")) == []


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_import_no_application_or_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "chunk_hook", no_application)
    _both(_choices())


def test_types_that_cannot_be_sent_convert_in_this_process(used: list[int]) -> None:
    host = PluginHost(entry_points=False)
    types = dict(host.item_types)

    class Local(type(types["single_choice"])):  # type: ignore[misc]
        pass  # (a class pickle cannot find by name)

    local = Local()
    local.__dict__.update(types["single_choice"].__dict__)
    types["single_choice"] = local
    result = convert(_choices(), types, processes=2, parallel_min_items=2)
    assert len(result.candidates) == 12 and used == [12]


def test_the_qti_importer_reports_a_failed_worker_as_the_files_error(
    world: World, plugins: PluginHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    from itembank.operations.imports import run_import

    def run() -> Any:
        return run_import(
            world.bank,
            actor=world.author,
            plugins=plugins,
            filename="paket.zip",
            data=_choices(),
            mode="valid_only",
            limits=ImportLimits(processes=2),
        )

    monkeypatch.setattr(convert_module, "PARALLEL_MIN_ITEMS", 2)
    monkeypatch.setattr(pool, "chunk_hook", die_on_i05)
    batch = run()
    assert batch.status == "failed" and batch.items_created == 0
    errors = [e.message_en for e in batch.entries if e.severity == "error"]
    assert errors == [
        "Converting the items failed: a conversion worker process ended abruptly; "
        "nothing was imported."
    ]
    monkeypatch.setattr(pool, "chunk_hook", None)
    batch = run()
    assert batch.status == "completed" and batch.items_created == 12


# -- the setting ----------------------------------------------------------------------------


def test_the_setting_defaults_to_the_usable_cpus_and_refuses_bad_values(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ITEMBANK_IMPORT_PROCESSES", raising=False)
    config = default_config(str(tmp_path))
    assert config["ITEMBANK_IMPORT_PROCESSES"] == usable_cpus() == len(os.sched_getaffinity(0))
    assert ImportLimits.from_config(config).processes == usable_cpus()
    monkeypatch.setenv("ITEMBANK_IMPORT_PROCESSES", "1")
    assert ImportLimits.from_config(default_config(str(tmp_path))).processes == 1
    assert ImportLimits().processes == 1  # without the application's settings
    for bad in ("0", "-2", "zwei", "1.5"):
        monkeypatch.setenv("ITEMBANK_IMPORT_PROCESSES", bad)
        with pytest.raises(ValueError, match="ITEMBANK_IMPORT_PROCESSES must be a whole number"):
            default_config(str(tmp_path))


def test_chunks_cover_the_items_in_order() -> None:
    for count in (2, 7, 40, 501, 10_000):
        for processes in (2, 3, 16):
            chunks = pool._chunks(count, processes)
            assert chunks[0][0] == 0 and chunks[-1][1] == count
            assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
            assert len(chunks) == min(count, processes * pool.CHUNKS_PER_PROCESS)
            sizes = {stop - start for start, stop in chunks}
            assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("running", [True, False])
def test_the_collector_is_as_it_was_after_a_conversion(
    monkeypatch: pytest.MonkeyPatch, running: bool
) -> None:
    """The calling process pauses Python's cyclic collector while the outcomes come in
    (unpickling them sets off full passes that find nothing), and leaves it as it found
    it: running again after the conversion, after a failed one too, and paused if
    something else had paused it."""
    was = gc.isenabled()
    try:
        (gc.enable if running else gc.disable)()
        _both(_choices())
        assert gc.isenabled() is running
        monkeypatch.setattr(pool, "chunk_hook", raise_on_i05)
        with pytest.raises(ConvertError):
            convert(_choices(), TYPES, processes=2, parallel_min_items=2)
        assert gc.isenabled() is running
    finally:
        (gc.enable if was else gc.disable)()


def test_the_collector_is_paused_while_the_outcomes_come_in() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with pool._collector_paused():
            assert not gc.isenabled()
            with pool._collector_paused():  # (another conversion at the same time)
                assert not gc.isenabled()
            assert not gc.isenabled()
        assert gc.isenabled()
        with pytest.raises(RuntimeError), pool._collector_paused():
            raise RuntimeError("a worker failed")
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()
