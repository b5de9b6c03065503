"""Ordering: the candidate puts the options in the right sequence."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from markupsafe import Markup

from itembank.hookspecs import hookimpl
from itembank.itemtypes import (
    JSON,
    ContentSummary,
    EditorField,
    ImportNotSupported,
    ItemType,
    Problem,
    SourceScore,
    key_without_rich_text,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes import _ordered as ordered
from plugins.itemtypes._common import (
    OPTION,
    OptionsItemType,
    check_points,
    entries_field,
    pick,
    points_field,
    render_item,
    response_ids,
    shuffle_field,
)
from plugins.itemtypes._qti import (
    RESPONSE,
    option_entries,
    plain_number,
    qti_identifiers,
    the_interaction,
)
from plugins.itemtypes.qti_writers import ordering as qti_writer
from qti.model import AssessmentItem, OrderInteraction

#: Most choices whose every order an import checks for partial credit.
MAX_ORDERS_CHECKED = 5


class OrderingSchema(ordered.OrderSchema):
    options = entries_field()
    correct_order = ordered.correct_order_field()
    points = points_field()
    shuffle = shuffle_field(True)
    scoring = ordered.scoring_field()


class Ordering(OptionsItemType):
    """Options to be put in order.

    Scoring: the response is the list of option identifiers in the candidate's order, or
    ``None``. All or nothing (``scoring`` absent or ``all_or_nothing``): ``points`` when
    it equals ``correct_order`` exactly, else 0. ``per_position``: each option in its
    ``correct_order`` position earns ``points / len(correct_order)``
    (:mod:`plugins.itemtypes._ordered`).
    """

    id = "ordering"
    label = {"id": "Mengurutkan", "en": "Ordering"}
    description = {
        "id": "Peserta menyusun pilihan dalam urutan yang benar.",
        "en": "The candidate puts the options in the correct order.",
    }
    content_schema = OrderingSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = ordered.NO_OPTION_SCORES

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from super().check(content)
        yield from ordered.check_order(
            content["correct_order"], self.entry_texts(content), OPTION, "pilihan jawaban"
        )
        yield from check_points(content)

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        return ordered.order_score(content, response_ids(response))

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        return {RESPONSE: qti_identifiers(response_ids(response))}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.ordering.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """The first of :meth:`from_qti_contents`, if any."""
        return next(iter(self.from_qti_contents(item, score)), None)

    def from_qti_contents(
        self, item: AssessmentItem, score: SourceScore
    ) -> Iterator[dict[str, JSON]]:
        """An order interaction (ordered identifiers) with a declared correct order that
        scores: that order, worth what it scores, all or nothing. When other orders
        score too (every order compared up to 5 choices), per-position scoring when it
        gives every order the source's score, else the refusal names an order whose
        score neither form gives. With more choices both are offered and the proof
        decides."""
        base = self._base_content(item, score)
        if base is None:
            return
        ids = [entry["id"] for entry in base["options"]]
        correct, points = base["correct_order"], base["points"]
        if len(ids) > MAX_ORDERS_CHECKED:
            yield base
            yield {**base, "scoring": ordered.PER_POSITION}
            return
        interaction = the_interaction(item, OrderInteraction)
        assert interaction is not None  # _base_content found it
        others = self._other_orders_that_score(interaction[0], correct, score)
        if not others:
            yield base
            return
        differences = ordered.per_position_differences(ids, correct, points, score)
        if differences == []:
            yield {**base, "scoring": ordered.PER_POSITION}
            return
        shown = "; ".join(f"{' '.join(order)}: {value:g}" for order, value in others[:3])
        if differences:
            order, source, per_position = differences[0]
            why = (
                f"skor per posisi pun berbeda: {' '.join(order)} bernilai {source:g} di "
                f"sumber, {per_position:g} per posisi",
                f"per-position scoring differs too: {' '.join(order)} scores {source:g} in "
                f"the source, {per_position:g} per position",
            )
        else:
            why = ("", "")
        raise ImportNotSupported(
            self.id,
            f"urutan lain juga mendapat skor ({shown}); soal mengurutkan di bank memberi "
            "skor untuk urutan yang persis benar atau per posisi"
            + (f"; {why[0]}" if why[0] else ""),
            f"other orders score too ({shown}); an ordering item of the bank scores the "
            "exact order or each position" + (f"; {why[1]}" if why[1] else ""),
        )

    def _base_content(self, item: AssessmentItem, score: SourceScore) -> dict[str, Any] | None:
        found = the_interaction(item, OrderInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "ordered" or response.base_type != "identifier":
            return None
        if not response.correct:
            return None
        points = score(list(response.correct))
        if points <= 0:
            return None
        return {
            "options": option_entries(interaction.choices),
            "correct_order": list(response.correct),
            "points": plain_number(points),
            "shuffle": interaction.shuffle,
        }

    @staticmethod
    def _other_orders_that_score(
        interaction: OrderInteraction, correct: list[str], score: SourceScore
    ) -> list[tuple[tuple[str, ...], float]]:
        """Orders of every choice, other than the correct one, that the source scores
        (at most 5 choices, 120 orders; larger items are left to the proof)."""
        ids = [choice.identifier for choice in interaction.choices]
        if len(ids) > MAX_ORDERS_CHECKED or sorted(ids) != sorted(correct):
            return []
        found = []
        for order in itertools.permutations(ids):
            if list(order) != correct:
                value = score(list(order))
                if value != 0:
                    found.append((order, value))
        return found

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        return ContentSummary(
            options=self.entry_texts(content),
            keys=list(content["correct_order"]),
            extra={
                "points": content["points"],
                **ordered.scoring_fact(content),
                "shuffle": content["shuffle"],
            },
        )

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        options = content["options"]
        count = len(options)
        legend = pick(
            lang,
            f"Urutkan pilihan berikut dengan memberi nomor urut 1 sampai {count}.",
            f"Put the options below in order by numbering them 1 to {count}.",
        )
        entries = [
            (
                option["id"],
                Markup('<span class="ib-choice-text">{text}</span>').format(
                    text=Markup(option["text"])
                ),
            )
            for option in options
        ]

        def body(prefix: str) -> Markup:
            rows = ordered.order_rows(prefix, entries, lang)
            return Markup(
                '<fieldset class="ib-ordering" aria-describedby="{prefix}-stem">'
                '<legend>{legend}</legend><ul class="ib-order-list">{rows}</ul></fieldset>'
            ).format(prefix=prefix, legend=legend, rows=rows)

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Urutkan tahapan pembentukan undang-undang menurut UU Nomor 12
        # Tahun 2011."
        return {
            "options": [
                {"id": "A", "text": "<p>Pembahasan</p>"},
                {"id": "B", "text": "<p>Perencanaan</p>"},
                {"id": "C", "text": "<p>Pengundangan</p>"},
                {"id": "D", "text": "<p>Penyusunan</p>"},
                {"id": "E", "text": "<p>Pengesahan atau penetapan</p>"},
            ],
            "correct_order": ["B", "D", "A", "E", "C"],
            "points": 2,
            "shuffle": True,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.options(),
            EditorField(
                "correct_order",
                "order",
                editor.label("Urutan yang benar", "Correct order"),
                source="options",
            ),
            editor.points(),
            ordered.scoring_editor(),
            editor.shuffle(True),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Ordering())
