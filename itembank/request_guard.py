"""One guard in front of every request (API and web UI): text no field can hold and JSON
too deep to read are refused before any view, schema or database sees them.

* A NUL character: PostgreSQL cannot store it in text, nor compare text with it.
* A lone UTF-16 surrogate (U+D800 to U+DFFF without its pair): not a Unicode character,
  so it cannot be encoded as UTF-8 for the database (JSON can spell one as ``"\\ud800"``,
  and Python's JSON reader lets it through).
* JSON nested deeper than :data:`MAX_JSON_DEPTH`: no document of the bank nests that
  deep, and Python's JSON reader (and every recursive walk of the result) fails with a
  ``RecursionError`` on deep enough input. The depth is measured on the raw text, before
  it is parsed.

The path (with the name of a path parameter such as ``external_id`` when the URL matched
a route), every query parameter, every form field and every string and key of a JSON
body are checked. Each problem names where it is: the parameter or field name, or a
dotted path into the JSON (``metadata.tags.1``). The API answers 422 with its problem
document; the web UI answers 400 with its error page.

The same checks are available for JSON read from a form field (the item editor posts
its content as JSON text): :func:`load_json_text`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request
from flask.typing import ResponseReturnValue

#: Deepest JSON nesting accepted (objects and arrays), in a request body or in JSON
#: text read from a form field.
MAX_JSON_DEPTH = 64
#: Most problems reported for one request.
MAX_PROBLEMS = 10

_SURROGATE = re.compile("[\ud800-\udfff]")
# One JSON token that matters for nesting: a string (a key when a colon follows), a
# bracket or a comma. Everything between tokens (numbers, literals, whitespace) is skipped.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"(\s*:)?|[\[\]{},]', re.DOTALL)
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def text_problem(text: str, field: str) -> dict[str, str] | None:
    """The problem with ``text`` as the value (or name) of ``field``, if any."""
    if "\x00" in text:
        return {
            "field": field,
            "message": "Karakter NUL (\\u0000) tidak diperbolehkan.",
            "message_en": "The NUL character (\\u0000) is not allowed.",
        }
    if _SURROGATE.search(text):
        return {
            "field": field,
            "message": "Teks memuat surrogate UTF-16 tunggal (U+D800 sampai U+DFFF), yang "
            "bukan karakter Unicode yang sah.",
            "message_en": "The text holds a lone UTF-16 surrogate (U+D800 to U+DFFF), which "
            "is not a valid Unicode character.",
        }
    return None


def printable(text: str) -> str:
    """``text`` fit to name a field in a response: a NUL or lone surrogate in it is
    written as its escape (``\\ud800``), so the answer itself can be encoded."""
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def depth_problem(field: str) -> dict[str, str]:
    return {
        "field": field,
        "message": f"JSON bersarang terlalu dalam (lebih dari {MAX_JSON_DEPTH} tingkat).",
        "message_en": f"The JSON nests more than {MAX_JSON_DEPTH} levels deep.",
    }


def json_too_deep(raw: bytes | str) -> str | None:
    """Where JSON text ``raw`` nests deeper than :data:`MAX_JSON_DEPTH`, as a dotted
    path to the object or array that is one level too deep (``""`` for the top), or
    ``None`` when it does not. Linear in the text; the text need not be valid JSON
    (whatever it is, nothing deeper than the limit is handed to the parser). Bytes are
    decoded as :func:`json.loads` decodes them (UTF-8, -16 or -32), so the strings seen
    here are the strings it sees; bytes it cannot decode it refuses too."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode(json.detect_encoding(raw), "surrogatepass")
        except UnicodeDecodeError:
            return None
    else:
        text = raw
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return None
    # Per open container: [is an array, key or index of the current member].
    stack: list[list[Any]] = []
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if match.group(1) is not None and stack and not stack[-1][0]:
                stack[-1][1] = _key_text(token[: match.start(1) - match.start()])
        elif first in "[{":
            if len(stack) >= MAX_JSON_DEPTH:
                return ".".join(str(member) for _, member in stack)
            stack.append([first == "[", 0 if first == "[" else ""])
        elif first in "]}":
            if stack:
                stack.pop()
        elif stack and stack[-1][0]:  # a comma in an array
            stack[-1][1] += 1
    return None


def _key_text(token: str) -> str:
    try:
        key = json.loads(token)
    except ValueError:
        return printable(token[1:-1])
    return printable(key) if isinstance(key, str) else str(key)


def value_problems(value: Any, path: str = "", limit: int = MAX_PROBLEMS) -> list[dict[str, str]]:
    """Problems of the strings and keys in parsed JSON ``value``, each named by its dotted
    path (``path`` is the prefix; the top is named ``body`` when it is ``""``). Iterative,
    so any depth is safe to walk."""
    found: list[dict[str, str]] = []
    pending: list[tuple[Any, str]] = [(value, path)]
    while pending and len(found) < limit:
        current, where = pending.pop()
        if isinstance(current, str):
            problem = text_problem(current, where or "body")
            if problem is not None:
                found.append(problem)
        elif isinstance(current, dict):
            items = list(current.items())
            for key, inner in reversed(items):
                name = printable(str(key))
                inner_path = f"{where}.{name}" if where else name
                problem = text_problem(str(key), inner_path)
                if problem is not None:
                    found.append(problem)
                else:
                    pending.append((inner, inner_path))
        elif isinstance(current, list):
            for index in range(len(current) - 1, -1, -1):
                pending.append((current[index], f"{where}.{index}" if where else str(index)))
    return found[:limit]


def load_json_text(text: str, field: str) -> tuple[Any, list[dict[str, str]]]:
    """JSON text from a form field, parsed, with the problems of :func:`value_problems`
    and :data:`MAX_JSON_DEPTH` named under ``field``: ``(value, [])`` or
    ``(None, problems)``. Raises :class:`ValueError` for text that is not JSON."""
    deep = json_too_deep(text)
    if deep is not None:
        return None, [depth_problem(f"{field}.{deep}" if deep else field)]
    value = json.loads(text)
    problems = value_problems(value, field)
    return (None, problems) if problems else (value, [])


def request_problems() -> list[dict[str, str]]:
    """Everything wrong with the current request's path, query, form and JSON body."""
    problems: list[dict[str, str]] = []
    in_path = text_problem(request.path, "path")
    if in_path is not None:
        # Name the route's parameter that holds it (``external_id``) when there is one.
        for name, value in (request.view_args or {}).items():
            named = text_problem(value, name) if isinstance(value, str) else None
            if named is not None:
                problems.append(named)
        if not problems:
            problems.append(in_path)
    pairs = list(request.args.items(multi=True))
    if request.mimetype in _FORM_TYPES:
        pairs += request.form.items(multi=True)
    for name, value in pairs:
        # A multipart part whose name does not parse has the name None.
        name = name if isinstance(name, str) else ""
        shown = printable(name)
        problem = text_problem(name, shown)
        if problem is None and isinstance(value, str):
            problem = text_problem(value, shown)
        if problem is not None:
            problems.append(problem)
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        deep = json_too_deep(raw)
        if deep is not None:
            problems.append(depth_problem(deep or "body"))
        else:
            problems += value_problems(request.get_json(silent=True))
    return problems[:MAX_PROBLEMS]


def _guard() -> ResponseReturnValue | None:
    problems = request_problems()
    if not problems:
        return None
    from itembank.api.errors import API_PREFIX, problem

    if request.path.startswith(API_PREFIX):
        return problem(
            422,
            "the request holds text no field may hold: "
            + "; ".join(f"{p['field']}: {p['message_en']}" for p in problems),
            code="invalid",
            errors=problems,
        )
    from itembank.ui.errors import refused_page

    return refused_page(problems)


def init_app(app: Flask) -> None:
    """Run the guard before every request, ahead of every blueprint's own checks."""
    app.before_request(_guard)
