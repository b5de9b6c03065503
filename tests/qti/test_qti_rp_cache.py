"""qti.rp.ScoringCache: items whose scoring is written alike share one compiled
processing and the scores it gave, and nothing else changes - the same scores as each
item's own processing, the item's own errors (with its own lines), items that score
differently kept apart, and the bounds held."""

from __future__ import annotations

from typing import Any

import pytest

from qti import rp
from qti.xml import parse_bytes

_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="{ident}"
    title="{ident}" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="{cardinality}" baseType="identifier">
<correctResponse>{correct}</correctResponse></responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
<itemBody>{body}</itemBody>
{processing}
</assessmentItem>"""

_MATCH_CORRECT = (
    '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/'
    'match_correct"/>'
)
#: Sets SCORE from a string variable that does not exist: fails when it runs.
_BROKEN = """<responseProcessing><responseCondition><responseIf>
<match><variable identifier="RESPONSE"/><variable identifier="NOWHERE"/></match>
<setOutcomeValue identifier="SCORE"><baseValue baseType="float">1</baseValue>
</setOutcomeValue></responseIf></responseCondition></responseProcessing>"""


def item(
    ident: str,
    *,
    correct: str = "<value>A</value>",
    cardinality: str = "single",
    body: str = "<p>Pilih.</p>",
    processing: str = _MATCH_CORRECT,
) -> Any:
    return parse_bytes(
        _ITEM.format(
            ident=ident, correct=correct, cardinality=cardinality, body=body, processing=processing
        ).encode()
    )


def outcome(score: Any, responses: dict[str, Any]) -> tuple[Any, ...]:
    try:
        return ("score", score(responses))
    except rp.RPError as exc:
        return ("error", type(exc), str(exc), exc.line)


RESPONSES: list[dict[str, Any]] = [{}, {"RESPONSE": None}, {"RESPONSE": "A"}, {"RESPONSE": "B"}]


def test_items_scored_alike_share_the_processing_and_its_scores() -> None:
    cache = rp.ScoringCache()
    # Different identifiers, titles and bodies (a longer body moves the processing's line).
    first = item("I1")
    second = item("I2", body="<p>Pilih\nsalah\nsatu.</p>")
    scores = [cache.score_function(first), cache.score_function(second)]
    assert cache.shared_items == 1
    for responses in RESPONSES:
        expected = rp.evaluate_score(first, responses)
        assert [score(responses) for score in scores] == [expected, expected]
    assert cache.known_scores == len(RESPONSES)  # the second item's, already known


def test_items_scored_differently_are_kept_apart() -> None:
    cache = rp.ScoringCache()
    keys = [
        item("I1"),
        item("I2", correct="<value>B</value>"),
        item("I3", cardinality="multiple"),
    ]
    scores = [cache.score_function(root) for root in keys]
    assert cache.shared_items == 0
    assert [score({"RESPONSE": "B"}) for score in scores[:2]] == [0.0, 1.0]
    assert scores[2]({"RESPONSE": ["A"]}) == 1.0


@pytest.mark.parametrize(
    "responses",
    [
        {"RESPONSE": ["A"]},  # a list where the item takes one value: the lists and the
        {"RESPONSE": ("A",)},  # tuples are not mixed up with single values
        {"RESPONSE": "A", "OTHER": "B"},
        {"OTHER": "B"},
        {"RESPONSE": 1},
        {"RESPONSE": True},
    ],
)
def test_responses_that_differ_are_scored_apart(responses: dict[str, Any]) -> None:
    cache = rp.ScoringCache()
    root = item("I1")
    score = cache.score_function(root)
    assert score({"RESPONSE": "A"}) == 1.0
    assert outcome(score, responses) == outcome(lambda r: rp.evaluate_score(root, r), responses)


def test_errors_are_the_items_own_and_never_remembered() -> None:
    cache = rp.ScoringCache()
    first = item("I1", processing=_BROKEN)
    second = item("I2", body="<p>a</p>\n\n\n<p>b</p>", processing=_BROKEN)
    shared = [cache.score_function(first), cache.score_function(second)]
    assert cache.shared_items == 1
    for root, score in zip((first, second), shared, strict=True):
        for _ in range(2):
            got = outcome(score, {"RESPONSE": "A"})
            assert got == outcome(
                lambda r, root=root: rp.evaluate_score(root, r), {"RESPONSE": "A"}
            )
            assert got[0] == "error"
    # the second item's processing is three lines further down: its error says so
    assert outcome(shared[1], {"RESPONSE": "A"})[3] == outcome(shared[0], {"RESPONSE": "A"})[3] + 3


def test_template_processing_is_refused_for_every_item() -> None:
    cache = rp.ScoringCache()
    processing = "<templateProcessing/>" + _MATCH_CORRECT
    for ident in ("I1", "I2"):
        with pytest.raises(rp.UnsupportedRP):
            cache.score_function(item(ident, processing=processing))


def test_bounds() -> None:
    cache = rp.ScoringCache(max_programs=1, max_scores=2)
    shared = cache.score_function(item("I1"))
    apart = cache.score_function(item("I2", correct="<value>B</value>"))  # over the bound
    again = cache.score_function(item("I3", correct="<value>B</value>"))
    assert cache.shared_items == 0  # the second processing was not kept
    assert [apart({"RESPONSE": "B"}), again({"RESPONSE": "B"})] == [1.0, 1.0]
    for responses in RESPONSES:
        shared(responses)
    before = cache.known_scores
    for responses in RESPONSES:
        assert shared(responses) == rp.evaluate_score(item("I1"), responses)
    assert cache.known_scores - before == 2  # only two scores were kept


_PAIRS: list[Any] = [
    [("A", "B"), ("C", "D")],
    [["A", "B"], ("C", "D")],  # a list pair among tuples
    (("A", "B"), ("C", "D")),
    [(1, 2), (3, 4)],  # points
    [(1, 2.0), (3, 4)],  # a float coordinate
    [(True, 2), (3, 4)],
    [(1, 2), (3, 4), (5, 6)],
    [(1, 2, 3), (3, 4)],  # not a pair
    [(1, 2), ()],
    [[], (1, 2)],
    [(1, 2), ["A", "B"]],
    [(1, 2), ("A", 2)],  # a pair of mixed scalars
    [(1, 2), {"A": 1}],
    [((1, 2), (3, 4))],  # pairs of pairs
]


def test_lists_of_pairs_are_remembered_apart() -> None:
    """Responses made of pairs (points, directed pairs) that coercion tells apart have
    different keys in the cache, and each key is the same however the pair is frozen."""
    keys = [rp._frozen({"RESPONSE": value}) for value in _PAIRS]
    assert len(set(keys)) == len(keys)
    assert rp._frozen([(1, 2), (3, 4)]) == (list, (tuple, int, 1, 2), (tuple, int, 3, 4))
    # a pair frozen inside a list of pairs, alone, or after a value of another shape
    assert rp._frozen([(1, 2), ()])[1] == rp._frozen((1, 2))
    assert rp._frozen([[], (1, 2)])[2] == rp._frozen((1, 2))
    assert rp._frozen([(1, 2), {1}]) is None  # a value it does not know: not remembered


def _reference_frozen(value: Any) -> Any:
    """``qti.rp._frozen`` as it was first written (the reference for the faster one)."""
    scalars = (str, int, float, bool, type(None))
    kind = type(value)
    if kind in scalars:
        return (kind, value)
    if kind is dict and len(value) == 1:
        ((name, part),) = value.items()
        frozen = _reference_frozen(part)
        return None if type(name) is not str or frozen is None else (dict, name, frozen)
    if kind is list or kind is tuple:
        first = type(value[0]) if value else str
        if first in scalars:
            if all(type(part) is first for part in value):
                return (kind, first, *value)
        elif first is tuple or first is list:
            parts = []
            for part in value:
                pair = type(part)
                if (pair is tuple or pair is list) and len(part) == 2:
                    a, b = part
                    if type(a) in scalars and type(b) is type(a):
                        parts.append((pair, type(a), a, b))
                        continue
                frozen = _reference_frozen(part)
                if frozen is None:
                    return None
                parts.append(frozen)
            return (kind, *parts)
        parts = [_reference_frozen(part) for part in value]
        if any(part is None for part in parts):
            return None
        return (kind, *parts)
    if kind is dict:
        items = []
        for name, part in value.items():
            frozen = _reference_frozen(part)
            if type(name) is not str or frozen is None:
                return None
            items.append((name, frozen))
        return (dict, tuple, *items)
    return None


_SHAPES: list[Any] = [
    *_PAIRS,
    None,
    "",
    "A",
    1,
    1.0,
    True,
    -0.0,
    [],
    (),
    ["A", "B"],
    ("A",),
    [1, True],
    [1, 1.0],
    [True, False],
    [None, None],
    [None, "A"],
    [1.0, 2],
    [["A", "B"], ["C", "D"]],
    [("A", "B"), ("C", 1)],
    {"A": [], "B": None},
    {1: "x"},
    {"A": {1}},
    {},
    {"R": (1, 2)},
    {"A": ["x"], "B": [(1, 2)]},
    [["A"], ["B", "C"]],
    [{"A": 1}],
    {2},
    b"A",
]


@pytest.mark.parametrize("value", _SHAPES, ids=repr)
def test_the_cache_key_is_the_reference_key(value: Any) -> None:
    """The key of every shape of response (and of it as the one response variable) is
    the reference's, value and types alike."""
    for shape in (value, {"RESPONSE": value}):
        assert repr(rp._frozen(shape)) == repr(_reference_frozen(shape))
        assert rp._frozen(shape) == _reference_frozen(shape)


_VALUES: list[Any] = [None, "A", "B", ["A"], ("A",), 1, True, [("A", "B")], {"A": 1}]


def test_one_variable_s_function_is_the_dict_function() -> None:
    """``score_function(..., variable=)`` takes one variable's value: each value scores,
    or fails, as ``{variable: value}`` does through the dict function, and both share
    one cache entry per response (the same keys: a value scored by one is known to the
    other)."""
    for processing in (_MATCH_CORRECT, _BROKEN):
        root = item("I1", processing=processing)
        for cached in (False, True):
            cache = rp.ScoringCache() if cached else None
            one = rp.score_function(root, cache=cache, variable="RESPONSE")
            whole = rp.score_function(item("I2", processing=processing), cache=cache)
            for value in _VALUES:
                expected = outcome(
                    lambda r, root=root: rp.evaluate_score(root, r), {"RESPONSE": value}
                )
                got = outcome(lambda r, one=one: one(r["RESPONSE"]), {"RESPONSE": value})
                assert got == expected
                if cache is not None and expected[0] == "score":
                    known = cache.known_scores
                    assert outcome(whole, {"RESPONSE": value}) == expected
                    assert cache.known_scores == known + 1
    bounded = rp.ScoringCache(max_programs=0)
    beyond = bounded.score_function(item("I1"), variable="RESPONSE")
    assert [beyond(value) for value in ("A", "B", None)] == [1.0, 0.0, 0.0]
