"""``flask --app wsgi itembank ...`` commands for candidates' results.

``simulate-results`` makes clearly labelled simulated results for an exported form and
writes them as a results file, imports them into a simulated administration, or both.
Each command of this module is one function on the ``itembank`` group; the helpers
below (finding a form, the acting user, writing a file) are shared by them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa

from itembank.cli.core import itembank_cli, transactional
from itembank.errors import NotFound
from itembank.extensions import db
from itembank.models import Form, User
from itembank.operations.simulated_results import MAX_CANDIDATES

#: ``--administration`` value that creates a new simulated administration.
NEW = "NEW"
#: ``--out`` file suffixes and the results format each one writes.
OUT_FORMATS = {".csv": "csv", ".zip": "qti"}


def _form(external_id: str) -> Form:
    form = db.session.scalars(
        sa.select(Form).where(Form.external_id == external_id.strip().upper())
    ).first()
    if form is None:
        raise NotFound(f"no form {external_id!r}")
    return form


def _actor(username: str | None) -> User | None:
    from itembank.operations.accounts import get_user

    return get_user(username) if username else None


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside ``path`` and rename: never a half-written file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename}: {exc.strerror}") from None


def _group(text: str | None) -> Any:
    """``NAME`` (values L and P) or ``NAME=REFERENCE,FOCAL``."""
    from itembank.operations.simulated_results import GroupSpec

    if text is None:
        return None
    name, _, values = text.partition("=")
    parts = [v.strip() for v in values.split(",")] if values else ["L", "P"]
    if not name.strip() or len(parts) != 2 or not all(parts):
        raise click.BadParameter("give NAME or NAME=REFERENCE,FOCAL", param_hint="--group")
    return GroupSpec(name=name.strip(), reference=parts[0], focal=parts[1])


def _parameters(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"{path}: not a JSON file ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise click.ClickException(
            f'{path}: expected {{"ITEM_ID": {{"model": "3PL", "a": 1.2, "b": 0.3, "c": 0.2}}}}'
        )
    return data


@itembank_cli.command("simulate-results")
@click.argument("form_id")
@click.option(
    "--candidates",
    type=click.IntRange(1, MAX_CANDIDATES),
    default=500,
    show_default=True,
    help="How many simulated candidates.",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same results.")
@click.option(
    "--out",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the results to this file: .csv (the results spreadsheet) or .zip (QTI 3.0 "
    "assessmentResult documents, with each item's time and option order).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["qti", "csv"]),
    default=None,
    help="The file to import with --administration when there is no --out (default qti).",
)
@click.option(
    "--administration",
    "administration_id",
    default=None,
    help=f"Import them: {NEW} for a new simulated administration, or the id of a "
    "simulated one (CACT-DEMO-A001).",
)
@click.option(
    "--group",
    "group_text",
    default=None,
    help="A group variable for DIF: NAME (values L and P, half each) or NAME=REFERENCE,FOCAL.",
)
@click.option(
    "--dif-item",
    default=None,
    help="Plant DIF: this item (id, QTI identifier or position) is harder for the focal group.",
)
@click.option(
    "--dif-shift",
    type=float,
    default=1.0,
    show_default=True,
    help="How much harder (added to its b's, logits).",
)
@click.option(
    "--wrong-key",
    default=None,
    metavar="ITEM_ID:OPTION",
    help="Plant a wrong key: delivery scores OPTION of this single-choice item as correct.",
)
@click.option(
    "--omit-rate",
    type=float,
    default=0.02,
    show_default=True,
    help="Chance of a blank at average ability.",
)
@click.option(
    "--parameters",
    "parameters_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help='JSON {"ITEM_ID": {"model": "3PL", "a": .., "b": .., "c": ..}} used before the '
    "bank's parameters.",
)
@click.option(
    "--date",
    "tested_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day of the test (YYYY-MM-DD): a new administration's date; default today, "
    "or an existing administration's first day.",
)
@click.option(
    "--user",
    "username",
    default=None,
    help="Who creates the administration and imports (an assembler or bank admin).",
)
@transactional
def simulate_results_command(
    form_id: str,
    candidates: int,
    seed: int,
    output: Path | None,
    fmt: str | None,
    administration_id: str | None,
    group_text: str | None,
    dif_item: str | None,
    dif_shift: float,
    wrong_key: str | None,
    omit_rate: float,
    parameters_path: Path | None,
    tested_on: datetime | None,
    username: str | None,
) -> None:
    """Simulate candidates' results for an exported form (clearly labelled: candidate
    ids start with SIM, administrations are flagged simulated).

    Responses are drawn from each item's IRT model: the parameters given, else the
    version's newest item_parameters, else defaults centred on its p or difficulty
    estimate. Writes --out, imports into --administration, or both."""
    from flask import current_app

    from itembank.operations.administrations import find_administration
    from itembank.operations.result_scoring import form_scorer
    from itembank.operations.results import results_secret
    from itembank.operations.simulated_administration import (
        find_entry,
        results_file,
        simulate_administration,
        simulate_form,
    )
    from itembank.operations.simulated_results import SimulationSettings, WrongKey
    from itembank.plugins import plugins

    if output is None and administration_id is None:
        raise click.UsageError("give --out FILE.csv|FILE.zip, --administration NEW|ID, or both")
    if output is not None:
        suffix = output.suffix.lower()
        if suffix not in OUT_FORMATS:
            raise click.BadParameter("write a .csv or a .zip file", param_hint="--out")
        if fmt is not None and fmt != OUT_FORMATS[suffix]:
            raise click.BadParameter(
                f"--out {output.name} is {OUT_FORMATS[suffix]}", param_hint="--format"
            )
        fmt = OUT_FORMATS[suffix]
    host = plugins()
    form = _form(form_id)
    scorer = form_scorer(form, host)
    group = _group(group_text)
    if dif_item is not None and group is None:
        group = _group("gender")
    dif = {find_entry(scorer, dif_item, field="dif_item"): dif_shift} if dif_item else {}
    planted = None
    if wrong_key is not None:
        item_name, colon, option = wrong_key.rpartition(":")
        if not colon or not item_name or not option:
            raise click.BadParameter("give ITEM_ID:OPTION", param_hint="--wrong-key")
        planted = WrongKey(find_entry(scorer, item_name, field="wrong_key"), option.strip())
    settings = SimulationSettings(
        candidates=candidates,
        seed=seed,
        group=group,
        dif=dif,
        wrong_key=planted,
        omit_rate=omit_rate,
    )
    day = tested_on.date() if tested_on else None
    parameters = _parameters(parameters_path)
    actor = _actor(username)
    made = None
    if administration_id is None:
        dated = dataclasses.replace(settings, tested_on=day or datetime.now().date())
        scorer, results = simulate_form(form, host, dated, parameters=parameters)
        data = results_file(scorer, results, fmt or "qti")[1]
    else:
        existing = None
        if administration_id.strip().upper() != NEW:
            existing = find_administration(form.bank, administration_id.strip().upper())
        made = simulate_administration(
            form,
            actor=actor,
            plugins=host,
            secret=results_secret(current_app.config),
            settings=settings,
            parameters=parameters,
            administration=existing,
            starts_on=day,
            fmt=fmt or "qti",
        )
        results, data = made.results, made.data
        if made.batch.status != "completed":
            db.session.rollback()
            problems = made.batch.problems
            lines = [f"the simulated results were not imported ({made.batch.status}):"]
            lines += [f"  {p['code']}: {p['message_en']}" for p in problems[:20]]
            if made.batch.problems_total > 20:
                lines.append(f"  ... {made.batch.problems_total - 20} more")
            if any(p["code"] == "candidate_already_imported" for p in problems):
                lines.append("the same seed makes the same candidates: give another --seed")
            raise click.ClickException("\n".join(lines))
    _summary(form, results)
    if output is not None:
        _write_atomically(output, data)
        click.echo(f"wrote {output}")
    if made is not None:
        batch = made.batch
        click.echo(
            f"imported into {made.administration.external_id} (simulated: "
            f"{made.administration.title}): {batch.candidates} candidates, {batch.responses} "
            f"responses, {batch.disagreements} disagreement(s) with the delivery's scores"
        )


def _summary(form: Form, results: Any) -> None:
    from collections import Counter

    scores = results.scores
    maximum = sum(item.max_score for item in results.items)
    sources = Counter(item.source for item in results.items)
    click.echo(
        f"simulated {len(results.candidate_ids)} candidates on {form.external_id} "
        f"(seed {results.settings.seed}): mean total {scores.sum(axis=1).mean():.1f} of "
        f"{maximum:g}"
    )
    click.echo(
        "parameters: "
        + ", ".join(f"{count} from {source}" for source, count in sorted(sources.items()))
    )
    for index, shift in results.settings.dif.items():
        group = results.settings.group
        click.echo(
            f"planted DIF: {results.items[index].item_id} is harder by {shift:g} for "
            f"{group.name}={group.focal}"
        )
    if results.settings.wrong_key is not None:
        wrong = results.settings.wrong_key
        click.echo(
            f"planted wrong key: delivery scores {wrong.option} of "
            f"{results.items[wrong.index].item_id} as correct"
        )
