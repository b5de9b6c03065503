"""``flask itembank import`` and ``import-template`` against a database migrated from
empty, on every backend; and the kill test: an import killed with SIGKILL while it is
writing leaves no item, version, audit event or batch behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent, Bank, ImportBatch, Item, ItemVersion
from tests.conftest import (
    POSTGRES_URL,
    SKIP_POSTGRES,
    Backend,
    _postgres_backend,
    _sqlite_backend,
    make_app,
)
from tests.import_helpers import SC_ROW, csv_bytes, true_false_csv
from tests.shared import shared_path
from tests.test_cli import fails, ok, run

ROOT = Path(__file__).resolve().parent.parent
BANK = "IMPOR-CLI"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def cli_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Flask, Backend]]:
    """A database migrated by the CLI, with a bank and its author, committed."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(SKIP_POSTGRES)
        backend = _postgres_backend()
    else:
        backend = _sqlite_backend(tmp_path_factory.mktemp("import-cli"))
    app = make_app(backend)
    ok(app, "db", "upgrade")
    ok(app, "itembank", "taxonomy", "sync")
    ok(app, "itembank", "create-user", "penulis", "--password", "rahasia-sekali-9")
    ok(app, "itembank", "create-bank", BANK, "Bank impor")
    ok(app, "itembank", "add-member", BANK, "penulis", "author")
    yield app, backend
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    backend.cleanup()


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        bank = db.session.scalars(sa.select(Bank).where(Bank.code == BANK)).one()
        result = {
            "items": db.session.scalar(
                sa.select(sa.func.count(Item.id)).where(Item.bank_id == bank.id)
            ),
            "versions": db.session.scalar(
                sa.select(sa.func.count(ItemVersion.id))
                .join(Item, ItemVersion.item_id == Item.id)
                .where(Item.bank_id == bank.id)
            ),
            "events": db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(
                    AuditEvent.bank_id == bank.id,
                    AuditEvent.action.in_(["item.create", "import.run"]),
                )
            ),
            "batches": db.session.scalar(
                sa.select(sa.func.count(ImportBatch.id)).where(ImportBatch.bank_id == bank.id)
            ),
            "counter": bank.item_counter,
        }
        db.session.remove()
    return result


def test_template_then_import(cli_backend: tuple[Flask, Backend], tmp_path: Path) -> None:
    app, _ = cli_backend
    template = tmp_path / "pg.xlsx"
    assert "wrote the single_choice template (xlsx)" in ok(
        app,
        "itembank",
        "import-template",
        "single_choice",
        "--output",
        str(template),
        "--bank",
        BANK,
    )
    book = openpyxl.load_workbook(template, read_only=True)
    assert book.sheetnames == ["Soal", "Taksonomi", "Petunjuk"]
    header = next(book["Soal"].iter_rows(values_only=True))
    assert header[:3] == ("jenis_soal", "id_soal", "pokok_soal") and "kunci" in header
    codes = {row[:3] for row in book["Taksonomi"].iter_rows(min_row=2, values_only=True)}
    assert any(t == "asn-2017" and c == "M.8" for t, _, c in codes)
    assert any(t == "skd-cpns" and c == "TIU.NUM" for t, _, c in codes)
    book.close()
    before = counts(app)
    output = ok(app, "itembank", "import", str(template), "--bank", BANK, "--user", "penulis")
    assert "completed: 1 item(s) read, 1 created" in output
    assert "checking: 1/1" in output and "writing: 1/1" in output
    after = counts(app)
    assert after["items"] == before["items"] + 1 and after["batches"] == before["batches"] + 1
    assert "no item type 'essay'" in fails(
        app, "itembank", "import-template", "essay", "--output", str(tmp_path / "x.csv")
    )


def test_import_exits_1_unless_everything_was_imported(
    cli_backend: tuple[Flask, Backend], tmp_path: Path
) -> None:
    app, _ = cli_backend
    path = tmp_path / "soal.csv"
    path.write_bytes(csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}]))
    before = counts(app)
    result = run(app, "itembank", "import", str(path), "--bank", BANK, "--user", "penulis")
    assert result.exit_code == 1
    assert "rolled_back" in result.output
    assert "error: row 3, column kunci: Key 'X' is not one of the options." in result.output
    assert counts(app)["items"] == before["items"]
    result = run(
        app,
        "itembank",
        "import",
        str(path),
        "--bank",
        BANK,
        "--user",
        "penulis",
        "--mode",
        "valid-only",
    )
    assert result.exit_code == 1 and "1 created" in result.output and "1 rejected" in result.output
    assert counts(app)["items"] == before["items"] + 1
    batch_id = result.output.split("import ", 1)[1].split(" ", 1)[0]
    report = ok(app, "itembank", "import-report", batch_id)
    assert "kunci,error,rejected,Kunci 'X' tidak ada di pilihan jawaban." in report
    assert "cannot read" in fails(
        app, "itembank", "import", str(tmp_path / "x.pdf"), "--bank", BANK, "--user", "penulis"
    )
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    assert "is not supported" in fails(
        app, "itembank", "import", str(tmp_path / "x.pdf"), "--bank", BANK, "--user", "penulis"
    )
    assert "no bank 'NOPE'" in fails(
        app, "itembank", "import", str(path), "--bank", "NOPE", "--user", "penulis"
    )


def _database_url(backend: Backend) -> str:
    options = backend.engine_options.get("connect_args", {}).get("options")
    if not options:
        return backend.url
    return f"{backend.url}?options={urllib.parse.quote(options)}"


def test_an_import_killed_while_writing_leaves_nothing(
    cli_backend: tuple[Flask, Backend], tmp_path: Path
) -> None:
    app, backend = cli_backend
    path = tmp_path / "besar.csv"
    path.write_bytes(true_false_csv(3000))
    before = counts(app)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(backend),
        "SECRET_KEY": "kill-test",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "wsgi",
            "itembank",
            "import",
            str(path),
            "--bank",
            BANK,
            "--user",
            "penulis",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            seen.append(line.rstrip())
            # at least one chunk of items is written (uncommitted) once this shows
            if line.startswith("writing: ") and not line.startswith("writing: 0/"):
                os.kill(process.pid, signal.SIGKILL)
                break
    finally:
        process.wait(timeout=120)
        process.stdout.close()  # type: ignore[union-attr]
    assert process.returncode == -signal.SIGKILL, seen
    assert not any("completed" in line for line in seen), seen
    assert counts(app) == before


def test_a_folder_of_qti_files_imports_like_a_package(
    cli_backend: tuple[Flask, Backend], tmp_path: Path
) -> None:
    """The issue's "a file, a folder or a package": a folder of loose QTI items (no
    manifest) is read file by file; what cannot come in is reported, and the exit says so."""
    app, _ = cli_backend
    samples = shared_path(
        "qti-samples/davemckain-qtiworks/qtiworks-samples/src/main/resources",
        "uk/ac/ed/ph/qtiworks/samples/ims",
    )
    folder = tmp_path / "soal-qti"
    folder.mkdir()
    for name in ("feedback.xml", "choice.xml"):  # choice.xml's image is not beside it
        (folder / name).write_bytes((samples / name).read_bytes())
    (tmp_path / "secret.xml").write_text("<x/>")
    (folder / "link.xml").symlink_to(tmp_path / "secret.xml")
    before = counts(app)
    result = run(
        app,
        "itembank",
        "import",
        str(folder),
        "--bank",
        BANK,
        "--user",
        "penulis",
        "--mode",
        "valid-only",
    )
    assert result.exit_code == 1, result.output  # not everything came in
    assert "1 created" in result.output and "images/sign.png" in result.output
    assert "link.xml" not in result.output
    assert counts(app)["items"] == before["items"] + 1


def test_a_single_qti_item_file_brings_its_images_from_beside_it(
    cli_backend: tuple[Flask, Backend], tmp_path: Path
) -> None:
    """choice.xml shows images/sign.png, which sits beside it in its folder: imported from
    disk alone, the item comes in with its image, as it would inside a package; an image
    named above the file's folder is not taken."""
    app, _ = cli_backend
    samples = shared_path(
        "qti-samples/davemckain-qtiworks/qtiworks-samples/src/main/resources",
        "uk/ac/ed/ph/qtiworks/samples/ims",
    )
    before = counts(app)
    result = run(
        app, "itembank", "import", str(samples / "choice.xml"), "--bank", BANK, "--user", "penulis"
    )
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    assert counts(app)["items"] == before["items"] + 1
    with app.app_context():
        item = db.session.scalars(sa.select(Item).order_by(Item.id.desc())).first()
        assert item is not None
        stem = item.latest_version.stem
        db.session.remove()
    assert re.search(r'<img src="/media/[0-9a-f]{64}" alt="NEVER LEAVE LUGGAGE UNATTENDED">', stem)

    folder = tmp_path / "soal"
    folder.mkdir()
    (tmp_path / "sign.png").write_bytes((samples / "images/sign.png").read_bytes())
    text = (samples / "choice.xml").read_text(encoding="utf-8")
    (folder / "choice.xml").write_text(text.replace("images/sign.png", "../sign.png"), "utf-8")
    result = run(
        app, "itembank", "import", str(folder / "choice.xml"), "--bank", BANK, "--user", "penulis"
    )
    assert result.exit_code == 1, result.output
    assert "../sign.png" in result.output
    assert counts(app)["items"] == before["items"] + 1
