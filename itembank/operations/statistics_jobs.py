"""Results imports (kind ``results_import``) and IRT calibrations (kind
``calibration``) as background jobs.

:func:`start_results_import` checks at once what can be checked (the role, the size,
that the file is of a results format, that the administration names delivered forms)
and queues a job holding the file; the job runs
:func:`itembank.operations.results.import_results` with the job's progress and links
the stored import (its report) as its result.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from itembank.access import require_role
from itembank.errors import InvalidInput
from itembank.extensions import db, reading_phase
from itembank.jobs.operations import start_job
from itembank.jobs.registry import JobKind, JobResult, register_kind
from itembank.jobs.runner import JobContext, JobFailed
from itembank.models import Administration, Bank, Job, User
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.calibration import check_calibration_request, run_calibration
from itembank.operations.result_readers import ResultLimits
from itembank.operations.results import detect_format, import_results, results_secret
from itembank.plugins import plugins

KIND = "results_import"
RESULT_TYPE = "result_import"

PHASES: dict[str, tuple[str, str]] = {
    "read": ("Membaca dan menilai ulang hasil", "Reading and re-scoring the results"),
    "write": ("Menyimpan hasil", "Saving the results"),
    "analyse": ("Menghitung statistik butir", "Computing item statistics"),
}


def start_results_import(
    administration: Administration, *, actor: User, filename: str, data: bytes
) -> Job:
    """Queue an import of ``data`` into ``administration``; refused at once (nothing
    queued) for a role the actor lacks, a file too large or of no results format, or
    an administration that names no delivered form."""
    bank = administration.bank
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="import results")
    limits = ResultLimits.from_config(current_app.config)
    if len(data) > limits.max_bytes:
        raise InvalidInput(
            f"the file is {len(data)} bytes; at most {limits.max_bytes} are allowed",
            [
                {
                    "field": "file",
                    "message": f"Berkas {len(data)} bajt; paling besar {limits.max_bytes}.",
                    "message_en": f"The file is {len(data)} bytes; at most "
                    f"{limits.max_bytes} are allowed.",
                }
            ],
        )
    detect_format(filename, data)
    if not administration.forms:
        raise InvalidInput(
            f"administration {administration.external_id} names no delivered form",
            [
                {
                    "field": "administration",
                    "message": "Pelaksanaan ini belum menyebut paket yang dilaksanakan.",
                    "message_en": "This administration names no delivered form yet.",
                }
            ],
        )
    return start_job(
        KIND,
        bank=bank,
        actor=actor,
        params={"administration": administration.external_id, "filename": filename[:255]},
        files=[(filename[:255], data)],
    )


def _run(context: JobContext) -> JobResult:
    files = context.files()
    if len(files) != 1:
        raise JobFailed(
            "Berkas hasil tidak ditemukan pada pekerjaan ini.",
            "The job holds no results file.",
        )
    filename, data = files[0]
    external_id = context.params.get("administration", "")
    with reading_phase():  # the import reads apart: no write lock until it writes
        administration = db.session.scalar(
            db.select(Administration).where(
                Administration.bank_id == context.bank.id,
                Administration.external_id == external_id,
            )
        )
    if administration is None:
        raise JobFailed(
            f"Pelaksanaan {external_id} tidak ditemukan lagi.",
            f"Administration {external_id} no longer exists.",
        )

    def progress(phase: str, done: int, total: int) -> None:
        message, message_en = PHASES.get(phase, (phase, phase))
        context.progress(done, total, message, message_en)

    batch = import_results(
        administration,
        actor=context.actor,
        plugins=plugins(),
        filename=filename,
        data=data,
        secret=results_secret(current_app.config),
        limits=ResultLimits.from_config(current_app.config),
        progress=progress,
        job_id=context.job_id,
        read_apart=True,
    )
    summary: dict[str, Any] = {
        "status": batch.status,
        "candidates": batch.candidates,
        "responses": batch.responses,
        "disagreements": batch.disagreements,
        "problems": batch.problems_total,
    }
    return JobResult(RESULT_TYPE, batch.id, summary)


register_kind(JobKind(KIND, "Impor hasil tes", "Results import", _run))

CALIBRATION_KIND = "calibration"
CALIBRATION_RESULT_TYPE = "calibration_run"


def start_calibration(bank: Bank, raw: Any, *, actor: User) -> Job:
    """Queue a calibration; refused at once for a role the actor lacks or a request
    out of bounds (:func:`check_calibration_request`)."""
    request = check_calibration_request(bank, raw, actor=actor)
    return start_job(
        CALIBRATION_KIND, bank=bank, actor=actor, params={"request": request.as_dict()}
    )


def _run_calibration(context: JobContext) -> JobResult:
    try:
        request = check_calibration_request(
            context.bank, context.params.get("request") or {}, actor=context.actor
        )
    except InvalidInput as exc:
        lines = exc.problems or [{"message": exc.message, "message_en": exc.message}]
        raise JobFailed(
            "; ".join(p["message"] for p in lines), "; ".join(p["message_en"] for p in lines)
        ) from None
    run = run_calibration(
        context.bank, request, actor=context.actor, progress=context.progress, job_id=context.job_id
    )
    summary = {
        "status": run.status,
        "items": run.items,
        "candidates": run.candidates,
        "converged": run.summary.get("converged"),
        "scale": run.scale,
    }
    return JobResult(CALIBRATION_RESULT_TYPE, run.id, summary)


register_kind(JobKind(CALIBRATION_KIND, "Kalibrasi IRT", "IRT calibration", _run_calibration))
