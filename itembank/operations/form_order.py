"""Arranging a draft form's entries: moving one within its section or to another,
setting the whole order at once, and removing one (the entries after it close up).

Each is a draft edit like those in :mod:`itembank.operations.forms` (which pins
entries): it takes the form's row lock first and reads the entries under it (an entry
another request removed meanwhile is NotFound), accepts the revision it was based on,
turns a write the database refuses into ``ConcurrentEdit`` (409) and is an audit
event.
"""

from __future__ import annotations

from typing import Any

from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import Form, FormEntry, FormSection, User
from itembank.operations.forms import (
    audit_form,
    draft_edit,
    editable_draft,
    editable_entry,
    form_problem,
    section_at,
    touch_form,
)


def _place(layout: list[tuple[FormSection, list[FormEntry]]]) -> None:
    """Give the entries of each listed section positions 1..n in the order given,
    moving them to that section. Positions are unique per section, so the entries first
    step aside to temporary (negative) positions."""
    existing = [e for _, entries in layout for e in entries if e.id is not None]
    for entry in existing:
        entry.position = -entry.id
    db.session.flush()
    for section, entries in layout:
        for index, entry in enumerate(entries, start=1):
            if entry.section is not section:
                entry.section = section
            entry.position = index
    db.session.flush()


@draft_edit
def remove_entry(entry: FormEntry, *, actor: User, base_revision: int | None = None) -> Form:
    form, entry = editable_entry(entry, actor, base_revision)
    section = entry.section
    rest = [e for e in section.entries if e.id != entry.id]
    facts = {"version": entry.version, "entry": entry.id, "section": section.position}
    section.entries.remove(entry)
    db.session.flush()
    _place([(section, rest)])
    touch_form(form, actor)
    audit_form("form.entry_remove", form, actor, **facts)
    return form


@draft_edit
def move_entry(
    entry: FormEntry,
    *,
    actor: User,
    position: int | None = None,
    section: int | None = None,
    base_revision: int | None = None,
) -> FormEntry:
    """Move an entry to ``position`` (1-based) of section ``section`` (by default its
    own); into another section without a position, it goes to that section's end."""
    form, entry = editable_entry(entry, actor, base_revision)
    source = entry.section
    target = section_at(form, section) if section is not None else source
    source_rest = [e for e in source.entries if e.id != entry.id]
    target_list = source_rest if target is source else list(target.entries)
    if position is None:
        position = len(target_list) + 1
    if not 1 <= position <= len(target_list) + 1:
        raise form_problem(
            "position",
            f"Posisi harus 1 sampai {len(target_list) + 1}.",
            f"The position must be 1 to {len(target_list) + 1}.",
        )
    before = (source.position, entry.position)
    target_list = [*target_list[: position - 1], entry, *target_list[position - 1 :]]
    layout = [(target, target_list)]
    if target is not source:
        layout.insert(0, (source, source_rest))
    _place(layout)
    touch_form(form, actor)
    audit_form(
        "form.entry_move",
        form,
        actor,
        item=entry.item,
        entry=entry.id,
        from_section=before[0],
        from_position=before[1],
        section=target.position,
        position=position,
    )
    return entry


@draft_edit
def set_order(
    form: Form,
    arrangement: list[dict[str, Any]],
    *,
    actor: User,
    base_revision: int | None = None,
) -> Form:
    """Set the whole order at once: ``[{"section": 1, "entries": [entry ids]}, ...]``
    lists every entry of the form exactly once; sections not listed end up empty."""
    form = editable_draft(form, actor, base_revision)
    entries = {e.id: e for e in form.entries}
    problems: list[dict[str, str]] = []
    seen: set[int] = set()
    layout: list[tuple[FormSection, list[FormEntry]]] = []
    sections_seen: set[int] = set()
    for index, part in enumerate(arrangement):
        try:
            section = section_at(form, part["section"])
        except InvalidInput as exc:
            problems.extend({**p, "field": f"sections.{index}.section"} for p in exc.problems)
            continue
        if section.position in sections_seen:
            problems.append(
                {
                    "field": f"sections.{index}.section",
                    "message": f"Bagian {section.position} disebut lebih dari sekali.",
                    "message_en": f"Section {section.position} is listed more than once.",
                }
            )
            continue
        sections_seen.add(section.position)
        listed: list[FormEntry] = []
        for e_index, entry_id in enumerate(part["entries"]):
            where = f"sections.{index}.entries.{e_index}"
            if entry_id not in entries:
                problems.append(
                    {
                        "field": where,
                        "message": f"Paket {form.external_id} tidak punya entri {entry_id}.",
                        "message_en": f"Form {form.external_id} has no entry {entry_id}.",
                    }
                )
            elif entry_id in seen:
                problems.append(
                    {
                        "field": where,
                        "message": f"Entri {entry_id} disebut lebih dari sekali.",
                        "message_en": f"Entry {entry_id} is listed more than once.",
                    }
                )
            else:
                seen.add(entry_id)
                listed.append(entries[entry_id])
        layout.append((section, listed))
    missing = sorted(set(entries) - seen)
    if missing:
        shown = ", ".join(map(str, missing))
        problems.append(
            {
                "field": "sections",
                "message": f"Susunan harus memuat setiap entri tepat sekali; belum ada: {shown}.",
                "message_en": f"The order must list every entry exactly once; missing: {shown}.",
            }
        )
    if problems:
        raise InvalidInput("the order is invalid: " + problems[0]["message_en"], problems)
    for section in form.sections:
        if section.position not in sections_seen:
            layout.append((section, []))
    _place(layout)
    touch_form(form, actor)
    audit_form(
        "form.reorder",
        form,
        actor,
        order=[[s.position, [e.id for e in listed]] for s, listed in layout if listed],
    )
    return form
