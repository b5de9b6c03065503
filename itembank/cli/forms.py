"""``flask --app wsgi itembank forms ...`` and ``... blueprints ...``: test forms from the
terminal. Listing and showing read the database directly (the operator runs the
server); locking and cloning act as ``--user``, whose roles are checked."""

from __future__ import annotations

import os
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from itembank.cli.core import itembank_cli, transactional
from itembank.errors import NotFound
from itembank.extensions import db
from itembank.models import Bank, Blueprint, Form

forms_cli = AppGroup("forms", help="List, show, lock and clone test forms.")
blueprints_cli = AppGroup("blueprints", help="List blueprints (kisi-kisi).")
itembank_cli.add_command(forms_cli)
itembank_cli.add_command(blueprints_cli)


def _form(external_id: str) -> Form:
    form = db.session.scalars(
        sa.select(Form).where(Form.external_id == external_id.strip().upper())
    ).first()
    if form is None:
        raise NotFound(f"no form {external_id!r}")
    return form


def _banks(bank_code: str | None) -> sa.ColumnElement[bool]:
    from itembank.operations.accounts import get_bank

    if bank_code is None:
        return sa.true()
    return Bank.id == get_bank(bank_code).id


@forms_cli.command("list")
@click.option("--bank", "bank_code", default=None, help="Only this bank's forms.")
@transactional
def forms_list_command(bank_code: str | None) -> None:
    """One line per form: identifier, status, bank, title, number of items."""
    from itembank.operations.forms import entry_counts

    forms = list(
        db.session.scalars(
            sa.select(Form)
            .join(Bank, Bank.id == Form.bank_id)
            .where(_banks(bank_code))
            .order_by(Bank.code, Form.number)
        )
    )
    counts = entry_counts(forms)
    for form in forms:
        click.echo(
            f"{form.external_id}  {form.status}  {form.bank.code}  {form.title}  "
            f"({counts[form.id]} items)"
        )


@forms_cli.command("show")
@click.argument("form_id")
@transactional
def forms_show_command(form_id: str) -> None:
    """A form's entries and its validation report."""
    from itembank.operations.form_report import build_report
    from itembank.plugins import plugins

    form = _form(form_id)
    report = build_report(form, plugins())
    click.echo(f"{form.external_id}  {form.status}  {form.title}")
    click.echo(
        f"blueprint {form.blueprint.code}: {report.length} of {report.total_length} items"
        + (
            f", {form.blueprint.time_limit_minutes} minutes"
            if form.blueprint.time_limit_minutes
            else ""
        )
    )
    if form.locked_at:
        click.echo(f"locked by {form.locked_by.username} at {form.locked_at:%Y-%m-%d %H:%M} UTC")
    current = None
    for entry in report.entries:
        if entry["section"] != current:
            current = entry["section"]
            title = next(s.title for s in form.sections if s.position == current)
            click.echo(f"section {current}: {title}")
        row = f"  row {entry['row']}" if entry["row"] else "  (no row)"
        click.echo(f"  {entry['number']:>3}. {entry['item']} v{entry['version']}{row}")
    for row in report.rows:
        click.echo(f"row {row['ref']} {row['node']}: {row['filled']}/{row['count']}")
    if not report.findings:
        click.echo("report: no errors, no warnings")
    for finding in report.findings:
        click.echo(f"{finding.severity}: [{finding.code}] {finding.message_en}")


@forms_cli.command("lock")
@click.argument("form_id")
@click.option("--user", "username", required=True, help="Who locks it (assembler, bank admin).")
@transactional
def forms_lock_command(form_id: str, username: str) -> None:
    """Lock a draft form whose report has no errors."""
    from itembank.operations.accounts import get_user
    from itembank.operations.forms import lock_form
    from itembank.plugins import plugins

    form = _form(form_id)
    report = lock_form(form, actor=get_user(username), plugins=plugins())
    warnings = f" with {len(report.warnings)} warning(s)" if report.warnings else ""
    click.echo(f"locked {form.external_id}{warnings}")
    for finding in report.warnings:
        click.echo(f"warning: [{finding.code}] {finding.message_en}")


@forms_cli.command("clone")
@click.argument("form_id")
@click.option("--user", "username", required=True, help="Who clones it (assembler, bank admin).")
@click.option("--title", default=None, help="The new form's title.")
@transactional
def forms_clone_command(form_id: str, username: str, title: str | None) -> None:
    """Make a new draft form from any form, with the same pinned versions."""
    from itembank.operations.accounts import get_user
    from itembank.operations.forms import clone_form

    clone = clone_form(_form(form_id), actor=get_user(username), title=title)
    click.echo(f"cloned {form_id.upper()} into {clone.external_id} (draft): {clone.title}")


@blueprints_cli.command("list")
@click.option("--bank", "bank_code", default=None, help="Only this bank's blueprints.")
@transactional
def blueprints_list_command(bank_code: str | None) -> None:
    """One line per blueprint: bank, code, length, time limit, title."""
    blueprints = db.session.scalars(
        sa.select(Blueprint)
        .join(Bank, Bank.id == Blueprint.bank_id)
        .where(_banks(bank_code))
        .order_by(Bank.code, Blueprint.code)
    )
    for blueprint in blueprints:
        minutes = (
            f"{blueprint.time_limit_minutes} min" if blueprint.time_limit_minutes else "no limit"
        )
        click.echo(
            f"{blueprint.bank.code}  {blueprint.code}  {blueprint.total_length} items  "
            f"{minutes}  {blueprint.title}"
        )


#: ``--qti`` values and the exporter each one names.
QTI_EXPORTERS = {"3.0": "qti3", "2.1": "qti21"}


@itembank_cli.command("export")
@click.argument("form_id")
@click.option(
    "--qti",
    "qti_version",
    type=click.Choice(sorted(QTI_EXPORTERS)),
    default=None,
    help="QTI version of the package (3.0 or 2.1).",
)
@click.option(
    "--format",
    "exporter_id",
    default=None,
    help="Any exporter by id instead (see 'itembank plugins'); --qti 3.0 is --format qti3.",
)
@click.option(
    "--output",
    "output",
    required=True,
    type=click.Path(dir_okay=True, writable=True),
    help="The package file to write, or a folder (existing, or ending in /) to write it into.",
)
@click.option("--user", "username", default=None, help="Record the export as this user's.")
@click.option(
    "--force",
    is_flag=True,
    help="Export although the form's validation report has errors (a bank admin, named "
    "with --user; recorded in the audit trail with the errors).",
)
@transactional
def export_command(
    form_id: str,
    qti_version: str | None,
    exporter_id: str | None,
    output: Path,
    username: str | None,
    force: bool,
) -> None:
    """Export a locked form as a package, with its answer key (JSON and CSV) beside it.

    Prints the package's path and SHA-256 (also recorded in the audit trail, with a
    ``form.answer_key`` event for each key file, as the API and the UI record). Refused,
    listing the errors, while the form's validation report has errors (an item retired
    since it was locked, a version no longer approved), unless a bank admin gives
    --force.
    """
    from itembank.answer_key import record_answer_key_read
    from itembank.operations.accounts import get_user
    from itembank.operations.export import export_form
    from itembank.operations.forms import FormInvalid
    from itembank.plugins import plugins

    if (qti_version is None) == (exporter_id is None):
        raise click.ClickException("give one of --qti 3.0|2.1 or --format EXPORTER")
    exporter = QTI_EXPORTERS[qti_version] if qti_version else str(exporter_id)
    actor = get_user(username) if username else None
    form = _form(form_id)
    try:
        result = export_form(
            form, exporter_id=exporter, actor=actor, plugins=plugins(), force=force
        )
    except FormInvalid as exc:
        db.session.rollback()
        lines = [
            f"form {form.external_id} is not exported: its validation report has "
            f"{len(exc.details['findings'])} error(s)"
        ]
        lines += [f"  error: [{f['code']}] {f['message_en']}" for f in exc.details["findings"]]
        lines.append("a bank admin may export it anyway with --force --user USERNAME (audited)")
        raise click.ClickException("\n".join(lines)) from None
    if result.forced:
        click.echo(
            f"warning: exported despite {len(result.forced)} error(s) in the validation "
            "report (recorded in the audit trail)"
        )
    into_folder = output.endswith(("/", os.sep)) or Path(output).is_dir()
    target = Path(output) / result.filename if into_folder else Path(output)
    stem = target.with_suffix("") if target.suffix else target
    key_json = stem.with_name(f"{stem.name}-answer-key.json")
    key_csv = stem.with_name(f"{stem.name}-answer-key.csv")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for path, data in ((target, result.data), (key_json, result.answer_key_json)):
            _write_atomically(path, data)
        _write_atomically(key_csv, result.answer_key_csv)
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename}: {exc.strerror}") from None
    for fmt, path in (("json", key_json), ("csv", key_csv)):
        record_answer_key_read(
            form, actor=actor, fmt=fmt, via="export", file=str(path), package_sha256=result.sha256
        )
    click.echo(f"exported {result.form} ({result.exporter}) to {target}")
    click.echo(f"sha256 {result.sha256}")
    click.echo(f"answer key: {key_json}, {key_csv}")


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it: never a half-written file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
