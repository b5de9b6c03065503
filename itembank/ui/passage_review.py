"""Reviewing a passage: the version beside the one it revises, what changed word by
word, the reviews and comments, and the decision; and
the dashboard's list of passages waiting for the reviewer (the operations' rule)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from itembank.diff import render_ops_html
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import (
    Passage,
    PassageVersion,
    Role,
    User,
)
from itembank.operations import passage_reviews as reviews
from itembank.operations import passages as ops
from itembank.operations.duties import review_refusal, reviewable_by
from itembank.ui import dashboard
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import problem_text
from itembank.ui.passages import VERSION, passage_text
from itembank.ui.viewmodels import may
from itembank.workflow import Decision, Status


def _review_page(
    passage_id: str,
    number: int,
    *,
    problems: list[dict[str, str]] | None = None,
    comment: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    ops.require_full_view(passage, actor=user, doing="review items")
    version = ops.get_passage_version(passage, number, actor=user)
    old = passage.approved_version
    if old is None or old.number >= version.number:
        old = version.based_on
    ops.record_passage_read(user, version, via="web-review")
    if old is not None:
        ops.record_passage_read(user, old, via="web-review")
    refusal = review_refusal(user, version)
    diff = (
        ops.diff_passage_versions(passage, old.number, version.number, actor=user)
        if old is not None
        else None
    )
    approvals = sum(1 for r in version.reviews if r.decision == Decision.APPROVE.value)
    context = {
        "bank": passage.bank,
        "passage": passage,
        "version": version,
        "body": passage_text(version),
        "old": old,
        "old_body": passage_text(old),
        "approvals": approvals,
        "required": version.required_approvals or passage.bank.required_approvals,
        "cannot_decide": problem_text(
            {"message": refusal.message, "message_en": refusal.message_en}
        )
        if refusal is not None
        else "",
        "items": ops.passage_items(passage, actor=user),
        "problems": problems or [],
        "comment": comment,
        "diff": diff,
        "ops_html": lambda ops_: Markup(render_ops_html(ops_)),
        "comments": ops.read_passage_comments(version, actor=user, via="web-review"),
        "can_comment": may(user, passage.bank, Role.AUTHOR, Role.REVIEWER),
    }
    commit()
    return page("passage_review.html", status, **context)


@bp.get(f"/passages/<passage_id>/versions/{VERSION}/review")
@login_required
def review_passage(passage_id: str, number: int) -> ResponseReturnValue:
    return _review_page(passage_id, number)


@bp.post(f"/passages/<passage_id>/versions/{VERSION}/review")
@login_required
def decide_passage(passage_id: str, number: int) -> ResponseReturnValue:
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    version = ops.get_passage_version(passage, number, actor=user)
    comment = request.form.get("comment", "")
    try:
        version = reviews.review_passage_version(
            version, actor=user, decision=request.form.get("decision", ""), comment=comment
        )
    except InvalidInput as exc:
        db.session.rollback()
        return _review_page(passage_id, number, problems=exc.problems, comment=comment, status=422)
    commit()
    messages = {
        Status.APPROVED.value: _("Version %(number)d is approved.", number=version.number),
        Status.CHANGES_REQUESTED.value: _("Changes requested; the author sees your comment."),
        Status.REJECTED.value: _("Version %(number)d is rejected.", number=version.number),
    }
    flash(
        messages.get(
            version.status, _("Your approval is recorded; the version needs more approvals.")
        ),
        "success",
    )
    return redirect_to(url_for("ui.passage", passage_id=passage_id))


@dashboard.panel(
    "passages_waiting_for_review",
    lambda: _("Passages waiting for my review"),
    lambda: _("No passage is waiting for your review."),
    {Role.REVIEWER},
    order=31,
    hide_empty=True,
)
def passages_waiting_for_review(user: User, bank_ids: list[int]) -> list[dashboard.Row]:
    """Passage versions in review that ``user`` may review (the operations' rule as
    SQL, :func:`itembank.operations.duties.reviewable_by`), oldest first."""
    versions = db.session.scalars(
        sa.select(PassageVersion)
        .join(Passage, Passage.id == PassageVersion.passage_id)
        .where(Passage.bank_id.in_(bank_ids), *reviewable_by(user, PassageVersion))
        .order_by(PassageVersion.submitted_at.asc(), PassageVersion.id.asc())
        .limit(dashboard.LIMIT)
    )
    rows = []
    for version in versions:
        passage = version.passage
        rows.append(
            dashboard.Row(
                external_id=passage.external_id,
                number=version.number,
                status=version.status,
                excerpt=version.title,
                when=version.submitted_at,
                url=url_for(
                    "ui.review_passage", passage_id=passage.external_id, number=version.number
                ),
                bank=passage.bank.code,
            )
        )
    return rows
