"""``python -m itembank.serve``: gunicorn and a job worker run, and stop, together.

The job worker is a stand-in command here (``ITEMBANK_WORKER_CMD``), and gunicorn
serves the real application on a free port without preloading the QTI schemas.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from itembank import serve

STARTUP_DEADLINE = 90.0
STOP_DEADLINE = 60.0
STARTED = re.compile(r"itembank\.serve: started (the web server|the job worker) \(pid (\d+)\)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Launcher:
    """The launcher as a child of the test, its output in a file."""

    def __init__(self, tmp_path: Path, worker: str) -> None:
        self.port = _free_port()
        self.log = tmp_path / "serve.log"
        env = {
            **os.environ,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": "1",
            "ITEMBANK_PRELOAD_SCHEMAS": "0",
            "ITEMBANK_WORKER_CMD": worker,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "SECRET_KEY": "test-serve",
        }
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "itembank.serve"],
                cwd=serve.PROJECT_ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in STARTED.findall(self.output())}

    def livez(self) -> int | None:
        """``/livez``'s status, or ``None`` while nothing answers on the port."""
        url = f"http://127.0.0.1:{self.port}/livez"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return int(response.status)
        except (ConnectionError, urllib.error.URLError):
            return None

    def wait_until_live(self) -> None:
        deadline = time.monotonic() + STARTUP_DEADLINE
        while time.monotonic() < deadline:
            if self.livez() == 200:
                return
            try:
                # Paces the polling, and ends it at once if the launcher exits.
                code = self.process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"the launcher exited with {code} before serving:\n{self.output()}")
        pytest.fail(f"/livez did not answer within {STARTUP_DEADLINE} s:\n{self.output()}")

    def wait(self) -> int:
        try:
            return self.process.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the launcher did not exit within {STOP_DEADLINE} s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in self.children().values():
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[type[Launcher]]:
    launched: list[Launcher] = []

    def start(worker: str) -> Launcher:
        launcher = Launcher(tmp_path, worker)
        launched.append(launcher)
        return launcher

    yield start  # type: ignore[misc]
    for launcher in launched:
        launcher.stop()


def _python(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


def test_serves_and_stops_both_on_ctrl_c(launch: Any) -> None:
    launcher = launch(_python("import time; time.sleep(600)"))
    launcher.wait_until_live()
    children = launcher.children()
    assert set(children) == {"the web server", "the job worker"}
    assert all(_alive(pid) for pid in children.values())

    launcher.process.send_signal(signal.SIGINT)
    assert launcher.wait() == 0, launcher.output()
    assert not any(_alive(pid) for pid in children.values()), launcher.output()
    assert launcher.livez() is None
    assert "SIGINT: stopping the web server and the job worker" in launcher.output()


def test_a_worker_that_exits_stops_the_web_server(launch: Any) -> None:
    launcher = launch(_python("import sys; sys.exit(3)"))
    assert launcher.wait() == 1
    output = launcher.output()
    children = launcher.children()
    assert set(children) == {"the web server", "the job worker"}
    assert (
        f"the job worker (pid {children['the job worker']}) exited with status 3; "
        "stopping the web server" in output
    )
    assert not _alive(children["the web server"]), output
    assert launcher.livez() is None


def test_worker_command_comes_from_the_option_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(serve.WORKER_CMD_ENV, raising=False)
    assert serve.worker_command()[-4:] == ["--app", "wsgi", "itembank", "worker"]
    monkeypatch.setenv(serve.WORKER_CMD_ENV, "sleep '10 s'")
    assert serve.worker_command() == ["sleep", "10 s"]
    assert serve.worker_command("true --flag") == ["true", "--flag"]


def test_the_workers_stop_wait_fits_within_the_launchers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Jobs running when ``make run`` is stopped are given back before the launcher
    would kill the worker: its wait plus the give-back's fits in the launcher's."""
    from itembank.jobs.queue import GIVE_UP_SECONDS

    monkeypatch.delenv(serve.STOP_SECONDS_ENV, raising=False)
    env = serve.worker_environment()
    assert float(env[serve.STOP_SECONDS_ENV]) + GIVE_UP_SECONDS < serve.STOP_TIMEOUT
    monkeypatch.setenv(serve.STOP_SECONDS_ENV, "7")
    assert serve.worker_environment()[serve.STOP_SECONDS_ENV] == "7"
