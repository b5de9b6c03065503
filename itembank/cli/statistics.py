"""``flask --app wsgi itembank administration|results|statistics|calibrate|flags ...``:
the results and statistics loop from the terminal.

Administrations are recorded, results imported and calibrations run in this process
(no job queue), as ``--user`` when given (whose roles are checked), else as the
server's operator. Reading commands read the database directly; ``--json`` prints one
JSON document instead of lines. Progress goes to standard error, so standard output
stays the report (or the JSON). Candidate ids are never printed: results are stored
only as keyed hashes, and every figure shown is an aggregate.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from itembank.cli.core import itembank_cli, transactional
from itembank.errors import NotFound
from itembank.extensions import db
from itembank.models import Administration, Bank, Form, Item, ReviewFlag, User

administration_cli = AppGroup(
    "administration", help="Record administrations (pelaksanaan) of exported forms."
)
results_cli = AppGroup("results", help="Import candidates' results; results templates.")
statistics_cli = AppGroup("statistics", help="Item statistics of forms and items.")
flags_cli = AppGroup("flags", help="The statistics review queue (perlu ditelaah: statistik).")
for _group in (administration_cli, results_cli, statistics_cli, flags_cli):
    itembank_cli.add_command(_group)

#: Problems and disagreeing items printed after an import (the stored reports have all).
SHOWN = 20
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON instead.")
USER_OPTION = click.option(
    "--user", "username", default=None, help="Act as this user (roles are checked)."
)


def _actor(username: str | None) -> User | None:
    from itembank.operations.accounts import get_user

    return get_user(username) if username else None


def _administration(external_id: str) -> Administration:
    administration = db.session.scalar(
        sa.select(Administration).where(Administration.external_id == external_id.strip().upper())
    )
    if administration is None:
        raise NotFound(f"no administration {external_id!r}")
    return administration


def _form(external_id: str) -> Form:
    form = db.session.scalar(sa.select(Form).where(Form.external_id == external_id.strip().upper()))
    if form is None:
        raise NotFound(f"no form {external_id!r}")
    return form


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _print_json(document: Any) -> None:
    click.echo(json.dumps(document, default=_json_default, ensure_ascii=False, indent=2))


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.{digits}f}"
    return str(int(value)) if isinstance(value, float) else str(value)


def _write(path: Path, data: bytes) -> None:
    """Write beside ``path`` and rename: never a half-written file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename}: {exc.strerror}") from None


def _progress(message: str) -> None:
    click.echo(message, err=True)


# -- administrations -----------------------------------------------------------------------


def _administration_document(administration: Administration) -> dict[str, Any]:
    from itembank.operations.statistics_reads import administration_forms, import_summaries

    return {
        "id": administration.external_id,
        "bank": administration.bank.code,
        "title": administration.title,
        "site": administration.site,
        "starts_on": administration.starts_on,
        "ends_on": administration.ends_on,
        "sessions": list(administration.sessions or []),
        "simulated": administration.simulated,
        "notes": administration.notes,
        "forms": administration_forms(administration),
        "imports": [
            {
                "id": batch.id,
                "filename": batch.filename,
                "format": batch.format,
                "status": batch.status,
                "candidates": batch.candidates,
                "disagreements": batch.disagreements,
                "problems": batch.problems_total,
                "created_at": batch.created_at,
            }
            for batch in import_summaries(administration)
        ],
    }


def _administration_line(administration: Administration) -> str:
    simulated = "  [SIMULASI/simulated]" if administration.simulated else ""
    forms = ", ".join(form.external_id for form in administration.forms) or "no forms"
    return (
        f"{administration.external_id}  {administration.starts_on}..{administration.ends_on}  "
        f"{administration.title}  ({forms}){simulated}"
    )


def _show_administration(administration: Administration) -> None:
    document = _administration_document(administration)
    click.echo(_administration_line(administration))
    if administration.site:
        click.echo(f"site: {administration.site}")
    if document["sessions"]:
        click.echo("sessions: " + ", ".join(document["sessions"]))
    for form in document["forms"]:
        click.echo(f"form {form['form']} ({form['status']}): {form['candidates']} candidate(s)")
    for batch in document["imports"]:
        click.echo(
            f"import {batch['id']} {batch['status']}: {batch['filename']} ({batch['format']}), "
            f"{batch['candidates']} candidate(s), {batch['problems']} problem(s), "
            f"{batch['disagreements']} disagreement(s)"
        )


@administration_cli.command("create")
@click.argument("bank_code")
@click.option("--title", required=True, help="What was delivered, e.g. 'Seleksi CPNS 2026'.")
@click.option("--starts-on", required=True, help="First day, YYYY-MM-DD.")
@click.option("--ends-on", default=None, help="Last day, YYYY-MM-DD (default: the first).")
@click.option("--site", default=None, help="Where.")
@click.option("--session", "sessions", multiple=True, help="A session label (repeatable).")
@click.option("--form", "forms", multiple=True, help="An exported form delivered (repeatable).")
@click.option("--notes", default=None)
@click.option("--simulated", is_flag=True, help="Results will be made up by a simulator.")
@USER_OPTION
@JSON_OPTION
@transactional
def administration_create_command(
    bank_code: str,
    title: str,
    starts_on: str,
    ends_on: str | None,
    site: str | None,
    sessions: Sequence[str],
    forms: Sequence[str],
    notes: str | None,
    simulated: bool,
    username: str | None,
    as_json: bool,
) -> None:
    """Record an administration of exported forms in BANK_CODE."""
    from itembank.operations.accounts import get_bank
    from itembank.operations.administrations import create_administration

    administration = create_administration(
        get_bank(bank_code),
        actor=_actor(username),
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        site=site,
        sessions=list(sessions),
        forms=[form.strip().upper() for form in forms],
        notes=notes,
        simulated=simulated,
    )
    if as_json:
        _print_json(_administration_document(administration))
    else:
        click.echo(f"created {_administration_line(administration)}")


@administration_cli.command("list")
@click.option("--bank", "bank_code", default=None, help="Only this bank's administrations.")
@JSON_OPTION
@transactional
def administration_list_command(bank_code: str | None, as_json: bool) -> None:
    """One line per administration, newest first."""
    from itembank.operations.accounts import get_bank

    query = sa.select(Administration).join(Bank, Bank.id == Administration.bank_id)
    if bank_code:
        query = query.where(Administration.bank_id == get_bank(bank_code).id)
    rows = list(
        db.session.scalars(
            query.order_by(Bank.code, Administration.starts_on.desc(), Administration.number.desc())
        )
    )
    if as_json:
        _print_json(
            [
                {
                    "id": a.external_id,
                    "bank": a.bank.code,
                    "title": a.title,
                    "starts_on": a.starts_on,
                    "ends_on": a.ends_on,
                    "simulated": a.simulated,
                    "forms": [form.external_id for form in a.forms],
                }
                for a in rows
            ]
        )
        return
    for administration in rows:
        click.echo(_administration_line(administration))


@administration_cli.command("show")
@click.argument("administration_id")
@JSON_OPTION
@transactional
def administration_show_command(administration_id: str, as_json: bool) -> None:
    """An administration: its forms with their candidates, and its imports."""
    administration = _administration(administration_id)
    if as_json:
        _print_json(_administration_document(administration))
    else:
        _show_administration(administration)


@administration_cli.command("add-form")
@click.argument("administration_id")
@click.argument("forms", nargs=-1, required=True)
@USER_OPTION
@transactional
def administration_add_form_command(
    administration_id: str, forms: Sequence[str], username: str | None
) -> None:
    """Name more exported FORMS as delivered in ADMINISTRATION_ID."""
    from itembank.operations.administrations import add_forms

    administration = _administration(administration_id)
    added = add_forms(
        administration, [form.strip().upper() for form in forms], actor=_actor(username)
    )
    if added:
        names = ", ".join(form.external_id for form in added)
        click.echo(f"added {names} to {administration.external_id}")
    else:
        click.echo(f"{administration.external_id} names every one of them already")


# -- results -------------------------------------------------------------------------------


@results_cli.command("import")
@click.argument("administration_id")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@USER_OPTION
@JSON_OPTION
def results_import_command(
    administration_id: str, path: Path, username: str | None, as_json: bool
) -> None:
    """Import a results file (CSV, XLSX, or QTI results as XML or ZIP) into
    ADMINISTRATION_ID, in this process: prints the report and the disagreements.

    Exits 1 unless every candidate was stored (a rolled back or failed import is kept
    with its report)."""
    from itembank.operations.result_readers import ResultLimits

    limits = ResultLimits.from_config(current_app.config)
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise click.ClickException(
                f"{path} is {size} bytes; results imports take at most {limits.max_bytes} "
                "(ITEMBANK_RESULTS_MAX_BYTES)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    summary = _import_results(administration_id, path.name, data, username, limits)
    if as_json:
        _print_json(summary)
    else:
        _print_import(summary)
    if summary["status"] != "completed":
        sys.exit(1)


@transactional
def _import_results(
    administration_id: str, filename: str, data: bytes, username: str | None, limits: Any
) -> dict[str, Any]:
    from itembank.operations.results import import_results, results_secret
    from itembank.plugins import plugins

    phases = {"read": "reading", "write": "writing", "analyse": "analysing"}
    seen: set[str] = set()

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in seen:
            seen.add(phase)
            _progress(f"{phases.get(phase, phase)}...")

    administration = _administration(administration_id)
    batch = import_results(
        administration,
        actor=_actor(username),
        plugins=plugins(),
        filename=filename,
        data=data,
        secret=results_secret(current_app.config),
        limits=limits,
        progress=progress,
    )
    return {
        "id": batch.id,
        "administration": administration.external_id,
        "filename": batch.filename,
        "format": batch.format,
        "status": batch.status,
        "candidates": batch.candidates,
        "responses": batch.responses,
        "disagreements": batch.disagreements,
        "problems_total": batch.problems_total,
        "problems": list(batch.problems),
        "disagreement_report": list(batch.disagreement_report),
    }


def _print_import(summary: dict[str, Any]) -> None:
    stored = summary["candidates"] if summary["status"] == "completed" else 0
    click.echo(
        f"import {summary['id']} into {summary['administration']} {summary['status']}: "
        f"{summary['candidates']} candidate(s) read, {stored} stored, "
        f"{summary['responses']} response(s), {summary['problems_total']} problem(s), "
        f"{summary['disagreements']} disagreement(s)"
    )
    for problem in summary["problems"][:SHOWN]:
        where = ", ".join(
            part
            for part in (
                problem.get("file") or "",
                f"row {problem['row']}" if problem.get("row") else "",
                f"item {problem['item']}" if problem.get("item") else "",
            )
            if part
        )
        click.echo(f"  problem: {where}: [{problem['code']}] {problem['message_en']}")
    if summary["problems_total"] > SHOWN:
        click.echo(f"  ... and {summary['problems_total'] - SHOWN} more problem(s)")
    report = summary["disagreement_report"]
    for item in report[:SHOWN]:
        click.echo(
            f"  disagreement: {item['form']} #{item['position']} {item['item']} "
            f"v{item['version']} ({item['identifier']}): {item['count']} response(s)"
        )
        for pattern in item["patterns"]:
            click.echo(
                f"    response {pattern['response']}: delivered {_number(pattern['delivered'])}, "
                f"bank {_number(pattern['bank'])} ({pattern['count']}x)"
            )
    if len(report) > SHOWN:
        click.echo(f"  ... and {len(report) - SHOWN} more item(s) with disagreements")


@results_cli.command("template")
@click.argument("administration_id")
@click.option(
    "--out",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the CSV here (default: print it).",
)
@click.option("--group", "groups", multiple=True, help="A group variable column (repeatable).")
@transactional
def results_template_command(
    administration_id: str, output: Path | None, groups: Sequence[str]
) -> None:
    """A CSV template for ADMINISTRATION_ID's results: a column per item identifier of
    its forms and one for its delivered score."""
    import re

    from itembank.operations.result_readers import template_csv
    from itembank.operations.result_scoring import form_scorer
    from itembank.plugins import plugins

    for group in groups:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", group):
            raise click.BadParameter(
                f"{group!r}: letters, digits or _, starting with a letter, at most 32",
                param_hint="--group",
            )
    administration = _administration(administration_id)
    host = plugins()
    data = template_csv(
        [form_scorer(form, host) for form in administration.forms],
        groups=list(dict.fromkeys(groups)),
    )
    if output is None:
        click.echo(data.decode("utf-8-sig"), nl=False)
        return
    _write(output, data)
    click.echo(f"wrote the results template of {administration.external_id} to {output}")


@results_cli.command("disagreements")
@click.argument("administration_id")
@click.argument("import_id", type=int)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write CSV or XLSX (by the extension) here (default: print CSV).",
)
@USER_OPTION
@transactional
def results_disagreements_command(
    administration_id: str, import_id: int, output: Path | None, username: str | None
) -> None:
    """The disagreement report of results import IMPORT_ID (the download is audited)."""
    from itembank.operations.statistics_reads import find_result_import
    from itembank.operations.statistics_report import (
        disagreement_csv,
        disagreement_xlsx,
        record_report,
    )

    actor = _actor(username)
    administration = _administration(administration_id)
    batch = find_result_import(administration, import_id, actor=actor)
    fmt = "xlsx" if output is not None and output.suffix.lower() == ".xlsx" else "csv"
    data = disagreement_xlsx(batch) if fmt == "xlsx" else disagreement_csv(batch)
    record_report(
        actor,
        bank=administration.bank,
        report="disagreements",
        object_type="result_import",
        object_id=str(batch.id),
        fmt=fmt,
        administration=administration.external_id,
        via="cli",
        file=str(output) if output else None,
    )
    if output is None:
        click.echo(data.decode("utf-8-sig"), nl=False)
        return
    _write(output, data)
    click.echo(f"wrote the disagreement report of import {batch.id} to {output}")


# -- statistics ----------------------------------------------------------------------------


def _dif(text: str | None) -> Any:
    from itembank.operations.statistics import DifRequest

    if text is None:
        return None
    parts = text.split(":")
    if len(parts) != 3 or not all(part.strip() for part in parts):
        raise click.BadParameter(
            f"{text!r}: give GROUP:REFERENCE:FOCAL, e.g. gender:M:F", param_hint="--dif"
        )
    return DifRequest(*(part.strip() for part in parts))


def _analysis_document(analysis: Any) -> dict[str, Any]:
    return {
        "id": analysis.id,
        "form": analysis.form.external_id,
        "administration": analysis.administration.external_id if analysis.administration else None,
        "candidates": analysis.candidates,
        "computed_at": analysis.created_at,
        "settings": analysis.settings,
        "form_stats": analysis.form_stats,
        "items": [
            {k: v for k, v in row.items() if k not in ("item_id", "version_id")}
            for row in analysis.items
        ],
    }


def _print_analysis(analysis: Any) -> None:
    stats = analysis.form_stats or {}
    scope = analysis.administration.external_id if analysis.administration else "pooled"
    click.echo(
        f"{analysis.form.external_id} ({scope}): {analysis.candidates} candidate(s), "
        f"analysis {analysis.id} of {analysis.created_at:%Y-%m-%d %H:%M} UTC"
    )

    def line(name: str, part: dict[str, Any]) -> str:
        return (
            f"{name}: N {part.get('n')}, mean {_number(part.get('mean'))}, "
            f"SD {_number(part.get('sd'))}, max {_number(part.get('max_score'))}, "
            f"alpha {_number(part.get('alpha'))}, SEM {_number(part.get('sem'))}"
        )

    click.echo(line("form", stats))
    for name, part in (stats.get("sections") or {}).items():
        click.echo(line(f"section {name}", part))
    click.echo(" no. item                      p      r_ir   flags")
    for row in analysis.items:
        flags = ", ".join(flag["code"] for flag in row.get("flags") or [])
        dif = row.get("dif")
        if dif:
            flags = ", ".join(filter(None, [flags, f"DIF {dif.get('category')}"]))
        item = f"{row['item']} v{row['version']}"
        click.echo(
            f"{row['position']:>4} {item:<24} {_number(row.get('p')):>6} "
            f"{_number(row.get('item_rest')):>6}   {flags}"
        )


@statistics_cli.command("form")
@click.argument("form_id")
@click.option(
    "--administration",
    "administration_id",
    default=None,
    help="One administration (default: pooled over all of them).",
)
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the analysis as an XLSX workbook here (audited).",
)
@click.option(
    "--dif",
    "dif_text",
    default=None,
    help="Analyse again with DIF for GROUP:REFERENCE:FOCAL (e.g. gender:M:F).",
)
@USER_OPTION
@JSON_OPTION
@transactional
def statistics_form_command(
    form_id: str,
    administration_id: str | None,
    xlsx: Path | None,
    dif_text: str | None,
    username: str | None,
    as_json: bool,
) -> None:
    """The current analysis of FORM_ID: form and sections, then one line per item."""
    from itembank.operations.statistics import current_analysis, find_form_analysis
    from itembank.operations.statistics_reads import analysis_administration, reanalyse
    from itembank.operations.statistics_report import analysis_xlsx, record_report
    from itembank.plugins import plugins

    dif = _dif(dif_text)
    actor = _actor(username)
    form = _form(form_id)
    administration = analysis_administration(form, administration_id)
    if dif is not None:
        analysis = reanalyse(
            form, actor=actor, plugins=plugins(), administration=administration, dif=dif
        )
    elif actor is not None:
        analysis = find_form_analysis(form, actor=actor, administration=administration)
    else:
        analysis = current_analysis(form, administration)
        if analysis is None:
            raise NotFound(f"form {form.external_id} has no analysed results yet")
    if xlsx is not None:
        _write(xlsx, analysis_xlsx(analysis))
        record_report(
            actor,
            bank=form.bank,
            report="analysis",
            object_type="form",
            object_id=form.external_id,
            fmt="xlsx",
            analysis=analysis.id,
            administration=administration.external_id if administration else None,
            via="cli",
            file=str(xlsx),
        )
        _progress(f"wrote {xlsx}")
    if as_json:
        _print_json(_analysis_document(analysis))
    else:
        _print_analysis(analysis)


@statistics_cli.command("item")
@click.argument("item_id")
@USER_OPTION
@JSON_OPTION
@transactional
def statistics_item_command(item_id: str, username: str | None, as_json: bool) -> None:
    """ITEM_ID's statistics in every current analysis, and each version's exposure."""
    from itembank.operations.exposure import version_exposure
    from itembank.operations.statistics import item_statistics

    item = db.session.scalar(sa.select(Item).where(Item.external_id == item_id.strip().upper()))
    if item is None:
        raise NotFound(f"no item {item_id!r}")
    rows = item_statistics(item, actor=_actor(username))
    exposure = version_exposure(item.bank, [version.id for version in item.versions])
    numbers = {version.id: version.number for version in item.versions}
    exposures = [
        {
            "version": numbers[version_id],
            "candidates": figures.candidates,
            "administrations": figures.administrations,
            "last_used": figures.last_used,
        }
        for version_id, figures in sorted(exposure.items(), key=lambda pair: -numbers[pair[0]])
    ]
    if as_json:
        _print_json(
            {
                "item": item.external_id,
                "exposure": exposures,
                "statistics": [
                    {k: v for k, v in row.items() if k not in ("item_id", "version_id")}
                    for row in rows
                ],
            }
        )
        return
    click.echo(f"{item.external_id} ({item.item_type})")
    for figures in exposures:
        click.echo(
            f"version {figures['version']}: {figures['candidates']} candidate(s) in "
            f"{figures['administrations']} administration(s), last used {figures['last_used']}"
        )
    if not rows:
        click.echo("no analysed results yet")
    for row in rows:
        flags = ", ".join(flag["code"] for flag in row.get("flags") or []) or "no flags"
        click.echo(
            f"{row['form']} ({row['administration'] or 'pooled'}) #{row['position']} "
            f"v{row['version']}: N {row['n_exposed']}, p {_number(row.get('p'))}, "
            f"r_ir {_number(row.get('item_rest'))}, {flags}"
        )


# -- calibration ---------------------------------------------------------------------------


@itembank_cli.command("calibrate")
@click.argument("administrations", nargs=-1, required=True)
@click.option(
    "--model",
    "model",
    type=click.Choice(["2PL", "3PL"]),
    default="2PL",
    show_default=True,
    help="The model of dichotomous items (weighted options: GPCM; Likert: GRM).",
)
@click.option(
    "--anchor-scale", default=None, help="Hold the versions with parameters on this scale fixed."
)
@click.option("--scale", default=None, help="Name the new estimates' scale (default: the run).")
@click.option(
    "--min-responses",
    type=int,
    default=200,
    show_default=True,
    help="Leave out versions with fewer responses (20 to 100000).",
)
@USER_OPTION
@JSON_OPTION
def calibrate_command(
    administrations: Sequence[str],
    model: str,
    anchor_scale: str | None,
    scale: str | None,
    min_responses: int,
    username: str | None,
    as_json: bool,
) -> None:
    """Calibrate item versions from the results of ADMINISTRATIONS (one bank), in this
    process. Exits 1 when the run failed (too few versions to calibrate)."""
    summary = _calibrate(administrations, model, anchor_scale, scale, min_responses, username)
    if as_json:
        _print_json(summary)
    else:
        _print_calibration(summary)
    if summary["status"] != "completed":
        sys.exit(1)


@transactional
def _calibrate(
    administrations: Sequence[str],
    model: str,
    anchor_scale: str | None,
    scale: str | None,
    min_responses: int,
    username: str | None,
) -> dict[str, Any]:
    from itembank.operations.calibration import check_calibration_request, run_calibration
    from itembank.operations.statistics_reads import calibration_items

    actor = _actor(username)
    bank = _administration(administrations[0]).bank
    request = check_calibration_request(
        bank,
        {
            "administrations": [name.strip().upper() for name in administrations],
            "dichotomous_model": model,
            "anchor_scale": anchor_scale,
            "scale": scale,
            "min_responses": min_responses,
        },
        actor=actor,
    )

    def progress(done: int, total: int, message: str, message_en: str) -> None:
        _progress(f"{message_en} ({done}/{total})")

    run = run_calibration(bank, request, actor=actor, progress=progress)
    details = calibration_items(run)
    return {
        "id": run.external_id,
        "status": run.status,
        "scale": run.scale,
        "candidates": run.candidates,
        "items": run.items,
        "settings": run.settings,
        "summary": {k: v for k, v in run.summary.items() if k not in ("items", "left_out")},
        "estimates": details["items"],
        "left_out": details["left_out"],
    }


def _print_calibration(summary: dict[str, Any]) -> None:
    facts = summary["summary"]
    click.echo(
        f"calibration {summary['id']} {summary['status']} on scale {summary['scale']}: "
        f"{summary['items']} version(s), {summary['candidates']} candidate(s)"
    )
    if summary["status"] == "completed":
        population = facts.get("population") or []
        click.echo(
            f"converged {facts.get('converged')} after {facts.get('iterations')} iteration(s), "
            f"log-likelihood {_number(facts.get('loglik'))}, "
            f"population {' '.join(_number(v) for v in population)}, "
            f"{facts.get('anchors', 0)} anchor(s)"
        )
    elif facts.get("error"):
        click.echo(f"failed: {facts['error']}")
    for row in summary["estimates"]:
        params = row["params"]
        b = params.get("b")
        b_text = " ".join(_number(v) for v in b) if isinstance(b, list) else _number(b)
        c_text = f" c {_number(params['c'])}" if "c" in params else ""
        fixed = " (anchor)" if row["fixed"] else ""
        flags = f"  [{', '.join(row['flags'])}]" if row["flags"] else ""
        click.echo(
            f"  {row['item']} v{row['version']} {row['model']}: a {_number(params.get('a'))} "
            f"b {b_text}{c_text}, n {row['n']}, fit p {_number(row['fit_p'])}{fixed}{flags}"
        )
    for row in summary["left_out"]:
        click.echo(f"  left out {row['item']} v{row['version']}: {row['reason']}")


# -- the review queue ----------------------------------------------------------------------


def _flag_document(flag: ReviewFlag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "bank": flag.item.bank.code,
        "item": flag.item.external_id,
        "version": flag.version.number,
        "source": flag.source,
        "form": flag.analysis.form.external_id if flag.analysis else None,
        "calibration": flag.calibration.external_id if flag.calibration else None,
        "codes": flag.codes,
        "flags": flag.flags,
        "status": flag.status,
        "reason": flag.reason,
        "decided_by": flag.decided_by.username if flag.decided_by else None,
        "decided_at": flag.decided_at,
        "created_at": flag.created_at,
    }


@flags_cli.command("list")
@click.option("--bank", "bank_code", default=None, help="Only this bank's flags.")
@click.option(
    "--status",
    type=click.Choice(["open", "keep", "revise", "retire", "all"]),
    default="open",
    show_default=True,
)
@JSON_OPTION
@transactional
def flags_list_command(bank_code: str | None, status: str, as_json: bool) -> None:
    """One line per review flag, newest first: id, status, item and version, codes."""
    from itembank.operations.accounts import get_bank

    query = sa.select(ReviewFlag)
    if bank_code:
        query = query.where(ReviewFlag.bank_id == get_bank(bank_code).id)
    if status != "all":
        query = query.where(ReviewFlag.status == status)
    flags = list(db.session.scalars(query.order_by(ReviewFlag.id.desc())))
    if as_json:
        _print_json([_flag_document(flag) for flag in flags])
        return
    for flag in flags:
        source = flag.analysis.form.external_id if flag.analysis else None
        if flag.calibration is not None:
            source = flag.calibration.external_id
        click.echo(
            f"{flag.id}  {flag.status}  {flag.item.external_id} v{flag.version.number}  "
            f"{', '.join(flag.codes)}  ({flag.source} {source or ''})".rstrip()
        )


@flags_cli.command("decide")
@click.argument("flag_id", type=int)
@click.option(
    "--decision",
    type=click.Choice(["keep", "revise", "retire"]),
    required=True,
    help="retire: a bank admin; the item is retired.",
)
@click.option("--reason", required=True, help="Why (recorded in the audit trail).")
@click.option("--user", "username", required=True, help="Who decides (reviewer, bank admin).")
@transactional
def flags_decide_command(flag_id: int, decision: str, reason: str, username: str) -> None:
    """Decide open review flag FLAG_ID."""
    from itembank.operations.accounts import get_user
    from itembank.operations.review_flags import decide_flag

    actor = get_user(username)
    flag = db.session.get(ReviewFlag, flag_id)
    if flag is None:
        raise NotFound(f"no review flag {flag_id}")
    decide_flag(flag, actor=actor, decision=decision, reason=reason)
    click.echo(f"flag {flag.id} ({flag.item.external_id} v{flag.version.number}): {decision}")
