"""The downloadable reports: the analysis workbook (sheets, headers in both languages,
numbers as numbers, DIF columns only with DIF, text never a formula, the same bytes
whenever it is written) and the disagreement report as CSV and XLSX."""

from __future__ import annotations

import csv
import datetime as real_datetime
import io
import time as real_time
import types
import zipfile
from datetime import UTC, datetime
from typing import Any

import openpyxl
import pytest

from itembank.operations.statistics_report import (
    analysis_xlsx,
    disagreement_csv,
    disagreement_xlsx,
)


def _row(position: int, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "position": position,
        "section": "=Bagian 1",
        "item": f"T-00000{position}",
        "item_id": 10 + position,
        "version": 2,
        "version_id": 20 + position,
        "item_type": "single_choice",
        "identifier": f"I-T-00000{position}-V2",
        "max_score": 5.0,
        "n_exposed": 300,
        "n_attempted": 290,
        "n_omitted": 10,
        "mean": 3.25,
        "p": 0.65,
        "sd": 2.1,
        "item_rest": 0.31,
        "item_total": 0.4,
        "latent": None,
        "alpha_if_deleted": 0.81,
        "dichotomous": True,
        "median_seconds": None,
        "options": [
            {
                "id": "A",
                "letter": "A",
                "key": False,
                "weight": None,
                "share": 0.2,
                "by_group": [0.4, 0.3, 0.2, 0.1, 0.0],
                "mean_total": 20.5,
                "point_biserial": -0.2,
            },
            {
                "id": "B",
                "letter": "B",
                "key": True,
                "weight": None,
                "share": 0.75,
                "by_group": [0.5, 0.6, 0.7, 0.9, 1.0],
                "mean_total": 30.0,
                "point_biserial": 0.3,
            },
        ],
        "omitted_share": 0.05,
        "possible_miskey": False,
        "flags": [
            {
                "code": "p_low",
                "message": "Terlalu sulit",
                "message_en": "Too difficult",
                "value": 0.1,
            }
        ],
        "too_few_candidates": False,
    }
    row.update(extra)
    return row


def _analysis(items: list[dict[str, Any]], dif: dict[str, str] | None = None) -> Any:
    stats = {
        "n": 300,
        "n_complete": 280,
        "mean": 25.5,
        "sd": 6.25,
        "max_score": 40.0,
        "alpha": 0.83,
        "sem": None,
        "histogram_edges": [0.0, 20.0, 40.0],
        "histogram_counts": [100, 200],
    }
    return types.SimpleNamespace(
        id=7,
        form=types.SimpleNamespace(external_id="T-F001", title="+Paket uji"),
        administration=None,
        settings={"min_candidates": 100, "dif": dif},
        candidates=300,
        created_at=datetime(2026, 11, 21, 3, 4, 5, 123456, tzinfo=UTC),
        form_stats={**stats, "sections": {"=Bagian 1": stats}},
        items=items,
    )


def _frozen(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    """openpyxl and zipfile see ``when`` as the current time."""

    class Clock(real_datetime.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return when if tz is None else when.replace(tzinfo=tz)

    fake_datetime = types.SimpleNamespace(datetime=Clock, timezone=real_datetime.timezone)
    fake_time = types.SimpleNamespace(
        time=lambda: when.timestamp(), localtime=real_time.localtime, sleep=real_time.sleep
    )
    monkeypatch.setattr("openpyxl.writer.excel.datetime", fake_datetime)
    monkeypatch.setattr(zipfile, "time", fake_time)


def test_the_analysis_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    analysis = _analysis([_row(1), _row(2, possible_miskey=True, flags=[])])
    _frozen(monkeypatch, datetime(2030, 1, 1, 8, 0, 0))
    first = analysis_xlsx(analysis)
    _frozen(monkeypatch, datetime(2031, 6, 2, 9, 30, 15))
    assert analysis_xlsx(analysis) == first  # the same bytes whenever it is written
    assert all(
        info.date_time == (1980, 1, 1, 0, 0, 0)
        for info in zipfile.ZipFile(io.BytesIO(first)).infolist()
    )
    book = openpyxl.load_workbook(io.BytesIO(first))
    assert book.sheetnames == ["Paket", "Butir", "Opsi"]
    assert book.properties.modified == datetime(2026, 11, 21, 3, 4, 5)

    form = book["Paket"]
    facts = {row[0].value: row[2].value for row in form.iter_rows(min_row=3, max_row=10)}
    assert facts["Paket"] == "T-F001" and facts["Judul paket"] == "+Paket uji"
    assert (
        facts["Pelaksanaan"] == "gabungan semua pelaksanaan / pooled"
        and facts["Jumlah peserta"] == 300
    )
    scopes = {
        row[0].value: [c.value for c in row[1:8]]
        for row in form.iter_rows()
        if isinstance(row[0].value, str) and row[0].value.startswith(("Seluruh", "Bagian:"))
    }
    assert scopes["Seluruh paket / whole form"] == [300, 280, 25.5, 6.25, 40, 0.83, None]
    assert "Bagian: =Bagian 1" in scopes

    items = book["Butir"]
    ids = [c.value for c in items[1]]
    ens = [c.value for c in items[2]]
    assert ens[ids.index("Tingkat kesukaran (p)")] == "Difficulty (p)"
    assert not any(str(h).startswith("DIF") for h in ids)
    first_row = {ids[n]: c for n, c in enumerate(items[3])}
    assert first_row["Bagian"].value == "=Bagian 1" and first_row["Bagian"].data_type == "s"
    assert first_row["N disajikan"].value == 300 and first_row["Rerata skor"].value == 3.25
    assert first_row["Biserial / poliserial"].value is None
    assert first_row["Kemungkinan salah kunci"].value is False
    assert first_row["Kode tanda"].value == "p_low" and first_row["Flags"].value == "Too difficult"
    assert first_row["Tanda"].value == "Terlalu sulit"
    assert items.cell(row=4, column=ids.index("Kemungkinan salah kunci") + 1).value is True

    options = [[c.value for c in row] for row in book["Opsi"].iter_rows(min_row=3)]
    assert options[1][:8] == [1, "T-000001", 2, "B", "B", True, None, 0.75]
    assert options[1][8:13] == [0.5, 0.6, 0.7, 0.9, 1.0]
    assert options[2][3] == "(kosong / blank)" and options[2][7] == 0.05
    assert book["Opsi"]["A4"].font.bold  # the key's row
    assert len(options) == 6


def test_dif_columns_only_with_dif() -> None:
    dif = {
        "method": "MH",
        "delta": -1.7,
        "alpha_mh": 2.06,
        "smd": None,
        "chi_square": 12.5,
        "p_value": 0.0004,
        "category": "C",
        "favours": "reference",
        "n_reference": 150,
        "n_focal": 150,
    }
    analysis = _analysis(
        [_row(1, dif=dif), _row(2, dif={**dif, "category": "A", "favours": ""})],
        dif={"group": "gender", "reference": "M", "focal": "F"},
    )
    book = openpyxl.load_workbook(io.BytesIO(analysis_xlsx(analysis)))
    ids = [c.value for c in book["Butir"][1]]
    row = {ids[n]: c.value for n, c in enumerate(book["Butir"][3])}
    assert row["DIF kategori"] == "C" and row["DIF delta MH"] == -1.7
    assert row["DIF N fokus"] == 150 and row["DIF SMD"] is None
    facts = {r[0].value: r[2].value for r in book["Paket"].iter_rows(min_row=3, max_row=12)}
    assert facts["DIF: kelompok (acuan / fokus)"] == "gender (M / F)"


def test_the_disagreement_report() -> None:
    batch = types.SimpleNamespace(
        disagreement_report=[
            {
                "form": "T-F001",
                "position": 3,
                "item": "T-000003",
                "version": 1,
                "identifier": "I-T-000003-V1",
                "count": 5,
                "patterns": [
                    {"response": "=1+1", "delivered": 1.0, "bank": 0.0, "count": 4},
                    {"response": "-2", "delivered": 0.5, "bank": 0.25, "count": 1},
                ],
            }
        ],
        finished_at=datetime(2026, 11, 21, tzinfo=UTC),
        created_at=None,
    )
    text = disagreement_csv(batch).decode("utf-8")
    assert text.startswith("\ufeffpaket,nomor,kode_soal,")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["T-F001", "3", "T-000003", "1", "I-T-000003-V1", "5", "'=1+1", "1", "0", "4"]
    assert rows[2][6:9] == ["'-2", "0.5", "0.25"]
    book = openpyxl.load_workbook(io.BytesIO(disagreement_xlsx(batch)))
    sheet = book["Ketidaksesuaian"]
    assert [c.value for c in sheet[3]] == [
        "T-F001", 3, "T-000003", 1, "I-T-000003-V1", 5, "=1+1", 1, 0, 4
    ]  # fmt: skip
    assert sheet["G3"].data_type == "s" and sheet["G4"].value == "-2"
    empty = types.SimpleNamespace(disagreement_report=[], finished_at=None, created_at=None)
    assert disagreement_csv(empty).decode("utf-8").count("\n") == 1
