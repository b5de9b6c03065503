"""Comments on passage versions and retiring a passage: form posts of the passage page
and the passage review page (:mod:`itembank.operations.passage_reviews`)."""

from __future__ import annotations

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue

from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.operations import passage_reviews as reviews
from itembank.operations import passages as ops
from itembank.ui.blueprint import actor, bp, commit, login_required, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.passages import VERSION


@bp.post(f"/passages/<passage_id>/versions/{VERSION}/comments")
@login_required
def comment_passage(passage_id: str, number: int) -> ResponseReturnValue:
    """Add a comment (authors and reviewers); back to the review page, or to the
    version's page when the form came from there (``back=passage``)."""
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    version = ops.get_passage_version(passage, number, actor=user)
    if request.form.get("back") == "passage":
        back = url_for("ui.passage_version", passage_id=passage_id, number=number)
    else:
        back = url_for("ui.review_passage", passage_id=passage_id, number=number)
    try:
        reviews.add_passage_comment(version, actor=user, body=request.form.get("body", ""))
    except InvalidInput:
        db.session.rollback()
        flash(_("Write a comment first."), "warning")
        return redirect_to(back)
    commit()
    flash(_("Comment added."), "success")
    return redirect_to(back)


@bp.post("/passages/<passage_id>/retire")
@login_required
def retire_passage(passage_id: str) -> ResponseReturnValue:
    """Retire the passage (bank admins, with a reason)."""
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    back = url_for("ui.passage", passage_id=passage_id)
    try:
        reviews.retire_passage(passage, actor=user, reason=request.form.get("reason", ""))
    except InvalidInput:
        db.session.rollback()
        flash(_("Say why the passage is retired."), "warning")
        return redirect_to(back)
    commit()
    flash(_("%(passage)s is retired: no new item can use it.", passage=passage_id), "success")
    return redirect_to(back)
