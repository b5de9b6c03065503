"""Importing and exporting a bank's own taxonomy (e.g. a ministry's technical competencies).

Two input formats are accepted: **JSON** (:mod:`itembank.taxonomy_io.json_format`), the
same format :func:`~itembank.taxonomy_io.json_format.taxonomy_to_json` writes, so an
export imports again unchanged; and **CSV** as saved by a spreadsheet
(:mod:`itembank.taxonomy_io.csv_format`), with Indonesian or English column names.
:func:`parse_taxonomy` chooses one by the file's extension. What both share, the limits
and :class:`~itembank.taxonomy_io.checks.TaxonomyImportError` (the only exception bad
input raises), is in :mod:`itembank.taxonomy_io.checks`.
"""

from __future__ import annotations

from pathlib import PurePath

from itembank.taxonomy import Taxonomy
from itembank.taxonomy_io.checks import fail, quote
from itembank.taxonomy_io.csv_format import parse_taxonomy_csv
from itembank.taxonomy_io.json_format import parse_taxonomy_json


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
            fail(
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
    fail(
        f"jenis berkas {quote(filename)} tidak didukung, gunakan .csv atau .json{hint_id}",
        f"file type of {quote(filename)} is not supported, use .csv or .json{hint_en}",
    )
