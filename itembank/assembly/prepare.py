"""From the caller's inputs to the arrays the solvers use, and the checks before solving.

``prepare`` resolves which rows each item fits, leaves out what the rules exclude (by hand,
exposure, enemies of anchors, incomplete item sets), places the anchors in rows, and
computes each item's coefficients for the target. ``check`` compares supply with demand
per row, section and rule, and returns messages in the blueprint's words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from itembank.assembly import irt
from itembank.assembly.matching import match_rows
from itembank.assembly.model import (
    Blueprint,
    Classical,
    MaximinTIF,
    Pool,
    Rules,
    Settings,
    Target,
    TargetCurve,
)
from itembank.assembly.result import Message

#: Why an item is left out, in the order reasons are tried (Indonesian, English).
REASONS: dict[str, tuple[str, str]] = {
    "exclude": ("dikecualikan secara manual", "excluded by hand"),
    "exposure_share": ("aturan paparan (proporsi peserta)", "the exposure rule (share seen)"),
    "exposure_recent": ("aturan paparan (baru dipakai)", "the exposure rule (recently used)"),
    "flagged": ("ditandai oleh statistik", "flagged by the statistics"),
    "anchor_enemy": ("musuh butir jangkar", "enemy of an anchor"),
    "item_set": ("anggota set yang tidak lengkap", "member of an incomplete item set"),
}


@dataclass
class Problem:
    """Everything the solvers need, addressed by pool position."""

    pool: Pool
    blueprint: Blueprint
    rules: Rules
    target: Target
    settings: Settings
    fits: np.ndarray
    labels: list[str]
    row_section: np.ndarray
    counts: np.ndarray
    need: np.ndarray
    candidate: np.ndarray
    removed: dict[str, np.ndarray]
    anchors: np.ndarray
    anchor_rows: np.ndarray
    usage_cap: int
    coef: np.ndarray
    anchor_coef: np.ndarray
    goal: np.ndarray | None
    sense: str
    key_code: np.ndarray
    letters: tuple[str, ...]
    enemies: np.ndarray
    sets: list[np.ndarray]
    include: np.ndarray
    pair_item: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def forms(self) -> int:
        return self.settings.forms


def _coefficients(pool: Pool, target: Target) -> tuple[np.ndarray, np.ndarray | None, str]:
    """Per item the target's columns, the per-form goal (target curves) and the sense."""
    n = pool.size
    if isinstance(target, MaximinTIF):
        assert pool.a is not None and pool.b is not None
        return irt.information(pool.a, pool.b, pool.c, target.thetas), None, "max"
    if isinstance(target, TargetCurve):
        assert pool.a is not None and pool.b is not None
        columns, goals = [], []
        if target.tif is not None:
            info = irt.information(pool.a, pool.b, pool.c, target.thetas)
            columns.append(info / np.asarray(target.tif)[None, :])
            goals.append(np.ones(len(target.thetas)))
        if target.tcc is not None:
            prob = irt.probability(pool.a, pool.b, pool.c, target.thetas)
            columns.append(prob / np.asarray(target.tcc)[None, :])
            goals.append(np.ones(len(target.thetas)))
        return np.hstack(columns), np.concatenate(goals), "min"
    if isinstance(target, Classical):
        assert pool.p is not None
        score = pool.max_score if pool.max_score is not None else np.ones(n)
        return np.column_stack([pool.p * score, pool.p]), None, "min"
    return np.zeros((n, 0)), None, "none"


def prepare(
    pool: Pool, blueprint: Blueprint, rules: Rules, target: Target, settings: Settings
) -> tuple[Problem | None, list[Message]]:
    """The solver's problem, or ``None`` with the messages that make it impossible."""
    errors: list[Message] = []
    index = pool.index_of()
    n = pool.size
    fits = pool.fit_matrix(blueprint)
    labels = blueprint.row_labels
    counts = np.array([row.count for row in blueprint.rows], dtype=np.int64)
    forms = settings.forms

    def positions(ids: Sequence[int], what: str) -> np.ndarray:
        unknown = [item for item in ids if item not in index]
        if unknown:
            raise ValueError(f"Rules.{what}: items not in the pool: {unknown[:5]}")
        return np.array([index[item] for item in ids], dtype=np.int64)

    anchors = positions(rules.anchors, "anchors")
    include = positions(rules.include, "include")
    exclude = positions(rules.exclude, "exclude")
    enemies = (
        np.array([[index[i], index[j]] for i, j in pool.enemies], dtype=np.int64).reshape(-1, 2)
        if rules.enemies
        else np.zeros((0, 2), dtype=np.int64)
    )
    sets = [positions(group, "item_sets") for group in pool.item_sets]

    if isinstance(target, MaximinTIF | TargetCurve) and not pool.has_irt:
        errors.append(
            Message(
                "target_needs_irt",
                "Target TIF/TCC memerlukan parameter IRT (a, b, c); bank ini belum punya.",
                "The TIF/TCC target needs IRT parameters (a, b, c); the pool has none.",
                rule="target",
            )
        )
    if isinstance(target, Classical) and pool.p is None:
        errors.append(
            Message(
                "target_needs_p",
                "Target klasik memerlukan tingkat kesukaran (p) setiap butir.",
                "The classical target needs every item's p (difficulty).",
                rule="target",
            )
        )
    if errors:
        return None, errors

    removed: dict[str, np.ndarray] = {name: np.zeros(n, dtype=bool) for name in REASONS}
    removed["exclude"][exclude] = True
    exposure = rules.exposure
    if exposure is not None:
        if exposure.max_share is not None and pool.exposure is not None:
            removed["exposure_share"] = np.nan_to_num(pool.exposure) > exposure.max_share
        if exposure.min_days_since_use is not None and pool.days_since_use is not None:
            days = pool.days_since_use
            removed["exposure_recent"] = ~np.isnan(days) & (days < exposure.min_days_since_use)
        if exposure.exclude_flagged and pool.flagged is not None:
            removed["flagged"] = np.asarray(pool.flagged, dtype=bool).copy()
    is_anchor = np.zeros(n, dtype=bool)
    is_anchor[anchors] = True
    for i, j in enemies:
        if is_anchor[i] and not is_anchor[j]:
            removed["anchor_enemy"][j] = True
        if is_anchor[j] and not is_anchor[i]:
            removed["anchor_enemy"][i] = True
    out = np.zeros(n, dtype=bool)
    for name in ("exclude", "exposure_share", "exposure_recent", "flagged", "anchor_enemy"):
        out |= removed[name]
    for group in sets:
        if out[group].any() or is_anchor[group].any():
            removed["item_set"][group] = ~out[group]
            out[group] = True

    # Anchors: in every form, so they must survive the rules and fill rows themselves.
    for a in anchors:
        label = str(pool.item_ids[a])
        for name, (why_id, why_en) in REASONS.items():
            if removed[name][a]:
                errors.append(
                    Message(
                        "anchor_excluded",
                        f"Butir jangkar {label} tidak boleh dipakai: {why_id}.",
                        f"Anchor item {label} may not be used: {why_en}.",
                        rule="anchors",
                    )
                )
    for i, j in enemies:
        if is_anchor[i] and is_anchor[j]:
            a, b = pool.item_ids[i], pool.item_ids[j]
            errors.append(
                Message(
                    "anchor_enemies",
                    f"Butir jangkar {a} dan {b} saling bermusuhan, padahal keduanya"
                    " wajib di setiap paket.",
                    f"Anchor items {a} and {b} are enemies, yet both must be in every form.",
                    rule="anchors",
                )
            )
    matching = match_rows([np.flatnonzero(fits[a]).tolist() for a in anchors], counts.tolist())
    anchor_rows = np.array([matching.get(k, -1) for k in range(anchors.size)], dtype=np.int64)
    for k, a in enumerate(anchors):
        if anchor_rows[k] < 0:
            label = str(pool.item_ids[a])
            if not fits[a].any():
                text = (
                    f"Butir jangkar {label} tidak cocok dengan baris kisi-kisi mana pun.",
                    f"Anchor item {label} fits no row of the blueprint.",
                )
            else:
                text = (
                    f"Butir jangkar {label} tidak mendapat tempat: baris yang cocok"
                    " sudah penuh oleh jangkar lain.",
                    f"Anchor item {label} has no place: the rows it fits are full of"
                    " other anchors.",
                )
            errors.append(Message("anchor_no_row", *text, rule="anchors"))
    need = counts - np.bincount(anchor_rows[anchor_rows >= 0], minlength=counts.size)

    for i in include:
        label = str(pool.item_ids[i])
        if out[i]:
            errors.append(
                Message(
                    "include_excluded",
                    f"Butir {label} dipilih untuk dimasukkan, tetapi aturan lain mengecualikannya.",
                    f"Item {label} is to be included, but another rule leaves it out.",
                    rule="include",
                )
            )
        elif not fits[i].any():
            errors.append(
                Message(
                    "include_no_row",
                    f"Butir {label} dipilih untuk dimasukkan, tetapi tidak cocok dengan"
                    " baris mana pun.",
                    f"Item {label} is to be included, but fits no row of the blueprint.",
                    rule="include",
                )
            )

    candidate = ~out & ~is_anchor & fits.any(axis=1)
    coef, goal, sense = _coefficients(pool, target)
    anchor_coef = coef[anchors].sum(axis=0) if anchors.size else np.zeros(coef.shape[1])

    letters: tuple[str, ...] = rules.key_balance.letters if rules.key_balance else ()
    key_code = np.full(n, -1, dtype=np.int64)
    if pool.keys is not None:
        lookup = {letter: k for k, letter in enumerate(letters)}
        extra = sorted({k for k in pool.keys if k is not None and k not in lookup})
        letters = letters + tuple(extra)
        lookup.update({letter: len(lookup) + k for k, letter in enumerate(extra)})
        key_code = np.array([-1 if k is None else lookup[k] for k in pool.keys], dtype=np.int64)

    problem = Problem(
        pool=pool,
        blueprint=blueprint,
        rules=rules,
        target=target,
        settings=settings,
        fits=fits,
        labels=labels,
        row_section=blueprint.row_section,
        counts=counts,
        need=need,
        candidate=candidate,
        removed=removed,
        anchors=anchors,
        anchor_rows=anchor_rows,
        usage_cap=min(rules.max_forms_per_item, forms),
        coef=coef,
        anchor_coef=anchor_coef,
        goal=goal,
        sense=sense,
        key_code=key_code,
        letters=letters,
        enemies=enemies,
        sets=sets,
        include=include,
    )
    pair_item, pair_row = np.nonzero(fits & candidate[:, None])
    problem.pair_item, problem.pair_row = pair_item.astype(np.int64), pair_row.astype(np.int64)
    if errors:
        return None, errors
    return problem, check(problem)


def _removal_text(problem: Problem, mask: np.ndarray) -> tuple[str, str, dict[str, float]]:
    parts_id, parts_en, numbers = [], [], {}
    for name, (why_id, why_en) in REASONS.items():
        k = int((problem.removed[name] & mask).sum())
        if k:
            parts_id.append(f"{why_id} mengeluarkan {k}")
            parts_en.append(f"{why_en} removes {k}")
            numbers[f"removed_{name}"] = float(k)
    anchors = int(np.isin(np.flatnonzero(mask), problem.anchors).sum())
    if anchors:
        parts_id.append(f"{anchors} adalah jangkar")
        parts_en.append(f"{anchors} are anchors")
    return "; ".join(parts_id), "; ".join(parts_en), numbers


def check(problem: Problem) -> list[Message]:
    """Supply against demand before solving, per row, per section, over the blueprint,
    and for the key-balance rule. Empty when nothing is short."""
    messages: list[Message] = []
    forms = problem.forms
    cap = problem.usage_cap
    fits = problem.fits
    usable = fits & problem.candidate[:, None]

    def shortage(
        code: str, label: tuple[str, str], row: str | None, need: int, mask: np.ndarray
    ) -> None:
        demand = need * forms
        eligible = int(mask.sum())
        supply = int((mask & problem.candidate).sum())
        if supply * cap >= demand:
            return
        why_id, why_en, numbers = _removal_text(problem, mask)
        reuse_id = f", tiap butir paling banyak di {cap} paket" if cap > 1 else ""
        reuse_en = f", each item in at most {cap} forms" if cap > 1 else ""
        tail_id = f"; {why_id}" if why_id else ""
        tail_en = f"; {why_en}" if why_en else ""
        messages.append(
            Message(
                code,
                f"{label[0]} memerlukan {need} × {forms} = {demand} butir; {eligible} cocok"
                f"{tail_id}; tersisa {supply}{reuse_id}.",
                f"{label[1]} needs {need} × {forms} = {demand} items; {eligible} are eligible"
                f"{tail_en}; {supply} remain{reuse_en}.",
                row=row,
                rule="blueprint",
                numbers={
                    "demand": float(demand),
                    "eligible": float(eligible),
                    "supply": float(supply),
                    **numbers,
                },
            )
        )

    for r, label in enumerate(problem.labels):
        shortage(
            "row_short", (f"Baris {label}", f"Row {label}"), label, int(problem.need[r]), fits[:, r]
        )
    for s in range(len(problem.blueprint.sections)):
        rows = problem.row_section == s
        if rows.sum() > 1:
            need = int(problem.need[rows].sum())
            shortage(
                "section_short",
                (f"Bagian {s + 1}", f"Section {s + 1}"),
                None,
                need,
                fits[:, rows].any(axis=1),
            )
    if len(problem.labels) > 1:
        shortage(
            "blueprint_short",
            ("Seluruh kisi-kisi", "The whole blueprint"),
            None,
            int(problem.need.sum()),
            fits.any(axis=1),
        )

    kb = problem.rules.key_balance
    if kb is not None:
        keyed = problem.key_code >= 0
        for s in range(len(problem.blueprint.sections)):
            rows = np.flatnonzero(problem.row_section == s)
            # Rows whose every usable item is keyed: their items all count in the shares.
            sure = sum(
                int(problem.counts[r])
                for r in rows
                if usable[:, r].any() and keyed[usable[:, r]].all()
            )
            if sure == 0:
                continue
            low = math.ceil(kb.min_share * sure - 1e-9)
            in_section = usable[:, rows].any(axis=1)
            for k, letter in enumerate(kb.letters):
                have = int((in_section & (problem.key_code == k)).sum())
                have_anchor = int((problem.key_code[problem.anchors] == k).sum())
                demand = max(low - have_anchor, 0) * forms
                if have * cap < demand:
                    messages.append(
                        Message(
                            "key_short",
                            f"Bagian {s + 1}: kunci {letter} minimal {kb.min_share:.0%}"
                            f" dari {sure} butir = {low} per paket, {demand} untuk {forms}"
                            f" paket; hanya {have} butir berkunci {letter}.",
                            f"Section {s + 1}: key {letter} needs at least {kb.min_share:.0%}"
                            f" of {sure} items = {low} per form, {demand} for {forms} forms;"
                            f" only {have} items have key {letter}.",
                            rule="key_balance",
                            numbers={"demand": float(demand), "supply": float(have)},
                        )
                    )
            if len(kb.letters) * kb.max_share < 1 - 1e-9:
                messages.append(
                    Message(
                        "key_shares_impossible",
                        f"Bagian {s + 1}: {len(kb.letters)} huruf kunci"
                        f" × {kb.max_share:.0%} < 100%.",
                        f"Section {s + 1}: {len(kb.letters)} key letters"
                        f" × {kb.max_share:.0%} < 100%.",
                        rule="key_balance",
                    )
                )
    return messages
