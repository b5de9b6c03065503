"""*Pelaksanaan*: administrations of exported forms and the results brought back.

The bank's list with a form to record a new administration (title, dates, site,
sessions, the exported forms delivered); an administration's page (its forms with how
many candidates each has, the results imports with their status, problems and
disagreements, imports still running, more forms to name, the results upload and a CSV
template); and one import's report: its problems (file, row, item, message) and the
disagreement report per item with the response patterns the delivery system scored
differently from the bank.

The upload is checked at once (the role, the size, a results format, delivered forms)
and runs as a background job (``results_import``, :mod:`itembank.ui.jobs`): the answer
is the job's page, which opens the import's report when it ends. Assemblers and bank
admins, like the operations (:mod:`itembank.operations.administrations`,
:mod:`itembank.operations.statistics_jobs`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, request, url_for
from flask.typing import ResponseReturnValue

from itembank.api.common import INT_ID
from itembank.errors import InvalidInput, Unavailable
from itembank.extensions import db
from itembank.models import Administration, Bank, Job
from itembank.operations import result_reads as reads
from itembank.operations import statistics_reads
from itembank.operations.accounts import get_bank
from itembank.operations.administrations import add_forms, create_administration
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.result_readers import ResultLimits, template_csv
from itembank.operations.result_scoring import form_scorer
from itembank.operations.statistics_jobs import KIND, RESULT_TYPE, start_results_import
from itembank.plugins import plugins
from itembank.ui import jobs, nav
from itembank.ui.assembly import choose_bank, holds_any
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.errors import domain_status, explain
from itembank.ui.i18n import error_text, problem_text
from itembank.ui.i18n import gettext as _

FIELDS = ("title", "starts_on", "ends_on", "site", "sessions", "notes")
IMPORT_STATUSES = {
    "completed": lambda: _("completed"),
    "rolled_back": lambda: _("nothing stored (problems found)"),
    "failed": lambda: _("failed"),
}


def import_status(status: str) -> str:
    label = IMPORT_STATUSES.get(status)
    return label() if label else status


def _sessions(raw: str) -> list[str]:
    """Session labels, one per line (or separated by commas)."""
    return [part.strip() for line in raw.splitlines() for part in line.split(",") if part.strip()]


def _errors(exc: InvalidInput) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for problem in exc.problems or [{"field": "", "message": error_text(exc)}]:
        field = str(problem.get("field") or "").split("[")[0].split(".")[0]
        errors.setdefault(field if field in (*FIELDS, "forms") else "", []).append(
            problem_text(problem)
        )
    return errors


def _list_page(
    bank: Bank,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = actor()
    listed = reads.administrations(bank, actor=user)
    return page(
        "administrations.html",
        status,
        bank=bank,
        administrations=listed,
        exported=reads.exported_forms(bank, actor=user),
        values=values or {"forms": []},
        errors=errors or {},
    )


@bp.get("/administrations")
@login_required
def administrations_home() -> ResponseReturnValue:
    return choose_bank(actor(), ASSEMBLY_ROLES, "ui.administrations", _("Administrations"))


@bp.get("/banks/<code>/administrations")
@login_required
def administrations(code: str) -> ResponseReturnValue:
    return _list_page(get_bank(code))


@bp.post("/banks/<code>/administrations")
@login_required
def create_administration_page(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    values: dict[str, Any] = {name: request.form.get(name, "") for name in FIELDS}
    values["forms"] = request.form.getlist("forms")
    try:
        administration = create_administration(
            bank,
            actor=user,
            title=values["title"],
            starts_on=values["starts_on"],
            ends_on=values["ends_on"] or None,
            site=values["site"],
            sessions=_sessions(values["sessions"]),
            forms=values["forms"],
            notes=values["notes"],
        )
    except InvalidInput as exc:
        db.session.rollback()
        return _list_page(bank, values=values, errors=_errors(exc), status=422)
    commit()
    flash(
        _(
            "Administration %(id)s recorded. Upload its results when they come back.",
            id=administration.external_id,
        ),
        "success",
    )
    return redirect_to(
        url_for("ui.administration", code=bank.code, external_id=administration.external_id)
    )


def _detail_page(
    administration: Administration,
    *,
    problems: list[str] | None = None,
    form_errors: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = actor()
    bank = administration.bank
    counts = statistics_reads.candidates_per_form(administration)
    named = {form.id for form in administration.forms}
    limits = ResultLimits.from_config(current_app.config)
    return page(
        "administration.html",
        status,
        bank=bank,
        administration=administration,
        forms=[(form, counts.get(form.id, 0)) for form in administration.forms],
        candidates=sum(counts.values()),
        imports=statistics_reads.import_summaries(administration),
        unfinished=[
            jobs.job_view(job) for job in reads.unfinished_imports(administration, actor=user)
        ],
        addable=[f for f in reads.exported_forms(bank, actor=user) if f.id not in named],
        problems=problems or [],
        form_errors=form_errors or [],
        max_mb=max(1, limits.max_bytes // (1024 * 1024)),
        import_status=import_status,
    )


@bp.get("/banks/<code>/administrations/<external_id>")
@login_required
def administration(code: str, external_id: str) -> ResponseReturnValue:
    bank = get_bank(code)
    return _detail_page(reads.get_administration(bank, external_id, actor=actor()))


@bp.post("/banks/<code>/administrations/<external_id>/forms")
@login_required
def add_administration_forms(code: str, external_id: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    found = reads.get_administration(bank, external_id, actor=user)
    chosen = request.form.getlist("forms")
    if not chosen:
        return _detail_page(found, form_errors=[_("Choose at least one form.")], status=422)
    try:
        added = add_forms(found, chosen, actor=user)
    except InvalidInput as exc:
        db.session.rollback()
        found = reads.get_administration(bank, external_id, actor=user)
        return _detail_page(found, form_errors=[problem_text(p) for p in exc.problems], status=422)
    commit()
    flash(
        _(
            "Forms added: %(forms)s.",
            forms=", ".join(form.external_id for form in added) or _("none (already named)"),
        ),
        "success",
    )
    return redirect_to(url_for("ui.administration", code=bank.code, external_id=external_id))


@bp.post("/banks/<code>/administrations/<external_id>/results")
@login_required
def upload_results(code: str, external_id: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    found = reads.get_administration(bank, external_id, actor=user)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _detail_page(found, problems=[_("Choose a results file.")], status=422)
    limits = ResultLimits.from_config(current_app.config)
    data = upload.stream.read(limits.max_bytes + 1)
    try:
        job = start_results_import(found, actor=user, filename=upload.filename, data=data)
    except InvalidInput as exc:
        db.session.rollback()
        found = reads.get_administration(bank, external_id, actor=user)
        return _detail_page(found, problems=[problem_text(p) for p in exc.problems], status=422)
    except Unavailable as exc:
        db.session.rollback()
        found = reads.get_administration(bank, external_id, actor=user)
        return _detail_page(found, problems=[explain(exc)], status=domain_status(exc))
    commit()
    return redirect_to(url_for("ui.job", job_id=job.id))


@bp.get("/banks/<code>/administrations/<external_id>/template.csv")
@login_required
def results_template(code: str, external_id: str) -> ResponseReturnValue:
    """A CSV template for the results of the administration's forms."""
    bank = get_bank(code)
    found = reads.get_administration(bank, external_id, actor=actor())
    scorers = [form_scorer(form, plugins()) for form in found.forms]
    response = Response(template_csv(scorers), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{found.external_id}-results-template.csv"'
    )
    return response


@bp.get(f"/banks/<code>/administrations/<external_id>/imports/<{INT_ID}:import_id>")
@login_required
def result_import(code: str, external_id: str, import_id: int) -> ResponseReturnValue:
    bank = get_bank(code)
    found = reads.get_administration(bank, external_id, actor=actor())
    batch = statistics_reads.find_result_import(found, import_id, actor=actor())
    return page(
        "result_import.html",
        bank=bank,
        administration=found,
        batch=batch,
        status_text=import_status(batch.status),
    )


def _summary(job: Job) -> str:
    counts = job.result_summary or {}
    numbers = _(
        "%(candidates)d candidate(s), %(problems)d problem(s), %(disagreements)d disagreement(s)",
        candidates=int(counts.get("candidates", 0)),
        problems=int(counts.get("problems", 0)),
        disagreements=int(counts.get("disagreements", 0)),
    )
    outcome = import_status(str(counts.get("status", "")))
    return f"{outcome[:1].upper()}{outcome[1:]}: {numbers}" if outcome else numbers


def _administration_url(job: Job) -> str:
    external_id = (job.params or {}).get("administration") or ""
    if not external_id:
        return url_for("ui.administrations", code=job.bank.code)
    return url_for("ui.administration", code=job.bank.code, external_id=external_id)


def _import_url(job: Job) -> str:
    external_id = (job.params or {}).get("administration") or ""
    return url_for(
        "ui.result_import", code=job.bank.code, external_id=external_id, import_id=job.result_id
    )


jobs.add_kind_page(
    KIND,
    _administration_url,
    lambda: _("Back to the administration"),
    subject=lambda job: " · ".join(
        str(v)
        for v in ((job.params or {}).get("administration"), (job.params or {}).get("filename"))
        if v
    ),
)
jobs.add_result_page(
    RESULT_TYPE, _import_url, lambda: _("Open the import report"), summary=_summary
)

nav.add(
    "ui.administrations_home",
    lambda: _("Administrations"),
    prefixes=("/administrations", "/banks/*/administrations"),
    visible=holds_any(ASSEMBLY_ROLES),
    order=45,
)
