"""Benchmark: importing QTI, from the bank's own labelled exports and from third-party
shaped content, each beside the XML floor.

Four sources, every one read by the same importer:

- **the bank's own export**: a QTI 3.0 package written by the exporter
  (``qti.package.build_package``, every built-in item type in turn, every tenth item with
  an image, a manifest with LOM classifications, and each item labelled
  ``itembank:<type>`` so the importer asks that type first);
- **third-party shape**: the same items as another system writes them: no label, no
  manifest and no metadata, just item documents and images in a zip, so the importer
  tries the item types in its order and proves the scoring of each it tries;
- **varied** (``--items`` items): the bank's own export as the first, but each item with
  its own content (``_common.varied_content``): as in a real BKN bank, choices of 4 or 5
  options with their own texts and the key at a position varying by item, TKP weights
  permuted per item, other keys and texts varying where the example content allows (the
  graphic types keep their example's areas). The first two give every item of a type
  the type's example content, which flatters every cache of the import (the proofs'
  memo above all); this one says what they give on items that differ;
- **the public sample corpus** (``../shared/qti-samples``, found as the tests find it,
  read in place): QTI 2.1 and 3.0 files from two other projects, odd ones included.

For each it first checks the work (every item parsed, read and converted, the corpus
files imported exactly as the tests' golden list says) and then reports the median of
several runs of:

- the floor: opening the source and parsing every item document with the hardened
  parser (``qti.xml.parse_bytes``), nothing else;
- reading: the same plus reading each item into the model (``qti.reader.read_item``);
- the conversion (``itembank.qti_bridge.convert.convert``): read, stem and options to
  sanitized bank HTML, images checked and hashed, item types asked, content validated
  and the scoring proved against ``qti.rp`` on every response of the proof;
- the **whole path** (the generated packages): ``run_import`` into a new bank of a
  SQLite database, what an upload runs (conversion, the checks every item passes,
  writing the items and their images, the report) and its commit.

The conversion and the whole path convert a package's items in ``--processes`` processes
(default: ``ITEMBANK_IMPORT_PROCESSES``'s, the CPUs this process may use; 1: in this
process, as before; the corpus's sources are below the threshold and convert here).
Medians of wall and CPU time are printed: this process's CPU, the worker processes'
(read from the forkserver they are forked from, which reaps them, and from this
process's own children), and their total; items per second by wall-clock time and by
total CPU time, and the ratio to the floor from total CPU time (the whole path runs in
this process too, SQLite included; CPU time is what other work on a shared machine
disturbs least, wall-clock time is what parallel processes shorten). Run with::

    .venv/bin/python bench/qti_import.py [--quick] [--items 10000] [--repeat 3] [--processes N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from _common import (
    PASSWORD,
    ROOT,
    Sizes,
    expect,
    headline,
    make_app,
    migrate,
    package_items,
    settle,
    shared_dir,
    varied_content,
)

from itembank.config import usable_cpus
from itembank.importing import ImportLimits
from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import ImportResult, convert
from qti.package import PackageSection, PackageTest, build_package
from qti.package_reader import open_source
from qti.reader import read_item
from qti.writer import write_item
from qti.xml import parse_bytes, serialize

Source = str | Path | bytes


def labelled_package(
    count: int, host: PluginHost, *, varied: bool = False
) -> tuple[bytes, list[str]]:
    """The bank's own QTI 3.0 export of ``count`` items, and their types in order
    (``varied``: each item with its own content, :func:`_common.varied_content`)."""
    items, media = package_items(count, host, content=varied_content if varied else None)
    section = PackageSection("section_1", "Bagian 1", tuple(i.item.identifier for i in items))
    test = PackageTest("bench_import", "Paket impor", (section,))
    data = build_package(test, items, media, "3.0", validate=False).data
    return data, [_type_of(i.item.label) for i in items]


def third_party_zip(count: int, host: PluginHost) -> tuple[bytes, list[str]]:
    """The same items as QTI 3.0 documents with no label, in a zip with their images and
    nothing else (no manifest, no metadata), and their types in order."""
    items, media = package_items(count, host)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in items:
            plain = replace(entry.item, label=None)
            document = write_item(plain, "3.0", resolve_src=_relative)
            archive.writestr(f"items/{plain.identifier}.xml", serialize(document))
        for digest, data in media.items():
            archive.writestr(f"media/{digest}.png", data)
    return buffer.getvalue(), [_type_of(i.item.label) for i in items]


def _type_of(label: str | None) -> str:
    return (label or "").removeprefix("itembank:")


def _relative(src: str) -> str:
    return "../media/" + src.rsplit("/", 1)[-1] + ".png"


def corpus_targets() -> list[tuple[str, Path]] | None:
    """The sample corpus as ``tests/test_qti_import.py`` reads it (each folder of the
    QTIWorks samples, each zipped package and the resources folder of php-qti3), or
    None when ``../shared/qti-samples`` is missing."""
    root = shared_dir() / "qti-samples"
    qtiworks = (
        root
        / "davemckain-qtiworks/qtiworks-samples/src/main/resources/uk/ac/ed/ph/qtiworks/samples"
    )
    kennisnet = root / "kennisnet-php-qti3"
    if not qtiworks.is_dir() or not kennisnet.is_dir():
        return None
    targets = [(f"qtiworks/{p.name}", p) for p in sorted(qtiworks.iterdir()) if p.is_dir()]
    targets += [(f"kennisnet/{p.name}", p) for p in sorted((kennisnet / "fixtures").glob("*.zip"))]
    targets.append(
        ("kennisnet/resources", kennisnet / "tests/Unit/AssessmentItem/Service/resources")
    )
    return targets


def parse_all(sources: list[tuple[str, Source]]) -> int:
    """The floor: open each source and parse every item document; how many."""
    count = 0
    for label, source in sources:
        with open_source(source, name=label) as opened:
            for item in opened.items:
                # The corpus has broken files on purpose; trying them counts too.
                with contextlib.suppress(Exception):
                    parse_bytes(opened.read(item.path, document=True))
                count += 1
    return count


def read_all(sources: list[tuple[str, Source]]) -> int:
    """Parse and read every item into the model; how many were read."""
    count = 0
    for label, source in sources:
        with open_source(source, name=label) as opened:
            for item in opened.items:
                try:
                    read_item(opened.read(item.path, document=True))
                except Exception:  # refused files are part of the corpus
                    continue
                count += 1
    return count


def convert_all(
    sources: list[tuple[str, Source]], host: PluginHost, processes: int = 1
) -> list[ImportResult]:
    return [
        convert(source, host.item_types, name=label, processes=processes)
        for label, source in sources
    ]


def workers_cpu() -> float:
    """CPU seconds of this process's ended children and of the conversion pool's
    forkserver with the workers it forked and reaped (``/proc``, Linux) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is not None:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # utime, stime, cutime, cstime (fields 14-17), in clock ticks
            total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


@dataclass(frozen=True)
class PoolTiming:
    """Medians: wall-clock seconds, this process's CPU seconds and its workers'."""

    wall: float
    cpu: float
    workers: float

    @property
    def total(self) -> float:
        return self.cpu + self.workers


def pool_times(function: Callable[[], object], repeat: int) -> PoolTiming:
    walls, cpus, workers = [], [], []
    for _ in range(repeat):
        wall, cpu, children = time.perf_counter(), time.process_time(), workers_cpu()
        function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        workers.append(workers_cpu() - children)
    return PoolTiming(statistics.median(walls), statistics.median(cpus), statistics.median(workers))


def check_generated(
    name: str, results: list[ImportResult], types: list[str], read: int, parsed: int
) -> str:
    """Every generated item parsed, read and imported; returns how the types came back."""
    count = len(types)
    expect(f"{name}: items parsed", parsed, count)
    expect(f"{name}: items read", read, count)
    (result,) = results
    refused = [(e.file, e.reason) for e in result.report if e.status == "not_imported"]
    expect(f"{name}: items refused", refused[:3], [])
    expect(f"{name}: items imported", len(result.candidates), count)
    expect(
        f"{name}: responses proved", sum(c.responses_checked for c in result.candidates) > 0, True
    )
    by_id = {f"item_{n + 1:05d}": kind for n, kind in enumerate(types)}
    moved = Counter(
        f"{by_id[c.identifier]} as {c.type_id}"
        for c in result.candidates
        if c.type_id != by_id[c.identifier]
    )
    return ", ".join(f"{k} {v}" for k, v in sorted(moved.items())) or "every item as its own type"


def check_corpus(results: list[ImportResult], targets: list[tuple[str, Path]]) -> str:
    """The corpus imports as the tests' golden list says: the same files, as the same
    types (and nothing fails inside the importer)."""
    sys.path.insert(0, str(ROOT))
    from tests.qti_import_golden import GOLDEN

    sys.path.pop(0)
    wanted = {
        key: value
        for key, value in GOLDEN.items()
        if value in PluginHost(entry_points=False).item_types
    }
    got = {}
    for (label, _), result in zip(targets, results, strict=True):
        crashed = [e.file for e in result.report if e.reason == "internal_error"]
        expect(f"corpus {label}: files the importer crashed on", crashed, [])
        for candidate in result.candidates:
            got[f"{label}/{candidate.file}"] = candidate.type_id
    expect("corpus: files imported, and as which type (the golden list's)", got, wanted)
    return f"{len(got)} of {len(GOLDEN)} files imported, as the golden list says"


def whole_import(app: Any, name: str, data: bytes, processes: int = 1) -> Callable[[], Any]:
    """``run_import`` of ``data`` into a new bank (with its author) and the commit."""
    from itembank.extensions import db
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_bank, create_user
    from itembank.operations.imports import run_import

    def run() -> Any:
        with app.app_context():
            suffix = uuid.uuid4().hex[:6].upper()
            bank = create_bank(f"Q{suffix}", "Bank uji impor", actor=None)
            author = create_user(f"impor-{suffix.lower()}", PASSWORD, actor=None)
            add_member(bank, author, Role.AUTHOR, actor=None)
            db.session.commit()
            batch = run_import(
                bank,
                actor=author,
                plugins=app.extensions["itembank.plugins"],
                filename=name,
                data=data,
                mode="strict",
                limits=ImportLimits(processes=processes),
            )
            db.session.commit()
            outcome = (batch.status, batch.items_created, batch.items_rejected)
            db.session.remove()
            return outcome

    return run


#: The issue's targets (items/s): conversion >= 2,000, end to end into SQLite >= 1,000.
TARGETS = {
    "convert + prove the scoring": ">= 2,000 items/s",
    "whole path: run_import + commit": ">= 1,000 items/s",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = Sizes(parser)
    sizes.add("--items", quick=300, full=10_000, help="items in each generated package")
    sizes.add("--repeat", quick=3, full=3, help="timed runs per case (median)")
    parser.add_argument(
        "--processes",
        type=int,
        default=usable_cpus(),
        help="processes converting a package (default: ITEMBANK_IMPORT_PROCESSES's, "
        "the CPUs this process may use; 1: in this process)",
    )
    args = sizes.parse()
    host = PluginHost(entry_points=False)
    start = time.perf_counter()
    labelled, types = labelled_package(args.items, host)
    plain, _ = third_party_zip(args.items, host)
    varied, varied_types = labelled_package(args.items, host, varied=True)
    print(
        f"generated: {args.items} items each, own export {len(labelled) / 1e6:.1f} MB, "
        f"third-party shape {len(plain) / 1e6:.1f} MB, varied {len(varied) / 1e6:.1f} MB, "
        f"in {time.perf_counter() - start:.1f} s"
    )
    cases: list[tuple[str, list[tuple[str, Source]], list[str] | None]] = [
        ("own export (labelled)", [("bench.zip", labelled)], types),
        ("third-party shape (unlabelled)", [("plain.zip", plain)], types),
        ("varied (own export, BKN-like)", [("varied.zip", varied)], varied_types),
    ]
    targets = corpus_targets()
    if targets is None:
        print(f"corpus: skipped, {shared_dir() / 'qti-samples'} is missing")
    else:
        cases.append(("sample corpus (../shared)", list(targets), None))

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(f"sqlite:///{tmp}/bench.sqlite3", SECRET_KEY="bench")
        with app.app_context():
            migrate()
            from itembank.extensions import db

            db.session.commit()
        settle()
        load = ", ".join(f"{n:.2f}" for n in os.getloadavg())
        print(
            f"median of {args.repeat} runs; every case checked first; {args.processes} "
            f"process(es) converting a package; load average {load} on {os.cpu_count()} CPUs"
        )
        print(
            f"{'':32} {'':32} {'items':>6} {'wall s':>7} {'CPU s':>7} {'+pool':>6} "
            f"{'= total':>7} {'items/s':>8} {'/CPU s':>7} {'x floor':>8}"
        )
        for name, sources, kinds in cases:
            parsed = parse_all(sources)
            read = read_all(sources)
            results = convert_all(sources, host, args.processes)
            if kinds is None:
                note = check_corpus(results, targets or [])
            else:
                note = check_generated(name, results, kinds, read, parsed)
            imported = sum(len(r.candidates) for r in results)
            proved = sum(c.responses_checked for r in results for c in r.candidates)
            runs: list[tuple[str, int, Callable[[], object]]] = [
                ("parse (floor)", parsed, lambda s=sources: parse_all(s)),
                ("parse + read into the model", read, lambda s=sources: read_all(s)),
                (
                    "convert + prove the scoring",
                    imported,
                    lambda s=sources: convert_all(s, host, args.processes),
                ),
            ]
            if kinds is not None:
                ((label, data),) = sources
                whole = whole_import(app, label, data, args.processes)  # type: ignore[arg-type]
                outcome = whole()
                expect(f"{name}: the whole import", outcome, ("completed", len(kinds), 0))
                runs.append(("whole path: run_import + commit", len(kinds), whole))
            base = 0.0
            for label, count, function in runs:
                timing = pool_times(function, args.repeat)
                base = base or timing.total
                print(
                    f"{name:32} {label:32} {count:6} {timing.wall:7.2f} {timing.cpu:7.2f} "
                    f"{timing.workers:6.2f} {timing.total:7.2f} {count / timing.wall:8.0f} "
                    f"{count / timing.total:7.0f} {timing.total / base:8.1f}"
                )
                if label != "parse (floor)":
                    headline(
                        f"QTI import, {name}: {label} (CPU of every process)",
                        count / timing.total,
                        "items/s",
                        "parse (floor)",
                        parsed / base,
                        TARGETS.get(label, ""),
                    )
                if label in TARGETS:
                    headline(
                        f"QTI import, {name}: {label} (wall, {args.processes} processes)",
                        count / timing.wall,
                        "items/s",
                        "",
                        None,
                        TARGETS[label],
                    )
            print(f"{'':32} {note}; {proved} responses proved")


if __name__ == "__main__":
    main()
