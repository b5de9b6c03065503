"""Validation of single documents: schemas and the checks no schema makes."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from qti.validate import (
    Issue,
    SchemaSpec,
    cached_schema,
    get_schema,
    preload_schemas,
    validate_document,
    validate_elements,
    validate_path,
)
from qti.xml import parse_bytes


def _errors(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity == "error"]


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_minimal_qti3_item_is_valid(qti3_item: str) -> None:
    assert validate_document(qti3_item.encode(), name="item.xml") == []


def test_minimal_qti21_item_is_valid(qti21_item: str) -> None:
    assert validate_document(qti21_item.encode(), name="item.xml") == []


def test_misspelt_attribute_is_caught_by_the_strict_qti3_profile(qti3_item: str) -> None:
    text = qti3_item.replace('max-choices="1"', 'max-choice="1"')
    issues = validate_document(text.encode(), name="item.xml")
    assert len(issues) == 1
    issue = issues[0]
    assert issue.file == "item.xml"
    assert issue.line == _line_of(text, "<qti-choice-interaction")
    assert issue.severity == "error"
    assert issue.message.startswith("QTI 3.0 strict profile:")
    assert "'max-choice'" in issue.message
    assert "{http" not in issue.message  # the document's namespace is left out


MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mi>a</mi>{}</mfrac></math>'


def test_mathml_in_qti3_is_validated_once(qti3_item: str) -> None:
    # The strict profile leaves MathML to the lenient schema, which checks it with the
    # same MathML 3 files (qti/schemas/REWRITES.log).
    valid = qti3_item.replace("<qti-prompt>", "<qti-prompt>" + MATH.format("<mn>2</mn>"))
    assert validate_document(valid.encode()) == []
    invalid = qti3_item.replace("<qti-prompt>", "<qti-prompt>" + MATH.format("<mfoo/>"))
    issues = validate_document(invalid.encode())
    assert [issue.severity for issue in issues] == ["error"]
    assert issues[0].message.startswith("QTI 3.0 schema: Element 'm:mfoo'")
    assert issues[0].line == _line_of(invalid, "<mfoo")


def test_custom_data_attributes_are_allowed_in_qti3(qti3_item: str) -> None:
    text = qti3_item.replace("<qti-prompt>", '<qti-prompt data-source="bank-7">')
    assert validate_document(text.encode()) == []


def test_misspelt_attribute_in_qti21(qti21_item: str) -> None:
    text = qti21_item.replace('shuffle="false"', 'shufle="false"')
    issues = _errors(validate_document(text.encode(), name="item.xml"))
    assert any(
        i.line == _line_of(text, "<choiceInteraction") and "'shufle'" in i.message for i in issues
    )


@pytest.mark.parametrize("fixture", ["qti3_item", "qti21_item"])
def test_missing_required_element(fixture: str, request: pytest.FixtureRequest) -> None:
    text: str = request.getfixturevalue(fixture)
    lines = [
        line
        for line in text.splitlines()
        if "impleChoice" not in line and "simple-choice" not in line
    ]
    text = "\n".join(lines)
    issues = _errors(validate_document(text.encode(), name="x.xml"))
    interaction = "<qti-choice-interaction" if "qti-" in text else "<choiceInteraction"
    assert any(
        i.line == _line_of(text, interaction) and "Missing child element" in i.message
        for i in issues
    )


@pytest.mark.parametrize("fixture", ["qti3_item", "qti21_item"])
def test_identifier_starting_with_a_digit(fixture: str, request: pytest.FixtureRequest) -> None:
    text: str = request.getfixturevalue(fixture).replace("choice_b", "2b")
    issues = validate_document(text.encode(), name="item.xml")
    extra = [i for i in issues if "must start with a letter or underscore" in i.message]
    assert len(extra) == 1
    assert extra[0].line == _line_of(text, '"2b"')
    assert extra[0].severity == "error"
    assert "'2b'" in extra[0].message


@pytest.mark.parametrize("fixture", ["qti3_item", "qti21_item"])
def test_correct_response_naming_an_undeclared_choice(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    text: str = request.getfixturevalue(fixture)
    text = text.replace("value>choice_a<", "value>choice_z<")
    issues = validate_document(text.encode(), name="item.xml")
    assert [(i.line, i.severity) for i in issues] == [(_line_of(text, "choice_z"), "error")]
    assert "'choice_z'" in issues[0].message
    assert "not a choice" in issues[0].message


def test_mapping_key_naming_an_undeclared_choice(qti21_item: str) -> None:
    text = qti21_item.replace(
        "    </correctResponse>\n",
        "    </correctResponse>\n"
        '    <mapping defaultValue="0">\n'
        '      <mapEntry mapKey="choice_a" mappedValue="1"/>\n'
        '      <mapEntry mapKey="choice_q" mappedValue="1"/>\n'
        "    </mapping>\n",
    )
    issues = validate_document(text.encode(), name="item.xml")
    keyed = [i for i in issues if "mapping key" in i.message]
    assert [i.line for i in keyed] == [_line_of(text, "choice_q")]


def test_pair_keys_are_checked_one_identifier_at_a_time() -> None:
    text = """<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"
    identifier="pairs" title="Pairs" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="pair">
    <correctResponse><value>A B</value><value>A X</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <associateInteraction responseIdentifier="RESPONSE" shuffle="false" maxAssociations="2">
      <simpleAssociableChoice identifier="A" matchMax="2">a</simpleAssociableChoice>
      <simpleAssociableChoice identifier="B" matchMax="2">b</simpleAssociableChoice>
    </associateInteraction>
  </itemBody>
</assessmentItem>"""
    issues = validate_document(text.encode())
    assert [i.message for i in issues if "choice" in i.message] == [
        "correct response of response 'RESPONSE' names 'X', which is not a choice of its "
        "interaction"
    ]


def test_language_attribute_and_stray_math(qti21_item: str) -> None:
    text = qti21_item.replace('xml:lang="en"', 'language="en"').replace(
        "<prompt>What", "<prompt><math>x</math>What"
    )
    messages = [i.message for i in validate_document(text.encode())]
    assert any("use xml:lang" in m for m in messages)
    assert any("MathML must be in" in m for m in messages)


def test_unknown_template_and_undeclared_variables(qti3_item: str) -> None:
    text = qti3_item.replace(
        "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
        "https://example.com/my_own_template.xml",
    ).replace('response-identifier="RESPONSE"', 'response-identifier="RESPONSE_2"')
    messages = [i.message for i in _errors(validate_document(text.encode()))]
    assert any("not a standard template" in m for m in messages)
    assert any("undeclared variable 'RESPONSE_2'" in m for m in messages)


def test_non_canonical_template_spelling_is_a_warning(qti21_item: str) -> None:
    text = qti21_item.replace("rptemplates/match_correct", "rptemplates/match_correct.xml")
    issues = validate_document(text.encode())
    assert [i.severity for i in issues] == ["warning"]
    assert "non-standard spelling" in issues[0].message


def test_template_without_what_it_needs(qti21_item: str) -> None:
    start = qti21_item.index("    <correctResponse>")
    end = qti21_item.index("</correctResponse>\n") + len("</correctResponse>\n")
    text = qti21_item[:start] + qti21_item[end:]
    messages = [i.message for i in validate_document(text.encode())]
    assert any("needs a <correctResponse>" in m for m in messages)


def test_duplicate_choice_identifiers(qti3_item: str) -> None:
    text = qti3_item.replace('identifier="choice_c"', 'identifier="choice_b"')
    messages = [i.message for i in validate_document(text.encode())]
    assert "choice identifier 'choice_b' is used 2 times" in messages


def test_malformed_document_gives_an_issue_not_an_exception() -> None:
    issues = validate_document(
        b"<qti-assessment-item>\n<oops>\n</qti-assessment-item>", name="b.xml"
    )
    assert [(i.file, i.line, i.severity) for i in issues] == [("b.xml", 3, "error")]
    assert issues[0].message.startswith("not well-formed XML")


def test_doctype_gives_an_issue() -> None:
    issues = validate_document(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', name="evil.xml")
    assert len(issues) == 1 and "DOCTYPE" in issues[0].message


def test_unrecognised_document_is_a_warning() -> None:
    issues = validate_document(b'<html xmlns="http://www.w3.org/1999/xhtml"/>', name="p.xml")
    assert [i.severity for i in issues] == ["warning"]


def test_qti3_manifest_versions(qti3_manifest: Callable[[dict[str, list[str]]], str]) -> None:
    manifest = qti3_manifest({"item.xml": []})
    assert validate_document(manifest.encode()) == []
    newer = manifest.replace(">3.0.0<", ">3.0.1<")
    assert validate_document(newer.encode()) == []
    odd = manifest.replace(">3.0.0<", ">2.9<")
    issues = validate_document(odd.encode())
    assert issues[0].severity == "warning"
    assert "schemaversion" in issues[0].message
    assert all("schemaversion" in issue.message for issue in issues)


def test_validate_path_on_a_single_file(tmp_path: Path, qti21_item: str) -> None:
    path = tmp_path / "item.xml"
    path.write_text(qti21_item.replace("choice_b", "9b"), encoding="utf-8")
    report = validate_path(path)
    assert report.documents == 1
    assert not report.ok
    assert all(issue.file == "item.xml" for issue in report.issues)
    assert "item.xml" in str(report)


def test_schemas_are_compiled_once_and_cached(qti3_item: str) -> None:
    spec = SchemaSpec("qtiv3p0p1/imsqti_asiv3p0p1_v1p0.xsd", "QTI 3.0 schema")
    validate_document(qti3_item.encode())
    compiled = cached_schema(spec)
    assert compiled is not None
    validate_document(qti3_item.encode())
    assert cached_schema(spec) is compiled
    assert get_schema(spec) is compiled
    assert get_schema("qtiv3p0p1/imsqti_asiv3p0p1_v1p0.xsd") is compiled


def test_preload_compiles_ahead_of_first_use() -> None:
    # Small schemas, so that this test does not spend seconds on the big ones.
    specs = (
        SchemaSpec("imscp_v1p1.xsd", "IMS CP 1.1 schema"),
        SchemaSpec("imsmd_loose_v1p3p2.xsd", "IMS MD 1.3 (LOM) schema"),
    )
    seconds = preload_schemas(specs)
    assert seconds >= 0
    compiled = [cached_schema(spec) for spec in specs]
    assert all(schema is not None for schema in compiled)
    preload_schemas(specs)
    assert [cached_schema(spec) for spec in specs] == compiled


def test_preload_covers_every_schema_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from qti import _schemas

    seen: list[str] = []
    monkeypatch.setattr(_schemas, "_compiled", lambda spec: seen.append(spec.path))
    preload_schemas()
    assert seen == [spec.path for spec in _schemas.ALL_SCHEMAS]


def test_qti22_item_is_validated_against_the_22_schema(qti21_item: str) -> None:
    text = qti21_item.replace("imsqti_v2p1", "imsqti_v2p2").replace("qtiv2p1", "qtiv2p2")
    assert validate_document(text.encode()) == [
        Issue(
            "",
            _line_of(text, "<responseProcessing"),
            "warning",
            "template URI 'http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct'"
            " is a non-standard spelling; QTI 2.2 uses "
            "'http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct'",
        )
    ]
    broken = text.replace('shuffle="false"', 'shuffle="no"')
    assert any("QTI 2.2.4 schema" in i.message for i in validate_document(broken.encode()))


def test_concurrent_validation_gives_the_same_issues(qti3_item: str) -> None:
    text = qti3_item.replace('max-choices="1"', 'max-choice="1"').replace("choice_b", "2b")
    expected = validate_document(text.encode(), name="x.xml")
    assert len(expected) == 3  # misspelt attribute; bad identifier (schema and check)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(
            pool.map(lambda _: validate_document(text.encode(), name="x.xml"), range(16))
        )
    assert all(result == expected for result in results)


def test_documents_validated_together_get_the_issues_each_gets_alone(
    qti3_item: str,
    qti21_item: str,
    qti3_manifest: Callable[[dict[str, list[str]]], str],
) -> None:
    # validate_elements works one schema at a time over all the documents (the package
    # builder validates a package so): each document must still get exactly its own
    # issues, with the labels of the schemas that found each error joined for it alone.
    bad3 = qti3_item.replace('max-choices="1"', 'max-choice="1"').replace("choice_b", "2b")
    bad21 = qti21_item.replace('shuffle="false"', 'shufle="false"').replace(
        'identifier="choice_c"', 'identifier="choice_a"'
    )
    qti22 = qti21_item.replace("imsqti_v2p1", "imsqti_v2p2").replace("qtiv2p1", "qtiv2p2")
    odd_manifest = qti3_manifest({"item.xml": []}).replace(">3.0.0<", ">2.9<")
    texts = {
        "a.xml": bad3,
        "b.xml": qti21_item,
        "c.xml": qti3_item,
        "d.xml": bad21,
        "e.xml": '<html xmlns="http://www.w3.org/1999/xhtml"/>',
        "f.xml": odd_manifest,
        "g.xml": qti22,
        "h.xml": bad3.replace("2b", "3c"),
    }
    alone = {name: validate_document(text.encode(), name=name) for name, text in texts.items()}
    together = validate_elements([(name, parse_bytes(t.encode())) for name, t in texts.items()])
    assert dict(zip(texts, together, strict=True)) == alone
    # What each document gets alone, as the single-document tests above find it.
    assert [i.message.split(":")[0] for i in alone["a.xml"]] == [
        "QTI 3.0 strict profile",
        "QTI 3.0 schema and QTI 3.0 strict profile",
        "identifier '2b' of <qti-simple-choice> must start with a letter or underscore",
    ]
    assert "'3c'" in alone["h.xml"][1].message and "'2b'" not in str(alone["h.xml"])
    assert alone["b.xml"] == alone["c.xml"] == []
    assert {i.severity for i in alone["d.xml"]} == {"error"}
    assert any("'shufle'" in i.message for i in alone["d.xml"])
    assert "choice identifier 'choice_a' is used 2 times" in [i.message for i in alone["d.xml"]]
    assert [i.severity for i in alone["e.xml"]] == ["warning"]
    assert "schemaversion" in alone["f.xml"][0].message
    assert [i.severity for i in alone["g.xml"]] == ["warning"]
    assert validate_elements([]) == []


def test_choice_identifiers_are_unique_per_interaction_not_per_item(qti3_item: str) -> None:
    """Two interactions may give their choices the same identifiers; a choice identifier
    used twice in one interaction is still found when another interaction uses it too."""
    start = qti3_item.index("    <qti-choice-interaction")
    end = qti3_item.index("</qti-choice-interaction>\n") + len("</qti-choice-interaction>\n")
    second = qti3_item[start:end].replace('"RESPONSE"', '"RESPONSE_2"')
    declaration = (
        '  <qti-response-declaration identifier="RESPONSE_2" cardinality="single" '
        'base-type="identifier"/>\n'
    )
    text = qti3_item[:end] + second + qti3_item[end:]
    text = text.replace("  <qti-outcome-declaration", declaration + "  <qti-outcome-declaration")
    assert validate_document(text.encode()) == []
    repeated = text.replace('identifier="choice_c"', 'identifier="choice_b"', 1)
    messages = [i.message for i in validate_document(repeated.encode())]
    assert messages.count("choice identifier 'choice_b' is used 2 times") == 1
    both = repeated[: repeated.rindex("choice_c")] + repeated[
        repeated.rindex("choice_c") :
    ].replace("choice_c", "choice_b", 1)
    messages = [i.message for i in validate_document(both.encode())]
    assert messages.count("choice identifier 'choice_b' is used 2 times") == 2
