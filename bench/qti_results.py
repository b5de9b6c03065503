"""Benchmark: reading QTI results (``assessmentResult``) delivered for many candidates.

Writes ``--candidates`` documents of ``--items`` item results each with
``qti.results.write_assessment_result`` - every item result with a ``RESPONSE`` response
(an identifier with its ``choiceSequence`` for four items in five, a string for the
fifth), the built-in ``duration`` and a ``SCORE`` outcome; a test result with the total -
zips them, then reports the median of several runs for:

- the floor: bare ``lxml.etree.fromstring`` of every document (already out of the zip);
- schema validation alone, of the already parsed documents;
- ``read_assessment_result(validate=False)`` and ``read_assessment_result()`` of every
  document (parse, [validate,] convert);
- ``read_results_zip`` of the zip: inflating, parsing, validating and converting;
- writing every document (``write_assessment_result``).

Candidates per second and the ratio to the floor are printed side by side; the run fails
unless every document was read with all its item results. Run with::

    .venv/bin/python bench/qti_results.py [--candidates 200] [--items 400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import time
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone

from _common import median_seconds
from lxml import etree

from qti._schemas import RESULT_VERSIONS, get_schema
from qti.results import (
    AssessmentResult,
    ItemResult,
    ResultsError,
    ResultVariable,
    TestResult,
    read_assessment_result,
    read_results_zip,
    write_assessment_result,
)

WIB = timezone(timedelta(hours=7))
CHOICES = ("A", "B", "C", "D", "E")


def candidate_result(candidate: int, items: int) -> AssessmentResult:
    """One candidate's delivery: ``items`` item results and a test result."""
    start = datetime(2024, 5, 1, 8, 0, tzinfo=WIB)
    results = []
    total = 0.0
    for index in range(items):
        seed = candidate * 7919 + index * 104729
        identifier = f"I-CACT-DEMO-{index + 1:06d}-V{1 + index % 3}"
        if index % 5 == 4:
            response = ResultVariable(
                "RESPONSE", "response", "single", "string", f"jawaban {seed % 1000}"
            )
            score = float(seed % 3 == 0)
        else:
            shift = seed % 5
            sequence = CHOICES[shift:] + CHOICES[:shift]
            response = ResultVariable(
                "RESPONSE", "response", "single", "identifier", CHOICES[seed % 5], sequence
            )
            score = float(seed % 5 == 0)
        total += score
        results.append(
            ItemResult(
                identifier,
                index + 1,
                start + timedelta(seconds=45 * index + seed % 40),
                "final",
                {"RESPONSE": response},
                {"SCORE": ResultVariable("SCORE", "outcome", "single", "float", score)},
                duration=5.0 + (seed % 1200) / 10,
            )
        )
    test = TestResult(
        "T-CACT-DEMO",
        start + timedelta(hours=5),
        {"SCORE": ResultVariable("SCORE", "outcome", "single", "float", total)},
    )
    return AssessmentResult(
        "3.0",
        (("https://tds.example.org/sessions", f"S-{candidate:06d}"),),
        f"CAND-{candidate:06d}",
        test,
        tuple(results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--version", choices=("2.1", "2.2", "3.0"), default="3.0")
    args = parser.parse_args()
    candidates, items, version = args.candidates, args.items, args.version

    results = [candidate_result(n, items) for n in range(candidates)]
    documents = [write_assessment_result(result, version) for result in results]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, document in enumerate(documents):
            archive.writestr(f"sesi-{n % 4 + 1}/CAND-{n:06d}.xml", document)
    data = buffer.getvalue()
    size = sum(len(document) for document in documents) / candidates
    print(
        f"{candidates} candidates x {items} item results, QTI {version}: {size / 1e3:.0f} KB "
        f"per document, zip {len(data) / 1e6:.1f} MB"
    )
    spec = next(spec for v, spec in RESULT_VERSIONS.values() if v == version)
    started = time.perf_counter()
    schema = get_schema(spec)
    print(f"schema compiled in {time.perf_counter() - started:.3f} s (once per process)")
    trees = [etree.fromstring(document) for document in documents]

    # Each run reads every document, checks it and lets it go, as an import that stores
    # each candidate's results before reading the next would.
    def check(read: Iterable[tuple[str, AssessmentResult | ResultsError]]) -> None:
        count = 0
        for name, outcome in read:
            if not isinstance(outcome, AssessmentResult):
                raise SystemExit(f"{name}: {outcome}")
            if len(outcome.items) != items or outcome.candidate_id != f"CAND-{count:06d}":
                raise SystemExit(f"{name}: not read in order with {items} item results")
            count += 1
        if count != candidates:
            raise SystemExit(f"{count} of {candidates} documents read")

    def each(validate: bool) -> Iterator[tuple[str, AssessmentResult]]:
        for n, document in enumerate(documents):
            yield str(n), read_assessment_result(document, validate=validate)

    def validate_all() -> None:
        if not all(schema.validate(tree) for tree in trees):
            raise SystemExit("a written document does not validate")

    runs = [
        ("lxml fromstring (floor)", lambda: [etree.fromstring(d) for d in documents]),
        ("schema validation alone", validate_all),
        ("read, validate=False", lambda: check(each(validate=False))),
        ("read (validated)", lambda: check(each(validate=True))),
        ("read_results_zip (validated)", lambda: check(read_results_zip(data, name="b.zip"))),
        ("write", lambda: [write_assessment_result(r, version) for r in results]),
    ]
    timed = [(label, median_seconds(function, args.repeat)) for label, function in runs]
    base = timed[0][1]
    print(f"median of {args.repeat} runs")
    print(f"{'':30} {'seconds':>9} {'cand./s':>9} {'items/s':>10} {'x floor':>8}")
    for label, seconds in timed:
        print(
            f"{label:30} {seconds:9.3f} {candidates / seconds:9.0f} "
            f"{candidates * items / seconds:10.0f} {seconds / base:8.1f}"
        )


if __name__ == "__main__":
    main()
