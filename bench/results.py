"""Benchmark: delivered results into the bank, for 10,000 simulated candidates x 400
items (240 single choice, 160 weighted 1-5) of one exported form, in one run:

* results import from CSV (whole path: read, re-score every response with the pinned
  version's ``score()``, compare with the delivered scores, store, analyse) beside the
  floor, Python's ``csv`` reading the same bytes (target >= 2,000 candidates/s);
* results import from QTI 3.0 ``assessmentResult`` XML (a ZIP, a document per
  candidate) beside the floor, lxml parsing the same documents, and the floor of any
  reader (parsing plus touching every element once) with what it allows on every core
  (target >= 500/s);
* the classical analysis of the stored results (loading them included, and the core
  alone; target <= 1 s for the core);
* 2PL/GPCM calibration from the stored results (target <= 10 s; the core beside the
  reference implementation is ``bench/psychometrics.py``);
* DIF (Mantel-Haenszel / Mantel) for all items from the stored results.

Before timing, each case asserts it did the work: every candidate stored, every response
re-scored to the simulated score, every item analysed and calibrated.

    .venv/bin/python bench/results.py [--quick | --candidates 10000] [--postgres URL] [--skip-qti]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
from _common import PASSWORD, Sizes, add_postgres, database, headline, make_app, migrate

LETTERS = "ABCDE"
TESTED_AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = function()
    return out, time.perf_counter() - start


def row(name: str, seconds: float, note: str = "") -> None:
    print(f"  {name:<52} {seconds:8.2f} s  {note}")


def build_form(items: list[Any]) -> Any:
    """A bank with the simulated items approved, a 400-item form locked and exported."""
    from itembank.extensions import db
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_bank, create_user
    from itembank.operations.blueprints import create_blueprint
    from itembank.operations.export import export_form
    from itembank.operations.forms import add_entry, create_form, lock_form
    from itembank.operations.items import create_item
    from itembank.operations.reviews import review_version, submit_version
    from itembank.plugins import plugins

    host = plugins()
    bank = create_bank("BENCH-RES", "Bank uji hasil (simulasi)", actor=None)
    users = {}
    for name, role in (
        ("penulis", Role.AUTHOR),
        ("penelaah", Role.REVIEWER),
        ("perakit", Role.ASSEMBLER),
    ):
        users[name] = create_user(name, PASSWORD, actor=None)
        add_member(bank, users[name], role, actor=None)
    versions = []
    for number, item in enumerate(items):
        if item.kind == "single":
            content = {
                "options": [
                    {"id": LETTERS[o], "text": f"Pilihan {LETTERS[o]} butir {number}"}
                    for o in range(item.n_options)
                ],
                "key": LETTERS[item.key],
                "points": item.points,
            }
            node, kind = "TIU.NUM", "single_choice"
        else:
            content = {
                "options": [
                    {
                        "id": LETTERS[o],
                        "text": f"Tindakan {LETTERS[o]} situasi {number}",
                        "weight": w,
                    }
                    for o, w in enumerate(item.weights)
                ],
                "scale": {"min": 1, "max": 5},
            }
            node, kind = "TKP.PP", "weighted_options"
        created = create_item(
            bank,
            actor=users["penulis"],
            plugins=host,
            item_type=kind,
            stem=f"<p>Butir simulasi nomor {number + 1}: pilih jawaban yang paling tepat.</p>",
            content=content,
            metadata={"classifications": [{"taxonomy": "skd-cpns", "node": node}]},
        )
        version = submit_version(created.latest_version, actor=users["penulis"])
        review_version(version, actor=users["penelaah"], decision="approve")
        versions.append(version)
    spec = {
        "code": "BENCH-400",
        "title": "Kisi-kisi 400 butir (simulasi)",
        "total_length": len(items),
        "sections": [
            {
                "title": "Pilihan ganda",
                "rows": [
                    {
                        "taxonomy": "skd-cpns",
                        "node": "TIU.NUM",
                        "count": 240,
                        "item_types": ["single_choice"],
                    }
                ],
            },
            {
                "title": "Bobot 1-5",
                "rows": [
                    {
                        "taxonomy": "skd-cpns",
                        "node": "TKP.PP",
                        "count": 160,
                        "item_types": ["weighted_options"],
                    }
                ],
            },
        ],
    }
    assembler = users["perakit"]
    blueprint = create_blueprint(bank, spec, actor=assembler, plugins=host)
    form = create_form(bank, blueprint, title="Paket 400 butir (simulasi)", actor=assembler)
    for number, version in enumerate(versions):
        add_entry(form, version, actor=assembler, section=1 if number < 240 else 2)
    lock_form(form, actor=assembler, plugins=host)
    export_form(form, exporter_id="qti3", actor=assembler, plugins=host)
    db.session.commit()
    return bank, form, assembler


def results_csv(sim: Any, identifiers: list[str], n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["candidate_id", "group:gender", *identifiers, "total_score"])
    options = sim.options
    for i in range(n):
        cells = [LETTERS[o] if o >= 0 else "" for o in options[i].tolist()]
        total = float(np.nansum(sim.scores[i]))
        writer.writerow([f"SIM{i:015d}", "F" if sim.group[i] else "M", *cells, repr(total)])
    return out.getvalue().encode()


def results_zip(sim: Any, identifiers: list[str], test_identifier: str, n: int) -> bytes:
    from qti.results import (
        AssessmentResult,
        ItemResult,
        ResultVariable,
        TestResult,
        write_assessment_result,
    )

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(n):
            items = []
            for j, identifier in enumerate(identifiers):
                o = int(sim.options[i, j])
                value = LETTERS[o] if o >= 0 else None
                items.append(
                    ItemResult(
                        identifier=identifier,
                        sequence_index=j + 1,
                        datestamp=TESTED_AT,
                        session_status="final",
                        responses={
                            "RESPONSE": ResultVariable(
                                "RESPONSE", "response", "single", "identifier", value, None
                            )
                        },
                        outcomes={
                            "SCORE": ResultVariable(
                                "SCORE", "outcome", "single", "float", float(sim.scores[i, j]), None
                            )
                        },
                        duration=None,
                        line=0,
                    )
                )
            document = AssessmentResult(
                version="3.0",
                session_identifiers=(("urn:itembank:group:gender", "F" if sim.group[i] else "M"),),
                source_id=f"SIM{i:015d}",
                test=TestResult(test_identifier, TESTED_AT, {}, None),
                items=tuple(items),
            )
            archive.writestr(f"hasil/{i:06d}.xml", write_assessment_result(document, "3.0"))
    return buffer.getvalue()


def walk_all(trees: list[Any]) -> int:
    """Touch every element of every tree once (its tag, attributes and text): what any
    reader of the documents must at least do after parsing, so parse + walk is a floor
    no reader of these documents can beat on one core."""
    touched = 0
    for root in trees:
        for element in root.iter():
            element.tag, element.attrib, element.text  # noqa: B018
            touched += 1
    return touched


def main() -> None:
    parser = argparse.ArgumentParser()
    sizes = Sizes(parser)
    sizes.add("--candidates", quick=2_000, full=10_000, help="simulated candidates")
    add_postgres(parser, "run on PostgreSQL instead of SQLite")
    parser.add_argument("--skip-qti", action="store_true")
    args = sizes.parse()
    n = args.candidates

    from itembank.psychometrics import simulate_items, simulate_responses

    items = simulate_items(240, 160, seed=11)
    sim = simulate_responses(items, n, seed=12, omit_rate=0.02, focal_share=0.4)
    with database(args.postgres) as (url, options):
        app = make_app(url, options, ITEMBANK_RESULTS_KEY="bench")
        with app.app_context():
            from itembank.extensions import db
            from itembank.models import CandidateResult
            from itembank.operations.administrations import create_administration
            from itembank.operations.calibration import check_calibration_request, run_calibration
            from itembank.operations.result_readers import ResultLimits
            from itembank.operations.result_scoring import form_scorer
            from itembank.operations.results import import_results
            from itembank.operations.statistics import analyse_form, load_results
            from itembank.plugins import plugins
            from itembank.psychometrics import analyse, mantel_haenszel

            migrate()
            db.session.commit()
            print(
                f"{n} candidates x 400 items (240 single choice, 160 weighted 1-5); "
                f"{'PostgreSQL' if args.postgres else 'SQLite'}"
            )
            (bank, form, assembler), seconds = timed(lambda: build_form(items))
            print(
                f"  (setup: 400 items written, reviewed, assembled and exported in {seconds:.1f} s)"
            )
            scorer = form_scorer(form, plugins())
            identifiers = [entry.identifier for entry in scorer.entries]
            limits = ResultLimits()

            def import_into(title: str, filename: str, data: bytes) -> Any:
                administration = create_administration(
                    bank,
                    actor=assembler,
                    title=title,
                    starts_on="2026-11-02",
                    forms=[form.external_id],
                )
                batch = import_results(
                    administration,
                    actor=assembler,
                    plugins=plugins(),
                    filename=filename,
                    data=data,
                    secret=b"bench",
                    limits=limits,
                )
                db.session.commit()
                return administration, batch

            def check(administration: Any, batch: Any) -> None:
                assert batch.status == "completed", batch.problems[:3]
                assert batch.candidates == n and batch.problems_total == 0
                stored = db.session.scalar(
                    db.select(db.func.count(CandidateResult.id)).where(
                        CandidateResult.administration_id == administration.id
                    )
                )
                assert stored == n, stored
                data = load_results(form, plugins(), administration)
                expected = np.where(np.isnan(sim.scores), 0.0, sim.scores)
                assert np.array_equal(data.scores, expected), "re-scored differently"

            data = results_csv(sim, identifiers, n)
            _, floor = timed(lambda: sum(1 for _ in csv.reader(io.StringIO(data.decode()))))
            (administration, batch), seconds = timed(lambda: import_into("CSV", "hasil.csv", data))
            check(administration, batch)
            print(f"\nresults import, CSV ({len(data) / 1e6:.1f} MB)")
            row("floor: csv.reader over the same bytes", floor, f"{n / floor:,.0f} candidates/s")
            row(
                "import (read, re-score, compare, store, analyse)",
                seconds,
                f"{n / seconds:,.0f} candidates/s; target >= 2,000/s; {seconds / floor:.1f}x floor",
            )
            headline(
                f"results import, CSV, {n} candidates",
                n / seconds,
                "candidates/s",
                "csv.reader over the same bytes",
                n / floor,
                ">= 2,000/s",
            )

            if not args.skip_qti:
                from lxml import etree

                packed = results_zip(sim, identifiers, scorer.test_identifier, n)
                with zipfile.ZipFile(io.BytesIO(packed)) as archive:
                    documents = [archive.read(name) for name in archive.namelist()]
                _, floor = timed(lambda: [etree.fromstring(d) for d in documents])
                trees = [etree.fromstring(d) for d in documents]
                _, walk = timed(lambda: walk_all(trees))
                del trees
                (qti_admin, qti_batch), seconds = timed(
                    lambda: import_into("QTI", "hasil.zip", packed)
                )
                check(qti_admin, qti_batch)
                print(f"\nresults import, QTI 3.0 XML ({len(packed) / 1e6:.1f} MB zipped)")
                row(
                    "floor: lxml parse of the same documents",
                    floor,
                    f"{n / floor:,.0f} candidates/s",
                )
                cores = os.cpu_count() or 1
                ceiling = n / (floor + walk) * cores
                row(
                    "floor: parse and touch every element once",
                    floor + walk,
                    f"{n / (floor + walk):,.0f} candidates/s; on all {cores} cores at best "
                    f"{ceiling:,.0f}/s",
                )
                row(
                    "import (validate, read, re-score, store, analyse)",
                    seconds,
                    f"{n / seconds:,.0f} candidates/s; target >= 500/s; "
                    f"{seconds / floor:.1f}x floor",
                )
                headline(
                    f"results import, QTI 3.0, {n} candidates",
                    n / seconds,
                    "candidates/s",
                    "lxml parse of the same documents",
                    n / floor,
                    ">= 500/s",
                )

            print("\nstatistics from the stored results")
            matrix, load = timed(lambda: load_results(form, plugins(), administration))
            assert matrix.n == n and matrix.scores.shape == (n, 400)
            row("load the stored results into arrays", load)
            result, core = timed(
                lambda: analyse(
                    matrix.scores,
                    matrix.max_scores,
                    omitted=matrix.omitted,
                    options=matrix.options,
                    keys=matrix.keys,
                    weighted=matrix.weighted,
                    sections=matrix.sections(),
                )
            )
            assert len(result.items.p) == 400
            row("classical analysis, the core", core, "target <= 1 s")
            analysis, whole = timed(
                lambda: analyse_form(
                    form, plugins=plugins(), actor=None, administration=administration
                )
            )
            assert analysis is not None and len(analysis.items) == 400
            row("classical analysis, whole (load, analyse, store, flag)", whole)
            dif, seconds = timed(
                lambda: mantel_haenszel(
                    matrix.scores,
                    matrix.groups["gender"],
                    max_scores=matrix.max_scores,
                    reference="M",
                    focal="F",
                )
            )
            assert len(dif.category) == 400
            row("DIF for all items (MH / Mantel), the core", seconds)
            request = check_calibration_request(
                bank, {"administrations": [administration.external_id]}, actor=None
            )
            run, seconds = timed(lambda: run_calibration(bank, request, actor=None))
            assert run.status == "completed" and run.items == 400, run.summary.get("left_out")
            row(
                "2PL/GPCM calibration, whole (matrix, EM, store)",
                seconds,
                f"target <= 10 s; {run.summary['iterations']} EM cycles, "
                f"core {run.summary['seconds']:.1f} s",
            )
            a_true = np.array([it.parameters.a for it in items])
            a_est = np.array([e["params"]["a"] for e in run.summary["items"]])
            print(
                "  recovery: correlation of a with the simulated a = "
                f"{np.corrcoef(a_true, a_est)[0, 1]:.3f}"
            )


if __name__ == "__main__":
    main()
