"""Blueprints (kisi-kisi), test forms (paket soal), their validation reports and answer
keys, and enemy pairs.

Form edits return the form with an ``ETag`` (``"f<revision>"``); send it back as
``If-Match`` to have an edit refused (412) when someone changed the form since. Without
``If-Match`` an edit applies to the current form.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView

from itembank.answer_key import answer_key
from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import INT_ID, Extended, make_blueprint
from itembank.api.errors import ApiError
from itembank.api.form_schemas import (
    AddedEntryOut,
    AnswerKeyOut,
    BlueprintIn,
    BlueprintOut,
    BlueprintSummaryOut,
    CloneIn,
    EnemyIn,
    EnemyOut,
    EnemyQuery,
    EntryIn,
    EntryOut,
    EntryPatchIn,
    ExportIn,
    FormCreateIn,
    FormListQuery,
    FormOut,
    FormPatchIn,
    FormSummaryOut,
    LockOut,
    OrderIn,
    ReportOut,
    RowFillOut,
    SeveralEntriesIn,
)
from itembank.errors import NotFound
from itembank.models import Form
from itembank.operations import blueprints as bp_ops
from itembank.operations import enemies, form_fill, form_order, reads
from itembank.operations import forms as form_ops
from itembank.operations.blueprints import BlueprintSchema
from itembank.operations.export import export_form
from itembank.plugins import plugins

blp = make_blueprint("forms", "Blueprints (kisi-kisi), test forms (paket soal), enemy pairs.")

ETAG_DOC = {
    "ETag": {"description": "the form's revision, for If-Match", "schema": {"type": "string"}}
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "the form's ETag the edit is based on (412 when it changed since)",
}


def form_etag(form: Form) -> str:
    return f'"f{form.revision}"'


def _base_revision(form: Form) -> int | None:
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    for candidate in (part.strip() for part in header.split(",")):
        tag = candidate.removeprefix("W/").strip('"')
        if tag.startswith("f") and tag[1:].isdigit() and len(tag) < 12:
            return int(tag[1:])
    raise ApiError(
        412,
        f"If-Match {header} is not an ETag of form {form.external_id} "
        f"(current: {form_etag(form)}); reload it",
        code="stale_edit",
        current_etag=form_etag(form),
    )


def form_view(form: Form) -> Extended:
    number = 0
    sections = []
    for section in form.sections:
        entries = []
        for entry in section.entries:
            number += 1
            entries.append(Extended(entry, number=number))
        sections.append({"position": section.position, "title": section.title, "entries": entries})
    return Extended(form, sections=sections)


def _form_response(form: Form, status_extra: dict[str, Any] | None = None) -> Any:
    return form_view(form), {"ETag": form_etag(form), **(status_extra or {})}


def _blueprint_view(blueprint: Any) -> dict[str, Any]:
    return {
        **bp_ops.blueprint_document(blueprint),
        "revision": blueprint.revision,
        "created_by": blueprint.created_by.username,
        "created_at": blueprint.created_at,
        "updated_by": blueprint.updated_by.username,
        "updated_at": blueprint.updated_at,
        "forms": bp_ops.forms_using(blueprint),
    }


# -- blueprints ----------------------------------------------------------------------------


@blp.route("/banks/<bank_code>/blueprints")
class Blueprints(MethodView):
    @blp.response(200, BlueprintSummaryOut(many=True))
    def get(self, bank_code: str) -> Any:
        """The bank's blueprints (any member)"""
        actor = current_user()
        return bp_ops.list_blueprints(visible_bank(bank_code, actor), actor=actor)

    @blp.arguments(BlueprintIn)
    @blp.response(201, BlueprintOut)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Create a blueprint (assemblers and bank admins)

        ``total_length`` must equal the sum of the rows' counts; ``item_types`` empty
        allows any type; ``points`` is the maximum score each item of the row is worth.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        blueprint = bp_ops.create_blueprint(bank, data, actor=actor, plugins=plugins())
        location = url_for(
            "forms.BlueprintByCode", bank_code=bank.code, blueprint_code=blueprint.code
        )
        return _blueprint_view(blueprint), {"Location": location}


@blp.route("/banks/<bank_code>/blueprints/<blueprint_code>")
class BlueprintByCode(MethodView):
    @blp.response(200, BlueprintOut)
    def get(self, bank_code: str, blueprint_code: str) -> Any:
        """A blueprint with its sections and rows (any member)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return _blueprint_view(bp_ops.get_blueprint(bank, blueprint_code, actor=actor))

    @blp.arguments(BlueprintSchema)
    @blp.response(200, BlueprintOut)
    def put(self, data: dict[str, Any], bank_code: str, blueprint_code: str) -> Any:
        """Replace a blueprint (assemblers and bank admins); refused (409) once a form
        uses it"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        blueprint = bp_ops.get_blueprint(bank, blueprint_code, actor=actor)
        return _blueprint_view(
            bp_ops.update_blueprint(blueprint, data, actor=actor, plugins=plugins())
        )

    @blp.response(204)
    def delete(self, bank_code: str, blueprint_code: str) -> None:
        """Delete a blueprint no form uses (assemblers and bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        bp_ops.delete_blueprint(
            bp_ops.get_blueprint(bank, blueprint_code, actor=actor), actor=actor
        )


# -- forms ---------------------------------------------------------------------------------


@blp.route("/banks/<bank_code>/forms")
class BankForms(MethodView):
    @blp.arguments(FormListQuery, location="query")
    @blp.response(200, FormSummaryOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's forms, oldest first (assemblers and bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        return form_ops.list_forms(bank, actor=actor, status=query.get("status"))

    @blp.arguments(FormCreateIn)
    @blp.response(201, FormOut, headers=ETAG_DOC)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Create an empty draft form against a blueprint (assemblers and bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        blueprint = bp_ops.get_blueprint(bank, data["blueprint"], actor=actor)
        form = form_ops.create_form(bank, blueprint, title=data["title"], actor=actor)
        location = url_for("forms.FormById", form_id=form.external_id)
        return _form_response(form, {"Location": location})


@blp.route("/forms/<form_id>")
class FormById(MethodView):
    @blp.response(200, FormOut, headers=ETAG_DOC)
    def get(self, form_id: str) -> Any:
        """A form with its sections and entries (assemblers and bank admins)"""
        return _form_response(form_ops.get_form(form_id, actor=current_user()))

    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(FormPatchIn)
    @blp.response(200, FormOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def patch(self, data: dict[str, Any], form_id: str) -> Any:
        """Rename a draft form"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        form = form_ops.update_form(
            form, actor=actor, title=data["title"], base_revision=_base_revision(form)
        )
        return _form_response(form)

    @blp.doc(parameters=[IF_MATCH])
    @blp.response(204)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def delete(self, form_id: str) -> None:
        """Delete a draft form (locked and exported forms are kept)"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        form_ops.delete_form(form, actor=actor, base_revision=_base_revision(form))


@blp.route("/forms/<form_id>/entries")
class Entries(MethodView):
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(EntryIn)
    @blp.response(201, EntryOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def post(self, data: dict[str, Any], form_id: str) -> Any:
        """Pin an approved item version into a draft form

        ``version`` defaults to the item's approved version; ``section`` to the first
        whose blueprint rows the item fits with room; ``position`` to the section's end.
        """
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        base = _base_revision(form)
        item, approved = reads.readable_item(data["item"], actor=actor)
        if data["version"] is not None:
            version = reads.readable_version(item, data["version"], actor=actor)
        elif item.approved_version is not None:
            version = item.approved_version
        else:
            version = approved
        entry = form_ops.add_entry(
            form,
            version,
            actor=actor,
            section=data["section"],
            position=data["position"],
            base_revision=base,
        )
        number = next(n for n, e in enumerate(entry.section.form.entries, 1) if e.id == entry.id)
        return Extended(entry, number=number), {"ETag": form_etag(entry.section.form)}


@blp.route(f"/forms/<form_id>/entries/<{INT_ID}:entry_id>")
class EntryById(MethodView):
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(EntryPatchIn)
    @blp.response(200, FormOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def patch(self, data: dict[str, Any], form_id: str, entry_id: int) -> Any:
        """Move an entry (``position`` within ``section``) and/or re-pin it (``version``,
        or ``latest``: the item's newest approved version)"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        base = _base_revision(form)
        entry = form_ops.get_entry(form, entry_id)
        if "version" in data or data.get("latest"):
            version = (
                reads.readable_version(entry.item, data["version"], actor=actor)
                if "version" in data
                else None
            )
            form_ops.repin_entry(entry, actor=actor, version=version, base_revision=base)
            base = None  # the move below continues the same edit
        if "position" in data or "section" in data:
            form_order.move_entry(
                entry,
                actor=actor,
                position=data.get("position"),
                section=data.get("section"),
                base_revision=base,
            )
        return _form_response(form)

    @blp.doc(parameters=[IF_MATCH])
    @blp.response(200, FormOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def delete(self, form_id: str, entry_id: int) -> Any:
        """Remove an entry from a draft form; returns the form"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        base = _base_revision(form)
        form = form_order.remove_entry(
            form_ops.get_entry(form, entry_id), actor=actor, base_revision=base
        )
        return _form_response(form)


@blp.route("/forms/<form_id>/order")
class Order(MethodView):
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(OrderIn)
    @blp.response(200, FormOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def put(self, data: dict[str, Any], form_id: str) -> Any:
        """Set the whole order: every entry exactly once, section by section"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        form = form_order.set_order(
            form, data["sections"], actor=actor, base_revision=_base_revision(form)
        )
        return _form_response(form)


@blp.route("/forms/<form_id>/report")
class FormReport(MethodView):
    @blp.response(200, ReportOut)
    def get(self, form_id: str) -> Any:
        """The form checked against its blueprint: rows filled, and every finding (errors
        stop locking; warnings do not)"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        return form_ops.form_report(form, actor=actor, plugins=plugins()).as_dict()


@blp.route("/forms/<form_id>/lock")
class Lock(MethodView):
    @blp.response(200, LockOut, headers=ETAG_DOC)
    def post(self, form_id: str) -> Any:
        """Lock a draft form: refused (409, ``findings``) while its report has errors;
        from then on it never changes"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        report = form_ops.lock_form(form, actor=actor, plugins=plugins())
        view = form_view(form)
        return Extended(view, warnings=report.warnings), {"ETag": form_etag(form)}


@blp.route("/forms/<form_id>/clone")
class Clone(MethodView):
    @blp.arguments(CloneIn)
    @blp.response(201, FormOut, headers=ETAG_DOC)
    def post(self, data: dict[str, Any], form_id: str) -> Any:
        """A new draft form with the same blueprint and pinned versions"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        clone = form_ops.clone_form(form, actor=actor, title=data["title"])
        return _form_response(
            clone, {"Location": url_for("forms.FormById", form_id=clone.external_id)}
        )


@blp.route("/forms/<form_id>/answer-key")
class AnswerKey(MethodView):
    @blp.alt_response(
        409, description="the form is not locked and the bank does not allow keys of drafts"
    )
    @blp.response(200, AnswerKeyOut)
    def get(self, form_id: str) -> Any:
        """The form's answer key: per item its QTI identifier, version, type, correct
        response(s) and the score of every option (read is audited)"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        return answer_key(form, actor=actor, plugins=plugins())


@blp.route("/forms/<form_id>/answer-key.csv")
class AnswerKeyCsv(MethodView):
    @blp.alt_response(
        409, description="the form is not locked and the bank does not allow keys of drafts"
    )
    @blp.response(200, description="the answer key as CSV (UTF-8, a header row)")
    def get(self, form_id: str) -> Any:
        """The answer key as CSV, one row per item (read is audited)"""
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        text = answer_key(form, actor=actor, plugins=plugins(), fmt="csv")
        response = Response(text.encode("utf-8"), mimetype="text/csv")
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{form.external_id}-answer-key.csv"'
        )
        response.headers["Cache-Control"] = "no-store"
        return response


@blp.route("/forms/<form_id>/export")
class Export(MethodView):
    @blp.arguments(ExportIn)
    @blp.response(
        200,
        description="the package (a zip for QTI); its SHA-256 is in X-Package-SHA256",
        content_type="application/zip",
    )
    def post(self, data: dict[str, Any], form_id: str) -> Any:
        """Export a locked form as a package for delivery (assemblers and bank admins)

        The form's validation report is checked again: while it has errors (an item
        retired since the form was locked, a version no longer approved) the export is
        refused with 409 ``form_invalid`` and the report's ``findings``, unless a bank
        admin sends ``force`` (recorded in the audit trail with the findings). The
        package is validated as it is written; a form that cannot be written validly
        gets 409 ``export_failed`` saying why. The export and the package's SHA-256 are
        recorded in the audit trail, and the form's status becomes ``exported``. The
        same form gives the same bytes every time. Its answer key is at
        ``.../answer-key``.
        """
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        result = export_form(
            form,
            exporter_id=data["format"],
            actor=actor,
            plugins=plugins(),
            force=data["force"],
        )
        response = Response(result.data, mimetype=result.media_type)
        response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        response.headers["X-Package-SHA256"] = result.sha256
        response.headers["Cache-Control"] = "no-store"
        return response


# -- enemy pairs ---------------------------------------------------------------------------


@blp.route("/banks/<bank_code>/enemies")
class Enemies(MethodView):
    @blp.arguments(EnemyQuery, location="query")
    @blp.response(200, EnemyOut(many=True))
    def get(self, query: dict[str, Any], bank_code: str) -> Any:
        """The bank's enemy pairs: items never to appear in the same form (any member)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        item = None
        if query.get("item"):
            item, _ = reads.readable_item(query["item"], actor=actor)
        return enemies.list_enemies(bank, actor=actor, item=item)

    @blp.arguments(EnemyIn)
    @blp.response(201, EnemyOut)
    def post(self, data: dict[str, Any], bank_code: str) -> Any:
        """Mark two items as enemies (authors, reviewers, assemblers, bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        first, _ = reads.readable_item(data["items"][0], actor=actor)
        second, _ = reads.readable_item(data["items"][1], actor=actor)
        if first.bank_id != bank.id:
            raise NotFound(f"bank {bank.code} has no item {first.external_id!r}")
        return enemies.mark_enemies(first, second, actor=actor, reason=data["reason"])


@blp.route(f"/banks/<bank_code>/enemies/<{INT_ID}:pair_id>")
class EnemyById(MethodView):
    @blp.response(204)
    def delete(self, bank_code: str, pair_id: int) -> None:
        """Unmark an enemy pair (authors, reviewers, assemblers, bank admins)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        enemies.unmark_enemies(enemies.get_pair(bank, pair_id, actor=actor), actor=actor)


@blp.route("/forms/<form_id>/entries/several")
class SeveralEntries(MethodView):
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(SeveralEntriesIn)
    @blp.response(201, AddedEntryOut(many=True), headers=ETAG_DOC)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def post(self, data: dict[str, Any], form_id: str) -> Any:
        """Pin several items' approved versions at once, each into its default section

        The same rules as one item at a time; one refusal (an item not approved, retired,
        on the form already) refuses them all.
        """
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        base = _base_revision(form)
        versions = []
        for code in data["items"]:
            item, approved = reads.readable_item(code, actor=actor)
            versions.append(item.approved_version or approved)
        entries = form_fill.add_items(form, versions, actor=actor, base_revision=base)
        return entries, {"ETag": form_etag(form)}


@blp.route("/forms/<form_id>/rows/<row>/fill")
class FillRow(MethodView):
    @blp.doc(parameters=[IF_MATCH])
    @blp.response(200, RowFillOut, headers=ETAG_DOC)
    @blp.alt_response(412, description="the form changed since the If-Match revision")
    def post(self, form_id: str, row: str) -> Any:
        """Fill blueprint row ``row`` (``"2.1"``) with eligible items drawn at random

        Eligible: approved, not retired, fitting the row, not on the form and no enemy
        of an item on it. Adds as many as the row lacks (``short`` says how many could
        not be found); 409 when the row is full. Audited as ``form.fill_row``.
        """
        actor = current_user()
        form = form_ops.get_form(form_id, actor=actor)
        base = _base_revision(form)
        fill = form_fill.fill_row(form, row, actor=actor, plugins=plugins(), base_revision=base)
        return {
            "row": fill.row,
            "wanted": fill.wanted,
            "eligible": fill.eligible,
            "short": fill.short,
            "added": fill.added,
        }, {"ETag": form_etag(form)}
