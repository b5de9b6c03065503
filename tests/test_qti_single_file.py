"""A single QTI item file imported from disk finds its images beside it, as an item inside
a package does: in its folder or below, never above it, never through a symbolic link."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import convert
from qti.package_reader import open_source
from tests.qti_items import CHOICE_ITEM, png

TYPES = PluginHost(entry_points=False).item_types
PNG = png(3, 2)


def _item(folder: Path, src: str) -> Path:
    path = folder / "soal.xml"
    path.write_text(CHOICE_ITEM.format(ident="one", image=f'<img src="{src}" alt="x"/>'), "utf-8")
    return path


@pytest.mark.parametrize("src", ["gambar.png", "img/gambar.png", "./img/../gambar.png"])
def test_images_beside_the_file_are_brought_in(tmp_path: Path, src: str) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "gambar.png").write_bytes(PNG)
    (tmp_path / "img" / "gambar.png").write_bytes(PNG)
    result = convert(_item(tmp_path, src), TYPES)
    (candidate,) = result.candidates
    sha = hashlib.sha256(PNG).hexdigest()
    assert [m.sha256 for m in candidate.media] == [sha]
    assert f'src="/media/{sha}"' in candidate.stem


@pytest.mark.parametrize(
    ("src", "why"),
    [
        ("../luar.png", "points outside the item's folder"),
        ("img/../../luar.png", "points outside the item's folder"),
        ("tautan/gambar.png", "goes through a symbolic link"),
        ("pintas.png", "goes through a symbolic link"),
        ("hilang.png", "is missing from the item's folder"),
        ("/etc/passwd", "is an absolute path"),
        ("img", "is missing from the item's folder"),
    ],
)
def test_images_above_the_folder_or_through_links_are_refused(
    tmp_path: Path, src: str, why: str
) -> None:
    folder = tmp_path / "soal"
    (folder / "img").mkdir(parents=True)
    (tmp_path / "luar.png").write_bytes(PNG)
    (folder / "tautan").symlink_to(tmp_path)
    (folder / "pintas.png").symlink_to(tmp_path / "luar.png")
    result = convert(_item(folder, src), TYPES)
    assert result.candidates == []
    (entry,) = [e for e in result.report if e.status == "not_imported"]
    assert why in entry.message_en, entry.message_en


def test_the_folder_is_not_listed_and_uploads_have_no_folder(tmp_path: Path) -> None:
    (tmp_path / "gambar.png").write_bytes(PNG)
    (tmp_path / "lain.xml").write_text("<x/>", "utf-8")
    path = _item(tmp_path, "gambar.png")
    with open_source(path) as source:
        assert source.names == ["soal.xml"]
        assert [item.path for item in source.items] == ["soal.xml"]
        assert source.resolve("soal.xml", "gambar.png") == ("gambar.png", "")
        assert source.read("gambar.png") == PNG
        assert source.read("soal.xml") == path.read_bytes()
    # The same document uploaded (bytes) has no folder to look in.
    with open_source(path.read_bytes(), name="soal.xml") as source:
        found, why = source.resolve("soal.xml", "gambar.png")
        assert found is None and "upload a zip of the item and its images" in why
