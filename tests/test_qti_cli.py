"""``flask itembank qti validate``: files, folders and zips, good and bad."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from itembank.extensions import db
from tests.conftest import _sqlite_backend, make_app
from tests.test_exporters import HOST, MEDIA, form


@pytest.fixture(scope="module")
def cli_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The command reads files only; the app needs no migrated database."""
    backend = _sqlite_backend(tmp_path_factory.mktemp("qti-cli"))
    app = make_app(backend)
    yield app
    with app.app_context():
        db.engine.dispose()
    backend.cleanup()


def validate(app: Flask, path: Path) -> tuple[int, list[str]]:
    result = app.test_cli_runner().invoke(args=["itembank", "qti", "validate", str(path)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output.splitlines()


@pytest.fixture(scope="module")
def package() -> bytes:
    test, items = form()
    return HOST.exporter("qti3").export(test, items, MEDIA)


#: The package's XML documents: an item per built-in type, the test and the manifest.
DOCUMENTS = len(HOST.item_types) + 2
#: The weighted options item of the package (its types sorted by id).
WEIGHTED = f"items/item_{sorted(HOST.item_types).index('weighted_options') + 1}.xml"


def test_a_good_package_passes(cli_app: Flask, package: bytes, tmp_path: Path) -> None:
    path = tmp_path / "form.zip"
    path.write_bytes(package)
    code, lines = validate(cli_app, path)
    assert code == 0
    assert lines == [f"{path}: valid: {DOCUMENTS} document(s) checked, 0 error(s), 0 warning(s)"]


def test_a_bad_package_fails_with_every_issue(
    cli_app: Flask, package: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "tampered.zip"
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == WEIGHTED:
                data = data.replace(b'identifier="B"', b'identifier="2B"')
            target.writestr(info, data)
        target.writestr("notes.txt", "not listed")
    code, lines = validate(cli_app, path)
    assert code == 1
    assert (
        lines[-1] == f"{path}: INVALID: {DOCUMENTS} document(s) checked, 4 error(s), 0 warning(s)"
    )
    issues = lines[:-1]
    assert "notes.txt: error: is in the package but not listed in the manifest" in issues
    item_issues = [line for line in issues if line.startswith(f"{WEIGHTED}:")]
    assert len(item_issues) == 3  # the schemas, the identifier rule, the mapping key
    assert any(
        "identifier '2B' of <qti-simple-choice> must start with a letter" in i for i in item_issues
    )
    assert any("names 'B', which is not a choice of its interaction" in i for i in item_issues)


def test_a_single_document_and_a_missing_path(
    cli_app: Flask, package: bytes, tmp_path: Path
) -> None:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        item = archive.read("items/item_1.xml")
    good = tmp_path / "item.xml"
    good.write_bytes(item)
    assert validate(cli_app, good)[0] == 0
    broken = tmp_path / "broken.xml"
    broken.write_bytes(item[:-40])
    code, lines = validate(cli_app, broken)
    assert code == 1 and "broken.xml:" in lines[0] and "not well-formed XML" in lines[0]
    code, lines = validate(cli_app, tmp_path / "nope.zip")
    assert code == 1 and lines[0] == "nope.zip: error: does not exist"
