"""Loading with a marshmallow schema, the same result in fewer steps where that is proven.

:func:`load` gives what ``schema_instance(schema_class).load(data)`` gives: the same
loaded data, or the same :class:`marshmallow.ValidationError` (or any other exception)
with the same messages, because every input it cannot prove valid by itself goes to
marshmallow. Its own path (:func:`_compile`) only ever *accepts*: it follows the steps
of marshmallow's ``Schema._do_load`` for the plain JSON an item's content is made of, and
whenever a step would have marshmallow record an error, or is one it does not take
itself, it gives up and marshmallow loads the input from the start. So messages always
come from marshmallow, and what the own path returns is what marshmallow returns for
that input (``tests/test_schema_load.py`` compares the two on every item type's valid
and invalid content).

Per schema (compiled once per thread, as :func:`itembank.itemtypes.schema_instance`
keeps one instance per thread), the own path requires marshmallow 4 (the steps it
follows are marshmallow 4's), a schema whose loading methods are marshmallow's own,
no ``pre_load``, ``validates`` or ``validates_schema`` hooks (``post_load`` hooks are run
as marshmallow runs them, and must change only the data they are given), ``unknown``
``RAISE`` or ``EXCLUDE``, and no ``partial``; otherwise the schema is loaded by
marshmallow alone. Per field, a value of the exact built-in type a ``String``,
``Integer``, ``List`` or ``Nested`` field takes (``str``, ``int``, ``list``, ``dict``) is
loaded here; every other value, and every field of another class, goes through the
field's own ``deserialize`` exactly as marshmallow calls it. Validators are the field's
own (``Field._validate``), run on the loaded value as marshmallow runs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import marshmallow as ma
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import set_value

#: Loads one value of a field (``value``, the field's key, the dict it came from).
_FieldLoader = Callable[[Any, Any, Any], Any]
#: Loads a field missing from the input (the dict it is missing from).
_MissingLoader = Callable[[Any], Any]
#: Loads one input of a schema (its ``post_load`` hooks included).
_SchemaLoader = Callable[[Any], Any]

_MISSING = ma.missing
_OWN_PATH = version("marshmallow").split(".")[0] == "4"
#: The methods of ``Schema`` a schema must not override for the own path.
_SCHEMA_METHODS = (
    "load",
    "_do_load",
    "_deserialize",
    "_invoke_field_validators",
    "_invoke_schema_validators",
    "_invoke_load_processors",
    "_invoke_processors",
)
_threads = threading.local()


class _Unproven(Exception):
    """The own path cannot prove the input valid: marshmallow decides."""


def schema_instance(schema_class: type[ma.Schema]) -> ma.Schema:
    """A reusable instance of ``schema_class`` for loading (one per thread): building a
    schema, with its nested ones, costs more than loading a small document with it."""
    cache = getattr(_threads, "schemas", None)
    if cache is None:
        cache = _threads.schemas = {}
    instance = cache.get(schema_class)
    if instance is None:
        instance = cache[schema_class] = schema_class()
    return instance


def load(schema_class: type[ma.Schema], data: Any) -> Any:
    """``schema_instance(schema_class).load(data)``: the same result, the same errors."""
    own = own_loader(schema_class)
    if own is not None:
        try:
            return own(data)
        except Exception:  # unproven, or any error: marshmallow loads it, and says why
            pass
    return schema_instance(schema_class).load(data)


def own_loader(schema_class: type[ma.Schema]) -> Callable[[Any], Any] | None:
    """The own path's loader of ``schema_class`` (this thread's, made on first use): it
    returns what marshmallow's load returns, or raises when it cannot prove the input
    valid. None when the schema is loaded by marshmallow alone."""
    loaders: dict[type[ma.Schema], _SchemaLoader | None] | None = getattr(_threads, "loaders", None)
    if loaders is None:
        loaders = _threads.loaders = {}
    if schema_class not in loaders:
        own = _compile(schema_instance(schema_class), frozenset()) if _OWN_PATH else None
        loaders[schema_class] = own
    return loaders[schema_class]


def _compile(schema: ma.Schema, compiling: frozenset[type]) -> _SchemaLoader | None:
    """The own path's loader of ``schema`` (as ``schema.load(data)`` with no arguments),
    or None when it cannot follow marshmallow's steps for this schema."""
    kind = type(schema)
    if any(getattr(kind, name) is not getattr(ma.Schema, name) for name in _SCHEMA_METHODS):
        return None
    hooks = schema._hooks
    if hooks.get(PRE_LOAD) or hooks.get(VALIDATES) or hooks.get(VALIDATES_SCHEMA):
        return None
    unknown = schema.unknown
    if unknown not in (ma.RAISE, ma.EXCLUDE) or schema.partial is not None:
        return None
    compiling = compiling | {kind}
    fields: list[tuple[str, str, _FieldLoader, _MissingLoader]] = []
    for attr_name, field_obj in schema.load_fields.items():
        key = field_obj.data_key if field_obj.data_key is not None else attr_name
        target = field_obj.attribute or attr_name
        fields.append(
            (key, target, _field_loader(field_obj, compiling), _missing_loader(field_obj, key))
        )
    known = frozenset(key for key, _, _, _ in fields)
    raise_unknown = unknown == ma.RAISE
    make_dict = schema.dict_class
    many = schema.many
    post_load = bool(hooks.get(POST_LOAD))

    def one(data: Any) -> Any:
        # Schema._deserialize of one input
        if type(data) is not dict or (raise_unknown and not known.issuperset(data)):
            raise _Unproven
        loaded = make_dict()
        for key, target, load_value, load_missing in fields:
            raw = data.get(key, _MISSING)
            value = load_missing(data) if raw is _MISSING else load_value(raw, key, data)
            if value is not _MISSING:
                if "." in target:
                    set_value(loaded, target, value)
                else:
                    loaded[target] = value
        return loaded

    def processed(loaded: Any, data: Any) -> Any:
        if not post_load:
            return loaded
        return schema._invoke_load_processors(
            POST_LOAD, loaded, many=many, original_data=data, partial=None, unknown=unknown
        )

    if many:

        def load_many(data: Any) -> Any:
            if type(data) is not list:
                raise _Unproven
            return processed([one(each) for each in data], data)

        return load_many
    return lambda data: processed(one(data), data)


def _missing_loader(field_obj: ma.fields.Field, key: str) -> _MissingLoader:
    """Loads the field missing from the input ``data``, as ``field_obj.deserialize(missing,
    key, data)`` does: its ``load_default`` (called if callable), unless it is required."""
    kind = type(field_obj)
    if (
        kind.deserialize is not ma.fields.Field.deserialize
        or kind._validate_missing is not ma.fields.Field._validate_missing
    ):

        def through_field(data: Any) -> Any:
            try:
                return field_obj.deserialize(_MISSING, key, data)
            except ma.ValidationError:
                raise _Unproven from None

        return through_field

    def default(data: Any) -> Any:
        if field_obj.required:
            raise _Unproven
        value = field_obj.load_default
        return value() if callable(value) else value

    return default


def _field_loader(field_obj: ma.fields.Field, compiling: frozenset[type]) -> _FieldLoader:
    """Loads a value present in the input as ``field_obj.deserialize(value, key, data)``
    does (marshmallow's call for a field of a schema loaded without ``partial``)."""

    def through_field(value: Any, key: Any, data: Any) -> Any:
        try:
            return field_obj.deserialize(value, key, data)
        except ma.ValidationError:
            raise _Unproven from None

    kind = type(field_obj)
    if field_obj.pre_load or field_obj.post_load:
        return through_field
    own: Callable[[Any], Any] | None = None
    if kind is ma.fields.String:
        own = _exact(str)
    elif kind is ma.fields.Integer:
        own = _exact(int)  # int(value) is value itself: strict or not, no bool
    elif kind is ma.fields.List:
        own = _list_of(field_obj.inner, compiling)  # type: ignore[attr-defined]
    elif kind is ma.fields.Nested:
        own = _nested(field_obj, compiling)
    if own is None:
        return through_field
    allow_none = field_obj.allow_none
    validate = field_obj._validate if field_obj.validators else None
    taken = own

    def load_value(value: Any, key: Any, data: Any) -> Any:
        if value is None:  # Field._validate_missing, then allow_none
            if allow_none:
                return None
            raise _Unproven
        try:
            loaded = taken(value)
        except _NotOwn:
            return through_field(value, key, data)
        if validate is not None:
            try:
                validate(loaded)
            except ma.ValidationError:
                raise _Unproven from None
        return loaded

    return load_value


class _NotOwn(Exception):
    """A value of another type than the one the own path takes: the field loads it."""


def _exact(kind: type) -> Callable[[Any], Any]:
    def take(value: Any) -> Any:
        if type(value) is not kind:
            raise _NotOwn
        return value

    return take


def _list_of(inner: ma.fields.Field, compiling: frozenset[type]) -> Callable[[Any], Any]:
    """``List._deserialize`` of a list: each element as ``inner.deserialize(element)``."""
    load_inner = _field_loader(inner, compiling)

    def take(value: Any) -> Any:
        if type(value) is not list:
            raise _NotOwn
        return [load_inner(each, None, None) for each in value]

    return take


def _nested(field_obj: ma.fields.Nested, compiling: frozenset[type]) -> Callable[[Any], Any] | None:
    """``Nested._deserialize``: ``field.schema.load(value, unknown=field.unknown)``. A
    schema nested in itself is left to the field (its loader is still being made)."""
    schema = field_obj.schema
    if type(schema) in compiling or field_obj.unknown not in (None, schema.unknown):
        return None
    loader = _compile(schema, compiling)
    if loader is None:
        return None
    many = schema.many

    def take(value: Any) -> Any:
        if type(value) is not (list if many else dict):
            raise _NotOwn
        return loader(value)

    return take
