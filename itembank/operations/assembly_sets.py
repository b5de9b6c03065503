"""Item sets in automated assembly: the items whose approved versions ask about one
passage go into a form all together or not at all.

The core (:mod:`itembank.assembly`) enforces it for the ``Pool.item_sets`` it is given
(a set with a member left out by a rule is left out whole). This module finds the sets
among the bank's approved items, and leaves out a set some of whose items cannot be in
the pool at all (no parameters for the chosen target), saying so in a note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import ItemVersion, Passage, PassageVersion


def passage_groups(version_ids: Sequence[int]) -> dict[str, list[int]]:
    """Positions in ``version_ids`` grouped by the passage their version pins (by the
    passage's external id); versions without a passage are in no group."""
    if not version_ids:
        return {}
    pinned = dict(
        db.session.execute(
            sa.select(ItemVersion.id, Passage.external_id)
            .join(PassageVersion, PassageVersion.id == ItemVersion.passage_version_id)
            .join(Passage, Passage.id == PassageVersion.passage_id)
            .where(ItemVersion.id.in_(list(version_ids)))
        ).all()
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for position, version_id in enumerate(version_ids):
        passage = pinned.get(version_id)
        if passage is not None:
            groups[passage].append(position)
    return dict(groups)


def whole_sets(version_ids: Sequence[int], keep: list[int]) -> tuple[list[int], list[str]]:
    """``keep`` (positions of the pool's candidates) without the items of a set that is
    not kept whole, and the passages whose sets were left out for that."""
    kept = set(keep)
    dropped: set[int] = set()
    passages = []
    for passage, members in sorted(passage_groups(version_ids).items()):
        inside = [m for m in members if m in kept]
        if inside and len(inside) < len(members):
            dropped.update(inside)
            passages.append(passage)
    return [k for k in keep if k not in dropped], passages


def item_sets(item_ids: Sequence[int], version_ids: Sequence[int]) -> list[list[int]]:
    """The pool's item sets (``Pool.item_sets``): item ids of two or more pool items whose
    versions pin the same passage."""
    return [
        [item_ids[m] for m in members]
        for _, members in sorted(passage_groups(version_ids).items())
        if len(members) >= 2
    ]


def sets_together(versions: Sequence[ItemVersion]) -> list[ItemVersion]:
    """A section's versions in the order given, except that the items of a set follow
    the first of them (a form keeps each set as one run of entries)."""
    firsts: dict[int, list[ItemVersion]] = {}
    order: list[list[ItemVersion]] = []
    for version in versions:
        pinned = version.passage_version
        if pinned is None:
            order.append([version])
        elif pinned.passage_id in firsts:
            firsts[pinned.passage_id].append(version)
        else:
            firsts[pinned.passage_id] = [version]
            order.append(firsts[pinned.passage_id])
    return [version for run in order for version in run]
