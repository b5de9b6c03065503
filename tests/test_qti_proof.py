"""The scoring proof's coverage, checked against response sets enumerated here with
itertools, independently of :mod:`itembank.qti_bridge.responses`: every order up to 7
choices, every combination up to 10, every allowed matching; and hostile items whose
source scores one response apart, placed where a cut or a sample would miss it (the last
order, the last combination, a far matching): each must be refused."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from typing import Any

import pytest

from itembank.plugins import PluginHost
from itembank.qti_bridge.convert import REASONS, ImportResult, convert
from itembank.qti_bridge.responses import (
    MAX_RESPONSES,
    ProofIncomplete,
    Responses,
    responses_for,
)
from qti.reader import read_item
from tests.qti_items import (
    associate_item,
    choice_item,
    gap_match_item,
    graphic_package,
    hotspot_item,
    letters,
    match_item,
    order_item,
)

TYPES = PluginHost(entry_points=False).item_types


def _responses(data: bytes) -> Responses:
    item = read_item(data).item
    interaction = next(item.interactions())
    declaration = next(r for r in item.responses if r.identifier == "RESPONSE")
    return responses_for(item, interaction, declaration)


def _as_set(values: Iterable[Any]) -> set[Any]:
    """Responses comparable as a set: orders as tuples, sets of pairs as frozensets."""
    found: set[Any] = set()
    for value in values:
        if value is None:
            found.add(None)
        elif value and isinstance(value[0], tuple):
            found.add(frozenset(value))
        else:
            found.add(tuple(value))
    return found


def _outcome(result: ImportResult) -> tuple[str, str, str]:
    (entry,) = [e for e in result.report if e.status != "note"]
    return entry.status, entry.type_id or entry.reason, entry.message_en


# -- every response promised, enumerated independently ------------------------------------------


@pytest.mark.parametrize("n", range(1, 8))
def test_every_order_up_to_seven_choices(n: int) -> None:
    responses = _responses(order_item(f"o{n}", n))
    expected = {None} | set(itertools.permutations(letters(n)))
    assert _as_set(responses) == expected
    assert len(responses) == math.factorial(n) + 1  # each once: nothing cut, nothing twice
    assert responses.scope_en == f"blank and every order of the {n} choices"


@pytest.mark.parametrize("n", range(1, 11))
def test_every_combination_up_to_ten_choices(n: int) -> None:
    ids = letters(n)
    responses = _responses(choice_item(f"c{n}", n, ids[:1]))
    every = {
        tuple(subset)
        for mask in range(1, 2**n)
        for subset in [[c for bit, c in enumerate(ids) if mask >> bit & 1]]
    }
    assert _as_set(responses) == {None} | every
    assert len(responses) == 2**n


def test_every_combination_within_max_choices() -> None:
    ids = letters(10)
    responses = _responses(choice_item("c", 10, ["A"], max_choices=3))
    every = {c for size in (1, 2, 3) for c in itertools.combinations(ids, size)}
    assert _as_set(responses) == {None} | every


@pytest.mark.parametrize(
    ("premises", "responses", "premise_max", "response_max", "max_associations"),
    [
        (2, 2, 1, 1, 0),
        (3, 3, 1, 1, 0),
        (3, 4, 1, 1, 0),
        (2, 3, 2, 1, 0),
        (3, 3, 0, 0, 0),  # no limits: every one of the 2^9 sets
        (3, 3, 0, 2, 2),
        (4, 3, 1, 0, 3),
    ],
)
def test_every_allowed_matching(
    premises: int, responses: int, premise_max: int, response_max: int, max_associations: int
) -> None:
    data = match_item(
        "m",
        premises,
        responses,
        ["P1 R1"],
        premise_max=premise_max,
        response_max=response_max,
        max_associations=max_associations,
    )
    pairs = [(f"P{p}", f"R{r}") for p in range(1, premises + 1) for r in range(1, responses + 1)]

    def allowed(chosen: tuple[tuple[str, str], ...]) -> bool:
        if max_associations and len(chosen) > max_associations:
            return False
        for ident, most in [(p, premise_max) for p, _ in pairs] + [
            (r, response_max) for _, r in pairs
        ]:
            if most and sum(ident in pair for pair in chosen) > most:
                return False
        return True

    every = {
        frozenset(chosen)
        for size in range(1, len(pairs) + 1)
        for chosen in itertools.combinations(pairs, size)
        if allowed(chosen)
    }
    found = _responses(data)
    assert _as_set(found) == {None} | every
    assert len(found) == len(every) + 1
    assert sorted(len(v) for v in found.values[1:]) == [len(v) for v in found.values[1:]]


def test_beyond_the_exhaustive_sizes_the_stated_responses_are_all_there() -> None:
    ids = letters(8)
    orders = _as_set(_responses(order_item("o8", 8)))
    assert tuple(ids) in orders and tuple(reversed(ids)) in orders
    for i in range(7):
        swapped = list(ids)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        assert tuple(swapped) in orders
    assert all(tuple(ids[k:] + ids[:k]) in orders for k in range(8))

    ids = letters(40)
    combinations = _as_set(_responses(choice_item("c40", 40, ["A", "B"])))
    assert {(c,) for c in ids} <= combinations
    assert set(itertools.combinations(ids, 2)) <= combinations
    assert {("A", "B", c) for c in ids[2:]} <= combinations  # the key set plus one


def test_a_proof_that_would_need_too_many_responses_is_refused() -> None:
    with pytest.raises(ProofIncomplete) as raised:
        _responses(choice_item("c", 150, ["A"]))
    assert raised.value.needed > MAX_RESPONSES
    assert "every pair" in raised.value.message_en and raised.value.message


# -- hostile items: one response apart, where a cut or a sample misses it -------------------------


@pytest.mark.parametrize("n", [6, 7])
def test_an_order_item_scoring_the_reversed_order_apart_is_refused(n: int) -> None:
    """Every order starting with the last choice came after the old cut at 4,000 of the
    5,040 orders of seven choices."""
    reverse = list(reversed(letters(n)))
    honest = convert(order_item("o", n), TYPES, name="o.xml")
    status, type_id, message = _outcome(honest)
    assert (status, type_id) == ("imported", "ordering")
    assert f"checked on {math.factorial(n) + 1} responses: blank and every order" in message
    hostile = convert(order_item("o", n, apart=reverse), TYPES, name="o.xml")
    status, reason, message = _outcome(hostile)
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert message.endswith(
        f"the response {_shown(reverse)} scores 2 in the source but 0 in the bank"
    )


def test_a_choice_item_scoring_all_ten_choices_apart_is_refused() -> None:
    hostile = convert(choice_item("c", 10, ["A", "B"], apart=letters(10)), TYPES)
    assert _outcome(hostile)[:2] == ("not_imported", "scoring_mismatch")


def test_a_choice_item_of_ninety_scoring_the_keys_and_the_last_apart_is_refused() -> None:
    """4,005 pairs of 90 choices used to fill the 4,000 responses before the correct set
    and its neighbours were reached."""
    ids = letters(90)
    assert _outcome(convert(choice_item("c", 90, ["A", "B"]), TYPES))[:2] == (
        "imported",
        "multiple_response",
    )
    hostile = convert(choice_item("c", 90, ["A", "B"], apart=["A", "B", ids[-1]]), TYPES)
    status, reason, message = _outcome(hostile)
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert f"['A', 'B', '{ids[-1]}'] scores 2 in the source" in message


def test_a_match_item_scoring_a_far_matching_apart_is_refused() -> None:
    """3 premises and 15 responses allow 3,405 matchings: all are tried now (the old
    proof tried 55, every pair alone and the key's neighbours)."""
    correct = ["P1 R1", "P2 R2", "P3 R3"]
    honest = convert(match_item("m", 3, 15, correct), TYPES)
    status, type_id, message = _outcome(honest)
    assert (status, type_id) == ("imported", "matching")
    assert "checked on 3406 responses: blank and every matching the interaction allows" in message
    far = ["P1 R15", "P2 R14", "P3 R13"]
    status, reason, message = _outcome(convert(match_item("m", 3, 15, correct, apart=far), TYPES))
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert "[P1→R15, P2→R14, P3→R13] scores 2 in the source but 0 in the bank" in message


def test_an_item_the_proof_cannot_cover_is_refused_not_imported() -> None:
    result = convert(choice_item("c", 150, ["A", "B"]), TYPES, name="c.xml")
    status, reason, message = _outcome(result)
    assert (status, reason) == ("not_imported", "proof_incomplete")
    assert result.candidates == []
    assert message.startswith("Scoring proof cannot be complete: as multiple_response:")
    (entry,) = [e for e in result.report if e.status == "not_imported"]
    assert entry.message.startswith(REASONS["proof_incomplete"][0])
    assert "pembuktian penskoran memerlukan hingga" in entry.message


def _shown(order: list[str]) -> str:
    return "[" + ", ".join(repr(c) for c in order) + "]"


# -- graphic and association interactions ------------------------------------------------------


@pytest.mark.parametrize("n", [2, 5, 12])
def test_every_area_of_a_single_hotspot(n: int) -> None:
    responses = _responses(hotspot_item(f"h{n}", n, ["A"], max_choices=1))
    assert list(responses) == [None, *letters(n)]
    assert responses.scope_en == f"blank and each of the {n} areas"


@pytest.mark.parametrize("n", range(2, 11))
def test_every_combination_of_hotspots_up_to_ten(n: int) -> None:
    ids = letters(n)
    responses = _responses(hotspot_item(f"h{n}", n, ids[:2]))
    every = {c for size in range(1, n + 1) for c in itertools.combinations(ids, size)}
    assert _as_set(responses) == {None} | every
    assert len(responses) == 2**n


def test_hotspots_within_max_choices() -> None:
    ids = letters(8)
    responses = _responses(hotspot_item("h", 8, ["A", "B"], max_choices=2))
    every = {c for size in (1, 2) for c in itertools.combinations(ids, size)}
    assert _as_set(responses) == {None} | every


def test_a_hotspot_item_scoring_one_area_apart_is_refused() -> None:
    honest = convert(graphic_package(hotspot_item("h", 6, ["C"], max_choices=1)), TYPES)
    assert _outcome(honest)[:2] == ("imported", "hotspot")
    hostile = graphic_package(hotspot_item("h", 6, ["C"], max_choices=1, apart=["F"], score=0.5))
    # two areas score: no key to read, so no type represents it
    assert _outcome(convert(hostile, TYPES))[:2] == ("not_imported", "no_item_type")


def test_a_hotspot_item_scoring_all_ten_areas_apart_is_refused() -> None:
    ids = letters(10)
    honest = convert(graphic_package(hotspot_item("h", 10, ["A", "B"])), TYPES)
    status, type_id, message = _outcome(honest)
    assert (status, type_id) == ("imported", "hotspot")
    assert f"checked on {2**10} responses" in message
    hostile = convert(graphic_package(hotspot_item("h", 10, ["A", "B"], apart=ids)), TYPES)
    status, reason, message = _outcome(hostile)
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert f"the response {_shown(ids)} scores 2 in the source but 0 in the bank" in message


@pytest.mark.parametrize(
    ("n", "match_max", "max_associations"),
    [(3, 1, 0), (4, 1, 0), (5, 1, 2), (4, 2, 0), (4, 0, 3), (6, 1, 3)],
)
def test_every_allowed_set_of_associations(n: int, match_max: int, max_associations: int) -> None:
    data = associate_item("a", n, ["A B"], match_max=match_max, max_associations=max_associations)
    pairs = list(itertools.combinations(letters(n), 2))

    def allowed(chosen: tuple[tuple[str, str], ...]) -> bool:
        if max_associations and len(chosen) > max_associations:
            return False
        return not match_max or all(
            sum(ident in pair for pair in chosen) <= match_max for ident in letters(n)
        )

    every = {
        frozenset(chosen)
        for size in range(1, len(pairs) + 1)
        for chosen in itertools.combinations(pairs, size)
        if allowed(chosen)
    }
    found = _responses(data)
    assert _as_set(found) == {None} | every
    assert len(found) == len(every) + 1


def test_an_associate_item_scoring_a_far_set_apart_is_refused() -> None:
    honest = convert(associate_item("a", 6, ["A B", "C D", "E F"]), TYPES)
    status, type_id, message = _outcome(honest)
    assert (status, type_id) == ("imported", "associate")
    far = ["A F", "B E", "C D"]
    hostile = convert(associate_item("a", 6, ["A B", "C D", "E F"], apart=far), TYPES)
    status, reason, message = _outcome(hostile)
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert "scores 2 in the source but 0 in the bank" in message


@pytest.mark.parametrize(
    ("gaps", "areas", "gap_max", "area_max"),
    [(2, 2, 1, 1), (3, 2, 1, 1), (3, 3, 1, 1), (2, 3, 2, 1), (3, 2, 0, 2)],
)
def test_every_allowed_placement_of_gap_images(
    gaps: int, areas: int, gap_max: int, area_max: int
) -> None:
    data = gap_match_item("g", gaps, areas, ["G1 A"], gap_max=gap_max, area_max=area_max)
    gap_ids = [f"G{g}" for g in range(1, gaps + 1)]
    pairs = [(g, a) for g in gap_ids for a in letters(areas)]

    def allowed(chosen: tuple[tuple[str, str], ...]) -> bool:
        for ident, most in [(g, gap_max) for g in gap_ids] + [
            (a, area_max) for a in letters(areas)
        ]:
            if most and sum(ident in pair for pair in chosen) > most:
                return False
        return True

    every = {
        frozenset(chosen)
        for size in range(1, len(pairs) + 1)
        for chosen in itertools.combinations(pairs, size)
        if allowed(chosen)
    }
    found = _responses(data)
    assert _as_set(found) == {None} | every
    assert len(found) == len(every) + 1


def test_a_gap_match_item_scoring_a_far_placement_apart_is_refused() -> None:
    key = ["G1 A", "G2 B", "G3 C"]
    honest = convert(graphic_package(gap_match_item("g", 4, 3, key)), TYPES)
    assert _outcome(honest)[:2] == ("imported", "graphic_gap_match")
    far = ["G4 A", "G3 B", "G2 C"]
    hostile = convert(graphic_package(gap_match_item("g", 4, 3, key, apart=far)), TYPES)
    status, reason, message = _outcome(hostile)
    assert (status, reason) == ("not_imported", "scoring_mismatch")
    assert "scores 2 in the source but 0 in the bank" in message


# -- per-position scoring of orders ---------------------------------------------------------------


@pytest.mark.parametrize("version", ["3.0", "2.1"])
@pytest.mark.parametrize(("n", "points"), [(3, 2), (6, 1.5)])
def test_per_position_ordering_is_written_and_read_back(
    version: str, n: int, points: float
) -> None:
    """An ordering item scored per position, exported, imports as the same content:
    all or nothing fails the proof on the orders with some positions right, per-position
    scoring proves on every order."""
    from lxml import etree

    from qti.writer import write_item

    ordering = TYPES["ordering"]
    order = list(reversed(letters(n)))
    content = ordering.load(
        {
            "options": [{"id": c, "text": f"<p>Langkah {c}</p>"} for c in letters(n)],
            "correct_order": order,
            "points": points,
            "shuffle": False,
            "scoring": "per_position",
        }
    )
    item = ordering.to_qti("<p>Urutkan.</p>", content, identifier="o", title="o")
    data = etree.tostring(write_item(item, version), xml_declaration=True, encoding="UTF-8")
    result = convert(data, TYPES, name="o.xml")
    status, type_id, message = _outcome(result)
    assert (status, type_id) == ("imported", "ordering"), message
    (candidate,) = result.candidates
    assert candidate.content == content
    assert candidate.responses_checked == math.factorial(n) + 1


def test_an_order_scored_apart_from_per_position_says_which_order_differs() -> None:
    """Three choices, correct A B C for 1 point and A C B for 1 too (as qtiworks'
    order_partial_scoring scores a second order): per position would give A C B 1/3."""
    data = order_item("o", 3, apart=["A", "C", "B"], score=1)
    status, reason, message = _outcome(convert(data, TYPES, name="o.xml"))
    assert (status, reason) == ("not_imported", "not_representable")
    assert "other orders score too (A C B: 1)" in message
    assert "per-position scoring differs too: A C B scores 1 in the source, 0.333333" in message


def test_an_order_scored_per_position_in_the_source_is_imported_per_position() -> None:
    """A source adding a point for each position right (as qtiworks' graphic_orderG
    does) is per-position scoring of as many points as positions."""
    ids = letters(4)
    rules = "".join(
        f'<responseCondition><responseIf><match><index n="{n}"><variable '
        f'identifier="RESPONSE"/></index><baseValue baseType="identifier">{c}</baseValue>'
        '</match><setOutcomeValue identifier="SCORE"><sum><variable identifier="SCORE"/>'
        '<baseValue baseType="float">1.0</baseValue></sum></setOutcomeValue></responseIf>'
        "</responseCondition>"
        for n, c in enumerate(ids, start=1)
    )
    choices = "".join(f'<simpleChoice identifier="{c}">Langkah {c}</simpleChoice>' for c in ids)
    data = f"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="p"
    title="p" adaptive="false" timeDependent="false">
<responseDeclaration identifier="RESPONSE" cardinality="ordered" baseType="identifier">
<correctResponse>{"".join(f"<value>{c}</value>" for c in ids)}</correctResponse>
</responseDeclaration>
<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float">
<defaultValue><value>0.0</value></defaultValue></outcomeDeclaration>
<itemBody><p>Urutkan.</p>
<orderInteraction responseIdentifier="RESPONSE">{choices}</orderInteraction>
</itemBody><responseProcessing>{rules}</responseProcessing></assessmentItem>""".encode()
    result = convert(data, TYPES, name="p.xml")
    status, type_id, message = _outcome(result)
    assert (status, type_id) == ("imported", "ordering"), message
    (candidate,) = result.candidates
    assert candidate.content["scoring"] == "per_position"
    assert candidate.content["points"] == 4
