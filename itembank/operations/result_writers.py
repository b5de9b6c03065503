"""Writing candidates' results in the formats the results import reads.

The inverse of :mod:`itembank.operations.result_readers`, for results the bank makes
itself (the simulator) and for tests, from :class:`ResultRow`\\ s holding responses in
the bank's own shapes (the ones each item type's ``score()`` takes). Each response goes
through its type's ``qti_response`` to the QTI value a delivery reports; items a person
scores (essays) carry the rater's score instead.

- :func:`results_csv`: the spreadsheet format documented in the reader, each value
  written by :func:`response_cell` the way the reader parses cells;
- :func:`results_qti_zip`: a ZIP of QTI ``assessmentResult`` documents, one per
  candidate (:func:`assessment_result`): the candidate's id as ``context/@sourcedId``,
  the session and group variables as session identifiers (``urn:itembank:session``,
  ``urn:itembank:group:<name>``; written as QTI identifiers by :func:`qti_identifier`),
  a ``testResult`` named by the form's package test identifier with the delivered total
  as ``SCORE``, and per item its ``RESPONSE`` (with the option order shown as
  ``choiceSequence``), ``duration`` and delivered ``SCORE``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from itembank.operations.result_readers import (
    GROUP_PREFIX,
    QTI_GROUP_SOURCE,
    QTI_SESSION_SOURCE,
    SCORE_SUFFIX,
)
from itembank.operations.result_scoring import EntryScorer, FormScorer
from qti.results import (
    AssessmentResult,
    ItemResult,
    ResultVariable,
    TestResult,
    write_assessment_result,
)

_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_NOT_IDENTIFIER = re.compile(r"[^\w.-]+")

__all__ = [
    "ResultRow",
    "assessment_result",
    "number_text",
    "qti_identifier",
    "qti_value",
    "response_cell",
    "results_csv",
    "results_qti_zip",
]


@dataclass(frozen=True)
class ResultRow:
    """One candidate's results on one form, as a delivery would report them.

    ``responses`` run in the form's order, in the bank's response shapes (``None``:
    blank); for an item a person scores, the rater's score (a number) or scores in the
    type's own shape (an essay's ``{criterion: points}``). ``delivered_scores`` per item
    and ``delivered_total`` are what the delivery scored; ``choice_orders`` (option
    identifiers in the order shown) and ``durations`` (seconds) per item travel only in
    QTI results."""

    candidate_id: str
    responses: Sequence[Any]
    session: str = ""
    tested_at: datetime | None = None
    duration: float | None = None
    groups: Mapping[str, str] = field(default_factory=dict)
    delivered_scores: Sequence[float | None] | None = None
    delivered_total: float | None = None
    choice_orders: Sequence[Sequence[str] | None] | None = None
    durations: Sequence[float | None] | None = None


def number_text(value: float) -> str:
    """A score or duration as text: whole numbers without a decimal point, others as
    their shortest exact decimal."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def response_cell(value: Any) -> str:
    """A QTI response value as a results spreadsheet cell: blank ``""``, several values
    separated by ``;`` (identifiers ``A;C``, an order ``C;A;B``), pairs ``A:1``,
    booleans ``true``/``false``, numbers and text as they are."""
    if value is None:
        return ""
    if isinstance(value, dict):  # a composite item: each part's cell, joined by " | "
        return " | ".join(response_cell(part) for part in value.values())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return f"{response_cell(value[0])}:{response_cell(value[1])}"
    if isinstance(value, list):
        return ";".join(response_cell(v) for v in value)
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def rater_score(entry: EntryScorer, response: Any) -> float | None:
    """An essay's rater score from its response: a number as it is, the type's own
    shape through its ``score()``; ``None`` for blank."""
    if response is None:
        return None
    if isinstance(response, int | float) and not isinstance(response, bool):
        return float(response)
    return float(entry.item_type.score(entry.content, response))


def qti_value(entry: EntryScorer, response: Any) -> Any:
    """The QTI value a delivery reports for ``response`` (the rater's score for items a
    person scores)."""
    if entry.by_person:
        return rater_score(entry, response)
    variables = entry.item_type.qti_response(entry.content, response)
    if entry.part_declarations:  # a composite item: every part's value, by identifier
        return variables
    return variables["RESPONSE"]


def results_csv(
    scorer: FormScorer, rows: Iterable[ResultRow], *, form_column: bool = False
) -> bytes:
    """A results CSV (UTF-8, comma-separated, a header row) for ``scorer``'s form.

    Optional columns appear only when some row has them: ``tested_at``, ``duration``,
    ``group:<name>`` (every name any row uses, sorted), ``total_score``, and after each
    item's column its ``:score`` column when rows carry delivered scores.

    :raises ValueError: a response of the wrong shape for its item (as ``score`` and
        ``qti_response`` refuse it)."""
    rows = list(rows)
    tested = any(row.tested_at is not None for row in rows)
    timed = any(row.duration is not None for row in rows)
    totals = any(row.delivered_total is not None for row in rows)
    delivered = any(row.delivered_scores is not None for row in rows)
    groups = sorted({name for row in rows for name in row.groups})
    header = ["candidate_id"] + (["form"] if form_column else []) + ["session"]
    header += (["tested_at"] if tested else []) + (["duration"] if timed else [])
    header += [GROUP_PREFIX + name for name in groups]
    header += ["total_score"] if totals else []
    for entry in scorer.entries:
        header.append(entry.identifier)
        if delivered:
            header.append(entry.identifier + SCORE_SUFFIX)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    # Distinct responses to an item, and distinct scores, are few: each is written once.
    cells: list[dict[Hashable, str]] = [{} for _ in scorer.entries]
    numbers: dict[float, str] = {}

    def cell(index: int, response: Any) -> str:
        key = response if type(response) is str else _key(response)
        text = cells[index].get(key)
        if text is None:
            text = response_cell(qti_value(scorer.entries[index], response))
            cells[index][key] = text
        return text

    def number(value: float | None) -> str:
        if value is None:
            return ""
        text = numbers.get(value)
        if text is None:
            text = numbers[value] = number_text(value)
        return text

    for row in rows:
        if len(row.responses) != len(scorer.entries):
            raise ValueError(
                f"candidate {row.candidate_id}: {len(row.responses)} responses for a form of "
                f"{len(scorer.entries)} items"
            )
        line = [row.candidate_id] + ([scorer.form.external_id] if form_column else [])
        line.append(row.session)
        if tested:
            line.append(row.tested_at.isoformat() if row.tested_at else "")
        if timed:
            line.append(number(row.duration))
        line += [row.groups.get(name, "") for name in groups]
        if totals:
            line.append(number(row.delivered_total))
        if delivered:
            scores = row.delivered_scores or [None] * len(row.responses)
            for index, (response, score) in enumerate(zip(row.responses, scores, strict=True)):
                line.append(cell(index, response))
                line.append(number(score))
        else:
            line += [cell(index, response) for index, response in enumerate(row.responses)]
        writer.writerow(line)
    return out.getvalue().encode("utf-8")


def _key(response: Any) -> Hashable:
    """A hashable stand-in for a response (its type too: ``True`` is not ``1``); never
    equal to a string, which stands for itself."""
    if isinstance(response, list | tuple):
        return (type(response).__name__, tuple(_key(v) for v in response))
    if isinstance(response, dict):
        return ("dict", tuple(sorted((k, _key(v)) for k, v in response.items())))
    return (type(response).__name__, response)


# -- QTI results reporting ---------------------------------------------------------------


_SCORES: dict[float, ResultVariable] = {}


def _score(value: float) -> ResultVariable:
    """The ``SCORE`` outcome holding ``value`` (frozen, so one per distinct score)."""
    variable = _SCORES.get(value)
    if variable is None:
        variable = ResultVariable("SCORE", "outcome", "single", "float", float(value))
        if len(_SCORES) < 10_000:
            _SCORES[value] = variable
    return variable


def qti_identifier(text: str) -> str:
    """``text`` as a QTI identifier, which session identifiers must be: every run of
    characters other than letters, digits, ``_``, ``-`` and ``.`` becomes ``-``, and
    ``_`` goes before a first character that is not a letter (``Sesi 1`` -> ``Sesi-1``)."""
    cleaned = _NOT_IDENTIFIER.sub("-", text.strip())
    return cleaned if cleaned[:1].isalpha() or cleaned[:1] == "_" else "_" + cleaned


def assessment_result(
    scorer: FormScorer,
    row: ResultRow,
    *,
    version: str = "3.0",
    test_identifier: str | None = None,
    values: list[dict[Hashable, Any]] | None = None,
) -> AssessmentResult:
    """``row`` as a :class:`qti.results.AssessmentResult` of ``scorer``'s form.

    :param test_identifier: the ``testResult``'s identifier (default: the form's package
        test identifier).
    :param values: per entry, a memo of ``RESPONSE`` variables by response (shared
        across rows).
    :raises ValueError: a row without ``tested_at`` (every result carries its date), a
        response of the wrong shape for its item."""
    if row.tested_at is None:
        raise ValueError(f"candidate {row.candidate_id}: QTI results need the test's date")
    if len(row.responses) != len(scorer.entries):
        raise ValueError(
            f"candidate {row.candidate_id}: {len(row.responses)} responses for a form of "
            f"{len(scorer.entries)} items"
        )
    memo = values if values is not None else [{} for _ in scorer.entries]
    items = []
    for index, (entry, response) in enumerate(zip(scorer.entries, row.responses, strict=True)):
        delivered = row.delivered_scores[index] if row.delivered_scores else None
        responses: dict[str, Any] = {}
        if entry.by_person:
            if delivered is None:
                delivered = rater_score(entry, response)
        else:
            key = response if type(response) is str else _key(response)
            if entry.part_declarations:  # a composite item: one variable per part
                values_of = qti_value(entry, response)
                for declaration in entry.part_declarations:
                    responses[declaration.identifier] = ResultVariable(
                        declaration.identifier,
                        "response",
                        declaration.cardinality,
                        declaration.base_type,
                        values_of[declaration.identifier],
                    )
            else:
                variable = memo[index].get(key)
                if variable is None:
                    declaration = entry.declaration
                    variable = memo[index][key] = ResultVariable(
                        "RESPONSE",
                        "response",
                        declaration.cardinality,
                        declaration.base_type,
                        qti_value(entry, response),
                    )
                order = row.choice_orders[index] if row.choice_orders else None
                if order:
                    variable = dataclasses.replace(variable, choice_sequence=tuple(order))
                responses["RESPONSE"] = variable
        outcomes = {} if delivered is None else {"SCORE": _score(delivered)}
        duration = row.durations[index] if row.durations else None
        items.append(
            ItemResult(
                identifier=entry.identifier,
                sequence_index=index + 1,
                datestamp=row.tested_at,
                session_status="final",
                responses=responses,
                outcomes=outcomes,
                duration=None if duration is None else float(duration),
            )
        )
    sessions = [(QTI_SESSION_SOURCE, qti_identifier(row.session))] if row.session else []
    sessions += [
        (QTI_GROUP_SOURCE + name, qti_identifier(value))
        for name, value in sorted(row.groups.items())
    ]
    total = row.delivered_total
    return AssessmentResult(
        version=version,  # type: ignore[arg-type]
        session_identifiers=tuple(sessions),
        source_id=row.candidate_id,
        test=TestResult(
            test_identifier or scorer.test_identifier,
            row.tested_at,
            {"SCORE": _score(total)} if total is not None else {},
            duration=row.duration,
        ),
        items=tuple(items),
    )


def results_qti_zip(
    scorer: FormScorer,
    rows: Iterable[ResultRow],
    *,
    version: str = "3.0",
    test_identifier: str | None = None,
    folder: str = "hasil",
) -> bytes:
    """A ZIP of QTI ``version`` results documents, ``<folder>/<candidate id>.xml`` each
    (characters a file name cannot hold become ``_``; a name taken twice gets the row's
    number). The same rows give the same bytes.

    :raises ValueError: see :func:`assessment_result`."""
    values: list[dict[Hashable, Any]] = [{} for _ in scorer.entries]
    taken: set[str] = set()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, row in enumerate(rows, start=1):
            document = assessment_result(
                scorer, row, version=version, test_identifier=test_identifier, values=values
            )
            name = _SAFE.sub("_", row.candidate_id)[:100] or "peserta"
            if name in taken:
                name = f"{name}-{number}"
            taken.add(name)
            member = zipfile.ZipInfo(f"{folder}/{name}.xml", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, write_assessment_result(document, version))
    return buffer.getvalue()
