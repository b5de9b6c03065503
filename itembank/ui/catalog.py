"""The web UI's message catalogue: extract the texts to translate and update the
Indonesian ``.po`` file.

``python -m itembank.ui.catalog`` (``make translations``) extracts every ``_()``,
``gettext`` and ``ngettext`` text from ``itembank/ui/*.py`` and the templates, adds the
new ones to ``itembank/translations/id/LC_MESSAGES/messages.po`` with an empty
translation, drops the ones no longer used and prints how many are untranslated.
The test suite fails while any text lacks an Indonesian translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from itembank.ui.i18n import TRANSLATIONS

PACKAGE = Path(__file__).resolve().parent.parent
PO_FILE = TRANSLATIONS / "id" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def extract() -> Catalog:
    """Every translatable text of the UI, with where it is used."""
    catalog = Catalog(project="itembank", locale=None)
    method_map = [
        ("ui/**.py", "python"),
        ("templates/ui/**.html", babel_extract),
    ]
    options = {"templates/ui/**.html": {"extensions": "jinja2.ext.do"}}
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(path: Path = PO_FILE) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale="id")


def untranslated(catalog: Catalog, template: Catalog) -> list[str]:
    """The texts of ``template`` that ``catalog`` does not translate."""
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found is not None else None
        ok = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if not ok or (found is not None and found.fuzzy):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def update(path: Path = PO_FILE) -> list[str]:
    """Bring the ``.po`` file up to date with the code; returns the untranslated texts."""
    template = extract()
    catalog = read_catalog(path) if path.exists() else Catalog(locale="id", project="itembank")
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, omit_header=False, sort_output=False)
    return untranslated(catalog, template)


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    missing = update()
    for text in missing:
        print(f"untranslated: {text}")
    print(f"{PO_FILE}: {len(missing)} untranslated")
    sys.exit(0)
