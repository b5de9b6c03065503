"""Benchmark: importing 10,000 generated items from XLSX and CSV (and with ``--qti``, from
a QTI 3.0 package of all nine types, written by the bank's own exporter).

For each backend (SQLite in a temporary file, and PostgreSQL too with ``--postgres``) and
each format, prints:

* the bare parse time: the spreadsheet importer reading the file into candidate items
  (no database), the baseline;
* the whole import (read, validate every item through the item types and the
  sanitizer, write in batches, store the report, commit) in items per second, with the
  time of each phase and the ratio to the bare parse;
* the same from this process's CPU time (``CPU/s``, ``CPU ratio``): on a shared machine
  CPU time is what other work disturbs least (on PostgreSQL it leaves out the server's
  own work, which the wall-clock figures include).

Before anything is timed each case is checked: the bare parse reads every row, and
the whole import completes, rejects nothing and creates every row as an item (counted
in the bank afterwards; the import is checked on the very run that is timed). Parse
times are medians of ``--repeat`` runs; the import is one run into a fresh bank. Run from the
repository root:

    .venv/bin/python bench/import_spreadsheet.py [--quick] [--rows N] [--repeat N] [--qti]
        [--postgres URL]
"""

from __future__ import annotations

import argparse
import io
import time
import uuid
from collections.abc import Callable
from typing import Any

from _common import (
    PASSWORD,
    Sizes,
    add_postgres,
    database,
    expect,
    headline,
    make_app,
    make_package,
    median_times,
    migrate,
    parse_only,
)

from itembank.importing import ImportContext, ImportLimits, ImportSource

OPTIONS = ["opsi_a", "opsi_b", "opsi_c", "opsi_d", "opsi_e"]
HEADER = [
    "jenis_soal",
    "pokok_soal",
    *OPTIONS,
    "bobot_a",
    "bobot_b",
    "bobot_c",
    "bobot_d",
    "bobot_e",
    "kunci",
    "poin",
    "jawaban_diterima",
    "taksonomi",
    "kode_klasifikasi",
    "level",
    "tingkat_kesukaran",
    "tag",
]


def generate_rows(count: int) -> list[dict[str, Any]]:
    """Mixed items as item writers write them: TIU single choice, TKP weighted options,
    TWK multiple response, true/false and short text, classified against SKD and ASN."""
    rows = []
    for n in range(count):
        kind = n % 5
        stem = (
            f"Soal nomor {n}: sebuah kantor membeli {n % 40 + 2} rim kertas seharga "
            f"Rp{54_000 + n % 100 * 100}/rim. Berapa yang harus dibayar?"
        )
        row: dict[str, Any] = {"pokok_soal": stem, "tag": f"paket-{n % 20}"}
        if kind == 0:
            row.update(jenis_soal="single_choice", kunci="B", poin=5)
            row.update({o: f"Rp{(i + 5) * 97_200 + n}" for i, o in enumerate(OPTIONS)})
            row.update(taksonomi="skd-cpns", kode_klasifikasi="TIU.NUM")
        elif kind == 1:
            row.update(jenis_soal="weighted_options")
            row.update({o: f"Tanggapan {i + 1} untuk situasi {n}." for i, o in enumerate(OPTIONS)})
            row.update(bobot_a=3, bobot_b=5, bobot_c=1, bobot_d=4, bobot_e=2)
            row.update(taksonomi="asn-2017", kode_klasifikasi="M.5", level=n % 5 + 1)
        elif kind == 2:
            row.update(jenis_soal="multiple_response", kunci="A, C, D", poin=3)
            row.update({o: f"Pernyataan {i + 1} tentang Pancasila." for i, o in enumerate(OPTIONS)})
            row.update(taksonomi="skd-cpns", kode_klasifikasi="TWK")
        elif kind == 3:
            row.update(jenis_soal="true_false", kunci="Benar" if n % 2 else "Salah")
            row.update(taksonomi="skd-cpns", kode_klasifikasi="TWK", tingkat_kesukaran="0.4")
        else:
            row.update(jenis_soal="short_text", jawaban_diterima="Bandung | Kota Bandung")
            row.update(taksonomi="skd-cpns", kode_klasifikasi="TIU")
        rows.append(row)
    return rows


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in HEADER])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Soal")
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row.get(c) for c in HEADER])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bare_parse(plugins: Any, name: str, data: bytes) -> Callable[[], int]:
    """Spreadsheets: the importer reading rows into candidates. QTI: parsing every item
    document of the package with lxml (the XML floor; reading and proving come on top).
    The function returns how many items it read."""
    if name.endswith(".zip"):
        return lambda: parse_only(data)
    importer = plugins.importers["spreadsheet"]
    context = ImportContext("BENCH", "id", dict(plugins.item_types), ImportLimits())

    def read() -> int:
        return sum(1 for _ in importer.read(ImportSource(name, data), context))

    return read


def prepare_database(app: Any) -> None:
    from itembank.extensions import db

    with app.app_context():
        migrate()
        db.session.commit()


def timed_import(app: Any, name: str, data: bytes) -> dict[str, float]:
    import sqlalchemy as sa

    from itembank.extensions import db
    from itembank.models import Item, Role
    from itembank.operations.accounts import add_member, create_bank, create_user
    from itembank.operations.imports import run_import

    with app.app_context():
        suffix = uuid.uuid4().hex[:6].upper()
        bank = create_bank(f"B{suffix}", "Bench", actor=None)
        author = create_user(f"bench-{suffix.lower()}", PASSWORD, actor=None)
        add_member(bank, author, Role.AUTHOR, actor=None)
        db.session.commit()
        marks: dict[str, float] = {}

        def progress(phase: str, done: int, total: int) -> None:
            marks.setdefault(phase, time.perf_counter())

        start, cpu_start = time.perf_counter(), time.process_time()
        batch = run_import(
            bank,
            actor=author,
            plugins=app.extensions["itembank.plugins"],
            filename=name,
            data=data,
            mode="strict",
            progress=progress,
        )
        stored = time.perf_counter()
        db.session.commit()
        end, cpu_end = time.perf_counter(), time.process_time()
        expect(f"{name}: the import's status", batch.status, "completed")
        expect(f"{name}: rows rejected", batch.items_rejected, 0)
        created = batch.items_created
        in_bank = db.session.scalar(
            sa.select(sa.func.count()).select_from(Item).where(Item.bank_id == bank.id)
        )
        expect(f"{name}: items in the bank after the import", in_bank, created)
        db.session.remove()
    write_start = marks.get("write", stored)
    return {
        "created": created,
        "total": end - start,
        "cpu": cpu_end - cpu_start,
        "read+check": write_start - start,
        "write": stored - write_start,
        "commit": end - stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sizes = Sizes(parser)
    sizes.add("--rows", quick=2000, full=10_000, help="items in each file")
    sizes.add("--repeat", quick=3, full=3, help="runs of the bare parse (median)")
    add_postgres(parser)
    parser.add_argument(
        "--qti",
        action="store_true",
        help="also import a QTI 3.0 package of as many items (every item's scoring is proved)",
    )
    args = sizes.parse()

    rows = generate_rows(args.rows)
    files = {"soal.xlsx": to_xlsx(rows), "soal.csv": to_csv(rows)}
    if args.qti:
        from itembank.plugins import PluginHost

        files["soal-qti3.zip"] = make_package(args.rows, PluginHost(entry_points=False))
    print(
        f"{args.rows} mixed items (5 types); file sizes: "
        + ", ".join(f"{name} {len(data) / 1e6:.2f} MB" for name, data in files.items())
    )

    backends: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        backends.append(("postgresql", args.postgres))
    for backend, given in backends:
        with database(given, prefix="itembank_bench_") as (url, options):
            app = make_app(url, options, SECRET_KEY="bench")
            prepare_database(app)
            plugins = app.extensions["itembank.plugins"]
            print(f"\n{backend}")
            print(
                f"  {'file':13} {'bare parse':>12} {'import':>10} {'items/s':>9} "
                f"{'parse items/s':>14} {'ratio':>6} {'CPU/s':>6} {'CPU ratio':>9}   phases"
            )
            for name, data in files.items():
                parse = bare_parse(plugins, name, data)
                count = parse()
                expect(f"{name}: items the bare parse read", count, args.rows)
                parse_timing = median_times(parse, args.repeat)
                parse_time = parse_timing.wall
                result = timed_import(app, name, data)
                expect(f"{name}: items the import created", result["created"], args.rows)
                print(
                    f"  {name:13} {parse_time:11.2f}s {result['total']:9.2f}s "
                    f"{result['created'] / result['total']:9.0f} "
                    f"{count / parse_time:14.0f} {result['total'] / parse_time:5.1f}x "
                    f"{result['created'] / result['cpu']:6.0f} "
                    f"{result['cpu'] / parse_timing.cpu:8.1f}x"
                    f"   read+check {result['read+check']:.2f}s, write "
                    f"{result['write']:.2f}s, commit {result['commit']:.2f}s"
                )
                headline(
                    f"spreadsheet import, {args.rows} rows ({backend}): {name}",
                    result["created"] / result["total"],
                    "rows/s",
                    "the bare parse",
                    count / parse_time,
                    ">= 2,000 rows/s",
                )
            with app.app_context():
                from itembank.extensions import db

                db.engine.dispose()


if __name__ == "__main__":
    main()
