"""Building spreadsheets for the import tests, and reading their reports."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from itembank.models import ImportBatch


def csv_bytes(
    rows: Sequence[dict[str, Any]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    encoding: str = "utf-8",
    header: Sequence[str] | None = None,
) -> bytes:
    """A CSV file of ``rows`` (dicts: header -> cell); the header is every key in order."""
    columns = list(header or _columns(rows))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def xlsx_bytes(
    rows: Sequence[dict[str, Any]],
    *,
    sheet: str = "Soal",
    header: Sequence[str] | None = None,
    formulas: dict[tuple[int, str], str] | None = None,
) -> bytes:
    """An XLSX workbook of ``rows``; ``formulas`` puts a formula at (row index, column)."""
    import openpyxl

    columns = list(header or _columns(rows))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(columns)
    for index, row in enumerate(rows):
        ws.append([row.get(c) for c in columns])
        for (row_index, column), formula in (formulas or {}).items():
            if row_index == index:
                ws.cell(row=index + 2, column=columns.index(column) + 1, value=formula)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return list(columns)


def entries(batch: ImportBatch, severity: str | None = None) -> list[tuple[str, str, str]]:
    """``(row, column, English message)`` of the report's entries (of one severity)."""
    return [
        (e.item_ref, e.column_name, e.message_en)
        for e in batch.entries
        if severity is None or e.severity == severity
    ]


def outcomes(batch: ImportBatch) -> dict[str, str]:
    """Row -> outcome, for the entries that conclude an item."""
    return {e.item_ref: e.outcome for e in batch.entries if e.outcome}


SC_ROW = {
    "jenis_soal": "Pilihan ganda",
    "pokok_soal": "Berapa 2 + 3?",
    "opsi_a": "4",
    "opsi_b": "5",
    "opsi_c": "6",
    "kunci": "b",
    "poin": "5",
    "taksonomi": "skd-cpns",
    "kode_klasifikasi": "TIU.NUM",
}


def true_false_csv(count: int, stem: str = "Nomor") -> bytes:
    """A CSV of ``count`` true/false items (``"<stem> <n>."``): cheap to check, so a
    large file is quick to make and to import (the kill, cancel and progress tests)."""
    rows = []
    for n in range(count):
        row = {**SC_ROW, "jenis_soal": "true_false", "kunci": "Benar", "pokok_soal": f"{stem} {n}."}
        for column in ("opsi_a", "opsi_b", "opsi_c", "poin"):
            row.pop(column)
        rows.append(row)
    return csv_bytes(rows)
