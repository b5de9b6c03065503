"""The hardened parser, the serializer and the namespace helpers."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from qti import ns
from qti._names import camel_name, kebab_name
from qti.xml import QtiParseError, parse_bytes, serialize

ROOT = Path(__file__).resolve().parents[2]


def test_parse_keeps_line_numbers() -> None:
    root = parse_bytes(b"<a>\n  <b/>\n  <c/>\n</a>")
    assert [child.sourceline for child in root] == [2, 3]


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        (b"<a>\n<b>\n</a>", 3, "mismatch"),
        (b"<a>\n\n\n<b attr=1/></a>", 4, "AttValue"),
        (b"<a>\n</a>\n<second/>", 3, "Extra content"),
        (b"", 1, "empty"),
        (b"<a>&undefined;</a>", 1, "undefined"),
    ],
)
def test_malformed_xml_reports_the_line(data: bytes, line: int, fragment: str) -> None:
    with pytest.raises(QtiParseError) as caught:
        parse_bytes(data)
    assert caught.value.line == line
    assert fragment.lower() in caught.value.message.lower()
    assert str(caught.value).startswith(f"line {line}: ")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<lolz>&lol3;</lolz>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE item [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<item>&secret;</item>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!-- a comment first -->
<!DOCTYPE item SYSTEM "http://example.invalid/evil.dtd">
<item/>"""


@pytest.mark.parametrize(
    ("data", "line"), [(BILLION_LAUGHS, 2), (EXTERNAL_ENTITY, 2), (EXTERNAL_DTD, 3)]
)
def test_doctype_is_refused(data: bytes, line: int) -> None:
    with pytest.raises(QtiParseError) as caught:
        parse_bytes(data)
    assert "DOCTYPE" in caught.value.message
    assert caught.value.line == line


def test_doctype_in_another_encoding_is_refused() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'
    with pytest.raises(QtiParseError, match="DOCTYPE"):
        parse_bytes(data.encode("utf-16"))


def test_doctype_text_inside_content_is_not_a_declaration() -> None:
    root = parse_bytes(b"<a><![CDATA[<!DOCTYPE html>]]></a>")
    assert root.text == "<!DOCTYPE html>"


def test_no_network_access_for_xinclude_or_schema_hints() -> None:
    # Parsing never fetches anything: references stay references.
    data = (
        b'<a xmlns:xi="http://www.w3.org/2001/XInclude" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="urn:x http://example.invalid/x.xsd">'
        b'<xi:include href="http://example.invalid/secret.xml"/></a>'
    )
    root = parse_bytes(data)
    assert root[0].tag == f"{{{ns.XINCLUDE}}}include"


def test_str_input_is_refused() -> None:
    with pytest.raises(QtiParseError, match="bytes"):
        parse_bytes("<a/>")  # type: ignore[arg-type]


def test_comments_are_kept() -> None:
    root = parse_bytes(b"<a><!-- keep me --><b/></a>")
    assert isinstance(root[0], etree._Comment)


def test_serialize_is_deterministic_utf8_with_declaration() -> None:
    root = etree.Element(ns.qn("qti3:qti-assessment-item"), nsmap={None: ns.QTI30})
    root.set("identifier", "item_1")
    root.set(ns.qn("xml:lang"), "id")
    etree.SubElement(root, ns.qn("qti3:qti-item-body")).text = "Ibu kota – Jakarta"
    first = serialize(root)
    assert first == serialize(root)
    assert first.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<qti-assessment-item')
    assert first.endswith(b"</qti-assessment-item>\n")
    assert "Ibu kota – Jakarta".encode() in first
    assert serialize(parse_bytes(first)) == first


def test_serialize_leaves_out_the_tail_of_a_subelement() -> None:
    root = parse_bytes(b"<a><b>x</b>tail</a>")
    assert serialize(root[0]) == b'<?xml version="1.0" encoding="UTF-8"?>\n<b>x</b>\n'


def test_qn_and_names() -> None:
    assert ns.qn("qti21:assessmentItem") == f"{{{ns.QTI21}}}assessmentItem"
    assert ns.qn("xsi:schemaLocation") == f"{{{ns.XSI}}}schemaLocation"
    assert ns.qn("m:math") == "{http://www.w3.org/1998/Math/MathML}math"
    assert ns.qn("identifier") == "identifier"
    with pytest.raises(KeyError):
        ns.qn("nope:thing")
    assert camel_name("qti-response-else-if") == "responseElseIf"
    assert camel_name("base-type") == "baseType"
    assert camel_name("responseIf") == "responseIf"
    assert kebab_name("baseType") == "base-type"


def test_qti_imports_no_web_or_database_code() -> None:
    code = (
        "import sys, qti, qti.validate, qti.rp, qti.xml, qti.ns, qti.results\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'sqlalchemy', 'itembank', 'flask_sqlalchemy', 'marshmallow'})\n"
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == ""


def test_the_package_names_resolve_on_first_use() -> None:
    import qti

    assert sorted(qti.__all__) == sorted(qti._EXPORTS)
    for name in qti.__all__:
        assert getattr(qti, name) is getattr(importlib.import_module(qti._EXPORTS[name]), name)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = qti.nothing  # type: ignore[attr-defined]
