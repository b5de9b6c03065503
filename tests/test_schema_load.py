"""``itembank.schema_load.load`` against marshmallow's own load, on every item type's
valid content and on single changes of it that are valid or not: both accept the same
inputs with the same loaded data (types and key order included), refuse the same with
the same messages, and leave the input as it was; ``ItemType.load`` reports the same
problems either way. The own path is exercised (it loads every type's example itself)."""

from __future__ import annotations

import copy
import json
import math
import random
from collections import OrderedDict
from collections.abc import Callable, Iterator
from decimal import Decimal
from importlib import resources
from typing import Any

import marshmallow as ma
import pytest

import itembank.itemtypes as itemtypes
import plugins.itemtypes.composite as composite
from itembank.itemtypes import ContentError, ItemType, schema_instance
from itembank.plugins import PluginHost
from itembank.schema_load import load, own_loader

HOST = PluginHost(entry_points=False)
TYPES: dict[str, ItemType] = dict(HOST.item_types)


class Text(str):
    pass


class Whole(int):
    pass


#: What a value is replaced with: each JSON type, edge values, and Python values that
#: are not JSON (which only marshmallow's own steps may accept or refuse).
REPLACEMENTS: list[Any] = [
    None,
    "",
    "A",
    "<p>Teks <b>baru</b></p>",
    "x" * 40,
    0,
    1,
    -3,
    2.5,
    10**7,
    True,
    False,
    math.nan,
    math.inf,
    [],
    ["A"],
    [1, 2],
    {},
    {"id": "A", "text": "<p>A</p>"},
    ("A", "B"),
    b"A",
    Decimal("2"),
    Text("A"),
    Whole(2),
    OrderedDict(id="A", text="<p>A</p>"),
]


def demo_contents() -> Iterator[tuple[str, Any]]:
    """Every version's content in the demo bank's files."""
    folder = resources.files("itembank") / "demo_data"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        for item in json.loads(entry.read_text("utf-8")).get("items", []):
            for version in item.get("versions", []):
                if "content" in version:
                    yield item["type"], version["content"]


def valid_contents() -> list[tuple[str, Any]]:
    found = [(type_id, item_type.example_content()) for type_id, item_type in TYPES.items()]
    found += list(demo_contents())
    for type_id, content in list(found):
        if type_id == "composite":  # each part's content, as its own type loads it
            found += [(part["type"], part["content"]) for part in content["parts"]]
    return found


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def changed(content: Any, path: tuple[Any, ...], change: Callable[[Any], Any]) -> Any:
    """A deep copy of ``content`` with the value at ``path`` replaced by ``change(value)``
    (``DROP`` removes it)."""
    result = copy.deepcopy(content)
    if not path:
        return change(result)
    target = result
    for step in path[:-1]:
        target = target[step]
    new = change(target[path[-1]])
    if new is DROP:
        del target[path[-1]]
    else:
        target[path[-1]] = new
    return result


DROP = object()


def mutations(content: Any, per_path: int = len(REPLACEMENTS)) -> list[Callable[[], Any]]:
    """Single changes of ``content``, each made when called: each value replaced (by
    ``per_path`` of the replacements, chosen per path with a fixed seed), removed, and
    each object and list given one more entry or one less."""
    found: list[Callable[[], Any]] = []
    for path in paths(content):
        chosen = random.Random(repr(path)).sample(REPLACEMENTS, per_path)
        for replacement in chosen:
            found.append(
                lambda p=path, r=replacement: changed(content, p, lambda _: copy.deepcopy(r))
            )
        if path:
            found.append(lambda p=path: changed(content, p, lambda _: DROP))
        found.append(lambda p=path: changed(content, p, _grown))
    return found


def _grown(value: Any) -> Any:
    if isinstance(value, dict):
        return {**value, "unknown_field": "A"}
    if isinstance(value, list):
        return [*value, copy.deepcopy(value[0])] if value else ["A"]
    if isinstance(value, str):
        return value + " lagi"
    return value


def shape(value: Any) -> Any:
    """``value`` with every type and key order spelled out (``==`` says 1 == 1.0 == True)."""
    if isinstance(value, dict):
        return (type(value).__name__, [(key, shape(item)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [shape(item) for item in value])
    return (type(value).__name__, repr(value))


def outcome(function: Callable[[], Any]) -> Any:
    try:
        return ("loaded", shape(function()))
    except ma.ValidationError as exc:
        return ("refused", exc.messages, shape(exc.valid_data))
    except Exception as exc:
        return ("failed", type(exc).__name__, str(exc))


def compare(schema_class: type[ma.Schema], content: Any) -> tuple[Any, Any]:
    before = shape(content)
    given = copy.deepcopy(content)
    own = outcome(lambda: load(schema_class, given))
    assert shape(given) == before, "the own path changed its input"
    theirs = outcome(lambda: schema_instance(schema_class).load(copy.deepcopy(content)))
    return own, theirs


@pytest.mark.parametrize("type_id", sorted(TYPES))
def test_every_types_example_is_loaded_by_the_own_path_as_marshmallow_loads_it(
    type_id: str,
) -> None:
    item_type = TYPES[type_id]
    schema_class = item_type.content_schema
    own = own_loader(schema_class)
    assert own is not None, f"{type_id}: its schema is not loaded by the own path"
    content = item_type.example_content()
    assert shape(own(copy.deepcopy(content))) == shape(
        schema_instance(schema_class).load(copy.deepcopy(content))
    )


def _sample(found: list[Any], size: int, seed: int) -> list[Any]:
    return found if len(found) <= size else random.Random(seed).sample(found, size)


@pytest.mark.parametrize("type_id", sorted(TYPES))
def test_valid_and_changed_content_load_and_fail_alike(type_id: str) -> None:
    """Single changes of every value of the type's example (each removed, grown, and
    replaced by 8 of the replacements), and a sample of those of the demo bank's
    contents of the type: the same loaded data or the same errors."""
    schema_class = TYPES[type_id].content_schema
    contents = [c for t, c in valid_contents() if t == type_id]
    loaded = refused = 0
    for index, content in enumerate(contents[:8]):
        changes = mutations(content, 8)
        if index:
            changes = _sample(changes, 25, index)
        for candidate in [content, *(make() for make in changes)]:
            own, theirs = compare(schema_class, candidate)
            assert own == theirs, (type_id, candidate)
            loaded += own[0] == "loaded"
            refused += own[0] != "loaded"
    assert loaded > len(contents[:8]) and refused > 0, (loaded, refused)


@pytest.mark.parametrize("type_id", sorted(TYPES))
def test_item_type_load_reports_the_same_problems(
    type_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ItemType.load`` (the schema, then the type's checks) through the own path and
    through marshmallow alone: the same content, or the same problems in the same order."""
    item_type = TYPES[type_id]
    example = item_type.example_content()
    candidates = [example, *(make() for make in _sample(mutations(example), 100, 7))]

    def results() -> list[Any]:
        found = []
        for candidate in candidates:
            try:
                found.append(("loaded", shape(item_type.load(copy.deepcopy(candidate)))))
            except ContentError as exc:
                found.append(("refused", exc.problems))
        return found

    own = results()

    def marshmallow_only(schema_class: type[ma.Schema], data: Any) -> Any:
        return schema_instance(schema_class).load(data)

    monkeypatch.setattr(itemtypes, "schema_load", marshmallow_only)
    monkeypatch.setattr(composite, "schema_load", marshmallow_only)
    assert own == results()


class _WithHooks(ma.Schema):
    name = ma.fields.String(required=True)

    @ma.validates_schema
    def _never(self, data: dict[str, Any], **kwargs: Any) -> None:
        raise ma.ValidationError("never")


class _Included(ma.Schema):
    class Meta:
        unknown = ma.INCLUDE

    name = ma.fields.String()


def test_schemas_it_does_not_follow_are_loaded_by_marshmallow() -> None:
    assert own_loader(_WithHooks) is None and own_loader(_Included) is None
    with pytest.raises(ma.ValidationError) as info:
        load(_WithHooks, {"name": "A"})
    assert info.value.messages == {"_schema": ["never"]}
    assert load(_Included, {"name": "A", "other": 1}) == {"name": "A", "other": 1}
