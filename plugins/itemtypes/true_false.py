"""True/false: the candidate judges one statement."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from markupsafe import escape

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
    StrictBoolean,
    check_points,
    choice_fieldset,
    pick,
    points_field,
    render_item,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, the_interaction
from plugins.itemtypes.qti_writers import true_false as qti_writer
from plugins.itemtypes.qti_writers.true_false import ANSWERS
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
)


#: The two answers, as response identifiers with their Indonesian and English labels.
class TrueFalseSchema(ma.Schema):
    key = StrictBoolean(required=True)
    points = points_field()


class TrueFalse(ItemType):
    """A statement the candidate marks true or false.

    Scoring: the response is ``True``, ``False`` or ``None``; it scores ``points`` when it
    equals ``key`` and 0 otherwise (blank included). Any other value, including the
    integers 0 and 1, is the wrong shape.
    """

    id = "true_false"
    label = {"id": "Benar-salah", "en": "True/false"}
    description = {
        "id": "Peserta menentukan apakah pernyataan pada soal benar atau salah.",
        "en": "The candidate decides whether the statement in the stem is true or false.",
    }
    content_schema = TrueFalseSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from check_points(content)

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if response is None:
            return 0
        if response is not True and response is not False:
            raise ValueError(f"response must be true, false or None, not {type(response).__name__}")
        return content["points"] if response is content["key"] else 0

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        """``True`` / ``False`` are the choices ``true`` / ``false``."""
        if response is None:
            return {RESPONSE: None}
        if response is not True and response is not False:
            raise ValueError(f"response must be true, false or None, not {type(response).__name__}")
        return {RESPONSE: "true" if response else "false"}

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        """The choices ``true`` / ``false`` are ``True`` / ``False``."""
        if value is None:
            return None
        if value in ("true", "false"):
            return value == "true"
        raise ValueError(f"{value!r} is not the choice true or false")

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A choice interaction (single identifier) with exactly the choices ``true`` and
        ``false``, one of which scores: the item bank's own export. Their labels are not
        kept (the type writes its own). Other two-option items, whatever their labels
        say, are left to ``single_choice``, which keeps the author's wording and is asked
        first; an item exported as true/false names this type in its label."""
        found = the_interaction(item, ChoiceInteraction)
        if found is None:
            return None
        interaction, response = found
        ids = sorted(choice.identifier for choice in interaction.choices)
        if (
            response.cardinality != "single"
            or response.base_type != "identifier"
            or ids != ["false", "true"]
        ):
            return None
        scores = {ident: score(ident) for ident in ids}
        scoring = [ident for ident in ids if scores[ident] != 0]
        if len(scoring) != 1 or scores[scoring[0]] < 0:
            return None
        return {"key": scoring[0] == "true", "points": plain_number(scores[scoring[0]])}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.true_false.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        return ContentSummary(
            options={ident: label for ident, label, _ in ANSWERS},
            keys=["true" if content["key"] else "false"],
            extra={"points": content["points"]},
        )

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        legend = pick(lang, "Pilih Benar atau Salah.", "Choose True or False.")
        choices = [
            (ident, escape(pick(lang, label_id, label_en))) for ident, label_id, label_en in ANSWERS
        ]
        return render_item(
            self.id,
            stem,
            lambda prefix: choice_fieldset(prefix, "radio", legend, choices, lettered=False),
        )

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Bhinneka Tunggal Ika tercantum pada lambang negara Garuda
        # Pancasila."
        return {"key": True, "points": 1}

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            EditorField(
                "key",
                "choice",
                editor.label("Kunci jawaban", "Key"),
                choices=(
                    (True, editor.label("Benar", "True")),
                    (False, editor.label("Salah", "False")),
                ),
            ),
            editor.points(),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(TrueFalse())
