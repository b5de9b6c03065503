"""``ITEMBANK_REQUIRE_SHARED=1`` turns a missing ``../shared`` file into a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import shared


def test_a_missing_shared_file_skips_or_fails_as_the_flag_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared, "SHARED", tmp_path)
    (tmp_path / "there.txt").write_text("x")
    assert shared.shared_path("there.txt") == tmp_path / "there.txt"
    monkeypatch.setattr(shared, "REQUIRE_SHARED", False)
    with pytest.raises(pytest.skip.Exception, match=r"gone\.txt is missing"):
        shared.shared_path("gone.txt")
    monkeypatch.setattr(shared, "REQUIRE_SHARED", True)
    with pytest.raises(pytest.fail.Exception, match="ITEMBANK_REQUIRE_SHARED=1 but"):
        shared.shared_path("gone.txt")


def test_no_test_names_an_absolute_shared_path() -> None:
    root = Path(__file__).resolve().parent
    offenders = [
        path.name for path in root.rglob("*.py") if '"/work/' + "shared" in path.read_text("utf-8")
    ]
    assert offenders == []
