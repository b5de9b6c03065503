"""Benchmark: importing a 10,000-item QTI 3.0 package.

Writes the package with the exporter (``qti.package.build_package``, every built-in item
type in turn, every tenth item with an image, LOM classifications), then reports the
median of several runs for:

- the floor: opening the zip and parsing every item document with the hardened parser
  (``qti.xml.parse_bytes``), nothing else;
- reading: the same plus reading each item into the model (``qti.reader.read_item``);
- the import conversion: ``itembank.qti_bridge.convert.convert`` - read, stem and options to
  sanitized bank HTML, images checked and hashed, item types asked, content validated and
  the scoring proved against ``qti.rp`` on every response of the proof.

Items per second and the ratio to the floor are printed side by side, with how many
responses the proofs compared. Database insertion is not part of this (it comes with the
import batch). Run with::

    .venv/bin/python bench/qti_import.py [--items 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import struct
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import ImportResult, convert
from qti.package import Classification, PackageItem, PackageSection, PackageTest, build_package
from qti.package_reader import open_source
from qti.reader import read_item
from qti.xml import parse_bytes


def png(seed: int) -> bytes:
    """A small valid PNG, different for every seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    width = 4 + seed % 50
    rows = b"".join(b"\x00" + bytes([(seed + x) % 256 for x in range(width)]) for _ in range(4))
    header = struct.pack(">IIBBBBB", width, 4, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def make_package(count: int, host: PluginHost) -> bytes:
    types = [host.item_type(type_id) for type_id in sorted(host.item_types)]
    media: dict[str, bytes] = {}
    items: list[PackageItem] = []
    for index in range(count):
        item_type = types[index % len(types)]
        stem = (
            f"<p>Soal nomor {index + 1}: bacalah uraian berikut dengan saksama, lalu jawab "
            "pertanyaan di bawahnya. <strong>Perhatikan</strong> data pada tabel.</p>"
            "<table><tr><th>Tahun</th><th>Nilai</th></tr><tr><td>2023</td><td>54</td></tr></table>"
        )
        if index % 10 == 0:
            image = png(index)
            digest = hashlib.sha256(image).hexdigest()
            media[digest] = image
            stem += f'<p><img src="/media/{digest}" alt="grafik {index}"></p>'
        content = item_type.load(item_type.example_content())
        model = item_type.qti_item(
            stem, content, identifier=f"item_{index + 1:05d}", title=f"BENCH-{index + 1:06d}"
        )
        items.append(
            PackageItem(
                model,
                f"BENCH-{index + 1:06d}",
                1,
                (Classification("asn-2017", f"M.{1 + index % 8}", level=1 + index % 5),),
            )
        )
    section = PackageSection("section_1", "Bagian 1", tuple(i.item.identifier for i in items))
    test = PackageTest("bench_import", "Paket impor", (section,))
    return build_package(test, items, media, "3.0", validate=False).data


def parse_only(data: bytes) -> int:
    count = 0
    with open_source(data, name="bench.zip") as source:
        for item in source.items:
            parse_bytes(source.read(item.path, document=True))
            count += 1
    return count


def read_only(data: bytes) -> int:
    count = 0
    with open_source(data, name="bench.zip") as source:
        assert not [i for i in source.issues if i.severity == "error"], source.issues
        for item in source.items:
            read_item(source.read(item.path, document=True))
            count += 1
    return count


def median_seconds(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    host = PluginHost(entry_points=False)
    start = time.perf_counter()
    data = make_package(args.items, host)
    print(
        f"package: {args.items} items, {len(data) / 1e6:.1f} MB zip, written in "
        f"{time.perf_counter() - start:.1f} s (exporter, no validation)"
    )
    last: list[ImportResult] = []
    runs = [
        ("parse (floor)", lambda: parse_only(data)),
        ("parse + read into the model", lambda: read_only(data)),
        ("parse + convert + score check", lambda: last.append(convert(data, host.item_types))),
    ]
    results = [(label, median_seconds(function, args.repeat)) for label, function in runs]
    result = last[-1]
    refused = [entry for entry in result.report if entry.status == "not_imported"]
    if refused:
        raise SystemExit(f"unexpected refusals: {refused[:3]}")
    checked = sum(candidate.responses_checked for candidate in result.candidates)
    print(f"imported {len(result.candidates)} of {args.items}; {checked} responses proved")
    base = results[0][1]
    print(f"median of {args.repeat} runs")
    print(f"{'':32} {'seconds':>9} {'items/s':>9} {'x floor':>8}")
    for label, seconds in results:
        print(f"{label:32} {seconds:9.2f} {args.items / seconds:9.0f} {seconds / base:8.1f}")


if __name__ == "__main__":
    main()
