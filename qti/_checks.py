"""Checks on QTI documents that no schema makes, but delivery systems rely on.

Each check takes a parsed root (QTI 2.x or 3.0; names are compared in their QTI 2
spelling) and yields :class:`Finding` tuples. Only rules that the specification states
outright are checked, so a finding is always a real defect.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from qti import ns
from qti._names import (
    camel_name,
    find_child,
    find_children,
    iter_named,
    kebab_name,
    local_name,
    qti_attr,
)
from qti._report import Severity
from qti._rp_templates import (
    CC2_TEMPLATES,
    MAP_RESPONSE,
    MAP_RESPONSE_POINT,
    MATCH_CORRECT,
    canonical_template_uri,
    template_name,
)


class Finding(NamedTuple):
    line: int | None
    severity: Severity
    message: str


# Elements whose identifier attribute defines an identifier (rather than referring to one).
DEFINING_ELEMENTS = frozenset(
    {
        "assessmentItem",
        "assessmentTest",
        "assessmentSection",
        "assessmentStimulus",
        "testPart",
        "assessmentItemRef",
        "assessmentSectionRef",
        "assessmentStimulusRef",
        "responseDeclaration",
        "outcomeDeclaration",
        "templateDeclaration",
        "contextDeclaration",
        "weight",
        "modalFeedback",
        "feedbackBlock",
        "feedbackInline",
        "templateBlock",
        "templateInline",
        "testFeedback",
    }
)
CHOICE_ELEMENTS = frozenset(
    {
        "simpleChoice",
        "simpleAssociableChoice",
        "inlineChoice",
        "gapText",
        "gapImg",
        "gap",
        "hottext",
        "hotspotChoice",
        "associableHotspot",
    }
)
CHOICE_INTERACTIONS = frozenset(
    {
        "choiceInteraction",
        "orderInteraction",
        "associateInteraction",
        "matchInteraction",
        "gapMatchInteraction",
        "inlineChoiceInteraction",
        "hottextInteraction",
        "hotspotInteraction",
        "graphicOrderInteraction",
        "graphicAssociateInteraction",
        "graphicGapMatchInteraction",
    }
)
DECLARATIONS = frozenset(
    {"responseDeclaration", "outcomeDeclaration", "templateDeclaration", "contextDeclaration"}
)
BUILT_IN_VARIABLES = frozenset({"numAttempts", "duration", "completionStatus"})
# Response-processing elements whose identifier attribute names a declared variable.
VARIABLE_REFERENCES = frozenset(
    {
        "variable",
        "correct",
        "default",
        "mapResponse",
        "mapResponsePoint",
        "setOutcomeValue",
        "lookupOutcomeValue",
    }
)
KEYED_BASE_TYPES = frozenset({"identifier", "pair", "directedPair"})


# The common case, decided by one regular expression: ASCII identifiers are valid when
# they match it; anything else gets the full (Unicode) rule below.
_ASCII_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")


@lru_cache(maxsize=4096)
def identifier_problem(value: str) -> str | None:
    """Why ``value`` is not a valid QTI identifier, or ``None`` if it is one (remembered:
    an import's proof asks about the same few identifiers thousands of times)."""
    if _ASCII_IDENTIFIER.fullmatch(value):
        return None
    if not value:
        return "is empty"
    first = value[0]
    if not (first.isalpha() or first == "_"):
        return "must start with a letter or underscore"
    bad = sorted({c for c in value[1:] if not (c.isalnum() or c in "_-.")})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        return f"may contain only letters, digits, '_', '-' and '.' (found {shown})"
    return None


def _tag(element: etree._Element) -> str:
    """The element's name as written in the document, for messages."""
    return etree.QName(element).localname


# The attributes the checks read (by their names in both spellings).
_READ = frozenset(
    {
        "identifier",
        "language",
        "responseIdentifier",
        "response-identifier",
        "outcomeIdentifier",
        "outcome-identifier",
    }
)


@lru_cache(maxsize=4096)
def _found_as(tag: str) -> str:
    """The QTI 2 name :func:`qti._names.iter_named` finds an element of ``tag`` by: its
    local name, or for a ``qti-`` name the QTI 2 name spelt so; ``""`` for none."""
    local = tag.rsplit("}", 1)[-1]
    if not local.startswith("qti-"):
        return local
    name = camel_name(local)
    return name if "qti-" + kebab_name(name) == local else ""


class Attributed:
    """What several checks need of a document, found by one walk (:func:`check_document`
    shares it): the root's child elements with their QTI 2 names, and the elements that
    carry an attribute the checks read, in document order, each with the QTI 2 name
    ``iter_named`` finds it by, and also by the child of the root they are under (a child
    under itself). The walk looks only at the names of each element's attributes (most
    elements are XHTML with none)."""

    __slots__ = ("_choices", "children", "elements", "under")

    def __init__(self, root: etree._Element) -> None:
        self._choices: dict[etree._Element, list[etree._Element]] | None = None
        self.children: list[tuple[etree._Element, str]] = []
        self.elements: list[tuple[etree._Element, str]] = []
        #: The attributed elements under each child of the root, in document order.
        self.under: dict[etree._Element, list[etree._Element]] = {}
        elements = self.elements
        if not _READ.isdisjoint(root.keys()):
            elements.append((root, _found_as(root.tag)))
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            self.children.append((child, local_name(child) or ""))
            found = []
            for element in child.iter(etree.Element):
                names = element.keys()
                if names and not _READ.isdisjoint(names):
                    elements.append((element, _found_as(element.tag)))
                    found.append(element)
            if found:
                self.under[child] = found

    def child(self, name: str) -> etree._Element | None:
        """The root's first child element of QTI 2 name ``name``."""
        for element, found in self.children:
            if found == name:
                return element
        return None

    def declarations(self) -> list[etree._Element]:
        """The root's child elements that declare a variable, in document order."""
        return [element for element, name in self.children if name in DECLARATIONS]

    def with_identifier(self, names: frozenset[str]) -> list[tuple[etree._Element, str]]:
        """Elements named one of ``names`` that have an ``identifier``, with it."""
        found = []
        for element, name in self.elements:
            if name in names:
                value = element.get("identifier")
                if value is not None:
                    found.append((element, value))
        return found

    def choices_in(self, element: etree._Element) -> list[etree._Element]:
        """The choices below ``element`` that have an ``identifier``, in document order
        (what ``iter_named(element, CHOICE_ELEMENTS)`` finds, less those without one)."""
        if self._choices is None:
            self._choices = defaultdict(list)
            for choice, _ in self.with_identifier(CHOICE_ELEMENTS):
                for ancestor in choice.iterancestors():
                    self._choices[ancestor].append(choice)
        return self._choices.get(element, [])


_IDENTIFIED = DEFINING_ELEMENTS | CHOICE_ELEMENTS


def check_identifiers(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """Identifiers of items, tests, sections, declarations, choices and feedback."""
    for element, value in (attributed or Attributed(root)).with_identifier(_IDENTIFIED):
        problem = identifier_problem(value)
        if problem:
            yield Finding(
                element.sourceline,
                "error",
                f"identifier {value!r} of <{_tag(element)}> {problem}",
            )


def check_unique_identifiers(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """Declarations of an item, and parts/sections/item refs of a test, are unique."""
    attributed = attributed or Attributed(root)
    role = local_name(root)
    if role == "assessmentItem":
        scopes = [attributed.declarations()]
        what = "variable"
    elif role in ("assessmentTest", "assessmentSection"):
        names = {"testPart", "assessmentSection", "assessmentItemRef", "assessmentSectionRef"}
        scopes = [list(iter_named(root, frozenset(names)))]
        what = "test part, section or item reference"
    else:
        return
    # (Choices without an identifier count for nothing, so they are left out.)
    for interaction in iter_named(root, CHOICE_INTERACTIONS):
        scopes.append(attributed.choices_in(interaction))
    for scope in scopes:
        values = [element.get("identifier") for element in scope]
        given = [value for value in values if value]
        if len(set(given)) == len(given):
            continue  # no identifier is used twice (the common case)
        counts = Counter(given)
        seen: set[str] = set()
        for element, value in zip(scope, values, strict=True):
            if value and counts[value] > 1 and value not in seen:
                seen.add(value)
                kind = "choice" if local_name(element) in CHOICE_ELEMENTS else what
                yield Finding(
                    element.sourceline,
                    "error",
                    f"{kind} identifier {value!r} is used {counts[value]} times",
                )


def _declarations(attributed: Attributed) -> dict[str, etree._Element]:
    return {d.get("identifier", ""): d for d in attributed.declarations()}


def check_choice_keys(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """Correct responses and mapping keys name choices of the bound interaction(s)."""
    bound: dict[str, list[etree._Element]] = defaultdict(list)
    attributed = attributed or Attributed(root)
    for element, _ in attributed.elements:
        bound_to = element.get("responseIdentifier")
        if bound_to is None:
            bound_to = element.get("response-identifier")
            if bound_to is None:
                continue
        bound[bound_to].append(element)
    for declaration, name in attributed.children:
        if name != "responseDeclaration":
            continue
        if qti_attr(declaration, "baseType") not in KEYED_BASE_TYPES:
            continue
        identifier = declaration.get("identifier", "")
        interactions = bound.get(identifier, [])
        if not interactions or any(local_name(i) not in CHOICE_INTERACTIONS for i in interactions):
            continue  # unbound, or bound to something whose choices are not listed
        choices = {
            c.get("identifier")
            for interaction in interactions
            for c in attributed.choices_in(interaction)
        }
        for element, keys, where in _declared_keys(declaration):
            for key in keys:
                if key not in choices:
                    yield Finding(
                        element.sourceline,
                        "error",
                        f"{where} of response {identifier!r} names {key!r}, which is not "
                        "a choice of its interaction",
                    )


def _declared_keys(
    declaration: etree._Element,
) -> Iterator[tuple[etree._Element, list[str], str]]:
    correct = find_child(declaration, "correctResponse")
    if correct is not None:
        for value in find_children(correct, "value"):
            yield value, (value.text or "").split(), "correct response"
    mapping = find_child(declaration, "mapping")
    if mapping is not None:
        for entry in find_children(mapping, "mapEntry"):
            yield entry, (qti_attr(entry, "mapKey") or "").split(), "mapping key"


def check_cardinality(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """A single-cardinality declaration has at most one correct or default value."""
    for declaration in (attributed or Attributed(root)).declarations():
        if qti_attr(declaration, "cardinality") != "single":
            continue
        for holder in ("correctResponse", "defaultValue"):
            element = find_child(declaration, holder)
            if element is not None and len(find_children(element, "value")) > 1:
                yield Finding(
                    element.sourceline,
                    "error",
                    f"<{_tag(element)}> of single-cardinality variable "
                    f"{declaration.get('identifier')!r} has more than one value",
                )


def check_references(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """Interactions, feedback and response processing refer to declared variables."""
    attributed = attributed or Attributed(root)
    declared = set(_declarations(attributed)) | BUILT_IN_VARIABLES
    body = attributed.child("itemBody")
    scopes = [body] if body is not None else []
    scopes += (element for element, name in attributed.children if name == "modalFeedback")
    under = attributed.under
    for scope in scopes:
        for element in under.get(scope, ()):
            for attribute in ("responseIdentifier", "outcomeIdentifier"):
                value = qti_attr(element, attribute)
                if value is not None and value not in declared:
                    yield Finding(
                        element.sourceline,
                        "error",
                        f"<{_tag(element)}> refers to undeclared variable {value!r}",
                    )
    processing = attributed.child("responseProcessing")
    if processing is None:
        return
    in_processing = {id(element) for element in under.get(processing, ())}
    for element, value in attributed.with_identifier(VARIABLE_REFERENCES):
        if id(element) in in_processing and value not in declared:
            yield Finding(
                element.sourceline,
                "error",
                f"response processing refers to undeclared variable {value!r}",
            )


def check_template(
    root: etree._Element, version: str, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """The template is a standard one, spelt canonically, with what it needs declared."""
    attributed = attributed or Attributed(root)
    processing = attributed.child("responseProcessing")
    if processing is None:
        return
    uri = processing.get("template")
    if uri is None:
        return
    line = processing.sourceline
    name = template_name(uri)
    has_rules = any(isinstance(child.tag, str) for child in processing)
    if name is None:
        if not has_rules:
            yield Finding(
                line,
                "error",
                f"response-processing template {uri!r} is not a standard template; "
                "delivery systems ship only match_correct, map_response and "
                "map_response_point, so write the processing inline",
            )
        return
    if name in CC2_TEMPLATES:
        yield Finding(
            line,
            "warning",
            f"template {name} is a Common Cartridge template that many delivery systems "
            "do not ship; prefer match_correct, map_response or map_response_point",
        )
    elif version in ("2.1", "2.2", "3.0"):
        canonical = canonical_template_uri(name, version)
        if uri.strip() != canonical:
            yield Finding(
                line,
                "warning",
                f"template URI {uri!r} is a non-standard spelling; QTI {version} uses "
                f"{canonical!r}",
            )
    yield from _template_needs(root, attributed, name, line)


def _template_needs(
    root: etree._Element, attributed: Attributed, name: str, line: int | None
) -> Iterator[Finding]:
    declarations = _declarations(attributed)
    response = declarations.get("RESPONSE")
    if response is None or local_name(response) != "responseDeclaration":
        yield Finding(line, "error", f"template {name} needs a response declaration RESPONSE")
        return
    if "SCORE" not in declarations:
        yield Finding(line, "error", f"template {name} needs an outcome declaration SCORE")
    needs = {
        MATCH_CORRECT: ("correctResponse", "a <correctResponse>"),
        MAP_RESPONSE: ("mapping", "a <mapping>"),
        MAP_RESPONSE_POINT: ("areaMapping", "an <areaMapping>"),
    }
    if name in needs:
        child, what = needs[name]
        set_by_template = child == "correctResponse" and any(
            element.get("identifier") == "RESPONSE"
            for element in iter_named(root, frozenset({"setCorrectResponse"}))
        )
        if find_child(response, child) is None and not set_by_template:
            yield Finding(
                response.sourceline,
                "error",
                f"template {name} needs {what} on response declaration RESPONSE "
                "(without it the item always scores 0)",
            )


def check_language_and_math(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """``xml:lang`` rather than ``language=``; MathML stays in the MathML namespace."""
    for element, _ in (attributed or Attributed(root)).elements:
        if element.get("language") is not None:
            yield Finding(
                element.sourceline,
                "error",
                f"<{_tag(element)}> has a 'language' attribute; use xml:lang",
            )
    for element in root.iter("{*}math"):
        qname = etree.QName(element)
        if qname.namespace != ns.MATHML:
            where = f"namespace {qname.namespace!r}" if qname.namespace else "no namespace"
            yield Finding(
                element.sourceline,
                "error",
                f"<math> is in {where}; MathML must be in {ns.MATHML!r}",
            )


def check_document(root: etree._Element, version: str) -> list[Finding]:
    """All checks that apply to a QTI document, in document order."""
    attributed = Attributed(root)
    findings = list(check_identifiers(root, attributed))
    findings += check_unique_identifiers(root, attributed)
    findings += check_language_and_math(root, attributed)
    if local_name(root) == "assessmentItem":
        findings += check_cardinality(root, attributed)
        findings += check_choice_keys(root, attributed)
        findings += check_references(root, attributed)
        findings += check_template(root, version, attributed)
    findings.sort(key=lambda f: f.line or 0)
    return findings
