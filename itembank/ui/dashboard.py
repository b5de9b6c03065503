"""The dashboard: per role, what needs the user's attention.

Each panel is a query over the user's banks; a panel shows only to users with a role
it applies to. Later phases add panels (forms in progress, my jobs) with :func:`panel`.
A panel lists :class:`Row` objects (items, forms) unless it names a template of its own
for its rows (jobs, with their progress).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import aliased, contains_eager

from itembank.extensions import db
from itembank.models import Bank, Item, ItemVersion, Membership, Role, User
from itembank.models.items import VersionContributor
from itembank.operations.duties import reviewable_by
from itembank.ui.blueprint import actor, bp, login_required, page
from itembank.ui.excerpt import rich_text_excerpt
from itembank.ui.i18n import gettext as _
from itembank.ui.nav import user_banks
from itembank.workflow import Status

LIMIT = 10
EXCERPT = 140
#: How a panel's rows are listed unless it says otherwise: :class:`Row` objects.
ROWS_TEMPLATE = "ui/_panel_rows.html"


@dataclass(frozen=True)
class Row:
    external_id: str
    number: int
    status: str
    excerpt: str
    when: datetime | None
    url: str
    bank: str
    #: Shown instead of "v<number>" (a form's "5 of 12 items").
    detail: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: Callable[[], str]
    empty: Callable[[], str]
    #: The roles that see the panel (global administrators see every panel).
    roles: frozenset[Role]
    rows: Callable[[User, list[int]], Sequence[Any]]
    order: int
    #: The template that lists the rows (it reads them as ``panel.rows``).
    template: str = ROWS_TEMPLATE
    #: Leave the panel out while it has no rows (instead of showing ``empty``).
    hide_empty: bool = False
    #: A script of ours (under ``static/``) that the rows need, e.g. ``js/job.js``.
    script: str = ""


PANELS: list[Panel] = []

RowsFunction = TypeVar("RowsFunction", bound=Callable[[User, list[int]], Sequence[Any]])


def panel(
    key: str,
    title: Callable[[], str],
    empty: Callable[[], str],
    roles: set[Role],
    order: int = 100,
    *,
    template: str = ROWS_TEMPLATE,
    hide_empty: bool = False,
    script: str = "",
) -> Callable[[RowsFunction], RowsFunction]:
    """Register a dashboard panel; the decorated function gets the user and the ids of
    the banks where the user holds one of ``roles`` and returns the rows: :class:`Row`
    objects, or whatever its own ``template`` lists."""

    def decorate(rows: RowsFunction) -> RowsFunction:
        PANELS[:] = [p for p in PANELS if p.key != key]
        PANELS.append(
            Panel(key, title, empty, frozenset(roles), rows, order, template, hide_empty, script)
        )
        PANELS.sort(key=lambda p: p.order)
        return rows

    return decorate


def banks_with_roles(user: User, roles: frozenset[Role]) -> list[int]:
    if user.is_admin:
        return list(db.session.scalars(sa.select(Bank.id)))
    return list(
        db.session.scalars(
            sa.select(Membership.bank_id)
            .where(Membership.user_id == user.id, Membership.role.in_([r.value for r in roles]))
            .distinct()
        )
    )


def _versions(*conditions: Any, order: Any, bank_ids: list[int]) -> list[ItemVersion]:
    if not bank_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(ItemVersion)
            .join(Item, Item.id == ItemVersion.item_id)
            .options(contains_eager(ItemVersion.item))
            .where(Item.bank_id.in_(bank_ids), *conditions)
            .order_by(order, ItemVersion.id.desc())
            .limit(LIMIT)
        )
    )


def _contributed_by(user: User) -> sa.ColumnElement[bool]:
    return sa.exists(
        sa.select(VersionContributor.id).where(
            VersionContributor.version_id == ItemVersion.id,
            VersionContributor.user_id == user.id,
        )
    )


def _newest() -> sa.ColumnElement[bool]:
    newer = aliased(ItemVersion)
    return ~sa.exists(
        sa.select(newer.id).where(
            newer.item_id == ItemVersion.item_id, newer.number > ItemVersion.number
        )
    )


def _rows(versions: list[ItemVersion], endpoint: str, when: str) -> list[Row]:
    rows = []
    for version in versions:
        item = version.item
        if endpoint == "ui.review":
            url = url_for(endpoint, external_id=item.external_id, number=version.number)
        else:
            url = url_for(endpoint, external_id=item.external_id)
        rows.append(
            Row(
                external_id=item.external_id,
                number=version.number,
                status=version.status,
                excerpt=rich_text_excerpt(version.stem, EXCERPT),
                when=getattr(version, when),
                url=url,
                bank=item.bank.code,
            )
        )
    return rows


@panel(
    "changes_requested",
    lambda: _("Changes requested of me"),
    lambda: _("No reviewer has asked you for changes."),
    {Role.AUTHOR},
    order=10,
)
def changes_requested(user: User, bank_ids: list[int]) -> list[Row]:
    versions = _versions(
        ItemVersion.status == Status.CHANGES_REQUESTED.value,
        _contributed_by(user),
        _newest(),
        Item.retired_at.is_(None),
        order=ItemVersion.decided_at.desc(),
        bank_ids=bank_ids,
    )
    return _rows(versions, "ui.item", "decided_at")


@panel(
    "my_drafts",
    lambda: _("My drafts"),
    lambda: _("You have no drafts."),
    {Role.AUTHOR},
    order=20,
)
def my_drafts(user: User, bank_ids: list[int]) -> list[Row]:
    versions = _versions(
        ItemVersion.status == Status.DRAFT.value,
        _contributed_by(user),
        order=ItemVersion.updated_at.desc(),
        bank_ids=bank_ids,
    )
    return _rows(versions, "ui.edit_item", "updated_at")


@panel(
    "waiting_for_review",
    lambda: _("Waiting for my review"),
    lambda: _("Nothing is waiting for your review."),
    {Role.REVIEWER},
    order=30,
)
def waiting_for_review(user: User, bank_ids: list[int]) -> list[Row]:
    """Versions in review that the user may review (the operations' rule,
    :func:`itembank.operations.duties.reviewable_by`), oldest first."""
    versions = _versions(
        *reviewable_by(user), order=ItemVersion.submitted_at.asc(), bank_ids=bank_ids
    )
    return _rows(versions, "ui.review", "submitted_at")


@panel(
    "my_in_review",
    lambda: _("My items in review"),
    lambda: _("None of your items is in review."),
    {Role.AUTHOR},
    order=40,
)
def my_in_review(user: User, bank_ids: list[int]) -> list[Row]:
    versions = _versions(
        ItemVersion.status == Status.IN_REVIEW.value,
        _contributed_by(user),
        order=ItemVersion.submitted_at.desc(),
        bank_ids=bank_ids,
    )
    return _rows(versions, "ui.item", "submitted_at")


@panel(
    "recently_approved",
    lambda: _("Recently approved"),
    lambda: _("No item has been approved yet."),
    {Role.AUTHOR, Role.REVIEWER, Role.ASSEMBLER, Role.BANK_ADMIN},
    order=50,
)
def recently_approved(user: User, bank_ids: list[int]) -> list[Row]:
    versions = _versions(
        ItemVersion.status == Status.APPROVED.value,
        order=ItemVersion.decided_at.desc(),
        bank_ids=bank_ids,
    )
    return _rows(versions, "ui.item", "decided_at")


@bp.get("/")
@login_required
def dashboard() -> ResponseReturnValue:
    user = actor()
    panels = []
    scripts: list[str] = []
    for entry in PANELS:
        bank_ids = banks_with_roles(user, entry.roles)
        if not bank_ids:
            continue
        rows = entry.rows(user, bank_ids)
        if not rows and entry.hide_empty:
            continue
        panels.append(
            {
                "key": entry.key,
                "title": entry.title(),
                "empty": entry.empty(),
                "rows": rows,
                "template": entry.template,
            }
        )
        if entry.script and entry.script not in scripts:
            scripts.append(entry.script)
    writable = set(banks_with_roles(user, frozenset({Role.AUTHOR})))
    banks = user_banks(user)
    return page(
        "dashboard.html",
        panels=panels,
        scripts=scripts,
        banks=banks,
        writable=[bank for bank in banks if bank.id in writable],
    )
