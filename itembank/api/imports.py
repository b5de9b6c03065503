"""Imports: upload a file of items (multipart ``file``), read the stored reports, download
a report as CSV and templates to fill in."""

from __future__ import annotations

import csv
import io
from typing import Any

import marshmallow as ma
from flask import Response, current_app, request, url_for
from flask.views import MethodView
from marshmallow import fields, validate

from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import INT_ID, MULTIPART, Extended, make_blueprint, read_upload
from itembank.api.errors import ApiError
from itembank.api.jobs import JobOut, job_view
from itembank.importing import ImportLimits, ImportSource
from itembank.operations.import_jobs import start_import
from itembank.operations.import_reports import (
    get_import,
    import_template,
    list_imports,
    report_rows,
)
from itembank.operations.imports import Mode
from itembank.plugins import plugins

blp = make_blueprint("imports", "Importing items from spreadsheets and packages, with reports.")

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "mode": {"type": "string", "enum": [m.value for m in Mode]},
                        "importer": {"type": "string"},
                        "skip_duplicates": {
                            "type": "boolean",
                            "description": "leave out exact copies of the bank's items",
                        },
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


class ImportCountsOut(ma.Schema):
    total = fields.Integer(attribute="items_total")
    created = fields.Integer(attribute="items_created")
    updated = fields.Integer(attribute="items_updated")
    unchanged = fields.Integer(attribute="items_unchanged")
    rejected = fields.Integer(attribute="items_rejected")


class ImportOut(ma.Schema):
    id = fields.Integer()
    url = fields.String()
    report_csv_url = fields.String()
    bank = fields.Function(lambda b: b.bank.code)
    actor = fields.Function(lambda b: b.actor.username)
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    importer = fields.String()
    mode = fields.String(metadata={"enum": [m.value for m in Mode]})
    status = fields.String(
        metadata={
            "enum": ["completed", "rolled_back", "failed"],
            "description": "completed: the valid items were imported; rolled_back: strict "
            "mode found problems and imported nothing; failed: the file could not be read "
            "or saving failed, nothing was imported",
        }
    )
    created_at = fields.DateTime()
    finished_at = fields.DateTime()
    items = fields.Function(lambda b: ImportCountsOut().dump(b))
    errors = fields.Integer()
    warnings = fields.Integer()


class ImportEntryOut(ma.Schema):
    file = fields.String()
    item = fields.String(
        attribute="item_ref", metadata={"description": "row number, or the item's identifier"}
    )
    column = fields.String(attribute="column_name")
    severity = fields.String(metadata={"enum": ["error", "warning", "info"]})
    outcome = fields.String(
        metadata={
            "description": "for the entry that concludes an item: created, new_version, "
            "draft_updated, unchanged, rejected or not_imported; else empty"
        }
    )
    message = fields.String(metadata={"description": "in Indonesian"})
    message_en = fields.String()
    item_id = fields.Function(
        lambda e: e.item.external_id if e.item is not None else None,
        metadata={"description": "the item it became (null if none)"},
        allow_none=True,
    )
    version = fields.Integer(attribute="version_number", allow_none=True)


class ImportDetailOut(ImportOut):
    entries = fields.List(fields.Nested(ImportEntryOut))


class ImportListQuery(ma.Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class TemplateQuery(ma.Schema):
    format = fields.String(load_default="xlsx", validate=validate.OneOf(["xlsx", "csv"]))


def batch_view(batch: Any) -> Extended:
    code = batch.bank.code
    return Extended(
        batch,
        url=url_for("imports.ImportById", bank_code=code, import_id=batch.id),
        report_csv_url=url_for("imports.ImportReportCsv", bank_code=code, import_id=batch.id),
    )


@blp.route("/banks/<bank_code>/imports")
class Imports(MethodView):
    @blp.doc(**UPLOAD_DOC)
    @blp.response(202, JobOut)
    @blp.alt_response(413, description="the file is larger than ITEMBANK_IMPORT_MAX_BYTES")
    @blp.alt_response(415, description="no importer reads this kind of file")
    @blp.alt_response(503, description="the job queue cannot be reached; nothing was started")
    def post(self, bank_code: str) -> Any:
        """Import items from an XLSX, CSV or QTI file (authors and bank admins)

        Answers 202 with the import's job (``Location``: ``/api/v1/jobs/{id}``); follow
        it until it ends, then read its ``result.url``: the stored report, which says per
        row and column what was imported and why not. Every row becomes a draft: a new
        item, or a new draft version of the item named in its ``id_soal`` column.
        ``mode=strict`` (the default) imports nothing if anything is wrong;
        ``valid_only`` imports the valid rows. Cancelling the job imports nothing.
        New items that copy or come close to an item of the bank, and a file imported
        before, are warnings in the report; ``skip_duplicates=true`` leaves exact copies
        out.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        name, data = read_upload(ImportLimits.from_config(current_app.config).max_bytes)
        filename = name or "upload"
        importer_id = request.form.get("importer") or None
        host = plugins()
        if importer_id is None and host.importer_for(ImportSource(filename, data)) is None:
            accepted = sorted({ext for imp in host.importers.values() for ext in imp.extensions})
            raise ApiError(
                415,
                f"no importer reads {filename!r}; send one of: {', '.join(accepted)}",
                code="unsupported_media_type",
            )
        job = start_import(
            bank,
            actor=actor,
            host=host,
            filename=filename,
            data=data,
            mode=request.form.get("mode") or Mode.STRICT.value,
            importer_id=importer_id,
            skip_duplicates=request.form.get("skip_duplicates", "").lower() in ("1", "true", "on"),
        )
        view = job_view(job)
        return view, {"Location": view.url}

    @blp.arguments(ImportListQuery, location="query")
    @blp.response(200, ImportOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's imports, newest first (bank admins: all; authors: their own)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        per_page = query["per_page"]
        batches = list_imports(
            bank, actor=actor, limit=per_page, offset=(query["page"] - 1) * per_page
        )
        return [batch_view(batch) for batch in batches]


MULTIPART.add("imports.Imports")


@blp.route(f"/banks/<bank_code>/imports/<{INT_ID}:import_id>")
class ImportById(MethodView):
    @blp.response(200, ImportDetailOut)
    def get(self, bank_code: str, import_id: int) -> Any:
        """One import with its full report"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return batch_view(get_import(bank, import_id, actor=actor))


@blp.route(f"/banks/<bank_code>/imports/<{INT_ID}:import_id>/report.csv")
class ImportReportCsv(MethodView):
    @blp.response(200, description="the report as CSV (UTF-8 with BOM)")
    def get(self, bank_code: str, import_id: int) -> Any:
        """Download an import's report as CSV"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        batch = get_import(bank, import_id, actor=actor)
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerows(report_rows(batch))
        response = Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), mimetype="text/csv")
        response.headers["Content-Disposition"] = (
            f'attachment; filename="import-{batch.id}-report.csv"'
        )
        return response


@blp.route("/banks/<bank_code>/import-templates/<type_id>")
class ImportTemplate(MethodView):
    @blp.arguments(TemplateQuery, location="query")
    @blp.response(200, description="the template file (XLSX or CSV)")
    def get(self, query: dict[str, Any], bank_code: str, type_id: str) -> Any:
        """A spreadsheet template for an item type, with the bank's taxonomy codes (any member)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        template = import_template(bank, type_id, query["format"], actor=actor, plugins=plugins())
        response = Response(template.data, mimetype=template.mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{template.filename}"'
        return response
