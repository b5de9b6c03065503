"""The rich-text conversion and the sanitizer give, byte for byte, what the reference code
gave (``tests/data/html_golden.json.gz``, recorded from ``main`` by
``tests/make_html_golden.py``, which describes the corpus): the import's XHTML fragments
of every item type in QTI 3.0 and 2.1, the sample corpus, and seeded mutations with
hostile markup. A faster path that changes any output, or lets through anything the
reference refused, fails here."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

import itembank.qti_bridge.html as html_module
from itembank import sanitize
from tests.make_html_golden import GOLDEN, convert_outcome, sanitize_outcome


@pytest.fixture(scope="module")
def golden() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(gzip.decompress(GOLDEN.read_bytes()))
    return data


def _mismatches(cases: list[list[Any]], outcome: Any) -> list[str]:
    # (through JSON, as recorded: tuples become lists)
    return [case for case, expected in cases if json.loads(json.dumps(outcome(case))) != expected]


def test_xhtml_fragments_convert_as_the_reference(golden: dict[str, Any]) -> None:
    cases = golden["xhtml_to_html"]
    assert len(cases) > 2000
    assert _mismatches(cases, lambda fragment: convert_outcome(html_module, fragment)) == []


def test_the_sanitizer_gives_what_the_reference_gave(golden: dict[str, Any]) -> None:
    cases = golden["sanitize"]
    assert len(cases) > 3000
    # both the shortcut and the parser are exercised
    simple = sum(sanitize._simple_markup(html) is not None for html, _ in cases)
    assert 500 < simple < len(cases) - 500
    assert _mismatches(cases, lambda html: sanitize_outcome(sanitize, html)) == []
