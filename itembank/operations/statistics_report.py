"""Downloadable statistics reports: a form's analysis as an XLSX workbook, and the
disagreement report of a results import as CSV or XLSX.

The workbook has three sheets: **Paket** (the form and each section: N, mean, SD,
alpha, SEM, and the score histograms), **Butir** (one row per entry with every
statistic and its flags, DIF columns when the analysis has DIF) and **Opsi** (per item
and option: share, share by total-score fifth, choosers' mean total, point-biserial,
the key marked). Every table has two header rows, Indonesian then English. Numbers are
numbers (shares formatted as percentages), yes/no cells are booleans, empty statistics
are empty cells; text that a spreadsheet would take for a formula stays text.

The files are deterministic: the same analysis (or import) gives the same bytes (the
workbook's dates are the analysis' own, the zip entries' times fixed). Every download
is recorded as a ``statistics.report`` audit event (:func:`record_report`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from itembank.audit import record
from itembank.csvcells import inert
from itembank.models import Analysis, Bank, ResultImport, User

__all__ = [
    "DISAGREEMENT_COLUMNS",
    "XLSX_MIMETYPE",
    "analysis_xlsx",
    "disagreement_csv",
    "disagreement_rows",
    "disagreement_xlsx",
    "record_report",
]

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The time every zip entry of a workbook carries (the zip format's earliest).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CORE_PROPERTIES = "docProps/core.xml"
DECIMALS = "0.000"
PERCENT = "0.0%"
WHOLE = "0"

Column = tuple[str, str, Callable[[dict[str, Any]], Any], str | None]


def _get(*path: str) -> Callable[[dict[str, Any]], Any]:
    def get(row: dict[str, Any]) -> Any:
        value: Any = row
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return get


def _flag_codes(row: dict[str, Any]) -> str:
    return ", ".join(flag["code"] for flag in row.get("flags") or [])


def _flag_text(language: str) -> Callable[[dict[str, Any]], str]:
    key = "message" if language == "id" else "message_en"
    return lambda row: "; ".join(flag[key] for flag in row.get("flags") or [])


#: The items sheet: (Indonesian header, English header, value, number format).
ITEM_COLUMNS: tuple[Column, ...] = (
    ("No.", "No.", _get("position"), WHOLE),
    ("Bagian", "Section", _get("section"), None),
    ("Kode soal", "Item", _get("item"), None),
    ("Versi", "Version", _get("version"), WHOLE),
    ("Jenis soal", "Item type", _get("item_type"), None),
    ("Identifier QTI", "QTI identifier", _get("identifier"), None),
    ("Skor maksimum", "Maximum score", _get("max_score"), None),
    ("N disajikan", "N exposed", _get("n_exposed"), WHOLE),
    ("N dijawab", "N attempted", _get("n_attempted"), WHOLE),
    ("N kosong", "N omitted", _get("n_omitted"), WHOLE),
    ("Rerata skor", "Mean score", _get("mean"), DECIMALS),
    ("Tingkat kesukaran (p)", "Difficulty (p)", _get("p"), DECIMALS),
    ("Simpangan baku", "SD", _get("sd"), DECIMALS),
    ("Korelasi butir-sisa", "Item-rest correlation", _get("item_rest"), DECIMALS),
    ("Korelasi butir-total", "Item-total correlation", _get("item_total"), DECIMALS),
    ("Biserial / poliserial", "Biserial / polyserial", _get("latent"), DECIMALS),
    ("Alfa jika dihapus", "Alpha if deleted", _get("alpha_if_deleted"), DECIMALS),
    ("Median waktu (detik)", "Median time (seconds)", _get("median_seconds"), DECIMALS),
    ("Proporsi kosong", "Omitted share", _get("omitted_share"), PERCENT),
    ("Kemungkinan salah kunci", "Possible miskey", _get("possible_miskey"), None),
    ("Rerata bobot", "Mean weight", _get("weights", "mean_weight"), DECIMALS),
    ("Peserta terlalu sedikit", "Too few candidates", _get("too_few_candidates"), None),
    ("Kode tanda", "Flag codes", _flag_codes, None),
    ("Tanda", "Flags (Indonesian)", _flag_text("id"), None),
    ("Flags", "Flags (English)", _flag_text("en"), None),
)
DIF_COLUMNS: tuple[Column, ...] = (
    ("DIF metode", "DIF method", _get("dif", "method"), None),
    ("DIF delta MH", "DIF MH delta", _get("dif", "delta"), DECIMALS),
    ("DIF alfa MH", "DIF MH alpha", _get("dif", "alpha_mh"), DECIMALS),
    ("DIF SMD", "DIF SMD", _get("dif", "smd"), DECIMALS),
    ("DIF khi-kuadrat", "DIF chi-square", _get("dif", "chi_square"), DECIMALS),
    ("DIF nilai p", "DIF p value", _get("dif", "p_value"), DECIMALS),
    ("DIF kategori", "DIF category", _get("dif", "category"), None),
    ("DIF menguntungkan", "DIF favours", _get("dif", "favours"), None),
    ("DIF N acuan", "DIF N reference", _get("dif", "n_reference"), WHOLE),
    ("DIF N fokus", "DIF N focal", _get("dif", "n_focal"), WHOLE),
)
FORM_COLUMNS: tuple[tuple[str, str, str, str | None], ...] = (
    ("N", "N", "n", WHOLE),
    ("N lengkap", "N complete", "n_complete", WHOLE),
    ("Rerata", "Mean", "mean", DECIMALS),
    ("Simpangan baku", "SD", "sd", DECIMALS),
    ("Skor maksimum", "Maximum score", "max_score", None),
    ("Alfa (KR-20/Cronbach)", "Alpha (KR-20/Cronbach)", "alpha", DECIMALS),
    ("SEM", "SEM", "sem", DECIMALS),
)
QUINTILES = 5


def _workbook() -> Any:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    return book


def _header(sheet: Any, row: int, labels: Sequence[tuple[str, str]]) -> None:
    from openpyxl.styles import Font

    for column, (label_id, label_en) in enumerate(labels, start=1):
        sheet.cell(row=row, column=column, value=label_id).font = Font(bold=True)
        sheet.cell(row=row + 1, column=column, value=label_en).font = Font(italic=True)


def _put(sheet: Any, row: int, column: int, value: Any, number_format: str | None) -> Any:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if number_format and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = number_format
    return cell


def _widths(sheet: Any, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _naive_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime(2000, 1, 1)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _save(book: Any, moment: datetime | None) -> bytes:
    """The workbook's bytes, the same every time for the same content."""
    stamp = _naive_utc(moment)
    book.properties.creator = "itembank"
    book.properties.lastModifiedBy = "itembank"
    book.properties.created = stamp
    book.properties.modified = stamp
    raw = io.BytesIO()
    book.save(raw)
    # Saving stamps the properties with the current time; write them again with ours.
    from openpyxl.xml.functions import tostring

    book.properties.modified = stamp
    core = tostring(book.properties.to_tree())
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            data = core if info.filename == CORE_PROPERTIES else source.read(info.filename)
            target.writestr(fixed, data)
    return out.getvalue()


# -- the analysis workbook -----------------------------------------------------------------


def analysis_xlsx(analysis: Analysis) -> bytes:
    """The analysis as an XLSX workbook (sheets *Paket*, *Butir*, *Opsi*)."""
    book = _workbook()
    _form_sheet(book.create_sheet("Paket"), analysis)
    _items_sheet(book.create_sheet("Butir"), analysis)
    _options_sheet(book.create_sheet("Opsi"), analysis)
    return _save(book, analysis.created_at)


def _form_sheet(sheet: Any, analysis: Analysis) -> None:
    from openpyxl.styles import Font

    form = analysis.form
    administration = analysis.administration
    settings = analysis.settings or {}
    dif = settings.get("dif")
    facts: list[tuple[str, str, Any]] = [
        ("Paket", "Form", form.external_id),
        ("Judul paket", "Form title", form.title),
        (
            "Pelaksanaan",
            "Administration",
            administration.external_id if administration else "gabungan semua pelaksanaan / pooled",
        ),
        (
            "Judul pelaksanaan",
            "Administration title",
            administration.title if administration else "",
        ),
        ("Jumlah peserta", "Candidates", analysis.candidates),
        ("Nomor analisis", "Analysis number", analysis.id),
        ("Dihitung (UTC)", "Computed (UTC)", _naive_utc(analysis.created_at)),
        (
            "Peserta minimum untuk tanda",
            "Fewest candidates to flag",
            settings.get("min_candidates"),
        ),
    ]
    if dif:
        facts.append(
            (
                "DIF: kelompok (acuan / fokus)",
                "DIF: group (reference / focal)",
                f"{dif.get('group')} ({dif.get('reference')} / {dif.get('focal')})",
            )
        )
    _header(sheet, 1, [("Keterangan", "Fact"), ("", ""), ("Nilai", "Value")])
    row = 3
    for label_id, label_en, value in facts:
        sheet.cell(row=row, column=1, value=label_id)
        sheet.cell(row=row, column=2, value=label_en)
        cell = _put(sheet, row, 3, value, None)
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        row += 1

    row += 1
    sheet.cell(row=row, column=1, value="Statistik paket dan bagian").font = Font(bold=True)
    sheet.cell(row=row, column=2, value="Form and section statistics").font = Font(italic=True)
    row += 1
    _header(sheet, row, [("Lingkup", "Scope")] + [(i, e) for i, e, _, _ in FORM_COLUMNS])
    row += 2
    stats = analysis.form_stats or {}
    scopes: list[tuple[str, dict[str, Any]]] = [("Seluruh paket / whole form", stats)]
    scopes += [(f"Bagian: {name}", part) for name, part in (stats.get("sections") or {}).items()]
    for name, part in scopes:
        _put(sheet, row, 1, name, None)
        for column, (_, _, key, number_format) in enumerate(FORM_COLUMNS, start=2):
            _put(sheet, row, column, part.get(key), number_format)
        row += 1

    for name, part in scopes:
        row += 1
        sheet.cell(row=row, column=1, value=f"Histogram skor: {name}").font = Font(bold=True)
        sheet.cell(row=row, column=2, value="Score histogram").font = Font(italic=True)
        row += 1
        _header(
            sheet,
            row,
            [("Skor dari", "Score from"), ("Skor sampai", "Score to"), ("Jumlah", "Count")],
        )
        row += 2
        edges = part.get("histogram_edges") or []
        for index, count in enumerate(part.get("histogram_counts") or []):
            low = edges[index] if index < len(edges) else None
            high = edges[index + 1] if index + 1 < len(edges) else None
            _put(sheet, row, 1, low, DECIMALS)
            _put(sheet, row, 2, high, DECIMALS)
            _put(sheet, row, 3, count, WHOLE)
            row += 1
    _widths(sheet, [34, 30, 44, 12, 12, 14, 22, 12])


def _item_columns(analysis: Analysis) -> tuple[Column, ...]:
    if any(row.get("dif") for row in analysis.items):
        return ITEM_COLUMNS + DIF_COLUMNS
    return ITEM_COLUMNS


def _items_sheet(sheet: Any, analysis: Analysis) -> None:
    from openpyxl.utils import get_column_letter

    columns = _item_columns(analysis)
    _header(sheet, 1, [(i, e) for i, e, _, _ in columns])
    for row_number, row in enumerate(analysis.items, start=3):
        for column, (_, _, value, number_format) in enumerate(columns, start=1):
            _put(sheet, row_number, column, value(row), number_format)
    sheet.freeze_panes = "D3"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A2:{last}{max(2, len(analysis.items) + 2)}"
    _widths(sheet, [6, 18, 22, 7, 18, 26] + [14] * (len(columns) - 6))


OPTION_HEADERS: tuple[tuple[str, str], ...] = (
    ("No.", "No."),
    ("Kode soal", "Item"),
    ("Versi", "Version"),
    ("Opsi", "Option"),
    ("ID opsi", "Option id"),
    ("Kunci", "Key"),
    ("Bobot", "Weight"),
    ("Proporsi pemilih", "Share choosing"),
    *(
        (f"Kelompok {n}{suffix}", f"Fifth {n}{suffix_en}")
        for n, suffix, suffix_en in (
            (1, " (terendah)", " (lowest)"),
            (2, "", ""),
            (3, "", ""),
            (4, "", ""),
            (5, " (tertinggi)", " (highest)"),
        )
    ),
    ("Rerata skor total pemilih", "Choosers' mean total"),
    ("Point-biserial", "Point-biserial"),
)


def _options_sheet(sheet: Any, analysis: Analysis) -> None:
    from openpyxl.styles import Font

    _header(sheet, 1, OPTION_HEADERS)
    row_number = 3
    for row in analysis.items:
        options = row.get("options")
        if not options:
            continue
        for option in options:
            by_group = list(option.get("by_group") or [])
            values: list[tuple[Any, str | None]] = [
                (row["position"], WHOLE),
                (row["item"], None),
                (row["version"], WHOLE),
                (option.get("letter"), None),
                (option.get("id"), None),
                (bool(option.get("key")), None),
                (option.get("weight"), None),
                (option.get("share"), PERCENT),
                *((by_group[n] if n < len(by_group) else None, PERCENT) for n in range(QUINTILES)),
                (option.get("mean_total"), DECIMALS),
                (option.get("point_biserial"), DECIMALS),
            ]
            for column, (value, number_format) in enumerate(values, start=1):
                cell = _put(sheet, row_number, column, value, number_format)
                if option.get("key"):
                    cell.font = Font(bold=True)
            row_number += 1
        blank = row.get("omitted_share")
        if blank is not None:
            _put(sheet, row_number, 1, row["position"], WHOLE)
            _put(sheet, row_number, 2, row["item"], None)
            _put(sheet, row_number, 3, row["version"], WHOLE)
            _put(sheet, row_number, 4, "(kosong / blank)", None)
            _put(sheet, row_number, 6, False, None)
            _put(sheet, row_number, 8, blank, PERCENT)
            row_number += 1
    sheet.freeze_panes = "D3"
    _widths(sheet, [6, 22, 7, 16, 10, 7, 8, 12, 12, 10, 10, 10, 12, 14, 12])


# -- the disagreement report ---------------------------------------------------------------

#: ``(csv column, Indonesian header, English header)``.
DISAGREEMENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("paket", "Paket", "Form"),
    ("nomor", "No.", "Position"),
    ("kode_soal", "Kode soal", "Item"),
    ("versi", "Versi", "Version"),
    ("identifier", "Identifier QTI", "QTI identifier"),
    ("jumlah_butir", "Jumlah ketidaksesuaian butir", "Disagreements of the item"),
    ("respons", "Respons", "Response"),
    ("skor_pelaksana", "Skor dari sistem pelaksana", "Delivered score"),
    ("skor_bank", "Skor bank soal", "Bank's score"),
    ("jumlah", "Jumlah peserta", "Candidates"),
)


def disagreement_rows(batch: ResultImport) -> list[list[Any]]:
    """One row per disagreeing pattern (item by item), without a header."""
    rows: list[list[Any]] = []
    for item in batch.disagreement_report or []:
        for pattern in item.get("patterns") or []:
            rows.append(
                [
                    item.get("form"),
                    item.get("position"),
                    item.get("item"),
                    item.get("version"),
                    item.get("identifier"),
                    item.get("count"),
                    pattern.get("response"),
                    pattern.get("delivered"),
                    pattern.get("bank"),
                    pattern.get("count"),
                ]
            )
    return rows


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return inert(str(value))


def disagreement_csv(batch: ResultImport) -> bytes:
    """The disagreement report as CSV (UTF-8 with a BOM, a header row)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([name for name, _, _ in DISAGREEMENT_COLUMNS])
    for row in disagreement_rows(batch):
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def disagreement_xlsx(batch: ResultImport) -> bytes:
    """The disagreement report as an XLSX workbook (sheet *Ketidaksesuaian*)."""
    book = _workbook()
    sheet = book.create_sheet("Ketidaksesuaian")
    _header(sheet, 1, [(label_id, label_en) for _, label_id, label_en in DISAGREEMENT_COLUMNS])
    formats = (None, WHOLE, None, WHOLE, None, WHOLE, None, None, None, WHOLE)
    for row_number, row in enumerate(disagreement_rows(batch), start=3):
        for column, (value, number_format) in enumerate(zip(row, formats, strict=True), start=1):
            _put(sheet, row_number, column, value, number_format)
    sheet.freeze_panes = "A3"
    _widths(sheet, [18, 6, 22, 7, 26, 14, 24, 14, 14, 10])
    return _save(book, batch.finished_at or batch.created_at)


# -- audit ---------------------------------------------------------------------------------


def record_report(
    actor: User | None,
    *,
    bank: Bank,
    report: str,
    object_type: str,
    object_id: str,
    fmt: str,
    **details: Any,
) -> None:
    """The ``statistics.report`` audit event: ``actor`` (None: the server's operator)
    downloaded ``report`` (``analysis``, ``disagreements``) as ``fmt``."""
    record(
        "statistics.report",
        actor=actor,
        bank=bank,
        object_type=object_type,
        object_id=object_id,
        report=report,
        format=fmt,
        **details,
    )
