"""Version-neutral element and attribute names.

QTI 3 spells names in kebab case with a ``qti-`` prefix on elements
(``qti-response-else-if``, ``base-type``); QTI 2 uses camel case (``responseElseIf``,
``baseType``). Code that must read both versions compares against the QTI 2 spelling, using
these helpers on what it reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree

from qti.ns import split_tag

_KEBAB = re.compile(r"-([a-z0-9])")
_CAMEL = re.compile(r"([A-Z])")


@lru_cache(maxsize=1024)
def camel_name(name: str) -> str:
    """``qti-response-else-if`` -> ``responseElseIf``; QTI 2 names come back unchanged."""
    if name.startswith("qti-"):
        name = name[4:]
    if "-" not in name:
        return name
    return _KEBAB.sub(lambda m: m.group(1).upper(), name)


@lru_cache(maxsize=1024)
def kebab_name(name: str) -> str:
    """``baseType`` -> ``base-type`` (attribute names; elements also need ``qti-``)."""
    return _CAMEL.sub(lambda m: "-" + m.group(1).lower(), name)


@lru_cache(maxsize=4096)
def tag_local_name(tag: str) -> str:
    """The QTI 2 spelling of the local name in an element's ``tag`` (a string)."""
    return camel_name(split_tag(tag)[1])


def local_name(element: etree._Element) -> str | None:
    """The QTI 2 spelling of an element's local name; ``None`` for comments and PIs."""
    tag = element.tag
    if not isinstance(tag, str):
        return None
    return tag_local_name(tag)


@lru_cache(maxsize=4096)
def _namespace_of_tag(tag: str) -> str | None:
    return split_tag(tag)[0]


def namespace_of(element: etree._Element) -> str | None:
    """The namespace URI of an element (``None`` for no namespace, comments and PIs)."""
    tag = element.tag
    if not isinstance(tag, str):
        return None
    return _namespace_of_tag(tag)


def qti_attr(element: etree._Element, name: str, default: str | None = None) -> str | None:
    """Read an attribute given by its QTI 2 name, accepting the QTI 3 spelling as well."""
    value = element.get(name)
    if value is None:
        kebab = kebab_name(name)
        if kebab != name:
            value = element.get(kebab)
    return default if value is None else value


def children(element: etree._Element) -> list[etree._Element]:
    """Child elements only (no comments or processing instructions)."""
    return [child for child in element if isinstance(child.tag, str)]


def find_child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child element whose QTI 2 local name is ``name``."""
    for child in element:
        if isinstance(child.tag, str) and local_name(child) == name:
            return child
    return None


def find_children(element: etree._Element, name: str) -> list[etree._Element]:
    """Every child element whose QTI 2 local name is ``name``."""
    return [c for c in element if isinstance(c.tag, str) and local_name(c) == name]


@lru_cache(maxsize=256)
def _any_namespace_tags(names: frozenset[str]) -> tuple[str, ...]:
    """``{*}name`` in both spellings for each QTI 2 name (``simpleChoice`` and
    ``qti-simple-choice``), for lxml's ``iter`` to filter on in C."""
    tags: list[str] = []
    for name in sorted(names):
        tags.append(f"{{*}}{name}")
        kebab = "qti-" + kebab_name(name)
        if camel_name(kebab) == name:
            tags.append(f"{{*}}{kebab}")
    return tuple(tags)


def iter_named(
    element: etree._Element, names: frozenset[str] | set[str]
) -> Iterator[etree._Element]:
    """Iterate over ``element`` and its descendants whose QTI 2 local name is in ``names``
    (in either spelling, in any namespace), in document order."""
    return element.iter(*_any_namespace_tags(frozenset(names)))
