"""Automated assembly as a background job (kind ``assembly``).

:func:`start_assembly` checks at once what can be checked (the role, the settings, the
size) and queues the job; the job reads the pool without holding SQLite's write lock,
runs the core with the job's progress (Indonesian and English) and cancel check, and
stores the run (:class:`itembank.models.AssemblyRun`) as its result. Nothing else is
created until someone accepts the run.
"""

from __future__ import annotations

from typing import Any

from itembank import assembly as core
from itembank.errors import InvalidInput, NotFound
from itembank.extensions import db, reading_phase
from itembank.jobs.operations import start_job
from itembank.jobs.registry import JobKind, JobResult, register_kind
from itembank.jobs.runner import JobContext, JobFailed, JobStopped
from itembank.models import Bank, Blueprint, Job, User
from itembank.operations.assembly import check_request, prepare_run, record_run, solve
from itembank.operations.blueprints import get_blueprint
from itembank.plugins import plugins

KIND = "assembly"
RESULT_TYPE = "assembly_run"

#: The core's progress messages (English) in Indonesian.
MESSAGES: dict[str, str] = {
    "Checking supply against demand": "Memeriksa persediaan butir terhadap kebutuhan",
    "Computing the LP bound": "Menghitung batas LP",
    "Choosing the items of all forms together": "Memilih butir untuk semua paket sekaligus",
    "Dividing the items into forms": "Membagi butir ke dalam paket",
    "Solving the whole model": "Menyelesaikan model utuh",
    "Ordering sections and computing statistics": "Mengurutkan bagian dan menghitung statistik",
    "Done": "Selesai",
}


def indonesian(message_en: str) -> str:
    for english, text in MESSAGES.items():
        if message_en.startswith(english):
            return text + message_en[len(english) :]
    return message_en


def start_assembly(bank: Bank, blueprint: Blueprint, raw: Any, *, actor: User) -> Job:
    """Queue an assembly of ``blueprint``'s forms; refused at once (nothing queued) for
    a role the actor lacks or settings out of bounds."""
    request = check_request(bank, blueprint, raw, actor=actor)
    return start_job(
        KIND, bank=bank, actor=actor, params={"blueprint": blueprint.code, "request": request}
    )


def _run(context: JobContext) -> JobResult:
    context.progress(0, 5, "Membaca bank butir", "Reading the item bank")
    with reading_phase():
        try:
            blueprint = get_blueprint(
                context.bank, context.params["blueprint"], actor=context.actor
            )
            prepared = prepare_run(
                context.bank,
                blueprint,
                context.params.get("request") or {},
                actor=context.actor,
                plugins=plugins(),
            )
        except NotFound:
            raise JobFailed(
                f"Kisi-kisi {context.params.get('blueprint')} tidak ditemukan lagi.",
                f"Blueprint {context.params.get('blueprint')} no longer exists.",
            ) from None
        except InvalidInput as exc:
            lines = exc.problems or [{"message": exc.message, "message_en": exc.message}]
            raise JobFailed(
                "; ".join(p["message"] for p in lines), "; ".join(p["message_en"] for p in lines)
            ) from None
        blueprint_id = blueprint.id
        db.session.commit()

    stopped: list[JobStopped] = []

    def cancel() -> bool:
        try:
            context.checkpoint()
        except JobStopped as stop:
            stopped.append(stop)
            return True
        return False

    def progress(done: int, total: int, message_en: str) -> None:
        context.progress(done, total, indonesian(message_en), message_en)

    try:
        outcome = solve(prepared, progress=progress, cancel=cancel)
    except core.Cancelled:
        if stopped:
            raise stopped[0] from None
        raise
    if stopped:
        raise stopped[0]
    blueprint = db.session.get(Blueprint, blueprint_id)
    assert blueprint is not None
    run = record_run(
        context.bank, blueprint, prepared, outcome, actor=context.actor, job_id=context.job_id
    )
    summary = {"status": run.status, "forms": len(run.forms), "gap": run.gap}
    return JobResult(RESULT_TYPE, run.id, summary)


register_kind(JobKind(KIND, "Perakitan otomatis", "Automated assembly", _run))
