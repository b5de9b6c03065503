"""The shared folder beside the repository (``../shared``: the QTI sample corpus, the
domain sources) that some tests read in place.

Without it those tests skip, saying so; ``ITEMBANK_REQUIRE_SHARED=1`` (``.ci/run`` sets
it) makes a missing file a failure instead, as the browser and PostgreSQL flags do.
``ITEMBANK_SHARED_DIR`` names the folder when it is not beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ITEMBANK_SHARED_DIR") or ROOT.parent / "shared")
REQUIRE_SHARED = os.environ.get("ITEMBANK_REQUIRE_SHARED") == "1"


def shared_path(*parts: str | Path) -> Path:
    """``../shared/<parts>``; skips the test if it is missing (fails under
    ``ITEMBANK_REQUIRE_SHARED=1``)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"{path} is missing; this test reads ../shared in place"
        if REQUIRE_SHARED:
            pytest.fail(f"ITEMBANK_REQUIRE_SHARED=1 but {message}", pytrace=False)
        pytest.skip(message)
    return path
