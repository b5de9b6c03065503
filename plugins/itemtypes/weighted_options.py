"""Weighted options: every option carries a score (TKP 1..5, PPPK managerial/SJT 1..4)."""

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
    MAX_WEIGHT,
    JsonNumber,
    OptionSchema,
    OptionsItemType,
    bounded_integer,
    entries_field,
    pick,
    response_id,
    shuffle_field,
)
from plugins.itemtypes._qti import (
    RESPONSE,
    option_entries,
    plain_number,
    qti_identifier,
    the_interaction,
)
from plugins.itemtypes.qti_writers import weighted_options as qti_writer
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
)

#: Bounds for the scale itself: weights are small whole numbers.
SCALE_FLOOR = 0
SCALE_CEILING = 10


class WeightedOptionSchema(OptionSchema):
    weight = JsonNumber(required=True, minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)


class ScaleSchema(ma.Schema):
    # The scale's own limits (SCALE_FLOOR .. SCALE_CEILING) are checks with their own
    # messages; the schema only keeps the numbers sane.
    min = bounded_integer(1, -MAX_WEIGHT, MAX_WEIGHT)
    max = bounded_integer(5, -MAX_WEIGHT, MAX_WEIGHT)


class WeightedOptionsSchema(ma.Schema):
    options = entries_field(WeightedOptionSchema)
    scale = ma.fields.Nested(ScaleSchema, load_default=lambda: {"min": 1, "max": 5})
    shuffle = shuffle_field(False)


class WeightedOptions(OptionsItemType):
    """One answer among options that all carry a weight.

    Scoring: the response is an option identifier or ``None``; it scores that option's
    ``weight`` (a whole number within ``scale``). Blank and unknown identifiers score 0.
    At least one option carries the scale's maximum, which is the item's maximum score.
    """

    id = "weighted_options"
    label = {"id": "Pilihan berbobot", "en": "Weighted options"}
    description = {
        "id": "Setiap pilihan jawaban memiliki bobot skor, seperti soal TKP dan SJT.",
        "en": "Every option carries a score weight, as in TKP and situational judgement items.",
    }
    content_schema = WeightedOptionsSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from super().check(content)
        low, high = content["scale"]["min"], content["scale"]["max"]
        scale_problems = list(_check_scale(low, high))
        yield from scale_problems
        for index, option in enumerate(content["options"]):
            weight = option["weight"]
            whole = isinstance(weight, int) or weight.is_integer()
            if whole and (bool(scale_problems) or low <= weight <= high):
                continue
            yield Problem(
                f"options.{index}.weight",
                f"Bobot pilihan '{option['id']}' harus bilangan bulat dari {low} sampai {high}.",
                f"The weight of option '{option['id']}' must be a whole number from {low} "
                f"to {high}.",
            )
        if not scale_problems and all(o["weight"] != high for o in content["options"]):
            yield Problem(
                "options",
                f"Tidak ada pilihan dengan bobot tertinggi ({high}).",
                f"No option carries the highest weight ({high}).",
            )

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        ident = response_id(response)
        for option in content["options"]:
            if option["id"] == ident:
                return option["weight"]
        return 0

    def max_score(self, content: dict[str, JSON]) -> float:
        return max(option["weight"] for option in content["options"])

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        top = self.max_score(content)
        return ContentSummary(
            options=self.entry_texts(content),
            keys=[o["id"] for o in content["options"] if o["weight"] == top],
            weights={o["id"]: o["weight"] for o in content["options"]},
            extra={"scale": dict(content["scale"]), "shuffle": content["shuffle"]},
        )

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        return {RESPONSE: qti_identifier(response_id(response))}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.weighted_options.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A choice interaction with one single-identifier response whose options score
        whole numbers, at least two of them different from 0: each option's score is its
        weight. The scale runs from 1 (or the lowest weight, when that is below 1) to the
        highest weight; QTI does not carry the scale itself, so a scale whose minimum is
        neither 1 nor a weight that occurs comes back as that."""
        found = the_interaction(item, ChoiceInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "single" or response.base_type != "identifier":
            return None
        weights = [score(choice.identifier) for choice in interaction.choices]
        if sum(1 for weight in weights if weight != 0) < 2:
            return None
        if not all(float(weight).is_integer() for weight in weights):
            return None
        high = int(max(weights))
        low = min(int(min(weights)), 1)
        if low >= high:
            low = 0
        options = option_entries(interaction.choices)
        for option, weight in zip(options, weights, strict=True):
            option["weight"] = plain_number(weight)
        return {
            "options": options,
            "scale": {"min": low, "max": high},
            "shuffle": interaction.shuffle,
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        return self.render_choices(stem, content, "radio", pick(lang, *CHOOSE_ONE))

    def example_content(self) -> dict[str, JSON]:
        return {
            "options": [
                {
                    "id": "A",
                    "text": "<p>Meminta warga kembali besok pagi dengan berkas lengkap.</p>",
                    "weight": 3,
                },
                {
                    "id": "B",
                    "text": "<p>Menjelaskan dengan ramah kekurangannya, menerima berkas yang ada, "
                    "dan memberi daftar tertulis kekurangan serta cara melengkapinya secara "
                    "daring.</p>",
                    "weight": 5,
                },
                {
                    "id": "C",
                    "text": "<p>Menolak melayani karena waktu layanan hampir habis.</p>",
                    "weight": 1,
                },
                {
                    "id": "D",
                    "text": "<p>Menjelaskan dengan ramah kekurangannya dan memberi daftar tertulis "
                    "persyaratan agar warga dapat kembali besok.</p>",
                    "weight": 4,
                },
                {
                    "id": "E",
                    "text": "<p>Menyarankan warga bertanya ke meja informasi.</p>",
                    "weight": 2,
                },
            ],
            "scale": {"min": 1, "max": 5},
            "shuffle": False,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.options(
                EditorField("weight", "integer", editor.label("Bobot", "Weight")), start=5
            ),
            EditorField(
                "scale",
                "group",
                editor.label("Rentang bobot", "Weight scale"),
                help=editor.label(
                    "TKP/SJT memakai 1 sampai 5, PPPK 1 sampai 4.",
                    "TKP/SJT use 1 to 5, PPPK 1 to 4.",
                ),
                fields=(
                    EditorField(
                        "min", "integer", editor.label("Bobot terendah", "Lowest"), default=1
                    ),
                    EditorField(
                        "max", "integer", editor.label("Bobot tertinggi", "Highest"), default=5
                    ),
                ),
            ),
            editor.shuffle(False),
        ]


def _check_scale(low: int, high: int) -> Iterator[Problem]:
    if low < SCALE_FLOOR:
        yield Problem(
            "scale.min",
            f"Bobot minimum tidak boleh kurang dari {SCALE_FLOOR}.",
            f"The minimum weight cannot be less than {SCALE_FLOOR}.",
        )
    if high > SCALE_CEILING:
        yield Problem(
            "scale.max",
            f"Bobot maksimum tidak boleh lebih dari {SCALE_CEILING}.",
            f"The maximum weight cannot be more than {SCALE_CEILING}.",
        )
    if low >= high:
        yield Problem(
            "scale",
            f"Bobot minimum ({low}) harus lebih kecil dari bobot maksimum ({high}).",
            f"The minimum weight ({low}) must be less than the maximum weight ({high}).",
        )


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(WeightedOptions())
