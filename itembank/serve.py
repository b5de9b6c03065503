"""Serve itembank as in production, on one machine: the web server and a job worker.

``python -m itembank.serve`` (what ``make run`` runs, from the project folder) starts
two child processes and supervises them:

- **the web server**: gunicorn with :mod:`itembank.gunicorn_conf` (``127.0.0.1:$PORT``,
  ``WEB_CONCURRENCY`` workers, the QTI schemas compiled once in its master);
- **one job worker**: ``flask --app wsgi itembank worker``, or the command given by
  ``--worker-cmd`` or ``ITEMBANK_WORKER_CMD`` (split like a shell would, not run by one).

SIGINT (Ctrl-C) or SIGTERM to the launcher is forwarded to both children as it came;
the launcher waits for them to exit and exits 0. A second signal, or children still
running :data:`STOP_TIMEOUT` seconds later, gets them SIGKILL. If either child exits on
its own, the launcher says which and how, sends the other SIGTERM, waits for it the
same way and exits 1. The worker's jobs get :data:`WORKER_STOP_SECONDS` to finish
(``ITEMBANK_WORKER_STOP_SECONDS`` unless set), so that it gives back what is still
running before the launcher's own wait runs out.

Each child runs in a session of its own, so a Ctrl-C in the terminal reaches the
launcher only, and the children get exactly what it forwards.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKER_CMD_ENV = "ITEMBANK_WORKER_CMD"
# gunicorn's graceful_timeout (30 s) plus a margin.
STOP_TIMEOUT = 40.0
#: The worker's ``ITEMBANK_WORKER_STOP_SECONDS`` unless the environment sets it: its jobs
#: may finish for this long, then have 5 s to give themselves back to the queue, all
#: before :data:`STOP_TIMEOUT` would kill it (with them left to their leases).
WORKER_STOP_SECONDS = 25.0
STOP_SECONDS_ENV = "ITEMBANK_WORKER_STOP_SECONDS"


def web_command() -> list[str]:
    """gunicorn serving ``wsgi:app`` with the project's settings."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:itembank.gunicorn_conf",
        "--chdir",
        str(PROJECT_ROOT),
        "wsgi:app",
    ]


def worker_command(override: str | None = None) -> list[str]:
    """The job worker: ``override``, else ``$ITEMBANK_WORKER_CMD``, else the worker command."""
    text = override if override is not None else os.environ.get(WORKER_CMD_ENV)
    if text is not None and text.strip():
        return shlex.split(text)
    return [sys.executable, "-m", "flask", "--app", "wsgi", "itembank", "worker"]


def worker_environment() -> dict[str, str]:
    """The launcher's environment, with the worker's stop wait within the launcher's."""
    env = dict(os.environ)
    env.setdefault(STOP_SECONDS_ENV, f"{WORKER_STOP_SECONDS:g}")
    return env


@dataclass
class Child:
    """One supervised process."""

    name: str
    command: list[str]
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def describe_exit(self) -> str:
        assert self.process is not None
        code = self.process.returncode
        if code is not None and code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        return f"{self.name} (pid {self.process.pid}) {how}"


class Supervisor:
    """Runs children together until a signal or the first one to exit stops them all."""

    def __init__(self, children: Sequence[Child], *, stop_timeout: float = STOP_TIMEOUT):
        self.children = list(children)
        self.stop_timeout = stop_timeout
        self._stop_signal: int | None = None
        self._exited: queue.Queue[Child] = queue.Queue()

    def run(self) -> int:
        """Start the children and supervise them; the launcher's exit status."""
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {signum: signal.signal(signum, self._on_signal) for signum in handled}
        try:
            return self._supervise()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _supervise(self) -> int:
        started: list[Child] = []
        status = 0
        for child in self.children:
            if self._stop_signal is not None:
                break
            try:
                child.process = subprocess.Popen(
                    child.command, cwd=PROJECT_ROOT, env=child.env, start_new_session=True
                )
            except OSError as exc:
                _say(f"cannot start {child.name} ({shlex.join(child.command)}): {exc}")
                status = 1
                self._stop_signal = signal.SIGTERM
                self._send(signal.SIGTERM)
                break
            started.append(child)
            _say(f"started {child.name} (pid {child.process.pid}): {shlex.join(child.command)}")
            threading.Thread(target=self._wait_for, args=(child,), daemon=True).start()
        if not started:
            return status
        pending = len(started)
        if status == 0:
            first = self._exited.get()  # blocks; signals are handled meanwhile
            pending -= 1
            if self._stop_signal is None:
                others = [c.name for c in started if c is not first]
                _say(f"{first.describe_exit()}; stopping {' and '.join(others)}")
                self._stop_signal = signal.SIGTERM
                self._send(signal.SIGTERM)
                status = 1
        self._wait_for_the_rest(pending)
        return status

    def _wait_for(self, child: Child) -> None:
        assert child.process is not None
        child.process.wait()
        self._exited.put(child)

    def _wait_for_the_rest(self, pending: int) -> None:
        deadline = time.monotonic() + self.stop_timeout
        while pending:
            try:
                self._exited.get(timeout=max(0.0, deadline - time.monotonic()))
                pending -= 1
            except queue.Empty:
                running = [c.name for c in self.children if _running(c)]
                _say(
                    f"{' and '.join(running)} still running after {self.stop_timeout:g} s; killing"
                )
                self._send(signal.SIGKILL)
                deadline = float("inf")

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self._stop_signal is None:
            self._stop_signal = signum
            _say(f"{name}: stopping {' and '.join(c.name for c in self.children)}")
            self._send(signum)
        else:
            _say(f"{name} again: killing what is still running")
            self._send(signal.SIGKILL)

    def _send(self, signum: int) -> None:
        for child in self.children:
            if _running(child):
                assert child.process is not None
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(signum)


def _running(child: Child) -> bool:
    return child.process is not None and child.process.poll() is None


def _say(message: str) -> None:
    # os.write, not print: this also runs inside signal handlers.
    os.write(sys.stderr.fileno(), f"itembank.serve: {message}\n".encode())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m itembank.serve",
        description="Run the web server (gunicorn) and one job worker together.",
    )
    parser.add_argument(
        "--worker-cmd",
        metavar="COMMAND",
        help=f"the job worker's command line (default: ${WORKER_CMD_ENV}, else "
        "'flask --app wsgi itembank worker')",
    )
    args = parser.parse_args(argv)
    supervisor = Supervisor(
        [
            Child("the web server", web_command()),
            Child("the job worker", worker_command(args.worker_cmd), worker_environment()),
        ]
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())
