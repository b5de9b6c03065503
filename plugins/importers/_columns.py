"""The spreadsheet format: columns, and how cells become an item type's content.

One row is one item. Headers are matched case- and space-insensitively (``Opsi A``,
``opsi_a`` and ``OPSI-A`` are the same column); each column has an Indonesian name (used
in templates) and English aliases. A layout per built-in item type says which columns
build which part of the content; the content is then validated by the item type itself,
so no rule of a type is repeated here. Every part of the content remembers the column
it came from, so a problem the type reports in ``options.2.text`` is shown in the
column ``opsi_c``. Types without a layout (third-party ones) are imported from the
``isi_json`` column, which holds the whole content as JSON.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from itembank.importing import Location, ReportEntry, error
from itembank.sanitize import ALLOWED_TAGS

LETTERS = "ABCDEFGHIJ"
MAX_PREMISES = 10
MAX_CRITERIA = 10
MAX_CLASSIFICATIONS = 20


def normalise(header: str) -> str:
    """``" Opsi-A "`` -> ``"opsi_a"``."""
    text = header.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


@dataclass(frozen=True)
class Column:
    """A column: its Indonesian name (templates use it) and accepted aliases."""

    name: str
    aliases: tuple[str, ...] = ()
    help_id: str = ""
    help_en: str = ""


def _col(name: str, *aliases: str, help_id: str = "", help_en: str = "") -> Column:
    return Column(name, aliases, help_id, help_en)


TYPE = _col(
    "jenis_soal",
    "type",
    "item_type",
    "jenis",
    help_id="Kode atau nama jenis soal, mis. single_choice atau Pilihan ganda.",
    help_en="Item type id or name, e.g. single_choice or Single choice.",
)
ITEM_ID = _col(
    "id_soal",
    "item_id",
    "external_id",
    help_id="Kosongkan untuk soal baru; isi dengan ID soal di bank untuk membuat versi baru.",
    help_en="Leave empty for a new item; an item id of the bank makes a new draft version.",
)
STEM = _col(
    "pokok_soal",
    "stem",
    "question",
    help_id="Teks soal. Teks biasa, atau HTML (<p>, <strong>, ...).",
    help_en="The stem: plain text, or HTML (<p>, <strong>, ...).",
)
TAXONOMY = _col(
    "taksonomi",
    "taxonomy",
    help_id="Kode taksonomi (lihat lembar Taksonomi).",
    help_en="Taxonomy code (see the Taksonomi sheet).",
)
NODE = _col(
    "kode_klasifikasi",
    "classification_code",
    "node",
    "node_code",
    "kode",
    help_id="Kode kompetensi/aspek di taksonomi itu.",
    help_en="The competency or area code in that taxonomy.",
)
LEVEL = _col(
    "level",
    "tingkat",
    help_id="Level kompetensi (angka), bila taksonomi memilikinya.",
    help_en="Competency level (a number), where the taxonomy has levels.",
)
MORE_CLASSIFICATIONS = _col(
    "klasifikasi_lain",
    "other_classifications",
    help_id="Klasifikasi tambahan: taksonomi:kode[:level], dipisah titik koma.",
    help_en="More classifications: taxonomy:code[:level], separated by semicolons.",
)
DIFFICULTY = _col(
    "tingkat_kesukaran",
    "difficulty",
    help_id="Perkiraan tingkat kesukaran, 0 sampai 1.",
    help_en="Estimated difficulty, 0 to 1.",
)
TAGS = _col("tag", "tags", help_id="Dipisah koma.", help_en="Comma-separated.")
LANGUAGE = _col("bahasa", "language", help_id="Kode bahasa, mis. id.", help_en="e.g. id.")
NOTES = _col("catatan", "notes", help_id="Catatan penulis.", help_en="Author notes.")
CONTENT_JSON = _col(
    "isi_json",
    "content_json",
    help_id="Seluruh isi soal sebagai JSON (untuk jenis soal tanpa kolom khusus).",
    help_en="The whole content as JSON (for item types without columns of their own).",
)

KEY = _col(
    "kunci",
    "key",
    "keys",
    "kunci_jawaban",
    "answer_key",
    help_id="Kunci jawaban: huruf opsi (A), beberapa huruf (A, C), urutan (B, D, A), "
    "Benar/Salah, atau pasangan (1-B; 2-C).",
    help_en="Answer key: an option letter (A), several (A, C), an order (B, D, A), "
    "True/False, or pairs (1-B; 2-C).",
)
POINTS = _col("poin", "points", "skor", help_id="Skor soal.", help_en="The item's points.")
SCORING = _col(
    "penilaian",
    "scoring",
    help_id="semua_atau_tidak atau sebagian.",
    help_en="all_or_nothing or partial.",
)
SHUFFLE = _col("acak", "shuffle", help_id="Ya/Tidak.", help_en="Yes/No.")
MIN_CHOICES = _col("min_pilihan", "min_choices")
MAX_CHOICES = _col("maks_pilihan", "max_choices")
SCALE_MIN = _col("bobot_min", "scale_min", "weight_min")
SCALE_MAX = _col("bobot_maks", "scale_max", "weight_max")
ACCEPTED = _col(
    "jawaban_diterima",
    "accepted_answers",
    "accepted",
    help_id="Jawaban yang diterima, dipisah tanda | atau baris baru.",
    help_en="Accepted answers, separated by | or line breaks.",
)
CASE_SENSITIVE = _col("peka_huruf_besar", "case_sensitive", help_id="Ya/Tidak.")
EXPECTED_LENGTH = _col("panjang_jawaban", "expected_length")
DIRECTION = _col("arah", "direction", help_id="positif atau negatif.", help_en="positive/negative.")


def option(letter: str) -> Column:
    return _col(f"opsi_{letter.lower()}", f"option_{letter.lower()}", f"pilihan_{letter.lower()}")


def weight(letter: str) -> Column:
    return _col(f"bobot_{letter.lower()}", f"weight_{letter.lower()}")


def premise(number: int) -> Column:
    return _col(f"premis_{number}", f"premise_{number}")


def criterion(number: int) -> Column:
    return _col(f"kriteria_{number}", f"criterion_{number}")


def max_points(number: int) -> Column:
    return _col(f"skor_maks_{number}", f"max_points_{number}")


COMMON = (
    TYPE,
    ITEM_ID,
    STEM,
    TAXONOMY,
    NODE,
    LEVEL,
    MORE_CLASSIFICATIONS,
    DIFFICULTY,
    TAGS,
    LANGUAGE,
    NOTES,
)


# -- reading cells ----------------------------------------------------------------------------


@dataclass
class Row:
    """One spreadsheet row: non-empty cells by canonical column name."""

    location: Location
    cells: dict[str, str]
    #: canonical name -> the header as written in the file.
    headers: dict[str, str]
    #: Columns this row's layout read (the rest, if filled, are reported as ignored).
    used: set[str] = field(default_factory=set)
    #: content/metadata field path -> header as written.
    fields: dict[str, str] = field(default_factory=dict)
    problems: list[ReportEntry] = field(default_factory=list)

    def get(self, column: Column) -> str | None:
        self.used.add(column.name)
        return self.cells.get(column.name)

    def header(self, column: Column) -> str:
        return self.headers.get(column.name, column.name)

    def place(self, path: str, column: Column) -> None:
        self.fields[path] = self.header(column)

    def problem(self, column: Column, message: str, message_en: str) -> None:
        self.problems.append(error(self.location.at(self.header(column)), message, message_en))


_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_TRUE = frozenset({"ya", "y", "benar", "b", "true", "t", "yes", "1", "betul"})
_FALSE = frozenset({"tidak", "n", "salah", "s", "false", "f", "no", "0"})


def number(text: str) -> Any:
    """``"5"`` -> 5, ``"0,45"`` -> 0.45; anything else stays a string, for the type's
    schema to refuse in its own words."""
    value = text.strip()
    if _INT.fullmatch(value):
        return int(value)
    if _DECIMAL.fullmatch(value):
        result = float(value.replace(",", "."))
        return int(result) if result.is_integer() and "e" not in value.lower() else result
    return text


def integer(text: str) -> Any:
    value = number(text)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def boolean(text: str) -> Any:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return text


def choice(words: dict[str, str]) -> Callable[[str], Any]:
    """A value from a fixed set, with Indonesian words for the schema's values."""

    def parse(text: str) -> Any:
        value = normalise(text)
        return words.get(value, value)

    return parse


def token(text: str) -> str:
    """An identifier, upper-cased (option letters are ``A``..``J``)."""
    return text.strip().upper()


def tokens(text: str) -> list[str]:
    return [part.upper() for part in re.split(r"[\s,;]+", text.strip()) if part]


def lines(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\r\n|\r|\n|\|", text) if part.strip()]


_HTML_TAG = re.compile(
    r"</?(" + "|".join(sorted(ALLOWED_TAGS, key=len, reverse=True)) + r")\b[^>]*>",
    re.IGNORECASE,
)


def rich_text(text: str, *, paragraphs: bool) -> str:
    """A cell as HTML: kept as it is when it holds HTML tags of the allowed subset;
    otherwise escaped, with line breaks kept (and blank lines starting paragraphs)."""
    if _HTML_TAG.search(text):
        return text
    value = text.strip().replace("\r\n", "\n").replace("\r", "\n")
    if not paragraphs:
        return html.escape(value, quote=False).replace("\n", "<br>")
    blocks = [block.strip() for block in re.split(r"\n\s*\n", value) if block.strip()]
    return "".join(
        "<p>" + html.escape(block, quote=False).replace("\n", "<br>") + "</p>" for block in blocks
    )


_SIMPLE_PARAGRAPH = re.compile(r"<p>([^<]*)</p>")


def cell_text(value: str) -> str:
    """The inverse of :func:`rich_text` for templates: ``<p>x</p>`` -> ``x``."""
    match = _SIMPLE_PARAGRAPH.fullmatch(value)
    return html.unescape(match.group(1)) if match else value


# -- parts of content ----------------------------------------------------------------------


class Part:
    """One piece of a layout: reads cells into content, writes content into cells."""

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        """Columns a template shows (for ``content``, the type's example)."""
        raise NotImplementedError

    def read(self, row: Row, content: dict[str, Any]) -> None:
        raise NotImplementedError

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        """Cells for ``content``; ``ids`` maps the content's entry ids to the ids the
        columns give (an example's ``R1`` is the template's ``A``)."""
        raise NotImplementedError


@dataclass
class Scalar(Part):
    """One content key from one column, through a parser (blank: the key is left out, so
    the type's default applies or the type says it is required)."""

    key: str
    column: Column
    parse: Callable[[str], Any] = str
    show: Callable[[Any], str] = str

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [self.column]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        row.place(f"content.{self.key}", self.column)
        text = row.get(self.column)
        if text is not None:
            content[self.key] = self.parse(text)

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        if self.key not in content:
            return {}
        value = content[self.key]
        if isinstance(value, str):
            value = ids.get(value, value)
        elif isinstance(value, list):
            value = [ids.get(v, v) if isinstance(v, str) else v for v in value]
        return {self.column.name: self.show(value)}


@dataclass
class Nested(Part):
    """A content object (``scale``) built from scalar parts; left out when all are blank."""

    key: str
    parts: tuple[Scalar, ...]

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [part.column for part in self.parts]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        inner: dict[str, Any] = {}
        for part in self.parts:
            part.read(row, inner)
            row.place(f"content.{self.key}.{part.key}", part.column)
        row.place(f"content.{self.key}", self.parts[0].column)
        if inner:
            content[self.key] = inner

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        cells: dict[str, str] = {}
        for part in self.parts:
            cells.update(part.write(content.get(self.key, {}), ids))
        return cells


@dataclass
class Entries(Part):
    """A list of ``{id, text, ...}`` entries, one numbered column each (``opsi_a`` ..
    ``opsi_j`` give ids ``A`` .. ``J``). Empty columns are skipped; one left empty
    before a filled one is reported, as it is usually a slip."""

    key: str
    slots: tuple[tuple[str, Column], ...]
    text_key: str = "text"
    #: Extra per-entry values: ``(entry key, column for slot index, parser)``.
    extras: tuple[tuple[str, Callable[[int], Column], Callable[[str], Any]], ...] = ()
    #: Template columns shown when there is no example content.
    shown: int = 5

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        count = max(self.shown, len(content.get(self.key, [])) if content else 0)
        result = []
        for index, (_, column) in enumerate(self.slots[:count]):
            result.append(column)
            result.extend(make(index) for _, make, _ in self.extras)
        return result

    def read(self, row: Row, content: dict[str, Any]) -> None:
        entries: list[dict[str, Any]] = []
        gap: Column | None = None
        row.place(f"content.{self.key}", self.slots[0][1])
        for index, (ident, column) in enumerate(self.slots):
            text = row.get(column)
            extra_cells = [(name, make(index), parse) for name, make, parse in self.extras]
            extra_values = {
                name: value
                for name, col, parse in extra_cells
                if (value := row.get(col)) is not None
            }
            if text is None:
                if extra_values:
                    row.problem(
                        column,
                        f"Kolom {row.header(column)} kosong, padahal kolom lain untuk "
                        f"{ident} terisi.",
                        f"Column {row.header(column)} is empty, but other columns for "
                        f"{ident} are filled.",
                    )
                if gap is None:
                    gap = column
                continue
            if gap is not None:
                row.problem(
                    gap,
                    f"Kolom {row.header(gap)} kosong, padahal kolom sesudahnya terisi.",
                    f"Column {row.header(gap)} is empty, but a later one is filled.",
                )
                gap = None
            path = f"content.{self.key}.{len(entries)}"
            row.place(path, column)
            entry: dict[str, Any] = {"id": ident, self.text_key: rich_text(text, paragraphs=False)}
            for name, col, parse in extra_cells:
                row.place(f"{path}.{name}", col)
                if name in extra_values:
                    entry[name] = parse(extra_values[name])
            entries.append(entry)
        content[self.key] = entries

    def renumber(self, content: dict[str, Any]) -> dict[str, str]:
        """Content entry id -> the id its column gives."""
        entries = content.get(self.key, [])[: len(self.slots)]
        return {entry["id"]: self.slots[index][0] for index, entry in enumerate(entries)}

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        cells: dict[str, str] = {}
        for index, entry in enumerate(content.get(self.key, [])[: len(self.slots)]):
            cells[self.slots[index][1].name] = cell_text(entry[self.text_key])
            for name, make, _ in self.extras:
                if name in entry:
                    cells[make(index).name] = _show(entry[name])
        return cells

    def ident(self, entry_id: str) -> str:
        """The ``id`` of the entry for a user's short form (``1`` -> ``P1``)."""
        for ident, _ in self.slots:
            if entry_id.upper() in (ident, ident.lstrip("PR")):
                return ident
        return entry_id.upper()


@dataclass
class Pairs(Part):
    """Matching key pairs: ``1-B; 2-C`` (premise, then response)."""

    key: str
    column: Column
    premises: Entries

    def columns(self, content: dict[str, Any] | None) -> list[Column]:
        return [self.column]

    def read(self, row: Row, content: dict[str, Any]) -> None:
        row.place(f"content.{self.key}", self.column)
        text = row.get(self.column)
        if text is None:
            return
        pairs: list[list[str]] = []
        for chunk in (part.strip() for part in re.split(r"[;,\n]+", text)):
            if not chunk:
                continue
            halves = [half.strip() for half in re.split(r"\s*(?:->|→|[-=:])\s*", chunk)]
            if len(halves) != 2 or not all(halves):
                row.problem(
                    self.column,
                    f"Pasangan '{chunk}' tidak dapat dibaca; tulis seperti 1-B.",
                    f"Pair '{chunk}' cannot be read; write it like 1-B.",
                )
                continue
            pairs.append([self.premises.ident(halves[0]), halves[1].upper()])
        content[self.key] = pairs

    def write(self, content: dict[str, Any], ids: dict[str, str]) -> dict[str, str]:
        pairs = [(ids.get(a, a), ids.get(b, b)) for a, b in content.get(self.key, [])]
        return {self.column.name: "; ".join(f"{a.lstrip('P')}-{b}" for a, b in pairs)}


def _show(value: Any) -> str:
    if value is True:
        return "Ya"
    if value is False:
        return "Tidak"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _show_key_boolean(value: Any) -> str:
    return "Benar" if value else "Salah"


# -- the layouts of the built-in types ------------------------------------------------------

OPTIONS = Entries("options", tuple((letter, option(letter)) for letter in LETTERS))
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
RUBRIC = Entries(
    "rubric",
    tuple((f"R{n}", criterion(n)) for n in range(1, MAX_CRITERIA + 1)),
    text_key="criterion",
    extras=(("max_points", max_points, number),),
    shown=3,
)
SCORING_WORDS = {
    "semua_atau_tidak": "all_or_nothing",
    "semua_atau_nol": "all_or_nothing",
    "semua": "all_or_nothing",
    "sebagian": "partial",
    "parsial": "partial",
}
DIRECTION_WORDS = {"positif": "positive", "negatif": "negative"}

LAYOUTS: dict[str, tuple[Part, ...]] = {
    "single_choice": (
        OPTIONS,
        Scalar("key", KEY, token),
        Scalar("points", POINTS, number),
        Scalar("shuffle", SHUFFLE, boolean, _show),
    ),
    "multiple_response": (
        OPTIONS,
        Scalar("keys", KEY, tokens, _show),
        Scalar("points", POINTS, number),
        Scalar("scoring", SCORING, choice(SCORING_WORDS)),
        Scalar("min_choices", MIN_CHOICES, integer),
        Scalar("max_choices", MAX_CHOICES, integer),
        Scalar("shuffle", SHUFFLE, boolean, _show),
    ),
    "weighted_options": (
        WEIGHTED,
        Nested("scale", (Scalar("min", SCALE_MIN, integer), Scalar("max", SCALE_MAX, integer))),
        Scalar("shuffle", SHUFFLE, boolean, _show),
    ),
    "true_false": (
        Scalar("key", KEY, boolean, _show_key_boolean),
        Scalar("points", POINTS, number),
    ),
    "short_text": (
        Scalar("accepted", ACCEPTED, lines, lambda value: " | ".join(value)),
        Scalar("case_sensitive", CASE_SENSITIVE, boolean, _show),
        Scalar("points", POINTS, number),
        Scalar("expected_length", EXPECTED_LENGTH, integer),
    ),
    "extended_text": (RUBRIC, Scalar("expected_length", EXPECTED_LENGTH, integer)),
    "ordering": (
        OPTIONS,
        Scalar("correct_order", KEY, tokens, _show),
        Scalar("points", POINTS, number),
        Scalar("shuffle", SHUFFLE, boolean, _show),
    ),
    "matching": (
        PREMISES,
        RESPONSES,
        Pairs("pairs", KEY, PREMISES),
        Scalar("points", POINTS, number),
        Scalar("scoring", SCORING, choice(SCORING_WORDS)),
        Scalar("shuffle", SHUFFLE, boolean, _show),
    ),
    "likert": (LIKERT_SCALE, Scalar("direction", DIRECTION, choice(DIRECTION_WORDS))),
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


# -- metadata --------------------------------------------------------------------------------


def read_metadata(row: Row) -> dict[str, Any]:
    """Classifications, difficulty, tags, language and notes of ``row``."""
    metadata: dict[str, Any] = {}
    classifications = list(_classifications(row))
    if classifications:
        metadata["classifications"] = classifications
    row.place("metadata.classifications", NODE)
    if (text := row.get(DIFFICULTY)) is not None:
        metadata["difficulty"] = number(text)
    row.place("metadata.difficulty", DIFFICULTY)
    if (text := row.get(TAGS)) is not None:
        metadata["tags"] = [tag.strip() for tag in re.split(r"[,;\n]+", text) if tag.strip()]
    row.place("metadata.tags", TAGS)
    if (text := row.get(LANGUAGE)) is not None:
        metadata["language"] = text.strip()
    row.place("metadata.language", LANGUAGE)
    if (text := row.get(NOTES)) is not None:
        metadata["notes"] = text
    row.place("metadata.notes", NOTES)
    return metadata


def _classifications(row: Row) -> Iterator[dict[str, Any]]:
    taxonomy, code, level = row.get(TAXONOMY), row.get(NODE), row.get(LEVEL)
    index = 0
    if taxonomy is not None or code is not None or level is not None:
        if taxonomy is None or code is None:
            missing = TAXONOMY if taxonomy is None else NODE
            row.problem(
                missing,
                f"Kolom {row.header(missing)} wajib diisi bila taksonomi, kode atau level diisi.",
                f"Column {row.header(missing)} is required when a taxonomy, code or level "
                "is given.",
            )
        else:
            yield _classification(taxonomy, code, level)
            for suffix, column in (("taxonomy", TAXONOMY), ("node", NODE), ("level", LEVEL)):
                row.place(f"metadata.classifications.0.{suffix}", column)
            row.place("metadata.classifications.0", NODE)
            index = 1
    extra = row.get(MORE_CLASSIFICATIONS)
    if extra is None:
        return
    for chunk in (part.strip() for part in re.split(r"[;\n]+", extra)):
        if not chunk:
            continue
        pieces = [piece.strip() for piece in chunk.split(":")]
        if len(pieces) not in (2, 3) or not all(pieces):
            row.problem(
                MORE_CLASSIFICATIONS,
                f"Klasifikasi '{chunk}' tidak dapat dibaca; tulis taksonomi:kode atau "
                "taksonomi:kode:level.",
                f"Classification '{chunk}' cannot be read; write taxonomy:code or "
                "taxonomy:code:level.",
            )
            continue
        row.place(f"metadata.classifications.{index}", MORE_CLASSIFICATIONS)
        yield _classification(pieces[0], pieces[1], pieces[2] if len(pieces) == 3 else None)
        index += 1


def _classification(taxonomy: str, code: str, level: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"taxonomy": taxonomy.strip(), "node": code.strip()}
    if level is not None:
        entry["level"] = integer(level)
    return entry


def metadata_cells(metadata: dict[str, Any]) -> dict[str, str]:
    """Cells for an example row's metadata."""
    cells: dict[str, str] = {}
    classifications = metadata.get("classifications", [])
    if classifications:
        first = classifications[0]
        cells[TAXONOMY.name] = first["taxonomy"]
        cells[NODE.name] = first["node"]
        if first.get("level") is not None:
            cells[LEVEL.name] = str(first["level"])
    if metadata.get("tags"):
        cells[TAGS.name] = ", ".join(metadata["tags"])
    if metadata.get("difficulty") is not None:
        cells[DIFFICULTY.name] = str(metadata["difficulty"])
    return cells


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
