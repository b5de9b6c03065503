"""Write a :class:`qti.model.AssessmentItem` as a QTI 3.0 or QTI 2.1 document.

:func:`write_item` returns the root element (validate it as it is, or serialize it with
:func:`qti.xml.serialize`). Both versions come from one writer: QTI 3.0 spells element
names ``qti-`` plus kebab case and attributes in kebab case, QTI 2.1 uses camel case; the
HTML elements of the body keep their names in both.

XHTML fragments are parsed with the hardened parser (:func:`qti.xml.parse_bytes`) and
appended as elements in the item's namespace. While doing so the writer makes the
sanitizer's HTML subset fit QTI: ``lang`` becomes ``xml:lang``, an ``img`` without ``alt``
gets ``alt=""`` (QTI requires it), and image sources go through ``resolve_src`` (the
package builder uses it to turn ``/media/<sha256>`` into a path inside the package).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from lxml import etree

from qti import ns
from qti._names import kebab_name
from qti._rp_templates import canonical_template_uri
from qti.model import SLOT as _SLOT
from qti.model import (
    AssessmentItem,
    AssociateInteraction,
    BodyPart,
    Choice,
    ChoiceInteraction,
    Condition,
    ExitResponse,
    Expr,
    ExtendedTextInteraction,
    Gap,
    GapMatchInteraction,
    GraphicAssociateInteraction,
    GraphicGapMatchInteraction,
    GraphicImage,
    GraphicOrderInteraction,
    HotspotChoice,
    HotspotInteraction,
    HottextInteraction,
    Html,
    InlineBlock,
    InlineChoiceInteraction,
    MatchInteraction,
    OrderInteraction,
    OutcomeDeclaration,
    PositionObjectStage,
    ResponseDeclaration,
    RubricBlock,
    Rule,
    SelectPointInteraction,
    SetOutcome,
    SliderInteraction,
    TextEntryInteraction,
    value_text,
)
from qti.xml import QtiParseError, parse_bytes

__all__ = [
    "VERSIONS",
    "QtiVersion",
    "QtiWriteError",
    "Spelling",
    "write_item",
    "write_stimulus",
]

QtiVersion = Literal["3.0", "2.1"]
VERSIONS: tuple[QtiVersion, ...] = ("3.0", "2.1")

_XML_LANG = f"{{{ns.XML}}}lang"
_SCHEMA_LOCATION = f"{{{ns.XSI}}}schemaLocation"


class QtiWriteError(ValueError):
    """The model cannot be written: an XHTML fragment is not well-formed, a value has no
    QTI text, an image cannot be placed. The message says which item and where."""


class Spelling:
    """Element and attribute names of one QTI version, from their QTI 2 names."""

    def __init__(self, version: QtiVersion) -> None:
        if version not in VERSIONS:
            raise QtiWriteError(f"unknown QTI version {version!r}; expected 3.0 or 2.1")
        self.version = version
        self.v3 = version == "3.0"
        self.namespace = ns.QTI30 if self.v3 else ns.QTI21
        self.nsmap = {None: self.namespace, "xsi": ns.XSI}
        self.schema_location = f"{self.namespace} {ns.SCHEMA_LOCATIONS[self.namespace]}"

    def tag(self, name: str) -> str:
        """A QTI element: ``choiceInteraction`` -> ``{ns}qti-choice-interaction`` (3.0)."""
        return _tag(self.namespace, name, self.v3)

    def html(self, name: str) -> str:
        """An HTML element of the body (``div``, ``p``): the same name in both versions."""
        return f"{{{self.namespace}}}{name}"

    def attr(self, name: str) -> str:
        return kebab_name(name) if self.v3 else name

    def element(self, parent: etree._Element | None, name: str, **attrs: str) -> etree._Element:
        """A QTI element (appended to ``parent`` if given) with attributes by QTI 2 name."""
        if self.v3 and attrs:
            attrs = {kebab_name(key): value for key, value in attrs.items()}
        tag = _tag(self.namespace, name, self.v3)
        if parent is None:
            return etree.Element(tag, attrs, nsmap=self.nsmap)
        return etree.SubElement(parent, tag, attrs)


@lru_cache(maxsize=512)
def _tag(namespace: str, name: str, v3: bool) -> str:
    return f"{{{namespace}}}qti-{kebab_name(name)}" if v3 else f"{{{namespace}}}{name}"


#: The graphic and association interactions (written by ``graphic_part``).
_GRAPHIC_PARTS = (
    HotspotInteraction,
    AssociateInteraction,
    GraphicGapMatchInteraction,
    SelectPointInteraction,
    GraphicOrderInteraction,
    GraphicAssociateInteraction,
    PositionObjectStage,
)
#: The choices that carry ``matchMax``.
_ASSOCIABLE = frozenset({"simpleAssociableChoice", "gapText"})
#: Image types by file extension, for QTI 2.1's ``object type`` (graphic interactions).
_MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif"}


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _number(value: float) -> str:
    text = value_text(value)
    return text[:-2] if text.endswith(".0") else text


def write_item(
    item: AssessmentItem,
    version: QtiVersion,
    *,
    resolve_src: Callable[[str], str] | None = None,
) -> etree._Element:
    """The item as a QTI ``version`` document (its root element).

    :param resolve_src: maps each ``img src`` to the reference to write (for example a
        relative path in a package); it may raise :class:`QtiWriteError` for an image that
        cannot be placed. Without it sources are written unchanged.
    :raises QtiWriteError: naming the item and the part that cannot be written.
    """
    writer = _ItemWriter(Spelling(version), item, resolve_src)
    try:
        return writer.write()
    except QtiWriteError:
        raise
    except ValueError as exc:  # lxml refuses text that XML cannot carry
        raise writer.fail("content", str(exc)) from None


def write_stimulus(
    identifier: str,
    title: str,
    body: str,
    version: QtiVersion,
    *,
    lang: str = "id",
    resolve_src: Callable[[str], str] | None = None,
) -> etree._Element:
    """A shared passage as a QTI 3.0 ``qti-assessment-stimulus`` document (its root):
    ``body`` (XHTML, like a stem) inside ``qti-stimulus-body``. QTI 2.1 has no stimulus
    (:mod:`qti.package` writes the passage into each item instead).

    :raises QtiWriteError: for QTI 2.1, or naming the stimulus when ``body`` cannot be
        written.
    """
    spelling = Spelling(version)
    if not spelling.v3:
        raise QtiWriteError("QTI 2.1 has no assessment stimulus; write the passage into the items")
    writer = _StimulusWriter(spelling, identifier, resolve_src)
    root = spelling.element(None, "assessmentStimulus", identifier=identifier, title=title)
    root.set(_XML_LANG, lang)
    root.set(_SCHEMA_LOCATION, spelling.schema_location)
    holder = spelling.element(root, "stimulusBody")
    try:
        writer.xhtml(etree.SubElement(holder, spelling.html("div")), body, "body")
    except ValueError as exc:
        if isinstance(exc, QtiWriteError):
            raise
        raise writer.fail("body", str(exc)) from None
    return root


class _ItemWriter:
    def __init__(
        self,
        spelling: Spelling,
        item: AssessmentItem,
        resolve_src: Callable[[str], str] | None,
    ) -> None:
        self.s = spelling
        self.item = item
        self.resolve_src = resolve_src

    def fail(self, where: str, message: str) -> QtiWriteError:
        return QtiWriteError(f"item {self.item.identifier!r}, {where}: {message}")

    def write(self) -> etree._Element:
        s, item = self.s, self.item
        root = s.element(
            None,
            "assessmentItem",
            identifier=item.identifier,
            title=item.title,
            adaptive="false",
            timeDependent=_flag(item.time_dependent),
        )
        if item.label:
            root.set("label", item.label)
        root.set(_XML_LANG, item.lang)
        root.set(_SCHEMA_LOCATION, s.schema_location)
        for response in item.responses:
            self.response_declaration(root, response)
        for outcome in item.outcomes:
            self.outcome_declaration(root, outcome)
        body = s.element(root, "itemBody")
        for index, part in enumerate(item.body):
            self.body_part(body, part, f"body part {index + 1}")
        if item.processing is not None:
            processing = s.element(root, "responseProcessing")
            if item.processing.template is not None:
                uri = canonical_template_uri(item.processing.template, s.version)
                processing.set("template", uri)
            for rule in item.processing.rules:
                self.rule(processing, rule)
        return root

    # -- declarations ---------------------------------------------------------------

    def response_declaration(self, root: etree._Element, response: ResponseDeclaration) -> None:
        s = self.s
        element = s.element(
            root,
            "responseDeclaration",
            identifier=response.identifier,
            cardinality=response.cardinality,
            baseType=response.base_type,
        )
        if response.correct:
            holder = s.element(element, "correctResponse")
            for value in response.correct:
                s.element(holder, "value").text = value
        mapping = response.mapping
        if mapping is not None:
            attrs = {"defaultValue": _number(mapping.default)}
            if mapping.lower is not None:
                attrs["lowerBound"] = _number(mapping.lower)
            if mapping.upper is not None:
                attrs["upperBound"] = _number(mapping.upper)
            holder = s.element(element, "mapping", **attrs)
            for entry in mapping.entries:
                s.element(
                    holder,
                    "mapEntry",
                    mapKey=entry.key,
                    mappedValue=_number(entry.value),
                    caseSensitive=_flag(entry.case_sensitive),
                )
        areas = response.area_mapping
        if areas is not None:
            attrs = {"defaultValue": _number(areas.default)}
            if areas.lower is not None:
                attrs["lowerBound"] = _number(areas.lower)
            if areas.upper is not None:
                attrs["upperBound"] = _number(areas.upper)
            holder = s.element(element, "areaMapping", **attrs)
            for area in areas.entries:
                s.element(
                    holder,
                    "areaMapEntry",
                    shape=area.shape,
                    coords=",".join(str(value) for value in area.coords),
                    mappedValue=_number(area.value),
                )

    def outcome_declaration(self, root: etree._Element, outcome: OutcomeDeclaration) -> None:
        s = self.s
        attrs = {
            "identifier": outcome.identifier,
            "cardinality": outcome.cardinality,
            "baseType": outcome.base_type,
        }
        if outcome.normal_maximum is not None:
            attrs["normalMaximum"] = _number(outcome.normal_maximum)
        if outcome.external_scored and s.v3:
            attrs["externalScored"] = outcome.external_scored
        element = s.element(root, "outcomeDeclaration", **attrs)
        if outcome.default is not None:
            holder = s.element(element, "defaultValue")
            s.element(holder, "value").text = outcome.default

    # -- body -----------------------------------------------------------------------

    def body_part(self, body: etree._Element, part: BodyPart, where: str) -> None:
        s = self.s
        if isinstance(part, Html):
            self.xhtml(etree.SubElement(body, s.html("div")), part.content, where)
        elif isinstance(part, RubricBlock):
            block = s.element(body, "rubricBlock", view=part.view)
            if s.v3:
                block.set("use", part.use)
                block = s.element(block, "contentBody")
            for fragment in part.content:
                self.xhtml(etree.SubElement(block, s.html("div")), fragment, where)
        elif isinstance(part, ChoiceInteraction):
            element = s.element(
                body,
                "choiceInteraction",
                responseIdentifier=part.response_identifier,
                shuffle=_flag(part.shuffle),
                maxChoices=str(part.max_choices),
                minChoices=str(part.min_choices),
            )
            self.prompt(element, part.prompt, where)
            self.choices(element, "simpleChoice", part.choices, where)
        elif isinstance(part, OrderInteraction):
            element = s.element(
                body,
                "orderInteraction",
                responseIdentifier=part.response_identifier,
                shuffle=_flag(part.shuffle),
            )
            self.prompt(element, part.prompt, where)
            self.choices(element, "simpleChoice", part.choices, where)
        elif isinstance(part, MatchInteraction):
            element = s.element(
                body,
                "matchInteraction",
                responseIdentifier=part.response_identifier,
                shuffle=_flag(part.shuffle),
                maxAssociations=str(part.max_associations),
                minAssociations=str(part.min_associations),
            )
            self.prompt(element, part.prompt, where)
            for choices in (part.sources, part.targets):
                match_set = s.element(element, "simpleMatchSet")
                self.choices(match_set, "simpleAssociableChoice", choices, where)
        elif isinstance(part, TextEntryInteraction):
            holder = etree.SubElement(body, s.html("div"))
            element = s.element(
                holder, "textEntryInteraction", responseIdentifier=part.response_identifier
            )
            if part.expected_length is not None:
                element.set(s.attr("expectedLength"), str(part.expected_length))
        elif isinstance(part, ExtendedTextInteraction):
            element = s.element(
                body, "extendedTextInteraction", responseIdentifier=part.response_identifier
            )
            if part.expected_length is not None:
                element.set(s.attr("expectedLength"), str(part.expected_length))
            if part.expected_lines is not None:
                element.set(s.attr("expectedLines"), str(part.expected_lines))
            self.prompt(element, part.prompt, where)
        elif isinstance(part, SliderInteraction):
            element = s.element(
                body,
                "sliderInteraction",
                responseIdentifier=part.response_identifier,
                lowerBound=_number(part.lower_bound),
                upperBound=_number(part.upper_bound),
            )
            if part.step is not None:
                element.set(s.attr("step"), str(part.step))
            if part.step_label:
                element.set(s.attr("stepLabel"), "true")
            if part.vertical:
                element.set(s.attr("orientation"), "vertical")
            if part.reverse:
                element.set(s.attr("reverse"), "true")
            self.prompt(element, part.prompt, where)
        elif isinstance(part, InlineBlock | GapMatchInteraction | HottextInteraction):
            self.embedding(body, part, where)
        elif isinstance(part, _GRAPHIC_PARTS):
            self.graphic_part(body, part, where)
        else:  # pragma: no cover - the model's union is closed
            raise self.fail(where, f"{type(part).__name__} is not a body part")

    # -- text-based interactions: XHTML with embedded parts (qti.model.SLOT) ------------

    def embedding(
        self,
        body: etree._Element,
        part: InlineBlock | GapMatchInteraction | HottextInteraction,
        where: str,
    ) -> None:
        """An inline block (a ``div``), a gap match or a hot text interaction: the XHTML
        written with each slot replaced by the element of its part."""
        s = self.s
        if isinstance(part, InlineBlock):
            holder = etree.SubElement(body, s.html("div"))
            self.xhtml(holder, part.content, where)
            self.fill_slots(holder, part.interactions, where)
            return
        if isinstance(part, GapMatchInteraction):
            element = s.element(
                body,
                "gapMatchInteraction",
                responseIdentifier=part.response_identifier,
                shuffle=_flag(part.shuffle),
            )
            self.prompt(element, part.prompt, where)
            self.choices(element, "gapText", part.gap_texts, where, what="gap text")
            slots: tuple = part.gaps
        else:
            element = s.element(
                body,
                "hottextInteraction",
                responseIdentifier=part.response_identifier,
                maxChoices=str(part.max_choices),
                minChoices=str(part.min_choices),
            )
            self.prompt(element, part.prompt, where)
            slots = part.hottexts
        holder = etree.SubElement(element, s.html("div"))
        self.xhtml(holder, part.content, where)
        self.fill_slots(holder, slots, where)

    def fill_slots(self, holder: etree._Element, parts: tuple, where: str) -> None:
        """Replace every ``qti-slot`` under ``holder`` by its part's element; each index
        of ``parts`` must appear exactly once."""
        s = self.s
        slot_tag = s.html(_SLOT)
        found = [e for e in holder.iter(slot_tag)]
        indexes = [e.get("index", "") for e in found]
        expected = [str(n) for n in range(len(parts))]
        if sorted(indexes, key=lambda t: (len(t), t)) != expected:
            raise self.fail(
                where,
                f"the slots of the text ({', '.join(indexes) or 'none'}) do not name each of "
                f"its {len(parts)} parts once",
            )
        for slot in found:
            part = parts[int(slot.get("index", "0"))]
            parent = slot.getparent()
            element = self.embedded(parent, part, where)
            slot.addprevious(element)
            element.tail = slot.tail
            parent.remove(slot)

    def embedded(self, parent: etree._Element, part: object, where: str) -> etree._Element:
        s = self.s
        if isinstance(part, InlineChoiceInteraction):
            element = s.element(
                parent,
                "inlineChoiceInteraction",
                responseIdentifier=part.response_identifier,
                shuffle=_flag(part.shuffle),
            )
            self.choices(element, "inlineChoice", part.choices, where)
            return element
        if isinstance(part, TextEntryInteraction):
            element = s.element(
                parent, "textEntryInteraction", responseIdentifier=part.response_identifier
            )
            if part.expected_length is not None:
                element.set(s.attr("expectedLength"), str(part.expected_length))
            return element
        if isinstance(part, Gap):
            element = s.element(parent, "gap", identifier=part.identifier)
            if part.required:
                element.set("required", "true")
            return element
        if isinstance(part, Choice):  # a hot text
            element = s.element(parent, "hottext", identifier=part.identifier)
            self.xhtml(element, part.content, f"{where}, hot text {part.identifier!r}")
            return element
        raise self.fail(where, f"{type(part).__name__} cannot be placed in a text")

    # -- graphic and association interactions -----------------------------------------

    def graphic_part(
        self,
        body: etree._Element,
        part: HotspotInteraction
        | AssociateInteraction
        | GraphicGapMatchInteraction
        | SelectPointInteraction
        | GraphicOrderInteraction
        | GraphicAssociateInteraction
        | PositionObjectStage,
        where: str,
    ) -> None:
        s = self.s
        if isinstance(part, PositionObjectStage):
            self.position_object_stage(body, part, where)
        elif isinstance(part, SelectPointInteraction):
            element = s.element(
                body,
                "selectPointInteraction",
                responseIdentifier=part.response_identifier,
                maxChoices=str(part.max_choices),
                minChoices=str(part.min_choices),
            )
            self.prompt(element, part.prompt, where)
            self.graphic_image(element, part.image, where)
        elif isinstance(part, GraphicOrderInteraction):
            element = s.element(
                body, "graphicOrderInteraction", responseIdentifier=part.response_identifier
            )
            if part.max_choices is not None:
                element.set(s.attr("maxChoices"), str(part.max_choices))
            if part.min_choices is not None:
                element.set(s.attr("minChoices"), str(part.min_choices))
            self.prompt(element, part.prompt, where)
            self.graphic_image(element, part.image, where)
            for choice in part.choices:
                self.hotspot(element, "hotspotChoice", choice)
        elif isinstance(part, GraphicAssociateInteraction):
            element = s.element(
                body,
                "graphicAssociateInteraction",
                responseIdentifier=part.response_identifier,
                maxAssociations=str(part.max_associations),
                minAssociations=str(part.min_associations),
            )
            self.prompt(element, part.prompt, where)
            self.graphic_image(element, part.image, where)
            for choice in part.choices:
                self.hotspot(element, "associableHotspot", choice)
        elif isinstance(part, HotspotInteraction):
            element = s.element(
                body,
                "hotspotInteraction",
                responseIdentifier=part.response_identifier,
                maxChoices=str(part.max_choices),
                minChoices=str(part.min_choices),
            )
            self.prompt(element, part.prompt, where)
            self.graphic_image(element, part.image, where)
            for choice in part.choices:
                self.hotspot(element, "hotspotChoice", choice)
        elif isinstance(part, AssociateInteraction):
            element = s.element(
                body,
                "associateInteraction",
                responseIdentifier=part.response_identifier,
                shuffle=_flag(part.shuffle),
                maxAssociations=str(part.max_associations),
                minAssociations=str(part.min_associations),
            )
            self.prompt(element, part.prompt, where)
            self.choices(element, "simpleAssociableChoice", part.choices, where)
        else:
            element = s.element(
                body,
                "graphicGapMatchInteraction",
                responseIdentifier=part.response_identifier,
            )
            if s.v3:  # (QTI 2.1 has no such attributes: there, nothing limits them)
                element.set(s.attr("maxAssociations"), str(part.max_associations))
                element.set(s.attr("minAssociations"), str(part.min_associations))
            self.prompt(element, part.prompt, where)
            self.graphic_image(element, part.image, where)
            for gap in part.gaps:
                name = "gapText" if gap.image is None else "gapImg"
                holder = s.element(
                    element, name, identifier=gap.identifier, matchMax=str(gap.match_max)
                )
                if gap.image is None:
                    holder.text = gap.text
                else:
                    if gap.text:
                        holder.set(s.attr("objectLabel"), gap.text)
                    self.graphic_image(holder, gap.image, where)
            for hotspot in part.hotspots:
                self.hotspot(element, "associableHotspot", hotspot)

    def position_object_stage(
        self, body: etree._Element, stage: PositionObjectStage, where: str
    ) -> None:
        """The stage image, then each interaction with its object image (its
        ``centrePoint``, QTI 3.0's ``center-point``, when it has one)."""
        if not stage.interactions:
            raise self.fail(where, "a position object stage needs at least one interaction")
        element = self.s.element(body, "positionObjectStage")
        self.graphic_image(element, stage.image, where)
        for interaction in stage.interactions:
            if interaction.image != stage.image:
                raise self.fail(where, "a position object interaction is not on its stage's image")
            holder = self.s.element(
                element,
                "positionObjectInteraction",
                responseIdentifier=interaction.response_identifier,
                maxChoices=str(interaction.max_choices),
                minChoices=str(interaction.min_choices),
            )
            if interaction.center_point is not None:
                x, y = interaction.center_point
                name = "center-point" if self.s.v3 else "centrePoint"
                holder.set(name, f"{x} {y}")
            self.graphic_image(holder, interaction.object, f"{where}, object")

    def graphic_image(self, parent: etree._Element, image: GraphicImage, where: str) -> None:
        """QTI 3.0: ``<img src alt width height>``; QTI 2.1: ``<object data type width
        height>`` with the alternative text as its content (the type from the model, else
        from the resolved reference's extension, else ``image/*``)."""
        src = image.src
        if self.resolve_src is not None:
            try:
                src = self.resolve_src(src)
            except QtiWriteError as exc:
                raise self.fail(f"{where}, image", str(exc)) from None
        size = {"width": str(image.width), "height": str(image.height)}
        if self.s.v3:
            etree.SubElement(parent, self.s.html("img"), {"src": src, "alt": image.alt, **size})
            return
        # The package's media paths end in .png, .jpg or .gif; a reference without one
        # (written outside a package) says only that it is an image.
        media_type = image.media_type or _MEDIA_TYPES.get(src.rsplit(".", 1)[-1].lower(), "image/*")
        holder = etree.SubElement(
            parent, self.s.html("object"), {"data": src, "type": media_type, **size}
        )
        if image.alt:
            holder.text = image.alt

    def hotspot(self, parent: etree._Element, name: str, choice: HotspotChoice) -> None:
        attrs = {
            "identifier": choice.identifier,
            "shape": choice.shape,
            "coords": ",".join(str(value) for value in choice.coords),
        }
        if name == "associableHotspot":
            attrs["matchMax"] = str(choice.match_max)
        element = self.s.element(parent, name, **attrs)
        if choice.label:
            element.set(self.s.attr("hotspotLabel"), choice.label)

    # -- end of graphic and association interactions ---------------------------------

    def prompt(self, interaction: etree._Element, prompt: str | None, where: str) -> None:
        if prompt:
            self.xhtml(self.s.element(interaction, "prompt"), prompt, f"{where}, prompt")

    def choices(
        self, parent: etree._Element, name: str, choices: tuple, where: str, what: str = "choice"
    ) -> None:
        """One ``name`` element per choice: its identifier, ``fixed`` when set,
        ``matchMax`` for the associable ones (``simpleAssociableChoice``, ``gapText``)
        and its XHTML content; ``what`` names a choice in error messages."""
        for choice in choices:
            attrs = {"identifier": choice.identifier}
            if name in _ASSOCIABLE:
                attrs["matchMax"] = str(choice.match_max)
            if choice.fixed:
                attrs["fixed"] = "true"
            element = self.s.element(parent, name, **attrs)
            self.xhtml(element, choice.content, f"{where}, {what} {choice.identifier!r}")

    def xhtml(self, parent: etree._Element, fragment: str, where: str) -> None:
        """Parse an XHTML fragment and append its content to ``parent``."""
        if not fragment:
            return
        data = f'<fragment xmlns="{self.s.namespace}">{fragment}</fragment>'.encode()
        try:
            holder = parse_bytes(data)
        except QtiParseError as exc:
            raise self.fail(where, f"the XHTML is not well-formed ({exc.message})") from None
        img = self.s.html("img")
        for element in holder.iter():
            if not isinstance(element.tag, str):
                continue
            lang = element.attrib.pop("lang", None)
            if lang is not None:
                element.set(_XML_LANG, lang)
            if element.tag == img:
                if element.get("alt") is None:
                    element.set("alt", "")
                src = element.get("src")
                if src is not None and self.resolve_src is not None:
                    try:
                        element.set("src", self.resolve_src(src))
                    except QtiWriteError as exc:
                        raise self.fail(where, str(exc)) from None
        if holder.text:
            if len(parent):
                last = parent[-1]
                last.tail = (last.tail or "") + holder.text
            else:
                parent.text = (parent.text or "") + holder.text
        for child in list(holder):
            parent.append(child)

    # -- response processing ------------------------------------------------------------

    def rule(self, parent: etree._Element, rule: Rule) -> None:
        s = self.s
        if isinstance(rule, SetOutcome):
            element = s.element(parent, "setOutcomeValue", identifier=rule.identifier)
            self.expression(element, rule.expression)
        elif isinstance(rule, Condition):
            condition = s.element(parent, "responseCondition")
            for index, branch in enumerate(rule.branches):
                part = s.element(condition, "responseIf" if index == 0 else "responseElseIf")
                self.expression(part, branch.condition)
                for inner in branch.rules:
                    self.rule(part, inner)
            if rule.otherwise is not None:
                part = s.element(condition, "responseElse")
                for inner in rule.otherwise:
                    self.rule(part, inner)
        elif isinstance(rule, ExitResponse):
            s.element(parent, "exitResponse")
        else:  # pragma: no cover - the model's union is closed
            raise self.fail("response processing", f"{type(rule).__name__} is not a rule")

    def expression(self, parent: etree._Element, expression: Expr) -> None:
        element = self.s.element(parent, expression.name, **dict(expression.attrs))
        if expression.text is not None:
            element.text = expression.text
        for argument in expression.args:
            self.expression(element, argument)


class _StimulusWriter(_ItemWriter):
    """The item writer's XHTML handling, for a stimulus's body."""

    def __init__(
        self, spelling: Spelling, identifier: str, resolve_src: Callable[[str], str] | None
    ) -> None:
        self.s = spelling
        self.identifier = identifier
        self.resolve_src = resolve_src

    def fail(self, where: str, message: str) -> QtiWriteError:
        return QtiWriteError(f"stimulus {self.identifier!r}, {where}: {message}")
