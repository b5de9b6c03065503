""":func:`qti._manifest_read.resource_metadata` (each element's children sorted once by
lowered local name) reads exactly what the first reading (asking each element for each
name in turn, kept here as the reference) read: on every resource of the bank's own
export of every type (QTI 3.0 with IEEE LOM, 2.1 with IMS Meta-data; labelled,
classified, with a stimulus), of the public sample packages, and of seeded random
mutations of the export's metadata (names renamed, upper-cased, put in other or no
namespace; elements duplicated, removed, reordered, emptied; text moved between
``string``, ``langstring`` and the holder itself; whitespace, comments and processing
instructions added)."""

from __future__ import annotations

import copy
import io
import random
import zipfile
from collections.abc import Iterator
from dataclasses import replace

import pytest
from lxml import etree

from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from qti import _manifest_read
from qti._manifest_read import LomClassification, ResourceMetadata, resource_metadata
from qti._names import find_child
from qti.ns import split_tag
from qti.package import (
    Classification,
    PackageItem,
    PackageSection,
    PackageStimulus,
    PackageTest,
    build_package,
)
from tests.shared import shared_path
from tests.test_qti_import import OWN, PNG, PNG_SHA, STEM, TYPES

# -- the reference: the first reading, name by name ---------------------------------------


def _ref_named(element: etree._Element | None, *names: str) -> Iterator[etree._Element]:
    if element is None:
        return iter(())
    level = [element]
    for name in names[:-1]:
        head = name.lower()
        level = [
            child
            for parent in level
            for child in parent
            if isinstance(child.tag, str) and split_tag(child.tag)[1].lower() == head
        ]
    last = names[-1].lower()
    return (
        child
        for parent in level
        for child in parent
        if isinstance(child.tag, str) and split_tag(child.tag)[1].lower() == last
    )


def _ref_first(element: etree._Element | None, *names: str) -> etree._Element | None:
    return next(_ref_named(element, *names), None)


def _ref_string(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    for name in ("string", "langstring"):
        found = _ref_first(element, name)
        if found is not None and (found.text or "").strip():
            return (found.text or "").strip()
    text = (element.text or "").strip()
    return text or None


def reference_metadata(resource: etree._Element) -> ResourceMetadata:
    lom = _ref_first(find_child(resource, "metadata"), "lom")
    identifier = resource.get("identifier")
    if lom is None:
        return ResourceMetadata(identifier=identifier)
    general = _ref_first(lom, "general")
    bank_item_id = None
    for ident in _ref_named(general, "identifier"):
        catalog = _ref_string(_ref_first(ident, "catalog"))
        entry = _ref_string(_ref_first(ident, "entry"))
        if catalog == "itembank" and entry:
            bank_item_id = entry
    for ident in _ref_named(general, "catalogentry"):
        if _ref_string(_ref_first(ident, "catalog")) == "itembank":
            bank_item_id = _ref_string(_ref_first(ident, "entry")) or bank_item_id
    classifications = []
    for classification in _ref_named(lom, "classification"):
        purpose = _ref_string(_ref_first(classification, "purpose", "value")) or ""
        for path in _ref_named(classification, "taxonPath"):
            taxa = tuple(
                (_ref_string(_ref_first(t, "id")) or "", _ref_string(_ref_first(t, "entry")) or "")
                for t in _ref_named(path, "taxon")
            )
            classifications.append(
                LomClassification(purpose, _ref_string(_ref_first(path, "source")) or "", taxa)
            )
    return ResourceMetadata(
        identifier=identifier,
        title=_ref_string(_ref_first(general, "title")),
        language=_ref_string(_ref_first(general, "language")),
        bank_item_id=bank_item_id,
        version=_ref_string(_ref_first(lom, "lifeCycle", "version")),
        classifications=tuple(classifications),
    )


# -- the corpus ----------------------------------------------------------------------------

CLASSIFIED = (
    Classification("asn-2017", "M.8", "Aljabar", 3),
    Classification("skd-cpns", "TIU", "Tes Intelegensia Umum"),
)


def _own_manifest(version: str) -> bytes:
    stimulus = PackageStimulus("P1", "Bacaan", "<p>Sebuah bacaan.</p>", "id", "BANK-P1", 2)
    items = []
    for index, (type_id, content) in enumerate(OWN):
        model = TYPES[type_id].qti_item(STEM, content, identifier=f"Q{index}", title=f"S{index}")
        model = model if index % 3 else replace(model, label=None)
        items.append(
            PackageItem(
                model,
                f"BANK-{index:04d}",
                index % 4 + 1,
                CLASSIFIED[: index % 3],
                stimulus if index % 5 == 0 else None,
            )
        )
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    data = build_package(test, items, {PNG_SHA: PNG, **EXAMPLE_MEDIA}, version).data  # type: ignore[arg-type]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("imsmanifest.xml")


def _sample_manifests() -> list[bytes]:
    folder = shared_path("qti-samples")
    found = [path.read_bytes() for path in sorted(folder.rglob("imsmanifest.xml"))]
    for path in sorted(folder.rglob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            found += [archive.read(n) for n in archive.namelist() if n.endswith("imsmanifest.xml")]
    return found


def _resources(manifest: bytes) -> list[etree._Element]:
    root = etree.fromstring(manifest, etree.XMLParser(resolve_entities=False))
    return [e for e in root.iter() if isinstance(e.tag, str) and split_tag(e.tag)[1] == "resource"]


@pytest.fixture(scope="module")
def own() -> list[etree._Element]:
    return _resources(_own_manifest("3.0")) + _resources(_own_manifest("2.1"))


def _same(resources: list[etree._Element]) -> list[ResourceMetadata]:
    found = [resource_metadata(resource) for resource in resources]
    assert found == [reference_metadata(resource) for resource in resources]
    return found


def test_own_export_read_as_the_reference_reads_it(own: list[etree._Element]) -> None:
    found = _same(own)
    items = [m for m in found if m.bank_item_id]
    assert len(items) >= 2 * len(OWN)  # (the items, and the stimuli's passages)
    assert {len(m.classifications) for m in items} >= {0, 1, 2}
    assert all(m.title and m.version for m in items)
    assert any(m.classifications and m.classifications[0].taxa for m in items)


def test_sample_packages_read_as_the_reference_reads_them() -> None:
    manifests = _sample_manifests()
    assert len(manifests) >= 5
    resources = [r for manifest in manifests for r in _resources(manifest)]
    _same(resources)
    assert len(resources) > 100


# -- mutations -------------------------------------------------------------------------------

_NAMES = [
    "lom", "general", "identifier", "catalog", "entry", "catalogentry", "title", "language",
    "string", "langstring", "lifeCycle", "lifecycle", "version", "classification", "purpose",
    "value", "source", "taxonPath", "taxonpath", "taxon", "id", "metadata", "other",
]  # fmt: skip
_NAMESPACES = [None, "http://ltsc.ieee.org/xsd/LOM", "http://www.imsglobal.org/xsd/imsmd_v1p2",
               "urn:other"]  # fmt: skip
_TEXTS = ["itembank", "ITEMBANK", " itembank ", "", "   ", "\n", "M.1", "level 2", "x", None]


def _tag(namespace: str | None, name: str) -> str:
    return name if namespace is None else f"{{{namespace}}}{name}"


def _mutate(resource: etree._Element, rng: random.Random) -> None:
    elements = [e for e in resource.iter() if isinstance(e.tag, str) and e is not resource]
    if not elements:
        return
    element = rng.choice(elements)
    namespace, name = split_tag(element.tag)
    parent = element.getparent()
    move = rng.randrange(12)
    if move == 0:  # renamed to another name the reading knows, or not
        element.tag = _tag(namespace, rng.choice(_NAMES))
    elif move == 1:  # upper- or mixed-cased
        element.tag = _tag(namespace, rng.choice([name.upper(), name.title(), name.swapcase()]))
    elif move == 2:  # another namespace, or none
        element.tag = _tag(rng.choice(_NAMESPACES), name)
    elif move == 3 and parent is not None:  # duplicated (with other text, maybe)
        twin = copy.deepcopy(element)
        if rng.random() < 0.5:
            twin.text = rng.choice(_TEXTS)
        parent.insert(parent.index(element) + rng.randrange(2), twin)
    elif move == 4 and parent is not None:  # removed
        parent.remove(element)
    elif move == 5:  # its text changed (blank, empty, itembank, ...)
        element.text = rng.choice(_TEXTS)
    elif move == 6 and parent is not None and split_tag(parent.tag)[1] != "resource":
        # a string holder's text moved to the holder itself
        parent.text = element.text
        parent.remove(element)
    elif move == 7:  # a string child added, first or last, with some text
        child = etree.Element(_tag(namespace, rng.choice(["string", "langstring", "String"])))
        child.text = rng.choice(_TEXTS)
        element.insert(rng.choice([0, len(element)]), child)
    elif move == 8:  # a comment or processing instruction among the children
        other = etree.Comment("note") if rng.random() < 0.5 else etree.PI("pi", "x")
        element.insert(rng.randrange(len(element) + 1), other)
    elif move == 9 and parent is not None:  # moved among its siblings
        parent.remove(element)
        parent.insert(rng.randrange(len(parent) + 1), element)
    elif move == 10:  # a new element of a name the reading knows, empty or not
        child = etree.SubElement(element, _tag(rng.choice(_NAMESPACES), rng.choice(_NAMES)))
        child.text = rng.choice(_TEXTS)
    else:  # whitespace around the text
        element.text = f"  {element.text or ''}\n\t"
        element.tail = "\n  "


def test_mutated_metadata_read_as_the_reference_reads_it(own: list[etree._Element]) -> None:
    rng = random.Random(16)
    plain = [resource_metadata(r) for r in own]
    differing = 0
    for round_ in range(6):
        mutated = [copy.deepcopy(r) for r in own]
        for resource in mutated:
            for _ in range(rng.randrange(1, 4 + 4 * round_)):
                _mutate(resource, rng)
        found = _same(mutated)
        differing += sum(a != b for a, b in zip(found, plain, strict=True))
    # (the mutations changed what is read, often: the comparison compared something)
    assert differing > len(own)


def test_the_names_remembered_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_manifest_read, "_MOST_NAMES", 8)
    lom = etree.Element("lom")
    general = etree.SubElement(lom, "general")
    for index in range(40):
        etree.SubElement(general, f"n{index}")
    title = etree.SubElement(etree.SubElement(general, "TITLE"), "String")
    title.text = "found"
    resource = etree.Element("resource")
    etree.SubElement(resource, "metadata").append(lom)
    assert resource_metadata(resource).title == "found"
    assert len(_manifest_read._lower) <= 8
