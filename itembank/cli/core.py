"""The ``itembank`` command group: users, banks, plugins, taxonomies and the demo.

Every command runs domain operations and commits once; bad input prints one line and
exits non-zero, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from itembank.cli.qti import qti_cli
from itembank.errors import DomainError
from itembank.extensions import db

itembank_cli = AppGroup("itembank", help="Manage item banks, users, plugins and taxonomies.")
taxonomy_cli = AppGroup("taxonomy", help="List, sync and import taxonomies.")
itembank_cli.add_command(taxonomy_cli)
itembank_cli.add_command(qti_cli)


def init_app(app: Flask) -> None:
    from itembank.cli import (
        assembly,  # noqa: F401  (assemble, simulate-bank)
        forms,  # noqa: F401  (adds the forms and blueprints groups)
        imports,  # noqa: F401  (registers the import commands)
        jobs,  # noqa: F401  (the worker and the jobs group)
        notifications,  # noqa: F401  (notification mail)
        results,  # noqa: F401  (simulate-results)
        statistics,  # noqa: F401  (administrations, results, statistics, calibrate, flags)
    )

    app.cli.add_command(itembank_cli)


def transactional(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command in one transaction; turn domain and database errors into a
    one-line message and exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
        except DomainError as exc:
            db.session.rollback()
            problems = getattr(exc, "problems", None) or []
            detail = "".join(
                f"\n  {p['field']}: {p.get('message_en') or p['message']}" for p in problems
            )
            raise click.ClickException(exc.message + detail) from None
        except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
            db.session.rollback()
            raise click.ClickException(
                "the database is not ready (run `flask --app wsgi db upgrade`): "
                + str(exc.orig).splitlines()[0]
            ) from None

    return wrapper


@itembank_cli.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Full name shown in the UI.")
@click.option("--email", default=None)
@click.option("--admin", is_flag=True, help="Make the user a global administrator.")
@click.option(
    "--password",
    envvar="ITEMBANK_NEW_PASSWORD",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (or set ITEMBANK_NEW_PASSWORD).",
)
@transactional
def create_user_command(
    username: str, display_name: str, email: str | None, admin: bool, password: str
) -> None:
    """Create a user."""
    from itembank.operations.accounts import create_user

    user = create_user(
        username, password, actor=None, display_name=display_name, email=email, is_admin=admin
    )
    click.echo(f"created user {user.username}" + (" (admin)" if admin else ""))


user_cli = AppGroup("user", help="Change, reset or disable a user's access; list and end sessions.")
itembank_cli.add_command(user_cli)


def _account_change(change: Any, what: str) -> None:
    click.echo(
        f"{change.user.username}: {what}; {change.sessions_ended} session(s) ended, "
        f"{change.tokens_revoked} token(s) revoked"
    )


@user_cli.command("password")
@click.argument("username")
@click.option(
    "--current-password",
    envvar="ITEMBANK_CURRENT_PASSWORD",
    prompt=True,
    hide_input=True,
    help="Prompted for when not given (or set ITEMBANK_CURRENT_PASSWORD).",
)
@click.option(
    "--password",
    envvar="ITEMBANK_NEW_PASSWORD",
    prompt="New password",
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (or set ITEMBANK_NEW_PASSWORD).",
)
@transactional
def user_password_command(username: str, current_password: str, password: str) -> None:
    """USERNAME changes their own password, confirming the current one."""
    from itembank.operations.accounts import change_password, get_user

    user = get_user(username)
    _account_change(
        change_password(user, current_password, password, actor=user), "password changed"
    )


@user_cli.command("reset-password")
@click.argument("username")
@click.option(
    "--password",
    envvar="ITEMBANK_NEW_PASSWORD",
    prompt="New password",
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given (or set ITEMBANK_NEW_PASSWORD).",
)
@transactional
def user_reset_password_command(username: str, password: str) -> None:
    """Set USERNAME's password (as the server's operator)."""
    from itembank.operations.accounts import get_user, reset_password

    _account_change(reset_password(get_user(username), password, actor=None), "password reset")


@user_cli.command("disable")
@click.argument("username")
@click.option("--reason", default="", help="Kept in the audit trail.")
@transactional
def user_disable_command(username: str, reason: str) -> None:
    """Disable USERNAME: no more sign-ins; sessions end and tokens are revoked."""
    from itembank.operations.accounts import disable_user, get_user

    _account_change(disable_user(get_user(username), actor=None, reason=reason), "disabled")


@user_cli.command("enable")
@click.argument("username")
@transactional
def user_enable_command(username: str) -> None:
    """Enable USERNAME again."""
    from itembank.operations.accounts import enable_user, get_user

    click.echo(f"{enable_user(get_user(username), actor=None).username}: enabled")


@user_cli.command("list")
@transactional
def user_list_command() -> None:
    """List users: username, state, admin, live web sessions."""
    from itembank.operations.accounts import list_users
    from itembank.operations.sessions import live_session_counts

    live = live_session_counts()
    for user in list_users(actor=None):
        click.echo(
            f"{user.username}\t{'active' if user.is_active else 'disabled'}"
            f"\t{'admin' if user.is_admin else '-'}\t{live.get(user.id, 0)} session(s)"
        )


@user_cli.command("sessions")
@click.argument("username")
@transactional
def user_sessions_command(username: str) -> None:
    """List USERNAME's live web sessions."""
    from itembank.operations.accounts import get_user
    from itembank.operations.sessions import list_sessions

    for found in list_sessions(get_user(username), actor=None):
        click.echo(
            f"{found.id}\tsince {found.created_at:%Y-%m-%d %H:%M} UTC"
            f"\tlast seen {found.last_seen_at:%Y-%m-%d %H:%M} UTC"
            f"\t{found.address or '-'}\t{found.user_agent or '-'}"
        )


@user_cli.command("end-sessions")
@click.argument("username")
@transactional
def user_end_sessions_command(username: str) -> None:
    """End all of USERNAME's web sessions and revoke their API tokens."""
    from itembank.operations.accounts import end_sessions, get_user

    _account_change(end_sessions(get_user(username), actor=None), "signed out everywhere")


@itembank_cli.command("create-bank")
@click.argument("code")
@click.argument("name")
@click.option("--language", default="id", show_default=True)
@click.option(
    "--approvals", default=1, show_default=True, type=int, help="Distinct approvals required."
)
@transactional
def create_bank_command(code: str, name: str, language: str, approvals: int) -> None:
    """Create a bank with CODE and NAME."""
    from itembank.operations.accounts import create_bank

    bank = create_bank(code, name, actor=None, language=language, required_approvals=approvals)
    click.echo(f"created bank {bank.code}: {bank.name} ({approvals} approval(s) required)")


@itembank_cli.command("add-member")
@click.argument("bank_code")
@click.argument("username")
@click.argument("role")
@transactional
def add_member_command(bank_code: str, username: str, role: str) -> None:
    """Give USERNAME a ROLE (author, reviewer, assembler, bank_admin) in BANK_CODE."""
    from itembank.operations.accounts import add_member, get_bank, get_user

    membership = add_member(get_bank(bank_code), get_user(username), role, actor=None)
    click.echo(f"{username} is now {membership.role} in {membership.bank.code}")


@itembank_cli.command("plugins")
def plugins_command() -> None:
    """List loaded plugins and what each registers."""
    from itembank.plugins import plugins

    host = plugins()
    for name, reg in host.registrations.items():
        click.echo(f"{name}  [{reg.origin}]")
        for type_id in reg.item_types:
            item_type = host.item_types[type_id]
            click.echo(
                f"    item type  {type_id}: {item_type.label['id']} / {item_type.label['en']}"
            )
        for code in reg.taxonomies:
            taxonomy = host.taxonomies[code]
            click.echo(
                f"    taxonomy   {code}: {taxonomy.name.get('id') or taxonomy.name.get('en')}"
            )
        for exporter_id in reg.exporters:
            exporter = host.exporters[exporter_id]
            click.echo(
                f"    exporter   {exporter_id}: {exporter.label['id']} / {exporter.label['en']}"
            )
        for importer_id in reg.importers:
            importer = host.importers[importer_id]
            click.echo(
                f"    importer   {importer_id}: {importer.label['id']} / {importer.label['en']}"
            )
        if not (reg.item_types or reg.taxonomies or reg.exporters or reg.importers):
            click.echo("    (registers nothing)")


@taxonomy_cli.command("sync")
@transactional
def taxonomy_sync_command() -> None:
    """Write the plugins' taxonomies to the database."""
    from itembank.operations.taxonomies import sync_plugin_taxonomies
    from itembank.plugins import plugins

    for result in sync_plugin_taxonomies(plugins()):
        click.echo(f"{result.code}: {result.created} new, {result.updated} updated nodes")


@taxonomy_cli.command("list")
@click.option("--bank", "bank_code", default=None, help="Also list this bank's own taxonomies.")
@click.option("--tree", "tree_code", default=None, help="Print the nodes of this taxonomy.")
@transactional
def taxonomy_list_command(bank_code: str | None, tree_code: str | None) -> None:
    """List taxonomies (or print one as a tree)."""
    from itembank.operations.accounts import get_bank
    from itembank.operations.taxonomies import get_taxonomy, list_taxonomies, taxonomy_tree

    bank = get_bank(bank_code) if bank_code else None
    if tree_code:
        rec = get_taxonomy(tree_code, bank=bank)

        def show(nodes: list[dict[str, Any]], depth: int) -> None:
            for node in nodes:
                levels = f"  [levels {len(node['levels'])}]" if node["levels"] else ""
                name = node["name"].get("id") or node["name"].get("en")
                click.echo(f"{'  ' * depth}{node['code']}  {name}{levels}")
                show(node["children"], depth + 1)

        show(taxonomy_tree(rec), 0)
        return
    for rec in list_taxonomies(bank):
        scope = "global" if rec.bank_id is None else f"bank {bank_code.upper()}"
        count = len(rec.nodes)
        click.echo(
            f"{rec.code}  {rec.name.get('id') or rec.name.get('en')}  ({scope}, {count} nodes)"
        )


@taxonomy_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bank", "bank_code", required=True, help="The bank that gets the taxonomy.")
@click.option("--code", default=None, help="Taxonomy code (CSV: required; JSON: overrides).")
@click.option("--name", default=None, help="Indonesian name (CSV).")
@click.option("--name-en", default="", help="English name (CSV).")
@transactional
def taxonomy_import_command(
    path: Path, bank_code: str, code: str | None, name: str | None, name_en: str
) -> None:
    """Import a bank's own taxonomy from a CSV or JSON file."""
    from itembank.operations.accounts import get_bank
    from itembank.operations.taxonomies import import_bank_taxonomy
    from itembank.taxonomy_io import parse_taxonomy
    from itembank.taxonomy_io.checks import TaxonomyImportError

    bank = get_bank(bank_code)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    kwargs: dict[str, Any] = {"code": code}
    if path.suffix.lower() == ".csv":
        if not code or not name:
            raise click.ClickException("a CSV taxonomy needs --code and --name")
        kwargs.update(name_id=name, name_en=name_en)
    try:
        taxonomy = parse_taxonomy(data, path.name, **kwargs)
    except TaxonomyImportError as exc:
        raise click.ClickException(f"{path}: " + "; ".join(exc.problems[:20])) from None
    result = import_bank_taxonomy(bank, taxonomy, actor=None)
    click.echo(
        f"imported {result.code} into {bank.code}: "
        f"{result.created} new, {result.updated} updated nodes"
    )


@itembank_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the database already has users.")
@click.option(
    "--password",
    envvar="ITEMBANK_DEMO_PASSWORD",
    default="itembank-demo",
    show_default=True,
    help="Password for every demo user (or set ITEMBANK_DEMO_PASSWORD).",
)
@click.option(
    "--force",
    is_flag=True,
    envvar="ITEMBANK_DEMO_FORCE",
    help="Load the demo even though the database already has users (or set "
    "ITEMBANK_DEMO_FORCE=1): only for a database that is for trying things out.",
)
@transactional
def demo_command(if_empty: bool, password: str, force: bool) -> None:
    """Load the demo bank CACT-DEMO with its users and items, into a database without
    users (refused otherwise, unless --force)."""
    from itembank.demo import load_demo
    from itembank.models import User
    from itembank.plugins import plugins

    if if_empty and db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("the database already has data; demo not loaded")
        return
    summary = load_demo(plugins(), password=password, force=force)
    click.echo(summary)
