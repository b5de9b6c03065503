"""Which schema validates which document, and a cache of compiled schemas.

Compiling the QTI 2.2 and 3.0 schemas takes seconds, so each schema file is compiled at
most once per process: on first use, or all at once by :func:`preload_schemas` when a
server starts. The cache is guarded by a lock so that concurrent first uses compile it
once. lxml keeps the error log of a validation on the schema object, so each compiled
schema also carries a lock held while it validates.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from qti import ns
from qti._names import find_child, local_name, namespace_of
from qti.xml import make_parser

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


@dataclass(frozen=True)
class SchemaSpec:
    """A schema file (relative to :data:`SCHEMA_DIR`) and how to name it in messages.

    :ivar data_attributes_allowed: the schema rejects ``data-*`` attributes although the
        specification allows them (the QTI 3.0 strict profile), so such errors are dropped.
    """

    path: str
    label: str
    data_attributes_allowed: bool = False


QTI21_SCHEMA = SchemaSpec("qtiv2p1/imsqti_v2p1.xsd", "QTI 2.1 schema")
QTI22_SCHEMA = SchemaSpec("qtiv2p2p4/imsqti_v2p2p4.xsd", "QTI 2.2.4 schema")
QTI30_LENIENT_SCHEMA = SchemaSpec("qtiv3p0p1/imsqti_asiv3p0p1_v1p0.xsd", "QTI 3.0 schema")
QTI30_STRICT_SCHEMA = SchemaSpec(
    "qtiv3p0/imsqti_asiv3p0_sbacv1p0_v1p0.xsd",
    "QTI 3.0 strict profile",
    data_attributes_allowed=True,
)
CP11_SCHEMA = SchemaSpec("imscp_v1p1.xsd", "IMS CP 1.1 schema")
QTI30_CP_SCHEMA = SchemaSpec(
    "qtiv3p0/imsqtiv3p0_imscpv1p2_v1p0.xsd", "QTI 3.0.0 content-packaging schema"
)
QTI301_CP_SCHEMA = SchemaSpec(
    "qtiv3p0/imsqtiv3p0p1_imscpv1p2_v1p0.xsd", "QTI 3.0.1 content-packaging schema"
)
IMSMD_SCHEMA = SchemaSpec("imsmd_v1p2p4.xsd", "IMS MD 1.2.4 schema")
LOM_SCHEMA = SchemaSpec("imsmd_loose_v1p3p2.xsd", "IMS MD 1.3 (LOM) schema")
QTI21_RESULT_SCHEMA = SchemaSpec("qtiv2p1/imsqti_result_v2p1.xsd", "QTI 2.1 results schema")
QTI22_RESULT_SCHEMA = SchemaSpec("qtiv2p2p4/imsqti_result_v2p2.xsd", "QTI 2.2 results schema")
QTI30_RESULT_SCHEMA = SchemaSpec("qtiv3p0/imsqti_resultv3p0_v1p0.xsd", "QTI 3.0 results schema")

ALL_SCHEMAS: tuple[SchemaSpec, ...] = (
    QTI21_SCHEMA,
    QTI22_SCHEMA,
    QTI30_LENIENT_SCHEMA,
    QTI30_STRICT_SCHEMA,
    CP11_SCHEMA,
    QTI30_CP_SCHEMA,
    QTI301_CP_SCHEMA,
    IMSMD_SCHEMA,
    LOM_SCHEMA,
    QTI21_RESULT_SCHEMA,
    QTI22_RESULT_SCHEMA,
    QTI30_RESULT_SCHEMA,
)


@dataclass(frozen=True)
class DocumentKind:
    """What a document is, as far as validation is concerned.

    :ivar label: e.g. ``"QTI 3.0 assessment item"``.
    :ivar family: ``"qti"``, ``"manifest"``, ``"metadata"`` or ``"results"`` (a QTI
        Results Reporting ``assessmentResult``).
    :ivar version: ``"2.1"``, ``"2.2"``, ``"3.0"`` for QTI and results; ``"1.1"``, ``"3.0.0"``,
        ``"3.0.1"`` for manifests; ``""`` for metadata.
    :ivar role: the QTI 2 local name of the root (``assessmentItem``, ``manifest``, ...).
    :ivar schemas: the schemas the document must pass, all of them.
    :ivar note: a remark about the detection worth reporting (e.g. an unknown
        ``schemaversion``), or ``""``.
    """

    label: str
    family: str
    version: str
    role: str
    schemas: tuple[SchemaSpec, ...]
    note: str = ""


_ROLE_LABELS = {
    "assessmentItem": "assessment item",
    "assessmentTest": "assessment test",
    "assessmentSection": "assessment section",
    "assessmentStimulus": "assessment stimulus",
}

RESULT_VERSIONS: dict[str, tuple[str, SchemaSpec]] = {
    ns.QTI21_RESULT: ("2.1", QTI21_RESULT_SCHEMA),
    ns.QTI22_RESULT: ("2.2", QTI22_RESULT_SCHEMA),
    ns.QTI30_RESULT: ("3.0", QTI30_RESULT_SCHEMA),
}
"""Results Reporting namespace -> (QTI version, its schema)."""

_QTI_VERSIONS: dict[str, tuple[str, tuple[SchemaSpec, ...]]] = {
    ns.QTI21: ("2.1", (QTI21_SCHEMA,)),
    ns.QTI22: ("2.2", (QTI22_SCHEMA,)),
    ns.QTI30: ("3.0", (QTI30_LENIENT_SCHEMA, QTI30_STRICT_SCHEMA)),
}


def detect_kind(root: etree._Element) -> DocumentKind | None:
    """Tell what ``root`` is from its namespace and local name; ``None`` if unknown."""
    uri = namespace_of(root)
    role = local_name(root) or ""
    if uri in _QTI_VERSIONS:
        return _qti_kind(uri, role)
    if uri in RESULT_VERSIONS:
        version, schema = RESULT_VERSIONS[uri]
        what = "results report" if role == "assessmentResult" else f"<{role}> document"
        return DocumentKind(f"QTI {version} {what}", "results", version, role, (schema,))
    if uri == ns.IMSCP11 and role == "manifest":
        return DocumentKind("IMS CP 1.1 manifest", "manifest", "1.1", role, (CP11_SCHEMA,))
    if uri == ns.QTI30_CP and role == "manifest":
        return _qti3_manifest_kind(root)
    if uri == ns.LOM and role == "lom":
        return DocumentKind("LOM metadata", "metadata", "", role, (LOM_SCHEMA,))
    if uri == ns.IMSMD and role == "lom":
        return DocumentKind("IMS MD 1.2 metadata", "metadata", "", role, (IMSMD_SCHEMA,))
    return None


@lru_cache(maxsize=256)
def _qti_kind(uri: str, role: str) -> DocumentKind:
    """A QTI document's kind (the same for every document of one namespace and root)."""
    version, schemas = _QTI_VERSIONS[uri]
    what = _ROLE_LABELS.get(role, f"<{role}> document")
    return DocumentKind(f"QTI {version} {what}", "qti", version, role, schemas)


def _qti3_manifest_kind(root: etree._Element) -> DocumentKind:
    metadata = find_child(root, "metadata")
    version_el = find_child(metadata, "schemaversion") if metadata is not None else None
    version = (version_el.text or "").strip() if version_el is not None else ""
    if version == "3.0.1":
        return DocumentKind(
            "QTI 3.0.1 manifest", "manifest", "3.0.1", "manifest", (QTI301_CP_SCHEMA,)
        )
    note = ""
    if version != "3.0.0":
        shown = f"'{version}'" if version else "missing"
        note = f"manifest <schemaversion> is {shown}; expected 3.0.0 or 3.0.1 (validated as 3.0.0)"
    return DocumentKind(
        "QTI 3.0.0 manifest", "manifest", "3.0.0", "manifest", (QTI30_CP_SCHEMA,), note
    )


@dataclass
class _Compiled:
    schema: etree.XMLSchema
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache: dict[str, _Compiled] = {}
_cache_lock = threading.Lock()


def _compiled(spec: SchemaSpec | str) -> _Compiled:
    path = spec.path if isinstance(spec, SchemaSpec) else spec
    entry = _cache.get(path)
    if entry is not None:
        return entry
    with _cache_lock:
        entry = _cache.get(path)
        if entry is None:
            document = etree.parse(str(SCHEMA_DIR / path), parser=make_parser())
            entry = _Compiled(etree.XMLSchema(document))
            _cache[path] = entry
    return entry


def get_schema(spec: SchemaSpec | str) -> etree.XMLSchema:
    """The compiled schema for a :class:`SchemaSpec` or a path under :data:`SCHEMA_DIR`.

    Compiled on first use, then the same object is returned for the life of the process.
    """
    return _compiled(spec).schema


def preload_schemas(specs: Iterable[SchemaSpec | str] = ALL_SCHEMAS) -> float:
    """Compile ``specs`` now (by default every schema used here); the seconds it took.

    Meant for the start of a long-lived process, so that no request or job waits
    seconds for a schema on first use: gunicorn's master calls it before it forks its
    workers, which then share the compiled schemas, and the job worker calls it when it
    starts. Schemas already compiled are not compiled again.
    """
    started = time.perf_counter()
    for spec in specs:
        _compiled(spec)
    return time.perf_counter() - started


def cached_schema(spec: SchemaSpec | str) -> etree.XMLSchema | None:
    """The compiled schema if it is already in the cache, without compiling it."""
    path = spec.path if isinstance(spec, SchemaSpec) else spec
    entry = _cache.get(path)
    return entry.schema if entry is not None else None


def schema_errors(spec: SchemaSpec, root: etree._Element) -> list[tuple[int | None, str]]:
    """Validate ``root`` against one schema; ``(line, message)`` for each error."""
    entry = _compiled(spec)
    with entry.lock:
        if entry.schema.validate(root):
            return []
        log = list(entry.schema.error_log)
    root_uri = namespace_of(root)
    return [
        (error.line or None, _tidy(error.message, root_uri))
        for error in log
        if not (spec.data_attributes_allowed and _DATA_ATTRIBUTE.search(error.message))
    ]


# QTI 3.0 allows custom data-* attributes on every element; the strict profile does not know.
_DATA_ATTRIBUTE = re.compile(r"attribute 'data-[^']*': The attribute '[^']*' is not allowed")


_PREFIXES = {uri: prefix for prefix, uri in ns.NSMAP.items()}


def _tidy(message: str, root_uri: str | None) -> str:
    """Drop the document's own namespace from lxml messages and shorten the others."""
    if root_uri:
        message = message.replace(f"{{{root_uri}}}", "")
    for uri, prefix in _PREFIXES.items():
        message = message.replace(f"{{{uri}}}", f"{prefix}:")
    return message
