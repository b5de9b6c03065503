"""Editor descriptions the built-in item types share (see
:meth:`itembank.itemtypes.ItemType.editor_fields`)."""

from __future__ import annotations

import dataclasses

from itembank.itemtypes import EditorField
from plugins.itemtypes._common import MAX_POINTS


def label(id_text: str, en_text: str) -> dict[str, str]:
    return {"id": id_text, "en": en_text}


def text_entries(
    name: str,
    entry: dict[str, str],
    plural: dict[str, str],
    *extra: EditorField,
    text_key: str = "text",
    text_label: dict[str, str] | None = None,
    minimum: int = 2,
    start: int = 4,
    id_style: str = "letter",
    id_prefix: str = "",
) -> EditorField:
    """A list of ``{id, text}`` entries with rich text (options, premises, ...)."""
    return EditorField(
        name,
        "entries",
        plural,
        minimum=minimum,
        start_items=start,
        id_style=id_style,
        id_prefix=id_prefix,
        entry_label=entry,
        fields=(
            EditorField(text_key, "rich_text", text_label or label("Teks", "Text")),
            *extra,
        ),
    )


OPTION = label("Pilihan", "Option")
OPTIONS = label("Pilihan jawaban", "Options")


def options(*extra: EditorField, start: int = 4) -> EditorField:
    return text_entries("options", OPTION, OPTIONS, *extra, start=start)


def points(default: float = 1) -> EditorField:
    return EditorField(
        "points",
        "number",
        label("Poin", "Points"),
        help=label("Skor untuk jawaban benar.", "The score of a correct answer."),
        default=default,
        minimum=0,
        maximum=MAX_POINTS,
    )


def shuffle(default: bool) -> EditorField:
    return EditorField(
        "shuffle",
        "boolean",
        label("Acak urutan saat ujian", "Shuffle the order in the test"),
        default=default,
    )


SCORING = EditorField(
    "scoring",
    "choice",
    label("Penskoran", "Scoring"),
    default="all_or_nothing",
    choices=(
        ("all_or_nothing", label("Semua atau tidak sama sekali", "All or nothing")),
        ("partial", label("Sebagian (per jawaban benar)", "Partial (per correct answer)")),
        ("mapped", label("Berbobot (nilai per pilihan)", "Mapped (a value per option)")),
    ),
)


#: :data:`SCORING` for the types that have no values to map (hotspot, graphic associate).
SCORING_NOT_MAPPED = dataclasses.replace(
    SCORING, choices=tuple(c for c in SCORING.choices if c[0] != "mapped")
)


def expected_length(default: int, maximum: int) -> EditorField:
    return EditorField(
        "expected_length",
        "integer",
        label("Perkiraan panjang jawaban (karakter)", "Expected answer length (characters)"),
        default=default,
        minimum=1,
        maximum=maximum,
    )
