"""The responses the scoring proof of an import tries (pure: no Flask, no database).

What is tried (:func:`responses_for`), in QTI form, blank always included; only what a
delivery system could send (identifiers of the item's own choices, within ``maxChoices``,
``matchMax`` and ``maxAssociations``):

* **choice, single response**: every choice;
* **choice, multiple response**: with up to :data:`EVERY_SUBSET_UP_TO` (10) choices,
  every combination of 1 to ``maxChoices`` of them (all 2^10 - 1 for ten choices and no
  limit); with more, every choice alone, every pair, the correct set, it with one key
  left out and with one other choice added, and :data:`SUBSET_SAMPLE` combinations drawn
  with a fixed seed;
* **order**: with up to :data:`EVERY_ORDER_UP_TO` (7) choices, every order (all 7! =
  5,040 for seven); with more, the correct order, its reverse, every swap of two
  neighbours, every rotation and :data:`ORDER_SAMPLE` orders drawn with a fixed seed;
* **match**: every set of pairs the interaction allows when there are at most
  :data:`EVERY_MATCHING_UP_TO` (4,000) of them, smallest first; with more, every pair
  alone, every way of giving each premise at most one response (when those are at most
  4,000), the correct pairs with one left out and with one pair added, and
  :data:`MATCHING_SAMPLE` sets drawn with a fixed seed, all within the limits;
* **hot text**: as choices (single: each; multiple: the combinations above);
* **gap match**: every way of filling the gaps, one word per gap, each word within its
  ``matchMax``;
* **slider**: every value of its scale, from ``lowerBound`` by ``step`` (none: 1) up to
  ``upperBound`` (whole numbers for an integer response);
* **inline choices** (gaps of a text, each its own response variable, given as a dict
  by response identifier): every combination of blank or one of its choices for every
  gap;
* **typed answers**: the declared, mapped and key values with case, space and length
  variants and some wrong ones; numbers: 0, 1, -1, those values and the constants of the
  processing, each with its neighbours (±1, ±0.5, the nearest floats), opposite and
  tenfold.

Every kind is counted before it is generated, and every response generated is tried:
nothing is cut. An item that would need more than :data:`MAX_RESPONSES` responses raises
:class:`ProofIncomplete` and is refused (``proof_incomplete``) rather than proved on part
of them. :class:`Responses` says in words what was covered (``scope``), for the report.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from qti.areas import edge_points, inner_point
from qti.model import (  # graphic and association interactions
    AssessmentItem,
    AssociateInteraction,
    ChoiceInteraction,
    Condition,
    Expr,
    ExtendedTextInteraction,
    GapMatchInteraction,
    GraphicAssociateInteraction,
    GraphicGapMatchInteraction,
    GraphicOrderInteraction,
    HotspotInteraction,
    HottextInteraction,
    InlineChoiceInteraction,
    Interaction,
    MatchInteraction,
    OrderInteraction,
    PositionObjectInteraction,
    ResponseDeclaration,
    SelectPointInteraction,
    SliderInteraction,
    TextEntryInteraction,
)

MAX_RESPONSES = 10_000
"""The most responses one proof may need (blank included); an item that needs more is
refused (:class:`ProofIncomplete`). Every order of 7 choices (5,041 with blank) fits."""
EVERY_SUBSET_UP_TO = 10
"""Multiple-response choices: every combination is tried up to this many choices."""
EVERY_ORDER_UP_TO = 7
"""Orders: every order is tried up to this many choices."""
EVERY_MATCHING_UP_TO = 4_000
"""Matches: every allowed set of pairs is tried when there are at most this many."""
SUBSET_SAMPLE = 500
"""Combinations drawn with a fixed seed beyond :data:`EVERY_SUBSET_UP_TO` choices."""
ORDER_SAMPLE = 1_000
"""Orders drawn with a fixed seed beyond :data:`EVERY_ORDER_UP_TO` choices."""
MATCHING_SAMPLE = 400
"""Matchings drawn with a fixed seed beyond :data:`EVERY_MATCHING_UP_TO`."""
_SEED = 20250101


@dataclass(frozen=True)
class Responses:
    """The responses a proof tries, blank first, each once, and what they cover.

    :ivar values: the responses in QTI form.
    :ivar scope: what they are, in Indonesian (``kosong dan setiap urutan 7 pilihan``).
    :ivar scope_en: the same in English (``blank and every order of the 7 choices``).
    """

    values: list[Any]
    scope: str
    scope_en: str

    def __iter__(self) -> Iterator[Any]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


class ProofIncomplete(Exception):
    """The responses this module promises to try for an item are more than
    :data:`MAX_RESPONSES`: the item is refused rather than proved on part of them."""

    def __init__(self, needed: int, what: str, what_en: str) -> None:
        self.needed = needed
        self.message = (
            f"pembuktian penskoran memerlukan hingga {needed} jawaban ({what}), lebih dari batas "
            f"{MAX_RESPONSES}; butir tidak diimpor tanpa bukti lengkap"
        )
        self.message_en = (
            f"the scoring proof would need up to {needed} responses ({what_en}), more than the "
            f"limit of "
            f"{MAX_RESPONSES}; the item is not imported on a partial proof"
        )
        super().__init__(self.message_en)


@dataclass(frozen=True)
class _Plan:
    """Responses still to generate: how many at most (duplicates counted), what they
    are, and how to make them."""

    count: int
    scope: str
    scope_en: str
    make: Callable[[], Iterable[Any]]


def responses_for(
    item: AssessmentItem,
    interaction: Interaction,
    response: ResponseDeclaration,
    extra: Iterable[str] = (),
) -> Responses:
    """The QTI responses to try for ``interaction`` (see the module documentation);
    ``extra`` adds values to try for typed answers (the new content's keys).

    Every kind of response is counted before any is generated; all of them are tried.

    :raises ProofIncomplete: when they would be more than :data:`MAX_RESPONSES`.
    """
    if isinstance(interaction, ChoiceInteraction):
        ids = [choice.identifier for choice in interaction.choices]
        if response.cardinality == "single":
            plan = _Plan(
                len(ids),
                f"kosong dan setiap {len(ids)} pilihan",
                f"blank and each of the {len(ids)} choices",
                lambda: ids,
            )
        else:
            plan = _subsets(ids, interaction.max_choices, list(response.correct))
    elif isinstance(interaction, OrderInteraction):
        plan = _orders([c.identifier for c in interaction.choices], response)
    elif isinstance(interaction, MatchInteraction):
        plan = _matchings(interaction, response)
    elif isinstance(interaction, HottextInteraction):
        ids = [choice.identifier for choice in interaction.hottexts]
        if response.cardinality == "single":
            plan = _Plan(
                len(ids),
                f"kosong dan setiap {len(ids)} teks pilihan",
                f"blank and each of the {len(ids)} hot texts",
                lambda: ids,
            )
        else:
            plan = _subsets(ids, interaction.max_choices, list(response.correct))
    elif isinstance(interaction, GapMatchInteraction):
        plan = _gap_fillings(interaction)
    elif isinstance(interaction, TextEntryInteraction | ExtendedTextInteraction):
        plan = _typed(item, response, list(extra))
    elif isinstance(interaction, SliderInteraction):
        plan = _slider_positions(interaction, response)
    elif isinstance(interaction, GRAPHIC_INTERACTIONS):
        plan = _graphic_plan(interaction, response)
    else:  # pragma: no cover - the model's union is closed
        plan = _Plan(0, "kosong", "blank", lambda: [])
    needed = 1 + plan.count  # and blank
    if needed > MAX_RESPONSES:
        raise ProofIncomplete(needed, plan.scope, plan.scope_en)
    unique: dict[str, Any] = {repr(None): None}
    for value in plan.make():
        unique.setdefault(repr(value), value)
    return Responses(list(unique.values()), plan.scope, plan.scope_en)


def shape_key(interaction: Interaction, response: ResponseDeclaration) -> str | None:
    """What :func:`responses_for` reads of ``interaction`` and ``response`` for the kinds
    whose responses depend on nothing else (choices, hot texts, orders, matches, gap
    matches, graphic interactions), written out exactly (``repr``, so ``1`` and ``1.0``
    or a list and a tuple stay apart), or ``None`` for the others (typed answers read the
    item's processing; sliders are cheap). Two interactions with the same key get the
    same responses."""
    kind = type(interaction)
    it: Any = interaction  # (each branch reads its own kind's fields)
    fields: tuple[Any, ...]
    if kind is ChoiceInteraction or kind is HotspotInteraction:
        ids = tuple(choice.identifier for choice in it.choices)
        fields = (ids, it.max_choices)
    elif kind is HottextInteraction:
        ids = tuple(choice.identifier for choice in it.hottexts)
        fields = (ids, it.max_choices)
    elif kind is OrderInteraction or kind is GraphicOrderInteraction:
        fields = (tuple(choice.identifier for choice in it.choices),)
    elif kind is MatchInteraction:
        fields = (
            tuple((c.identifier, c.match_max) for c in it.sources),
            tuple((c.identifier, c.match_max) for c in it.targets),
            it.max_associations,
        )
    elif kind is GapMatchInteraction:
        fields = (
            tuple((c.identifier, c.match_max) for c in it.gap_texts),
            tuple(gap.identifier for gap in it.gaps),
        )
    elif kind is AssociateInteraction or kind is GraphicAssociateInteraction:
        fields = (
            tuple((c.identifier, c.match_max) for c in it.choices),
            it.max_associations,
        )
    elif kind is GraphicGapMatchInteraction:
        fields = (
            tuple((g.identifier, g.match_max) for g in it.gaps),
            tuple((h.identifier, h.match_max) for h in it.hotspots),
            it.max_associations,
        )
    elif kind is SelectPointInteraction or kind is PositionObjectInteraction:
        mapping = response.area_mapping
        image = it.image
        fields = (
            tuple((e.shape, e.coords) for e in mapping.entries) if mapping else None,
            image.width,
            image.height,
            it.max_choices,
        )
    else:
        return None
    return repr((kind.__name__, response.cardinality, response.correct, fields))


class ResponsesCache:
    """:func:`responses_for` remembered for one import, by :func:`shape_key`: items of
    one source mostly repeat their interactions' shapes (four choices A to D, the same
    areas), so their responses are generated once and the same :class:`Responses` is
    returned for each (the scoring cache then knows their source scores by position:
    :meth:`qti.rp.ScoringCache.along`). Every response is still tried for every item.
    The values are shared: the item types must not change the values they are given
    (none does; ``tests/test_qti_import_responses_cache.py`` checks it). Bounded: at most
    ``max_values`` values remembered in all; ``ProofIncomplete`` is never remembered."""

    def __init__(self, *, max_values: int = 200_000) -> None:
        self._known: dict[str, Responses] = {}
        self._given: set[int] = set()  # the ids of those remembered (held: they stay theirs)
        self._room = max_values

    def remembers(self, responses: Responses) -> bool:
        """Whether ``responses`` is one this cache remembers (and gives again)."""
        return id(responses) in self._given

    def known(self, key: str) -> Responses | None:
        """The responses kept under ``key``, if any (:meth:`keep`)."""
        return self._known.get(key)

    def keep(self, key: str, responses: Responses) -> None:
        """Keep ``responses`` under ``key``: a key that says everything they are made of
        (a :func:`shape_key`, or one built from such keys alone), within the bound."""
        if key not in self._known and len(responses) <= self._room:
            self._room -= len(responses)
            self._known[key] = responses
            self._given.add(id(responses))

    def responses_for(
        self,
        item: AssessmentItem,
        interaction: Interaction,
        response: ResponseDeclaration,
        extra: Iterable[str] = (),
    ) -> Responses:
        """:func:`responses_for`, the same responses."""
        key = shape_key(interaction, response)
        if key is None:
            return responses_for(item, interaction, response, extra)
        known = self._known.get(key)
        if known is None:
            known = responses_for(item, interaction, response, extra)
            self.keep(key, known)
        return known


def slider_positions(lower: float, upper: float, step: int | None, integer: bool) -> int:
    """How many values a slider from ``lower`` to ``upper`` by ``step`` offers (integer
    sliders: the whole numbers in range, by the step; no step: by 1)."""
    by = step or 1
    if integer:
        first, last = math.ceil(lower), math.floor(upper)
        return max(0, (last - first) // by + 1)
    return max(0, math.floor((upper - lower) / by + 1e-9) + 1)


def _slider_positions(interaction: SliderInteraction, response: ResponseDeclaration) -> _Plan:
    """Every value the slider offers: ``lower + k * step`` (whole numbers for an integer
    response) up to the upper bound, as a delivery system offers them."""
    integer = response.base_type == "integer"
    lower, upper, by = interaction.lower_bound, interaction.upper_bound, interaction.step or 1
    count = slider_positions(lower, upper, interaction.step, integer)

    def make() -> Iterator[int | float]:
        first = math.ceil(lower) if integer else lower
        for k in range(count):
            yield int(first) + k * by if integer else first + k * by

    return _Plan(
        count,
        f"kosong dan setiap {count} nilai penggeser",
        f"blank and each of the slider's {count} values",
        make,
    )


def responses_for_gaps(item: AssessmentItem) -> Responses:
    """The responses to try for an item whose interactions are all inline choices: as
    dicts by response identifier, every combination of blank or one choice per gap
    (blank first, as ``None``).

    :raises ProofIncomplete: when they would be more than :data:`MAX_RESPONSES`.
    """
    gaps = [i for i in item.interactions() if isinstance(i, InlineChoiceInteraction)]
    values = [[None, *(c.identifier for c in gap.choices)] for gap in gaps]
    needed = math.prod(len(v) for v in values)
    scope = f"kosong dan setiap gabungan jawaban {len(gaps)} rumpang (kosong atau satu pilihan)"
    scope_en = (
        f"blank and every combination of answers to the {len(gaps)} gaps (blank or one choice each)"
    )
    if needed > MAX_RESPONSES:
        raise ProofIncomplete(needed, scope, scope_en)
    codes = [gap.response_identifier for gap in gaps]
    found: list[Any] = [None]
    for combination in itertools.product(*values):
        if any(value is not None for value in combination):
            found.append(dict(zip(codes, combination, strict=True)))
    return Responses(found, scope, scope_en)


def _subsets(ids: list[str], max_choices: int, correct: list[str]) -> _Plan:
    n = len(ids)
    largest = max_choices if 0 < max_choices < n else n
    if n <= EVERY_SUBSET_UP_TO:
        return _Plan(
            sum(math.comb(n, size) for size in range(1, largest + 1)),
            f"kosong dan setiap kombinasi 1 sampai {largest} dari {n} pilihan",
            f"blank and every combination of 1 to {largest} of the {n} choices",
            lambda: (
                list(combination)
                for size in range(1, largest + 1)
                for combination in itertools.combinations(ids, size)
            ),
        )
    keys = [ident for ident in ids if ident in correct]
    pairs = math.comb(n, 2) if largest >= 2 else 0
    key_variants = (1 + len(keys) + (n - len(keys))) if keys else 0

    def make() -> Iterator[list[str]]:
        yield from ([ident] for ident in ids)
        if largest >= 2:
            yield from (list(pair) for pair in itertools.combinations(ids, 2))
        if keys:
            variants = [keys]
            variants += [[k for k in keys if k != left_out] for left_out in keys]
            variants += [[*keys, other] for other in ids if other not in keys]
            yield from (v for v in variants if v and len(v) <= largest)
        rng = random.Random(_SEED)
        for _ in range(SUBSET_SAMPLE):
            yield sorted(rng.sample(ids, rng.randint(1, largest)), key=ids.index)

    return _Plan(
        n + pairs + key_variants + SUBSET_SAMPLE,
        f"kosong, setiap pilihan sendiri, setiap pasangan, jawaban benar tanpa satu kunci "
        f"atau dengan satu pilihan tambahan, dan {SUBSET_SAMPLE} kombinasi acak tetap (bukan "
        f"setiap kombinasi: {n} pilihan, lebih dari {EVERY_SUBSET_UP_TO})",
        f"blank, every choice alone, every pair, the correct set with one key left out or "
        f"one choice added, and {SUBSET_SAMPLE} fixed random combinations (not every "
        f"combination: {n} choices, more than {EVERY_SUBSET_UP_TO})",
        make,
    )


def _orders(ids: list[str], response: ResponseDeclaration) -> _Plan:
    n = len(ids)
    if n <= EVERY_ORDER_UP_TO:
        return _Plan(
            math.factorial(n),
            f"kosong dan setiap urutan {n} pilihan",
            f"blank and every order of the {n} choices",
            lambda: (list(order) for order in itertools.permutations(ids)),
        )
    base = [i for i in response.correct if i in ids] or ids
    m = len(base)

    def make() -> Iterator[list[str]]:
        yield list(base)
        yield list(reversed(base))
        for index in range(m - 1):  # every neighbour swap
            swapped = list(base)
            swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
            yield swapped
        yield from (base[shift:] + base[:shift] for shift in range(1, m))
        rng = random.Random(_SEED)
        for _ in range(ORDER_SAMPLE):
            yield rng.sample(base, m)

    return _Plan(
        2 + 2 * max(m - 1, 0) + ORDER_SAMPLE,
        f"kosong, urutan benar, kebalikannya, setiap pertukaran dua yang bersebelahan, setiap "
        f"rotasi, dan {ORDER_SAMPLE} urutan acak tetap (bukan setiap urutan: {n} pilihan, "
        f"lebih dari {EVERY_ORDER_UP_TO})",
        f"blank, the correct order, its reverse, every swap of two neighbours, every "
        f"rotation and {ORDER_SAMPLE} fixed random orders (not every order: {n} choices, "
        f"more than {EVERY_ORDER_UP_TO})",
        make,
    )


def _matchings(interaction: MatchInteraction, response: ResponseDeclaration) -> _Plan:
    sources = [c.identifier for c in interaction.sources]
    targets = [c.identifier for c in interaction.targets]
    limits = {c.identifier: c.match_max for c in (*interaction.sources, *interaction.targets)}
    every = [(s, t) for s in sources for t in targets]
    most = interaction.max_associations
    found = _matchings_up_to(every, limits, most, EVERY_MATCHING_UP_TO)
    if found is not None:
        allowed = len(found)
        return _Plan(
            allowed,
            f"kosong dan setiap penjodohan yang diizinkan interaksi ({allowed}, dengan "
            "matchMax dan maxAssociations)",
            f"blank and every matching the interaction allows ({allowed}, within matchMax "
            "and maxAssociations)",
            lambda: _smallest_first(found),
        )
    functions = (len(targets) + 1) ** len(sources)
    with_functions = functions <= EVERY_MATCHING_UP_TO
    correct = [tuple(v.split()) for v in response.correct if len(v.split()) == 2]

    def make() -> Iterator[list[tuple]]:
        candidates: list[list[tuple]] = [[pair] for pair in every]
        if with_functions:
            for choice in itertools.product([None, *targets], repeat=len(sources)):
                candidates.append([(s, t) for s, t in zip(sources, choice, strict=True) if t])
        if correct:
            candidates.append(correct)
            candidates += [[p for p in correct if p != left_out] for left_out in correct]
            candidates += [[*correct, pair] for pair in every if pair not in correct]
        rng = random.Random(_SEED)
        for _ in range(MATCHING_SAMPLE):
            candidates.append(rng.sample(every, rng.randint(1, len(every))))
        return (pairs for pairs in candidates if pairs and _allowed(pairs, limits, most))

    count = len(every) + (functions if with_functions else 0) + MATCHING_SAMPLE
    count += (1 + len(correct) + len(every)) if correct else 0
    each_once = (
        f"setiap cara memberi tiap premis paling banyak satu jawaban ({functions}), "
        if with_functions
        else ""
    )
    each_once_en = (
        f"every way of giving each premise at most one response ({functions}), "
        if with_functions
        else ""
    )
    return _Plan(
        count,
        f"kosong, setiap pasangan sendiri, {each_once}pasangan benar tanpa satu pasangan atau "
        f"dengan satu pasangan tambahan, dan {MATCHING_SAMPLE} penjodohan acak tetap, semuanya "
        f"dalam batas interaksi (bukan setiap penjodohan: lebih dari {EVERY_MATCHING_UP_TO})",
        f"blank, every pair alone, {each_once_en}the correct pairs with one left out or one "
        f"added, and {MATCHING_SAMPLE} fixed random matchings, all within the interaction's "
        f"limits (not every matching: more than {EVERY_MATCHING_UP_TO})",
        make,
    )


def _gap_fillings(interaction: GapMatchInteraction) -> _Plan:
    """Every way of filling the gaps: each gap holds at most one word, each word is used
    at most its ``matchMax`` times (0: without limit)."""
    words = [c.identifier for c in interaction.gap_texts]
    gaps = [g.identifier for g in interaction.gaps]
    limits = {c.identifier: c.match_max for c in interaction.gap_texts}
    limits.update(dict.fromkeys(gaps, 1))
    every = [(w, g) for w in words for g in gaps]
    found = _matchings_up_to(every, limits, 0, MAX_RESPONSES)
    allowed = MAX_RESPONSES + 1 if found is None else len(found)
    return _Plan(
        allowed,
        f"kosong dan setiap cara mengisi rumpang ({allowed}; satu kata per rumpang, dengan "
        "matchMax setiap kata)",
        f"blank and every way of filling the gaps ({allowed}; one word per gap, within each "
        "word's matchMax)",
        lambda: _smallest_first(found or []),
    )


def _fits(pair: tuple, used: dict[str, int], limits: dict[str, int]) -> bool:
    """Whether ``pair`` can be added to a matching whose choices are ``used`` so often."""
    return all(limits.get(i, 1) == 0 or used.get(i, 0) < limits.get(i, 1) for i in pair)


def _every_matching(every: list[tuple], limits: dict[str, int], most: int) -> Iterator[list[tuple]]:
    """Every non-empty set of pairs from ``every`` within the choices' ``matchMax`` and
    ``maxAssociations`` (``most``, 0: no limit), smaller sets and earlier pairs first
    within each branch (a depth-first walk in the order of ``every``)."""
    chosen: list[tuple] = []
    used: dict[str, int] = {}

    def walk(start: int) -> Iterator[list[tuple]]:
        if 0 < most <= len(chosen):
            return
        for index in range(start, len(every)):
            pair = every[index]
            if not _fits(pair, used, limits):
                continue
            chosen.append(pair)
            for ident in pair:
                used[ident] = used.get(ident, 0) + 1
            yield list(chosen)
            yield from walk(index + 1)
            chosen.pop()
            for ident in pair:
                used[ident] -= 1

    return walk(0)


def _matchings_up_to(
    every: list[tuple], limits: dict[str, int], most: int, stop: int
) -> list[list[tuple]] | None:
    """The sets :func:`_every_matching` gives, or ``None`` once there are more than
    ``stop`` (every pair alone is one, so many pairs are told at once): walked once, for
    their count and then for the proof."""
    if len(every) > stop:
        return None
    found = list(itertools.islice(_every_matching(every, limits, most), stop + 1))
    return None if len(found) > stop else found


def _smallest_first(matchings: list[list[tuple]]) -> list[list[tuple]]:
    """Copies of ``matchings``, smaller sets first (each proof gets lists of its own)."""
    return [list(pairs) for pairs in sorted(matchings, key=len)]


def _allowed(pairs: list[tuple], limits: dict[str, int], most: int) -> bool:
    if 0 < most < len(pairs):
        return False
    used: dict[str, int] = {}
    for pair in pairs:
        for ident in pair:
            used[ident] = used.get(ident, 0) + 1
    return all(limits.get(ident, 1) == 0 or n <= limits.get(ident, 1) for ident, n in used.items())


def _typed(item: AssessmentItem, response: ResponseDeclaration, extra: list[str]) -> _Plan:
    texts = [*response.correct, *extra]
    if response.mapping is not None:
        texts += [entry.key for entry in response.mapping.entries]
    if response.base_type in ("float", "integer"):
        constants = _constants(item)
        seeds = _seeds([*texts, *constants, *_tolerance_bounds([*texts, *constants], item)])
        return _Plan(
            len(_AROUND) * len(seeds),
            f"kosong, dan di sekitar {len(seeds)} bilangan (0, 1, -1, nilai benar dan "
            "terpetakan, konstanta pemrosesan): ±1, ±0,5, lawan, kali sepuluh, bilangan "
            "pecahan terdekat",
            f"blank, and around {len(seeds)} numbers (0, 1, -1, the correct and mapped "
            "values, the processing's constants): ±1, ±0.5, the opposite, tenfold, the "
            "nearest floats",
            lambda: _numbers(response.base_type, seeds),
        )
    return _Plan(
        len(_WRONG) + len(_VARIANTS) * len(texts),
        f"kosong, teks kosong dan salah, dan {len(texts)} nilai benar, terpetakan dan kunci "
        "dengan variasi huruf besar-kecil, spasi dan panjang",
        f"blank, empty and wrong texts, and the {len(texts)} correct, mapped and key values "
        "with case, space and length variants",
        lambda: _strings(texts),
    )


_WRONG: tuple[str, ...] = ("", " ", "salah", "0", "?", "jawaban yang panjang " * 5)
_VARIANTS: tuple[Callable[[str], str], ...] = (
    lambda text: text,
    str.upper,
    str.lower,
    str.swapcase,
    str.title,
    lambda text: f" {text}",
    lambda text: f"{text} ",
    lambda text: text + text,
    lambda text: text[:-1],
)
_AROUND: tuple[Callable[[float], float], ...] = (
    lambda seed: seed,
    lambda seed: -seed,
    lambda seed: seed + 1,
    lambda seed: seed - 1,
    lambda seed: seed + 0.5,
    lambda seed: seed - 0.5,
    lambda seed: seed * 10,
    lambda seed: math.nextafter(seed, math.inf),
    lambda seed: math.nextafter(seed, -math.inf),
)


def _strings(texts: list[str]) -> Iterator[str]:
    yield from _WRONG
    for text in texts:
        yield from (variant(text) for variant in _VARIANTS)


def _seeds(texts: list[str]) -> list[float]:
    seeds: list[float] = [0.0, 1.0, -1.0]
    for text in texts:
        try:
            number = float(text)
        except ValueError:
            continue
        if math.isfinite(number):
            seeds.append(number)
    return seeds


def _numbers(base_type: str, seeds: list[float]) -> Iterator[Any]:
    for seed in seeds:
        for around in _AROUND:
            number = around(seed)
            if base_type == "integer":
                if float(number).is_integer():
                    yield int(number)
            else:
                yield float(number)


def _tolerance_bounds(texts: list[str], item: AssessmentItem) -> list[str]:
    """The bounds ``equal`` computes around each number of ``texts`` with each tolerance
    of the processing: ``x - t``, ``x + t`` (absolute) and ``x * (1 - t / 100)``,
    ``x * (1 + t / 100)`` (relative), computed as :mod:`qti.rp` computes them."""
    tolerances = [
        float(part)
        for node in _expressions(item)
        if node.name == "equal"
        for part in dict(node.attrs).get("tolerance", "").split()
        if _is_number(part)
    ]
    bounds: list[str] = []
    for text in texts:
        if not _is_number(text):
            continue
        x = float(text)
        for t in tolerances:
            bounds += [repr(x - t), repr(x + t), repr(x * (1 - t / 100)), repr(x * (1 + t / 100))]
    return bounds


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _expressions(item: AssessmentItem) -> Iterator[Expr]:
    """Every expression of the item's inline processing."""
    pending: list[Any] = list(item.processing.rules) if item.processing else []
    while pending:
        node = pending.pop()
        if isinstance(node, Expr):
            yield node
            pending += node.args
        elif isinstance(node, Condition):
            for branch in node.branches:
                pending.append(branch.condition)
                pending += branch.rules
            pending += node.otherwise or ()
        elif hasattr(node, "expression"):
            pending.append(node.expression)


def _constants(item: AssessmentItem) -> list[str]:
    """The text of every ``baseValue`` in the item's inline processing."""
    found: list[str] = []
    pending: list[Any] = list(item.processing.rules) if item.processing else []
    while pending:
        node = pending.pop()
        if isinstance(node, Expr):
            if node.name == "baseValue" and node.text is not None:
                found.append(node.text)
            pending += node.args
        elif isinstance(node, Condition):
            for branch in node.branches:
                pending.append(branch.condition)
                pending += branch.rules
            pending += node.otherwise or ()
        elif hasattr(node, "expression"):
            pending.append(node.expression)
    return found


# -- graphic and association interactions ----------------------------------------------------

GRAPHIC_INTERACTIONS = (
    HotspotInteraction,
    AssociateInteraction,
    GraphicGapMatchInteraction,
    SelectPointInteraction,
    PositionObjectInteraction,
    GraphicOrderInteraction,
    GraphicAssociateInteraction,
)


def _graphic_plan(
    interaction: HotspotInteraction
    | AssociateInteraction
    | GraphicGapMatchInteraction
    | SelectPointInteraction
    | PositionObjectInteraction
    | GraphicOrderInteraction
    | GraphicAssociateInteraction,
    response: ResponseDeclaration,
) -> _Plan:
    """Hotspots as choices (each area, or every combination); associations as matchings
    of unordered pairs of two different choices; graphic gap matches as matchings of a
    gap to an area; points as :func:`_point_plan` tries them; graphic orders as
    orders."""
    if isinstance(interaction, SelectPointInteraction | PositionObjectInteraction):
        return _point_plan(interaction, response)
    if isinstance(interaction, GraphicOrderInteraction):
        return _orders([c.identifier for c in interaction.choices], response)
    if isinstance(interaction, HotspotInteraction):
        ids = [choice.identifier for choice in interaction.choices]
        if response.cardinality == "single":
            return _Plan(
                len(ids),
                f"kosong dan setiap {len(ids)} area",
                f"blank and each of the {len(ids)} areas",
                lambda: ids,
            )
        return _subsets(ids, interaction.max_choices, list(response.correct))
    if isinstance(interaction, AssociateInteraction | GraphicAssociateInteraction):
        choices = interaction.choices
        limits = {c.identifier: c.match_max for c in choices}
        every = list(itertools.combinations([c.identifier for c in choices], 2))
    else:
        limits = {g.identifier: g.match_max for g in interaction.gaps}
        limits.update({h.identifier: h.match_max for h in interaction.hotspots})
        every = [
            (g.identifier, h.identifier) for g in interaction.gaps for h in interaction.hotspots
        ]
    most = interaction.max_associations
    found = _matchings_up_to(every, limits, most, EVERY_MATCHING_UP_TO)
    if found is not None:
        allowed = len(found)
        return _Plan(
            allowed,
            f"kosong dan setiap himpunan pasangan yang diizinkan interaksi ({allowed}, dengan "
            "matchMax dan maxAssociations)",
            f"blank and every set of pairs the interaction allows ({allowed}, within matchMax "
            "and maxAssociations)",
            lambda: _smallest_first(found),
        )
    correct = [tuple(v.split()) for v in response.correct if len(v.split()) == 2]

    def make() -> Iterator[list[tuple]]:
        candidates: list[list[tuple]] = [[pair] for pair in every]
        if correct:
            candidates.append(correct)
            candidates += [[p for p in correct if p != left_out] for left_out in correct]
            candidates += [[*correct, pair] for pair in every if pair not in correct]
        rng = random.Random(_SEED)
        for _ in range(MATCHING_SAMPLE):
            candidates.append(rng.sample(every, rng.randint(1, len(every))))
        return (pairs for pairs in candidates if pairs and _allowed(pairs, limits, most))

    count = len(every) + MATCHING_SAMPLE + ((1 + len(correct) + len(every)) if correct else 0)
    return _Plan(
        count,
        f"kosong, setiap pasangan sendiri, pasangan benar tanpa satu pasangan atau dengan satu "
        f"pasangan tambahan, dan {MATCHING_SAMPLE} himpunan acak tetap, semuanya dalam batas "
        f"interaksi (bukan setiap himpunan: lebih dari {EVERY_MATCHING_UP_TO})",
        f"blank, every pair alone, the correct pairs with one left out or one added, and "
        f"{MATCHING_SAMPLE} fixed random sets, all within the interaction's limits (not every "
        f"set: more than {EVERY_MATCHING_UP_TO})",
        make,
    )


def probe_points(
    areas: list[tuple[str, tuple[int, ...]]], width: int, height: int
) -> list[tuple[int, int]]:
    """The points a select point proof tries: for each area (``(shape, coords)``) a
    point well inside, points on its edge and a pixel beyond it (where two ways of
    drawing an edge disagree), then the image's corners and middle, each once, in that
    order. Only points on the image: a delivery system sends no others."""
    found: list[tuple[int, int]] = []
    for shape, coords in areas:
        if shape not in ("rect", "circle", "poly") or not _well_formed(shape, coords):
            continue
        inner = inner_point(shape, coords)
        found += [*([inner] if inner else []), *edge_points(shape, coords)]
    found += [(0, 0), (width, 0), (0, height), (width, height), (width // 2, height // 2)]
    return [p for p in dict.fromkeys(found) if 0 <= p[0] <= width and 0 <= p[1] <= height]


def _well_formed(shape: str, coords: tuple[int, ...]) -> bool:
    if shape == "rect":
        return len(coords) == 4
    if shape == "circle":
        return len(coords) == 3
    return len(coords) >= 6 and len(coords) % 2 == 0


def _point_plan(
    interaction: SelectPointInteraction | PositionObjectInteraction, response: ResponseDeclaration
) -> _Plan:
    """Single: every probe point (:func:`probe_points`). Multiple: each probe point
    alone, every two of them, the same point twice, and the points inside each area
    together (one for each area, the first ``maxChoices``) alone, twice over and with
    each other probe point added; each within ``maxChoices``."""
    mapping = response.area_mapping
    areas = [(e.shape, e.coords) for e in mapping.entries] if mapping else []
    image = interaction.image
    points = probe_points(areas, image.width, image.height)
    count = len(points)
    if response.cardinality == "single":
        return _Plan(
            count,
            f"kosong dan {count} titik: di dalam, pada tepi dan tepat di luar setiap area, serta "
            "sudut dan tengah gambar",
            f"blank and {count} points: inside, on the edge of and just outside each area, and "
            "the image's corners and middle",
            lambda: points,
        )
    most = interaction.max_choices
    inner = [
        inner_point(s, c)
        for s, c in areas
        if s in ("rect", "circle", "poly") and _well_formed(s, c)
    ]
    together = [p for p in dict.fromkeys(inner) if p is not None][: most or None]

    def make() -> Iterator[list[tuple[int, int]]]:
        yield from ([p] for p in points)
        if most != 1:
            yield from ([p, p] for p in points)
            yield from (list(pair) for pair in itertools.combinations(points, 2))
        yield together
        if not most or len(together) * 2 <= most:
            yield together + together
        if not most or len(together) < most:
            yield from ([*together, p] for p in points)

    total = 3 * count + count * (count - 1) // 2 + 2
    return _Plan(
        total,
        f"kosong, setiap {count} titik uji (di dalam, pada tepi dan tepat di luar setiap area, "
        "sudut dan tengah gambar) sendiri, dua kali, dan setiap dua di antaranya, serta titik di "
        "dalam setiap area bersama-sama, dua kali, dan dengan setiap titik uji lain, semuanya "
        "dalam maxChoices",
        f"blank, each of the {count} probe points (inside, on the edge of and just outside each "
        "area, the image's corners and middle) alone, twice, and every two of them, and a point "
        "inside each area together, twice over, and with each other probe point, all within "
        "maxChoices",
        lambda: (p for p in make() if p and (not most or len(p) <= most)),
    )


# -- end of graphic and association interactions ----------------------------------------------
