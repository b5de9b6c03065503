"""The spreadsheet importer: XLSX and CSV files, one item per row.

The columns are in :mod:`plugins.importers._columns`; how they become content, in
:mod:`plugins.importers._layouts` and :mod:`plugins.importers._metadata`.
Reading is defensive: a file is checked against the import limits before it is parsed
(an XLSX's declared uncompressed size before it is opened), formulas are never
evaluated (a cell holding ``=SUM(A1:A3)`` is the text ``=SUM(A1:A3)``), and everything
wrong is reported with its row and column rather than raised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time
from typing import Any

from itembank.hookspecs import hookimpl
from itembank.importing import (
    CandidateItem,
    ImportContext,
    Importer,
    ImportFileError,
    ImportSource,
    Location,
    ReportEntry,
    Template,
    error,
    open_zip,
    warning,
)
from itembank.itemtypes import ItemType
from plugins.importers import _columns as cols
from plugins.importers._cells import Row, rich_text
from plugins.importers._layouts import all_columns, read_content
from plugins.importers._metadata import read_metadata

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv"
#: Sheets read, by name (case-insensitive), before falling back to the first one.
ITEM_SHEETS = ("soal", "items")


class SpreadsheetImporter(Importer):
    """Items from XLSX or CSV files that item writers fill in."""

    id = "spreadsheet"
    label = {"id": "Lembar kerja (XLSX/CSV)", "en": "Spreadsheet (XLSX/CSV)"}
    description = {
        "id": "Satu baris satu soal; judul kolom berbahasa Indonesia atau Inggris.",
        "en": "One row per item; column headers in Indonesian or English.",
    }
    extensions = (".xlsx", ".csv")
    template_formats = ("xlsx", "csv")

    def read(
        self, source: ImportSource, context: ImportContext
    ) -> Iterator[CandidateItem | ReportEntry]:
        where = Location(source.filename)
        if len(source.data) > context.limits.max_bytes:
            raise ImportFileError(
                f"Berkas terlalu besar ({len(source.data)} bajt; paling banyak "
                f"{context.limits.max_bytes}).",
                f"The file is too large ({len(source.data)} bytes; at most "
                f"{context.limits.max_bytes}).",
            )
        if source.extension == ".xlsx":
            table = _xlsx_rows(source.data, context)
        else:
            table = _csv_rows(source.data, context)
        yield from _items(table, where, context)

    def template(self, item_type: ItemType, fmt: str, context: ImportContext) -> Template:
        from plugins.importers._template import csv_template, xlsx_template

        if fmt == "csv":
            return Template(f"template-{item_type.id}.csv", CSV_MIMETYPE, csv_template(item_type))
        return Template(
            f"template-{item_type.id}.xlsx", XLSX_MIMETYPE, xlsx_template(item_type, context)
        )


@hookimpl
def itembank_register_importers(register: Callable[[Importer], None]) -> None:
    register(SpreadsheetImporter())


# -- files into rows of text -------------------------------------------------------------------

#: ``(row number, cells, formula column indexes)``; cells are stripped text, ``""`` if empty.
RawRow = tuple[int, list[str], set[int]]


def _xlsx_rows(data: bytes, context: ImportContext) -> Iterator[RawRow]:
    open_zip(data, context.limits, what="XLSX").close()
    from plugins.importers._xlsx import Workbook  # only XLSX imports pay for openpyxl

    try:
        workbook = Workbook(data)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ImportFileError(
            "Berkas XLSX tidak dapat dibaca (rusak atau bukan lembar kerja Excel): "
            f"{type(exc).__name__}.",
            f"The XLSX file cannot be read (damaged, or not an Excel workbook): "
            f"{type(exc).__name__}.",
        ) from None
    try:
        sheet = workbook.choose(ITEM_SHEETS)
        limit = context.limits.max_columns
        try:
            for number, cells in enumerate(workbook.rows(sheet), start=1):
                if len(cells) > limit and any(
                    c is not None and c[0] is not None for c in cells[limit:]
                ):
                    raise ImportFileError(
                        f"Baris {number} memiliki lebih dari {limit} kolom.",
                        f"Row {number} has more than {limit} columns.",
                    )
                values = []
                formulas = set()
                for index, cell in enumerate(cells[:limit]):
                    if cell is None:
                        values.append("")
                        continue
                    value, data_type = cell
                    if data_type == "f":
                        formulas.add(index)
                    values.append(_cell_text(value))
                yield number, values, formulas
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(
                f"Isi berkas XLSX rusak: {type(exc).__name__}.",
                f"The XLSX file's content is damaged: {type(exc).__name__}.",
            ) from None
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes, context: ImportContext) -> Iterator[RawRow]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    number = 0
    try:
        # Rows are numbered by record, as a spreadsheet shows them (a cell may span lines).
        for number, cells in enumerate(reader, start=1):
            if len(cells) > context.limits.max_columns:
                raise ImportFileError(
                    f"Baris {number} memiliki lebih dari {context.limits.max_columns} kolom.",
                    f"Row {number} has more than {context.limits.max_columns} columns.",
                )
            yield number, [cell.strip() for cell in cells], set()
    except csv.Error as exc:
        # csv's own cell limit (process-wide, so left as it is) is above max_cell_chars
        # by default; a cell beyond it ends the file rather than one row.
        if "field limit" in str(exc):
            limit = csv.field_size_limit()
            raise ImportFileError(
                f"Baris {number + 1} berisi sel lebih dari {limit} karakter.",
                f"Row {number + 1} holds a cell of more than {limit} characters.",
            ) from None
        raise ImportFileError(
            f"Berkas CSV tidak dapat dibaca di baris {number + 1}: {exc}.",
            f"The CSV file cannot be read at row {number + 1}: {exc}.",
        ) from None


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(
            "Berkas CSV berformat UTF-16; simpan ulang sebagai 'CSV UTF-8'.",
            "The CSV file is UTF-16; save it again as 'CSV UTF-8'.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Berkas CSV bukan UTF-8 (bajt ke-{exc.start + 1}); simpan ulang sebagai 'CSV UTF-8'.",
            f"The CSV file is not UTF-8 (byte {exc.start + 1}); save it again as 'CSV UTF-8'.",
        ) from None
    if "\x00" in text:
        raise ImportFileError(
            "Berkas CSV berisi karakter NUL; ini bukan berkas teks.",
            "The CSV file contains NUL characters; it is not a text file.",
        )
    return text


# -- rows of text into candidate items ------------------------------------------------------


_KNOWN = {
    cols.normalise(name): column
    for column in all_columns()
    for name in (column.name, *column.aliases)
}


def _items(
    table: Iterator[RawRow], where: Location, context: ImportContext
) -> Iterator[CandidateItem | ReportEntry]:
    header: Sequence[str] | None = None
    mapping: dict[int, cols.Column] = {}
    seen_items = 0
    type_names = _type_names(context)
    for number, cells, formulas in table:
        if not any(cells):
            continue
        if header is None:
            header = cells
            mapping, entries = _header(header, where, number)
            yield from entries
            if any(entry.severity == "error" for entry in entries):
                return
            continue
        seen_items += 1
        if seen_items > context.limits.max_items:
            raise ImportFileError(
                f"Berkas berisi lebih dari {context.limits.max_items} baris soal.",
                f"The file has more than {context.limits.max_items} item rows.",
            )
        yield _row_item(number, cells, formulas, header, mapping, where, context, type_names)
    if header is None:
        yield error(
            where,
            "Berkas kosong: tidak ada baris judul kolom.",
            "The file is empty: there is no header row.",
        )
    elif seen_items == 0:
        yield warning(
            where,
            "Berkas hanya berisi judul kolom; tidak ada soal.",
            "The file has a header row only; there are no items.",
        )


def _header(
    header: Sequence[str], where: Location, number: int
) -> tuple[dict[int, cols.Column], list[ReportEntry]]:
    mapping: dict[int, cols.Column] = {}
    entries: list[ReportEntry] = []
    first: dict[str, str] = {}
    at = Location(where.file, str(number))
    for index, text in enumerate(header):
        if not text:
            continue
        column = _KNOWN.get(cols.normalise(text))
        if column is None:
            entries.append(
                warning(
                    at.at(text),
                    f"Kolom '{text}' tidak dikenal dan diabaikan.",
                    f"Column '{text}' is not known and is ignored.",
                )
            )
            continue
        if column.name in first:
            entries.append(
                error(
                    at.at(text),
                    f"Kolom '{text}' sama dengan kolom '{first[column.name]}'.",
                    f"Column '{text}' is the same as column '{first[column.name]}'.",
                )
            )
            continue
        first[column.name] = text
        mapping[index] = column
    for required in (cols.TYPE, cols.STEM):
        if required.name not in first:
            names = " / ".join((required.name, *required.aliases[:1]))
            entries.append(
                error(
                    at,
                    f"Kolom wajib '{names}' tidak ada di baris judul.",
                    f"The required column '{names}' is missing from the header row.",
                )
            )
    return mapping, entries


def _type_names(context: ImportContext) -> dict[str, str]:
    names: dict[str, str] = {}
    for type_id, item_type in context.item_types.items():
        for name in (type_id, item_type.label.get("id", ""), item_type.label.get("en", "")):
            if name:
                names.setdefault(cols.normalise(name), type_id)
    return names


def _row_item(
    number: int,
    cells: list[str],
    formulas: set[int],
    header: Sequence[str],
    mapping: dict[int, cols.Column],
    where: Location,
    context: ImportContext,
    type_names: dict[str, str],
) -> CandidateItem:
    at = Location(where.file, str(number))
    values: dict[str, str] = {}
    headers: dict[str, str] = {}
    row = Row(at, values, headers)
    notes: list[ReportEntry] = []
    for index, column in mapping.items():
        headers[column.name] = header[index]
        text = cells[index] if index < len(cells) else ""
        if not text:
            continue
        if len(text) > context.limits.max_cell_chars:
            row.problem(
                column,
                f"Isi sel lebih dari {context.limits.max_cell_chars} karakter.",
                f"The cell holds more than {context.limits.max_cell_chars} characters.",
            )
            continue
        if index in formulas:
            notes.append(
                warning(
                    at.at(header[index]),
                    f"Sel berisi rumus; rumus tidak dihitung dan diimpor sebagai teks '{text}'.",
                    f"The cell holds a formula; it is not evaluated and is imported as the "
                    f"text '{text}'.",
                )
            )
        values[column.name] = text
    raw_type = row.get(cols.TYPE) or ""
    type_id = type_names.get(cols.normalise(raw_type), raw_type.strip())
    row.place("type", cols.TYPE)
    stem_text = row.get(cols.STEM)
    row.place("stem", cols.STEM)
    stem = rich_text(stem_text, paragraphs=True) if stem_text is not None else ""
    if not raw_type:
        row.problem(cols.TYPE, "Jenis soal wajib diisi.", "The item type is required.")
        content: Any = {}
    elif type_id not in context.item_types:
        content = {}  # the core reports the unknown type, naming the known ones
    else:
        content = read_content(type_id, row)
    metadata = read_metadata(row)
    external_id = row.get(cols.ITEM_ID)
    row.place("external_id", cols.ITEM_ID)
    for name in sorted(set(values) - row.used):
        notes.append(
            warning(
                at.at(headers[name]),
                f"Kolom {headers[name]} tidak dipakai untuk jenis soal '{type_id}' dan diabaikan.",
                f"Column {headers[name]} is not used by item type '{type_id}' and is ignored.",
            )
        )
    return CandidateItem(
        location=at,
        item_type=type_id,
        stem=stem,
        content=content,
        metadata=metadata,
        external_id=external_id.strip() if external_id else None,
        source_id=None,
        fields=row.fields,
        notes=notes,
        problems=row.problems,
    )
