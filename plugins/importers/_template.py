"""Spreadsheet templates: a header row in Indonesian and an example row per item type;
the XLSX adds the bank's taxonomy codes and levels and a sheet explaining each column."""

from __future__ import annotations

import csv
import io
from typing import Any

from itembank.importing import ImportContext
from itembank.itemtypes import ItemType
from plugins.importers import _columns as cols
from plugins.importers._layouts import content_cells, layout_columns

#: Common columns a template shows (``klasifikasi_lain`` is accepted but not shown).
TEMPLATE_COMMON = tuple(c for c in cols.COMMON if c is not cols.MORE_CLASSIFICATIONS)


def template_columns(item_type: ItemType) -> list[cols.Column]:
    example = item_type.example_content()
    return [*TEMPLATE_COMMON, *layout_columns(item_type.id, example)]


def example_row(item_type: ItemType, context: ImportContext | None) -> dict[str, str]:
    label = item_type.label.get("id") or item_type.id
    cells = {
        cols.TYPE.name: item_type.id,
        cols.STEM.name: f"Contoh soal {label}: ganti baris ini dengan soal Anda.",
        cols.TAGS.name: "contoh",
    }
    if context is not None:
        cells.update(_example_classification(context))
    cells.update(content_cells(item_type.id, item_type.example_content()))
    return cells


def _example_classification(context: ImportContext) -> dict[str, str]:
    for taxonomy in context.taxonomies:
        for code, _name, levels in taxonomy.nodes:
            cells = {cols.TAXONOMY.name: taxonomy.code, cols.NODE.name: code}
            if levels:
                cells[cols.LEVEL.name] = str(levels[0])
            return cells
    return {}


def csv_template(item_type: ItemType) -> bytes:
    columns = template_columns(item_type)
    example = example_row(item_type, None)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    writer.writerow([example.get(column.name, "") for column in columns])
    # A BOM, so Excel opens the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_template(item_type: ItemType, context: ImportContext) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    columns = template_columns(item_type)
    example = example_row(item_type, context)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Soal"
    _append(sheet, [column.name for column in columns])
    _append(sheet, [example.get(column.name, "") for column in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        width = 60 if column is cols.STEM else max(12, len(column.name) + 2)
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width

    taxonomies = workbook.create_sheet("Taksonomi")
    _append(taxonomies, ["taksonomi", "nama_taksonomi", "kode_klasifikasi", "nama", "level"])
    for taxonomy in context.taxonomies:
        for code, name, levels in taxonomy.nodes:
            _append(
                taxonomies,
                [taxonomy.code, taxonomy.name, code, name, ", ".join(map(str, levels))],
            )
    for cell in taxonomies[1]:
        cell.font = Font(bold=True)

    guide = workbook.create_sheet("Petunjuk")
    _append(guide, ["kolom", "nama lain (English)", "keterangan", "description"])
    for column in columns:
        _append(guide, [column.name, ", ".join(column.aliases), column.help_id, column.help_en])
    for cell in guide[1]:
        cell.font = Font(bold=True)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _append(sheet: Any, values: list[str]) -> None:
    """Append a row of text; a value starting with '=' stays text, never a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"
