"""The differences between two versions of a passage: its title and its text word by
word, and the images the text adds, removes or describes anew (the item diff's pieces,
:mod:`itembank.diff`). Pure: no Flask or database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from itembank.diff import html_changed, image_changes, word_diff


@dataclass(frozen=True)
class PassageView:
    """What is compared of one passage version."""

    number: int
    title: str
    body: str


def diff_passages(old: PassageView, new: PassageView) -> dict[str, Any]:
    """Compare two versions of one passage.

    Returns::

        {"from": 1, "to": 2, "changed": bool,
         "title": {"changed": bool, "ops": [...]},
         "body": {"changed": bool, "ops": [...], "images": {...}}}

    ``ops`` are :func:`itembank.diff.word_diff`'s; ``images`` is
    :func:`itembank.diff.image_changes`'. A body whose markup changed (bold text, a
    table cell moved) is ``changed`` even when its words are the same.
    """
    title_changed = old.title != new.title
    images = image_changes(old.body, new.body)
    body_changed = html_changed(old.body, new.body) or images["changed"]
    return {
        "from": old.number,
        "to": new.number,
        "changed": title_changed or body_changed,
        "title": {
            "changed": title_changed,
            "ops": word_diff(_escape(old.title), _escape(new.title)) if title_changed else [],
        },
        "body": {
            "changed": body_changed,
            "ops": word_diff(old.body, new.body) if body_changed else [],
            "images": images,
        },
    }


def _escape(text: str) -> str:
    """Plain text as HTML, so :func:`word_diff` reads it back unchanged."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
