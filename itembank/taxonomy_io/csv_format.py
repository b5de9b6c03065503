"""The CSV format of a taxonomy, as saved by a spreadsheet: :func:`parse_taxonomy_csv`.

UTF-8 with or without BOM, separated by commas or semicolons (Indonesian Excel uses
semicolons; tabs are accepted too), one node per row, with a header row. Column names
may be Indonesian or English:

==========================  =====================================================
``kode`` / ``code``         node code (required)
``kode_induk`` /            code of the parent node; empty for a top-level node.
``parent_code``             Parents may come after their children.
``nama`` / ``name``         Indonesian name (required column)
``nama_en`` / ``name_en``   English name
``deskripsi`` /             Indonesian description
``description``
``deskripsi_en`` /          English description
``description_en``
``tingkat_1`` .. ``_5`` /   Indonesian descriptions of levels 1-5, filled from
``level_1`` .. ``_5``       level 1 without gaps
==========================  =====================================================

Problems are placed by row and column, rows numbered as in the spreadsheet (the header
is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections import deque
from dataclasses import dataclass

from itembank.taxonomy import Level, Node, Taxonomy
from itembank.taxonomy_io.checks import (
    CODE_RULE_EN,
    CODE_RULE_ID,
    CONTROL_RE,
    MAX_DEPTH,
    MAX_NODES,
    Problems,
    check_contract,
    decode,
    lang_map,
    quote,
    valid_code,
)

CSV_LEVELS = 5
"""Level columns a CSV file may have (``tingkat_1`` .. ``tingkat_5``)."""

_CSV_DELIMITERS = (",", ";", "\t")

_CSV_COLUMNS: dict[str, tuple[str, str]] = {
    "code": ("kode", "code"),
    "parent": ("kode_induk", "parent_code"),
    "name_id": ("nama", "name"),
    "name_en": ("nama_en", "name_en"),
    "description_id": ("deskripsi", "description"),
    "description_en": ("deskripsi_en", "description_en"),
    **{f"level_{n}": (f"tingkat_{n}", f"level_{n}") for n in range(1, CSV_LEVELS + 1)},
}
"""Column key → (Indonesian header, English header), as named in messages."""

_CSV_ALIASES: dict[str, str] = {
    **{header: key for key, headers in _CSV_COLUMNS.items() for header in headers},
    "nama_id": "name_id",
    "name_id": "name_id",
    "deskripsi_id": "description_id",
    "description_id": "description_id",
}
"""Accepted header (normalised) → column key."""

_CSV_REQUIRED = ("code", "name_id")


def _normalise_header(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lstrip("\ufeff").strip().lower())


def _sniff_delimiter(text: str) -> str:
    """The separator used in the header line: the most frequent of , ; and tab."""
    first_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    counts = {delimiter: first_line.count(delimiter) for delimiter in _CSV_DELIMITERS}
    best = max(_CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


@dataclass(slots=True)
class _CsvRow:
    """One data row of the CSV file; ``number`` is its spreadsheet row number."""

    number: int
    code: str
    parent: str
    name: dict[str, str]
    description: dict[str, str]
    levels: list[str]


def _cell(row: int, key: str) -> tuple[str, str]:
    """The place ``row, column`` in Indonesian and English."""
    col_id, col_en = _CSV_COLUMNS[key]
    return f"baris {row}, kolom {col_id}", f"row {row}, column {col_en}"


def _read_csv_records(text: str, problems: Problems) -> list[tuple[int, list[str]]]:
    """All records with their spreadsheet row numbers (the header is row 1)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    number = 0
    data_rows = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                if number > 1:
                    data_rows += 1
                if data_rows > MAX_NODES:
                    problems.fail(
                        None,
                        f"lebih dari {MAX_NODES:,} baris data".replace(",", "."),
                        f"more than {MAX_NODES:,} data rows",
                    )
            records.append((number, cells))
    except csv.Error as exc:
        problems.fail(
            (f"baris {number + 1}", f"row {number + 1}"),
            f"CSV tidak dapat dibaca: {exc}",
            f"the CSV cannot be read: {exc}",
        )
    return records


def _csv_columns(header: list[str], problems: Problems) -> dict[int, str]:
    """Column index → column key, from the header row."""
    columns: dict[int, str] = {}
    where: dict[str, str] = {}
    for index, raw in enumerate(header):
        name = _normalise_header(raw)
        if not name:
            continue
        key = _CSV_ALIASES.get(name)
        if key is None:
            accepted = ", ".join(f"{ind}/{en}" for ind, en in _CSV_COLUMNS.values())
            problems.add(
                ("baris 1", "row 1"),
                f"kolom tidak dikenal {quote(raw.strip())} (yang diterima: {accepted})",
                f"unknown column {quote(raw.strip())} (accepted: {accepted})",
            )
            continue
        if key in where:
            problems.add(
                ("baris 1", "row 1"),
                f"kolom {quote(raw.strip())} dan {quote(where[key])} berarti sama "
                f"({_CSV_COLUMNS[key][0]})",
                f"columns {quote(raw.strip())} and {quote(where[key])} mean the same "
                f"({_CSV_COLUMNS[key][1]})",
            )
            continue
        where[key] = raw.strip()
        columns[index] = key
    for key in _CSV_REQUIRED:
        if key not in where:
            col_id, col_en = _CSV_COLUMNS[key]
            problems.add(
                ("baris 1", "row 1"),
                f"kolom wajib {quote(col_id)} (atau {quote(col_en)}) tidak ada",
                f"the required column {quote(col_en)} (or {quote(col_id)}) is missing",
            )
    return columns


def _csv_row(number: int, cells: list[str], columns: dict[int, str], problems: Problems) -> _CsvRow:
    values: dict[str, str] = {}
    for index, cell in enumerate(cells):
        key = columns.get(index)
        if key is None:
            if cell.strip():
                problems.add(
                    (f"baris {number}, kolom ke-{index + 1}", f"row {number}, column {index + 1}"),
                    "sel berisi nilai tetapi kolomnya tidak berjudul",
                    "the cell has a value but its column has no header",
                )
            continue
        value = cell.strip()
        if CONTROL_RE.search(value):
            problems.add(
                _cell(number, key), "berisi karakter kontrol", "contains a control character"
            )
        values[key] = value

    code = values.get("code", "")
    if not code:
        problems.add(_cell(number, "code"), "kode kosong", "the code is empty")
    elif not valid_code(code):
        problems.add(
            _cell(number, "code"),
            f"kode {quote(code)} tidak sah ({CODE_RULE_ID})",
            f"code {quote(code)} is not valid ({CODE_RULE_EN})",
        )
    parent = values.get("parent", "")
    name = lang_map([("id", values.get("name_id", "")), ("en", values.get("name_en", ""))])
    if not name:
        problems.add(_cell(number, "name_id"), "nama kosong", "the name is empty")
    description = lang_map(
        [("id", values.get("description_id", "")), ("en", values.get("description_en", ""))]
    )
    levels: list[str] = []
    for level in range(1, CSV_LEVELS + 1):
        text = values.get(f"level_{level}", "")
        if not text:
            continue
        if len(levels) + 1 != level:
            problems.add(
                _cell(number, f"level_{level}"),
                f"tingkat {level} diisi tetapi tingkat {len(levels) + 1} kosong",
                f"level {level} is filled but level {len(levels) + 1} is empty",
            )
        levels.append(text)
    return _CsvRow(number, code, parent, name, description, levels)


def _csv_links(rows: list[_CsvRow], problems: Problems) -> None:
    """Check duplicate codes, unknown parents and cycles."""
    by_code: dict[str, _CsvRow] = {}
    for row in rows:
        if not row.code:
            continue
        first = by_code.get(row.code)
        if first is not None:
            problems.add(
                _cell(row.number, "code"),
                f"kode {quote(row.code)} ganda, sudah ada di baris {first.number}",
                f"duplicate code {quote(row.code)}, already on row {first.number}",
            )
        else:
            by_code[row.code] = row

    parents: dict[str, str] = {}
    for row in rows:
        if not row.parent:
            continue
        if row.parent == row.code:
            problems.add(
                _cell(row.number, "parent"),
                f"induk {quote(row.parent)} adalah kode baris itu sendiri",
                f"parent {quote(row.parent)} is the row's own code",
            )
        elif row.parent not in by_code:
            problems.add(
                _cell(row.number, "parent"),
                f"induk {quote(row.parent)} tidak ditemukan",
                f"parent {quote(row.parent)} not found",
            )
        elif by_code.get(row.code) is row:
            parents[row.code] = row.parent

    # Follow each chain of parents once; a chain that meets itself is a cycle.
    state: dict[str, int] = {}  # 1: on the chain being followed, 2: done
    for start in parents:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current not in state:
            state[current] = 1
            chain.append(current)
            current = parents.get(current)
        if current is not None and state[current] == 1:
            cycle = chain[chain.index(current) :]
            numbers = ", ".join(str(by_code[code].number) for code in cycle)
            path = " → ".join([*cycle, cycle[0]])
            problems.add(
                (f"baris {numbers}, kolom kode_induk", f"rows {numbers}, column parent_code"),
                f"induk membentuk siklus {path}",
                f"the parents form a cycle {path}",
            )
        for code in chain:
            state[code] = 2


def _csv_tree(rows: list[_CsvRow], problems: Problems) -> list[Node]:
    """The tree in row order; checks the depth limit."""
    nodes: dict[str, Node] = {}
    for row in rows:
        nodes[row.code] = Node(
            code=row.code,
            name=row.name,
            description=row.description,
            levels=[
                Level(number=number, description={"id": text})
                for number, text in enumerate(row.levels, start=1)
            ],
        )
    roots: list[Node] = []
    for row in rows:
        if row.parent:
            nodes[row.parent].children.append(nodes[row.code])
        else:
            roots.append(nodes[row.code])
    numbers = {row.code: row.number for row in rows}
    queue: deque[tuple[Node, int]] = deque((root, 1) for root in roots)
    while queue:
        node, depth = queue.popleft()
        if depth > MAX_DEPTH:
            problems.add(
                _cell(numbers[node.code], "parent"),
                f"simpul {quote(node.code)} berada di tingkat {depth}, melebihi batas {MAX_DEPTH}",
                f"node {quote(node.code)} is at depth {depth}, over the limit of {MAX_DEPTH}",
            )
            continue
        queue.extend((child, depth + 1) for child in node.children)
    return roots


def parse_taxonomy_csv(
    data: bytes,
    *,
    code: str,
    name_id: str,
    name_en: str = "",
    source: str = "",
    version: str = "",
) -> Taxonomy:
    """Read a taxonomy from a spreadsheet saved as CSV (see the module docstring).

    :param data: the file's bytes.
    :param code: the new taxonomy's code (CSV files carry nodes only).
    :param name_id: its Indonesian name.
    :param name_en: its English name.
    :param source: where it comes from, e.g. the ministry regulation.
    :param version: its version or year.
    :raises TaxonomyImportError: listing every problem found.
    """
    problems = Problems()
    if not valid_code(code or ""):
        problems.add(
            ("kode taksonomi", "taxonomy code"),
            f"kode {quote(code)} tidak sah ({CODE_RULE_ID})",
            f"code {quote(code)} is not valid ({CODE_RULE_EN})",
        )
    if not ((name_id or "").strip() or (name_en or "").strip()):
        problems.add(("nama taksonomi", "taxonomy name"), "wajib diisi", "is required")
    problems.check()

    text = decode(
        data,
        hint_id="di Excel simpan ulang sebagai 'CSV UTF-8 (Comma delimited)'",
        hint_en="in Excel, save it again as 'CSV UTF-8 (Comma delimited)'",
    )
    records = _read_csv_records(text, problems)
    if not records or not any(cell.strip() for cell in records[0][1]):
        problems.fail(
            ("baris 1", "row 1"),
            "baris pertama harus berisi judul kolom",
            "the first row must hold the column headers",
        )
    columns = _csv_columns(records[0][1], problems)
    problems.check()

    rows = [
        _csv_row(number, cells, columns, problems)
        for number, cells in records[1:]
        if any(cell.strip() for cell in cells)
    ]
    if not rows:
        problems.fail(None, "berkas tidak berisi baris data", "the file has no data rows")
    _csv_links(rows, problems)
    problems.check()
    nodes = _csv_tree(rows, problems)
    problems.check()

    taxonomy = Taxonomy(
        code=code,
        name=lang_map([("id", (name_id or "").strip()), ("en", (name_en or "").strip())]),
        nodes=nodes,
        source=source,
        version=version,
    )
    check_contract(taxonomy, problems)
    return taxonomy
