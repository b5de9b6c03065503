"""Build a QTI 3.0 or 2.1 content package (a zip) from plain data.

The entry point is :func:`build_package`::

    package = build_package(test, items, media, version="3.0")
    package.data      # the zip's bytes
    package.sha256    # hex SHA-256 of those bytes
    package.files     # every file in the zip with its size and SHA-256

Input, all plain immutable data (the caller fills it from wherever the items live):

- :class:`PackageTest` - the assessment test: identifier, title, time limit and its
  :class:`PackageSection` s, each listing item identifiers in delivery order (one test
  part holds them all).
- :class:`PackageItem` - each item as a :class:`qti.model.AssessmentItem` (an item type's
  ``qti_item`` / ``to_qti`` makes one), with the bank's item id, its version and its
  competency :class:`Classification` s for the manifest metadata.
- :class:`PackageStimulus` - a shared passage (stimulus) an item asks about, given on each
  :class:`PackageItem` of its item set (``stimulus``). QTI 3.0 writes it once, as
  ``stimuli/<identifier>.xml`` (``qti-assessment-stimulus``), and each item of the set
  references it with ``qti-assessment-stimulus-ref`` (the manifest: item -> stimulus ->
  images). QTI 2.1 has no stimulus element (``assessmentStimulus`` arrived in 2.2), so a
  2.1 package writes the passage into each item's body, first, as
  ``<div class="itembank-stimulus" id="<identifier>">`` holding an ``h2`` with its title
  and its text: every item stays readable alone, and a reader can tell the passage
  from the stem.
- ``media`` - image bytes by SHA-256 hex. Items show bank images as ``/media/<sha256>``;
  each one used is shipped as ``media/<sha256>.<png|jpg|gif>`` and its ``src`` rewritten
  to that relative path. Unused media are left out.

Layout of the zip: ``imsmanifest.xml``, ``tests/<test>.xml``, ``items/<item>.xml``,
``stimuli/<stimulus>.xml`` (QTI 3.0), ``media/...`` and ``checksums.sha256``
(``sha256sum -c`` format: the SHA-256 of every other file). Every file is listed in the
manifest with a relative href; the test depends on its items, items on their stimulus
and images, a stimulus on its images. The zip is deterministic: entries sorted by name,
fixed timestamps (1980-01-01) and permissions (0644), so the same input gives the same
bytes (:mod:`qti._zip` writes it). Documents are deflated (level 3); images, compressed
already, are stored as they are.

With ``validate=True`` (the default) every document is validated before anything is
zipped - QTI 3.0 items and tests against the lenient schema and the strict profile, 2.1
against the 2.1 schema, the manifest against its content-packaging schema and its LOM
records against their metadata schema - together with the checks no schema makes
(:mod:`qti._checks`: identifiers, keys naming declared choices, ...) and that the
manifest lists exactly the files in the package. Any error raises :class:`PackageError`
listing every issue (file, line, message); no bytes are returned.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from lxml import etree

from qti._checks import identifier_problem
from qti._manifest import (
    Classification,
    ItemMetadata,
    Resource,
    StimulusMetadata,
    write_manifest,
)
from qti._package import MANIFEST
from qti._report import Issue
from qti._zip import write_zip
from qti.model import AssessmentItem, Html
from qti.validate import validate_element, validate_elements
from qti.writer import QtiVersion, QtiWriteError, Spelling, write_item, write_stimulus
from qti.xml import parse_bytes, serialize

__all__ = [
    "CHECKSUMS",
    "Classification",
    "Package",
    "PackageError",
    "PackageFile",
    "PackageItem",
    "PackageSection",
    "PackageStimulus",
    "PackageTest",
    "build_package",
]

CHECKSUMS = "checksums.sha256"
TOOL_VERSION = "1.0"
_ZIP_LEVEL = 3
_IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"), (b"GIF8", "gif"))
_MEDIA_PREFIX = "/media/"


@dataclass(frozen=True)
class PackageSection:
    """A section of the test: its items (their ``AssessmentItem.identifier`` s) in order."""

    identifier: str
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class PackageTest:
    """The assessment test.

    :ivar time_limit: the whole test's time limit in seconds, or ``None`` for none.
    :ivar navigation_mode: ``"nonlinear"`` (candidates move freely) or ``"linear"``.
    :ivar submission_mode: ``"simultaneous"`` (responses submitted at the end) or
        ``"individual"``.
    """

    identifier: str
    title: str
    sections: tuple[PackageSection, ...]
    time_limit: int | None = None
    navigation_mode: Literal["linear", "nonlinear"] = "nonlinear"
    submission_mode: Literal["individual", "simultaneous"] = "simultaneous"


@dataclass(frozen=True)
class PackageStimulus:
    """A shared passage (QTI 3.0 ``qti-assessment-stimulus``) several items ask about.

    :ivar identifier: its QTI identifier; names the file (``stimuli/<identifier>.xml``).
    :ivar title: its title (the stimulus's ``title`` attribute).
    :ivar body: its text, XHTML like an item's stem (images as ``/media/<sha256>``).
    :ivar lang: the content language (``xml:lang``).
    :ivar bank_passage_id: the bank's passage id (``CACT-DEMO-P00001``), in the metadata.
    :ivar version: the passage version exported, in the metadata.
    """

    identifier: str
    title: str
    body: str
    lang: str = "id"
    bank_passage_id: str = ""
    version: int = 0


@dataclass(frozen=True)
class PackageItem:
    """One item of the package.

    :ivar item: the QTI model; its identifier names the file (``items/<identifier>.xml``)
        and is what sections list.
    :ivar bank_item_id: the bank's stable item id (``CACT-DEMO-000123``), in the metadata.
    :ivar version: the item version exported, in the metadata.
    :ivar classifications: competencies (taxonomy, node, level), in the metadata.
    :ivar stimulus: the passage the item asks about (its item set), if any.
    """

    item: AssessmentItem
    bank_item_id: str
    version: int
    classifications: tuple[Classification, ...] = ()
    stimulus: PackageStimulus | None = None


@dataclass(frozen=True)
class PackageFile:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Package:
    """A built package: the zip's bytes, their SHA-256 and the files inside."""

    data: bytes
    sha256: str
    files: tuple[PackageFile, ...]
    version: QtiVersion


class PackageError(ValueError):
    """The input cannot make a valid package; :attr:`issues` says where and why."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        lines = [str(issue) for issue in self.issues]
        super().__init__(f"{len(lines)} problem(s) in the QTI package:\n  " + "\n  ".join(lines))


def build_package(
    test: PackageTest,
    items: Sequence[PackageItem],
    media: Mapping[str, bytes],
    version: QtiVersion = "3.0",
    *,
    validate: bool = True,
) -> Package:
    """Write, validate and zip a package; see the module documentation.

    :raises PackageError: listing every problem, for input that cannot make a valid
        package (unknown or repeated identifiers, a missing image, an item the writer
        refuses) and, when ``validate`` is true, for every validation error.
    """
    Spelling(version)  # refuses unknown versions before anything else
    issues = _check_input(test, items, media)
    if issues:
        raise PackageError(issues)
    builder = _Builder(test, items, media, version)
    documents = builder.documents()
    if builder.issues:
        raise PackageError(builder.issues)
    serialized = {path: serialize(root, pretty_print=True) for path, root in documents.items()}
    if validate:
        issues = _validate(documents, serialized, set(builder.files) | set(documents))
        if issues:
            raise PackageError(issues)
    return _zip({**builder.files, **serialized}, version)


# -- input checks -----------------------------------------------------------------------


def _check_input(
    test: PackageTest, items: Sequence[PackageItem], media: Mapping[str, bytes]
) -> list[Issue]:
    issues: list[Issue] = []

    def problem(message: str) -> None:
        issues.append(Issue("input", None, "error", message))

    def identifier(value: str, what: str) -> None:
        why = identifier_problem(value)
        if why:
            problem(f"{what} identifier {value!r} {why}")

    identifier(test.identifier, "test")
    known: dict[str, int] = {}
    for index, entry in enumerate(items):
        ident = entry.item.identifier
        identifier(ident, f"item {index + 1} ({entry.bank_item_id})")
        if ident in known:
            problem(
                f"item identifier {ident!r} is used by items {known[ident] + 1} and {index + 1}"
            )
        known.setdefault(ident, index)
    stimuli: dict[str, PackageStimulus] = {}
    for entry in items:
        stimulus = entry.stimulus
        if stimulus is None:
            continue
        if stimuli.setdefault(stimulus.identifier, stimulus) != stimulus:
            problem(
                f"stimulus {stimulus.identifier!r} is given twice with different content "
                f"(item {entry.bank_item_id})"
            )
    for ident in stimuli:
        identifier(ident, "stimulus")
        if ident in known:
            problem(f"stimulus identifier {ident!r} is also an item's")
    if not test.sections:
        problem("the test has no sections")
    placed: dict[str, str] = {}
    sections: set[str] = set()
    for section in test.sections:
        identifier(section.identifier, "section")
        if section.identifier in sections or section.identifier in known:
            problem(f"section identifier {section.identifier!r} is used twice")
        sections.add(section.identifier)
        for ident in section.items:
            if ident not in known:
                problem(
                    f"section {section.identifier!r} lists {ident!r}, which is not an item given"
                )
            elif ident in placed:
                problem(
                    f"item {ident!r} is in section {placed[ident]!r} and {section.identifier!r}"
                )
            placed.setdefault(ident, section.identifier)
    for ident in known:
        if ident not in placed:
            problem(f"item {ident!r} is in no section")
    if test.time_limit is not None and test.time_limit <= 0:
        problem(f"the time limit must be a positive number of seconds, not {test.time_limit}")
    for digest, data in media.items():
        if hashlib.sha256(data).hexdigest() != digest:
            problem(f"media {digest!r}: the bytes do not have that SHA-256")
        elif _image_extension(data) is None:
            problem(f"media {digest!r} is not a PNG, JPEG or GIF image")
    return issues


def _image_extension(data: bytes) -> str | None:
    for magic, extension in _IMAGE_TYPES:
        if data.startswith(magic):
            return extension
    return None


# -- writing ----------------------------------------------------------------------------


def _item_path(identifier: str) -> str:
    return f"items/{identifier}.xml"


def _stimulus_path(identifier: str) -> str:
    return f"stimuli/{identifier}.xml"


#: The class of the ``div`` a QTI 2.1 item carries its passage in (see the module's text).
STIMULUS_CLASS = "itembank-stimulus"


class _Builder:
    def __init__(
        self,
        test: PackageTest,
        items: Sequence[PackageItem],
        media: Mapping[str, bytes],
        version: QtiVersion,
    ) -> None:
        self.test, self.items, self.media, self.version = test, items, media, version
        self.issues: list[Issue] = []
        self.files: dict[str, bytes] = {}  # media, by package path
        self.media_ids: dict[str, str] = {}  # package path -> resource identifier

    def documents(self) -> dict[str, etree._Element]:
        """Every XML document by package path (the manifest last)."""
        documents: dict[str, etree._Element] = {}
        resources: list[Resource] = []
        item_resources: list[str] = []
        stimulus_resources: list[Resource] = []
        if self.version == "3.0":
            stimulus_resources = self._stimuli(documents)
        for entry in self.items:
            path = _item_path(entry.item.identifier)
            used: list[str] = []
            item = entry.item
            if entry.stimulus is not None and self.version != "3.0":
                item = _with_inline_stimulus(item, entry.stimulus)
            try:
                root = write_item(item, self.version, resolve_src=self._resolver(path, used))
            except QtiWriteError as exc:
                self.issues.append(Issue(path, None, "error", str(exc)))
                continue
            dependencies: list[str] = []
            if entry.stimulus is not None and self.version == "3.0":
                _reference_stimulus(root, entry.stimulus, path, self.version)
                dependencies.append(_stimulus_resource_id(entry.stimulus.identifier))
            documents[path] = root
            resource_id = f"RES-ITEM-{entry.item.identifier}"
            item_resources.append(resource_id)
            dependencies += (self.media_ids[media_path] for media_path in dict.fromkeys(used))
            resources.append(
                Resource(resource_id, "item", (path,), tuple(dependencies), _metadata(entry))
            )
        test_path = f"tests/{self.test.identifier}.xml"
        documents[test_path] = _write_test(self.test, self.version, test_path)
        resources.insert(
            0,
            Resource(
                f"RES-TEST-{self.test.identifier}", "test", (test_path,), tuple(item_resources)
            ),
        )
        resources += stimulus_resources
        for media_path, resource_id in sorted(self.media_ids.items()):
            resources.append(Resource(resource_id, "webcontent", (media_path,)))
        resources.append(Resource("RES-CHECKSUMS", "webcontent", (CHECKSUMS,)))
        documents[MANIFEST] = write_manifest(
            f"MANIFEST-{self.test.identifier}", resources, self.version, TOOL_VERSION
        )
        return documents

    def _stimuli(self, documents: dict[str, etree._Element]) -> list[Resource]:
        """Write each stimulus the items name once (QTI 3.0), in identifier order."""
        stimuli = {e.stimulus.identifier: e.stimulus for e in self.items if e.stimulus}
        resources = []
        for ident in sorted(stimuli):
            stimulus = stimuli[ident]
            path = _stimulus_path(ident)
            used: list[str] = []
            try:
                documents[path] = write_stimulus(
                    stimulus.identifier,
                    stimulus.title,
                    stimulus.body,
                    self.version,
                    lang=stimulus.lang,
                    resolve_src=self._resolver(path, used),
                )
            except QtiWriteError as exc:
                self.issues.append(Issue(path, None, "error", str(exc)))
                continue
            resources.append(
                Resource(
                    _stimulus_resource_id(ident),
                    "stimulus",
                    (path,),
                    tuple(self.media_ids[media_path] for media_path in dict.fromkeys(used)),
                    stimulus=StimulusMetadata(
                        bank_passage_id=stimulus.bank_passage_id,
                        version=stimulus.version,
                        title=stimulus.title,
                        lang=stimulus.lang,
                    ),
                )
            )
        return resources

    def _resolver(self, item_path: str, used: list[str]) -> Callable[[str], str]:
        up = _media_from(posixpath.dirname(item_path))

        def resolve(src: str) -> str:
            digest = src[len(_MEDIA_PREFIX) :] if src.startswith(_MEDIA_PREFIX) else None
            data = self.media.get(digest) if digest else None
            if data is None:
                raise QtiWriteError(
                    f"image {src!r} is not one of the media given (the package ships only "
                    "the bank's own images, /media/<sha256>)"
                )
            name = f"{digest}.{_image_extension(data)}"
            path = f"media/{name}"
            self.files[path] = data
            self.media_ids[path] = f"RES-MEDIA-{digest}"
            used.append(path)
            return up + name

        return resolve


@lru_cache(maxsize=16)
def _media_from(folder: str) -> str:
    """The relative path from ``folder`` to ``media/``: every document sits one folder
    down (items/, stimuli/), as media/ does. (``relpath`` asks for the working folder.)"""
    return posixpath.relpath("media", folder) + "/"


def _stimulus_resource_id(identifier: str) -> str:
    return f"RES-STIMULUS-{identifier}"


def _reference_stimulus(
    root: etree._Element, stimulus: PackageStimulus, item_path: str, version: QtiVersion
) -> None:
    """Add the item's ``qti-assessment-stimulus-ref`` where the schema wants it: after
    the declarations, before the item body."""
    s = Spelling(version)
    reference = s.element(
        None,
        "assessmentStimulusRef",
        identifier=stimulus.identifier,
        href=posixpath.relpath(_stimulus_path(stimulus.identifier), posixpath.dirname(item_path)),
        title=stimulus.title,
    )
    body = root.find(s.tag("itemBody"))
    root.insert(root.index(body) if body is not None else len(root), reference)


def _with_inline_stimulus(item: AssessmentItem, stimulus: PackageStimulus) -> AssessmentItem:
    """QTI 2.1: the item with the passage written at the start of its body (a ``div``
    of class :data:`STIMULUS_CLASS` holding the title as ``h2`` and the text)."""
    title = html.escape(stimulus.title, quote=False)
    passage = Html(
        f'<div class="{STIMULUS_CLASS}" id="{html.escape(stimulus.identifier)}">'
        f"<h2>{title}</h2>{stimulus.body}</div>"
    )
    return replace(item, body=(passage, *item.body))


def _metadata(entry: PackageItem) -> ItemMetadata:
    item = entry.item
    return ItemMetadata(
        bank_item_id=entry.bank_item_id,
        version=entry.version,
        title=item.title,
        lang=item.lang,
        classifications=entry.classifications,
        interaction_types=tuple(item.interaction_types()),
        scored_by_person=item.scored_by_person(),
        solution_available=any(response.correct for response in item.responses),
    )


def _write_test(test: PackageTest, version: QtiVersion, path: str) -> etree._Element:
    """One test part with the sections in order; ``SCORE`` and ``MAXSCORE`` sum the items'."""
    s = Spelling(version)
    root = s.element(None, "assessmentTest", identifier=test.identifier, title=test.title)
    root.set(f"{{{s.nsmap['xsi']}}}schemaLocation", s.schema_location)
    for name in ("SCORE", "MAXSCORE"):
        declaration = s.element(
            root, "outcomeDeclaration", identifier=name, cardinality="single", baseType="float"
        )
        s.element(s.element(declaration, "defaultValue"), "value").text = "0"
    if test.time_limit is not None:
        s.element(root, "timeLimits", maxTime=str(test.time_limit))
    part = s.element(
        root,
        "testPart",
        identifier="part_1",
        navigationMode=test.navigation_mode,
        submissionMode=test.submission_mode,
    )
    folder = posixpath.dirname(path)
    for section in test.sections:
        element = s.element(
            part,
            "assessmentSection",
            identifier=section.identifier,
            title=section.title,
            visible="true",
        )
        for ident in section.items:
            href = posixpath.relpath(_item_path(ident), folder)
            s.element(element, "assessmentItemRef", identifier=ident, href=href)
    processing = s.element(root, "outcomeProcessing")
    for name in ("SCORE", "MAXSCORE"):
        total = s.element(processing, "setOutcomeValue", identifier=name)
        s.element(total, "testVariables", variableIdentifier=name)
    return root


# -- validation -------------------------------------------------------------------------
# The manifest schemas import the metadata schemas, so LOM records are checked with them.


def _validate(
    documents: Mapping[str, etree._Element], serialized: Mapping[str, bytes], names: set[str]
) -> list[Issue]:
    """Validate the trees as built (all at once: :func:`qti.validate.validate_elements`,
    given the bytes each tree was just written to, so that the checks no schema makes are
    left out where those bytes prove them clean); documents with errors are read back
    from their bytes so that the issues carry line numbers."""
    issues: list[Issue] = []
    found_all = validate_elements(
        list(documents.items()), serialized=[serialized[path] for path in documents]
    )
    for (path, _root), found in zip(documents.items(), found_all, strict=True):
        if any(issue.severity == "error" for issue in found):
            found = validate_element(parse_bytes(serialized[path]), name=path)
        issues += (issue for issue in found if issue.severity == "error")
    issues += _listing_issues(documents[MANIFEST], names)
    return issues


def _listing_issues(manifest: etree._Element, names: set[str]) -> list[Issue]:
    """The manifest lists every file in the package (except itself), and nothing else."""
    listed = {element.get("href") for element in manifest.iter("{*}file")}
    issues = [
        Issue(path, None, "error", "is in the package but not listed in the manifest")
        for path in sorted(names - listed - {MANIFEST, CHECKSUMS})
    ]
    issues += (
        Issue(MANIFEST, None, "error", f"lists {path!r}, which is not in the package")
        for path in sorted(listed - names - {CHECKSUMS})
    )
    return issues


# -- zip --------------------------------------------------------------------------------


def _zip(files: dict[str, bytes], version: QtiVersion) -> Package:
    digests = {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    checksums = "".join(f"{digests[path]}  {path}\n" for path in sorted(files)).encode()
    files[CHECKSUMS] = checksums
    digests[CHECKSUMS] = hashlib.sha256(checksums).hexdigest()
    paths = sorted(files)
    # Images, compressed already, are stored; documents deflated at level 3, which makes
    # exported items 7% larger than level 6 in 70% of its time.
    data = write_zip(
        [(path, files[path], _image_extension(files[path]) is None) for path in paths], _ZIP_LEVEL
    )
    listing = tuple(PackageFile(path, len(files[path]), digests[path]) for path in paths)
    return Package(data, hashlib.sha256(data).hexdigest(), listing, version)
