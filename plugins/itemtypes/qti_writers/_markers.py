"""The gap markers of text-based item types, and their QTI slots.

Writers mark a gap in the text of an inline choice (and a numbered place in the texts of
the other text-based types) with the gap's code in double square brackets: ``[[G1]]``.
A marker is plain text, so it survives the rich-text editor and the sanitizer unchanged;
its code is an identifier (:data:`MARKER`). In QTI the text becomes XHTML in which each
marker is a ``qti-slot`` placeholder (:data:`qti.model.SLOT`) for the interaction, gap
or hot text of that code; reading QTI does the inverse.

Pure: lxml and the standard library only (the QTI writers use it without the bank).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from lxml import etree

from qti.model import SLOT
from qti.xml import QtiParseError, parse_bytes

#: ``[[code]]``: the code is an identifier as content ids are (letters, digits, ``_.-``).
MARKER = re.compile(r"\[\[([A-Za-z_][A-Za-z0-9_.-]{0,31})\]\]")
# A tag of sanitized HTML holds no "<" or ">" (they are escaped in text and attributes).
_TAG = re.compile(r"<[^<>]*>")


def marker(code: str) -> str:
    """The marker text of ``code``: ``[[G1]]``."""
    return f"[[{code}]]"


def markers_in(html: str) -> list[str]:
    """The codes of the markers in the text of ``html`` (not inside tags), in order,
    repeats included."""
    found: list[str] = []
    for piece in _TAG.split(html):
        found += MARKER.findall(piece)
    return found


def replace_markers_html(html: str, replace: Callable[[str], str]) -> str:
    """Sanitized HTML with each marker in its text replaced by ``replace(code)`` (HTML the
    caller has made safe); markers inside tags (an ``alt`` text) are left alone."""
    out: list[str] = []
    position = 0
    for tag in _TAG.finditer(html):
        out.append(MARKER.sub(lambda m: replace(m.group(1)), html[position : tag.start()]))
        out.append(tag.group(0))
        position = tag.end()
    out.append(MARKER.sub(lambda m: replace(m.group(1)), html[position:]))
    return "".join(out)


def _parse(fragment: str) -> etree._Element:
    try:
        return parse_bytes(f"<fragment>{fragment}</fragment>".encode())
    except QtiParseError as exc:
        raise ValueError(f"the text is not well-formed XHTML ({exc.message})") from None


def _serialize(holder: etree._Element) -> str:
    text = (holder.text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text + "".join(etree.tostring(child, encoding="unicode") for child in holder)


def slots_from_markers(xhtml: str, codes: Sequence[str]) -> str:
    """XHTML with every marker of ``codes`` replaced by ``<qti-slot index="N"/>``, N the
    code's place in ``codes``; other text (and markers of other codes) stays as it is.

    :raises ValueError: when the XHTML is not well-formed.
    """
    index = {code: n for n, code in enumerate(codes)}
    holder = _parse(xhtml)

    def split(text: str | None) -> tuple[str, list[tuple[int, str]]]:
        """The text before the first marker, and (slot, text after it) for each marker."""
        if not text:
            return text or "", []
        pieces = MARKER.split(text)  # text, code, text, code, ..., text
        head: str = pieces[0]
        rest: list[tuple[int, str]] = []
        for position in range(1, len(pieces), 2):
            code, after = pieces[position], pieces[position + 1]
            if code in index:
                rest.append((index[code], after))
            elif rest:
                rest[-1] = (rest[-1][0], rest[-1][1] + marker(code) + after)
            else:
                head += marker(code) + after
        return head, rest

    for element in list(holder.iter()):
        if not isinstance(element.tag, str) or element.tag == SLOT:
            continue
        head, rest = split(element.text)
        if rest:
            element.text = head
            for offset, (slot, after) in enumerate(rest):
                new = etree.Element(SLOT, index=str(slot))
                new.tail = after
                element.insert(offset, new)
        if element is holder:
            continue
        head, rest = split(element.tail)
        if rest:
            element.tail = head
            anchor = element
            for slot, after in rest:
                new = etree.Element(SLOT, index=str(slot))
                new.tail = after
                anchor.addnext(new)
                anchor = new
    return _serialize(holder)


def markers_from_slots(xhtml: str, codes: Sequence[str]) -> str:
    """XHTML with each ``<qti-slot index="N"/>`` replaced by the marker of ``codes[N]``.

    :raises ValueError: when the XHTML is not well-formed or a slot names no code.
    """
    holder = _parse(xhtml)
    for slot in list(holder.iter(SLOT)):
        try:
            code = codes[int(slot.get("index", ""))]
        except (ValueError, IndexError):
            raise ValueError(f"a slot names no part ({slot.get('index')!r})") from None
        text = marker(code) + (slot.tail or "")
        parent = slot.getparent()
        previous = slot.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(slot)
    return _serialize(holder)
