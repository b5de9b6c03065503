"""The exporter contract: what an ``itembank_register_exporters`` hook registers.

An exporter turns a test form, given as plain data (:mod:`qti.package`'s
:class:`~qti.package.PackageTest`, :class:`~qti.package.PackageItem` s and the media they
show), into the bytes of one file a delivery system imports. The core fills the input
from the database and stores or serves the bytes; the exporter never touches either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from qti.package import PackageItem, PackageTest

ExportFunction = Callable[[PackageTest, Sequence[PackageItem], Mapping[str, bytes]], bytes]
"""``export(test, items, media) -> bytes``; ``media`` maps SHA-256 hex to image bytes.
It raises ``ValueError`` (for QTI: :class:`qti.package.PackageError`, listing every
issue) for input it cannot export, and returns nothing half-written."""

_ID = re.compile(r"[a-z][a-z0-9_]{0,31}")


@dataclass(frozen=True)
class Exporter:
    """One export format.

    :ivar id: stable identifier (``"qti3"``): lowercase letters, digits, ``_``.
    :ivar label: ``{"id": ..., "en": ...}`` names for menus.
    :ivar file_extension: the extension of the files it writes, without the dot (``"zip"``).
    :ivar media_type: the MIME type of those files (``"application/zip"``).
    :ivar export: the function that writes one file.
    :ivar description: one sentence in both languages.
    """

    id: str
    label: Mapping[str, str]
    file_extension: str
    media_type: str
    export: ExportFunction
    description: Mapping[str, str] = field(default_factory=lambda: {"id": "", "en": ""})

    def problems(self) -> list[str]:
        """What is wrong with this registration (empty when it is usable)."""
        problems = []
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            problems.append(f"id {self.id!r} must be lowercase letters, digits and '_'")
        if (
            not isinstance(self.label, Mapping)
            or not self.label.get("id")
            or not self.label.get("en")
        ):
            problems.append("label needs an Indonesian ('id') and an English ('en') name")
        if not self.file_extension or "." in self.file_extension:
            problems.append(f"file_extension {self.file_extension!r} must be given without a dot")
        if not callable(self.export):
            problems.append("export must be callable")
        return problems
