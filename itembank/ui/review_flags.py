"""*Perlu ditelaah: statistik*: item versions their statistics sent back to reviewers.

The queue lists the bank's open flags (or those decided one way) with the item, the
version, the flags, the figures behind them and the analysis or calibration they come
from. A flag's page shows the same and, for reviewers and bank admins, the decision:
keep, revise, or retire (bank admins only), always with a reason
(:func:`itembank.operations.review_flags.decide_flag`). After *revise*, an item writer
starts the new draft from the flag's page (:func:`itembank.operations.items.
start_new_draft`, from the flagged version). Reviewers and bank admins see the open
flags on their dashboard; writers see the flags decided *revise* that still wait for
their new draft.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import aliased

from itembank.api.common import INT_ID
from itembank.errors import Conflict, InvalidInput
from itembank.extensions import db
from itembank.models import Bank, ItemVersion, ReviewFlag, Role, User
from itembank.operations import result_reads as reads
from itembank.operations.accounts import get_bank
from itembank.operations.duties import may_write
from itembank.operations.items import start_new_draft
from itembank.operations.review_flags import FLAG_READERS, decide_flag, find_flag, list_flags
from itembank.operations.statistics import STATISTICS_ROLES
from itembank.ui import dashboard, nav
from itembank.ui.assembly import choose_bank, holds_any
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import error_text, problem_text
from itembank.ui.i18n import gettext as _
from itembank.ui.viewmodels import may

DECIDERS = (Role.REVIEWER, Role.BANK_ADMIN)
STATUSES: dict[str, Callable[[], str]] = {
    "open": lambda: _("waiting for a decision"),
    "revise": lambda: _("to be revised"),
    "keep": lambda: _("kept as it is"),
    "retire": lambda: _("retired"),
}
DECISION_LABELS: dict[str, Callable[[], str]] = {
    "keep": lambda: _("Keep: the item stays as it is"),
    "revise": lambda: _("Revise: the writers start a new version"),
    "retire": lambda: _("Retire the item (bank administrators)"),
}
FILTERS = ("open", "revise", "keep", "retire", "all")


def flag_status(status: str) -> str:
    label = STATUSES.get(status)
    return label() if label else status


def _source(flag: ReviewFlag, *, linked: bool) -> dict[str, Any] | None:
    """What raised ``flag``, with a label and (``linked``: for readers of analyses) the
    address of the analysis."""
    figures = reads.flag_figures(flag)
    if figures is None:
        return None
    if figures["kind"] == "analysis":
        administration = figures["administration"]
        figures["label"] = _(
            "Analysis of form %(form)s, %(scope)s",
            form=figures["form"].external_id,
            scope=administration.external_id
            if administration
            else _("all administrations (pooled)"),
        )
        figures["url"] = (
            url_for(
                "ui.form_analysis",
                form_id=figures["form"].external_id,
                scope=administration.external_id if administration else "pooled",
            )
            if linked
            else ""
        )
    else:
        figures["label"] = _(
            "Calibration %(run)s (scale %(scale)s)",
            run=figures["calibration"].external_id,
            scale=figures["calibration"].scale,
        )
        figures["url"] = ""
    return figures


def _flag_view(flag: ReviewFlag, *, linked: bool) -> dict[str, Any]:
    item = flag.item
    newest = item.versions[-1]
    return {
        "flag": flag,
        "item": item,
        "version": flag.version,
        "status_text": flag_status(flag.status),
        "source": _source(flag, linked=linked),
        "newer": newest if newest.number > flag.version.number else None,
    }


@bp.get("/review-flags")
@login_required
def review_flags_home() -> ResponseReturnValue:
    return choose_bank(actor(), FLAG_READERS, "ui.review_flags", _("To review: statistics"))


@bp.get("/banks/<code>/review-flags")
@login_required
def review_flags(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    shown = request.args.get("status", "open")
    if shown not in FILTERS:
        flash(
            _("Ignored the filter status: %(value)s is not one of its values.", value=shown[:40]),
            "warning",
        )
        shown = "open"
    flags = list_flags(bank, actor=user, status=None if shown == "all" else shown)
    linked = may(user, bank, *STATISTICS_ROLES)
    analyses = reads.current_analyses(bank, actor=user) if linked else []
    return page(
        "review_flags.html",
        bank=bank,
        shown=shown,
        filters=[(key, _("all") if key == "all" else flag_status(key)) for key in FILTERS],
        flags=[_flag_view(flag, linked=linked) for flag in flags],
        analyses=analyses,
    )


def _flag_page(
    bank: Bank,
    flag: ReviewFlag,
    *,
    problems: list[str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = actor()
    view = _flag_view(flag, linked=may(user, bank, *STATISTICS_ROLES))
    item = flag.item
    decisions = ["keep", "revise"] + (["retire"] if may(user, bank, Role.BANK_ADMIN) else [])
    return page(
        "review_flag.html",
        status,
        bank=bank,
        view=view,
        flag=flag,
        can_decide=flag.status == "open" and may(user, bank, *DECIDERS),
        decisions=[(d, DECISION_LABELS[d]()) for d in decisions],
        can_start_draft=(
            flag.status == "revise"
            and view["newer"] is None
            and not item.is_retired
            and may_write(user, bank)
        ),
        problems=problems or [],
        values=values or {},
    )


@bp.get(f"/banks/<code>/review-flags/<{INT_ID}:flag_id>")
@login_required
def review_flag(code: str, flag_id: int) -> ResponseReturnValue:
    bank = get_bank(code)
    return _flag_page(bank, find_flag(bank, flag_id, actor=actor()))


@bp.post(f"/banks/<code>/review-flags/<{INT_ID}:flag_id>/decide")
@login_required
def decide_review_flag(code: str, flag_id: int) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    flag = find_flag(bank, flag_id, actor=user)
    decision = request.form.get("decision", "")
    reason = request.form.get("reason", "")
    try:
        decide_flag(flag, actor=user, decision=decision, reason=reason)
    except InvalidInput as exc:
        db.session.rollback()
        flag = find_flag(bank, flag_id, actor=user)
        return _flag_page(
            bank,
            flag,
            problems=[problem_text(p) for p in exc.problems] or [error_text(exc)],
            values={"decision": decision, "reason": reason},
            status=422,
        )
    except Conflict:
        db.session.rollback()
        flag = find_flag(bank, flag_id, actor=user)
        return _flag_page(
            bank,
            flag,
            problems=[_("Someone decided this flag in the meantime; their decision is shown.")],
            status=409,
        )
    commit()
    messages = {
        "keep": _("Decided: %(item)s stays as it is.", item=flag.item.external_id),
        "revise": _(
            "Decided: %(item)s is to be revised; writers start it from the flag's page.",
            item=flag.item.external_id,
        ),
        "retire": _("Decided: %(item)s is retired.", item=flag.item.external_id),
    }
    flash(messages[flag.status], "success")
    return redirect_to(url_for("ui.review_flags", code=bank.code))


@bp.post(f"/banks/<code>/review-flags/<{INT_ID}:flag_id>/draft")
@login_required
def start_flag_draft(code: str, flag_id: int) -> ResponseReturnValue:
    """An item writer starts the new version a *revise* decision asks for, from the
    flagged version."""
    user = actor()
    bank = get_bank(code)
    flag = find_flag(bank, flag_id, actor=user)
    if flag.status != "revise":
        flash(_("Only a flag decided as revise starts a new version."), "warning")
        return redirect_to(url_for("ui.review_flag", code=bank.code, flag_id=flag.id))
    try:
        draft = start_new_draft(flag.item, actor=user, from_number=flag.version.number)
    except Conflict as exc:
        db.session.rollback()
        flash(_("No new version was started: %(why)s", why=error_text(exc)), "error")
        return redirect_to(url_for("ui.review_flag", code=bank.code, flag_id=flag_id))
    commit()
    flash(_("Version %(number)d started as a draft.", number=draft.number), "success")
    return redirect_to(url_for("ui.edit_item", external_id=flag.item.external_id))


# -- dashboard and menu ----------------------------------------------------------------------


@dashboard.panel(
    "statistics_flags",
    lambda: _("To review: statistics"),
    lambda: _("No item waits for a decision on its statistics."),
    set(DECIDERS),
    order=35,
    template="ui/_flag_rows.html",
)
def open_flags(user: User, bank_ids: list[int]) -> list[ReviewFlag]:
    """Open flags of the banks where the user decides them, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ReviewFlag)
            .where(ReviewFlag.bank_id.in_(bank_ids), ReviewFlag.status == "open")
            .order_by(ReviewFlag.id)
            .limit(dashboard.LIMIT)
        )
    )


@dashboard.panel(
    "statistics_revise",
    lambda: _("Statistics: versions to revise"),
    lambda: _("No item waits for a revision asked by its statistics."),
    {Role.AUTHOR},
    order=15,
    template="ui/_flag_rows.html",
    hide_empty=True,
)
def flags_to_revise(user: User, bank_ids: list[int]) -> list[ReviewFlag]:
    """Flags decided *revise* whose item has no version after the flagged one yet."""
    newer = aliased(ItemVersion)
    return list(
        db.session.scalars(
            sa.select(ReviewFlag)
            .join(ItemVersion, ItemVersion.id == ReviewFlag.version_id)
            .where(
                ReviewFlag.bank_id.in_(bank_ids),
                ReviewFlag.status == "revise",
                ~sa.exists(
                    sa.select(newer.id).where(
                        newer.item_id == ReviewFlag.item_id, newer.number > ItemVersion.number
                    )
                ),
            )
            .order_by(ReviewFlag.decided_at.desc(), ReviewFlag.id.desc())
            .limit(dashboard.LIMIT)
        )
    )


nav.add(
    "ui.review_flags_home",
    lambda: _("Statistics review"),
    prefixes=("/review-flags", "/banks/*/review-flags"),
    visible=holds_any(FLAG_READERS),
    order=55,
)
