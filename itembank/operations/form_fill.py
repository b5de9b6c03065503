"""Filling a draft form faster: several items at once, and *fill this row* with eligible
items drawn at random.

Both go through :func:`~itembank.operations.forms.add_entry` for every item, so every
rule of a single addition holds (assemblers and bank admins, a draft, approved versions
of the bank, not retired); one refusal refuses the whole request. An item already on
the form is refused rather than added twice.

*Eligible* for a row: the item's approved version fits the row (classification under the
row's node, at its level, of an allowed type), the item is not retired, not on the form
yet, and is no enemy of an item on the form or of another item drawn with it. Among
them the draw avoids a third item in a row with the same key letter (the report's
``key_run`` warning) while others are left.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import sqlalchemy as sa

from itembank.audit import record
from itembank.errors import Conflict, InvalidInput
from itembank.extensions import db
from itembank.models import (
    BlueprintRow,
    EnemyPair,
    Form,
    FormEntry,
    Item,
    ItemClassification,
    ItemVersion,
    TaxonomyNode,
    User,
)
from itembank.operations.blueprints import row_ref
from itembank.operations.form_report import KEY_RUN, build_report, fits_row, key_letter
from itembank.operations.forms import add_entry, editable_draft, form_problem
from itembank.plugins import PluginHost

#: Most items one *add several* request takes.
MAX_BATCH = 200


@dataclass
class RowFill:
    row: str
    wanted: int
    added: list[FormEntry] = field(default_factory=list)
    eligible: int = 0

    @property
    def short(self) -> int:
        """How many the row still lacks because too few items were eligible."""
        return self.wanted - len(self.added)


def _in_form(form: Form) -> set[int]:
    return set(db.session.scalars(sa.select(FormEntry.item_id).where(FormEntry.form_id == form.id)))


def add_items(
    form: Form, versions: list[ItemVersion], *, actor: User, base_revision: int | None = None
) -> list[FormEntry]:
    """Pin each version (approved) into its default section, in the given order."""
    if not versions:
        raise form_problem("items", "Pilih minimal satu butir.", "Choose at least one item.")
    if len(versions) > MAX_BATCH:
        raise form_problem(
            "items",
            f"Paling banyak {MAX_BATCH} butir sekaligus.",
            f"At most {MAX_BATCH} items at once.",
        )
    form = editable_draft(form, actor, base_revision)
    present = _in_form(form)
    seen: set[int] = set()
    for version in versions:
        if version.item_id in present or version.item_id in seen:
            raise form_problem(
                "items",
                f"Butir {version.item.external_id} sudah ada di paket.",
                f"Item {version.item.external_id} is on the form already.",
            )
        seen.add(version.item_id)
    return [add_entry(form, version, actor=actor) for version in versions]


def _key(version: ItemVersion, plugins: PluginHost) -> str | None:
    keyed = key_letter(version.item.item_type, version, plugins)
    return keyed[0] if keyed is not None else None


def find_row(form: Form, ref: str) -> BlueprintRow:
    for section in form.blueprint.sections:
        for row in section.rows:
            if row_ref(row) == ref:
                return row
    refs = ", ".join(row_ref(r) for s in form.blueprint.sections for r in s.rows)
    raise InvalidInput(
        f"blueprint {form.blueprint.code} has no row {ref!r}; its rows: {refs}",
        [
            {
                "field": "row",
                "message": f"Kisi-kisi tidak punya baris {ref}. Baris yang ada: {refs}.",
                "message_en": f"The blueprint has no row {ref}. Its rows: {refs}.",
            }
        ],
    )


def eligible_versions(form: Form, row: BlueprintRow) -> list[ItemVersion]:
    """The approved versions that may fill ``row`` (see the module's docstring), in
    item order."""
    node = row.node
    classified = sa.select(ItemClassification.version_id).join(
        TaxonomyNode, TaxonomyNode.id == ItemClassification.node_id
    )
    classified = classified.where(
        TaxonomyNode.taxonomy_id == node.taxonomy_id,
        TaxonomyNode.path.startswith(node.path, autoescape=True),
    )
    if row.level is not None:
        classified = classified.where(ItemClassification.level == row.level)
    query = (
        sa.select(ItemVersion)
        .join(Item, Item.approved_version_id == ItemVersion.id)
        .where(
            Item.bank_id == form.bank_id,
            Item.retired_at.is_(None),
            ItemVersion.id.in_(classified),
        )
        .order_by(Item.id)
    )
    if row.item_types:
        query = query.where(Item.item_type.in_(list(row.item_types)))
    present = _in_form(form)
    if present:
        query = query.where(Item.id.not_in(present))
        enemies = sa.union(
            sa.select(EnemyPair.item_high_id).where(EnemyPair.item_low_id.in_(present)),
            sa.select(EnemyPair.item_low_id).where(EnemyPair.item_high_id.in_(present)),
        )
        query = query.where(Item.id.not_in(enemies))
    return [v for v in db.session.scalars(query) if fits_row(v, v.item.item_type, row)]


def fill_row(
    form: Form,
    ref: str,
    *,
    actor: User,
    plugins: PluginHost,
    base_revision: int | None = None,
    rng: random.Random | None = None,
) -> RowFill:
    """Add to blueprint row ``ref`` as many eligible items, drawn at random, as it lacks.

    :raises Conflict: the row is full already.
    """
    form = editable_draft(form, actor, base_revision)
    row = find_row(form, ref)
    have = next(r["filled"] for r in build_report(form, plugins).rows if r["ref"] == ref)
    wanted = row.count - have
    if wanted <= 0:
        raise Conflict(f"row {ref} of form {form.external_id} is full ({have} of {row.count})")
    candidates = eligible_versions(form, row)
    (rng or random.SystemRandom()).shuffle(candidates)
    enemy_pairs = {
        (low, high)
        for low, high in db.session.execute(
            sa.select(EnemyPair.item_low_id, EnemyPair.item_high_id).where(
                EnemyPair.bank_id == form.bank_id
            )
        )
    }
    result = RowFill(row=ref, wanted=wanted, eligible=len(candidates))
    section = next(s for s in form.sections if s.position == row.section.position)
    keys = [_key(e.version, plugins) for e in section.entries]  # the section's keys so far
    chosen: list[ItemVersion] = []
    deferred: list[ItemVersion] = []
    for version in candidates:
        if len(chosen) == wanted:
            break
        if any(
            (min(version.item_id, c.item_id), max(version.item_id, c.item_id)) in enemy_pairs
            for c in chosen
        ):
            continue
        key = _key(version, plugins)
        if key is not None and keys[-(KEY_RUN - 1) :] == [key] * (KEY_RUN - 1):
            deferred.append(version)  # it would make a run of the same key
            continue
        chosen.append(version)
        keys.append(key)
    for version in deferred:  # too few others: take them anyway
        if len(chosen) == wanted:
            break
        if not any(
            (min(version.item_id, c.item_id), max(version.item_id, c.item_id)) in enemy_pairs
            for c in chosen
        ):
            chosen.append(version)
    for version in chosen:
        result.added.append(add_entry(form, version, actor=actor, section=row.section.position))
    record(
        "form.fill_row",
        actor=actor,
        bank=form.bank,
        object_type="form",
        object_id=form.external_id,
        row=ref,
        wanted=wanted,
        added=[[v.item.external_id, v.number] for v in chosen],
        eligible=len(candidates),
        revision=form.revision,
    )
    return result
