"""Reading shared passages (stimuli) back: QTI 3.0 ``qti-assessment-stimulus`` documents
and the items' references to them, and the QTI 2.1 form :mod:`qti.package` writes (the
passage inside each item's body, a ``div`` of class ``itembank-stimulus``).

Pure data in, data out; like :mod:`qti.reader`, XHTML fragments come back without a
namespace and image sources as written, for the caller to resolve.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lxml import etree

from qti._names import find_child, find_children, local_name
from qti._read_body import BodyError, BodyReader
from qti.model import AssessmentItem, BodyPart, Html
from qti.ns import QTI22, QTI30
from qti.reader import ImageRef, ItemReadError
from qti.xml import QtiParseError, parse_bytes

#: The class of the ``div`` a QTI 2.1 item of the bank carries its passage in.
INLINE_CLASS = "itembank-stimulus"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class StimulusRef:
    """An item's reference to a stimulus document (``qti-assessment-stimulus-ref``)."""

    identifier: str
    href: str
    title: str = ""
    line: int | None = None


@dataclass(frozen=True)
class StimulusReading:
    """A stimulus read: its identifier, title, language and body as one XHTML fragment."""

    identifier: str
    title: str
    lang: str
    body: str
    images: tuple[ImageRef, ...] = ()


def stimulus_refs(root: etree._Element) -> tuple[StimulusRef, ...]:
    """The stimulus references of an item document (QTI 2.2 and 3.0 have them)."""
    return tuple(
        StimulusRef(
            identifier=(element.get("identifier") or "").strip(),
            href=(element.get("href") or "").strip(),
            title=(element.get("title") or "").strip(),
            line=element.sourceline,
        )
        for element in find_children(root, "assessmentStimulusRef")
    )


def _no_interactions(reader: BodyReader, element: etree._Element) -> BodyPart:
    raise BodyError(
        "unsupported_content",
        f"a stimulus holds no interactions (<{etree.QName(element).localname}>)",
        element.sourceline,
    )


def read_stimulus(data: bytes) -> StimulusReading:
    """Read a stimulus document (QTI 2.2 ``assessmentStimulus`` or 3.0
    ``qti-assessment-stimulus``).

    :raises ItemReadError: ``invalid_xml``, ``not_a_stimulus``, or what its body holds
        that the bank's rich text cannot keep (the codes of :mod:`qti.reader`).
    """
    try:
        root = parse_bytes(data)
    except QtiParseError as exc:
        raise ItemReadError(
            "invalid_xml", f"not well-formed XML: {exc.message}", exc.line
        ) from None
    if local_name(root) != "assessmentStimulus" or etree.QName(root).namespace not in (
        QTI22,
        QTI30,
    ):
        raise ItemReadError(
            "not_a_stimulus", "the document is not an assessment stimulus", root.sourceline
        )
    identifier = (root.get("identifier") or "").strip()
    if not identifier:
        raise ItemReadError("invalid_item", "the stimulus has no identifier", root.sourceline)
    body = find_child(root, "stimulusBody")
    if body is None:
        raise ItemReadError("empty_stem", "the stimulus has no body", root.sourceline)
    try:
        reading = BodyReader(_no_interactions).read(body)
    except BodyError as exc:
        raise ItemReadError(exc.code, exc.message, exc.line) from None
    fragment = "".join(part.content for part in reading.parts if isinstance(part, Html))
    return StimulusReading(
        identifier=identifier,
        title=(root.get("title") or "").strip() or identifier,
        lang=(root.get(_XML_LANG) or "").strip(),
        body=fragment,
        images=tuple(dict.fromkeys(ImageRef(src, line) for src, line in reading.images)),
    )


def split_inline_stimulus(item: AssessmentItem) -> tuple[StimulusReading | None, AssessmentItem]:
    """The passage a QTI 2.1 item of the bank carries in its body (see :mod:`qti.package`)
    and the item without it; ``(None, item)`` for any other item."""
    for index, part in enumerate(item.body):
        if not isinstance(part, Html):
            continue
        if INLINE_CLASS not in part.content:
            # (the fragment is serialized XHTML: a class attribute of that value is written
            # as it is, so without the text there is no such div, as parsing would find)
            return None, item
        try:
            holder = parse_bytes(f"<fragment>{part.content}</fragment>".encode())
        except QtiParseError:
            return None, item
        found = holder.find(f".//div[@class='{INLINE_CLASS}']")
        if found is None:
            return None, item
        title_element = found.find("h2")
        title = "".join(title_element.itertext()).strip() if title_element is not None else ""
        if title_element is not None:
            _drop(title_element)
        body = _inner(found)
        images = tuple(ImageRef(img.get("src") or "", img.sourceline) for img in found.iter("img"))
        _drop(found)
        rest = _inner(holder)
        parts = list(item.body)
        if rest.strip():
            parts[index] = Html(rest)
        else:
            del parts[index]
        identifier = (found.get("id") or "").strip()
        return (
            StimulusReading(identifier, title or identifier, item.lang, body, images),
            replace(item, body=tuple(parts)),
        )
    return None, item


def _drop(element: etree._Element) -> None:
    """Remove ``element`` keeping its tail text in place."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _inner(element: etree._Element) -> str:
    """The XHTML inside ``element`` (its text and children), as a fragment."""
    text = etree.tostring(element, encoding="unicode", with_tail=False)
    start = text.index(">") + 1 if not text.endswith("/>") else len(text)
    end = text.rindex("</") if "</" in text else len(text)
    return text[start:end] if start <= end else ""
