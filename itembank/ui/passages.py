"""Shared passages: the bank's list, a passage's page (its text, versions, reviews, item
set and history), the editor, the review screen and the preview of the whole set.

The views call :mod:`itembank.operations.passages`, the same functions the API calls,
so the same roles and duties apply.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from itembank.api.common import DB_INT_MAX
from itembank.errors import InvalidInput, StaleEdit
from itembank.extensions import db
from itembank.models import (
    AuditEvent,
    ItemVersion,
    Passage,
    PassageContributor,
    PassageReview,
    PassageVersion,
    Role,
    User,
)
from itembank.operations import passages as ops
from itembank.operations.accounts import get_bank
from itembank.operations.duties import may_write, passage_review_refusal, require_writer
from itembank.ui import dashboard, nav
from itembank.ui.assembly import choose_bank, holds_any
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.editor import editor_labels
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import problem_text
from itembank.ui.viewmodels import type_label, version_view
from itembank.workflow import DRAFTABLE_FROM, Decision, Status

VERSION = f"<int(max={DB_INT_MAX}):number>"
#: Most passages the item editor offers to choose from (the newest first).
CHOICES_LIMIT = 300


def passage_text(version: PassageVersion | None) -> Markup:
    """A passage version's sanitized rich text, ready for a template."""
    return Markup(version.body) if version is not None else Markup("")


def passage_choices(bank: Any, pinned: PassageVersion | None) -> list[dict[str, Any]]:
    """The passage versions an item of ``bank`` may pin, for the item editor's list:
    each passage's newest draft, in-review or approved version (and the one pinned)."""
    rows = db.session.execute(
        sa.select(Passage, PassageVersion)
        .join(PassageVersion, PassageVersion.id == Passage.newest_version_id)
        .where(Passage.bank_id == bank.id)
        .order_by(Passage.number.desc())
        .limit(CHOICES_LIMIT)
    ).all()
    choices = []
    for passage, newest in rows:
        version = newest
        if newest.status not in ops.PINNABLE:
            version = passage.approved_version
        if version is None:
            continue
        choices.append(_choice(passage, version))
    if pinned is not None and not any(c["value"] == _value(pinned) for c in choices):
        choices.insert(0, _choice(pinned.passage, pinned))
    return choices


def _value(version: PassageVersion) -> str:
    return f"{version.passage.external_id}:{version.number}"


def _choice(passage: Passage, version: PassageVersion) -> dict[str, Any]:
    return {
        "value": _value(version),
        "label": f"{passage.external_id} v{version.number} · {version.title or '—'}",
        "status": version.status,
    }


def chosen_passage(bank: Any, raw: str) -> PassageVersion | None:
    """The passage version a form's ``passage`` field names (``P-ID:number``; empty:
    none). :class:`InvalidInput` on the field ``passage`` otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return None
    passage_id, _sep, number = raw[:100].rpartition(":")
    if not passage_id or not number.isdigit() or len(number) > 9:
        raise InvalidInput(
            "the passage chosen is not valid",
            [
                {
                    "field": "passage",
                    "message": "Bacaan yang dipilih tidak valid.",
                    "message_en": "The passage chosen is not valid.",
                }
            ],
        )
    return ops.pinnable_version(bank, passage_id, int(number))


# -- the list ------------------------------------------------------------------------------


@bp.get("/banks/<code>/passages")
@login_required
def passages(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    status = request.args.get("status") or None
    if status not in {s.value for s in Status}:
        status = None
    q = (request.args.get("q") or "").strip()[:200] or None
    raw_page = request.args.get("page", "1")
    number = int(raw_page) if raw_page.isdigit() and len(raw_page) < 6 else 1
    listing = ops.list_passages(bank, actor=user, status=status, q=q, page=number)
    return page(
        "passages.html",
        bank=bank,
        listing=listing,
        chosen_status=status or "",
        q=q or "",
        statuses=[s.value for s in Status],
        can_write=may_write(user, bank),
    )


# -- a passage's page ----------------------------------------------------------------------


def _history(passage: Passage, numbers: list[int]) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.object_type == "passage",
                AuditEvent.object_id == passage.external_id,
                AuditEvent.bank_id == passage.bank_id,
                AuditEvent.action != "passage.read",
                sa.or_(
                    AuditEvent.version_number.is_(None),
                    AuditEvent.version_number.in_(numbers),
                ),
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    )


def _passage_page(passage_id: str, number: int | None) -> ResponseReturnValue:
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    versions = ops.readable_passage_versions(passage, actor=user)
    if number is None:
        version = ops.shown_version(passage, actor=user)
    else:
        version = ops.get_passage_version(passage, number, actor=user)
    ops.record_passage_read(user, version, via="web")
    bank = passage.bank
    writer = may_write(user, bank)
    newest = versions[-1]
    context = {
        "bank": bank,
        "passage": passage,
        "version": version,
        "body": passage_text(version),
        "versions": versions,
        "is_latest": version.id == newest.id,
        "latest": newest,
        "items": [
            {"item": item, "version": item_version, "type_label": type_label(item.item_type)}
            for item, item_version in ops.passage_items(passage, actor=user)
        ],
        "events": _history(passage, [v.number for v in versions]),
        "problems": ops.passage_problems(version),
        "can_edit": writer and version.status == Status.DRAFT.value,
        "can_submit": writer and version.status == Status.DRAFT.value,
        "can_revise": writer
        and not any(v.is_open for v in versions)
        and Status(newest.status) in DRAFTABLE_FROM,
        "can_withdraw": writer and version.status == Status.IN_REVIEW.value,
        "can_review": passage_review_refusal(user, version) is None,
    }
    commit()
    return page("passage.html", **context)


@bp.get("/passages/<passage_id>")
@login_required
def passage(passage_id: str) -> ResponseReturnValue:
    return _passage_page(passage_id, None)


@bp.get(f"/passages/<passage_id>/versions/{VERSION}")
@login_required
def passage_version(passage_id: str, number: int) -> ResponseReturnValue:
    return _passage_page(passage_id, number)


@bp.get("/passages/<passage_id>/set")
@login_required
def passage_set(passage_id: str) -> ResponseReturnValue:
    """The item set as candidates see it: the passage beside each of its items."""
    user = actor()
    passage = ops.get_passage(passage_id, actor=user)
    members = ops.passage_items(passage, actor=user)
    shown = ops.shown_version(passage, actor=user)
    groups: dict[int, dict[str, Any]] = {}
    for item, item_version in members:
        pinned = item_version.passage_version
        group = groups.setdefault(
            pinned.id, {"version": pinned, "body": passage_text(pinned), "items": []}
        )
        group["items"].append({"item": item, "view": version_view(item, item_version)})
    for group in groups.values():
        ops.record_passage_read(user, group["version"], via="web-set")
    if not groups:
        ops.record_passage_read(user, shown, via="web-set")
    commit()
    return page(
        "passage_set.html",
        bank=passage.bank,
        passage=passage,
        shown=shown,
        shown_body=passage_text(shown),
        groups=sorted(groups.values(), key=lambda g: -g["version"].number),
    )


# -- the editor ------------------------------------------------------------------------------


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
        conflict=conflict.details if conflict is not None else None,
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
            ops.submit_passage_version(draft, actor=actor())
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
    ops.submit_passage_version(version, actor=user)
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
    ops.withdraw_passage_version(version, actor=user, reason=request.form.get("reason", ""))
    commit()
    flash(_("Version %(number)d was withdrawn from review.", number=number), "success")
    return redirect_to(url_for("ui.passage", passage_id=passage_id))


# -- review ----------------------------------------------------------------------------------


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
    refusal = passage_review_refusal(user, version)
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
        version = ops.review_passage_version(
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


def item_passage_view(version: ItemVersion) -> dict[str, Any] | None:
    """What an item's page shows of the passage its version pins (or ``None``)."""
    pinned = version.passage_version
    if pinned is None:
        return None
    return {"version": pinned, "body": passage_text(pinned)}


nav.add(
    "ui.passages_home",
    lambda: _("Passages"),
    prefixes=("/passages", "/banks/*/passages"),
    visible=holds_any(None),
    order=25,
)


@bp.get("/passages")
@login_required
def passages_home() -> ResponseReturnValue:
    """Leads to the passages of the user's bank (a choice when they have several)."""
    return choose_bank(actor(), None, "ui.passages", _("Passages"))


@dashboard.panel(
    "passages_waiting_for_review",
    lambda: _("Passages waiting for my review"),
    lambda: _("No passage is waiting for your review."),
    {Role.REVIEWER},
    order=31,
    hide_empty=True,
)
def passages_waiting_for_review(user: User, bank_ids: list[int]) -> list[dashboard.Row]:
    """Passage versions in review that ``user`` may review (the operations' rule,
    :func:`itembank.operations.duties.passage_review_refusal`), oldest first."""
    versions = db.session.scalars(
        sa.select(PassageVersion)
        .join(Passage, Passage.id == PassageVersion.passage_id)
        .where(
            Passage.bank_id.in_(bank_ids),
            PassageVersion.status == Status.IN_REVIEW.value,
            ~PassageVersion.contributors.any(PassageContributor.user_id == user.id),
            ~PassageVersion.reviews.any(PassageReview.reviewer_id == user.id),
        )
        .order_by(PassageVersion.submitted_at.asc(), PassageVersion.id.asc())
        .limit(dashboard.LIMIT * 3)
    )
    rows = []
    for version in versions:
        if passage_review_refusal(user, version) is not None:
            continue
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
    return rows[: dashboard.LIMIT]
