"""CSV cells that a spreadsheet opens as text, never as a formula.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken
for a formula by Excel and LibreOffice ("CSV injection"); reports that carry what
writers typed (answers, messages, identifiers) prefix such cells with an apostrophe,
which the spreadsheet shows as nothing. Numbers the report itself writes are left as
they are.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: str) -> str:
    """``value``, with an apostrophe in front if a spreadsheet would read a formula."""
    return "'" + value if value[:1] in FORMULA_STARTS else value
