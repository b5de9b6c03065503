"""The layouts of the built-in item types: which columns build which part of each
type's content, and reading or writing a row's content by them.

The content is then validated by the item type itself, so no rule of a type is
repeated here. Types without a layout (third-party ones) are imported from the
``isi_json`` column, which holds the whole content as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from plugins.importers._cells import (
    Row,
    boolean,
    cell_text,
    choice,
    integer,
    lines,
    number,
    rich_text,
    show_value,
    token,
    tokens,
)
from plugins.importers._columns import (
    ACCEPTED,
    CASE_SENSITIVE,
    COMMON,
    CONTENT_JSON,
    DIRECTION,
    EXPECTED_LENGTH,
    KEY,
    LETTERS,
    MAPPED_DEFAULT,
    MAPPED_LOWER,
    MAX_CHOICES,
    MAX_CRITERIA,
    MAX_GAP_COLUMNS,
    MAX_HOT_TEXTS,
    MAX_PREMISES,
    MIN_CHOICES,
    NUMERIC_ANSWER,
    PAIR_VALUES,
    POINTS,
    REUSE_WORDS,
    SCALE_MAX,
    SCALE_MIN,
    SCORING,
    SHUFFLE,
    SLIDER_INTEGER,
    SLIDER_LOWER,
    SLIDER_STEP,
    SLIDER_UPPER,
    SLIDER_VALUES,
    TEXT,
    TOLERANCE,
    TOLERANCE_MODE,
    Column,
    criterion,
    gap_options,
    gap_points,
    hot_text,
    max_points,
    option,
    premise,
    weight,
)
from plugins.importers._parts import (
    Entries,
    GapKey,
    GapLists,
    Nested,
    Pairs,
    PairValues,
    Part,
    Scalar,
    SliderValues,
)


def _show_key_boolean(value: Any) -> str:
    return "Benar" if value else "Salah"


# -- the layouts of the built-in types ------------------------------------------------------

OPTIONS = Entries("options", tuple((letter, option(letter)) for letter in LETTERS))
#: Multiple response: each option's own value under mapped scoring in its bobot_ column.
VALUED = Entries(
    "options",
    tuple((letter, option(letter)) for letter in LETTERS),
    extras=(("value", lambda index: weight(LETTERS[index]), number),),
)
MAPPING = Nested(
    "mapping",
    (Scalar("default", MAPPED_DEFAULT, number), Scalar("lower", MAPPED_LOWER, number)),
)
WEIGHTED = Entries(
    "options",
    tuple((letter, option(letter)) for letter in LETTERS),
    extras=(("weight", lambda index: weight(LETTERS[index]), number),),
)
LIKERT_SCALE = Entries("scale", tuple((letter, option(letter)) for letter in LETTERS[:7]))
PREMISES = Entries(
    "premises", tuple((f"P{n}", premise(n)) for n in range(1, MAX_PREMISES + 1)), shown=3
)
RESPONSES = Entries("responses", tuple((letter, option(letter)) for letter in LETTERS), shown=4)
CHOICES = Entries("choices", tuple((letter, option(letter)) for letter in LETTERS), shown=6)
RUBRIC = Entries(
    "rubric",
    tuple((f"R{n}", criterion(n)) for n in range(1, MAX_CRITERIA + 1)),
    text_key="criterion",
    extras=(("max_points", max_points, number),),
    shown=3,
)
HOT_TEXTS = Entries(
    "hottexts",
    tuple((f"H{n}", hot_text(n)) for n in range(1, MAX_HOT_TEXTS + 1)),
    shown=4,
)
SCORING_WORDS = {
    "semua_atau_tidak": "all_or_nothing",
    "semua_atau_nol": "all_or_nothing",
    "semua": "all_or_nothing",
    "sebagian": "partial",
    "parsial": "partial",
    "berbobot": "mapped",
    "bobot": "mapped",
}
#: Gap match: per gap (each gap's points) or mapped (``pair_values``, ``mapping``).
GAP_SCORING_WORDS = {
    "per_rumpang": "per_gap",
    "rumpang": "per_gap",
    "berbobot": "mapped",
    "bobot": "mapped",
}
#: Ordering and graphic order: the exact order, or each option in its place.
ORDER_SCORING_WORDS = {
    "semua_atau_tidak": "all_or_nothing",
    "semua_atau_nol": "all_or_nothing",
    "semua": "all_or_nothing",
    "per_posisi": "per_position",
    "posisi": "per_position",
}
#: Slider: the answer within its tolerance, or mapped (``values``, ``mapping``).
SLIDER_SCORING_WORDS = {"jawaban": "answer", "berbobot": "mapped", "bobot": "mapped"}
DIRECTION_WORDS = {"positif": "positive", "negatif": "negative"}
TOLERANCE_WORDS = {"mutlak": "absolute", "relatif": "relative"}


def _show_tolerance_mode(value: Any) -> str:
    return {"absolute": "mutlak", "relative": "relatif"}.get(value, str(value))


LAYOUTS: dict[str, tuple[Part, ...]] = {
    "single_choice": (
        OPTIONS,
        Scalar("key", KEY, token),
        Scalar("points", POINTS, number),
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
    "multiple_response": (
        VALUED,
        Scalar("keys", KEY, tokens, show_value),
        Scalar("points", POINTS, number),
        Scalar("scoring", SCORING, choice(SCORING_WORDS)),
        MAPPING,
        Scalar("min_choices", MIN_CHOICES, integer),
        Scalar("max_choices", MAX_CHOICES, integer),
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
    "weighted_options": (
        WEIGHTED,
        Nested("scale", (Scalar("min", SCALE_MIN, integer), Scalar("max", SCALE_MAX, integer))),
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
    "true_false": (
        Scalar("key", KEY, boolean, _show_key_boolean),
        Scalar("points", POINTS, number),
    ),
    "short_text": (
        Scalar("accepted", ACCEPTED, lines, lambda value: " | ".join(value)),
        Scalar("case_sensitive", CASE_SENSITIVE, boolean, show_value),
        Scalar("points", POINTS, number),
        Scalar("expected_length", EXPECTED_LENGTH, integer),
    ),
    "extended_text": (RUBRIC, Scalar("expected_length", EXPECTED_LENGTH, integer)),
    "ordering": (
        OPTIONS,
        Scalar("correct_order", KEY, tokens, show_value),
        Scalar("points", POINTS, number),
        Scalar("scoring", SCORING, choice(ORDER_SCORING_WORDS)),
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
    "matching": (
        PREMISES,
        RESPONSES,
        Pairs("pairs", KEY, PREMISES),
        Scalar("points", POINTS, number),
        Scalar("scoring", SCORING, choice(SCORING_WORDS)),
        PairValues("pair_values", PAIR_VALUES, PREMISES),
        MAPPING,
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
    "likert": (LIKERT_SCALE, Scalar("direction", DIRECTION, choice(DIRECTION_WORDS))),
    "inline_choice": (
        Scalar("text", TEXT, lambda text: rich_text(text, paragraphs=True), cell_text),
        GapLists(
            "gaps",
            tuple((f"G{n}", gap_options(n), gap_points(n)) for n in range(1, MAX_GAP_COLUMNS + 1)),
            number,
        ),
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
    "gap_match": (
        Scalar("text", TEXT, lambda text: rich_text(text, paragraphs=True), cell_text),
        Entries("words", tuple((letter, option(letter)) for letter in LETTERS), plain=True),
        GapKey(KEY, tuple(gap_points(n) for n in range(1, MAX_GAP_COLUMNS + 1)), number),
        Scalar("reuse_words", REUSE_WORDS, boolean, show_value),
        Scalar("scoring", SCORING, choice(GAP_SCORING_WORDS)),
        PairValues("pair_values", PAIR_VALUES, None),
        MAPPING,
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
    "hot_text": (
        Scalar("text", TEXT, lambda text: rich_text(text, paragraphs=True), cell_text),
        HOT_TEXTS,
        Scalar("keys", KEY, tokens, show_value),
        Scalar("points", POINTS, number),
        Scalar("max_choices", MAX_CHOICES, integer),
    ),
    "numeric": (
        Scalar("answer", NUMERIC_ANSWER, number),
        Scalar("tolerance", TOLERANCE, number),
        Scalar("tolerance_mode", TOLERANCE_MODE, choice(TOLERANCE_WORDS), _show_tolerance_mode),
        Scalar("points", POINTS, number),
        Scalar("expected_length", EXPECTED_LENGTH, integer),
    ),
    "slider": (
        Scalar("lower", SLIDER_LOWER, number),
        Scalar("upper", SLIDER_UPPER, number),
        Scalar("step", SLIDER_STEP, integer),
        Scalar("integer", SLIDER_INTEGER, boolean, show_value),
        Scalar("answer", NUMERIC_ANSWER, number),
        Scalar("tolerance", TOLERANCE, number),
        Scalar("tolerance_mode", TOLERANCE_MODE, choice(TOLERANCE_WORDS), _show_tolerance_mode),
        Scalar("points", POINTS, number),
        Scalar("scoring", SCORING, choice(SLIDER_SCORING_WORDS)),
        SliderValues("values", SLIDER_VALUES),
        MAPPING,
    ),
    # the association types (each choice in at most one pair, no limit on their number)
    "associate": (
        CHOICES,
        Pairs("pairs", KEY, CHOICES),
        Scalar("points", POINTS, number),
        Scalar("scoring", SCORING, choice(SCORING_WORDS)),
        PairValues("pair_values", PAIR_VALUES, CHOICES),
        MAPPING,
        Scalar("shuffle", SHUFFLE, boolean, show_value),
    ),
}


def layout_columns(type_id: str, example: dict[str, Any] | None) -> list[Column]:
    """The type's own columns for a template (``isi_json`` for types without a layout)."""
    parts = LAYOUTS.get(type_id)
    if parts is None:
        return [CONTENT_JSON]
    seen: dict[str, Column] = {}
    for part in parts:
        for column in part.columns(example):
            seen.setdefault(column.name, column)
    return list(seen.values())


def content_cells(type_id: str, content: dict[str, Any]) -> dict[str, str]:
    """Cells for ``content`` (a template's example row)."""
    parts = LAYOUTS.get(type_id)
    if parts is None:
        return {CONTENT_JSON.name: json.dumps(content, ensure_ascii=False)}
    ids: dict[str, str] = {}
    for part in parts:
        if isinstance(part, Entries):
            ids.update(part.renumber(content))
    cells: dict[str, str] = {}
    for part in parts:
        cells.update(part.write(content, ids))
    return cells


def read_content(type_id: str, row: Row) -> dict[str, Any] | Any:
    """The content of ``row`` for ``type_id``: from the ``isi_json`` column when it is
    filled (or the type has no layout), else from the type's columns."""
    raw = row.get(CONTENT_JSON)
    parts = LAYOUTS.get(type_id)
    if raw is not None or parts is None:
        row.place("content", CONTENT_JSON)
        if raw is None:
            row.problem(
                CONTENT_JSON,
                f"Jenis soal '{type_id}' tidak memiliki kolom khusus; isi seluruh isi soal "
                "sebagai JSON di kolom isi_json.",
                f"Item type '{type_id}' has no columns of its own; give the whole content as "
                "JSON in the isi_json column.",
            )
            return {}
        try:
            return json.loads(raw)
        except ValueError as exc:
            row.problem(
                CONTENT_JSON,
                f"Isi JSON tidak valid: {exc}.",
                f"The JSON content is not valid: {exc}.",
            )
            return {}
    content: dict[str, Any] = {}
    for part in parts:
        part.read(row, content)
    return content


def all_columns() -> Iterable[Column]:
    """Every column the format knows (for header matching)."""
    yield from COMMON
    yield CONTENT_JSON
    seen = {column.name for column in (*COMMON, CONTENT_JSON)}
    for parts in LAYOUTS.values():
        for part in parts:
            for column in _every_column(part):
                if column.name not in seen:
                    seen.add(column.name)
                    yield column


def _every_column(part: Part) -> Iterator[Column]:
    if isinstance(part, Entries):
        for index, (_, column) in enumerate(part.slots):
            yield column
            for _, make, _ in part.extras:
                yield make(index)
    elif isinstance(part, Nested):
        yield from (inner.column for inner in part.parts)
    else:
        yield from part.columns(None)
