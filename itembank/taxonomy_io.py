"""Importing and exporting a bank's own taxonomy (e.g. a ministry's technical competencies).

Two input formats are accepted.

**JSON**, the same format :func:`taxonomy_to_json` writes, so an export imports again
unchanged::

    {"code": "teknis-kemenkeu", "name": {"id": "...", "en": "..."},
     "source": "...", "version": "2024",
     "nodes": [{"code": "T.1", "name": {"id": "...", "en": "..."},
                "description": {"id": "..."},
                "levels": [{"level": 1, "description": {"id": "..."},
                            "indicators": [{"code": "1.1", "text": "..."}]}],
                "children": [...]}]}

**CSV** as saved by a spreadsheet: UTF-8 with or without BOM, separated by commas or
semicolons (Indonesian Excel uses semicolons; tabs are accepted too), one node per row,
with a header row. Column names may be Indonesian or English:

==========================  =====================================================
``kode`` / ``code``         node code (required)
``kode_induk`` /            code of the parent node; empty for a top-level node.
``parent_code``             Parents may come after their children.
``nama`` / ``name``         Indonesian name (required column)
``nama_en`` / ``name_en``   English name
``deskripsi`` /             Indonesian description
``description``
``deskripsi_en`` /          English description
``description_en``
``tingkat_1`` .. ``_5`` /   Indonesian descriptions of levels 1-5, filled from
``level_1`` .. ``_5``       level 1 without gaps
==========================  =====================================================

Bad input never raises anything but :class:`TaxonomyImportError`, whose ``problems``
each say where and what, in Indonesian and then English, e.g.
``"baris 4, kolom kode_induk: induk 'X.9' tidak ditemukan / row 4, column parent_code:
parent 'X.9' not found"``. CSV rows are numbered as in the spreadsheet (the header is
row 1); JSON places are paths such as ``nodes[2].children[0].code``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, NoReturn

from itembank.taxonomy import CODE_RE, Level, Node, Taxonomy

MAX_BYTES = 5 * 1024 * 1024
"""Largest accepted input, in bytes."""
MAX_NODES = 10_000
"""Most nodes one taxonomy may have."""
MAX_DEPTH = 10
"""Deepest accepted tree; top-level nodes are at depth 1."""
CSV_LEVELS = 5
"""Level columns a CSV file may have (``tingkat_1`` .. ``tingkat_5``)."""
MAX_REPORTED = 200
"""Problems listed in one error; the rest are counted in a final line."""

_LANGUAGES = ("id", "en")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CSV_DELIMITERS = (",", ";", "\t")


class TaxonomyImportError(ValueError):
    """The input is not an acceptable taxonomy; ``problems`` says everything found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# -- problems -------------------------------------------------------------------------


def _message(where: tuple[str, str] | None, text_id: str, text_en: str) -> str:
    """One bilingual problem: ``"<where id>: <text id> / <where en>: <text en>"``."""
    if where is None:
        return f"{text_id} / {text_en}"
    return f"{where[0]}: {text_id} / {where[1]}: {text_en}"


class _Problems:
    """Collects problems; :meth:`check` raises them all at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: tuple[str, str] | None, text_id: str, text_en: str) -> None:
        self.items.append(_message(where, text_id, text_en))

    def fail(self, where: tuple[str, str] | None, text_id: str, text_en: str) -> NoReturn:
        self.add(where, text_id, text_en)
        self.check()
        raise AssertionError("unreachable")  # pragma: no cover

    def check(self) -> None:
        if not self.items:
            return
        shown = self.items[:MAX_REPORTED]
        rest = len(self.items) - len(shown)
        if rest:
            shown.append(
                _message(None, f"... dan {rest} masalah lain", f"... and {rest} more problems")
            )
        raise TaxonomyImportError(shown)


def _fail(text_id: str, text_en: str) -> NoReturn:
    raise TaxonomyImportError([_message(None, text_id, text_en)])


def _taxonomy_problems(taxonomy: Taxonomy, problems: _Problems) -> None:
    """The contract's own checks; they repeat ours, so they should never fire."""
    for problem in taxonomy.problems():
        problems.add(("taksonomi", "taxonomy"), problem, problem)
    problems.check()


def _q(value: object) -> str:
    """``value`` quoted for a message, shortened if long."""
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _valid_code(code: str) -> bool:
    # fullmatch, not match: CODE_RE ends with "$", which also accepts a trailing newline.
    return CODE_RE.fullmatch(code) is not None


_CODE_RULE_ID = "huruf, angka, titik, garis bawah, tanda hubung; paling banyak 64 karakter"
_CODE_RULE_EN = "letters, digits, dot, underscore, hyphen; at most 64 characters"


# -- decoding -------------------------------------------------------------------------


def _decode(data: bytes | bytearray | memoryview, *, hint_id: str, hint_en: str) -> str:
    """The input as text, after the size and encoding checks."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    raw = bytes(data)
    if len(raw) > MAX_BYTES:
        size = f"{len(raw) / (1024 * 1024):.1f}"
        _fail(
            f"berkas berukuran {size} MB, melebihi batas {MAX_BYTES // (1024 * 1024)} MB",
            f"the file is {size} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        _fail(
            f"berkas berpengodean UTF-16, bukan UTF-8; {hint_id}",
            f"the file is encoded as UTF-16, not UTF-8; {hint_en}",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        _fail(
            f"berkas bukan UTF-8 yang sah (byte 0x{byte:02x} pada baris {line}, "
            f"posisi {exc.start}); {hint_id}",
            f"the file is not valid UTF-8 (byte 0x{byte:02x} on line {line}, "
            f"offset {exc.start}); {hint_en}",
        )
    if not text.strip():
        _fail("berkas kosong", "the file is empty")
    return text


def _lang_map(values: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``{"id": ..., "en": ...}`` without the empty entries."""
    return {lang: text for lang, text in values if text}


# -- JSON -----------------------------------------------------------------------------


def _show(value: Any) -> str:
    """``value`` as JSON, shortened for a message."""
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _json_type(value: Any) -> tuple[str, str]:
    """The JSON name of ``value``'s type, in Indonesian and English."""
    if value is None:
        return "null", "null"
    if isinstance(value, bool):
        return "boolean", "boolean"
    if isinstance(value, int | float):
        return "angka", "number"
    if isinstance(value, str):
        return "teks", "string"
    if isinstance(value, list):
        return "daftar (array)", "array"
    return "objek", "object"


class _JsonReader:
    """Checks the parsed JSON and builds the taxonomy, recording problems with paths."""

    NODE_KEYS = frozenset({"code", "name", "description", "levels", "children"})
    LEVEL_KEYS = frozenset({"level", "name", "description", "indicators"})
    INDICATOR_KEYS = frozenset({"code", "text"})
    TOP_KEYS = frozenset({"code", "name", "source", "version", "nodes"})

    def __init__(self) -> None:
        self.problems = _Problems()
        self.count = 0
        self.seen: dict[str, str] = {}

    def add(self, path: str, text_id: str, text_en: str) -> None:
        self.problems.add((path, path) if path else ("(akar)", "(root)"), text_id, text_en)

    def wrong_type(self, path: str, value: Any, want_id: str, want_en: str) -> None:
        got_id, got_en = _json_type(value)
        self.add(path, f"harus {want_id}, bukan {got_id}", f"must be {want_en}, not {got_en}")

    def obj(self, value: Any, path: str, allowed: frozenset[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.wrong_type(path, value, "objek", "an object")
            return None
        self.unknown_keys(value, path, allowed)
        return value

    def unknown_keys(self, value: dict[str, Any], path: str, allowed: frozenset[str]) -> None:
        unknown = sorted(set(value) - allowed)
        if unknown:
            names = ", ".join(_q(key) for key in unknown[:5])
            if len(unknown) > 5:
                names += ", ..."
            known = ", ".join(sorted(allowed))
            self.add(
                path,
                f"kunci tidak dikenal {names} (yang diterima: {known})",
                f"unknown keys {names} (accepted: {known})",
            )

    def text(self, value: Any, path: str, *, required: bool) -> str:
        if value is None:
            if required:
                self.add(path, "wajib diisi", "is required")
            return ""
        if not isinstance(value, str):
            self.wrong_type(path, value, "teks", "a string")
            return ""
        if required and not value.strip():
            self.add(path, "wajib diisi", "must not be empty")
        if _CONTROL_RE.search(value):
            self.add(path, "berisi karakter kontrol", "contains a control character")
        return value

    def lang(self, value: Any, path: str, *, required: bool) -> dict[str, str]:
        if value is None:
            if required:
                self.add(path, "wajib diisi", "is required")
            return {}
        if not isinstance(value, dict):
            self.wrong_type(path, value, 'objek {"id": ..., "en": ...}', 'an {"id", "en"} object')
            return {}
        result: dict[str, str] = {}
        for key, text in value.items():
            if key not in _LANGUAGES:
                self.add(
                    f"{path}.{_q(key)}",
                    "bahasa tidak dikenal (gunakan id atau en)",
                    "unknown language (use id or en)",
                )
                continue
            result[key] = self.text(text, f"{path}.{key}", required=False)
        if required and not any(text.strip() for text in result.values()):
            self.add(path, "wajib diisi (id atau en)", "must not be empty (id or en)")
        return result

    def items(self, value: Any, path: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.wrong_type(path, value, "daftar (array)", "an array")
            return []
        return value

    def code(self, value: Any, path: str) -> str:
        code = self.text(value, path, required=True)
        if code.strip() and not _valid_code(code):
            self.add(
                path,
                f"kode {_q(code)} tidak sah ({_CODE_RULE_ID})",
                f"code {_q(code)} is not valid ({_CODE_RULE_EN})",
            )
        return code

    def taxonomy(self, value: Any, code_override: str | None) -> Taxonomy:
        if not isinstance(value, dict):
            got_id, got_en = _json_type(value)
            self.problems.fail(
                ("(akar)", "(root)"),
                f"harus objek taksonomi, bukan {got_id}",
                f"must be a taxonomy object, not {got_en}",
            )
        top: dict[str, Any] = value
        self.unknown_keys(top, "", self.TOP_KEYS)
        if code_override is not None:
            code = code_override
            if not _valid_code(code):
                self.problems.add(
                    ("kode taksonomi", "taxonomy code"),
                    f"kode {_q(code)} tidak sah ({_CODE_RULE_ID})",
                    f"code {_q(code)} is not valid ({_CODE_RULE_EN})",
                )
        else:
            code = self.code(top.get("code"), "code")
        name = self.lang(top.get("name"), "name", required=True)
        source = self.text(top.get("source"), "source", required=False)
        version_value = top.get("version")
        if isinstance(version_value, int) and not isinstance(version_value, bool):
            version_value = str(version_value)
        version = self.text(version_value, "version", required=False)
        nodes: list[Node] = []
        if "nodes" not in top:
            self.add("nodes", "wajib diisi", "is required")
        else:
            raw_nodes = self.items(top["nodes"], "nodes")
            if isinstance(top["nodes"], list) and not raw_nodes:
                self.add("nodes", "tidak boleh kosong", "must not be empty")
            nodes = self.nodes(raw_nodes, "nodes", depth=1)
        self.problems.check()
        return Taxonomy(code=code, name=name, nodes=nodes, source=source, version=version)

    def nodes(self, raw: list[Any], path: str, depth: int) -> list[Node]:
        result: list[Node] = []
        for index, value in enumerate(raw):
            node = self.node(value, f"{path}[{index}]", depth)
            if node is not None:
                result.append(node)
        return result

    def node(self, value: Any, path: str, depth: int) -> Node | None:
        self.count += 1
        if self.count > MAX_NODES:
            self.problems.fail(
                None,
                f"lebih dari {MAX_NODES:,} simpul".replace(",", "."),
                f"more than {MAX_NODES:,} nodes",
            )
        if depth > MAX_DEPTH:
            self.add(
                path,
                f"pohon lebih dalam dari {MAX_DEPTH} tingkat",
                f"the tree is deeper than {MAX_DEPTH} levels",
            )
            return None
        data = self.obj(value, path, self.NODE_KEYS)
        if data is None:
            return None
        code = self.code(data.get("code"), f"{path}.code")
        if code in self.seen:
            self.add(
                f"{path}.code",
                f"kode {_q(code)} ganda, sudah dipakai di {self.seen[code]}",
                f"duplicate code {_q(code)}, already used at {self.seen[code]}",
            )
        elif code:
            self.seen[code] = f"{path}.code"
        name = self.lang(data.get("name"), f"{path}.name", required=True)
        description = self.lang(data.get("description"), f"{path}.description", required=False)
        levels = self.levels(data.get("levels"), f"{path}.levels")
        raw_children = self.items(data.get("children"), f"{path}.children")
        children = self.nodes(raw_children, f"{path}.children", depth + 1)
        return Node(code=code, name=name, description=description, levels=levels, children=children)

    def levels(self, value: Any, path: str) -> list[Level]:
        levels: list[Level] = []
        numbers: list[int] = []
        for index, raw in enumerate(self.items(value, path)):
            at = f"{path}[{index}]"
            data = self.obj(raw, at, self.LEVEL_KEYS)
            if data is None:
                continue
            number = data.get("level")
            if type(number) is not int or number < 1:
                self.add(
                    f"{at}.level",
                    f"harus bilangan bulat 1 atau lebih, bukan {_show(number)}",
                    f"must be a whole number from 1, not {_show(number)}",
                )
                continue
            numbers.append(number)
            name = self.lang(data.get("name"), f"{at}.name", required=False)
            description = self.lang(data.get("description"), f"{at}.description", required=False)
            indicators = self.indicators(data.get("indicators"), f"{at}.indicators")
            levels.append(
                Level(number=number, name=name, description=description, indicators=indicators)
            )
        if numbers and sorted(numbers) != list(range(1, len(numbers) + 1)):
            self.add(
                path,
                f"tingkat harus bernomor 1 sampai {len(numbers)} tanpa celah atau ganda, "
                f"didapat {_show(numbers)}",
                f"levels must be numbered 1 to {len(numbers)} without gaps or repeats, "
                f"got {_show(numbers)}",
            )
        return levels

    def indicators(self, value: Any, path: str) -> tuple[dict[str, str], ...]:
        result: list[dict[str, str]] = []
        seen: dict[str, int] = {}
        for index, raw in enumerate(self.items(value, path)):
            at = f"{path}[{index}]"
            data = self.obj(raw, at, self.INDICATOR_KEYS)
            if data is None:
                continue
            code = self.text(data.get("code"), f"{at}.code", required=True)
            text = self.text(data.get("text"), f"{at}.text", required=True)
            if code in seen:
                self.add(
                    f"{at}.code",
                    f"kode indikator {_q(code)} ganda, sudah dipakai di {path}[{seen[code]}]",
                    f"duplicate indicator code {_q(code)}, already used at {path}[{seen[code]}]",
                )
            elif code:
                seen[code] = index
            result.append({"code": code, "text": text})
        return tuple(result)


def _load_json(text: str) -> tuple[Any, list[str]]:
    """Parse ``text``; also return keys that appear twice in one object."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result and key not in repeated:
                repeated.append(key)
            result[key] = value
        return result

    try:
        return json.loads(text, object_pairs_hook=pairs), repeated
    except json.JSONDecodeError as exc:
        _fail(
            f"JSON tidak sah pada baris {exc.lineno}, kolom {exc.colno}: {exc.msg}",
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        )
    except RecursionError:
        _fail("JSON bersarang terlalu dalam", "the JSON is nested too deeply")
    except ValueError as exc:  # e.g. an integer literal with thousands of digits
        _fail(f"JSON tidak sah: {exc}", f"invalid JSON: {exc}")


def parse_taxonomy_json(data: bytes, *, code: str | None = None) -> Taxonomy:
    """Read a taxonomy in the JSON format written by :func:`taxonomy_to_json`.

    :param data: the file's bytes (UTF-8, with or without BOM).
    :param code: use this taxonomy code instead of the file's ``code``.
    :raises TaxonomyImportError: listing every problem found.
    """
    text = _decode(
        data,
        hint_id="simpan ulang berkas JSON dengan pengodean UTF-8",
        hint_en="save the JSON file again as UTF-8",
    )
    value, repeated = _load_json(text)
    reader = _JsonReader()
    for key in repeated:
        reader.problems.add(
            None,
            f"kunci {_q(key)} muncul dua kali dalam satu objek JSON",
            f"key {_q(key)} appears twice in one JSON object",
        )
    taxonomy = reader.taxonomy(value, code)
    _taxonomy_problems(taxonomy, reader.problems)
    return taxonomy


def taxonomy_to_json(taxonomy: Taxonomy) -> dict[str, Any]:
    """``taxonomy`` in the JSON import format; :func:`parse_taxonomy_json` reads it back
    into an equal :class:`Taxonomy`."""
    return {
        "code": taxonomy.code,
        "name": dict(taxonomy.name),
        "source": taxonomy.source,
        "version": taxonomy.version,
        "nodes": [_node_to_json(node) for node in taxonomy.nodes],
    }


def _node_to_json(node: Node) -> dict[str, Any]:
    return {
        "code": node.code,
        "name": dict(node.name),
        "description": dict(node.description),
        "levels": [_level_to_json(level) for level in node.levels],
        "children": [_node_to_json(child) for child in node.children],
    }


def _level_to_json(level: Level) -> dict[str, Any]:
    result: dict[str, Any] = {"level": level.number}
    if level.name:
        result["name"] = dict(level.name)
    result["description"] = dict(level.description)
    result["indicators"] = [
        {"code": indicator.get("code", ""), "text": indicator.get("text", "")}
        for indicator in level.indicators
    ]
    return result


# -- CSV ------------------------------------------------------------------------------

_CSV_COLUMNS: dict[str, tuple[str, str]] = {
    "code": ("kode", "code"),
    "parent": ("kode_induk", "parent_code"),
    "name_id": ("nama", "name"),
    "name_en": ("nama_en", "name_en"),
    "description_id": ("deskripsi", "description"),
    "description_en": ("deskripsi_en", "description_en"),
    **{f"level_{n}": (f"tingkat_{n}", f"level_{n}") for n in range(1, CSV_LEVELS + 1)},
}
"""Column key → (Indonesian header, English header), as named in messages."""

_CSV_ALIASES: dict[str, str] = {
    **{header: key for key, headers in _CSV_COLUMNS.items() for header in headers},
    "nama_id": "name_id",
    "name_id": "name_id",
    "deskripsi_id": "description_id",
    "description_id": "description_id",
}
"""Accepted header (normalised) → column key."""

_CSV_REQUIRED = ("code", "name_id")


def _normalise_header(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lstrip("\ufeff").strip().lower())


def _sniff_delimiter(text: str) -> str:
    """The separator used in the header line: the most frequent of , ; and tab."""
    first_line = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    counts = {delimiter: first_line.count(delimiter) for delimiter in _CSV_DELIMITERS}
    best = max(_CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


@dataclass(slots=True)
class _CsvRow:
    """One data row of the CSV file; ``number`` is its spreadsheet row number."""

    number: int
    code: str
    parent: str
    name: dict[str, str]
    description: dict[str, str]
    levels: list[str]


def _cell(row: int, key: str) -> tuple[str, str]:
    """The place ``row, column`` in Indonesian and English."""
    col_id, col_en = _CSV_COLUMNS[key]
    return f"baris {row}, kolom {col_id}", f"row {row}, column {col_en}"


def _read_csv_records(text: str, problems: _Problems) -> list[tuple[int, list[str]]]:
    """All records with their spreadsheet row numbers (the header is row 1)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    number = 0
    data_rows = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if any(cell.strip() for cell in cells):
                if number > 1:
                    data_rows += 1
                if data_rows > MAX_NODES:
                    problems.fail(
                        None,
                        f"lebih dari {MAX_NODES:,} baris data".replace(",", "."),
                        f"more than {MAX_NODES:,} data rows",
                    )
            records.append((number, cells))
    except csv.Error as exc:
        problems.fail(
            (f"baris {number + 1}", f"row {number + 1}"),
            f"CSV tidak dapat dibaca: {exc}",
            f"the CSV cannot be read: {exc}",
        )
    return records


def _csv_columns(header: list[str], problems: _Problems) -> dict[int, str]:
    """Column index → column key, from the header row."""
    columns: dict[int, str] = {}
    where: dict[str, str] = {}
    for index, raw in enumerate(header):
        name = _normalise_header(raw)
        if not name:
            continue
        key = _CSV_ALIASES.get(name)
        if key is None:
            accepted = ", ".join(f"{ind}/{en}" for ind, en in _CSV_COLUMNS.values())
            problems.add(
                ("baris 1", "row 1"),
                f"kolom tidak dikenal {_q(raw.strip())} (yang diterima: {accepted})",
                f"unknown column {_q(raw.strip())} (accepted: {accepted})",
            )
            continue
        if key in where:
            problems.add(
                ("baris 1", "row 1"),
                f"kolom {_q(raw.strip())} dan {_q(where[key])} berarti sama "
                f"({_CSV_COLUMNS[key][0]})",
                f"columns {_q(raw.strip())} and {_q(where[key])} mean the same "
                f"({_CSV_COLUMNS[key][1]})",
            )
            continue
        where[key] = raw.strip()
        columns[index] = key
    for key in _CSV_REQUIRED:
        if key not in where:
            col_id, col_en = _CSV_COLUMNS[key]
            problems.add(
                ("baris 1", "row 1"),
                f"kolom wajib {_q(col_id)} (atau {_q(col_en)}) tidak ada",
                f"the required column {_q(col_en)} (or {_q(col_id)}) is missing",
            )
    return columns


def _csv_row(
    number: int, cells: list[str], columns: dict[int, str], problems: _Problems
) -> _CsvRow:
    values: dict[str, str] = {}
    for index, cell in enumerate(cells):
        key = columns.get(index)
        if key is None:
            if cell.strip():
                problems.add(
                    (f"baris {number}, kolom ke-{index + 1}", f"row {number}, column {index + 1}"),
                    "sel berisi nilai tetapi kolomnya tidak berjudul",
                    "the cell has a value but its column has no header",
                )
            continue
        value = cell.strip()
        if _CONTROL_RE.search(value):
            problems.add(
                _cell(number, key), "berisi karakter kontrol", "contains a control character"
            )
        values[key] = value

    code = values.get("code", "")
    if not code:
        problems.add(_cell(number, "code"), "kode kosong", "the code is empty")
    elif not _valid_code(code):
        problems.add(
            _cell(number, "code"),
            f"kode {_q(code)} tidak sah ({_CODE_RULE_ID})",
            f"code {_q(code)} is not valid ({_CODE_RULE_EN})",
        )
    parent = values.get("parent", "")
    name = _lang_map([("id", values.get("name_id", "")), ("en", values.get("name_en", ""))])
    if not name:
        problems.add(_cell(number, "name_id"), "nama kosong", "the name is empty")
    description = _lang_map(
        [("id", values.get("description_id", "")), ("en", values.get("description_en", ""))]
    )
    levels: list[str] = []
    for level in range(1, CSV_LEVELS + 1):
        text = values.get(f"level_{level}", "")
        if not text:
            continue
        if len(levels) + 1 != level:
            problems.add(
                _cell(number, f"level_{level}"),
                f"tingkat {level} diisi tetapi tingkat {len(levels) + 1} kosong",
                f"level {level} is filled but level {len(levels) + 1} is empty",
            )
        levels.append(text)
    return _CsvRow(number, code, parent, name, description, levels)


def _csv_links(rows: list[_CsvRow], problems: _Problems) -> None:
    """Check duplicate codes, unknown parents and cycles."""
    by_code: dict[str, _CsvRow] = {}
    for row in rows:
        if not row.code:
            continue
        first = by_code.get(row.code)
        if first is not None:
            problems.add(
                _cell(row.number, "code"),
                f"kode {_q(row.code)} ganda, sudah ada di baris {first.number}",
                f"duplicate code {_q(row.code)}, already on row {first.number}",
            )
        else:
            by_code[row.code] = row

    parents: dict[str, str] = {}
    for row in rows:
        if not row.parent:
            continue
        if row.parent == row.code:
            problems.add(
                _cell(row.number, "parent"),
                f"induk {_q(row.parent)} adalah kode baris itu sendiri",
                f"parent {_q(row.parent)} is the row's own code",
            )
        elif row.parent not in by_code:
            problems.add(
                _cell(row.number, "parent"),
                f"induk {_q(row.parent)} tidak ditemukan",
                f"parent {_q(row.parent)} not found",
            )
        elif by_code.get(row.code) is row:
            parents[row.code] = row.parent

    # Follow each chain of parents once; a chain that meets itself is a cycle.
    state: dict[str, int] = {}  # 1: on the chain being followed, 2: done
    for start in parents:
        chain: list[str] = []
        current: str | None = start
        while current is not None and current not in state:
            state[current] = 1
            chain.append(current)
            current = parents.get(current)
        if current is not None and state[current] == 1:
            cycle = chain[chain.index(current) :]
            numbers = ", ".join(str(by_code[code].number) for code in cycle)
            path = " → ".join([*cycle, cycle[0]])
            problems.add(
                (f"baris {numbers}, kolom kode_induk", f"rows {numbers}, column parent_code"),
                f"induk membentuk siklus {path}",
                f"the parents form a cycle {path}",
            )
        for code in chain:
            state[code] = 2


def _csv_tree(rows: list[_CsvRow], problems: _Problems) -> list[Node]:
    """The tree in row order; checks the depth limit."""
    nodes: dict[str, Node] = {}
    for row in rows:
        nodes[row.code] = Node(
            code=row.code,
            name=row.name,
            description=row.description,
            levels=[
                Level(number=number, description={"id": text})
                for number, text in enumerate(row.levels, start=1)
            ],
        )
    roots: list[Node] = []
    for row in rows:
        if row.parent:
            nodes[row.parent].children.append(nodes[row.code])
        else:
            roots.append(nodes[row.code])
    numbers = {row.code: row.number for row in rows}
    queue: deque[tuple[Node, int]] = deque((root, 1) for root in roots)
    while queue:
        node, depth = queue.popleft()
        if depth > MAX_DEPTH:
            problems.add(
                _cell(numbers[node.code], "parent"),
                f"simpul {_q(node.code)} berada di tingkat {depth}, melebihi batas {MAX_DEPTH}",
                f"node {_q(node.code)} is at depth {depth}, over the limit of {MAX_DEPTH}",
            )
            continue
        queue.extend((child, depth + 1) for child in node.children)
    return roots


def parse_taxonomy_csv(
    data: bytes,
    *,
    code: str,
    name_id: str,
    name_en: str = "",
    source: str = "",
    version: str = "",
) -> Taxonomy:
    """Read a taxonomy from a spreadsheet saved as CSV (see the module docstring).

    :param data: the file's bytes.
    :param code: the new taxonomy's code (CSV files carry nodes only).
    :param name_id: its Indonesian name.
    :param name_en: its English name.
    :param source: where it comes from, e.g. the ministry regulation.
    :param version: its version or year.
    :raises TaxonomyImportError: listing every problem found.
    """
    problems = _Problems()
    if not _valid_code(code or ""):
        problems.add(
            ("kode taksonomi", "taxonomy code"),
            f"kode {_q(code)} tidak sah ({_CODE_RULE_ID})",
            f"code {_q(code)} is not valid ({_CODE_RULE_EN})",
        )
    if not ((name_id or "").strip() or (name_en or "").strip()):
        problems.add(("nama taksonomi", "taxonomy name"), "wajib diisi", "is required")
    problems.check()

    text = _decode(
        data,
        hint_id="di Excel simpan ulang sebagai 'CSV UTF-8 (Comma delimited)'",
        hint_en="in Excel, save it again as 'CSV UTF-8 (Comma delimited)'",
    )
    records = _read_csv_records(text, problems)
    if not records or not any(cell.strip() for cell in records[0][1]):
        problems.fail(
            ("baris 1", "row 1"),
            "baris pertama harus berisi judul kolom",
            "the first row must hold the column headers",
        )
    columns = _csv_columns(records[0][1], problems)
    problems.check()

    rows = [
        _csv_row(number, cells, columns, problems)
        for number, cells in records[1:]
        if any(cell.strip() for cell in cells)
    ]
    if not rows:
        problems.fail(None, "berkas tidak berisi baris data", "the file has no data rows")
    _csv_links(rows, problems)
    problems.check()
    nodes = _csv_tree(rows, problems)
    problems.check()

    taxonomy = Taxonomy(
        code=code,
        name=_lang_map([("id", (name_id or "").strip()), ("en", (name_en or "").strip())]),
        nodes=nodes,
        source=source,
        version=version,
    )
    _taxonomy_problems(taxonomy, problems)
    return taxonomy


# -- dispatch -------------------------------------------------------------------------


def parse_taxonomy(
    data: bytes,
    filename: str,
    *,
    code: str | None = None,
    name_id: str = "",
    name_en: str = "",
    source: str = "",
    version: str = "",
) -> Taxonomy:
    """Read a taxonomy from an uploaded file, choosing the format by its extension.

    ``.json`` files carry their own name, source and version, so only ``code`` (to
    override the file's) is used for them; ``.csv`` (and ``.txt``) files need ``code``
    and a name.

    :raises TaxonomyImportError: for an unsupported file type or any problem inside.
    """
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".json":
        return parse_taxonomy_json(data, code=code)
    if suffix in (".csv", ".txt"):
        if code is None:
            _fail(
                "kode taksonomi wajib diisi untuk berkas CSV",
                "a taxonomy code is required for a CSV file",
            )
        return parse_taxonomy_csv(
            data, code=code, name_id=name_id, name_en=name_en, source=source, version=version
        )
    hint_id = hint_en = ""
    if suffix in (".xlsx", ".xls", ".ods"):
        hint_id = "; simpan lembar kerja sebagai 'CSV UTF-8' terlebih dahulu"
        hint_en = "; save the worksheet as 'CSV UTF-8' first"
    _fail(
        f"jenis berkas {_q(filename)} tidak didukung, gunakan .csv atau .json{hint_id}",
        f"file type of {_q(filename)} is not supported, use .csv or .json{hint_en}",
    )
