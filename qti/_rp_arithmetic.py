"""QTI arithmetic, mathematical and container operators (pure functions of their operands).

Numeric results are integers when every operand is an integer and floats otherwise;
division by zero and results that are not finite numbers are NULL.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable
from typing import Any

from qti._rp_logic import round_figures
from qti._rp_operands import (
    Operands,
    Operator,
    boolean,
    container_of,
    number_of,
    numbers_of,
    numeric_result,
    registrar,
)
from qti._rp_values import Value, container, items_of, single

ARITHMETIC_OPERATORS: dict[str, Operator] = {}
_operator = registrar(ARITHMETIC_OPERATORS)


# -- arithmetic -------------------------------------------------------------------------


@_operator("sum")
def _sum(ops: Operands) -> Value | None:
    if ops.any_null():
        return None
    numbers = [number_of(ops, v) for v in ops.values]
    return numeric_result(sum(numbers), ops.values)


@_operator("product")
def _product(ops: Operands) -> Value | None:
    if ops.any_null():
        return None
    numbers = [number_of(ops, v) for v in ops.values]
    return numeric_result(math.prod(numbers), ops.values)


@_operator("subtract")
def _subtract(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    x, y = (number_of(ops, v) for v in ops.values)
    return numeric_result(x - y, ops.values)


@_operator("divide")
def _divide(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    x, y = (number_of(ops, v) for v in ops.values)
    return None if y == 0 else single("float", x / y)


@_operator("power")
def _power(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    x, y = (number_of(ops, v) for v in ops.values)
    try:
        result = math.pow(x, y)
    except (OverflowError, ValueError):
        return None
    return single("float", result) if math.isfinite(result) else None


def _integers(ops: Operands) -> tuple[int, int]:
    ops.count(2)
    x, y = (number_of(ops, v) for v in ops.values)
    if not all(v is not None and v.base_type == "integer" for v in ops.values):
        raise ops.fail("needs integer values")
    return int(x), int(y)


@_operator("integerDivide")
def _integer_divide(ops: Operands) -> Value | None:
    if ops.any_null():
        return None
    x, y = _integers(ops)
    return None if y == 0 else single("integer", x // y)


@_operator("integerModulus")
def _integer_modulus(ops: Operands) -> Value | None:
    if ops.any_null():
        return None
    x, y = _integers(ops)
    return None if y == 0 else single("integer", x - (x // y) * y)


@_operator("integerToFloat")
def _integer_to_float(ops: Operands) -> Value | None:
    ops.count(1)
    return None if ops.any_null() else single("float", float(number_of(ops, ops.values[0])))


def _to_integer(rounder: Callable[[float], float]) -> Operator:
    def convert(ops: Operands) -> Value | None:
        ops.count(1)
        if ops.any_null():
            return None
        number = number_of(ops, ops.values[0])
        if not math.isfinite(number):
            return None
        return single("integer", int(rounder(number)))

    return convert


ARITHMETIC_OPERATORS["round"] = _to_integer(lambda x: math.floor(x + 0.5))
ARITHMETIC_OPERATORS["truncate"] = _to_integer(math.trunc)


@_operator("roundTo")
def _round_to(ops: Operands) -> Value | None:
    ops.count(1)
    if ops.any_null():
        return None
    return single("float", round_figures(ops, float(number_of(ops, ops.values[0]))))


def _extreme(pick: Callable[[list[int | float]], int | float]) -> Operator:
    def extreme(ops: Operands) -> Value | None:
        if not ops.values or ops.any_null():
            return None
        return numeric_result(pick(numbers_of(ops)), ops.values)

    return extreme


ARITHMETIC_OPERATORS["min"] = _extreme(min)
ARITHMETIC_OPERATORS["max"] = _extreme(max)


@_operator("gcd")
def _gcd(ops: Operands) -> Value | None:
    if not ops.values or ops.any_null():
        return None
    return single("integer", math.gcd(*(int(n) for n in numbers_of(ops))))


@_operator("lcm")
def _lcm(ops: Operands) -> Value | None:
    if not ops.values or ops.any_null():
        return None
    numbers = [int(n) for n in numbers_of(ops)]
    return single("integer", 0 if 0 in numbers else math.lcm(*numbers))


_MATH_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "sec": lambda x: 1 / math.cos(x),
    "csc": lambda x: 1 / math.sin(x),
    "cot": lambda x: 1 / math.tan(x),
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "atan2": math.atan2,
    "asec": lambda x: math.acos(1 / x),
    "acsc": lambda x: math.asin(1 / x),
    "acot": lambda x: math.atan(1 / x),
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "sech": lambda x: 1 / math.cosh(x),
    "csch": lambda x: 1 / math.sinh(x),
    "coth": lambda x: 1 / math.tanh(x),
    "log": math.log10,
    "ln": math.log,
    "exp": math.exp,
    "abs": abs,
    "signum": lambda x: float((x > 0) - (x < 0)),
    "floor": math.floor,
    "ceil": math.ceil,
    "toDegrees": math.degrees,
    "toRadians": math.radians,
}


@_operator("mathOperator")
def _math_operator(ops: Operands) -> Value | None:
    name = ops.attr("name") or ""
    function = _MATH_FUNCTIONS.get(name)
    if function is None:
        raise ops.fail(f"has unknown name {name!r}")
    if ops.any_null():
        return None
    arguments = [float(number_of(ops, v)) for v in ops.values]
    try:
        result = float(function(*arguments))
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    if name in ("floor", "ceil") and math.isfinite(result):
        return single("integer", int(result))
    return single("float", result) if math.isfinite(result) else None


@_operator("mathConstant")
def _math_constant(ops: Operands) -> Value | None:
    constants = {"pi": math.pi, "e": math.e}
    name = ops.attr("name") or ""
    if name not in constants:
        raise ops.fail(f"has unknown name {name!r}")
    return single("float", constants[name])


_STATISTICS: dict[str, tuple[Callable[[list[float]], float], int]] = {
    "mean": (statistics.fmean, 1),
    "sampleVariance": (statistics.variance, 2),
    "sampleSD": (statistics.stdev, 2),
    "popVariance": (statistics.pvariance, 1),
    "popSD": (statistics.pstdev, 1),
}


@_operator("statsOperator")
def _stats_operator(ops: Operands) -> Value | None:
    ops.count(1)
    name = ops.attr("name") or ""
    if name not in _STATISTICS:
        raise ops.fail(f"has unknown name {name!r}")
    if ops.any_null():
        return None
    function, at_least = _STATISTICS[name]
    numbers = [float(n) for n in numbers_of(ops)]
    return single("float", function(numbers)) if len(numbers) >= at_least else None


# -- containers -------------------------------------------------------------------------


def _build(cardinality: str) -> Operator:
    def build(ops: Operands) -> Value | None:
        base_type: str | None = None
        scalars: list[Any] = []
        for value in ops.values:
            if value is None:
                continue
            if value.cardinality == "record":
                raise ops.fail("cannot contain records")
            base_type = base_type or value.base_type
            scalars.extend(items_of(value))
        return container(cardinality, base_type, scalars)

    return build


ARITHMETIC_OPERATORS["multiple"] = _build("multiple")
ARITHMETIC_OPERATORS["ordered"] = _build("ordered")


@_operator("containerSize")
def _container_size(ops: Operands) -> Value:
    ops.count(1)
    value = ops.values[0]
    return single("integer", 0 if value is None else len(items_of(value)))


@_operator("member")
def _member(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    needle, haystack = ops.values[0], container_of(ops, ops.values[1])
    assert needle is not None
    return boolean(needle.value in items_of(haystack))


@_operator("delete")
def _delete(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    needle, haystack = ops.values[0], container_of(ops, ops.values[1])
    assert needle is not None
    kept = [item for item in items_of(haystack) if item != needle.value]
    return container(haystack.cardinality, haystack.base_type, kept)


@_operator("contains")
def _contains(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    whole, part = (container_of(ops, v) for v in ops.values)
    big, small = items_of(whole), items_of(part)
    if whole.cardinality == "ordered" and part.cardinality == "ordered":
        return boolean(
            any(big[i : i + len(small)] == small for i in range(len(big) - len(small) + 1))
        )
    return boolean(not (Counter(small) - Counter(big)))


@_operator("index")
def _index(ops: Operands) -> Value | None:
    ops.count(1)
    if ops.any_null():
        return None
    value = container_of(ops, ops.values[0])
    n = ops.number("n")
    if n is None:
        return None
    position = int(n)
    scalars = items_of(value)
    if position < 1 or position > len(scalars):
        return None
    return single(value.base_type, scalars[position - 1])


@_operator("repeat")
def _repeat(ops: Operands) -> Value | None:
    times = ops.number("numberRepeats")
    if times is None or times < 1:
        return None
    return _build("ordered")(Operands(ops.element, ops.values * int(times), ops.resolve_number))


@_operator("fieldValue")
def _field_value(ops: Operands) -> Value | None:
    ops.count(1)
    record = ops.values[0]
    if record is None:
        return None
    if record.cardinality != "record":
        raise ops.fail("needs a record")
    return record.value.get(ops.attr("fieldIdentifier") or "")  # type: ignore[no-any-return]


@_operator("null")
def _null(ops: Operands) -> None:
    return None
