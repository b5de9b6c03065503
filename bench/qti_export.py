"""Benchmark: exporting a 400-item form as a QTI package.

Generates a form of 400 items of every built-in type (plain data, no database), then
reports the median of several runs for:

- the complete QTI 3.0 package, validated (every document against the lenient schema,
  the strict profile and the checks no schema makes; the manifest against its schema);
- the same without validation;
- the complete QTI 2.1 package, validated;
- the floor: writing the same documents (items, test, manifest) as lxml trees and
  serializing them, with no validation, no checksums and no zip;
- and, for reference, serializing already built trees only (``etree.tostring``).

Figures are printed side by side with their ratio to the floor. Schemas are compiled
once before timing (their one-off cost is printed too). Run with::

    .venv/bin/python bench/qti_export.py [--items 400] [--repeat 7]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections.abc import Callable

from _common import median_seconds, package_items

from itembank.plugins import PluginHost
from qti import package as qti_package
from qti._manifest import write_manifest
from qti._schemas import (
    CP11_SCHEMA,
    QTI21_SCHEMA,
    QTI30_CP_SCHEMA,
    QTI30_LENIENT_SCHEMA,
    QTI30_STRICT_SCHEMA,
)
from qti.package import PackageItem, PackageSection, PackageTest, build_package
from qti.validate import get_schema
from qti.writer import write_item
from qti.xml import serialize

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def make_form(count: int) -> tuple[PackageTest, list[PackageItem], dict[str, bytes]]:
    """``count`` items cycling through the built-in types; every tenth shows an image."""
    items, media = package_items(
        count,
        PluginHost(entry_points=False),
        digits=4,
        versions=3,
        image=lambda index: PNG + index.to_bytes(4, "big"),
    )
    per_section = max(1, count // 4)
    sections = tuple(
        PackageSection(
            f"section_{n + 1}",
            f"Bagian {n + 1}",
            tuple(i.item.identifier for i in items[n * per_section : (n + 1) * per_section]),
        )
        for n in range((count + per_section - 1) // per_section)
    )
    return PackageTest("bench_form", "Paket uji", sections, time_limit=14400), items, media


def floor(test: PackageTest, items: list[PackageItem], media: dict[str, bytes]) -> int:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="profile the validated 3.0 build")
    args = parser.parse_args()

    start = time.perf_counter()
    for spec in (
        QTI30_LENIENT_SCHEMA,
        QTI30_STRICT_SCHEMA,
        QTI21_SCHEMA,
        QTI30_CP_SCHEMA,
        CP11_SCHEMA,
    ):
        get_schema(spec)
    compile_seconds = time.perf_counter() - start
    test, items, media = make_form(args.items)
    trees = [write_item(entry.item, "3.0") for entry in items]

    runs: list[tuple[str, Callable[[], object]]] = [
        ("QTI 3.0 package, validated", lambda: build_package(test, items, media, "3.0")),
        (
            "QTI 3.0 package, not validated",
            lambda: build_package(test, items, media, "3.0", validate=False),
        ),
        ("QTI 2.1 package, validated", lambda: build_package(test, items, media, "2.1")),
        ("floor: lxml write + serialize", lambda: floor(test, items, media)),
        ("tostring of built item trees", lambda: [serialize(tree) for tree in trees]),
    ]
    for _, function in runs:  # warm caches (lxml, lru caches) before timing
        function()
    results = [(label, median_seconds(function, args.repeat)) for label, function in runs]
    base = results[3][1]
    package = build_package(test, items, media, "3.0")
    print(
        f"{args.items} items, {len(media)} images, package {len(package.data) / 1024:.0f} KiB, "
        f"{len(package.files)} files; median of {args.repeat} runs "
        f"(schemas compiled once beforehand: {compile_seconds:.1f} s)"
    )
    print(f"{'':34} {'median':>10} {'x floor':>8}")
    for label, seconds in results:
        print(f"{label:34} {seconds * 1000:8.1f} ms {seconds / base:8.2f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(build_package, test, items, media, "3.0")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
