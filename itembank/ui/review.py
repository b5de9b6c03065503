"""The review screen: the version beside the one it should be compared with (the
approved version, else the version it was based on), the differences highlighted,
the comments, and the decision."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from itembank.api.common import DB_INT_MAX
from itembank.diff import render_ops_html
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import Item, ItemVersion, Role, User
from itembank.operations import reads
from itembank.operations.duties import review_refusal
from itembank.operations.items import diff_item_versions
from itembank.operations.review_checklist import ANSWERS, ASPECTS, bank_checklist
from itembank.operations.reviews import add_comment, required_approvals, review_version
from itembank.plugins import plugins
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick, problem_text
from itembank.ui.viewmodels import fact_labels, may, type_label, type_of, version_view
from itembank.workflow import Decision, Status

VERSION = f"<int(max={DB_INT_MAX}):number>"


def compared_with(item: Item, version: ItemVersion) -> ItemVersion | None:
    approved = item.approved_version
    if approved is not None and approved.id != version.id and approved.number < version.number:
        return approved
    return version.based_on


def diff_labels(item: Item) -> dict[str, Any]:
    """What the diff list (``ui/_diff.html``) needs from the page: the words of the
    type's facts and of the metadata, and the rendering of word changes."""
    return {
        "ops_html": lambda ops: Markup(render_ops_html(ops)),
        "fact_labels": fact_labels(type_of(item)),
        "metadata_labels": {
            "classifications": _("Classification"),
            "difficulty": _("Estimated difficulty"),
            "tags": _("Tags"),
            "language": _("Language"),
            "notes": _("Author notes"),
        },
    }


def checklist_view(bank: Any, answers: dict[str, str]) -> list[dict[str, Any]]:
    """The bank's review checklist grouped by aspect, for the decision form:
    ``[{"aspect", "label", "criteria": [{"code", "text", "answer"}]}]``."""
    criteria = bank_checklist(bank)
    groups = []
    for aspect, label in ASPECTS.items():
        rows = [
            {"code": c["code"], "text": pick(c["text"]), "answer": answers.get(c["code"], "")}
            for c in criteria
            if c["aspect"] == aspect
        ]
        if rows:
            groups.append({"aspect": aspect, "label": pick(label), "criteria": rows})
    return groups


def why_not_reviewer(user: User, version: ItemVersion) -> str:
    """Why ``user`` cannot decide on ``version`` now (``""`` when they can): the
    operations' rule (:func:`itembank.operations.duties.review_refusal`), in the UI's
    language."""
    refusal = review_refusal(user, version)
    if refusal is None:
        return ""
    return problem_text({"message": refusal.message, "message_en": refusal.message_en})


def _review_page(
    external_id: str,
    number: int,
    *,
    problems: list[dict[str, str]] | None = None,
    comment: str = "",
    answers: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = actor()
    item, _latest = reads.readable_item(external_id, actor=user)
    reads.require_full_view(item, actor=user, doing="review items")
    version = reads.readable_version(item, number, actor=user)
    old = compared_with(item, version)
    diff: dict[str, Any] | None = None
    if old is not None:
        diff = diff_item_versions(item, old.number, version.number, actor=user, plugins=plugins())
        reads.record_read(user, old, via="web-review")
    reads.record_read(user, version, via="web-review")
    reads.read_comments(version, actor=user, via="web-review")
    approvals = sum(1 for r in version.reviews if r.decision == Decision.APPROVE.value)
    context = {
        "item": item,
        "bank": item.bank,
        "type_label": type_label(item.item_type),
        "view": version_view(item, version),
        "old_view": version_view(item, old) if old is not None else None,
        "diff": diff,
        **diff_labels(item),
        "cannot_decide": why_not_reviewer(user, version),
        "approvals": approvals,
        "required": required_approvals(version),
        "can_comment": may(user, item.bank, Role.AUTHOR, Role.REVIEWER),
        "problems": problems or [],
        "comment": comment,
        "checklist": checklist_view(item.bank, answers or {}),
        "answer_labels": {code: pick(label) for code, label in ANSWERS.items()},
    }
    commit()
    return page("review.html", status, **context)


@bp.get(f"/items/<external_id>/versions/{VERSION}/review")
@login_required
def review(external_id: str, number: int) -> ResponseReturnValue:
    return _review_page(external_id, number)


@bp.post(f"/items/<external_id>/versions/{VERSION}/review")
@login_required
def decide(external_id: str, number: int) -> ResponseReturnValue:
    user = actor()
    item, _latest = reads.readable_item(external_id, actor=user)
    version = reads.readable_version(item, number, actor=user)
    decision = request.form.get("decision", "")
    comment = request.form.get("comment", "")
    answers = {
        key.removeprefix("checklist-"): value
        for key, value in request.form.items()
        if key.startswith("checklist-") and value
    }
    try:
        version = review_version(
            version,
            actor=user,
            decision=decision,
            comment=comment,
            checklist=answers or None,
        )
    except InvalidInput as exc:
        db.session.rollback()
        return _review_page(
            external_id,
            number,
            problems=exc.problems,
            comment=comment,
            answers=answers,
            status=422,
        )
    commit()
    messages = {
        Status.APPROVED.value: _("Version %(number)d is approved.", number=version.number),
        Status.CHANGES_REQUESTED.value: _(
            "Changes requested; the author sees your comment.",
        ),
        Status.REJECTED.value: _("Version %(number)d is rejected.", number=version.number),
    }
    flash(
        messages.get(
            version.status,
            _("Your approval is recorded; the version needs more approvals."),
        ),
        "success",
    )
    return redirect_to(url_for("ui.dashboard"))


@bp.post(f"/items/<external_id>/versions/{VERSION}/comments")
@login_required
def comment(external_id: str, number: int) -> ResponseReturnValue:
    user = actor()
    item, _latest = reads.readable_item(external_id, actor=user)
    version = reads.readable_version(item, number, actor=user)
    back = request.form.get("back") == "item"
    try:
        add_comment(version, actor=user, body=request.form.get("body", ""))
    except InvalidInput as exc:
        db.session.rollback()
        if back:
            flash(_("Write a comment first."), "warning")
            return redirect_to(url_for("ui.version", external_id=external_id, number=number))
        return _review_page(external_id, number, problems=exc.problems, status=422)
    commit()
    flash(_("Comment added."), "success")
    if back:
        return redirect_to(url_for("ui.version", external_id=external_id, number=number))
    return redirect_to(url_for("ui.review", external_id=external_id, number=number))
