"""Mapped scoring, shared by multiple response and matching: what QTI's ``mapResponse``
expresses.

Every distinct value of a response (an option, a pair) scores its own value, or the
mapping's ``default`` when it has none; the sum is then held within a lower bound
(``mapping.lower``; ``None``: none) and an upper bound, which is the item's ``points``.
A blank response scores 0, as QTI's ``map_response`` template scores it.

The sum is computed exactly as :mod:`qti.rp` computes ``mapResponse``: from ``0.0``, each
distinct value once, in the order the response gives them, so an exported item and an
imported one score every response to the same float.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import marshmallow as ma

from itembank.itemtypes import JSON, EditorField, ImportNotSupported, ItemType, Problem
from plugins.itemtypes._common import MAX_POINTS, MAX_WEIGHT, JsonNumber

if TYPE_CHECKING:
    from itembank.itemtypes import SourceScore
    from qti.model import AssessmentItem

MAPPED = "mapped"


class MappingSchema(ma.Schema):
    """The mapping's own numbers: the value of anything without a value of its own and
    the lower bound (the upper bound is the item's ``points``)."""

    default = JsonNumber(load_default=0, minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)
    lower = JsonNumber(load_default=0, allow_none=True, minimum=-MAX_POINTS, maximum=MAX_POINTS)


DEFAULT_MAPPING: dict[str, JSON] = {"default": 0, "lower": 0}
#: What the editor writes for an item that does not use mapped scoring (its fields
#: untouched): said nothing, like no mapping at all.
_UNTOUCHED = ({"default": 0, "lower": 0}, {"default": 0, "lower": None})


def mapping_field() -> ma.fields.Nested:
    """The ``mapping`` of a mapped item; absent from content that does not use it."""
    return ma.fields.Nested(MappingSchema, required=False)


def value_field() -> JsonNumber:
    """An entry's own mapped value (an option's), ``null`` or absent: none."""
    return JsonNumber(required=False, allow_none=True, minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)


def mapping_of(content: dict[str, JSON]) -> dict[str, JSON]:
    """The content's mapping, with the defaults when it has none."""
    return content.get("mapping") or DEFAULT_MAPPING


def mapped_sum(
    values: Iterable[Hashable],
    lookup: Callable[[Any], float | None],
    default: float,
    lower: float | None,
    upper: float,
) -> float:
    """The bounded sum of the mapped value of each distinct value, in the given order
    (``lookup`` returns ``None`` for a value without one: it scores ``default``)."""
    total = 0.0
    for value in dict.fromkeys(values):
        own = lookup(value)
        total += float(default if own is None else own)
    if lower is not None and total < lower:
        total = float(lower)
    if total > upper:
        total = float(upper)
    return total


def best_selection(values: Sequence[float], fewest: int, most: int) -> float:
    """The highest sum of ``fewest`` to ``most`` (0: any number) of ``values``, each
    used at most once; an empty selection (blank) sums 0."""
    ordered = sorted(values, reverse=True)
    largest = most if 0 < most < len(ordered) else len(ordered)
    best = 0.0
    running = 0.0
    for count, value in enumerate(ordered[:largest], start=1):
        running += value
        if count >= max(fewest, 1):
            best = max(best, running)
    return best


def check_mapping(content: dict[str, JSON], best: float) -> Iterator[Problem]:
    """The bounds of a mapped item: the lower bound below the points, and the points
    reachable by the best response (``best``: its unbounded sum)."""
    points = content["points"]
    lower = mapping_of(content)["lower"]
    if lower is not None and lower >= points:
        yield Problem(
            "mapping.lower",
            f"Batas bawah skor ({lower:g}) harus lebih kecil dari poin ({points:g}).",
            f"The lower bound of the score ({lower:g}) must be less than the points ({points:g}).",
        )
    if best < points and not same_score(best, points):
        yield Problem(
            "points",
            f"Jawaban terbaik hanya mendapat skor {best:g}, kurang dari poin ({points:g}): "
            "turunkan poin atau naikkan nilai pilihan.",
            f"The best response only scores {best:g}, less than the points ({points:g}): "
            "lower the points or raise the values.",
        )


def same_score(a: float, b: float) -> bool:
    """Two sums equal but for the rounding of adding the same values in another order."""
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


#: What a value is given to, in the messages (Indonesian, English): an option, unless
#: the type says otherwise (short text: an answer; slider: a value of its scale; the
#: pair types: a pair).
OPTION = ("pilihan", "option")
ANSWER = ("jawaban", "answer")
VALUE = ("nilai", "value")
PAIR = ("pasangan", "pair")


def check_unused(
    content: dict[str, JSON], used: bool, values_path: str, per: tuple[str, str] = OPTION
) -> Iterator[Problem]:
    """Values or a mapping given to an item that does not score by mapping (``per``:
    what each value is given to: :data:`OPTION`, :data:`ANSWER`, :data:`VALUE` or
    :data:`PAIR`)."""
    per_id, per_en = per
    if content.get("mapping") is not None:
        yield Problem(
            "mapping",
            f"Pengaturan nilai hanya dipakai pada penskoran berbobot (skor per {per_id}).",
            f"The mapping is only used with mapped scoring (scores per {per_en}).",
        )
    if used:
        yield Problem(
            values_path,
            f"Skor per {per_id} hanya dipakai pada penskoran berbobot; kosongkan atau pilih "
            "penskoran berbobot.",
            f"Scores per {per_en} are only used with mapped scoring; clear them or choose "
            "mapped scoring.",
        )


def keys_score_problem(path: str, score: float, points: float) -> Problem:
    """The key does not earn the item's points."""
    return Problem(
        path,
        f"Kunci jawaban hanya mendapat skor {score:g}, padahal poin soal {points:g}.",
        f"The key only scores {score:g}, while the item is worth {points:g} points.",
    )


def editor_mapping() -> EditorField:
    """The editor's group for :class:`MappingSchema`."""
    return EditorField(
        "mapping",
        "group",
        {"id": "Penskoran berbobot", "en": "Mapped scoring"},
        help={
            "id": "Hanya untuk penskoran berbobot: nilai pilihan tanpa nilai sendiri, dan batas "
            "bawah skor (kosong: tanpa batas). Batas atasnya adalah poin.",
            "en": "Mapped scoring only: the value of anything without its own value, and the "
            "lowest score (empty: no bound). The points are the highest score.",
        },
        fields=(
            EditorField(
                "default",
                "number",
                {"id": "Nilai lainnya", "en": "Value of the others"},
                default=0,
                minimum=-MAX_WEIGHT,
                maximum=MAX_WEIGHT,
            ),
            # Empty (null) is "no lower bound", so a stored null reads back as empty; a
            # default of 0 here would turn it into 0 when the item is opened and saved.
            EditorField(
                "lower",
                "number",
                {"id": "Batas bawah skor", "en": "Lowest score"},
                minimum=-MAX_POINTS,
                maximum=MAX_POINTS,
            ),
        ),
    )


def normalise(content: dict[str, JSON], entries: Sequence[dict[str, JSON]] | None) -> None:
    """Keep mapped fields out of content that does not score by mapping when they say
    nothing (what an editor writes for every item: empty values, the default mapping),
    and give a mapped item its mapping explicitly."""
    for entry in entries or ():
        if "value" in entry and entry["value"] is None:
            del entry["value"]
    if content.get("scoring") == MAPPED:
        content["mapping"] = {**DEFAULT_MAPPING, **(content.get("mapping") or {})}
    elif content.get("mapping") in _UNTOUCHED:
        del content["mapping"]


def classic_then_mapped(
    classic: Callable[[], dict[str, JSON] | None],
    mapped_content: Callable[[], dict[str, JSON] | None],
) -> Iterator[dict[str, JSON]]:
    """What a type's ``from_qti_contents`` offers: the classic content, then the
    mapped one. A classic refusal (:class:`~itembank.itemtypes.ImportNotSupported`) is
    raised only when there is no mapped content to try instead."""
    refusal: ImportNotSupported | None = None
    try:
        content = classic()
    except ImportNotSupported as exc:
        content, refusal = None, exc
    if content is not None:
        yield content
    offered = mapped_content()
    if offered is not None:
        yield offered
    elif refusal is not None:
        raise refusal


class MappedImport(ItemType):
    """A type that imports QTI items with a classic key or, failing that, with mapped
    scoring: :meth:`from_qti_contents` is :func:`classic_then_mapped` of
    :meth:`from_qti` and :meth:`mapped_from_qti`."""

    def from_qti_contents(
        self, item: AssessmentItem, score: SourceScore
    ) -> Iterator[dict[str, JSON]]:
        return classic_then_mapped(
            lambda: self.from_qti(item, score), lambda: self.mapped_from_qti(item)
        )

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Content with mapped scoring for ``item``, or ``None`` when its mapping does
        not fit this type."""
        raise NotImplementedError
