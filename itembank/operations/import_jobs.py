"""Imports as background jobs: the web and the API start them; a worker runs them.

:func:`start_import` checks what can be checked at once (the right to import, the mode,
that some importer reads the file) and queues a job holding the file; the ``import``
job kind runs :func:`itembank.operations.imports.run_import` with the job's progress
and cancel checks, and links the stored batch (the report) as its result.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from itembank.importing import ImportLimits, ImportSource
from itembank.jobs.operations import start_job
from itembank.jobs.registry import JobKind, JobResult, register_kind
from itembank.jobs.runner import JobContext, JobFailed
from itembank.models import Bank, Job, User
from itembank.operations.duties import require_writer
from itembank.operations.imports import Mode, choose_importer, parse_mode, run_import
from itembank.plugins import PluginHost, plugins

KIND = "import"

#: The import's phases as the progress bar names them.
PHASES: dict[str, tuple[str, str]] = {
    "read": ("Membaca berkas", "Reading the file"),
    "check": ("Memeriksa soal", "Checking items"),
    "write": ("Menyimpan soal", "Saving items"),
}


def start_import(
    bank: Bank,
    *,
    actor: User,
    host: PluginHost,
    filename: str,
    data: bytes,
    mode: Mode | str = Mode.STRICT,
    importer_id: str | None = None,
    skip_duplicates: bool = False,
) -> Job:
    """Queue an import of ``data`` into ``bank``; refused at once (nothing queued) when
    the actor may not import, the mode is unknown or no importer reads the file."""
    require_writer(actor, bank, doing="import items")
    mode = parse_mode(mode) if isinstance(mode, str) else mode
    importer = choose_importer(host, ImportSource(filename=filename[:255], data=data), importer_id)
    return start_job(
        KIND,
        bank=bank,
        actor=actor,
        params={
            "filename": filename[:255],
            "mode": mode.value,
            "importer": importer.id,
            "skip_duplicates": bool(skip_duplicates),
        },
        files=[(filename, data)],
    )


def _run(context: JobContext) -> JobResult:
    files = context.files()
    if len(files) != 1:
        raise JobFailed(
            "Berkas impor tidak ditemukan pada pekerjaan ini.",
            "The job holds no file to import.",
        )
    filename, data = files[0]

    def progress(phase: str, done: int, total: int) -> None:
        message, message_en = PHASES.get(phase, (phase, phase))
        context.progress(done, total, message, message_en)

    batch = run_import(
        context.bank,
        actor=context.actor,
        plugins=plugins(),
        filename=filename,
        data=data,
        mode=context.params.get("mode", Mode.STRICT.value),
        importer_id=context.params.get("importer") or None,
        limits=ImportLimits.from_config(current_app.config),
        progress=progress,
        read_apart=True,
        skip_duplicates=bool(context.params.get("skip_duplicates", False)),
    )
    summary: dict[str, Any] = {
        "status": batch.status,
        "total": batch.items_total,
        "created": batch.items_created,
        "updated": batch.items_updated,
        "unchanged": batch.items_unchanged,
        "rejected": batch.items_rejected,
        "errors": batch.errors,
        "warnings": batch.warnings,
    }
    return JobResult("import_batch", batch.id, summary)


register_kind(JobKind(KIND, "Impor soal", "Item import", _run))
