"""Helpers shared by the item type tests: content checks, and the responses a candidate
might send per type (the QTI export tests score exported items and packages with them)."""

from __future__ import annotations

import copy
import itertools
import math
import random
from collections.abc import Iterator
from typing import Any

import pytest

from itembank.itemtypes import ContentError, ItemType

#: Marks a path for removal in :func:`patched`.
DROP = object()


def problems(item_type: ItemType, content: Any) -> list[tuple[str, str, str]]:
    """The (field, message, message_en) of every problem ``load`` reports."""
    with pytest.raises(ContentError) as info:
        item_type.load(content)
    return [(p.field, p.message, p.message_en) for p in info.value.problems]


def assert_problem(
    item_type: ItemType,
    content: dict[str, Any],
    changes: dict[str, Any],
    field: str,
    indonesian: str,
    english: str,
) -> None:
    """``content`` with ``changes`` (:func:`patched`) does not load, and one of its
    problems names ``field`` with a message holding ``indonesian`` and ``english``."""
    found = problems(item_type, patched(content, changes))
    assert any(
        f == field and indonesian in message and english in message_en
        for f, message, message_en in found
    ), found


def patched(content: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``content`` with dotted paths set (or removed, for ``DROP``)."""
    result = copy.deepcopy(content)
    for path, value in changes.items():
        *parents, last = path.split(".")
        target: Any = result
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if value is DROP:
            del target[key]
        else:
            target[key] = copy.deepcopy(value)
    return result


def subsets(values: list[Any]) -> Iterator[list[Any]]:
    for size in range(len(values) + 1):
        for combination in itertools.combinations(values, size):
            yield list(combination)


# -- responses per type: what a candidate might send, right, wrong or malformed -------
#
# ``deliverable_*`` are the responses a delivery system can send in the type's QTI shape:
# ``score()`` and ``qti_response()`` both accept every one of them. ``*_responses`` add
# the shapes they refuse: ``WRONG_*`` (``score()`` and ``qti_response()`` raise
# ``ValueError``) and ``NO_QTI_FORM`` (``score()`` accepts them, but no QTI response can
# carry an identifier with a space, so ``qti_response()`` raises ``ValueError``).

WRONG_SINGLE = [5, 1.5, True, ["A"], {"A": 1}]
WRONG_LIST = ["A", 5, [1], [["A"]], {"A": 1}, [None]]
WRONG_MATCHING = ["P1 R2", [["P1"]], [[1, 2]], {"P1": "R2"}]
WRONG_TEXT = [5, ["x"], True]
#: One response per shape that ``score`` accepts and ``qti_response`` refuses: a single
#: identifier, a multiple identifier, a multiple pair.
NO_QTI_SINGLE = "A "
NO_QTI_MULTIPLE = ["A B"]
NO_QTI_PAIRS = [["P1", "R2 "]]
NO_QTI_GAPS = {"G1": "A B"}
NO_QTI_FORM = [NO_QTI_SINGLE, NO_QTI_MULTIPLE, NO_QTI_PAIRS, NO_QTI_GAPS, [["A", "G1 "]]]
WRONG_GAPS = ["A", 5, ["A"], {"ZZ": "A"}, {"G1": 1}, {"G1": ["A"]}]


def deliverable_gaps(content: dict[str, Any]) -> list[Any]:
    """Blank, and every combination of blank or one option for each gap of an inline
    choice (``{gap code: option id}``)."""
    import itertools

    gaps = content["gaps"]
    found: list[Any] = [None]
    values = [[None, *(o["id"] for o in gap["options"])] for gap in gaps]
    for combination in itertools.product(*values):
        found.append({gap["id"]: v for gap, v in zip(gaps, combination, strict=True)})
    return found


def gap_responses(content: dict[str, Any]) -> list[Any]:
    return [*deliverable_gaps(content), NO_QTI_GAPS, *WRONG_GAPS]


def deliverable_single(ids: list[str]) -> list[Any]:
    return [None, "", *ids, *(i.lower() for i in ids), "ZZ"]


def single_responses(ids: list[str]) -> list[Any]:
    return [*deliverable_single(ids), NO_QTI_SINGLE, *WRONG_SINGLE]


def deliverable_multiple(ids: list[str]) -> list[Any]:
    pool = [*ids, "X"]
    return [None, *subsets(pool), [ids[0], ids[0]], [ids[0].lower()], [*ids, *ids]]


def multiple_responses(ids: list[str]) -> list[Any]:
    return [*deliverable_multiple(ids), NO_QTI_MULTIPLE, *WRONG_LIST]


def deliverable_ordering(ids: list[str]) -> list[Any]:
    return [
        None,
        [],
        *(list(p) for p in itertools.permutations(ids)),
        ids[:-1],
        [*ids, ids[0]],
        [*ids[:-1], "X"],
        [ids[0]] * len(ids),
    ]


def ordering_responses(ids: list[str]) -> list[Any]:
    return [*deliverable_ordering(ids), *WRONG_LIST]


def deliverable_matching(content: dict[str, Any]) -> list[Any]:
    premises = [p["id"] for p in content["premises"]]
    targets = [r["id"] for r in content["responses"]]
    every_pair = [[p, r] for p in premises for r in targets]
    responses: list[Any] = [None, [], every_pair, [*every_pair, *every_pair]]
    # every way of giving each premise at most one response (what matchMax=1 allows)
    for choice in itertools.product([None, *targets], repeat=len(premises)):
        responses.append([[p, r] for p, r in zip(premises, choice, strict=True) if r])
    rng = random.Random(20240611)  # arbitrary pair sets, several responses per premise
    for _ in range(150):
        responses.append(rng.sample(every_pair, rng.randint(1, len(every_pair))))
    key = [list(pair) for pair in content["pairs"]]
    responses += [
        [*key, key[0]],
        [*key, [key[0][0], "R9"]],
        [*key, ["P9", key[0][1]]],
        [[r, p] for p, r in key],
        [tuple(pair) for pair in key],
    ]
    return responses


def matching_responses(content: dict[str, Any]) -> list[Any]:
    return [*deliverable_matching(content), NO_QTI_PAIRS, *WRONG_MATCHING]


def deliverable_text(accepted: list[str]) -> list[Any]:
    variants: list[Any] = [None, "", " ", "salah"]
    for answer in accepted:
        variants += [
            answer,
            answer.upper(),
            answer.lower(),
            answer.swapcase(),
            answer.casefold(),
            f" {answer}",
            f"{answer} ",
            answer + answer,
        ]
    return variants


def text_responses(accepted: list[str]) -> list[Any]:
    return [*deliverable_text(accepted), *WRONG_TEXT]


def numeric_responses(content: dict[str, Any]) -> list[Any]:
    answer, tolerance = content["answer"], content["tolerance"]
    around = [answer - tolerance, answer + tolerance, answer, -answer]
    values: list[Any] = [None, 0, 1, -1, math.inf, -math.inf, math.nan, 1e308, -0.0]
    for value in around:
        values += [value, math.nextafter(value, math.inf), math.nextafter(value, -math.inf)]
    if float(answer).is_integer():
        values.append(int(answer))
    return [*values, "1", True, [1.0]]


WRONG_NUMBER = ["1", [1.0], {"x": 1}, math.inf, -math.inf, math.nan]


def deliverable_numbers(content: dict[str, Any]) -> list[Any]:
    """Blank, and numbers at, just inside and just outside each bound of a numeric
    answer's tolerance (absolute or relative, as the built-in ``numeric`` computes them),
    the answer and its opposite, and some far ones."""
    answer, tolerance = float(content["answer"]), float(content["tolerance"])
    if tolerance == 0:
        bounds = [answer]
    elif content["tolerance_mode"] == "absolute":
        bounds = [answer - tolerance, answer + tolerance]
    else:
        bounds = [answer * (1 - tolerance / 100), answer * (1 + tolerance / 100)]
    values: list[Any] = [None, 0, 1, -1, 1e308, -0.0, 0.1 + 0.2]
    for value in [*bounds, answer, -answer, answer * 10]:
        values += [value, math.nextafter(value, math.inf), math.nextafter(value, -math.inf)]
    if answer.is_integer():
        values.append(int(answer))
    return values


def number_responses(content: dict[str, Any]) -> list[Any]:
    return [*deliverable_numbers(content), *WRONG_NUMBER]


WRONG_GAP_PAIRS = ["A G1", [["A"]], [[1, 2]], {"A": "G1"}]
NO_QTI_GAP_PAIRS = [["A", "G1 "]]


def deliverable_gap_fillings(content: dict[str, Any]) -> list[Any]:
    """Blank and every way of filling the gaps of a gap match: at most one word per gap,
    each word once unless words may be reused (``[word, gap]`` pairs)."""
    import itertools

    words = [w["id"] for w in content["words"]]
    gaps = [g["id"] for g in content["gaps"]]
    found: list[Any] = [None]
    for choice in itertools.product([None, *words], repeat=len(gaps)):
        used = [w for w in choice if w is not None]
        if not used or (not content["reuse_words"] and len(set(used)) < len(used)):
            continue
        found.append([[w, g] for g, w in zip(gaps, choice, strict=True) if w is not None])
    return found


def gap_filling_responses(content: dict[str, Any]) -> list[Any]:
    return [*deliverable_gap_fillings(content), NO_QTI_GAP_PAIRS, *WRONG_GAP_PAIRS]


def hot_text_responses(content: dict[str, Any]) -> list[Any]:
    """Blank, every selection the interaction allows (within ``max_choices``), and the
    shapes ``score`` refuses."""
    ids = [h["id"] for h in content["hottexts"]]
    most = content["max_choices"] or len(ids)
    found: list[Any] = [None, []]
    found += [s for s in subsets(ids) if 0 < len(s) <= most]
    return [*found, NO_QTI_MULTIPLE, *WRONG_LIST]


# -- graphic and association types -------------------------------------------------------


def deliverable_associate(content: dict[str, Any]) -> list[Any]:
    """Pairs of an associate (or graphic associate) item: each alone, the key (in
    either order, repeated, one left out, one added), every pair together, and random
    sets."""
    ids = [c["id"] for c in content.get("choices", content.get("hotspots"))]
    every = [list(pair) for pair in itertools.combinations(ids, 2)]
    key = [list(pair) for pair in content["pairs"]]
    responses: list[Any] = [None, [], *([pair] for pair in every), key, every]
    responses += [[[b, a] for a, b in key], [*key, *key], [*key, key[0][::-1]]]
    responses += [[p for p in key if p != left_out] for left_out in key]
    responses += [[*key, pair] for pair in every if pair not in key]
    responses += [[*key, [ids[0], ids[0]]], [*key, [ids[0], "X"]], [tuple(p) for p in key]]
    rng = random.Random(20261206)
    for _ in range(120):
        responses.append(rng.sample(every, rng.randint(1, len(every))))
    return responses


def associate_responses(content: dict[str, Any]) -> list[Any]:
    return [*deliverable_associate(content), NO_QTI_PAIRS, *WRONG_MATCHING]


def deliverable_gap_match(content: dict[str, Any]) -> list[Any]:
    """Pairs of a graphic gap match: each alone, every way of placing at most one image
    on each area, the key (repeated, one left out, one added), every pair, random sets."""
    gaps = [g["id"] for g in content["gaps"]]
    areas = [a["id"] for a in content["hotspots"]]
    every = [[g, a] for g in gaps for a in areas]
    key = [list(pair) for pair in content["pairs"]]
    responses: list[Any] = [None, [], *([pair] for pair in every), key, every, [*key, *key]]
    for choice in itertools.product([None, *gaps], repeat=len(areas)):
        responses.append([[g, a] for g, a in zip(choice, areas, strict=True) if g])
    responses += [[p for p in key if p != left_out] for left_out in key]
    responses += [[*key, pair] for pair in every if pair not in key]
    responses += [[*key, ["G9", areas[0]]], [[a, g] for g, a in key], [tuple(p) for p in key]]
    rng = random.Random(20261207)
    for _ in range(60):
        responses.append(rng.sample(every, rng.randint(1, len(every))))
    return responses


def gap_match_responses(content: dict[str, Any]) -> list[Any]:
    return [*deliverable_gap_match(content), NO_QTI_PAIRS, *WRONG_MATCHING]


# -- slider ------------------------------------------------------------------------------


def slider_responses(content: dict[str, Any]) -> list[Any]:
    """Blank, every value of the scale (as the response's type carries it), values just
    off the scale and off the step, and the shapes ``score`` refuses; an integer slider
    gets no fractions (they have no QTI form there)."""
    from plugins.itemtypes.slider import scale_values

    values: list[Any] = [None, *scale_values(content)]
    lower, upper, step = content["lower"], content["upper"], content["step"]
    values += [lower - step, upper + step, -0.0 if not lower else -lower]
    if not content["integer"]:
        values += [lower + step / 2, math.nextafter(float(content["answer"]), math.inf), 0.1 + 0.2]
    return [*values, *WRONG_NUMBER]


#: Responses no select point item takes (not a point, or not a list of them).
WRONG_POINTS: list[Any] = ["A", [1], [1.5, 2], [True, 2], {"x": 1, "y": 2}, [[1, 2, 3]], 7]


def deliverable_points(content: dict[str, Any]) -> list[Any]:
    """Points of a select point item: inside each area, on and just beyond its edge, the
    image's corners; with more than one point allowed, every two of them, each twice, the
    areas' inner points together (and with each other point), and random sets."""
    from qti.areas import edge_points, inner_point

    areas = content["areas"]
    probes: list[list[int]] = []
    for area in areas:
        inner = inner_point(area["shape"], area["coords"])
        probes += [
            list(p)
            for p in [*([inner] if inner else []), *edge_points(area["shape"], area["coords"])]
        ]
    probes += [[0, 0], [400, 300], [399, 1], [200, 150]]
    if content["max_choices"] == 1:
        return [None, *probes]
    most = content["max_choices"] or len(probes)
    inner = [list(p) for a in areas if (p := inner_point(a["shape"], a["coords"]))]
    responses: list[Any] = [None, [], *([p] for p in probes), *([p, p] for p in probes)]
    responses += [list(pair) for pair in itertools.combinations(probes, 2)]
    responses += [inner[:most], [*inner, *inner][:most]]
    responses += [[*inner[: most - 1], p] for p in probes]
    rng = random.Random(20261208)
    for _ in range(60):
        responses.append(rng.sample(probes, rng.randint(1, min(most, len(probes)))))
    return [r for r in responses if r is None or len(r) <= most]


def point_responses(content: dict[str, Any]) -> list[Any]:
    return [*deliverable_points(content), *WRONG_POINTS]
