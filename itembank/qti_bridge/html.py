"""QTI XHTML fragments to the bank's rich text (pure: no Flask, no database).

The inverse of :func:`itembank.sanitize.html_to_xhtml`. A fragment read from a QTI item
(:mod:`qti.reader`: no namespace, ``lang`` attributes) is parsed with the hardened
parser, given the names the bank's subset uses for the same meaning (``b`` -> ``strong``,
``i`` -> ``em``, headings -> paragraphs), its image objects made images (below), its
images pointed at the bank's media by ``image_src``, and then sanitized, so what comes out
is exactly what an item writer could have saved.

An ``object`` (an image object: :mod:`qti.reader` refuses the others) is chosen as a
browser chooses: when ``shows_object`` says the bank can show its image, it becomes an
``img`` of its ``data`` (its ``width`` and ``height``), its fallback content's text the
``alt`` (whitespace collapsed, at most :data:`MAX_ALT` characters); otherwise its fallback
content takes its place, the objects in it chosen the same way. An object the bank cannot
show whose fallback shows no image (only text) raises :class:`ObjectNotShown`: the image
would be lost.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from itembank.sanitize import MATHML_NS, sanitize_and_scan, sanitize_html
from qti.xml import parse_bytes

_RENAMES = {
    "b": "strong",
    "i": "em",
    **{f"h{level}": "p" for level in range(1, 7)},
}


#: The longest ``alt`` text an object's fallback content gives its image (characters).
MAX_ALT = 500

#: Says whether the bank shows an object's image, from its declared type (``""``: none)
#: and its ``data`` as written; it may raise (the caller's own exception) for an object
#: that cannot be brought in at all (its file missing).
ShowsObject = Callable[[str, str], bool]


class ObjectNotShown(ValueError):
    """An object whose image the bank cannot show, with no image in its fallback content.

    :ivar media_type: its declared type (``""``: none); :ivar data: its ``data``.
    """

    def __init__(self, media_type: str, data: str) -> None:
        super().__init__(f"the object {data!r} shows no image the bank can show")
        self.media_type, self.data = media_type, data


#: Clean HTML -> its plain text and the images it shows, as
#: :func:`itembank.sanitize.sanitize_and_scan` gives them for the HTML it came from.
Scans = dict[str, tuple[str, frozenset[str]]]


def xhtml_to_html(
    fragment: str,
    image_src: Callable[[str], str],
    shows_object: ShowsObject | None = None,
    scans: Scans | None = None,
) -> str:
    """Sanitized bank HTML for an XHTML ``fragment``.

    :param image_src: maps each ``img src`` as written to the bank's ``/media/<sha256>``;
        it raises (the caller's own exception) for an image that cannot be brought in.
    :param shows_object: which objects become images (see the module documentation;
        ``None``: none does).
    :param scans: when given, the result's plain text and images are added to it (from
        the sanitizer's own pass, at no extra cost).
    :raises ObjectNotShown: see the module documentation.
    """
    if not fragment.strip():
        return ""
    holder = parse_bytes(f"<div>{fragment}</div>".encode())
    if next(holder.iter("object"), None) is not None:
        _choose_objects(holder, shows_object)
    # One walk: each element's layout whitespace goes (its text and its children's
    # tails, which nothing before it in the walk touches), then it gets its name.
    for element in holder.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in _LAYOUT:  # (the holder is a div, a container)
            _drop_layout_whitespace(element, tag)
        if tag.startswith(_MATHML):
            _plain_mathml(element)
            continue
        renamed = _RENAMES.get(tag)
        if renamed is not None:
            element.tag = tag = renamed
        if tag == "img":
            element.set("src", image_src(element.get("src", "")))
    _unwrap_lone_div(holder)
    etree.cleanup_namespaces(holder)
    parts = [_escape(holder.text or "")]
    parts += (etree.tostring(child, method="html", encoding="unicode") for child in holder)
    html = "".join(parts).strip()
    if scans is None:
        return sanitize_html(html)
    clean, text, media = sanitize_and_scan(html)
    scans[clean] = (text, media)
    return clean


class HtmlCache:
    """:func:`xhtml_to_html` remembered for the fragments of one import that show no
    image (the same option texts, scales and prompts recur from item to item): such a
    fragment's HTML depends on the fragment alone. A fragment with an image is converted
    every time (its images are resolved against its own item), and a fragment that
    cannot be converted raises every time. Bounded: fragments of at most ``max_length``
    characters, at most ``max_chars`` characters (fragments and their HTML) in all.

    :ivar scans: every HTML it gave, with its plain text and images (:data:`Scans`), so
        that the import does not sanitize it again to learn them."""

    def __init__(self, *, max_length: int = 4_096, max_chars: int = 4_000_000) -> None:
        self._known: dict[str, str] = {}
        self.scans: Scans = {}
        self._max_length = max_length
        self._room = max_chars

    def convert(
        self,
        fragment: str,
        image_src: Callable[[str], str],
        shows_object: ShowsObject | None = None,
    ) -> str:
        known = self._known.get(fragment)
        if known is not None:
            return known
        images = 0

        def counted(src: str) -> str:
            nonlocal images
            images += 1
            return image_src(src)

        # (a shown object: an image)
        html = xhtml_to_html(fragment, counted, shows_object, self.scans)
        size = len(fragment) + len(html)
        if not images and len(fragment) <= self._max_length and size <= self._room:
            self._known[fragment] = html
            self._room -= size
        return html


def _choose_objects(parent: etree._Element, shows_object: ShowsObject | None) -> None:
    """Replace each object under ``parent`` by its image or its fallback content."""
    for child in list(parent):
        if not isinstance(child.tag, str):
            continue
        if child.tag != "object":
            _choose_objects(child, shows_object)
            continue
        media_type, data = (child.get("type") or "").strip(), child.get("data") or ""
        for param in child.findall("param"):  # the object's settings, not content
            param.clear(keep_tail=True)
            _unwrap(param)
        if shows_object is not None and shows_object(media_type, data):
            image = etree.Element("img", src=data, alt=_alt_text(child))
            for name in ("width", "height"):
                if child.get(name):
                    image.set(name, child.get(name, ""))
            image.tail = child.tail
            parent.replace(child, image)
            continue
        _choose_objects(child, shows_object)
        if not any(element.tag == "img" for element in child.iter()):
            raise ObjectNotShown(media_type, data)
        _unwrap(child)


def _unwrap_lone_div(holder: etree._Element) -> None:
    """Unwrap a ``div`` that holds the whole fragment (the bank's export writes a stem
    so): the sanitizer leaves out a ``div`` and keeps its content, and with nothing
    before or after it, where no word can run into its content, that changes nothing
    else. Done here, the sanitizer's first pass is already stable and it makes no
    second one."""
    while len(holder) == 1 and holder[0].tag == "div" and not holder.text and not holder[0].tail:
        _unwrap(holder[0])


def _alt_text(element: etree._Element) -> str:
    """The text of ``element``'s content, whitespace collapsed, cut at a word boundary
    (with an ellipsis) to at most :data:`MAX_ALT` characters."""
    text = " ".join("".join(element.itertext()).split())
    if len(text) <= MAX_ALT:
        return text
    cut = text[: MAX_ALT - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_ALT // 2 else cut).rstrip() + "\u2026"


def _unwrap(element: etree._Element) -> None:
    """Put ``element``'s content and tail in its place."""
    parent = element.getparent()
    assert parent is not None
    index = parent.index(element)
    moved = list(element)
    text = element.text or ""
    if moved:
        moved[-1].tail = (moved[-1].tail or "") + (element.tail or "")
    else:
        text += element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)
    for offset, child in enumerate(moved):
        parent.insert(index + offset, child)


_MATHML = f"{{{MATHML_NS}}}"
#: MathML elements whose text is content (elsewhere whitespace-only text is layout).
_MATHML_TOKENS = frozenset({"mi", "mn", "mo", "ms", "mtext", "annotation"})


def _plain_mathml(element: etree._Element) -> None:
    """Give a MathML element its plain name (HTML puts ``<math>`` content in the MathML
    namespace by itself) and drop the whitespace that only lays out the source: between
    elements, and around the text of token elements (MathML trims it when rendering)."""
    name = element.tag[len(_MATHML) :]
    element.tag = name
    if name in _MATHML_TOKENS:
        if element.text:
            element.text = element.text.strip(" \t\n\r")  # U+00A0 is content
    elif element.text is not None and not element.text.strip():
        element.text = None
    for child in element:
        if child.tail is not None and not child.tail.strip():
            child.tail = None


#: Elements whose whitespace-only text between children is only layout (indentation of
#: the source document), not content.
_CONTAINERS = frozenset(
    {"div", "ul", "ol", "table", "thead", "tbody", "tfoot", "tr", "blockquote", "section"}
)


#: Blocks whose leading and trailing whitespace-only text renders as nothing.
_BLOCKS = frozenset({"p", "li", "td", "th", "caption", *(f"h{n}" for n in range(1, 7))})


_LAYOUT = _CONTAINERS | _BLOCKS


def _drop_layout_whitespace(element: etree._Element, tag: str) -> None:
    """Remove whitespace that only lays out the source document in ``element`` (named
    ``tag``): between the children of containers, and at the start and end of blocks
    (where pretty-printing puts it)."""
    if tag in _BLOCKS and len(element):
        if element.text is not None and not element.text.strip():
            element.text = None
        last = element[-1]
        if last.tail is not None and not last.tail.strip():
            last.tail = None
    if tag not in _CONTAINERS:
        return
    if element.text is not None and not element.text.strip():
        element.text = None
    for child in element:
        if child.tail is not None and not child.tail.strip():
            child.tail = None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
