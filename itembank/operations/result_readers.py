"""Reading delivered results into candidate records, scored by the bank.

Two formats: a **spreadsheet** (CSV or XLSX: a row per candidate, a column per item
named by the item's identifier in the exported package) and **QTI Results Reporting**
(``assessmentResult`` documents, QTI 3.0, 2.2 or 2.1, one per candidate, many in a ZIP).
Each reader yields a :class:`CandidateRecord` per candidate with the bank's response and
score for every entry of the candidate's form, and reports every problem it meets (by
file, row or line, and item) to a :class:`ResultReport`; a candidate with a problem is
still yielded with ``ok`` False so that all problems of a file are found in one pass.

Spreadsheet columns (the template has them for each form):

- ``candidate_id`` (required): the delivery system's id of the candidate;
- ``form`` (optional when the administration delivered one form): the form's id
  (``CACT-DEMO-F001``) or its package identifier (``T-CACT-DEMO-F001``);
- ``session``, ``tested_at`` (ISO date and time), ``duration`` (seconds): optional;
- ``group:<name>``: group variables for DIF (``group:gender``), optional;
- ``total_score``: the delivered total, optional;
- ``<item identifier>`` (``I-CACT-DEMO-000123-V2``): the raw response: an option
  (``B``), options (``A;C``), an order (``C;A;B``), pairs (``A:1;B:2``), text, or for an
  essay the rater's score; an empty cell is a blank;
- ``<item identifier>:score``: the delivered score of that item, optional.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from itembank.importing import ImportFileError
from itembank.operations.result_scoring import EntryScorer, FormScorer, ResponseProblem

__all__ = [
    "CandidateRecord",
    "ResultLimits",
    "ResultReport",
    "candidate_key",
    "read_qti_results",
    "read_spreadsheet_results",
    "template_csv",
]

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
GROUP_PREFIX = "group:"
SCORE_SUFFIX = ":score"
FIXED_COLUMNS = ("candidate_id", "form", "session", "tested_at", "duration", "total_score")
#: ``sessionIdentifier/@sourceID`` values the QTI reader takes the session and group
#: variables from (``urn:itembank:group:gender``).
QTI_SESSION_SOURCE = "urn:itembank:session"
QTI_GROUP_SOURCE = "urn:itembank:group:"


@dataclass(frozen=True)
class ResultLimits:
    """What one results import may be made of (each settable in the config or the
    environment under the name in :data:`RESULT_LIMIT_SETTINGS`)."""

    max_bytes: int = 256 * 1024 * 1024
    max_candidates: int = 100_000
    #: Members of a ZIP of QTI results.
    max_files: int = 200_000
    max_uncompressed_bytes: int = 8 * 1024 * 1024 * 1024
    max_columns: int = 3_000
    max_cell_chars: int = 10_000
    max_groups: int = 10
    #: Problems kept in the report (all are counted).
    max_problems: int = 1_000

    @classmethod
    def from_config(cls, config: Any) -> ResultLimits:
        from itembank.importing import limit_settings

        return cls(**limit_settings(RESULT_LIMIT_SETTINGS, config))


RESULT_LIMIT_SETTINGS: dict[str, str] = {
    "max_bytes": "ITEMBANK_RESULTS_MAX_BYTES",
    "max_candidates": "ITEMBANK_RESULTS_MAX_CANDIDATES",
    "max_files": "ITEMBANK_RESULTS_MAX_FILES",
    "max_uncompressed_bytes": "ITEMBANK_RESULTS_MAX_UNCOMPRESSED_BYTES",
    "max_columns": "ITEMBANK_RESULTS_MAX_COLUMNS",
}


@dataclass
class ResultReport:
    """Problems found in a results file, each with where (file, row or line, item)."""

    max_problems: int = 1_000
    problems: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0

    def add(
        self,
        code: str,
        message: str,
        message_en: str,
        *,
        file: str = "",
        row: int | None = None,
        item: str = "",
    ) -> None:
        self.total += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(
                {
                    "file": file,
                    "row": row,
                    "item": item,
                    "code": code,
                    "message": message,
                    "message_en": message_en,
                }
            )


@dataclass
class CandidateRecord:
    """One candidate's results on one form, scored by the bank."""

    file: str
    row: int | None
    candidate_id: str
    form: FormScorer
    responses: list[Any]
    scores: list[float | None]
    delivered_scores: list[float | None] | None = None
    choice_orders: list[list[str] | None] | None = None
    durations: list[float | None] | None = None
    session: str = ""
    tested_at: datetime | None = None
    duration: float | None = None
    groups: dict[str, str] = field(default_factory=dict)
    delivered_total: float | None = None
    ok: bool = True

    @property
    def total(self) -> float:
        return float(sum(filter(None, self.scores)))  # blanks (None) and zeros add nothing


def candidate_key(secret: bytes, bank_code: str, candidate_id: str) -> str:
    """The stored stand-in for a candidate's id: HMAC-SHA256 (hex) under ``secret``,
    per bank, so the same NIP gives unrelated keys in two banks."""
    message = f"{bank_code}\x1f{candidate_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


# -- spreadsheets ------------------------------------------------------------------------


def template_csv(forms: Sequence[FormScorer], *, groups: Sequence[str] = ()) -> bytes:
    """A CSV template for results of ``forms``: the header and one example row per form
    (its item columns blank, the candidate id a placeholder)."""
    header = ["candidate_id"]
    if len(forms) > 1:
        header.append("form")
    header += ["session", "tested_at", "duration"]
    header += [GROUP_PREFIX + g for g in groups]
    header.append("total_score")
    seen: set[str] = set()
    for form in forms:
        for entry in form.entries:
            if entry.identifier not in seen:
                seen.add(entry.identifier)
                header += [entry.identifier, entry.identifier + SCORE_SUFFIX]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _rows_csv(data: bytes, limits: ResultLimits) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Berkas CSV bukan UTF-8 (bajt ke-{exc.start}).",
            f"The CSV file is not UTF-8 (byte {exc.start}).",
        ) from None
    if "\x00" in text:
        raise ImportFileError("Berkas CSV berisi karakter NUL.", "The CSV file contains NUL.")
    # The header row tells the delimiter: cells below it hold ";" inside responses
    # (``A;C``, ``B;D;A;C``), which outnumber the commas of a form of ordering items.
    header = text[:65536].split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    # csv's own cell limit is process-wide, so it is left as it is (above
    # max_cell_chars by default); each row's cells are measured when it is read.
    try:
        yield from csv.reader(io.StringIO(text), delimiter=delimiter)
    except csv.Error as exc:
        raise ImportFileError(
            f"Berkas CSV rusak: {exc}.", f"The CSV file is malformed: {exc}."
        ) from None


def _rows_xlsx(data: bytes, limits: ResultLimits) -> Iterator[list[str]]:
    import warnings

    import openpyxl

    from itembank.importing import ImportLimits, open_zip

    open_zip(
        data,
        ImportLimits(max_files=10_000, max_uncompressed_bytes=limits.max_uncompressed_bytes),
        what="XLSX",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged workbook
            raise ImportFileError(
                "Berkas XLSX tidak dapat dibaca (rusak atau bukan buku kerja Excel).",
                "The XLSX file cannot be read (damaged, or not an Excel workbook).",
            ) from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield ["" if v is None else _cell_text(v) for v in values]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


#: One entry's place in a spreadsheet: the scorer, the response's column, the delivered
#: score's column, and the scores of the cell texts met so far.
_Slot = tuple[EntryScorer, int | None, int | None, dict[str, Any]]


@dataclass
class _Columns:
    candidate: int
    form: int | None
    session: int | None
    tested_at: int | None
    duration: int | None
    total: int | None
    groups: dict[str, int]
    items: dict[str, int]
    scores: dict[str, int]


def _header(
    row: list[str], file: str, forms: dict[str, FormScorer], limits: ResultLimits
) -> _Columns:
    if len(row) > limits.max_columns:
        raise ImportFileError(
            f"Berkas memiliki {len(row)} kolom; paling banyak {limits.max_columns}.",
            f"The file has {len(row)} columns; at most {limits.max_columns} are allowed.",
        )
    names = [cell.strip() for cell in row]
    known = {entry.identifier for form in forms.values() for entry in form.entries}
    fixed: dict[str, int] = {}
    groups: dict[str, int] = {}
    items: dict[str, int] = {}
    scores: dict[str, int] = {}
    for index, name in enumerate(names):
        column = _column_name(index)
        if not name:
            continue
        if name in fixed or name in items or name in groups or name in scores:
            raise ImportFileError(
                f"Kolom '{name}' muncul dua kali (kolom {column}).",
                f"Column '{name}' appears twice (column {column}).",
            )
        lowered = name.lower()
        if lowered in FIXED_COLUMNS:
            fixed[lowered] = index
        elif lowered.startswith(GROUP_PREFIX):
            group = name[len(GROUP_PREFIX) :].strip()
            if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", group):
                raise ImportFileError(
                    f"Nama kelompok '{group}' (kolom {column}) harus huruf, angka atau _, "
                    "paling banyak 32 karakter.",
                    f"Group name '{group}' (column {column}) must be letters, digits or _, "
                    "at most 32 characters.",
                )
            groups[group] = index
        elif name.endswith(SCORE_SUFFIX) and name[: -len(SCORE_SUFFIX)] in known:
            scores[name[: -len(SCORE_SUFFIX)]] = index
        elif name in known:
            items[name] = index
        else:
            raise ImportFileError(
                f"Kolom '{name}' (kolom {column}) bukan kolom hasil yang dikenal dan bukan "
                "soal dari paket pelaksanaan ini.",
                f"Column '{name}' (column {column}) is neither a known results column nor an "
                "item of this administration's forms.",
            )
    if "candidate_id" not in fixed:
        raise ImportFileError(
            "Kolom 'candidate_id' wajib ada di baris judul.",
            "The header row must have a 'candidate_id' column.",
        )
    if len(groups) > limits.max_groups:
        raise ImportFileError(
            f"Paling banyak {limits.max_groups} kolom kelompok.",
            f"At most {limits.max_groups} group columns are allowed.",
        )
    if "form" not in fixed and len({id(f) for f in forms.values()}) > 1:
        raise ImportFileError(
            "Pelaksanaan ini memiliki beberapa paket: kolom 'form' wajib ada.",
            "This administration delivered several forms: a 'form' column is required.",
        )
    return _Columns(
        candidate=fixed["candidate_id"],
        form=fixed.get("form"),
        session=fixed.get("session"),
        tested_at=fixed.get("tested_at"),
        duration=fixed.get("duration"),
        total=fixed.get("total_score"),
        groups=groups,
        items=items,
        scores=scores,
    )


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def read_spreadsheet_results(
    filename: str,
    data: bytes,
    forms: dict[str, FormScorer],
    report: ResultReport,
    limits: ResultLimits,
    *,
    progress: Callable[[int], None] | None = None,
) -> Iterator[CandidateRecord]:
    """Candidates from a CSV or XLSX results file. ``forms`` maps every name a row may
    give its form by (external id and package identifier) to its scorer.

    :raises ImportFileError: for a file that cannot be read at all (not UTF-8, a
        damaged workbook, a header the bank does not understand)."""
    rows = (
        _rows_xlsx(data, limits) if filename.lower().endswith(".xlsx") else _rows_csv(data, limits)
    )
    header = next(rows, None)
    if header is None:
        raise ImportFileError("Berkas hasil kosong.", "The results file is empty.")
    scorers = {id(f): f for f in forms.values()}
    columns = _header(header, filename, forms, limits)
    only_form = next(iter(scorers.values())) if len(scorers) == 1 else None
    # Per form, the column of each entry (None: the file has no column for it), its
    # delivered score's column, and what each distinct cell text scored (few per item).
    layouts: dict[int, list[_Slot]] = {}
    for form in scorers.values():
        layouts[id(form)] = [
            (entry, columns.items.get(entry.identifier), columns.scores.get(entry.identifier), {})
            for entry in form.entries
        ]
    width = len(header)
    kept: list[tuple[int, list[str]]] = []
    for number, row in enumerate(rows, start=2):
        if not "".join(row).strip():
            continue
        if len(kept) >= limits.max_candidates:
            raise ImportFileError(
                f"Berkas berisi lebih dari {limits.max_candidates} peserta.",
                f"The file holds more than {limits.max_candidates} candidates.",
            )
        if len(row) < width:
            row = row + [""] * (width - len(row))
        kept.append((number, row))
    # The candidates' own cells, row by row; then the responses column by column, since
    # an item's responses take few distinct values and each is read and scored once.
    records: list[CandidateRecord] = []
    by_form: dict[int, list[int]] = {}
    for count, (number, row) in enumerate(kept, start=1):
        record = _row_record(filename, number, row, columns, forms, only_form, report, limits)
        by_form.setdefault(id(record.form), []).append(len(records))
        records.append(record)
        if progress is not None and count % 1000 == 0:
            progress(count)
    for form_key, indexes in by_form.items():
        _score_columns(
            filename,
            scorers[form_key],
            layouts[form_key],
            [kept[i] for i in indexes],
            [records[i] for i in indexes],
            report,
        )
    yield from records


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index]


def _row_record(
    filename: str,
    number: int,
    row: list[str],
    columns: _Columns,
    forms: dict[str, FormScorer],
    only_form: FormScorer | None,
    report: ResultReport,
    limits: ResultLimits,
) -> CandidateRecord:
    """A row's candidate, form and other cells; its responses come later."""

    def problem(code: str, message: str, message_en: str, item: str = "") -> None:
        report.add(code, message, message_en, file=filename, row=number, item=item)

    ok = True
    if max(map(len, row), default=0) > limits.max_cell_chars or any("\x00" in c for c in row):
        bad = next(n for n, c in enumerate(row) if len(c) > limits.max_cell_chars or "\x00" in c)
        problem(
            "cell_too_long",
            f"Sel kolom {_column_name(bad)} lebih dari {limits.max_cell_chars} karakter "
            "atau berisi NUL.",
            f"The cell in column {_column_name(bad)} is longer than "
            f"{limits.max_cell_chars} characters or contains NUL.",
        )
        ok = False
    candidate = _cell(row, columns.candidate).strip()
    ok &= _check_candidate(candidate, problem)
    form_name = _cell(row, columns.form).strip()
    form = forms.get(form_name) if form_name else only_form
    if form is None:
        problem(
            "unknown_form",
            f"Paket '{form_name}' tidak dilaksanakan pada pelaksanaan ini."
            if form_name
            else "Kolom 'form' kosong.",
            f"Form '{form_name}' was not delivered in this administration."
            if form_name
            else "The 'form' cell is empty.",
        )
        form = only_form or next(iter(forms.values()))
        ok = False
    groups: dict[str, str] = {}
    for name, index in columns.groups.items():
        value_text = _cell(row, index).strip()
        if value_text:
            if len(value_text) > 64:
                problem(
                    "group_too_long",
                    f"Nilai kelompok '{name}' lebih dari 64 karakter.",
                    f"Group value '{name}' is longer than 64 characters.",
                )
                ok = False
            groups[name] = value_text[:64]
    record = CandidateRecord(
        file=filename,
        row=number,
        candidate_id=candidate,
        form=form,
        responses=[],
        scores=[],
        session=_cell(row, columns.session).strip()[:64],
        groups=groups,
        ok=ok,
    )
    record.ok &= _fill_extras(record, row, columns, problem)
    return record


def _score_columns(
    filename: str,
    form: FormScorer,
    layout: list[_Slot],
    rows: list[tuple[int, list[str]]],
    records: list[CandidateRecord],
    report: ResultReport,
) -> None:
    """Read and score every response of ``rows`` (all of one form) column by column, and
    fill the records' responses, scores and delivered scores."""
    if not rows:
        return
    table = list(zip(*(row for _, row in rows), strict=True))
    response_columns: list[list[Any]] = []
    score_columns: list[list[float | None]] = []
    delivered_columns: list[list[float | None]] = []
    any_delivered = False
    for entry, column, score_column, memo in layout:
        if column is None:
            report.add(
                "missing_item_column",
                f"Berkas tidak memiliki kolom untuk soal {entry.identifier} dari paket "
                f"{form.form.external_id}.",
                f"The file has no column for item {entry.identifier} of form "
                f"{form.form.external_id}.",
                file=filename,
                item=entry.identifier,
            )
            for record in records:
                record.ok = False
            response_columns.append([None] * len(rows))
            score_columns.append([None] * len(rows))
            delivered_columns.append([None] * len(rows))
            continue
        texts = table[column]
        for text in set(texts).difference(memo):
            try:
                memo[text] = entry.score_value(entry.parse_cell(text))
            except ResponseProblem as exc:
                memo[text] = exc
        responses: dict[str, Any] = {}
        scores: dict[str, float | None] = {}
        for text in set(texts):
            scored = memo[text]
            if isinstance(scored, ResponseProblem):
                _report_cells(
                    report, filename, rows, records, texts, text, entry.identifier, scored
                )
                responses[text] = scores[text] = None
            else:
                responses[text], scores[text] = scored
        response_columns.append(list(map(responses.__getitem__, texts)))
        score_columns.append(list(map(scores.__getitem__, texts)))
        if score_column is None:
            delivered_columns.append([None] * len(rows))
            continue
        given = table[score_column]
        numbers: dict[str, float | None] = {}
        for text in set(given):
            raw = text.strip()
            value = _number(raw) if raw else None
            if raw and value is None:
                problem = ResponseProblem(
                    "malformed_score",
                    f"Skor '{raw[:40]}' untuk soal {entry.identifier} bukan angka.",
                    f"Score '{raw[:40]}' for item {entry.identifier} is not a number.",
                )
                _report_cells(
                    report, filename, rows, records, given, text, entry.identifier, problem
                )
            elif value is not None:
                any_delivered = True
            numbers[text] = value
        delivered_columns.append(list(map(numbers.__getitem__, given)))
    by_row = zip(
        zip(*response_columns, strict=True),
        zip(*score_columns, strict=True),
        zip(*delivered_columns, strict=True),
        strict=True,
    )
    for record, (responses_row, scores_row, delivered_row) in zip(records, by_row, strict=True):
        record.responses = list(responses_row)
        record.scores = list(scores_row)
        if any_delivered and any(value is not None for value in delivered_row):
            record.delivered_scores = list(delivered_row)


def _report_cells(
    report: ResultReport,
    filename: str,
    rows: list[tuple[int, list[str]]],
    records: list[CandidateRecord],
    texts: tuple[str, ...],
    text: str,
    item: str,
    problem: ResponseProblem,
) -> None:
    """Report ``problem`` for every row whose cell is ``text``, and mark those rows."""
    for index, cell in enumerate(texts):
        if cell == text:
            records[index].ok = False
            report.add(
                problem.code,
                problem.message,
                problem.message_en,
                file=filename,
                row=rows[index][0],
                item=item,
            )


def _fill_extras(
    record: CandidateRecord, row: list[str], columns: _Columns, problem: Callable[..., None]
) -> bool:
    ok = True
    tested = _cell(row, columns.tested_at).strip()
    if tested:
        try:
            moment = datetime.fromisoformat(tested)
            record.tested_at = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        except ValueError:
            problem(
                "malformed_date",
                f"Waktu tes '{tested[:40]}' bukan tanggal-waktu ISO (2026-12-06T08:00).",
                f"Test time '{tested[:40]}' is not an ISO date and time (2026-12-06T08:00).",
            )
            ok = False
    for attr, index, label in (
        ("duration", columns.duration, ("Durasi", "Duration")),
        ("delivered_total", columns.total, ("Skor total", "Total score")),
    ):
        raw = _cell(row, index).strip()
        if raw:
            value = _number(raw)
            if value is None or value < 0:
                problem(
                    "malformed_number",
                    f"{label[0]} '{raw[:40]}' bukan angka yang sah.",
                    f"{label[1]} '{raw[:40]}' is not a valid number.",
                )
                ok = False
            else:
                setattr(record, attr, value)
    return ok


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check_candidate(candidate: str, problem: Callable[..., None]) -> bool:
    if not candidate:
        problem("missing_candidate", "Kolom 'candidate_id' kosong.", "'candidate_id' is empty.")
        return False
    if len(candidate) > 128 or CONTROL_RE.search(candidate):
        problem(
            "malformed_candidate",
            "Id peserta paling banyak 128 karakter, tanpa karakter kendali.",
            "The candidate id is at most 128 characters, without control characters.",
        )
        return False
    return True


# -- QTI results reporting ---------------------------------------------------------------


def read_qti_results(
    filename: str,
    data: bytes,
    forms: dict[str, FormScorer],
    report: ResultReport,
    limits: ResultLimits,
    *,
    progress: Callable[[int], None] | None = None,
) -> Iterator[CandidateRecord]:
    """Candidates from QTI ``assessmentResult`` documents: one XML document, or a ZIP
    of them. A document that fails its schema is reported by file and line, and the
    others are still read.

    :raises ImportFileError: a file that is neither XML nor a readable ZIP."""
    from qti.results import ResultsError, read_assessment_result, read_results_zip

    if data[:2] == b"PK":
        from itembank.importing import ImportLimits, open_zip

        open_zip(
            data,
            ImportLimits(
                max_files=limits.max_files, max_uncompressed_bytes=limits.max_uncompressed_bytes
            ),
        )
        documents: Iterator[tuple[str, Any]] = iter(read_results_zip(data))
    else:
        try:
            documents = iter([(filename, read_assessment_result(data, name=filename))])
        except ResultsError as exc:
            documents = iter([(filename, exc)])
    scorers = list({id(f): f for f in forms.values()}.values())
    count = 0
    for name, document in documents:
        if isinstance(document, Exception):
            for problem in getattr(document, "problems", None) or [document]:
                line = getattr(problem, "line", None)
                message = getattr(problem, "message", str(problem))
                report.add(
                    "invalid_document",
                    f"Dokumen hasil tidak sah: {message}",
                    f"The results document is not valid: {message}",
                    file=name,
                    row=line,
                )
            continue
        count += 1
        if count > limits.max_candidates:
            raise ImportFileError(
                f"Berkas berisi lebih dari {limits.max_candidates} peserta.",
                f"The file holds more than {limits.max_candidates} candidates.",
            )
        if progress is not None and count % 100 == 0:
            progress(count)
        record = _qti_record(name, document, forms, scorers, report)
        if record is not None:
            yield record


def _qti_record(
    name: str,
    document: Any,
    forms: dict[str, FormScorer],
    scorers: list[FormScorer],
    report: ResultReport,
) -> CandidateRecord | None:
    def problem(code: str, message: str, message_en: str, item: str = "", line: Any = None) -> None:
        report.add(code, message, message_en, file=name, row=line, item=item)

    candidate = (document.candidate_id or "").strip()
    ok = _check_candidate(candidate, problem)
    test = document.test
    form = forms.get(test.identifier) if test is not None and test.identifier else None
    if form is None:
        identifiers = {item.identifier for item in document.items}
        fitting = [s for s in scorers if identifiers <= s.by_identifier.keys()]
        if test is not None and test.identifier and test.identifier not in forms:
            problem(
                "unknown_form",
                f"Tes '{test.identifier}' tidak dilaksanakan pada pelaksanaan ini.",
                f"Test '{test.identifier}' was not delivered in this administration.",
            )
            return None
        if len(fitting) != 1:
            problem(
                "unknown_form",
                "Paket peserta tidak dapat ditentukan: hasil tidak menyebut tes "
                "(testResult) dan soalnya "
                + (
                    "tidak cocok dengan paket mana pun."
                    if not fitting
                    else "cocok dengan beberapa paket."
                ),
                "The candidate's form cannot be told: the results name no test "
                "(testResult) and their items "
                + ("match no form." if not fitting else "match several forms."),
            )
            return None
        form = fitting[0]
    size = len(form.entries)
    responses: list[Any] = [None] * size
    scores: list[float | None] = [None] * size
    delivered: list[float | None] = [None] * size
    orders: list[list[str] | None] = [None] * size
    durations: list[float | None] = [None] * size
    seen: set[int] = set()
    for item in document.items:
        entry = form.by_identifier.get(item.identifier)
        if entry is None:
            problem(
                "unknown_item",
                f"Soal '{item.identifier}' tidak ada dalam paket {form.form.external_id}.",
                f"Item '{item.identifier}' is not in form {form.form.external_id}.",
                item.identifier,
                item.line,
            )
            ok = False
            continue
        if entry.index in seen:
            problem(
                "duplicate_item",
                f"Soal '{item.identifier}' dilaporkan dua kali untuk peserta ini.",
                f"Item '{item.identifier}' is reported twice for this candidate.",
                item.identifier,
                item.line,
            )
            ok = False
            continue
        seen.add(entry.index)
        score_variable = item.outcomes.get("SCORE")
        delivered_score = _as_float(score_variable.value) if score_variable is not None else None
        delivered[entry.index] = delivered_score
        response_variable = item.responses.get("RESPONSE")
        try:
            if entry.by_person:
                responses[entry.index], scores[entry.index] = (
                    None,
                    entry.rater_score(delivered_score),
                )
            elif entry.part_declarations:  # a composite item: every part's response
                parts = {
                    declaration.identifier: variable.value
                    for declaration in entry.part_declarations
                    if (variable := item.responses.get(declaration.identifier)) is not None
                }
                responses[entry.index], scores[entry.index] = entry.score_value(parts or None)
            else:
                value = response_variable.value if response_variable is not None else None
                responses[entry.index], scores[entry.index] = entry.score_value(value)
        except ResponseProblem as exc:
            problem(exc.code, exc.message, exc.message_en, item.identifier, item.line)
            ok = False
        if response_variable is not None and response_variable.choice_sequence:
            orders[entry.index] = list(response_variable.choice_sequence)
        durations[entry.index] = item.duration
    session = ""
    groups: dict[str, str] = {}
    for source, identifier in document.session_identifiers:
        if source == QTI_SESSION_SOURCE:
            session = identifier[:64]
        elif source.startswith(QTI_GROUP_SOURCE):
            groups[source[len(QTI_GROUP_SOURCE) :][:32]] = identifier[:64]
    delivered_total = None
    if test is not None:
        total = test.outcomes.get("SCORE")
        delivered_total = _as_float(total.value) if total is not None else None
    return CandidateRecord(
        file=name,
        row=None,
        candidate_id=candidate,
        form=form,
        responses=responses,
        scores=scores,
        delivered_scores=delivered if any(v is not None for v in delivered) else None,
        choice_orders=orders if any(o is not None for o in orders) else None,
        durations=durations if any(d is not None for d in durations) else None,
        session=session,
        tested_at=test.datestamp if test is not None else None,
        duration=test.duration if test is not None else None,
        groups=groups,
        delivered_total=delivered_total,
        ok=ok,
    )


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
