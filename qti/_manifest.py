"""The ``imsmanifest.xml`` of an exported package, with per-item metadata.

QTI 3.0 packages use the QTI 3.0 profile of IMS Content Packaging (``<schemaversion>
3.0.0``); item resources carry ``qtiMetadata`` (interaction types, scoring mode, tool) and
IEEE LOM (``imsmd_loose_v1p3p2``). QTI 2.1 packages use IMS CP 1.1 with IMS Metadata
1.2.4 LOM (the QTI 2.1 ``qtiMetadata`` schema is not among the offline schemas, so it is
not written). The LOM of an item carries the bank's item id (general identifier, catalog
:data:`CATALOG`), its version (life cycle) and one classification per competency: purpose
``competency``, a taxon path whose source is the taxonomy code, then the node (code and
name), then - when a target level is set - the level as a deeper taxon (``M.8/3``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from qti import ns
from qti.writer import QtiVersion

CATALOG = "itembank"
"""The LOM catalog that the bank's item ids belong to."""
TOOL_NAME = "itembank"

_XSI_LOCATION = f"{{{ns.XSI}}}schemaLocation"
_XML_LANG = f"{{{ns.XML}}}lang"


@dataclass(frozen=True)
class Classification:
    """A competency an item is classified under.

    :ivar taxonomy: the taxonomy's code (``"asn-2017"``).
    :ivar node: the node's code (``"M.8"``).
    :ivar node_name: the node's name, for people reading the metadata (optional).
    :ivar level: the target level within the node, if any (``3``).
    """

    taxonomy: str
    node: str
    node_name: str = ""
    level: int | None = None


@dataclass(frozen=True)
class ItemMetadata:
    """What the manifest says about one item resource (filled in by the builder)."""

    bank_item_id: str
    version: int
    title: str
    lang: str
    classifications: tuple[Classification, ...]
    interaction_types: tuple[str, ...]
    scored_by_person: bool
    solution_available: bool


@dataclass(frozen=True)
class StimulusMetadata:
    """What the manifest says about a stimulus resource (QTI 3.0): LOM with the bank's
    passage id (catalog :data:`CATALOG`), its title and its version."""

    bank_passage_id: str
    version: int
    title: str
    lang: str


@dataclass(frozen=True)
class Resource:
    """One ``<resource>``: its files (package paths, the first is its ``href``), the
    resources it depends on, and for items (and stimuli) their metadata."""

    identifier: str
    kind: str  # "test", "item", "stimulus" or "webcontent"
    files: tuple[str, ...]
    dependencies: tuple[str, ...] = ()
    metadata: ItemMetadata | None = None
    stimulus: StimulusMetadata | None = None


_TYPES: dict[str, dict[str, str]] = {
    "3.0": {
        "test": "imsqti_test_xmlv3p0",
        "item": "imsqti_item_xmlv3p0",
        "stimulus": "imsqti_stimulus_xmlv3p0",
    },
    "2.1": {"test": "imsqti_test_xmlv2p1", "item": "imsqti_item_xmlv2p1"},
}
QTI3_METADATA = "http://www.imsglobal.org/xsd/imsqti_metadata_v3p0"


def write_manifest(
    identifier: str, resources: Sequence[Resource], version: QtiVersion, tool_version: str
) -> etree._Element:
    """The manifest's root element, listing ``resources`` in the order given."""
    v3 = version == "3.0"
    cp = ns.QTI30_CP if v3 else ns.IMSCP11
    md = ns.LOM if v3 else ns.IMSMD
    nsmap = {None: cp, "lom" if v3 else "imsmd": md, "xsi": ns.XSI}
    if v3:
        nsmap["qti"] = QTI3_METADATA
    root = etree.Element(f"{{{cp}}}manifest", {"identifier": identifier}, nsmap=nsmap)
    root.set(_XSI_LOCATION, f"{cp} {ns.SCHEMA_LOCATIONS[cp]} {md} {ns.SCHEMA_LOCATIONS[md]}")

    def sub(
        parent: etree._Element, name: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{{{cp}}}{name}", attrs)
        element.text = text
        return element

    metadata = sub(root, "metadata")
    sub(metadata, "schema", "QTI Package" if v3 else "QTIv2.1 Package")
    sub(metadata, "schemaversion", "3.0.0" if v3 else "1.0.0")
    sub(root, "organizations")
    holder = sub(root, "resources")
    for resource in resources:
        kind = _TYPES[version].get(resource.kind, "webcontent")
        element = sub(
            holder, "resource", identifier=resource.identifier, type=kind, href=resource.files[0]
        )
        if resource.metadata is not None:
            item_metadata = sub(element, "metadata")
            if v3:
                _qti3_metadata(item_metadata, resource.metadata, tool_version)
                _lom(item_metadata, resource.metadata)
            else:
                _imsmd(item_metadata, resource.metadata)
        if resource.stimulus is not None and v3 and resource.stimulus.bank_passage_id:
            _stimulus_lom(sub(element, "metadata"), resource.stimulus)
        for path in resource.files:
            sub(element, "file", href=path)
        for dependency in resource.dependencies:
            sub(element, "dependency", identifierref=dependency)
    return root


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def _qti3_metadata(parent: etree._Element, item: ItemMetadata, tool_version: str) -> None:
    def q(name: str) -> str:
        return f"{{{QTI3_METADATA}}}{name}"

    holder = _add(parent, q("qtiMetadata"))
    _add(holder, q("timeDependent"), "false")
    _add(holder, q("composite"), "true" if len(item.interaction_types) > 1 else "false")
    for interaction in item.interaction_types:
        _add(holder, q("interactionType"), interaction)
    _add(holder, q("feedbackType"), "none")
    _add(holder, q("solutionAvailable"), "true" if item.solution_available else "false")
    _add(holder, q("scoringMode"), "human" if item.scored_by_person else "responseprocessing")
    _add(holder, q("toolName"), TOOL_NAME)
    _add(holder, q("toolVersion"), tool_version)


def _lom(parent: etree._Element, item: ItemMetadata) -> None:
    """IEEE LOM, loose binding (QTI 3.0 manifests)."""

    def m(name: str) -> str:
        return f"{{{ns.LOM}}}{name}"

    def text(holder: etree._Element, value: str, lang: str | None = None) -> None:
        string = _add(holder, m("string"), value)
        if lang:
            string.set("language", lang)

    lom = _add(parent, m("lom"))
    general = _add(lom, m("general"))
    identifier = _add(general, m("identifier"))
    _add(identifier, m("catalog"), CATALOG)
    _add(identifier, m("entry"), item.bank_item_id)
    text(_add(general, m("title")), item.title, item.lang)
    life_cycle = _add(lom, m("lifeCycle"))
    text(_add(life_cycle, m("version")), str(item.version))
    for classification in item.classifications:
        element = _add(lom, m("classification"))
        purpose = _add(element, m("purpose"))
        _add(purpose, m("source"), "LOMv1.0")
        _add(purpose, m("value"), "competency")
        path = _add(element, m("taxonPath"))
        text(_add(path, m("source")), classification.taxonomy)
        for taxon_id, entry in _taxa(classification):
            taxon = _add(path, m("taxon"))
            _add(taxon, m("id"), taxon_id)
            text(_add(taxon, m("entry")), entry)


def _stimulus_lom(parent: etree._Element, stimulus: StimulusMetadata) -> None:
    """IEEE LOM of a stimulus: the bank's passage id, its title and version."""

    def m(name: str) -> str:
        return f"{{{ns.LOM}}}{name}"

    lom = _add(parent, m("lom"))
    general = _add(lom, m("general"))
    identifier = _add(general, m("identifier"))
    _add(identifier, m("catalog"), CATALOG)
    _add(identifier, m("entry"), stimulus.bank_passage_id)
    title = _add(_add(general, m("title")), m("string"), stimulus.title)
    title.set("language", stimulus.lang)
    life_cycle = _add(lom, m("lifeCycle"))
    _add(_add(life_cycle, m("version")), m("string"), str(stimulus.version))


def _imsmd(parent: etree._Element, item: ItemMetadata) -> None:
    """IMS Meta-data 1.2.4 (QTI 2.1 manifests)."""

    def m(name: str) -> str:
        return f"{{{ns.IMSMD}}}{name}"

    def text(holder: etree._Element, value: str, lang: str | None = None) -> None:
        string = _add(holder, m("langstring"), value)
        if lang:
            string.set(_XML_LANG, lang)

    lom = _add(parent, m("lom"))
    general = _add(lom, m("general"))
    _add(general, m("identifier"), item.bank_item_id)
    text(_add(general, m("title")), item.title, item.lang)
    entry = _add(general, m("catalogentry"))
    _add(entry, m("catalog"), CATALOG)
    text(_add(entry, m("entry")), item.bank_item_id)
    life_cycle = _add(lom, m("lifecycle"))
    text(_add(life_cycle, m("version")), str(item.version))
    for classification in item.classifications:
        element = _add(lom, m("classification"))
        purpose = _add(element, m("purpose"))
        text(_add(purpose, m("source")), "LOMv1.0")
        text(_add(purpose, m("value")), "Competency")
        path = _add(element, m("taxonpath"))
        text(_add(path, m("source")), classification.taxonomy)
        for taxon_id, name in _taxa(classification):
            taxon = _add(path, m("taxon"))
            _add(taxon, m("id"), taxon_id)
            text(_add(taxon, m("entry")), name)


def _taxa(classification: Classification) -> list[tuple[str, str]]:
    """The taxa below the taxonomy: the node, then its level if one is set."""
    taxa = [(classification.node, classification.node_name or classification.node)]
    if classification.level is not None:
        taxa.append(
            (f"{classification.node}/{classification.level}", f"level {classification.level}")
        )
    return taxa
