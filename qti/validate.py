"""Validate QTI documents and content packages.

:func:`validate_document` checks one XML document: it tells what the document is from its
root (QTI 2.1 / 2.2 / 3.0 item, test, section or stimulus; IMS CP 1.1 manifest for QTI
2.x; QTI 3.0 manifest, schemaversion 3.0.0 or 3.0.1; QTI 2.1 / 2.2 / 3.0 results report,
``assessmentResult``), validates it against the right schema(s) - QTI 3.0 against both
the lenient 3.0.1 schema and the strict profile that catches misspelt attributes - and
then makes the checks no schema makes (see :mod:`qti._checks`).

:func:`validate_path` checks a document file, a folder or a zip package: the manifest, that
every href in it is relative and exists, that every file is listed, and every XML document
listed. Zips are read in place with limits against zip bombs and zip-slip names.

Every problem becomes an :class:`Issue`; nothing here raises on bad or hostile input.
"""

from __future__ import annotations

import io
import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from qti._checks import check_document
from qti._names import find_child, find_children, local_name, qti_attr
from qti._package import (
    DEFAULT_LIMITS,
    MANIFEST,
    FolderSource,
    PackageReadError,
    PackageSource,
    ZipLimits,
    ZipSource,
    is_external,
    manifest_href_problem,
    open_zip,
    resolve,
)
from qti._report import Issue, Report, Severity
from qti._schemas import (
    SCHEMA_DIR,
    SchemaSpec,
    cached_schema,
    detect_kind,
    get_schema,
    preload_schemas,
    schema_errors,
)
from qti._screen import proves_clean
from qti.ns import XML
from qti.xml import QtiParseError, parse_bytes

__all__ = [
    "SCHEMA_DIR",
    "Issue",
    "Report",
    "SchemaSpec",
    "ZipLimits",
    "cached_schema",
    "get_schema",
    "preload_schemas",
    "validate_document",
    "validate_element",
    "validate_elements",
    "validate_package_bytes",
    "validate_path",
]


def validate_document(data: bytes, *, name: str = "") -> list[Issue]:
    """Validate one XML document given as bytes; ``name`` labels the issues."""
    issues, _root = _parse_and_validate(data, name)
    return issues


def validate_element(root: etree._Element, *, name: str = "") -> list[Issue]:
    """Validate an already parsed document (its root element), as :func:`validate_document`.

    Line numbers are those of the source the element was parsed from, if any.
    """
    return validate_elements([(name, root)])[0]


def validate_elements(
    documents: Sequence[tuple[str, etree._Element]],
    *,
    serialized: Sequence[bytes] | None = None,
) -> list[list[Issue]]:
    """Validate several parsed documents (name, root element): for each, in order, the
    issues :func:`validate_element` gives it.

    The work is done one kind of work at a time - every document due for one schema
    against that schema, then the next schema, then the checks no schema makes - rather
    than document by document: the same calls, in an order that keeps each schema's
    compiled tables and the checks' code warm in the processor's caches (for a package's
    400 items, QTI 3.0 with its two schemas, about a quarter less time than alternating).

    ``serialized``, if given, holds each document's root as libxml2 writes it
    (:func:`qti.xml.serialize`, as the package builder does before zipping): the checks
    no schema makes are then skipped for the documents :func:`qti._screen.proves_clean`
    proves they find nothing in, with the same issues.
    """
    if serialized is not None and len(serialized) != len(documents):
        raise ValueError("serialized must hold one serialization per document")
    kinds = [detect_kind(root) for _, root in documents]
    due: dict[SchemaSpec, list[int]] = {}
    for index, kind in enumerate(kinds):
        for spec in kind.schemas if kind is not None else ():
            due.setdefault(spec, []).append(index)
    errors: dict[tuple[int, SchemaSpec], list[tuple[int | None, str]]] = {}
    for spec, indexes in due.items():
        for index in indexes:
            errors[index, spec] = schema_errors(spec, documents[index][1])
    findings = [
        check_document(root, kind.version)
        if kind is not None
        and kind.family == "qti"
        and not (serialized is not None and proves_clean(root, kind.version, serialized[index]))
        else []
        for index, ((_, root), kind) in enumerate(zip(documents, kinds, strict=True))
    ]
    results: list[list[Issue]] = []
    for index, ((name, root), kind) in enumerate(zip(documents, kinds, strict=True)):
        if kind is None:
            results.append([_unknown_document(root, name)])
            continue
        issues: list[Issue] = []
        if kind.note:
            issues.append(Issue(name, root.sourceline, "warning", kind.note))
        issues += _schema_issues([(spec, errors[index, spec]) for spec in kind.schemas], name)
        issues += (
            Issue(name, finding.line, finding.severity, finding.message)
            for finding in findings[index]
        )
        issues.sort(key=lambda issue: issue.line or 0)
        results.append(issues)
    return results


def _unknown_document(root: etree._Element, name: str) -> Issue:
    qname = etree.QName(root)
    where = f"namespace {qname.namespace!r}" if qname.namespace else "no namespace"
    message = (
        f"<{qname.localname}> in {where} is not a QTI, content-packaging or metadata "
        "document; checked for well-formedness only"
    )
    return Issue(name, root.sourceline, "warning", message)


def _schema_issues(
    errors: Sequence[tuple[SchemaSpec, list[tuple[int | None, str]]]], name: str
) -> list[Issue]:
    """One document's schema errors (each schema's, in the document's order of schemas)."""
    # The same error found by several schemas (QTI 3.0: lenient and strict) is reported once.
    found: dict[tuple[int | None, str], list[str]] = {}
    for spec, spec_errors in errors:
        for line, message in spec_errors:
            found.setdefault((line, message), []).append(spec.label)
    return [
        Issue(name, line, "error", f"{' and '.join(labels)}: {message}")
        for (line, message), labels in found.items()
    ]


def _parse_and_validate(data: bytes, name: str) -> tuple[list[Issue], etree._Element | None]:
    try:
        root = parse_bytes(data)
    except QtiParseError as exc:
        return [Issue(name, exc.line, "error", f"not well-formed XML: {exc.message}")], None
    return validate_element(root, name=name), root


def validate_path(path: str | os.PathLike[str], *, limits: ZipLimits = DEFAULT_LIMITS) -> Report:
    """Validate an XML document file, a folder or a zip package.

    A folder or zip with an ``imsmanifest.xml`` at its root is validated as a content
    package; a folder without one has each of its ``.xml`` files validated on its own.
    """
    report = Report(str(path))
    target = Path(path)
    label = target.name or str(path)
    if target.is_dir():
        folder = FolderSource(target, label)
        report.issues += folder.issues
        _validate_source(folder, report)
    elif not target.exists():
        report.issues.append(Issue(label, None, "error", "does not exist"))
    elif target.suffix.lower() == ".xml":
        try:
            data = target.read_bytes()
        except OSError as exc:
            report.issues.append(Issue(label, None, "error", f"cannot be read: {exc}"))
            return report
        report.issues += validate_document(data, name=label)
        report.documents += 1
    else:
        _validate_zip(target, label, limits, report)
    return report


def validate_package_bytes(
    data: bytes, *, name: str = "package.zip", limits: ZipLimits = DEFAULT_LIMITS
) -> Report:
    """Validate a zip package held in memory (for example, one just exported)."""
    report = Report(name)
    _validate_zip(io.BytesIO(data), name, limits, report)
    return report


def _validate_zip(file: Path | io.BytesIO, label: str, limits: ZipLimits, report: Report) -> None:
    source, issues = open_zip(file, label, limits)
    report.issues += issues
    if source is not None:
        try:
            _validate_source(source, report)
        finally:
            source.close()


# -- packages ---------------------------------------------------------------------------


@dataclass
class _Resource:
    identifier: str
    line: int | None
    files: list[str] = field(default_factory=list)  # resolved member names
    dependencies: list[str] = field(default_factory=list)


def _validate_source(source: PackageSource, report: Report) -> None:
    names = set(source.names)
    if MANIFEST not in names:
        if isinstance(source, ZipSource):
            message = f"no {MANIFEST} at the package root"
            report.issues.append(Issue(source.label, None, "error", message))
        for member in source.names:
            if member.lower().endswith(".xml"):
                _validate_member(source, member, report)
        return
    manifest = _validate_member(source, MANIFEST, report)
    if manifest is None:
        return
    resources = _read_resources(manifest, names, report)
    listed: dict[str, None] = {}
    for resource in resources:
        for member in resource.files:
            listed.setdefault(member, None)
    for member in source.names:
        if member != MANIFEST and member not in listed:
            message = "is in the package but not listed in the manifest"
            report.issues.append(Issue(member, None, "error", message))
    reachable = _reachable_files(resources)
    for member in listed:
        if member in names and member.lower().endswith(".xml"):
            root = _validate_member(source, member, report)
            if root is not None:
                _check_content_references(root, member, names, reachable.get(member), report)


def _validate_member(source: PackageSource, member: str, report: Report) -> etree._Element | None:
    try:
        data = source.read(member)
    except PackageReadError as exc:
        report.issues.append(Issue(member, None, "error", str(exc)))
        return None
    issues, root = _parse_and_validate(data, member)
    report.issues += issues
    report.documents += 1
    return root


def _error(report: Report, file: str, line: int | None, message: str) -> None:
    report.issues.append(Issue(file, line, "error", message))


def _read_resources(manifest: etree._Element, names: set[str], report: Report) -> list[_Resource]:
    resources_el = find_child(manifest, "resources")
    if resources_el is None:
        return []
    outer_base = resources_el.get(f"{{{XML}}}base", "")
    resources: list[_Resource] = []
    seen: set[str] = set()
    for element in find_children(resources_el, "resource"):
        identifier = element.get("identifier", "")
        line = element.sourceline
        if identifier in seen:
            _error(report, MANIFEST, line, f"resource identifier {identifier!r} is used twice")
        seen.add(identifier)
        base = _join_base(outer_base, element.get(f"{{{XML}}}base", ""))
        resource = _Resource(identifier, line)
        for file_el in find_children(element, "file"):
            href = file_el.get("href", "")
            member = _manifest_href(href, base, file_el.sourceline, "<file href>", report)
            if member is None:
                continue
            resource.files.append(member)
            if member not in names:
                message = f"<file href={href!r}> is not in the package"
                _error(report, MANIFEST, file_el.sourceline, message)
        href = element.get("href")
        if href is not None:
            member = _manifest_href(href, base, line, f"resource {identifier!r} href", report)
            if member is not None and member not in names:
                message = f"resource {identifier!r} href {href!r} is not in the package"
                _error(report, MANIFEST, line, message)
            elif member is not None and member not in resource.files:
                message = (
                    f"resource {identifier!r} href {href!r} is not also listed as "
                    "one of its <file> elements"
                )
                report.issues.append(Issue(MANIFEST, line, "warning", message))
        for dependency in find_children(element, "dependency"):
            resource.dependencies.append(qti_attr(dependency, "identifierref") or "")
        resources.append(resource)
    known = {resource.identifier for resource in resources}
    for resource in resources:
        for ref in resource.dependencies:
            if ref not in known:
                message = f"resource {resource.identifier!r} depends on unknown resource {ref!r}"
                _error(report, MANIFEST, resource.line, message)
    return resources


def _join_base(outer: str, inner: str) -> str:
    joined = posixpath.join(outer, inner) if inner else outer
    return posixpath.normpath(joined) if joined else ""


def _manifest_href(href: str, base: str, line: int | None, what: str, report: Report) -> str | None:
    problem = manifest_href_problem(href)
    full = posixpath.join(base, href) if base else href
    if problem is None and base:
        problem = manifest_href_problem(full)
    if problem:
        _error(report, MANIFEST, line, f"{what} {href!r} {problem}")
        return None
    member = resolve("", full)
    if not member:
        _error(report, MANIFEST, line, f"{what} {href!r} does not name a file")
        return None
    return member


def _reachable_files(resources: list[_Resource]) -> dict[str, set[str]]:
    """For each listed file, the files of the resources listing it and their dependencies."""
    by_id = {resource.identifier: resource for resource in resources}
    reachable: dict[str, set[str]] = {}
    for resource in resources:
        files: set[str] = set()
        pending, visited = [resource.identifier], set()
        while pending:
            current = by_id.get(pending.pop())
            if current is None or current.identifier in visited:
                continue
            visited.add(current.identifier)
            files.update(current.files)
            pending.extend(current.dependencies)
        for member in resource.files:
            reachable.setdefault(member, set()).update(files)
    return reachable


# Attributes of content elements (QTI 2 local names) that point at package files.
_REFERENCE_ATTRIBUTES: dict[str, str] = {
    "img": "src",
    "object": "data",
    "source": "src",
    "audio": "src",
    "video": "src",
    "track": "src",
    "embed": "src",
    "iframe": "src",
    "stylesheet": "href",
    "include": "href",
    "assessmentItemRef": "href",
    "assessmentSectionRef": "href",
    "assessmentStimulusRef": "href",
}


def _check_content_references(
    root: etree._Element,
    member: str,
    names: set[str],
    reachable: set[str] | None,
    report: Report,
) -> None:
    folder = posixpath.dirname(member)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        attribute = _REFERENCE_ATTRIBUTES.get(local_name(element) or "")
        reference = element.get(attribute) if attribute else None
        if reference is None or not reference.strip() or is_external(reference):
            continue
        severity: Severity = "error"
        target = None if reference.startswith(("/", "\\")) else resolve(folder, reference)
        if target is None:
            message = f"refers to {reference!r}, which is outside the package"
        elif target not in names:
            message = f"refers to {reference!r}, which is not in the package"
        elif reachable is not None and target not in reachable:
            severity = "warning"
            message = (
                f"refers to {target!r}, which is not listed in this document's resource "
                "or its dependencies"
            )
        else:
            continue
        report.issues.append(Issue(member, element.sourceline, severity, message))
