"""``flask --app wsgi itembank forms ...`` and ``... blueprints ...``: test forms from the
terminal. Listing and showing read the database directly (the operator runs the
server); locking and cloning act as ``--user``, whose roles are checked."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from itembank.cli import itembank_cli, transactional
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
    from itembank.app import plugins
    from itembank.operations.form_report import build_report

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
    from itembank.app import plugins
    from itembank.operations.accounts import get_user
    from itembank.operations.forms import lock_form

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
