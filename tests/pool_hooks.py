"""Hooks the tests of :mod:`itembank.qti_bridge.pool` set as its ``chunk_hook``: called in
a worker process with each chunk's item paths. A module of its own, importing nothing
but the standard library, as the workers import it to call them."""

from __future__ import annotations

import os
import sys


def die_on_i05(paths: list[str]) -> None:
    """Die, as a process killed would, at the chunk with ``i05``."""
    if "items/i05.xml" in paths:
        os._exit(3)


def raise_on_i05(paths: list[str]) -> None:
    if "items/i05.xml" in paths:
        raise RuntimeError("kaputt bei i05")


def no_application(paths: list[str]) -> None:
    """Fail if a Flask application or a database layer was imported."""
    loaded = sorted(
        name
        for name in ("flask", "sqlalchemy", "itembank.app", "itembank.extensions", "wsgi")
        if name in sys.modules
    )
    if loaded:
        raise RuntimeError(f"the worker imported {loaded}")


def tell_and_wait(paths: list[str]) -> None:
    """Write this worker's pid to the file ``POOL_HOOK_PIDS`` names, then wait (for the
    test to kill the process the worker works for)."""
    import time

    with open(os.environ["POOL_HOOK_PIDS"], "a") as pids:
        pids.write(f"{os.getpid()}\n")
    time.sleep(120)
