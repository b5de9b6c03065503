# ruff: noqa: E501  (payloads and formulas read best one per line)
"""MathML in rich text: the subset the sanitizer keeps, hostile MathML it neutralises, and
formulas as plain text (itembank.sanitize)."""

from __future__ import annotations

import random

import pytest
from lxml import etree

from itembank.sanitize import (
    MATHML_NS,
    MAX_DEPTH,
    html_to_text,
    html_to_xhtml,
    media_references,
    sanitize_and_scan,
    sanitize_html,
)
from tests.test_sanitize import MEDIA, SHA, allowed_mathml, assert_safe, parse_fragment

#: What the editor stores for \frac{2^5+3^4}{\sqrt{9}} (temml's MathML, sanitized).
FORMULA = (
    '<math display="block"><semantics><mfrac><mrow><msup><mn>2</mn><mn>5</mn></msup>'
    "<mo>+</mo><msup><mn>3</mn><mn>4</mn></msup></mrow><msqrt><mn>9</mn></msqrt></mfrac>"
    '<annotation encoding="application/x-tex">\\frac{2^5+3^4}{\\sqrt{9}}</annotation>'
    "</semantics></math>"
)

# Hostile MathML, grouped by technique. Every entry is checked by test_math_xss_payload.
MATH_XSS_PAYLOADS: list[str] = [
    # links and script URLs on MathML elements
    '<math href="javascript:alert(1)"><mi>x</mi></math>',
    '<math><mi href="javascript:alert(1)">klik</mi></math>',
    '<math><mrow href="javascript:alert(1)"><mi>x</mi></mrow></math>',
    '<math><mi xlink:href="javascript:alert(1)" xmlns:xlink="http://www.w3.org/1999/xlink">x</mi></math>',
    '<math xlink:type="simple" xlink:href="javascript:alert(1)"><mi>x</mi></math>',
    '<math><mtext actiontype="statusline" href="data:text/html,<script>alert(1)</script>">x</mtext></math>',
    # event handlers and styles
    '<math onmouseover="alert(1)"><mi>x</mi></math>',
    '<math><mi onclick="alert(1)" tabindex="0">x</mi></math>',
    '<math><mo style="background:url(javascript:alert(1))">+</mo></math>',
    '<math><mstyle style="behavior:url(x.htc)" mathcolor="red"><mi>x</mi></mstyle></math>',
    '<math><mi class="x" id="y" nonce="z" mathbackground="url(#a)">x</mi></math>',
    '<math><mspace width="1em;background:url(javascript:alert(1))"></mspace></math>',
    '<math><mpadded width="expression(alert(1))"><mi>x</mi></mpadded></math>',
    # maction, mglyph, malignmark
    '<math><maction actiontype="statusline"><mi>x</mi><mtext>javascript:alert(1)</mtext></maction></math>',
    '<math><maction actiontype="toggle" onclick="alert(1)"><mi>a</mi><mi>b</mi></maction></math>',
    '<math><mglyph src="javascript:alert(1)" alt="x"></mglyph></math>',
    '<math><mi><mglyph src="https://evil.example/x.png"></mglyph></mi></math>',
    "<math><malignmark><img src=x onerror=alert(1)></malignmark></math>",
    # annotation-xml and annotations carrying HTML or SVG
    '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
    '<math><annotation-xml encoding="application/xhtml+xml"><p onclick=alert(1)>x</p></annotation-xml></math>',
    '<math><semantics><mi>x</mi><annotation-xml encoding="SVG1.1"><svg><script>alert(1)</script></svg></annotation-xml></semantics></math>',
    '<math><annotation-xml encoding="text/html"><style><img src=x onerror=alert(1)></style></annotation-xml></math>',
    '<math><semantics><mi>x</mi><annotation encoding="text/html"><img src=x onerror=alert(1)></annotation></semantics></math>',
    '<math><annotation encoding="application/x-tex"><img src=x onerror=alert(1)></annotation></math>',
    # <style> and <script> in the MathML namespace, raw-text confusion
    "<math><style><img src=x onerror=alert(1)></style></math>",
    "<math><mi><style>*{background:url(javascript:alert(1))}</style></mi></math>",
    "<math><script>alert(1)</script></math>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mtext><table><mglyph><svg><mtext><textarea><a title="</textarea><img src onerror=alert(1)>">',
    "<math><mi><svg><style><img src=x onerror=alert(1)></style></svg></mi></math>",
    "<math><mtext><noscript><img src=x onerror=alert(1)></noscript></mtext></math>",
    "<svg><math><style><img src=x onerror=alert(1)></style></math></svg>",
    '<math><mtext><h1><a href="javascript:alert(1)">klik</a></h1></mtext></math>',
    # namespace confusion: HTML in token elements, MathML names outside math, xmlns games
    f'<math><mtext><img src="{MEDIA}" onerror=alert(1)></mtext></math>',
    "<math><mi><b onclick=alert(1)>tebal</b></mi></math>",
    "<math><mtext><p title='</mtext><img src=x onerror=alert(1)>'>x</p></mtext></math>",
    '<mi xmlns="http://www.w3.org/1998/Math/MathML" onclick="alert(1)">x</mi>',
    "<mfrac><mi>a</mi><mi>b</mi></mfrac><mglyph src=x>",
    '<math xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></math>',
    '<math xmlns="http://www.w3.org/2000/svg"><foreignObject><img src=x onerror=alert(1)></foreignObject></math>',
    '<div xmlns="http://www.w3.org/1998/Math/MathML"><mi onclick=alert(1)>x</mi></div>',
    "<math><math><mi>dalam</mi></math></math>",
    "<math><mi><math><mtext><img src=x onerror=alert(1)></mtext></math></mi></math>",
    "<table><math><mi>x</mi><td>sel</td></math></table>",
    "<p><math><mi>x</p><p><mi>y</mi></math></p>",
    "<math><!--<img src=x onerror=alert(1)>--><mi>x</mi></math>",
    "<math><![CDATA[<img src=x onerror=alert(1)>]]></math>",
]


def test_math_payload_list_is_large_and_unique() -> None:
    assert len(MATH_XSS_PAYLOADS) >= 40
    assert len(set(MATH_XSS_PAYLOADS)) == len(MATH_XSS_PAYLOADS)


@pytest.mark.parametrize("payload", MATH_XSS_PAYLOADS)
def test_math_xss_payload(payload: str) -> None:
    cleaned = sanitize_html(payload)
    assert_safe(cleaned)
    for needle in ("mglyph", "maction", "annotation-xml", "<img", "<script"):
        assert needle not in cleaned
    assert sanitize_html(cleaned) == cleaned
    xhtml = html_to_xhtml(payload)
    parse_fragment(xhtml)
    assert html_to_xhtml(cleaned) == xhtml
    assert sanitize_and_scan(payload) == (cleaned, html_to_text(cleaned), frozenset())
    assert media_references(payload) <= {SHA}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ('<math href="javascript:alert(1)"><mi>x</mi></math>', "<math><mi>x</mi></math>"),
        (
            '<math><mo style="color:red" stretchy="false">(</mo></math>',
            '<math><mo stretchy="false">(</mo></math>',
        ),
        (
            "<math><maction><mi>a</mi><mi>b</mi></maction><mi>c</mi></math>",
            "<math><mi>c</mi></math>",
        ),
        ("<math><mi><b>tebal</b></mi></math>", "<math><mi>tebal</mi></math>"),
        (
            "<math><mtext><script>alert(1)</script>ok</mtext></math>",
            "<math><mtext>ok</mtext></math>",
        ),
        (
            '<math><annotation-xml encoding="text/html"><p>x</p></annotation-xml><mn>1</mn></math>',
            "<math><mn>1</mn></math>",
        ),
        ("<math><style>x</style><mn>1</mn></math>", "<math><mn>1</mn></math>"),
        (
            '<math><semantics><mi>x</mi><annotation encoding="text/plain">x</annotation></semantics></math>',
            "<math><mi>x</mi></math>",
        ),
        (
            "<math><mfenced><mi>a</mi><mi>b</mi></mfenced></math>",
            "<math><mi>a</mi><mi>b</mi></math>",
        ),
        ("<math><math><mi>dalam</mi></math><mi>luar</mi></math>", "<math><mi>luar</mi></math>"),
        ("<mfrac><mi>a</mi><mi>b</mi></mfrac>", "ab"),
        ("<p>a</p><div>b</div><math><mi>c</mi></math>", "<p>a</p>b\n<math><mi>c</mi></math>"),
    ],
)
def test_math_exact_results(payload: str, expected: str) -> None:
    assert sanitize_html(payload) == expected


# -- the subset -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        FORMULA,
        f"<p>Hitung {FORMULA} lalu pilih jawabannya.</p>",
        "<math><msubsup><mi>x</mi><mn>1</mn><mn>2</mn></msubsup><mo>≤</mo>"
        "<mroot><mn>8</mn><mn>3</mn></mroot></math>",
        '<math><mi mathvariant="normal">π</mi><mo form="prefix" stretchy="false">(</mo>'
        '<mspace width="0.1667em"></mspace><mo lspace="0em" rspace="0.2222em">×</mo></math>',
        '<math><munderover><mo largeop="true" movablelimits="false">∑</mo><mi>i</mi>'
        '<mi>n</mi></munderover><mover accent="true"><mi>x</mi><mo>¯</mo></mover></math>',
        '<math><mtable columnalign="left right" rowspacing="0.5em"><mtr><mtd columnspan="2">'
        "<mn>1</mn></mtd></mtr></mtable></math>",
        '<math><mstyle displaystyle="true" scriptlevel="0"><mfrac linethickness="0">'
        '<mi>n</mi><mi>k</mi></mfrac></mstyle><mpadded width="+1em"><mphantom><mi>x</mi>'
        "</mphantom></mpadded><ms>teks</ms><mtext>jika</mtext><merror><mi>?</mi></merror></math>",
        "<table><tbody><tr><td><math><mn>1</mn></math></td></tr></tbody></table>",
        '<ul><li><math alttext="x kuadrat"><msup><mi>x</mi><mn>2</mn></msup></math></li></ul>',
    ],
)
def test_allowed_mathml_is_kept(html: str) -> None:
    assert sanitize_html(html) == html
    root = parse_fragment(html_to_xhtml(html))
    maths = [e for e in root.iter() if e.tag == f"{{{MATHML_NS}}}math"]
    assert maths
    for element in root.iterdescendants():
        allowed_mathml(element)


@pytest.mark.parametrize(
    ("attribute", "kept"),
    [
        ('display="block"', True),
        ('display="BLOCK"', True),
        ('display="none"', False),
        ('mathvariant="bold"', False),  # only on token elements and mstyle
        ('alttext="a &lt; b"', True),
    ],
)
def test_math_element_attributes(attribute: str, kept: bool) -> None:
    cleaned = sanitize_html(f"<math {attribute}><mi>x</mi></math>")
    assert ("<math " in cleaned) == kept


@pytest.mark.parametrize(
    ("element", "attribute", "kept"),
    [
        ("mspace", 'width="2em"', True),
        ("mspace", 'width="-0.5ex"', True),
        ("mspace", 'width="thinmathspace"', True),
        ("mspace", 'width="1em url(x)"', False),
        ("mspace", 'width="calc(1em)"', False),
        ("mspace", 'width="1e9em"', False),
        ("mspace", 'width="2"', False),  # a number without a unit (MathML 2 refuses it)
        ("mspace", 'height="thinmathspace"', False),  # named spaces are for spacing only
        ("mpadded", 'width="+1em"', True),
        ("mpadded", 'width="50%"', False),
        ("mo", 'maxsize="infinity"', True),
        ("mfrac", 'linethickness="thick"', True),
        ("mo", 'stretchy="TRUE"', True),
        ("mo", 'stretchy="yes"', False),
        ("mo", 'form="infix"', True),
        ("mo", 'form="x"', False),
        ("mi", 'mathvariant="double-struck"', True),
        ("mi", 'mathvariant="url(x)"', False),
        ("mtd", 'rowspan="3"', True),
        ("mtd", 'rowspan="0"', False),
        ("mtable", 'columnlines="solid none"', True),
        ("mtable", 'columnlines="solid;x"', False),
        ("mstyle", 'scriptlevel="-1"', True),
        ("mstyle", 'scriptlevel="999"', False),
        ("mrow", 'href="#x"', False),
        ("mi", 'xmlns="http://www.w3.org/1999/xhtml"', False),
    ],
)
def test_mathml_attribute_values(element: str, attribute: str, kept: bool) -> None:
    cleaned = sanitize_html(f"<math><{element} {attribute}></{element}></math>")
    assert (f"<{element} " in cleaned) == kept, cleaned
    assert_safe(cleaned)


def test_annotation_keeps_only_tex_and_only_text() -> None:
    html = '<math><semantics><mi>x</mi><annotation encoding="Application/X-TeX">a&lt;b</annotation></semantics></math>'
    assert sanitize_html(html) == (
        '<math><semantics><mi>x</mi><annotation encoding="application/x-tex">a&lt;b'
        "</annotation></semantics></math>"
    )


def test_xhtml_puts_formulas_in_the_mathml_namespace() -> None:
    xhtml = html_to_xhtml(f"<p>a {FORMULA}</p>")
    assert xhtml.startswith(f'<p>a <math xmlns="{MATHML_NS}" display="block"><semantics>')
    root = parse_fragment(xhtml)
    assert [etree.QName(e).localname for e in root.iter(f"{{{MATHML_NS}}}mfrac")] == ["mfrac"]
    assert root.find("p").tag == "p"  # HTML stays in no namespace


def test_formulas_nested_too_deep_are_dropped_whole() -> None:
    html = "<ul><li>" * (MAX_DEPTH // 2 - 1) + "<math><mrow><mrow><mi>x</mi></mrow></mrow></math>y"
    cleaned = sanitize_html(html)
    assert "<math>" in cleaned and "<mi>" not in cleaned
    assert sanitize_html(cleaned) == cleaned


_FUZZ_PIECES = [
    *("<math>", "</math>", "<mi>", "</mi>", "<mtext>", "</mtext>", "<mfrac>", "</mfrac>"),
    *("<mrow>", "</mrow>", "<semantics>", '<annotation encoding="application/x-tex">'),
    *("</annotation>", "<annotation-xml encoding=text/html>", "</annotation-xml>"),
    *("<mglyph>", "<malignmark>", "<maction>", "<style>", "</style>", "<svg>", "</svg>"),
    *("<table>", "<td>", "<p>", "</p>", "<b>", "<img src=x onerror=alert(1)>", "<select>"),
    *("<foreignObject>", "<desc>", "<textarea>", "<noscript>", "x", "<", "&lt;", " "),
    *('<mo stretchy="false">', "<!--", "-->", "<mtd>", "<mtable>", "<mtr>"),
]


def test_fuzzed_math_soup_is_safe_stable_and_well_formed() -> None:
    rnd = random.Random(20261206)
    for _ in range(400):
        html = "".join(rnd.choice(_FUZZ_PIECES) for _ in range(rnd.randint(1, 30)))
        cleaned = sanitize_html(html)
        assert sanitize_html(cleaned) == cleaned, html
        assert_safe(cleaned)


# -- formulas as text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (f"<p>Hitung {FORMULA} lalu</p>", "Hitung (2^5+3^4)/√9 lalu"),
        (
            "<math><msup><mi>x</mi><mn>2</mn></msup><mo>+</mo><msub><mi>y</mi><mn>1</mn></msub></math>",
            "x^2+y_1",
        ),
        (
            "<math><mroot><mn>8</mn><mn>3</mn></mroot><mo>=</mo><mroot><mi>x</mi><mn>5</mn></mroot></math>",
            "∛8=x^(1/5)",
        ),
        (
            "<math><mfrac><mrow><mo>(</mo><mi>a</mi><mo>+</mo><mi>b</mi><mo>)</mo></mrow><mn>2</mn></mfrac></math>",
            "(a+b)/2",
        ),
        (
            "<math><mfrac><mrow><mo>(</mo><mi>a</mi><mo>)</mo><mo>(</mo><mi>b</mi><mo>)</mo></mrow><mn>2</mn></mfrac></math>",
            "((a)(b))/2",
        ),
        (
            "<math><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>0</mn></mtd></mtr><mtr><mtd><mn>0</mn></mtd><mtd><mn>1</mn></mtd></mtr></mtable></math>",
            "[1, 0; 0, 1]",
        ),
        (
            "<math><mi>f</mi><mo>\u2061</mo><mo>(</mo><mi>x</mi><mo>)</mo><mphantom><mi>z</mi></mphantom></math>",
            "f(x)",
        ),
        (
            '<math><msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup><mspace width="1em"></mspace><ms>s</ms></math>',
            'x_i^2 "s"',
        ),
        ("a<math><mi>x</mi></math>b", "axb"),
        # What Temml writes for \sum_{i=1}^{n} i, 90^{\circ} and \text{jika } x>0
        (
            '<math><mrow><munderover><mo movablelimits="false">∑</mo><mrow><mi>i</mi><mo>=</mo><mn>1</mn></mrow><mi>n</mi></munderover><mi>i</mi></mrow></math>',
            "∑_(i=1)^n i",
        ),
        ("<math><msup><mn>90</mn><mo>∘</mo></msup></math>", "90^∘"),
        ("<math><mtext>jika\u00a0</mtext><mi>x</mi><mo>&gt;</mo><mn>0</mn></math>", "jika x>0"),
    ],
)
def test_formula_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected
    assert sanitize_and_scan(html)[1] == expected


# -- the structure MathML requires ------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            "<math><msup><mi>x</mi></msup></math>",
            "<math><msup><mi>x</mi><mrow></mrow></msup></math>",
        ),
        ("<math><mfrac></mfrac></math>", "<math><mfrac><mrow></mrow><mrow></mrow></mfrac></math>"),
        (
            "<math><msub><mi>a</mi><mi>b</mi><mi>c</mi></msub></math>",
            "<math><msub><mi>a</mi><mrow><mi>b</mi><mi>c</mi></mrow></msub></math>",
        ),
        (
            "<math>x<mrow> y </mrow></math>",
            "<math><mtext>x</mtext><mrow><mtext>y</mtext></mrow></math>",
        ),
        (
            "<math><mtable><mi>a</mi><mtr><mi>b</mi></mtr></mtable></math>",
            "<math><mtable><mtr><mtd><mi>a</mi></mtd></mtr><mtr><mtd><mi>b</mi></mtd></mtr></mtable></math>",
        ),
        (
            '<math><semantics><annotation encoding="application/x-tex">a</annotation><mi>x</mi><mi>y</mi></semantics></math>',
            '<math><semantics><mrow><mi>x</mi><mi>y</mi></mrow><annotation encoding="application/x-tex">a</annotation></semantics></math>',
        ),
        (
            '<math><mrow><annotation encoding="application/x-tex">a</annotation></mrow></math>',
            "<math><mrow></mrow></math>",
        ),
        (
            '<math><annotation encoding="application/x-tex"><mi>x</mi></annotation></math>',
            "<math></math>",
        ),
        ("<math><mspace>x</mspace></math>", "<math><mspace></mspace></math>"),
        (
            "<math><mmultiscripts><mi>x</mi><none></none></mmultiscripts></math>",
            "<math><mi>x</mi></math>",
        ),
    ],
)
def test_formulas_get_the_structure_mathml_requires(html: str, expected: str) -> None:
    assert sanitize_html(html) == expected
    assert sanitize_html(expected) == expected


def test_a_spreadsheet_cell_holding_a_formula_is_html() -> None:
    from plugins.importers._cells import rich_text

    cell = "<math><msqrt><mn>144</mn></msqrt></math>"
    assert rich_text(cell, paragraphs=True) == cell
    assert rich_text("a < b", paragraphs=True) == "<p>a &lt; b</p>"
