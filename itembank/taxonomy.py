"""The taxonomy contract: competency frameworks and other classification trees.

A taxonomy is a tree of :class:`Node` objects with codes and names in Indonesian and
English, and optionally levels (the ASN standard has five per competency). Plugins
provide taxonomies through :func:`itembank.hookspecs.itembank_register_taxonomies`;
banks can also import their own from CSV or JSON (see :mod:`itembank.taxonomy_io`).
The core stores every taxonomy in the database so items can be filtered by node and
its descendants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
"""Taxonomy and node codes: letters, digits, dot, underscore, hyphen; at most 64."""


@dataclass(frozen=True)
class Level:
    """One proficiency level, e.g. ASN level 3 of Integritas.

    :param number: 1-based level number.
    :param name: ``{"id": ..., "en": ...}``; may be empty.
    :param description: ``{"id": ..., "en": ...}``: what a person at this level does.
    :param indicators: behavioural indicators, ``[{"code": "3.1", "text": "..."}]``.
    """

    number: int
    name: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    indicators: tuple[dict[str, str], ...] = ()


@dataclass
class Node:
    """A node of the tree. Items are classified against nodes (plus a level where the
    node has levels)."""

    code: str
    name: dict[str, str]
    description: dict[str, str] = field(default_factory=dict)
    levels: list[Level] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def walk(self, parent: Node | None = None) -> Iterator[tuple[Node, Node | None]]:
        yield self, parent
        for child in self.children:
            yield from child.walk(self)


@dataclass
class Taxonomy:
    """A whole classification framework.

    :param code: stable identifier, e.g. ``"asn-2017"``; unique among the taxonomies a
        bank can see.
    :param name: ``{"id": ..., "en": ...}``.
    :param source: where it comes from (regulation, publisher), shown to users.
    :param version: the framework's own version or year.
    :param nodes: the top-level nodes.
    """

    code: str
    name: dict[str, str]
    nodes: list[Node]
    source: str = ""
    version: str = ""

    def walk(self) -> Iterator[tuple[Node, Node | None]]:
        for node in self.nodes:
            yield from node.walk()

    def find(self, code: str) -> Node | None:
        for node, _parent in self.walk():
            if node.code == code:
                return node
        return None

    def problems(self) -> list[str]:
        """Structural problems: bad or duplicate codes, missing names, bad levels."""
        found: list[str] = []
        if not CODE_RE.fullmatch(self.code or ""):
            found.append(f"taxonomy code {self.code!r} is not a valid code")
        if not (self.name.get("id") or self.name.get("en")):
            found.append(f"taxonomy {self.code!r} has no name")
        seen: set[str] = set()
        for node, _parent in self.walk():
            if not CODE_RE.fullmatch(node.code or ""):
                found.append(f"node code {node.code!r} is not a valid code")
            if node.code in seen:
                found.append(f"node code {node.code!r} appears more than once")
            seen.add(node.code)
            if not (node.name.get("id") or node.name.get("en")):
                found.append(f"node {node.code!r} has no name")
            numbers = [level.number for level in node.levels]
            if numbers and sorted(numbers) != list(range(1, len(numbers) + 1)):
                found.append(f"node {node.code!r} levels must be numbered 1..n, got {numbers}")
        return found
