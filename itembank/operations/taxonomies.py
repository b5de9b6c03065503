"""Storing taxonomies in the database: the plugins' (global) and banks' own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from itembank.access import ensure_visible, require_role
from itembank.audit import record
from itembank.errors import Conflict, NotFound
from itembank.extensions import db
from itembank.models import Bank, Role, TaxonomyNode, TaxonomyRecord, User
from itembank.models._types import utcnow
from itembank.operations.content import visible_taxonomies
from itembank.plugins import PluginHost
from itembank.taxonomy import Level, Node, Taxonomy


@dataclass
class SyncResult:
    code: str
    created: int
    updated: int


def sync_plugin_taxonomies(plugins: PluginHost) -> list[SyncResult]:
    """Write every plugin taxonomy to the database (idempotent). Nodes are matched by
    code; nodes a plugin no longer has are kept, since items may still use them."""
    results = []
    for name, registration in plugins.registrations.items():
        for code in registration.taxonomies:
            taxonomy = plugins.taxonomies[code]
            rec = db.session.scalars(
                sa.select(TaxonomyRecord).where(
                    TaxonomyRecord.bank_id.is_(None), TaxonomyRecord.code == code
                )
            ).first()
            if rec is None:
                rec = TaxonomyRecord(code=code, bank_id=None)
                db.session.add(rec)
            results.append(_write(rec, taxonomy, origin=f"plugin:{name}"))
    db.session.flush()
    return results


def import_bank_taxonomy(bank: Bank, taxonomy: Taxonomy, *, actor: User | None) -> SyncResult:
    """Store (or update) a bank's own taxonomy, e.g. its technical competencies."""
    if actor is not None:
        require_role(actor, bank, Role.BANK_ADMIN, doing="import taxonomies")
    clash = db.session.scalar(
        sa.select(TaxonomyRecord.id).where(
            TaxonomyRecord.bank_id.is_(None), TaxonomyRecord.code == taxonomy.code
        )
    )
    if clash is not None:
        raise Conflict(
            f"taxonomy code {taxonomy.code!r} belongs to a built-in taxonomy; choose another code"
        )
    rec = db.session.scalars(
        sa.select(TaxonomyRecord).where(
            TaxonomyRecord.bank_id == bank.id, TaxonomyRecord.code == taxonomy.code
        )
    ).first()
    if rec is None:
        rec = TaxonomyRecord(code=taxonomy.code, bank_id=bank.id)
        db.session.add(rec)
    result = _write(rec, taxonomy, origin="import")
    record(
        "taxonomy.import",
        actor=actor,
        bank=bank,
        object_type="taxonomy",
        object_id=taxonomy.code,
        created=result.created,
        updated=result.updated,
    )
    return result


def _write(rec: TaxonomyRecord, taxonomy: Taxonomy, *, origin: str) -> SyncResult:
    rec.name = dict(taxonomy.name)
    rec.source = taxonomy.source
    rec.version = taxonomy.version
    rec.origin = origin
    rec.updated_at = utcnow()
    db.session.flush()
    existing = {
        n.code: n
        for n in db.session.scalars(
            sa.select(TaxonomyNode).where(TaxonomyNode.taxonomy_id == rec.id)
        )
    }
    created = updated = 0
    position = 0

    def write(node: Node, parent: TaxonomyNode | None) -> None:
        nonlocal created, updated, position
        row = existing.get(node.code)
        if row is None:
            row = TaxonomyNode(taxonomy_id=rec.id, code=node.code)
            db.session.add(row)
            existing[node.code] = row
            created += 1
        else:
            updated += 1
        position += 1
        row.parent = parent
        row.path = (parent.path if parent else "/") + node.code + "/"
        row.position = position
        row.name = dict(node.name)
        row.description = dict(node.description)
        row.levels = [_level_json(level) for level in node.levels]
        for child in node.children:
            write(child, row)

    for top in taxonomy.nodes:
        write(top, None)
    db.session.flush()
    return SyncResult(code=taxonomy.code, created=created, updated=updated)


def _level_json(level: Level) -> dict[str, Any]:
    return {
        "level": level.number,
        "name": dict(level.name),
        "description": dict(level.description),
        "indicators": [dict(i) for i in level.indicators],
    }


def list_taxonomies(bank: Bank | None = None) -> list[TaxonomyRecord]:
    query = (
        visible_taxonomies(bank)
        if bank is not None
        else sa.select(TaxonomyRecord).where(TaxonomyRecord.bank_id.is_(None))
    )
    return list(
        db.session.scalars(query.order_by(TaxonomyRecord.bank_id.is_(None), TaxonomyRecord.code))
    )


def get_taxonomy(
    code: str, *, bank: Bank | None = None, actor: User | None = None
) -> TaxonomyRecord:
    if bank is not None and actor is not None:
        ensure_visible(actor, bank)
    query = (
        visible_taxonomies(bank)
        if bank is not None
        else sa.select(TaxonomyRecord).where(TaxonomyRecord.bank_id.is_(None))
    )
    rec = db.session.scalars(query.where(TaxonomyRecord.code == code)).first()
    if rec is None:
        raise NotFound(f"no taxonomy {code!r}")
    return rec


def taxonomy_tree(rec: TaxonomyRecord) -> list[dict[str, Any]]:
    """The taxonomy as nested dicts, in the plugin's or file's order."""
    nodes = list(
        db.session.scalars(
            sa.select(TaxonomyNode)
            .where(TaxonomyNode.taxonomy_id == rec.id)
            .order_by(TaxonomyNode.position)
        )
    )
    by_id: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for n in nodes:
        entry = {
            "code": n.code,
            "name": n.name,
            "description": n.description,
            "levels": n.levels,
            "children": [],
        }
        by_id[n.id] = entry
        (by_id[n.parent_id]["children"] if n.parent_id in by_id else roots).append(entry)
    return roots
