"""Reading the rows of one sheet of an XLSX workbook, in one pass.

openpyxl's read-only workbook reads every sheet once only to size it when the sheet
does not declare its dimension (openpyxl's own write-only files do not), and then again
for the cells, through a pure-Python XML parser. Here the workbook's parts (its sheets,
shared strings and date styles) are read by openpyxl as :func:`openpyxl.load_workbook`
reads them, and the sheet's XML is read once with lxml, with the hardened settings of
:mod:`qti.xml` (no network, no DTD, no entities; a ``<!DOCTYPE`` is refused). Each cell's
value is still openpyxl's own (:meth:`WorkSheetParser.parse_row`), and the rows come out
as ``ReadOnlyWorksheet.iter_rows()`` gives them: numbered from row 1 with missing rows
empty, within the declared dimension when there is one, each row as wide as the
dimension (or as its last cell).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from lxml import etree
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet._reader import WorkSheetParser, _cast_number
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

_ROW, _DIMENSION = f"{{{SHEET_MAIN_NS}}}row", f"{{{SHEET_MAIN_NS}}}dimension"
_INLINE, _TEXT = f"{{{SHEET_MAIN_NS}}}is", f"{{{SHEET_MAIN_NS}}}t"
_VALUE, _STRING = f"{{{SHEET_MAIN_NS}}}v", f"{{{SHEET_MAIN_NS}}}si"

#: ``(value, data_type)`` of a cell, ``None`` for a cell the sheet does not hold.
Cell = tuple[Any, str] | None


class NotAWorksheet(ValueError):
    """The chosen sheet is a chart sheet: it has no cells."""


class Workbook:
    """An XLSX workbook opened for reading one sheet's rows: its parts are read here
    (raising what openpyxl raises for a damaged one), the sheet by :meth:`rows`."""

    def __init__(self, data: bytes):
        self.reader = ExcelReader(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
        try:
            # What load_workbook reads, except that sheets are not opened to be sized.
            self.reader.read_manifest()
            strings = self.reader.package.find(SHARED_STRINGS)
            if strings is not None:
                with self.reader.archive.open(strings.PartName[1:]) as source:
                    self.reader.shared_strings = _string_table(source)
            self.reader.read_workbook()
            self.reader.read_properties()
            self.reader.read_custom()
            self.reader.read_theme()
            apply_stylesheet(self.reader.archive, self.reader.wb)
            #: ``(name, part, is a chart sheet)`` in the workbook's order.
            self.sheets: list[tuple[str, str, bool]] = [
                (sheet.name, rel.target, "chartsheet" in rel.Type)
                for sheet, rel in self.reader.parser.find_sheets()
                if rel.target in self.reader.valid_files
            ]
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self.reader.archive.close()

    def choose(self, wanted: tuple[str, ...]) -> tuple[str, bool]:
        """``(part, is a chart sheet)`` of the first sheet named in ``wanted`` (lower
        case), else of the first worksheet; :class:`IndexError` when there is none."""
        names = {name.lower(): (part, chart) for name, part, chart in self.sheets}
        chosen = next((names[name] for name in wanted if name in names), None)
        if chosen is not None:
            return chosen
        worksheets = [(part, chart) for _, part, chart in self.sheets if not chart]
        if not worksheets:
            raise IndexError("the workbook has no worksheet")
        return worksheets[0]

    def rows(self, sheet: tuple[str, bool]) -> Iterator[list[Cell]]:
        """The rows of a sheet :meth:`choose` chose."""
        part, chart = sheet
        if chart:
            raise NotAWorksheet(part)
        with self.reader.archive.open(part) as source:
            yield from _rows(source, self.reader)


def _rows(source: Any, reader: Any) -> Iterator[list[Cell]]:
    wb = reader.wb
    cells = _CellParser(
        None,
        reader.shared_strings,
        data_only=False,
        epoch=wb.epoch,
        date_formats=wb._date_formats,
        timedelta_formats=wb._timedelta_formats,
    )
    max_col: int | None = None
    max_row: int | None = None
    counter = idx = 1
    rows_seen = False
    for element in _elements(source, (_ROW, _DIMENSION)):
        if element.tag == _DIMENSION:
            if not rows_seen:  # openpyxl reads a dimension declared before the rows only
                _, _, max_col, max_row = SheetDimension.from_tree(element).boundaries
            continue
        rows_seen = True
        idx, found = cells.parse_row(element)
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
        if max_row is not None and idx > max_row:
            break
        while counter < idx:  # rows the sheet leaves out
            counter += 1
            yield [None] * max_col if max_col else []
        if counter <= idx:
            counter += 1
            yield _row(found, max_col)
    if max_row is not None and max_row < idx:
        for _ in range(counter, max_row + 1):
            yield [None] * max_col if max_col else []


class _CellParser(WorkSheetParser):  # type: ignore[misc]
    """openpyxl's cell parser, with a short way for the commonest cells, read as
    :meth:`WorkSheetParser.parse_cell` reads them: a shared string or a number (not
    styled as a date) holding one ``<v>`` and no formula, and an inline string of one
    plain ``<t>`` (how openpyxl's write-only workbooks store text)."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        if len(element) != 1:
            return super().parse_cell(element)  # type: ignore[no-any-return]
        kind = element.get("t", "n")
        style_id = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        child = element[0]
        if kind in ("s", "n") and child.tag == _VALUE and not len(child):
            if kind == "n" and style_id in self.date_formats:
                return super().parse_cell(element)  # type: ignore[no-any-return]
            text = child.text or None
            if text is None:
                value = None
            elif kind == "s":
                value = self.shared_strings[int(text)]
            else:
                value = _cast_number(text)
        elif kind == "inlineStr" and (plain := _plain_inline(child)) is not None:
            value, kind = plain, "s"
        else:
            return super().parse_cell(element)  # type: ignore[no-any-return]
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        return {
            "row": row,
            "column": column,
            "value": value,
            "data_type": kind,
            "style_id": style_id,
        }


def _plain_inline(child: Any) -> str | None:
    """The text of ``<is><t>text</t></is>``, else None."""
    if child.tag != _INLINE or len(child) != 1 or child.attrib:
        return None
    plain = child[0]
    if plain.tag != _TEXT or len(plain):
        return None
    return plain.text  # type: ignore[no-any-return]


def _elements(source: Any, tags: tuple[str, ...]) -> Iterator[Any]:
    """The ``tags`` elements of an XML part as each ends, read with the hardened
    settings of :mod:`qti.xml`; ValueError for a part carrying a DOCTYPE."""
    events = etree.iterparse(
        source,
        events=("end",),
        tag=tags,
        no_network=True,
        resolve_entities=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    checked = False
    for _, element in events:
        if not checked:
            checked = True
            if element.getroottree().docinfo.doctype:
                raise ValueError("DOCTYPE declarations are not allowed in a workbook")
        yield element


def _string_table(source: Any) -> list[str]:
    """The shared strings as :func:`openpyxl.reader.strings.read_string_table` reads
    them (a string's text and its runs' texts, not its phonetic runs), a plain one
    without building openpyxl's :class:`Text` of it."""
    strings = []
    for item in _elements(source, (_STRING,)):
        if len(item) == 1 and item[0].tag == _TEXT and not len(item[0]):
            text = item[0].text or ""
        else:
            text = Text.from_tree(item).content
        strings.append(text.replace("x005F_", ""))
        item.clear()
        while item.getprevious() is not None:
            del item.getparent()[0]
    return strings


def _row(found: list[dict[str, Any]], max_col: int | None) -> list[Cell]:
    if not found and not max_col:
        return []
    width = max_col or found[-1]["column"]
    row: list[Cell] = [None] * width
    for cell in found:
        column = cell["column"]
        if 1 <= column <= width:
            row[column - 1] = (cell["value"], cell["data_type"])
    return row
