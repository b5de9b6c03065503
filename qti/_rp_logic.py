"""QTI logic, comparison and string operators (pure functions of their operands).

NULL handling follows the QTI specification: most operators give NULL when an operand is
NULL; ``and``/``or``/``anyN`` give a definite answer when the non-NULL operands decide it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

from qti._rp_areas import inside, parse_coords
from qti._rp_operands import (
    Operands,
    Operator,
    boolean,
    boolean_of,
    number_of,
    registrar,
    text_of,
)
from qti._rp_values import Value, fold_case, is_null, items_of

LOGIC_OPERATORS: dict[str, Operator] = {}
_operator = registrar(LOGIC_OPERATORS)


# -- logic ------------------------------------------------------------------------------


@_operator("isNull")
def _is_null(ops: Operands) -> Value:
    ops.count(1)
    return boolean(is_null(ops.values[0]))


@_operator("not")
def _not(ops: Operands) -> Value | None:
    ops.count(1)
    return None if ops.any_null() else boolean(not boolean_of(ops, ops.values[0]))


@_operator("and")
def _and(ops: Operands) -> Value | None:
    flags = [None if is_null(v) else boolean_of(ops, v) for v in ops.values]
    if False in flags:
        return boolean(False)
    return None if None in flags else boolean(True)


@_operator("or")
def _or(ops: Operands) -> Value | None:
    flags = [None if is_null(v) else boolean_of(ops, v) for v in ops.values]
    if True in flags:
        return boolean(True)
    return None if None in flags else boolean(False)


@_operator("anyN")
def _any_n(ops: Operands) -> Value | None:
    low, high = ops.number("min"), ops.number("max")
    if low is None or high is None:
        raise ops.fail("needs min and max")
    flags = [None if is_null(v) else boolean_of(ops, v) for v in ops.values]
    true, null = flags.count(True), flags.count(None)
    if true > high or true + null < low:
        return boolean(False)
    if true >= low and true + null <= high:
        return boolean(True)
    return None


# -- comparison -------------------------------------------------------------------------


def same(a: Value, b: Value) -> bool:
    """QTI ``match``: equal singles, equal multisets, equal sequences, equal records."""
    if a.cardinality == "record" or b.cardinality == "record":
        return a.value == b.value if a.cardinality == b.cardinality else False
    if a.cardinality == "ordered" and b.cardinality == "ordered":
        return items_of(a) == items_of(b)
    if a.cardinality == "single" and b.cardinality == "single":
        return bool(a.value == b.value)
    return Counter(items_of(a)) == Counter(items_of(b))


@_operator("match")
def _match(ops: Operands) -> Value | None:
    ops.count(2)
    a, b = ops.values
    if a is None or b is None or ops.any_null():
        return None
    return boolean(same(a, b))


@_operator("stringMatch")
def _string_match(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    first, second = (text_of(ops, v) for v in ops.values)
    if not ops.flag("caseSensitive", True):
        first, second = fold_case(first), fold_case(second)
    if ops.flag("substring", False):
        return boolean(second in first)
    return boolean(first == second)


@_operator("substring")
def _substring(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    needle, haystack = (text_of(ops, v) for v in ops.values)
    if not ops.flag("caseSensitive", True):
        needle, haystack = fold_case(needle), fold_case(haystack)
    return boolean(needle in haystack)


@_operator("patternMatch")
def _pattern_match(ops: Operands) -> Value | None:
    ops.count(1)
    if ops.any_null():
        return None
    pattern = ops.attr("pattern") or ""
    try:
        # XML Schema regular expressions are anchored at both ends.
        return boolean(re.fullmatch(pattern, text_of(ops, ops.values[0])) is not None)
    except re.error as exc:
        raise ops.fail(f"has a pattern Python cannot use: {exc}") from None


def _tolerances(ops: Operands) -> tuple[float, float] | None:
    """The lower and upper tolerance (one value serves for both); None if one is NULL."""
    parts = (ops.attr("tolerance") or "").split()
    if not parts:
        raise ops.fail("needs a tolerance when toleranceMode is not exact")
    values = [ops.resolve_number(part) for part in parts[:2]]
    numbers = [value for value in values if value is not None]
    if len(numbers) != len(values):
        return None
    return numbers[0], numbers[-1]


@_operator("equal")
def _equal(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    x, y = (number_of(ops, v) for v in ops.values)
    mode = ops.attr("toleranceMode", "exact")
    if mode == "exact":
        return boolean(x == y)
    tolerance = _tolerances(ops)
    if tolerance is None:
        return None
    t0, t1 = tolerance
    if mode == "absolute":
        low, high = x - t0, x + t1
    elif mode == "relative":
        low, high = x * (1 - t0 / 100), x * (1 + t1 / 100)
    else:
        raise ops.fail(f"has unknown toleranceMode {mode!r}")
    above = y >= low if ops.flag("includeLowerBound", True) else y > low
    below = y <= high if ops.flag("includeUpperBound", True) else y < high
    return boolean(above and below)


def round_figures(ops: Operands, number: float) -> float:
    figures = ops.number("figures")
    if figures is None:
        raise ops.fail("needs figures")
    mode = ops.attr("roundingMode", "significantFigures")
    if mode == "decimalPlaces":
        return _round_half_up(number, int(figures))
    if mode == "significantFigures":
        if int(figures) < 1:
            raise ops.fail("needs figures >= 1 for significantFigures")
        if number == 0 or not math.isfinite(number):
            return number
        places = int(figures) - 1 - math.floor(math.log10(abs(number)))
        return _round_half_up(number, places)
    raise ops.fail(f"has unknown roundingMode {mode!r}")


def _round_half_up(number: float, places: int) -> float:
    scale = 10.0**places
    rounded = math.floor(abs(number) * scale + 0.5) / scale
    return math.copysign(rounded, number)


@_operator("equalRounded")
def _equal_rounded(ops: Operands) -> Value | None:
    ops.count(2)
    if ops.any_null():
        return None
    x, y = (round_figures(ops, number_of(ops, v)) for v in ops.values)
    return boolean(x == y)


def _comparison(test: Callable[[float, float], bool]) -> Operator:
    def compare(ops: Operands) -> Value | None:
        ops.count(2)
        if ops.any_null():
            return None
        x, y = (number_of(ops, v) for v in ops.values)
        return boolean(test(x, y))

    return compare


LOGIC_OPERATORS["lt"] = _comparison(lambda x, y: x < y)
LOGIC_OPERATORS["gt"] = _comparison(lambda x, y: x > y)
LOGIC_OPERATORS["lte"] = _comparison(lambda x, y: x <= y)
LOGIC_OPERATORS["gte"] = _comparison(lambda x, y: x >= y)


def _duration_comparison(test: Callable[[float, float], bool]) -> Operator:
    def compare(ops: Operands) -> Value | None:
        ops.count(2)
        if ops.any_null():
            return None
        x, y = (v.value for v in ops.values if v is not None)
        return boolean(test(float(x), float(y)))

    return compare


LOGIC_OPERATORS["durationLT"] = _duration_comparison(lambda x, y: x < y)
LOGIC_OPERATORS["durationGTE"] = _duration_comparison(lambda x, y: x >= y)


@_operator("inside")
def _inside(ops: Operands) -> Value | None:
    ops.count(1)
    value = ops.values[0]
    if value is None or ops.any_null():
        return None
    shape = ops.attr("shape", "default") or "default"
    coords = parse_coords(ops.attr("coords") or "", ops.line)
    return boolean(any(inside(shape, coords, point) for point in items_of(value)))
