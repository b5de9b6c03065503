# ruff: noqa: E501  (formulas read best one per line)
"""Formulas (MathML) through QTI: read from items (``qti.reader``, ``itembank.qti_bridge``),
written into QTI 3.0 and 2.1 documents that stay schema-valid, and round-tripped
bank -> QTI -> bank unchanged."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import convert
from itembank.qti_bridge.html import xhtml_to_html
from itembank.sanitize import sanitize_html
from qti.model import ChoiceInteraction, Html
from qti.package import PackageItem, PackageSection, PackageTest, build_package
from qti.reader import ItemReadError, read_item
from qti.validate import validate_element
from qti.writer import VERSIONS, write_item
from tests.qti.test_qti_reader import CHOICE_DECL, MATCH_CORRECT, item21
from tests.test_sanitize_math import FORMULA

M = "http://www.w3.org/1998/Math/MathML"
HOST = PluginHost(entry_points=False)
TYPES = HOST.item_types

#: Every element and attribute of the subset, in sanitized form.
EVERYTHING = sanitize_html(
    '<math display="inline" alttext="semua"><mi mathvariant="normal">π</mi><mo form="prefix" stretchy="false" fence="true" lspace="0em" rspace="0.2222em" maxsize="2em" minsize="1em" largeop="false" movablelimits="false" accent="false" separator="false" symmetric="true" mathsize="1.2em">(</mo>'
    '<mspace width="0.1667em" height="1ex" depth="0"></mspace><mstyle displaystyle="true" scriptlevel="0" mathvariant="bold"><mfrac linethickness="0"><mi>n</mi><mi>k</mi></mfrac></mstyle>'
    '<mpadded width="+1em" height="1em" depth="0em" lspace="0.5em"><mphantom><mi>x</mi></mphantom></mpadded><ms lquote="«" rquote="»">t</ms><merror><mi>?</mi></merror><mn>3</mn><mtext>jika</mtext>'
    '<munderover accent="true" accentunder="false"><mo>∑</mo><mi>i</mi><mi>n</mi></munderover><mover accent="true"><mi>x</mi><mo>¯</mo></mover><munder accentunder="true"><mi>x</mi><mo>_</mo></munder>'
    '<mtable columnalign="left right" rowalign="top" columnspacing="1em" rowspacing="0.5em" columnlines="solid" rowlines="none dashed"><mtr columnalign="left" rowalign="top">'
    '<mtd columnspan="2" rowspan="1" columnalign="center" rowalign="baseline"><mn>1</mn></mtd></mtr></mtable>'
    "<msubsup><mi>x</mi><mn>1</mn><mn>2</mn></msubsup><msub><mi>a</mi><mn>0</mn></msub><msup><mi>b</mi><mn>2</mn></msup><mroot><mn>8</mn><mn>3</mn></mroot><msqrt><mn>2</mn></msqrt></math>"
)


def _single_choice(stem: str, options: list[str]) -> tuple[str, dict]:
    sc = TYPES["single_choice"]
    content = sc.load(
        {"options": [{"id": chr(65 + i), "text": t} for i, t in enumerate(options)], "key": "A"}
    )
    return stem, content


# -- export --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_every_element_and_attribute_of_the_subset_exports_valid(version: str) -> None:
    assert "mfrac" in EVERYTHING and "columnlines" in EVERYTHING and "alttext" in EVERYTHING
    stem, content = _single_choice(f"<p>Hitung {FORMULA}</p>", [EVERYTHING, "<p>a</p>"])
    model = TYPES["single_choice"].qti_item(stem, content, identifier="m", title="m")
    root = write_item(model, version)
    assert validate_element(root, name="m.xml") == []
    maths = list(root.iter(f"{{{M}}}math"))
    assert len(maths) == 2  # in the stem and in option A, in the MathML namespace
    assert [e.get("encoding") for e in root.iter(f"{{{M}}}annotation")] == ["application/x-tex"]


_PIECES = [
    *("<msup>", "</msup>", "<mfrac>", "</mfrac>", "<msubsup>", "</msubsup>", "<mroot>"),
    *("</mroot>", "<mtable>", "</mtable>", "<mtr>", "<mtd>", "<semantics>", "</semantics>"),
    *('<annotation encoding="application/x-tex">', "</annotation>", "<mrow>", "</mrow>"),
    *("<mi>x</mi>", "<mn>2</mn>", "<mo>+</mo>", "y", "<mspace>", "</mspace>", "<b>t</b>"),
    *("<munderover>", "</munderover>", "<mtext>", "</mtext>", "<mstyle>", "</mstyle>"),
]


@pytest.mark.parametrize("version", VERSIONS)
def test_any_formula_the_sanitizer_keeps_exports_valid(version: str) -> None:
    """Badly formed formulas (a power with one argument, text in a row, cells outside a
    table) are given the structure MathML requires before they are stored."""
    rnd = random.Random(17)
    formulas = [
        "<math>" + "".join(rnd.choice(_PIECES) for _ in range(rnd.randint(1, 25))) + "</math>"
        for _ in range(60)
    ]
    stem, content = _single_choice("<p>" + " ".join(formulas) + "</p>", ["a", "b"])
    model = TYPES["single_choice"].qti_item(stem, content, identifier="f", title="f")
    assert validate_element(write_item(model, version), name="f.xml") == []


_SIZES = ["0", "-0.5ex", "+1em", "50%", ".5em", "2", "1.5pt", "thinmathspace", "infinity"]
_SIZES += ["thin", "medium", "thick", "12px", "1in", "3cm", "4mm", "1pc", "veryverythickmathspace"]
_WORDS = ["left", "center", "right", "top", "bottom", "baseline", "axis", "left top", "x"]
#: Values to try per attribute (valid and invalid ones): whatever the sanitizer keeps must
#: be valid in both QTI versions.
_TRIED: dict[str, Sequence[str]] = {
    **dict.fromkeys(
        ("lspace", "rspace", "maxsize", "minsize", "width", "height", "depth", "mathsize"), _SIZES
    ),
    **dict.fromkeys(("linethickness", "columnspacing", "rowspacing"), _SIZES),
    **dict.fromkeys(("columnalign", "rowalign"), _WORDS),
    **dict.fromkeys(("columnlines", "rowlines"), ("none", "solid", "dashed", "dotted")),
    "mathvariant": ["bold", "double-struck", "initial", "tailed", "looped", "stretched", "x"],
    "form": ["prefix", "infix", "postfix"],
    "scriptlevel": ["0", "+1", "-2", "9"],
    "display": ["block", "inline"],
}


def _in_context(element: str, attribute: str, value: str) -> str:
    """A formula with ``element`` carrying ``attribute``, where the schemas allow it."""
    inner = {
        **dict.fromkeys(("mfrac", "mover", "munder"), "<mi>a</mi><mi>b</mi>"),
        "munderover": "<mi>a</mi><mi>b</mi><mi>c</mi>",
        **dict.fromkeys(("mi", "mn", "mo", "ms", "mtext"), "x"),
        "mtable": "<mtr><mtd></mtd></mtr>",
        "mtr": "<mtd></mtd>",
    }.get(element, "")
    html = f'<{element} {attribute}="{value}">{inner}</{element}>'
    if element == "math":
        return f'<math {attribute}="{value}"><mi>x</mi></math>'
    if element == "mtr":
        html = f"<mtable>{html}</mtable>"
    if element == "mtd":
        html = f"<mtable><mtr>{html}</mtr></mtable>"
    return f"<math>{html}</math>"


@pytest.mark.parametrize("version", VERSIONS)
def test_every_attribute_value_the_sanitizer_keeps_exports_valid(version: str) -> None:
    """MathML 2 and 3 accept different values on different elements (no bare numbers or
    percentages in mpadded, named spaces only for spacing, MathML 3's new mathvariants,
    rows aligned top to bottom and columns left to right): whatever is kept is valid."""
    from itembank.sanitize import MATHML_ATTRIBUTES

    tried, kept = 0, []
    for element, attributes in MATHML_ATTRIBUTES.items():
        for attribute in attributes:
            for value in _TRIED.get(attribute, []):
                tried += 1
                formula = sanitize_html(_in_context(element, attribute, value))
                if f'{attribute}="' in formula:
                    kept.append(formula)
    assert 250 < len(kept) < tried
    stem, content = _single_choice("<p>" + " ".join(kept) + "</p>", ["a", "b"])
    model = TYPES["single_choice"].qti_item(stem, content, identifier="s", title="s")
    assert validate_element(write_item(model, version), name="s.xml") == []


# -- import --------------------------------------------------------------------------------


def _choice_item(prompt: str) -> bytes:
    body = (
        f'<choiceInteraction responseIdentifier="RESPONSE" maxChoices="1"><prompt>{prompt}</prompt>'
        '<simpleChoice identifier="A"><m:math xmlns:m="http://www.w3.org/1998/Math/MathML">'
        "<m:mn>1</m:mn></m:math></simpleChoice>"
        '<simpleChoice identifier="B">dua</simpleChoice></choiceInteraction>'
    )
    return item21(body, CHOICE_DECL, MATCH_CORRECT)


def _interaction(prompt: str) -> ChoiceInteraction:
    """The choice interaction read from an item whose prompt is ``prompt``."""
    reading = read_item(_choice_item(prompt))
    return next(p for p in reading.item.body if isinstance(p, ChoiceInteraction))


def test_the_reader_keeps_mathml_in_its_namespace_and_rewrites_mfenced_and_maction() -> None:
    prompt = (
        f'<math xmlns="{M}"><mfenced open="[" close=")" separators=";"><mi>a</mi><mi>b</mi>'
        '<mi>c</mi></mfenced><maction actiontype="toggle" selection="2"><mi>p</mi><mi>q</mi>'
        '</maction><semantics><mi>r</mi><annotation-xml encoding="text/html"><object/>'
        '</annotation-xml><annotation encoding="Maxima">r</annotation></semantics></math>'
    )
    interaction = _interaction(prompt)
    assert interaction.prompt == (
        f'<math xmlns="{M}"><mrow><mo fence="true">[</mo><mi>a</mi><mo separator="true">;</mo>'
        '<mi>b</mi><mo separator="true">;</mo><mi>c</mi><mo fence="true">)</mo></mrow><mi>q</mi>'
        "<semantics><mi>r</mi></semantics></math>"
    )
    assert interaction.choices[0].content == f'<math xmlns="{M}"><mn>1</mn></math>'
    assert xhtml_to_html(interaction.prompt, str) == (
        '<math><mrow><mo fence="true">[</mo><mi>a</mi><mo separator="true">;</mo><mi>b</mi>'
        '<mo separator="true">;</mo><mi>c</mi><mo fence="true">)</mo></mrow><mi>q</mi>'
        "<mi>r</mi></math>"
    )


def test_a_formula_directly_in_the_body_is_read() -> None:
    body = f'<math xmlns="{M}" display="block">\n  <mi> x </mi>\n  <mo>=</mo> <mn>1</mn>\n</math>'
    reading = read_item(item21(body + "<p>teks</p>"))
    html = next(p for p in reading.item.body if isinstance(p, Html)).content
    assert xhtml_to_html(html, str) == (
        '<math display="block"><mi>x</mi><mo>=</mo><mn>1</mn></math><p>teks</p>'
    )


@pytest.mark.parametrize(
    ("mathml", "element"),
    [
        ("<apply><plus/><ci>x</ci><cn>1</cn></apply>", "apply"),
        ('<menclose notation="longdiv"><mn>12</mn></menclose>', "menclose"),
        ('<mi><mglyph src="a.png" alt="a"/></mi>', "mglyph"),
        ("<mmultiscripts><mi>x</mi><none/><mi>y</mi></mmultiscripts>", "mmultiscripts"),
    ],
)
def test_mathml_the_bank_cannot_show_is_refused_with_its_name(mathml: str, element: str) -> None:
    with pytest.raises(ItemReadError) as refused:
        read_item(item21(f'<p><math xmlns="{M}">{mathml}</math></p>'))
    assert refused.value.code == "unsupported_content"
    assert f"MathML <{element}>" in refused.value.message
    assert refused.value.line == 7


# -- round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_formulas_come_back_identical_from_qti(version: str) -> None:
    stem = f"<p>Hitung {FORMULA}</p><p>lalu {EVERYTHING}</p>"
    options = [
        "<math><msqrt><mn>144</mn></msqrt></math>",
        '<p><math><mfrac><mn>1</mn><mn>2</mn></mfrac></math> dan <math display="block"><msup><mi>x</mi><mn>2</mn></msup></math></p>',
        "dua belas",
    ]
    stem, content = _single_choice(stem, options)
    sc = TYPES["single_choice"]
    model = sc.qti_item(stem, content, identifier="Q1", title="Rumus")
    test = PackageTest("T", "T", (PackageSection("S", "S", ("Q1",)),))
    package = build_package(test, [PackageItem(model, "MATH-1", 1, ())], {}, version)  # type: ignore[arg-type]
    result = convert(package.data, TYPES, name="math.zip")
    assert [e.status for e in result.report if e.status != "info"].count("imported") == 1
    (candidate,) = result.candidates
    assert candidate.type_id == "single_choice"
    assert candidate.stem == stem
    assert candidate.content == content


def test_a_math_element_outside_the_mathml_namespace_is_refused_saying_so() -> None:
    """A formula written without its namespace is the item's own (QTI) element: refused
    with what is wrong, not read as an unknown formula."""
    with pytest.raises(ItemReadError) as refused:
        read_item(item21("<p>Nilai <math><mi>x</mi></math>?</p>"))
    assert refused.value.code == "invalid_item"
    assert "<math> is not in the MathML namespace" in refused.value.message
    assert M in refused.value.message
    assert refused.value.line == 7


def test_an_action_showing_html_keeps_its_text_as_mathml_text() -> None:
    prompt = (
        f'<math xmlns="{M}"><mi>a</mi><maction actiontype="toggle" selection="2"><mi>p</mi>'
        '<span xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1">dua <b>kata</b></span>'
        "</maction></math>"
    )
    interaction = _interaction(prompt)
    assert interaction.prompt == f'<math xmlns="{M}"><mi>a</mi><mtext>dua kata</mtext></math>'


def test_an_annotation_is_not_checked_even_for_a_math_of_another_namespace() -> None:
    """What an annotation holds is not shown, so it is neither checked nor kept."""
    prompt = (
        f'<math xmlns="{M}"><semantics><mi>r</mi><annotation-xml encoding="text/html">'
        '<math xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1">r</math></annotation-xml>'
        "</semantics></math>"
    )
    interaction = _interaction(prompt)
    assert interaction.prompt == f'<math xmlns="{M}"><semantics><mi>r</mi></semantics></math>'
