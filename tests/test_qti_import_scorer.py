"""The proof's faster paths change nothing but its speed: :func:`convert` with the item
types' own :meth:`~itembank.itemtypes.ItemType.scorer` (select point finds each probe
point's area once per proof) and :meth:`~itembank.itemtypes.ItemType.round_trip` (select
point checks each point once, a composite looks its parts' types up once) and the scoring
cache's faster response keys (:func:`qti.rp._frozen`) returns exactly what it returns
with the reference paths (every type scoring through ``score`` and reading and writing
each response through ``response_from_qti`` and ``qti_response``, the keys as first
written) - the same candidates, responses checked and report - on the bank's own export
of every type, in QTI 3.0 and 2.1, labelled and not, and on the public sample corpus."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.itemtypes import ItemType
from itembank.qti_bridge import convert as convert_module
from plugins.itemtypes.select_point import SelectPoint
from qti import rp
from tests.qti.test_qti_rp_cache import _reference_frozen
from tests.test_itemtypes_graphic import _reference_point_score
from tests.test_qti_import import OWN, TYPES, _targets
from tests.test_qti_import_fast_read import own_export_package


def _both_ways(monkeypatch: pytest.MonkeyPatch, target: Any) -> convert_module.ImportResult:
    fast = convert_module.convert(target, TYPES)
    with monkeypatch.context() as patch:
        for item_type in TYPES.values():
            if type(item_type).scorer is not ItemType.scorer:
                patch.setattr(type(item_type), "scorer", ItemType.scorer)
            if type(item_type).round_trip is not ItemType.round_trip:
                patch.setattr(type(item_type), "round_trip", ItemType.round_trip)
        # select point's score as first written: each point's area looked up per call
        patch.setattr(
            SelectPoint,
            "score",
            lambda _self, content, value: _reference_point_score(content, value),
        )
        patch.setattr(rp, "_frozen", _reference_frozen)
        reference = convert_module.convert(target, TYPES)
    assert fast == reference
    assert fast.report == reference.report
    assert not [e for e in fast.report if e.reason == "internal_error"]
    return fast


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("labelled", [True, False])
def test_own_export_the_same_as_with_the_reference_paths(
    monkeypatch: pytest.MonkeyPatch, version: str, labelled: bool
) -> None:
    result = _both_ways(monkeypatch, own_export_package(version, labelled))
    assert len(result.candidates) == len(OWN)
    assert "select_point" in {c.type_id for c in result.candidates}


def test_sample_corpus_the_same_as_with_the_reference_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    imported = 0
    for _label, path in _targets():
        imported += len(_both_ways(monkeypatch, path).candidates)
    assert imported > 50
