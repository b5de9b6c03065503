"""Single choice: one key among 2 to 10 options (TWK, TIU, technical items)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import marshmallow as ma

from itembank.hookspecs import hookimpl
from itembank.itemtypes import (
    JSON,
    ContentSummary,
    EditorField,
    ItemType,
    Problem,
    SourceScore,
    key_without_rich_text,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    CHOOSE_ONE,
    OptionsItemType,
    check_points,
    entries_field,
    pick,
    points_field,
    response_id,
    shuffle_field,
    unknown_key,
)
from plugins.itemtypes._qti import (
    RESPONSE,
    option_entries,
    plain_number,
    qti_identifier,
    the_interaction,
)
from plugins.itemtypes.qti_writers import single_choice as qti_writer
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
)


class SingleChoiceSchema(ma.Schema):
    options = entries_field()
    key = ma.fields.String(required=True)
    points = points_field()
    shuffle = shuffle_field(False)


class SingleChoice(OptionsItemType):
    """Multiple choice with one key.

    Scoring: the response is an option identifier or ``None``; it scores ``points`` when
    it equals ``key`` and 0 otherwise (blank and unknown identifiers included).
    """

    id = "single_choice"
    label = {"id": "Pilihan ganda", "en": "Single choice"}
    description = {
        "id": "Peserta memilih satu jawaban; hanya satu pilihan yang benar.",
        "en": "The candidate chooses one answer; exactly one option is correct.",
    }
    content_schema = SingleChoiceSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    max_entries = 10

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from super().check(content)
        if content["key"] not in self.entry_texts(content):
            yield unknown_key("key", content["key"])
        yield from check_points(content)

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        return content["points"] if response_id(response) == content["key"] else 0

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        return ContentSummary(
            options=self.entry_texts(content),
            keys=[content["key"]],
            extra={"points": content["points"], "shuffle": content["shuffle"]},
        )

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        return {RESPONSE: qti_identifier(response_id(response))}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.single_choice.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A choice interaction with one single-identifier response where exactly one
        option scores (more than 0) and the others score 0: that option is the key and
        its score the points, however the processing computes them."""
        found = the_interaction(item, ChoiceInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "single" or response.base_type != "identifier":
            return None
        scores = {choice.identifier: score(choice.identifier) for choice in interaction.choices}
        scoring = [ident for ident, value in scores.items() if value != 0]
        if len(scoring) != 1 or scores[scoring[0]] < 0:
            return None
        return {
            "options": option_entries(interaction.choices),
            "key": scoring[0],
            "points": plain_number(scores[scoring[0]]),
            "shuffle": interaction.shuffle,
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        return self.render_choices(stem, content, "radio", pick(lang, *CHOOSE_ONE))

    def example_content(self) -> dict[str, JSON]:
        return {
            "options": [
                {"id": "A", "text": "<p>Rp518.400</p>"},
                {"id": "B", "text": "<p>Rp583.200</p>"},
                {"id": "C", "text": "<p>Rp637.200</p>"},
                {"id": "D", "text": "<p>Rp642.600</p>"},
                {"id": "E", "text": "<p>Rp648.000</p>"},
            ],
            "key": "B",
            "points": 5,
            "shuffle": False,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.options(),
            EditorField("key", "key", editor.label("Kunci jawaban", "Key"), source="options"),
            editor.points(),
            editor.shuffle(False),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(SingleChoice())
