"""Likert statement: an attitude scale with no key; the score follows the position."""

from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma

from itembank.hookspecs import hookimpl
from itembank.itemtypes import (
    JSON,
    ContentSummary,
    EditorField,
    ItemType,
    SourceScore,
    key_without_rich_text,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    Noun,
    OptionsItemType,
    entries_field,
    pick,
    response_id,
)
from plugins.itemtypes._qti import (
    RESPONSE,
    option_entries,
    qti_identifier,
    the_interaction,
)
from plugins.itemtypes.qti_writers import likert as qti_writer
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
)

DIRECTIONS = ("positive", "negative")


class LikertSchema(ma.Schema):
    scale = entries_field()
    direction = ma.fields.String(required=True, validate=ma.validate.OneOf(DIRECTIONS))


class Likert(OptionsItemType):
    """A statement answered on a scale of 2 to 7 labels, listed from most agreeing to
    least agreeing.

    Scoring: the response is a scale identifier or ``None``. With ``n`` labels and the
    chosen label at 1-based ``position``, a ``positive`` statement scores
    ``n + 1 - position`` (the most agreeing label scores ``n``), a ``negative`` one
    scores ``position`` (the least agreeing label scores ``n``). Blank and unknown
    identifiers score 0; the maximum is ``n``.
    """

    id = "likert"
    label = {"id": "Skala sikap (Likert)", "en": "Likert statement"}
    description = {
        "id": "Peserta menyatakan tingkat persetujuan terhadap pernyataan; tanpa kunci.",
        "en": "The candidate states how far they agree with a statement; there is no key.",
    }
    content_schema = LikertSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    entries_key = "scale"
    entry_noun = Noun("titik skala", "scale point", "scale points")
    min_entries = 2
    max_entries = 7

    def weights(self, content: dict[str, JSON]) -> dict[str, int]:
        """Scale identifier -> its score under the content's direction."""
        count = len(content["scale"])
        positive = content["direction"] == "positive"
        return {
            entry["id"]: count + 1 - position if positive else position
            for position, entry in enumerate(content["scale"], start=1)
        }

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        ident = response_id(response)
        return self.weights(content).get(ident, 0) if ident is not None else 0

    def max_score(self, content: dict[str, JSON]) -> float:
        return len(content["scale"])

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        return ContentSummary(
            options=self.entry_texts(content),
            weights=self.weights(content),
            extra={"direction": content["direction"]},
        )

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        return {RESPONSE: qti_identifier(response_id(response))}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.likert.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """An unshuffled choice interaction (single identifier, no correct response)
        whose options score ``n, n-1, ..., 1`` in order (positive) or ``1, ..., n``
        (negative). Such an item also fits ``weighted_options``, which is asked first;
        an item the bank exported as Likert names this type in its label and comes
        back as Likert."""
        found = the_interaction(item, ChoiceInteraction)
        if found is None:
            return None
        interaction, response = found
        if (
            response.cardinality != "single"
            or response.base_type != "identifier"
            or response.correct
            or interaction.shuffle
        ):
            return None
        count = len(interaction.choices)
        scores = [score(choice.identifier) for choice in interaction.choices]
        if scores == [float(count - index) for index in range(count)]:
            direction = "positive"
        elif scores == [float(index + 1) for index in range(count)]:
            direction = "negative"
        else:
            return None
        return {"scale": option_entries(interaction.choices), "direction": direction}

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        legend = pick(
            lang,
            "Pilih satu tanggapan yang paling sesuai dengan diri Anda.",
            "Choose the response that best describes you.",
        )
        return self.render_choices(stem, content, "radio", legend, lettered=False)

    def example_content(self) -> dict[str, JSON]:
        # For a statement such as "Saya tetap menjalankan prosedur layanan meskipun tidak
        # ada atasan yang mengawasi."
        return {
            "scale": [
                {"id": "SS", "text": "Sangat setuju"},
                {"id": "S", "text": "Setuju"},
                {"id": "N", "text": "Netral"},
                {"id": "TS", "text": "Tidak setuju"},
                {"id": "STS", "text": "Sangat tidak setuju"},
            ],
            "direction": "positive",
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.text_entries(
                "scale",
                editor.label("Titik skala", "Scale point"),
                editor.label("Skala", "Scale"),
                start=5,
                id_style="custom",
            ),
            EditorField(
                "direction",
                "choice",
                editor.label("Arah pernyataan", "Statement direction"),
                choices=(
                    ("positive", editor.label("Positif", "Positive")),
                    ("negative", editor.label("Negatif (skor dibalik)", "Negative (reversed)")),
                ),
                default="positive",
            ),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Likert())
