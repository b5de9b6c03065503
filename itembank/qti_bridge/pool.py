"""Converting a large source's items in several processes (for
:func:`itembank.qti_bridge.convert.convert`, which decides when: more than one process
allowed and at least :data:`~itembank.qti_bridge.convert.PARALLEL_MIN_ITEMS` items).

Each item is converted on its own (:func:`~itembank.qti_bridge.convert.convert_item`);
what items share is only a speed-up that each process keeps its own of (the scoring,
HTML and responses caches and the images read: ``_Caches``). So the items are cut into
contiguous chunks, several per process (:data:`CHUNKS_PER_PROCESS`, for balance), and
converted by a :class:`~concurrent.futures.ProcessPoolExecutor`. Each worker is given
the source: a zip held in memory (an upload), a folder or an item document as it was
opened here (``qti.package_reader.ImportSource`` pickles: its members as checked here,
read again there from the same bytes; the manifest is read once), a zip on disk opened
again from its path with the same limits. The items, with their manifest metadata, go
with their chunk (each worker unpickles only its own); a worker that opened the source
again checks that its items are at the same paths. What a worker starts from (the
source, the item types, an uploaded zip's bytes, out of band) is written once where
each worker reads it, rather than down each worker's pipe (:class:`_Spilled`): a sealed
in-memory file on Linux, else a temporary file checked against its SHA-256. The
outcomes come back in order, so the result is the one converting them in one process
gives: the same candidates and the same report, in the same order.
The HTML each worker made, with its plain text and images (``Candidate.scans``), comes
back once per chunk (what is new since its last chunk) and is merged into one mapping
for every candidate, as the one process's cache is; an image several chunks bring is
kept once.

The workers start from a ``forkserver`` (``spawn`` where there is none), never by a
plain fork of the calling process: that may be the job worker, with threads and a
database pool. The server preloads the converter and the item types' modules once per
calling process, so a pool's start is cheap; the workers import no Flask application
and open no database (they import the main script as :mod:`multiprocessing` does,
without running its ``__main__`` part). They ignore SIGINT: the process that started
them ends them (a worker stopping gracefully lets its job's conversion finish), and
each exits within about a second (:data:`WATCH_SECONDS`) once that process is gone
(killed, say), as the pool's pipes cannot tell it.

A worker that dies or raises fails the whole conversion with
:class:`~itembank.qti_bridge.convert.ConvertError` (the QTI importer reports it as the
file's error; nothing is imported), never a hang or half a result; the chunks not yet
started are cancelled. Item types that cannot be sent to another process (pickled) make
the conversion run in the calling process instead, with a warning in the log.
"""

from __future__ import annotations

import contextlib
import copyreg
import fcntl
import gc
import hashlib
import io
import itertools
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import reduction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from itembank.itemtypes import ItemType
from itembank.qti_bridge.convert import (
    ConvertError,
    ItemOutcome,
    MediaFile,
    _Caches,
    convert_item,
)
from itembank.qti_bridge.html import Scans
from qti.package_reader import ImportLimits, ImportSource, ItemFile, open_source

__all__ = ["CHUNKS_PER_PROCESS", "chunk_hook", "convert_in_processes"]

log = logging.getLogger(__name__)

#: Chunks per process: several, so that a process given the slower items does not keep
#: the others waiting at the end.
CHUNKS_PER_PROCESS = 4

#: Test seam: when set in the calling process, each worker calls it with the paths of
#: each chunk's items before converting them (sent by reference: a module-level
#: function), so a test can make a worker raise or die.
chunk_hook: Callable[[list[str]], None] | None = None


def convert_in_processes(
    target: str | os.PathLike[str] | bytes,
    source: ImportSource,
    types: dict[str, ItemType],
    name: str | None,
    limits: ImportLimits,
    media_max_bytes: int,
    processes: int,
) -> list[ItemOutcome] | None:
    """Every item of ``source`` (opened from ``target``) converted in up to ``processes``
    worker processes, in order; ``None`` when ``types`` cannot be sent to them.

    :raises ConvertError: a worker died or raised."""
    try:
        sent_types = _dumps_types(types)
    except Exception as exc:  # a plugin's type holding something pickle cannot carry
        log.warning(
            "converting %s in one process: its item types cannot be sent to worker processes (%r)",
            source.label,
            exc,
        )
        return None
    items = source.items
    chunks = _chunks(len(items), processes)
    workers = min(processes, len(chunks))
    log.info(
        "converting the %d items of %s in %d processes (%d chunks)",
        len(items),
        source.label,
        workers,
        len(chunks),
    )
    buffers: list[pickle.PickleBuffer] = []
    try:  # the source as read here, its items left to the chunks
        opened = pickle.dumps(
            source.without_items(), pickle.HIGHEST_PROTOCOL, buffer_callback=buffers.append
        )
    except TypeError:  # a zip on disk: opened again by each worker
        opened = b""
    sent = [opened, sent_types, *(buffer.raw() for buffer in buffers)]
    with _Spilled(sent) as spilled:
        return _convert_chunks(
            source,
            chunks,
            workers,
            mp_context=_context(types),
            initargs=(
                spilled.shares,
                None
                if opened
                else os.fspath(target)
                if isinstance(target, os.PathLike)
                else target,
                name,
                limits,
                media_max_bytes,
                _import_roots(types),
                chunk_hook,
                os.getpid(),
            ),
        )


#: How :class:`_Spilled` shares what it is given: ``(place, [(size, sha256), ...])``, the
#: place a sealed in-memory file sent to each worker (:class:`_SentFile`, no digests: the
#: seals keep it as written) or a temporary file's path; or the bytes themselves.
_Shares = tuple["_SentFile | str", list[tuple[int, bytes | None]]] | list[bytes]

#: ``os.memfd_create`` where there is one (Linux); a test seam.
_memfd_create: Callable[..., int] | None = getattr(os, "memfd_create", None)
#: The seals an in-memory file is given once written, and that a worker requires: its
#: size and its bytes can no longer change, nor its seals (0: no seals here).
_SEALS = (
    fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
    if hasattr(fcntl, "F_ADD_SEALS")
    else 0
)


#: The most one read of the in-memory file asks for (Linux gives at most about 2 GiB).
_READ_BYTES = 1 << 30


class _SentFile:
    """An open file descriptor that goes to a worker as it starts: pickled, it is
    duplicated into the new process by :mod:`multiprocessing`'s own means (what the
    forkserver or the spawning passes along with the process), so it needs no name."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Any, ...]:
        return _received_file, (reduction.DupFd(self.fd),)


def _received_file(duplicate: Any) -> _SentFile:
    return _SentFile(duplicate.detach())


class _Spilled:
    """What each worker starts from (the source as read here, the item types, an uploaded
    zip's bytes: out of band), written once where every worker can read it, rather than
    down each worker's pipe: writing a worker more than its pipe holds would wait for it to
    be ready to read (after it has imported the main module), one worker after the other.

    Where the system has them (Linux), an in-memory file (``memfd_create``): the bytes of
    an upload never reach a disk; sealed once written, so no process can change it, and
    gone with the last process holding it, even if this one is killed. Otherwise a
    temporary file (``tempfile``'s folder: ``TMPDIR``, 0600) that each worker checks
    against its SHA-256, removed when the pool is done (by the workers when this process
    is killed). Without either, it all goes down the pipes."""

    def __init__(self, blobs: list[bytes | memoryview]) -> None:
        self.blobs = blobs
        self.path: str | None = None
        self.fd: int | None = None
        self.shares: _Shares = []

    def __enter__(self) -> _Spilled:
        sizes = [len(memoryview(blob)) for blob in self.blobs]
        try:
            self.fd = self._in_memory()
        except OSError as exc:
            log.info("no in-memory file for the workers (%s): a temporary file instead", exc)
            self._remove()
        else:
            self.shares = (_SentFile(self.fd), [(size, None) for size in sizes])
            return self
        try:
            handle, self.path = tempfile.mkstemp(prefix="itembank-qti-", suffix=".bin")
            with open(handle, "wb") as file:
                for blob in self.blobs:
                    file.write(blob)
        except OSError as exc:
            log.warning("sending the source to the workers down their pipes: %s", exc)
            self._remove()
            self.shares = [bytes(blob) for blob in self.blobs]
        else:
            self.shares = (
                self.path,
                [
                    (size, hashlib.sha256(blob).digest())
                    for size, blob in zip(sizes, self.blobs, strict=True)
                ],
            )
        return self

    def _in_memory(self) -> int:
        if _memfd_create is None or not _SEALS:
            raise OSError("not supported here")
        fd = _memfd_create("itembank-qti", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        self.fd = fd  # (closed by _remove if what follows fails)
        with open(fd, "wb", closefd=False) as file:
            for blob in self.blobs:
                file.write(blob)
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _SEALS)
        return fd

    def __exit__(self, *exc: object) -> None:
        self._remove()

    def _remove(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        if self.path is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            self.path = None


def _shared(shares: _Shares) -> list[bytes]:
    """In a worker: what :class:`_Spilled` shared."""
    if isinstance(shares, list):
        return shares
    place, written = shares
    if isinstance(place, _SentFile):
        try:
            if fcntl.fcntl(place.fd, fcntl.F_GET_SEALS) & _SEALS != _SEALS:
                raise RuntimeError("the in-memory file from the calling process is not sealed")
            blobs, offset = [], 0
            for size, _ in written:
                blobs.append(_read_at(place.fd, size, offset))
                offset += size
            return blobs
        finally:
            os.close(place.fd)
    blobs = []
    with open(place, "rb") as file:
        for size, digest in written:
            data = file.read(size)
            if len(data) != size or hashlib.sha256(data).digest() != digest:
                raise RuntimeError(f"{place} is not what the calling process wrote")
            blobs.append(data)
    return blobs


def _read_at(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes of ``fd`` from ``offset``, read by position (the descriptor shares
    its offset with the other processes holding it)."""
    parts: list[bytes] = []
    done = 0
    while done < size:
        part = os.pread(fd, min(size - done, _READ_BYTES), offset + done)
        if not part:
            raise RuntimeError("the in-memory file is shorter than the calling process wrote")
        parts.append(part)
        done += len(part)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _convert_chunks(
    source: ImportSource,
    chunks: list[tuple[int, int]],
    workers: int,
    mp_context: Any,
    initargs: tuple[Any, ...],
) -> list[ItemOutcome]:
    items = source.items
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp_context,
        initializer=_start_worker,
        initargs=initargs,
    )
    outcomes: list[ItemOutcome] = []
    scans: Scans = {}
    try:
        futures = [pool.submit(_convert_chunk, start, items[start:stop]) for start, stop in chunks]
        with _collector_paused():
            for future in futures:
                chunk, new_scans = future.result()
                outcomes += chunk
                scans.update(new_scans)
    except BrokenProcessPool as exc:
        log.error("converting %s: a worker process ended abruptly", source.label)
        raise ConvertError(
            "Konversi butir gagal: sebuah proses pekerja konversi berhenti tiba-tiba; "
            "tidak ada butir yang diimpor.",
            "Converting the items failed: a conversion worker process ended abruptly; "
            "nothing was imported.",
        ) from exc
    except Exception as exc:
        log.error("converting %s: a worker process failed", source.label, exc_info=exc)
        what = f"{type(exc).__name__}: {exc}"
        raise ConvertError(
            f"Konversi butir gagal di proses pekerja konversi ({what}); tidak ada butir "
            "yang diimpor.",
            f"Converting the items failed in a conversion worker process ({what}); "
            "nothing was imported.",
        ) from exc
    finally:
        # (after a failure: the chunks not started are dropped, the running ones end)
        pool.shutdown(wait=True, cancel_futures=True)
    return _merged(outcomes, scans)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused (if it runs) while the outcomes come in.

    Unpickling them makes objects by the hundred thousand, all kept (they are the
    result), so the collector's full passes, set off by that many new objects, walk an
    ever larger heap and find nothing: about 0.55 s of this process's CPU per 10,000
    items, taken from the workers' two cores. Paused for this process (its other
    threads too) for as long as the workers take; what they leave for the collector is
    collected once it runs again. Left as it is when something else paused it; with
    two conversions at once, it runs again once the first ends."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def _chunks(count: int, processes: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of contiguous chunks of ``count`` items, about equal in size."""
    number = max(1, min(count, processes * CHUNKS_PER_PROCESS))
    size, extra = divmod(count, number)
    bounds, start = [], 0
    for index in range(number):
        stop = start + size + (index < extra)
        bounds.append((start, stop))
        start = stop
    return bounds


def _merged(outcomes: list[ItemOutcome], scans: Scans) -> list[ItemOutcome]:
    """The workers' outcomes as one process gives them: every candidate sharing one
    mapping of scans, and each image's bytes held once."""
    images: dict[str, bytes] = {}

    def one_copy(media: MediaFile) -> MediaFile:
        data = images.setdefault(media.sha256, media.data)
        return media if data is media.data else replace(media, data=data)

    for candidate, _entries in outcomes:
        if candidate is not None:  # (just unpickled: nothing else holds it)
            object.__setattr__(candidate, "scans", scans)
            object.__setattr__(candidate, "media", tuple(one_copy(m) for m in candidate.media))
    return outcomes


class _TypesPickler(pickle.Pickler):
    # The registry a type may keep of the others (the composite's parts) is a read-only
    # view of a dict: sent as such a view of the same (pickled) dict.
    dispatch_table = copyreg.dispatch_table.copy()
    dispatch_table[MappingProxyType] = lambda view: (_view, (dict(view),))


def _view(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(mapping)


def _dumps_types(types: dict[str, ItemType]) -> bytes:
    buffer = io.BytesIO()
    _TypesPickler(buffer, pickle.HIGHEST_PROTOCOL).dump(types)
    return buffer.getvalue()


def _import_roots(types: dict[str, ItemType]) -> list[str]:
    """The folders the types' modules are imported from (a plugin module found on a path
    added after start-up, say), for the workers' ``sys.path``."""
    roots = []
    for item_type in types.values():
        name = type(item_type).__module__
        file = getattr(sys.modules.get(name), "__file__", None)
        if file is None:
            continue
        root = Path(file).resolve().parent
        for _ in range(name.count(".")):
            root = root.parent
        if str(root) not in roots:
            roots.append(str(root))
    return roots


def _context(types: dict[str, ItemType]) -> Any:
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # (taken when this process's server starts, i.e. for its first pool only)
        modules = {__name__, *(type(item_type).__module__ for item_type in types.values())}
        context.set_forkserver_preload(sorted(modules))
    return context


# -- in the worker processes ----------------------------------------------------------------


@dataclass
class _Worker:
    source: ImportSource
    types: dict[str, ItemType]
    media_max_bytes: int
    caches: _Caches
    hook: Callable[[list[str]], None] | None
    #: Whether the worker opened the source again itself (rather than as read by the
    #: calling process).
    reopened: bool
    #: How many of the caches' scans went back with earlier chunks.
    scans_sent: int = 0


_worker: _Worker | None = None
_open = contextlib.ExitStack()  # the source, open for the worker's life


def _start_worker(
    shares: _Shares,
    target: str | bytes | None,
    name: str | None,
    limits: ImportLimits,
    media_max_bytes: int,
    roots: list[str],
    hook: Callable[[list[str]], None] | None,
    caller: int,
) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    spilled = shares[0] if isinstance(shares, tuple) and isinstance(shares[0], str) else None
    threading.Thread(target=_exit_without, args=(caller, spilled), daemon=True).start()
    sys.path += [root for root in roots if root not in sys.path]
    opened, sent_types, *buffers = _shared(shares)
    if opened:
        source = _open.enter_context(pickle.loads(opened, buffers=buffers))
    else:
        assert target is not None
        source = _open.enter_context(open_source(target, name=name, limits=limits))
    types = pickle.loads(sent_types)
    _worker = _Worker(source, types, media_max_bytes, _Caches.new(), hook, not opened)


#: How often a worker checks that the process it works for is still there.
WATCH_SECONDS = 1.0


def _exit_without(caller: int, spilled: str | None) -> None:
    """End this worker once ``caller`` is gone (killed, say): the pool's queues cannot
    tell it, as a worker holds both ends of their pipes. The temporary file it left
    (:class:`_Spilled`) is removed."""
    while True:
        time.sleep(WATCH_SECONDS)
        if not _alive(caller):
            if spilled is not None:
                with contextlib.suppress(OSError):
                    os.unlink(spilled)
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):  # a process that ended, not yet waited for
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _convert_chunk(start: int, sent: list[ItemFile]) -> tuple[list[ItemOutcome], Scans]:
    """The items ``start, start + 1, ...`` of the source (``sent``: as read by the calling
    process) converted, and the scans new since the worker's last chunk. A worker that
    opened the source again converts its own items, which must be at the same paths."""
    worker = _worker
    if worker is None:
        raise RuntimeError("the conversion worker was not started")
    paths = [item.path for item in sent]
    items = sent
    if worker.reopened:  # (a zip on disk)
        items = worker.source.items[start : start + len(sent)]
        if [item.path for item in items] != paths:
            raise RuntimeError(
                f"the worker read different items from the source at {start} "
                f"({len(worker.source.items)} items)"
            )
    if worker.hook is not None:
        worker.hook(paths)
    outcomes: list[ItemOutcome] = []
    for item_file in items:
        candidate, entries = convert_item(
            worker.source, item_file, worker.types, worker.media_max_bytes, worker.caches
        )
        if candidate is not None and candidate.scans:
            # sent once per chunk below instead (the candidate is this chunk's own)
            object.__setattr__(candidate, "scans", {})
        outcomes.append((candidate, entries))
    scans = worker.caches.scans
    new = dict(itertools.islice(scans.items(), worker.scans_sent, None))
    worker.scans_sent = len(scans)
    return outcomes, new
