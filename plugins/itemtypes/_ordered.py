"""Scoring of an order, shared by ordering and graphic order.

- ``all_or_nothing`` (also when ``scoring`` is absent, as in content stored before
  per-position scoring existed): ``points`` for exactly the correct order, else 0.
- ``per_position``: each position holding the choice the correct order puts there
  earns its share; the score is ``points * earned / positions`` as
  :func:`plugins.itemtypes._common.partial_credit` computes it (exact at 0 and at every
  position right). A response shorter than the correct order earns nothing for the
  positions it leaves empty.

As QTI (2.1 and 3.0): :mod:`plugins.itemtypes.qti_writers._orders`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import marshmallow as ma
from markupsafe import Markup

from itembank.itemtypes import JSON, EditorField, Problem
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import Noun, partial_credit, pick, repeated
from plugins.itemtypes.qti_writers._orders import (
    ALL_OR_NOTHING,
    ORDER_SCORINGS,
    PER_POSITION,
    scoring_of,
)

__all__ = ["ALL_OR_NOTHING", "ORDER_SCORINGS", "PER_POSITION", "scoring_of"]

#: What an order type says of per-option scores (:attr:`ItemType.no_option_scores`).
NO_OPTION_SCORES = {
    "id": "Tidak ada skor per pilihan: yang dinilai urutan lengkap (atau tiap posisi "
    "pada penskoran per posisi).",
    "en": "No per-option score: a whole order is scored (or each position, under "
    "per-position scoring).",
}

#: Most choices whose every order an import compares with per-position scoring
#: (7! = 5,040 orders, what the scoring proof tries too).
MAX_ORDERS_COMPARED = 7


class OrderSchema(ma.Schema):
    """The schema of an order's content, loaded as :func:`drop_all_or_nothing` stores
    it; the subclass declares the fields (its entries, :func:`correct_order_field`,
    the points, :func:`scoring_field`) in the order its content keeps them."""

    @ma.post_load
    def _stored(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return drop_all_or_nothing(data)


def correct_order_field() -> ma.fields.List:
    """The entries' identifiers in the correct order (:func:`check_order`)."""
    return ma.fields.List(ma.fields.String(), required=True)


def scoring_field() -> ma.fields.String:
    """``all_or_nothing`` or ``per_position``; absent: all or nothing (stored content
    keeps its meaning and its hash)."""
    return ma.fields.String(required=False, validate=ma.validate.OneOf(ORDER_SCORINGS))


def drop_all_or_nothing(data: dict[str, JSON]) -> dict[str, JSON]:
    """Content as stored: all or nothing said by leaving ``scoring`` out, so content
    saved before per-position scoring and the same content saved again (the editor
    writes ``all_or_nothing``) are one and the same."""
    if data.get("scoring") == ALL_OR_NOTHING:
        del data["scoring"]
    return data


def check_order(
    order: Sequence[str], ids: Iterable[str], noun: Noun, among: str
) -> Iterator[Problem]:
    """The correct ``order`` holds each of ``ids`` (the entries, each a ``noun``;
    ``among``: where they are, in Indonesian) once and nothing else."""
    known = list(ids)
    for index, ident in enumerate(order):
        if ident not in known:
            yield Problem(
                f"correct_order.{index}",
                f"Urutan benar memuat '{ident}' yang tidak ada di {among}.",
                f"The correct order names '{ident}', which is not one of the {noun.en_plural}.",
            )
    for index, ident in repeated(order):
        yield Problem(
            f"correct_order.{index}",
            f"{noun.id.capitalize()} '{ident}' muncul lebih dari sekali dalam urutan benar.",
            f"{noun.en.capitalize()} '{ident}' appears more than once in the correct order.",
        )
    for ident in dict.fromkeys(known):
        if ident not in order:
            yield Problem(
                "correct_order",
                f"Urutan benar tidak memuat {noun.id} '{ident}'.",
                f"The correct order leaves out {noun.en} '{ident}'.",
            )


def scoring_fact(content: dict[str, JSON]) -> dict[str, JSON]:
    """The answer key's ``scoring`` fact: none for content that leaves it out (all or
    nothing, as stored before per-position scoring)."""
    return {"scoring": content["scoring"]} if "scoring" in content else {}


def positions_right(order: Sequence[str], response: Sequence[str] | None) -> int:
    """How many positions of ``response`` hold the choice ``order`` puts there."""
    if not response:
        return 0
    return sum(1 for key, given in zip(order, response, strict=False) if key == given)


def order_score(content: dict[str, JSON], response: list[str] | None) -> float:
    """The score of ``response`` (identifiers in the candidate's order, or ``None``)."""
    order: list[str] = content["correct_order"]  # type: ignore[assignment]
    points: float = content["points"]  # type: ignore[assignment]
    if scoring_of(content) == PER_POSITION:
        return partial_credit(points, positions_right(order, response), len(order))
    return points if response == order else 0


def per_position_differences(
    ids: Sequence[str],
    correct: Sequence[str],
    points: float,
    score: Callable[[list[str]], float],
) -> list[tuple[tuple[str, ...], float, float]] | None:
    """Orders of every choice on which the source's ``score`` differs from per-position
    scoring of ``correct`` worth ``points``: ``(order, source, per position)``;
    ``None`` when not compared (more than :data:`MAX_ORDERS_COMPARED` choices, or the
    correct order is not of every choice: the proof decides)."""
    if len(ids) > MAX_ORDERS_COMPARED or sorted(ids) != sorted(correct):
        return None
    found = []
    for order in itertools.permutations(ids):
        source = score(list(order))
        ours = partial_credit(points, positions_right(correct, order), len(correct))
        if float(source) != float(ours):
            found.append((order, float(source), float(ours)))
    return found


def order_rows(prefix: str, entries: Sequence[tuple[str, Markup]], lang: str) -> Markup:
    """The preview's rows: each entry (identifier, its label's inner HTML) with a select
    of its position, 1 to the number of entries."""
    blank = pick(lang, "Urutan", "Position")
    positions = Markup("").join(
        Markup('<option value="{n}">{n}</option>').format(n=n) for n in range(1, len(entries) + 1)
    )
    return Markup("").join(
        Markup(
            '<li class="ib-order-item"><label for="{prefix}-o{index}">{label}</label> '
            '<select id="{prefix}-o{index}" name="{prefix}-position" '
            'data-option="{ident}"><option value="">{blank}</option>{positions}'
            "</select></li>"
        ).format(
            prefix=prefix,
            index=index,
            label=label,
            ident=ident,
            blank=blank,
            positions=positions,
        )
        for index, (ident, label) in enumerate(entries)
    )


def scoring_editor() -> EditorField:
    return EditorField(
        "scoring",
        "choice",
        editor.label("Penskoran", "Scoring"),
        default=ALL_OR_NOTHING,
        choices=(
            (ALL_OR_NOTHING, editor.label("Semua atau tidak sama sekali", "All or nothing")),
            (
                PER_POSITION,
                editor.label(
                    "Per posisi (setiap pilihan di tempat yang benar mendapat bagiannya)",
                    "Per position (each choice in its correct place earns its share)",
                ),
            ),
        ),
    )
