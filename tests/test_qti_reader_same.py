"""The reader's faster paths change nothing but its speed: :func:`qti.reader.read_item`
reads every case of ``tests/qti_reader_cases.py`` (the bank's own export of every type,
QTI 3.0 and 2.1, the public sample corpus, and seeded random mutations of each) exactly
as the reader before them did (its digests, ``tests/qti_reader_golden.py``), and exactly
as with those paths switched off: every fragment copied element by element, declarations
and response processing read again for every item."""

from __future__ import annotations

from typing import Any

import pytest

from qti import _read_body, reader
from qti._names import camel_name
from tests import qti_reader_cases as cases
from tests.qti_reader_golden import GOLDEN
from tests.shared import shared_path


@pytest.fixture(scope="module")
def documents() -> list[tuple[str, bytes]]:
    return list(cases.documents(shared_path("qti-samples")))


def _long_way(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(_read_body, "_plain_fragment", lambda _element, _keep_self: None)
    patch.setattr(_read_body, "_plain_copy", lambda _element, _reader: None)
    patch.setattr(reader, "_remembered", lambda read, element, _flag=False: read(element))


def test_every_case_read_as_before(documents: list[tuple[str, bytes]]) -> None:
    assert len(documents) == len(GOLDEN) > 400
    changed_inputs, changed_readings = [], []
    for key, document in documents:
        recorded_input, recorded = GOLDEN[key]
        if cases.input_digest(document) != recorded_input:
            changed_inputs.append(key)
        elif cases.digest(key, document) != recorded:
            changed_readings.append(key)
    assert not changed_readings, f"read differently from before: {changed_readings}"
    assert not changed_inputs, (
        "these documents changed (the export of their type?); if nothing else changed, "
        f"record the digests again (python -m tests.qti_reader_cases): {changed_inputs}"
    )


def test_every_case_read_as_the_long_way(
    monkeypatch: pytest.MonkeyPatch, documents: list[tuple[str, bytes]]
) -> None:
    every = [case for key, document in documents for case in cases.cases(key, document)]
    reader._readings.clear()
    fast = [cases.reading(case) for case in every]
    assert [cases.reading(case) for case in every] == fast  # (remembered the second time)
    with monkeypatch.context() as patch:
        _long_way(patch)
        assert [cases.reading(case) for case in every] == fast


def test_the_fast_paths_are_taken(
    monkeypatch: pytest.MonkeyPatch, documents: list[tuple[str, bytes]]
) -> None:
    """(So that the comparisons above compare something.)"""
    calls = {"plain": 0, "remembered": 0}
    plain, remembered = _read_body._plain_fragment, reader._remembered

    def counted_plain(element: Any, keep_self: bool) -> Any:
        text = plain(element, keep_self)
        calls["plain"] += text is not None
        return text

    def counted_remembered(read: Any, element: Any, flag: bool = False) -> Any:
        before = len(reader._readings)
        found = remembered(read, element, flag)
        calls["remembered"] += element is not None and len(reader._readings) == before
        return found

    monkeypatch.setattr(_read_body, "_plain_fragment", counted_plain)
    monkeypatch.setattr(reader, "_remembered", counted_remembered)
    own = [document for key, document in documents if key.startswith("own/")]
    reader._readings.clear()
    for document in own:
        reader.read_item(document)
    assert calls["plain"] > 2 * len(own)
    assert calls["remembered"] > len(own)


def test_a_declaration_remembered_with_its_version_default() -> None:
    """A mapping without ``caseSensitive`` takes its document's default (QTI 2.1: case
    sensitive; 2.2: not), also for the same declaration text in both."""
    declaration = (
        '<responseDeclaration xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" '
        'identifier="R" cardinality="single" baseType="string">'
        '<mapping defaultValue="0"><mapEntry mapKey="a" mappedValue="1"/></mapping>'
        "</responseDeclaration>"
    )

    def item(namespace: str) -> bytes:
        return (
            f'<assessmentItem xmlns="{namespace}" identifier="i" title="t" adaptive="false" '
            f'timeDependent="false">{declaration}<itemBody><p>'
            '<textEntryInteraction responseIdentifier="R"/></p></itemBody></assessmentItem>'
        ).encode()

    reader._readings.clear()
    for namespace, sensitive in (
        ("http://www.imsglobal.org/xsd/imsqti_v2p1", True),
        ("http://www.imsglobal.org/xsd/imsqti_v2p2", False),
        ("http://www.imsglobal.org/xsd/imsqti_v2p1", True),
    ):
        mapping = reader.read_item(item(namespace)).item.responses[0].mapping
        assert mapping is not None
        assert mapping.entries[0].case_sensitive is sensitive


def _spellings(name: str) -> list[str]:
    """Every local name ``camel_name`` reads as ``name`` (each capital also written as a
    hyphen and its lower case; with or without ``qti-``)."""
    forms = [""]
    for char in name:
        options = [char, "-" + char.lower()] if char.isupper() else [char]
        forms = [form + option for form in forms for option in options]
    return forms + ["qti-" + form for form in forms]


def test_every_spelling_of_a_kind_left_to_the_long_way_is_looked_at() -> None:
    """:data:`qti._read_body._MAYBE_NOT_PLAIN` finds the start of every spelling of the
    kinds :func:`qti._read_body._plain_name` refuses, and of every prefixed name."""
    for kind in _read_body._NOT_PLAIN_BELOW:
        for spelling in _spellings(kind):
            assert camel_name(spelling) == kind
            assert not _read_body._plain_name(spelling)
            assert _read_body._MAYBE_NOT_PLAIN.match(f"<{spelling} a='1'>"), spelling
    # (every kind that becomes a slot is among them: a plain fragment has no slot)
    slots = {"gap", "hottext", *_read_body.INLINE_INTERACTIONS}
    assert slots <= _read_body._NOT_PLAIN <= _read_body._NOT_PLAIN_BELOW
    assert _read_body._MAYBE_NOT_PLAIN.match("<m:mi>")
    assert not _read_body._MAYBE_NOT_PLAIN.match("<p>")
