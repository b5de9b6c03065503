"""What QTI operators receive, and the checks they share.

An operator is a pure function of an :class:`Operands` - the element, for its attributes,
and the values of its sub-expressions (``None`` for NULL) - returning a value or ``None``.
The operators themselves live in :mod:`qti._rp_logic` and :mod:`qti._rp_arithmetic`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from qti._names import qti_attr
from qti._rp_errors import InvalidRP
from qti._rp_values import (
    CONTAINERS,
    NUMERIC,
    Value,
    is_null,
    items_of,
    single,
)


@dataclass
class Operands:
    element: etree._Element
    values: list[Value | None]
    resolve_number: Callable[[str], float | None]

    @property
    def line(self) -> int | None:
        return self.element.sourceline

    def attr(self, name: str, default: str | None = None) -> str | None:
        return qti_attr(self.element, name, default)

    def flag(self, name: str, default: bool) -> bool:
        text = self.attr(name)
        return default if text is None else text.strip() in ("true", "1")

    def number(self, name: str, default: float | None = None) -> float | None:
        """A numeric attribute that may also be a variable reference (``N`` or ``{N}``)."""
        text = self.attr(name)
        return default if text is None else self.resolve_number(text)

    def fail(self, message: str) -> InvalidRP:
        return InvalidRP(f"<{etree.QName(self.element).localname}> {message}", self.line)

    def any_null(self) -> bool:
        return any(is_null(value) for value in self.values)

    def count(self, expected: int) -> None:
        if len(self.values) != expected:
            raise self.fail(f"needs {expected} sub-expression(s), got {len(self.values)}")


Operator = Callable[[Operands], Value | None]


def registrar(table: dict[str, Operator]) -> Callable[..., Callable[[Operator], Operator]]:
    """A decorator factory that files operators in ``table`` under their QTI 2 names."""

    def operator(*names: str) -> Callable[[Operator], Operator]:
        def register(function: Operator) -> Operator:
            for name in names:
                table[name] = function
            return function

        return register

    return operator


def number_of(ops: Operands, value: Value | None) -> int | float:
    if value is None or value.cardinality != "single" or value.base_type not in NUMERIC:
        raise ops.fail("needs numeric single values")
    return value.value  # type: ignore[no-any-return]


def numbers_of(ops: Operands) -> list[int | float]:
    numbers: list[int | float] = []
    for value in ops.values:
        if value is None or value.base_type not in NUMERIC:
            raise ops.fail("needs numeric values")
        numbers.extend(items_of(value))
    return numbers


def numeric_result(result: int | float, values: list[Value | None]) -> Value:
    """An integer when every operand is an integer, else a float."""
    if all(v is not None and v.base_type == "integer" for v in values):
        return single("integer", int(result))
    return single("float", float(result))


def boolean_of(ops: Operands, value: Value | None) -> bool:
    if value is None or value.cardinality != "single" or value.base_type != "boolean":
        raise ops.fail("needs boolean single values")
    return bool(value.value)


def boolean(flag: bool) -> Value:
    return single("boolean", flag)


def text_of(ops: Operands, value: Value | None) -> str:
    if value is None or value.cardinality != "single" or not isinstance(value.value, str):
        raise ops.fail("needs string single values")
    return value.value


def container_of(ops: Operands, value: Value | None) -> Value:
    if value is None or value.cardinality not in CONTAINERS:
        raise ops.fail("needs a multiple or ordered container")
    return value
