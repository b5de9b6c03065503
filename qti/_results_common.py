"""What the reader and the writer of :mod:`qti.results` share: the versions and their
session statuses, :class:`ResultsError`, and the values of variables - the text of a
``<value>`` to Python and back.

Python forms, the same as :mod:`qti.rp` takes for responses: identifier, string, uri and
file -> ``str``; integer -> ``int``; float -> ``float``; boolean -> ``bool``; duration ->
``float`` seconds; pair and directedPair -> a 2-tuple of ``str`` (in document order: a
pair is unordered and :mod:`qti.rp` sorts it itself); point -> a 2-tuple of ``int``.

Reading is strict where Python is lenient: ``int()`` and ``float()`` accept ``1_000``,
non-ASCII digits, ``nan`` and ``inf``, none of which a results document may carry, so the
numbers are matched against the XML Schema lexical forms first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, Literal

from qti._report import Issue
from qti._rp_values import parse_duration

Version = Literal["2.1", "2.2", "3.0"]
VERSIONS: tuple[Version, ...] = ("2.1", "2.2", "3.0")

SESSION_STATUSES: dict[str, frozenset[str]] = {
    "2.1": frozenset({"final", "initial", "pendingResponseProcessing", "pendingSubmission"}),
    "2.2": frozenset({"final", "initial", "pendingResponseProcessing", "pendingSubmission"}),
    "3.0": frozenset(
        {
            "final",
            "initial",
            "pendingExternalScoring",
            "pendingResponseProcessing",
            "pendingSubmission",
        }
    ),
}
"""The ``sessionStatus`` values each version's results schema allows."""


class ResultsError(ValueError):
    """A results document (or zip) that cannot be read.

    :ivar problems: each problem as an :class:`qti.validate.Issue` (``file`` - the name
        given to the reader, or the member's path in a zip -, ``line`` or ``None``,
        ``severity`` ``"error"``, ``message`` in English).
    """

    def __init__(self, problems: list[Issue]) -> None:
        super().__init__(problems)
        self.problems = problems

    @property
    def issues(self) -> list[Issue]:
        """The same list as :attr:`problems`."""
        return self.problems

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


BASE_TYPES: frozenset[str] = frozenset(
    {
        "boolean",
        "directedPair",
        "duration",
        "file",
        "float",
        "identifier",
        "integer",
        "pair",
        "point",
        "string",
        "uri",
    }
)
"""The base types of the QTI 2.1, 2.2 and 3.0 results schemas (the same eleven)."""

CARDINALITIES: frozenset[str] = frozenset({"single", "multiple", "ordered", "record"})
CONTAINERS: frozenset[str] = frozenset({"multiple", "ordered"})

_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _string(text: str) -> str:
    return text


def _token(text: str) -> str:
    return text.strip()


def parse_integer(text: str) -> int:
    """An XML Schema integer (ASCII digits, optional sign). :raises ValueError:"""
    raw = text.strip()
    # int() also takes "1_000" and non-ASCII digits; both checks are cheaper than a regex.
    if raw.isascii() and "_" not in raw:
        try:
            return int(raw)
        except ValueError:  # not digits, or more than Python converts
            pass
    raise ValueError(f"{text!r} is not an integer")


def _float(text: str) -> float:
    raw = text.strip()
    # float() also takes "1_0", non-ASCII digits, "nan", "inf" and "infinity": the first two
    # are refused here, the others by the finiteness check.
    if raw.isascii() and "_" not in raw:
        try:
            number = float(raw)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
            raise ValueError(f"{text!r} is not a finite number")
    raise ValueError(f"{text!r} is not a number")


def _boolean(text: str) -> bool:
    raw = text.strip()
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    raise ValueError(f"{text!r} is not a boolean (true, false, 1 or 0)")


def _duration(text: str) -> float:
    raw = text.strip()
    if _FLOAT.fullmatch(raw):
        seconds = float(raw)
    elif raw.startswith(("P", "-P")) and raw.isascii():
        try:
            seconds = parse_duration(raw)
        except ValueError:
            raise ValueError(f"{text!r} is not a duration") from None
    else:
        raise ValueError(f"{text!r} is not a duration (seconds, or ISO 8601 such as PT1M30S)")
    if not math.isfinite(seconds):
        raise ValueError(f"{text!r} is not a finite duration")
    return seconds


def _pair(text: str) -> tuple[str, str]:
    parts = text.split()
    if len(parts) != 2:
        raise ValueError(f"{text!r} is not a pair of two identifiers separated by a space")
    return (parts[0], parts[1])


def _point(text: str) -> tuple[int, int]:
    parts = text.split()
    if len(parts) != 2 or not all(_INTEGER.fullmatch(part) for part in parts):
        raise ValueError(f"{text!r} is not a point (two integers separated by a space)")
    return (int(parts[0]), int(parts[1]))


PARSERS: dict[str | None, Callable[[str], Any]] = {
    None: _string,
    "string": _string,
    "identifier": _token,
    "uri": _token,
    "file": _string,
    "integer": parse_integer,
    "float": _float,
    "boolean": _boolean,
    "duration": _duration,
    "pair": _pair,
    "directedPair": _pair,
    "point": _point,
}
"""Base type (``None``: none given, read as text) -> the parser of one ``<value>`` text.
Each raises ``ValueError`` with a message naming the text."""

# An empty <value/> of these types is how players write "no response" (an empty text is
# no identifier, pair or point); the reader takes it as no value at all.
EMPTY_IS_NONE: frozenset[str | None] = frozenset({"identifier", "pair", "directedPair", "point"})


# -- writing --------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def format_value(value: Any, base_type: str | None) -> str:
    """The ``<value>`` text of one Python value of ``base_type``.

    :raises ValueError: if ``value`` is not of the Python form of ``base_type``.
    """
    if base_type in (None, "string", "identifier", "uri", "file"):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a str, as {base_type or 'text'} values are")
        if base_type == "identifier" and (not value or value != value.strip()):
            raise ValueError(f"{value!r} is not an identifier")
        return value
    if base_type == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise ValueError(f"{value!r} is not an int")
    if base_type in ("float", "duration"):
        if not _is_number(value) or not math.isfinite(value):
            raise ValueError(f"{value!r} is not a finite number")
        return repr(float(value))
    if base_type == "boolean":
        if isinstance(value, bool):
            return "true" if value else "false"
        raise ValueError(f"{value!r} is not a bool")
    if base_type in ("pair", "directedPair"):
        if (
            isinstance(value, tuple | list)
            and len(value) == 2
            and all(isinstance(part, str) and part.split() == [part] for part in value)
        ):
            return f"{value[0]} {value[1]}"
        raise ValueError(f"{value!r} is not a 2-tuple of identifiers")
    if base_type == "point":
        if (
            isinstance(value, tuple | list)
            and len(value) == 2
            and all(isinstance(part, int) and not isinstance(part, bool) for part in value)
        ):
            return f"{value[0]} {value[1]}"
        raise ValueError(f"{value!r} is not a 2-tuple of ints")
    raise ValueError(f"unknown base type {base_type!r}")


def infer_base_type(value: Any) -> str:
    """A base type for a record field given without one: bool -> boolean, int ->
    integer, float -> float, a 2-tuple of ints -> point, anything else -> string."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return "point"
    return "string"
