"""What the pair-based item types share (associate, graphic gap match, gap match and
matching): the response as a set of pairs, the checks of key pairs (naming existing
entries, listed once, within each entry's ``match_max``), the net partial credit of
right and wrong pairs, and mapped scoring per pair (``pair_values``).

A pair is *directed* when its two members come from two different sets (a gap image
and an area, a premise and a response); an *undirected* pair joins two entries of one
set in either order (associate), and is compared as its two identifiers sorted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import marshmallow as ma
from markupsafe import Markup

from itembank.itemtypes import JSON, EditorField, Problem, SourceScore
from plugins.itemtypes import _mapped as mapped
from plugins.itemtypes._common import (
    MAX_CHOICES,
    MAX_WEIGHT,
    Noun,
    bounded_integer,
    check_count,
    partial_credit,
    pick,
)
from plugins.itemtypes._qti import plain_number
from qti.model import Mapping as ResponseMapping

PAIR = Noun("pasangan kunci", "key pair", "key pairs")

Pair = tuple[str, str]


def match_max_field(maximum: int) -> ma.fields.Integer:
    """How many pairs an entry may be in (0: no limit), default 1."""
    return bounded_integer(1, 0, maximum)


def key_pairs_field(description: str) -> ma.fields.List:
    """The key pairs: a list of ``[id, id]`` (the shape is checked by :func:`check_key_pairs`)."""
    return ma.fields.List(
        ma.fields.List(ma.fields.String()),
        required=True,
        validate=ma.validate.Length(max=MAX_CHOICES),
        metadata={"minItems": 1, "description": description},
    )


def unordered(first: str, second: str) -> Pair:
    """An undirected pair as compared: its two identifiers in order."""
    return (first, second) if first <= second else (second, first)


def response_pair_list(response: JSON, *, directed: bool = True) -> list[Pair] | None:
    """The response's pairs in its own order (undirected pairs sorted, see
    :func:`unordered`); ``None`` when blank.

    :raises ValueError: for a response that is not a list of pairs of identifiers.
    """
    if response is None:
        return None
    if not isinstance(response, (list, tuple)):
        raise ValueError(f"response must be a list of pairs or None, not {type(response).__name__}")
    pairs: list[Pair] = []
    for pair in response:
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            first, second = pair
            if isinstance(first, str) and isinstance(second, str):
                pairs.append((first, second) if directed else unordered(first, second))
                continue
        raise ValueError(f"each response pair must be two identifier strings, not {pair!r}")
    return pairs


def response_pairs(response: JSON, *, directed: bool = True) -> set[Pair] | None:
    """The response as a set of pairs (a pair given twice counts once); ``None`` when
    blank. See :func:`response_pair_list`."""
    pairs = response_pair_list(response, directed=directed)
    return None if pairs is None else set(pairs)


def net_credit(given: set[Pair], key: set[Pair], points: float) -> float:
    """Partial credit of right pairs minus wrong pairs, as a share of ``points``: each
    key pair given earns ``points / len(key)`` and every other pair costs the same,
    clamped to ``[0, points]`` (:func:`~plugins.itemtypes._common.partial_credit`)."""
    return partial_credit(points, len(given & key) - len(given - key), len(key))


@dataclass(frozen=True)
class PairSides:
    """The two members of a pair: what each is called and its entries' ``match_max``
    (identifier -> limit, 0: none). For an undirected pair both sides are the same."""

    first: Noun
    first_limits: Mapping[str, int]
    second: Noun
    second_limits: Mapping[str, int]
    directed: bool = True


def check_key_pairs(
    pairs: Sequence[Sequence[str]],
    sides: PairSides,
    *,
    limit_path: Callable[[str], str] | None = None,
    path: str = "pairs",
) -> Iterator[Problem]:
    """At least one key pair; each names two existing entries (two different ones when
    undirected), is listed once (either order when undirected) and leaves every entry
    within its ``match_max``. ``limit_path`` names the field of an entry whose limit is
    exceeded (default: the pair that exceeds it)."""
    yield from check_count(pairs, path, PAIR, 1)
    seen: set[Pair] = set()
    used: dict[str, int] = {}
    limits = {**sides.first_limits, **sides.second_limits}
    for index, pair in enumerate(pairs):
        where = f"{path}.{index}"
        if len(pair) != 2:
            yield _pair_shape_problem(where, sides)
            continue
        unknown = False
        for side, (ident, noun, known) in enumerate(
            (
                (pair[0], sides.first, sides.first_limits),
                (pair[1], sides.second, sides.second_limits),
            )
        ):
            if ident not in known:
                unknown = True
                yield Problem(
                    f"{where}.{side}" if sides.directed else where,
                    f"{noun.id.capitalize()} '{ident}' tidak ada.",
                    f"'{ident}' is not one of the {noun.en_plural}.",
                )
        if unknown:
            continue
        if not sides.directed and pair[0] == pair[1]:
            yield Problem(
                where,
                f"{sides.first.id.capitalize()} '{pair[0]}' tidak dapat dipasangkan dengan "
                "dirinya sendiri.",
                f"{sides.first.en.capitalize()} '{pair[0]}' cannot be paired with itself.",
            )
            continue
        key = (pair[0], pair[1]) if sides.directed else unordered(pair[0], pair[1])
        if key in seen:
            yield Problem(
                where,
                f"Pasangan {pair[0]}–{pair[1]} tercantum lebih dari sekali.",
                f"The pair {pair[0]}–{pair[1]} is listed more than once.",
            )
            continue
        seen.add(key)
        for ident in pair:
            used[ident] = used.get(ident, 0) + 1
            limit = limits[ident]
            if limit and used[ident] == limit + 1:
                yield Problem(
                    limit_path(ident) if limit_path else where,
                    f"'{ident}' ada di lebih dari {limit} pasangan kunci, padahal boleh dipakai "
                    f"paling banyak {limit} kali.",
                    f"'{ident}' is in more than {limit} key pairs but may be used at most "
                    f"{limit} times.",
                )


def _pair_shape_problem(where: str, sides: PairSides) -> Problem:
    if sides.directed:
        return Problem(
            where,
            f"Pasangan harus terdiri atas satu {sides.first.id} dan satu {sides.second.id}.",
            f"A pair must name one {sides.first.en} and one {sides.second.en}.",
        )
    return Problem(
        where,
        f"Pasangan harus terdiri atas dua {sides.first.id}.",
        f"A pair must name two {sides.first.en_plural}.",
    )


def max_associations_field() -> ma.fields.Integer:
    """How many pairs a response may hold (0: no limit), default 0."""
    return bounded_integer(0, 0, MAX_CHOICES)


def check_max_associations(content: Mapping[str, JSON], key: set[Pair]) -> Iterator[Problem]:
    """``max_associations`` (0: no limit) leaves room for the ``key`` pairs."""
    most = content["max_associations"]
    if most and most < len(key):
        yield Problem(
            "max_associations",
            f"Jumlah pasangan maksimum ({most}) lebih kecil dari jumlah pasangan kunci "
            f"({len(key)}).",
            f"The maximum number of pairs ({most}) is less than the number of key pairs "
            f"({len(key)}).",
        )


# -- mapped scoring per pair -----------------------------------------------------------


class PairValueField(ma.fields.Field):
    """``[id, id, value]``: the value of one pair under mapped scoring. Only a list is
    required here; :func:`check_pair_values` says what is wrong inside it, in both
    languages."""

    default_error_messages = {"invalid": "Not a valid list."}

    def _deserialize(
        self, value: object, attr: str | None, data: object, **kwargs: object
    ) -> list[JSON]:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        return list(value)


def pair_values_field(description: str) -> ma.fields.List:
    """``pair_values``: ``[id, id, value]`` entries, used by mapped scoring only."""
    return ma.fields.List(
        PairValueField(),
        required=False,
        validate=ma.validate.Length(max=MAX_CHOICES),
        metadata={"description": description},
    )


def drop_unused_pair_values(data: dict[str, JSON]) -> None:
    """Keep an empty ``pair_values`` out of content that does not score by mapping, and
    the mapping's untouched defaults (:func:`plugins.itemtypes._mapped.normalise`)."""
    if not data.get("pair_values") and data.get("scoring") != mapped.MAPPED:
        data.pop("pair_values", None)
    mapped.normalise(data, None)


def pair_value_problem(index: int, entry: list[JSON], sides: PairSides) -> Problem | None:
    """What is wrong with the shape of one ``pair_values`` entry, if anything."""
    if len(entry) != 3 or not all(isinstance(part, str) for part in entry[:2]):
        return Problem(
            f"pair_values.{index}",
            f"Nilai pasangan harus berbentuk [{sides.first.id}, {sides.second.id}, angka].",
            f"A pair value must be [{sides.first.en}, {sides.second.en}, number].",
        )
    value = entry[2]
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not -MAX_WEIGHT <= value <= MAX_WEIGHT
    ):
        return Problem(
            f"pair_values.{index}.2",
            f"Nilai pasangan harus angka dari {-MAX_WEIGHT} sampai {MAX_WEIGHT}.",
            f"A pair value must be a number from {-MAX_WEIGHT} to {MAX_WEIGHT}.",
        )
    return None


def pair_value_map(content: Mapping[str, JSON], *, directed: bool = True) -> dict[Pair, float]:
    """Pair -> its own value under mapped scoring (undirected pairs sorted)."""
    return {
        ((first, second) if directed else unordered(first, second)): value
        for first, second, value in content.get("pair_values", [])
    }


def check_pair_values(
    content: dict[str, JSON], sides: PairSides, *, excluded: Iterable[Pair] = ()
) -> Iterator[Problem]:
    """The shape of every ``pair_values`` entry; without mapped scoring, that there are
    none (and no mapping); with it, that each joins entries of the two sides, once
    (either order when undirected), and none of ``excluded`` (pairs whose value is set
    elsewhere). Yields nothing more when all is well: the caller checks the bounds."""
    values = content.get("pair_values", [])
    shapes = [
        problem
        for index, entry in enumerate(values)
        if (problem := pair_value_problem(index, entry, sides)) is not None
    ]
    if shapes:
        yield from shapes
        return
    if content.get("scoring") != mapped.MAPPED:
        yield from mapped.check_unused(content, bool(values), "pair_values", mapped.PAIR)
        return
    seen: set[Pair] = set()
    closed = set(excluded)
    for index, (first, second, _value) in enumerate(values):
        key = (first, second) if sides.directed else unordered(first, second)
        if first not in sides.first_limits or second not in sides.second_limits:
            yield Problem(
                f"pair_values.{index}",
                f"Pasangan '{first} {second}' tidak menghubungkan {sides.first.id} dengan "
                f"{sides.second.id} soal ini.",
                f"The pair '{first} {second}' does not join a {sides.first.en} and a "
                f"{sides.second.en} of this item.",
            )
        elif not sides.directed and first == second:
            yield Problem(
                f"pair_values.{index}",
                f"Pasangan '{first} {second}' memasangkan {sides.first.id} dengan dirinya sendiri.",
                f"The pair '{first} {second}' pairs a {sides.first.en} with itself.",
            )
        elif key in seen:
            yield Problem(
                f"pair_values.{index}",
                f"Nilai pasangan '{first} {second}' diberikan lebih dari sekali.",
                f"The pair '{first} {second}' is given a value more than once.",
            )
        elif key in closed:
            yield Problem(
                f"pair_values.{index}",
                f"Pasangan '{first} {second}' adalah pasangan kunci: nilainya adalah poin "
                f"{sides.second.id} itu.",
                f"The pair '{first} {second}' is a key pair: its value is the points of that "
                f"{sides.second.en}.",
            )
        seen.add(key)


def check_key_scores_points(content: dict[str, JSON], key_score: float) -> Iterator[Problem]:
    """Under mapped scoring: the lower bound below the points and the key pairs scoring
    the points (``key_score``: what they score, bounded)."""
    found = list(mapped.check_mapping(content, content["points"]))  # the lower bound
    yield from found
    if not found and not mapped.same_score(key_score, content["points"]):
        yield mapped.keys_score_problem("pairs", key_score, content["points"])


def check_mapped_key(
    content: dict[str, JSON], sides: PairSides, key_score: Callable[[], float]
) -> Iterator[Problem]:
    """:func:`check_pair_values`; then, when they are sound, the key pairs well formed
    and the content scored by mapping for points, :func:`check_key_scores_points` with
    what ``key_score()`` gives the key pairs."""
    problems = list(check_pair_values(content, sides))
    yield from problems
    well_formed = all(len(pair) == 2 for pair in content["pairs"])
    if (
        not problems
        and well_formed
        and content["scoring"] == mapped.MAPPED
        and content["points"] > 0
    ):
        yield from check_key_scores_points(content, key_score())


def mapped_facts(content: Mapping[str, JSON]) -> dict[str, JSON]:
    """The answer key's facts of mapped scoring: ``pair_values`` and ``mapping``."""
    return {
        "pair_values": pair_value_facts(content),
        "mapping": dict(mapped.mapping_of(dict(content))),
    }


def mapped_pairs_score(
    content: Mapping[str, JSON],
    pairs: list[Pair] | None,
    lookup: Callable[[Pair], float | None],
    upper: float,
) -> float:
    """The mapped score of a response's pairs (``None`` or none: 0), each distinct pair
    once in the response's order, as QTI's ``mapResponse`` sums them."""
    if not pairs:
        return 0
    bounds = mapped.mapping_of(dict(content))
    return mapped.mapped_sum(pairs, lookup, bounds["default"], bounds["lower"], upper)


def pair_value_facts(content: Mapping[str, JSON]) -> list[str]:
    """``pair_values`` as the answer key shows them: ``"A B: 2"``."""
    return [
        f"{first} {second}: {value:g}" for first, second, value in content.get("pair_values", [])
    ]


# -- import ----------------------------------------------------------------------------


def mapped_entries(
    mapping: ResponseMapping, candidates: Iterable[Pair], *, directed: bool
) -> list[list[JSON]]:
    """``[first, second, value]`` for each entry of ``mapping`` that names one of the
    ``candidates`` (either order when undirected; as the entry writes it), in the
    mapping's order; a later entry for the same pair is left out, as ``mapResponse``
    uses the first."""
    known = set(candidates)
    values: list[list[JSON]] = []
    seen: set[Pair] = set()
    for entry in mapping.entries:
        parts = entry.key.split()
        if len(parts) != 2:
            continue
        pair = (parts[0], parts[1])
        if pair not in known and (directed or (pair[1], pair[0]) not in known):
            continue
        compared = pair if directed else unordered(*pair)
        if compared in seen:
            continue
        seen.add(compared)
        values.append([pair[0], pair[1], plain_number(entry.value)])
    return values


@dataclass(frozen=True)
class KeyPairs:
    """The key read from a QTI pair response's declared correct pairs: the pairs, what
    they score together, and whether one key pair alone already scores (``partial``,
    with several); ``unequal`` when the key pairs alone score differently (no form
    of equal shares)."""

    pairs: list[list[str]]
    points: float
    partial: bool
    unequal: bool


def key_pairs_from_qti(correct: Iterable[str], score: SourceScore) -> KeyPairs | None:
    """:class:`KeyPairs` of a response's declared correct values (``"A B"``) as the
    source ``score`` s them; ``None`` when there are none, one is not a pair, or they
    score nothing."""
    pairs = [value.split() for value in correct]
    if not pairs or any(len(pair) != 2 for pair in pairs):
        return None
    points = score([tuple(pair) for pair in pairs])
    if points <= 0:
        return None
    alone = {score([tuple(pair)]) for pair in pairs}
    partial = len(pairs) > 1 and alone != {0}
    return KeyPairs(pairs, points, partial, partial and len(alone) > 1)


@dataclass(frozen=True)
class MappedPairs:
    """Mapped scoring read from a QTI mapping of pairs: the ``pair_values``, the key
    pairs, the points and the content's ``mapping``."""

    pair_values: list[list[JSON]]
    key: list[list[str]]
    points: float
    mapping: dict[str, JSON]


def mapped_from_mapping(
    mapping: ResponseMapping,
    candidates: Iterable[Pair],
    declared: Sequence[Sequence[str]],
    *,
    directed: bool,
) -> MappedPairs | None:
    """Mapped scoring from a response's declared mapping, for the pairs a response can
    hold (``candidates``): the pair values are :func:`mapped_entries`; the key pairs
    are the declared correct response (else every pair worth more than 0); the points what the key
    scores, no more than the mapping's upper bound. ``None`` when the key scores
    nothing. The importer's proof then checks that the source scores every response
    so (a response scoring more than the key is refused there)."""
    values = mapped_entries(mapping, candidates, directed=directed)
    key = [list(pair) for pair in declared if len(pair) == 2]
    if not key or len(key) != len(declared):
        key = [[first, second] for first, second, value in values if value > 0]  # type: ignore[operator]
    if not key:
        return None
    default = plain_number(mapping.default)
    own_values = {(first, second): value for first, second, value in values}

    def lookup(pair: Pair) -> float | None:
        if pair in own_values:
            return own_values[pair]  # type: ignore[return-value]
        if not directed and (pair[1], pair[0]) in own_values:
            return own_values[(pair[1], pair[0])]  # type: ignore[return-value]
        return None

    upper = math.inf if mapping.upper is None else mapping.upper
    points = mapped.mapped_sum(
        [(first, second) for first, second in key], lookup, default, mapping.lower, upper
    )
    if points <= 0:
        return None
    return MappedPairs(
        pair_values=values,
        key=key,
        points=plain_number(points),
        mapping={
            "default": default,
            "lower": None if mapping.lower is None else plain_number(mapping.lower),
        },
    )


# -- editor ----------------------------------------------------------------------------


def pair_values_editor(source: str, target: str) -> EditorField:
    """The grid of ``pair_values`` (a row per ``source`` entry, a column per ``target``
    entry), used by mapped scoring only."""
    return EditorField(
        "pair_values",
        "pair_values",
        {"id": "Nilai pasangan (penskoran berbobot)", "en": "Pair values (mapped scoring)"},
        help={
            "id": "Nilai setiap pasangan yang diberikan (negatif: mengurangi skor); kosong: "
            "nilai lainnya.",
            "en": "What each pair given scores (negative: points off); empty: the value of "
            "the others.",
        },
        source=source,
        target=target,
    )


def pairs_editor(entries: str, hint: dict[str, str]) -> EditorField:
    """The key pairs of an undirected pair type: a partner chosen for each of the
    ``entries`` (``choices``, ``hotspots``: the field the pairs join), with ``hint``."""
    return EditorField(
        "pairs",
        "pairs",
        {"id": "Pasangan yang benar", "en": "Correct pairs"},
        help=hint,
        source=entries,
        target=entries,
    )


def max_associations_editor() -> EditorField:
    return EditorField(
        "max_associations",
        "integer",
        {"id": "Jumlah pasangan maksimum", "en": "Most pairs"},
        help={"id": "0: tanpa batas.", "en": "0: no limit."},
        default=0,
        minimum=0,
        maximum=MAX_CHOICES,
    )


def pair_select_rows(prefix: str, count: int, options: Markup, lang: str) -> Markup:
    """The preview's ``count`` rows of two selects each (a pair the candidate gives),
    both offering ``options``; ids and names under ``prefix``."""
    choose = pick(lang, "— pilih —", "— choose —")
    return Markup("").join(
        Markup(
            '<div class="ib-associate-pair"><label for="{prefix}-a{n}">{pair} {number}'
            '</label> <select id="{prefix}-a{n}" name="{prefix}-pair{n}"><option value="">'
            '{choose}</option>{options}</select> <label for="{prefix}-b{n}">{with_}'
            '</label> <select id="{prefix}-b{n}" name="{prefix}-pair{n}"><option value="">'
            "{choose}</option>{options}</select></div>"
        ).format(
            prefix=prefix,
            n=n,
            number=n + 1,
            pair=pick(lang, "Pasangan", "Pair"),
            with_=pick(lang, "dengan", "with"),
            choose=choose,
            options=options,
        )
        for n in range(count)
    )
