"""A clearly labelled simulated bank to try automated assembly at a realistic size.

:func:`simulate_bank` makes a bank whose name says it is simulated (*simulasi*), its own
taxonomy of five competency areas with levels 1-5, a few thousand **approved**
single-choice items with generated stems, options and keys (every item's content goes
through its item type's validation, like an item written by hand), 3PL and classical
parameters stored with source ``simulated``, enemy pairs, and a blueprint shaped like a
400-item competency test, all from :func:`itembank.assembly.simulate_pool` and
:func:`itembank.assembly.simulate_blueprint` with the given seed. Items are written in
multi-row INSERTs, as the importer writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from itembank.assembly import simulate_blueprint, simulate_pool
from itembank.assembly.simulate import AREAS
from itembank.audit import record
from itembank.content_stamp import in_bank
from itembank.errors import Conflict, InvalidInput
from itembank.extensions import db
from itembank.models import (
    AuditEvent,
    Bank,
    EnemyPair,
    Item,
    ItemClassification,
    ItemParameters,
    ItemVersion,
    Role,
    User,
    VersionContributor,
)
from itembank.models._types import utcnow
from itembank.operations.accounts import add_member, create_bank
from itembank.operations.blueprints import create_blueprint
from itembank.operations.content import NodeLookup, prepare_version
from itembank.operations.taxonomies import import_bank_taxonomy
from itembank.plugins import PluginHost
from itembank.taxonomy import Level, Node, Taxonomy
from itembank.workflow import Status

TAXONOMY = "simulasi-asn"
SCALE = "SIMULASI"
MAX_ITEMS = 20_000
BATCH = 500


@dataclass
class SimulatedBank:
    bank: Bank
    blueprint_code: str
    items: int
    enemies: int


def _taxonomy() -> Taxonomy:
    levels = [Level(n, name={"id": f"Tingkat {n}", "en": f"Level {n}"}) for n in range(1, 6)]
    return Taxonomy(
        code=TAXONOMY,
        name={"id": "Kompetensi ASN (simulasi)", "en": "ASN competencies (simulated)"},
        source="Simulasi untuk mencoba perakitan otomatis; bukan kerangka resmi.",
        version="simulasi",
        nodes=[
            Node(
                code=path.split("/", 1)[1],
                name={"id": f"{title} (simulasi)", "en": f"{title} (simulated)"},
                levels=list(levels),
            )
            for path, title, _ in AREAS
        ],
    )


def _stem(number: int, title: str, level: int) -> str:
    return (
        f"<p>[SIMULASI] Butir {number}: situasi kerja tentang <em>{title}</em> pada tingkat "
        f"{level}. Tindakan mana yang paling tepat?</p>"
    )


def simulate_bank(
    plugins: PluginHost,
    *,
    code: str = "SIM-ASN",
    items: int = 3000,
    seed: int = 7,
    length: int = 400,
    admin: User,
    assembler: User | None = None,
) -> SimulatedBank:
    """Create the simulated bank ``code`` (refused if it exists) with ``items`` items
    and a blueprint of ``length`` items; ``admin`` becomes its bank admin and
    ``assembler`` (if given) its assembler."""
    if not 10 <= items <= MAX_ITEMS:
        raise InvalidInput(
            f"items must be 10 to {MAX_ITEMS}",
            [
                {
                    "field": "items",
                    "message": f"10 sampai {MAX_ITEMS}.",
                    "message_en": f"10 to {MAX_ITEMS}.",
                }
            ],
        )
    if not 5 <= length <= min(items, 1000):
        raise InvalidInput(
            "length must be 5 to the number of items (at most 1000)",
            [
                {
                    "field": "length",
                    "message": "5 sampai banyaknya butir (paling banyak 1000).",
                    "message_en": "5 to the number of items (at most 1000).",
                }
            ],
        )
    if db.session.scalar(sa.select(Bank.id).where(Bank.code == code)) is not None:
        raise Conflict(f"bank {code} exists already")
    bank = create_bank(code, f"Bank soal SIMULASI (simulated, bukan soal asli) {code}", actor=None)
    add_member(bank, admin, Role.BANK_ADMIN, actor=None)
    if assembler is not None and assembler.id != admin.id:
        add_member(bank, assembler, Role.ASSEMBLER, actor=None)
    import_bank_taxonomy(bank, _taxonomy(), actor=None)
    db.session.flush()

    pool = simulate_pool(items, seed=seed, enemy_pairs=max(1, items // 10))
    item_type = plugins.item_types["single_choice"]
    lookup = NodeLookup(bank)
    titles = {path: title for path, title, _ in AREAS}
    rng = np.random.default_rng(seed + 1)
    prepared = []
    for k in range(pool.size):
        assert pool.classifications is not None and pool.keys is not None
        ((path, level),) = pool.classifications[k]
        key = pool.keys[k]
        options = [
            {"id": letter, "text": f"Pilihan {letter} (simulasi, butir {k + 1})"}
            for letter in "ABCDE"
        ]
        prepared.append(
            prepare_version(
                bank,
                item_type,
                _stem(k + 1, titles[path], int(level)),
                {"options": options, "key": key, "points": 1},
                {
                    "classifications": [
                        {"taxonomy": TAXONOMY, "node": path.split("/", 1)[1], "level": int(level)}
                    ],
                    "tags": ["simulasi"],
                },
                lookup=lookup,
            )
        )
    item_ids: list[int] = []
    version_ids: list[int] = []
    for start in range(0, len(prepared), BATCH):
        chunk = prepared[start : start + BATCH]
        new_items, new_versions = _write_chunk(bank, admin, chunk, "single_choice")
        item_ids += new_items
        version_ids += new_versions
    _write_parameters(pool, version_ids, admin, rng)
    id_of = dict(zip(np.asarray(pool.item_ids).tolist(), item_ids, strict=True))
    pairs = sorted({tuple(sorted((id_of[a], id_of[b]))) for a, b in pool.enemies})
    if pairs:
        now = utcnow()
        db.session.execute(
            sa.insert(EnemyPair),
            [
                {
                    "bank_id": bank.id,
                    "item_low_id": low,
                    "item_high_id": high,
                    "reason": "simulasi",
                    "created_by_id": admin.id,
                    "created_at": now,
                }
                for low, high in pairs
            ],
        )
    blueprint_code = f"SIM-{length}"
    shape = simulate_blueprint(length)
    create_blueprint(
        bank,
        {
            "code": blueprint_code,
            "title": f"Kisi-kisi simulasi {length} butir (simulated)",
            "total_length": shape.length,
            "time_limit_minutes": max(1, min(24 * 60, round(length * 0.9))),
            "sections": [
                {
                    "title": section.title,
                    "rows": [
                        {
                            "taxonomy": TAXONOMY,
                            "node": row.node.split("/", 1)[1],
                            "item_types": list(row.item_types),
                            "count": row.count,
                        }
                        for row in section.rows
                    ],
                }
                for section in shape.sections
            ],
        },
        actor=admin,
        plugins=plugins,
    )
    record(
        "bank.simulate",
        actor=admin,
        bank=bank,
        object_type="bank",
        object_id=bank.code,
        items=len(item_ids),
        seed=seed,
        enemies=len(pairs),
    )
    db.session.flush()
    return SimulatedBank(bank, blueprint_code, len(item_ids), len(pairs))


def _write_chunk(
    bank: Bank, actor: User, chunk: list[Any], item_type: str
) -> tuple[list[int], list[int]]:
    """Approved items with exactly the rows of an item written, submitted and approved
    by hand (item, version 1 approved, contributor, classifications), one audit event
    per item (``item.create`` with ``via: simulation``)."""
    last = db.session.execute(
        sa.update(Bank)
        .where(Bank.id == bank.id)
        .values(item_counter=Bank.item_counter + len(chunk))
        .returning(Bank.item_counter)
        .execution_options(**in_bank(bank.id))
    ).scalar_one()
    first = int(last) - len(chunk) + 1
    now = utcnow()
    externals = [f"{bank.code}-{first + k:06d}" for k in range(len(chunk))]
    item_ids = list(
        db.session.execute(
            sa.insert(Item)
            .returning(Item.id, sort_by_parameter_order=True)
            .execution_options(**in_bank(bank.id)),
            [
                {
                    "bank_id": bank.id,
                    "number": first + k,
                    "external_id": externals[k],
                    "item_type": item_type,
                    "created_by_id": actor.id,
                    "created_at": now,
                    "updated_at": now,
                }
                for k in range(len(chunk))
            ],
        ).scalars()
    )
    version_ids = list(
        db.session.execute(
            sa.insert(ItemVersion)
            .returning(ItemVersion.id, sort_by_parameter_order=True)
            .execution_options(**in_bank(bank.id)),
            [
                {
                    "item_id": item_id,
                    "number": 1,
                    "status": Status.APPROVED.value,
                    "stem": p.stem,
                    "content": p.content,
                    "meta": p.metadata,
                    "content_hash": p.content_hash,
                    "search_text": p.search_text,
                    "required_approvals": bank.required_approvals,
                    "revision": 1,
                    "created_by_id": actor.id,
                    "created_at": now,
                    "updated_by_id": actor.id,
                    "updated_at": now,
                    "submitted_by_id": actor.id,
                    "submitted_at": now,
                    "decided_at": now,
                }
                for item_id, p in zip(item_ids, chunk, strict=True)
            ],
        ).scalars()
    )
    table = Item.__table__
    versions = ItemVersion.__table__
    newest = sa.select(versions.c.id).where(versions.c.item_id == table.c.id).scalar_subquery()
    db.session.execute(
        sa.update(table)
        .where(table.c.id.in_(item_ids))
        .values(newest_version_id=newest, approved_version_id=newest)
        .execution_options(**in_bank(bank.id))
    )
    db.session.execute(
        sa.insert(VersionContributor),
        [{"version_id": v, "user_id": actor.id} for v in version_ids],
    )
    db.session.execute(
        sa.insert(ItemClassification),
        [
            {"version_id": v, "node_id": node.id, "level": level}
            for v, p in zip(version_ids, chunk, strict=True)
            for node, level in p.nodes
        ],
    )
    db.session.execute(
        sa.insert(AuditEvent),
        [
            {
                "created_at": now,
                "action": "item.create",
                "actor_id": actor.id,
                "bank_id": bank.id,
                "item_id": item_id,
                "version_number": 1,
                "from_status": None,
                "to_status": Status.APPROVED.value,
                "reason": "",
                "object_type": "item",
                "object_id": external,
                "data": {"via": "simulation"},
            }
            for item_id, external in zip(item_ids, externals, strict=True)
        ],
    )
    return item_ids, version_ids


def _write_parameters(pool: Any, version_ids: list[int], actor: User, rng: Any) -> None:
    """3PL (with simulated standard errors) and classical p per version, source
    ``simulated``."""
    now = utcnow()
    rows = []
    for k, version_id in enumerate(version_ids):
        a, b, c, p = (float(pool.a[k]), float(pool.b[k]), float(pool.c[k]), float(pool.p[k]))
        common = {
            "version_id": version_id,
            "scale": SCALE,
            "sample_size": None,
            "source": "simulated",
            "run_id": None,
            "flags": [],
            "created_at": now,
            "created_by_id": actor.id,
        }
        rows.append(
            {
                **common,
                "model": "3PL",
                "params": {"a": round(a, 4), "b": round(b, 4), "c": round(c, 4)},
                "standard_errors": {
                    "a": round(float(rng.uniform(0.03, 0.08)), 4),
                    "b": round(float(rng.uniform(0.04, 0.12)), 4),
                    "c": round(float(rng.uniform(0.01, 0.04)), 4),
                },
            }
        )
        rows.append(
            {**common, "model": "classical", "params": {"p": round(p, 4)}, "standard_errors": {}}
        )
    for start in range(0, len(rows), 2 * BATCH):
        db.session.execute(sa.insert(ItemParameters), rows[start : start + 2 * BATCH])
