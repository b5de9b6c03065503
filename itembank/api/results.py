"""Administrations (pelaksanaan) and the results imported into them: record one, name
its delivered forms, upload results (a job), read each import's report and its
disagreement report (JSON, CSV, XLSX), and download a results template."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request, url_for
from flask.views import MethodView

from itembank.access import require_role
from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import INT_ID, MULTIPART, Extended, make_blueprint, read_upload
from itembank.api.errors import ApiError
from itembank.api.jobs import JobOut, job_view
from itembank.api.statistics_schemas import (
    AdministrationCreateIn,
    AdministrationDetailOut,
    AdministrationFormsIn,
    AdministrationFormsOut,
    AdministrationOut,
    PageQuery,
    ResultImportOut,
    ResultImportSummaryOut,
    TemplateQuery,
)
from itembank.errors import InvalidInput
from itembank.models import Administration, ResultImport
from itembank.models.results import RESULT_FORMATS
from itembank.operations import statistics_reads as reads
from itembank.operations.administrations import add_forms, create_administration
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.result_readers import ResultLimits, template_csv
from itembank.operations.result_scoring import form_scorer
from itembank.operations.results import detect_format
from itembank.operations.statistics_jobs import start_results_import
from itembank.operations.statistics_report import (
    XLSX_MIMETYPE,
    disagreement_csv,
    disagreement_xlsx,
    record_report,
)
from itembank.plugins import plugins

blp = make_blueprint(
    "results",
    "Administrations (pelaksanaan) of exported forms, and the candidates' results "
    "imported into them.",
)

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "format": {
                            "type": "string",
                            "enum": list(RESULT_FORMATS),
                            "description": "the file's format, when its name does not say "
                            "(.csv, .xlsx, .xml, .zip)",
                        },
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


def administration_url(administration: Administration) -> str:
    return url_for(
        "results.AdministrationById",
        bank_code=administration.bank.code,
        administration_id=administration.external_id,
    )


def administration_view(administration: Administration, *, detail: bool = False) -> Extended:
    extra: dict[str, Any] = {"url": administration_url(administration)}
    if detail:
        code, key = administration.bank.code, administration.external_id
        extra.update(
            results_url=url_for("results.Results", bank_code=code, administration_id=key),
            template_url=url_for("results.ResultsTemplate", bank_code=code, administration_id=key),
            delivered=reads.administration_forms(administration),
            imports=[import_view(batch) for batch in reads.import_summaries(administration)],
        )
    return Extended(administration, **extra)


def import_url(batch: ResultImport, endpoint: str = "results.ResultImportById") -> str:
    administration = batch.administration
    return url_for(
        endpoint,
        bank_code=administration.bank.code,
        administration_id=administration.external_id,
        import_id=batch.id,
    )


def import_view(batch: ResultImport) -> Extended:
    return Extended(
        batch,
        url=import_url(batch),
        disagreements_csv_url=import_url(batch, "results.DisagreementsCsv"),
        disagreements_xlsx_url=import_url(batch, "results.DisagreementsXlsx"),
    )


def _administration(bank_code: str, administration_id: str) -> tuple[Any, Administration]:
    actor = current_user()
    bank = visible_bank(bank_code, actor)
    return actor, reads.readable_administration(bank, administration_id, actor=actor)


@blp.route("/banks/<bank_code>/administrations")
class Administrations(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, AdministrationOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's administrations, newest first (reviewers, assemblers, bank admins);
        ``X-Total-Count`` says how many there are"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        per_page = query["per_page"]
        page = reads.administration_page(
            bank, actor=actor, limit=per_page, offset=(query["page"] - 1) * per_page
        )
        return [administration_view(a) for a in page.rows], {"X-Total-Count": str(page.total)}

    @blp.arguments(AdministrationCreateIn)
    @blp.response(201, AdministrationDetailOut)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Record an administration of exported forms (assemblers and bank admins)

        ``forms`` names forms that were exported (results name items by the package's
        identifiers); more can be added later. Its id (``CODE-A001``) is what results
        are imported into.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        forms = [form.strip().upper() for form in data.pop("forms")]
        administration = create_administration(bank, actor=actor, forms=forms, **data)
        view = administration_view(administration, detail=True)
        return view, {"Location": view.url}


@blp.route("/banks/<bank_code>/administrations/<administration_id>")
class AdministrationById(MethodView):
    @blp.response(200, AdministrationDetailOut)
    def get(self, bank_code: str, administration_id: str) -> Any:
        """An administration: its forms with the candidates each has, and its imports"""
        _, administration = _administration(bank_code, administration_id)
        return administration_view(administration, detail=True)


@blp.route("/banks/<bank_code>/administrations/<administration_id>/forms")
class AdministrationForms(MethodView):
    @blp.arguments(AdministrationFormsIn)
    @blp.response(200, AdministrationFormsOut)
    def post(self, data: dict[str, Any], bank_code: str, administration_id: str) -> Any:
        """Name more exported forms as delivered (assemblers and bank admins); forms
        named already are left as they are"""
        actor, administration = _administration(bank_code, administration_id)
        forms = [form.strip().upper() for form in data["forms"]]
        added = add_forms(administration, forms, actor=actor)
        return {
            "added": [form.external_id for form in added],
            "administration": administration_view(administration, detail=True),
        }


@blp.route("/banks/<bank_code>/administrations/<administration_id>/results")
class Results(MethodView):
    @blp.doc(**UPLOAD_DOC)
    @blp.response(202, JobOut)
    @blp.alt_response(413, description="the file is larger than ITEMBANK_RESULTS_MAX_BYTES")
    @blp.alt_response(415, description="not a results file: CSV, XLSX, or QTI results")
    @blp.alt_response(503, description="the job queue cannot be reached; nothing was started")
    def post(self, bank_code: str, administration_id: str) -> Any:
        """Import a results file (assemblers and bank admins)

        A CSV or XLSX file (a row per candidate, a column per item identifier of the
        exported package; see ``.../results/template.csv``) or QTI results
        (``assessmentResult`` XML, or a ZIP of them). Answers 202 with the import's job
        (``Location``: ``/api/v1/jobs/{id}``); when it ends its ``result.url`` is the
        stored import: ``completed`` (every candidate stored, every response re-scored
        by the bank, the forms analysed again) or ``rolled_back`` / ``failed`` with the
        problems by file, row and item (nothing stored). Candidate ids are kept only as
        keyed hashes.
        """
        actor, administration = _administration(bank_code, administration_id)
        require_role(actor, administration.bank, *ASSEMBLY_ROLES, doing="import results")
        name, data = read_upload(ResultLimits.from_config(current_app.config).max_bytes)
        filename = _named(name or "results", request.form.get("format"), data)
        try:
            detect_format(filename, data)
        except InvalidInput:
            raise ApiError(
                415,
                f"{filename!r} is not a results file: send CSV, XLSX, or QTI results (XML, ZIP)",
                code="unsupported_media_type",
            ) from None
        job = start_results_import(administration, actor=actor, filename=filename, data=data)
        view = job_view(job)
        return view, {"Location": view.url}

    @blp.arguments(PageQuery, location="query")
    @blp.response(200, ResultImportSummaryOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str, administration_id: str) -> Any:
        """The administration's results imports, newest first (assemblers and bank
        admins)"""
        actor, administration = _administration(bank_code, administration_id)
        per_page = query["per_page"]
        page = reads.result_import_page(
            administration, actor=actor, limit=per_page, offset=(query["page"] - 1) * per_page
        )
        return [import_view(batch) for batch in page.rows], {"X-Total-Count": str(page.total)}


MULTIPART.add("results.Results")


def _named(filename: str, fmt: str | None, data: bytes) -> str:
    """``filename`` with the extension the ``format`` field names, when it lacks it."""
    if not fmt:
        return filename
    if fmt not in RESULT_FORMATS:
        raise InvalidInput(
            f"format must be one of {', '.join(RESULT_FORMATS)}",
            [
                {
                    "field": "format",
                    "message": "Format harus qti, csv atau xlsx.",
                    "message_en": "The format must be qti, csv or xlsx.",
                }
            ],
        )
    extension = {"csv": ".csv", "xlsx": ".xlsx"}.get(fmt)
    if extension is None:  # QTI results: one document, or a ZIP of them
        extension = ".zip" if data[:2] == b"PK" else ".xml"
    return filename if filename.lower().endswith(extension) else filename + extension


@blp.route(f"/banks/<bank_code>/administrations/<administration_id>/results/<{INT_ID}:import_id>")
class ResultImportById(MethodView):
    @blp.response(200, ResultImportOut)
    def get(self, bank_code: str, administration_id: str, import_id: int) -> Any:
        """One results import with its problems and its disagreement report: per item,
        each pattern of response, delivered score and bank score that disagree, with how
        many candidates gave it (assemblers and bank admins)"""
        actor, administration = _administration(bank_code, administration_id)
        return import_view(reads.find_result_import(administration, import_id, actor=actor))


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _disagreements(
    bank_code: str, administration_id: str, import_id: int, fmt: str
) -> ResultImport:
    actor, administration = _administration(bank_code, administration_id)
    batch = reads.find_result_import(administration, import_id, actor=actor)
    record_report(
        actor,
        bank=administration.bank,
        report="disagreements",
        object_type="result_import",
        object_id=str(batch.id),
        fmt=fmt,
        administration=administration.external_id,
        via="api",
    )
    return batch


@blp.route(
    f"/banks/<bank_code>/administrations/<administration_id>/results/<{INT_ID}:import_id>"
    "/disagreements.csv"
)
class DisagreementsCsv(MethodView):
    @blp.response(200, description="one row per disagreeing pattern (UTF-8 with BOM)")
    def get(self, bank_code: str, administration_id: str, import_id: int) -> Any:
        """The disagreement report as CSV (the download is audited)"""
        batch = _disagreements(bank_code, administration_id, import_id, "csv")
        return _download(
            disagreement_csv(batch),
            "text/csv",
            f"{batch.administration.external_id}-import-{batch.id}-disagreements.csv",
        )


@blp.route(
    f"/banks/<bank_code>/administrations/<administration_id>/results/<{INT_ID}:import_id>"
    "/disagreements.xlsx"
)
class DisagreementsXlsx(MethodView):
    @blp.response(
        200, description="the disagreement report as a workbook", content_type=XLSX_MIMETYPE
    )
    def get(self, bank_code: str, administration_id: str, import_id: int) -> Any:
        """The disagreement report as XLSX (the download is audited)"""
        batch = _disagreements(bank_code, administration_id, import_id, "xlsx")
        return _download(
            disagreement_xlsx(batch),
            XLSX_MIMETYPE,
            f"{batch.administration.external_id}-import-{batch.id}-disagreements.xlsx",
        )


@blp.route("/banks/<bank_code>/administrations/<administration_id>/results/template.csv")
class ResultsTemplate(MethodView):
    @blp.arguments(TemplateQuery, location="query")
    @blp.response(200, description="the header row of a results CSV (UTF-8 with BOM)")
    def get(self, query: dict[str, Any], bank_code: str, administration_id: str) -> Any:
        """A CSV template for this administration's results: the fixed columns, a
        ``group:<name>`` column per ``group`` asked for, and per item of its forms the
        response column and its ``:score`` column (assemblers and bank admins)"""
        actor, administration = _administration(bank_code, administration_id)
        require_role(actor, administration.bank, *ASSEMBLY_ROLES, doing="import results")
        host = plugins()
        scorers = [form_scorer(form, host) for form in administration.forms]
        data = template_csv(scorers, groups=list(dict.fromkeys(query["group"])))
        return _download(data, "text/csv", f"{administration.external_id}-results-template.csv")
