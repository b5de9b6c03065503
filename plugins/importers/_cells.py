"""One spreadsheet row's cells: the :class:`Row` a layout reads, parsers from cell text
to content values (numbers with a decimal comma, Indonesian yes/no words, option
letters, HTML or plain text), and the inverse for a template's example row.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from itembank.importing import Location, ReportEntry, error
from itembank.sanitize import ALLOWED_TAGS
from plugins.importers._columns import Column, normalise


@dataclass
class Row:
    """One spreadsheet row: non-empty cells by canonical column name."""

    location: Location
    cells: dict[str, str]
    #: canonical name -> the header as written in the file.
    headers: dict[str, str]
    #: Columns this row's layout read (the rest, if filled, are reported as ignored).
    used: set[str] = field(default_factory=set)
    #: content/metadata field path -> header as written.
    fields: dict[str, str] = field(default_factory=dict)
    problems: list[ReportEntry] = field(default_factory=list)

    def get(self, column: Column) -> str | None:
        self.used.add(column.name)
        return self.cells.get(column.name)

    def header(self, column: Column) -> str:
        return self.headers.get(column.name, column.name)

    def place(self, path: str, column: Column) -> None:
        self.fields[path] = self.header(column)

    def problem(self, column: Column, message: str, message_en: str) -> None:
        self.problems.append(error(self.location.at(self.header(column)), message, message_en))


_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_TRUE = frozenset({"ya", "y", "benar", "b", "true", "t", "yes", "1", "betul"})
_FALSE = frozenset({"tidak", "n", "salah", "s", "false", "f", "no", "0"})


def number(text: str) -> Any:
    """``"5"`` -> 5, ``"0,45"`` -> 0.45; anything else stays a string, for the type's
    schema to refuse in its own words."""
    value = text.strip()
    if _INT.fullmatch(value):
        return int(value)
    if _DECIMAL.fullmatch(value):
        result = float(value.replace(",", "."))
        return int(result) if result.is_integer() and "e" not in value.lower() else result
    return text


def integer(text: str) -> Any:
    value = number(text)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def boolean(text: str) -> Any:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return text


def choice(words: dict[str, str]) -> Callable[[str], Any]:
    """A value from a fixed set, with Indonesian words for the schema's values."""

    def parse(text: str) -> Any:
        value = normalise(text)
        return words.get(value, value)

    return parse


def token(text: str) -> str:
    """An identifier, upper-cased (option letters are ``A``..``J``)."""
    return text.strip().upper()


def tokens(text: str) -> list[str]:
    return [part.upper() for part in re.split(r"[\s,;]+", text.strip()) if part]


def lines(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\r\n|\r|\n|\|", text) if part.strip()]


#: Tags that make a cell HTML: the allowed subset's, and ``<math>`` (a formula).
_HTML_TAG = re.compile(
    r"</?(" + "|".join(sorted(ALLOWED_TAGS | {"math"}, key=len, reverse=True)) + r")\b[^>]*>",
    re.IGNORECASE,
)


def rich_text(text: str, *, paragraphs: bool) -> str:
    """A cell as HTML: kept as it is when it holds HTML tags of the allowed subset;
    otherwise escaped, with line breaks kept (and blank lines starting paragraphs)."""
    if _HTML_TAG.search(text):
        return text
    value = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    if not paragraphs:
        return html.escape(value, quote=False).replace("\n", "<br>")
    blocks = [block.strip() for block in re.split(r"\n\s*\n", value) if block.strip()]
    return "".join(
        "<p>" + html.escape(block, quote=False).replace("\n", "<br>") + "</p>" for block in blocks
    )


_SIMPLE_PARAGRAPH = re.compile(r"<p>([^<]*)</p>")


def cell_text(value: str) -> str:
    """The inverse of :func:`rich_text` for templates: ``<p>x</p>`` -> ``x``."""
    match = _SIMPLE_PARAGRAPH.fullmatch(value)
    return html.unescape(match.group(1)) if match else value


def show_value(value: Any) -> str:
    """A content value as a template's cell: ``Ya``/``Tidak``, a list comma-separated."""
    if value is True:
        return "Ya"
    if value is False:
        return "Tidak"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
