"""Blueprints (kisi-kisi): create, read, replace, delete.

A blueprint is given as one plain document (the API's body, the demo's data)::

    {
        "code": "SKD-2024",                 # unique in the bank; letters, digits, . _ -
        "title": "Kisi-kisi SKD 2024",
        "description": "",
        "total_length": 10,                 # must equal the sum of the rows' counts
        "time_limit_minutes": 100,          # or null
        "sections": [
            {"title": "TWK", "rows": [
                {"taxonomy": "skd-cpns", "node": "TWK", "level": null,
                 "item_types": ["single_choice"], "count": 3, "points": 5},
            ]},
        ],
    }

``item_types`` empty means any type; ``points`` (the maximum score each item of the row
is worth) null means not checked. Assemblers and bank admins write blueprints; every
member of the bank reads them (item writers write against the kisi-kisi). Once a form
uses a blueprint it is frozen, so every form's validation report keeps meaning what it
meant: write a new blueprint (another code) instead.
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from itembank.access import ensure_visible, require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound
from itembank.extensions import db
from itembank.itemtypes import Problem, flatten_marshmallow_errors
from itembank.models import (
    Bank,
    Blueprint,
    BlueprintRow,
    BlueprintSection,
    Form,
    Role,
    TaxonomyNode,
    TaxonomyRecord,
    User,
)
from itembank.models._types import utcnow
from itembank.operations.content import visible_taxonomies
from itembank.plugins import PluginHost, plugin_choice

#: Who assembles: blueprints and forms are theirs to write.
ASSEMBLY_ROLES = (Role.ASSEMBLER, Role.BANK_ADMIN)

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
MAX_LENGTH = 10_000
MAX_MINUTES = 24 * 60


class FullMatch(ma.validate.Validator):
    """The whole value matches ``pattern`` (``re.fullmatch``: no trailing newline slips
    through, as it would past ``$``). The pattern is documented through ``metadata``."""

    def __init__(self, pattern: str, error: str):
        self.regex = re.compile(pattern)
        self.error = error

    def __call__(self, value: str) -> str:
        if not self.regex.fullmatch(value):
            raise ma.ValidationError(self.error)
        return value


CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
TYPE_PATTERN = r"[A-Za-z0-9_]{1,64}"
#: No control characters but tab and line breaks (PostgreSQL refuses NUL in text).
TEXT_PATTERN = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*"


def pattern_field(pattern: str, error: str, **kwargs: Any) -> ma.fields.String:
    metadata = {**kwargs.pop("metadata", {}), "pattern": f"^{pattern}$"}
    return ma.fields.String(validate=FullMatch(pattern, error), metadata=metadata, **kwargs)


def code_field(**kwargs: Any) -> ma.fields.String:
    """Codes and identifiers: letters, digits, '.', '_', '-'; at most 64."""
    return pattern_field(
        CODE_PATTERN, "Use letters, digits, '.', '_' or '-' (at most 64).", **kwargs
    )


def text_field(*, max_length: int, required: bool = True, **kwargs: Any) -> ma.fields.String:
    """A text field without control characters (tab and line breaks allowed)."""
    minimum = 1 if required else 0
    return ma.fields.String(
        required=required,
        validate=[
            ma.validate.Length(min=minimum, max=max_length),
            FullMatch(TEXT_PATTERN, "Control characters are not allowed."),
        ],
        metadata={"pattern": f"^{TEXT_PATTERN}$"},
        **kwargs,
    )


class RowSchema(ma.Schema):
    taxonomy = code_field(required=True)
    node = code_field(required=True)
    level = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=10)
    )
    item_types = ma.fields.List(
        pattern_field(TYPE_PATTERN, "Not an item type id.", metadata=plugin_choice("item_types")),
        load_default=list,
        validate=ma.validate.Length(max=20),
    )
    count = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=MAX_LENGTH))
    points = ma.fields.Float(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=0.01, max=1000)
    )


class SectionSchema(ma.Schema):
    title = text_field(max_length=200)
    rows = ma.fields.List(
        ma.fields.Nested(RowSchema), required=True, validate=ma.validate.Length(min=1, max=200)
    )


class BlueprintSchema(ma.Schema):
    title = text_field(max_length=200)
    description = text_field(max_length=10_000, required=False, load_default="")
    total_length = ma.fields.Integer(
        required=True, validate=ma.validate.Range(min=1, max=MAX_LENGTH)
    )
    time_limit_minutes = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=MAX_MINUTES)
    )
    sections = ma.fields.List(
        ma.fields.Nested(SectionSchema), required=True, validate=ma.validate.Length(min=1, max=50)
    )


def _invalid(problems: list[Problem]) -> InvalidInput:
    return InvalidInput(
        "the blueprint has problems: "
        + "; ".join(f"{p.field}: {p.message_en or p.message}" for p in problems[:10]),
        [p.as_dict() for p in problems],
    )


def _load(spec: Any, plugins: PluginHost, bank: Bank) -> tuple[dict[str, Any], list[Any]]:
    """Check ``spec`` fully; return it normalised and, per row, its taxonomy node."""
    if not isinstance(spec, dict):
        raise _invalid([Problem("", "Kisi-kisi harus berupa objek.", "Send a JSON object.")])
    try:
        data = BlueprintSchema().load({k: v for k, v in spec.items() if k != "code"})
    except ma.ValidationError as exc:
        raise _invalid(list(flatten_marshmallow_errors(exc.messages))) from None
    problems: list[Problem] = []
    nodes: list[Any] = []
    total = 0
    for s_index, section in enumerate(data["sections"]):
        for r_index, row in enumerate(section["rows"]):
            where = f"sections.{s_index}.rows.{r_index}"
            total += row["count"]
            node = _node(bank, row["taxonomy"], row["node"], where, problems)
            nodes.append(node)
            level = row["level"]
            if node is not None and level is not None and level not in node.level_numbers:
                have = ", ".join(map(str, node.level_numbers)) or "-"
                problems.append(
                    Problem(
                        f"{where}.level",
                        f"Level {level} tidak ada untuk '{node.code}' (level yang ada: {have}).",
                        f"Level {level} does not exist for '{node.code}' (levels: {have}).",
                    )
                )
            for t_index, type_id in enumerate(row["item_types"]):
                if type_id not in plugins.item_types:
                    problems.append(
                        Problem(
                            f"{where}.item_types.{t_index}",
                            f"Jenis soal '{type_id}' tidak dikenal.",
                            f"Unknown item type '{type_id}'.",
                        )
                    )
            if len(set(row["item_types"])) != len(row["item_types"]):
                problems.append(
                    Problem(
                        f"{where}.item_types",
                        "Jenis soal disebut lebih dari sekali.",
                        "An item type is listed more than once.",
                    )
                )
    if not problems and total != data["total_length"]:
        problems.append(
            Problem(
                "total_length",
                f"Jumlah soal ({data['total_length']}) tidak sama dengan jumlah soal pada "
                f"baris-baris kisi-kisi ({total}).",
                f"The total length ({data['total_length']}) is not the sum of the rows' "
                f"counts ({total}).",
            )
        )
    if problems:
        raise _invalid(problems)
    return data, nodes


def _node(
    bank: Bank, taxonomy: str, code: str, where: str, problems: list[Problem]
) -> TaxonomyNode | None:
    record_ = db.session.scalars(
        visible_taxonomies(bank)
        .where(TaxonomyRecord.code == taxonomy)
        .order_by(TaxonomyRecord.bank_id.is_(None))  # a bank's own wins
    ).first()
    if record_ is None:
        problems.append(
            Problem(
                f"{where}.taxonomy",
                f"Taksonomi '{taxonomy}' tidak dikenal.",
                f"Unknown taxonomy '{taxonomy}'.",
            )
        )
        return None
    node = db.session.scalars(
        sa.select(TaxonomyNode).where(
            TaxonomyNode.taxonomy_id == record_.id, TaxonomyNode.code == code
        )
    ).first()
    if node is None:
        problems.append(
            Problem(
                f"{where}.node",
                f"Kode '{code}' tidak ada di taksonomi '{taxonomy}'.",
                f"Code '{code}' is not in taxonomy '{taxonomy}'.",
            )
        )
    return node


def _build_sections(blueprint: Blueprint, data: dict[str, Any], nodes: list[Any]) -> None:
    node_iter = iter(nodes)
    for s_pos, section in enumerate(data["sections"], start=1):
        bp_section = BlueprintSection(position=s_pos, title=section["title"].strip())
        for r_pos, row in enumerate(section["rows"], start=1):
            bp_section.rows.append(
                BlueprintRow(
                    position=r_pos,
                    node=next(node_iter),
                    level=row["level"],
                    item_types=list(row["item_types"]),
                    count=row["count"],
                    points=row["points"],
                )
            )
        blueprint.sections.append(bp_section)


def create_blueprint(bank: Bank, spec: Any, *, actor: User, plugins: PluginHost) -> Blueprint:
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="write blueprints")
    code = spec.get("code") if isinstance(spec, dict) else None
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        raise _invalid(
            [
                Problem(
                    "code",
                    "Kode kisi-kisi wajib diisi: huruf, angka, titik, garis bawah atau tanda "
                    "hubung, paling banyak 64 karakter.",
                    "The blueprint code is required: letters, digits, '.', '_' or '-', at "
                    "most 64 characters.",
                )
            ]
        )
    data, nodes = _load(spec, plugins, bank)
    if _find(bank, code) is not None:
        raise Conflict(f"bank {bank.code} already has a blueprint {code!r}")
    now = utcnow()
    blueprint = Blueprint(
        bank=bank,
        code=code,
        title=data["title"].strip(),
        description=data["description"],
        total_length=data["total_length"],
        time_limit_minutes=data["time_limit_minutes"],
        created_by_id=actor.id,
        created_at=now,
        updated_by_id=actor.id,
        updated_at=now,
    )
    _build_sections(blueprint, data, nodes)
    db.session.add(blueprint)
    db.session.flush()
    record(
        "blueprint.create",
        actor=actor,
        bank=bank,
        object_type="blueprint",
        object_id=code,
        total_length=blueprint.total_length,
    )
    return blueprint


def _find(bank: Bank, code: str) -> Blueprint | None:
    return db.session.scalars(
        sa.select(Blueprint).where(Blueprint.bank_id == bank.id, Blueprint.code == code)
    ).first()


def get_blueprint(bank: Bank, code: str, *, actor: User) -> Blueprint:
    ensure_visible(actor, bank)
    blueprint = _find(bank, code) if CODE_RE.fullmatch(code or "") else None
    if blueprint is None:
        raise NotFound(f"bank {bank.code} has no blueprint {code!r}")
    return blueprint


def list_blueprints(bank: Bank, *, actor: User) -> list[Blueprint]:
    ensure_visible(actor, bank)
    return list(
        db.session.scalars(
            sa.select(Blueprint).where(Blueprint.bank_id == bank.id).order_by(Blueprint.code)
        )
    )


def forms_using(blueprint: Blueprint) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Form.external_id)
            .where(Form.blueprint_id == blueprint.id)
            .order_by(Form.number)
        )
    )


def _ensure_unused(blueprint: Blueprint, doing: str) -> None:
    used = forms_using(blueprint)
    if used:
        shown = ", ".join(used[:5]) + (" ..." if len(used) > 5 else "")
        raise Conflict(
            f"blueprint {blueprint.code} is used by form(s) {shown}, so it cannot be {doing}; "
            "write a new blueprint with another code instead",
            forms=used,
        )


def update_blueprint(
    blueprint: Blueprint, spec: Any, *, actor: User, plugins: PluginHost
) -> Blueprint:
    """Replace the blueprint's title, description, lengths and sections (its code
    stays). Refused once a form uses it."""
    bank = blueprint.bank
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="write blueprints")
    data, nodes = _load(spec, plugins, bank)
    blueprint = db.session.scalars(
        sa.select(Blueprint)
        .where(Blueprint.id == blueprint.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    _ensure_unused(blueprint, "changed")
    blueprint.sections.clear()
    db.session.flush()  # the old sections go first: positions are unique
    blueprint.title = data["title"].strip()
    blueprint.description = data["description"]
    blueprint.total_length = data["total_length"]
    blueprint.time_limit_minutes = data["time_limit_minutes"]
    blueprint.updated_by_id = actor.id
    blueprint.updated_at = utcnow()
    _build_sections(blueprint, data, nodes)
    db.session.flush()
    record(
        "blueprint.update",
        actor=actor,
        bank=bank,
        object_type="blueprint",
        object_id=blueprint.code,
        revision=blueprint.revision,
    )
    return blueprint


def delete_blueprint(blueprint: Blueprint, *, actor: User) -> None:
    bank = blueprint.bank
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="delete blueprints")
    _ensure_unused(blueprint, "deleted")
    code = blueprint.code
    db.session.delete(blueprint)
    db.session.flush()
    record("blueprint.delete", actor=actor, bank=bank, object_type="blueprint", object_id=code)


# -- describing rows (reports, API, CLI) ----------------------------------------------------


def row_ref(row: BlueprintRow) -> str:
    """``"2.1"``: section 2, row 1."""
    return f"{row.section.position}.{row.position}"


def describe_row(row: BlueprintRow, plugins: PluginHost | None = None) -> tuple[str, str]:
    """The row in words, Indonesian and English: ``1.2 (TWK, level 3, single_choice)``."""
    parts_id = [row.node.code]
    parts_en = [row.node.code]
    if row.level is not None:
        parts_id.append(f"level {row.level}")
        parts_en.append(f"level {row.level}")
    if row.item_types:
        parts_id.append(", ".join(row.item_types))
        parts_en.append(", ".join(row.item_types))
    else:
        parts_id.append("semua jenis soal")
        parts_en.append("any item type")
    ref = row_ref(row)
    return f"{ref} ({'; '.join(parts_id)})", f"{ref} ({'; '.join(parts_en)})"


def blueprint_document(blueprint: Blueprint) -> dict[str, Any]:
    """The blueprint as the plain document it was written as (plus refs)."""
    return {
        "code": blueprint.code,
        "title": blueprint.title,
        "description": blueprint.description,
        "total_length": blueprint.total_length,
        "time_limit_minutes": blueprint.time_limit_minutes,
        "sections": [
            {
                "position": section.position,
                "title": section.title,
                "rows": [
                    {
                        "ref": row_ref(row),
                        "taxonomy": row.node.taxonomy.code,
                        "node": row.node.code,
                        "level": row.level,
                        "item_types": list(row.item_types or []),
                        "count": row.count,
                        "points": row.points,
                    }
                    for row in section.rows
                ],
            }
            for section in blueprint.sections
        ],
    }
