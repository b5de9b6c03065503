"""The JSON format of a taxonomy: reading it (:func:`parse_taxonomy_json`) and writing
it (:func:`taxonomy_to_json`), so an export imports again unchanged::

    {"code": "teknis-kemenkeu", "name": {"id": "...", "en": "..."},
     "source": "...", "version": "2024",
     "nodes": [{"code": "T.1", "name": {"id": "...", "en": "..."},
                "description": {"id": "..."},
                "levels": [{"level": 1, "description": {"id": "..."},
                            "indicators": [{"code": "1.1", "text": "..."}]}],
                "children": [...]}]}

Problems are placed by paths such as ``nodes[2].children[0].code``.
"""

from __future__ import annotations

import json
from typing import Any

from itembank.taxonomy import Level, Node, Taxonomy
from itembank.taxonomy_io.checks import (
    CODE_RULE_EN,
    CODE_RULE_ID,
    CONTROL_RE,
    MAX_DEPTH,
    MAX_NODES,
    Problems,
    check_contract,
    decode,
    fail,
    quote,
    valid_code,
)

_LANGUAGES = ("id", "en")


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
        self.problems = Problems()
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
            names = ", ".join(quote(key) for key in unknown[:5])
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
        if CONTROL_RE.search(value):
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
                    f"{path}.{quote(key)}",
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
        if code.strip() and not valid_code(code):
            self.add(
                path,
                f"kode {quote(code)} tidak sah ({CODE_RULE_ID})",
                f"code {quote(code)} is not valid ({CODE_RULE_EN})",
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
            if not valid_code(code):
                self.problems.add(
                    ("kode taksonomi", "taxonomy code"),
                    f"kode {quote(code)} tidak sah ({CODE_RULE_ID})",
                    f"code {quote(code)} is not valid ({CODE_RULE_EN})",
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
                f"kode {quote(code)} ganda, sudah dipakai di {self.seen[code]}",
                f"duplicate code {quote(code)}, already used at {self.seen[code]}",
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
                    f"kode indikator {quote(code)} ganda, sudah dipakai di {path}[{seen[code]}]",
                    f"duplicate indicator code {quote(code)}, already used at {path}[{seen[code]}]",
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
        fail(
            f"JSON tidak sah pada baris {exc.lineno}, kolom {exc.colno}: {exc.msg}",
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
        )
    except RecursionError:
        fail("JSON bersarang terlalu dalam", "the JSON is nested too deeply")
    except ValueError as exc:  # e.g. an integer literal with thousands of digits
        fail(f"JSON tidak sah: {exc}", f"invalid JSON: {exc}")


def parse_taxonomy_json(data: bytes, *, code: str | None = None) -> Taxonomy:
    """Read a taxonomy in the JSON format written by :func:`taxonomy_to_json`.

    :param data: the file's bytes (UTF-8, with or without BOM).
    :param code: use this taxonomy code instead of the file's ``code``.
    :raises TaxonomyImportError: listing every problem found.
    """
    text = decode(
        data,
        hint_id="simpan ulang berkas JSON dengan pengodean UTF-8",
        hint_en="save the JSON file again as UTF-8",
    )
    value, repeated = _load_json(text)
    reader = _JsonReader()
    for key in repeated:
        reader.problems.add(
            None,
            f"kunci {quote(key)} muncul dua kali dalam satu objek JSON",
            f"key {quote(key)} appears twice in one JSON object",
        )
    taxonomy = reader.taxonomy(value, code)
    check_contract(taxonomy, reader.problems)
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
