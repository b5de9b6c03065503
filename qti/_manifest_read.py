"""The metadata of a manifest resource: IEEE LOM (QTI 3.0 manifests, ``imsmd_loose``) or
IMS Meta-data 1.2 (QTI 2.x), read by local name so that either binding works."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from qti._names import find_child
from qti.ns import split_tag


@dataclass(frozen=True)
class LomClassification:
    """A LOM classification as found: its purpose, taxon path source and taxa
    (``(id, entry)`` from the top down)."""

    purpose: str
    source: str
    taxa: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ResourceMetadata:
    """What a manifest resource says about its item (all optional)."""

    identifier: str | None = None
    title: str | None = None
    language: str | None = None
    bank_item_id: str | None = None
    version: str | None = None
    classifications: tuple[LomClassification, ...] = ()


def _named(element: etree._Element | None, *names: str) -> Iterator[etree._Element]:
    """Descendants along a path of local names (any namespace, either case), in document
    order."""
    if element is None:
        return iter(())
    level = [element]
    for name in names[:-1]:
        head = name.lower()
        level = [
            child
            for parent in level
            for child in parent
            if isinstance(child.tag, str) and _lower_local_name(child.tag) == head
        ]
    last = names[-1].lower()
    # (the last level lazily: :func:`_first` stops at the first match)
    return (
        child
        for parent in level
        for child in parent
        if isinstance(child.tag, str) and _lower_local_name(child.tag) == last
    )


@lru_cache(maxsize=1024)
def _lower_local_name(tag: str) -> str:
    return split_tag(tag)[1].lower()


def _first(element: etree._Element | None, *names: str) -> etree._Element | None:
    return next(_named(element, *names), None)


def _string(element: etree._Element | None) -> str | None:
    """The text of a LOM string holder (``string`` / ``langstring`` children, or itself)."""
    if element is None:
        return None
    for name in ("string", "langstring"):
        found = _first(element, name)
        if found is not None and (found.text or "").strip():
            return (found.text or "").strip()
    text = (element.text or "").strip()
    return text or None


def resource_metadata(resource: etree._Element) -> ResourceMetadata:
    """What a manifest ``<resource>`` says about its item (its LOM, in either binding)."""
    lom = _first(find_child(resource, "metadata"), "lom")
    identifier = resource.get("identifier")
    if lom is None:
        return ResourceMetadata(identifier=identifier)
    general = _first(lom, "general")
    bank_item_id = None
    for ident in _named(general, "identifier"):
        catalog = _string(_first(ident, "catalog"))
        entry = _string(_first(ident, "entry"))
        if catalog == "itembank" and entry:
            bank_item_id = entry
    for ident in _named(general, "catalogentry"):
        if _string(_first(ident, "catalog")) == "itembank":
            bank_item_id = _string(_first(ident, "entry")) or bank_item_id
    classifications = []
    for classification in _named(lom, "classification"):
        purpose = _string(_first(classification, "purpose", "value")) or ""
        for path in _named(classification, "taxonPath"):
            taxa = tuple(
                (_string(_first(taxon, "id")) or "", _string(_first(taxon, "entry")) or "")
                for taxon in _named(path, "taxon")
            )
            classifications.append(
                LomClassification(purpose, _string(_first(path, "source")) or "", taxa)
            )
    return ResourceMetadata(
        identifier=identifier,
        title=_string(_first(general, "title")),
        language=_string(_first(general, "language")),
        bank_item_id=bank_item_id,
        version=_string(_first(lom, "lifeCycle", "version")),
        classifications=tuple(classifications),
    )
