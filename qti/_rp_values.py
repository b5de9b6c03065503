"""Values and variable declarations for response processing.

A runtime value is a :class:`Value` or ``None`` (QTI's NULL; empty containers and empty
strings are NULL too). Single values hold one Python scalar: ``str`` for identifier, string
and uri; ``bool``; ``int``; ``float``; ``(int, int)`` for point; a pair of identifiers as a
sorted 2-tuple (pairs are unordered) and a directedPair as a 2-tuple; duration as float
seconds. Multiple and ordered values hold a non-empty tuple of scalars; records a dict of
field name to :class:`Value`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from qti._names import find_child, find_children, local_name, qti_attr
from qti._rp_areas import inside, parse_coords
from qti._rp_errors import InvalidRP

NUMERIC = frozenset({"integer", "float"})
CONTAINERS = frozenset({"multiple", "ordered"})


@dataclass(frozen=True, slots=True)
class Value:
    cardinality: str
    base_type: str | None
    value: Any


def single(base_type: str | None, scalar: Any) -> Value:
    return Value("single", base_type, scalar)


def container(cardinality: str, base_type: str | None, items: Any) -> Value | None:
    """A multiple/ordered value, or NULL when there are no items."""
    items = tuple(items)
    return Value(cardinality, base_type, items) if items else None


def items_of(value: Value) -> tuple[Any, ...]:
    """The scalars of a value: one for single, all of them for containers."""
    if value.cardinality in CONTAINERS:
        return value.value  # type: ignore[no-any-return]
    return (value.value,)


def fold_case(text: str) -> str:
    """The form two strings are compared in when a comparison ignores case.

    ``str.lower()``: each character's own lower case, as the players that compare with
    Java's ``equalsIgnoreCase`` do; not ``str.casefold()``, whose full folding (``ß`` ->
    ``ss``) no player applies. The item bank's ``short_text`` type scores the same way.
    """
    return text.lower()


def is_null(value: Value | None) -> bool:
    if value is None:
        return True
    if value.cardinality == "single":
        return value.value == "" and value.base_type in ("string", "identifier", "uri")
    return not value.value


# -- scalars ----------------------------------------------------------------------------

_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_INTEGER = re.compile(r"^[+-]?\d+$")


def parse_scalar(text: str, base_type: str | None, line: int | None = None) -> Any:
    """Parse the text of a ``<value>``, ``<baseValue>`` or map key for ``base_type``."""
    raw = text if base_type == "string" else text.strip()
    try:
        if base_type in (None, "string", "identifier", "uri", "file"):
            return raw
        if base_type == "boolean":
            if raw in ("true", "1"):
                return True
            if raw in ("false", "0"):
                return False
            raise ValueError(raw)
        if base_type == "integer":
            return int(raw)
        if base_type == "float":
            return float(raw)
        if base_type == "intOrIdentifier":
            return int(raw) if _INTEGER.match(raw) else raw
        if base_type == "point":
            x, y = raw.split()
            return (int(x), int(y))
        if base_type in ("pair", "directedPair"):
            first, second = raw.split()
            return make_pair(base_type, first, second)
        if base_type == "duration":
            return parse_duration(raw)
    except ValueError:
        raise InvalidRP(f"{text!r} is not a valid {base_type} value", line) from None
    raise InvalidRP(f"unknown base type {base_type!r}", line)


def make_pair(base_type: str, first: str, second: str) -> tuple[str, str]:
    if base_type == "pair" and second < first:
        return (second, first)
    return (first, second)


def parse_duration(text: str) -> float:
    """Seconds from a number (QTI 2.1) or an ISO 8601 duration such as ``PT1M30S``."""
    try:
        return float(text)
    except ValueError:
        pass
    match = _DURATION.match(text)
    if match is None or text in ("P", "-P") or text.endswith("T"):
        raise ValueError(text)
    parts = {k: float(v) for k, v in match.groupdict().items() if v and k != "sign"}
    seconds = (
        parts.get("d", 0.0) * 86400
        + parts.get("h", 0.0) * 3600
        + parts.get("m", 0.0) * 60
        + parts.get("s", 0.0)
    )
    return -seconds if match.group("sign") else seconds


def coerce_scalar(raw: Any, base_type: str | None) -> Any:
    """Convert one Python response value (or its text) to the scalar for ``base_type``."""
    # (Here and in the other functions a proof calls per response, types are given to
    # isinstance as a tuple: a union written in the call is built anew at every call,
    # which took a few percent of an import.)
    if isinstance(raw, str):
        return parse_scalar(raw, base_type)
    if base_type in ("pair", "directedPair") and isinstance(raw, (list, tuple)) and len(raw) == 2:
        return make_pair(base_type, str(raw[0]), str(raw[1]))
    if base_type == "point" and isinstance(raw, (list, tuple)) and len(raw) == 2:
        return (int(raw[0]), int(raw[1]))
    if base_type == "boolean" and isinstance(raw, bool):
        return raw
    if base_type == "integer" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if base_type in ("float", "duration") and isinstance(raw, (int, float)):
        return float(raw)
    if base_type == "intOrIdentifier" and isinstance(raw, int):
        return raw
    raise InvalidRP(f"{raw!r} is not a valid {base_type} value")


def coerce_input(raw: Any, cardinality: str, base_type: str | None) -> Value | None:
    """Convert a response given by the caller to a runtime value."""
    if raw is None:
        return None
    if cardinality == "record":
        raise InvalidRP("record responses are not supported")
    if cardinality == "single":
        if isinstance(raw, (list, set, frozenset)) or (
            isinstance(raw, tuple) and base_type not in ("pair", "directedPair", "point")
        ):
            raise InvalidRP(f"a single-cardinality response cannot be {raw!r}")
        if raw == "":
            return None
        return single(base_type, coerce_scalar(raw, base_type))
    if isinstance(raw, str) or (
        isinstance(raw, tuple) and base_type in ("pair", "directedPair", "point") and _flat(raw)
    ):
        raw = [raw]
    if cardinality == "ordered" and isinstance(raw, (set, frozenset)):
        raise InvalidRP("an ordered response must be a list or tuple, not a set")
    if not isinstance(raw, (list, tuple, set, frozenset)):
        raw = [raw]
    return container(cardinality, base_type, (coerce_scalar(item, base_type) for item in raw))


def _flat(raw: tuple[Any, ...]) -> bool:
    return len(raw) == 2 and not any(isinstance(part, (list, tuple)) for part in raw)


def to_python(value: Value | None) -> Any:
    """The caller-facing form: scalars, lists for containers, dicts for records."""
    if value is None:
        return None
    if value.cardinality in CONTAINERS:
        return list(value.value)
    if value.cardinality == "record":
        return {name: to_python(field_value) for name, field_value in value.value.items()}
    return value.value


# -- declarations -----------------------------------------------------------------------


@dataclass
class MapEntry:
    key: Any
    value: float
    case_sensitive: bool


@dataclass
class Mapping:
    entries: list[MapEntry]
    default: float = 0.0
    lower: float | None = None
    upper: float | None = None

    def lookup(self, scalar: Any) -> float:
        """The mapped value of one scalar: the first matching entry, else the default."""
        for entry in self.entries:
            key = entry.key
            if isinstance(scalar, str) and isinstance(key, str) and not entry.case_sensitive:
                if fold_case(key) == fold_case(scalar):
                    return entry.value
            elif key == scalar:
                return entry.value
        return self.default

    def map_value(self, value: Value | None) -> Value:
        """``mapResponse`` of ``value``: the sum of each distinct scalar's mapped value,
        bounded."""
        total = 0.0
        if not is_null(value):
            assert value is not None
            for scalar in dict.fromkeys(items_of(value)):  # each distinct value counts once
                total += self.lookup(scalar)
        return single("float", bounded(total, self.lower, self.upper))


@dataclass
class AreaMapping:
    entries: list[tuple[str, tuple[float, ...], float]]
    default: float = 0.0
    lower: float | None = None
    upper: float | None = None

    def map_value(self, value: Value | None) -> Value:
        """``mapResponsePoint`` of ``value``: each point scores the first area holding it
        (each area once) or the default, bounded."""
        total, used = 0.0, set()
        if not is_null(value):
            assert value is not None
            for point in items_of(value):
                hit = next(
                    (
                        i
                        for i, (shape, coords, _v) in enumerate(self.entries)
                        if inside(shape, coords, point)
                    ),
                    None,
                )
                if hit is None:
                    total += self.default
                elif hit not in used:  # each area counts once
                    used.add(hit)
                    total += self.entries[hit][2]
        return single("float", bounded(total, self.lower, self.upper))


@dataclass
class LookupTable:
    kind: str  # "matchTable" | "interpolationTable"
    default: Any
    entries: list[tuple[float, bool, Any]]  # source value, include boundary, target


@dataclass
class Declaration:
    identifier: str
    kind: str  # response | outcome | template | context
    cardinality: str
    base_type: str | None
    default: Value | None = None
    correct: Value | None = None
    mapping: Mapping | None = None
    area_mapping: AreaMapping | None = None
    lookup_table: LookupTable | None = None
    line: int | None = field(default=None, compare=False)


_DECLARATION_KINDS = {
    "responseDeclaration": "response",
    "outcomeDeclaration": "outcome",
    "templateDeclaration": "template",
    "contextDeclaration": "context",
}


def read_declarations(item: etree._Element, case_sensitive_default: bool) -> dict[str, Declaration]:
    """Every variable declaration of an item, by identifier, in document order."""
    declarations: dict[str, Declaration] = {}
    for element in item:
        kind = _DECLARATION_KINDS.get(local_name(element) or "")
        if kind is None:
            continue
        identifier = element.get("identifier")
        if not identifier:
            raise InvalidRP("a variable declaration has no identifier", element.sourceline)
        cardinality = qti_attr(element, "cardinality") or "single"
        base_type = qti_attr(element, "baseType")
        declaration = Declaration(identifier, kind, cardinality, base_type, line=element.sourceline)
        holder = find_child(element, "defaultValue")
        if holder is not None:
            declaration.default = read_values(holder, cardinality, base_type)
        holder = find_child(element, "correctResponse")
        if holder is not None:
            declaration.correct = read_values(holder, cardinality, base_type)
        mapping = find_child(element, "mapping")
        if mapping is not None:
            declaration.mapping = _read_mapping(mapping, base_type, case_sensitive_default)
        area = find_child(element, "areaMapping")
        if area is not None:
            declaration.area_mapping = _read_area_mapping(area)
        declaration.lookup_table = _read_lookup_table(element, base_type)
        declarations[identifier] = declaration
    return declarations


def read_values(holder: etree._Element, cardinality: str, base_type: str | None) -> Value | None:
    """The ``<value>`` children of a defaultValue/correctResponse as a runtime value."""
    elements = find_children(holder, "value")
    if cardinality == "record":
        fields: dict[str, Value] = {}
        for element in elements:
            name = qti_attr(element, "fieldIdentifier") or ""
            field_type = qti_attr(element, "baseType")
            fields[name] = single(field_type, parse_scalar(element.text or "", field_type))
        return Value("record", None, fields) if fields else None
    scalars = [parse_scalar(e.text or "", base_type, e.sourceline) for e in elements]
    if cardinality == "single":
        if not scalars or scalars[0] == "":
            return None
        return single(base_type, scalars[0])
    return container(cardinality, base_type, scalars)


def _float_attr(element: etree._Element, name: str) -> float | None:
    text = qti_attr(element, name)
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        raise InvalidRP(f"{name}={text!r} is not a number", element.sourceline) from None


def _bool_attr(element: etree._Element, name: str, default: bool) -> bool:
    text = qti_attr(element, name)
    if text is None:
        return default
    return text.strip() in ("true", "1")


def _read_mapping(element: etree._Element, base_type: str | None, case_default: bool) -> Mapping:
    entries = [
        MapEntry(
            parse_scalar(qti_attr(entry, "mapKey") or "", base_type, entry.sourceline),
            _float_attr(entry, "mappedValue") or 0.0,
            _bool_attr(entry, "caseSensitive", case_default),
        )
        for entry in find_children(element, "mapEntry")
    ]
    return Mapping(
        entries,
        _float_attr(element, "defaultValue") or 0.0,
        _float_attr(element, "lowerBound"),
        _float_attr(element, "upperBound"),
    )


def _read_area_mapping(element: etree._Element) -> AreaMapping:
    entries = []
    for entry in find_children(element, "areaMapEntry"):
        shape = (qti_attr(entry, "shape") or "default").strip()
        coords = parse_coords(qti_attr(entry, "coords") or "", entry.sourceline)
        entries.append((shape, coords, _float_attr(entry, "mappedValue") or 0.0))
    return AreaMapping(
        entries,
        _float_attr(element, "defaultValue") or 0.0,
        _float_attr(element, "lowerBound"),
        _float_attr(element, "upperBound"),
    )


def _read_lookup_table(declaration: etree._Element, base_type: str | None) -> LookupTable | None:
    for kind, entry_name, source in (
        ("matchTable", "matchTableEntry", "sourceValue"),
        ("interpolationTable", "interpolationTableEntry", "sourceValue"),
    ):
        table = find_child(declaration, kind)
        if table is None:
            continue
        default_text = qti_attr(table, "defaultValue")
        default = parse_scalar(default_text, base_type) if default_text is not None else None
        entries = [
            (
                _float_attr(entry, source) or 0.0,
                _bool_attr(entry, "includeBoundary", True),
                parse_scalar(qti_attr(entry, "targetValue") or "", base_type, entry.sourceline),
            )
            for entry in find_children(table, entry_name)
        ]
        return LookupTable(kind, default, entries)
    return None


def initial_value(declaration: Declaration) -> Value | None:
    """An outcome's value before processing: its default, else 0 for numeric singles."""
    if declaration.default is not None:
        return declaration.default
    if declaration.cardinality == "single" and declaration.base_type in NUMERIC:
        return single(declaration.base_type, 0 if declaration.base_type == "integer" else 0.0)
    return None


def resolve_number(values: dict[str, Value | None], text: str) -> float | None:
    """The number an operator's attribute gives: a literal, or ``{N}``/``N`` naming a
    single numeric variable among ``values`` (``None`` when it is NULL)."""
    reference = text.strip().strip("{}")
    try:
        return float(reference)
    except ValueError:
        pass
    if reference not in values:
        raise InvalidRP(f"undeclared variable {reference!r} used as a number")
    value = values[reference]
    if is_null(value):
        return None
    assert value is not None
    if value.cardinality != "single" or value.base_type not in NUMERIC:
        raise InvalidRP(f"variable {reference!r} is not a single number")
    return float(value.value)


def bounded(total: float, lower: float | None, upper: float | None) -> float:
    if lower is not None and total < lower:
        total = lower
    if upper is not None and total > upper:
        total = upper
    return float(total)


def fit_to(value: Value | None, declaration: Declaration, line: int | None) -> Value | None:
    """Fit a value to the cardinality and base type of the outcome it is assigned to."""
    if is_null(value):
        return None
    assert value is not None
    target = declaration.base_type
    scalars = [_fit_scalar(s, value.base_type, target, declaration, line) for s in items_of(value)]
    if declaration.cardinality == "single":
        if value.cardinality != "single":
            raise InvalidRP(
                f"a container cannot be assigned to single outcome {declaration.identifier!r}",
                line,
            )
        return single(target, scalars[0])
    if declaration.cardinality == "record":
        return value
    return Value(declaration.cardinality, target, tuple(scalars))


def _fit_scalar(
    scalar: Any, source: str | None, target: str | None, declaration: Declaration, line: int | None
) -> Any:
    if target == "float" and source == "integer":
        return float(scalar)
    if target == "integer" and source == "float":
        if float(scalar).is_integer():
            return int(scalar)
        raise InvalidRP(
            f"cannot assign float {scalar} to integer outcome {declaration.identifier!r}", line
        )
    return scalar
