"""A run that skips the PostgreSQL variants says so at its end, whatever ``-r`` shows.

The pyproject's ``-rfE`` lists failures and errors only, so the skip reasons would stay
hidden; ``tests/conftest.py`` repeats each PostgreSQL skip reason with its count.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Bank
from tests.conftest import POSTGRES_SKIPPED, SKIP_POSTGRES
from tests.factories import World

ROOT = Path(__file__).resolve().parent.parent


def test_a_database_test_runs_on_each_backend(world: World) -> None:
    """A test on the ``backend`` fixture (the run below skips its PostgreSQL variant)."""
    code = world.bank.code
    db.session.expire_all()
    assert db.session.scalars(sa.select(Bank.code).where(Bank.code == code)).one() == code


def _run_with(url: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"ITEMBANK_TEST_POSTGRES_URL", "ITEMBANK_REQUIRE_POSTGRES"}
    }
    if url is not None:
        env["ITEMBANK_TEST_POSTGRES_URL"] = url
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the run needs no installed plugin
    node = f"{Path(__file__).relative_to(ROOT)}::test_a_database_test_runs_on_each_backend"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (None, SKIP_POSTGRES),
        # Nothing listens on port 1: the variant skips, naming the server it could not reach.
        (
            "postgresql+psycopg://postgres@127.0.0.1:1/test",
            f"{POSTGRES_SKIPPED}PostgreSQL at postgresql+psycopg://postgres@127.0.0.1:1/test"
            " is unreachable",
        ),
    ],
    ids=["unset", "unreachable"],
)
def test_skipped_postgres_variants_are_named_at_the_end_of_the_run(
    url: str | None, reason: str
) -> None:
    result = _run_with(url)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    notices = [line for line in lines if line.startswith(POSTGRES_SKIPPED)]
    assert len(notices) == 1, result.stdout
    assert notices[0].startswith(reason) and notices[0].endswith("(1 skipped)"), notices
    assert "1 passed, 1 skipped" in lines[-1], result.stdout
