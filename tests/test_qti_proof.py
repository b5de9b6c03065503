"""The scoring proof tries every response it promises: hostile items whose source scores
one response apart, placed where a cut or a sample would miss it (the reversed order,
the last combination, a far matching), are refused; an item it cannot cover is refused
as ``proof_incomplete``."""

from __future__ import annotations

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
from tests.qti_items import choice_item, letters, match_item, order_item

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
