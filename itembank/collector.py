"""Pausing Python's cyclic garbage collector while a bulk operation builds many objects
that live until it ends.

An import keeps every row it reads and checks (the candidate, its content, the prepared
version) until it has written them all. Python's collector counts such survivors, and
once they grow by a quarter of everything the process holds it runs a full collection,
which walks every object of the process (the app, SQLAlchemy, marshmallow, lxml, ...),
not just the import's: on the bench's 2,000-row import a fifth of the import's own CPU
time, and again for every further quarter a larger import adds. Those objects are freed
by reference counting when the import returns; the collector only finds garbage in
reference cycles, and an import makes little of it (about 220 objects per 2,000 rows).

While paused, the collector runs for no thread of the process; reference counting frees
everything else as usual. Paused sections may nest and overlap across threads: the
collector comes back, if it was running before the first, when the last one ends. It
is a global switch, so pause only work of bounded size (an import is bounded by its
limits, :class:`itembank.importing.ImportLimits`).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (as it was before once the
    outermost paused block, in any thread, has ended)."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
