"""Namespace constants and the ``qn()`` helper, in one place.

Every module of :mod:`qti` takes its namespace URIs from here, never from a literal, so a
typo cannot silently produce elements in an unknown namespace::

    >>> qn("qti3:qti-assessment-item")
    '{http://www.imsglobal.org/xsd/imsqtiasi_v3p0}qti-assessment-item'
    >>> qn("xml:lang")
    '{http://www.w3.org/XML/1998/namespace}lang'
"""

from __future__ import annotations

from types import MappingProxyType

QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI22 = "http://www.imsglobal.org/xsd/imsqti_v2p2"
QTI30 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
IMSCP11 = "http://www.imsglobal.org/xsd/imscp_v1p1"
"""IMS Content Packaging 1.1 manifests, used by QTI 2.x packages."""
QTI30_CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
"""The QTI 3.0 profile of IMS Content Packaging (``imsmanifest.xml`` of QTI 3.0 packages)."""
IMSMD = "http://www.imsglobal.org/xsd/imsmd_v1p2"
"""IMS Meta-data 1.2.4 (LOM) inside QTI 2.x manifests."""
LOM = "http://ltsc.ieee.org/xsd/LOM"
"""IEEE LOM (IMS MD 1.3 loose binding) inside QTI 3.0 manifests."""
QTI21_RESULT = "http://www.imsglobal.org/xsd/imsqti_result_v2p1"
"""QTI 2.1 Results Reporting (``assessmentResult`` documents)."""
QTI22_RESULT = "http://www.imsglobal.org/xsd/imsqti_result_v2p2"
"""QTI 2.2 Results Reporting."""
QTI30_RESULT = "http://www.imsglobal.org/xsd/imsqti_result_v3p0"
"""QTI 3.0 Results Reporting."""
XML = "http://www.w3.org/XML/1998/namespace"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
MATHML = "http://www.w3.org/1998/Math/MathML"
XINCLUDE = "http://www.w3.org/2001/XInclude"

NSMAP: MappingProxyType[str, str] = MappingProxyType(
    {
        "qti21": QTI21,
        "qti22": QTI22,
        "qti3": QTI30,
        "imscp": IMSCP11,
        "qti3cp": QTI30_CP,
        "imsmd": IMSMD,
        "lom": LOM,
        "qti21r": QTI21_RESULT,
        "qti22r": QTI22_RESULT,
        "qti3r": QTI30_RESULT,
        "xml": XML,
        "xsi": XSI,
        "m": MATHML,
        "xi": XINCLUDE,
    }
)
"""Prefix -> namespace URI, for :func:`qn` and XPath ``namespaces=`` arguments."""

QTI_NAMESPACES: frozenset[str] = frozenset({QTI21, QTI22, QTI30})
CP_NAMESPACES: frozenset[str] = frozenset({IMSCP11, QTI30_CP})
RESULT_NAMESPACES: frozenset[str] = frozenset({QTI21_RESULT, QTI22_RESULT, QTI30_RESULT})

SCHEMA_LOCATIONS: MappingProxyType[str, str] = MappingProxyType(
    {
        QTI21: "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd",
        QTI22: "http://www.imsglobal.org/xsd/qti/qtiv2p2/imsqti_v2p2p4.xsd",
        QTI30: "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd",
        IMSCP11: "http://www.imsglobal.org/xsd/imscp_v1p1.xsd",
        QTI30_CP: "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd",
        IMSMD: "http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd",
        LOM: "https://purl.imsglobal.org/spec/md/v1p3/schema/xsd/imsmd_loose_v1p3p2.xsd",
        QTI21_RESULT: "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_result_v2p1.xsd",
        QTI22_RESULT: "http://www.imsglobal.org/xsd/qti/qtiv2p2/imsqti_result_v2p2.xsd",
        QTI30_RESULT: "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_resultv3p0_v1p0.xsd",
    }
)
"""Namespace -> public schema URL, for the ``xsi:schemaLocation`` of written documents."""


def qn(prefixed_tag: str) -> str:
    """Return the Clark notation (``{uri}local``) of ``prefix:local``.

    A name without a prefix is returned unchanged (attributes without a namespace).

    :raises KeyError: if the prefix is not in :data:`NSMAP`.
    """
    prefix, sep, local = prefixed_tag.partition(":")
    if not sep:
        return prefixed_tag
    return f"{{{NSMAP[prefix]}}}{local}"


def split_tag(tag: str) -> tuple[str | None, str]:
    """Split a Clark-notation tag into ``(namespace or None, local name)``."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri, local
    return None, tag
