"""The ASN job competency standard (Standar Kompetensi Jabatan ASN, PermenPANRB 38/2017).

The tree has two group nodes, ``MANAJERIAL`` (M.1-M.8) and ``SOSIAL-KULTURAL`` (SK.1).
Every competency carries its definition as description and five :class:`Level` objects
with the regulation's level description and three behavioural indicators each.

The regulation's text is read at import time from
``data/asn-competencies-permenpanrb-38-2017.json`` (see ``data/README.md`` for its
provenance). The file is checked thoroughly: if its shape is wrong, importing this module
raises :class:`AsnDataError` listing every problem, so the plugin host refuses to start
instead of serving a half-built standard.

English names are provided here; English level descriptions are deliberately absent,
because no authoritative translation of the regulation text exists.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from itembank.hookspecs import hookimpl
from itembank.taxonomy import CODE_RE, Level, Node, Taxonomy

DATA_PACKAGE = "plugins.taxonomies"
DATA_FILE = "asn-competencies-permenpanrb-38-2017.json"

CODE = "asn-2017"
NAME = {
    "id": "Standar Kompetensi Jabatan ASN (PermenPANRB 38/2017)",
    "en": "ASN job competency standard (PermenPANRB 38/2017)",
}
VERSION = "2017"
LEVEL_COUNT = 5

GROUPS: dict[str, tuple[str, dict[str, str]]] = {
    "manajerial": (
        "MANAJERIAL",
        {"id": "Kompetensi Manajerial", "en": "Managerial competencies"},
    ),
    "sosial_kultural": (
        "SOSIAL-KULTURAL",
        {"id": "Kompetensi Sosial Kultural", "en": "Socio-cultural competencies"},
    ),
}
"""The JSON ``group`` value → (group node code, group node name)."""

ENGLISH_NAMES: dict[str, str] = {
    "M.1": "Integrity",
    "M.2": "Teamwork",
    "M.3": "Communication",
    "M.4": "Results orientation",
    "M.5": "Public service",
    "M.6": "Developing self and others",
    "M.7": "Managing change",
    "M.8": "Decision making",
    "SK.1": "Social cohesion (Perekat Bangsa)",
}
"""English names of the competencies; the data file must hold exactly these codes."""


def _expected_group(code: str) -> str:
    """The JSON ``group`` a competency code belongs to (``SK.*`` socio-cultural)."""
    return "sosial_kultural" if code.startswith("SK.") else "manajerial"


class AsnDataError(ValueError):
    """The bundled ASN data file is malformed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{DATA_FILE} is malformed:\n- " + "\n- ".join(problems))


def load_data() -> Any:
    """The parsed JSON data file shipped with this package."""
    raw = resources.files(DATA_PACKAGE).joinpath("data", DATA_FILE).read_bytes()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise AsnDataError([f"not valid UTF-8 JSON: {exc}"]) from exc


def _text(value: Any, where: str, problems: list[str]) -> str:
    """``value`` if it is a non-blank string, else record a problem and return ``""``."""
    if isinstance(value, str) and value.strip():
        return value
    problems.append(f"{where}: expected a non-empty string, got {value!r}")
    return ""


def _object(value: Any, where: str, keys: set[str], problems: list[str]) -> bool:
    """Check that ``value`` is a JSON object with exactly ``keys``."""
    if not isinstance(value, dict):
        problems.append(f"{where}: expected an object, got {type(value).__name__}")
        return False
    if set(value) != keys:
        missing = sorted(keys - set(value))
        extra = sorted(set(value) - keys)
        problems.append(f"{where}: missing keys {missing}, unexpected keys {extra}")
        return False
    return True


def _list(value: Any, where: str, problems: list[str]) -> list[Any]:
    if isinstance(value, list) and value:
        return value
    problems.append(f"{where}: expected a non-empty list, got {value!r}")
    return []


def _levels(raw: list[Any], where: str, problems: list[str]) -> list[Level]:
    if len(raw) != LEVEL_COUNT:
        problems.append(f"{where}: expected {LEVEL_COUNT} levels, got {len(raw)}")
    levels: list[Level] = []
    for index, level in enumerate(raw):
        at = f"{where}[{index}]"
        if not _object(level, at, {"level", "description", "indicators"}, problems):
            continue
        number = level["level"]
        if type(number) is not int or number != index + 1:
            problems.append(f"{at}.level: expected {index + 1}, got {number!r}")
            continue
        description = _text(level["description"], f"{at}.description", problems)
        indicators: list[dict[str, str]] = []
        for position, indicator in enumerate(
            _list(level["indicators"], f"{at}.indicators", problems), start=1
        ):
            ind_at = f"{at}.indicators[{position - 1}]"
            if not _object(indicator, ind_at, {"code", "text"}, problems):
                continue
            code = _text(indicator["code"], f"{ind_at}.code", problems)
            text = _text(indicator["text"], f"{ind_at}.text", problems)
            if code and code != f"{number}.{position}":
                problems.append(f"{ind_at}.code: expected '{number}.{position}', got {code!r}")
            indicators.append({"code": code, "text": text})
        levels.append(
            Level(number=number, description={"id": description}, indicators=tuple(indicators))
        )
    return levels


def build_taxonomy(data: Any) -> Taxonomy:
    """Build the ``asn-2017`` taxonomy from the parsed data file.

    :raises AsnDataError: listing every problem found, when ``data`` is malformed.
    """
    problems: list[str] = []
    if not _object(data, "(top level)", {"source", "competencies", "notes"}, problems):
        raise AsnDataError(problems)
    source = _text(data["source"], "source", problems)
    notes = data["notes"]
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.append("notes: expected a list of strings")

    groups: dict[str, Node] = {
        key: Node(code=code, name=dict(name)) for key, (code, name) in GROUPS.items()
    }
    seen: dict[str, int] = {}
    for index, competency in enumerate(_list(data["competencies"], "competencies", problems)):
        at = f"competencies[{index}]"
        keys = {"code", "group", "name", "definition", "levels"}
        if not _object(competency, at, keys, problems):
            continue
        code = _text(competency["code"], f"{at}.code", problems)
        if code in seen:
            problems.append(f"{at}.code: {code!r} already used by competencies[{seen[code]}]")
        elif code and not (CODE_RE.fullmatch(code) and code in ENGLISH_NAMES):
            problems.append(f"{at}.code: unexpected competency code {code!r}")
        seen[code] = index
        group = competency["group"]
        if group not in GROUPS:
            problems.append(f"{at}.group: expected one of {sorted(GROUPS)}, got {group!r}")
            continue
        if code and group != _expected_group(code):
            problems.append(f"{at}.group: {code!r} belongs to {_expected_group(code)!r}")
        name = _text(competency["name"], f"{at}.name", problems)
        definition = _text(competency["definition"], f"{at}.definition", problems)
        levels = _levels(
            _list(competency["levels"], f"{at}.levels", problems), f"{at}.levels", problems
        )
        groups[group].children.append(
            Node(
                code=code,
                name={"id": name, "en": ENGLISH_NAMES.get(code, "")},
                description={"id": definition},
                levels=levels,
            )
        )
    missing = sorted(set(ENGLISH_NAMES) - set(seen))
    if missing:
        problems.append(f"competencies: missing {missing}")
    if problems:
        raise AsnDataError(problems)

    taxonomy = Taxonomy(
        code=CODE,
        name=dict(NAME),
        nodes=list(groups.values()),
        source=source,
        version=VERSION,
    )
    structural = taxonomy.problems()
    if structural:
        raise AsnDataError(structural)
    return taxonomy


TAXONOMY: Taxonomy = build_taxonomy(load_data())
"""The ASN competency standard, built once at import time."""


@hookimpl
def itembank_register_taxonomies(register: Callable[[Taxonomy], None]) -> None:
    register(TAXONOMY)
