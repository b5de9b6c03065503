"""The passage editor (a title and the rich-text editor) and the passage's workflow
buttons: submit, withdraw, revise (start the next version). The views call the same
operations as the API (:mod:`itembank.operations.passages`,
:mod:`itembank.operations.passage_reviews`)."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf

from itembank.errors import InvalidInput, StaleEdit
from itembank.extensions import db
from itembank.models import (
    Passage,
    PassageVersion,
)
from itembank.operations import passage_reviews as reviews
from itembank.operations import passages as ops
from itembank.operations.accounts import get_bank
from itembank.operations.duties import require_writer
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.editor import conflict_info, editor_labels
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import problem_text
from itembank.ui.passages import VERSION


def _editor(
    *,
    bank: Any,
    passage: Passage | None,
    draft: PassageVersion | None,
    title: str,
    body: str,
    problems: list[dict[str, str]] | None = None,
    base_revision: int = 0,
    conflict: StaleEdit | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    config = {
        "body": body,
        "labels": editor_labels(),
        "mediaListUrl": url_for("ui.bank_media", code=bank.code),
        "mediaUploadUrl": url_for("ui.upload_media", code=bank.code),
        "csrfToken": generate_csrf(),
    }
    return page(
        "passage_editor.html",
        status,
        bank=bank,
        passage=passage,
        draft=draft,
        title=title,
        problems=problems or [],
        problem_text=problem_text,
        base_revision=base_revision,
        conflict=conflict_info(conflict) if conflict is not None else None,
        config=config,
    )


@bp.route("/banks/<code>/passages/new", methods=["GET", "POST"])
@login_required
def new_passage(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    require_writer(user, bank, doing="write passages")
    if request.method == "GET":
        return _editor(bank=bank, passage=None, draft=None, title="", body="")
    title = request.form.get("title", "")
    body = request.form.get("body", "")
    try:
        created = ops.create_passage(bank, actor=user, title=title, body=body)
    except InvalidInput as exc:
        db.session.rollback()
        return _editor(
            bank=bank,
            passage=None,
            draft=None,
            title=title,
            body=body,
            problems=exc.problems,
            status=422,
        )
    commit()
    return _after_save(created, created.latest_version, saved=True)


def _after_save(passage: Passage, draft: PassageVersion, *, saved: bool) -> ResponseReturnValue:
    if request.form.get("action") == "submit":
        try:
            reviews.submit_passage_version(draft, actor=actor())
        except InvalidInput:
            db.session.rollback()
            flash(
                _(
                    "The draft was saved but not submitted for review: complete or correct "
                    "the points listed first."
                ),
                "error",
            )
            return redirect_to(url_for("ui.edit_passage", passage_id=passage.external_id))
        commit()
        flash(
            _(
                "Version %(number)d of %(item)s was submitted for review.",
                number=draft.number,
                item=passage.external_id,
            ),
            "success",
        )
        return redirect_to(url_for("ui.passage", passage_id=passage.external_id))
    if saved:
        flash(_("Draft saved (revision %(revision)d).", revision=draft.revision), "success")
    else:
        flash(_("Nothing changed since the last save."), "info")
    return redirect_to(url_for("ui.edit_passage", passage_id=passage.external_id))


@bp.route("/passages/<passage_id>/edit", methods=["GET", "POST"])
@login_required
def edit_passage(passage_id: str) -> ResponseReturnValue:
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    bank = passage.bank
    ops.require_full_view(passage, actor=user, doing="edit drafts")
    require_writer(user, bank, doing="write passages")
    draft = ops.current_passage_draft(passage)
    if request.method == "GET":
        ops.record_passage_read(user, draft, via="web-editor")
        commit()
        return _editor(
            bank=bank,
            passage=passage,
            draft=draft,
            title=draft.title,
            body=draft.body,
            problems=ops.passage_problems(draft),
            base_revision=draft.revision,
        )
    title = request.form.get("title", "")
    body = request.form.get("body", "")
    raw_base = request.form.get("base_revision", "")
    base = int(raw_base) if raw_base.isdigit() and len(raw_base) < 10 else -1
    if request.form.get("overwrite") == str(draft.revision):
        base = draft.revision
    before = draft.revision
    common = {"bank": bank, "passage": passage, "draft": draft, "title": title, "body": body}
    try:
        saved = ops.update_passage_draft(
            draft, actor=user, base_revision=base, title=title, body=body
        )
    except StaleEdit as exc:
        db.session.rollback()
        return _editor(**common, conflict=exc, base_revision=base, status=409)
    except InvalidInput as exc:
        db.session.rollback()
        return _editor(**common, problems=exc.problems, base_revision=base, status=422)
    commit()
    return _after_save(passage, saved, saved=saved.revision != before)


@bp.post("/passages/<passage_id>/revise")
@login_required
def revise_passage(passage_id: str) -> ResponseReturnValue:
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    draft = ops.start_new_passage_draft(passage, actor=user)
    commit()
    flash(_("Version %(number)d started as a draft.", number=draft.number), "success")
    return redirect_to(url_for("ui.edit_passage", passage_id=passage_id))


@bp.post(f"/passages/<passage_id>/versions/{VERSION}/submit")
@login_required
def submit_passage(passage_id: str, number: int) -> ResponseReturnValue:
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    version = ops.get_passage_version(passage, number, actor=user)
    reviews.submit_passage_version(version, actor=user)
    commit()
    flash(
        _(
            "Version %(number)d of %(item)s was submitted for review.",
            number=number,
            item=passage_id,
        ),
        "success",
    )
    return redirect_to(url_for("ui.passage", passage_id=passage_id))


@bp.post(f"/passages/<passage_id>/versions/{VERSION}/withdraw")
@login_required
def withdraw_passage(passage_id: str, number: int) -> ResponseReturnValue:
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    version = ops.get_passage_version(passage, number, actor=user)
    reviews.withdraw_passage_version(version, actor=user, reason=request.form.get("reason", ""))
    commit()
    flash(_("Version %(number)d was withdrawn from review.", number=number), "success")
    return redirect_to(url_for("ui.passage", passage_id=passage_id))
