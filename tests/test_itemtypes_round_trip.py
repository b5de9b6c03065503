"""``ItemType.round_trip`` (the import's proof reads each QTI value into the bank's
response and writes it back) gives what ``response_from_qti`` then ``qti_response`` give,
for every type, and raises what they raise (the same message: the proof's report quotes
it) - select point's and the composite's own versions included, on the values the proof
tries and on values of every wrong shape."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.itemtypes import ItemType
from itembank.plugins import PluginHost
from itembank.qti_bridge.responses import responses_for
from plugins.itemtypes.select_point import MAX_POINTS_CLICKED

HOST = PluginHost(entry_points=False)
TYPES = HOST.item_types

WRONG: list[Any] = [
    7,
    "A",
    1.5,
    True,
    [],
    [None],
    ["A"],
    [1, 2],
    [1, 2, 3],
    [[1, 2]],
    [[1, 2, 3]],
    [[1.5, 2]],
    [[True, 2]],
    [(1, 2), (3, 4)],
    [["A", "B"]],
    {"RESPONSE": "A"},
    {},
    (5, 6),
    [[10**9, 1]],
    [[1, 1]] * (MAX_POINTS_CLICKED * 10 + 1),
]


def _reference(item_type: ItemType, content: dict[str, Any], value: Any) -> Any:
    try:
        response = item_type.response_from_qti(content, value)
        return ("ok", repr(response), repr(item_type.qti_response(content, response)))
    except Exception as exc:
        return ("error", type(exc), str(exc))


def _trip(trip: Any, value: Any) -> Any:
    try:
        response, back = trip(value)
        return ("ok", repr(response), repr(back))
    except Exception as exc:
        return ("error", type(exc), str(exc))


def _values(item_type: ItemType, content: dict[str, Any]) -> list[Any]:
    item = item_type.qti_item("<p>Soal.</p>", content, identifier="Q", title="Q")
    interactions = list(item.interactions())
    if len(interactions) == 1:
        declaration = next(
            r for r in item.responses if r.identifier == interactions[0].response_identifier
        )
        try:
            tried = list(responses_for(item, interactions[0], declaration))
        except Exception:
            tried = []
        return [*tried, *WRONG]
    ids = [i.response_identifier for i in interactions]
    values: list[Any] = [None, {i: None for i in ids}, {ids[0]: "x"}]
    values += [{i: value for i in ids} for value in WRONG]
    values += [{ids[0]: value} for value in WRONG]
    return values + WRONG


@pytest.mark.parametrize("type_id", sorted(TYPES))
def test_round_trip_reads_and_writes_as_the_two_methods(type_id: str) -> None:
    item_type = TYPES[type_id]
    contents = [item_type.load(item_type.example_content())]
    if type_id == "select_point":
        several = {**item_type.example_content(), "max_choices": 0}
        contents.append(item_type.load(several))
    for content in contents:
        trip = item_type.round_trip(content)
        values = _values(item_type, content)
        assert len(values) > len(WRONG)
        for value in values + values:  # twice: nothing kept from one call to the next
            assert _trip(trip, value) == _reference(item_type, content, value), value


def test_the_composite_reads_every_part_before_writing_any_back() -> None:
    """A value wrong for two parts reports the first part's reading (as
    ``response_from_qti`` does), and a part whose reading passes but whose writing fails
    fails there; parts of select point take the select point checks."""
    composite = TYPES["composite"]
    select_point = TYPES["select_point"]
    content = composite.load(
        {
            "parts": [
                {
                    "id": "P1",
                    "type": "select_point",
                    "prompt": "",
                    "content": select_point.example_content(),
                },
                {
                    "id": "P2",
                    "type": "select_point",
                    "prompt": "",
                    "content": {**select_point.example_content(), "max_choices": 0},
                },
            ]
        }
    )
    trip = composite.round_trip(content)
    values = [
        None,
        {"P1": None, "P2": None},
        {"P1": None, "P2": []},
        {"P1": [3, 4]},
        {"P1": [3, 4], "P2": [[1, 2], [5, 6]]},
        {"P1": "A", "P2": "B"},
        {"P1": [3, 4], "P2": [[1, 1]] * (MAX_POINTS_CLICKED * 10 + 1)},
        {"P1": [1.5, 4], "P2": 7},
        [3, 4],
    ]
    for value in values:
        assert _trip(trip, value) == _reference(composite, content, value), value
