"""Extended text (essay): a written answer scored by a rater against a rubric."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator

import marshmallow as ma
from markupsafe import Markup

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
    IDENTIFIER_PATTERN,
    MAX_POINTS,
    JsonNumber,
    Noun,
    bounded_integer,
    check_count,
    check_entries,
    check_positive,
    entries_field,
    hint_paragraph,
    pick,
    render_item,
    rich_text_field,
    text_fields,
    texts_by_id,
)
from plugins.itemtypes._qti import (
    declared_maximum,
    plain_number,
    the_interaction,
)
from plugins.itemtypes.qti_writers import extended_text as qti_writer
from qti.model import AssessmentItem, ExtendedTextInteraction, RubricBlock

#: Longest expected essay, in characters.
MAX_ESSAY_LENGTH = 100_000

CRITERION = Noun("kriteria penilaian", "scoring criterion", "scoring criteria")


class CriterionSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    criterion = rich_text_field()
    max_points = JsonNumber(
        required=True, minimum=None, maximum=MAX_POINTS, metadata={"exclusiveMinimum": 0}
    )


class ExtendedTextSchema(ma.Schema):
    rubric = entries_field(CriterionSchema, min_items=1)
    expected_length = bounded_integer(300, 1, MAX_ESSAY_LENGTH)


class ExtendedText(ItemType):
    """An essay scored by a person against a rubric.

    Scoring: the response is the rater's scores, ``{criterion_id: score}``, or ``None``
    (0). The score is the sum of the given scores; a criterion left out counts 0. A
    score that is not a number from 0 to the criterion's ``max_points``, or an unknown
    criterion, is the wrong shape. The maximum is the sum of ``max_points``.
    """

    id = "extended_text"
    label = {"id": "Uraian", "en": "Extended text (essay)"}
    description = {
        "id": "Peserta menulis jawaban uraian yang dinilai penilai dengan rubrik.",
        "en": "The candidate writes an essay that a rater scores against a rubric.",
    }
    content_schema = ExtendedTextSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    scored_by_person = True

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        rubric = content["rubric"]
        yield from check_count(rubric, "rubric", CRITERION, 1)
        yield from check_entries([("rubric", rubric, CRITERION)], text_key="criterion")
        for index, entry in enumerate(rubric):
            yield from check_positive(
                entry["max_points"],
                f"rubric.{index}.max_points",
                f"Skor maksimum kriteria '{entry['id']}'",
                f"The maximum score of criterion '{entry['id']}'",
            )

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield from text_fields(content, "rubric", "criterion")

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if response is None:
            return 0
        if not isinstance(response, dict):
            raise ValueError(
                "response must map rubric criteria to scores, or be None, not "
                f"{type(response).__name__}"
            )
        limits = {entry["id"]: entry["max_points"] for entry in content["rubric"]}
        for ident, value in response.items():
            if ident not in limits:
                raise ValueError(f"{ident!r} is not a criterion of this rubric")
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or not 0 <= value <= limits[ident]
            ):
                raise ValueError(
                    f"the score for criterion {ident!r} must be a number from 0 to "
                    f"{limits[ident]}, not {value!r}"
                )
        return sum(response.get(ident, 0) for ident in limits)

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        """Never: an essay's "response" in the bank is the rater's rubric scores, which
        are not a QTI response (the candidate's text is, and it is not scored by
        processing)."""
        raise ValueError("extended_text is scored by a person: its scores are not a QTI response")

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.extended_text.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """An extended text interaction with a single string response. The rubric comes
        from the scorer's rubric block: the item bank's own export (a heading naming each
        criterion and its maximum, then the criterion) comes back criterion by criterion;
        any other rubric becomes one criterion ``R1`` worth the item's declared maximum
        (``MAXSCORE``, else ``SCORE``'s normal maximum, else 1), and without a rubric that
        criterion reads "Penilaian keseluruhan jawaban". The importer's proof checks that
        the source computes no score from the text: a person scores it."""
        found = the_interaction(item, ExtendedTextInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "single" or response.base_type != "string":
            return None
        fragments = [
            fragment
            for part in item.body
            if isinstance(part, RubricBlock) and "scorer" in part.view.split()
            for fragment in part.content
        ]
        rubric = _own_rubric(fragments)
        if rubric is None:
            maximum = declared_maximum(item) or 1
            text = "".join(fragments) or "<p>Penilaian keseluruhan jawaban.</p>"
            rubric = [{"id": "R1", "criterion": text, "max_points": plain_number(maximum)}]
        length = interaction.expected_length
        return {
            "rubric": rubric,
            "expected_length": min(length, MAX_ESSAY_LENGTH) if length and length > 0 else 300,
        }

    def max_score(self, content: dict[str, JSON]) -> float:
        return sum(entry["max_points"] for entry in content["rubric"])

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        rubric = content["rubric"]
        return ContentSummary(
            options=texts_by_id(rubric, "criterion"),
            extra={
                "max_points": {entry["id"]: entry["max_points"] for entry in rubric},
                "expected_length": content["expected_length"],
            },
        )

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        length = content["expected_length"]
        hint = pick(
            lang,
            f"Panjang jawaban yang diharapkan sekitar {length} karakter.",
            f"Expected length: about {length} characters.",
        )
        rows = max(3, min(20, math.ceil(length / 60)))

        def body(prefix: str) -> Markup:
            return Markup(
                '<div class="ib-response"><label for="{prefix}-answer">{label}</label>{hint}'
                '<textarea id="{prefix}-answer" name="{prefix}-response" rows="{rows}" '
                'cols="60" aria-describedby="{prefix}-stem {prefix}-hint"></textarea></div>'
            ).format(
                prefix=prefix,
                label=pick(lang, "Jawaban Anda", "Your answer"),
                hint=hint_paragraph(prefix, hint),
                rows=rows,
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Uraikan langkah Anda menangani keluhan warga tentang layanan
        # antrean daring yang sering gagal."
        return {
            "rubric": [
                {
                    "id": "R1",
                    "criterion": "<p>Mengidentifikasi pokok masalah dan pihak yang terdampak.</p>",
                    "max_points": 4,
                },
                {
                    "id": "R2",
                    "criterion": "<p>Mengusulkan langkah penyelesaian yang sesuai standar "
                    "pelayanan dan dapat dilaksanakan.</p>",
                    "max_points": 4,
                },
                {
                    "id": "R3",
                    "criterion": "<p>Menyampaikan jawaban secara runtut dengan bahasa "
                    "Indonesia yang baik.</p>",
                    "max_points": 2,
                },
            ],
            "expected_length": 1000,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.text_entries(
                "rubric",
                editor.label("Kriteria", "Criterion"),
                editor.label("Rubrik penilaian", "Scoring rubric"),
                EditorField(
                    "max_points",
                    "number",
                    editor.label("Skor maksimum", "Maximum score"),
                    minimum=0,
                ),
                text_key="criterion",
                text_label=editor.label("Kriteria", "Criterion"),
                minimum=1,
                start=3,
                id_style="prefix",
                id_prefix="R",
            ),
            editor.expected_length(300, MAX_ESSAY_LENGTH),
        ]


_HEADING = re.compile(
    r"<p><strong>(?:Kriteria (?P<id>[A-Za-z_][A-Za-z0-9_.-]*) \(maks\. (?P<max>[0-9.e+-]+) poin\)"
    r"|Criterion (?P<id_en>[A-Za-z_][A-Za-z0-9_.-]*) \(at most (?P<max_en>[0-9.e+-]+) points\))"
    r"</strong></p>"
)


def _own_rubric(fragments: list[str]) -> list[dict[str, JSON]] | None:
    """The rubric as :meth:`ExtendedText.to_qti` writes it (heading, criterion, ...), or
    ``None`` when the fragments are not in that form."""
    if not fragments or len(fragments) % 2:
        return None
    rubric: list[dict[str, JSON]] = []
    for heading, criterion in zip(fragments[::2], fragments[1::2], strict=True):
        match = _HEADING.fullmatch(re.sub(r">\s+<", "><", heading.strip()))
        if match is None:
            return None
        try:
            maximum = float(match["max"] or match["max_en"])
        except ValueError:
            return None
        rubric.append(
            {
                "id": match["id"] or match["id_en"],
                "criterion": criterion,
                "max_points": plain_number(maximum),
            }
        )
    return rubric


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(ExtendedText())
