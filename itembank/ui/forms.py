"""Test forms (paket soal): the bank's list, creating one from a blueprint, and the form
page: sections and entries in order, the blueprint rows filling up, the validation
report, and an *add items* panel over the bank's approved items.

Every change posts the form's revision it was based on; when someone changed the form
in between, nothing is applied and the page says who did. Lock, clone and export are in
:mod:`itembank.ui.form_actions`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from itembank.access import roles_in
from itembank.answer_key import answer_key_available
from itembank.api.common import INT_ID
from itembank.errors import InvalidInput, StaleEdit
from itembank.extensions import db
from itembank.models import Bank, Form, FormStatus, ItemVersion, Role, User
from itembank.operations import blueprints as bp_ops
from itembank.operations import enemies, form_order, reads
from itembank.operations import forms as form_ops
from itembank.operations.accounts import get_bank
from itembank.operations.form_report import Report, fits_row, load_form_entries
from itembank.plugins import plugins
from itembank.ui import dashboard, nav
from itembank.ui.assembly import choose_bank, form_status_label, holds_any, number_or_none
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to, safe_next
from itembank.ui.excerpt import rich_text_excerpt
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick, problem_text
from itembank.ui.items import parse_filters
from itembank.ui.viewmodels import taxonomy_choices, type_label

ASSEMBLY = bp_ops.ASSEMBLY_ROLES
EXCERPT = 120
CANDIDATES_PER_PAGE = 10


@bp.get("/forms")
@login_required
def forms_home() -> ResponseReturnValue:
    return choose_bank(actor(), ASSEMBLY, "ui.forms", _("Test forms"))


@bp.get("/banks/<code>/forms")
@login_required
def forms(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    listed = form_ops.list_forms(bank, actor=user)
    counts = form_ops.entry_counts(listed)
    return page(
        "forms.html",
        bank=bank,
        forms=list(reversed(listed)),
        counts=counts,
        blueprints=bp_ops.list_blueprints(bank, actor=user),
        form_status_label=form_status_label,
    )


@bp.post("/banks/<code>/forms")
@login_required
def create_form(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    blueprint_code = request.form.get("blueprint", "")
    blueprint = bp_ops.get_blueprint(bank, blueprint_code, actor=user)
    try:
        form = form_ops.create_form(bank, blueprint, title=request.form.get("title"), actor=user)
    except InvalidInput as exc:
        db.session.rollback()
        for p in exc.problems:
            flash(problem_text(p), "error")
        return redirect_to(url_for("ui.forms", code=bank.code))
    commit()
    flash(_("Form %(form)s created; add items to it.", form=form.external_id), "success")
    return redirect_to(url_for("ui.form_page", form_id=form.external_id))


# -- the form page -------------------------------------------------------------------------


def _excerpt(version: ItemVersion) -> str:
    return rich_text_excerpt(version.stem, EXCERPT)


def _row_label(row: Any) -> Markup:
    """A blueprint row in words (escaped; a type not installed shows its code as code)."""
    node = row.node
    parts: list[Any] = [f"{node.code} {pick(node.name)}"]
    if row.level is not None:
        parts.append(_("level %(level)d", level=row.level))
    parts.append(
        Markup(", ").join(type_label(t) for t in row.item_types)
        if row.item_types
        else _("any type")
    )
    return Markup(" · ").join(parts)


def _candidates(
    form: Form, report: Report, args: MultiDict[str, str], bank: Bank
) -> dict[str, Any]:
    """The *add items* panel: approved items of the bank (the item list's query and
    filters), each with the blueprint rows it would fill."""
    user = actor()
    taxonomies = taxonomy_choices(bank)
    nodes = {f"{t['code']}:{n['code']}": n for t in taxonomies for n in t["nodes"]}
    choices = {
        "statuses": {"approved"},
        "types": plugins().item_types,
        "nodes": nodes,
        "authors": {},
    }
    filters, kept, messages = parse_filters(args, choices)
    filters.status = None
    filters.approved_versions = True
    filters.per_page = CANDIDATES_PER_PAGE
    try:
        result = reads.list_items(bank, filters, actor=user)
    except InvalidInput as exc:
        messages.extend(problem_text(p) for p in exc.problems)
        result = {"items": [], "total": 0, "page": 1, "pages": 0}
    in_form = {entry["item"] for entry in report.entries}
    rows = [row for section in form.blueprint.sections for row in section.rows]
    filled = {r["ref"]: (r["filled"], r["count"]) for r in report.rows}
    candidates = []
    for entry in result["items"]:
        version: ItemVersion = entry["version"]
        fits = []
        for row in rows:
            if fits_row(version, entry["type"], row):
                ref = bp_ops.row_ref(row)
                have, need = filled[ref]
                fits.append({"ref": ref, "room": have < need, "label": _row_label(row)})
        candidates.append(
            {
                "external_id": entry["external_id"],
                "version": version.number,
                "type_label": type_label(entry["type"]),
                "excerpt": _excerpt(version),
                "codes": sorted({c.node.code for c in version.classifications}),
                "fits": fits,
                "in_form": entry["external_id"] in in_form,
            }
        )

    def page_url(number: int) -> str:
        return url_for(
            "ui.form_page", form_id=form.external_id, **{**kept, "page": number}, _anchor="add"
        )

    return {
        "rows": candidates,
        "result": result,
        "kept": kept,
        "messages": messages,
        "taxonomies": taxonomies,
        "item_types": sorted(
            ((t.id, pick(t.label)) for t in plugins().item_types.values()), key=lambda p: p[1]
        ),
        "page_url": page_url,
        "query": request.query_string.decode("utf-8", "replace"),
    }


def _find_url(form: Form, row: dict[str, Any]) -> str:
    """The *add items* panel filtered to what fills ``row``."""
    args: dict[str, Any] = {"node": f"{row['taxonomy']}:{row['node']}"}
    if row["level"] is not None:
        args["level"] = row["level"]
    if len(row["item_types"]) == 1:
        args["type"] = row["item_types"][0]
    return url_for("ui.form_page", form_id=form.external_id, **args, _anchor="add")


def form_context(form: Form, report: Report) -> dict[str, Any]:
    bank = form.bank
    entries = load_form_entries(form)
    by_entry = {e["entry"]: e for e in report.entries}
    findings: dict[int, list[Any]] = {}
    for finding in report.findings:
        if finding.entry is not None:
            findings.setdefault(finding.entry, []).append(finding)
    sections = []
    for section in form.sections:
        listed = [e for e in entries if e.section_id == section.id]
        rows = []
        for index, entry in enumerate(listed):
            info = by_entry[entry.id]
            rows.append(
                {
                    "entry": entry,
                    "number": info["number"],
                    "row": info["row"],
                    "type_label": type_label(entry.item.item_type),
                    "excerpt": _excerpt(entry.version),
                    "findings": findings.get(entry.id, []),
                    "newer": any(f.code == "newer_version" for f in findings.get(entry.id, [])),
                    "first": index == 0 and section.position == 1,
                    "last": index == len(listed) - 1 and section.position == len(form.sections),
                }
            )
        sections.append({"section": section, "entries": rows})
    blueprint_rows = []
    labels = {
        bp_ops.row_ref(row): _row_label(row)
        for section in form.blueprint.sections
        for row in section.rows
    }
    for row in report.rows:
        blueprint_rows.append(
            {**row, "label": labels[row["ref"]], "find_url": _find_url(form, row)}
        )
    enemy_pairs = []
    item_ids = {e.item_id for e in entries}
    for pair in enemies.list_enemies(bank, actor=actor()):
        if pair.item_low_id in item_ids or pair.item_high_id in item_ids:
            enemy_pairs.append(pair)
    return {
        "form": form,
        "bank": bank,
        "report": report,
        "sections": sections,
        "blueprint_rows": blueprint_rows,
        "is_draft": form.status == FormStatus.DRAFT.value,
        "form_status_label": form_status_label,
        "entry_items": sorted({e.item.external_id for e in entries}),
        "enemy_rows": [{"pair": pair, "other": None} for pair in enemy_pairs],
        "can_mark_enemies": True,
        "answer_key_ready": answer_key_available(form),
    }


def render_form(
    form: Form, *, status: int = 200, lock_refused: bool = False, export_refused: str = ""
) -> Any:
    """The form's page; ``export_refused``: the exporter of an export just refused for the
    report's errors (the page says so and offers a bank admin to export anyway)."""
    user = actor()
    report = form_ops.form_report(form, actor=user, plugins=plugins())
    context = form_context(form, report)
    context["lock_refused"] = lock_refused
    context["export_refused"] = export_refused
    context["may_force_export"] = bool(export_refused) and (
        user.is_admin or Role.BANK_ADMIN in roles_in(user, form.bank)
    )
    context["add"] = (
        _candidates(form, report, request.args, form.bank) if context["is_draft"] else None
    )
    return page("form.html", status, **context)


@bp.get("/forms/<form_id>")
@login_required
def form_page(form_id: str) -> ResponseReturnValue:
    form = form_ops.get_form(form_id, actor=actor())
    return render_form(form)


# -- editing -------------------------------------------------------------------------------


def _base(form: Form) -> int | None:
    """The revision the page showed (a page without one applies to the current form)."""
    return number_or_none(request.form.get("revision"))


def _back(form: Form) -> str:
    default = url_for("ui.form_page", form_id=form.external_id)
    query = request.form.get("back_query", "")
    target = f"{default}?{query}" if query else default
    return safe_next(target, default) + request.form.get("anchor", "")


def _edit(form: Form, change: Any, done: str | Any) -> ResponseReturnValue:
    """Run ``change()``; a stale page or bad input becomes a message, not an error.
    ``done`` is the success message, or a function giving ``(message, category)``."""
    try:
        change()
    except StaleEdit as exc:
        db.session.rollback()
        flash(
            _(
                "%(who)s changed this form after you opened it; nothing was applied. "
                "Here is the form as it is now.",
                who=exc.details["changed_by"],
            ),
            "warning",
        )
        return redirect_to(_back(form))
    except InvalidInput as exc:
        db.session.rollback()
        for p in exc.problems:
            flash(problem_text(p), "error")
        return redirect_to(_back(form))
    commit()
    message, category = done() if callable(done) else (done, "success")
    flash(message, category)
    return redirect_to(_back(form))


@bp.post("/forms/<form_id>/entries")
@login_required
def add_form_entry(form_id: str) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    item, approved = reads.readable_item(request.form.get("item", ""), actor=user)
    version = item.approved_version or approved
    section = number_or_none(request.form.get("section"))

    def change() -> None:
        form_ops.add_entry(form, version, actor=user, section=section, base_revision=_base(form))

    return _edit(
        form,
        change,
        _("%(item)s v%(version)d added.", item=item.external_id, version=version.number),
    )


def _entry(form: Form, entry_id: int) -> Any:
    return form_ops.get_entry(form, entry_id)


@bp.post(f"/forms/<form_id>/entries/<{INT_ID}:entry_id>/remove")
@login_required
def remove_form_entry(form_id: str, entry_id: int) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    entry = _entry(form, entry_id)
    item = entry.item.external_id

    def change() -> None:
        form_order.remove_entry(entry, actor=user, base_revision=_base(form))

    return _edit(form, change, _("%(item)s removed from the form.", item=item))


@bp.post(f"/forms/<form_id>/entries/<{INT_ID}:entry_id>/move")
@login_required
def move_form_entry(form_id: str, entry_id: int) -> ResponseReturnValue:
    """One step up or down; past the top or bottom of a section it goes to the end of
    the previous section or the start of the next one."""
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    entry = _entry(form, entry_id)
    direction = request.form.get("direction")
    section = entry.section
    count = len(section.entries)
    last_section = len(form.sections)
    target: tuple[int, int] | None = None
    if direction == "up":
        if entry.position > 1:
            target = (section.position, entry.position - 1)
        elif section.position > 1:
            previous = form.sections[section.position - 2]
            target = (previous.position, len(previous.entries) + 1)
    elif direction == "down":
        if entry.position < count:
            target = (section.position, entry.position + 1)
        elif section.position < last_section:
            target = (section.position + 1, 1)
    if target is None:
        flash(_("The item cannot move further that way."), "info")
        return redirect_to(_back(form))

    def change() -> None:
        form_order.move_entry(
            entry,
            actor=user,
            section=target[0],
            position=target[1],
            base_revision=_base(form),
        )

    return _edit(form, change, _("%(item)s moved.", item=entry.item.external_id))


@bp.post(f"/forms/<form_id>/entries/<{INT_ID}:entry_id>/repin")
@login_required
def repin_form_entry(form_id: str, entry_id: int) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    entry = _entry(form, entry_id)

    def change() -> None:
        form_ops.repin_entry(entry, actor=user, base_revision=_base(form))

    return _edit(
        form,
        change,
        _("%(item)s now uses its newest approved version.", item=entry.item.external_id),
    )


@bp.post("/forms/<form_id>/rename")
@login_required
def rename_form(form_id: str) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)

    def change() -> None:
        form_ops.update_form(
            form, actor=user, title=request.form.get("title"), base_revision=_base(form)
        )

    return _edit(form, change, _("The form's title is saved."))


@bp.post("/forms/<form_id>/delete")
@login_required
def delete_form(form_id: str) -> ResponseReturnValue:
    user = actor()
    form = form_ops.get_form(form_id, actor=user)
    code = form.bank.code
    form_ops.delete_form(form, actor=user, base_revision=_base(form))
    commit()
    flash(_("Form %(form)s deleted.", form=form_id.upper()), "success")
    return redirect_to(url_for("ui.forms", code=code))


nav.add(
    "ui.forms_home",
    lambda: _("Test forms"),
    prefixes=("/forms", "/banks/*/forms"),
    visible=holds_any(ASSEMBLY),
    order=40,
)


@dashboard.panel(
    "forms_in_progress",
    lambda: _("Forms in progress"),
    lambda: _("No draft forms. Start one from a blueprint."),
    set(ASSEMBLY),
    order=45,
)
def forms_in_progress(user: User, bank_ids: list[int]) -> list[dashboard.Row]:
    """Draft forms of the user's banks, most recently changed first."""
    drafts = list(
        db.session.scalars(
            sa.select(Form)
            .where(Form.bank_id.in_(bank_ids), Form.status == FormStatus.DRAFT.value)
            .order_by(Form.updated_at.desc(), Form.id.desc())
            .limit(dashboard.LIMIT)
        )
    )
    counts = form_ops.entry_counts(drafts)
    return [
        dashboard.Row(
            external_id=form.external_id,
            number=form.number,
            status=form.status,
            excerpt=form.title,
            when=form.updated_at,
            url=url_for("ui.form_page", form_id=form.external_id),
            bank=form.bank.code,
            detail=_(
                "%(have)d of %(need)d items", have=counts[form.id], need=form.blueprint.total_length
            ),
        )
        for form in drafts
    ]
