"""What is done to a whole form: lock it (refused, with the report, while it has
errors), clone it, export it (a download of the package), download its answer key and
show or print its whole text (*naskah soal*).
"""

from __future__ import annotations

import json

from flask import Response, flash, request, url_for
from flask.typing import ResponseReturnValue

from itembank.answer_key import answer_key
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.operations import forms as form_ops
from itembank.operations.export import ExportFailed, export_form
from itembank.operations.form_booklet import form_booklet
from itembank.plugins import plugins
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.forms import render_form
from itembank.ui.i18n import error_text, problem_text
from itembank.ui.i18n import gettext as _
from itembank.ui.viewmodels import version_view


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/forms/<form_id>/lock")
@login_required
def lock_form(form_id: str) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    try:
        report = form_ops.lock_form(form, actor=user, plugins=plugins())
    except form_ops.FormInvalid:
        db.session.rollback()
        form = form_ops.get_form(form_id, actor=user)
        return render_form(form, status=409, lock_refused=True)
    commit()
    if report.warnings:
        flash(
            _(
                "Form %(form)s is locked, with %(count)d warning(s) recorded.",
                form=form.external_id,
                count=len(report.warnings),
            ),
            "success",
        )
    else:
        flash(_("Form %(form)s is locked.", form=form.external_id), "success")
    return redirect_to(url_for("ui.form_page", form_id=form.external_id))


@bp.post("/forms/<form_id>/clone")
@login_required
def clone_form(form_id: str) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    title = (request.form.get("title") or "").strip() or None
    try:
        clone = form_ops.clone_form(form, actor=user, title=title)
    except InvalidInput as exc:
        db.session.rollback()
        for p in exc.problems:
            flash(problem_text(p), "error")
        return redirect_to(url_for("ui.form_page", form_id=form.external_id))
    commit()
    flash(
        _(
            "Form %(clone)s is a new draft copied from %(form)s.",
            clone=clone.external_id,
            form=form.external_id,
        ),
        "success",
    )
    return redirect_to(url_for("ui.form_page", form_id=clone.external_id))


@bp.post("/forms/<form_id>/export")
@login_required
def export(form_id: str) -> ResponseReturnValue:
    """The package as a download; the form is marked exported (with the package's
    SHA-256 in the audit trail). While the form's report has errors the page comes back
    (409) saying so; a bank admin can then export anyway (``force``), which the audit
    trail records with the errors."""
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    exporter_id = request.form.get("format", "qti3")
    force = request.form.get("force") == "1"
    try:
        result = export_form(
            form, exporter_id=exporter_id, actor=user, plugins=plugins(), force=force
        )
    except form_ops.FormInvalid:
        db.session.rollback()
        form = form_ops.get_form(form_id, actor=user)
        return render_form(form, status=409, export_refused=exporter_id)
    except (InvalidInput, ExportFailed) as exc:
        db.session.rollback()
        if isinstance(exc, InvalidInput):
            for p in exc.problems:
                flash(problem_text(p), "error")
        else:
            flash(_("The package could not be written: %(why)s", why=error_text(exc)), "error")
        return redirect_to(url_for("ui.form_page", form_id=form.external_id))
    commit()
    response = _download(result.data, result.media_type, result.filename)
    response.headers["X-Package-SHA256"] = result.sha256
    return response


@bp.get("/forms/<form_id>/answer-key.<any(json, csv):fmt>")
@login_required
def answer_key_download(form_id: str, fmt: str) -> ResponseReturnValue:
    """The answer key (reading it is recorded in the audit trail)."""
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    key = answer_key(form, actor=user, plugins=plugins(), fmt=fmt)
    commit()
    name = f"{form.external_id}-answer-key.{fmt}"
    if fmt == "csv":
        return _download(key.encode("utf-8"), "text/csv; charset=utf-8", name)
    text = json.dumps(key, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n"
    return _download(text.encode("utf-8"), "application/json", name)


@bp.get("/forms/<form_id>/booklet")
@login_required
def form_booklet_page(form_id: str) -> ResponseReturnValue:
    """The whole form (*naskah soal*) in delivery order, to review or print; the
    reviewer variant shows keys and classifications. Each showing is audited."""
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    variant = request.args.get("variant", "candidate")
    booklet = form_booklet(form, actor=user, variant=variant)
    views = {
        entry.id: version_view(entry.item, entry.version)
        for section in booklet.sections
        for _number, entry in section.entries
    }
    commit()  # the print is recorded
    return page("form_booklet.html", booklet=booklet, form=form, views=views)
