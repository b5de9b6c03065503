"""Automated test assembly in the bank: thin over the pure core (:mod:`itembank.assembly`).

- :func:`build_pool` reads the bank's approved, non-retired items (each item's newest
  approved version) with their classifications (taxonomy node paths and levels, matched
  to blueprint rows as the form report's ``fits_row`` does), types, single-choice key
  letters, maximum scores, enemy pairs, the current parameters and when each was last
  used in a form.
- :func:`run_assembly` runs the core and records an :class:`AssemblyRun` (``proposed`` or
  ``infeasible``, audited ``assembly.run``). Nothing else is created.
- :func:`accept_run` makes the run's draft forms through the forms' own operations
  (``create_form``, ``add_entries``), once; :func:`discard_run` keeps the record.

Assemblers and bank admins only (:data:`ASSEMBLY_ROLES`), like forms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from itembank import assembly as core
from itembank.access import require_role
from itembank.assembly import irt
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import (
    Administration,
    AssemblyRun,
    Bank,
    Blueprint,
    CandidateResult,
    EnemyPair,
    Form,
    FormEntry,
    Item,
    ItemClassification,
    ItemParameters,
    ItemVersion,
    ReviewFlag,
    RunStatus,
    TaxonomyNode,
    User,
)
from itembank.models._types import utcnow
from itembank.models.assembly import IRT_MODELS
from itembank.operations.assembly_request import (
    Note,
    load_request,
    rules_of,
    settings_of,
    target_of,
)
from itembank.operations.assembly_sets import item_sets, sets_together, whole_sets
from itembank.operations.blueprints import ASSEMBLY_ROLES, row_ref
from itembank.operations.exposure import item_exposure_query
from itembank.operations.forms import add_entries, create_form
from itembank.plugins import PluginHost
from itembank.workflow import Status

#: The largest pool an assembly reads (approved items of the bank).
MAX_POOL = 50_000
#: The most slots (forms x blueprint length) one run fills.
MAX_SLOTS = 100_000

Progress = Callable[[int, int, str], None]


class RunDecided(Conflict):
    """The run was accepted or discarded already (or is infeasible)."""

    code = "run_decided"


# -- the pool ------------------------------------------------------------------------------


@dataclass
class BankPool:
    """The core's pool plus what the bank needs to map it back: per pool item its
    external id and pinned version, and the parameters used."""

    pool: core.Pool
    external_ids: list[str]
    version_ids: list[int]
    ids: dict[str, int]
    letters: tuple[str, ...]
    target: str
    notes: list[Note] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


def node_key(taxonomy_id: int, path: str) -> str:
    """A node as the core matches it: a prefix of its descendants' keys, within its
    taxonomy only (what ``fits_row`` checks)."""
    return f"{taxonomy_id}:{path}"


def core_blueprint(blueprint: Blueprint) -> core.Blueprint:
    return core.Blueprint(
        sections=tuple(
            core.Section(
                title=section.title,
                rows=tuple(
                    core.Row(
                        count=row.count,
                        node=node_key(row.node.taxonomy_id, row.node.path),
                        level=row.level,
                        item_types=tuple(row.item_types or ()),
                        points=row.points,
                    )
                    for row in section.rows
                ),
            )
            for section in blueprint.sections
        )
    )


def _approved_versions(bank: Bank) -> sa.Select:
    return (
        sa.select(ItemVersion.id)
        .join(Item, Item.approved_version_id == ItemVersion.id)
        .where(
            Item.bank_id == bank.id,
            Item.retired_at.is_(None),
            ItemVersion.status == Status.APPROVED.value,
        )
    )


def current_parameters(version_ids: sa.Select | list[int]) -> dict[int, dict[str, ItemParameters]]:
    """Per version, its current parameters per model (the newest row of each)."""
    newest = (
        sa.select(sa.func.max(ItemParameters.id))
        .where(ItemParameters.version_id.in_(version_ids))
        .group_by(ItemParameters.version_id, ItemParameters.model)
    )
    out: dict[int, dict[str, ItemParameters]] = {}
    for row in db.session.scalars(sa.select(ItemParameters).where(ItemParameters.id.in_(newest))):
        out.setdefault(row.version_id, {})[row.model] = row
    return out


def current_irt(parameters: dict[str, ItemParameters]) -> tuple[float, float, float] | None:
    """``(a, b, c)`` from the current 3PL (else 2PL, c = 0) parameters, or None."""
    for model in IRT_MODELS:
        row = parameters.get(model)
        if row is None:
            continue
        try:
            a, b = float(row.params["a"]), float(row.params["b"])
            c = float(row.params.get("c", 0.0)) if model == "3PL" else 0.0
        except (KeyError, TypeError, ValueError):
            continue
        if np.isfinite([a, b, c]).all() and a > 0 and 0 <= c < 1:
            return a, b, c
    return None


def current_p(parameters: dict[str, ItemParameters]) -> float | None:
    row = parameters.get("classical")
    try:
        p = float(row.params["p"]) if row is not None else None
    except (KeyError, TypeError, ValueError):
        return None
    return p if p is not None and 0 <= p <= 1 else None


def _key_letter(content: dict[str, Any]) -> str | None:
    key = content.get("key")
    options = content.get("options") or []
    for index, option in enumerate(options):
        if isinstance(option, dict) and option.get("id") == key:
            return chr(ord("A") + index) if index < 26 else None
    return None


def build_pool(
    bank: Bank, request: dict[str, Any], plugins: PluginHost, *, now: Any = None
) -> BankPool:
    """The bank's pool for ``request`` (validated by :func:`load_request`)."""
    versions = _approved_versions(bank)
    rows = db.session.execute(
        sa.select(Item.id, Item.external_id, Item.item_type, ItemVersion.id, ItemVersion.content)
        .join(ItemVersion, ItemVersion.id == Item.approved_version_id)
        .where(ItemVersion.id.in_(versions))
        .order_by(Item.id)
        .limit(MAX_POOL + 1)
    ).all()
    if len(rows) > MAX_POOL:
        raise InvalidInput(
            f"the bank has more than {MAX_POOL} approved items; narrow the pool",
            [
                {
                    "field": "exclude",
                    "message": f"Bank punya lebih dari {MAX_POOL} butir disetujui.",
                    "message_en": f"The bank has more than {MAX_POOL} approved items.",
                }
            ],
        )
    if not rows:
        raise InvalidInput(
            "the bank has no approved items to assemble from",
            [
                {
                    "field": "blueprint",
                    "message": "Bank belum punya butir yang disetujui.",
                    "message_en": "The bank has no approved items.",
                }
            ],
        )
    notes: list[Note] = []
    ids = {external: item_id for item_id, external, *_ in rows}
    unknown = [
        (name, ref)
        for name in ("anchors", "include", "exclude")
        for ref in request[name]
        if ref not in ids
    ]
    missing = [(n, r) for n, r in unknown if n != "exclude"]
    if missing:
        raise InvalidInput(
            "not approved items of this bank: " + ", ".join(r for _, r in missing[:10]),
            [
                {
                    "field": name,
                    "message": f"{ref} bukan butir disetujui (dan aktif) di bank ini.",
                    "message_en": f"{ref} is not an approved (and active) item of this bank.",
                }
                for name, ref in missing[:20]
            ],
        )

    classes: dict[int, list[tuple[str, int | None]]] = {}
    for version_id, taxonomy_id, path, level in db.session.execute(
        sa.select(
            ItemClassification.version_id,
            TaxonomyNode.taxonomy_id,
            TaxonomyNode.path,
            ItemClassification.level,
        )
        .join(TaxonomyNode, TaxonomyNode.id == ItemClassification.node_id)
        .where(ItemClassification.version_id.in_(versions))
    ):
        classes.setdefault(version_id, []).append((node_key(taxonomy_id, path), level))
    params = current_parameters(versions)

    irt_rows = {vid: current_irt(p) for vid, p in params.items()}
    p_rows = {vid: current_p(p) for vid, p in params.items()}
    n_irt = sum(irt_rows.get(r[3]) is not None for r in rows)
    n_p = sum(p_rows.get(r[3]) is not None or irt_rows.get(r[3]) is not None for r in rows)
    target = request["target"]
    if target == "auto":
        target = "maximin" if n_irt == len(rows) else "classical" if n_p == len(rows) else "content"
    keep = list(range(len(rows)))
    if target == "maximin":
        keep = [k for k in keep if irt_rows.get(rows[k][3]) is not None]
        what = ("parameter IRT", "IRT parameters")
    elif target == "classical":
        keep = [
            k
            for k in keep
            if p_rows.get(rows[k][3]) is not None or irt_rows.get(rows[k][3]) is not None
        ]
        what = ("nilai p", "a p value")
    if len(keep) < len(rows):
        notes.append(
            Note(
                f"{len(rows) - len(keep)} butir tanpa {what[0]} tidak diikutkan.",
                f"{len(rows) - len(keep)} items without {what[1]} were left out.",
            )
        )
        if not keep:
            raise InvalidInput(
                f"no approved item has {what[1]}; choose another target",
                [
                    {
                        "field": "target",
                        "message": f"Tidak ada butir dengan {what[0]}; pilih sasaran lain.",
                        "message_en": f"No item has {what[1]}; choose another target.",
                    }
                ],
            )
    keep, split_sets = whole_sets([r[3] for r in rows], keep)
    if split_sets:
        notes.append(
            Note(
                "Kelompok soal bacaan "
                + ", ".join(split_sets[:10])
                + f" tidak diikutkan: sebagian butirnya tanpa {what[0]}.",
                "The item sets of passages "
                + ", ".join(split_sets[:10])
                + f" were left out: some of their items have no {what[1]}.",
            )
        )
        if not keep:
            raise InvalidInput(
                f"no approved item has {what[1]}; choose another target",
                [
                    {
                        "field": "target",
                        "message": f"Tidak ada butir dengan {what[0]}; pilih sasaran lain.",
                        "message_en": f"No item has {what[1]}; choose another target.",
                    }
                ],
            )
    anchors = set(request["anchors"]) | set(request["include"])
    dropped = [rows[k][1] for k in set(range(len(rows))) - set(keep) if rows[k][1] in anchors]
    if dropped:
        raise InvalidInput(
            "anchors or included items lack the target's parameters: " + ", ".join(dropped[:10]),
            [
                {
                    "field": "anchors",
                    "message": f"{ref} tidak punya parameter untuk sasaran ini.",
                    "message_en": f"{ref} has no parameters for this target.",
                }
                for ref in dropped[:20]
            ],
        )
    rows = [rows[k] for k in keep]
    ids = {external: item_id for item_id, external, *_ in rows}
    item_ids = [r[0] for r in rows]
    version_ids = [r[3] for r in rows]

    max_score = []
    for _, _, item_type, _, content in rows:
        plugin = plugins.item_types.get(item_type)
        try:
            max_score.append(float(plugin.max_score(content)) if plugin else 1.0)
        except Exception:  # a plugin's own problem must not stop the assembly
            max_score.append(1.0)
    keys = [_key_letter(r[4]) if r[2] == "single_choice" else None for r in rows]
    letters = tuple(sorted({k for k in keys if k}))

    arrays: dict[str, Any] = {}
    used: dict[str, Any] = {"target": target}
    if target == "maximin" or (n_irt == len(rows) and target != "content"):
        abc = np.array([irt_rows[v] for v in version_ids], dtype=float)
        if abc.size and len(abc) == len(rows):
            arrays.update(a=abc[:, 0], b=abc[:, 1], c=abc[:, 2])
            used["irt"] = {"a": abc[:, 0].round(4).tolist(), "b": abc[:, 1].round(4).tolist()}
            used["irt"]["c"] = abc[:, 2].round(4).tolist()
    if target != "content":
        ps = []
        for v in version_ids:
            p = p_rows.get(v)
            if p is None and irt_rows.get(v) is not None:
                p = _implied_p(*irt_rows[v])
            ps.append(p)
        if all(p is not None for p in ps):
            arrays["p"] = np.array(ps, dtype=float)
            used["p"] = [round(float(p), 4) for p in ps]

    days = _days_since_use(bank, item_ids, now or utcnow())
    open_flags = set(
        db.session.scalars(
            sa.select(ReviewFlag.version_id).where(
                ReviewFlag.bank_id == bank.id, ReviewFlag.status == "open"
            )
        )
    )
    flagged = np.array(
        [
            v in open_flags or any(bool(r.flags) for r in params.get(v, {}).values())
            for v in version_ids
        ],
        dtype=bool,
    )
    exposure, delivered = _exposure_shares(bank, item_ids)
    if request["exposure_max_share"] is not None and not delivered:
        notes.append(
            Note(
                "Aturan paparan (bagian peserta yang melihat butir) belum dapat diterapkan: "
                "bank belum menyimpan hasil pelaksanaan.",
                "The exposure rule (share of candidates who saw an item) could not be applied: "
                "the bank holds no delivery results yet.",
            )
        )
    if request["exclude_flagged"] and not flagged.any():
        notes.append(
            Note(
                "Tidak ada butir yang ditandai oleh statistik; aturan 'butir bertanda' tidak "
                "mengeluarkan apa pun.",
                "No item is flagged by statistics; the 'flagged items' rule left nothing out.",
            )
        )
    known = set(item_ids)
    enemies = [
        (low, high)
        for low, high in db.session.execute(
            sa.select(EnemyPair.item_low_id, EnemyPair.item_high_id).where(
                EnemyPair.bank_id == bank.id
            )
        )
        if low in known and high in known
    ]
    pool = core.Pool(
        item_ids=item_ids,
        classifications=[classes.get(v, []) for v in version_ids],
        item_types=[r[2] for r in rows],
        keys=keys,
        max_score=np.array(max_score),
        exposure=exposure,
        days_since_use=days,
        flagged=flagged,
        enemies=enemies,
        item_sets=item_sets(item_ids, version_ids),
        **arrays,
    )
    return BankPool(
        pool=pool,
        external_ids=[r[1] for r in rows],
        version_ids=version_ids,
        ids=ids,
        letters=letters,
        target=target,
        notes=notes,
        parameters=used,
    )


def _implied_p(a: float, b: float, c: float) -> float:
    """The p a 3PL item has for a standard normal population."""
    nodes = np.linspace(-4, 4, 41)
    weights = np.exp(-(nodes**2) / 2)
    weights /= weights.sum()
    curve = irt.probability(np.array([a]), np.array([b]), np.array([c]), nodes)
    return float(np.ravel(curve @ weights)[0])


def _days_since_use(bank: Bank, item_ids: list[int], now: Any) -> np.ndarray:
    """Days since each item was last used: put in a form of the bank (any status) or
    delivered (the last day of the latest administration with results; NaN: never)."""
    last: dict[int, Any] = dict(
        db.session.execute(
            sa.select(FormEntry.item_id, sa.func.max(FormEntry.added_at))
            .join(Form, Form.id == FormEntry.form_id)
            .where(Form.bank_id == bank.id)
            .group_by(FormEntry.item_id)
        ).all()
    )
    exposure = item_exposure_query(bank.id)
    for item_id, ended in db.session.execute(sa.select(exposure.c.item_id, exposure.c.last_used)):
        if ended is None:
            continue
        end_of_day = datetime.combine(ended, time.max, tzinfo=UTC)
        when = last.get(item_id)
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        last[item_id] = end_of_day if when is None else max(when, end_of_day)
    out = np.full(len(item_ids), np.nan)
    for k, item_id in enumerate(item_ids):
        when = last.get(item_id)
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=now.tzinfo)
            out[k] = max((now - when) / timedelta(days=1), 0.0)
    return out


def _exposure_shares(bank: Bank, item_ids: list[int]) -> tuple[np.ndarray, int]:
    """Per item, the share of the bank's delivered candidates who had it (any version),
    and how many candidate results the bank holds (0: no delivery yet)."""
    delivered = int(
        db.session.scalar(
            sa.select(sa.func.count(CandidateResult.id))
            .join(Administration, Administration.id == CandidateResult.administration_id)
            .where(Administration.bank_id == bank.id)
        )
        or 0
    )
    out = np.zeros(len(item_ids))
    if not delivered:
        return out, 0
    exposure = item_exposure_query(bank.id)
    seen = {
        item_id: count
        for item_id, count in db.session.execute(sa.select(exposure.c.item_id, exposure.c.exposure))
    }
    for k, item_id in enumerate(item_ids):
        out[k] = float(seen.get(item_id, 0)) / delivered
    return out, delivered


# -- running -------------------------------------------------------------------------------


def _check_size(blueprint: Blueprint, request: dict[str, Any]) -> None:
    slots = blueprint.total_length * request["forms"]
    if slots > MAX_SLOTS:
        raise InvalidInput(
            f"{request['forms']} forms of {blueprint.total_length} items is more than "
            f"{MAX_SLOTS} places",
            [
                {
                    "field": "forms",
                    "message": f"Paling banyak {MAX_SLOTS} butir seluruhnya "
                    f"({MAX_SLOTS // blueprint.total_length} paket untuk kisi-kisi ini).",
                    "message_en": f"At most {MAX_SLOTS} items in all "
                    f"({MAX_SLOTS // blueprint.total_length} forms for this blueprint).",
                }
            ],
        )
    empty = [section.position for section in blueprint.sections if not section.rows]
    if empty or not blueprint.sections:
        raise InvalidInput(
            f"blueprint {blueprint.code} has sections without rows: {empty}",
            [
                {
                    "field": "blueprint",
                    "message": "Setiap bagian kisi-kisi harus punya baris "
                    f"(bagian tanpa baris: {empty}).",
                    "message_en": "Every blueprint section needs rows "
                    f"(sections without: {empty}).",
                }
            ],
        )


def check_request(bank: Bank, blueprint: Blueprint, raw: Any, *, actor: User) -> dict[str, Any]:
    """The validated request, refused at once for a role the actor lacks or bad input."""
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="assemble test forms")
    if blueprint.bank_id != bank.id:
        raise NotFound(f"bank {bank.code} has no blueprint {blueprint.code!r}")
    request = load_request(raw)
    _check_size(blueprint, request)
    return request


@dataclass
class Prepared:
    """Everything read from the bank for one run (no transaction needed afterwards)."""

    request: dict[str, Any]
    blueprint: core.Blueprint
    bank_pool: BankPool
    rules: core.Rules
    target: core.Target
    settings: core.Settings
    row_labels: list[str]


def prepare_run(
    bank: Bank, blueprint: Blueprint, raw: Any, *, actor: User, plugins: PluginHost
) -> Prepared:
    request = check_request(bank, blueprint, raw, actor=actor)
    bank_pool = build_pool(bank, request, plugins)
    blueprint_core = core_blueprint(blueprint)
    try:
        rules = rules_of(request, bank_pool.ids, bank_pool.letters)
    except ValueError as exc:
        raise InvalidInput(str(exc), []) from None
    return Prepared(
        request=request,
        blueprint=blueprint_core,
        bank_pool=bank_pool,
        rules=rules,
        target=target_of(bank_pool.target, request["thetas"]),
        settings=settings_of(request),
        row_labels=[row_ref(row) for section in blueprint.sections for row in section.rows],
    )


def solve(
    prepared: Prepared,
    *,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> core.Result | core.Infeasible:
    """Run the core (raises :class:`itembank.assembly.Cancelled` when cancelled)."""
    return core.assemble(
        prepared.bank_pool.pool,
        prepared.blueprint,
        prepared.rules,
        prepared.target,
        prepared.settings,
        progress=progress,
        cancel=cancel,
    )


def _floats(values: Any) -> list[float] | None:
    if values is None:
        return None
    return [round(float(v), 4) for v in np.asarray(values).tolist()]


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def record_run(
    bank: Bank,
    blueprint: Blueprint,
    prepared: Prepared,
    outcome: core.Result | core.Infeasible,
    *,
    actor: User,
    job_id: int | None = None,
) -> AssemblyRun:
    """Store the run (``proposed`` or ``infeasible``) and audit it; nothing else."""
    bp = prepared.bank_pool
    version_of = dict(zip(bp.pool.item_ids.tolist(), bp.version_ids, strict=True))
    external_of = dict(zip(bp.pool.item_ids.tolist(), bp.external_ids, strict=True))
    run = AssemblyRun(
        bank_id=bank.id,
        blueprint_id=blueprint.id,
        blueprint_revision=blueprint.revision,
        job_id=job_id,
        settings={**prepared.request, "target_used": bp.target},
        pool={
            "items": [[int(i), int(version_of[i])] for i in bp.pool.item_ids.tolist()],
            "parameters": bp.parameters,
            "enemies": len(bp.pool.enemies),
        },
        seed=prepared.settings.seed,
        notes=[note.as_dict() for note in bp.notes],
        created_by_id=actor.id,
        times=dict(outcome.times),
    )
    if isinstance(outcome, core.Infeasible):
        run.status = RunStatus.INFEASIBLE.value
        run.method = outcome.stage
        run.messages = [message.as_dict() for message in outcome.messages]
        run.solver = {"name": "HiGHS", "stage": outcome.stage}
    else:
        run.status = RunStatus.PROPOSED.value
        run.method = outcome.method
        run.stopped = outcome.stopped
        run.solver = _jsonable(outcome.solver)
        run.objective = _number(outcome.objective)
        run.lp_bound = _number(outcome.lp_bound)
        run.gap = _number(outcome.gap)
        run.messages = [message.as_dict() for message in outcome.messages]
        run.forms = [
            {
                "sections": [
                    [
                        {
                            "item": int(item),
                            "external_id": external_of[int(item)],
                            "version": int(version_of[int(item)]),
                            "row": form.rows.get(int(item)),
                        }
                        for item in section
                    ]
                    for section in form.sections
                ]
            }
            for form in outcome.forms
        ]
        run.comparison = comparison_of(prepared, outcome)
    db.session.add(run)
    db.session.flush()
    record(
        "assembly.run",
        actor=actor,
        bank=bank,
        object_type="assembly_run",
        object_id=str(run.id),
        blueprint=blueprint.code,
        status=run.status,
        forms=prepared.request["forms"],
        seed=run.seed,
        gap=run.gap,
        pool=bp.pool.size,
    )
    return run


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def comparison_of(prepared: Prepared, result: core.Result) -> dict[str, Any]:
    """What the comparison view shows, as JSON."""
    counts = {
        label: row.count
        for label, row in zip(prepared.row_labels, prepared.blueprint.rows, strict=False)
    }
    usage: dict[str, int] = {}
    for uses in result.usage.values():
        usage[str(uses)] = usage.get(str(uses), 0) + 1
    thetas = list(getattr(prepared.target, "thetas", ()) or ())
    forms = []
    for form in result.forms:
        stats = form.stats
        tif_at = None
        if stats.tif is not None and thetas:
            grid = np.asarray(result.grid)
            tif_at = [round(float(np.interp(t, grid, np.asarray(stats.tif))), 4) for t in thetas]
        forms.append(
            {
                "index": form.index + 1,
                "length": len(form.items),
                "row_counts": {k: int(v) for k, v in stats.row_counts.items()},
                "rows_ok": all(
                    int(stats.row_counts.get(label, 0)) == need for label, need in counts.items()
                ),
                "tif": _floats(stats.tif),
                "tcc": _floats(stats.tcc),
                "tif_at_thetas": tif_at,
                "expected_score": _number(stats.expected_score),
                "mean_p": _number(stats.mean_p),
                "keys": {s: dict(v) for s, v in stats.keys.items()},
                "objective": _number(stats.objective),
            }
        )
    return {
        "grid": [float(g) for g in result.grid],
        "thetas": thetas,
        "row_needs": counts,
        "forms": forms,
        "overlap": np.asarray(result.overlap).astype(int).tolist(),
        "usage": usage,
        "first_feasible": _number(result.first_feasible),
        "trace": [[round(float(t), 3), _number(v)] for t, v in result.trace[:200]],
    }


def run_inline(
    bank: Bank,
    blueprint: Blueprint,
    raw: Any,
    *,
    actor: User,
    plugins: PluginHost,
    progress: Progress | None = None,
) -> AssemblyRun:
    """Prepare, solve and record in this process (the CLI)."""
    prepared = prepare_run(bank, blueprint, raw, actor=actor, plugins=plugins)
    outcome = solve(prepared, progress=progress)
    return record_run(bank, blueprint, prepared, outcome, actor=actor)


# -- reading, accepting, discarding ----------------------------------------------------------


def get_run(bank: Bank, run_id: int, *, actor: User) -> AssemblyRun:
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="see assembly runs")
    run = db.session.get(AssemblyRun, run_id)
    if run is None or run.bank_id != bank.id:
        raise NotFound(f"bank {bank.code} has no assembly run {run_id}")
    return run


def list_runs(
    bank: Bank, *, actor: User, blueprint: Blueprint | None = None, limit: int = 50, offset: int = 0
) -> list[AssemblyRun]:
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="see assembly runs")
    query = sa.select(AssemblyRun).where(AssemblyRun.bank_id == bank.id)
    if blueprint is not None:
        query = query.where(AssemblyRun.blueprint_id == blueprint.id)
    return list(
        db.session.scalars(
            query.order_by(AssemblyRun.id.desc()).limit(min(limit, 200)).offset(offset)
        )
    )


def run_forms(run: AssemblyRun) -> list[Form]:
    """The draft forms an accepted run made, in form order."""
    if not run.form_ids:
        return []
    forms = {f.id: f for f in db.session.scalars(sa.select(Form).where(Form.id.in_(run.form_ids)))}
    return [forms[i] for i in run.form_ids if i in forms]


def _locked(run: AssemblyRun, actor: User, doing: str) -> AssemblyRun:
    require_role(actor, run.bank, *ASSEMBLY_ROLES, doing=doing)
    run = db.session.scalars(
        sa.select(AssemblyRun)
        .where(AssemblyRun.id == run.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if run.status != RunStatus.PROPOSED.value:
        raise RunDecided(
            f"assembly run {run.id} is {run.status}; only a proposed run can be accepted or "
            "discarded",
            status_now=run.status,
        )
    return run


def accept_run(run: AssemblyRun, *, actor: User) -> list[Form]:
    """Make the run's draft forms (pinned versions, sections as the blueprint says),
    once. Refused when the run is not ``proposed``, the blueprint changed since, or a
    version is no longer approved (nothing is made then)."""
    run = _locked(run, actor, "accept assembly runs")
    blueprint = run.blueprint
    if blueprint.revision != run.blueprint_revision:
        raise Conflict(
            f"blueprint {blueprint.code} changed after this run (revision "
            f"{run.blueprint_revision}, now {blueprint.revision}); run the assembly again"
        )
    wanted = {e["version"] for form in run.forms for s in form["sections"] for e in s}
    versions = {
        v.id: v
        for v in db.session.scalars(
            sa.select(ItemVersion)
            .where(ItemVersion.id.in_(wanted))
            .options(selectinload(ItemVersion.item))
        )
    }
    made: list[Form] = []
    total = len(run.forms)
    for index, proposal in enumerate(run.forms, start=1):
        form = create_form(
            run.bank,
            blueprint,
            title=f"{blueprint.title} — rakitan {run.id}, paket {index}/{total}"[:200],
            actor=actor,
        )
        add_entries(
            form,
            [
                sets_together([versions[e["version"]] for e in section])
                for section in proposal["sections"]
            ],
            actor=actor,
            via=f"assembly_run:{run.id}",
        )
        made.append(form)
    run.status = RunStatus.ACCEPTED.value
    run.decided_by_id = actor.id
    run.decided_at = utcnow()
    run.form_ids = [form.id for form in made]
    db.session.flush()
    record(
        "assembly.accept",
        actor=actor,
        bank=run.bank,
        object_type="assembly_run",
        object_id=str(run.id),
        forms=[form.external_id for form in made],
    )
    return made


def discard_run(run: AssemblyRun, *, actor: User) -> AssemblyRun:
    """Mark a proposed run discarded; the record stays."""
    run = _locked(run, actor, "discard assembly runs")
    run.status = RunStatus.DISCARDED.value
    run.decided_by_id = actor.id
    run.decided_at = utcnow()
    db.session.flush()
    record(
        "assembly.discard",
        actor=actor,
        bank=run.bank,
        object_type="assembly_run",
        object_id=str(run.id),
    )
    return run
