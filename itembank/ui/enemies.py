"""Enemy pairs (items never to appear in the same form): marked and unmarked from an
item's page or a form's page, by authors, reviewers, assemblers and bank admins."""

from __future__ import annotations

from typing import Any

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue

from itembank.api.common import INT_ID
from itembank.errors import Conflict, InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import Bank, Item, User
from itembank.operations import enemies, reads
from itembank.operations.accounts import get_bank
from itembank.ui.blueprint import actor, bp, commit, login_required, redirect_to, safe_next
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import problem_text
from itembank.ui.viewmodels import may


def enemies_of(item: Item, user: User) -> dict[str, Any]:
    """For the item page: the item's enemy pairs and whether ``user`` may change them."""
    pairs = enemies.list_enemies(item.bank, actor=user, item=item)
    return {
        "pairs": [
            {
                "pair": pair,
                "other": pair.item_high if pair.item_low_id == item.id else pair.item_low,
            }
            for pair in pairs
        ],
        "can_mark": may(user, item.bank, *enemies.MARKING_ROLES),
    }


def _back(bank: Bank) -> str:
    return safe_next(request.form.get("next"), url_for("ui.items", code=bank.code))


@bp.post("/banks/<code>/enemies")
@login_required
def mark_enemies(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    back = _back(bank)
    first_id = request.form.get("first", "").strip()
    second_id = request.form.get("second", "").strip()
    try:
        first, _latest = reads.readable_item(first_id, actor=user)
        try:
            second, _latest = reads.readable_item(second_id, actor=user)
        except NotFound:
            raise InvalidInput(
                f"no item {second_id!r}",
                [
                    {
                        "field": "second",
                        "message": f"Butir '{second_id[:64]}' tidak ditemukan di bank ini.",
                        "message_en": f"There is no item '{second_id[:64]}' in this bank.",
                    }
                ],
            ) from None
        if first.bank_id != bank.id:
            raise NotFound(f"bank {bank.code} has no item {first.external_id!r}")
        enemies.mark_enemies(first, second, actor=user, reason=request.form.get("reason", ""))
    except InvalidInput as exc:
        db.session.rollback()
        for p in exc.problems:
            flash(problem_text(p), "error")
        return redirect_to(back)
    except Conflict:
        db.session.rollback()
        flash(_("These two items are already marked as enemies."), "info")
        return redirect_to(back)
    commit()
    flash(
        _(
            "%(first)s and %(second)s will not be allowed in the same form.",
            first=first.external_id,
            second=second.external_id,
        ),
        "success",
    )
    return redirect_to(back)


@bp.post(f"/banks/<code>/enemies/<{INT_ID}:pair_id>/delete")
@login_required
def unmark_enemies(code: str, pair_id: int) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    pair = enemies.get_pair(bank, pair_id, actor=user)
    enemies.unmark_enemies(pair, actor=user)
    commit()
    flash(_("The enemy pair is removed."), "success")
    return redirect_to(_back(bank))
