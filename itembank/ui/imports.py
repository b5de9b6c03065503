"""Imports: upload a file of items (XLSX, CSV, QTI zip or XML) in strict or valid-only
mode, read the stored report in the user's language, download it as CSV, download a
template per item type, and list past imports.

The import runs as a background job (:func:`itembank.operations.import_jobs.start_import`):
the upload is checked at once (the right to import, the file's size, that some importer
reads it) and answered with the job's page (:mod:`itembank.ui.jobs`), which shows the
progress and then links the report. The page's script (``static/js/import.js``) sends
the file in the background, shows the upload's progress, refuses a second submit and
then follows to the job's page; without the script the form posts normally. Imports
still waiting or running are listed on the page, so leaving it loses nothing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from itembank.api.common import INT_ID
from itembank.errors import DomainError, InvalidInput, Unavailable
from itembank.extensions import db
from itembank.importing import ImportLimits
from itembank.jobs.operations import list_jobs
from itembank.models import Bank, ImportBatch, Job, JobStatus, Role, User
from itembank.operations.accounts import get_bank
from itembank.operations.duties import may_write
from itembank.operations.import_jobs import KIND as IMPORT_KIND
from itembank.operations.import_jobs import start_import
from itembank.operations.import_reports import (
    get_import,
    import_template,
    list_imports,
    report_rows,
)
from itembank.operations.imports import Mode
from itembank.plugins import plugins
from itembank.ui import jobs, nav
from itembank.ui.assembly import choose_bank, holds_any
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.errors import domain_status, explain
from itembank.ui.i18n import error_text, pick, problem_text
from itembank.ui.i18n import gettext as _

IMPORTERS = (Role.AUTHOR, Role.BANK_ADMIN)
LISTED = 50


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _accepted() -> list[str]:
    return sorted({ext for imp in plugins().importers.values() for ext in imp.extensions})


def _templates(bank: Bank) -> list[dict[str, Any]]:
    formats = sorted({f for imp in plugins().importers.values() for f in imp.template_formats})
    return [
        {
            "id": item_type.id,
            "label": pick(item_type.label),
            "links": [
                (
                    fmt.upper(),
                    url_for("ui.import_template", code=bank.code, type_id=item_type.id, format=fmt),
                )
                for fmt in formats
            ],
        }
        for item_type in sorted(plugins().item_types.values(), key=lambda t: pick(t.label))
    ]


def _unfinished_imports(bank: Bank, user: User) -> list[Job]:
    """The bank's import jobs still waiting or running that ``user`` may see."""
    unfinished = [
        job
        for status in (JobStatus.RUNNING, JobStatus.QUEUED)
        for job in list_jobs(bank, actor=user, kind=IMPORT_KIND, status=status, limit=LISTED).jobs
    ]
    return sorted(unfinished, key=lambda job: (job.created_at, job.id), reverse=True)


def _imports_page(
    bank: Bank, *, problems: list[str] | None = None, mode: str = "", status: int = 200
) -> ResponseReturnValue:
    user = actor()
    batches = list_imports(bank, actor=user, limit=LISTED)
    unfinished = [jobs.job_view(job) for job in _unfinished_imports(bank, user)]
    limits = ImportLimits.from_config(current_app.config)
    return page(
        "imports.html",
        status,
        bank=bank,
        batches=batches,
        unfinished=unfinished,
        problems=problems or [],
        mode=mode or Mode.STRICT.value,
        accepted=_accepted(),
        max_mb=max(1, limits.max_bytes // (1024 * 1024)),
        templates=_templates(bank),
        can_import=may_write(user, bank),
    )


@bp.get("/imports")
@login_required
def imports_home() -> ResponseReturnValue:
    return choose_bank(actor(), IMPORTERS, "ui.imports", _("Imports"))


@bp.get("/banks/<code>/imports")
@login_required
def imports(code: str) -> ResponseReturnValue:
    return _imports_page(get_bank(code))


def _refuse(bank: Bank, messages: list[str], status: int, mode: str) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(error=" ".join(messages)), status
    return _imports_page(bank, problems=messages, mode=mode, status=status)


@bp.post("/banks/<code>/imports")
@login_required
def upload_import(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    mode = request.form.get("mode") or Mode.STRICT.value
    try:
        # The role first: a reviewer learns they may not import before uploading.
        list_imports(bank, actor=user, limit=1)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _refuse(bank, [_("Choose a file to import.")], 422, mode)
        limits = ImportLimits.from_config(current_app.config)
        data = upload.stream.read(limits.max_bytes + 1)
        if len(data) > limits.max_bytes:
            return _refuse(
                bank,
                [
                    _(
                        "The file is larger than %(mb)d MB; split it into smaller files.",
                        mb=max(1, limits.max_bytes // (1024 * 1024)),
                    )
                ],
                413,
                mode,
            )
        job = start_import(
            bank,
            actor=user,
            host=plugins(),
            filename=upload.filename,
            data=data,
            mode=mode,
            skip_duplicates=request.form.get("skip_duplicates") == "1",
        )
    except InvalidInput as exc:
        db.session.rollback()
        return _refuse(
            bank, [problem_text(p) for p in exc.problems] or [error_text(exc)], 422, mode
        )
    except Unavailable as exc:
        # The job queue is down: the job was recorded as failed, nothing was imported.
        db.session.rollback()
        return _refuse(bank, [explain(exc)], domain_status(exc), mode)
    except DomainError as exc:
        db.session.rollback()
        if not _wants_json():
            raise
        return jsonify(error=explain(exc)), domain_status(exc)
    commit()
    url = url_for("ui.job", job_id=job.id)
    if _wants_json():
        return jsonify(url=url, job=job.id, status=job.status), 202
    return redirect_to(url)


OUTCOMES = {
    "created": lambda: _("created"),
    "new_version": lambda: _("new version"),
    "draft_updated": lambda: _("draft updated"),
    "unchanged": lambda: _("unchanged"),
    "rejected": lambda: _("rejected"),
    "not_imported": lambda: _("not imported"),
}
SEVERITIES = {
    "error": lambda: _("error"),
    "warning": lambda: _("warning"),
    "info": lambda: _("note"),
}
STATUSES = {
    "completed": lambda: _("completed"),
    "rolled_back": lambda: _("nothing imported (strict mode)"),
    "failed": lambda: _("failed"),
}


def _label(table: dict[str, Any], key: str) -> str:
    return table[key]() if key in table else key


@bp.get(f"/banks/<code>/imports/<{INT_ID}:import_id>")
@login_required
def import_report(code: str, import_id: int) -> ResponseReturnValue:
    bank = get_bank(code)
    batch: ImportBatch = get_import(bank, import_id, actor=actor())
    return page(
        "import.html",
        bank=bank,
        batch=batch,
        outcome_label=lambda key: _label(OUTCOMES, key),
        severity_label=lambda key: _label(SEVERITIES, key),
        status_text=_label(STATUSES, batch.status),
        mode_label=_("strict") if batch.mode == Mode.STRICT.value else _("valid items only"),
    )


@bp.get(f"/banks/<code>/imports/<{INT_ID}:import_id>/report.csv")
@login_required
def import_report_csv(code: str, import_id: int) -> ResponseReturnValue:
    bank = get_bank(code)
    batch = get_import(bank, import_id, actor=actor())
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(report_rows(batch))
    response = Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="import-{batch.id}-report.csv"'
    return response


@bp.get("/banks/<code>/import-templates/<type_id>", endpoint="import_template")
@login_required
def template_download(code: str, type_id: str) -> ResponseReturnValue:
    """A template to fill in for an item type, with the bank's taxonomy codes."""
    bank = get_bank(code)
    fmt = request.args.get("format", "xlsx")
    template = import_template(bank, type_id, fmt, actor=actor(), plugins=plugins())
    response = Response(template.data, mimetype=template.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{template.filename}"'
    return response


def _summary(job: Job) -> str:
    """An import job's result in a line: the batch's outcome and its counts."""
    counts = job.result_summary or {}
    outcome = _label(STATUSES, str(counts.get("status", "")))
    numbers = _(
        "%(created)d new, %(updated)d updated, %(rejected)d rejected of %(total)d",
        created=int(counts.get("created", 0)),
        updated=int(counts.get("updated", 0)),
        rejected=int(counts.get("rejected", 0)),
        total=int(counts.get("total", 0)),
    )
    return f"{outcome[:1].upper()}{outcome[1:]}: {numbers}" if outcome else numbers


jobs.add_kind_page(
    IMPORT_KIND,
    lambda job: url_for("ui.imports", code=job.bank.code),
    lambda: _("Back to imports"),
    subject=lambda job: str((job.params or {}).get("filename") or ""),
)
jobs.add_result_page(
    "import_batch",
    lambda job: url_for("ui.import_report", code=job.bank.code, import_id=job.result_id),
    lambda: _("Open the import report"),
    summary=_summary,
)

nav.add(
    "ui.imports_home",
    lambda: _("Imports"),
    prefixes=("/imports", "/banks/*/imports"),
    visible=holds_any(IMPORTERS),
    order=50,
)
