"""The proofs' memo of an import (:class:`itembank.qti_bridge.proof.ProofMemo`) changes
nothing but its speed.

- Every built-in type's :meth:`~itembank.itemtypes.ItemType.proof_key` is sound on the
  responses the import's proofs try (recorded from a real import of the bank's own
  export of every type, in its variants): content that differs only outside the key
  (every rich text changed) has the same key and gives the same round trips, responses,
  scores and errors; and every change of a field the key holds that changes any of
  those (a mutation of each number, flag, identifier, list order and length, the types
  of numbers) changes the key.
- :func:`convert` returns exactly the same candidates and report (compared pickled)
  with the memo and without it, on the own export of every type (each item twice) in
  QTI 3.0 and 2.1, on the varied package of ``bench/qti_import.py`` and on the sample
  corpus, and the memo is used.
- A failing proof is still reported for a second item sharing the key: the same
  response, the same scores, the item's own report entry.
"""

from __future__ import annotations

import copy
import importlib.util
import pickle
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from itembank.itemtypes import ContentError, ItemType, key_without_rich_text
from itembank.qti_bridge import convert as convert_module
from itembank.qti_bridge import proof as proof_module
from itembank.qti_bridge.proof import ProofMemo
from plugins.itemtypes._graphic import EXAMPLE_MEDIA
from plugins.itemtypes.single_choice import SingleChoice
from qti import rp
from qti.package import PackageItem, PackageSection, PackageTest, build_package
from qti.xml import parse_bytes
from tests.qti_items import CHOICE_ITEM
from tests.test_qti_import import HOST, OWN, PNG, PNG_SHA, STEM, TYPES, _targets

BUILT_IN = {type_id for type_id in TYPES if type(TYPES[type_id]).__module__.startswith("plugins.")}


def _package(contents: list[tuple[str, dict[str, Any]]], version: str, copies: int = 2) -> bytes:
    items = []
    for copy_number in range(copies):
        for index, (type_id, content) in enumerate(contents):
            model = TYPES[type_id].qti_item(
                STEM if copy_number else f"<p>Pokok soal {index}</p>",
                content,
                identifier=f"Q{copy_number}_{index}",
                title="S",
            )
            items.append(PackageItem(model, f"B{copy_number}_{index}", 1))
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    media = {PNG_SHA: PNG, **EXAMPLE_MEDIA}
    return build_package(test, items, media, version).data  # type: ignore[arg-type]


def _recorded(
    monkeypatch: pytest.MonkeyPatch, data: bytes
) -> list[tuple[ItemType, dict[str, Any], list[Any]]]:
    """Every proof an import of ``data`` runs: its type, content and responses."""
    seen: list[tuple[ItemType, dict[str, Any], list[Any]]] = []
    prove = proof_module.prove

    def recording(item_type: ItemType, content: Any, source: Any, responses: Any) -> Any:
        values = list(responses)
        seen.append((item_type, content, values))
        return prove(item_type, content, source, values)

    with monkeypatch.context() as patch:
        patch.setattr(proof_module, "prove", recording)
        patch.setattr(convert_module, "prove", recording)
        patch.setattr(convert_module, "ProofMemo", lambda: None)
        convert_module.convert(data, TYPES)
    return seen


@pytest.fixture(scope="module")
def proofs() -> list[tuple[ItemType, dict[str, Any], list[Any]]]:
    with pytest.MonkeyPatch.context() as patch:
        seen = _recorded(patch, _package(OWN, "3.0", copies=1))
    assert {item_type.id for item_type, _, _ in seen} >= BUILT_IN
    return seen


def _outcome(call: Any, *args: Any) -> tuple[str, str]:
    try:
        result = call(*args)
    except ValueError as exc:
        return ("ValueError", str(exc))
    return ("value", repr(result))


def _outcomes(item_type: ItemType, content: dict[str, Any], values: list[Any]) -> list[Any]:
    """Everything the proof reads of the bank's side, for each value: the round trip and
    the prepared score, the methods one by one, and whether a person scores."""
    trip = item_type.round_trip(copy.deepcopy(content))
    prepared = copy.deepcopy(content)
    score = item_type.scorer(prepared)
    found: list[Any] = [item_type.scored_by_person]
    for value in values:
        tripped = _outcome(trip, value)
        found.append(tripped)
        response = _outcome(item_type.response_from_qti, content, value)
        found.append(response)
        if response[0] == "value":
            bank = item_type.response_from_qti(content, value)
            found.append(_outcome(item_type.qti_response, content, bank))
            found.append(_outcome(score, bank))
            found.append(_outcome(item_type.score, content, bank))
    return found


def _other_texts(item_type: ItemType, content: dict[str, Any]) -> dict[str, Any]:
    """``content`` with every rich text changed (images: another alt text)."""

    def other(html: str) -> str:
        if "<img" in html:
            return html.replace('alt="', 'alt="lain ', 1)
        if html.endswith("</p>"):
            return html[:-4] + " (teks lain)</p><p>Lagi</p>"
        return html + " lain" if html else "<p>Teks lain</p>"

    changed = item_type.map_html(content, other)
    try:
        return item_type.load(changed)
    except ContentError:
        return changed


def test_content_outside_the_key_proves_alike(
    proofs: list[tuple[ItemType, dict[str, Any], list[Any]]],
) -> None:
    checked = set()
    for item_type, content, values in proofs:
        key = item_type.proof_key(content)
        if item_type.id not in BUILT_IN:
            assert key is None  # a third-party type without the hook: no memo
            continue
        assert key is not None, item_type.id
        other = _other_texts(item_type, content)
        assert other != content or not list(item_type.html_fields(content))
        assert item_type.proof_key(other) == key, item_type.id
        assert _outcomes(item_type, other, values) == _outcomes(item_type, content, values)
        checked.add(item_type.id)
    assert checked == BUILT_IN


def _mutants(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """``(path, new value)`` for every change of one place of JSON ``value``: each number
    (plus one, a half, the same value as the other number type), flag, string (another
    one, a known sibling value), list (reversed, shortened, one more of its last)."""
    kind = type(value)
    if kind is dict:
        for name, part in value.items():
            yield from _mutants(part, (*path, name))
        return
    if kind is list:
        for index, part in enumerate(value):
            yield from _mutants(part, (*path, index))
        if len(value) > 1:
            yield path, value[::-1]
            yield path, value[1:] + value[:1]
        if value:
            yield path, value[:-1]
            yield path, [*value, copy.deepcopy(value[-1])]
        return
    if kind is bool:
        yield path, not value
    elif kind is int:
        yield path, value + 1
        yield path, float(value)
        if value in (0, 1):
            yield path, bool(value)
    elif kind is float:
        yield path, value + 0.5
        if value.is_integer():
            yield path, int(value)
        if value == 0:
            yield path, -0.0 if str(value) == "0.0" else 0.0
    elif kind is str:
        yield path, value + "X"
        yield path, value.upper() if value != value.upper() else value.lower()
        for known in ("A", "B", "C", "all_or_nothing", "partial", "mapped", "absolute"):
            if known != value:
                yield path, known
    elif value is None:
        yield path, 0


def _put(content: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    changed = copy.deepcopy(content)
    place = changed
    for step in path[:-1]:
        place = place[step]
    place[path[-1]] = new
    return changed


def test_every_change_that_matters_changes_the_key(
    proofs: list[tuple[ItemType, dict[str, Any], list[Any]]],
) -> None:
    mattered: dict[str, int] = {}
    for item_type, content, values in proofs:
        if item_type.id not in BUILT_IN:
            continue
        key = item_type.proof_key(content)
        expected = _outcomes(item_type, content, values)
        html_paths = {path for path, _ in item_type.html_fields(content)}
        for path, new in _mutants(content):
            if ".".join(map(str, path)) in html_paths:
                continue
            try:
                mutant = item_type.load(_put(content, path, new))
            except (ContentError, TypeError, KeyError, IndexError, AttributeError):
                continue
            try:
                differs = _outcomes(item_type, mutant, values) != expected
            except (TypeError, KeyError, IndexError, AttributeError, ZeroDivisionError):
                differs = True  # (raised where the original did not: it matters)
            if differs:
                mattered[item_type.id] = mattered.get(item_type.id, 0) + 1
                assert item_type.proof_key(mutant) != key, (item_type.id, path, new)
    # every type that scores by itself has fields that matter, and they were tried
    assert set(mattered) >= BUILT_IN - {"extended_text"}, sorted(BUILT_IN - set(mattered))


def test_the_key_keeps_apart_what_equality_confuses() -> None:
    single = TYPES["single_choice"]
    content = single.load(single.example_content())
    key = single.proof_key(content)
    assert key == key_without_rich_text(single, copy.deepcopy(content))
    for points in (5.0, True, 5.5):
        assert single.proof_key({**content, "points": points}) != key
    numeric = TYPES["numeric"]
    zero = numeric.load({**numeric.example_content(), "answer": 0.0})
    assert numeric.proof_key({**zero, "answer": -0.0}) != numeric.proof_key(zero)
    # the options' order is part of it; their texts are not
    options = content["options"]
    assert single.proof_key({**content, "options": options[::-1]}) != key
    texts = [{**option, "text": "<p>lain</p>"} for option in options]
    assert single.proof_key({**content, "options": texts}) == key
    # content that is not plain JSON has no key
    assert single.proof_key({**content, "points": object()}) is None


def test_composite_key_is_its_parts() -> None:
    composite = TYPES["composite"]
    content = composite.load(composite.example_content())
    key = composite.proof_key(content)
    assert key is not None
    renamed = copy.deepcopy(content)
    renamed["parts"][0]["id"] = "LAIN"
    assert composite.proof_key(renamed) != key
    prompted = copy.deepcopy(content)
    prompted["parts"][0]["prompt"] = "<p>Petunjuk lain</p>"
    assert composite.proof_key(prompted) == key
    swapped = copy.deepcopy(content)
    swapped["parts"] = swapped["parts"][::-1]
    assert composite.proof_key(swapped) != key
    unknown = copy.deepcopy(content)
    unknown["parts"][0]["type"] = "no_such_type"
    assert composite.proof_key(unknown) is None


# -- the import with and without the memo -------------------------------------------------


def _both_ways(
    monkeypatch: pytest.MonkeyPatch, target: Any, types: dict[str, ItemType] = TYPES
) -> tuple[Any, int]:
    """The import of ``target`` (the same with the memo and without it) and how many
    items the memo gave a known proof."""
    memos: list[ProofMemo] = []

    class Counting(ProofMemo):
        def __init__(self) -> None:
            super().__init__()
            memos.append(self)

    with monkeypatch.context() as patch:
        patch.setattr(convert_module, "ProofMemo", Counting)
        memoized = convert_module.convert(target, types)
    with monkeypatch.context() as patch:
        patch.setattr(convert_module, "ProofMemo", lambda: None)
        plain = convert_module.convert(target, types)
    assert pickle.dumps(memoized) == pickle.dumps(plain)
    assert memoized == plain
    (memo,) = memos
    return memoized, memo.hits


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_own_export_the_same_with_and_without_the_memo(
    monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    result, hits = _both_ways(monkeypatch, _package(OWN, version))
    assert len(result.candidates) == 2 * len(OWN)
    # every second copy at least (a third-party type's item is proved every time)
    assert hits >= len([1 for type_id, _ in OWN if type_id in BUILT_IN])


def _bench_common() -> Any:
    path = Path(__file__).resolve().parent.parent / "bench" / "_common.py"
    spec = importlib.util.spec_from_file_location("_bench_common_for_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("version", ["3.0", "2.1"])
def test_varied_package_the_same_with_and_without_the_memo(
    monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    common = _bench_common()
    count = 6 * len(HOST.item_types)
    items, media = common.package_items(count, HOST, content=common.varied_content)
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    data = build_package(test, items, media, version, validate=False).data
    result, hits = _both_ways(monkeypatch, data)
    assert len(result.candidates) == count
    contents = {repr(c.content) for c in result.candidates}
    assert len(contents) > count // 2  # the items differ ...
    assert hits > 0  # ... and some still share their proofs


def test_sample_corpus_the_same_with_and_without_the_memo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    imported = 0
    for _label, path in _targets():
        result, _hits = _both_ways(monkeypatch, path)
        imported += len(result.candidates)
    assert imported > 50


class _WrongKey(SingleChoice):
    """Single choice whose content names the next option as the key: its proof fails."""

    def from_qti(self, item: Any, score: Any) -> dict[str, Any] | None:
        content = super().from_qti(item, score)
        if content is None:
            return None
        ids = [option["id"] for option in content["options"]]
        return {**content, "key": ids[(ids.index(content["key"]) + 1) % len(ids)]}


def test_a_failing_proof_is_reported_for_every_item_sharing_its_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    single = TYPES["single_choice"]
    content = single.example_content()
    items = [
        PackageItem(
            replace(
                single.qti_item(f"<p>Soal {n}</p>", content, identifier=f"Q{n}", title="S"),
                label=None,
            ),
            f"B{n}",
            1,
        )
        for n in range(3)
    ]
    test = PackageTest(
        "T", "T", (PackageSection("S", "S", tuple(i.item.identifier for i in items)),)
    )
    data = build_package(test, items, {}, "3.0").data
    memoized, hits = _both_ways(monkeypatch, data, {"single_choice": _WrongKey()})
    assert memoized.candidates == []
    refused = [e for e in memoized.report if e.status == "not_imported"]
    assert [e.item for e in refused] == ["Q0", "Q1", "Q2"]
    assert {e.reason for e in refused} == {"scoring_mismatch"}
    # the first response on which they differ: the source's key (B), 5 there, 0 here
    assert all(
        "the response 'B' scores 5 in the source but 0 in the bank" in e.message_en for e in refused
    )
    assert hits == 2


# -- the memo itself ----------------------------------------------------------------------


class _Keyed(ItemType):
    """A type scoring ``points`` for the response ``key``, keyed by both."""

    id = "keyed"
    label = {"id": "Uji", "en": "Test"}

    def score(self, content: dict[str, Any], response: Any) -> float:
        return content["points"] if response == content["key"] else 0

    def proof_key(self, content: dict[str, Any]) -> Any:
        return (content["key"], content["points"]) if content.get("memo", True) else None


def _source(scores: dict[Any, float], calls: list[Any]) -> Any:
    def score(value: Any) -> float:
        calls.append(value)
        if value == "boom":
            raise ValueError("the source cannot score it")
        return scores.get(repr(value), 0.0)

    return score


def test_memo_keys_every_input_of_a_proof() -> None:
    memo, kind = ProofMemo(), _Keyed()
    content = {"key": "A", "points": 1}
    calls: list[Any] = []
    source = _source({"'A'": 1.0}, calls)

    def prove(responses: Any, *, source_key: Any = "s", shared: bool = False, **changes: Any):
        return memo.prove(
            kind,
            {**content, **changes},
            source,
            responses,
            source_key=source_key,
            shared_responses=shared,
        )

    assert prove(["A", "B"]) == proof_module.Proof(2)
    assert prove(["A", "B"]) == proof_module.Proof(2) and memo.hits == 1
    # other responses (values, their types, their number) are proved again
    assert prove(["A", "B", "C"]).checked == 3
    assert prove([("A",)]).checked == 1 and prove([["A"]]).checked == 1
    assert prove([1]).checked == 1 and prove([1.0]).checked == 1 and prove([True]).checked == 1
    assert memo.hits == 1
    # shared responses are known by their identity: equal ones are proved again
    shared, twin = ["A", "B"], ["A", "B"]
    prove(shared, shared=True)
    prove(twin, shared=True)
    prove(shared, shared=True)
    assert memo.hits == 2
    # another source scoring, content or type key; no source key; no content key
    before = len(calls)
    prove(["A", "B"], source_key="other")
    prove(["A", "B"], points=2)
    prove(["A", "B"], source_key=None)
    prove(["A", "B"], source_key=None)
    prove(["A", "B"], memo=False)
    prove(["A", "B"], memo=False)
    assert memo.hits == 2 and len(calls) == before + 11  # (points 2 fail on the first)
    # a failure is given again whole; an error is raised every time
    failed = prove(["B", "A"], key="B")
    assert failed.failure is not None and failed.failure.response == "B"
    assert prove(["B", "A"], key="B") == failed and memo.hits == 3
    for _ in range(2):
        with pytest.raises(ValueError, match="cannot score"):
            prove(["A", "boom"])
    assert memo.hits == 3


def test_scoring_keys_tell_apart_processing_and_variable() -> None:
    cache = rp.ScoringCache()

    def root(ident: str, correct: str = "A") -> Any:
        document = CHOICE_ITEM.format(ident=ident, image="")
        return parse_bytes(
            document.replace("<value>A</value>", f"<value>{correct}</value>").encode()
        )

    first = cache.score_function(root("a"), variable="RESPONSE")
    same = cache.score_function(root("b"), variable="RESPONSE")  # another item alike
    assert cache.key_of(first) == cache.key_of(same) is not None
    whole = cache.score_function(root("c"))
    other_variable = cache.score_function(root("d"), variable="OTHER")
    other_key = cache.score_function(root("e", correct="C"), variable="RESPONSE")
    keys = [cache.key_of(f) for f in (first, whole, other_variable, other_key)]
    assert len(set(keys)) == 4
    assert cache.key_of(lambda value: 0.0) is None
    assert cache.key_of(cache.along(first, ["A"])) is None  # (the memo keys the base)


def test_memo_is_bounded() -> None:
    kind, content, calls = _Keyed(), {"key": "A", "points": 1}, []
    source = _source({"'A'": 1.0}, calls)
    memo = ProofMemo(max_proofs=2, max_values=3)

    def prove(responses: list[Any], shared: bool = False) -> None:
        memo.prove(kind, content, source, responses, source_key="s", shared_responses=shared)

    for _ in range(2):
        prove(["A", "B"])  # kept: 2 values of 3
        prove(["A", "C"])  # not kept: 2 more would be 4 (looked up all the same)
    assert memo.hits == 1 and len(calls) == 6
    shared = ["A"]
    for _ in range(2):
        prove(shared, shared=True)  # kept: the second proof (not frozen: no values counted)
    prove(["A", "B"])
    assert memo.hits == 3  # the two kept are still given
    other = ["B"]
    for _ in range(2):
        prove(other, shared=True)  # not kept: two proofs already
    assert memo.hits == 3 and len(calls) == 9
