"""The item body of a QTI 2.x / 3.0 document as model body parts.

Used by :mod:`qti.reader`. The body is walked once:

- HTML blocks without interactions become XHTML fragments (no namespace, ``xml:lang``
  as ``lang``), joined into :class:`~qti.model.Html` parts between interactions;
- block interactions (choice, order, match, extended text) become model interactions;
  containers (``div``) holding one are opened up, their other content kept in order;
- a block with inline interactions inside (inline choices, text entries in a sentence)
  becomes an :class:`~qti.model.InlineBlock`: its XHTML with a ``qti-slot`` placeholder
  (:data:`qti.model.SLOT`) where each interaction was; gap match and hot text
  interactions keep their text the same way, with a slot for each gap or hot text. A
  text entry anywhere else (a prompt, a choice) is replaced by a visible blank
  (:data:`BLANK`);
- rubric blocks become :class:`~qti.model.RubricBlock` s; feedback and styles are left
  out with a note;
- MathML (presentation MathML, :data:`MATHML_PRESENTATION`) stays in the MathML namespace
  inside the fragments; ``mfenced`` is written out as the ``mrow`` of ``mo`` fences and
  separators it stands for, an ``maction`` as the child it shows, and annotations other than
  TeX are left out (they are alternative forms, not what is shown);
- an ``object`` of an image type (or of none) stays an ``object`` with its fallback
  content, its ``data`` listed with the images: which image it shows (its own, or one in
  its fallback, as a browser chooses) depends on what the caller can show;
- everything the item bank cannot carry faithfully (other interactions, MathML outside
  presentation markup, objects of other types, audio, video, XInclude, template content)
  stops the reading with an :class:`~qti.reader.ItemReadError` that names the element and
  its line.
"""

from __future__ import annotations

import copy as copy_module
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from qti import ns
from qti._names import (
    camel_name,
    children,
    find_children,
    local_name,
    namespace_of,
    qti_attr,
)
from qti.model import SLOT as _SLOT
from qti.model import (
    AssociateInteraction,
    BodyPart,
    Choice,
    ChoiceInteraction,
    ExtendedTextInteraction,
    Gap,
    GapChoice,
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
    PositionObjectInteraction,
    PositionObjectStage,
    RubricBlock,
    SelectPointInteraction,
    SliderInteraction,
    TextEntryInteraction,
)
from qti.ns import split_tag

BLANK = "_____"
"""What a text entry inside a sentence becomes in the stem."""

SUPPORTED_INTERACTIONS = frozenset(
    {
        "choiceInteraction",
        "orderInteraction",
        "matchInteraction",
        "textEntryInteraction",
        "extendedTextInteraction",
        "sliderInteraction",
        # text-based interactions (qti.model.InlineBlock, GapMatchInteraction, ...)
        "inlineChoiceInteraction",
        "gapMatchInteraction",
        "hottextInteraction",
        # graphic and association interactions
        "hotspotInteraction",
        "associateInteraction",
        "graphicGapMatchInteraction",
        "selectPointInteraction",
        "graphicOrderInteraction",
        "graphicAssociateInteraction",
        # a stage with its position object interactions (read together)
        "positionObjectStage",
    }
)
#: Interactions that sit inside a sentence (read into an InlineBlock's slots).
INLINE_INTERACTIONS = frozenset({"textEntryInteraction", "inlineChoiceInteraction"})
_BLOCK_INTERACTIONS = SUPPORTED_INTERACTIONS - INLINE_INTERACTIONS
OTHER_INTERACTIONS = frozenset(
    {
        "uploadInteraction",
        "drawingInteraction",
        "mediaInteraction",
        "positionObjectInteraction",  # (on a positionObjectStage it is read with it)
        "customInteraction",
        "endAttemptInteraction",
        "portableCustomInteraction",
    }
)
_INTERACTION_NAMES = SUPPORTED_INTERACTIONS | OTHER_INTERACTIONS
_FEEDBACK = frozenset({"feedbackBlock", "feedbackInline", "modalFeedback"})
_TEMPLATE_CONTENT = frozenset({"templateBlock", "templateInline", "printedVariable"})
#: Content the bank's rich text cannot carry; an item using it is not read.
_UNSUPPORTED_CONTENT: dict[str, str] = {
    "audio": "audio",
    "video": "video",
    "iframe": "an embedded frame",
    "embed": "embedded content",
    "svg": "an SVG drawing",
    "canvas": "a canvas",
    "include": "an XInclude reference",
    "infoControl": "an info control",
    "script": "a script",
}

#: The presentation MathML elements read as they are (MathML Core and MathML 3 layout).
MATHML_PRESENTATION = frozenset(
    {
        *("math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext"),
        *("mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover"),
        *("munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded"),
        *("mphantom", "merror"),
    }
)
#: MathML rewritten while reading (see the module docstring).
_MATHML_REWRITTEN = frozenset({"mfenced", "maction", "annotation-xml"})
_TEX = "application/x-tex"


class BodyError(Exception):
    """Raised inside the walk; :mod:`qti.reader` turns it into an ItemReadError."""

    def __init__(self, code: str, message: str, line: int | None) -> None:
        super().__init__(message)
        self.code, self.message, self.line = code, message, line


@dataclass
class BodyReading:
    parts: list[BodyPart] = field(default_factory=list)
    notes: list[tuple[str, str, int | None]] = field(default_factory=list)
    images: list[tuple[str, int | None]] = field(default_factory=list)


_XML_LANG = f"{{{ns.XML}}}lang"


def _display_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _kind(element: etree._Element) -> str:
    """``"math"``, or the element's QTI 2 local name."""
    tag = element.tag
    return _kind_of_tag(tag) if isinstance(tag, str) else ""


@lru_cache(maxsize=4096)
def _kind_of_tag(tag: str) -> str:
    if split_tag(tag)[0] == ns.MATHML:
        return "math"
    return camel_name(split_tag(tag)[1])


def _mathml_name(element: etree._Element) -> str | None:
    """The local name of a MathML element, ``None`` for anything else."""
    if namespace_of(element) != ns.MATHML:
        return None
    return etree.QName(element).localname


class BodyReader:
    """Walks one item body; ``interaction(reader, element)`` builds the model interaction
    of an element (a function given the reader rather than one holding it, so that the
    reader, and the item's tree it holds, is freed as soon as it is done with: not a
    reference cycle left to Python's cyclic collector)."""

    def __init__(self, interaction: Callable[[BodyReader, etree._Element], BodyPart]) -> None:
        self.result = BodyReading()
        self._buffer: list[str] = []
        self._interaction = interaction
        #: While a text with embedded parts is copied: the kinds of element that become
        #: slots, and the parts read so far (``None``: no slots are being collected).
        self._slot_kinds: frozenset[str] = frozenset()
        self._slots: list[BodyPart | Gap | Choice] | None = None
        #: The interactions in the body, each with its kind (found by :meth:`_check`).
        self._interactions: list[tuple[etree._Element, str]] = []

    # -- entry ------------------------------------------------------------------------

    def read(self, body: etree._Element) -> BodyReading:
        self._check(body)
        self._container(body)
        self._flush()
        return self.result

    def _check(self, body: etree._Element) -> None:
        """Refuse content that cannot be carried, before anything else."""
        interactions = self._interactions
        for element in body.iter():
            tag = element.tag
            if not isinstance(tag, str):
                continue
            kind = _kind_of_tag(tag)
            if kind not in _CHECKED_KINDS:
                continue
            if kind in _INTERACTION_KINDS:
                interactions.append((element, kind))
            if kind == "math":
                _check_mathml(element)
                continue
            # (An element in a formula's annotation, an alternative form of the formula
            # that is not shown, is not refused: asked last, as few elements need it.)
            if (
                kind in OTHER_INTERACTIONS
                and not _on_stage(element)
                and not _in_annotation(element)
            ):
                raise BodyError(
                    "unsupported_interaction",
                    f"<{_display_name(element)}> is not supported by any item type",
                    element.sourceline,
                )
            if kind == "object":
                if not _graphic_image(element) and not _in_annotation(element):
                    _check_object(element)
                continue
            if kind in _UNSUPPORTED_CONTENT and not _in_annotation(element):
                raise BodyError(
                    "unsupported_content",
                    f"the item uses {_UNSUPPORTED_CONTENT[kind]} (<{_display_name(element)}>), "
                    "which the bank's rich text cannot keep",
                    element.sourceline,
                )
            if kind in _TEMPLATE_CONTENT and not _in_annotation(element):
                raise BodyError(
                    "template_processing",
                    f"<{_display_name(element)}> shows template values",
                    element.sourceline,
                )

    # -- walking ------------------------------------------------------------------------

    def _container(self, element: etree._Element) -> None:
        """Walk the children of the body or of a container holding interactions."""
        if element.text and element.text.strip():
            self._buffer.append(_escape(element.text))
        for child in element:
            if isinstance(child.tag, str):
                self._block(child)
            if child.tail and child.tail.strip():
                self._buffer.append(_escape(child.tail))

    def _block(self, element: etree._Element) -> None:
        kind = _kind(element)
        if kind in _BLOCK_INTERACTIONS:
            self._flush()
            self.result.parts.append(self._interaction(self, element))
            return
        if kind in _FEEDBACK:
            self._note(
                "feedback_dropped", f"<{_display_name(element)}> feedback is left out", element
            )
            return
        if kind == "rubricBlock":
            self._rubric(element)
            return
        if self._below(element, _BLOCK_INTERACTIONS):
            # A container (div) around a block interaction: open it up.
            self._container(element)
            return
        if kind == "textEntryInteraction":
            self._flush()
            self.result.parts.append(self._interaction(self, element))
            return
        if _only_child_entry(element):
            # A block holding nothing but a text entry (as the bank exports it).
            self._flush()
            self.result.parts.append(self._interaction(self, element[0]))
            return
        if kind == "inlineChoiceInteraction":  # loose in a container: a block of its own
            self._flush()
            self.result.parts.append(
                InlineBlock(f'<{_SLOT} index="0"/>', (self._interaction(self, element),))
            )
            return
        if not self._below(element, INLINE_INTERACTIONS):
            self._buffer.append(self.fragment(element, keep_self=True))
            return
        if kind == "div" and not any(
            isinstance(child.tag, str) and _kind(child) in INLINE_INTERACTIONS for child in element
        ):
            # A container of blocks, one of them holding the sentence: open it up, so the
            # text with the interactions is that block alone.
            self._container(element)
            return
        content, slots = self.embedded(element, INLINE_INTERACTIONS, keep_self=True)
        self._flush()
        self.result.parts.append(InlineBlock(content, tuple(slots)))  # type: ignore[arg-type]

    def _below(self, element: etree._Element, kinds: frozenset[str]) -> bool:
        """Whether an interaction of one of ``kinds`` is below ``element`` (a body element:
        the interactions are few, their ancestors fewer than the element's descendants)."""
        for found, kind in self._interactions:
            if (
                kind in kinds
                and found is not element
                and any(ancestor is element for ancestor in found.iterancestors())
            ):
                return True
        return False

    def embedded(
        self, element: etree._Element, kinds: frozenset[str], *, keep_self: bool = False
    ) -> tuple[str, list]:
        """The XHTML of ``element`` (its content, or itself) with a slot for every
        element of ``kinds`` in it, and the parts those slots stand for, in order."""
        saved = self._slot_kinds, self._slots
        self._slot_kinds, self._slots = kinds, []
        try:
            content = self.fragment(element, keep_self=keep_self)
            return content, self._slots
        finally:
            self._slot_kinds, self._slots = saved

    def slot(self, target: etree._Element, element: etree._Element) -> bool:
        """Append a slot for ``element`` to ``target`` when slots of its kind are being
        collected (the part is read here); ``False`` otherwise."""
        kind = _kind(element)
        if self._slots is None or kind not in self._slot_kinds:
            return False
        slots = self._slots
        saved = self._slot_kinds, self._slots
        self._slot_kinds, self._slots = frozenset(), None  # nothing nests in a part
        try:
            if kind == "gap":
                part: BodyPart | Gap | Choice = Gap(
                    element.get("identifier", ""), _flag(element, "required")
                )
            elif kind == "hottext":
                part = Choice(element.get("identifier", ""), self.fragment(element))
            else:
                part = self._interaction(self, element)
        finally:
            self._slot_kinds, self._slots = saved
        etree.SubElement(target, _SLOT, index=str(len(slots)))
        slots.append(part)
        return True

    def _rubric(self, element: etree._Element) -> None:
        view = (qti_attr(element, "view") or "candidate").split()
        holder = element
        bodies = find_children(element, "contentBody")
        if bodies:
            holder = bodies[0]
        fragments = _rubric_fragments(self, holder)
        if "candidate" in view:
            self._buffer.extend(fragments)
            return
        self._flush()
        use = qti_attr(element, "use") or "scoring"
        self.result.parts.append(RubricBlock(" ".join(view), tuple(fragments), use))

    def _flush(self) -> None:
        text = "".join(self._buffer).strip()
        self._buffer = []
        if text:
            self.result.parts.append(Html(text))

    def _note(self, code: str, message: str, element: etree._Element) -> None:
        self.result.notes.append((code, message, element.sourceline))

    # -- fragments ----------------------------------------------------------------------

    def fragment(self, element: etree._Element, *, keep_self: bool = False) -> str:
        """The content of ``element`` (or the element itself) as an XHTML fragment."""
        plain = _plain_fragment(element, keep_self)
        if plain is not None:
            return plain
        copy = _strip(element, self)
        if keep_self:
            return etree.tostring(copy, encoding="unicode", with_tail=False)
        parts = [_escape(copy.text or "")]
        parts += (etree.tostring(child, encoding="unicode", with_tail=True) for child in copy)
        return "".join(parts).strip()


def _check_object(element: etree._Element) -> None:
    """Refuse an object in the content that declares a type other than an image (video,
    HTML, ...). An image object (or one of no type) is kept as it is, its ``data`` listed
    with the images: the caller shows it as an image, or, as a browser does, its
    fallback content when it cannot show the image."""
    media_type = _object_type(element)
    if media_type and not media_type.startswith("image/"):
        raise BodyError(
            "unsupported_content",
            f"the item uses an embedded object of type {media_type!r} "
            f"(<{_display_name(element)}>), which the bank's rich text cannot keep",
            element.sourceline,
        )


def _object_type(element: etree._Element) -> str:
    """An object's declared media type, lower case without parameters (``""``: none)."""
    return (element.get("type") or "").split(";")[0].strip().lower()


def _in_annotation(element: etree._Element) -> bool:
    return any(_mathml_name(a) in ("annotation", "annotation-xml") for a in element.iterancestors())


def _check_mathml(element: etree._Element) -> None:
    """Refuse MathML the bank cannot show as its source does (content MathML, ``menclose``,
    glyph images...); annotation content is not shown, so it is not checked."""
    name = _mathml_name(element)
    if name in MATHML_PRESENTATION or name in _MATHML_REWRITTEN or _in_annotation(element):
        return
    if name is None:  # a <math> of the item's own namespace (or none): not a formula
        raise BodyError(
            "invalid_item",
            f"<{_display_name(element)}> is not in the MathML namespace ({ns.MATHML}): "
            "a formula must declare it (xmlns)",
            element.sourceline,
        )
    raise BodyError(
        "unsupported_content",
        f"the item uses MathML <{name}>, which the bank's formulas cannot keep "
        "(only presentation MathML)",
        element.sourceline,
    )


def _only_child_entry(element: etree._Element) -> bool:
    kids = [child for child in element if isinstance(child.tag, str)]
    return (
        len(kids) == 1
        and len(element) == 1
        and _kind(kids[0]) == "textEntryInteraction"
        and not (element.text or "").strip()
        and not (kids[0].tail or "").strip()
    )


def _rubric_fragments(reader: BodyReader, holder: etree._Element) -> list[str]:
    """One fragment per ``div`` child (the item bank's own export), else the whole content."""
    kids = children(holder)
    if kids and all(local_name(k) == "div" for k in kids) and not (holder.text or "").strip():
        return [f for f in (reader.fragment(k) for k in kids) if f]
    whole = reader.fragment(holder)
    return [whole] if whole else []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _strip(element: etree._Element, reader: BodyReader) -> etree._Element:
    """A copy of ``element`` with namespaces removed, ``xml:lang`` as ``lang``, feedback
    and comments left out, text entries replaced by :data:`BLANK`, images recorded."""
    if _kind(element) == "math":
        holder = etree.Element("span")
        _copy_mathml(element, holder)
        if not len(holder):  # an annotation alone: nothing is shown
            return holder
        copy = holder[0]
        copy.tail = None
        return copy
    plain = _plain_copy(element, reader)
    if plain is not None:
        return plain
    copy = etree.Element(_plain_tag(element))
    _copy_into(element, copy, reader)
    return copy


#: The start of an element as libxml2 writes it: its name, then the namespace
#: declarations, before any attribute (lxml adds those in scope from the ancestors).
_START = re.compile(r"""<([^\s/>]+)((?: xmlns(?::[^\s=]+)?=(?:"[^"]*"|'[^']*'))*)""")
#: The names of the start tags (``<`` only starts markup: text escapes it).
_TAG_NAMES = re.compile(r"<([^\s/>]+)")
#: A start tag that may be of a kind :func:`_plain_name` refuses: a prefixed one, or one
#: whose name starts (but for ``qti-``) as every spelling of those kinds does (the first
#: hump of a QTI 2 name is written as it is), for the exact look at every name.
_MAYBE_NOT_PLAIN = re.compile(
    r"<(?:[^\s/>:]*:|(?:qti-)?(?:math|text|inline|gap|hottext|feedback|modal|img|object))"
)
#: An attribute with a prefix (an attribute value escapes ``"``).
_PREFIXED_ATTRIBUTE = re.compile(r':[^\s"<>=]*="')


def _plain_fragment(element: etree._Element, keep_self: bool) -> str | None:
    """What :meth:`BodyReader.fragment` makes of ``element`` when :func:`_plain_copy`
    would copy it, written from lxml's serialization of ``element`` itself (no copy, no
    renaming): that is the same text but for the namespace declarations on its first tag,
    taken off here. ``None`` (the long way) when the text shows anything else: another
    namespace declaration, a prefix (on an element or an attribute), a comment or
    processing instruction, an element below of a kind :func:`_copy_into` does more
    with (:data:`_NOT_PLAIN`, which holds every kind of slot too) or an image to record,
    and when ``element`` is itself a formula or an image, or its text (escaped on its
    own by :func:`_escape`) has a carriage return, which libxml2 writes as ``&#13;``.
    The content of an element with nothing in it (a choice's text) is its text, escaped,
    whatever its attributes."""
    if _kind(element) in _OWN_NOT_PLAIN:
        return None
    if not keep_self:
        if not len(element):  # (no element, comment or processing instruction in it)
            return _escape(element.text or "").strip()
        if "\r" in (element.text or ""):
            return None
    text = etree.tostring(element, encoding="unicode", with_tail=False)
    start = _START.match(text)
    if start is None or ":" in start.group(1):
        return None
    name = start.group(1)
    text = f"<{name}{text[start.end() :]}"
    if (
        "xmlns" in text
        or "<!" in text
        or "<?" in text
        or _PREFIXED_ATTRIBUTE.search(text)
        or (
            _MAYBE_NOT_PLAIN.search(text, len(name) + 1)
            and not all(map(_plain_name, _TAG_NAMES.findall(text, len(name) + 1)))
        )
    ):
        return None
    if keep_self:
        return text
    end = text.index(">")  # (attribute values escape ">")
    if text[end - 1] == "/":
        return ""  # no content
    close = f"</{name}>"
    if not text.endswith(close):  # pragma: no cover - libxml2 closes what it opens
        return None
    return text[end + 1 : -len(close)].strip()


@lru_cache(maxsize=4096)
def _plain_name(name: str) -> bool:
    """Whether an element below the copied one, of this unprefixed name in the copied
    element's namespace (not MathML's: that one is a formula), is copied as it is."""
    return ":" not in name and camel_name(name) not in _NOT_PLAIN_BELOW


def _plain_copy(element: etree._Element, reader: BodyReader) -> etree._Element | None:
    """What :func:`_copy_into` makes of ``element`` (in a new element of its local name,
    no tail) when that is a plain copy: no comment or processing instruction in it, no
    attribute in a namespace (``xml:lang`` among them), and below it nothing that becomes
    a slot, a blank or a formula, nor feedback or a part out of place. Copied by lxml and
    renamed in place; ``None`` (copy it the long way) for anything else."""
    slots = reader._slot_kinds if reader._slots is not None else frozenset()
    images: list[tuple[str, int | None]] = []
    for node in element.iter():
        tag = node.tag
        if not isinstance(tag, str):
            return None
        kind = _kind_of_tag(tag)
        if node is not element and (kind in _NOT_PLAIN or kind in slots):
            return None
        for name in node.attrib:
            if name.startswith("{"):
                return None
        if kind == "img":
            images.append((node.get("src", ""), node.sourceline))
        elif kind == "object":
            images.append((node.get("data", ""), node.sourceline))
    copy = copy_module.deepcopy(element)
    copy.tail = None
    for node in copy.iter():
        node.tag = _local_of_tag(node.tag)
    etree.cleanup_namespaces(copy)
    reader.result.images.extend(images)
    return copy


def _plain_tag(element: etree._Element) -> str:
    """An element's local name (what ``etree.QName(element).localname`` gives)."""
    return _local_of_tag(element.tag)


@lru_cache(maxsize=4096)
def _local_of_tag(tag: str) -> str:
    return split_tag(tag)[1]


def _copy_into(source: etree._Element, target: etree._Element, reader: BodyReader) -> None:
    for name, value in source.attrib.items():
        if name == _XML_LANG:
            target.set("lang", value)
        elif not name.startswith("{"):
            target.set(name, value)
    if _kind(source) == "img":
        reader.result.images.append((source.get("src", ""), source.sourceline))
    elif _kind(source) == "object":
        reader.result.images.append((source.get("data", ""), source.sourceline))
    target.text = source.text
    for child in source:
        if not isinstance(child.tag, str):  # comments, processing instructions
            _append_text(target, child.tail)
            continue
        kind = _kind(child)
        if reader.slot(target, child):
            target[-1].tail = child.tail
            continue
        if kind in _EMBEDDED:
            raise BodyError(
                "invalid_item",
                f"<{_display_name(child)}> is out of place here (only in the text of its "
                "interaction)",
                child.sourceline,
            )
        if kind in _FEEDBACK:
            reader._note(
                "feedback_dropped", f"<{_display_name(child)}> feedback is left out", child
            )
            _append_text(target, child.tail)
            continue
        if kind == "textEntryInteraction":
            _append_text(target, BLANK)
            _append_text(target, child.tail)
            continue
        if kind == "math":
            _copy_mathml(child, target)
            continue
        copy = etree.SubElement(target, _plain_tag(child))
        _copy_into(child, copy, reader)
        copy.tail = child.tail


#: Parts that only a text with slots can hold (a text entry elsewhere becomes BLANK).
_EMBEDDED = frozenset({"inlineChoiceInteraction", "gap", "hottext"})
#: The kinds of element below the copied one that :func:`_copy_into` does more with than
#: copying (besides the kinds slots are being collected for).
_NOT_PLAIN = frozenset({"math", "textEntryInteraction", *_EMBEDDED, *_FEEDBACK})
#: What :func:`_plain_fragment` leaves to the long way: for the element itself (a formula,
#: an image to record) and below it (besides, images to record).
_OWN_NOT_PLAIN = frozenset({"math", "img", "object"})
_NOT_PLAIN_BELOW = _NOT_PLAIN | _OWN_NOT_PLAIN
#: The kinds of element :meth:`BodyReader._check` looks at: those it refuses or looks into,
#: and the interactions it lists for :meth:`BodyReader._below`.
_INTERACTION_KINDS = _BLOCK_INTERACTIONS | INLINE_INTERACTIONS
_CHECKED_KINDS = (
    frozenset({"math", "object", *OTHER_INTERACTIONS, *_UNSUPPORTED_CONTENT, *_TEMPLATE_CONTENT})
    | _INTERACTION_KINDS
)


def _copy_mathml(source: etree._Element, target: etree._Element) -> None:
    """Append a copy of MathML element ``source`` (in the MathML namespace) to ``target``,
    rewriting ``mfenced`` and ``maction`` and leaving out non-TeX annotations."""
    name = _mathml_name(source) or ""
    tail = source.tail
    if name == "annotation-xml" or (
        name == "annotation" and (source.get("encoding") or "").strip().lower() != _TEX
    ):
        _append_text(target, tail)
        return
    kids = [child for child in source if isinstance(child.tag, str)]
    if name == "maction":
        selection = _int(source, "selection", 1)
        if 1 <= selection <= len(kids):
            shown = kids[selection - 1]
            if namespace_of(shown) == ns.MATHML:
                _copy_mathml(shown, target)
            else:  # HTML as the action's choice: its text, as MathML text
                text = etree.SubElement(target, f"{{{ns.MATHML}}}mtext")
                text.text = "".join(shown.itertext())
        _append_text(target, tail)
        return
    tag = f"{{{ns.MATHML}}}{'mrow' if name == 'mfenced' else name}"
    if target.tag == tag or namespace_of(target) == ns.MATHML:
        copy = etree.SubElement(target, tag)
    else:
        copy = etree.SubElement(target, tag, nsmap={None: ns.MATHML})
    if name == "mfenced":
        _fences(source, copy, kids)
    else:
        for attribute, value in source.attrib.items():
            if not attribute.startswith("{"):
                copy.set(attribute, value)
        copy.text = source.text
        for child in source:
            if isinstance(child.tag, str) and namespace_of(child) == ns.MATHML:
                _copy_mathml(child, copy)
            elif isinstance(child.tag, str):  # HTML inside a token element: its text
                _append_text(copy, "".join(child.itertext()))
                _append_text(copy, child.tail)
            else:
                _append_text(copy, child.tail)
    copy.tail = tail


def _fences(source: etree._Element, row: etree._Element, kids: list[etree._Element]) -> None:
    """The ``mrow`` an ``mfenced`` stands for (MathML 3, 3.3.8): the open fence, the
    children with the separators between them, the close fence, each an ``mo``."""
    opening = source.get("open", "(")
    closing = source.get("close", ")")
    separators = "".join((source.get("separators", ",")).split())

    def operator(text: str, **attrs: str) -> None:
        if text:
            etree.SubElement(row, f"{{{ns.MATHML}}}mo", attrs).text = text

    operator(opening, fence="true")
    for index, kid in enumerate(kids):
        if index and separators:
            operator(separators[min(index - 1, len(separators) - 1)], separator="true")
        _copy_mathml(kid, row)
        if len(row):
            row[-1].tail = None
    operator(closing, fence="true")


def _append_text(target: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(target):
        last = target[-1]
        last.tail = (last.tail or "") + text
    else:
        target.text = (target.text or "") + text


# -- interactions ------------------------------------------------------------------------


def _int(element: etree._Element, name: str, default: int) -> int:
    text = qti_attr(element, name)
    if text is None or not text.strip():
        return default
    try:
        return int(text)
    except ValueError:
        raise BodyError(
            "invalid_item", f"{name}={text!r} is not a whole number", element.sourceline
        ) from None


def _optional_int(element: etree._Element, name: str) -> int | None:
    text = qti_attr(element, name)
    return _int(element, name, 0) if text is not None and text.strip() else None


def _flag(element: etree._Element, name: str, default: bool = False) -> bool:
    text = qti_attr(element, name)
    return default if text is None else text.strip() in ("true", "1")


def _choices(reader: BodyReader, parent: etree._Element, name: str) -> tuple[Choice, ...]:
    result = []
    for element in find_children(parent, name):
        identifier = element.get("identifier", "")
        result.append(
            Choice(
                identifier,
                reader.fragment(element),
                fixed=_flag(element, "fixed"),
                match_max=_int(element, "matchMax", 1),
            )
        )
    return tuple(result)


def _prompt(reader: BodyReader, element: etree._Element) -> str | None:
    prompts = find_children(element, "prompt")
    return reader.fragment(prompts[0]) or None if prompts else None


def read_interaction(reader: BodyReader, element: etree._Element) -> BodyPart:
    """The model interaction for a supported interaction element."""
    kind = _kind(element)
    response = qti_attr(element, "responseIdentifier") or ""
    if kind == "choiceInteraction":
        return ChoiceInteraction(
            response,
            _choices(reader, element, "simpleChoice"),
            shuffle=_flag(element, "shuffle"),
            max_choices=_int(element, "maxChoices", 1),
            min_choices=_int(element, "minChoices", 0),
            prompt=_prompt(reader, element),
        )
    if kind == "orderInteraction":
        return OrderInteraction(
            response,
            _choices(reader, element, "simpleChoice"),
            shuffle=_flag(element, "shuffle"),
            prompt=_prompt(reader, element),
        )
    if kind == "matchInteraction":
        sets = find_children(element, "simpleMatchSet")
        if len(sets) != 2:
            raise BodyError(
                "invalid_item",
                f"a match interaction needs two match sets, not {len(sets)}",
                element.sourceline,
            )
        return MatchInteraction(
            response,
            _choices(reader, sets[0], "simpleAssociableChoice"),
            _choices(reader, sets[1], "simpleAssociableChoice"),
            shuffle=_flag(element, "shuffle"),
            max_associations=_int(element, "maxAssociations", 1),
            min_associations=_int(element, "minAssociations", 0),
            prompt=_prompt(reader, element),
        )
    if kind == "textEntryInteraction":
        return TextEntryInteraction(response, _optional_int(element, "expectedLength"))
    if kind in ("inlineChoiceInteraction", "gapMatchInteraction", "hottextInteraction"):
        return _read_text_based(reader, element, kind, response)
    if kind == "extendedTextInteraction":
        return ExtendedTextInteraction(
            response,
            _optional_int(element, "expectedLength"),
            _optional_int(element, "expectedLines"),
            _prompt(reader, element),
        )
    if kind == "sliderInteraction":
        return _read_slider(reader, element, response)
    if kind in GRAPHIC_READERS:
        return GRAPHIC_READERS[kind](reader, element, response)
    raise BodyError(  # pragma: no cover - the walk only passes supported interactions
        "unsupported_interaction",
        f"<{_display_name(element)}> is not supported",
        element.sourceline,
    )


def _read_slider(reader: BodyReader, element: etree._Element, response: str) -> BodyPart:
    bounds = []
    for name in ("lowerBound", "upperBound"):
        text = qti_attr(element, name)
        try:
            value = float(text or "")
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise BodyError(
                "invalid_item",
                f"a slider needs a finite {name}, not {text!r}",
                element.sourceline,
            )
        bounds.append(value)
    step = _optional_int(element, "step")
    if step is not None and step <= 0:
        raise BodyError(
            "invalid_item", f"a slider's step must be positive, not {step}", element.sourceline
        )
    return SliderInteraction(
        response,
        bounds[0],
        bounds[1],
        step,
        step_label=_flag(element, "stepLabel"),
        vertical=(qti_attr(element, "orientation") or "").strip() == "vertical",
        reverse=_flag(element, "reverse"),
        prompt=_prompt(reader, element),
    )


# -- text-based interactions ------------------------------------------------------------

_NOT_CONTENT = frozenset({"prompt", "gapText", "gapImg"})


def _read_text_based(
    reader: BodyReader, element: etree._Element, kind: str, response: str
) -> BodyPart:
    """An inline choice, gap match or hot text interaction; the text of the last two
    with a slot for each gap or hot text (:data:`qti.model.SLOT`)."""
    if kind == "inlineChoiceInteraction":
        return InlineChoiceInteraction(
            response,
            _choices(reader, element, "inlineChoice"),
            shuffle=_flag(element, "shuffle"),
        )
    holder = etree.Element("div")
    for child in element:
        if isinstance(child.tag, str) and _kind(child) in _NOT_CONTENT:
            if _kind(child) == "gapImg":
                raise BodyError(
                    "unsupported_interaction",
                    "a gap match with images to place (<gapImg>) is not supported",
                    child.sourceline,
                )
            continue
        holder.append(_copy_for_reading(child))
    holder.text = element.text
    kids = [child for child in holder if isinstance(child.tag, str)]
    if (
        len(kids) == 1
        and _kind(kids[0]) == "div"
        and not (holder.text or "").strip()
        and not (kids[0].tail or "").strip()
    ):
        holder = kids[0]  # the one div a writer wraps the text in (as ours does)
    if kind == "gapMatchInteraction":
        content, gaps = reader.embedded(holder, frozenset({"gap"}))
        texts = tuple(
            Choice(
                e.get("identifier", ""),
                reader.fragment(e),
                fixed=_flag(e, "fixed"),
                match_max=_int(e, "matchMax", 1),
            )
            for e in find_children(element, "gapText")
        )
        return GapMatchInteraction(
            response,
            texts,
            content,
            tuple(gaps),
            shuffle=_flag(element, "shuffle"),
            prompt=_prompt(reader, element),
        )
    content, hottexts = reader.embedded(holder, frozenset({"hottext"}))
    return HottextInteraction(
        response,
        content,
        tuple(hottexts),
        max_choices=_int(element, "maxChoices", 1),
        min_choices=_int(element, "minChoices", 0),
        prompt=_prompt(reader, element),
    )


def _copy_for_reading(element: etree._Element) -> etree._Element:
    """A deep copy of ``element`` (with its tail) that keeps its source lines."""
    import copy

    return copy.deepcopy(element)


# -- graphic and association interactions --------------------------------------------------

#: Where a graphic interaction's image may stand (its own ``object``/``img``, a gap image).
_IMAGE_HOLDERS = frozenset(
    {
        "hotspotInteraction",
        "graphicGapMatchInteraction",
        "gapImg",
        "selectPointInteraction",
        "graphicOrderInteraction",
        "graphicAssociateInteraction",
        "positionObjectStage",
        "positionObjectInteraction",
    }
)
#: Image types kept in the model (another ``image/...`` type is found from the file).
_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
#: Shapes the bank keeps (``ellipse`` and ``default`` are refused).
_SHAPES = frozenset({"rect", "circle", "poly"})


def _graphic_image(element: etree._Element) -> bool:
    """Whether ``element`` is the image of a graphic interaction or of a gap image (an
    ``object`` there is the image, not embedded content)."""
    parent = element.getparent()
    return parent is not None and _kind(element) == "object" and _kind(parent) in _IMAGE_HOLDERS


def _read_image(reader: BodyReader, holder: etree._Element) -> GraphicImage:
    """The one ``object`` or ``img`` of ``holder``, with its declared size."""
    found = [e for e in children(holder) if _kind(e) in ("object", "img", "picture")]
    if len(found) != 1 or _kind(found[0]) == "picture":
        raise BodyError(
            "unsupported_interaction",
            f"<{_display_name(holder)}> needs exactly one image (object or img)",
            holder.sourceline,
        )
    image = found[0]
    is_object = _kind(image) == "object"
    src = (image.get("data") if is_object else image.get("src")) or ""
    media_type = image.get("type") if is_object else None
    if is_object and not (media_type or "").strip().lower().startswith("image/"):
        # (which image formats the bank takes is checked on the bytes, on import)
        raise BodyError(
            "unsupported_interaction",
            f"the object of <{_display_name(holder)}> is {media_type!r}, not an image",
            image.sourceline,
        )
    width, height = _int(image, "width", 0), _int(image, "height", 0)
    if width <= 0 or height <= 0:
        raise BodyError(
            "unsupported_interaction",
            f"the image of <{_display_name(holder)}> declares no size (width and height), "
            "which its areas' coordinates are measured in",
            image.sourceline,
        )
    alt = " ".join("".join(image.itertext()).split()) if is_object else image.get("alt", "")
    reader.result.images.append((src, image.sourceline))
    known = media_type if media_type in _IMAGE_TYPES else None
    return GraphicImage(src, width, height, alt, known)


def _read_hotspots(holder: etree._Element, name: str) -> tuple[HotspotChoice, ...]:
    result = []
    for element in find_children(holder, name):
        shape = (element.get("shape") or "").strip()
        text = element.get("coords") or ""
        try:
            coords = tuple(round(float(part)) for part in text.replace(",", " ").split())
        except ValueError:
            raise BodyError(
                "invalid_item", f"coords={text!r} are not numbers", element.sourceline
            ) from None
        if shape not in _SHAPES:
            raise BodyError(
                "unsupported_interaction",
                f"an area of shape {shape!r} (the bank keeps rect, circle and poly)",
                element.sourceline,
            )
        result.append(
            HotspotChoice(
                element.get("identifier", ""),
                shape,  # type: ignore[arg-type]
                coords,
                qti_attr(element, "hotspotLabel") or "",
                _int(element, "matchMax", 1),
            )
        )
    return tuple(result)


def _read_hotspot(reader: BodyReader, element: etree._Element, response: str) -> BodyPart:
    return HotspotInteraction(
        response,
        _read_image(reader, element),
        _read_hotspots(element, "hotspotChoice"),
        max_choices=_int(element, "maxChoices", 1),
        min_choices=_int(element, "minChoices", 0),
        prompt=_prompt(reader, element),
    )


def _read_associate(reader: BodyReader, element: etree._Element, response: str) -> BodyPart:
    return AssociateInteraction(
        response,
        _choices(reader, element, "simpleAssociableChoice"),
        shuffle=_flag(element, "shuffle"),
        max_associations=_int(element, "maxAssociations", 1),
        min_associations=_int(element, "minAssociations", 0),
        prompt=_prompt(reader, element),
    )


def _read_graphic_gap_match(reader: BodyReader, element: etree._Element, response: str) -> BodyPart:
    gaps = []
    for gap in children(element):
        kind = _kind(gap)
        if kind == "gapText":
            gaps.append(
                GapChoice(
                    gap.get("identifier", ""),
                    " ".join("".join(gap.itertext()).split()),
                    match_max=_int(gap, "matchMax", 1),
                )
            )
        elif kind == "gapImg":
            gaps.append(
                GapChoice(
                    gap.get("identifier", ""),
                    qti_attr(gap, "objectLabel") or "",
                    _read_image(reader, gap),
                    match_max=_int(gap, "matchMax", 1),
                )
            )
    return GraphicGapMatchInteraction(
        response,
        _read_image(reader, element),
        tuple(gaps),
        _read_hotspots(element, "associableHotspot"),
        # QTI 3.0 limits the associations to 1 unless it says otherwise; 2.1 does not
        max_associations=_int(element, "maxAssociations", 1 if _is_v3(element) else 0),
        min_associations=_int(element, "minAssociations", 0),
        prompt=_prompt(reader, element),
    )


def _read_select_point(reader: BodyReader, element: etree._Element, response: str) -> BodyPart:
    return SelectPointInteraction(
        response,
        _read_image(reader, element),
        max_choices=_int(element, "maxChoices", 1),
        min_choices=_int(element, "minChoices", 0),
        prompt=_prompt(reader, element),
    )


def _on_stage(element: etree._Element) -> bool:
    """Whether ``element`` is a position object interaction on a stage."""
    parent = element.getparent()
    return (
        _kind(element) == "positionObjectInteraction"
        and parent is not None
        and _kind(parent) == "positionObjectStage"
    )


def _read_position_object_stage(
    reader: BodyReader, element: etree._Element, response: str
) -> BodyPart:
    """The stage image and its one position object interaction (each interaction answers
    in a response of its own: a stage with several is refused, no item type keeps them
    together); the object's ``centrePoint`` (QTI 3.0: ``center-point``) as two whole
    numbers, else ``None``."""
    stage = _read_image(reader, element)
    found = find_children(element, "positionObjectInteraction")
    if len(found) != 1:
        raise BodyError(
            "unsupported_interaction",
            f"<{_display_name(element)}> holds {len(found)} position object interactions; "
            "the bank keeps a stage with exactly one (one object placed on it)",
            element.sourceline,
        )
    interaction = found[0]
    text = qti_attr(interaction, "centrePoint") or interaction.get("center-point")
    center = None
    if text is not None:
        parts = text.split()
        if len(parts) != 2 or not all(part.lstrip("-").isdigit() for part in parts):
            raise BodyError(
                "invalid_item",
                f"centrePoint={text!r} is not two whole numbers",
                interaction.sourceline,
            )
        center = (int(parts[0]), int(parts[1]))
    return PositionObjectStage(
        stage,
        (
            PositionObjectInteraction(
                qti_attr(interaction, "responseIdentifier") or "",
                stage,
                _read_image(reader, interaction),
                center,
                # QTI 3.0 places the object once unless it says otherwise; 2.1's schema
                # says no limit
                max_choices=_int(interaction, "maxChoices", 1 if _is_v3(interaction) else 0),
                min_choices=_int(interaction, "minChoices", 0),
            ),
        ),
    )


def _read_graphic_order(reader: BodyReader, element: etree._Element, response: str) -> BodyPart:
    return GraphicOrderInteraction(
        response,
        _read_image(reader, element),
        _read_hotspots(element, "hotspotChoice"),
        max_choices=_optional_int(element, "maxChoices"),
        min_choices=_optional_int(element, "minChoices"),
        prompt=_prompt(reader, element),
    )


def _read_graphic_associate(reader: BodyReader, element: etree._Element, response: str) -> BodyPart:
    return GraphicAssociateInteraction(
        response,
        _read_image(reader, element),
        _read_hotspots(element, "associableHotspot"),
        max_associations=_int(element, "maxAssociations", 1),
        min_associations=_int(element, "minAssociations", 0),
        prompt=_prompt(reader, element),
    )


def _is_v3(element: etree._Element) -> bool:
    return namespace_of(element) == ns.QTI30


GRAPHIC_READERS: dict[str, Callable[[BodyReader, etree._Element, str], BodyPart]] = {
    "hotspotInteraction": _read_hotspot,
    "associateInteraction": _read_associate,
    "graphicGapMatchInteraction": _read_graphic_gap_match,
    "selectPointInteraction": _read_select_point,
    "positionObjectStage": _read_position_object_stage,
    "graphicOrderInteraction": _read_graphic_order,
    "graphicAssociateInteraction": _read_graphic_associate,
}

# -- end of graphic and association interactions ---------------------------------------------
