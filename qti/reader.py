"""Read a QTI 2.1, 2.2 or 3.0 item document into the neutral model (:mod:`qti.model`).

:func:`read_item` parses the bytes with the hardened parser and returns an
:class:`ItemReading`: the :class:`~qti.model.AssessmentItem`, the parsed root (for
:mod:`qti.rp`, which scores the item exactly as written), the QTI version, the images the
body shows (``src`` as written, with its line) and notes about what was left out
(feedback, styles). Anything the model, and therefore the item bank, cannot carry
faithfully raises :class:`ItemReadError` with a stable ``code``, an English message and
the line:

=========================== ==============================================================
code                        meaning
=========================== ==============================================================
``invalid_xml``             not well-formed, or refused by the hardened parser (DOCTYPE)
``not_an_item``             the root is not an assessment item (a test, a manifest, ...)
``unsupported_version``     an assessment item in no QTI 2.1 / 2.2 / 3.0 namespace
``unsupported_interaction`` an interaction no item type can represent
``unsupported_content``     MathML outside presentation markup, objects other than images,
                            audio, video, XInclude, scripts in the body
``template_processing``     template variables / processing (cloned, randomised items)
``adaptive``                adaptive items (several attempts with changing processing)
``unsupported_response``    a record response, or a response no interaction collects
``custom_response_processing`` an unknown template or a rule the model cannot hold
``invalid_item``            structure that breaks the QTI rules (missing identifier, ...)
=========================== ==============================================================

Element names are compared in their QTI 2 spelling (:mod:`qti._names`), so one reader
serves both spellings. Mapping entries without ``caseSensitive`` take the default of
their version (QTI 2.0/2.1: case-sensitive; 2.2 and 3.0: not), which the model then
states explicitly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from lxml import etree

from qti import ns
from qti._names import (
    camel_name,
    children,
    find_child,
    find_children,
    local_name,
    namespace_of,
    qti_attr,
)
from qti._read_body import BodyError, BodyReader, read_interaction
from qti._rp_templates import template_name
from qti.model import (
    AreaMapEntry,
    AreaMapping,
    AssessmentItem,
    Branch,
    Condition,
    ExitResponse,
    Expr,
    MapEntry,
    Mapping,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    Rule,
    SetOutcome,
)
from qti.xml import QtiParseError, parse_bytes

__all__ = ["ImageRef", "ItemReadError", "ItemReading", "ReadNote", "read_item", "read_item_root"]

_T = TypeVar("_T")

_VERSIONS = {ns.QTI21: "2.1", ns.QTI22: "2.2", ns.QTI30: "3.0"}
_QTI2_CASE_SENSITIVE = frozenset({ns.QTI21, "http://www.imsglobal.org/xsd/imsqti_v2p0"})
_XML_LANG = f"{{{ns.XML}}}lang"


class ItemReadError(ValueError):
    """An item that cannot be read into the model.

    :ivar code: a stable reason id (see the module documentation).
    :ivar message: what is wrong, in English.
    :ivar line: the 1-based line in the document, or ``None``.
    """

    def __init__(self, code: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.line = code, message, line

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ReadNote:
    """Something left out while reading an item that is otherwise read faithfully."""

    code: str
    message: str
    line: int | None = None


@dataclass(frozen=True)
class ImageRef:
    """An ``img src`` (or an image object's ``data``) in the item, as written, with its
    line."""

    src: str
    line: int | None = None


@dataclass(frozen=True)
class ItemReading:
    """One item read from QTI.

    :ivar item: the model; XHTML fragments carry no namespace, image sources are as written.
    :ivar root: the parsed document root; :mod:`qti.rp` runs its response processing.
    :ivar version: ``"2.1"``, ``"2.2"`` or ``"3.0"``.
    """

    item: AssessmentItem
    root: etree._Element
    version: str
    images: tuple[ImageRef, ...] = ()
    notes: tuple[ReadNote, ...] = ()


def read_item(data: bytes) -> ItemReading:
    """Parse and read an item document.

    :raises ItemReadError: see the module documentation.
    """
    try:
        root = parse_bytes(data)
    except QtiParseError as exc:
        raise ItemReadError(
            "invalid_xml", f"not well-formed XML: {exc.message}", exc.line
        ) from None
    return read_item_root(root)


def read_item_root(root: etree._Element) -> ItemReading:
    """Read an already parsed item document (its root element)."""
    name = local_name(root)
    namespace = namespace_of(root)
    if name != "assessmentItem":
        what = etree.QName(root).localname if isinstance(root.tag, str) else "?"
        raise ItemReadError("not_an_item", f"<{what}> is not an assessment item", root.sourceline)
    version = _VERSIONS.get(namespace or "")
    if version is None:
        raise ItemReadError(
            "unsupported_version",
            f"an assessment item in namespace {namespace!r} is not QTI 2.1, 2.2 or 3.0",
            root.sourceline,
        )
    try:
        return _ItemReader(root, version).read()
    except BodyError as exc:
        raise ItemReadError(exc.code, exc.message, exc.line) from None


class _ItemReader:
    def __init__(self, root: etree._Element, version: str) -> None:
        self.root = root
        self.version = version
        self.case_default = namespace_of(root) in _QTI2_CASE_SENSITIVE
        self.notes: list[ReadNote] = []

    def fail(self, code: str, message: str, element: etree._Element | None) -> ItemReadError:
        return ItemReadError(code, message, element.sourceline if element is not None else None)

    def read(self) -> ItemReading:
        root = self.root
        identifier = root.get("identifier", "").strip()
        if not identifier:
            raise self.fail("invalid_item", "the item has no identifier", root)
        if _flag(root, "adaptive"):
            raise self.fail(
                "adaptive",
                "the item is adaptive (several attempts with changing feedback and scoring)",
                root,
            )
        # (the root's children grouped by name in one pass, in document order)
        named: dict[str | None, list[etree._Element]] = {}
        for child in root:
            if isinstance(child.tag, str):
                named.setdefault(local_name(child), []).append(child)
        for name in ("templateDeclaration", "templateProcessing"):
            found = _first(named, name)
            if found is not None:
                raise self.fail(
                    "template_processing",
                    f"the item computes its content by template processing "
                    f"(<{etree.QName(found).localname}>)",
                    found,
                )
        responses = tuple(
            _remembered(self.response, element, self.case_default)
            for element in named.get("responseDeclaration", ())
        )
        outcomes = tuple(
            _remembered(self.outcome, element) for element in named.get("outcomeDeclaration", ())
        )
        body_element = _first(named, "itemBody")
        body = BodyReader(read_interaction).read(body_element) if body_element is not None else None
        for code, message, line in body.notes if body else ():
            self.notes.append(ReadNote(code, message, line))
        for element in named.get("modalFeedback", ()):
            self.notes.append(
                ReadNote(
                    "feedback_dropped", "<modalFeedback> feedback is left out", element.sourceline
                )
            )
        for element in named.get("stylesheet", ()):
            self.notes.append(
                ReadNote("style_dropped", "the item's stylesheet is left out", element.sourceline)
            )
        item = AssessmentItem(
            identifier=identifier,
            title=root.get("title", "") or identifier,
            responses=responses,
            outcomes=outcomes,
            body=tuple(body.parts) if body else (),
            processing=_remembered(self.processing, _first(named, "responseProcessing")),
            lang=(root.get(_XML_LANG) or "").strip(),
            label=root.get("label"),
            time_dependent=_flag(root, "timeDependent"),
        )
        self.check_responses(item)
        return ItemReading(
            item,
            root,
            self.version,
            tuple(
                dict.fromkeys(ImageRef(src, line) for src, line in (body.images if body else ()))
            ),
            tuple(self.notes),
        )

    # -- declarations ------------------------------------------------------------------

    def response(self, element: etree._Element) -> ResponseDeclaration:
        identifier = element.get("identifier", "")
        cardinality = qti_attr(element, "cardinality") or "single"
        base_type = qti_attr(element, "baseType") or ""
        if cardinality not in ("single", "multiple", "ordered"):
            raise self.fail(
                "unsupported_response",
                f"response {identifier!r} has {cardinality} cardinality, which no item type "
                "collects",
                element,
            )
        correct = ()
        holder = find_child(element, "correctResponse")
        if holder is not None:
            texts = [v.text or "" for v in find_children(holder, "value")]
            if base_type != "string":  # string values are compared as written
                texts = [text.strip() for text in texts]
            correct = tuple(text for text in texts if text)
        mapping = None
        mapping_element = find_child(element, "mapping")
        if mapping_element is not None:
            mapping = Mapping(
                tuple(
                    MapEntry(
                        qti_attr(entry, "mapKey") or "",
                        self.number(entry, "mappedValue", 0.0),
                        _flag(entry, "caseSensitive", self.case_default),
                    )
                    for entry in find_children(mapping_element, "mapEntry")
                ),
                default=self.number(mapping_element, "defaultValue", 0.0),
                lower=self.optional_number(mapping_element, "lowerBound"),
                upper=self.optional_number(mapping_element, "upperBound"),
            )
        areas = None
        areas_element = find_child(element, "areaMapping")
        if areas_element is not None:
            areas = AreaMapping(
                tuple(
                    AreaMapEntry(
                        (qti_attr(entry, "shape") or "").strip(),
                        self.coords(entry),
                        self.number(entry, "mappedValue", 0.0),
                    )
                    for entry in find_children(areas_element, "areaMapEntry")
                ),
                default=self.number(areas_element, "defaultValue", 0.0),
                lower=self.optional_number(areas_element, "lowerBound"),
                upper=self.optional_number(areas_element, "upperBound"),
            )
        return ResponseDeclaration(identifier, cardinality, base_type, correct, mapping, areas)  # type: ignore[arg-type]

    def coords(self, element: etree._Element) -> tuple[int, ...]:
        """An area's ``coords`` (image pixels; fractions rounded, as the body's areas)."""
        text = qti_attr(element, "coords") or ""
        try:
            return tuple(round(float(part)) for part in text.replace(",", " ").split())
        except ValueError:
            raise self.fail("invalid_item", f"coords={text!r} are not numbers", element) from None

    def outcome(self, element: etree._Element) -> OutcomeDeclaration:
        default = None
        holder = find_child(element, "defaultValue")
        if holder is not None:
            values = find_children(holder, "value")
            if values and (values[0].text or "").strip():
                default = (values[0].text or "").strip()
        external = qti_attr(element, "externalScored")
        return OutcomeDeclaration(
            element.get("identifier", ""),
            qti_attr(element, "cardinality") or "single",  # type: ignore[arg-type]
            qti_attr(element, "baseType") or "float",  # type: ignore[arg-type]
            default,
            self.optional_number(element, "normalMaximum"),
            external if external in ("human", "externalMachine") else None,  # type: ignore[arg-type]
        )

    def number(self, element: etree._Element, name: str, default: float) -> float:
        value = self.optional_number(element, name)
        return default if value is None else value

    def optional_number(self, element: etree._Element, name: str) -> float | None:
        text = qti_attr(element, name)
        if text is None or not text.strip():
            return None
        try:
            return float(text)
        except ValueError:
            raise self.fail("invalid_item", f"{name}={text!r} is not a number", element) from None

    # -- response processing --------------------------------------------------------------

    def processing(self, element: etree._Element | None) -> ResponseProcessing | None:
        if element is None:
            return None
        rules = children(element)
        if rules:
            converted = tuple(self.rules(rules))
            return ResponseProcessing(rules=converted) if converted else None
        uri = qti_attr(element, "template")
        if not uri or not uri.strip():
            return None
        name = template_name(uri)
        if name not in ("match_correct", "map_response", "map_response_point"):
            raise self.fail(
                "custom_response_processing",
                f"the response-processing template {uri!r} is not a standard template",
                element,
            )
        return ResponseProcessing(template=name)  # type: ignore[arg-type]

    def rules(self, elements: list[etree._Element]) -> list[Rule]:
        result: list[Rule] = []
        for element in elements:
            name = local_name(element)
            if name == "setOutcomeValue":
                parts = children(element)
                if len(parts) != 1:
                    raise self.fail(
                        "invalid_item", "setOutcomeValue needs exactly one expression", element
                    )
                result.append(SetOutcome(element.get("identifier", ""), self.expression(parts[0])))
            elif name == "responseCondition":
                result.append(self.condition(element))
            elif name == "exitResponse":
                result.append(ExitResponse())
            elif name == "responseProcessingFragment":
                result.extend(self.rules(children(element)))
            else:
                raise self.fail(
                    "custom_response_processing",
                    f"the response-processing rule <{etree.QName(element).localname}> is not "
                    "supported",
                    element,
                )
        return result

    def condition(self, element: etree._Element) -> Condition:
        branches: list[Branch] = []
        otherwise = None
        for part in children(element):
            name = local_name(part)
            inner = children(part)
            if name in ("responseIf", "responseElseIf") and inner:
                branches.append(Branch(self.expression(inner[0]), tuple(self.rules(inner[1:]))))
            elif name == "responseElse" and otherwise is None:
                otherwise = tuple(self.rules(inner))
            else:
                raise self.fail(
                    "invalid_item",
                    f"<{etree.QName(part).localname}> is out of place in a response condition",
                    part,
                )
        if not branches:
            raise self.fail("invalid_item", "a response condition has no if", element)
        return Condition(tuple(branches), otherwise)

    def expression(self, element: etree._Element) -> Expr:
        tag = element.tag
        name = _expression_name(tag) if isinstance(tag, str) else None
        if name is None:
            raise self.fail(
                "custom_response_processing",
                f"<{etree.QName(element).localname}> is not a QTI expression",
                element,
            )
        attrs = tuple(
            [(camel_name(key), value) for key, value in element.items() if "{" not in key]
        )
        text = (element.text or "").strip() if name == "baseValue" else None
        expression = self.expression
        return Expr(
            name,
            tuple([expression(child) for child in element if isinstance(child.tag, str)]),
            attrs,
            text,
        )

    # -- consistency ------------------------------------------------------------------------

    def check_responses(self, item: AssessmentItem) -> None:
        collected = {i.response_identifier for i in item.interactions()}
        for response in item.responses:
            if response.identifier not in collected:
                raise ItemReadError(
                    "unsupported_response",
                    f"response {response.identifier!r} is not collected by any interaction the "
                    "item bank supports",
                )


#: Readings of declarations and response processing (see :func:`_remembered`), at most
#: :data:`_READINGS_KEPT` of them (then forgotten all at once), of elements written in at
#: most :data:`_READING_TEXT_KEPT` bytes (a few MB in all).
_readings: dict[tuple[Callable[..., Any], bool, bytes], Any] = {}
_READINGS_KEPT = 512
_READING_TEXT_KEPT = 16_384


def _remembered(
    read: Callable[[etree._Element], _T], element: etree._Element | None, flag: bool = False
) -> _T:
    """``read(element)`` (a method of :class:`_ItemReader`'s), remembered by the element's
    serialization: the readings of declarations and response processing depend on nothing
    else (but ``flag``, the reader's ``case_default`` for a response declaration), and the
    items of one source mostly repeat them (those written by one system for one kind of
    item, with their identifiers). lxml writes the namespaces in scope on the element's
    first tag, so equal text is an equal tree. A reading that fails is not remembered (its
    error names the line); the models are frozen, shared by the items that read the same.
    ``None`` (no element) reads as it is."""
    if element is None:
        return read(element)  # type: ignore[arg-type]
    key = (read.__func__, flag, etree.tostring(element, with_tail=False))  # type: ignore[attr-defined]
    try:
        return _readings[key]  # type: ignore[no-any-return]
    except KeyError:
        pass
    reading = read(element)
    if len(key[2]) <= _READING_TEXT_KEPT:
        if len(_readings) >= _READINGS_KEPT:
            _readings.clear()
        _readings[key] = reading
    return reading


@lru_cache(maxsize=1024)
def _expression_name(tag: str) -> str | None:
    """The QTI 2 name of an element of this ``tag`` read as an expression; ``None`` when
    it is in none of the QTI namespaces (not an expression)."""
    namespace, local = ns.split_tag(tag)
    return camel_name(local) if namespace in _VERSIONS else None


def _first(named: dict[str | None, list[etree._Element]], name: str) -> etree._Element | None:
    """The first of the elements ``named`` has under ``name`` (``find_child``'s answer)."""
    found = named.get(name)
    return found[0] if found else None


def _flag(element: etree._Element, name: str, default: bool = False) -> bool:
    text = qti_attr(element, name)
    return default if text is None else text.strip() in ("true", "1")
