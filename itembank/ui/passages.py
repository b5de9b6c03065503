"""Shared passages: the bank's list, a passage's page (its text, versions, reviews, item
set and history) and the preview of the whole set; the helpers the item editor uses to
choose a passage. The editor is :mod:`itembank.ui.passage_editor`, the review screen and
the dashboard panel :mod:`itembank.ui.passage_review`. The views call the same
operations as the API, so the same roles and duties apply.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from itembank.api.common import DB_INT_MAX
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import (
    AuditEvent,
    Passage,
    PassageVersion,
    Role,
)
from itembank.operations import passage_sets as sets
from itembank.operations import passages as ops
from itembank.operations.accounts import get_bank
from itembank.operations.duties import may_write, review_refusal
from itembank.ui import nav
from itembank.ui.assembly import choose_bank, holds_any
from itembank.ui.blueprint import actor, bp, commit, login_required, page
from itembank.ui.i18n import gettext as _
from itembank.ui.viewmodels import may, type_label, version_view
from itembank.workflow import DRAFTABLE_FROM, Status

VERSION = f"<int(max={DB_INT_MAX}):number>"
#: Most passages the item editor offers to choose from (the newest first).
CHOICES_LIMIT = 300


def passage_text(version: PassageVersion | None) -> Markup:
    """A passage version's sanitized rich text, ready for a template."""
    return Markup(version.body) if version is not None else Markup("")


def passage_choices(bank: Any, pinned: PassageVersion | None) -> list[dict[str, Any]]:
    """The passage versions an item of ``bank`` may pin, for the item editor's list:
    each passage's newest draft, in-review or approved version (and the one pinned);
    retired passages are not offered."""
    rows = db.session.execute(
        sa.select(Passage, PassageVersion)
        .join(PassageVersion, PassageVersion.id == Passage.newest_version_id)
        .where(Passage.bank_id == bank.id, Passage.retired_at.is_(None))
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
    return sets.pinnable_version(bank, passage_id, int(number))


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
                AuditEvent.action.not_in(("passage.read", "passage.comment_read")),
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
        and not passage.is_retired
        and not any(v.is_open for v in versions)
        and Status(newest.status) in DRAFTABLE_FROM,
        "can_withdraw": writer and version.status == Status.IN_REVIEW.value,
        "can_review": review_refusal(user, version) is None,
        "can_comment": may(user, bank, Role.AUTHOR, Role.REVIEWER),
        "can_retire": may(user, bank, Role.BANK_ADMIN)
        and not passage.is_retired
        and not any(v.is_open for v in versions),
        "comments": ops.read_passage_comments(version, actor=user, via="web"),
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
        group["items"].append(
            {"item": item, "view": version_view(item, item_version, f"i{item.number}-")}
        )
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
