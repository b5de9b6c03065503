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
    find_children,
    iter_named,
    kebab_name,
    local_name,
    qti_attr,
    tag_local_name,
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
    """What the checks need of a document, found once (:func:`check_document` shares it).

    One walk finds the root's child elements with their QTI 2 names, and the elements
    that carry an attribute the checks read, in document order, each with the QTI 2 name
    ``iter_named`` finds it by and the names of its attributes, and also by the child of
    the root they are under (a child under itself). The walk looks only at the names of
    each element's attributes (most elements are XHTML with none), so the checks read an
    attribute only where it is. What is asked of a declaration (its parts) or of an
    interaction (its choices) is remembered for the next check that asks.
    """

    __slots__ = (
        "_choices",
        "_declarations",
        "_declared",
        "_parts",
        "children",
        "elements",
        "identified",
        "under",
    )

    def __init__(self, root: etree._Element, *, walk: bool = True) -> None:
        self._choices: dict[etree._Element, list[etree._Element]] = {}
        self._declarations: list[etree._Element] | None = None
        self._declared: dict[str, etree._Element] | None = None
        self._parts: dict[etree._Element, dict[str, etree._Element]] = {}
        self.children: list[tuple[etree._Element, str]] = []
        #: Element, the QTI 2 name ``iter_named`` finds it by, its attributes' names.
        self.elements: list[tuple[etree._Element, str, list[str]]] = []
        #: The attributed elements under each child of the root, with their attributes'
        #: names, in document order.
        self.under: dict[etree._Element, list[tuple[etree._Element, list[str]]]] = {}
        #: The attributed elements that have an ``identifier``: element, QTI 2 name, value.
        self.identified: list[tuple[etree._Element, str, str]] = []
        if not walk:
            # Only the root's children (what the checks of declarations, their parts and
            # the template read): ``elements``, ``under`` and ``identified`` stay empty,
            # so only those checks may be given this (qti._screen does).
            self.children = [(c, tag_local_name(c.tag)) for c in root if isinstance(c.tag, str)]
            return
        elements, identified = self.elements, self.identified
        names = root.keys()
        if not _READ.isdisjoint(names):
            name = _found_as(root.tag)
            elements.append((root, name, names))
            if "identifier" in names:
                identified.append((root, name, root.get("identifier")))
        for child in root:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            self.children.append((child, tag_local_name(tag)))
            # (Most elements carry none of the attributes read: one comprehension finds
            # those that do, and only they get more work.)
            found = [
                (element, names)
                for element in child.iter(etree.Element)
                if (names := element.keys()) and not _READ.isdisjoint(names)
            ]
            if found:
                self.under[child] = found
                for element, names in found:
                    name = _found_as(element.tag)
                    elements.append((element, name, names))
                    if "identifier" in names:
                        identified.append((element, name, element.get("identifier")))

    def child(self, name: str) -> etree._Element | None:
        """The root's first child element of QTI 2 name ``name``."""
        for element, found in self.children:
            if found == name:
                return element
        return None

    def declarations(self) -> list[etree._Element]:
        """The root's child elements that declare a variable, in document order."""
        if self._declarations is None:
            self._declarations = [e for e, name in self.children if name in DECLARATIONS]
        return self._declarations

    def declared(self) -> dict[str, etree._Element]:
        """The declarations by identifier (the last of those sharing one)."""
        if self._declared is None:
            self._declared = {d.get("identifier", ""): d for d in self.declarations()}
        return self._declared

    def with_identifier(self, names: frozenset[str]) -> list[tuple[etree._Element, str]]:
        """Elements named one of ``names`` that have an ``identifier``, with it."""
        return [(element, value) for element, name, value in self.identified if name in names]

    def part(self, element: etree._Element, name: str) -> etree._Element | None:
        """The first child element of ``element`` of QTI 2 name ``name``
        (:func:`qti._names.find_child`)."""
        parts = self._parts.get(element)
        if parts is None:
            parts = {}
            for child in element:
                tag = child.tag
                if isinstance(tag, str):
                    parts.setdefault(tag_local_name(tag), child)
            self._parts[element] = parts
        return parts.get(name)

    def choices_in(self, element: etree._Element) -> list[etree._Element]:
        """The choices below ``element`` that have an ``identifier``, in document order
        (what ``iter_named(element, CHOICE_ELEMENTS)`` finds, less those without one)."""
        choices = self._choices.get(element)
        if choices is None:
            choices = [
                choice
                for choice in element.iter(etree.Element)
                if _found_as(choice.tag) in CHOICE_ELEMENTS
                and choice is not element
                and choice.get("identifier") is not None
            ]
            self._choices[element] = choices
        return choices


_IDENTIFIED = DEFINING_ELEMENTS | CHOICE_ELEMENTS


def _values(element: etree._Element) -> list[etree._Element]:
    """The ``value`` child elements (:func:`qti._names.find_children`)."""
    return [c for c in element if isinstance(c.tag, str) and tag_local_name(c.tag) == "value"]


def check_identifiers(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """Identifiers of items, tests, sections, declarations, choices and feedback."""
    for element, name, value in (attributed or Attributed(root)).identified:
        if name in _IDENTIFIED:
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
    # (Choices without an identifier count for nothing, so they are left out.) The
    # choices of an interaction are among the document's choices that have an
    # identifier: where no identifier is given to two of those, no interaction has a
    # choice identifier used twice, and its choices need not be looked for.
    choice_ids = [value for _, name, value in attributed.identified if name in CHOICE_ELEMENTS]
    if len(set(choice_ids)) != len(choice_ids):
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


def check_choice_keys(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """Correct responses and mapping keys name choices of the bound interaction(s)."""
    attributed = attributed or Attributed(root)
    bound: dict[str, list[etree._Element]] | None = None
    for declaration, name in attributed.children:
        if name != "responseDeclaration":
            continue
        if qti_attr(declaration, "baseType") not in KEYED_BASE_TYPES:
            continue
        if bound is None:
            bound = _bound_interactions(attributed)
        identifier = declaration.get("identifier", "")
        interactions = bound.get(identifier, [])
        if not interactions or any(local_name(i) not in CHOICE_INTERACTIONS for i in interactions):
            continue  # unbound, or bound to something whose choices are not listed
        choices = {
            c.get("identifier")
            for interaction in interactions
            for c in attributed.choices_in(interaction)
        }
        for element, keys, where in _declared_keys(declaration, attributed):
            for key in keys:
                if key not in choices:
                    yield Finding(
                        element.sourceline,
                        "error",
                        f"{where} of response {identifier!r} names {key!r}, which is not "
                        "a choice of its interaction",
                    )


def _bound_interactions(attributed: Attributed) -> dict[str, list[etree._Element]]:
    """The elements bound to each response identifier (``responseIdentifier``)."""
    bound: dict[str, list[etree._Element]] = defaultdict(list)
    for element, _, names in attributed.elements:
        if "responseIdentifier" in names:
            bound[element.get("responseIdentifier")].append(element)
        elif "response-identifier" in names:
            bound[element.get("response-identifier")].append(element)
    return bound


def _declared_keys(
    declaration: etree._Element, attributed: Attributed
) -> Iterator[tuple[etree._Element, list[str], str]]:
    correct = attributed.part(declaration, "correctResponse")
    if correct is not None:
        for value in _values(correct):
            yield value, (value.text or "").split(), "correct response"
    mapping = attributed.part(declaration, "mapping")
    if mapping is not None:
        for entry in find_children(mapping, "mapEntry"):
            yield entry, (qti_attr(entry, "mapKey") or "").split(), "mapping key"


def check_cardinality(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """A single-cardinality declaration has at most one correct or default value."""
    attributed = attributed or Attributed(root)
    for declaration in attributed.declarations():
        if qti_attr(declaration, "cardinality") != "single":
            continue
        for holder in ("correctResponse", "defaultValue"):
            element = attributed.part(declaration, holder)
            if element is not None and len(_values(element)) > 1:
                yield Finding(
                    element.sourceline,
                    "error",
                    f"<{_tag(element)}> of single-cardinality variable "
                    f"{declaration.get('identifier')!r} has more than one value",
                )


#: The attributes naming a variable (``qti_attr``: the QTI 2 spelling, else the QTI 3 one).
_REFERRING = (
    ("responseIdentifier", "response-identifier"),
    ("outcomeIdentifier", "outcome-identifier"),
)


def check_references(
    root: etree._Element, attributed: Attributed | None = None
) -> Iterator[Finding]:
    """Interactions, feedback and response processing refer to declared variables."""
    attributed = attributed or Attributed(root)
    declared = attributed.declared().keys() | BUILT_IN_VARIABLES
    body = attributed.child("itemBody")
    scopes = [body] if body is not None else []
    scopes += (element for element, name in attributed.children if name == "modalFeedback")
    under = attributed.under
    for scope in scopes:
        for element, names in under.get(scope, ()):
            for attribute, kebab in _REFERRING:
                if attribute in names:
                    value = element.get(attribute)
                elif kebab in names:
                    value = element.get(kebab)
                else:
                    continue
                if value not in declared:
                    yield Finding(
                        element.sourceline,
                        "error",
                        f"<{_tag(element)}> refers to undeclared variable {value!r}",
                    )
    processing = attributed.child("responseProcessing")
    if processing is None:
        return
    in_processing = {id(element) for element, _ in under.get(processing, ())}
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
    # (Remembered only for URIs of ordinary length: a hostile document's are not kept.)
    verdict = _template_verdict if len(uri) <= 512 else _template_verdict.__wrapped__
    name, note = verdict(uri, version)
    if name is None:
        if not any(isinstance(child.tag, str) for child in processing):
            yield Finding(line, "error", note)
        return
    if note:
        yield Finding(line, "warning", note)
    yield from _template_needs(root, attributed, name, line)


@lru_cache(maxsize=256)
def _template_verdict(uri: str, version: str) -> tuple[str | None, str]:
    """The standard template ``uri`` names, with what to say about it: for no standard
    template, the error (given only if the processing has no rules of its own); else a
    warning for a Common Cartridge template or a non-canonical spelling, or ``""``."""
    name = template_name(uri)
    if name is None:
        return None, (
            f"response-processing template {uri!r} is not a standard template; "
            "delivery systems ship only match_correct, map_response and "
            "map_response_point, so write the processing inline"
        )
    if name in CC2_TEMPLATES:
        return name, (
            f"template {name} is a Common Cartridge template that many delivery systems "
            "do not ship; prefer match_correct, map_response or map_response_point"
        )
    if version in ("2.1", "2.2", "3.0"):
        canonical = canonical_template_uri(name, version)
        if uri.strip() != canonical:
            return name, (
                f"template URI {uri!r} is a non-standard spelling; QTI {version} uses {canonical!r}"
            )
    return name, ""


_TEMPLATE_NEEDS = {
    MATCH_CORRECT: ("correctResponse", "a <correctResponse>"),
    MAP_RESPONSE: ("mapping", "a <mapping>"),
    MAP_RESPONSE_POINT: ("areaMapping", "an <areaMapping>"),
}


def _template_needs(
    root: etree._Element, attributed: Attributed, name: str, line: int | None
) -> Iterator[Finding]:
    declarations = attributed.declared()
    response = declarations.get("RESPONSE")
    if response is None or local_name(response) != "responseDeclaration":
        yield Finding(line, "error", f"template {name} needs a response declaration RESPONSE")
        return
    if "SCORE" not in declarations:
        yield Finding(line, "error", f"template {name} needs an outcome declaration SCORE")
    if name in _TEMPLATE_NEEDS:
        child, what = _TEMPLATE_NEEDS[name]
        if attributed.part(response, child) is None and not (
            child == "correctResponse"
            and any(
                element.get("identifier") == "RESPONSE"
                for element in iter_named(root, frozenset({"setCorrectResponse"}))
            )
        ):
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
    for element, _, names in (attributed or Attributed(root)).elements:
        if "language" in names:
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
