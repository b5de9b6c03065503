"""Differences between two versions of an item.

Texts are compared word by word on their plain text (:func:`itembank.sanitize.html_to_text`);
options, keys, weights and type-specific facts come from the item type's
:class:`~itembank.itemtypes.ContentSummary`, so this module never looks inside content.
Everything here is pure: no Flask, no database.
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from itembank.itemtypes import ContentSummary
from itembank.sanitize import MEDIA_SRC_RE, html_to_text, sanitize_html

__all__ = [
    "VersionView",
    "diff_to_text",
    "diff_versions",
    "render_ops_html",
    "tokenize",
    "word_diff",
]

Op = dict[str, str]

# A word (letters/digits, keeping "Rp54.000", "3,5", "anak-anak" and "don't" whole), a
# run of whitespace, or a single other character (punctuation, symbols).
_TOKEN_RE = re.compile(r"\w+(?:[.,'’\-]\w+)*|\s+|[^\w\s]")


@dataclass(frozen=True)
class VersionView:
    """What the diff needs to know about one version of an item.

    :param number: the version number.
    :param stem: the stem as sanitized HTML.
    :param summary: the item type's summary of the content.
    :param metadata: the version's metadata, ``{field: value}`` (tags, difficulty,
        ``classifications``, ...).
    :param item_type: the item type id.
    """

    number: int
    stem: str
    summary: ContentSummary = field(default_factory=ContentSummary)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    item_type: str = ""


# -- word diff ------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Split text into words, whitespace runs and single punctuation characters.

    ``"".join(tokenize(text)) == text`` always holds.
    """
    return _TOKEN_RE.findall(text)


def word_diff(old_html: str, new_html: str) -> list[Op]:
    """Word-level differences between the plain texts of two HTML fragments.

    Returns ``[{"op": "equal" | "delete" | "insert", "text": ...}]``. Joining the texts
    of the ``equal`` and ``delete`` ops gives the old text, of ``equal`` and ``insert``
    ops the new one. Adjacent ops of the same kind are merged; a replacement is a
    ``delete`` followed by an ``insert``; whitespace that is all that separates two
    changes is folded into them, so "ganti dua kata" reads as one change.
    """
    return _diff_text(html_to_text(old_html), html_to_text(new_html))


def _diff_text(old: str, new: str) -> list[Op]:
    a, b = tokenize(old), tokenize(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw: list[Op] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append({"op": "equal", "text": "".join(a[i1:i2])})
            continue
        if tag in ("delete", "replace"):
            raw.append({"op": "delete", "text": "".join(a[i1:i2])})
        if tag in ("insert", "replace"):
            raw.append({"op": "insert", "text": "".join(b[j1:j2])})
    return _group(raw)


def _group(ops: list[Op]) -> list[Op]:
    """Merge runs of changes (and whitespace-only equal ops between two changes) into
    at most one delete followed by one insert; merge adjacent equal ops."""
    result: list[Op] = []
    index = 0
    while index < len(ops):
        op = ops[index]
        if op["op"] == "equal":
            if op["text"]:
                _append(result, "equal", op["text"])
            index += 1
            continue
        deleted: list[str] = []
        inserted: list[str] = []
        while index < len(ops):
            current = ops[index]
            if current["op"] == "delete":
                deleted.append(current["text"])
            elif current["op"] == "insert":
                inserted.append(current["text"])
            elif (
                not current["text"].strip()
                and index + 1 < len(ops)
                and ops[index + 1]["op"] != "equal"
            ):
                # Whitespace between two changes belongs to both sides of the change.
                deleted.append(current["text"])
                inserted.append(current["text"])
            else:
                break
            index += 1
        if "".join(deleted):
            _append(result, "delete", "".join(deleted))
        if "".join(inserted):
            _append(result, "insert", "".join(inserted))
    return result


def _append(ops: list[Op], kind: str, text: str) -> None:
    if ops and ops[-1]["op"] == kind:
        ops[-1] = {"op": kind, "text": ops[-1]["text"] + text}
    else:
        ops.append({"op": kind, "text": text})


def html_changed(old: str, new: str) -> bool:
    """Whether two HTML fragments differ once both are in canonical form (markup
    changes such as a new image or bold text count, not just text changes)."""
    return old != new and sanitize_html(old) != sanitize_html(new)


# -- images ----------------------------------------------------------------------------------

_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR_RE = re.compile(r'\b(src|alt)\s*=\s*"([^"]*)"', re.IGNORECASE)


def images_of(html_text: str) -> dict[str, str]:
    """The bank images (``/media/<sha256>``) ``html_text`` shows: SHA-256 -> its
    description (``alt``), in order of appearance (the first description of each)."""
    found: dict[str, str] = {}
    for tag in _IMG_RE.findall(sanitize_html(html_text) if html_text else ""):
        attrs = {name.lower(): html.unescape(value) for name, value in _ATTR_RE.findall(tag)}
        match = MEDIA_SRC_RE.fullmatch(attrs.get("src", ""))
        if match and match.group(1) not in found:
            found[match.group(1)] = attrs.get("alt", "")
    return found


def image_changes(old_html: str, new_html: str) -> dict[str, Any]:
    """Which bank images ``new_html`` adds and removes compared with ``old_html``, and
    those whose description changed: ``{"changed": bool, "added": [{"sha256", "alt"}],
    "removed": [...], "described": [{"sha256", "from", "to"}]}``."""
    old, new = images_of(old_html), images_of(new_html)
    added = [{"sha256": sha, "alt": alt} for sha, alt in new.items() if sha not in old]
    removed = [{"sha256": sha, "alt": alt} for sha, alt in old.items() if sha not in new]
    described = [
        {"sha256": sha, "from": old[sha], "to": alt}
        for sha, alt in new.items()
        if sha in old and old[sha] != alt
    ]
    return {
        "changed": bool(added or removed or described),
        "added": added,
        "removed": removed,
        "described": described,
    }


# -- version diff ---------------------------------------------------------------------------


def diff_versions(old: VersionView, new: VersionView) -> dict[str, Any]:
    """Compare two versions of one item.

    Returns::

        {"from": 1, "to": 2, "changed": bool,
         "item_type": {"changed", "from", "to"},
         "stem": {"changed": bool, "ops": [...], "images": {...}},
         "options": [{"id", "status": "unchanged" | "changed" | "added" | "removed",
                      "ops": [...], "images": {...}}],   # new order, then removed ones
         "option_order": {"changed", "from", "to"},
         "keys": {"changed", "from", "to"},
         "weights": {"changed", "changes": [{"id", "from", "to"}]},
         "extra": {"changed", "changes": [{"id", "from", "to"}]},
         "metadata": {"changed", "changes": [{"field", "from", "to"}]}}

    ``changed`` of the stem and of an option is true when the HTML differs in
    canonical form; its ``ops`` show the text, so a change to markup only (an image
    swapped, a word made bold) is ``changed`` with nothing but ``equal`` ops, and its
    ``images`` (:func:`image_changes`) say which bank images came and went.
    ``option_order`` is true when the options common to both versions were reordered.
    ``from``/``to`` of a missing weight, extra entry or metadata field is ``None``; a
    metadata field that is missing on one side and ``None`` on the other is unchanged.
    ``classifications`` are compared as sets of ``(taxonomy, node, level)``.
    """
    stem = {
        "changed": html_changed(old.stem, new.stem),
        "ops": word_diff(old.stem, new.stem),
        "images": image_changes(old.stem, new.stem),
    }
    options = _diff_options(old.summary.options, new.summary.options)
    common = [key for key in new.summary.options if key in old.summary.options]
    old_common = [key for key in old.summary.options if key in new.summary.options]
    option_order = {
        "changed": common != old_common,
        "from": list(old.summary.options),
        "to": list(new.summary.options),
    }
    keys = {
        "changed": list(old.summary.keys) != list(new.summary.keys),
        "from": list(old.summary.keys),
        "to": list(new.summary.keys),
    }
    weights = _diff_mapping(old.summary.weights, new.summary.weights)
    extra = _diff_mapping(old.summary.extra, new.summary.extra)
    metadata = _diff_metadata(old.metadata, new.metadata)
    item_type = {
        "changed": old.item_type != new.item_type,
        "from": old.item_type,
        "to": new.item_type,
    }
    changed = any(
        (
            item_type["changed"],
            stem["changed"],
            any(option["status"] != "unchanged" for option in options),
            option_order["changed"],
            keys["changed"],
            weights["changed"],
            extra["changed"],
            metadata["changed"],
        )
    )
    return {
        "from": old.number,
        "to": new.number,
        "changed": changed,
        "item_type": item_type,
        "stem": stem,
        "options": options,
        "option_order": option_order,
        "keys": keys,
        "weights": weights,
        "extra": extra,
        "metadata": metadata,
    }


def _diff_options(old: Mapping[str, str], new: Mapping[str, str]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = []
    for key, text in new.items():
        if key in old:
            status = "changed" if html_changed(old[key], text) else "unchanged"
            result.append(
                {
                    "id": key,
                    "status": status,
                    "ops": word_diff(old[key], text),
                    "images": image_changes(old[key], text),
                }
            )
        else:
            result.append(
                {
                    "id": key,
                    "status": "added",
                    "ops": word_diff("", text),
                    "images": image_changes("", text),
                }
            )
    for key, text in old.items():
        if key not in new:
            result.append(
                {
                    "id": key,
                    "status": "removed",
                    "ops": word_diff(text, ""),
                    "images": image_changes(text, ""),
                }
            )
    return result


def _ordered_union(old: Iterable[str], new: Iterable[str]) -> list[str]:
    keys = list(new)
    seen = set(keys)
    keys.extend(key for key in old if key not in seen)
    return keys


def _diff_mapping(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changes = [
        {"id": key, "from": old.get(key), "to": new.get(key)}
        for key in _ordered_union(old, new)
        if key not in old or key not in new or not _same(old[key], new[key])
    ]
    return {"changed": bool(changes), "changes": changes}


def _diff_metadata(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changes = []
    for key in _ordered_union(old, new):
        before, after = old.get(key), new.get(key)
        if key == "classifications":
            if _classification_set(before) == _classification_set(after):
                continue
        elif _same(before, after):
            continue
        changes.append({"field": key, "from": before, "to": after})
    return {"changed": bool(changes), "changes": changes}


def _same(a: Any, b: Any) -> bool:
    """Equality that does not confuse ``True`` with ``1`` (JSON keeps them apart)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _classification_set(value: Any) -> set[tuple[Any, ...]]:
    """Classifications as a set of ``(taxonomy, node, level)``.

    Accepts ``[{"taxonomy": ..., "node": ..., "level": ...}]`` (level optional) or
    sequences ``[taxonomy, node, level]``; anything else is compared by its JSON form.
    """
    if not value:
        return set()
    result: set[tuple[Any, ...]] = set()
    for entry in value if isinstance(value, list | tuple | set) else [value]:
        if isinstance(entry, Mapping) and "taxonomy" in entry and "node" in entry:
            result.add((entry["taxonomy"], entry["node"], entry.get("level")))
        elif isinstance(entry, list | tuple) and len(entry) in (2, 3):
            level = entry[2] if len(entry) == 3 else None
            result.add((entry[0], entry[1], level))
        else:
            result.add(("?", json.dumps(entry, sort_keys=True, default=str), None))
    return result


# -- rendering ------------------------------------------------------------------------------


def render_ops_html(ops: Iterable[Op]) -> str:
    """Ops as HTML: ``<del>`` for deleted text, ``<ins>`` for inserted text, all text
    escaped. Newlines are kept as characters (style the container with
    ``white-space: pre-wrap``)."""
    parts = []
    for op in ops:
        text = html.escape(op["text"], quote=True)
        if op["op"] == "insert":
            parts.append(f"<ins>{text}</ins>")
        elif op["op"] == "delete":
            parts.append(f"<del>{text}</del>")
        else:
            parts.append(text)
    return "".join(parts)


def _ops_inline(ops: Iterable[Op]) -> str:
    """Ops in wdiff notation: ``[-deleted-]{+inserted+}``."""
    parts = []
    for op in ops:
        if op["op"] == "insert":
            parts.append("{+" + op["text"] + "+}")
        elif op["op"] == "delete":
            parts.append("[-" + op["text"] + "-]")
        else:
            parts.append(op["text"])
    return "".join(parts)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.split("\n"))


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def diff_to_text(result: Mapping[str, Any]) -> str:
    """A short human-readable rendering of :func:`diff_versions` output (for the CLI).

    Changed texts are shown in wdiff notation, ``[-old-]{+new+}``.
    """
    lines = [f"--- version {result['from']}", f"+++ version {result['to']}"]
    if not result["changed"]:
        lines.append("no changes")
        return "\n".join(lines)
    item_type = result.get("item_type", {})
    if item_type.get("changed"):
        lines.append(f"item type: {item_type['from']} -> {item_type['to']}")
    if result["stem"]["changed"]:
        lines.append("stem: changed")
        lines.append(_indent(_ops_inline(result["stem"]["ops"])))
        lines.extend(_image_lines(result["stem"].get("images")))
    for option in result["options"]:
        if option["status"] == "unchanged":
            continue
        lines.append(f"option {option['id']}: {option['status']}")
        lines.append(_indent(_ops_inline(option["ops"])))
        lines.extend(_image_lines(option.get("images")))
    order = result.get("option_order", {})
    if order.get("changed"):
        lines.append(f"option order: {' '.join(order['from'])} -> {' '.join(order['to'])}")
    if result["keys"]["changed"]:
        lines.append(f"key: {_value(result['keys']['from'])} -> {_value(result['keys']['to'])}")
    for label, section in (("weight", "weights"), ("extra", "extra")):
        for change in result[section]["changes"]:
            lines.append(
                f"{label} {change['id']}: {_value(change['from'])} -> {_value(change['to'])}"
            )
    for change in result["metadata"]["changes"]:
        lines.append(
            f"metadata {change['field']}: {_value(change['from'])} -> {_value(change['to'])}"
        )
    return "\n".join(lines)


def _image_lines(images: Mapping[str, Any] | None) -> list[str]:
    if not images:
        return []
    lines = [f"  image removed: {i['sha256'][:12]} ({i['alt']!r})" for i in images["removed"]]
    lines += [f"  image added: {i['sha256'][:12]} ({i['alt']!r})" for i in images["added"]]
    lines += [
        f"  image {i['sha256'][:12]} description: {i['from']!r} -> {i['to']!r}"
        for i in images["described"]
    ]
    return lines
