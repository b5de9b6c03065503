"""The reader of :mod:`qti.results`: the tree of one ``assessmentResult`` document to an
:class:`~qti.results.AssessmentResult`, every problem collected with its line.

Written for speed, as a delivery has hundreds of item results per candidate: children are
walked once and matched on Clark names built once per namespace, the common variable (one
value, single cardinality) takes a short path, messages are formatted only when there is a
problem, and the frozen dataclasses are made without their ``__init__`` (see
:func:`_new_variable`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lxml import etree

from qti._report import Issue
from qti._results_common import (
    BASE_TYPES,
    CARDINALITIES,
    EMPTY_IS_NONE,
    PARSERS,
    SESSION_STATUSES,
    ResultsError,
    parse_integer,
)
from qti._results_model import (
    AssessmentResult,
    ItemResult,
    ResultVariable,
    TestResult,
    VariableKind,
    _duration_seconds,
)
from qti._schemas import RESULT_VERSIONS
from qti.ns import QTI_NAMESPACES, split_tag

MAX_PROBLEMS = 100
"""Most problems one :class:`ResultsError` lists; the rest are counted in a last one."""


class Problems:
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


TAGS = {uri: _Tags(uri) for uri in RESULT_VERSIONS}
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


class Reader:
    """Turns the tree of one document into an :class:`AssessmentResult`.

    Written for speed (a delivery has hundreds of item results per candidate): children
    are walked once and matched on prebuilt Clark names, messages are only formatted
    when there is a problem.
    """

    def __init__(self, tags: _Tags, version: str, problems: Problems) -> None:
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


def root_problem(root: etree._Element) -> str:
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
