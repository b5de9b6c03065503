"""The parts a layout is made of: each reads some cells of a row into an item type's
content and writes that content back into cells (for a template's example row). Every
part of the content remembers the column it came from, so a problem the type reports
in ``options.2.text`` is shown in the column ``opsi_c``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from plugins.importers._cells import Row, cell_text, number, rich_text, show_value
from plugins.importers._columns import Column


class Part:
    """One piece of a layout: reads cells into content, writes content into cells."""

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        """Columns a template shows (for ``content``, the type's example)."""
        raise NotImplementedError

    def read(self, row: Row, content: dict[str, Any]) -> None:
        raise NotImplementedError

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        """Cells for ``content``; ``ids`` maps the content's entry ids to the ids the
        columns give (an example's ``R1`` is the template's ``A``)."""
        raise NotImplementedError


@dataclass
class Scalar(Part):
    """One content key from one column, through a parser (blank: the key is left out, so
    the type's default applies or the type says it is required)."""

    key: str
    column: Column
    parse: Callable[[str], Any] = str
    show: Callable[[Any], str] = str

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [self.column]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        row.place(f"content.{self.key}", self.column)
        text = row.get(self.column)
        if text is not None:
            content[self.key] = self.parse(text)

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        if self.key not in content:
            return {}
        value = content[self.key]
        if isinstance(value, str):
            value = ids.get(value, value)
        elif isinstance(value, list):
            value = [ids.get(v, v) if isinstance(v, str) else v for v in value]
        return {self.column.name: self.show(value)}


@dataclass
class Nested(Part):
    """A content object (``scale``) built from scalar parts; left out when all are blank."""

    key: str
    parts: tuple[Scalar, ...]

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [part.column for part in self.parts]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        inner: dict[str, Any] = {}
        for part in self.parts:
            part.read(row, inner)
            row.place(f"content.{self.key}.{part.key}", part.column)
        row.place(f"content.{self.key}", self.parts[0].column)
        if inner:
            content[self.key] = inner

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        cells: dict[str, str] = {}
        for part in self.parts:
            cells.update(part.write(content.get(self.key, {}), ids))
        return cells


@dataclass
class Entries(Part):
    """A list of ``{id, text, ...}`` entries, one numbered column each (``opsi_a`` ..
    ``opsi_j`` give ids ``A`` .. ``J``). Empty columns are skipped; one left empty
    before a filled one is reported, as it is usually a slip."""

    key: str
    slots: tuple[tuple[str, Column], ...]
    text_key: str = "text"
    #: Extra per-entry values: ``(entry key, column for slot index, parser)``.
    extras: tuple[tuple[str, Callable[[int], Column], Callable[[str], Any]], ...] = ()
    #: Template columns shown when there is no example content.
    shown: int = 5
    #: The entries' texts are plain text (gap match words), kept as written, not made HTML.
    plain: bool = False

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        count = max(self.shown, len(content.get(self.key, [])) if content else 0)
        result = []
        for index, (_, column) in enumerate(self.slots[:count]):
            result.append(column)
            result.extend(make(index) for _, make, _ in self.extras)
        return result

    def read(self, row: Row, content: dict[str, Any]) -> None:
        entries: list[dict[str, Any]] = []
        gap: Column | None = None
        row.place(f"content.{self.key}", self.slots[0][1])
        for index, (ident, column) in enumerate(self.slots):
            text = row.get(column)
            extra_cells = [(name, make(index), parse) for name, make, parse in self.extras]
            extra_values = {
                name: value
                for name, col, parse in extra_cells
                if (value := row.get(col)) is not None
            }
            if text is None:
                if extra_values:
                    row.problem(
                        column,
                        f"Kolom {row.header(column)} kosong, padahal kolom lain untuk "
                        f"{ident} terisi.",
                        f"Column {row.header(column)} is empty, but other columns for "
                        f"{ident} are filled.",
                    )
                if gap is None:
                    gap = column
                continue
            if gap is not None:
                row.problem(
                    gap,
                    f"Kolom {row.header(gap)} kosong, padahal kolom sesudahnya terisi.",
                    f"Column {row.header(gap)} is empty, but a later one is filled.",
                )
                gap = None
            path = f"content.{self.key}.{len(entries)}"
            row.place(path, column)
            value = text.strip() if self.plain else rich_text(text, paragraphs=False)
            entry: dict[str, Any] = {"id": ident, self.text_key: value}
            for name, col, parse in extra_cells:
                row.place(f"{path}.{name}", col)
                if name in extra_values:
                    entry[name] = parse(extra_values[name])
            entries.append(entry)
        content[self.key] = entries

    def renumber(self, content: dict[str, Any]) -> dict[str, str]:
        """Content entry id -> the id its column gives."""
        entries = content.get(self.key, [])[: len(self.slots)]
        return {entry["id"]: self.slots[index][0] for index, entry in enumerate(entries)}

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        cells: dict[str, str] = {}
        for index, entry in enumerate(content.get(self.key, [])[: len(self.slots)]):
            text = entry[self.text_key]
            cells[self.slots[index][1].name] = text if self.plain else cell_text(text)
            for name, make, _ in self.extras:
                if name in entry:
                    cells[make(index).name] = show_value(entry[name])
        return cells

    def ident(self, entry_id: str) -> str:
        """The ``id`` of the entry for a user's short form (``1`` -> ``P1``)."""
        for ident, _ in self.slots:
            if entry_id.upper() in (ident, ident.lstrip("PR")):
                return ident
        return entry_id.upper()


@dataclass
class Pairs(Part):
    """Matching key pairs: ``1-B; 2-C`` (premise, then response)."""

    key: str
    column: Column
    premises: Entries

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [self.column]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        row.place(f"content.{self.key}", self.column)
        text = row.get(self.column)
        if text is None:
            return
        pairs: list[list[str]] = []
        for chunk in (part.strip() for part in re.split(r"[;,\n]+", text)):
            if not chunk:
                continue
            halves = [half.strip() for half in re.split(r"\s*(?:->|→|[-=:])\s*", chunk)]
            if len(halves) != 2 or not all(halves):
                row.problem(
                    self.column,
                    f"Pasangan '{chunk}' tidak dapat dibaca; tulis seperti 1-B.",
                    f"Pair '{chunk}' cannot be read; write it like 1-B.",
                )
                continue
            pairs.append([self.premises.ident(halves[0]), halves[1].upper()])
        content[self.key] = pairs

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        pairs = [(ids.get(a, a), ids.get(b, b)) for a, b in content.get(self.key, [])]
        return {self.column.name: "; ".join(f"{short_id(a)}-{b}" for a, b in pairs)}


@dataclass
class PairValues(Part):
    """Values of pairs under mapped scoring: ``1-B=1; 2-C=0,5`` (the first member, then
    the second, then the value); chunks are separated by ``;`` or line breaks, since a
    comma may be a decimal separator. The first member is an entry of ``premises`` (a
    premise's number, a choice's letter) or, without them, a gap's number (``1``:
    ``G1``, as :class:`GapKey` writes gaps)."""

    key: str
    column: Column
    premises: Entries | None

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [self.column]

    def first(self, text: str) -> str:
        """The identifier of the pair's first member as the user wrote it."""
        if self.premises is not None:
            return self.premises.ident(text)
        number = text.upper().lstrip("G")
        return f"G{int(number)}" if number.isdigit() else text.upper()

    def read(self, row: Row, content: dict[str, Any]) -> None:
        row.place(f"content.{self.key}", self.column)
        text = row.get(self.column)
        if text is None:
            return
        values: list[list[Any]] = []
        for chunk in (part.strip() for part in re.split(r"[;\n]+", text)):
            if not chunk:
                continue
            pair, _, value = chunk.rpartition("=")
            halves = [half.strip() for half in re.split(r"\s*(?:->|→|[-:])\s*", pair.strip())]
            if len(halves) != 2 or not all(halves) or not value.strip():
                row.problem(
                    self.column,
                    f"Nilai pasangan '{chunk}' tidak dapat dibaca; tulis seperti 1-B=0,5.",
                    f"Pair value '{chunk}' cannot be read; write it like 1-B=0.5.",
                )
                continue
            values.append([self.first(halves[0]), halves[1].upper(), number(value)])
        content[self.key] = values

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        values = content.get(self.key, [])
        return {
            self.column.name: "; ".join(
                f"{short_id(ids.get(a, a))}-{ids.get(b, b)}={show_value(v)}" for a, b, v in values
            )
        }


def short_id(ident: str) -> str:
    """A premise's or gap's number (``P2``, ``G2``: ``2``); any other id as it is."""
    return ident[1:] if re.fullmatch(r"[PG][0-9]+", ident) else ident


@dataclass
class SliderValues(Part):
    """A slider's scores per value under mapped scoring: ``16=1; 15=0,5`` (the value,
    then its score), separated by ``;`` or line breaks; the entries are numbered
    ``N1``, ``N2`` ... in the cell's order."""

    key: str
    column: Column

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [self.column]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        row.place(f"content.{self.key}", self.column)
        text = row.get(self.column)
        if text is None:
            return
        values: list[dict[str, Any]] = []
        for chunk in (part.strip() for part in re.split(r"[;\n]+", text)):
            if not chunk:
                continue
            value, equals, score = chunk.partition("=")
            if not equals or not value.strip() or not score.strip():
                row.problem(
                    self.column,
                    f"Skor nilai '{chunk}' tidak dapat dibaca; tulis seperti 16=0,5.",
                    f"Value score '{chunk}' cannot be read; write it like 16=0.5.",
                )
                continue
            values.append(
                {"id": f"N{len(values) + 1}", "value": number(value), "score": number(score)}
            )
        content[self.key] = values

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        values = content.get(self.key, [])
        return {
            self.column.name: "; ".join(
                f"{show_value(v['value'])}={show_value(v['score'])}" for v in values
            )
        }


@dataclass
class GapLists(Part):
    """The gaps of an inline choice, one column each (``rumpang_1`` ..): the options
    separated by ``|``, the key marked with a leading ``*`` (``Bogor | *Bandung``); the
    gap's code is ``G`` and the column's number, its options ``A``, ``B``, ... in order,
    and its points from its own column (default: the type's)."""

    key: str
    slots: tuple[tuple[str, Column, Column], ...]  # (gap code, options column, points column)
    parse_points: Callable[[str], Any]
    shown: int = 2

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        count = max(self.shown, len(content.get(self.key, [])) if content else 0)
        return [column for _, options, points in self.slots[:count] for column in (options, points)]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        gaps: list[dict[str, Any]] = []
        row.place(f"content.{self.key}", self.slots[0][1])
        for code, options_column, points_column in self.slots:
            text = row.get(options_column)
            points = row.get(points_column)
            if text is None:
                if points is not None:
                    row.problem(
                        options_column,
                        f"Kolom {row.header(options_column)} kosong, padahal poinnya terisi.",
                        f"Column {row.header(options_column)} is empty, but its points are filled.",
                    )
                continue
            words = [part.strip() for part in re.split(r"\r\n|\r|\n|\|", text) if part.strip()]
            keys = [index for index, word in enumerate(words) if word.startswith("*")]
            if len(keys) > 1:
                row.problem(
                    options_column,
                    "Tandai tepat satu pilihan sebagai kunci dengan * di depannya.",
                    "Mark exactly one option as the key with a leading *.",
                )
            path = f"content.{self.key}.{len(gaps)}"
            for name in ("", ".options", ".correct", ".id"):
                row.place(path + name, options_column)
            gap: dict[str, Any] = {
                "id": code,
                "options": [
                    {"id": _letter(index), "text": word.lstrip("*").strip()}
                    for index, word in enumerate(words)
                ],
                "correct": _letter(keys[0]) if keys else "",
            }
            for index in range(len(words)):
                row.place(f"{path}.options.{index}.text", options_column)
            if points is not None:
                row.place(f"{path}.points", points_column)
                gap["points"] = self.parse_points(points)
            gaps.append(gap)
        content[self.key] = gaps

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        cells: dict[str, str] = {}
        for index, gap in enumerate(content.get(self.key, [])[: len(self.slots)]):
            _code, options_column, points_column = self.slots[index]
            cells[options_column.name] = " | ".join(
                ("*" if option["id"] == gap["correct"] else "") + option["text"]
                for option in gap["options"]
            )
            cells[points_column.name] = show_value(gap.get("points", 1))
        return cells


@dataclass
class GapKey(Part):
    """The gaps of a gap match and their key words: ``kunci`` pairs each gap's number
    with its word's letter (``1-A; 2-C``: gap ``G1`` takes word ``A``), each gap's points
    from ``poin_rumpang_n`` (default: the type's)."""

    key_column: Column
    points: tuple[Column, ...]
    parse_points: Callable[[str], Any]
    shown: int = 2

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        count = max(self.shown, len(content.get("gaps", [])) if content else 0)
        return [self.key_column, *self.points[:count]]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        row.place("content.key", self.key_column)
        row.place("content.gaps", self.key_column)
        text = row.get(self.key_column)
        if text is None:
            return
        key: list[list[str]] = []
        gaps: list[dict[str, Any]] = []
        for chunk in (part.strip() for part in re.split(r"[;,\n]+", text)):
            if not chunk:
                continue
            halves = [half.strip() for half in re.split(r"\s*(?:->|→|[-=:])\s*", chunk)]
            number = halves[0].upper().lstrip("G") if len(halves) == 2 else ""
            if not number.isdigit() or not 1 <= int(number) <= len(self.points) or not halves[1]:
                row.problem(
                    self.key_column,
                    f"Pasangan '{chunk}' tidak dapat dibaca; tulis nomor rumpang dan huruf "
                    "katanya, seperti 1-A.",
                    f"Pair '{chunk}' cannot be read; write the gap's number and its word's "
                    "letter, like 1-A.",
                )
                continue
            code = f"G{int(number)}"
            key.append([code, halves[1].upper()])
            path = f"content.gaps.{len(gaps)}"
            row.place(path, self.key_column)
            row.place(f"content.key.{len(key) - 1}", self.key_column)
            gap: dict[str, Any] = {"id": code}
            points = row.get(self.points[int(number) - 1])
            if points is not None:
                row.place(f"{path}.points", self.points[int(number) - 1])
                gap["points"] = self.parse_points(points)
            gaps.append(gap)
        content["key"], content["gaps"] = key, gaps

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        words = {gap: word for gap, word in content.get("key", [])}
        cells: dict[str, str] = {}
        pairs = []
        for index, gap in enumerate(content.get("gaps", [])[: len(self.points)]):
            word = words.get(gap["id"], "")
            pairs.append(f"{index + 1}-{ids.get(word, word)}")
            cells[self.points[index].name] = show_value(gap.get("points", 1))
        cells[self.key_column.name] = "; ".join(pairs)
        return cells


def _letter(index: int) -> str:
    """``A`` .. ``Z``, then ``AA`` ... (option codes by position)."""
    result = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        result = chr(ord("A") + rest) + result
    return result
