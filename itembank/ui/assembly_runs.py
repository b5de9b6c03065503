"""*Rakit otomatis*: automated assembly from a blueprint's page.

The settings form (with what each setting means) starts the ``assembly`` job and answers
with the job's page (:mod:`itembank.ui.jobs`), which opens the run when it ends. The run's
page compares the forms: a table per form, every form's test information curve on one
chart (an SVG drawn here, so no script and nothing from elsewhere), the pairwise overlap
matrix, item usage, the LP bound and the certified gap, or, when the blueprint cannot be
assembled, the explanation in the blueprint's words. *Accept* makes the draft forms and
links them; *Discard* keeps the record. Assemblers and bank admins, like forms.
"""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue

from itembank.access import require_role
from itembank.errors import InvalidInput
from itembank.models import AssemblyRun, Role
from itembank.models.assembly import RUN_STATUS_LABELS
from itembank.operations import assembly as ops
from itembank.operations.accounts import get_bank
from itembank.operations.assembly_jobs import KIND, RESULT_TYPE, start_assembly
from itembank.operations.blueprints import get_blueprint
from itembank.ui import charts, jobs
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick
from itembank.ui.nav import format_number

ASSEMBLERS = (Role.ASSEMBLER, Role.BANK_ADMIN)

DEFAULTS: dict[str, str] = {
    "forms": "2",
    "max_overlap": "0",
    "max_uses": "",
    "exposure_days": "",
    "exposure_max_share": "",
    "anchors": "",
    "include": "",
    "exclude": "",
    "key_min_share": "0.1",
    "key_max_share": "0.4",
    "target": "auto",
    "thetas": "-1 0 1",
    "seed": "7",
    "time_limit": "60",
}
NUMBERS = ("forms", "max_overlap", "max_uses", "exposure_days", "seed")
FLOATS = ("exposure_max_share", "key_min_share", "key_max_share", "time_limit")


def _request_from_form(form: Any) -> dict[str, Any]:
    """The web form as the request dictionary (strings kept where they are not numbers,
    so the request's own check names the field)."""
    out: dict[str, Any] = {}
    for name in NUMBERS:
        raw = (form.get(name) or "").strip()
        if raw:
            out[name] = int(raw) if raw.lstrip("-").isdigit() and len(raw) < 12 else raw
    for name in FLOATS:
        raw = (form.get(name) or "").strip().replace(",", ".")
        if raw:
            try:
                out[name] = float(raw)
            except ValueError:
                out[name] = raw
    for name in ("anchors", "include", "exclude"):
        out[name] = (form.get(name) or "").replace(",", " ").split()
    thetas = (form.get("thetas") or "").replace(",", " ").split()
    values: list[Any] = []
    for raw in thetas:
        try:
            values.append(float(raw))
        except ValueError:
            values.append(raw)
    if values:
        out["thetas"] = values
    out["target"] = form.get("target") or "auto"
    out["key_balance"] = form.get("key_balance") == "on"
    out["exclude_flagged"] = form.get("exclude_flagged") == "on"
    out["enemies"] = form.get("enemies", "on") == "on"
    return out


@bp.route("/banks/<code>/blueprints/<blueprint_code>/assemble", methods=["GET", "POST"])
@login_required
def assemble_page(code: str, blueprint_code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    blueprint = get_blueprint(bank, blueprint_code, actor=user)
    values = dict(DEFAULTS)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values.update({k: request.form.get(k, "") for k in DEFAULTS})
        for flag in ("key_balance", "exclude_flagged"):
            values[flag] = "on" if request.form.get(flag) == "on" else ""
        try:
            job = start_assembly(bank, blueprint, _request_from_form(request.form), actor=user)
        except InvalidInput as exc:
            for problem in exc.problems:
                field = problem["field"].split(".")[0] or "forms"
                errors.setdefault(field, []).append(pick(problem))
            status = 422
        else:
            commit()
            return redirect_to(url_for("ui.job", job_id=job.id))
    else:
        require_role(user, bank, *ASSEMBLERS, doing="assemble test forms")
    runs = ops.list_runs(bank, actor=user, blueprint=blueprint, limit=20)
    return page(
        "assemble.html",
        status,
        bank=bank,
        blueprint=blueprint,
        values=values,
        errors=errors,
        runs=[(run, pick(RUN_STATUS_LABELS[run.status])) for run in runs],
    )


def _chart(comparison: dict[str, Any]) -> dict[str, Any] | None:
    """Every form's TIF over the grid on one chart (:func:`itembank.ui.charts.line_chart`),
    the target thetas marked."""
    curves = [f.get("tif") for f in comparison.get("forms", [])]
    grid = comparison.get("grid") or []
    if not grid or not curves or any(c is None for c in curves):
        return None
    chart = charts.line_chart(
        grid,
        [
            {"label": _("Form %(n)d", n=k + 1), "values": curve, "class": "tif-curve"}
            for k, curve in enumerate(curves)
        ],
        guides=comparison.get("thetas") or [],
    )
    if chart is not None:
        chart["thetas"] = chart["guides"]
    return chart


@bp.get("/banks/<code>/assemblies/<int:run_id>")
@login_required
def assembly_run_page(code: str, run_id: int) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    run = ops.get_run(bank, run_id, actor=user)
    return _run_page(run)


def _run_page(run: AssemblyRun, status: int = 200) -> ResponseReturnValue:
    comparison = run.comparison or {}
    shared = 0
    overlap = comparison.get("overlap") or []
    for f, row in enumerate(overlap):
        for g, value in enumerate(row):
            if f != g:
                shared = max(shared, value)
    return page(
        "assembly_run.html",
        status,
        bank=run.bank,
        run=run,
        status_label=pick(RUN_STATUS_LABELS[run.status]),
        comparison=comparison,
        chart=_chart(comparison),
        largest_overlap=shared,
        forms=ops.run_forms(run),
        messages=[pick(m) for m in run.messages],
        notes=[pick(n) for n in run.notes],
        usage=sorted((int(k), v) for k, v in (comparison.get("usage") or {}).items()),
    )


@bp.post("/banks/<code>/assemblies/<int:run_id>/accept")
@login_required
def accept_assembly_run(code: str, run_id: int) -> ResponseReturnValue:
    user = actor()
    run = ops.get_run(get_bank(code), run_id, actor=user)
    ops.accept_run(run, actor=user)
    commit()
    return redirect_to(url_for("ui.assembly_run_page", code=code, run_id=run_id))


@bp.post("/banks/<code>/assemblies/<int:run_id>/discard")
@login_required
def discard_assembly_run(code: str, run_id: int) -> ResponseReturnValue:
    user = actor()
    run = ops.get_run(get_bank(code), run_id, actor=user)
    ops.discard_run(run, actor=user)
    commit()
    return redirect_to(url_for("ui.assembly_run_page", code=code, run_id=run_id))


def _summary(job: Any) -> str:
    summary = job.result_summary or {}
    if summary.get("status") == "infeasible":
        return _("The blueprint cannot be assembled under these rules.")
    gap = summary.get("gap")
    return _(
        "%(forms)d forms proposed; certified gap %(gap)s.",
        forms=summary.get("forms", 0),
        gap="—" if gap is None else f"{format_number(100 * gap, 2)} %",
    )


jobs.add_kind_page(
    KIND,
    lambda job: url_for(
        "ui.assemble_page", code=job.bank.code, blueprint_code=job.params.get("blueprint", "")
    ),
    lambda: _("Back to automated assembly"),
    subject=lambda job: str((job.params or {}).get("blueprint") or ""),
)
jobs.add_result_page(
    RESULT_TYPE,
    lambda job: url_for("ui.assembly_run_page", code=job.bank.code, run_id=job.result_id),
    lambda: _("Open the assembly's comparison"),
    summary=_summary,
)
