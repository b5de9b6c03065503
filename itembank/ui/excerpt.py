"""Short plain-text excerpts of rich text for lists (item list, form page, dashboard).

Plain text alone loses what ``<sup>`` and ``<sub>`` say: "2<sup>5</sup> + 3<sup>4</sup>"
would read "25 + 34", a different sum. Excerpts write them with Unicode superscript and
subscript characters ("2⁵ + 3⁴", "H₂O") and, where a character has none, with the usual
plain notation ("x^(a+b)", "x_(ij)").
"""

from __future__ import annotations

import html
import re

from itembank.sanitize import html_to_text

_SCRIPT_RE = re.compile(r"<(sup|sub)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)

SUPERSCRIPT = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
SUBSCRIPT = str.maketrans("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUPERSCRIPT_SOURCE = set("0123456789+-−=()ni")
_SUBSCRIPT_SOURCE = set("0123456789+-−=()aehijklmnoprstuvx")


def _scripted(kind: str, text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    superscript = kind.lower() == "sup"
    source = _SUPERSCRIPT_SOURCE if superscript else _SUBSCRIPT_SOURCE
    if all(c in source for c in text):
        return text.translate(SUPERSCRIPT if superscript else SUBSCRIPT)
    mark = "^" if superscript else "_"
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def rich_text_excerpt(rich: str, limit: int) -> str:
    """``rich`` (sanitized HTML) as one line of at most ``limit`` characters."""

    def replace(match: re.Match[str]) -> str:
        inner = html_to_text(match.group(2)).replace("\n", " ")
        return html.escape(_scripted(match.group(1), inner), quote=False)

    text = html_to_text(_SCRIPT_RE.sub(replace, rich or "")).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
