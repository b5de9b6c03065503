"""An item's metadata in a spreadsheet row: its classifications (the taxonomy, code and
level columns, and ``klasifikasi_lain`` for more), difficulty, tags, language and notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from plugins.importers._cells import Row, integer, number
from plugins.importers._columns import (
    DIFFICULTY,
    LANGUAGE,
    LEVEL,
    MORE_CLASSIFICATIONS,
    NODE,
    NOTES,
    TAGS,
    TAXONOMY,
)


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
