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
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any, Literal

from lxml import etree

from qti._package import PackageReadError, ZipLimits, ZipSource, open_zip
from qti._report import Issue
from qti._results_common import (
    BASE_TYPES,
    CARDINALITIES,
    EMPTY_IS_NONE,
    PARSERS,
    SESSION_STATUSES,
    VERSIONS,
    ResultsError,
    Version,
    parse_integer,
)
from qti._results_write import write_assessment_result
from qti._schemas import RESULT_VERSIONS, schema_errors
from qti.ns import QTI_NAMESPACES, split_tag
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

VariableKind = Literal["response", "outcome", "template", "context"]

MAX_PROBLEMS = 100
"""Most problems one :class:`ResultsError` lists; the rest are counted in a last one."""

RESULTS_ZIP_LIMITS = ZipLimits(
    max_members=100_000, max_total_size=4 << 30, max_member_size=16 << 20
)
"""Limits for :func:`read_results_zip`: up to 100,000 members (one document per
candidate), 4 GiB inflated in all, 16 MiB per member (a document of 400 item results is
about 300 KB), compression at most 100:1 for members of 1 MiB or more."""


# -- data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultVariable:
    """One response, outcome, template or context variable of a result.

    :ivar kind: ``"response"``, ``"outcome"``, ``"template"`` or ``"context"`` (QTI 3.0).
    :ivar cardinality: ``single``, ``multiple``, ``ordered`` or ``record``.
    :ivar base_type: one of the eleven base types, or ``None`` (records; a variable given
        without one has its values read as text).
    :ivar value: the value in its Python form (see the module), ``None`` for no value.
    :ivar choice_sequence: response variables: the order the choices were shown in
        (``choiceSequence``), or ``None`` when not reported.
    :ivar correct_value: response variables: the ``<correctResponse>`` the delivery
        system reported, in the same form as ``value``; ``None`` when absent.
    :ivar field_base_types: records: field -> base type (``None``: text) of the fields of
        ``value`` and ``correct_value``; ``None`` for other cardinalities.
    """

    identifier: str
    kind: VariableKind
    cardinality: str
    base_type: str | None
    value: Any
    choice_sequence: tuple[str, ...] | None = None
    correct_value: Any = None
    field_base_types: dict[str, str | None] | None = None


def _duration_seconds(variable: ResultVariable, where: str) -> float | None:
    value = variable.value
    if variable.cardinality != "single" or not (
        value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    ):
        raise ValueError(
            f"{where}: the built-in 'duration' response variable must hold one number of "
            f"seconds, not {value!r} (cardinality {variable.cardinality})"
        )
    return None if value is None else float(value)


def _sync_duration(result: ItemResult | TestResult, where: str) -> None:
    """Make ``duration`` and the ``duration`` response variable agree (both set, or both
    absent): whichever is given fills in the other."""
    variable = result.responses.get("duration")
    if variable is None:
        if result.duration is None:
            return
        seconds = result.duration
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise ValueError(f"{where}: duration must be a number of seconds, not {seconds!r}")
        seconds = float(seconds)
        variable = ResultVariable("duration", "response", "single", "duration", seconds)
        object.__setattr__(result, "duration", seconds)
        object.__setattr__(result, "responses", {**result.responses, "duration": variable})
        return
    seconds = _duration_seconds(variable, where)
    if result.duration is None:
        object.__setattr__(result, "duration", seconds)
    elif seconds is None or float(result.duration) != seconds:
        raise ValueError(
            f"{where}: duration={result.duration!r} disagrees with the 'duration' response "
            f"variable ({variable.value!r})"
        )
    else:
        object.__setattr__(result, "duration", seconds)


@dataclass(frozen=True)
class ItemResult:
    """The result of one item for one candidate.

    :ivar identifier: the item's identifier as delivered (the bank exports
        ``I-<code>-V<version>``).
    :ivar sequence_index: the item's position in the test as delivered, if reported.
    :ivar session_status: ``final``, ``initial``, ``pendingSubmission``,
        ``pendingResponseProcessing`` or (3.0) ``pendingExternalScoring``.
    :ivar responses: response variables by identifier, in document order, built-ins
        (``duration``, ``numAttempts``) included.
    :ivar outcomes: outcome variables by identifier (``SCORE``, ``completionStatus``...).
    :ivar duration: seconds the candidate spent on the item: the value of the built-in
        ``duration`` response variable. Given when constructing, it adds that variable to
        ``responses`` (and is filled from it when only the variable is given), so the two
        always agree.
    :ivar line: the line of the ``<itemResult>`` in its document (0 when constructed).
    :ivar templates: template variables by identifier.
    :ivar context_variables: context variables by identifier (QTI 3.0 only).
    :ivar candidate_comment: the ``<candidateComment>``, if any.
    """

    identifier: str
    sequence_index: int | None
    datestamp: datetime | None
    session_status: str
    responses: dict[str, ResultVariable]
    outcomes: dict[str, ResultVariable]
    duration: float | None = None
    line: int = field(default=0, compare=False)
    templates: dict[str, ResultVariable] = field(default_factory=dict)
    context_variables: dict[str, ResultVariable] = field(default_factory=dict)
    candidate_comment: str | None = None

    def __post_init__(self) -> None:
        if self.duration is not None or "duration" in self.responses:
            _sync_duration(self, f"itemResult {self.identifier!r}")

    @property
    def response_values(self) -> dict[str, Any]:
        """Response identifier -> value: what :func:`qti.rp.run_response_processing`
        takes (it accepts the built-in ``duration`` and ``numAttempts`` too)."""
        return {identifier: variable.value for identifier, variable in self.responses.items()}


@dataclass(frozen=True)
class TestResult:
    """The test-level result of one candidate: outcomes such as the total ``SCORE``.

    ``duration`` and ``responses`` behave as in :class:`ItemResult`.
    """

    # Not a test class, although pytest collects classes named Test* that it finds
    # imported into a test module.
    __test__ = False

    identifier: str
    datestamp: datetime | None
    outcomes: dict[str, ResultVariable]
    duration: float | None = None
    responses: dict[str, ResultVariable] = field(default_factory=dict)
    templates: dict[str, ResultVariable] = field(default_factory=dict)
    context_variables: dict[str, ResultVariable] = field(default_factory=dict)
    line: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.duration is not None or "duration" in self.responses:
            _sync_duration(self, f"testResult {self.identifier!r}")


@dataclass(frozen=True)
class AssessmentResult:
    """One candidate's ``assessmentResult`` document.

    :ivar version: ``"2.1"``, ``"2.2"`` or ``"3.0"`` (from the namespace when read; the
        writer takes the version to write as an argument).
    :ivar session_identifiers: ``(sourceID, identifier)`` of each ``<sessionIdentifier>``
        of the ``<context>``, in document order.
    :ivar source_id: the ``<context sourcedId>``: the candidate's identifier in the
        delivery system, if given.
    :ivar test: the ``<testResult>``, if any.
    :ivar items: every ``<itemResult>``, in document order.
    """

    version: Version
    session_identifiers: tuple[tuple[str, str], ...]
    source_id: str | None
    test: TestResult | None
    items: tuple[ItemResult, ...]

    @property
    def candidate_id(self) -> str | None:
        """``sourcedId``, else the identifier of the first session identifier, else
        ``None``."""
        if self.source_id:
            return self.source_id
        if self.session_identifiers:
            return self.session_identifiers[0][1]
        return None


# -- reading -----------------------------------------------------------------------------


class _Problems:
    def __init__(self, name: str) -> None:
        self.name = name
        self.issues: list[Issue] = []
        self.more = 0

    def add(self, line: int | None, message: str) -> None:
        if len(self.issues) < MAX_PROBLEMS:
            self.issues.append(Issue(self.name, line, "error", message))
        else:
            self.more += 1

    def error(self) -> ResultsError:
        issues = list(self.issues)
        if self.more:
            issues.append(Issue(self.name, None, "error", f"... and {self.more} more problems"))
        return ResultsError(issues)


class _Tags:
    """The Clark names of one results namespace, built once per namespace."""

    def __init__(self, uri: str) -> None:
        def tag(local: str) -> str:
            return f"{{{uri}}}{local}"

        self.context = tag("context")
        self.session = tag("sessionIdentifier")
        self.test = tag("testResult")
        self.item = tag("itemResult")
        # tag -> (kind, index of the dict it goes in: responses, outcomes, templates, contexts)
        self.variables: dict[str, tuple[VariableKind, int]] = {
            tag("responseVariable"): ("response", 0),
            tag("outcomeVariable"): ("outcome", 1),
            tag("templateVariable"): ("template", 2),
            tag("contextVariable"): ("context", 3),
        }
        self.candidate = tag("candidateResponse")
        self.correct = tag("correctResponse")
        self.value = tag("value")
        self.comment = tag("candidateComment")


_TAGS = {uri: _Tags(uri) for uri in RESULT_VERSIONS}
_KIND_NAMES = {
    "response": "response variable",
    "outcome": "outcome variable",
    "template": "template variable",
    "context": "context variable",
}

# Where a variable is, for messages: (owner element, owner identifier, kind, identifier).
# Kept as a tuple and only formatted when there is something to report.
_Where = tuple[str, str, str, str]


def _where(where: _Where) -> str:
    owner, owner_id, kind, identifier = where
    return f"{owner} {owner_id!r}: {_KIND_NAMES[kind]} {identifier!r}"


class _Reader:
    """Turns the tree of one document into an :class:`AssessmentResult`.

    Written for speed (a delivery has hundreds of item results per candidate): children
    are walked once and matched on prebuilt Clark names, messages are only formatted
    when there is a problem.
    """

    def __init__(self, tags: _Tags, version: str, problems: _Problems) -> None:
        self.tags = tags
        self.version = version
        self.problems = problems
        self.statuses = SESSION_STATUSES[version]
        self.value_tag = tags.value

    # -- values ----------------------------------------------------------------------

    def many(
        self, elements: list[etree._Element], cardinality: str, base_type: str | None, where: _Where
    ) -> tuple[Any, dict[str, str | None] | None]:
        """The value of several ``<value>`` elements (or of one, for records)."""
        if cardinality == "record":
            return self.record(elements, where)
        if cardinality == "single":
            self.problems.add(
                elements[1].sourceline,
                f"{_where(where)}: has {len(elements)} values; a single-cardinality "
                "variable has at most one",
            )
            return None, None
        parse = PARSERS[base_type]
        empty_is_none = base_type in EMPTY_IS_NONE
        scalars = []
        for element in elements:
            text = element.text or ""
            if empty_is_none and not text.strip():
                continue
            try:
                scalars.append(parse(text))
            except ValueError as exc:
                self.problems.add(element.sourceline, f"{_where(where)}: {exc}")
        return (scalars or None), None

    def values(
        self, holder: etree._Element, cardinality: str, base_type: str | None, where: _Where
    ) -> tuple[Any, dict[str, str | None] | None]:
        """The value of the ``<value>`` children of ``holder``, and record field types
        (the general case of what :meth:`variable` does inline)."""
        value_tag = self.value_tag
        elements = [child for child in holder if child.tag == value_tag]
        if not elements:
            return None, None
        if cardinality == "single" and len(elements) == 1:
            return self.one(elements[0], base_type, where), None
        return self.many(elements, cardinality, base_type, where)

    def one(self, element: etree._Element, base_type: str | None, where: _Where) -> Any:
        text = element.text or ""
        if base_type in EMPTY_IS_NONE and not text.strip():
            return None
        try:
            return PARSERS[base_type](text)
        except ValueError as exc:
            self.problems.add(element.sourceline, f"{_where(where)}: {exc}")
            return None

    def record(
        self, elements: list[etree._Element], where: _Where
    ) -> tuple[dict[str, Any] | None, dict[str, str | None] | None]:
        fields: dict[str, Any] = {}
        types: dict[str, str | None] = {}
        for element in elements:
            line = element.sourceline
            name = element.get("fieldIdentifier")
            field_type = element.get("baseType")
            if not name:
                message = "a record <value> has no fieldIdentifier"
                self.problems.add(line, f"{_where(where)}: {message}")
                continue
            if name in fields:
                self.problems.add(line, f"{_where(where)}: record field {name!r} appears twice")
                continue
            if field_type is not None and field_type not in BASE_TYPES:
                message = f"field {name!r} has unknown base type {field_type!r}"
                self.problems.add(line, f"{_where(where)}: {message}")
                continue
            text = element.text or ""
            try:
                if field_type in EMPTY_IS_NONE and not text.strip():
                    fields[name] = None
                else:
                    fields[name] = PARSERS[field_type](text)
            except ValueError as exc:
                self.problems.add(line, f"{_where(where)}: field {name!r}: {exc}")
                continue
            types[name] = field_type
        return (fields or None), (types or None)

    # -- variables -------------------------------------------------------------------

    def variable(
        self, element: etree._Element, kind: VariableKind, owner: str, owner_id: str
    ) -> ResultVariable | None:
        get = element.get
        identifier = get("identifier")
        cardinality = get("cardinality")
        base_type = get("baseType")
        if (
            not identifier
            or cardinality not in CARDINALITIES
            or (base_type is not None and base_type not in BASE_TYPES)
        ):
            self.bad_variable(element, kind, owner, owner_id)
            return None
        if cardinality == "record":
            base_type = None
        choice_sequence = correct_value = correct_types = None
        if kind == "response":
            tags = self.tags
            candidate_tag = tags.candidate
            holder = correct = None
            for child in element:
                tag = child.tag
                if tag == candidate_tag:
                    holder = child
                elif tag == tags.correct:
                    correct = child
            if holder is None:
                where = _where((owner, owner_id, kind, identifier))
                self.problems.add(element.sourceline, f"{where}: has no <candidateResponse>")
                return None
            if correct is not None:
                correct_value, correct_types = self.values(
                    correct, cardinality, base_type, (owner, owner_id, kind, identifier)
                )
            sequence = get("choiceSequence")
            if sequence is not None:
                choice_sequence = tuple(sequence.split())
        else:
            holder = element
        # The common case inline: one <value> of a single-cardinality variable.
        value_tag = self.value_tag
        elements = [child for child in holder if child.tag == value_tag]
        types = None
        if not elements:
            value = None
        elif cardinality == "single" and len(elements) == 1:
            text = elements[0].text or ""
            if base_type in EMPTY_IS_NONE and not text.strip():
                value = None
            else:
                try:
                    value = PARSERS[base_type](text)
                except ValueError as exc:
                    where = _where((owner, owner_id, kind, identifier))
                    self.problems.add(elements[0].sourceline, f"{where}: {exc}")
                    return None
        else:
            where_ = (owner, owner_id, kind, identifier)
            value, types = self.many(elements, cardinality, base_type, where_)
        if correct_types:
            types = _merge_types(types, correct_types)
        return _new_variable(
            identifier, kind, cardinality, base_type, value, choice_sequence, correct_value, types
        )

    def bad_variable(
        self, element: etree._Element, kind: VariableKind, owner: str, owner_id: str
    ) -> None:
        identifier = element.get("identifier")
        cardinality = element.get("cardinality")
        base_type = element.get("baseType")
        line = element.sourceline
        if not identifier:
            self.problems.add(
                line, f"{owner} {owner_id!r}: a {_KIND_NAMES[kind]} has no identifier"
            )
            return
        where = _where((owner, owner_id, kind, identifier))
        if cardinality not in CARDINALITIES:
            shown = "is missing" if cardinality is None else f"{cardinality!r} is unknown"
            message = f"cardinality {shown} (single, multiple, ordered or record)"
            self.problems.add(line, f"{where}: {message}")
        else:
            self.problems.add(line, f"{where}: unknown base type {base_type!r}")

    def simple(
        self, element: etree._Element, kind: VariableKind, candidate_tag: str, value_tag: str
    ) -> ResultVariable | None:
        """The common case, quickly: a single-cardinality variable of a known base type
        with at most one ``<value>`` (a response: with only its ``<candidateResponse>``).
        ``None`` for anything else, and for a value that does not parse: :meth:`variable`
        then reads it, and reports what is wrong."""
        get = element.get
        if get("cardinality") != "single":
            return None
        base_type = get("baseType")
        parse = PARSERS.get(base_type)
        identifier = get("identifier")
        if parse is None or not identifier:
            return None
        holder = element
        sequence = None
        if kind == "response":
            if len(element) != 1:
                return None
            holder = element[0]
            if holder.tag != candidate_tag:
                return None
            text = get("choiceSequence")
            if text is not None:
                sequence = tuple(text.split())
        count = len(holder)
        value = None
        if count == 1:
            part = holder[0]
            if part.tag != value_tag:
                return None
            text = part.text or ""
            if base_type not in EMPTY_IS_NONE or text.strip():
                try:
                    value = parse(text)
                except ValueError:
                    return None
        elif count:
            return None
        return _new_variable(identifier, kind, "single", base_type, value, sequence, None, None)

    def variables(
        self, element: etree._Element, owner: str, owner_id: str
    ) -> tuple[tuple[dict[str, ResultVariable], ...], str | None]:
        """The variables of an item or test result (responses, outcomes, templates,
        contexts), and its candidate comment."""
        found: tuple[dict[str, ResultVariable], ...] = ({}, {}, {}, {})
        comment = None
        tags = self.tags
        kinds = tags.variables
        candidate_tag, value_tag = tags.candidate, tags.value
        for child in element:
            entry = kinds.get(child.tag)  # type: ignore[call-overload]
            if entry is None:
                if child.tag == tags.comment:
                    comment = child.text or ""
                continue
            kind, index = entry
            variable = self.simple(child, kind, candidate_tag, value_tag)
            if variable is None:
                variable = self.variable(child, kind, owner, owner_id)
                if variable is None:
                    continue
            target = found[index]
            if variable.identifier in target:
                where = _where((owner, owner_id, kind, variable.identifier))
                self.problems.add(child.sourceline, f"{where} appears twice")
                continue
            target[variable.identifier] = variable
        return found, comment

    def duration(
        self, responses: dict[str, ResultVariable], owner: str, owner_id: str, line: int
    ) -> tuple[bool, float | None]:
        """Whether the ``duration`` response variable, if any, is one number; its value."""
        variable = responses.get("duration")
        if variable is None:
            return True, None
        value = variable.value
        if variable.cardinality == "single":
            if value is None:
                return True, None
            if isinstance(value, int | float) and not isinstance(value, bool):
                return True, float(value)
        try:
            _duration_seconds(variable, f"{owner} {owner_id!r}")
        except ValueError as exc:
            self.problems.add(line, str(exc))
        return False, None

    # -- results ---------------------------------------------------------------------

    def datestamp(self, text: str | None, line: int, owner: str, owner_id: str) -> datetime | None:
        if text is None:
            return None
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            message = f"{owner} {owner_id!r}: datestamp {text!r} is not a date and time"
            self.problems.add(line, message)
            return None

    def item(self, element: etree._Element) -> ItemResult | None:
        get = element.get
        line = element.sourceline or 0
        identifier = get("identifier")
        if not identifier:
            self.problems.add(line, "an <itemResult> has no identifier")
            return None
        sequence_index = None
        text = get("sequenceIndex")
        if text is not None:
            try:
                sequence_index = parse_integer(text)
            except ValueError:
                message = f"itemResult {identifier!r}: sequenceIndex {text!r} is not an integer"
                self.problems.add(line, message)
        status = get("sessionStatus") or ""
        if status not in self.statuses:
            allowed = ", ".join(sorted(self.statuses))
            shown = f"{status!r} is not" if status else "is missing; it must be"
            self.problems.add(
                line,
                f"itemResult {identifier!r}: sessionStatus {shown} one of {allowed} "
                f"(QTI {self.version})",
            )
        datestamp = self.datestamp(get("datestamp"), line, "itemResult", identifier)
        (responses, outcomes, templates, contexts), comment = self.variables(
            element, "itemResult", identifier
        )
        ok, duration = self.duration(responses, "itemResult", identifier, line)
        if not ok:
            return None
        return _new_item(
            identifier,
            sequence_index,
            datestamp,
            status,
            responses,
            outcomes,
            duration,
            line,
            templates,
            contexts,
            comment,
        )

    def test(self, element: etree._Element) -> TestResult | None:
        line = element.sourceline or 0
        identifier = element.get("identifier")
        if not identifier:
            self.problems.add(line, "the <testResult> has no identifier")
            return None
        datestamp = self.datestamp(element.get("datestamp"), line, "testResult", identifier)
        (responses, outcomes, templates, contexts), _comment = self.variables(
            element, "testResult", identifier
        )
        ok, _duration = self.duration(responses, "testResult", identifier, line)
        if not ok:
            return None
        return TestResult(
            identifier, datestamp, outcomes, None, responses, templates, contexts, line
        )

    def context(self, element: etree._Element) -> tuple[str | None, tuple[tuple[str, str], ...]]:
        sessions: list[tuple[str, str]] = []
        for child in element.iterchildren(self.tags.session):
            source, identifier = child.get("sourceID"), child.get("identifier")
            if not source or not identifier:
                self.problems.add(
                    child.sourceline, "a <sessionIdentifier> needs both sourceID and identifier"
                )
                continue
            sessions.append((source, identifier))
        return element.get("sourcedId"), tuple(sessions)

    def document(self, root: etree._Element) -> AssessmentResult:
        tags = self.tags
        item_tag = tags.item
        source_id: str | None = None
        sessions: tuple[tuple[str, str], ...] = ()
        test: TestResult | None = None
        items: list[ItemResult] = []
        seen: dict[tuple[str, int | None], int] = {}
        for child in root:
            tag = child.tag
            if tag == item_tag:
                item = self.item(child)
                if item is None:
                    continue
                key = (item.identifier, item.sequence_index)
                first = seen.get(key)
                if first is not None:
                    index = "" if key[1] is None else f", sequenceIndex {key[1]}"
                    self.problems.add(
                        item.line,
                        f"itemResult {key[0]!r}{index} appears twice (first on line {first})",
                    )
                    continue
                seen[key] = item.line
                items.append(item)
            elif tag == tags.test:
                test = self.test(child)
            elif tag == tags.context:
                source_id, sessions = self.context(child)
        return AssessmentResult(
            self.version,  # type: ignore[arg-type]
            sessions,
            source_id,
            test,
            tuple(items),
        )


# The reader makes its frozen dataclasses without their __init__: one dict for the
# instance, instead of object.__setattr__ for each field and __post_init__ (about half
# the time of making them). The round-trip tests compare what is read with instances made
# the ordinary way, so a field added to a class and not here fails them.
_new = object.__new__
_set = object.__setattr__


def _new_variable(
    identifier: str,
    kind: VariableKind,
    cardinality: str,
    base_type: str | None,
    value: Any,
    choice_sequence: tuple[str, ...] | None,
    correct_value: Any,
    field_base_types: dict[str, str | None] | None,
) -> ResultVariable:
    variable = _new(ResultVariable)
    _set(
        variable,
        "__dict__",
        {
            "identifier": identifier,
            "kind": kind,
            "cardinality": cardinality,
            "base_type": base_type,
            "value": value,
            "choice_sequence": choice_sequence,
            "correct_value": correct_value,
            "field_base_types": field_base_types,
        },
    )
    return variable


def _new_item(
    identifier: str,
    sequence_index: int | None,
    datestamp: datetime | None,
    session_status: str,
    responses: dict[str, ResultVariable],
    outcomes: dict[str, ResultVariable],
    duration: float | None,
    line: int,
    templates: dict[str, ResultVariable],
    context_variables: dict[str, ResultVariable],
    candidate_comment: str | None,
) -> ItemResult:
    """An :class:`ItemResult` whose ``duration`` the reader has already taken from the
    ``duration`` response (``__post_init__`` would only repeat that)."""
    item = _new(ItemResult)
    _set(
        item,
        "__dict__",
        {
            "identifier": identifier,
            "sequence_index": sequence_index,
            "datestamp": datestamp,
            "session_status": session_status,
            "responses": responses,
            "outcomes": outcomes,
            "duration": duration,
            "line": line,
            "templates": templates,
            "context_variables": context_variables,
            "candidate_comment": candidate_comment,
        },
    )
    return item


def _merge_types(
    first: dict[str, str | None] | None, second: dict[str, str | None]
) -> dict[str, str | None]:
    merged = dict(first or {})
    for name, base_type in second.items():
        merged.setdefault(name, base_type)
    return merged


def _root_problem(root: etree._Element) -> str:
    uri, local = split_tag(root.tag)
    if uri in RESULT_VERSIONS:
        return f"the root element is <{local}>; a results report is an <assessmentResult>"
    if uri in QTI_NAMESPACES:
        return (
            f"<{local}> is a QTI item, test or section document, not a results report "
            "(<assessmentResult>)"
        )
    where = f"namespace {uri!r}" if uri else "no namespace"
    expected = ", ".join(sorted(RESULT_VERSIONS))
    return (
        f"<{local}> in {where} is not a QTI results report: expected <assessmentResult> in "
        f"one of the namespaces {expected}"
    )


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
    problems = _Problems(name)
    try:
        root = parse_bytes(data)
    except QtiParseError as exc:
        problems.add(exc.line, f"not well-formed XML: {exc.message}")
        raise problems.error() from None
    uri, local = split_tag(root.tag) if isinstance(root.tag, str) else (None, "")
    if uri not in RESULT_VERSIONS or local != "assessmentResult":
        problems.add(root.sourceline, _root_problem(root))
        raise problems.error()
    version, spec = RESULT_VERSIONS[uri]
    if validate:
        for line, message in schema_errors(spec, root):
            problems.add(line, f"{spec.label}: {message}")
        if problems.issues:
            raise problems.error()
    result = _Reader(_TAGS[uri], version, problems).document(root)
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
