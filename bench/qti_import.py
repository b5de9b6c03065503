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
import time

from _common import make_package, median_seconds, parse_only

from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import ImportResult, convert
from qti.package_reader import open_source
from qti.reader import read_item


def read_only(data: bytes) -> int:
    count = 0
    with open_source(data, name="bench.zip") as source:
        assert not [i for i in source.issues if i.severity == "error"], source.issues
        for item in source.items:
            read_item(source.read(item.path, document=True))
            count += 1
    return count


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
