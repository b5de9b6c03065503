"""*Analisis*: a form's classical item analysis, in one administration or pooled.

The form's figures (candidates, mean, SD, coefficient alpha (KR-20 for right/wrong
items), SEM), the score histogram (an SVG drawn here: :mod:`itembank.ui.charts`), the
same figures per section, and a table of the items (p, item-rest r, omitted share,
flags as badges, a link to each item) that sorts on a click of its column heads
(``static/js/app.js``; without the script it stays in delivery order). A DIF form (group
variable, reference and focal group) analyses again with Mantel-Haenszel DIF and shows
its columns.

Reviewers, assemblers and bank admins (:data:`itembank.operations.statistics.
STATISTICS_ROLES`): reviewers reach it from the statistics queue and the items'
*Statistik* tab, as they do not see forms otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, request, url_for
from flask.typing import ResponseReturnValue

from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import Administration, Analysis, Form
from itembank.operations import result_reads as reads
from itembank.operations import statistics_reads
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.statistics import DifRequest, analyse_form, current_analysis
from itembank.operations.statistics_report import XLSX_MIMETYPE, analysis_xlsx, record_report
from itembank.plugins import plugins
from itembank.ui import charts
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import error_text, problem_text
from itembank.ui.i18n import gettext as _
from itembank.ui.nav import format_number
from itembank.ui.viewmodels import may, type_label

POOLED = "pooled"

FLAG_LABELS: dict[str, Callable[[], str]] = {
    "p_low": lambda: _("too hard"),
    "p_high": lambda: _("too easy"),
    "low_discrimination": lambda: _("low discrimination"),
    "possible_miskey": lambda: _("possible miskey"),
    "rare_option": lambda: _("option seldom chosen"),
    "misfit": lambda: _("IRT misfit"),
    "low_slope": lambda: _("low IRT slope"),
    "dif_c": lambda: _("DIF C"),
    "dif_b": lambda: _("DIF B"),
}


def flag_label(code: str) -> str:
    """A flag's short name for a badge (its message says the rest)."""
    label = FLAG_LABELS.get(code)
    return label() if label else code.replace("_", " ")


def num(value: Any, digits: int = 2) -> str:
    """A figure with ``digits`` decimals; "—" when there is none."""
    if value is None:
        return "—"
    try:
        return format_number(float(value), digits)
    except (TypeError, ValueError):
        return "—"


def pct(value: Any, digits: int = 1) -> str:
    """A share as a percentage; "—" when there is none."""
    if value is None:
        return "—"
    try:
        return f"{format_number(100 * float(value), digits)} %"
    except (TypeError, ValueError):
        return "—"


@bp.app_context_processor
def _statistics_helpers() -> dict[str, Any]:
    return {"num": num, "pct": pct, "flag_label": flag_label}


def _scope(form: Form, raw: str | None) -> tuple[str, Administration | None]:
    """``pooled`` (the default) or an administration that delivered ``form``."""
    value = (raw or POOLED).strip().upper()
    if value in ("", POOLED.upper()):
        return POOLED, None
    for administration in reads.analysis_scopes(form):
        if administration.external_id == value:
            return administration.external_id, administration
    return POOLED, None


def _histogram(stats: dict[str, Any]) -> dict[str, Any] | None:
    return charts.histogram(stats.get("histogram_edges") or [], stats.get("histogram_counts") or [])


def _rows(analysis: Analysis) -> list[dict[str, Any]]:
    rows = []
    for row in analysis.items:
        rows.append(
            {
                **row,
                "type_label": type_label(row.get("item_type", "")),
                "flag_codes": " ".join(flag["code"] for flag in row.get("flags", [])),
            }
        )
    return rows


def _analysis_page(
    form: Form,
    scope: str,
    administration: Administration | None,
    *,
    dif_values: dict[str, str] | None = None,
    dif_errors: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = actor()
    analysis = current_analysis(form, administration)
    stats = analysis.form_stats if analysis is not None else {}
    settings = analysis.settings if analysis is not None else {}
    scopes = [(POOLED, _("All administrations (pooled)"))] + [
        (a.external_id, f"{a.external_id} · {a.title}") for a in reads.analysis_scopes(form)
    ]
    dif = settings.get("dif") if analysis is not None else None
    return page(
        "form_analysis.html",
        status,
        form=form,
        bank=form.bank,
        scope=scope,
        scopes=scopes,
        administration=administration,
        analysis=analysis,
        stats=stats,
        histogram=_histogram(stats) if analysis is not None else None,
        sections=sorted((stats.get("sections") or {}).items()),
        rows=_rows(analysis) if analysis is not None else [],
        dif=dif,
        groups=reads.dif_groups(form, administration) if analysis is not None else {},
        dif_values=dif_values or dict(dif or {}),
        dif_errors=dif_errors or [],
        sees_form=may(user, form.bank, *ASSEMBLY_ROLES),
        dichotomous=bool(analysis) and all(r.get("dichotomous") for r in analysis.items),
    )


@bp.get("/forms/<form_id>/analysis")
@login_required
def form_analysis(form_id: str) -> ResponseReturnValue:
    form = statistics_reads.statistics_form(form_id, actor=actor())
    scope, administration = _scope(form, request.args.get("scope"))
    return _analysis_page(form, scope, administration)


@bp.post("/forms/<form_id>/analysis")
@login_required
def reanalyse_form(form_id: str) -> ResponseReturnValue:
    """Analyse again with DIF for a group variable (the form's group, reference and
    focal group); a bad request comes back beside the DIF form (422)."""
    user = actor()
    form = statistics_reads.statistics_form(form_id, actor=user)
    scope, administration = _scope(form, request.form.get("scope"))
    values = {
        name: (request.form.get(name) or "").strip() for name in ("group", "reference", "focal")
    }
    missing = [name for name, value in values.items() if not value]
    if missing:
        return _analysis_page(
            form,
            scope,
            administration,
            dif_values=values,
            dif_errors=[_("Name the group variable, the reference group and the focal group.")],
            status=422,
        )
    try:
        analysis = analyse_form(
            form,
            plugins=plugins(),
            actor=user,
            administration=administration,
            dif=DifRequest(values["group"], values["reference"], values["focal"]),
        )
    except InvalidInput as exc:
        db.session.rollback()
        return _analysis_page(
            form,
            scope,
            administration,
            dif_values=values,
            dif_errors=[problem_text(p) for p in exc.problems] or [error_text(exc)],
            status=422,
        )
    if analysis is None:
        db.session.rollback()
        flash(_("Fewer than two candidates: there is nothing to analyse."), "warning")
    else:
        commit()
        flash(
            _(
                "Analysed again with DIF for %(group)s: %(reference)s (reference) and "
                "%(focal)s (focal).",
                **values,
            ),
            "success",
        )
    return redirect_to(url_for("ui.form_analysis", form_id=form.external_id, scope=scope))


@bp.get("/forms/<form_id>/analysis.xlsx")
@login_required
def form_analysis_xlsx(form_id: str) -> ResponseReturnValue:
    """The shown analysis as an XLSX workbook (the download is audited)."""
    user = actor()
    form = statistics_reads.statistics_form(form_id, actor=user)
    scope, administration = _scope(form, request.args.get("scope"))
    analysis = current_analysis(form, administration)
    if analysis is None:
        flash(_("There is no analysis to download yet."), "warning")
        return redirect_to(url_for("ui.form_analysis", form_id=form.external_id, scope=scope))
    record_report(
        user,
        bank=form.bank,
        report="analysis",
        object_type="form",
        object_id=form.external_id,
        fmt="xlsx",
        analysis=analysis.id,
        administration=administration.external_id if administration else None,
        via="ui",
    )
    commit()
    response = Response(analysis_xlsx(analysis), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{form.external_id}-{scope}-analysis.xlsx"'
    )
    return response
