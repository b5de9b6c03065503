"""Languages of the web UI: Indonesian (the default) and English.

Labels in templates and views are written in English and translated with Flask-Babel
(``_()``); the Indonesian catalogue is ``itembank/translations/id/LC_MESSAGES/messages.po``
(English needs none). The ``.po`` file is the source kept in git; the compiled ``.mo``
is not: :func:`compile_catalogs` builds it when the app starts if it is missing or
older than the ``.po`` (``make setup`` runs the app factory, so it is built there too).
``make translations`` re-extracts the messages and updates the catalogue.

Texts that come from plugins and the domain (item type labels, taxonomy names,
validation problems) carry both languages already; :func:`pick` chooses one.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import flask_babel
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, session
from flask_babel import Babel, format_decimal, get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

LANGUAGES: dict[str, str] = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LANGUAGE = "id"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()
log = logging.getLogger(__name__)


def select_locale() -> str:
    """The language the user chose (kept in the session), else Indonesian."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def pick(texts: Mapping[str, str] | None, lang: str | None = None) -> str:
    """The text in the current language from ``{"id": ..., "en": ...}`` (falling back to
    the other one when it is missing)."""
    if not texts:
        return ""
    lang = lang or current_language()
    other = "id" if lang == "en" else "en"
    return texts.get(lang) or texts.get(other) or ""


def problem_text(problem: Mapping[str, Any]) -> str:
    """A validation problem's message in the current language."""
    if current_language() == "en":
        return problem.get("message_en") or problem.get("message") or ""
    return problem.get("message") or problem.get("message_en") or ""


def error_text(exc: Any) -> str:
    """A domain error's own message in the current language: Indonesian when the error
    carries one (``message_id``, see :class:`itembank.errors.PermissionDenied`)."""
    indonesian = getattr(exc, "message_id", "")
    if indonesian and current_language() != "en":
        return str(indonesian)
    return str(getattr(exc, "message", exc))


#: Placeholders that name something (an id, a version, a revision, a section or row,
#: a level) rather than count it: written as plain digits, never ``1.234``.
IDENTIFIERS = frozenset(
    {"id", "number", "version", "revision", "base", "run", "section", "row", "level", "from"}
)
_INTEGER_PLACEHOLDER = re.compile(r"%\((\w+)\)d")


def localize(text: str, variables: Mapping[str, Any]) -> str:
    """``text % variables`` with every number written the current language's way
    (``100.000`` and ``0,25`` in Indonesian): counts, totals, shares and scores in
    messages must not come out as ``100000`` or ``0.25``. Placeholders in
    :data:`IDENTIFIERS` keep plain digits. ``text`` may be :class:`Markup` (the values
    are then escaped, as ``%`` on Markup does)."""
    if not variables:
        return text % {}
    shown: dict[str, Any] = {}
    formatted: set[str] = set()
    for name, value in variables.items():
        if (
            name not in IDENTIFIERS
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            shown[name] = format_decimal(value)
            formatted.add(name)
        else:
            shown[name] = value
    if formatted:
        pattern = text.__class__(
            _INTEGER_PLACEHOLDER.sub(
                lambda m: f"%({m.group(1)})s" if m.group(1) in formatted else m.group(0),
                str(text),
            )
        )
        text = pattern
    return text % shown


def gettext(string: str, **variables: Any) -> str:
    """:func:`flask_babel.gettext` with numbers written the current language's way."""
    translated = flask_babel.get_domain().get_translations().ugettext(string)
    return localize(translated, variables) if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """:func:`flask_babel.ngettext` with numbers written the current language's way
    (``num`` among them)."""
    variables.setdefault("num", num)
    translated = flask_babel.get_domain().get_translations().ungettext(singular, plural, num)
    return localize(translated, variables)


@pass_context
def _template_gettext(context: Context, string: str, **variables: Any) -> str:
    text = gettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return localize(text, variables)


@pass_context
def _template_ngettext(
    context: Context, singular: str, plural: str, num: int, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = flask_babel.get_domain().get_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return localize(text, variables)


def compile_catalogs(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every ``.po`` under ``directory`` whose ``.mo`` is missing or older;
    returns the files written."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        try:
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog)
        except OSError as exc:  # a read-only installation: use what is there
            log.warning("cannot write %s: %s", mo_path, exc)
            continue
        written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault(
        "BABEL_DEFAULT_TIMEZONE", os.environ.get("ITEMBANK_TIMEZONE") or "Asia/Jakarta"
    )
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    # Templates' _() and ngettext() write numbers the current language's way too.
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
