"""The importer's one-pass XLSX sheet reader (plugins/importers/_xlsx.py) gives exactly the
rows openpyxl's read-only worksheet gives: values, data types (formulas), row numbers
and widths, within the declared dimension; and it refuses what the hardened parser
refuses."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import openpyxl
import pytest

from itembank.importing import ImportContext, ImportFileError, ImportLimits, ImportSource
from plugins.importers._xlsx import Workbook
from plugins.importers.spreadsheet import ITEM_SHEETS, SpreadsheetImporter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def openpyxl_rows(data: bytes) -> list[list[Any]]:
    """What the importer read before: openpyxl's read-only sheet, cell by cell."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, keep_links=False)
    try:
        names = {name.lower(): name for name in book.sheetnames}
        chosen = next((names[name] for name in ITEM_SHEETS if name in names), None)
        sheet = book[chosen] if chosen else book.worksheets[0]
        return [[_cell(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    finally:
        book.close()


def reader_rows(data: bytes) -> list[list[Any]]:
    book = Workbook(data)
    try:
        return [
            [None if c is None else _cell(*c) for c in row]
            for row in book.rows(book.choose(ITEM_SHEETS))
        ]
    finally:
        book.close()


def _cell(value: Any, data_type: str) -> Any:
    # an empty cell the sheet holds (styled) reads as one it leaves out
    return None if value is None and data_type != "f" else (value, data_type)


SHARED_STRINGS = (
    f'<sst xmlns="{MAIN}" count="6" uniqueCount="6"><si><t>satu</t></si>'
    "<si><r><t>du</t></r><r><rPr><b/></rPr><t>a</t></r></si>"
    '<si><t xml:space="preserve"> tiga </t></si>'
    '<si><t>empat</t><rPh sb="0" eb="1"><t>yon</t></rPh></si>'
    "<si><t>li_x005F_x000D_ma</t></si><si><t/></si></sst>"
)
STRINGS_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def with_sheet_xml(data: bytes, sheet_data: str, *, before: str = "", doctype: str = "") -> bytes:
    """``data`` with its Soal sheet's XML replaced by ``sheet_data`` (``<row>`` elements),
    ``before`` them (a ``<dimension>``) and an optional DOCTYPE; and a shared string
    table of three strings (as Excel writes text), which openpyxl does not write."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="{MAIN}">'
        f"{before}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":  # the Soal sheet
                body = xml.encode("utf-8")
            elif info.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", STRINGS_TYPE.encode() + b"</Types>")
            target.writestr(info, body)
        target.writestr("xl/sharedStrings.xml", SHARED_STRINGS)
    return out.getvalue()


def workbook_bytes(write_only: bool = False) -> bytes:
    book = openpyxl.Workbook(write_only=write_only)
    if write_only:
        other = book.create_sheet("Lain")
        other.append(["not", "this"])
        sheet = book.create_sheet("Soal")
        rows = [
            ["jenis_soal", "pokok_soal", None, 3.5],
            [],
            [datetime.datetime(2024, 5, 1, 10, 30), datetime.date(2024, 1, 2), "=SUM(A1:A2)"],
            [True, 12, 1e-7, "teks\nbaris", "  spasi  ", "Ä ünïcode ≥"],
        ]
        for row in rows:
            sheet.append(row)
    else:
        sheet = book.active
        sheet.title = "Lain"
        sheet = book.create_sheet("Soal")
        sheet["A1"], sheet["B1"], sheet["D1"] = "jenis_soal", "pokok_soal", 3.5
        sheet["A3"] = datetime.datetime(2024, 5, 1, 10, 30)
        sheet["B3"] = datetime.date(2024, 1, 2)
        sheet["C3"] = "=SUM(A1:A2)"
        sheet["D3"], sheet["E3"], sheet["F3"] = True, 12, 1e-7
        sheet["A6"], sheet["H6"] = "teks\nbaris", datetime.time(10, 5)
        sheet["B7"].number_format = "0.00"
        sheet["B7"] = 0.5
        sheet["C8"].number_format = "0.00"  # styled, empty
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("write_only", [False, True], ids=["dimension", "no-dimension"])
def test_rows_are_openpyxls_for_workbooks_openpyxl_writes(write_only: bool) -> None:
    data = workbook_bytes(write_only)
    assert reader_rows(data) == openpyxl_rows(data)
    assert len(reader_rows(data)) >= 4


CELLS = {
    "gaps and no references": (
        '<row r="2"><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>'
        '<row r="5"><c r="C5" t="inlineStr"><is><r><t>ka</t></r><r><t>ta</t></r></is></c></row>'
    ),
    "rich and phonetic inline strings": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t><r><t>b</t></r>'
        '<rPh sb="0" eb="1"><t>x</t></rPh></is></c>'
        '<c r="B1" t="inlineStr"><is><t/></is></c>'
        '<c r="C1" t="inlineStr"><is><t xml:space="preserve"> sp </t></is></c>'
        '<c r="D1" t="inlineStr"><is></is></c></row>'
    ),
    "types": (
        '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="e"><v>#N/A</v></c>'
        '<c r="C1" t="str"><v>s</v></c><c r="D1" t="n"><v>2.50</v></c>'
        '<c r="E1"><f>A1*2</f><v>2</v></c><c r="F1" t="d"><v>2024-03-01T00:00:00</v></c>'
        '<c r="G1" t="inlineStr"><f>"x"</f><is><t>x</t></is></c></row>'
    ),
    "shared formulas": (
        '<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1+1</f><v>1</v></c></row>'
        '<row r="2"><c r="A2"><f t="shared" si="0"/><v>1</v></c></row>'
        '<row r="3"><c r="A3"><f t="shared" si="0"/><v>1</v></c></row>'
    ),
    "shared strings and numbers": (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="0"><v>1</v></c>'
        '<c r="C1"><v>7</v></c><c r="D1" t="n"><v>-1.5E3</v></c><c r="E1"><v/></c>'
        '<c r="F1" t="s"><v></v></c><c r="G1" s="1"><v>45000</v></c><c r="H1" s="2"><v>0.25</v></c>'
        '<c r="I1"><v>2</v><extLst/></c><c r="J1" t="s"><v>2</v></c></row>'
        '<row r="2"><c t="s"><v>2</v></c><c><v>3</v></c></row>'  # no cell references
        '<row r="3"><c t="s"><v>3</v></c><c t="s"><v>4</v></c><c t="s"><v>5</v></c></row>'
    ),
    "rows out of order": (
        '<row r="3"><c r="A3"><v>3</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
        '<row r="4"><c r="A4"><v>4</v></c></row>'
    ),
}


@pytest.mark.parametrize("cells", CELLS.values(), ids=CELLS.keys())
@pytest.mark.parametrize(
    "before",
    ["", '<dimension ref="A1:H9"/>', '<dimension ref="A1:B3"/>', '<dimension ref="A1"/>'],
    ids=["no-dimension", "wider", "narrower", "one-cell"],
)
def test_rows_are_openpyxls_for_sheets_other_tools_write(cells: str, before: str) -> None:
    data = with_sheet_xml(workbook_bytes(), cells, before=before)
    rows = reader_rows(data)
    assert rows == openpyxl_rows(data)
    assert rows != reader_rows(workbook_bytes())  # the sheet read is the one written here


def read_all(data: bytes) -> list[Any]:
    context = ImportContext("BANK", "id", {}, ImportLimits())
    return list(SpreadsheetImporter().read(ImportSource("soal.xlsx", data), context))


def test_a_sheet_with_a_doctype_is_refused_as_damaged() -> None:
    doctype = '<!DOCTYPE worksheet [<!ENTITY e "boom">]>'
    data = with_sheet_xml(
        workbook_bytes(),
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>',
        doctype=doctype,
    )
    with pytest.raises(ImportFileError) as raised:
        read_all(data)
    assert "damaged" in raised.value.message_en


def test_shared_strings_with_a_doctype_are_refused() -> None:
    data = with_sheet_xml(workbook_bytes(), '<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                body = b'<!DOCTYPE sst [<!ENTITY e "boom">]>' + body.replace(b"satu", b"&e;")
            target.writestr(info, body)
    with pytest.raises(ImportFileError) as raised:
        read_all(out.getvalue())
    assert "cannot be read" in raised.value.message_en


def test_a_sheet_of_broken_xml_is_refused_as_damaged() -> None:
    data = with_sheet_xml(workbook_bytes(), '<row r="1"><c r="A1"><v>1</v></row>')
    with pytest.raises(ImportFileError) as raised:
        read_all(data)
    assert "damaged" in raised.value.message_en
