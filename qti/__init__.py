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

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The names below are imported on first use (PEP 562), so that a process importing one
# part of the package - an export (``qti.package``) or a validation - does not pay for
# importing all of them.
_EXPORTS: dict[str, str] = {
    "AssessmentResult": "qti.results",
    "ItemResult": "qti.results",
    "ResultsError": "qti.results",
    "ResultVariable": "qti.results",
    "TestResult": "qti.results",
    "read_assessment_result": "qti.results",
    "read_results_zip": "qti.results",
    "write_assessment_result": "qti.results",
    "InvalidRP": "qti.rp",
    "RPError": "qti.rp",
    "UnsupportedRP": "qti.rp",
    "correct_responses": "qti.rp",
    "evaluate_score": "qti.rp",
    "run_response_processing": "qti.rp",
    "Issue": "qti.validate",
    "Report": "qti.validate",
    "validate_document": "qti.validate",
    "validate_path": "qti.validate",
    "QtiParseError": "qti.xml",
    "parse_bytes": "qti.xml",
    "serialize": "qti.xml",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qti' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:
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
