"""Importing delivered results into an administration, and reading them back.

:func:`import_results` reads a results file (:mod:`itembank.operations.result_readers`),
re-scores every response with the pinned version's ``score()``, compares each score with
the delivery system's where the results carry one, and stores one
:class:`~itembank.models.CandidateResult` per candidate and form, in one transaction:
any problem (an unknown form or item, an option the item does not have, a malformed
response, a candidate twice) and nothing is stored but the import's report. The
**disagreement report** lists, per item, every pattern of (response, delivered score,
bank score) where the two scores differ, with how many candidates gave it: a wrong key
in delivery, an old package, a different scoring rule.

Candidate ids never reach the database: each is replaced by a keyed hash
(:func:`~itembank.operations.result_readers.candidate_key`) under the results key, and
the import's report names candidates by file and row only, never by id.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import InvalidInput
from itembank.extensions import db, reading_phase
from itembank.importing import ImportFileError
from itembank.models import Administration, CandidateResult, ResultImport, User
from itembank.models._types import utcnow
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.result_readers import (
    CandidateRecord,
    ResultLimits,
    ResultReport,
    candidate_key,
    read_qti_results,
    read_spreadsheet_results,
)
from itembank.operations.result_scoring import FormScorer, form_scorer
from itembank.plugins import PluginHost

__all__ = [
    "administration_scorers",
    "detect_format",
    "import_results",
    "iter_results",
    "results_secret",
]

#: Two scores closer than this are the same score.
TOLERANCE = 1e-9
#: Disagreeing patterns kept per item (all are counted).
MAX_PATTERNS = 20
INSERT_BATCH = 1_000


def detect_format(filename: str, data: bytes) -> str:
    """``csv``, ``xlsx`` or ``qti`` from the name and the first bytes."""
    lowered = filename.lower()
    if lowered.endswith(".xlsx"):
        return "xlsx"
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith((".zip", ".xml")) or data.lstrip()[:1] == b"<":
        return "qti"
    raise InvalidInput(
        f"{filename}: not a results file (CSV, XLSX, or QTI results as XML or ZIP)",
        [
            {
                "field": "file",
                "message": "Berkas hasil harus CSV, XLSX, atau hasil QTI (XML atau ZIP).",
                "message_en": "A results file must be CSV, XLSX, or QTI results (XML or ZIP).",
            }
        ],
    )


def results_secret(config: Any) -> bytes:
    """The key candidate ids are hashed under: ``ITEMBANK_RESULTS_KEY`` when set, else
    one derived from the app's ``SECRET_KEY`` (rotating either makes the same candidate
    a new key, so duplicates across imports are no longer caught)."""
    explicit = config.get("ITEMBANK_RESULTS_KEY")
    if explicit:
        return str(explicit).encode()
    base = str(config.get("SECRET_KEY") or "").encode()
    if not base:
        raise RuntimeError("neither ITEMBANK_RESULTS_KEY nor SECRET_KEY is set")
    return hmac.new(base, b"itembank results key", hashlib.sha256).digest()


def administration_scorers(
    administration: Administration, plugins: PluginHost
) -> dict[str, FormScorer]:
    """Every name a result may give a delivered form by (its id and its package's test
    identifier), mapped to the form's scorer."""
    names: dict[str, FormScorer] = {}
    for form in administration.forms:
        scorer = form_scorer(form, plugins)
        names[form.external_id] = scorer
        names[scorer.test_identifier] = scorer
    return names


def import_results(
    administration: Administration,
    *,
    actor: User | None,
    plugins: PluginHost,
    filename: str,
    data: bytes,
    secret: bytes,
    limits: ResultLimits | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    job_id: int | None = None,
    read_apart: bool = False,
) -> ResultImport:
    """Import one results file into ``administration``; returns the stored import (its
    ``status`` says whether the candidates landed). The caller commits.

    ``read_apart``: commit what the caller began (nothing but reads, in a job), then
    read, re-score and check the duplicates in a transaction of their own, which on
    SQLite takes no write lock, and end it before writing (a job does this, so that
    others can write while it reads for minutes). What was read is exported forms'
    content, which never changes, so it is not expired then.

    :param secret: the results key candidate ids are hashed under.
    :raises InvalidInput: a file of no results format at all (nothing is stored)."""
    if read_apart:
        db.session.commit()  # end what the caller began (a job: its own lookups) first
    with reading_phase() if read_apart else contextlib.nullcontext():
        bank = administration.bank
        if actor is not None:
            require_role(actor, bank, *ASSEMBLY_ROLES, doing="import results")
    limits = limits or ResultLimits()
    fmt = detect_format(filename, data)
    batch = ResultImport(
        administration=administration,
        actor_id=actor.id if actor else None,
        filename=filename[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        format=fmt,
        status="failed",
        job_id=job_id,
    )
    report = ResultReport(max_problems=limits.max_problems)
    with reading_phase() if read_apart else contextlib.nullcontext():
        records = _read(administration, plugins, filename, data, fmt, report, limits, progress)
        rows = _rows(administration, records, report, secret, bank.code)
        if read_apart:
            session = db.session()
            expire = session.expire_on_commit
            session.expire_on_commit = False
            try:
                session.commit()
            finally:
                session.expire_on_commit = expire
    batch.candidates = len(records)
    batch.responses = sum(len(r.scores) - r.scores.count(None) for r in records)
    disagreement = _disagreements(records)
    batch.disagreements = sum(item["count"] for item in disagreement)
    batch.disagreement_report = disagreement
    if not records and not report.total:
        report.add(
            "no_candidates",
            "Berkas tidak berisi hasil peserta.",
            "The file holds no candidate results.",
            file=filename,
        )
    batch.problems = report.problems
    batch.problems_total = report.total
    db.session.add(batch)
    db.session.flush()
    if report.total:
        batch.status = "rolled_back" if records else "failed"
    else:
        if progress is not None:
            progress("write", 0, len(rows))
        for start in range(0, len(rows), INSERT_BATCH):
            chunk = rows[start : start + INSERT_BATCH]
            for row in chunk:
                row["import_id"] = batch.id
            db.session.execute(sa.insert(CandidateResult), chunk)
            if progress is not None:
                progress("write", min(start + INSERT_BATCH, len(rows)), len(rows))
        batch.status = "completed"
        if progress is not None:
            progress("analyse", 0, 1)
        from itembank.operations.statistics import analyse_after_import

        fresh: dict[int, tuple[FormScorer, list[CandidateRecord]]] = {}
        for rec in records:
            fresh.setdefault(rec.form.form.id, (rec.form, []))[1].append(rec)
        analyse_after_import(administration, fresh, plugins=plugins, actor=actor)
    batch.finished_at = utcnow()
    record(
        "results.import",
        actor=actor,
        bank=bank,
        object_type="administration",
        object_id=administration.external_id,
        to_status=batch.status,
        import_id=batch.id,
        filename=batch.filename,
        sha256=batch.sha256,
        format=fmt,
        candidates=batch.candidates if batch.status == "completed" else 0,
        problems=report.total,
        disagreements=batch.disagreements,
    )
    db.session.flush()
    return batch


def _read(
    administration: Administration,
    plugins: PluginHost,
    filename: str,
    data: bytes,
    fmt: str,
    report: ResultReport,
    limits: ResultLimits,
    progress: Callable[[str, int, int], None] | None,
) -> list[CandidateRecord]:
    """Every candidate of the file, read and scored; problems go to ``report``."""
    try:
        if len(data) > limits.max_bytes:
            raise ImportFileError(
                f"Berkas hasil {len(data)} bajt; paling besar {limits.max_bytes}.",
                f"The results file is {len(data)} bytes; at most {limits.max_bytes} are allowed.",
            )
        scorers = administration_scorers(administration, plugins)
        if not scorers:
            raise ImportFileError(
                f"Pelaksanaan {administration.external_id} belum menyebut paket yang dilaksanakan.",
                f"Administration {administration.external_id} names no delivered form yet.",
            )

        def read_progress(done: int) -> None:
            if progress is not None:
                progress("read", done, 0)

        read_progress(0)

        reader = read_qti_results if fmt == "qti" else read_spreadsheet_results
        return list(reader(filename, data, scorers, report, limits, progress=read_progress))
    except ImportFileError as exc:
        report.add("unreadable_file", exc.message, exc.message_en, file=filename)
        return []


def _rows(
    administration: Administration,
    records: list[CandidateRecord],
    report: ResultReport,
    secret: bytes,
    bank_code: str,
) -> list[dict[str, Any]]:
    """The rows to insert; duplicates (in the file, or imported before) are reported."""
    existing = _existing_keys(administration, {id(r.form.form): r.form.form.id for r in records})
    first_seen: dict[tuple[int, str], CandidateRecord] = {}
    rows: list[dict[str, Any]] = []
    for rec in records:
        key = candidate_key(secret, bank_code, rec.candidate_id)
        form_id = rec.form.form.id
        where = f"{rec.file}" + (f", baris {rec.row}" if rec.row else "")
        where_en = f"{rec.file}" + (f", row {rec.row}" if rec.row else "")
        earlier = first_seen.get((form_id, key))
        if rec.candidate_id and earlier is not None:
            there = f"{earlier.file}" + (f" baris {earlier.row}" if earlier.row else "")
            there_en = f"{earlier.file}" + (f" row {earlier.row}" if earlier.row else "")
            report.add(
                "duplicate_candidate",
                "Peserta yang sama muncul dua kali untuk paket "
                f"{rec.form.form.external_id} ({there} dan {where}).",
                "The same candidate appears twice for form "
                f"{rec.form.form.external_id} ({there_en} and {where_en}).",
                file=rec.file,
                row=rec.row,
            )
            continue
        first_seen[(form_id, key)] = rec
        if (form_id, key) in existing:
            report.add(
                "candidate_already_imported",
                f"Hasil peserta ini untuk paket {rec.form.form.external_id} "
                "sudah diimpor ke pelaksanaan ini.",
                "This candidate's results on form "
                f"{rec.form.form.external_id} were imported into this administration before.",
                file=rec.file,
                row=rec.row,
            )
            continue
        if not rec.ok:
            continue
        rows.append(
            {
                "administration_id": administration.id,
                "form_id": form_id,
                "candidate_key": key,
                "session": rec.session,
                "tested_at": rec.tested_at,
                "duration": rec.duration,
                "groups": rec.groups,
                "responses": rec.responses,
                "scores": rec.scores,
                "delivered_scores": rec.delivered_scores,
                "choice_orders": rec.choice_orders,
                "durations": rec.durations,
                "total": rec.total,
                "delivered_total": rec.delivered_total,
            }
        )
    return rows


def _existing_keys(administration: Administration, forms: dict[int, int]) -> set[tuple[int, str]]:
    if not forms:
        return set()
    rows = db.session.execute(
        sa.select(CandidateResult.form_id, CandidateResult.candidate_key).where(
            CandidateResult.administration_id == administration.id,
            CandidateResult.form_id.in_(set(forms.values())),
        )
    )
    return {(form_id, key) for form_id, key in rows}


def _disagreements(records: list[CandidateRecord]) -> list[dict[str, Any]]:
    """Per item (form and position), the patterns where delivery and bank disagree."""
    patterns: dict[tuple[int, int], Counter[tuple[str, float, float]]] = {}
    forms: dict[int, FormScorer] = {}
    by_form: dict[int, list[CandidateRecord]] = {}
    for rec in records:
        if rec.delivered_scores is not None:
            forms[rec.form.form.id] = rec.form
            by_form.setdefault(rec.form.form.id, []).append(rec)
    for form_id, group in by_form.items():
        mine = np.array([rec.scores for rec in group], dtype=np.float64)
        theirs = np.array([rec.delivered_scores for rec in group], dtype=np.float64)
        with np.errstate(invalid="ignore"):
            differ = np.abs(mine - theirs) > TOLERANCE  # NaN (absent) never differs
        for row, index in zip(*np.nonzero(differ), strict=True):
            rec = group[row]
            key = (_shown(rec.responses[index]), float(theirs[row, index]), float(mine[row, index]))
            patterns.setdefault((form_id, int(index)), Counter())[key] += 1
    report: list[dict[str, Any]] = []
    for (form_id, index), counter in sorted(patterns.items()):
        entry = forms[form_id].entries[index]
        report.append(
            {
                "form": forms[form_id].form.external_id,
                "position": index + 1,
                "item": entry.entry.item.external_id,
                "version": entry.entry.version.number,
                "identifier": entry.identifier,
                "count": sum(counter.values()),
                "patterns": [
                    {"response": response, "delivered": theirs, "bank": mine, "count": count}
                    for (response, theirs, mine), count in counter.most_common(MAX_PATTERNS)
                ],
            }
        )
    return report


def _shown(response: Any) -> str:
    """A response as the report shows it (``B``, ``A;C``, ``A:1;B:2``, ``(blank)``)."""
    if response is None:
        return "(kosong/blank)"
    if isinstance(response, list):
        return ";".join(":".join(map(str, r)) if isinstance(r, list) else str(r) for r in response)
    if isinstance(response, dict):
        return ";".join(f"{k}:{v}" for k, v in sorted(response.items()))
    text = str(response)
    return text if len(text) <= 60 else text[:57] + "..."


def iter_results(
    administration: Administration, form_id: int | None = None
) -> Iterator[CandidateResult]:
    """The administration's candidate results (of one form when given), in import
    order. Callers audit the read."""
    query = sa.select(CandidateResult).where(CandidateResult.administration_id == administration.id)
    if form_id is not None:
        query = query.where(CandidateResult.form_id == form_id)
    yield from db.session.scalars(query.order_by(CandidateResult.id)).yield_per(1000)
