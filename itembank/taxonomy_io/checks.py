"""What the JSON and CSV readers of a taxonomy share: the limits, the error and its
bilingual problems, and the checks of size, encoding and codes.

Bad input never raises anything but :class:`TaxonomyImportError`, whose ``problems``
each say where and what, in Indonesian and then English, e.g.
``"baris 4, kolom kode_induk: induk 'X.9' tidak ditemukan / row 4, column parent_code:
parent 'X.9' not found"``. CSV rows are numbered as in the spreadsheet (the header is
row 1); JSON places are paths such as ``nodes[2].children[0].code``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NoReturn

from itembank.taxonomy import CODE_RE, Taxonomy

MAX_BYTES = 5 * 1024 * 1024
"""Largest accepted input, in bytes."""
MAX_NODES = 10_000
"""Most nodes one taxonomy may have."""
MAX_DEPTH = 10
"""Deepest accepted tree; top-level nodes are at depth 1."""
MAX_REPORTED = 200
"""Problems listed in one error; the rest are counted in a final line."""

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


class Problems:
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


def fail(text_id: str, text_en: str) -> NoReturn:
    """Raise one problem that concerns the whole file."""
    raise TaxonomyImportError([_message(None, text_id, text_en)])


def check_contract(taxonomy: Taxonomy, problems: Problems) -> None:
    """The contract's own checks; they repeat ours, so they should never fire."""
    for problem in taxonomy.problems():
        problems.add(("taksonomi", "taxonomy"), problem, problem)
    problems.check()


def quote(value: object) -> str:
    """``value`` quoted for a message, shortened if long."""
    text = value if isinstance(value, str) else str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def valid_code(code: str) -> bool:
    """Whether ``code`` is acceptable as a taxonomy or node code (:data:`CODE_RULE_EN`)."""
    # fullmatch, not match: CODE_RE ends with "$", which also accepts a trailing newline.
    return CODE_RE.fullmatch(code) is not None


CODE_RULE_ID = "huruf, angka, titik, garis bawah, tanda hubung; paling banyak 64 karakter"
CODE_RULE_EN = "letters, digits, dot, underscore, hyphen; at most 64 characters"


# -- decoding -------------------------------------------------------------------------


def decode(data: bytes | bytearray | memoryview, *, hint_id: str, hint_en: str) -> str:
    """The input as text, after the size and encoding checks."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    raw = bytes(data)
    if len(raw) > MAX_BYTES:
        size = f"{len(raw) / (1024 * 1024):.1f}"
        fail(
            f"berkas berukuran {size.replace('.', ',')} MB, melebihi batas "
            f"{MAX_BYTES // (1024 * 1024)} MB",
            f"the file is {size} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        fail(
            f"berkas berpengodean UTF-16, bukan UTF-8; {hint_id}",
            f"the file is encoded as UTF-16, not UTF-8; {hint_en}",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        fail(
            f"berkas bukan UTF-8 yang sah (byte 0x{byte:02x} pada baris {line}, "
            f"posisi {exc.start}); {hint_id}",
            f"the file is not valid UTF-8 (byte 0x{byte:02x} on line {line}, "
            f"offset {exc.start}); {hint_en}",
        )
    if not text.strip():
        fail("berkas kosong", "the file is empty")
    return text


def lang_map(values: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``{"id": ..., "en": ...}`` without the empty entries."""
    return {lang: text for lang, text in values if text}
