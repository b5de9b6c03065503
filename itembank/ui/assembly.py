"""What the assembly pages (blueprints, forms, imports) share: menu entries that lead
to a bank's page (straight there for a member of one bank, else a choice of banks),
labels, and reading small numbers from forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask.typing import ResponseReturnValue

from itembank.extensions import db
from itembank.models import Bank, Membership, Role, User
from itembank.models.forms import FORM_STATUS_LABELS, FormStatus
from itembank.ui.blueprint import page, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick
from itembank.ui.nav import user_banks


def banks_where(user: User, roles: tuple[Role, ...] | None) -> list[Bank]:
    """The user's banks where they hold one of ``roles`` (``None``: any role;
    administrators: every bank)."""
    banks = user_banks(user)
    if roles is None or user.is_admin:
        return banks
    held = set(
        db.session.scalars(
            sa.select(Membership.bank_id).where(
                Membership.user_id == user.id, Membership.role.in_([r.value for r in roles])
            )
        )
    )
    return [bank for bank in banks if bank.id in held]


def holds_any(roles: tuple[Role, ...] | None) -> Callable[[User], bool]:
    """For menu entries: whether the user holds one of ``roles`` in some bank."""

    def visible(user: User) -> bool:
        return bool(banks_where(user, roles))

    return visible


def choose_bank(
    user: User, roles: tuple[Role, ...] | None, endpoint: str, title: str
) -> ResponseReturnValue:
    """Go to ``endpoint`` of the user's only bank, or list the banks to choose from."""
    banks = banks_where(user, roles)
    if len(banks) == 1:
        return redirect_to(url_for(endpoint, code=banks[0].code))
    links = [(bank, url_for(endpoint, code=bank.code)) for bank in banks]
    return page("choose_bank.html", title=title, links=links)


def form_status_label(status: str) -> str:
    try:
        return pick(FORM_STATUS_LABELS[FormStatus(status)])
    except ValueError:
        return status


def number_or_none(raw: Any) -> int | None:
    """``"12"`` -> 12; empty -> None; anything else -> None (the caller reports it)."""
    text = str(raw or "").strip()
    if text.isdigit() and len(text) < 10:
        return int(text)
    return None


def problem(field: str, message: str, message_en: str) -> dict[str, str]:
    return {"field": field, "message": message, "message_en": message_en}


def not_a_number(field: str) -> dict[str, str]:
    return problem(
        field, "Harus berupa bilangan bulat positif.", "Must be a positive whole number."
    )


def no_choice_label() -> str:
    return _("— choose —")
