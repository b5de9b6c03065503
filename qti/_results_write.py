"""Write an :class:`qti.results.AssessmentResult` as a QTI 2.1, 2.2 or 3.0 document.

Elements come in schema order: ``context``, ``testResult``, then the ``itemResult``
elements, each with its response, template, outcome and (3.0) context variables in that
order and in the order of their dicts, then its ``candidateComment``.

The document is written as text, not built as an lxml tree and serialized with
:func:`qti.xml.serialize` as the item writer does: making the ~4,000 elements of a
400-item result one by one took about six times as long as writing their text, and
simulated deliveries write thousands of such documents. The text is what
:func:`qti.xml.serialize` gives for the same tree with ``pretty_print=True`` - the same
declaration, two-space indentation, ``<x/>`` for empty elements and libxml2's escapes
(the tests check it byte for byte) - so it is deterministic and every element stands on a
line of its own, which keeps the lines of later problem reports useful.

Values are checked against their base type and cardinality as they are written, and
text against what XML can carry (a ``ValueError`` names the result and the variable);
identifiers and other attribute syntax are left to the schema, which ``validate=True``
applies to the output.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qti import ns
from qti._report import Issue
from qti._results_common import (
    BASE_TYPES,
    CARDINALITIES,
    CONTAINERS,
    SESSION_STATUSES,
    VERSIONS,
    ResultsError,
    format_value,
    infer_base_type,
)
from qti._schemas import RESULT_VERSIONS, schema_errors
from qti.xml import parse_bytes

if TYPE_CHECKING:
    from qti._results_model import AssessmentResult, ItemResult, ResultVariable, TestResult

_NAMESPACES = {version: uri for uri, (version, _spec) in RESULT_VERSIONS.items()}
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ELEMENTS = {
    "response": "responseVariable",
    "template": "templateVariable",
    "outcome": "outcomeVariable",
    "context": "contextVariable",
}

# Characters that need an escape, or that XML 1.0 cannot carry at all (controls other than
# tab, newline and carriage return; lone surrogates; U+FFFE and U+FFFF).
_ABOVE_GREATER = "\x3f-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
_NOT_XML = re.compile(f"[^\t\n\r\x20-\x3e{_ABOVE_GREATER}]")
# What an attribute value or text cannot hold as it is: the characters above, and those
# that need an escape (attributes: & < > " tab newline CR; text: & < > CR).
_ATTRIBUTE_SPECIAL = re.compile(f"[^\x20\x21\x23-\x25\x27-\x3b\x3d{_ABOVE_GREATER}]")
_TEXT_SPECIAL = re.compile(f"[^\t\n\x20-\x25\x27-\x3b\x3d{_ABOVE_GREATER}]")


def _refuse_non_xml(text: str) -> None:
    bad = _NOT_XML.search(text)
    if bad is not None:
        raise ValueError(f"{text!r} holds {bad.group()!r}, a character XML cannot carry")


def _attribute(text: str) -> str:
    """``text`` as a double-quoted attribute value, escaped as libxml2 does."""
    if _ATTRIBUTE_SPECIAL.search(text) is None:
        return text
    _refuse_non_xml(text)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _text(text: str) -> str:
    """``text`` as element content, escaped as libxml2 does."""
    if _TEXT_SPECIAL.search(text) is None:
        return text
    _refuse_non_xml(text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _datestamp(value: datetime | None, where: str) -> str:
    if not isinstance(value, datetime):
        raise ValueError(f"{where}: the datestamp must be a datetime, not {value!r}")
    return value.isoformat()


class _Writer:
    def __init__(self, version: str) -> None:
        self.version = version
        self.uri = _NAMESPACES[version]
        self.statuses = SESSION_STATUSES[version]
        self.parts: list[str] = []

    def document(self, result: AssessmentResult) -> str:
        parts = self.parts
        uri = self.uri
        parts.append(
            f'{_DECLARATION}<assessmentResult xmlns="{uri}" xmlns:xsi="{ns.XSI}" '
            f'xsi:schemaLocation="{uri} {ns.SCHEMA_LOCATIONS[uri]}">\n'
        )
        context = "  <context"
        if result.source_id is not None:
            context += f' sourcedId="{_attribute(result.source_id)}"'
        if not result.session_identifiers:
            parts.append(context + "/>\n")
        else:
            parts.append(context + ">\n")
            for source, identifier in result.session_identifiers:
                parts.append(
                    f'    <sessionIdentifier sourceID="{_attribute(source)}" '
                    f'identifier="{_attribute(identifier)}"/>\n'
                )
            parts.append("  </context>\n")
        if result.test is not None:
            self.test(result.test)
        for item in result.items:
            self.item(item)
        parts.append("</assessmentResult>\n")
        return "".join(parts)

    def test(self, test: TestResult) -> None:
        where = f"testResult {test.identifier!r}"
        start = (
            f'  <testResult identifier="{_attribute(test.identifier)}" '
            f'datestamp="{_datestamp(test.datestamp, where)}"'
        )
        self.parts.append(start)
        mark = len(self.parts)
        self.variables(test.responses, test.templates, test.outcomes, where)
        self.contexts(test.context_variables, where)
        self.close(mark, "  </testResult>\n")

    def item(self, item: ItemResult) -> None:
        where = f"itemResult {item.identifier!r}"
        start = f'  <itemResult identifier="{_attribute(item.identifier)}"'
        if item.sequence_index is not None:
            index = item.sequence_index
            if not isinstance(index, int) or isinstance(index, bool):
                raise ValueError(f"{where}: sequence_index {index!r} is not an int")
            start += f' sequenceIndex="{index}"'
        status = item.session_status
        if status not in self.statuses:
            allowed = ", ".join(sorted(self.statuses))
            raise ValueError(
                f"{where}: session status {status!r} is not one of {allowed} (QTI {self.version})"
            )
        self.parts.append(
            f'{start} datestamp="{_datestamp(item.datestamp, where)}" sessionStatus="{status}"'
        )
        mark = len(self.parts)
        self.variables(item.responses, item.templates, item.outcomes, where)
        self.contexts(item.context_variables, where)
        if item.candidate_comment is not None:
            try:
                comment = _text(item.candidate_comment)
            except ValueError as exc:
                raise ValueError(f"{where}: candidate comment: {exc}") from None
            self.parts.append(_element("    ", "candidateComment", "", comment))
        self.close(mark, "  </itemResult>\n")

    def close(self, mark: int, end: str) -> None:
        """End the start tag appended just before ``mark``: ``/>`` if nothing followed."""
        parts = self.parts
        if len(parts) == mark:
            parts[-1] += "/>\n"
        else:
            parts[mark - 1] += ">\n"
            parts.append(end)

    def variables(
        self,
        responses: Mapping[str, ResultVariable],
        templates: Mapping[str, ResultVariable],
        outcomes: Mapping[str, ResultVariable],
        where: str,
    ) -> None:
        for kind, variables in (
            ("response", responses),
            ("template", templates),
            ("outcome", outcomes),
        ):
            for key, variable in variables.items():
                self.variable(kind, key, variable, where)

    def contexts(self, variables: Mapping[str, ResultVariable], where: str) -> None:
        if not variables:
            return
        if self.version != "3.0":
            raise ValueError(
                f"{where}: context variables exist in QTI 3.0 results only, not {self.version}"
            )
        for key, variable in variables.items():
            self.variable("context", key, variable, where)

    def variable(self, kind: str, key: str, variable: ResultVariable, where: str) -> None:
        identifier = variable.identifier
        if variable.kind != kind or key != identifier:
            raise ValueError(
                f"{where}: {variable.kind} variable {identifier!r} is filed as {kind} "
                f"variable {key!r}"
            )
        where = f"{where}: {kind} variable {identifier!r}"
        cardinality, base_type = variable.cardinality, variable.base_type
        if cardinality not in CARDINALITIES:
            raise ValueError(f"{where}: unknown cardinality {cardinality!r}")
        if cardinality == "record":
            base_type = None
        elif base_type is not None and base_type not in BASE_TYPES:
            raise ValueError(f"{where}: unknown base type {base_type!r}")
        name = _ELEMENTS[kind]
        attributes = f' identifier="{_attribute(identifier)}" cardinality="{cardinality}"'
        if base_type is not None:
            attributes += f' baseType="{base_type}"'
        types = variable.field_base_types
        parts = self.parts
        if kind != "response":
            values = self.values(cardinality, base_type, variable.value, types, where, "      ")
            if values:
                parts.append(f"    <{name}{attributes}>\n{values}    </{name}>\n")
            else:
                parts.append(f"    <{name}{attributes}/>\n")
            return
        if variable.choice_sequence is not None:
            try:
                sequence = _attribute(" ".join(variable.choice_sequence))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{where}: choice sequence: {exc}") from None
            attributes += f' choiceSequence="{sequence}"'
        correct = ""
        if variable.correct_value is not None:
            values = self.values(
                cardinality, base_type, variable.correct_value, types, where, "        "
            )
            if values:
                correct = f"      <correctResponse>\n{values}      </correctResponse>\n"
        values = self.values(cardinality, base_type, variable.value, types, where, "        ")
        if values:
            candidate = f"      <candidateResponse>\n{values}      </candidateResponse>\n"
        else:
            candidate = "      <candidateResponse/>\n"
        parts.append(f"    <{name}{attributes}>\n{correct}{candidate}    </{name}>\n")

    def values(
        self,
        cardinality: str,
        base_type: str | None,
        value: Any,
        types: Mapping[str, str | None] | None,
        where: str,
        indent: str,
    ) -> str:
        """The ``<value>`` elements of ``value``, one a line."""
        if value is None:
            return ""
        try:
            if cardinality == "single":
                if isinstance(value, list | dict | set | frozenset):
                    raise ValueError(f"{value!r} is not a single value")
                return _element(indent, "value", "", _text(format_value(value, base_type)))
            if cardinality in CONTAINERS:
                if not isinstance(value, list | tuple):
                    raise ValueError(f"{value!r} is not a list of {cardinality} values")
                return "".join(
                    _element(indent, "value", "", _text(format_value(item, base_type)))
                    for item in value
                )
            if not isinstance(value, dict):
                raise ValueError(f"{value!r} is not a dict of record fields")
            lines = []
            for name, field_value in value.items():
                if types is not None and name in types:
                    field_type = types[name]
                else:
                    field_type = infer_base_type(field_value)
                attributes = f' fieldIdentifier="{_attribute(name)}"'
                if field_type is not None:
                    attributes += f' baseType="{field_type}"'
                text = ""
                if field_value is not None:
                    text = _text(format_value(field_value, field_type))
                lines.append(_element(indent, "value", attributes, text))
            return "".join(lines)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


def _element(indent: str, name: str, attributes: str, text: str) -> str:
    if text:
        return f"{indent}<{name}{attributes}>{text}</{name}>\n"
    return f"{indent}<{name}{attributes}/>\n"


def write_assessment_result(
    result: AssessmentResult, version: str = "3.0", *, validate: bool = False
) -> bytes:
    """Write ``result`` as a QTI ``version`` (``"2.1"``, ``"2.2"`` or ``"3.0"``) results
    document, UTF-8; ``result.version`` is not consulted.

    :param validate: also validate the output against the version's results schema
        (compiled once per process), raising :class:`ResultsError` if it fails - for
        results whose identifiers were not made by the bank.
    :raises ValueError: for an unknown version, a value that does not fit its base type
        or cardinality, a character XML cannot carry, a missing datestamp, a session
        status or a context variable the version does not have.
    """
    if version not in VERSIONS:
        raise ValueError(f"unknown results version {version!r}; expected one of {VERSIONS}")
    data = _Writer(version).document(result).encode("utf-8")
    if validate:
        spec = RESULT_VERSIONS[_NAMESPACES[version]][1]
        errors = schema_errors(spec, parse_bytes(data))
        if errors:
            raise ResultsError(
                [
                    Issue("written document", line, "error", f"{spec.label}: {message}")
                    for line, message in errors
                ]
            )
    return data
