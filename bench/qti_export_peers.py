"""Benchmark: the bank's QTI export beside the Python peers, as they are used: a process
that turns 400 questions into a package.

The peers are bench-only dependencies (``pip install -e '.[bench]'``, which ``make
bench`` does; ``make test`` never installs them):

- **incept-qti-sdk** 0.6.2 (QTI 3.0): a ``QuestionItem`` per question (pydantic models,
  markdown content) built by ``QtiBuilder``, then packaged as its upload does without the
  network: ``resolve_assets``, ``PackageBuilder`` (the manifest) and ``assemble_zip``.
- **qti-package-maker** 26.7.14 (QTI 2.1): ``QTIPackageInterface.add_item("MC", ...)`` per
  question and ``save_package("blackboard_qti_v2_1", ...)``, its only QTI 2.1 writer. It
  has no weighted scoring, so the weighted questions go in as single choice with the
  heaviest option as the key (it writes less than the others for them).
- **the bank**: the item types' QTI writers (``plugins.itemtypes.qti_writers``) and
  ``qti.package.build_package``, QTI 3.0 and 2.1 not validated, and QTI 3.0 validated
  (every document against its schemas, which a new process compiles first).

All get the same 400 questions (Indonesian text; 240 single choice with one key, 160 with
five options weighted 1-5), written to a JSON file. Each case is one whole process
(``python -c``, interpreter start and imports included) that reads the file and writes a
zip; the cases take turns, run after run. Every run's zip is checked before its time
counts: it opens, holds exactly one item document per question (found by the question's
number in its text), and is valid against the QTI schemas in ``qti/schemas`` (QTI 3.0 and
2.1, the manifest with them) where the exporter claims validity: the bank always, and
incept-qti-sdk, whose documentation says its XML conforms to the QTI 3.0 schema.
qti-package-maker makes no such claim; its validity is printed for information. The
bank's export process also checks that it imported no Flask, SQLAlchemy or marshmallow.

Printed: medians of the wall time and of the process's CPU time (user + system, from
``getrusage``: what the other work on a shared machine disturbs least), and the ratio of
each to the fastest peer. Run with::

    .venv/bin/python bench/qti_export_peers.py [--quick] [--items 400] [--repeat 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, Figure, Sizes, expect, summary

from qti.validate import validate_document, validate_package_bytes
from qti.xml import parse_bytes

# -- the questions -------------------------------------------------------------------------

_SUBJECTS = (
    "Pegawai kecamatan",
    "Seorang guru honorer",
    "Petugas puskesmas",
    "Kepala seksi pelayanan",
    "Staf keuangan daerah",
    "Operator data kependudukan",
)
_SITUATIONS = (
    "menerima keluhan warga tentang antrean yang panjang",
    "diminta atasan menyelesaikan laporan dalam waktu singkat",
    "menemukan kesalahan data pada dokumen yang sudah ditandatangani",
    "melihat rekan kerja menerima pemberian dari pemohon layanan",
    "harus membagi waktu antara tugas kantor dan pelatihan",
    "menghadapi perubahan aturan yang belum dipahami semua rekan",
)
_ACTIONS = (
    "menjelaskan prosedur dengan ramah dan memberi perkiraan waktu",
    "melaporkan kejadian itu kepada atasan langsung secara tertulis",
    "mengajak rekan berdiskusi untuk mencari jalan keluar bersama",
    "menunda pekerjaan sampai ada petunjuk yang lebih jelas",
    "menyerahkan urusan itu kepada bagian lain yang berwenang",
    "memeriksa kembali data dan memperbaikinya sesuai ketentuan",
    "meminta warga datang kembali pada hari berikutnya",
    "menyusun jadwal kerja baru agar semua tugas selesai tepat waktu",
)

LETTERS = "ABCDE"


def make_questions(count: int, seed: int = 2026) -> list[dict[str, object]]:
    """``count`` questions: of every five, three single choice (one key) and two with
    five options weighted 1-5 (a permutation). Plain text, no markup; each stem starts
    with ``Soal <n>:`` so a package's item can be matched to its question."""
    rng = random.Random(seed)
    questions: list[dict[str, object]] = []
    for number in range(1, count + 1):
        subject, situation = rng.choice(_SUBJECTS), rng.choice(_SITUATIONS)
        stem = (
            f"Soal {number}: {subject} {situation}. Tindakan apa yang paling tepat "
            "dilakukan dalam situasi tersebut?"
        )
        actions = rng.sample(_ACTIONS, 5)
        options = [
            {"id": letter, "text": f"{action[0].upper()}{action[1:]}."}
            for letter, action in zip(LETTERS, actions, strict=True)
        ]
        weighted = number % 5 in (4, 0)
        weights = rng.sample(range(1, 6), 5) if weighted else None
        key = LETTERS[weights.index(5)] if weights else rng.choice(LETTERS)
        questions.append(
            {
                "id": f"soal_{number:04d}",
                "title": f"SKD-{number:04d}",
                "stem": stem,
                "options": options,
                "key": key,
                "weights": weights,
            }
        )
    return questions


# -- the exporters, each a whole process ------------------------------------------------------
# Each script reads the questions (argv[1]) and writes the zip (argv[2]).

BANK = """
import json, sys
from plugins.itemtypes.qti_writers import write_item
from qti.package import PackageItem, PackageSection, PackageTest, build_package

def xhtml(text):
    return "<p>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</p>"

source, target, version, validate = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
with open(source, encoding="utf-8") as file:
    questions = json.load(file)
items = []
for q in questions:
    options = [{"id": o["id"], "text": xhtml(o["text"])} for o in q["options"]]
    if q["weights"]:
        for option, weight in zip(options, q["weights"]):
            option["weight"] = weight
        type_id = "weighted_options"
        content = {"options": options, "scale": {"min": 1, "max": 5}, "shuffle": False}
    else:
        type_id = "single_choice"
        content = {"options": options, "key": q["key"], "points": 1, "shuffle": False}
    item = write_item(type_id, xhtml(q["stem"]), content, identifier=q["id"], title=q["title"])
    items.append(PackageItem(item, q["title"], 1))
section = PackageSection("bagian_1", "Bagian 1", tuple(q["id"] for q in questions))
test = PackageTest("paket_bench", "Paket uji", (section,))
package = build_package(test, items, {}, version, validate=validate)
with open(target, "wb") as file:
    file.write(package.data)
web = sorted({m.split(".")[0] for m in sys.modules} & {"flask", "sqlalchemy", "marshmallow"})
if web:
    sys.exit("the export imported " + ", ".join(web))
"""

INCEPT = """
import json, sys
from qti_sdk import (
    Choice, ChoiceConfig, ChoiceScoreMap, ItemPackaging, PackageBuilder, QtiBuilder,
    QuestionItem, SummativeBehavior, assemble_zip,
)
from qti_sdk.upload.asset_resolver import resolve_assets

source, target = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as file:
    questions = json.load(file)
builder = QtiBuilder()
results = []
for q in questions:
    choices = [Choice(id=o["id"], content=o["text"], correct=o["id"] == q["key"])
               for o in q["options"]]
    score_map = None
    if q["weights"]:
        entries = {o["id"]: float(w) for o, w in zip(q["options"], q["weights"])}
        score_map = ChoiceScoreMap(entries=entries)
    item = QuestionItem(
        item_id=q["id"], title=q["title"], question=q["stem"], lang="id",
        behavior=SummativeBehavior(), packaging=ItemPackaging(difficulty=0.5),
        interactions=[ChoiceConfig(choices=choices, score_map=score_map)],
    )
    results.append(builder.build(item))
assets = resolve_assets(results)
manifest = PackageBuilder().build(results, "paket_bench")
with open(target, "wb") as file:
    file.write(assemble_zip(results, manifest, assets))
"""

PACKAGE_MAKER = """
import json, sys
from qti_package_maker import package_interface

source, target = sys.argv[1], sys.argv[2]
with open(source, encoding="utf-8") as file:
    questions = json.load(file)
bank = package_interface.QTIPackageInterface("paket_bench")
for q in questions:
    texts = [o["text"] for o in q["options"]]
    answer = texts["ABCDE".index(q["key"])]
    bank.add_item("MC", (q["stem"], texts, answer))
bank.save_package("blackboard_qti_v2_1", target)
"""


@dataclass
class Case:
    """One exporter: its script and arguments, the QTI version it writes, whether it
    claims schema-valid output, and whether it is a peer (else the bank)."""

    label: str
    script: str
    args: tuple[str, ...]
    version: str
    claims_valid: bool
    peer: bool
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)


def cases() -> list[Case]:
    return [
        Case("incept-qti-sdk 0.6.2 (QTI 3.0)", INCEPT, (), "3.0", True, True),
        Case("qti-package-maker 26.7.14 (QTI 2.1)", PACKAGE_MAKER, (), "2.1", False, True),
        Case("bank, QTI 3.0, not validated", BANK, ("3.0", "0"), "3.0", True, False),
        Case("bank, QTI 2.1, not validated", BANK, ("2.1", "0"), "2.1", True, False),
        Case("bank, QTI 3.0, validated", BANK, ("3.0", "1"), "3.0", True, False),
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(case: Case, questions_path: Path, work: Path) -> tuple[float, float, bytes]:
    """Run ``case`` as a new process in an empty folder; its wall and CPU seconds and zip."""
    target = work / "package.zip"
    command = [sys.executable, "-c", case.script, str(questions_path), str(target), *case.args]
    cpu, wall = _children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
    if done.returncode != 0:
        expect(f"{case.label}: the process failed", done.stderr.strip()[-2000:], "")
    return wall, cpu, target.read_bytes()


# -- checking a package -----------------------------------------------------------------------

_NUMBER = re.compile(r"Soal (\d+):")


def check(case: Case, data: bytes, count: int) -> None:
    """The zip holds one item document per question (each once) and, where the exporter
    claims it, every document is valid; ``case.notes`` records what a peer gets wrong."""
    numbers: list[int] = []
    invalid_items = 0
    invalid_other: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not name.endswith(".xml"):
                continue
            document = archive.read(name)
            root = parse_bytes(document)
            if root.tag.rsplit("}", 1)[-1] not in ("assessmentItem", "qti-assessment-item"):
                manifest = case.peer and name.endswith("imsmanifest.xml")
                if manifest and _errors(validate_document(document, name=name)):
                    invalid_other.append(name)
                continue
            numbers += (int(n) for n in _NUMBER.findall("".join(root.itertext()))[:1])
            if case.peer and _errors(validate_document(document, name=name)):
                invalid_items += 1
    expect(
        f"{case.label}: the questions in the package", sorted(numbers), list(range(1, count + 1))
    )
    if not case.peer:
        report = validate_package_bytes(data, name=case.label)
        expect(f"{case.label}: documents in the package", report.documents >= count + 2, True)
        expect(f"{case.label}: validation errors", [str(i) for i in _errors(report.issues)], [])
        return
    if invalid_items:
        case.notes.add(f"{invalid_items}/{count} items invalid")
    for name in invalid_other:
        case.notes.add(f"{name} invalid")
    if case.notes and case.claims_valid:
        # Reported, not stopped: its figures still time what its users get.
        case.notes.add("it claims schema-valid output")


def _errors(issues: list) -> list:
    return [issue for issue in issues if issue.severity == "error"]


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = Sizes(parser)
    sizes.add("--items", quick=400, full=400, help="questions (3 of 5 single choice)")
    sizes.add("--repeat", quick=3, full=7, help="runs of each process (median)")
    args = sizes.parse()
    _require_peers()

    questions = make_questions(args.items)
    all_cases = cases()
    with tempfile.TemporaryDirectory() as tmp:
        questions_path = Path(tmp) / "questions.json"
        questions_path.write_text(json.dumps(questions, ensure_ascii=False), encoding="utf-8")
        start = _interpreter_start(Path(tmp), args.repeat)
        for _ in range(args.repeat):
            for case in all_cases:
                work = Path(tempfile.mkdtemp(dir=tmp))
                wall, cpu, data = run_once(case, questions_path, work)
                check(case, data, args.items)
                case.walls.append(wall)
                case.cpus.append(cpu)

    peers = [case for case in all_cases if case.peer]
    fastest = min(peers, key=lambda case: statistics.median(case.cpus))
    base_wall, base_cpu = statistics.median(fastest.walls), statistics.median(fastest.cpus)
    single = sum(1 for q in questions if not q["weights"])
    print(
        f"{args.items} questions ({single} single choice, {args.items - single} weighted 1-5), "
        f"each exporter a new process; median of {args.repeat} runs, every run's package "
        "checked (all questions, valid where claimed)"
    )
    print(f"{'':38} {'wall ms':>9} {'CPU ms':>9} {'x fastest peer (CPU, wall)':>27}")
    print(
        f"{'interpreter start (python -c pass)':38} {start[0] * 1000:9.0f} {start[1] * 1000:9.0f}"
    )
    for case in all_cases:
        wall, cpu = statistics.median(case.walls), statistics.median(case.cpus)
        print(
            f"{case.label:38} {wall * 1000:9.0f} {cpu * 1000:9.0f} "
            f"{cpu / base_cpu:13.2f} {wall / base_wall:13.2f}"
            + (f"  ({'; '.join(sorted(case.notes))})" if case.notes else "")
        )
    print(f"fastest peer (CPU): {fastest.label}")
    by_label = {case.label: case for case in all_cases}
    figures = [
        Figure(
            f"{args.items} questions, one process, CPU: {label}",
            statistics.median(by_label[label].cpus) * 1000,
            "ms",
            f"fastest peer: {fastest.label}",
            base_cpu * 1000,
            target=target,
        )
        for label, target in (
            ("bank, QTI 3.0, not validated", "<= 1.0x"),
            ("bank, QTI 2.1, not validated", "<= 1.0x"),
            ("bank, QTI 3.0, validated", ""),
        )
    ]
    summary("qti_export_peers", figures)


def _interpreter_start(work: Path, repeat: int) -> tuple[float, float]:
    """Medians of wall and CPU seconds of ``python -c pass``: what any process pays."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu, wall = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], cwd=work, check=True)
        walls.append(time.perf_counter() - wall)
        cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _require_peers() -> None:
    peers = (("qti_sdk", "incept-qti-sdk"), ("qti_package_maker", "qti-package-maker"))
    missing = [package for module, package in peers if importlib.util.find_spec(module) is None]
    if missing:
        raise SystemExit(
            f"bench/qti_export_peers.py needs {', '.join(missing)}: "
            f"{sys.executable} -m pip install -e '{ROOT}[bench]' (make bench does this)"
        )


if __name__ == "__main__":
    main()
