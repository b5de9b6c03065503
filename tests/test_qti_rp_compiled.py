"""The compiled response processing (:mod:`qti._rp_compiled`, which the import's scoring
proof runs) against the interpreter (:func:`qti.rp.evaluate_score`): on every response
every proof checks - the bank's own export of every type, in QTI 3.0 and 2.1, with and
without its type label, the third-party plugin's type, the public sample corpus and the
hostile items of the proof tests - the two give the same score or raise the same error.
(Every case of ``tests/qti/test_qti_rp.py`` runs both engines as well.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from itembank.qti_bridge import convert as convert_module
from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from qti import rp
from qti.package import PackageItem, PackageSection, PackageTest, build_package
from tests.qti_items import choice_item, letters, match_item, order_item
from tests.test_qti_import import OWN, PNG, PNG_SHA, STEM, TYPES, _targets


def _outcome(run: Callable[[], float]) -> tuple[Any, ...]:
    try:
        return ("score", run())
    except rp.RPError as exc:
        return ("error", type(exc), str(exc), getattr(exc, "line", None))


class _Both:
    """``score_function`` for :func:`convert`: each response scored by both engines
    (the compiled one through the import's :class:`qti.rp.ScoringCache`), which must
    agree; the interpreter's answer is what the proof gets."""

    def __init__(self) -> None:
        self.checked = 0
        self.errors = 0

    def __call__(
        self, root: Any, *, cache: rp.ScoringCache | None = None, variable: str | None = None
    ) -> Callable[[Any], float]:
        # the import's own cache: processing shared by items and scores it remembers (and
        # for one response variable, the function taking its value)
        compiled = rp.score_function(root, cache=cache, variable=variable)

        def score(value: Any) -> float:
            responses = value if variable is None else {variable: value}
            expected = _outcome(lambda: rp.evaluate_score(root, responses))
            assert _outcome(lambda: compiled(value)) == expected, responses
            self.checked += 1
            if expected[0] == "error":
                self.errors += 1
                return rp.evaluate_score(root, responses)  # raises it for the proof
            return expected[1]  # type: ignore[no-any-return]

        return score


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Both]:
    checker = _Both()
    monkeypatch.setattr(convert_module, "score_function", checker)
    yield checker


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize("labelled", [True, False])
def test_every_type_of_the_own_export(both: _Both, version: str, labelled: bool) -> None:
    items = []
    for index, (type_id, content) in enumerate(OWN):
        model = TYPES[type_id].qti_item(STEM, content, identifier=f"Q{index}", title="S")
        items.append(PackageItem(model if labelled else replace(model, label=None), f"B{index}", 1))
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    media = {PNG_SHA: PNG, **EXAMPLE_MEDIA}
    package = build_package(test, items, media, version)  # type: ignore[arg-type]
    result = convert_module.convert(package.data, TYPES)
    assert len(result.candidates) == len(OWN)
    if labelled:
        assert {c.type_id for c in result.candidates} == set(TYPES)
    # the proofs' responses, and those the types' from_qti asked about
    assert both.checked >= sum(c.responses_checked for c in result.candidates) > 500


def test_the_sample_corpus(both: _Both) -> None:
    imported = sum(len(convert_module.convert(path, TYPES).candidates) for _, path in _targets())
    assert imported > 50
    assert both.checked > 2000
    assert both.errors > 0  # processing the evaluator refuses is compared too


def test_hostile_items_of_the_proof(both: _Both) -> None:
    sources = [
        choice_item("c10", 10, letters(10)[:3], apart=letters(10)),
        choice_item("c12", 12, letters(12)[:2], max_choices=4),
        order_item("o7", 7, apart=list(reversed(letters(7)))),
        match_item("m3", 3, 4, ["P1 R2", "P2 R1"], response_max=2, apart=["P3 R4"]),
    ]
    for data in sources:
        convert_module.convert(data, TYPES)
    assert both.checked > 6000
