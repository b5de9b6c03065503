"""Checks on QTI documents that no schema makes, but delivery systems rely on.

Each check takes a parsed root (QTI 2.x or 3.0; names are compared in their QTI 2
spelling) and yields :class:`Finding` tuples. Only rules that the specification states
outright are checked, so a finding is always a real defect.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from lxml import etree

from qti import ns
from qti._names import find_child, find_children, iter_named, local_name, qti_attr
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


@lru_cache(maxsize=4096)
def identifier_problem(value: str) -> str | None:
    """Why ``value`` is not a valid QTI identifier, or ``None`` if it is one (remembered:
    an import's proof asks about the same few identifiers thousands of times)."""
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


def check_identifiers(root: etree._Element) -> Iterator[Finding]:
    """Identifiers of items, tests, sections, declarations, choices and feedback."""
    for element in iter_named(root, DEFINING_ELEMENTS | CHOICE_ELEMENTS):
        value = element.get("identifier")
        if value is None:
            continue
        problem = identifier_problem(value)
        if problem:
            yield Finding(
                element.sourceline,
                "error",
                f"identifier {value!r} of <{_tag(element)}> {problem}",
            )


def check_unique_identifiers(root: etree._Element) -> Iterator[Finding]:
    """Declarations of an item, and parts/sections/item refs of a test, are unique."""
    role = local_name(root)
    if role == "assessmentItem":
        scopes = [[d for d in root if local_name(d) in DECLARATIONS]]
        what = "variable"
    elif role in ("assessmentTest", "assessmentSection"):
        names = {"testPart", "assessmentSection", "assessmentItemRef", "assessmentSectionRef"}
        scopes = [list(iter_named(root, frozenset(names)))]
        what = "test part, section or item reference"
    else:
        return
    for interaction in iter_named(root, CHOICE_INTERACTIONS):
        scopes.append(list(iter_named(interaction, CHOICE_ELEMENTS)))
    for scope in scopes:
        counts = Counter(e.get("identifier") for e in scope if e.get("identifier"))
        seen: set[str] = set()
        for element in scope:
            value = element.get("identifier")
            if value and counts[value] > 1 and value not in seen:
                seen.add(value)
                kind = "choice" if local_name(element) in CHOICE_ELEMENTS else what
                yield Finding(
                    element.sourceline,
                    "error",
                    f"{kind} identifier {value!r} is used {counts[value]} times",
                )


def _declarations(root: etree._Element) -> dict[str, etree._Element]:
    return {d.get("identifier", ""): d for d in root if local_name(d) in DECLARATIONS}


# Elements carrying these attributes, found by libxml2 rather than a Python loop.
_WITH_RESPONSE_IDENTIFIER = etree.XPath(
    "descendant-or-self::*[@responseIdentifier or @response-identifier]"
)
_WITH_VARIABLE_REFERENCE = etree.XPath(
    "descendant-or-self::*[@responseIdentifier or @response-identifier"
    " or @outcomeIdentifier or @outcome-identifier]"
)


def check_choice_keys(root: etree._Element) -> Iterator[Finding]:
    """Correct responses and mapping keys name choices of the bound interaction(s)."""
    bound: dict[str, list[etree._Element]] = defaultdict(list)
    for element in _WITH_RESPONSE_IDENTIFIER(root):
        bound[qti_attr(element, "responseIdentifier") or ""].append(element)
    for declaration in root:
        if local_name(declaration) != "responseDeclaration":
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
            for c in iter_named(interaction, CHOICE_ELEMENTS)
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


def check_cardinality(root: etree._Element) -> Iterator[Finding]:
    """A single-cardinality declaration has at most one correct or default value."""
    for declaration in root:
        if local_name(declaration) not in DECLARATIONS:
            continue
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


def check_references(root: etree._Element) -> Iterator[Finding]:
    """Interactions, feedback and response processing refer to declared variables."""
    declared = set(_declarations(root)) | BUILT_IN_VARIABLES
    body = find_child(root, "itemBody")
    scopes = [body] if body is not None else []
    scopes += find_children(root, "modalFeedback")
    for scope in scopes:
        for element in _WITH_VARIABLE_REFERENCE(scope):
            for attribute in ("responseIdentifier", "outcomeIdentifier"):
                value = qti_attr(element, attribute)
                if value is not None and value not in declared:
                    yield Finding(
                        element.sourceline,
                        "error",
                        f"<{_tag(element)}> refers to undeclared variable {value!r}",
                    )
    processing = find_child(root, "responseProcessing")
    if processing is None:
        return
    for element in iter_named(processing, VARIABLE_REFERENCES):
        value = element.get("identifier")
        if value is not None and value not in declared:
            yield Finding(
                element.sourceline,
                "error",
                f"response processing refers to undeclared variable {value!r}",
            )


def check_template(root: etree._Element, version: str) -> Iterator[Finding]:
    """The template is a standard one, spelt canonically, with what it needs declared."""
    processing = find_child(root, "responseProcessing")
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
    yield from _template_needs(root, name, line)


def _template_needs(root: etree._Element, name: str, line: int | None) -> Iterator[Finding]:
    declarations = _declarations(root)
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


def check_language_and_math(root: etree._Element) -> Iterator[Finding]:
    """``xml:lang`` rather than ``language=``; MathML stays in the MathML namespace."""
    for element in root.iter(etree.Element):
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
    findings = list(check_identifiers(root))
    findings += check_unique_identifiers(root)
    findings += check_language_and_math(root)
    if local_name(root) == "assessmentItem":
        findings += check_cardinality(root)
        findings += check_choice_keys(root)
        findings += check_references(root)
        findings += check_template(root, version)
    findings.sort(key=lambda f: f.line or 0)
    return findings
