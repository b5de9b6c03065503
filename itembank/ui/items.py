"""The bank's item list and an item's page (a version, its key and its history)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from itembank.access import ensure_visible
from itembank.api.common import DB_INT_MAX
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import Bank, Item, ItemVersion, Membership, Role, User
from itembank.operations import reads
from itembank.operations.accounts import get_bank
from itembank.operations.bulk import BULK_LIMIT
from itembank.operations.duties import can_review, may_write
from itembank.operations.items import start_new_draft
from itembank.operations.relevance import RELEVANCE
from itembank.operations.reviews import withdraw_version
from itembank.plugins import plugins
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.bulk import draft_forms
from itembank.ui.enemies import enemies_of
from itembank.ui.excerpt import rich_text_excerpt
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick, problem_text
from itembank.ui.nav import user_banks
from itembank.ui.viewmodels import history, may, taxonomy_choices, type_label, version_view
from itembank.workflow import DRAFTABLE_FROM, Status

PER_PAGE = (20, 50, 100)
SORTS = {
    # Offered only with a search text, and then the default (see sort_options).
    RELEVANCE: lambda: _("Relevance"),
    "-updated_at": lambda: _("Recently changed first"),
    "updated_at": lambda: _("Least recently changed first"),
    "-created_at": lambda: _("Newest first"),
    "created_at": lambda: _("Oldest first"),
    "external_id": lambda: _("Item code, ascending"),
    "-external_id": lambda: _("Item code, descending"),
}
EXCERPT = 160


@bp.get("/banks")
@login_required
def banks() -> ResponseReturnValue:
    user = actor()
    mine = user_banks(user)
    if len(mine) == 1:
        return redirect_to(url_for("ui.items", code=mine[0].code))
    counts = dict(
        db.session.execute(sa.select(Item.bank_id, sa.func.count()).group_by(Item.bank_id)).all()
    )
    roles = {
        (m.bank_id, m.role)
        for m in db.session.scalars(sa.select(Membership).where(Membership.user_id == user.id))
    }
    rows = [
        {
            "bank": bank,
            "items": counts.get(bank.id, 0),
            "roles": sorted(role for bank_id, role in roles if bank_id == bank.id),
        }
        for bank in mine
    ]
    return page("banks.html", rows=rows)


def parse_filters(
    args: MultiDict[str, str], choices: dict[str, Any]
) -> tuple[reads.ItemFilters, dict[str, str], list[str]]:
    """The list's filters from the query string. Values that are not offered are
    dropped with a message, never an error page: ``(filters, kept values, messages)``."""
    kept: dict[str, str] = {}
    messages: list[str] = []
    filters = reads.ItemFilters()

    def take(name: str, allowed: set[str] | dict[str, Any], label: str) -> str | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if value not in allowed:
            messages.append(
                _(
                    "Ignored the filter %(name)s: %(value)s is not one of its values.",
                    name=label,
                    value=value[:40],
                )
            )
            return None
        kept[name] = value
        return value

    filters.status = take("status", choices["statuses"], _("status"))
    filters.type = take("type", choices["types"], _("item type"))
    node = take("node", choices["nodes"], _("classification"))
    if node:
        filters.taxonomy, _sep, filters.node = node.partition(":")
    level = take("level", {str(n) for n in range(1, 11)}, _("level"))
    filters.level = int(level) if level else None
    filters.author = take("author", choices["authors"], _("author"))
    q = (args.get("q") or "").strip()[:200]
    if q:
        filters.q = kept["q"] = q
    exposure = (args.get("min_exposure") or "").strip()
    if exposure:
        if exposure.isdigit() and len(exposure) < 10:
            filters.min_exposure = int(exposure)
            kept["min_exposure"] = exposure
        else:
            messages.append(
                _(
                    "Ignored the filter %(name)s: %(value)s is not a whole number.",
                    name=_("minimum exposure"),
                    value=exposure[:40],
                )
            )
    since = (args.get("not_used_since") or "").strip()
    if since:
        try:
            filters.not_used_since = date.fromisoformat(since)
            kept["not_used_since"] = since
        except ValueError:
            messages.append(
                _(
                    "Ignored the filter %(name)s: %(value)s is not a date (YYYY-MM-DD).",
                    name=_("not used since"),
                    value=since[:40],
                )
            )
    if filters.q or args.get("sort") != RELEVANCE:
        sort = take("sort", SORTS, _("sort order"))
    else:
        sort = None  # relevance without a search text: the default order, silently
    filters.sort = sort or (RELEVANCE if filters.q else reads.DEFAULT_SORT)
    per_page = take("per_page", {str(n) for n in PER_PAGE}, _("items per page"))
    filters.per_page = int(per_page) if per_page else PER_PAGE[0]
    raw_page = (args.get("page") or "1").strip()
    if raw_page.isdigit() and 1 <= int(raw_page) <= DB_INT_MAX // filters.per_page:
        filters.page = int(raw_page)
    elif raw_page != "1":
        messages.append(_("Ignored the page number %(value)s.", value=raw_page[:20]))
    return filters, kept, messages


def sort_options(kept: dict[str, str]) -> list[tuple[str, str, bool]]:
    """The list's sort choices as (value, label, selected). Relevance is offered only
    with a search text, and is then the order unless the user chose another, as search
    pages do: the default choice is sent as an empty value, so that a search typed
    later, with the sort left alone, is ordered by relevance, while a chosen order
    stays chosen across searches."""
    searching = bool(kept.get("q"))
    chosen = kept.get("sort")
    default = RELEVANCE if searching else reads.DEFAULT_SORT
    return [
        ("" if chosen is None and key == default else key, label(), (chosen or default) == key)
        for key, label in SORTS.items()
        if searching or key != RELEVANCE
    ]


def _authors(bank_id: int) -> dict[str, str]:
    rows = db.session.execute(
        sa.select(User.username, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.bank_id == bank_id, Membership.role == Role.AUTHOR.value)
        .order_by(User.username)
    ).all()
    return {username: display or username for username, display in rows}


def choices_for(bank: Bank, user: User) -> dict[str, Any]:
    """The values the list's filters offer ``user`` in ``bank``."""
    taxonomies = taxonomy_choices(bank)
    nodes = {f"{t['code']}:{n['code']}": n for t in taxonomies for n in t["nodes"]}
    only_approved = reads.sees_only_approved(user, bank)
    statuses = [Status.APPROVED.value] if only_approved else [s.value for s in Status]
    return {
        "statuses": set(statuses),
        "status_list": statuses,
        "types": plugins().item_types,
        "nodes": nodes,
        "taxonomies": taxonomies,
        "authors": _authors(bank.id),
    }


@bp.get("/banks/<code>/items")
@login_required
def items(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    ensure_visible(user, bank)
    only_approved = reads.sees_only_approved(user, bank)
    choices = choices_for(bank, user)
    taxonomies, nodes, statuses = choices["taxonomies"], choices["nodes"], choices["status_list"]
    filters, kept, messages = parse_filters(request.args, choices)
    for message in messages:
        flash(message, "warning")
    try:
        result = reads.list_items(bank, filters, actor=user)
    except InvalidInput as exc:
        for problem in exc.problems:
            flash(problem_text(problem), "warning")
        result = {"items": [], "total": 0, "page": 1, "per_page": filters.per_page, "pages": 0}
    rows = []
    for entry in result["items"]:
        version: ItemVersion = entry["version"]
        rows.append(
            {
                **entry,
                "excerpt": rich_text_excerpt(version.stem, EXCERPT),
                "type_label": type_label(entry["type"]),
                "codes": sorted({c.node.code for c in version.classifications}),
            }
        )

    last_page = result["pages"]
    if not result.get("total_exact", True):
        # Past the count's limit the pages go on while they are full.
        full = len(result["items"]) == result["per_page"]
        last_page = max(last_page, result["page"] + full)

    def page_url(number: int) -> str:
        return url_for("ui.items", code=bank.code, **{**kept, "page": number})

    return page(
        "items.html",
        bank=bank,
        rows=rows,
        result=result,
        kept=kept,
        statuses=statuses,
        item_types=sorted(
            ((t.id, pick(t.label)) for t in plugins().item_types.values()), key=lambda p: p[1]
        ),
        taxonomies=taxonomies,
        max_level=max((lv["level"] for n in nodes.values() for lv in n["levels"]), default=5),
        authors=choices["authors"],
        sorts=sort_options(kept),
        per_page_choices=PER_PAGE,
        page_url=page_url,
        pages=_page_numbers(result["page"], last_page),
        last_page=last_page,
        can_write=may(user, bank, Role.AUTHOR),
        only_approved=only_approved,
        bulk_forms=draft_forms(bank, user),
        bulk_limit=BULK_LIMIT,
        can_retire=may(user, bank, Role.BANK_ADMIN),
        can_configure=may(user, bank, Role.BANK_ADMIN),
        can_export=may(user, bank, Role.ASSEMBLER, Role.BANK_ADMIN),
        exporters=[(e.id, pick(e.label)) for e in plugins().exporters.values()],
    )


def _page_numbers(current: int, last: int) -> list[int | None]:
    """Page links around the current page, with ``None`` for a gap."""
    if last <= 1:
        return []
    wanted = {1, last, *range(max(1, current - 2), min(last, current + 2) + 1)}
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(wanted):
        if number - previous > 1:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


def _item_page(external_id: str, number: int | None) -> ResponseReturnValue:
    user = actor()
    item, latest = reads.readable_item(external_id, actor=user)
    version = latest if number is None else reads.readable_version(item, number, actor=user)
    reads.record_read(user, version, via="web")
    reads.read_comments(version, actor=user, via="web")
    versions = reads.readable_versions(item, actor=user)
    open_version = next((v for v in item.versions if v.is_open), None)
    bank = item.bank
    is_author = may_write(user, bank)
    newest = item.versions[-1]
    context = {
        "item": item,
        "view": version_view(item, version),
        "versions": versions,
        "events": history(item, versions),
        "type_label": type_label(item.item_type),
        "bank": bank,
        "only_approved": reads.sees_only_approved(user, bank),
        "can_edit": is_author and newest.status == Status.DRAFT.value,
        "can_revise": (
            is_author
            and open_version is None
            and not item.is_retired
            and Status(newest.status) in DRAFTABLE_FROM
        ),
        "can_review": can_review(user, version),
        "can_withdraw": is_author and version.status == Status.IN_REVIEW.value,
        "is_latest": version.id == latest.id,
        "latest": latest,
        "enemies": enemies_of(item, user),
    }
    commit()  # the read is recorded
    return page("item.html", **context)


@bp.get("/items/<external_id>")
@login_required
def item(external_id: str) -> ResponseReturnValue:
    return _item_page(external_id, None)


@bp.get(f"/items/<external_id>/versions/<int(max={DB_INT_MAX}):number>")
@login_required
def version(external_id: str, number: int) -> ResponseReturnValue:
    return _item_page(external_id, number)


@bp.post(f"/items/<external_id>/versions/<int(max={DB_INT_MAX}):number>/withdraw")
@login_required
def withdraw(external_id: str, number: int) -> ResponseReturnValue:
    """Take a version out of review (authors); a new draft can start from it."""
    user = actor()
    item_obj, _latest = reads.readable_item(external_id, actor=user)
    version_obj = reads.readable_version(item_obj, number, actor=user)
    withdraw_version(version_obj, actor=user, reason=request.form.get("reason", ""))
    commit()
    flash(_("Version %(number)d was withdrawn from review.", number=number), "success")
    return redirect_to(url_for("ui.item", external_id=external_id))


@bp.post("/items/<external_id>/revise")
@login_required
def revise(external_id: str) -> ResponseReturnValue:
    """Start the next version from the newest approved or changes-requested one."""
    user = actor()
    item_obj, _latest = reads.readable_item(external_id, actor=user)
    draft = start_new_draft(item_obj, actor=user)
    commit()
    flash(_("Version %(number)d started as a draft.", number=draft.number), "success")
    return redirect_to(url_for("ui.edit_item", external_id=external_id))
