"""QTI for the item bank: plain data to bytes and back, with no web or database imports.

- :mod:`qti.ns` - namespace constants and ``qn("qti3:qti-assessment-item")``.
- :mod:`qti.xml` - the one hardened parser (:func:`parse_bytes`) and the one deterministic
  serializer (:func:`serialize`).
- :mod:`qti.validate` - schema validation (QTI 2.1, 2.2, 3.0, IMS CP) plus the checks no
  schema makes, for documents, folders and zip packages.
- :mod:`qti.rp` - a response-processing evaluator for QTI 2.x and 3.0 items.
- :mod:`qti.reader` - QTI 2.1 / 2.2 / 3.0 item documents into :mod:`qti.model`, with located
  reasons for what cannot be read.
- :mod:`qti.package_reader` - item files, folders and content-package zips opened safely
  (manifest-driven, zip-slip and zip-bomb guards, limits).
- :mod:`qti.results` - QTI 2.1 / 2.2 / 3.0 Results Reporting (``assessmentResult``): one
  candidate's delivered results to plain data and back, and zips of many.

The schemas under ``qti/schemas`` are the official 1EdTech files, unchanged but for one
recorded rewrite (``qti/schemas/REWRITES.log``: the QTI 3.0 strict profile leaves MathML to
the lenient schema).
"""

from qti.results import (
    AssessmentResult,
    ItemResult,
    ResultsError,
    ResultVariable,
    TestResult,
    read_assessment_result,
    read_results_zip,
    write_assessment_result,
)
from qti.rp import (
    InvalidRP,
    RPError,
    UnsupportedRP,
    correct_responses,
    evaluate_score,
    run_response_processing,
)
from qti.validate import Issue, Report, validate_document, validate_path
from qti.xml import QtiParseError, parse_bytes, serialize

__all__ = [
    "AssessmentResult",
    "InvalidRP",
    "Issue",
    "ItemResult",
    "QtiParseError",
    "RPError",
    "Report",
    "ResultVariable",
    "ResultsError",
    "TestResult",
    "UnsupportedRP",
    "correct_responses",
    "evaluate_score",
    "parse_bytes",
    "read_assessment_result",
    "read_results_zip",
    "run_response_processing",
    "serialize",
    "validate_document",
    "validate_path",
    "write_assessment_result",
]
