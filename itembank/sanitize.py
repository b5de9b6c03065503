"""Rich-text sanitizer for stems, options and feedback.

Item writers may use a small HTML subset that QTI 2.x can carry: paragraphs, line
breaks, emphasis, sub/superscripts, lists, simple tables, images stored in the bank
(``/media/<sha256>``), ``<span lang>`` for foreign-language passages and mathematics as
MathML (:data:`MATHML_TAGS`, a subset of MathML Core, see below).
Everything else is removed on save:

* allowed elements keep only their allowed, validated attributes;
* a fixed set of dangerous or meaningless containers (``script``, ``style``, ``svg``,
  ``iframe``, ...) is removed together with everything inside it;
* every other element is unwrapped: the tag goes, its text stays (a line break
  replaces an unwrapped block such as ``<div>`` where words would otherwise run
  together);
* comments, doctypes and processing instructions go;
* kept elements nest at most :data:`MAX_DEPTH` deep.

Parsing is linear in the input. html5lib's tree builder does work proportional to
the depth of its stack of open elements (scope checks) and to its list of active
formatting elements (which it re-opens after every implicit close) for each token, so
unbounded nesting would make it quadratic (80,000 nested ``<em>`` took most of a
minute), and re-opening closed formatting elements at every piece of text lets a short
input build a large tree. The tree builder used here stops with
:class:`MarkupTooComplex` as soon as the input nests elements more than
:data:`MAX_INPUT_DEPTH` deep, keeps more than :data:`MAX_FORMATTING` formatting
elements (``<b>``, ``<em>``, ``<a>`` ...) pending or makes the parser re-open more than
:data:`MAX_REOPENED` of them, which bounds the work per token and the size of the tree.
Callers that take input from people (:func:`itembank.operations.content.prepare_version`)
report it as a problem of the field.

Input is parsed with bleach's HTML5 parser (the vendored html5lib that
``bleach.clean`` uses), which builds the same tree a browser would, so tricks that
rely on a sanitizer and a browser disagreeing about the markup have nothing to work
with. The tree is then filtered by an allowlist and serialized by this module, which
escapes all text and attribute values, so the output contains nothing but the allowed
subset. ``bleach.Cleaner`` itself is not used because it can neither drop an element
together with its content nor drop a whole element because of a bad attribute, and it
deliberately keeps character references such as ``&nbsp;`` that an XML parser rejects.

Mathematics (MathML)
--------------------
A ``<math>`` element keeps the presentation elements of :data:`MATHML_TAGS` with the
attributes of :data:`MATHML_ATTRIBUTES`, each checked against a closed set of values or a
length pattern (no ``href``, ``style``, ``class``, event handler or namespaced attribute
survives). The rules that keep it safe whatever the browser does with foreign content:

* inside ``<math>`` only MathML elements are kept: an HTML element (which the HTML parser
  creates inside ``<mtext>``, ``<mi>``... or ``<annotation-xml encoding="text/html">``) is
  unwrapped, its text kept as text, or dropped with its content if it is one of
  :data:`DROP_WITH_CONTENT`; so nothing in the output switches the parser between HTML and
  MathML, the usual vehicle of "namespace confusion" mutation XSS;
* MathML elements that embed other markup or act on the page (``annotation-xml``,
  ``maction``, ``mglyph``, MathML-namespaced ``style``/``script``...) are dropped with their
  content (:data:`MATHML_DROP_WITH_CONTENT`); an ``annotation`` is kept only with
  ``encoding="application/x-tex"`` (the formula's TeX source, text only);
* other MathML elements outside the subset (``mfenced``, ``menclose``, content MathML) are
  unwrapped: their children and text stay;
* a ``<math>`` inside a formula, or one that would nest deeper than :data:`MAX_DEPTH`, is
  dropped with its content.

In XML form (:func:`html_to_xhtml`) ``<math>`` carries
``xmlns="http://www.w3.org/1998/Math/MathML"``, so the fragment puts MathML in its
namespace wherever the QTI writer places it. :func:`html_to_text` writes a formula as a
readable line (``(2^5+3^4)/√9``): see :func:`math_to_text`.

The output is the serialization of a tree, so it is deterministic, and
:func:`sanitize_html` re-reads its own result until it is stable, so it is idempotent:
``sanitize_html(sanitize_html(x)) == sanitize_html(x)``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from bleach import html5lib_shim
from bleach._vendor.html5lib.treebuilders import getTreeBuilder

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "DROP_WITH_CONTENT",
    "INLINE_TAGS",
    "MATHML_ATTRIBUTES",
    "MATHML_DROP_WITH_CONTENT",
    "MATHML_NS",
    "MATHML_TAGS",
    "MAX_DEPTH",
    "MAX_FORMATTING",
    "MAX_INPUT_DEPTH",
    "MAX_REOPENED",
    "MEDIA_SRC_RE",
    "MarkupTooComplex",
    "html_to_text",
    "html_to_xhtml",
    "media_references",
    "sanitize_html",
    "sanitize_inline_html",
]

Token = dict[str, Any]

#: Elements kept (with the attributes in :data:`ALLOWED_ATTRIBUTES` only).
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "sub",
        "sup",
        "ul",
        "ol",
        "li",
        "table",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "img",
        "span",
    }
)

#: Allowed attributes per element, in the order they are serialized.
ALLOWED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "img": ("src", "alt", "width", "height"),
    "span": ("lang",),
    "th": ("colspan", "rowspan", "scope"),
    "td": ("colspan", "rowspan"),
}

#: Elements removed together with their content. The first line is the documented
#: set; the second adds the remaining raw-text and legacy containers whose "text" is
#: really markup or script (keeping it would put code-looking text into an item).
DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {
        *("script", "style", "template", "iframe", "object", "embed", "noscript"),
        *("textarea", "select", "svg", "xml", "title", "head"),
        *("xmp", "plaintext", "noembed", "noframes", "frameset", "frame", "applet"),
    }
)

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

#: MathML elements kept inside ``<math>`` (presentation MathML, as in MathML Core).
MATHML_TAGS: frozenset[str] = frozenset(
    {
        *("math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext"),
        *("mspace", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover"),
        *("munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded"),
        *("mphantom", "merror"),
    }
)

_TOKEN_ATTRIBUTES = ("mathvariant", "mathsize")
_OPERATOR_ATTRIBUTES = (
    *("form", "fence", "separator", "lspace", "rspace", "stretchy", "symmetric"),
    *("maxsize", "minsize", "largeop", "movablelimits", "accent"),
)
_TABLE_ALIGN = ("columnalign", "rowalign")

#: Allowed attributes per MathML element, in the order they are serialized. Each is valid
#: on that element in MathML 2 and 3 (the schemas QTI 2.1 and 3.0 validate against).
MATHML_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "math": ("display", "alttext"),
    "annotation": ("encoding",),
    "mi": _TOKEN_ATTRIBUTES,
    "mn": _TOKEN_ATTRIBUTES,
    "mtext": _TOKEN_ATTRIBUTES,
    "ms": (*_TOKEN_ATTRIBUTES, "lquote", "rquote"),
    "mo": (*_TOKEN_ATTRIBUTES, *_OPERATOR_ATTRIBUTES),
    "mspace": ("width", "height", "depth"),
    "mstyle": ("displaystyle", "scriptlevel", *_TOKEN_ATTRIBUTES),
    "mfrac": ("linethickness",),
    "mpadded": ("width", "height", "depth", "lspace"),
    "mover": ("accent",),
    "munder": ("accentunder",),
    "munderover": ("accent", "accentunder"),
    "mtable": (*_TABLE_ALIGN, "columnspacing", "rowspacing", "columnlines", "rowlines"),
    "mtr": _TABLE_ALIGN,
    "mtd": ("rowspan", "columnspan", *_TABLE_ALIGN),
}

#: MathML elements removed with their content: they embed HTML or SVG
#: (``annotation-xml``), load or switch content (``mglyph``, ``maction``), or are
#: markup in the MathML namespace that a browser could treat as HTML's raw-text elements.
MATHML_DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {"annotation-xml", "maction", "mglyph", "malignmark", "maligngroup"}
)
#: The only ``annotation`` kept: a formula's TeX source.
TEX_ENCODING = "application/x-tex"

#: Elements whose removal would glue the words on either side together; a line
#: break is put in their place when needed (``<div>a</div><div>b</div>`` -> ``a\nb``).
_BLOCK_STRIPPED: frozenset[str] = frozenset(
    {
        *("address", "article", "aside", "blockquote", "center", "dd", "details"),
        *("dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup"),
        *("hr", "legend", "listing", "main", "menu", "nav", "pre", "section"),
        *("summary", "option", "optgroup"),
    }
)

#: Allowed elements that start a new line when rendered (used for spacing).
_BLOCK_ALLOWED: frozenset[str] = frozenset(
    {"p", "br", "ul", "ol", "li", "table", "caption", "thead", "tbody", "tfoot", "tr"}
)

_VOID: frozenset[str] = frozenset({"br", "img"})

#: A bank media reference, exactly: ``/media/`` and a lowercase hex SHA-256.
MEDIA_SRC_RE = re.compile(r"/media/([0-9a-f]{64})")
_LANG_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_POSITIVE_INT_RE = re.compile(r"[1-9][0-9]{0,5}")
_SCOPES = frozenset({"row", "col", "rowgroup", "colgroup"})
_MATHVARIANTS = frozenset(
    {
        *("normal", "bold", "italic", "bold-italic", "double-struck", "bold-fraktur"),
        *("script", "bold-script", "fraktur", "sans-serif", "bold-sans-serif"),
        *("sans-serif-italic", "sans-serif-bold-italic", "monospace"),
    }
)
#: Named spaces (MathML 2 and 3 accept them for an operator's spacing and mspace width).
_NAMED_SPACES = frozenset(
    {
        *("veryverythinmathspace", "verythinmathspace", "thinmathspace"),
        *("mediummathspace", "thickmathspace", "verythickmathspace"),
        *("veryverythickmathspace",),
    }
)
_NUMBER = r"(?:[0-9]{1,6}(?:\.[0-9]{0,6})?|\.[0-9]{1,6})"
#: A length both MathML 2 and 3 accept everywhere a length goes: a number with a unit, or 0.
_LENGTH_RE = re.compile(rf"-?{_NUMBER}(?:em|ex|px|in|cm|mm|pt|pc|%)|0")
#: An mpadded dimension (a change of size may be signed; no percentages, no bare numbers).
_PADDING_RE = re.compile(rf"[+-]?{_NUMBER}(?:em|ex|px|in|cm|mm|pt|pc)")
_COLUMN_ALIGN = frozenset({"left", "center", "right"})
_ROW_ALIGN = frozenset({"top", "bottom", "center", "baseline", "axis"})
_LINE_WORDS = frozenset({"none", "solid", "dashed"})
_BOOLEAN_ATTRIBUTES = frozenset(
    {
        *("fence", "separator", "stretchy", "symmetric", "largeop", "movablelimits"),
        *("accent", "accentunder", "displaystyle"),
    }
)
#: The values an attribute that is a size may take, by element (MathML 2 and 3 differ;
#: these are the forms both schemas accept on that element).
_SPACE_ATTRIBUTES = frozenset({("mo", "lspace"), ("mo", "rspace"), ("mspace", "width")})
_SIZE_ATTRIBUTES = frozenset(
    {"lspace", "rspace", "maxsize", "minsize", "width", "height", "depth", "mathsize"}
    | {"linethickness"}
)
_MAX_WORDS = 100
_MAX_IMAGE_SIDE = 4000
_MAX_SPAN = 1000
_MAX_PASSES = 4
#: Deepest nesting of kept elements; deeper elements are unwrapped (XML parsers refuse
#: very deep documents, and no real item needs more).
MAX_DEPTH = 40
#: Deepest nesting the parser accepts in the input (its stack of open elements, which
#: holds the implied ``html``/``tbody``/``tr`` too); deeper input is refused.
MAX_INPUT_DEPTH = 100
#: Most formatting elements the parser may keep pending at once (its list of active
#: formatting elements: open ones, and ones closed implicitly that it re-opens at the
#: next text). Real content keeps a handful; HTML itself drops a fourth identical one.
MAX_FORMATTING = 24
#: Most formatting elements the parser may re-open in one input (an element closed
#: implicitly, ``<p><b>bold</p><p>still bold``, is opened again at the next text).
MAX_REOPENED = 1000

# Characters XML 1.0 does not allow anywhere (C0 controls except tab/LF/CR, lone
# surrogates, U+FFFE/U+FFFF). They are removed from text and attribute values.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WS_RE = re.compile(r"\s+")
# Text the parser and the filter leave exactly as it is: no markup or character
# references, no carriage returns (the parser turns them into line feeds) and nothing
# XML forbids. Such text skips the parser (most option texts and many stems are like
# this); tests/test_sanitize.py checks the shortcut against the full path.
_PLAIN_TEXT_RE = re.compile("[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]*")

_HTML_NS = "http://www.w3.org/1999/xhtml"

_local = threading.local()
_EtreeTreeBuilder = getTreeBuilder("etree")


# -- parsing -----------------------------------------------------------------------


class MarkupTooComplex(ValueError):
    """Markup nests too deep to be parsed in linear time (see the module docstring).

    :ivar limit: the limit exceeded; :ivar what: ``"depth"`` (:data:`MAX_INPUT_DEPTH`),
        ``"formatting"`` (:data:`MAX_FORMATTING`) or ``"reopened"`` (:data:`MAX_REOPENED`).
    """

    def __init__(self, what: str, limit: int) -> None:
        self.what = what
        self.limit = limit
        if what == "depth":
            message = f"the markup nests elements more than {limit} deep"
        elif what == "formatting":
            message = f"the markup leaves more than {limit} formatting elements open"
        else:
            message = (
                "the markup leaves formatting elements open that would be re-opened more "
                f"than {limit} times"
            )
        super().__init__(message)


class _GuardedTreeBuilder(_EtreeTreeBuilder):  # type: ignore[misc,valid-type]
    """html5lib's etree tree builder, refusing input whose parse would not stay linear.

    Every element the parser creates passes through :meth:`insertElementNormal` or
    :meth:`insertElementTable`, so checking there bounds the stack of open elements and
    the list of active formatting elements (which grows right after an insertion; it is
    checked at the next one). Re-opening formatting elements at every piece of text
    is what lets a short input make a large tree, so the elements re-opened in one
    parse are counted too (:data:`MAX_REOPENED`).
    """

    def reset(self) -> None:
        super().reset()
        self.reopened = 0

    def _check(self) -> None:
        if len(self.openElements) > MAX_INPUT_DEPTH:
            raise MarkupTooComplex("depth", MAX_INPUT_DEPTH)
        if len(self.activeFormattingElements) > MAX_FORMATTING:
            raise MarkupTooComplex("formatting", MAX_FORMATTING)

    def insertElementNormal(self, token: Token) -> Any:
        element = super().insertElementNormal(token)
        self._check()
        return element

    def insertElementTable(self, token: Token) -> Any:
        element = super().insertElementTable(token)
        self._check()
        return element

    def reconstructActiveFormattingElements(self) -> None:
        before = len(self.openElements)
        super().reconstructActiveFormattingElements()
        self.reopened += len(self.openElements) - before
        if self.reopened > MAX_REOPENED:
            raise MarkupTooComplex("reopened", MAX_REOPENED)


def _parser() -> Any:
    """One parser per thread: html5lib parsers keep state while parsing."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = html5lib_shim.BleachHTMLParser(
            tree=_GuardedTreeBuilder,
            tags=None,  # no bleach pre-filtering: a plain, spec-following parse
            strip=False,
            consume_entities=True,  # decode character references while parsing
            namespaceHTMLElements=False,
        )
        _local.parser = parser
    return parser


_WALKER = html5lib_shim.getTreeWalker("etree")


def _parse(html: str) -> Iterator[Token]:
    """Tokens of ``html`` parsed as the content of a ``<div>``, as a browser would."""
    if not isinstance(html, str):
        raise TypeError(f"expected str, got {type(html).__name__}")
    dom = _parser().parseFragment(html)
    return iter(_WALKER(dom))


# -- attribute rules ------------------------------------------------------------------


def _clean_value(value: str) -> str:
    return _XML_ILLEGAL_RE.sub("", value)


def _valid_attribute(name: str, value: str) -> str | None:
    """The value to keep for attribute ``name``, or ``None`` to drop the attribute."""
    if name == "lang":
        return value if _LANG_RE.fullmatch(value) else None
    if name in ("width", "height"):
        if _POSITIVE_INT_RE.fullmatch(value) and int(value) <= _MAX_IMAGE_SIDE:
            return value
        return None
    if name in ("colspan", "rowspan"):
        if _POSITIVE_INT_RE.fullmatch(value) and int(value) <= _MAX_SPAN:
            return value
        return None
    if name == "scope":
        lowered = value.lower()
        return lowered if lowered in _SCOPES else None
    if name == "alt":
        return _clean_value(value)
    if name == "src":
        return value if MEDIA_SRC_RE.fullmatch(value) else None
    return None  # pragma: no cover - every allowed name is handled above


def _length(value: str) -> bool:
    return bool(_LENGTH_RE.fullmatch(value))


def _size(tag: str, name: str, value: str) -> str | None:
    """A size attribute's value if both MathML schemas accept it there, else ``None``."""
    if tag == "mpadded":
        return value if _PADDING_RE.fullmatch(value) else None
    if _length(value):
        return value
    spacing = (tag, name) in _SPACE_ATTRIBUTES or name == "maxsize"
    if (spacing and value in _NAMED_SPACES) or (name == "maxsize" and value == "infinity"):
        return value
    if name == "linethickness" and value in ("thin", "medium", "thick"):
        return value
    return None


def _words(value: str, check: Any) -> str | None:
    """A space-separated list whose every word passes ``check``, normalised."""
    words = value.split()
    if not words or len(words) > _MAX_WORDS or not all(check(word) for word in words):
        return None
    return " ".join(words)


def _valid_math_attribute(tag: str, name: str, value: str) -> str | None:
    """The value to keep for attribute ``name`` of MathML element ``tag``, or ``None``."""
    text = value.strip()
    lowered = text.lower()
    if name in _BOOLEAN_ATTRIBUTES:
        return lowered if lowered in ("true", "false") else None
    if name in _SIZE_ATTRIBUTES:
        return _size(tag, name, lowered)
    if name == "display":
        return lowered if lowered in ("block", "inline") else None
    if name == "mathvariant":
        return lowered if lowered in _MATHVARIANTS else None
    if name == "form":
        return lowered if lowered in ("prefix", "infix", "postfix") else None
    if name == "scriptlevel":
        return text if re.fullmatch(r"[+-]?[0-9]", text) else None
    if name in ("columnalign", "rowalign"):
        words = _COLUMN_ALIGN if name == "columnalign" else _ROW_ALIGN
        return _words(lowered, words.__contains__)
    if name in ("columnlines", "rowlines"):
        return _words(lowered, _LINE_WORDS.__contains__)
    if name in ("columnspacing", "rowspacing"):
        return _words(lowered, _length)
    if name in ("rowspan", "columnspan"):
        if _POSITIVE_INT_RE.fullmatch(text) and int(text) <= _MAX_SPAN:
            return text
        return None
    if name == "encoding":
        return TEX_ENCODING if lowered == TEX_ENCODING else None
    if name in ("alttext", "lquote", "rquote"):
        return _clean_value(value)
    return None  # pragma: no cover - every allowed name is handled above


def _allowed_attributes(
    tag: str, data: dict[tuple[str | None, str], str], *, math: bool = False
) -> dict[str, str]:
    """Allowed, valid attributes of an allowed element, in canonical order."""
    allowed = (MATHML_ATTRIBUTES if math else ALLOWED_ATTRIBUTES).get(tag)
    if not allowed or not data:  # (most elements: none to keep)
        return {}
    plain = {name: value for (namespace, name), value in data.items() if namespace is None}
    result: dict[str, str] = {}
    for name in allowed:
        if name in plain:
            if math:
                value = _valid_math_attribute(tag, name, plain[name])
            else:
                value = _valid_attribute(name, plain[name])
            if value is not None:
                result[name] = value
    return result


# -- the filter ------------------------------------------------------------------------


def _filter(tokens: Iterable[Token]) -> Iterator[Token]:
    """Reduce a tree-walker token stream to the allowed subset, formulas given the
    structure MathML requires (:func:`_shape_formulas`)."""
    return _shape_formulas(_filter_elements(tokens))


def _filter_elements(tokens: Iterable[Token]) -> Iterator[Token]:
    """Reduce a tree-walker token stream to the allowed elements and attributes.

    Yields simplified tokens: ``StartTag``/``EmptyTag`` with ``attrs`` (a plain
    ``{name: value}`` dict, already validated), ``EndTag`` and ``Characters``.
    """
    skip_depth = 0  # > 0 while inside an element dropped with its content
    open_tags: list[str | None] = []  # per open start tag: its name if emitted, else None
    depth = 0  # how many emitted elements are open
    math_level = 0  # how many of the open start tags are inside an emitted <math> (or it)
    at_break = True  # the last output ends a line (or nothing has been output)
    pending_break = False  # an unwrapped block element separated words here

    def unwrap_block() -> None:
        nonlocal pending_break
        if not at_break:
            pending_break = True

    for token in tokens:
        kind = token["type"]
        if skip_depth:
            if kind == "StartTag":
                skip_depth += 1
            elif kind == "EndTag":
                skip_depth -= 1
            continue

        if kind == "Characters" or kind == "SpaceCharacters":
            data = _clean_value(token["data"])
            if data:
                if pending_break and not at_break and not data[0].isspace():
                    data = "\n" + data
                pending_break = at_break = False
                yield {"type": "Characters", "data": data}
            continue

        if kind not in ("StartTag", "EmptyTag", "EndTag"):
            # Comment, Doctype, SerializeError, anything unexpected.
            continue

        name = str(token["name"]).lower()
        namespace = token.get("namespace")
        foreign = namespace not in (None, _HTML_NS)

        if kind == "EndTag":
            emitted = open_tags.pop() if open_tags else None
            if math_level:
                math_level -= 1
            if emitted is not None:
                depth -= 1
                if emitted in _BLOCK_ALLOWED:
                    at_break, pending_break = True, False
                yield {"type": "EndTag", "name": emitted}
            elif name in _BLOCK_STRIPPED:
                unwrap_block()
            continue

        if math_level or (name == "math" and namespace == MATHML_NS):
            action = _math_action(name, namespace, token, math_level, depth)
            if action == "drop":
                if kind == "StartTag":
                    skip_depth = 1
                continue
            if kind == "StartTag":
                math_level += 1
            if action == "unwrap":
                if kind == "StartTag":
                    open_tags.append(None)
                continue
            attrs = _allowed_attributes(name, token.get("data") or {}, math=True)
            if name == "math":
                if pending_break and not at_break:
                    yield {"type": "Characters", "data": "\n"}
                pending_break = at_break = False
            yield {"type": "StartTag", "name": name, "attrs": attrs}
            open_tags.append(name)
            depth += 1
            continue

        if name in DROP_WITH_CONTENT or foreign:
            if kind == "StartTag":
                skip_depth = 1
            continue

        if name not in ALLOWED_TAGS or (depth >= MAX_DEPTH and name not in _VOID):
            if kind == "StartTag":
                open_tags.append(None)
            if name in _BLOCK_STRIPPED:
                unwrap_block()
            continue

        raw_attrs = token.get("data") or {}
        attrs = _allowed_attributes(name, raw_attrs)

        if name == "img" and "src" not in attrs:
            # Not a bank image: remove the element, not just the attribute.
            if kind == "StartTag":  # pragma: no cover - the walker yields EmptyTag
                open_tags.append(None)
            continue

        if name == "span" and not attrs:
            # A bare span carries nothing (typically the remains of a style).
            if kind == "StartTag":
                open_tags.append(None)
            continue

        if name in _BLOCK_ALLOWED:
            at_break, pending_break = True, False
        elif pending_break and not at_break:
            # Inline content right after an unwrapped block element.
            yield {"type": "Characters", "data": "\n"}
            pending_break = False
            at_break = False
        else:
            at_break = False

        if name in _VOID:
            yield {"type": "EmptyTag", "name": name, "attrs": attrs}
            if kind == "StartTag":  # pragma: no cover - the walker yields EmptyTag
                open_tags.append(None)
        else:
            yield {"type": "StartTag", "name": name, "attrs": attrs}
            open_tags.append(name)
            depth += 1


def _math_action(
    name: str, namespace: str | None, token: Token, math_level: int, depth: int
) -> str:
    """What becomes of an element inside a formula (or of a ``<math>``):
    ``"keep"``, ``"unwrap"`` (its content stays) or ``"drop"`` (with its content)."""
    if namespace != MATHML_NS:
        # HTML inside a token element or an annotation: its text only.
        return "drop" if name in DROP_WITH_CONTENT or namespace is not None else "unwrap"
    if name in MATHML_DROP_WITH_CONTENT or name in DROP_WITH_CONTENT:
        return "drop"
    if name == "math" and math_level:
        return "drop"  # a formula inside a formula
    if depth >= MAX_DEPTH:
        return "drop"
    if name == "annotation":
        encoding = (token.get("data") or {}).get((None, "encoding"), "")
        return "keep" if encoding.strip().lower() == TEX_ENCODING else "drop"
    return "keep" if name in MATHML_TAGS else "unwrap"


# -- the structure of formulas --------------------------------------------------------------

#: A formula as a tree: (element name, attributes, children), a child a node or a text.
_MathNode = tuple[str, dict[str, str], list[Any]]

#: Elements with a fixed number of arguments (MathML 3, 3.1.3.2).
_MATH_ARITY = {
    **dict.fromkeys(("msup", "msub", "mfrac", "mroot", "mover", "munder"), 2),
    **dict.fromkeys(("msubsup", "munderover"), 3),
}
#: Elements MathML 2 requires content in, with the least content they can have.
_MATH_NOT_EMPTY: dict[str, _MathNode] = {
    "mstyle": ("mrow", {}, []),
    "mtable": ("mtr", {}, [("mtd", {}, [])]),
    "mtr": ("mtd", {}, []),
}
#: Elements whose content is text only.
_MATH_TOKENS = frozenset({"mi", "mn", "mo", "ms", "mtext", "annotation"})


def _shape_formulas(tokens: Iterable[Token]) -> Iterator[Token]:
    """Pass tokens through, giving each formula the structure the MathML 2 and 3 schemas
    require, so every formula exports as valid QTI 2.1 and 3.0:

    * a script, fraction or root has exactly its arguments (missing ones are empty
      ``mrow`` s, extra ones are grouped into the last);
    * text sits only in token elements (stray text becomes ``mtext``; elements inside a
      token element leave their text);
    * a table holds rows of cells, rows and cells stand in a table, and none is empty;
    * ``semantics`` holds one formula then its TeX annotations, and is only the formula
      when it has none; an annotation elsewhere is left out;
    * ``mstyle`` is never empty, ``mspace`` always is.
    """
    stream = iter(tokens)
    for token in stream:
        if token["type"] == "StartTag" and token["name"] == "math":
            node = _read_formula(token, stream)
            yield from _formula_tokens(_shape(node))
        else:
            yield token


def _read_formula(start: Token, stream: Iterator[Token]) -> _MathNode:
    """The tree of a formula whose start tag was just read, up to its end tag."""
    root: _MathNode = (start["name"], start["attrs"], [])
    stack = [root]
    for token in stream:
        kind = token["type"]
        if kind == "StartTag":
            node: _MathNode = (token["name"], token["attrs"], [])
            stack[-1][2].append(node)
            stack.append(node)
        elif kind == "EndTag":
            stack.pop()
            if not stack:
                break
        elif kind == "Characters":
            stack[-1][2].append(token["data"])
    return root


def _node_text(node: _MathNode | str) -> str:
    return node if isinstance(node, str) else "".join(_node_text(kid) for kid in node[2])


def _row(kids: list[Any]) -> _MathNode:
    return ("mrow", {}, kids)


def _shape(node: _MathNode) -> _MathNode:
    name, attrs, kids = node
    if name in _MATH_TOKENS:
        text = "".join(_node_text(kid) for kid in kids)
        return (name, attrs, [text] if text else [])
    if name == "mspace":
        return (name, attrs, [])
    shaped: list[Any] = []
    for kid in kids:
        if isinstance(kid, str):
            if kid.strip():
                shaped.append(("mtext", {}, [kid]))
        else:
            shaped.append(_shape(kid))
    if name == "mtable":
        shaped = [_table_row(kid) for kid in shaped]
    elif name == "mtr":
        shaped = [kid if kid[0] == "mtd" else ("mtd", {}, [kid]) for kid in shaped]
    else:  # rows and cells outside a table get one
        shaped = [
            ("mtable", {}, [_table_row(kid)]) if kid[0] in ("mtr", "mtd") else kid for kid in shaped
        ]
    arity = _MATH_ARITY.get(name)
    if arity is not None:
        if len(shaped) > arity:  # the extra arguments join the last one
            shaped = [*shaped[: arity - 1], _row(shaped[arity - 1 :])]
        shaped += [_row([]) for _ in range(arity - len(shaped))]
    elif name == "semantics":
        notes = [kid for kid in shaped if kid[0] == "annotation"]
        shown = [kid for kid in shaped if kid[0] != "annotation"]
        formula = shown[0] if len(shown) == 1 else _row(shown)
        if not notes:  # nothing to annotate it with (MathML 2 requires an annotation)
            return formula
        shaped = [formula, *notes]
    elif not shaped and name in _MATH_NOT_EMPTY:
        shaped = [_MATH_NOT_EMPTY[name]]
    if name != "semantics":
        # An annotation belongs in semantics only; elsewhere it is not shown anyway.
        shaped = [kid for kid in shaped if kid[0] != "annotation"]
    return (name, attrs, shaped)


def _table_row(node: _MathNode) -> _MathNode:
    """``node`` as a row of a table: a row as it is, a cell in a row, else in a cell."""
    if node[0] == "mtr":
        return node
    return ("mtr", {}, [node if node[0] == "mtd" else ("mtd", {}, [node])])


def _formula_tokens(node: _MathNode) -> Iterator[Token]:
    name, attrs, kids = node
    yield {"type": "StartTag", "name": name, "attrs": attrs}
    for kid in kids:
        if isinstance(kid, str):
            yield {"type": "Characters", "data": kid}
        else:
            yield from _formula_tokens(kid)
    yield {"type": "EndTag", "name": name}


# -- serialization ------------------------------------------------------------------------


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(value: str) -> str:
    return (
        _escape_text(value)
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _serialize(tokens: Iterable[Token], *, xml: bool) -> str:
    """Serialize filtered tokens. HTML form writes ``<br>``; XML form ``<br/>``.

    Only ``&``, ``<``, ``>`` (and ``"`` in attributes) are escaped, as the XML
    predefined entities; every other character is written as itself, so the result is
    valid both as HTML and, in XML form, as an XML fragment.
    """
    out: list[str] = []
    for token in tokens:
        kind = token["type"]
        if kind == "Characters":
            out.append(_escape_text(token["data"]))
        elif kind == "EndTag":
            out.append(f"</{token['name']}>")
        else:
            attrs = "".join(f' {k}="{_escape_attr(v)}"' for k, v in token["attrs"].items())
            if xml and token["name"] == "math":
                attrs = f' xmlns="{MATHML_NS}"' + attrs
            close = "/>" if xml and kind == "EmptyTag" else ">"
            out.append(f"<{token['name']}{attrs}{close}")
    return "".join(out)


def _clean_once(html: str) -> str:
    return _serialize(_filter(_parse(html)), xml=False)


# -- public API ---------------------------------------------------------------------------


def sanitize_html(html: str) -> str:
    """Reduce ``html`` to the allowed subset (see the module docstring).

    Kept elements nest at most :data:`MAX_DEPTH` deep; deeper ones are unwrapped.

    Removing an element can leave markup that a parser restructures when it reads it
    again (a list inside a paragraph once a ``<button>`` between them is unwrapped;
    html5lib's handling of badly broken tables). The result is therefore parsed and
    filtered again until it no longer changes, so what is stored is exactly what any
    later parse produces. Real content converges after one extra pass; if pathological
    input does not converge within a few passes, only its text is kept.
    """
    if not isinstance(html, str):
        raise TypeError(f"expected str, got {type(html).__name__}")
    if _PLAIN_TEXT_RE.fullmatch(html):
        return html
    shortcut = _simple_markup(html)
    if shortcut is not None:
        return shortcut[0]
    return _sanitize_markup(html)


#: The formatting a phrase inside a sentence (a hot text) keeps: emphasis and
#: sub/superscripts. A formula (``<math>``) is kept whole.
INLINE_TAGS: frozenset[str] = frozenset({"strong", "em", "sub", "sup"})


def sanitize_inline_html(html: str) -> str:
    """``html`` sanitized (:func:`sanitize_html`) and reduced to inline formatting:
    :data:`INLINE_TAGS` and formulas are kept, every other element is unwrapped (its text
    stays; a paragraph, line break or other block between words becomes a space; an
    image, which has no text, goes), and whitespace at either end is removed.

    Text without markup comes back as it is (stripped), so plain text stored before is
    unchanged. The result is stable: sanitizing it again, inline or not, changes nothing.
    Raises :class:`MarkupTooComplex` as :func:`sanitize_html` does.
    """
    clean = sanitize_html(html)
    if _PLAIN_TEXT_RE.fullmatch(clean):
        return clean.strip()
    kept: list[Token] = []
    math = 0  # how deep inside a kept formula
    apart = False  # a block or line break ended here: a space before what follows

    def keep(token: Token) -> None:
        nonlocal apart
        if apart and kept:
            kept.append({"type": "Characters", "data": " "})
        apart = False
        kept.append(token)

    for token in _filter(_parse(clean)):
        kind, name = token["type"], token.get("name")
        if kind == "Characters":
            keep(token)
        elif name == "math" or math:
            math += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
            keep(token)
        elif name in INLINE_TAGS:
            keep(token)
        elif name in _BLOCK_ALLOWED:
            apart = True
    return sanitize_html(_serialize(kept, xml=False).strip())


def sanitize_and_scan(html: str) -> tuple[str, str, frozenset[str]]:
    """``(sanitize_html(html), html_to_text(of it), media_references(of it))`` at the
    cost of sanitizing alone: the pass that confirms the result is stable also yields
    its text and images."""
    if not isinstance(html, str):
        raise TypeError(f"expected str, got {type(html).__name__}")
    if _PLAIN_TEXT_RE.fullmatch(html):
        return html, _WS_RE.sub(" ", html).strip(), frozenset()
    shortcut = _simple_markup(html)
    if shortcut is not None:
        clean, tokens = shortcut
        return clean, _tokens_to_text(tokens), frozenset(_tokens_media(tokens))
    current = _clean_once(html)
    for _ in range(_MAX_PASSES):
        tokens = list(_filter(_parse(current)))
        again = _serialize(tokens, xml=False)
        if again == current:
            return current, _tokens_to_text(tokens), frozenset(_tokens_media(tokens))
        current = again
    clean = _text_fallback(current)
    return clean, html_to_text(clean), frozenset(media_references(clean))


def _sanitize_markup(html: str) -> str:
    """:func:`sanitize_html` the long way, through the parser (for any input)."""
    current = _clean_once(html)
    if current == html:  # already stable: cleaning it again gives this same result
        return current
    for _ in range(_MAX_PASSES):
        again = _clean_once(current)
        if again == current:
            return current
        current = again
    return _text_fallback(current)


def _text_fallback(html: str) -> str:
    """Escaped plain text with line breaks: the last resort for unstable markup."""
    return "<br>".join(_escape_text(line) for line in html_to_text(html).split("\n"))


def html_to_xhtml(html: str) -> str:
    """Sanitize ``html`` and serialize it as a well-formed XML fragment.

    Void elements are self-closed (``<br/>``, ``<img .../>``); the only entity
    references are ``&amp;``, ``&lt;``, ``&gt;`` and ``&quot;``; ``&nbsp;`` and other
    named references in the input come out as the characters they stand for. Elements
    carry no namespace: the QTI writer places the fragment where the content model
    expects it. Sanitizing first means the result is well-formed for any input.
    """
    if not html:
        return ""
    if not isinstance(html, str):
        raise TypeError(f"expected str, got {type(html).__name__}")
    shortcut = _simple_markup(html)
    if shortcut is not None:  # (the filter's tokens of the clean form: see _simple_markup)
        return _serialize(shortcut[1], xml=True)
    return _markup_to_xhtml(html)


def _markup_to_xhtml(html: str) -> str:
    """:func:`html_to_xhtml` through the parser (for any input)."""
    if _PLAIN_TEXT_RE.fullmatch(html):
        return _serialize(_filter(_parse(html)), xml=True)
    # sanitize_html's passes; the pass that confirms the result is stable has parsed it,
    # so its tokens are serialized as XML rather than parsing the result once more.
    current = _clean_once(html)
    for _ in range(_MAX_PASSES):
        tokens = list(_filter(_parse(current)))
        again = _serialize(tokens, xml=False)
        if again == current:
            return _serialize(tokens, xml=True)
        current = again
    return _serialize(_filter(_parse(_text_fallback(current))), xml=True)


def html_to_text(html: str) -> str:
    """Plain text of ``html`` for search and diffs.

    Paragraphs, list items, table rows, captions and ``<br>`` end lines; table cells
    are separated by a space; character references are decoded; runs of whitespace
    (including no-break spaces) collapse to one space; empty lines are dropped.
    Content of removed elements (scripts, styles, ...) does not appear.
    """
    if not html:
        return ""
    if _PLAIN_TEXT_RE.fullmatch(html):
        return _WS_RE.sub(" ", html).strip()
    simple = _simple_tokens(html)
    if simple is not None:
        return _tokens_to_text(_filter(simple))
    return _markup_to_text(html)


def _markup_to_text(html: str) -> str:
    """:func:`html_to_text` through the parser (for any input)."""
    return _tokens_to_text(_filter(_parse(html)))


def _tokens_to_text(tokens: Iterable[Token]) -> str:
    lines: list[str] = []
    parts: list[str] = []  # the line being read (an empty one is left out)
    stream = iter(tokens)
    for token in stream:
        kind = token["type"]
        if kind == "Characters":
            parts.append(token["data"])
            continue
        name = token["name"]
        if kind == "StartTag" and name == "math":
            parts.append(math_to_text(_read_formula(token, stream)))
        elif name in _BLOCK_ALLOWED:
            if parts:
                lines.append("".join(parts))
                parts = []
        elif name in ("td", "th"):
            parts.append(" ")
    if parts:
        lines.append("".join(parts))
    result = []
    for text in lines:
        line = _WS_RE.sub(" ", text).strip()
        if line:
            result.append(line)
    return "\n".join(result)


# -- formulas as text --------------------------------------------------------------------

_INVISIBLE_OPERATORS = str.maketrans("", "", "\u2061\u2062\u2063\u2064")
_ATOM_RE = re.compile(r"[√∛∜]?(?:[\w.,\u2032]+|\(.*\)|\[.*\]|\|.*\||\S)")


def math_to_text(node: _MathNode | str) -> str:
    """A formula as one readable line of text, for lists, search and diffs.

    Fractions become ``a/b``, powers ``a^b``, indices ``a_b``, roots ``√a`` (``∛a``, ``∜a``,
    else ``a^(1/n)``), tables ``[a, b; c, d]``; an operand of more than one symbol is put
    in parentheses, so ``\\frac{2^5+3^4}{\\sqrt{9}}`` reads ``(2^5+3^4)/√9``. The TeX
    annotation and invisible content (``mphantom``) are left out.
    """
    if isinstance(node, str):
        return node.translate(_INVISIBLE_OPERATORS)
    name, attrs, kids = node
    parts = [math_to_text(kid) for kid in kids]

    def arg(index: int) -> str:
        return _math_group(parts[index]) if index < len(parts) else ""

    if name in ("mi", "mn", "mo", "mtext"):
        # MathML trims spaces around a token's text, but not U+00A0 (TeX's "\text{jika }").
        return _WS_RE.sub(" ", "".join(parts).strip(" \t\n\r"))
    if name == "ms":
        return attrs.get("lquote", '"') + "".join(parts) + attrs.get("rquote", '"')
    if name == "mspace":
        return " "
    if name in ("mphantom", "annotation"):
        return ""
    if name == "semantics":
        return parts[0] if parts else ""
    if name == "mfrac":
        return f"{arg(0)}/{arg(1)}"
    if name == "msqrt":
        return "√" + _math_group("".join(parts))
    if name == "mroot":
        index = parts[1].strip() if len(parts) > 1 else ""
        if index in ("3", "4"):
            return ("∛" if index == "3" else "∜") + arg(0)
        return f"{arg(0)}^(1/{index})"
    if name in ("msup", "mover"):
        return f"{arg(0)}^{arg(1)}"
    if name in ("msub", "munder"):
        return f"{arg(0)}_{arg(1)}"
    if name in ("msubsup", "munderover"):
        return f"{arg(0)}_{arg(1)}^{arg(2)}"
    if name == "mtable":
        return "[" + "; ".join(part.strip() for part in parts if part.strip()) + "]"
    if name == "mtr":
        return ", ".join(part.strip() for part in parts)
    text = ""
    after_script = False
    for kid, part in zip(kids, parts, strict=True):
        if after_script and part[:1].isalnum():
            text += " "  # x^2 y, not x^2y
        text += part
        after_script = not isinstance(kid, str) and kid[0] in _SCRIPTED
    return text


#: Elements whose text ends in an argument (a following letter would read as part of it).
_SCRIPTED = frozenset(
    {"msup", "msub", "msubsup", "mover", "munder", "munderover", "mfrac", "mroot", "msqrt"}
)


def _math_group(text: str) -> str:
    """``text`` as one operand: as it is when it is one symbol, number or bracketed
    group, else in parentheses."""
    text = text.strip()
    if not text or (_ATOM_RE.fullmatch(text) and _balanced(text.lstrip("√∛∜"))):
        return text
    return f"({text})"


def _balanced(text: str) -> bool:
    """Whether the brackets at the ends of ``text`` enclose it whole (``(a)(b)`` does not)."""
    if text[0] not in "([|":
        return True
    closing = {"(": ")", "[": "]", "|": "|"}[text[0]]
    level = 0
    for index, char in enumerate(text):
        if char == text[0] and (closing != "|" or index == 0):
            level += 1
        elif char == closing:
            level -= 1
            if level == 0 and index != len(text) - 1:
                return False
    return True


def media_references(html: str) -> set[str]:
    """The SHA-256 hashes of the bank images (``<img src="/media/<sha>">``) in ``html``."""
    if not html or "<" not in html:  # no tag, so no image
        return set()
    simple = _simple_tokens(html)
    if simple is not None:
        return _tokens_media(_filter(simple))
    return _tokens_media(_filter(_parse(html)))


def _tokens_media(tokens: Iterable[Token]) -> set[str]:
    found: set[str] = set()
    for token in tokens:
        if token["type"] == "EmptyTag" and token["name"] == "img":
            match = MEDIA_SRC_RE.fullmatch(token["attrs"]["src"])
            if match:
                found.add(match.group(1))
    return found


# -- the simple-markup shortcut -------------------------------------------------------------
#
# Most markup the sanitizer sees is simple: written by this module (a stored stem, an
# option saved earlier) or by a serializer (the QTI importer's fragments). For such markup
# the HTML parser builds exactly the tree the tags spell, so the parser can be replaced by
# one scan that yields the tokens the tree walker would yield; the real filter and
# serializer then run on them as on the full path. When the result is simple markup that
# comes back unchanged through the same scan, filter and serializer, it is stable, and it
# is exactly what :func:`sanitize_html` returns. Anything else takes the full path.
#
# Simple markup: text with ``&``, ``<`` and ``>`` written as ``&amp;``, ``&lt;`` and
# ``&gt;`` and nothing XML forbids (no carriage return either); the elements of
# :data:`_SIMPLE_TAGS`, in lower case, each closed in order (``br`` and ``img`` never
# closed, nothing written ``<x/>``); attributes in lower case, each once, with a double-
# quoted value in which ``&`` and ``"`` are written ``&amp;`` and ``&quot;`` and which has
# no ``<``, ``>``, tab or line break. Where HTML's tree construction would otherwise
# move or close something, the structure is limited too: table parts only where they
# belong (``caption``/``thead``/``tbody``/``tfoot`` in ``table``, ``tr`` in a row group,
# ``td``/``th`` in ``tr``) and nothing but spaces, tabs and line feeds as text directly in
# ``table``, row groups or rows (other text would be moved out of the table); ``li`` in
# ``ul``/``ol`` or in no other ``li`` (which it would close); no ``p``, ``div``, list or
# table inside a ``p`` (the parser would close the paragraph) and no table inside a
# caption; at most 3 of the same formatting element open at once, and nesting at most
# :data:`_SIMPLE_DEPTH` deep, far inside every limit of the parser.
# tests/test_sanitize.py checks the shortcut against the full path on generated markup.

_SIMPLE_TAGS = frozenset(
    {
        *("p", "br", "strong", "em", "sub", "sup", "ul", "ol", "li", "img", "span", "div"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
    }
)
_SIMPLE_DEPTH = 20
_TABLE_PARTS: dict[str, frozenset[str]] = {  # element -> the children it may have
    "table": frozenset({"caption", "thead", "tbody", "tfoot"}),
    "thead": frozenset({"tr"}),
    "tbody": frozenset({"tr"}),
    "tfoot": frozenset({"tr"}),
    "tr": frozenset({"td", "th"}),
}
_PARENTS: dict[str, frozenset[str]] = {  # element -> the parents it may have
    "caption": frozenset({"table"}),
    "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}),
    "tfoot": frozenset({"table"}),
    "tr": frozenset({"thead", "tbody", "tfoot"}),
    "td": frozenset({"tr"}),
    "th": frozenset({"tr"}),
}
_CLOSES_P = frozenset({"p", "div", "ul", "ol", "li", "table"})
_FORMATTING = frozenset({"strong", "em"})
#: (the last group: a ``<``, ``>`` or ``&`` that starts nothing simple; with it every
#: character is in some match, so the matches of ``findall`` cover the text end to end)
_SIMPLE_TOKEN_RE = re.compile(
    r'([^<>&]+)|&(amp|lt|gt);|<([a-z]+)((?: [a-z]+="[^"<>\t\n\r]*")*)>|</([a-z]+)>|([<>&])'
)
_SIMPLE_ATTR_RE = re.compile(r' ([a-z]+)="([^"]*)"')
_SIMPLE_VALUE_RE = re.compile(r"(?:[^&]|&(?:amp|quot|lt|gt);)*")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"'}
_ENTITY_RE = re.compile(r"&(amp|lt|gt|quot);")
_NOT_SIMPLE_RE = re.compile("[\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _simple_attrs(text: str) -> dict[tuple[str | None, str], str] | None:
    attrs: dict[tuple[str | None, str], str] = {}
    for name, raw in _SIMPLE_ATTR_RE.findall(text):
        if (None, name) in attrs or not _SIMPLE_VALUE_RE.fullmatch(raw):
            return None
        attrs[(None, name)] = _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], raw)
    return attrs


def _simple_tokens(html: str) -> list[Token] | None:
    """The tree walker's tokens for ``html`` if it is simple markup (see above), else
    None."""
    if _NOT_SIMPLE_RE.search(html):
        return None
    tokens: list[Token] = []
    texts: list[str] = []  # the run of text and character references being read
    stack: list[str] = []
    parent: str | None = None  # the innermost open element
    inside_p = inside_caption = 0
    # (each match's groups are "" where they take no part: every group that does is
    # non-empty, but for a start tag's attributes)
    for text, entity, start, attr_text, closing, _ in _SIMPLE_TOKEN_RE.findall(html):
        if text or entity:
            if parent in _TABLE_PARTS and (entity or text.strip(" \t\n")):
                return None
            texts.append(text or _ENTITIES[entity])
            continue
        if texts:  # each run of text and character references as one string
            tokens.append({"type": "Characters", "data": "".join(texts)})
            texts = []
        if start:
            if start not in _SIMPLE_TAGS or len(stack) >= _SIMPLE_DEPTH:
                return None
            if parent in _TABLE_PARTS and start not in _TABLE_PARTS[parent]:
                return None
            if start in _PARENTS and parent not in _PARENTS[start]:
                return None
            if start == "li" and parent not in ("ul", "ol") and "li" in stack:
                return None
            if (inside_p and start in _CLOSES_P) or (inside_caption and start == "table"):
                return None
            if start in _FORMATTING and stack.count(start) >= 3:
                return None
            attrs = _simple_attrs(attr_text) if attr_text else {}
            if attrs is None:
                return None
            if start in _VOID:
                tokens.append({"type": "EmptyTag", "name": start, "namespace": None, "data": attrs})
                continue
            tokens.append({"type": "StartTag", "name": start, "namespace": None, "data": attrs})
            stack.append(start)
            parent = start
            inside_p += start == "p"
            inside_caption += start == "caption"
        elif closing:
            if parent != closing:
                return None
            stack.pop()
            parent = stack[-1] if stack else None
            inside_p -= closing == "p"
            inside_caption -= closing == "caption"
            tokens.append({"type": "EndTag", "name": closing, "namespace": None})
        else:  # a "<", ">" or "&" that starts nothing simple
            return None
    if stack:
        return None
    if texts:
        tokens.append({"type": "Characters", "data": "".join(texts)})
    return tokens


def _simple_markup(html: str) -> tuple[str, list[Token]] | None:
    """``sanitize_html(html)`` and the filter's tokens of it, when ``html`` and its clean
    form are simple markup (see above); else None."""
    tokens = _simple_tokens(html)
    if tokens is None:
        return None
    if _kept_as_it_is(tokens):
        return html, tokens
    # (simple markup holds no formula, so the filter's second stage, which shapes
    # formulas, would pass every token through as it is)
    filtered = list(_filter_elements(tokens))
    clean = _serialize(filtered, xml=False)
    if clean != html:  # is the clean form stable?
        again = _simple_tokens(clean)
        if again is None:
            return None
        filtered = list(_filter_elements(again))
        if _serialize(filtered, xml=False) != clean:
            return None
    return clean, filtered


def _kept_as_it_is(tokens: list[Token]) -> bool:
    """Whether the filter keeps every one of these simple-markup tokens as it is, so that
    the markup they were read from is its own clean form (then each start tag is given
    its ``attrs``, as the filter's tokens have them).

    It does when every element is allowed and keeps all its attributes, unchanged and in
    their serialized order, and no ``span`` is bare and no ``img`` lacks its ``src``: the
    filter then unwraps nothing, so it puts no line break anywhere (that needs an
    unwrapped block); simple markup's text has nothing the filter removes, and simple
    markup nests less than :data:`MAX_DEPTH` deep and holds no formula. The serializer
    then writes the markup back exactly: simple markup escapes text and attribute values
    exactly as it does, and writes attributes as it does (one space, double quotes)."""
    for token in tokens:
        kind = token["type"]
        if kind == "Characters" or kind == "EndTag":
            continue
        name, data = token["name"], token["data"]
        if name not in ALLOWED_TAGS:
            return False
        attrs: dict[str, str] = {}
        if data or name == "span" or name == "img":
            attrs = _allowed_attributes(name, data)
            if list(attrs.items()) != [(key, value) for (_, key), value in data.items()]:
                return False
            if (name == "span" and not attrs) or (name == "img" and "src" not in attrs):
                return False
        token["attrs"] = attrs
    return True
