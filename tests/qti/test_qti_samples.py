"""The public sample corpus in ``../shared/qti-samples``, read in place.

Third-party content with deliberate oddities: the validator and the response-processing
evaluator must never crash on it, and must score the well-formed items correctly.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from qti.rp import (
    InvalidRP,
    RPError,
    UnsupportedRP,
    correct_responses,
    evaluate_score,
    run_response_processing,
)
from qti.validate import Report, validate_path
from qti.xml import parse_bytes

KENNISNET_RESOURCES = "tests/Unit/AssessmentItem/Service/resources"


def test_kennisnet_packages_validate_without_raising(kennisnet_dir: Path) -> None:
    zips = sorted((kennisnet_dir / "fixtures").glob("*.zip"))
    assert len(zips) == 5
    reports = {path.name: validate_path(path) for path in zips}
    assert all(isinstance(report, Report) for report in reports.values())
    assert all(report.documents > 0 for report in reports.values())
    assert reports["valid-package.zip"].issues == []
    assert reports["no-metadata.zip"].ok  # its data-* attributes are allowed
    invalid = reports["invalid-response-processing.zip"]
    assert [(i.file, i.line) for i in invalid.errors] == [("QUE_16_5.xml", 4)]
    assert "more than one value" in invalid.errors[0].message


def test_qtiworks_items_validate_without_raising(qtiworks_dir: Path) -> None:
    paths = sorted(qtiworks_dir.rglob("*.xml"))
    assert len(paths) > 100
    reports = [validate_path(path) for path in paths]
    assert sum(report.documents for report in reports) == len(paths)
    clean = [report for report in reports if report.ok]
    assert len(clean) >= len(paths) - 10
    by_name = {Path(report.path).name: report for report in reports}
    assert by_name["choice.xml"].issues == []
    # A real defect in the corpus: a mapping key that names no inline choice.
    assert any("'sorrow'" in issue.message for issue in by_name["chc_inlineGS.xml"].issues)


def test_qtiworks_folder_without_manifest(qtiworks_dir: Path) -> None:
    report = validate_path(qtiworks_dir / "ims")
    assert report.documents == len(list((qtiworks_dir / "ims").rglob("*.xml")))


def _item(folder: Path, name: str) -> bytes:
    return (folder / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "responses", "score"),
    [
        ("ims/choice.xml", {"RESPONSE": "ChoiceA"}, 1.0),
        ("ims/choice.xml", {"RESPONSE": "ChoiceB"}, 0.0),
        ("ims/choice.xml", {}, 0.0),
        ("ims/choice_multiple.xml", {"RESPONSE": ["H", "O"]}, 2.0),
        ("ims/choice_multiple.xml", {"RESPONSE": ["H", "O", "Cl"]}, 1.0),
        ("ims/choice_multiple.xml", {"RESPONSE": ["He"]}, 0.0),  # -2, lower bound 0
        ("ims/text_entry.xml", {"RESPONSE": "York"}, 1.0),
        ("ims/text_entry.xml", {"RESPONSE": "york"}, 0.5),  # QTI 2.1 maps case-sensitively
        ("ims/text_entry.xml", {"RESPONSE": "Leeds"}, 0.0),
        ("ims/associate.xml", {"RESPONSE": [("P", "A"), ("C", "M")]}, 3.0),
        ("ims/match.xml", {"RESPONSE": [("C", "R"), ("D", "M")]}, 1.5),
        ("ims/match.xml", {"RESPONSE": [("R", "C")]}, 0.0),  # directed: reversed is wrong
        ("ims/order.xml", {"RESPONSE": ["DriverC", "DriverA", "DriverB"]}, 1.0),
        ("ims/order.xml", {"RESPONSE": ["DriverA", "DriverC", "DriverB"]}, 0.0),
        ("ims/select_point.xml", {"RESPONSE": (100, 110)}, 1.0),
        ("ims/select_point.xml", {"RESPONSE": (10, 10)}, 0.0),
        ("ims/position_object.xml", {"RESPONSE": [(118, 184), (96, 114), (0, 0)]}, 2.0),
        ("ims/position_object.xml", {"RESPONSE": [(118, 184), (119, 185)]}, 1.0),
        ("ims/gap_match.xml", {"RESPONSE": [("W", "G1"), ("Su", "G2")]}, 3.0),
        ("ims/slider.xml", {"RESPONSE": 16}, 1.0),
    ],
)
def test_qtiworks_items_score_known_answers(
    qtiworks_dir: Path, name: str, responses: dict[str, Any], score: float
) -> None:
    assert evaluate_score(_item(qtiworks_dir, name), responses) == score


def test_qtiworks_adaptive_feedback_item(qtiworks_dir: Path) -> None:
    outcomes = run_response_processing(
        _item(qtiworks_dir, "ims/feedback_adaptive.xml"), {"RESPONSE": "MGH001C"}
    )
    assert outcomes["SCORE"] == 1.0
    assert outcomes["completionStatus"] == "completed"


def test_every_sample_item_runs_or_reports(qtiworks_dir: Path, kennisnet_dir: Path) -> None:
    """Every item of the corpus either scores its own correct response or raises RPError."""
    documents: list[bytes] = [p.read_bytes() for p in qtiworks_dir.rglob("*.xml")]
    documents += [p.read_bytes() for p in (kennisnet_dir / KENNISNET_RESOURCES).glob("*.xml")]
    for path in (kennisnet_dir / "fixtures").glob("*.zip"):
        with zipfile.ZipFile(path) as archive:
            documents += [archive.read(n) for n in archive.namelist() if n.endswith(".xml")]
    ran = reported = 0
    for data in documents:
        root = parse_bytes(data)
        if not root.tag.endswith(("}assessmentItem", "}qti-assessment-item")):
            continue
        try:
            run_response_processing(root, correct_responses(root))
            ran += 1
        except RPError:
            reported += 1
    assert ran >= 240
    assert reported <= 50


@pytest.mark.parametrize(
    ("name", "responses", "outcomes"),
    [
        ("simple-choice-processing.xml", {"RESPONSE": "CHOICE1"}, {"SCORE": 1.0}),
        ("simple-choice-processing.xml", {"RESPONSE": "CHOICE2"}, {"SCORE": 0.0}),
        ("match-correct-template.xml", {"RESPONSE": "Test"}, {"SCORE": 1.0}),
        ("match-correct-template.xml", {"RESPONSE": "test"}, {"SCORE": 0.0}),
        ("map-response-template.xml", {"RESPONSE": ["A1 B1", "A2 B2"]}, {"SCORE": 2.0}),
        ("with-else-if.xml", {"RESPONSE": ["A1 B1", "A2 B2"]}, {"SCORE": 1.0}),
        ("with-else-if.xml", {"RESPONSE": ["A1 B1"]}, {"SCORE": 0.5, "FEEDBACK": "incorrect"}),
        ("with-else-if.xml", {}, {"SCORE": 0.0}),
        (
            "simple-multiple-choice-processing1.xml",
            {"RESPONSE": ["choice1", "choice2", "choice3"]},
            {"SCORE": 2.0},
        ),
        ("without-response-processing.xml", {}, {"SCORE": 0.0, "MAXSCORE": 1.0}),
    ],
)
def test_kennisnet_items(
    kennisnet_dir: Path, name: str, responses: dict[str, Any], outcomes: dict[str, Any]
) -> None:
    result = run_response_processing(_item(kennisnet_dir / KENNISNET_RESOURCES, name), responses)
    assert {key: result[key] for key in outcomes} == outcomes


@pytest.mark.parametrize(
    ("name", "error", "fragment"),
    [
        ("wrong-expression-element.xml", UnsupportedRP, "qti-wrong-element"),
        ("wrong-processing-element.xml", UnsupportedRP, "qti-wrong-element"),
        ("non-existing-outcome.xml", InvalidRP, "NON-EXISTING"),
        ("else-if-after-else.xml", InvalidRP, "at most one else"),
    ],
)
def test_kennisnet_broken_items_raise_clear_errors(
    kennisnet_dir: Path, name: str, error: type[RPError], fragment: str
) -> None:
    data = _item(kennisnet_dir / KENNISNET_RESOURCES, name)
    with pytest.raises(error, match=fragment) as caught:
        run_response_processing(data, correct_responses(data))
    assert "line" in str(caught.value)


def test_template_processing_items_need_template_values(qtiworks_dir: Path) -> None:
    data = _item(qtiworks_dir, "ims/template.xml")
    with pytest.raises(UnsupportedRP, match="templateProcessing") as caught:
        run_response_processing(data, {"RESPONSE": 5})
    assert caught.value.element == "templateProcessing"
