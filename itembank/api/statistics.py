"""Item statistics from delivered results: a form's analysis (JSON, XLSX; again with
DIF), an item's statistics and where it was used, the reviewers' statistics queue, and
IRT calibrations (a job).

An analysis never changes once computed: its ``ETag`` (``"an<id>"``) answers
``If-None-Match`` with 304 until a newer analysis (a results import, a re-analysis)
replaces it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView

from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import INT_ID, Extended, make_blueprint
from itembank.api.jobs import JobOut, job_view
from itembank.api.statistics_schemas import (
    AnalyseIn,
    AnalysisOut,
    AnalysisQuery,
    CalibrationDetailOut,
    CalibrationIn,
    CalibrationOut,
    DecisionIn,
    FlagListQuery,
    ItemStatisticsOut,
    PageQuery,
    ReviewFlagOut,
    WhereUsedOut,
)
from itembank.errors import InvalidInput
from itembank.models import Analysis, CalibrationRun, ReviewFlag
from itembank.operations import statistics_reads as reads
from itembank.operations.exposure import where_used
from itembank.operations.items import get_item
from itembank.operations.review_flags import decide_flag, find_flag
from itembank.operations.statistics import DifRequest, find_form_analysis, item_statistics
from itembank.operations.statistics_jobs import start_calibration
from itembank.operations.statistics_report import XLSX_MIMETYPE, analysis_xlsx, record_report
from itembank.plugins import plugins

blp = make_blueprint(
    "statistics",
    "Item statistics: analyses of delivered forms, the statistics review queue, IRT calibration.",
)

ETAG_DOC = {
    "ETag": {"description": "the analysis, for If-None-Match", "schema": {"type": "string"}}
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "an analysis' ETag: 304 while it is still the current one",
}


def analysis_etag(analysis: Analysis) -> str:
    return f'"an{analysis.id}"'


def analysis_view(analysis: Analysis) -> Extended:
    args = {"form_id": analysis.form.external_id}
    if analysis.administration is not None:
        args["administration"] = analysis.administration.external_id
    return Extended(
        analysis,
        url=url_for("statistics.FormAnalysis", **args),
        xlsx_url=url_for("statistics.FormAnalysisXlsx", **args),
    )


def _analysis(form_id: str, administration_id: str | None) -> tuple[Any, Analysis]:
    actor = current_user()
    form = reads.statistics_form(form_id, actor=actor)
    administration = reads.analysis_administration(form, administration_id)
    return actor, find_form_analysis(form, actor=actor, administration=administration)


@blp.route("/forms/<form_id>/analysis")
class FormAnalysis(MethodView):
    @blp.doc(parameters=[IF_NONE_MATCH])
    @blp.arguments(AnalysisQuery, location="query")
    @blp.response(200, AnalysisOut, headers=ETAG_DOC)
    @blp.alt_response(304, description="If-None-Match matched: still the current analysis")
    def get(self, query: dict[str, Any], form_id: str) -> Any:
        """The current classical analysis of a form: in one administration
        (``?administration=``), or pooled over all of them (reviewers, assemblers, bank
        admins)

        Per form and section N, mean, SD, alpha, SEM and the score histogram; per entry
        N, p, SD, item-rest and item-total correlations, biserial, alpha if deleted,
        median time, the options (share overall and by fifth, choosers' mean total,
        point-biserial, the key), weights, DIF when it was asked for, and the flags.
        404 while the form has no analysed results.
        """
        _, analysis = _analysis(form_id, query.get("administration"))
        etag = analysis_etag(analysis)
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=304, headers={"ETag": etag})
        return analysis_view(analysis), {"ETag": etag}

    @blp.arguments(AnalyseIn)
    @blp.response(201, AnalysisOut, headers=ETAG_DOC)
    def post(self, data: dict[str, Any], form_id: str) -> Any:
        """Analyse the form again, optionally with DIF (reviewers, assemblers, bank
        admins)

        ``dif``: ``{"group": "gender", "reference": "M", "focal": "F"}``, a group
        variable the results carry (``group:<name>`` columns). The new analysis becomes
        the current one; pooled analyses put flagged versions in the review queue. 409
        ``too_few_results`` below two candidates.
        """
        actor = current_user()
        form = reads.statistics_form(form_id, actor=actor)
        administration = reads.analysis_administration(
            form, data["administration"], field="administration"
        )
        dif = DifRequest(**data["dif"]) if data["dif"] else None
        try:
            analysis = reads.reanalyse(
                form, actor=actor, plugins=plugins(), administration=administration, dif=dif
            )
        except InvalidInput as exc:  # the DIF request's fields, named as in the body
            raise InvalidInput(
                exc.message,
                [{**problem, "field": f"dif.{problem['field']}"} for problem in exc.problems],
            ) from None
        view = analysis_view(analysis)
        return view, {"ETag": analysis_etag(analysis), "Location": view.url}


@blp.route("/forms/<form_id>/analysis.xlsx")
class FormAnalysisXlsx(MethodView):
    @blp.arguments(AnalysisQuery, location="query")
    @blp.response(
        200,
        description="sheets Paket (form), Butir (items), Opsi (options)",
        content_type=XLSX_MIMETYPE,
    )
    def get(self, query: dict[str, Any], form_id: str) -> Any:
        """The current analysis as an XLSX workbook, Indonesian and English headers
        (the download is audited)"""
        actor, analysis = _analysis(form_id, query.get("administration"))
        scope = analysis.administration.external_id if analysis.administration else "pooled"
        record_report(
            actor,
            bank=analysis.form.bank,
            report="analysis",
            object_type="form",
            object_id=analysis.form.external_id,
            fmt="xlsx",
            analysis=analysis.id,
            administration=analysis.administration.external_id if analysis.administration else None,
            via="api",
        )
        response = Response(analysis_xlsx(analysis), mimetype=XLSX_MIMETYPE)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{analysis.form.external_id}-{scope}-analysis.xlsx"'
        )
        response.headers["Cache-Control"] = "no-store"
        return response


@blp.route("/items/<item_id>/statistics")
class ItemStatistics(MethodView):
    @blp.response(200, ItemStatisticsOut(many=True))
    def get(self, item_id: str) -> Any:
        """The item's statistics in every current analysis that holds one of its versions
        (each form, per administration and pooled), newest first (authors, reviewers,
        assemblers, bank admins)"""
        actor = current_user()
        return item_statistics(get_item(item_id, actor=actor), actor=actor)


@blp.route("/items/<item_id>/where-used")
class WhereUsed(MethodView):
    @blp.response(200, WhereUsedOut(many=True))
    def get(self, item_id: str) -> Any:
        """Per version (newest first): the forms that pin it, the administrations that
        delivered them, candidates per administration, its exposure and last use"""
        actor = current_user()
        return where_used(get_item(item_id, actor=actor), actor=actor)


# -- the review queue ----------------------------------------------------------------------


def flag_view(flag: ReviewFlag) -> Extended:
    args = {"bank_code": flag.item.bank.code, "flag_id": flag.id}
    return Extended(
        flag,
        url=url_for("statistics.ReviewFlagById", **args),
        decision_url=url_for("statistics.ReviewFlagDecision", **args),
    )


@blp.route("/banks/<bank_code>/review-flags")
class ReviewFlags(MethodView):
    @blp.arguments(FlagListQuery, location="query")
    @blp.response(200, ReviewFlagOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The statistics review queue (*perlu ditelaah: statistik*), newest first:
        ``status`` open (default), keep, revise, retire or all (authors, reviewers,
        assemblers, bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        per_page = query["per_page"]
        page = reads.flag_page(
            bank,
            actor=actor,
            status=query["status"],
            limit=per_page,
            offset=(query["page"] - 1) * per_page,
        )
        return [flag_view(flag) for flag in page.rows], {"X-Total-Count": str(page.total)}


@blp.route(f"/banks/<bank_code>/review-flags/<{INT_ID}:flag_id>")
class ReviewFlagById(MethodView):
    @blp.response(200, ReviewFlagOut)
    def get(self, bank_code: str, flag_id: int) -> Any:
        """One flag: the version, the figures that raised it, and its decision"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return flag_view(find_flag(bank, flag_id, actor=actor))


@blp.route(f"/banks/<bank_code>/review-flags/<{INT_ID}:flag_id>/decision")
class ReviewFlagDecision(MethodView):
    @blp.arguments(DecisionIn)
    @blp.response(200, ReviewFlagOut)
    def post(self, data: dict[str, Any], bank_code: str, flag_id: int) -> Any:
        """Decide an open flag with a reason: ``keep``, ``revise`` (reviewers, bank
        admins) or ``retire`` (bank admins: the item is retired). 409 once decided"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        flag = find_flag(bank, flag_id, actor=actor)
        return flag_view(
            decide_flag(flag, actor=actor, decision=data["decision"], reason=data["reason"])
        )


# -- calibrations --------------------------------------------------------------------------


def calibration_view(run: CalibrationRun, *, detail: bool = False) -> Extended:
    extra: dict[str, Any] = {
        "url": url_for(
            "statistics.CalibrationById", bank_code=run.bank.code, calibration_id=run.external_id
        )
    }
    if detail:
        estimates = reads.calibration_items(run)
        extra.update(
            summary={
                key: value
                for key, value in (run.summary or {}).items()
                if key not in ("items", "left_out")
            },
            estimates=estimates["items"],
            left_out=estimates["left_out"],
        )
    return Extended(run, **extra)


@blp.route("/banks/<bank_code>/calibrations")
class Calibrations(MethodView):
    @blp.arguments(CalibrationIn)
    @blp.response(202, JobOut)
    @blp.alt_response(503, description="the job queue cannot be reached; nothing was started")
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Calibrate item versions from the results of administrations (reviewers,
        assemblers, bank admins)

        The results form one sparse matrix across forms; dichotomous versions take
        ``dichotomous_model`` (2PL or 3PL), weighted options GPCM, Likert GRM; essays and
        versions with fewer than ``min_responses`` responses are left out. With
        ``anchor_scale`` the versions that have parameters on that scale are held fixed.
        Answers 202 with the job; its ``result.url`` is the run. Estimates are appended
        to the item parameters, never overwriting earlier ones.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        job = start_calibration(bank, data, actor=actor)
        view = job_view(job)
        return view, {"Location": view.url}

    @blp.arguments(PageQuery, location="query")
    @blp.response(200, CalibrationOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's calibration runs, newest first"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        per_page = query["per_page"]
        page = reads.calibration_page(
            bank, actor=actor, limit=per_page, offset=(query["page"] - 1) * per_page
        )
        return [calibration_view(run) for run in page.rows], {"X-Total-Count": str(page.total)}


@blp.route("/banks/<bank_code>/calibrations/<calibration_id>")
class CalibrationById(MethodView):
    @blp.response(200, CalibrationDetailOut)
    def get(self, bank_code: str, calibration_id: str) -> Any:
        """One run (``CODE-C001``): convergence and population, every version's estimates
        with standard errors and fit, and the versions left out with why"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return calibration_view(
            reads.find_calibration(bank, calibration_id, actor=actor), detail=True
        )
