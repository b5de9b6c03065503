"""The command-line tests pass in any order: run last to first (``--reverse-order``,
``tests/conftest.py``), each still finds the database it needs, because it builds it
itself instead of reading what an earlier test left behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The files whose tests write through the command line into real, committed databases.
CLI_FILES = ("tests/test_cli.py", "tests/test_cli_forms.py")
#: SQLite only: the order is the same on both databases, and the run stays short.
PYTEST = (sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-k", "not postgres")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PYTEST, *args, *CLI_FILES],
        cwd=ROOT,
        # Only the plugins the CLI tests use: loading every installed one (hypothesis,
        # schemathesis, ...) costs each run seconds.
        env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_cli_tests_pass_last_to_first() -> None:
    listed = _run("-q", "--collect-only")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    forward = [line for line in listed.stdout.splitlines() if "::" in line]
    assert len(forward) >= 12, forward

    result = _run("-v", "--reverse-order")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    ran = re.findall(r"^(tests/\S+::\S+) (?:PASSED|SKIPPED)", result.stdout, re.M)
    assert ran == forward[::-1], result.stdout[-4000:]
