"""Benchmark: exporting a 400-item form as a QTI package, the user's whole path beside
its parts and the floor.

Writes a bank (SQLite in a temporary file) with 400 approved items of every built-in
type (``_bank.py``: realistic Indonesian content through the content pipeline; every
tenth stem shows an uploaded image), a blueprint they fill, and a form pinning all of
them, locked through the operations. Then, for every case below, first checks that it
does all the work (every item converted, every item and image in the package, the
package valid and readable again) and then reports the median of several runs:

- the **whole path**: ``POST /api/v1/forms/<id>/export`` as the form's assembler, for
  QTI 3.0 and 2.1: the report checked again, the form's versions read from the database
  and converted (``qti_item``), the package written and validated (every document
  against the lenient schema, the strict profile and the checks no schema makes; the
  manifest against its schema), the answer key and the audit event;
- its parts: converting the 400 stored versions to QTI items (``qti_item``, what
  ``build_form_package`` does per entry), and the package from converted items,
  validated (3.0 and 2.1) and not;
- the **floor**: writing the same documents (items, test, manifest) as lxml trees and
  serializing them, with no validation, no checksums and no zip.

Schemas are compiled once before timing (their one-off cost is printed too). The cases
are timed in rounds (each case once, then the next round), so that a change in the
machine's load falls on all of them and on the floor alike. Medians of wall and CPU time
are printed, with their ratios to the floor: CPU time is what other work on a shared
machine disturbs least; wall time is what the user waits. Run with::

    .venv/bin/python bench/qti_export.py [--quick] [--items 400] [--repeat 7] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from _bank import plan_items, write_items
from _common import (
    PASSWORD,
    Sizes,
    api_headers,
    expect,
    headline,
    interleaved_times,
    make_app,
    migrate,
    png,
    settle,
)

from itembank.answer_key import qti_item_identifier
from itembank.extensions import db
from itembank.models import Role
from itembank.operations.accounts import add_member, create_bank, create_user
from itembank.operations.blueprints import create_blueprint
from itembank.operations.export import build_form_package
from itembank.operations.form_report import load_form_entries
from itembank.operations.forms import add_entries, create_form, lock_form
from itembank.operations.media import upload_media
from qti import package as qti_package
from qti._manifest import write_manifest
from qti.model import AssessmentItem
from qti.package import PackageItem, PackageTest, build_package
from qti.package_reader import open_source
from qti.validate import preload_schemas
from qti.writer import write_item
from qti.xml import serialize

#: The SKD areas a form's sections follow.
AREAS = ("TWK", "TIU", "TKP")


def build_form(host: Any, count: int) -> tuple[str, str]:
    """A bank with ``count`` approved items and a locked form pinning all of them;
    returns the form's id and its assembler's username."""
    author = create_user("penulis-bench", PASSWORD, actor=None)
    reviewer = create_user("penelaah-bench", PASSWORD, actor=None)
    assembler = create_user("perakit-bench", PASSWORD, actor=None)
    bank = create_bank("EXPORT", "Bank uji ekspor", actor=None)
    add_member(bank, author, Role.AUTHOR, actor=None)
    add_member(bank, reviewer, Role.REVIEWER, actor=None)
    add_member(bank, assembler, Role.ASSEMBLER, actor=None)
    db.session.flush()
    images = [
        upload_media(bank, png(n), actor=author, filename=f"grafik-{n}.png", max_bytes=1 << 20)
        for n in range(max(1, count // 10))
    ]
    plans = plan_items(count, host, approved_only=True, images=[m.sha256 for m in images])
    written = write_items(bank, plans, author=author, reviewer=reviewer, host=host)
    # One section per SKD area, one row per item type in it, filled exactly.
    rows: Counter[tuple[str, str]] = Counter()
    by_area: dict[str, list[int]] = {area: [] for area in AREAS}
    for plan, item in zip(plans, written, strict=True):
        area = plan.versions[-1].metadata["classifications"][0]["node"].split(".")[0]
        rows[area, plan.item_type] += 1
        by_area[area].append(item.newest.id)
    spec = {
        "code": "BENCH-EXPORT",
        "title": f"Kisi-kisi uji ekspor {count} butir",
        "total_length": count,
        "time_limit_minutes": 240,
        "sections": [
            {
                "title": area,
                "rows": [
                    {
                        "taxonomy": "skd-cpns",
                        "node": area,
                        "item_types": [item_type],
                        "count": rows[area, item_type],
                    }
                    for (row_area, item_type) in sorted(rows)
                    if row_area == area
                ],
            }
            for area in AREAS
            if by_area[area]
        ],
    }
    blueprint = create_blueprint(bank, spec, actor=assembler, plugins=host)
    form = create_form(bank, blueprint, title="Paket uji ekspor", actor=assembler)
    from itembank.models import ItemVersion

    sections = [
        [db.session.get(ItemVersion, version_id) for version_id in by_area[area]]
        for area in AREAS
        if by_area[area]
    ]
    add_entries(form, sections, actor=assembler)  # type: ignore[arg-type]
    lock_form(form, actor=assembler, plugins=host)
    db.session.commit()
    return form.external_id, assembler.username


def floor(test: PackageTest, items: list[PackageItem]) -> int:
    """Write the same documents with lxml and serialize them: nothing else.

    The test and the manifest are written with the package builder's own internals
    (``qti.package._write_test``, ``_metadata`` and ``Resource``, ``qti._manifest``):
    ``qti`` has no public way to write those documents without building the package,
    checksums and zip included, which is what the floor leaves out.
    """
    size = 0
    for entry in items:
        size += len(
            serialize(write_item(entry.item, "3.0", resolve_src=_relative), pretty_print=True)
        )
    size += len(serialize(qti_package._write_test(test, "3.0", "tests/t.xml"), pretty_print=True))
    resources = [
        qti_package.Resource(
            f"R{n}", "item", (f"items/{e.item.identifier}.xml",), (), qti_package._metadata(e)
        )
        for n, e in enumerate(items)
    ]
    size += len(serialize(write_manifest("M", resources, "3.0", "1"), pretty_print=True))
    return size


def _relative(src: str) -> str:
    return "../media/" + src.rsplit("/", 1)[-1] + ".png"


def check_package(what: str, data: bytes, identifiers: list[str], images: int) -> None:
    """The package opens without errors and has every item (by identifier) and image."""
    with open_source(data, name="bench.zip") as source:
        errors = [i for i in source.issues if i.severity == "error"]
        expect(f"{what}: errors reading the package", errors, [])
        expect(f"{what}: items in the package", len(source.items), len(identifiers))
    found = sorted(
        name.rsplit("/", 1)[-1].removesuffix(".xml")
        for name in _names(data)
        if name.startswith("items/")
    )
    expect(f"{what}: the package's item files", found, sorted(identifiers))
    media = [name for name in _names(data) if name.startswith("media/")]
    expect(f"{what}: images in the package", len(media), images)


def _names(data: bytes) -> list[str]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = Sizes(parser)
    sizes.add("--items", quick=400, full=400, help="items in the form")
    sizes.add("--repeat", quick=3, full=7, help="timed runs per case (median)")
    parser.add_argument("--profile", action="store_true", help="profile the whole 3.0 path")
    args = sizes.parse()

    start = time.perf_counter()
    preload_schemas()
    compile_seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{tmp}/bench.sqlite3", TESTING=True)
        with app.app_context():
            migrate()
            host = app.extensions["itembank.plugins"]
            form_id, assembler = build_form(host, args.items)
            run(app, host, form_id, assembler, args, compile_seconds)
            db.session.remove()
            db.engine.dispose()


def run(
    app: Any, host: Any, form_id: str, assembler: str, args: argparse.Namespace, compiled: float
) -> None:
    import sqlalchemy as sa

    from itembank.models import Form

    form = db.session.scalars(sa.select(Form).where(Form.external_id == form_id)).one()
    test, items, media = build_form_package(form, host)
    expect("items the form exports", len(items), args.items)
    identifiers = [entry.item.identifier for entry in items]
    # What build_form_package converts, read once: each stored version and its type.
    stored = [
        (
            host.item_types[entry.item.item_type],
            entry.version.stem,
            entry.version.content,
            qti_item_identifier(entry.item.external_id, entry.version.number),
            entry.item.external_id,
            str((entry.version.meta or {}).get("language") or "id"),
        )
        for entry in load_form_entries(form)
    ]

    def convert() -> list[AssessmentItem]:
        return [
            item_type.qti_item(stem, content, identifier=ident, title=title, lang=lang)
            for item_type, stem, content, ident, title, lang in stored
        ]

    client = app.test_client()
    headers = api_headers(client, assembler)

    def export(fmt: str) -> Callable[[], bytes]:
        def post() -> bytes:
            response = client.post(
                f"/api/v1/forms/{form_id}/export", json={"format": fmt}, headers=headers
            )
            expect(f"export {fmt}: status", response.status_code, 200)
            return response.get_data()

        return post

    # Check every case once: it converts, packs and validates all of the form.
    converted = convert()
    expect("converted items", [item.identifier for item in converted], identifiers)
    expect("converted items equal the package's input", converted, [e.item for e in items])
    for version in ("3.0", "2.1"):
        package = build_package(test, items, media, version)  # type: ignore[arg-type]
        check_package(f"QTI {version} package", package.data, identifiers, len(media))
    unvalidated = build_package(test, items, media, "3.0", validate=False)
    check_package("QTI 3.0 package, not validated", unvalidated.data, identifiers, len(media))
    for fmt in ("qti3", "qti21"):
        response = client.post(
            f"/api/v1/forms/{form_id}/export", json={"format": fmt}, headers=headers
        )
        expect(f"export {fmt}: status", response.status_code, 200)
        body = response.get_data()
        expect(
            f"export {fmt}: X-Package-SHA256",
            response.headers.get("X-Package-SHA256"),
            hashlib.sha256(body).hexdigest(),
        )
        check_package(f"export {fmt}", body, identifiers, len(media))
    expect("the floor writes documents", floor(test, items) > 0, True)

    settle()
    runs: list[tuple[str, Callable[[], object]]] = [
        ("whole path: API export, QTI 3.0", export("qti3")),
        ("whole path: API export, QTI 2.1", export("qti21")),
        ("convert the items (qti_item)", convert),
        ("package 3.0, validated", lambda: build_package(test, items, media, "3.0")),
        (
            "package 3.0, not validated",
            lambda: build_package(test, items, media, "3.0", validate=False),
        ),
        ("package 2.1, validated", lambda: build_package(test, items, media, "2.1")),
        ("floor: lxml write + serialize", lambda: floor(test, items)),
    ]
    measured = interleaved_times([function for _, function in runs], args.repeat, warm_up=True)
    results = [(label, timing) for (label, _), timing in zip(runs, measured, strict=True)]
    base = results[-1][1]
    package = build_package(test, items, media, "3.0")
    print(
        f"{args.items} items ({len({type(s[0]).__name__ for s in stored})} types), "
        f"{len(media)} images, package {len(package.data) / 1024:.0f} KiB, "
        f"{len(package.files)} files; median of {args.repeat} runs "
        f"(schemas compiled once beforehand: {compiled:.1f} s); every case checked first"
    )
    print(f"{'':34} {'wall ms':>9} {'CPU ms':>9} {'x floor':>8} {'x floor':>8}")
    print(f"{'':34} {'':>9} {'':>9} {'(CPU)':>8} {'(wall)':>8}")
    for label, timing in results:
        print(
            f"{label:34} {timing.wall * 1000:9.1f} {timing.cpu * 1000:9.1f} "
            f"{timing.cpu / base.cpu:8.2f} {timing.wall / base.wall:8.2f}"
        )
    timings = dict(results)
    for label, target in (
        ("whole path: API export, QTI 3.0", ""),
        ("package 3.0, validated", "<= 1.5x"),
        ("package 2.1, validated", "<= 1.5x"),
        ("package 3.0, not validated", ""),
    ):
        headline(
            f"QTI export, {args.items} items in process (CPU): {label}",
            timings[label].cpu * 1000,
            "ms",
            "floor: lxml write + serialize",
            base.cpu * 1000,
            target,
        )
    for label in ("package 3.0, validated", "package 2.1, validated"):
        headline(
            f"QTI export, {args.items} items in process (wall): {label}",
            timings[label].wall * 1000,
            "ms",
            "floor: lxml write + serialize",
            base.wall * 1000,
            "<= 1.5x",
        )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(export("qti3"))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
