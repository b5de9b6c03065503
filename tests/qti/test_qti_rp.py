"""The response-processing evaluator: templates, inline rules, expressions. Every case
runs the interpreter and the compiled form (``qti.rp.compile_processing``), which must
give the same outcomes or raise the same error."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qti import rp
from qti.rp import (
    InvalidRP,
    RPError,
    UnsupportedRP,
    canonical_template_uri,
    correct_responses,
    template_name,
)


def _agreed(interpreted: Callable[[], Any], compiled: Callable[[], Any]) -> Any:
    """What both engines give (or the error both raise, with the same message and line)."""
    outcomes = []
    for run in (interpreted, compiled):
        try:
            outcomes.append(("value", run()))
        except RPError as exc:
            outcomes.append(("error", exc, type(exc), str(exc), getattr(exc, "line", None)))
    first, second = outcomes
    assert first[0] == second[0] and first[1:][-3:] == second[1:][-3:], outcomes
    if first[0] == "error":
        raise first[1]
    assert first[1] == second[1]
    return first[1]


def run_response_processing(item: Any, responses: Any, **options: Any) -> dict[str, Any]:
    return _agreed(  # type: ignore[no-any-return]
        lambda: rp.run_response_processing(item, responses, **options),
        lambda: rp.compile_processing(item, **options).run(responses),
    )


def evaluate_score(item: Any, responses: Any, **options: Any) -> float:
    return _agreed(  # type: ignore[no-any-return]
        lambda: rp.evaluate_score(item, responses, **options),
        lambda: rp.compile_processing(item, **options).score(responses),
    )


QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"


SCORE_FLOAT = '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'


def item21(
    declarations: str,
    processing: str = "",
    *,
    template: str | None = None,
    outcomes: str = SCORE_FLOAT,
) -> bytes:
    """A QTI 2.1 item with the given declarations and response processing."""
    if template is not None:
        rp = f'<responseProcessing template="{template}"/>'
    else:
        rp = f"<responseProcessing>{processing}</responseProcessing>"
    return (
        f'<assessmentItem xmlns="{QTI21}" identifier="t" title="t" adaptive="false" '
        f'timeDependent="false">{declarations}{outcomes}<itemBody/>{rp}</assessmentItem>'
    ).encode()


def to_qti3(data: bytes) -> bytes:
    """Respell a QTI 2.1 test item in QTI 3.0 (kebab-case names, qti- prefixes)."""
    text = data.decode().replace(QTI21, "http://www.imsglobal.org/xsd/imsqtiasi_v3p0")

    def kebab(name: str) -> str:
        return re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name)

    text = re.sub(r"<(/?)([a-zA-Z]+)", lambda m: f"<{m.group(1)}qti-{kebab(m.group(2))}", text)
    text = re.sub(r" ([a-zA-Z]+)=", lambda m: f" {kebab(m.group(1))}=", text)
    return text.encode()


SINGLE = """<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
  <correctResponse><value>A</value></correctResponse>
  <mapping defaultValue="0"><mapEntry mapKey="A" mappedValue="2"/>
  <mapEntry mapKey="B" mappedValue="0.5"/></mapping>
</responseDeclaration>"""
MULTIPLE = """<responseDeclaration identifier="RESPONSE" cardinality="multiple"
    baseType="identifier">
  <correctResponse><value>A</value><value>C</value></correctResponse>
  <mapping defaultValue="-1" lowerBound="0" upperBound="2">
    <mapEntry mapKey="A" mappedValue="1"/><mapEntry mapKey="C" mappedValue="1"/>
  </mapping>
</responseDeclaration>"""
PAIR = """<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="pair">
  <correctResponse><value>A B</value><value>C D</value></correctResponse>
  <mapping defaultValue="0"><mapEntry mapKey="B A" mappedValue="1"/>
  <mapEntry mapKey="C D" mappedValue="3"/></mapping>
</responseDeclaration>"""
DIRECTED = """<responseDeclaration identifier="RESPONSE" cardinality="single"
    baseType="directedPair">
  <correctResponse><value>A B</value></correctResponse>
  <mapping defaultValue="0"><mapEntry mapKey="A B" mappedValue="4"/></mapping>
</responseDeclaration>"""
POINT = """<responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="point">
  <areaMapping defaultValue="-1" lowerBound="0">
    <areaMapEntry shape="rect" coords="0,0,10,10" mappedValue="2"/>
    <areaMapEntry shape="circle" coords="50,50,5" mappedValue="3"/>
    <areaMapEntry shape="poly" coords="100,100,120,100,110,120" mappedValue="5"/>
  </areaMapping>
</responseDeclaration>"""

MATCH_CORRECT_SPELLINGS = [
    "http://www.imsglobal.org/question/qti_v2p0/rptemplates/match_correct",
    "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct",
    "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct.xml",
    "http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct",
    "http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct.xml",
    "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
    "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct",
    "http://www.imsglobal.org/question/qti_v3p0/rptemplates/match_correct.xml",
    "rptemplates/match_correct.xml",
    "../../templates/match_correct.xml",
    "match_correct.xml",
    "  https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/MATCH_CORRECT.XML ",
    "http://www.imsglobal.org/xml/imsqti_item_v2p0/rpMatchCorrect",
]


def spellings(name: str) -> list[str]:
    return [
        uri.replace("match_correct", name)
        .replace("MATCH_CORRECT", name.upper())
        .replace("rpMatchCorrect", "rp" + name.title().replace("_", ""))
        for uri in MATCH_CORRECT_SPELLINGS
    ]


@pytest.mark.parametrize("uri", spellings("match_correct"))
@pytest.mark.parametrize(
    ("declaration", "right", "wrong"),
    [
        (SINGLE, "A", "B"),
        (MULTIPLE, ["C", "A"], ["A"]),
        (PAIR, [("B", "A"), ("D", "C")], [("A", "B"), ("A", "C")]),
        (DIRECTED, ("A", "B"), ("B", "A")),
    ],
    ids=["single", "multiple", "pair", "directedPair"],
)
def test_match_correct(uri: str, declaration: str, right: Any, wrong: Any) -> None:
    for data in (item21(declaration, template=uri), to_qti3(item21(declaration, template=uri))):
        assert evaluate_score(data, {"RESPONSE": right}) == 1.0
        assert evaluate_score(data, {"RESPONSE": wrong}) == 0.0
        assert evaluate_score(data, {}) == 0.0


@pytest.mark.parametrize("uri", spellings("map_response"))
@pytest.mark.parametrize(
    ("declaration", "responses", "score"),
    [
        (SINGLE, "A", 2.0),
        (SINGLE, "B", 0.5),
        (SINGLE, "Z", 0.0),
        (SINGLE, None, 0.0),
        (MULTIPLE, ["A", "C"], 2.0),
        (MULTIPLE, ["A", "C", "X"], 1.0),  # default -1 for X
        (MULTIPLE, ["A", "A", "A"], 1.0),  # a value counts once
        (MULTIPLE, ["X", "Y"], 0.0),  # lower bound
        (PAIR, [("A", "B"), ("D", "C")], 4.0),  # pairs are unordered
        (DIRECTED, ("A", "B"), 4.0),
        (DIRECTED, ("B", "A"), 0.0),
    ],
)
def test_map_response(uri: str, declaration: str, responses: Any, score: float) -> None:
    data = item21(declaration, template=uri)
    assert evaluate_score(data, {"RESPONSE": responses}) == score
    assert evaluate_score(to_qti3(data), {"RESPONSE": responses}) == score


@pytest.mark.parametrize("uri", spellings("map_response_point"))
@pytest.mark.parametrize(
    ("points", "score"),
    [
        ([(5, 5)], 2.0),
        ([(5, 5), (6, 6)], 2.0),  # an area counts once
        ([(5, 5), (50, 52)], 5.0),
        ([(110, 105)], 5.0),  # inside the triangle
        ([(5, 5), (200, 200)], 1.0),  # outside every area: default -1
        ([(200, 200)], 0.0),  # lower bound
        (None, 0.0),
    ],
)
def test_map_response_point(uri: str, points: Any, score: float) -> None:
    data = item21(POINT, template=uri)
    assert evaluate_score(data, {"RESPONSE": points}) == score


def test_template_names_and_canonical_uris() -> None:
    assert template_name("https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/CC2_match.xml") == (
        "CC2_match"
    )
    assert template_name("http://example.com/custom_scoring.xml") is None
    assert template_name("") is None
    assert canonical_template_uri("map_response", "2.1") == (
        "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"
    )
    assert canonical_template_uri("match_correct", "3.0") == (
        "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
    )
    with pytest.raises(ValueError, match=r"only in QTI 3\.0"):
        canonical_template_uri("CC2_match", "2.1")


def test_cc2_templates() -> None:
    outcomes = (
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>2</value></defaultValue></outcomeDeclaration>"
        '<outcomeDeclaration identifier="FEEDBACK" cardinality="single" baseType="identifier"/>'
        '<outcomeDeclaration identifier="FEEDBACKBASIC" cardinality="single" '
        'baseType="identifier"/>'
    )
    base = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
    basic = item21(SINGLE, template=base + "CC2_match_basic.xml", outcomes=outcomes)
    assert run_response_processing(basic, {"RESPONSE": "A"})["SCORE"] == 2.0
    assert run_response_processing(basic, {"RESPONSE": "B"})["FEEDBACKBASIC"] == "incorrect"
    mapped = item21(SINGLE, template=base + "CC2_map_response.xml", outcomes=outcomes)
    assert run_response_processing(mapped, {"RESPONSE": "A"})["FEEDBACK"] == "correct"
    assert run_response_processing(mapped, {"RESPONSE": "B"})["FEEDBACK"] == "incorrect"


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("", "match_correct"),
        ("", "map_response"),
        ("v3p0/rptemplates", "match_correct"),
        ("v3p0/rptemplates", "map_response"),
        ("v3p0/rptemplates", "CC2_map_response"),
    ],
)
def test_templates_agree_with_the_official_files(
    rptemplates_dir: Path, folder: str, name: str
) -> None:
    """Running the official template file inline gives what the built-in template gives."""
    text = (rptemplates_dir / folder / f"{name}.xml").read_text(encoding="utf-8")
    body = re.search(r"<(qti-)?response-?[pP]rocessing[^>]*>(.*)</", text, re.S)
    assert body is not None
    outcomes = (
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>2</value></defaultValue></outcomeDeclaration>"
        '<outcomeDeclaration identifier="FEEDBACK" cardinality="single" baseType="identifier"/>'
    )
    by_template = item21(SINGLE, template=f"{name}.xml", outcomes=outcomes)
    if folder:
        by_template = to_qti3(by_template)
        official = by_template.replace(b"/></qti-assessment-item>", b"/>")
        official = re.sub(
            rb"<qti-response-processing [^>]*/>.*",
            b"<qti-response-processing>"
            + body.group(2).encode()
            + b"</qti-response-processing></qti-assessment-item>",
            by_template,
            flags=re.S,
        )
    else:
        official = item21(SINGLE, body.group(2), outcomes=outcomes)
    assert b"template=" not in official and b"template=" in by_template
    for response in ("A", "B", "Z", None):
        assert run_response_processing(official, {"RESPONSE": response}) == (
            run_response_processing(by_template, {"RESPONSE": response})
        )


# -- inline processing ------------------------------------------------------------------

RESULT_TYPES = {
    "float": '<outcomeDeclaration identifier="R" cardinality="single" baseType="float"/>',
    "integer": '<outcomeDeclaration identifier="R" cardinality="single" baseType="integer"/>',
    "boolean": '<outcomeDeclaration identifier="R" cardinality="single" baseType="boolean"/>',
    "identifier": (
        '<outcomeDeclaration identifier="R" cardinality="single" baseType="identifier"/>'
    ),
    "multiple": ('<outcomeDeclaration identifier="R" cardinality="multiple" baseType="integer"/>'),
    "ordered": '<outcomeDeclaration identifier="R" cardinality="ordered" baseType="integer"/>',
}


def bv(base_type: str, value: str) -> str:
    return f'<baseValue baseType="{base_type}">{value}</baseValue>'


def op(tag: str, /, *operands: str, **attributes: str) -> str:
    """``<tag attributes...>operands</tag>``."""
    attrs = "".join(f' {key}="{value}"' for key, value in attributes.items())
    return f"<{tag}{attrs}>{''.join(operands)}</{tag}>"


def i(value: int) -> str:
    return bv("integer", str(value))


def f(value: float) -> str:
    return bv("float", str(value))


def s(value: str) -> str:
    return bv("string", value)


def ints(*values: int, cardinality: str = "multiple") -> str:
    return op(cardinality, *(i(v) for v in values))


def ordered(*values: int) -> str:
    return ints(*values, cardinality="ordered")


T, F, NULL = bv("boolean", "true"), bv("boolean", "false"), "<null/>"
TEXT = '<variable identifier="TEXT"/>'
STRING_RESPONSE = '<responseDeclaration identifier="TEXT" cardinality="single" baseType="string"/>'


def result(expression: str, kind: str, responses: dict[str, Any] | None = None) -> Any:
    data = item21(
        STRING_RESPONSE,
        f'<setOutcomeValue identifier="R">{expression}</setOutcomeValue>',
        outcomes=RESULT_TYPES[kind],
    )
    return run_response_processing(data, responses or {})["R"]


EXPRESSIONS: list[tuple[str, str, Any]] = [
    # logic, with QTI's NULL rules
    (op("and", T, T), "boolean", True),
    (op("and", T, NULL), "boolean", None),
    (op("and", F, NULL), "boolean", False),
    (op("or", F, NULL), "boolean", None),
    (op("or", T, NULL), "boolean", True),
    (op("not", F), "boolean", True),
    (op("not", NULL), "boolean", None),
    (op("isNull", NULL), "boolean", True),
    (op("isNull", TEXT), "boolean", True),
    (op("isNull", s("")), "boolean", True),
    (op("anyN", T, T, F, min="2", max="3"), "boolean", True),
    (op("anyN", T, NULL, F, min="2", max="3"), "boolean", None),
    # match and containers
    (op("match", ints(1, 2), ints(2, 1)), "boolean", True),
    (op("match", ordered(1, 2), ordered(2, 1)), "boolean", False),
    (op("match", bv("pair", "A B"), bv("pair", "B A")), "boolean", True),
    (op("match", bv("directedPair", "A B"), bv("directedPair", "B A")), "boolean", False),
    (op("match", NULL, i(1)), "boolean", None),
    (op("member", i(2), ints(1, 2)), "boolean", True),
    (op("contains", ints(1, 2, 2, 3), ints(2, 2)), "boolean", True),
    (op("contains", ints(1, 2, 3), ints(2, 2)), "boolean", False),
    (op("contains", ordered(1, 2, 3), ordered(2, 3)), "boolean", True),
    (op("contains", ordered(1, 2, 3), ordered(1, 3)), "boolean", False),
    (op("delete", i(2), ints(1, 2, 3, 2)), "multiple", [1, 3]),
    (op("multiple", i(1), ints(2, 3), NULL), "multiple", [1, 2, 3]),
    (op("ordered", i(3), i(1)), "ordered", [3, 1]),
    ("<multiple/>", "multiple", None),
    (op("containerSize", ints(4, 5, 6)), "integer", 3),
    (op("containerSize", NULL), "integer", 0),
    (op("index", ordered(7, 8, 9), n="2"), "integer", 8),
    (op("index", ordered(7, 8), n="5"), "integer", None),
    (op("repeat", i(7), numberRepeats="2"), "ordered", [7, 7]),
    # arithmetic
    (op("sum", i(2), i(3)), "integer", 5),
    (op("sum", i(2), f(0.5)), "float", 2.5),
    (op("sum", i(2), NULL), "float", None),
    (op("product", f(1.5), i(4)), "float", 6.0),
    (op("subtract", i(2), i(5)), "integer", -3),
    (op("divide", i(7), i(2)), "float", 3.5),
    (op("divide", i(7), i(0)), "float", None),
    (op("integerDivide", i(-7), i(2)), "integer", -4),
    (op("integerModulus", i(-7), i(2)), "integer", 1),
    (op("power", i(2), i(10)), "float", 1024.0),
    (op("round", f(2.5)), "integer", 3),
    (op("round", f(-2.5)), "integer", -2),
    (op("truncate", f(-2.7)), "integer", -2),
    (op("integerToFloat", i(3)), "float", 3.0),
    (op("roundTo", f(3.14159), roundingMode="decimalPlaces", figures="2"), "float", 3.14),
    (op("roundTo", f(1234.5), roundingMode="significantFigures", figures="3"), "float", 1230.0),
    (op("equalRounded", f(3.14159), f(3.1), figures="2"), "boolean", True),
    (op("min", ints(4, 2), i(3)), "integer", 2),
    (op("max", f(1.5), i(3)), "float", 3.0),
    (op("gcd", ints(12, 18)), "integer", 6),
    (op("lcm", i(4), i(6)), "integer", 12),
    (op("mathOperator", i(-3), name="abs"), "float", 3.0),
    ('<mathConstant name="pi"/>', "float", 3.141592653589793),
    (op("statsOperator", ints(1, 2, 3, 6), name="mean"), "float", 3.0),
    # comparison
    (op("equal", f(1.0), i(1)), "boolean", True),
    (op("equal", f(1), f(1.05), toleranceMode="absolute", tolerance="0.1"), "boolean", True),
    (
        op(
            "equal",
            f(1),
            f(1.1),
            toleranceMode="absolute",
            tolerance="0.1",
            includeUpperBound="false",
        ),
        "boolean",
        False,
    ),
    (op("equal", f(100), f(109), toleranceMode="relative", tolerance="10"), "boolean", True),
    (op("lt", i(1), f(1.5)), "boolean", True),
    (op("gt", i(1), f(1.5)), "boolean", False),
    (op("lte", i(2), i(2)), "boolean", True),
    (op("gte", i(1), NULL), "boolean", None),
    (op("inside", bv("point", "3 4"), shape="rect", coords="0,0,10,10"), "boolean", True),
    # strings
    (op("stringMatch", s("Jakarta"), s("JAKARTA"), caseSensitive="false"), "boolean", True),
    (op("stringMatch", s("Jakarta"), s("JAKARTA"), caseSensitive="true"), "boolean", False),
    (
        op("stringMatch", s("Jakarta Pusat"), s("Pusat"), caseSensitive="true", substring="true"),
        "boolean",
        True,
    ),
    (op("substring", s("PUSAT"), s("Jakarta Pusat"), caseSensitive="false"), "boolean", True),
    (op("patternMatch", s("2024"), pattern="[0-9]+"), "boolean", True),
    (op("patternMatch", s("2024a"), pattern="[0-9]+"), "boolean", False),
]


@pytest.mark.parametrize(("expression", "kind", "expected"), EXPRESSIONS)
def test_expressions(expression: str, kind: str, expected: Any) -> None:
    assert result(expression, kind) == expected


def test_conditions_else_if_and_exit() -> None:
    processing = """
<responseCondition>
  <responseIf>
    <stringMatch caseSensitive="false"><variable identifier="TEXT"/>
      <baseValue baseType="string">jakarta</baseValue></stringMatch>
    <setOutcomeValue identifier="R"><baseValue baseType="integer">3</baseValue></setOutcomeValue>
  </responseIf>
  <responseElseIf>
    <isNull><variable identifier="TEXT"/></isNull>
    <setOutcomeValue identifier="R"><baseValue baseType="integer">1</baseValue></setOutcomeValue>
    <exitResponse/>
  </responseElseIf>
  <responseElse>
    <setOutcomeValue identifier="R"><baseValue baseType="integer">2</baseValue></setOutcomeValue>
  </responseElse>
</responseCondition>
<setOutcomeValue identifier="R"><sum><variable identifier="R"/>
  <baseValue baseType="integer">10</baseValue></sum></setOutcomeValue>"""
    for data in (
        item21(STRING_RESPONSE, processing, outcomes=RESULT_TYPES["integer"]),
        to_qti3(item21(STRING_RESPONSE, processing, outcomes=RESULT_TYPES["integer"])),
    ):
        assert run_response_processing(data, {"TEXT": "JAKARTA"}) == {"R": 13}
        assert run_response_processing(data, {}) == {"R": 1}  # exitResponse stops early
        assert run_response_processing(data, {"TEXT": "Bandung"}) == {"R": 12}


def test_default_values_and_built_ins() -> None:
    outcomes = (
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        '<outcomeDeclaration identifier="COUNT" cardinality="single" baseType="integer"/>'
        '<outcomeDeclaration identifier="LABEL" cardinality="single" baseType="identifier">'
        "<defaultValue><value>start</value></defaultValue></outcomeDeclaration>"
        '<outcomeDeclaration identifier="TAGS" cardinality="multiple" baseType="identifier"/>'
    )
    processing = (
        '<setOutcomeValue identifier="COUNT"><variable identifier="numAttempts"/></setOutcomeValue>'
    )
    data = item21(STRING_RESPONSE, processing, outcomes=outcomes)
    assert run_response_processing(data, {}) == {
        "SCORE": 0.0,
        "COUNT": 1,
        "LABEL": "start",
        "TAGS": None,
    }
    assert run_response_processing(data, {"numAttempts": 3})["COUNT"] == 3


MAPPED_TEXT = """<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string">
  <mapping defaultValue="0" lowerBound="0.5" upperBound="1.5">
    <mapEntry mapKey="Jakarta" mappedValue="2"{case}/>
    <mapEntry mapKey="Batavia" mappedValue="0.1"/>
  </mapping>
</responseDeclaration>"""


@pytest.mark.parametrize(
    ("case", "qti3", "answer", "score"),
    [
        ("", False, "Jakarta", 1.5),  # upper bound
        ("", False, "Batavia", 0.5),  # lower bound
        ("", False, "jakarta", 0.5),  # QTI 2.1: case-sensitive unless told otherwise
        ("", True, "jakarta", 1.5),  # QTI 3.0: case-insensitive by default
        (' caseSensitive="false"', False, "JAKARTA", 1.5),
        (' caseSensitive="true"', True, "JAKARTA", 0.5),
    ],
)
def test_mapping_bounds_and_case_sensitivity(
    case: str, qti3: bool, answer: str, score: float
) -> None:
    uri = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"
    data = item21(MAPPED_TEXT.format(case=case), template=uri)
    if qti3:
        data = to_qti3(data)
    assert evaluate_score(data, {"RESPONSE": answer}) == score


def test_lookup_outcome_value() -> None:
    outcomes = (
        '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>'
        '<outcomeDeclaration identifier="GRADE" cardinality="single" baseType="identifier">'
        '<interpolationTable defaultValue="E">'
        '<interpolationTableEntry sourceValue="8" targetValue="A"/>'
        '<interpolationTableEntry sourceValue="5" targetValue="B"/>'
        "</interpolationTable></outcomeDeclaration>"
    )
    processing = (
        '<lookupOutcomeValue identifier="GRADE"><variable identifier="N"/></lookupOutcomeValue>'
    )
    declaration = '<responseDeclaration identifier="N" cardinality="single" baseType="integer"/>'
    data = item21(declaration, processing, outcomes=outcomes)
    assert run_response_processing(data, {"N": 9})["GRADE"] == "A"
    assert run_response_processing(data, {"N": 5})["GRADE"] == "B"
    assert run_response_processing(data, {"N": 2})["GRADE"] == "E"


def test_correct_responses_helper() -> None:
    data = item21(PAIR + DIRECTED.replace('"RESPONSE"', '"R2"'), template="match_correct")
    assert correct_responses(data) == {"RESPONSE": [("A", "B"), ("C", "D")], "R2": ("A", "B")}


def test_response_value_forms() -> None:
    data = item21(PAIR, template="map_response")
    assert evaluate_score(data, {"RESPONSE": ["A B", "C D"]}) == 4.0
    assert evaluate_score(data, {"RESPONSE": ("A", "B")}) == 1.0  # one pair, not two ids
    assert evaluate_score(data, {"RESPONSE": []}) == 0.0


@pytest.mark.parametrize(
    ("processing", "error", "fragment"),
    [
        ("<customOperator/>", UnsupportedRP, "customOperator"),
        (
            '<setOutcomeValue identifier="SCORE"><randomInteger min="1" max="2"/>'
            "</setOutcomeValue>",
            UnsupportedRP,
            "randomInteger",
        ),
        (
            '<setOutcomeValue identifier="SCORE"><numberCorrect/></setOutcomeValue>',
            UnsupportedRP,
            "test-level",
        ),
        (
            '<setOutcomeValue identifier="NOPE">' + bv("float", "1") + "</setOutcomeValue>",
            InvalidRP,
            "undeclared variable 'NOPE'",
        ),
        (
            '<setOutcomeValue identifier="SCORE"><variable identifier="GHOST"/></setOutcomeValue>',
            InvalidRP,
            "GHOST",
        ),
        (
            '<setOutcomeValue identifier="SCORE">' + bv("float", "abc") + "</setOutcomeValue>",
            InvalidRP,
            "not a valid float",
        ),
        (
            '<setOutcomeValue identifier="SCORE"><sum>' + bv("string", "x") + "</sum>"
            "</setOutcomeValue>",
            InvalidRP,
            "numeric",
        ),
        ("<responseCondition><responseElse/></responseCondition>", InvalidRP, "one if"),
    ],
)
def test_errors(processing: str, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        run_response_processing(item21(SINGLE, processing), {"RESPONSE": "A"})


def test_unknown_template_and_bad_responses() -> None:
    with pytest.raises(UnsupportedRP, match="my_scoring"):
        run_response_processing(item21(SINGLE, template="http://x.test/my_scoring"), {})
    with pytest.raises(InvalidRP, match="no response 'OTHER'"):
        run_response_processing(item21(SINGLE, template="match_correct"), {"OTHER": "A"})
    with pytest.raises(InvalidRP, match="single-cardinality"):
        run_response_processing(item21(SINGLE, template="match_correct"), {"RESPONSE": ["A"]})


def test_inline_rules_take_precedence_over_the_template() -> None:
    data = item21(SINGLE, template="match_correct").replace(
        b'template="match_correct"/>',
        b'template="match_correct"><setOutcomeValue identifier="SCORE">'
        b'<baseValue baseType="float">7</baseValue></setOutcomeValue></responseProcessing>',
    )
    assert evaluate_score(data, {"RESPONSE": "B"}) == 7.0
