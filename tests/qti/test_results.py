"""QTI Results Reporting: reading, writing and the zip of many documents (qti.results)."""

from __future__ import annotations

import dataclasses
import io
import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from qti._package import ZipLimits
from qti.results import (
    MAX_PROBLEMS,
    AssessmentResult,
    ItemResult,
    ResultsError,
    ResultVariable,
    TestResult,
    read_assessment_result,
    read_results_zip,
    write_assessment_result,
)
from qti.validate import validate_document
from qti.xml import serialize
from tests.shared import SHARED, shared_path

MakeZip = Callable[..., Path]
WIB = timezone(timedelta(hours=7))
STAMP = datetime(2024, 5, 1, 8, 30, 15, tzinfo=WIB)


def _line_of(text: str, fragment: str, start: int = 0) -> int:
    """The line of the first ``fragment`` (after ``start``), or, if it begins a start tag,
    of that tag's end: libxml2 gives an element the line its start tag ends on."""
    index = text.index(fragment, start)
    if fragment.startswith("<"):
        index = text.index(">", index)
    return text[:index].count("\n") + 1


def _response(identifier: str, cardinality: str, base_type: str | None, value: Any, **extra: Any):
    return ResultVariable(identifier, "response", cardinality, base_type, value, **extra)


def _outcome(identifier: str, cardinality: str, base_type: str | None, value: Any, **extra: Any):
    return ResultVariable(identifier, "outcome", cardinality, base_type, value, **extra)


def _by_id(*variables: ResultVariable) -> dict[str, ResultVariable]:
    return {variable.identifier: variable for variable in variables}


def full_result(version: str) -> AssessmentResult:
    """A result with every base type in every cardinality, records, correct responses,
    choice sequences, empty values, text that needs escaping, templates, (3.0) context
    variables, a test result and items presented twice."""
    responses = _by_id(
        _response("CHOICE", "single", "identifier", "C", choice_sequence=("A", "C", "B")),
        _response("CHOICES", "multiple", "identifier", ["A", "D"], correct_value=["A", "B"]),
        _response("ORDER", "ordered", "identifier", ["C", "A", "B"], choice_sequence=()),
        _response("TEXT", "single", "string", "  A & B < C > \"D\" 'E'\n\tline é 🙂 \r"),
        _response("EMPTY_TEXT", "single", "string", ""),
        _response("UNANSWERED", "single", "identifier", None, correct_value="A"),
        _response("STRINGS", "multiple", "string", ["x", "", " y "]),
        _response("WHOLE", "single", "integer", -42, correct_value=7),
        _response("WHOLES", "ordered", "integer", [3, 1, 2]),
        _response("REAL", "single", "float", 2.5e-7),
        _response("REALS", "multiple", "float", [1.0, -0.125, 1e16]),
        _response("FLAG", "single", "boolean", False),
        _response("FLAGS", "ordered", "boolean", [True, False, True]),
        _response("PAIR", "single", "pair", ("B", "A")),
        _response("PAIRS", "multiple", "pair", [("A", "B"), ("C", "D")]),
        _response("DPAIR", "single", "directedPair", ("S1", "T2")),
        _response("DPAIRS", "ordered", "directedPair", [("S2", "T1"), ("S1", "T2")]),
        _response("POINT", "single", "point", (102, -7)),
        _response("POINTS", "multiple", "point", [(1, 2), (3, 4)]),
        _response("WAIT", "single", "duration", 12.75),
        _response("LINK", "single", "uri", "https://example.org/a?b=c&d=e"),
        _response("UPLOAD", "single", "file", "essay.pdf"),
        _response("UNTYPED", "single", None, "as text"),
        _response(
            "RECORD",
            "record",
            None,
            {"n": 3, "x": 1.5, "ok": True, "who": "A", "at": (1, 2), "none": None, "s": ""},
            field_base_types={
                "n": "integer",
                "x": "float",
                "ok": "boolean",
                "who": "identifier",
                "at": "point",
                "none": "identifier",
                "s": "string",
            },
        ),
        _response("numAttempts", "single", "integer", 2),
    )
    outcomes = _by_id(
        _outcome("SCORE", "single", "float", 1.0),
        _outcome("MAXSCORE", "single", "integer", 5),
        _outcome("PASSED", "single", "boolean", True),
        _outcome("FEEDBACK", "multiple", "identifier", ["F1", "F2"]),
        _outcome("NOVALUE", "single", "float", None),
        _outcome("completionStatus", "single", "identifier", "completed"),
    )
    templates = _by_id(ResultVariable("SEED", "template", "single", "integer", 17))
    contexts = {}
    if version == "3.0":
        contexts = _by_id(ResultVariable("LOCALE", "context", "single", "string", "id-ID"))
    first = ItemResult(
        "I-CACT-DEMO-000123-V2",
        1,
        STAMP,
        "final",
        responses,
        outcomes,
        duration=41.5,
        templates=templates,
        context_variables=contexts,
        candidate_comment="Soal ini ambigu & <sulit>",
    )
    again = ItemResult(
        "I-CACT-DEMO-000123-V2",
        7,
        STAMP.replace(tzinfo=None, microsecond=250_000),
        "pendingSubmission",
        _by_id(_response("RESPONSE", "single", "identifier", None)),
        {},
    )
    bare = ItemResult("I-CACT-DEMO-000124-V1", None, STAMP, "initial", {}, {})
    test = TestResult(
        "T-CACT-2024-01",
        STAMP,
        _by_id(_outcome("SCORE", "single", "float", 88.5)),
        duration=5400.0,
    )
    return AssessmentResult(
        version,  # type: ignore[arg-type]
        (("https://tds.example.org/", "session-42"), ("urn:bank", "B7")),
        "CAND-0001",
        test,
        (first, again, bare),
    )


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.1", "2.2", "3.0"])
def test_round_trip_every_base_type_and_cardinality(version: str) -> None:
    result = full_result(version)
    data = write_assessment_result(result, version, validate=True)
    assert validate_document(data, name="r.xml") == []
    back = read_assessment_result(data, name="r.xml")
    assert back == result
    assert back.version == version
    assert data == write_assessment_result(back, version)  # deterministic
    first = back.items[0]
    assert first.duration == 41.5 and first.responses["duration"].value == 41.5
    assert back.test is not None and back.test.duration == 5400.0
    assert first.line == _line_of(data.decode(), "<itemResult")


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_written_text_is_what_lxml_serializes_for_the_same_tree(version: str) -> None:
    # The writer writes text; it must be exactly lxml's pretty-printed serialization.
    result = full_result(version)
    # lxml's blank-text removal would also drop the whitespace of " y " and "" values.
    responses = {k: v for k, v in result.items[0].responses.items() if k != "STRINGS"}
    first = dataclasses.replace(result.items[0], responses=responses)
    result = dataclasses.replace(result, items=(first, *result.items[1:]))
    data = write_assessment_result(result, version)
    parser = etree.XMLParser(remove_blank_text=True)
    assert serialize(etree.fromstring(data, parser), pretty_print=True) == data


def test_values_are_the_python_forms_of_qti_rp() -> None:
    back = read_assessment_result(write_assessment_result(full_result("3.0")))
    values = back.items[0].response_values
    assert values["CHOICE"] == "C"
    assert values["ORDER"] == ["C", "A", "B"]
    assert values["WHOLE"] == -42 and isinstance(values["WHOLE"], int)
    assert values["FLAG"] is False
    assert values["PAIR"] == ("B", "A")  # document order; qti.rp sorts pairs itself
    assert values["POINTS"] == [(1, 2), (3, 4)]
    assert values["UNANSWERED"] is None
    assert values["EMPTY_TEXT"] == ""
    record = {"n": 3, "x": 1.5, "ok": True, "who": "A", "at": (1, 2), "none": None, "s": ""}
    assert values["RECORD"] == record
    assert values["duration"] == 41.5
    assert back.items[0].responses["CHOICE"].choice_sequence == ("A", "C", "B")
    assert back.items[0].responses["ORDER"].choice_sequence == ()
    assert back.items[0].responses["CHOICES"].correct_value == ["A", "B"]


def test_read_objects_equal_constructed_ones_and_behave_as_dataclasses() -> None:
    back = read_assessment_result(write_assessment_result(full_result("3.0")))
    item = back.items[0]
    names = {field.name for field in dataclasses.fields(ItemResult)}
    assert set(vars(item)) == names
    variable = item.responses["CHOICE"]
    assert set(vars(variable)) == {field.name for field in dataclasses.fields(ResultVariable)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        item.identifier = "other"  # type: ignore[misc]
    assert dataclasses.replace(item, sequence_index=9).sequence_index == 9
    assert dataclasses.replace(variable) == variable


def test_results_and_errors_pickle_for_worker_processes() -> None:
    result = read_assessment_result(write_assessment_result(full_result("3.0")))
    assert pickle.loads(pickle.dumps(result)) == result
    with pytest.raises(ResultsError) as caught:
        read_assessment_result(b"<broken", name="c.xml")
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.problems == caught.value.problems and str(again) == str(caught.value)


# -- reading documents written elsewhere ----------------------------------------------------

DELIVERED = """\
<?xml version="1.0" encoding="UTF-8"?>
<assessmentResult xmlns="http://www.imsglobal.org/xsd/imsqti_result_v2p1">
  <context>
    <sessionIdentifier sourceID="http://tds.example/" identifier="S-17"/>
  </context>
  <itemResult identifier="I-CACT-DEMO-000001-V1" sequenceIndex="1"
      datestamp="2024-05-01T08:00:00Z" sessionStatus="final">
    <responseVariable identifier="duration" cardinality="single" baseType="duration">
      <candidateResponse><value>PT1M30.5S</value></candidateResponse>
    </responseVariable>
    <responseVariable identifier="RESPONSE" cardinality="single" baseType="identifier"
        choiceSequence="D B A C">
      <candidateResponse/>
    </responseVariable>
    <responseVariable identifier="BLANK" cardinality="multiple" baseType="identifier">
      <candidateResponse><value> </value><value>A</value></candidateResponse>
    </responseVariable>
    <outcomeVariable identifier="SCORE" cardinality="single" baseType="float">
      <value> 0 </value>
    </outcomeVariable>
  </itemResult>
  <itemResult identifier="I-CACT-DEMO-000001-V1" sequenceIndex="2"
      datestamp="2024-05-01T08:05:00.1234567+07:00" sessionStatus="final">
    <responseVariable identifier="RESPONSE" cardinality="single" baseType="identifier">
      <candidateResponse><value/></candidateResponse>
    </responseVariable>
  </itemResult>
</assessmentResult>
"""


def test_reads_a_delivered_qti21_document() -> None:
    result = read_assessment_result(DELIVERED.encode(), name="cand.xml")
    assert result.version == "2.1"
    assert result.source_id is None and result.candidate_id == "S-17"
    assert result.test is None
    first, second = result.items
    assert first.duration == 90.5  # ISO 8601 duration
    assert first.responses["RESPONSE"].value is None  # empty candidateResponse
    assert first.responses["RESPONSE"].choice_sequence == ("D", "B", "A", "C")
    assert first.responses["BLANK"].value == ["A"]  # an empty identifier is no value
    assert first.outcomes["SCORE"].value == 0.0
    assert first.datestamp == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert second.sequence_index == 2 and second.responses["RESPONSE"].value is None
    assert second.duration is None
    assert first.line == _line_of(DELIVERED, "<itemResult")


def test_comments_and_processing_instructions_are_skipped() -> None:
    text = DELIVERED.replace("<candidateResponse><value>A", "<candidateResponse><!-- c --><value>A")
    text = text.replace("<value> 0 </value>", "<?pi x?><value> 0 </value><!-- c -->")
    text = text.replace("  <itemResult identifier", "  <!-- c -->\n  <itemResult identifier", 1)
    result = read_assessment_result(text.encode())
    assert result == read_assessment_result(DELIVERED.encode())
    assert result.items[0].outcomes["SCORE"].value == 0.0


def test_candidate_id() -> None:
    result = full_result("3.0")
    assert result.candidate_id == "CAND-0001"
    assert dataclasses.replace(result, source_id=None).candidate_id == "session-42"
    bare = dataclasses.replace(result, source_id=None, session_identifiers=())
    assert bare.candidate_id is None


def test_results_documents_are_recognised_by_qti_validate() -> None:
    data = DELIVERED.replace('sessionStatus="final"', 'sessionStatus="done"', 1).encode()
    issues = validate_document(data, name="cand.xml")
    assert [issue.line for issue in issues] == [_line_of(DELIVERED, "<itemResult")]
    assert issues[0].message.startswith("QTI 2.1 results schema:")


# -- refusals ----------------------------------------------------------------------------


def _problems(data: str | bytes, **kwargs: Any) -> list[tuple[int | None, str]]:
    raw = data.encode() if isinstance(data, str) else data
    with pytest.raises(ResultsError) as caught:
        read_assessment_result(raw, name="cand.xml", **kwargs)
    assert all(problem.file == "cand.xml" for problem in caught.value.problems)
    assert all(problem.severity == "error" for problem in caught.value.problems)
    return [(problem.line, problem.message) for problem in caught.value.problems]


def test_schema_invalid_document_is_refused_with_its_line() -> None:
    text = DELIVERED.replace("<outcomeVariable identifier", "<outcomeVariabel identifier")
    text = text.replace("</outcomeVariable>", "</outcomeVariabel>")
    problems = _problems(text)
    assert len(problems) == 1
    line, message = problems[0]
    assert line == _line_of(text, "<outcomeVariabel")
    assert message.startswith("QTI 2.1 results schema: Element 'outcomeVariabel'")
    assert "{http" not in message


@pytest.mark.parametrize("validate", [True, False])
@pytest.mark.parametrize(
    ("base_type", "cardinality", "values", "expected"),
    [
        ("integer", "single", ["abc"], "'abc' is not an integer"),
        ("integer", "single", ["1_000"], "'1_000' is not an integer"),
        ("integer", "single", ["١٢"], "is not an integer"),
        ("float", "single", ["NaN"], "'NaN' is not a finite number"),
        ("float", "single", ["1,5"], "'1,5' is not a number"),
        ("boolean", "single", ["yes"], "'yes' is not a boolean"),
        ("pair", "single", ["Q"], "'Q' is not a pair of two identifiers"),
        ("directedPair", "multiple", ["A B", "A B C"], "'A B C' is not a pair"),
        ("point", "single", ["1.5 2"], "'1.5 2' is not a point"),
        ("duration", "single", ["soon"], "'soon' is not a duration"),
        ("identifier", "single", ["A", "B"], "has 2 values; a single-cardinality variable"),
    ],
)
def test_malformed_values_are_refused_with_their_line(
    validate: bool, base_type: str, cardinality: str, values: list[str], expected: str
) -> None:
    body = "".join(f"<value>{value}</value>" for value in values)
    text = DELIVERED.replace(
        '<outcomeVariable identifier="SCORE" cardinality="single" baseType="float">\n'
        "      <value> 0 </value>",
        f'<outcomeVariable identifier="X" cardinality="{cardinality}" baseType="{base_type}">'
        f"\n      {body}",
    )
    problems = _problems(text, validate=validate)
    assert len(problems) == 1
    line, message = problems[0]
    assert line == _line_of(text, body)
    assert message.startswith("itemResult 'I-CACT-DEMO-000001-V1': outcome variable 'X': ")
    assert expected in message


def test_unknown_base_type_is_refused_with_or_without_the_schema() -> None:
    text = DELIVERED.replace('baseType="float"', 'baseType="intOrIdentifier"')
    line = _line_of(text, '<outcomeVariable identifier="SCORE"')
    [(schema_line, schema_message)] = _problems(text)
    assert schema_line == line and "intOrIdentifier" in schema_message
    [(own_line, own_message)] = _problems(text, validate=False)
    assert own_line == line and "unknown base type 'intOrIdentifier'" in own_message


def test_every_problem_is_reported_up_to_the_limit() -> None:
    bad = (
        '<outcomeVariable identifier="V{n}" cardinality="single" baseType="integer">'
        "<value>x{n}</value></outcomeVariable>\n"
    )
    many = "".join(bad.format(n=n) for n in range(MAX_PROBLEMS + 20))
    text = DELIVERED.replace(
        '    <outcomeVariable identifier="SCORE"', many + '    <outcomeVariable identifier="SCORE"'
    )
    problems = _problems(text)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0][0] == _line_of(text, "<value>x0<")
    assert problems[1][0] == _line_of(text, "<value>x1<")
    assert problems[-1] == (None, "... and 20 more problems")


def test_the_same_item_and_sequence_index_twice_is_refused() -> None:
    text = DELIVERED.replace('sequenceIndex="2"', 'sequenceIndex="1"')
    [(line, message)] = _problems(text)
    first = _line_of(text, "<itemResult")
    assert line == _line_of(text, "<itemResult", text.index("<itemResult") + 1)
    assert message == (
        f"itemResult 'I-CACT-DEMO-000001-V1', sequenceIndex 1 appears twice (first on line {first})"
    )


def test_other_refusals_without_the_schema() -> None:
    text = DELIVERED.replace(
        '<responseVariable identifier="BLANK"', '<responseVariable identifier="RESPONSE"'
    ).replace('cardinality="single" baseType="float"', 'cardinality="several" baseType="float"')
    problems = _problems(text, validate=False)
    assert [message.split(": ", 1)[1] for _line, message in problems] == [
        "response variable 'RESPONSE' appears twice",
        "outcome variable 'SCORE': cardinality 'several' is unknown (single, multiple, "
        "ordered or record)",
    ]
    duration = DELIVERED.replace("<value>PT1M30.5S</value>", "<value>P</value>")
    [(_line, message)] = _problems(duration)
    assert "'P' is not a duration" in message
    typed = DELIVERED.replace(
        'identifier="duration" cardinality="single" baseType="duration"',
        'identifier="duration" cardinality="single" baseType="string"',
    )
    [(line, message)] = _problems(typed)
    assert line == _line_of(typed, "<itemResult") and "must hold one number of seconds" in message


def test_documents_that_are_not_results_reports(qti3_item: str) -> None:
    [(line, message)] = _problems(qti3_item)
    assert line == _line_of(qti3_item, "<qti-assessment-item")
    assert "not a results report" in message
    [(_line, message)] = _problems(
        '<assessmentResult xmlns="urn:other"><context/></assessmentResult>'
    )
    assert "namespace 'urn:other' is not a QTI results report" in message
    [(line, message)] = _problems("<assessmentResult>\n<oops></assessmentResult>")
    assert line == 2 and message.startswith("not well-formed XML:")


HOSTILE = {
    "entity expansion": (
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        '<assessmentResult xmlns="http://www.imsglobal.org/xsd/imsqti_result_v3p0">'
        "<context sourcedId='&b;'/></assessmentResult>"
    ),
    "external entity": (
        '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<assessmentResult xmlns="http://www.imsglobal.org/xsd/imsqti_result_v3p0">'
        "<context sourcedId='&x;'/></assessmentResult>"
    ),
    "network DTD": (
        '<!DOCTYPE assessmentResult SYSTEM "http://127.0.0.1:9/results.dtd">'
        '<assessmentResult xmlns="http://www.imsglobal.org/xsd/imsqti_result_v3p0">'
        "<context/></assessmentResult>"
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_xml_is_refused(kind: str) -> None:
    [(line, message)] = _problems(HOSTILE[kind])
    assert "DOCTYPE declarations are not allowed" in message
    assert line is not None


def test_undeclared_entities_are_not_expanded() -> None:
    text = (
        '<assessmentResult xmlns="http://www.imsglobal.org/xsd/imsqti_result_v3p0">'
        "<context sourcedId='&passwd;'/></assessmentResult>"
    )
    [(_line, message)] = _problems(text)
    assert message.startswith("not well-formed XML:") and "passwd" in message


# -- writing -------------------------------------------------------------------------------


def _one_item(**changes: Any) -> AssessmentResult:
    item = ItemResult(
        "I-CACT-DEMO-000001-V1",
        1,
        STAMP,
        "final",
        _by_id(_response("RESPONSE", "single", "identifier", "A")),
        _by_id(_outcome("SCORE", "single", "float", 1.0)),
    )
    return AssessmentResult("3.0", (), "C1", None, (dataclasses.replace(item, **changes),))


@pytest.mark.parametrize(
    ("changes", "version", "expected"),
    [
        (
            {"outcomes": _by_id(_outcome("SCORE", "single", "integer", "7"))},
            "3.0",
            "outcome variable 'SCORE': '7' is not an int",
        ),
        (
            {"outcomes": _by_id(_outcome("SCORE", "single", "float", float("nan")))},
            "3.0",
            "is not a finite number",
        ),
        (
            {"responses": _by_id(_response("RESPONSE", "single", "identifier", ["A"]))},
            "3.0",
            "['A'] is not a single value",
        ),
        (
            {"responses": _by_id(_response("RESPONSE", "multiple", "pair", [("A",)]))},
            "3.0",
            "is not a 2-tuple of identifiers",
        ),
        (
            {"responses": _by_id(_response("RESPONSE", "single", "string", "a\x00b"))},
            "3.0",
            "a character XML cannot carry",
        ),
        (
            {"responses": {"R": _response("RESPONSE", "single", "identifier", "A")}},
            "3.0",
            "is filed as response variable 'R'",
        ),
        (
            {"session_status": "pendingExternalScoring"},
            "2.1",
            "session status 'pendingExternalScoring' is not one of",
        ),
        (
            {"context_variables": _by_id(ResultVariable("L", "context", "single", "string", "x"))},
            "2.2",
            "context variables exist in QTI 3.0 results only",
        ),
        ({"datestamp": None}, "3.0", "the datestamp must be a datetime"),
    ],
)
def test_writer_refuses_what_it_cannot_write(
    changes: dict[str, Any], version: str, expected: str
) -> None:
    with pytest.raises(ValueError, match="itemResult 'I-CACT-DEMO-000001-V1': ") as caught:
        write_assessment_result(_one_item(**changes), version)
    assert expected in str(caught.value)


def test_writer_validate_reports_schema_errors() -> None:
    result = _one_item(identifier="1-starts-with-a-digit")
    data = write_assessment_result(result, "3.0")  # identifier syntax is the schema's
    with pytest.raises(ResultsError) as caught:
        write_assessment_result(result, "3.0", validate=True)
    [problem] = caught.value.problems
    assert problem.line == _line_of(data.decode(), "<itemResult")
    assert "'1-starts-with-a-digit'" in problem.message
    with pytest.raises(ValueError, match=r"unknown results version '2\.0'"):
        write_assessment_result(result, "2.0")


def test_duration_and_the_duration_response_always_agree() -> None:
    made = ItemResult("I-1", 1, STAMP, "final", {}, {}, duration=12)
    assert made.duration == 12.0
    assert made.responses["duration"] == _response("duration", "single", "duration", 12.0)
    given = ItemResult("I-1", 1, STAMP, "final", made.responses, {})
    assert given.duration == 12.0 and given == made
    with pytest.raises(ValueError, match="disagrees with the 'duration' response"):
        ItemResult("I-1", 1, STAMP, "final", made.responses, {}, duration=13.0)
    with pytest.raises(ValueError, match="must hold one number of seconds"):
        ItemResult(
            "I-1", 1, STAMP, "final", _by_id(_response("duration", "single", "string", "x")), {}
        )


# -- zips -----------------------------------------------------------------------------------


def _document(candidate: str, version: str = "3.0") -> bytes:
    result = dataclasses.replace(_one_item(), source_id=candidate)
    return write_assessment_result(result, version)


def test_zip_reads_every_document_and_reports_a_bad_one_by_name(make_zip: MakeZip) -> None:
    members: dict[str, str | bytes] = {
        "imsmanifest.xml": "<manifest/>",
        "README.txt": "not results",
        "sesi-1/C1.xml": _document("C1"),
        "sesi-1/deep/er/C2.XML": _document("C2", "2.1"),
        "sesi-2/C3.xml": DELIVERED.replace("<value> 0 </value>", "<value>nol</value>"),
        "__MACOSX/sesi-1/._C1.xml": b"\x00\x05\x16\x07",
        "sesi-2/C4.xml": _document("C4", "2.2"),
    }
    data = make_zip(members, "hasil.zip").read_bytes()
    read = list(read_results_zip(data, name="hasil.zip"))
    assert [name for name, _outcome in read] == [
        "sesi-1/C1.xml",
        "sesi-1/deep/er/C2.XML",
        "sesi-2/C3.xml",
        "sesi-2/C4.xml",
    ]
    outcomes = dict(read)
    assert [outcomes[name].candidate_id for name in ("sesi-1/C1.xml", "sesi-2/C4.xml")] == [
        "C1",
        "C4",
    ]
    assert outcomes["sesi-1/deep/er/C2.XML"].version == "2.1"
    bad = outcomes["sesi-2/C3.xml"]
    assert isinstance(bad, ResultsError)
    [problem] = bad.problems
    assert problem.file == "sesi-2/C3.xml" and "'nol' is not a number" in problem.message


def test_a_single_document_or_a_file_object_is_accepted(make_zip: MakeZip) -> None:
    [(name, result)] = read_results_zip(_document("C9"), name="C9.xml")
    assert name == "C9.xml" and isinstance(result, AssessmentResult)
    [(name, result)] = read_results_zip(io.BytesIO(_document("C9")))
    assert name == "results.xml" and result.candidate_id == "C9"
    path = make_zip({"a/C9.xml": _document("C9")})
    with path.open("rb") as handle:
        [(name, result)] = read_results_zip(handle)
    assert name == "a/C9.xml" and result.candidate_id == "C9"


def test_zip_slip_member_is_refused_and_the_others_read(make_zip: MakeZip) -> None:
    data = make_zip({"../../evil.xml": _document("X"), "ok.xml": _document("C1")}).read_bytes()
    read = list(read_results_zip(data, name="hasil.zip"))
    assert len(read) == 2
    (name, refused), (good_name, good) = read
    assert name == "hasil.zip" and isinstance(refused, ResultsError)
    assert "'../../evil.xml'" in refused.problems[0].message
    assert "zip-slip" in refused.problems[0].message
    assert good_name == "ok.xml" and isinstance(good, AssessmentResult)


def test_zip_bomb_member_is_refused(make_zip: MakeZip) -> None:
    members = {
        "bomb.xml": b" " * (8 << 20),
        "ok.xml": _document("C1"),
        "bomb.bin": b"\0" * (8 << 20),
    }
    read = dict(read_results_zip(make_zip(members).read_bytes()))
    assert list(read) == ["bomb.xml", "ok.xml"]  # other members are not read, nor reported
    assert isinstance(read["ok.xml"], AssessmentResult)
    refused = read["bomb.xml"]
    assert isinstance(refused, ResultsError) and "possible zip bomb" in str(refused)


def test_whole_zip_refusals(make_zip: MakeZip) -> None:
    data = make_zip({f"C{n}.xml": _document(f"C{n}") for n in range(5)}).read_bytes()
    with pytest.raises(ResultsError, match="has 5 members, more than the limit of 3"):
        read_results_zip(data, limits=ZipLimits(max_members=3))
    with pytest.raises(ResultsError, match="possible zip bomb"):
        read_results_zip(data, limits=ZipLimits(max_total_size=1000))
    with pytest.raises(ResultsError, match="not a readable zip file"):
        read_results_zip(b"PK\x03\x04 truncated")
    empty = make_zip({"manifest/imsmanifest.xml": "<manifest/>", "a.txt": "x"}).read_bytes()
    with pytest.raises(ResultsError, match=r"holds no \.xml results documents"):
        read_results_zip(empty, name="kosong.zip")
    small = ZipLimits(max_member_size=100)
    [(_name, too_large)] = read_results_zip(_document("C1"), limits=small)
    assert isinstance(too_large, ResultsError) and "larger than 100 bytes" in str(too_large)


# -- the shared folder -----------------------------------------------------------------------


def test_the_schemas_are_the_shared_folders_unchanged() -> None:
    from qti._schemas import SCHEMA_DIR

    for path in (
        "qtiv2p1/imsqti_result_v2p1.xsd",
        "qtiv2p2p4/imsqti_result_v2p2.xsd",
        "qtiv3p0/imsqti_resultv3p0_v1p0.xsd",
    ):
        assert (SCHEMA_DIR / path).read_bytes() == shared_path("qti-xsd", path).read_bytes()


def test_assessment_result_samples_of_the_shared_corpus_are_read() -> None:
    corpus = shared_path("qti-samples")
    samples = [
        path
        for path in sorted(corpus.rglob("*.xml"))
        if b"assessmentResult" in path.read_bytes()[:4096]
    ]
    if not samples:
        pytest.skip(f"no assessmentResult documents in {corpus.relative_to(SHARED.parent)}")
    for path in samples:
        result = read_assessment_result(path.read_bytes(), name=path.name)
        assert result.items or result.test is not None, path
