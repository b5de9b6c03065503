"""Background jobs: follow one (progress, result, error), list a bank's, cancel one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import url_for
from flask.views import MethodView
from marshmallow import fields, validate

from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import INT_ID, Extended, make_blueprint
from itembank.extensions import db
from itembank.jobs.operations import cancel_job, get_job, list_jobs
from itembank.models import CalibrationRun, Job, JobStatus, ResultImport

blp = make_blueprint(
    "jobs", "Background jobs: imports, assembly, results imports and calibrations."
)


def _result_import_url(job: Job) -> str:
    batch = db.session.get(ResultImport, job.result_id)
    if batch is None:  # deleted with its administration
        return ""
    return url_for(
        "results.ResultImportById",
        bank_code=job.bank.code,
        administration_id=batch.administration.external_id,
        import_id=batch.id,
    )


def _calibration_url(job: Job) -> str:
    run = db.session.get(CalibrationRun, job.result_id)
    if run is None:
        return ""
    return url_for(
        "statistics.CalibrationById", bank_code=job.bank.code, calibration_id=run.external_id
    )


#: Where each kind of result is read, by ``result_type``.
RESULT_URLS: dict[str, Callable[[Job], str]] = {
    "import_batch": lambda job: url_for(
        "imports.ImportById", bank_code=job.bank.code, import_id=job.result_id
    ),
    "assembly_run": lambda job: url_for(
        "assembly.RunById", bank_code=job.bank.code, run_id=job.result_id
    ),
    "result_import": _result_import_url,
    "calibration_run": _calibration_url,
}

STATUSES = [s.value for s in JobStatus]


class ProgressOut(ma.Schema):
    done = fields.Integer(attribute="progress_done")
    total = fields.Integer(
        attribute="progress_total", metadata={"description": "0 while not yet known"}
    )
    message = fields.String(metadata={"description": "the current step, in Indonesian"})
    message_en = fields.String()


class ResultOut(ma.Schema):
    type = fields.String(attribute="result_type", metadata={"description": "e.g. import_batch"})
    id = fields.Integer(attribute="result_id")
    url = fields.String(attribute="result_url")
    summary = fields.Dict(attribute="result_summary")


class JobOut(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    cancel_url = fields.String()
    kind = fields.String(metadata={"description": "import"})
    bank = fields.Function(lambda j: j.bank.code)
    actor = fields.Function(lambda j: j.actor.username)
    status = fields.String(
        metadata={
            "enum": STATUSES,
            "description": "queued: waiting for a worker; running; succeeded: see result; "
            "failed: see error (nothing was saved); cancelled: stopped before it saved "
            "anything",
        }
    )
    progress = fields.Function(lambda j: ProgressOut().dump(j))
    result = fields.Function(
        lambda j: ResultOut().dump(j) if j.result_type else None,
        allow_none=True,
        metadata={"description": "what the job produced (null until it succeeds)"},
    )
    error = fields.String(metadata={"description": "why it failed, in Indonesian"})
    error_en = fields.String()
    cancel_requested = fields.Boolean()
    cancelled_by = fields.Function(
        lambda j: j.cancelled_by.username if j.cancelled_by else None, allow_none=True
    )
    attempts = fields.Integer()
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)


class JobListQuery(ma.Schema):
    kind = fields.String(validate=validate.Length(max=32))
    status = fields.String(validate=validate.OneOf(STATUSES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


def job_view(job: Job) -> Extended:
    to_result = RESULT_URLS.get(job.result_type)
    return Extended(
        job,
        url=url_for("jobs.JobById", job_id=job.id),
        cancel_url=url_for("jobs.JobCancel", job_id=job.id),
        result_url=to_result(job) if to_result and job.result_id is not None else None,
    )


@blp.route(f"/jobs/<{INT_ID}:job_id>")
class JobById(MethodView):
    @blp.response(200, JobOut)
    def get(self, job_id: int) -> Any:
        """One job: its status, progress, result or error (its starter and bank admins)"""
        return job_view(get_job(job_id, actor=current_user()))


@blp.route(f"/jobs/<{INT_ID}:job_id>/cancel")
class JobCancel(MethodView):
    @blp.response(200, JobOut)
    def post(self, job_id: int) -> Any:
        """Cancel a job: a queued one never starts, a running one stops at its next
        checkpoint and saves nothing (409 once it has ended)"""
        actor = current_user()
        return job_view(cancel_job(get_job(job_id, actor=actor), actor=actor))


@blp.route("/banks/<bank_code>/jobs")
class BankJobs(MethodView):
    @blp.arguments(JobListQuery, location="query")
    @blp.response(200, JobOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's jobs, newest first (bank admins: all; others: their own)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        per_page = query["per_page"]
        page = list_jobs(
            bank,
            actor=actor,
            kind=query.get("kind"),
            status=query.get("status"),
            limit=per_page,
            offset=(query["page"] - 1) * per_page,
        )
        return [job_view(job) for job in page.jobs], {"X-Total-Count": str(page.total)}
