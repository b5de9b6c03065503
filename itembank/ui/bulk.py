"""Bulk actions from the item list: the chosen items (or the whole filtered result,
at most :data:`~itembank.operations.bulk.BULK_LIMIT`) submitted, tagged, classified,
retired or added to a form, and a page saying per item what happened."""

from __future__ import annotations

from flask import Response, flash, request, url_for
from flask.typing import ResponseReturnValue

from itembank.access import ensure_visible
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.operations import bulk
from itembank.operations.accounts import get_bank
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.bulk_export import ItemsNotExported, export_items
from itembank.operations.forms import list_forms
from itembank.plugins import plugins
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import error_text, problem_text
from itembank.ui.i18n import gettext as _
from itembank.ui.viewmodels import may

#: The list's filter fields the bulk form carries along (see ``ui.items.parse_filters``).
FILTER_FIELDS = ("q", "status", "type", "node", "level", "author", "min_exposure", "not_used_since")


def draft_forms(bank: object, user: object) -> list[object]:
    """The draft forms ``user`` may add items to (none for other roles)."""
    if not may(user, bank, *ASSEMBLY_ROLES):  # type: ignore[arg-type]
        return []
    return list_forms(bank, actor=user, status="draft")  # type: ignore[arg-type]


@bp.post("/banks/<code>/items/bulk")
@login_required
def bulk_items(code: str) -> ResponseReturnValue:
    """Run one bulk action; the page lists every item's outcome."""
    from itembank.ui.items import choices_for, parse_filters

    user = actor()
    bank = get_bank(code)
    ensure_visible(user, bank)
    form = request.form
    kept_args = {name: form.get(name, "") for name in FILTER_FIELDS if form.get(name)}
    back = url_for("ui.items", code=bank.code, **kept_args)
    action = form.get("action", "")
    params: dict[str, object] = {
        "tags": form.get("tags", ""),
        "node": form.get("node_bulk", ""),
        "level": form.get("level_bulk", ""),
        "reason": form.get("reason", ""),
        "form": form.get("form", ""),
    }
    try:
        if form.get("scope") == "all":
            filters, _kept, messages = parse_filters(form, choices_for(bank, user))
            for message in messages:
                flash(message, "warning")
            ids = bulk.select_items(bank, actor=user, filters=filters)
        else:
            ids = bulk.select_items(bank, actor=user, ids=form.getlist("items"))
        result = bulk.run_bulk(bank, action, ids, actor=user, plugins=plugins(), params=params)
    except InvalidInput as exc:
        for problem in exc.problems or [{"message": error_text(exc)}]:
            flash(problem_text(problem), "warning")
        return redirect_to(back)
    labels = {
        "submit": _("Submit for review"),
        "tag": _("Add tags"),
        "classify": _("Add a classification"),
        "retire": _("Retire"),
        "add_to_form": _("Add to a form"),
    }
    return page(
        "bulk_result.html",
        bank=bank,
        result=result,
        action_label=labels[result.action],
        back=back,
        outcome_labels=_outcome_labels(),
        text_of=_text_of,
    )


@bp.post("/banks/<code>/items/export")
@login_required
def export_items_page(code: str) -> ResponseReturnValue:
    """Download the chosen items' package; when some cannot be exported, a page naming
    them, with a button to export the others."""
    from itembank.ui.items import choices_for, parse_filters

    user = actor()
    bank = get_bank(code)
    ensure_visible(user, bank)
    form = request.form
    kept_args = {name: form.get(name, "") for name in FILTER_FIELDS if form.get(name)}
    back = url_for("ui.items", code=bank.code, **kept_args)
    try:
        if form.get("scope") == "all":
            filters, _kept, _messages = parse_filters(form, choices_for(bank, user))
            ids = bulk.select_items(bank, actor=user, filters=filters)
        else:
            ids = bulk.select_items(bank, actor=user, ids=form.getlist("items"))
        exported = export_items(
            bank,
            ids,
            actor=user,
            plugins=plugins(),
            exporter_id=form.get("format", "qti3"),
            skip_refused=form.get("skip_refused") == "1",
        )
    except InvalidInput as exc:
        for problem in exc.problems or [{"message": error_text(exc)}]:
            flash(problem_text(problem), "warning")
        return redirect_to(back)
    except ItemsNotExported as exc:
        db.session.rollback()
        result = bulk.BulkResult(
            action="export", results=[bulk.Outcome(**o) for o in exc.details["results"]]
        )
        return page(
            "bulk_result.html",
            409,
            bank=bank,
            result=result,
            action_label=_("Export"),
            back=back,
            outcome_labels=_outcome_labels(),
            text_of=_text_of,
            export_rest=[o.item for o in result.results if o.outcome == bulk.DONE],
            export_format=form.get("format", "qti3"),
        )
    commit()
    response = Response(exported.data, mimetype=exported.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response.headers["X-Package-SHA256"] = exported.sha256
    return response


def _outcome_labels() -> dict[str, str]:
    return {bulk.DONE: _("Done"), bulk.UNCHANGED: _("Unchanged"), bulk.REFUSED: _("Refused")}


def _text_of(outcome: bulk.Outcome) -> str:
    return problem_text({"message": outcome.message, "message_en": outcome.message_en})
