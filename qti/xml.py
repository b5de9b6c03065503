"""One hardened XML parser and one deterministic serializer.

Everything in :mod:`qti` that reads XML goes through :func:`parse_bytes`; everything that
writes it goes through :func:`serialize`.

The parser never touches the network, never loads a DTD and never expands entities; any
document that carries a ``<!DOCTYPE`` (the vehicle of entity-expansion and external-entity
attacks, and never needed by QTI) is refused outright.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

__all__ = ["QtiParseError", "make_parser", "parse_bytes", "serialize"]


class QtiParseError(ValueError):
    """A document that is not well-formed XML, or that the hardened parser refuses.

    :ivar message: what is wrong, in English.
    :ivar line: the 1-based line of the problem, or ``None`` when unknown.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, line)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"line {self.line}: {self.message}"


def make_parser() -> etree.XMLParser:
    """A new parser with the hardened settings (lxml parsers are not thread-safe to share)."""
    return etree.XMLParser(
        no_network=True,
        resolve_entities=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
    )


class _Parsers(threading.local):
    """One hardened parser per thread, reused from document to document: a new lxml
    parser sets up a new libxml2 parser context on its first document, which costs more
    than parsing a small document (the writer parses one per XHTML fragment)."""

    def __init__(self) -> None:
        self.parser = make_parser()


_parsers = _Parsers()

_DOCTYPE_MESSAGE = (
    "DOCTYPE declarations are not allowed (they enable entity-expansion and "
    "external-entity attacks, and QTI documents never need one)"
)
_BOM = b"\xef\xbb\xbf"


def _doctype_line(data: bytes) -> int | None:
    """Line of a ``<!DOCTYPE`` in the prolog of ASCII-compatible data, if any.

    Only the prolog is scanned (XML declaration, comments, processing instructions), so
    the text ``<!DOCTYPE`` inside an item's content or a CDATA section is not mistaken for
    a declaration.
    """
    pos = len(_BOM) if data.startswith(_BOM) else 0
    end = len(data)
    while pos < end:
        while pos < end and data[pos] in b" \t\r\n":
            pos += 1
        if data.startswith(b"<!DOCTYPE", pos):
            return data.count(b"\n", 0, pos) + 1
        if data.startswith(b"<?", pos):
            terminator = b"?>"
        elif data.startswith(b"<!--", pos):
            terminator = b"-->"
        else:
            return None
        close = data.find(terminator, pos + 2)
        if close < 0:
            return None
        pos = close + len(terminator)
    return None


def parse_bytes(data: bytes) -> etree._Element:
    """Parse a whole XML document and return its root element.

    Line numbers are kept on the elements (``element.sourceline``) for error reports.

    :raises QtiParseError: on malformed XML (with the line of the error), on any
        ``<!DOCTYPE`` declaration, or on input that is not ``bytes``.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise QtiParseError(f"expected the document as bytes, got {type(data).__name__}")
    data = bytes(data)
    # A cheap early refusal for the common (UTF-8 / ASCII-compatible) case; the docinfo
    # check after parsing catches DOCTYPEs in any other encoding.
    doctype_line = _doctype_line(data)
    if doctype_line is not None:
        raise QtiParseError(_DOCTYPE_MESSAGE, doctype_line)
    try:
        root = etree.fromstring(data, parser=_parsers.parser)
    except etree.XMLSyntaxError as exc:
        message = exc.msg or "not well-formed XML"
        # lxml appends "(line N, column M)" to some messages; the line is reported apart.
        message = re.sub(r",? \(?line \d+, column \d+\)?$", "", message).strip()
        raise QtiParseError(message, exc.lineno or None) from None
    if root is None:  # pragma: no cover - lxml raises on empty documents
        raise QtiParseError("the document has no root element", 1)
    if root.getroottree().docinfo.doctype:
        raise QtiParseError(_DOCTYPE_MESSAGE, 1)
    return root


_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def serialize(element: etree._Element | etree._ElementTree, *, pretty_print: bool = False) -> bytes:
    """Serialize an element as a standalone UTF-8 document.

    The output is deterministic: the same tree always gives the same bytes (an XML
    declaration with double quotes, the element with its namespace declarations, no tail
    text, one final newline). Whitespace is kept as it is in the tree unless
    ``pretty_print`` is true.
    """
    if isinstance(element, etree._ElementTree):
        element = element.getroot()
    body = etree.tostring(
        element,
        encoding="UTF-8",
        xml_declaration=False,
        with_tail=False,
        pretty_print=pretty_print,
    )
    if not body.endswith(b"\n"):
        body += b"\n"
    return _XML_DECLARATION + body
