"""Blueprints (kisi-kisi): the bank's list, one blueprint's sections and rows, and a
structured form to write or change one.

The form needs no script: its inputs are named by the paths the blueprint operation
reports problems at (``sections.0.rows.1.level``), so each problem is shown beside its
control; *add row*, *remove row*, *add section* and *remove section* are submit buttons
that return the form with the change (nothing is saved until *save*). Every member
reads blueprints; assemblers and bank admins write them; a blueprint a form uses is
frozen, and its page says so and offers a copy under a new code instead.
"""

from __future__ import annotations

import re
from typing import Any

from flask import flash, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from itembank.access import require_role
from itembank.errors import Conflict, InvalidInput
from itembank.extensions import db
from itembank.models import Bank, Blueprint
from itembank.operations import blueprints as bp_ops
from itembank.operations.accounts import get_bank
from itembank.plugins import plugins
from itembank.ui import nav
from itembank.ui.assembly import choose_bank, holds_any, not_a_number, problem
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick, problem_text
from itembank.ui.viewmodels import may, taxonomy_choices, type_label

WRITERS = bp_ops.ASSEMBLY_ROLES
MAX_SECTIONS = 50
MAX_ROWS = 200
_SECTION_KEY = re.compile(r"sections\.(\d{1,3})\.title")
_ROW_KEY = re.compile(r"sections\.(\d{1,3})\.rows\.(\d{1,3})\.node")


@bp.get("/blueprints")
@login_required
def blueprints_home() -> ResponseReturnValue:
    return choose_bank(actor(), None, "ui.blueprints", _("Blueprints"))


@bp.get("/banks/<code>/blueprints")
@login_required
def blueprints(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    rows = []
    for blueprint in bp_ops.list_blueprints(bank, actor=user):
        rows.append({"blueprint": blueprint, "forms": bp_ops.forms_using(blueprint)})
    return page(
        "blueprints.html",
        bank=bank,
        rows=rows,
        can_write=may(user, bank, *WRITERS),
    )


def _levels(node: Any) -> dict[int, str]:
    return {int(level["level"]): pick(level.get("name")) for level in node.levels or []}


@bp.get("/banks/<code>/blueprints/<blueprint_code>")
@login_required
def blueprint_page(code: str, blueprint_code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    blueprint = bp_ops.get_blueprint(bank, blueprint_code, actor=user)
    sections = []
    for section in blueprint.sections:
        rows = []
        for row in section.rows:
            rows.append(
                {
                    "ref": bp_ops.row_ref(row),
                    "taxonomy": pick(row.node.taxonomy.name),
                    "code": row.node.code,
                    "name": pick(row.node.name),
                    "level": row.level,
                    "level_name": _levels(row.node).get(row.level or 0, ""),
                    "types": [type_label(t) for t in row.item_types or []],
                    "count": row.count,
                    "points": row.points,
                }
            )
        sections.append({"position": section.position, "title": section.title, "rows": rows})
    used = bp_ops.forms_using(blueprint)
    return page(
        "blueprint.html",
        bank=bank,
        blueprint=blueprint,
        sections=sections,
        forms=used,
        can_write=may(user, bank, *WRITERS),
        can_assemble=may(user, bank, *WRITERS),
    )


# -- the structured form -------------------------------------------------------------------


def _blank_row() -> dict[str, Any]:
    return {"node": "", "level": "", "item_types": [], "count": "1", "points": ""}


def _blank() -> dict[str, Any]:
    return {
        "code": "",
        "title": "",
        "description": "",
        "total_length": "",
        "time_limit_minutes": "",
        "sections": [{"title": "", "rows": [_blank_row()]}],
    }


def _fields_of(blueprint: Blueprint) -> dict[str, Any]:
    """The form's values for an existing blueprint."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return {
        "code": blueprint.code,
        "title": blueprint.title,
        "description": blueprint.description,
        "total_length": text(blueprint.total_length),
        "time_limit_minutes": text(blueprint.time_limit_minutes),
        "sections": [
            {
                "title": section.title,
                "rows": [
                    {
                        "node": f"{row.node.taxonomy.code}:{row.node.code}",
                        "level": text(row.level),
                        "item_types": list(row.item_types or []),
                        "count": text(row.count),
                        "points": text(row.points),
                    }
                    for row in section.rows
                ],
            }
            for section in blueprint.sections
        ],
    }


def _posted(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form's values as posted, renumbered 0..n in the order they came."""
    section_ids = sorted({int(m.group(1)) for k in form if (m := _SECTION_KEY.fullmatch(k))})
    row_ids: dict[int, list[int]] = {}
    for key in form:
        match = _ROW_KEY.fullmatch(key)
        if match:
            row_ids.setdefault(int(match.group(1)), []).append(int(match.group(2)))
    sections = []
    for s in section_ids[:MAX_SECTIONS]:
        rows = []
        for r in sorted(set(row_ids.get(s, [])))[:MAX_ROWS]:
            prefix = f"sections.{s}.rows.{r}."
            rows.append(
                {
                    "node": form.get(prefix + "node", "").strip(),
                    "level": form.get(prefix + "level", "").strip(),
                    "item_types": [t for t in form.getlist(prefix + "item_types") if t],
                    "count": form.get(prefix + "count", "").strip(),
                    "points": form.get(prefix + "points", "").strip(),
                }
            )
        sections.append({"title": form.get(f"sections.{s}.title", ""), "rows": rows})
    return {
        "code": form.get("code", "").strip(),
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "total_length": form.get("total_length", "").strip(),
        "time_limit_minutes": form.get("time_limit_minutes", "").strip(),
        "sections": sections,
    }


def _apply(action: str, values: dict[str, Any]) -> bool:
    """Apply a structural button (add/remove a row or section); False for *save*."""
    sections = values["sections"]
    parts = action.split("-")
    try:
        numbers = [int(p) for p in parts[1:]]
    except ValueError:
        return False
    if parts[0] == "add_section" and len(sections) < MAX_SECTIONS:
        sections.append({"title": "", "rows": [_blank_row()]})
    elif parts[0] == "remove_section" and len(numbers) == 1 and numbers[0] < len(sections):
        del sections[numbers[0]]
    elif parts[0] == "add_row" and len(numbers) == 1 and numbers[0] < len(sections):
        rows = sections[numbers[0]]["rows"]
        if len(rows) < MAX_ROWS:
            rows.append(_blank_row())
    elif parts[0] == "remove_row" and len(numbers) == 2 and numbers[0] < len(sections):
        rows = sections[numbers[0]]["rows"]
        if numbers[1] < len(rows):
            del rows[numbers[1]]
    else:
        return False
    return True


def _spec(values: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The blueprint document the operation takes, and the problems the form alone
    shows (a row without a node, numbers that are not numbers)."""
    problems: list[dict[str, str]] = []

    def number(name: str, raw: str, *, decimal: bool = False) -> Any:
        if not raw:
            return None
        try:
            value = float(raw.replace(",", ".")) if decimal else int(raw)
        except ValueError:
            problems.append(
                problem(name, "Harus berupa angka.", "Must be a number.")
                if decimal
                else not_a_number(name)
            )
            return None
        return value

    sections = []
    total = 0
    for s, section in enumerate(values["sections"]):
        rows = []
        for r, row in enumerate(section["rows"]):
            where = f"sections.{s}.rows.{r}"
            taxonomy, _sep, node = row["node"].partition(":")
            if not node:
                problems.append(
                    problem(
                        f"{where}.node",
                        "Pilih kompetensi atau bidang.",
                        "Choose a competency or area.",
                    )
                )
            count = number(f"{where}.count", row["count"])
            if count is None and not row["count"]:
                problems.append(problem(f"{where}.count", "Wajib diisi.", "Required."))
            total += count or 0
            rows.append(
                {
                    "taxonomy": taxonomy,
                    "node": node,
                    "level": number(f"{where}.level", row["level"]),
                    "item_types": row["item_types"],
                    "count": count,
                    "points": number(f"{where}.points", row["points"], decimal=True),
                }
            )
        if not rows:
            problems.append(
                problem(
                    f"sections.{s}.rows",
                    "Bagian memerlukan setidaknya satu baris.",
                    "A section needs at least one row.",
                )
            )
        sections.append({"title": section["title"], "rows": rows})
    if not sections:
        problems.append(
            problem(
                "sections",
                "Kisi-kisi memerlukan setidaknya satu bagian.",
                "A blueprint needs at least one section.",
            )
        )
    length = number("total_length", values["total_length"])
    spec = {
        "code": values["code"],
        "title": values["title"],
        "description": values["description"],
        # Left empty: the sum of the rows' counts (what it must be anyway).
        "total_length": length if values["total_length"] else total,
        "time_limit_minutes": number("time_limit_minutes", values["time_limit_minutes"]),
        "sections": sections,
    }
    return spec, problems


def _editor(
    bank: Bank,
    values: dict[str, Any],
    *,
    blueprint: Blueprint | None,
    problems: list[dict[str, str]] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    errors: dict[str, list[str]] = {}
    for p in problems or []:
        field = p.get("field") or ""
        # "sections.0.rows.1.item_types.2" is shown at the row's item types.
        field = re.sub(r"(\.item_types)\.\d+$", r"\1", field)
        errors.setdefault(field, []).append(problem_text(p))
    used = bp_ops.forms_using(blueprint) if blueprint is not None else []
    return page(
        "blueprint_edit.html",
        status,
        bank=bank,
        blueprint=blueprint,
        values=values,
        errors=errors,
        problems=problems or [],
        used=used,
        taxonomies=taxonomy_choices(bank),
        item_types=sorted(
            ((t.id, pick(t.label)) for t in plugins().item_types.values()), key=lambda p: p[1]
        ),
    )


def _save(bank: Bank, blueprint: Blueprint | None) -> ResponseReturnValue:
    user = actor()
    values = _posted(request.form)
    action = request.form.get("action", "save")
    if action != "save" and _apply(action, values):
        return _editor(bank, values, blueprint=blueprint)
    spec, problems = _spec(values)
    if problems:
        return _editor(bank, values, blueprint=blueprint, problems=problems, status=422)
    try:
        if blueprint is None:
            saved = bp_ops.create_blueprint(bank, spec, actor=user, plugins=plugins())
        else:
            saved = bp_ops.update_blueprint(blueprint, spec, actor=user, plugins=plugins())
    except InvalidInput as exc:
        db.session.rollback()
        return _editor(bank, values, blueprint=blueprint, problems=exc.problems, status=422)
    except Conflict:
        db.session.rollback()
        if blueprint is not None:
            raise  # used by a form since the page was opened: the error page says so
        return _editor(
            bank,
            values,
            blueprint=None,
            problems=[
                problem(
                    "code",
                    f"Kode '{spec['code']}' sudah dipakai kisi-kisi lain di bank ini.",
                    f"The code '{spec['code']}' is already used by another blueprint here.",
                )
            ],
            status=409,
        )
    commit()
    flash(_("Blueprint %(code)s saved.", code=saved.code), "success")
    return redirect_to(url_for("ui.blueprint_page", code=bank.code, blueprint_code=saved.code))


@bp.route("/banks/<code>/blueprints/new", methods=["GET", "POST"])
@login_required
def new_blueprint(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    require_role(user, bank, *WRITERS, doing="write blueprints")
    if request.method == "POST":
        return _save(bank, None)
    values = _blank()
    source = request.args.get("copy", "")
    if source:
        original = bp_ops.get_blueprint(bank, source, actor=user)
        values = {**_fields_of(original), "code": ""}
        values["title"] = _("%(title)s (copy)", title=original.title)[:200]
    return _editor(bank, values, blueprint=None)


@bp.route("/banks/<code>/blueprints/<blueprint_code>/edit", methods=["GET", "POST"])
@login_required
def edit_blueprint(code: str, blueprint_code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    blueprint = bp_ops.get_blueprint(bank, blueprint_code, actor=user)
    require_role(user, bank, *WRITERS, doing="write blueprints")
    if request.method == "POST":
        return _save(bank, blueprint)
    return _editor(bank, _fields_of(blueprint), blueprint=blueprint)


@bp.post("/banks/<code>/blueprints/<blueprint_code>/delete")
@login_required
def delete_blueprint(code: str, blueprint_code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    blueprint = bp_ops.get_blueprint(bank, blueprint_code, actor=user)
    bp_ops.delete_blueprint(blueprint, actor=user)
    commit()
    flash(_("Blueprint %(code)s deleted.", code=blueprint_code), "success")
    return redirect_to(url_for("ui.blueprints", code=bank.code))


nav.add(
    "ui.blueprints_home",
    lambda: _("Blueprints"),
    prefixes=("/blueprints", "/banks/*/blueprints"),
    visible=holds_any(None),
    order=30,
)
