"""``flask --app wsgi itembank assemble ...`` and ``simulate-bank``: automated test
assembly from the terminal, run in this process with a progress line."""

from __future__ import annotations

import sys
from typing import Any

import click

from itembank.cli.core import itembank_cli, transactional


def comparison_lines(run: Any) -> list[str]:
    """The run's comparison (or its infeasibility explanation) as lines of text."""
    lines = [f"assembly run {run.id}: {run.status} ({run.settings.get('target_used', '')})"]
    for note in run.notes:
        lines.append(f"  note: {note['message_en']}")
    if run.status == "infeasible":
        lines.append("  cannot be assembled:")
        lines += [f"  - {m['message_en']}" for m in run.messages]
        return lines
    comparison = run.comparison
    thetas = comparison.get("thetas") or []
    head = "  form  rows  " + "".join(f"TIF({t:g})".rjust(10) for t in thetas)
    lines.append(head + "  expected   mean p")
    for form in comparison["forms"]:
        tif = form.get("tif_at_thetas") or [None] * len(thetas)
        cells = "".join(("-" if v is None else f"{v:.2f}").rjust(10) for v in tif)
        score = form.get("expected_score")
        mean_p = form.get("mean_p")
        lines.append(
            f"  {form['index']:>4}  {'ok' if form['rows_ok'] else 'NO':>4}  {cells}"
            f"  {'-' if score is None else f'{score:8.2f}'}"
            f"   {'-' if mean_p is None else f'{mean_p:.3f}'}"
        )
    overlap = comparison.get("overlap") or []
    shared = max(
        (overlap[f][g] for f in range(len(overlap)) for g in range(len(overlap)) if f != g),
        default=0,
    )
    lines.append(f"  largest overlap between two forms: {shared} item(s)")
    if run.objective is not None:
        lines.append(
            f"  objective {run.objective:.4f}, LP bound {run.lp_bound:.4f}, certified gap "
            f"{100 * (run.gap or 0):.3f} % ({run.method}, {run.stopped})"
        )
    return lines


@itembank_cli.command("assemble")
@click.argument("blueprint")
@click.option("--bank", "bank_code", required=True, help="The blueprint's bank.")
@click.option("--user", "username", required=True, help="An assembler or bank admin.")
@click.option("--forms", type=int, default=2, show_default=True, help="How many forms (1-50).")
@click.option("--max-overlap", type=int, default=None, help="0: no shared items; k: at most k.")
@click.option("--max-uses", type=int, default=None, help="An item in at most m forms.")
@click.option("--exposure-days", type=int, default=None, help="Leave out items used recently.")
@click.option("--key-balance", is_flag=True, help="Balance single-choice keys per section.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--time-limit", type=float, default=60, show_default=True, help="Seconds (1-600).")
@click.option(
    "--target",
    type=click.Choice(["auto", "maximin", "classical", "content"]),
    default="auto",
    show_default=True,
)
@click.option("--accept", is_flag=True, help="Make the draft forms at once.")
def assemble_command(blueprint: str, bank_code: str, username: str, **options: Any) -> None:
    """Assemble parallel forms of BLUEPRINT and print their comparison (or why they
    cannot be assembled). The run is recorded; with --accept its draft forms are made.
    Exits 1 when the blueprint cannot be assembled."""
    accept = options.pop("accept")
    request = {k: v for k, v in options.items() if v is not None and v is not False}
    lines, ok = _assemble(blueprint, bank_code, username, request, accept)
    for line in lines:
        click.echo(line)
    if not ok:
        sys.exit(1)


@transactional
def _assemble(
    blueprint_code: str, bank_code: str, username: str, request: dict[str, Any], accept: bool
) -> tuple[list[str], bool]:
    from itembank.operations.accounts import get_bank, get_user
    from itembank.operations.assembly import accept_run, run_inline
    from itembank.operations.blueprints import get_blueprint
    from itembank.plugins import plugins

    bank, actor = get_bank(bank_code), get_user(username)
    blueprint = get_blueprint(bank, blueprint_code, actor=actor)

    def progress(done: int, total: int, message: str) -> None:
        click.echo(f"[{done}/{total}] {message}", err=True)

    run = run_inline(bank, blueprint, request, actor=actor, plugins=plugins(), progress=progress)
    lines = comparison_lines(run)
    if accept and run.status == "proposed":
        forms = accept_run(run, actor=actor)
        lines.append("draft forms: " + ", ".join(form.external_id for form in forms))
    return lines, run.status != "infeasible"


@itembank_cli.command("simulate-bank")
@click.option("--code", default="SIM-ASN", show_default=True, help="The new bank's code.")
@click.option("--items", type=int, default=3000, show_default=True)
@click.option("--length", type=int, default=400, show_default=True, help="Blueprint length.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--admin", "admin_name", default="admin", show_default=True, help="Its bank admin.")
@click.option(
    "--assembler", "assembler_name", default="perakit", show_default=True, help="Its assembler."
)
@click.option("--if-missing", is_flag=True, help="Do nothing if the bank exists.")
@transactional
def simulate_bank_command(
    code: str,
    items: int,
    length: int,
    seed: int,
    admin_name: str,
    assembler_name: str,
    if_missing: bool,
) -> None:
    """Create a clearly labelled SIMULATED bank of approved items with simulated
    parameters and a blueprint shaped like a competency test, to try automated assembly."""
    import sqlalchemy as sa

    from itembank.extensions import db
    from itembank.models import Bank, User
    from itembank.operations.accounts import get_user
    from itembank.operations.simulated_bank import simulate_bank
    from itembank.plugins import plugins

    if if_missing and db.session.scalar(sa.select(Bank.id).where(Bank.code == code)):
        click.echo(f"bank {code} exists; nothing done")
        return
    admin = get_user(admin_name)
    assembler = db.session.scalar(sa.select(User).where(User.username == assembler_name))
    made = simulate_bank(
        plugins(),
        code=code,
        items=items,
        seed=seed,
        length=length,
        admin=admin,
        assembler=assembler,
    )
    who = assembler_name if assembler else admin_name
    click.echo(
        f"simulated bank {made.bank.code}: {made.items} approved items, {made.enemies} enemy "
        f"pairs, blueprint {made.blueprint_code}; try: flask --app wsgi itembank assemble "
        f"{made.blueprint_code} --bank {made.bank.code} --user {who} --forms 5"
    )
