"""Tests for the rich-text sanitizer (itembank.sanitize)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from itembank import sanitize
from itembank.demo import demo_items
from itembank.plugins import PluginHost
from itembank.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    MATHML_ATTRIBUTES,
    MATHML_NS,
    MATHML_TAGS,
    MAX_DEPTH,
    MEDIA_SRC_RE,
    html_to_text,
    html_to_xhtml,
    media_references,
    sanitize_and_scan,
    sanitize_html,
    sanitize_inline_html,
)

SHA = "3f" * 32
SHA2 = "0123456789abcdef" * 4
MEDIA = f"/media/{SHA}"

EDITOR_HTML = (
    "<p>Harga <strong>Rp54.000</strong>/rim, H<sub>2</sub>O, x<sup>2</sup></p>"
    "<ul><li>a</li></ul>"
    "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
)

# Hostile input, grouped by technique. Every entry is checked by test_xss_payload.
XSS_PAYLOADS: list[str] = [
    # script elements, in every spelling a parser accepts
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt >alert(1)</sCrIpT >",
    "<script\n>alert(1)</script\n>",
    "<script/x>alert(1)</script>",
    "<script\ttype='text/javascript'>alert(1)</script>",
    '<script src="https://evil.example/x.js"></script>',
    "<p>pembuka</p><script>alert(1)",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<p>ok</p><script>document.write('<img src=x onerror=alert(1)>')</script>",
    "<head><script>alert(1)</script></head><p>x</p>",
    # event handler attributes
    "<img src=x onerror=alert(1)>",
    "<img src=x ONERROR=alert(1)>",
    "<img src=x onerror\n=\nalert(1)>",
    f'<img src="{MEDIA}" onerror="alert(1)" onload="alert(2)">',
    "<body onload=alert(1)><p>x</p>",
    '<p onmouseover="alert(1)">arahkan</p>',
    '<span lang="id" onclick=alert(1)>klik</span>',
    "<table><tr><td onfocus=alert(1) tabindex=1>sel</td></tr></table>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>jalan</marquee>",
    "<p/onclick=alert(1)>x</p>",
    '<strong onpointerenter="alert(1)">tebal</strong>',
    "<frameset onload=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    # dangerous URLs in img src and friends
    '<img src="javascript:alert(1)">',
    '<img src="JaVaScRiPt:alert(1)">',
    '<img src=" javascript:alert(1)">',
    '<img src="java&#x09;script:alert(1)">',
    '<img src="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">',
    '<img src="vbscript:msgbox(1)">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="data:text/html,<script>alert(1)</script>">',
    f'<img srcset="javascript:alert(1) 1x" src="{MEDIA}">',
    '<img dynsrc="javascript:alert(1)" lowsrc="javascript:alert(1)">',
    f'<img src="//evil.example{MEDIA}">',
    f'<img src="https://evil.example{MEDIA}">',
    '<img src="/media/../../etc/passwd">',
    f'<img src="{MEDIA}?x=1">',
    f'<img src="{MEDIA}#frag">',
    f'<img src="/media/{SHA.upper()}">',
    f'<img src="{MEDIA}/../x">',
    '<img src="\\\\evil.example\\share">',
    '<a href="javascript:alert(1)">klik</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">klik</a>',
    '<a href="vbscript:msgbox(1)">klik</a>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # styles
    '<p style="width: expression(alert(1))">x</p>',
    '<span style="background:url(javascript:alert(1))">x</span>',
    "<style>@import 'https://evil.example/x.css';</style><p>x</p>",
    '<div style="behavior: url(x.htc)">x</div>',
    '<style>p{background:url("javascript:alert(1)")}</style><p>x</p>',
    f'<img src="{MEDIA}" style="position:fixed;top:0">',
    # svg and mathml
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="1">x</text></a></svg>',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<svg><foreignObject><iframe src='javascript:alert(1)'></iframe></foreignObject></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<math><maction actiontype="statusline#" xlink:href="javascript:alert(1)">x</maction></math>',
    # embedding, navigation and document-level elements
    '<iframe src="javascript:alert(1)"></iframe>',
    "<iframe/src='javascript:alert(1)'>",
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<applet code="x.class">isi</applet>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button>kirim</button></form>',
    '<button formaction="javascript:alert(1)">tombol</button>',
    '<link rel="import" href="https://evil.example/x.html">',
    # raw-text containers and parser-confusion (mXSS) tricks
    "<template><img src=x onerror=alert(1)></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<noscript><style></noscript><img src=x onerror=alert(1)>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    "<noframes><img src=x onerror=alert(1)></noframes>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<select><option><img src=x onerror=alert(1)></option></select>",
    "<xml><x:script>alert(1)</x:script></xml>",
    "<p><svg><p><style><img src=x onerror=alert(1)></style></p></svg></p>",
    '<form><math><mtext></form><form><mglyph><style></math><img src onerror="alert(1)">',
    # comments, conditional comments and CDATA
    "<!--><img src=x onerror=alert(1)>-->",
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    "<!--[if gte IE 4]><img src=x onerror=alert(1)><![endif]-->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<p>a<!-- <script>alert(1)</script> -->b</p>",
    "<!DOCTYPE html><p>x</p>",
    "<?xml-stylesheet href='javascript:alert(1)'?><p>x</p>",
    # unclosed tags, quoting games and odd delimiters
    "<img src=x onerror=alert(1)//",
    '<p title="x',
    "<img src=`x`onerror=alert(1)>",
    "<img src=x onerror=\"alert('a\\\"b')\" alt='x\"y'>",
    '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">x</p>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    f'<img src="{MEDIA}" alt="<img src=x onerror=alert(1)>">',
    f'<img src="{MEDIA}" width="100 onload=alert(1)">',
    '<span lang="en onmouseover=alert(1)">x</span>',
    '<span lang="en" lang="x onclick=alert(1)">x</span>',
    "<img/src=x/onerror=alert(1)>",
    "<img\nsrc=x\nonerror=alert(1)\n>",
    # null bytes and control characters
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<img src=x on\x00error=alert(1)>",
    "<img\x00src=x onerror=alert(1)>",
    f'<img src="{MEDIA}\x00" alt="a\x01b">',
    '<a href="java\x00script:alert(1)">x</a>',
    "<p>\x0b\x0c\x1f</p>",
]

FORBIDDEN_SUBSTRINGS = [
    "<script",
    "<iframe",
    "<object",
    "<embed",
    "<svg",
    "<style",
    "<link",
    "<meta",
    "<base",
    "<form",
    "<input",
    "<button",
    "<a ",
    "<a>",
    "<template",
    "<noscript",
    "<textarea",
    "<select",
    "<frame",
    "<applet",
    "<xml",
    "<title",
    "<!--",
    "<![cdata",
    "javascript:",
    "vbscript:",
    "data:",
    "style=",
    "srcset",
    "href",
    "expression(",
]

_QUOTED_RE = re.compile(r'"[^"]*"')
_EVENT_ATTR_RE = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


def parse_fragment(xhtml: str) -> etree._Element:
    return etree.fromstring(f"<root>{xhtml}</root>")


def assert_safe(html: str) -> None:
    """Assert that ``html`` (sanitizer output) holds nothing but the allowed subset."""
    lowered = html.lower()
    for needle in FORBIDDEN_SUBSTRINGS:
        assert needle not in lowered, needle
    # Event handlers: look at the tags with attribute values blanked out, so that an
    # escaped alt text cannot hide or fake one.
    assert not _EVENT_ATTR_RE.search(_QUOTED_RE.sub('""', html))
    root = parse_fragment(html_to_xhtml(html))
    for element in root.iterdescendants():
        if allowed_mathml(element):
            continue
        assert element.tag in ALLOWED_TAGS
        for name, value in element.attrib.items():
            assert name in ALLOWED_ATTRIBUTES.get(element.tag, ()), (element.tag, name)
            if name == "src":
                assert MEDIA_SRC_RE.fullmatch(value)


def allowed_mathml(element: etree._Element) -> bool:
    """Whether ``element`` (of sanitizer output as XHTML) is MathML; if it is, assert
    that it is in the subset, inside a formula, and holds no HTML (namespace confusion)."""
    qname = etree.QName(element)
    inside_math = any(etree.QName(a).namespace == MATHML_NS for a in element.iterancestors())
    if qname.namespace != MATHML_NS:
        assert not inside_math, f"HTML <{qname.localname}> inside a formula"
        return False
    assert qname.localname in MATHML_TAGS, qname.localname
    assert inside_math == (qname.localname != "math"), qname.localname
    assert set(element.attrib) <= set(MATHML_ATTRIBUTES.get(qname.localname, ()))
    if qname.localname == "annotation":
        assert element.get("encoding") == "application/x-tex" and not len(element)
    return True


# -- hostile input ------------------------------------------------------------------------


def test_payload_list_is_large_and_unique() -> None:
    assert len(XSS_PAYLOADS) >= 60
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload(payload: str) -> None:
    cleaned = sanitize_html(payload)
    assert_safe(cleaned)
    # idempotent
    assert sanitize_html(cleaned) == cleaned
    # well-formed XML, both from the payload and from the cleaned text
    xhtml = html_to_xhtml(payload)
    parse_fragment(xhtml)
    assert html_to_xhtml(cleaned) == xhtml
    # derived functions cope with the same input
    html_to_text(payload)
    assert media_references(payload) <= {SHA}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("<script>alert(1)</script>", ""),
        ("<p>a</p><script>alert(1)</script><p>b</p>", "<p>a</p><p>b</p>"),
        ("<img src=x onerror=alert(1)>", ""),
        (f'<img src="{MEDIA}" onerror="alert(1)">', f'<img src="{MEDIA}">'),
        ('<p onmouseover="alert(1)">arahkan</p>', "<p>arahkan</p>"),
        ('<a href="javascript:alert(1)">klik</a>', "klik"),
        ("<svg onload=alert(1)><text>x</text></svg>teks", "teks"),
        ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', '"&gt;'),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<p>a<!-- komentar -->b</p>", "<p>ab</p>"),
        ("<style>p{color:red}</style><p>x</p>", "<p>x</p>"),
        ('<iframe src="https://evil.example">isi</iframe>sesudah', "sesudah"),
        ("<select><option>A</option></select>pilih", "pilih"),
        ("<scr\x00ipt>alert(1)</scr\x00ipt>", "alert(1)"),
    ],
)
def test_exact_results(payload: str, expected: str) -> None:
    assert sanitize_html(payload) == expected


# -- allowed content ---------------------------------------------------------------------


def test_editor_output_round_trips_byte_identically() -> None:
    assert sanitize_html(EDITOR_HTML) == EDITOR_HTML
    assert html_to_xhtml(EDITOR_HTML) == EDITOR_HTML


@pytest.mark.parametrize(
    "html",
    [
        "<p>paragraf</p>",
        "baris satu<br>baris dua",
        "<p><strong>tebal</strong> dan <em>miring</em></p>",
        "H<sub>2</sub>O dan x<sup>2</sup>",
        "<ul><li>satu</li><li>dua</li></ul>",
        "<ol><li>satu</li><li>dua</li></ol>",
        "<table><caption>Tabel 1</caption><thead><tr><th>Kolom</th></tr></thead>"
        "<tbody><tr><td>isi</td></tr></tbody><tfoot><tr><td>jumlah</td></tr></tfoot></table>",
        f'<p><img src="{MEDIA}" alt="Grafik penjualan" width="320" height="200"></p>',
        '<p><span lang="en">deadline</span> dan <span lang="jv">matur nuwun</span></p>',
        '<table><tbody><tr><th colspan="2" scope="col">a</th></tr>'
        '<tr><td rowspan="2">1</td><td>2</td></tr></tbody></table>',
        "<ul><li>a<ol><li>a.1</li></ol></li></ul>",
        "<p>5 &lt; 7 &amp; 7 &gt; 5</p>",
        "<p>Kalimat dengan huruf é, ñ, 中文 dan emoji 🙂.</p>",
    ],
)
def test_allowed_markup_is_kept(html: str) -> None:
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<b>tebal</b> <i>miring</i> <u>garis</u>", "tebal miring garis"),
        ("<p><font color=red>merah</font></p>", "<p>merah</p>"),
        ("<div>a</div><div>b</div>", "a\nb"),
        ("<h1>Judul</h1><p>isi</p>", "Judul<p>isi</p>"),
        ("kata<div>lain</div>", "kata\nlain"),
        ("<p>a</p><div>b</div>", "<p>a</p>b"),
        ("<blockquote>kutipan</blockquote><strong>x</strong>", "kutipan\n<strong>x</strong>"),
        ('<span style="color:red">merah</span>', "merah"),
        ("<span>polos</span>", "polos"),
        ('<p class="MsoNormal" id="x" dir="rtl" title="t">isi</p>', "<p>isi</p>"),
        ("<table><tr><td>1</td></tr></table>", "<table><tbody><tr><td>1</td></tr></tbody></table>"),
        ("<td>sel lepas</td>", "sel lepas"),
        ("<p>satu<p>dua", "<p>satu</p><p>dua</p>"),
        ("a</br>b", "a<br>b"),
        ("a<br/>b", "a<br>b"),
        ("<BR>", "<br>"),
        ("<P>x</P>", "<p>x</p>"),
        ("a&nbsp;b", "a\xa0b"),
        ("&amp;&lt;&gt;&quot;&#39;&eacute;&#x41;", "&amp;&lt;&gt;\"'éA"),
        ("<p>\x0b\x0c\x1f</p>", "<p></p>"),
        ("", ""),
    ],
)
def test_normalisation(html: str, expected: str) -> None:
    assert sanitize_html(html) == expected


@pytest.mark.parametrize(
    "lang", ["id", "en", "jv", "ind", "en-US", "en-gb", "zh-Hant-TW", "sr-Latn", "de-1996"]
)
def test_lang_valid(lang: str) -> None:
    html = f'<span lang="{lang}">x</span>'
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "lang",
    [
        "",
        "e",
        "english",
        "en_US",
        "en-",
        "-en",
        "en-a",
        "en-123456789",
        "en\n",
        "en US",
        "12",
        "ar-\u0663\u0663",
        "en-US;x",
        "\u0435n",  # Cyrillic e
    ],
)
def test_lang_invalid_is_dropped(lang: str) -> None:
    html = f'<span lang="{lang}">x</span>'
    assert sanitize_html(html) == "x"


def test_lang_only_on_span() -> None:
    assert sanitize_html('<p lang="en">x</p>') == "<p>x</p>"


@pytest.mark.parametrize("size", ["1", "20", "4000"])
def test_img_size_valid(size: str) -> None:
    html = f'<img src="{MEDIA}" width="{size}" height="{size}">'
    assert sanitize_html(html) == html


@pytest.mark.parametrize(
    "size", ["0", "4001", "100px", "10.5", "-1", "+10", "010", " 10", "1e3", "\u0661\u0660", ""]
)
def test_img_size_invalid_is_dropped(size: str) -> None:
    html = f'<img src="{MEDIA}" width="{size}" height="{size}">'
    assert sanitize_html(html) == f'<img src="{MEDIA}">'


def test_img_attributes_are_put_in_canonical_order() -> None:
    html = f'<img height="2" alt="a" width="1" src="{MEDIA}" title="t" class="c">'
    assert sanitize_html(html) == f'<img src="{MEDIA}" alt="a" width="1" height="2">'


def test_img_alt_is_escaped() -> None:
    html = f'<img src="{MEDIA}" alt="a &amp; &quot;b&quot; <c>">'
    cleaned = sanitize_html(html)
    assert cleaned == f'<img src="{MEDIA}" alt="a &amp; &quot;b&quot; &lt;c&gt;">'
    root = parse_fragment(html_to_xhtml(cleaned))
    assert root[0].get("alt") == 'a & "b" <c>'


def test_img_alt_newline_survives_xml_round_trip() -> None:
    cleaned = sanitize_html(f'<img src="{MEDIA}" alt="baris\nkedua">')
    assert parse_fragment(html_to_xhtml(cleaned))[0].get("alt") == "baris\nkedua"
    assert sanitize_html(cleaned) == cleaned


@pytest.mark.parametrize(
    "src",
    [
        "",
        "x",
        "/media/",
        f"/media/{SHA[:-1]}",
        f"/media/{SHA}0",
        f"/media/{SHA.upper()}",
        f"/media/{SHA}?x=1",
        f"/media/{SHA}#x",
        f"/media/{SHA}/",
        f" /media/{SHA}",
        f"/media/{SHA} ",
        f"/media/{SHA}\n",
        f"media/{SHA}",
        f"/MEDIA/{SHA}",
        f"/media//{SHA}",
        f"/media/./{SHA}",
        f"/static/../media/{SHA}",
        f"http://localhost/media/{SHA}",
        f"//localhost/media/{SHA}",
        "/media/" + "g" * 64,
    ],
)
def test_img_with_any_other_src_is_removed(src: str) -> None:
    assert sanitize_html(f'<p>a<img src="{src}" alt="x">b</p>') == "<p>ab</p>"


def test_img_without_src_is_removed() -> None:
    assert sanitize_html('<p>a<img alt="x" width="10">b</p>') == "<p>ab</p>"


def test_img_src_given_by_character_references_is_normalised() -> None:
    encoded = "&#x2F;media&#47;" + SHA
    assert sanitize_html(f'<img src="{encoded}">') == f'<img src="{MEDIA}">'


def test_table_cell_attributes() -> None:
    html = (
        '<table><tr><th scope="ROW" colspan="2" rowspan="0" abbr="x">a</th>'
        '<td scope="row" colspan="1001" rowspan="3" headers="h">b</td></tr></table>'
    )
    assert sanitize_html(html) == (
        '<table><tbody><tr><th colspan="2" scope="row">a</th><td rowspan="3">b</td></tr>'
        "</tbody></table>"
    )


def test_th_scope_must_be_known() -> None:
    assert sanitize_html('<table><tr><th scope="all">a</th></tr></table>') == (
        "<table><tbody><tr><th>a</th></tr></tbody></table>"
    )


def test_sanitize_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        sanitize_html(b"<p>x</p>")  # type: ignore[arg-type]


def test_unstable_markup_falls_back_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # With no passes allowed, nothing can be shown to be stable: only text remains.
    # (Markup already in the sanitizer's own form needs no pass: it is returned as is.)
    monkeypatch.setattr(sanitize, "_MAX_PASSES", 0)
    assert sanitize_html("<p>a &amp; b<p>c") == "a &amp; b<br>c"
    assert sanitize_html("<p>a &amp; b</p><p>c</p>") == "<p>a &amp; b</p><p>c</p>"


def test_restructured_markup_is_stable() -> None:
    # Unwrapping the button leaves a list inside a paragraph, which a parser moves out.
    cleaned = sanitize_html("<p><button><ul><li>x</li></ul></button></p>")
    assert cleaned == "<p></p><ul><li>x</li></ul><p></p>"
    assert sanitize_html(cleaned) == cleaned


_FUZZ_PIECES = [
    *("<p>", "</p>", "<strong>", "</strong>", "<em>", "</em>", "<b>", "</b>", "<ul>", "<li>"),
    *("</li>", "</ul>", "<ol>", "</ol>", "<table>", "<tr>", "<td>", "</td>", "<th>", "</tr>"),
    *("</table>", "<caption>", "<thead>", "<tbody>", "<tfoot>", "<div>", "</div>", "<br>"),
    *("<span lang=en>", "<span>", "</span>", "<button>", "</button>", "<a href=x>", "</a>"),
    *("<sub>", "</sub>", "<sup>", "<svg>", "</svg>", "<math>", "<mi>", "<script>", "<style>"),
    *("<select>", "<option>", "<h1>", "<pre>", "<form>", "</form>", "<object>", "<template>"),
    *("<noscript>", "<textarea>", f"<img src={MEDIA}>", "<img src=x>", "<hr>", "<!--", "-->"),
    *("&amp;", "&nbsp;", "&", "<", ">", '"', "'", "x", " ", "y", "\n", "<colgroup>", "<col>"),
    *("<frameset>", "<xmp>", "<dl>", "<dd>", "<nobr>", "<font>", "<i>", "<body>", "<title>"),
    *("<iframe>", "<image>", "<input>", "<isindex>", "<ruby>", "<rt>", "<math><mtext>"),
    *("<svg><foreignObject>", "<svg><desc>", "<annotation-xml encoding=text/html>", "\x00"),
]


def test_fuzzed_tag_soup_is_safe_stable_and_well_formed() -> None:
    rnd = random.Random(20240601)
    for _ in range(400):
        html = "".join(rnd.choice(_FUZZ_PIECES) for _ in range(rnd.randint(1, 30)))
        cleaned = sanitize_html(html)
        assert sanitize_html(cleaned) == cleaned, html
        root = parse_fragment(html_to_xhtml(html))
        for element in root.iterdescendants():
            if allowed_mathml(element):
                continue
            assert element.tag in ALLOWED_TAGS, html
            assert set(element.attrib) <= set(ALLOWED_ATTRIBUTES.get(element.tag, ())), html


def test_nesting_depth_is_capped() -> None:
    # 80 elements deep: within what the parser accepts (MAX_INPUT_DEPTH), beyond MAX_DEPTH.
    html = "<ul><li>" * 30 + "tengah" + "<strong>" * 20 + "dalam"
    cleaned = sanitize_html(html)
    assert sanitize_html(cleaned) == cleaned
    root = parse_fragment(html_to_xhtml(html))
    assert max(len(list(element.iterancestors())) for element in root.iter()) == MAX_DEPTH
    assert html_to_text(cleaned) == "tengahdalam"


def test_characters_xml_forbids_are_removed() -> None:
    assert sanitize_html("a\ud800b\ufffec\U0001f600\x08") == "abc\U0001f600"
    assert html_to_xhtml('<img src="/media/' + SHA + '" alt="\x01x\udfff">') == (
        f'<img src="{MEDIA}" alt="x"/>'
    )


def test_sanitizer_is_usable_from_several_threads() -> None:
    inputs = [f"<p>nomor {i}<script>x</script><b>!</b></p>" for i in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(sanitize_html, inputs))
    assert results == [f"<p>nomor {i}!</p>" for i in range(200)]


# -- XHTML ----------------------------------------------------------------------------------


def test_xhtml_void_elements_and_escaping() -> None:
    html = f'a<br>b &amp; c<img src="{MEDIA}" alt="x&amp;y">'
    assert html_to_xhtml(html) == f'a<br/>b &amp; c<img src="{MEDIA}" alt="x&amp;y"/>'


def test_xhtml_has_no_html_named_entities() -> None:
    xhtml = html_to_xhtml("<p>a&nbsp;b &copy; &eacute; &hellip; &mdash;</p>")
    assert xhtml == "<p>a\xa0b © é … —</p>"
    assert parse_fragment(xhtml)[0].text == "a\xa0b © é … —"


def test_xhtml_is_deterministic_and_parses() -> None:
    first = html_to_xhtml(EDITOR_HTML + "x<br>y")
    assert first == html_to_xhtml(EDITOR_HTML + "x<br>y")
    root = parse_fragment(first)
    assert [child.tag for child in root] == ["p", "ul", "table", "br"]


def test_xhtml_of_empty_and_text() -> None:
    assert html_to_xhtml("") == ""
    assert html_to_xhtml("plain & simple") == "plain &amp; simple"


def test_xhtml_sanitizes_unsanitized_input() -> None:
    assert html_to_xhtml("<p onclick=x>a<script>b</script></p>") == "<p>a</p>"


# -- text -----------------------------------------------------------------------------------


def test_text_of_editor_html() -> None:
    assert html_to_text(EDITOR_HTML) == "Harga Rp54.000/rim, H2O, x2\na\na\n1"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("", ""),
        ("satu<br>dua", "satu\ndua"),
        ("<p>  banyak   spasi\n\tdi sini </p>", "banyak spasi di sini"),
        ("a&nbsp;&nbsp;b &amp; c &lt;d&gt;", "a b & c <d>"),
        ("<p>satu</p><p></p><p>dua</p>", "satu\ndua"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<p>ini <script>alert(1)</script>aman</p>", "ini aman"),
        ("<style>p{}</style>teks", "teks"),
        (f'<p>lihat <img src="{MEDIA}" alt="grafik"> di atas</p>', "lihat di atas"),
        ("<strong>te</strong>bal", "tebal"),
        ("<div>a</div><div>b</div>", "a b"),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


# -- media references --------------------------------------------------------------------------


def test_media_references() -> None:
    html = (
        f'<p><img src="/media/{SHA}"> dan <img src="/media/{SHA2}" alt="b"></p>'
        f'<img src="/media/{SHA}" width="10">'
        f'<img src="/media/{SHA.upper()}"><img src="https://x/media/{SHA2}">'
        f"<p>/media/{'a' * 64}</p>"
    )
    assert media_references(html) == {SHA, SHA2}
    assert media_references(sanitize_html(html)) == {SHA, SHA2}


def test_media_references_empty() -> None:
    assert media_references("") == set()
    assert media_references("<p>tidak ada gambar</p>") == set()
    assert media_references("<script>'<img src=\"/media/" + SHA + "\">'</script>") == set()


# -- the plain-text shortcut ---------------------------------------------------------------

_ALPHABET = (
    "abcXYZ019 \t\n\u00a0\u2003.,;:!?'\"=/\\-_()[]{}#%+*~`|"
    "ÀéñçßİıΣσ中文みんな🙂\u200b\u200d\ufeff\u2028"
    "<>&\r\x00\x01\x0b\x1f\x7f\ufffe"
)


@pytest.mark.parametrize("seed", range(8))
def test_the_plain_text_shortcut_gives_what_the_parser_gives(seed: int) -> None:
    """Text that skips the parser comes out exactly as the full path makes it."""
    rng = random.Random(seed)
    shortcuts = 0
    for _ in range(400):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 30)))
        if rng.random() < 0.7:  # mostly text without the characters that force the parser
            text = re.sub(r"[<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe]", "", text)
        plain = sanitize._PLAIN_TEXT_RE.fullmatch(text) is not None
        shortcuts += plain
        full = sanitize._sanitize_markup(text) if text else ""
        assert sanitize_html(text) == full, repr(text)
        assert html_to_text(text) == (sanitize._markup_to_text(text) if text else ""), repr(text)
        assert media_references(text) == set()
    assert shortcuts > 200


@pytest.mark.parametrize(
    "html",
    [
        *XSS_PAYLOADS,
        '<p>Lihat <img src="/media/' + "a" * 64 + '" alt="x"> dan <b>tabel</b></p>',
        "<ul><li>satu</li><li>dua</li></ul><table><tr><td>a</td><td>b</td></tr></table>",
        "teks biasa tanpa markah",
        "",
    ],
)
def test_sanitize_and_scan_equals_the_three_calls(html: str) -> None:
    clean = sanitize_html(html)
    assert sanitize.sanitize_and_scan(html) == (
        clean,
        html_to_text(clean),
        frozenset(media_references(clean)),
    )


# -- input the parser refuses (its work must stay linear in the input) ----------------------


@pytest.mark.parametrize(
    "html",
    [
        "<em>" * 80_000 + "x",  # 48 s to save before the limit
        "<div>" * 80_000 + "x",
        '<span lang="en">' * 80_000 + "x",
        "<em><div>x</em>" * 5_000,  # the adoption agency keeps both open
    ],
)
def test_markup_nested_deeper_than_the_parser_accepts_is_refused(html: str) -> None:
    with pytest.raises(sanitize.MarkupTooComplex) as refused:
        sanitize_html(html)
    assert (refused.value.what, refused.value.limit) == ("depth", sanitize.MAX_INPUT_DEPTH)
    assert str(refused.value) == "the markup nests elements more than 100 deep"


def test_too_many_pending_formatting_elements_are_refused() -> None:
    html = "".join(f'<em title="{i}">' for i in range(30)) + "x"
    with pytest.raises(sanitize.MarkupTooComplex) as refused:
        sanitize_html(html)
    assert (refused.value.what, refused.value.limit) == ("formatting", sanitize.MAX_FORMATTING)


def test_formatting_re_opened_at_every_text_is_refused() -> None:
    """20 closed-but-active <em> are opened again at every piece of text: 12 characters
    of input would add 20 elements to the tree each time."""
    html = "<div>" + "".join(f'<em title="{i}">' for i in range(20)) + "</div>"
    html += "<div>x</div>" * 100
    with pytest.raises(sanitize.MarkupTooComplex) as refused:
        sanitize_and_scan(html)
    assert (refused.value.what, refused.value.limit) == ("reopened", sanitize.MAX_REOPENED)
    # A few re-opened elements are ordinary sloppy HTML and are kept.
    assert sanitize_html("<p><em>a</p><p>b</p>") == "<p><em>a</em></p><p><em>b</em></p>"


def test_nesting_within_the_parser_limit_is_flattened() -> None:
    assert sanitize_html("<div>" * 95 + "x" + "</div>" * 95) == "x"
    assert sanitize_html("<em>" * 20 + "x") == "<em>" * 20 + "x" + "</em>" * 20


def test_xhtml_is_the_sanitized_html_serialized_as_xml() -> None:
    """``html_to_xhtml`` skips a parse by reusing the stability pass of sanitizing; its
    result is still, by definition, the XML serialization of ``sanitize_html``'s."""
    from itembank.sanitize import _filter, _parse, _serialize

    samples = [
        EDITOR_HTML,
        "Teks biasa tanpa markah",
        "<p>Satu &amp; dua &lt; tiga &nbsp;<b>tebal</b><br>baris<img src='/media/"
        + "a" * 64
        + "' alt='x'></p>",
        "<ul><li>a<li>b</ul><table><tr><td>1<td>2</table><div>blok</div>ekor",
        "<p><ul><li>daftar dalam paragraf</li></ul><button>x</button></p>",
        "<script>alert(1)</script><span lang='en'>English</span><span lang='x y'>no</span>",
        "<table><td><table><td>x</table>y</table>" * 3,
        "",
    ]
    for html in samples:
        expected = _serialize(_filter(_parse(sanitize_html(html))), xml=True) if html else ""
        assert html_to_xhtml(html) == expected, html


# -- the simple-markup shortcut ----------------------------------------------------------

_TEXTS = ("Soal", " nomor 1 ", "\n", "a &amp; b", "x &lt; y &gt; z", "\u00a0", " ", "é中🙂")
_RAW_TEXTS = ("&", "<", ">", "&nbsp;", "a\r\nb", "&#9;")
_CELLS = ("table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th")
_ELEMENTS = (
    *("p", "br", "strong", "em", "sub", "sup", "ul", "ol", "li", "img", "span"),
    *_CELLS,
    *("b", "div", "h1", "a", "P", "script"),
)
_ELEMENT_WEIGHTS = [4] * 19 + [1] * 6
_GOOD_CHILDREN = {
    "table": ("caption", "thead", "tbody", "tfoot"),
    "thead": ("tr",),
    "tbody": ("tr",),
    "tfoot": ("tr",),
    "tr": ("td", "th"),
    "ul": ("li",),
    "ol": ("li",),
}
_ATTRIBUTES = {
    "img": [
        f' src="{MEDIA}" alt="grafik &amp; &quot;1&quot;"',
        f' src="{MEDIA}"',
        f' src="{MEDIA}" width="10" height="20"',
        f' alt="x" src="{MEDIA}"',
        ' src="http://x.test/a.png"',
        f' src="{MEDIA}" alt="a\tb"',
        f" src='{MEDIA}'",
    ],
    "span": [' lang="en"', ' lang="en-GB"', "", ' lang="1"', ' class="x" lang="en"'],
    "td": [
        "",
        ' colspan="2"',
        ' colspan="2" rowspan="3"',
        ' rowspan="2" colspan="3"',
        ' colspan="0"',
    ],
    "th": ["", ' scope="col"', ' scope="COL"', ' colspan="2" scope="row"'],
    "p": ["", "", "", ' class="x"', ' lang="en"'],
}


def _markup(rng: random.Random, parent: str | None, depth: int) -> str:
    """Random markup, mostly in the form the serializer writes and built as the shortcut
    requires, with every kind of departure from it now and then."""
    parts = []
    for _ in range(rng.randint(0, 3 if depth < 6 else 0)):
        good = _GOOD_CHILDREN.get(parent or "")
        if good and rng.random() < 0.9:
            tag = rng.choice(good)
        elif rng.random() < 0.35:
            if parent in ("table", "thead", "tbody", "tfoot", "tr") and rng.random() < 0.8:
                continue
            parts.append(rng.choice(_TEXTS if rng.random() < 0.9 else _RAW_TEXTS))
            continue
        else:
            tag = rng.choices(_ELEMENTS, _ELEMENT_WEIGHTS)[0]
        attrs = rng.choice(_ATTRIBUTES.get(tag, [""]))
        if tag in ("br", "img"):
            parts.append(f"<{tag}{attrs}>" if rng.random() < 0.95 else f"<{tag}{attrs}/>")
            continue
        inner = _markup(rng, tag, depth + 1)
        if rng.random() < 0.03:
            parts.append(f"<{tag}{attrs}>{inner}")  # left open
        else:
            parts.append(f"<{tag}{attrs}>{inner}</{tag}>")
    return "".join(parts)


@pytest.mark.parametrize("seed", range(3))
def test_the_simple_markup_shortcut_gives_what_the_parser_gives(seed: int) -> None:
    """Markup the shortcut takes comes out exactly as the full path makes it, for
    sanitizing, plain text, XHTML and images; the full path's own output mostly takes
    it."""
    rng = random.Random(seed)
    shortcuts = refused = 0
    samples = [_markup(rng, None, 0) for _ in range(150)]
    samples += [
        EDITOR_HTML,
        "<p>" * 21 + "x" + "</p>" * 21,
        "<em><em><em><em>x</em></em></em></em>",
    ]
    for html in samples:
        if not html:
            continue
        shortcuts += sanitize._simple_markup(html) is not None
        full = sanitize._sanitize_markup(html)
        assert sanitize_html(html) == full, html
        assert html_to_text(html) == sanitize._markup_to_text(html), html
        assert html_to_xhtml(html) == sanitize._markup_to_xhtml(html), html
        assert media_references(html) == sanitize._tokens_media(
            sanitize._filter(sanitize._parse(html))
        ), html
        refused += sanitize._simple_markup(full) is None
        assert html_to_xhtml(full) == sanitize._markup_to_xhtml(full), full
        assert sanitize_and_scan(full) == (
            sanitize._sanitize_markup(full),
            sanitize._markup_to_text(full),
            frozenset(sanitize._tokens_media(sanitize._filter(sanitize._parse(full)))),
        ), full
    assert shortcuts > 15
    assert refused < len(samples) // 2  # what the sanitizer writes mostly takes the shortcut


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


def test_the_export_gives_the_stored_content_the_xhtml_the_parser_gives() -> None:
    """What the QTI export converts (``html_to_xhtml`` of stored, sanitized content): the
    demo bank's items and every built-in type's example, through the shortcut, exactly
    as through the parser."""
    host = PluginHost(entry_points=False)
    texts = {text for item in demo_items() for text in _strings(item)}
    for item_type in host.item_types.values():
        texts.update(_strings(item_type.example_content()))
    marked = [text for text in texts if "<" in text]
    assert len(marked) > 100
    assert sum(sanitize._simple_markup(text) is not None for text in marked) > len(marked) // 2
    assert [t for t in sorted(texts) if html_to_xhtml(t) != sanitize._markup_to_xhtml(t)] == []


# -- inline formatting (a hot text) -------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("tidak ada", "tidak ada"),
        ("  dua  spasi  ", "dua  spasi"),  # no markup: as it is, stripped
        ("a & b", "a &amp; b"),
        ("<p><em>No error</em>.</p>", "<em>No error</em>."),
        ("<p>H<sub>2</sub>O</p><p>x<sup>2</sup></p>", "H<sub>2</sub>O x<sup>2</sup>"),
        ("a<br>b", "a b"),
        ("<ul><li>satu</li><li><strong>dua</strong></li></ul>", "satu <strong>dua</strong>"),
        (f'kata <img src="{MEDIA}" alt="x" width="2" height="2">', "kata"),
        ('<span lang="en">word</span> <a href="x">link</a>', "word link"),
        ("<script>alert(1)</script><b>x</b> &lt;", "x &lt;"),
        ("<math><mi>x</mi></math> lagi", "<math><mi>x</mi></math> lagi"),
    ],
)
def test_inline_html_keeps_emphasis_scripts_and_formulas_only(given: str, expected: str) -> None:
    inline = sanitize_inline_html(given)
    assert inline == expected
    assert sanitize_inline_html(inline) == inline
    assert sanitize_html(inline) == inline
