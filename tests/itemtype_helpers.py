"""Helpers shared by the item type tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from itembank.itemtypes import ContentError, ItemType

#: Marks a path for removal in :func:`patched`.
DROP = object()


def problems(item_type: ItemType, content: Any) -> list[tuple[str, str, str]]:
    """The (field, message, message_en) of every problem ``load`` reports."""
    with pytest.raises(ContentError) as info:
        item_type.load(content)
    return [(p.field, p.message, p.message_en) for p in info.value.problems]


def patched(content: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``content`` with dotted paths set (or removed, for ``DROP``)."""
    result = copy.deepcopy(content)
    for path, value in changes.items():
        *parents, last = path.split(".")
        target: Any = result
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if value is DROP:
            del target[key]
        else:
            target[key] = copy.deepcopy(value)
    return result
