"""QTI Results Reporting: ``assessmentResult`` documents to plain data and back.

A test delivery system reports what each candidate did as one ``assessmentResult``
document: a ``<context>`` naming the candidate (``sourcedId`` and/or
``<sessionIdentifier>`` elements), an optional ``<testResult>`` with test-level outcomes,
and one ``<itemResult>`` per item presented, holding the item's response variables (the
candidate's responses, with the built-in ``duration``), outcome variables (``SCORE``...)
and template variables. QTI 2.1, 2.2 and 3.0 all spell it the same way (camel case, as
in QTI 2) and differ only in the namespace and a few additions in 3.0 (context variables,
the ``pendingExternalScoring`` session status).

- :func:`read_assessment_result` - one document (bytes) to an :class:`AssessmentResult`;
  the version is told by the root namespace, the document is parsed with the hardened
  parser (:func:`qti.xml.parse_bytes`: no DTD, no entities, no network) and validated
  against that version's results schema (``validate=False`` skips only the schema: the
  conversion checks everything it relies on either way).
- :func:`read_results_zip` - many documents (one per candidate) in a zip, or one document;
  a bad document is reported by its member name without stopping the others.
- :func:`write_assessment_result` - an :class:`AssessmentResult` to a 2.1, 2.2 or 3.0
  document (deterministic bytes), for simulated deliveries and round trips.

Values are the Python forms :mod:`qti.rp` takes for responses (see
:mod:`qti._results_common`): identifier/string/uri/file -> ``str``, integer -> ``int``,
float -> ``float``, boolean -> ``bool``, duration -> ``float`` seconds, pair/directedPair
-> 2-tuple of ``str`` (document order), point -> 2-tuple of ``int``; multiple and ordered
cardinality -> ``list`` (document order); record -> ``dict`` (field -> value, with the
fields' base types in :attr:`ResultVariable.field_base_types`). A variable with no
``<value>`` (an empty ``<candidateResponse/>``, an outcome without value) is ``None``, as
is an empty ``<value/>`` of an identifier, pair or point (how players write "no answer");
an empty string stays ``""``. So ``ItemResult.response_values`` can go straight to
:func:`qti.rp.run_response_processing`.

What is refused, each a problem of the :class:`ResultsError` with file name and line (all
problems of a document are collected, up to :data:`MAX_PROBLEMS`): XML that is not
well-formed or carries a DOCTYPE; a root that is not ``assessmentResult`` in a results
namespace; anything the version's schema refuses; a value that is not of its base type
(``<value>abc</value>`` for an integer, a pair with one identifier, ``NaN``); an unknown
base type or cardinality; several values in a single-cardinality variable; a record value
without ``fieldIdentifier``, or a field twice; a variable twice in one result; a
``duration`` that is not one number of seconds; a date-time Python cannot hold; and an
``itemResult`` whose identifier *and* ``sequenceIndex`` both repeat an earlier one (an
item presented twice has two sequence indexes). Not kept: ``<support>``,
``<outcomeInformation>`` and the outcome attributes (``normalMaximum``, ``view``...).

Speed (``bench/qti_results.py``, a document of 400 item results): reading it costs about
3.5 times parsing the same bytes with bare ``lxml.etree.fromstring`` - the schema about
0.75 of that, turning the tree into dataclasses about 1.75 - and writing one about 1.5
times. Results are plain picklable data, so reading can be spread over processes.
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Iterator
from typing import IO

from qti._package import PackageReadError, ZipLimits, ZipSource, open_zip
from qti._report import Issue
from qti._results_common import SESSION_STATUSES, VERSIONS, ResultsError, Version
from qti._results_model import (
    AssessmentResult,
    ItemResult,
    ResultVariable,
    TestResult,
    VariableKind,
)
from qti._results_read import MAX_PROBLEMS, TAGS, Problems, Reader, root_problem
from qti._results_write import write_assessment_result
from qti._schemas import RESULT_VERSIONS, schema_errors
from qti.ns import split_tag
from qti.xml import QtiParseError, parse_bytes

__all__ = [
    "MAX_PROBLEMS",
    "RESULTS_ZIP_LIMITS",
    "SESSION_STATUSES",
    "VERSIONS",
    "AssessmentResult",
    "ItemResult",
    "ResultVariable",
    "ResultsError",
    "TestResult",
    "VariableKind",
    "Version",
    "read_assessment_result",
    "read_results_zip",
    "write_assessment_result",
]

RESULTS_ZIP_LIMITS = ZipLimits(
    max_members=100_000, max_total_size=4 << 30, max_member_size=16 << 20
)
"""Limits for :func:`read_results_zip`: up to 100,000 members (one document per
candidate), 4 GiB inflated in all, 16 MiB per member (a document of 400 item results is
about 300 KB), compression at most 100:1 for members of 1 MiB or more."""


def read_assessment_result(
    data: bytes, *, validate: bool = True, name: str = ""
) -> AssessmentResult:
    """Read one ``assessmentResult`` document (QTI 2.1, 2.2 or 3.0).

    :param data: the document's bytes.
    :param validate: validate against the version's results schema first (compiled once
        per process). ``False`` skips only that: the values, cardinalities, identifiers
        and statuses the result is made of are checked either way, but elements the
        schema would refuse are then ignored.
    :param name: labels the problems (a file name, or a member's path in a zip).
    :raises ResultsError: with every problem found (file, line, message).
    """
    problems = Problems(name)
    try:
        root = parse_bytes(data)
    except QtiParseError as exc:
        problems.add(exc.line, f"not well-formed XML: {exc.message}")
        raise problems.error() from None
    uri, local = split_tag(root.tag) if isinstance(root.tag, str) else (None, "")
    if uri not in RESULT_VERSIONS or local != "assessmentResult":
        problems.add(root.sourceline, root_problem(root))
        raise problems.error()
    version, spec = RESULT_VERSIONS[uri]
    if validate:
        for line, message in schema_errors(spec, root):
            problems.add(line, f"{spec.label}: {message}")
        if problems.issues:
            raise problems.error()
    result = Reader(TAGS[uri], version, problems).document(root)
    if problems.issues:
        raise problems.error()
    return result


# -- zips --------------------------------------------------------------------------------


def _is_results_member(member: str) -> bool:
    """``.xml`` members, except manifests and the hidden files archivers add."""
    base = posixpath.basename(member)
    return (
        base.lower().endswith(".xml")
        and base != "imsmanifest.xml"
        and not base.startswith(".")
        and not member.startswith("__MACOSX/")
    )


def read_results_zip(
    data: bytes | IO[bytes],
    *,
    name: str | None = None,
    limits: ZipLimits = RESULTS_ZIP_LIMITS,
    validate: bool = True,
) -> Iterator[tuple[str, AssessmentResult | ResultsError]]:
    """Read the results documents of a zip (one per candidate) or a single document.

    Every ``.xml`` member at any folder depth is read as an ``assessmentResult``, except
    ``imsmanifest.xml`` (a delivery system may package results with one) and hidden and
    ``__MACOSX/`` files; other members are ignored. The zip is read in place with the
    package reader's guards (:func:`qti._package.open_zip`): member count, each member's
    and the total inflated size, compression ratio, unsafe names (``..``, absolute paths),
    symbolic links, encrypted and duplicate members.

    :param data: the zip, or one XML document (told by the zip signature ``PK``), as
        bytes or a seekable binary file.
    :param name: labels the zip (default ``results.zip``) or the document (default
        ``results.xml``) in problems.
    :returns: an iterator of ``(member name, AssessmentResult or ResultsError)`` in zip
        order, reading each document as it goes: a bad document, or an ``.xml`` member
        the guards refuse (named by its path; an unsafe path of any member by the zip's
        name), comes out as a :class:`ResultsError` and the others are still read.
    :raises ResultsError: when the zip as a whole cannot be used (not a zip, too many
        members, too large in total) or holds no results document at all.
    """
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        if not data.startswith(b"PK"):
            return iter([_single(data, name or "results.xml", limits, validate)])
        file: IO[bytes] = io.BytesIO(data)
    else:
        file = data
        head = file.read(2)
        file.seek(0)
        if head != b"PK":
            document = file.read(limits.max_member_size + 1)
            return iter([_single(document, name or "results.xml", limits, validate)])
    label = name or "results.zip"
    source, issues = open_zip(file, label, limits)
    if source is None:
        raise ResultsError(issues)
    members = [member for member in source.names if _is_results_member(member)]
    # Members the guards set aside are reported when they would have been read, and
    # unsafe names (reported under the zip's own name) always.
    issues = [issue for issue in issues if issue.file == label or _is_results_member(issue.file)]
    if not members and not issues:
        source.close()
        message = "holds no .xml results documents"
        raise ResultsError([Issue(label, None, "error", message)])
    return _read_members(source, issues, members, validate)


def _single(
    data: bytes, name: str, limits: ZipLimits, validate: bool
) -> tuple[str, AssessmentResult | ResultsError]:
    if len(data) > limits.max_member_size:
        message = f"is larger than {limits.max_member_size} bytes; not read"
        return name, ResultsError([Issue(name, None, "error", message)])
    try:
        return name, read_assessment_result(data, validate=validate, name=name)
    except ResultsError as exc:
        return name, exc


def _read_members(
    source: ZipSource, issues: list[Issue], members: list[str], validate: bool
) -> Iterator[tuple[str, AssessmentResult | ResultsError]]:
    try:
        for issue in issues:
            yield issue.file, ResultsError([issue])
        for member in members:
            outcome: AssessmentResult | ResultsError
            try:
                data = source.read(member)
            except PackageReadError as exc:
                outcome = ResultsError([Issue(member, None, "error", str(exc))])
            else:
                try:
                    outcome = read_assessment_result(data, validate=validate, name=member)
                except ResultsError as exc:
                    outcome = exc
            yield member, outcome
    finally:
        source.close()
