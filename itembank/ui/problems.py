"""Naming the field a problem is about, in the words of the editor's labels.

A problem's ``field`` is a dotted path (``content.options.2.text``); the editor's
error summary says "Pilihan C › Teks: Teks pilihan 'C' kosong." and links to the
control, so each line can be understood and acted on out of context.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from itembank.itemtypes import EditorField, ItemType
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import pick


def _metadata_labels() -> dict[str, str]:
    return {
        "classifications": _("Classification"),
        "difficulty": _("Estimated difficulty (0 easy … 1 hard, optional)"),
        "language": _("Language of the item"),
        "tags": _("Tags (separated by commas, optional)"),
        "notes": _("Notes for reviewers (optional)"),
    }


def field_label(item_type: ItemType, path: str, content: Any = None) -> str:
    """The labels leading to ``path``, joined with " › " (e.g. "Pilihan B › Bobot");
    the item type's name for the content as a whole."""
    parts = path.split(".") if path else []
    if not parts:
        return pick(item_type.label)
    head, rest = parts[0], parts[1:]
    if head == "stem":
        return _("Stem")
    if head == "type":
        return _("Item type")
    if head == "metadata":
        return (
            _metadata_labels().get(rest[0], _("Classification and details"))
            if rest
            else _("Classification and details")
        )
    if head != "content":
        return path
    names = _content_labels(item_type.editor_fields(), rest, content)
    return " › ".join(names) if names else pick(item_type.label)


def _content_labels(fields: Sequence[EditorField], parts: list[str], content: Any) -> list[str]:
    names: list[str] = []
    while parts:
        found = next((f for f in fields if f.name == parts[0]), None)
        if found is None:
            if parts[0] == "id" and names:
                names.append(_("Code"))
            break
        value = content.get(found.name) if isinstance(content, dict) else None
        if found.kind == "entries" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            noun = pick(found.entry_label) or pick(found.label)
            entry = value[index] if isinstance(value, list) and index < len(value) else None
            ident = entry.get("id") if isinstance(entry, dict) else None
            names.append(f"{noun} {ident or f'#{index + 1}'}")
            fields, parts, content = found.fields, parts[2:], entry
        elif found.kind == "group":
            names.append(pick(found.label))
            fields, parts, content = found.fields, parts[1:], value
        else:
            names.append(pick(found.label))
            break
    return names


def named_problems(
    item_type: ItemType, problems: list[dict[str, str]], content: Any = None
) -> list[dict[str, str]]:
    """``problems``, each with ``label``: the name of its field (see :func:`field_label`)."""
    return [{**p, "label": field_label(item_type, p.get("field", ""), content)} for p in problems]
