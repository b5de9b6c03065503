"""The main navigation, and what every template can use.

Pages add themselves with :func:`add`; the later blueprint, form and import pages do
the same, so the menu grows without touching the layout template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, request, url_for
from flask_babel import format_datetime, format_decimal
from flask_login import current_user

from itembank.extensions import db
from itembank.models import Bank, Membership, User
from itembank.ui.i18n import LANGUAGES, current_language, pick, problem_text
from itembank.ui.i18n import gettext as _
from itembank.workflow import STATUS_LABELS, Status


@dataclass(frozen=True)
class NavEntry:
    endpoint: str
    label: Callable[[], str]
    #: URL path prefixes that mark the entry as the current one (``*`` stands for one
    #: path segment: ``/banks/*/forms``).
    prefixes: tuple[str, ...]
    visible: Callable[[User], bool]
    order: int


NAV: list[NavEntry] = []


def add(
    endpoint: str,
    label: Callable[[], str],
    *,
    prefixes: tuple[str, ...] = (),
    visible: Callable[[User], bool] = lambda user: True,
    order: int = 100,
) -> None:
    """Add a menu entry (``label`` is called per request, so it is translated)."""
    NAV[:] = [entry for entry in NAV if entry.endpoint != endpoint]
    NAV.append(NavEntry(endpoint, label, prefixes, visible, order))
    NAV.sort(key=lambda entry: entry.order)


def user_banks(user: User) -> list[Bank]:
    """The banks ``user`` is a member of (administrators: every bank)."""
    query = sa.select(Bank).order_by(Bank.code)
    if not user.is_admin:
        query = query.where(
            Bank.id.in_(sa.select(Membership.bank_id).where(Membership.user_id == user.id))
        )
    return list(db.session.scalars(query))


def status_label(status: str) -> str:
    try:
        return pick(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


def role_label(role: str) -> str:
    labels = {
        "author": _("Item writer"),
        "reviewer": _("Reviewer"),
        "assembler": _("Assembler"),
        "bank_admin": _("Bank administrator"),
    }
    return labels.get(role, role)


def action_label(event: Any) -> str:
    """An audit event of an item, as a phrase: "<who> submitted for review". Events
    about a form name the form (``%(form)s`` is its id, linked by the template)."""
    data = event.data or {}
    if event.action in ("version.review", "passage.review"):
        return {
            "approve": _("approved"),
            "request_changes": _("requested changes"),
            "reject": _("rejected"),
        }.get(data.get("decision"), _("reviewed"))
    form = event.object_id if event.object_type == "form" else ""
    on_forms = {
        "form.entry_add": _("added the item to form %(form)s", form=form),
        "form.entries_add": _("added the item to form %(form)s", form=form),
        "form.entry_remove": _("removed the item from form %(form)s", form=form),
        "form.entry_move": _("moved the item within form %(form)s", form=form),
        "form.entry_repin": _("changed which version form %(form)s uses", form=form),
    }
    if event.action in on_forms:
        return on_forms[event.action]
    labels = {
        "item.create": _("created the item by import")
        if data.get("via") == "import"
        else _("created the item"),
        "version.update": _("saved the draft"),
        "version.submit": _("submitted for review"),
        "version.approved": _("completed the approvals"),
        "version.changes_requested": _("sent the version back for changes"),
        "version.rejected": _("closed the version as rejected"),
        "version.withdrawn": _("withdrew the version from review"),
        "version.retired": _("retired the item"),
        "version.new_draft": _("started a new version"),
        "comment.add": _("commented"),
        "statistics.flag": _("flagged the version for review after its statistics"),
        "statistics.flag_decided": _("decided on a statistics flag"),
        "version.passage": _("changed the passage the item asks about"),
        "passage.create": _("created the passage"),
        "passage.update": _("saved the draft"),
        "passage.submit": _("submitted for review"),
        "passage.approved": _("completed the approvals"),
        "passage.changes_requested": _("sent the version back for changes"),
        "passage.rejected": _("closed the version as rejected"),
        "passage.withdrawn": _("withdrew the version from review"),
        "passage.new_draft": _("started a new version"),
        "passage.comment": _("commented"),
        "passage.retire": _("retired the passage"),
    }
    if event.action in labels:
        return labels[event.action]
    return _("recorded an event (%(action)s)", action=event.action)


def fact_key(key: str) -> str:
    """A key inside a content fact, in words (a scale's ``min`` and ``max``, a mapping's
    ``default`` and ``lower``)."""
    words = {
        "min": _("lowest"),
        "max": _("highest"),
        "default": _("value of the others"),
        "lower": _("lowest score"),
    }
    return words.get(key, key)


def fact_value(value: Any) -> str:
    """A content fact for people: yes/no, "lowest: 1, highest: 5", lists joined,
    numbers written the way the current language writes them."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        # A range reads lowest first, whatever order the database kept the keys in.
        keys = sorted(value, key=lambda key: {"min": 0, "max": 1}.get(str(key), 2))
        return ", ".join(f"{fact_key(str(key))}: {fact_value(value[key])}" for key in keys)
    if isinstance(value, list | tuple):
        return ", ".join(fact_value(item) for item in value)
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)


def format_number(value: Any, digits: int | None = None) -> str:
    """A number the way the current language writes it: ``100.000`` and ``0,25`` in
    Indonesian, ``100,000`` and ``0.25`` in English; with ``digits``, exactly that many
    decimals (``0,50``). Anything else is shown as is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if digits is None:
        return format_decimal(value)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern)


def format_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "d MMM yyyy HH:mm")


def _under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or below it (``*`` matches any one segment)."""
    parts, wanted = path.strip("/").split("/"), prefix.strip("/").split("/")
    if len(parts) < len(wanted):
        return False
    return all(w == "*" or w == p for w, p in zip(wanted, parts, strict=False))


def _menu() -> list[dict[str, Any]]:
    if not current_user.is_authenticated:
        return []
    entries = []
    for entry in NAV:
        if not entry.visible(current_user):
            continue
        url = url_for(entry.endpoint)
        active = request.path == url or any(_under(request.path, p) for p in entry.prefixes)
        entries.append({"url": url, "label": entry.label(), "active": active})
    return entries


def init_app(app: Flask) -> None:
    @app.context_processor
    def _ui_context() -> dict[str, Any]:
        return {
            "menu": _menu,
            "languages": LANGUAGES,
            "current_language": current_language,
            "pick": pick,
            "problem_text": problem_text,
            "status_label": status_label,
            "role_label": role_label,
            "action_label": action_label,
            "fact_value": fact_value,
            "format_time": format_time,
        }

    app.jinja_env.filters["number"] = format_number


add("ui.dashboard", lambda: _("Dashboard"), order=10)
add("ui.banks", lambda: _("Item bank"), prefixes=("/banks/*/items", "/items"), order=20)
