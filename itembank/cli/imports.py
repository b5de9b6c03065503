"""``flask --app wsgi itembank import ...``: importing files of items from the terminal,
with a progress bar, and writing import templates."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from typing import Any

import click
from flask import current_app

from itembank.cli.core import itembank_cli, transactional

PHASES = {"read": "Reading", "check": "Checking", "write": "Writing"}
#: Report lines printed after an import (the stored report has them all).
SHOWN_PROBLEMS = 20


class TerminalProgress:
    """Import progress: click's progress bar on a terminal; otherwise one line per
    step (so logs and other programs can follow it)."""

    def __init__(self) -> None:
        self.tty = sys.stdout.isatty()
        self.phase: str | None = None
        self.bar: Any = None
        self.last = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase, self.last = phase, 0
            if self.tty and total:
                self.bar = click.progressbar(length=total, label=PHASES[phase].ljust(9))
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.last)
        elif not self.tty and (phase != "check" or done % 1000 == 0 or done == total):
            click.echo(f"{PHASES[phase].lower()}: {done}/{total}" if total else phase)
        self.last = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@itembank_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=True, path_type=Path))
@click.option("--bank", "bank_code", required=True, help="The bank that gets the items.")
@click.option("--user", "username", required=True, help="Who imports: an author (or bank admin).")
@click.option(
    "--mode",
    type=click.Choice(["strict", "valid-only"]),
    default="strict",
    show_default=True,
    help="strict: nothing unless every item is valid; valid-only: the valid items.",
)
@click.option("--importer", "importer_id", default=None, help="Importer id (default: by file).")
@click.option(
    "--skip-duplicates",
    is_flag=True,
    help="Leave out items that are exact copies of items already in the bank.",
)
def import_command(
    path: Path,
    bank_code: str,
    username: str,
    mode: str,
    importer_id: str | None,
    skip_duplicates: bool,
) -> None:
    """Import the items in PATH into a bank as drafts: a spreadsheet (XLSX, CSV), a QTI
    item (.xml), a QTI content package (.zip) or a folder of QTI files.

    Exits 1 when not every item was imported."""
    from itembank.importing import ImportLimits

    limits = ImportLimits.from_config(current_app.config)
    name, data = _read(path, limits)
    progress = TerminalProgress()
    try:
        summary = _import(
            name, data, bank_code, username, mode, importer_id, limits, progress, skip_duplicates
        )
    finally:
        progress.close()
    click.echo(summary["line"])
    for line in summary["problems"]:
        click.echo(f"  {line}")
    if summary["more"]:
        click.echo(f"  ... and {summary['more']} more (itembank import-report {summary['id']})")
    if not summary["complete"]:
        sys.exit(1)


def _read(path: Path, limits: Any) -> tuple[str, bytes]:
    """The file's name and bytes; a folder as the zip it would make; a QTI item file with
    images as the package it would make (:func:`_item_with_images`)."""
    if path.is_dir():
        return path.name + ".zip", _folder_as_zip(path, limits)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise click.ClickException(
                f"{path} is {size} bytes; imports take at most {limits.max_bytes} "
                "(ITEMBANK_IMPORT_MAX_BYTES)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    if path.suffix.lower() == ".xml":
        return _item_with_images(path, data, limits)
    return path.name, data


def _item_with_images(path: Path, data: bytes, limits: Any) -> tuple[str, bytes]:
    """A single QTI item file with the images it shows from beside it, as a package.

    An item file finds its images as it would inside a package: each ``img src`` relative
    to the file, in its folder or below (never above it, never through a symbolic link;
    ``qti.package_reader``). The file and those images are zipped under their relative
    names, so the import reads them like a package without a manifest. A file that is not
    XML, shows no image or whose images are not there goes as it is: the import says why.
    """
    from qti.package_reader import SourceReadError, open_source
    from qti.xml import QtiParseError, parse_bytes

    try:
        root = parse_bytes(data)
    except QtiParseError:
        return path.name, data
    members: dict[str, bytes] = {}
    with open_source(path) as source:
        for image in root.iter("{*}img"):
            found, _why = source.resolve(path.name, image.get("src") or "")
            if found is None or found == path.name or found in members:
                continue
            try:
                members[found] = source.read(found)
            except SourceReadError:
                continue  # the import reports it, with the same reason
    if not members:
        return path.name, data
    if len(data) + sum(map(len, members.values())) > limits.max_bytes:
        raise click.ClickException(
            f"{path} and its images are more than {limits.max_bytes} bytes "
            "(ITEMBANK_IMPORT_MAX_BYTES)"
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(path.name, data)
        for name in sorted(members):
            archive.writestr(name, members[name])
    return path.stem + ".zip", buffer.getvalue()


def _folder_as_zip(folder: Path, limits: Any) -> bytes:
    """The regular files under ``folder`` as one zip (relative paths, sorted), so a
    folder imports exactly like the package it would make. Symbolic links are not
    followed; the limits on file count and total size apply before anything is read."""
    root = folder.resolve()
    files = sorted(
        p
        for p in folder.rglob("*")  # does not descend into linked folders
        if p.is_file() and not p.is_symlink() and p.resolve().is_relative_to(root)
    )
    if len(files) > limits.max_files:
        raise click.ClickException(
            f"{folder} holds {len(files)} files; imports take at most {limits.max_files} "
            "(ITEMBANK_IMPORT_MAX_FILES)"
        )
    total = sum(p.stat().st_size for p in files)
    if total > limits.max_bytes:
        raise click.ClickException(
            f"{folder} holds {total} bytes; imports take at most {limits.max_bytes} "
            "(ITEMBANK_IMPORT_MAX_BYTES)"
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            if any(
                part.is_symlink() for part in file.relative_to(folder).parents if part != Path(".")
            ):
                continue
            archive.writestr(file.relative_to(folder).as_posix(), file.read_bytes())
    return buffer.getvalue()


@transactional
def _import(
    filename: str,
    data: bytes,
    bank_code: str,
    username: str,
    mode: str,
    importer_id: str | None,
    limits: Any,
    progress: TerminalProgress,
    skip_duplicates: bool = False,
) -> dict[str, Any]:
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.imports import run_import
    from itembank.plugins import plugins

    batch = run_import(
        get_bank(bank_code),
        actor=get_user(username),
        plugins=plugins(),
        filename=filename,
        data=data,
        mode=mode,
        importer_id=importer_id,
        limits=limits,
        progress=progress,
        skip_duplicates=skip_duplicates,
    )
    progress.close()
    problems = [e for e in batch.entries if e.severity in ("error", "warning")]
    return {
        "id": batch.id,
        "line": (
            f"import {batch.id} {batch.status}: {batch.items_total} item(s) read, "
            f"{batch.items_created} created, {batch.items_updated} new version(s), "
            f"{batch.items_unchanged} unchanged, {batch.items_rejected} rejected; "
            f"{batch.errors} error(s), {batch.warnings} warning(s)"
        ),
        "problems": [_describe(e) for e in problems[:SHOWN_PROBLEMS]],
        "more": max(0, len(problems) - SHOWN_PROBLEMS),
        "complete": batch.status == "completed"
        and batch.items_total > 0
        and batch.items_rejected == 0
        and batch.errors == 0,
    }


def _describe(entry: Any) -> str:
    where = ", ".join(
        part
        for part in (
            f"row {entry.item_ref}" if entry.item_ref.isdigit() else entry.item_ref,
            f"column {entry.column_name}" if entry.column_name else "",
        )
        if part
    )
    text = entry.message_en or entry.message
    return f"{entry.severity}: {where}: {text}" if where else f"{entry.severity}: {text}"


@itembank_cli.command("import-report")
@click.argument("import_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@transactional
def import_report_command(import_id: int, output: Path | None) -> None:
    """Print (or write as CSV to --output) the report of import IMPORT_ID."""
    import csv
    import io

    from itembank.errors import NotFound
    from itembank.extensions import db
    from itembank.models import ImportBatch
    from itembank.operations.import_reports import report_rows

    batch = db.session.get(ImportBatch, import_id)
    if batch is None:
        raise NotFound(f"no import {import_id}")
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(report_rows(batch))
    if output is None:
        click.echo(buffer.getvalue(), nl=False)
        return
    output.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    click.echo(f"wrote {len(batch.entries)} report line(s) to {output}")


@itembank_cli.command("import-template")
@click.argument("type_id")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--bank", "bank_code", default=None, help="List this bank's taxonomies too.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default=None,
    help="Default: from the output's extension, else xlsx.",
)
@transactional
def import_template_command(
    type_id: str, output: Path, bank_code: str | None, fmt: str | None
) -> None:
    """Write a spreadsheet template for item type TYPE_ID."""
    from itembank.operations.accounts import get_bank
    from itembank.operations.import_reports import import_template
    from itembank.plugins import plugins

    fmt = fmt or ("csv" if output.suffix.lower() == ".csv" else "xlsx")
    bank = get_bank(bank_code) if bank_code else None
    template = import_template(bank, type_id, fmt, actor=None, plugins=plugins())
    try:
        output.write_bytes(template.data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote the {type_id} template ({fmt}) to {output}")
