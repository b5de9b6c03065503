"""Item sets in forms: the items that ask about one passage stay together.

:func:`set_findings` adds to a form's validation report
(:mod:`itembank.operations.form_report`):

=====================  ========  ============================================================
``set_apart``          error     the items of one passage's set are not one run of
                                 consecutive entries of one section (candidates would meet
                                 the passage twice, or read it between other items)
``set_incomplete``     warning   the form holds some items of a set but not every item of
                                 the bank whose approved version asks about that passage
=====================  ========  ============================================================

Each item of a set still fills a blueprint row of its own: the blueprint counts items,
and a set of three counts three. :func:`set_anchor` tells
:func:`itembank.operations.forms.add_entry` where an added item joins its set.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Form, FormEntry, Item, ItemVersion, PassageVersion


def _passage_of(version: ItemVersion) -> int | None:
    pinned = version.passage_version
    return pinned.passage_id if pinned is not None else None


def set_findings(entries: list[FormEntry], number_of: dict[int, int]) -> list[Any]:
    """The ``set_apart`` and ``set_incomplete`` findings of a form's entries (in
    delivery order); see the module's table."""
    from itembank.operations.form_report import ERROR, WARNING, Finding

    by_passage: dict[int, list[tuple[int, FormEntry]]] = defaultdict(list)
    for index, entry in enumerate(entries):
        passage_id = _passage_of(entry.version)
        if passage_id is not None:
            by_passage[passage_id].append((index, entry))
    findings = []
    for passage_id, members in by_passage.items():
        passage = members[0][1].version.passage_version.passage
        label = passage.external_id
        first_index = members[0][0]
        sections = {entry.section_id for _, entry in members}
        together = len(sections) == 1 and all(
            index == first_index + offset for offset, (index, _) in enumerate(members)
        )
        if not together:
            numbers = ", ".join(str(number_of[entry.id]) for _, entry in members)
            for _, entry in members[1:]:
                findings.append(
                    Finding(
                        ERROR,
                        "set_apart",
                        f"Butir-butir bacaan {label} (nomor {numbers}) harus berurutan dalam "
                        "satu bagian; pindahkan agar berdampingan.",
                        f"The items of passage {label} (numbers {numbers}) must follow each "
                        "other in one section; move them together.",
                        item=entry.item.external_id,
                        version=entry.version.number,
                        entry=entry.id,
                        number=number_of[entry.id],
                    )
                )
        held = {entry.item_id for _, entry in members}
        missing = db.session.scalars(
            sa.select(Item.external_id)
            .join(ItemVersion, ItemVersion.id == Item.approved_version_id)
            .join(PassageVersion, PassageVersion.id == ItemVersion.passage_version_id)
            .where(
                PassageVersion.passage_id == passage_id,
                Item.retired_at.is_(None),
                Item.id.not_in(held),
            )
            .order_by(Item.number)
        ).all()
        if missing:
            names = ", ".join(missing[:20]) + (" …" if len(missing) > 20 else "")
            findings.append(
                Finding(
                    WARNING,
                    "set_incomplete",
                    f"Bacaan {label} juga ditanyakan oleh butir yang tidak ada di paket: {names}.",
                    f"Passage {label} is also asked about by items not in the form: {names}.",
                    item=members[0][1].item.external_id,
                    version=members[0][1].version.number,
                    entry=members[0][1].id,
                    number=number_of[members[0][1].id],
                )
            )
    return findings


def set_anchor(form: Form, version: ItemVersion) -> FormEntry | None:
    """The last entry of ``form`` (in delivery order) whose item asks about the same
    passage as ``version``, so an added item joins its set right after it; ``None``
    when ``version`` has no passage or the form none of its set."""
    passage_id = _passage_of(version)
    if passage_id is None:
        return None
    last = None
    for section in sorted(form.sections, key=lambda s: s.position):
        for entry in sorted(section.entries, key=lambda e: e.position):
            if _passage_of(entry.version) == passage_id:
                last = entry
    return last
