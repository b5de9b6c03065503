"""What the text-based item types (inline choice, ...) share: the checks of the gap
markers in their text and of plain-text options, and reading their text from QTI."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from lxml import etree

from itembank.itemtypes import ImportNotSupported, Problem
from itembank.sanitize import INLINE_TAGS, html_to_text
from plugins.itemtypes._common import Noun
from plugins.itemtypes.qti_writers._markers import marker, markers_from_slots, markers_in
from qti.model import AssessmentItem, Choice, Html, InlineBlock, text_span

#: Most gaps (or other numbered places) in one text.
MAX_GAPS = 20
_MARKUP = re.compile(r"<[A-Za-z/!?]")
#: Longest plain-text option, in characters.
MAX_OPTION_CHARS = 200
#: The elements an inline option may hold in QTI: the bank's inline formatting and the
#: HTML names the import reads as it.
_INLINE_SOURCE = INLINE_TAGS | {"b", "i"}


def check_markers(text: str, codes: list[str], path: str, noun: Noun) -> Iterator[Problem]:
    """Each code marked exactly once in ``text`` and no marker naming another code."""
    found = markers_in(text)
    for code in codes:
        count = found.count(code)
        if count == 0:
            yield Problem(
                path,
                f"{noun.id.capitalize()} '{code}' tidak ditandai di teks; tulis {marker(code)} "
                "di tempatnya.",
                f"{noun.en.capitalize()} '{code}' is not marked in the text; write "
                f"{marker(code)} where it goes.",
            )
        elif count > 1:
            yield Problem(
                path,
                f"{noun.id.capitalize()} '{code}' ditandai {count} kali di teks; tandai sekali "
                "saja.",
                f"{noun.en.capitalize()} '{code}' is marked {count} times in the text; mark it "
                "once.",
            )
    for code in dict.fromkeys(found):
        if code not in codes:
            yield Problem(
                path,
                f"Tanda {marker(code)} di teks tidak merujuk {noun.id} mana pun.",
                f"The marker {marker(code)} in the text names no {noun.en}.",
            )


def check_plain_option(text: str, path: str, seen: set[str]) -> Iterator[Problem]:
    """A plain-text option: not blank, no markup, at most :data:`MAX_OPTION_CHARS`,
    not the same as an earlier one of ``seen`` (which it joins)."""
    if not text.strip():
        yield Problem(path, "Teks pilihan kosong.", "The option's text is empty.")
        return
    if _MARKUP.search(text):
        yield Problem(
            path,
            f"Pilihan '{text}' berisi HTML; tulis sebagai teks biasa.",
            f"Option '{text}' contains HTML; write it as plain text.",
        )
    yield from _check_option_words(text, path, seen)


def check_inline_option(html_text: str, path: str, seen: set[str]) -> Iterator[Problem]:
    """An option that may hold inline formatting (bank HTML, a hot text): its text not
    blank, at most :data:`MAX_OPTION_CHARS`, not the same as an earlier one of ``seen``
    (which it joins), whatever the formatting."""
    text = html_to_text(html_text)
    if not text.strip():
        yield Problem(path, "Teks pilihan kosong.", "The option's text is empty.")
        return
    yield from _check_option_words(text, path, seen)


def _check_option_words(text: str, path: str, seen: set[str]) -> Iterator[Problem]:
    if len(text) > MAX_OPTION_CHARS:
        yield Problem(
            path,
            f"Pilihan lebih dari {MAX_OPTION_CHARS} karakter.",
            f"The option is longer than {MAX_OPTION_CHARS} characters.",
        )
    normal = " ".join(text.split()).casefold()
    if normal in seen:
        yield Problem(
            path,
            f"Pilihan '{text}' sudah tercantum.",
            f"Option '{text}' is already listed.",
        )
    seen.add(normal)


def plain_option_text(type_id: str, choice: Choice) -> str:
    """The text of a QTI choice that must be plain text (an inline choice)."""
    if "<" in choice.content:
        raise ImportNotSupported(
            type_id,
            f"Pilihan '{choice.identifier}' berisi format atau gambar; pilihan dalam kalimat "
            "di bank berupa teks biasa.",
            f"Option '{choice.identifier}' holds formatting or an image; options in a "
            "sentence are plain text in the bank.",
        )
    return html.unescape(choice.content).strip()


def inline_option_xhtml(type_id: str, choice: Choice) -> str:
    """The XHTML of a QTI choice that may hold inline formatting (a hot text): emphasis,
    sub/superscripts and formulas (:data:`itembank.sanitize.INLINE_TAGS`; ``b`` and
    ``i``, which the import reads as ``strong`` and ``em``)."""
    try:
        holder = etree.fromstring(f"<x>{choice.content}</x>")
    except etree.XMLSyntaxError:
        raise ImportNotSupported(
            type_id,
            f"Teks pilihan '{choice.identifier}' tidak dapat dibaca.",
            f"Option '{choice.identifier}' cannot be read.",
        ) from None
    for element in holder.iter():
        if element is holder or not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        inside_math = any(etree.QName(a).localname == "math" for a in element.iterancestors())
        if name == "math" or inside_math or name in _INLINE_SOURCE:
            continue
        raise ImportNotSupported(
            type_id,
            f"Pilihan '{choice.identifier}' berisi <{name}>; teks pilihan di bank hanya "
            "boleh berformat sebaris (tebal, miring, subskrip, superskrip, rumus).",
            f"Option '{choice.identifier}' holds <{name}>; hot texts in the bank hold inline "
            "formatting only (bold, italic, subscript, superscript, formulas).",
        )
    return choice.content.strip()


def sentence_from_qti(type_id: str, item: AssessmentItem) -> str:
    """The XHTML of the body's text with inline interactions (:func:`qti.model.text_span`),
    each interaction marked by its response identifier (``[[RESPONSE]]``)."""
    span = text_span(item.body)
    if span is None:  # pragma: no cover - the callers checked the interactions
        raise ImportNotSupported(type_id, "Tidak ada kalimat.", "There is no sentence.")
    parts: list[str] = []
    for part in item.body[span[0] : span[1]]:
        if isinstance(part, Html):
            parts.append(part.content)
        elif isinstance(part, InlineBlock):
            codes = [i.response_identifier for i in part.interactions]
            parts.append(markers_from_slots(part.content, codes))
    return "".join(parts)


def text_from_slots(type_id: str, xhtml: str, codes: list[str]) -> str:
    """The XHTML of an interaction's text with each slot marked by its code."""
    try:
        return markers_from_slots(xhtml, codes)
    except ValueError as exc:
        raise ImportNotSupported(
            type_id, f"Teks tidak dapat dibaca: {exc}", f"The text cannot be read: {exc}"
        ) from None
