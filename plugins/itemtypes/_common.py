"""Pieces the built-in item types share: schema fields, checks, response guards, previews.

Checks that need words an item writer understands live here as small generators of
:class:`~itembank.itemtypes.Problem`, with Indonesian and English messages. Marshmallow
validators are used only where the core can translate their stock message (``OneOf``,
``Range(min=...)``); every other rule is a check, so each message exists in both
languages.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass
from typing import Any, ClassVar

import marshmallow as ma
from markupsafe import Markup

from itembank.itemtypes import JSON, MAX_RICH_TEXT_CHARS, ItemType, Problem

# -- identifiers and rich text ---------------------------------------------------------

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$"
"""QTI-compatible identifiers for options, premises, scale points and criteria."""

# ``fullmatch`` rather than ``^...$``: ``$`` would accept a trailing newline.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")
# A tag holds no "<": scanning from each "<" stops at the next one, so the cost stays
# linear (with "[^>]*" a text of 20,000 "<" took 0.25 s).
_TAG = re.compile(r"<[^<>]*>")
_IMG = re.compile(r"<img\b", re.IGNORECASE)

SCORING_MODES = ("all_or_nothing", "partial", "mapped")


def is_identifier(value: str) -> bool:
    """True when ``value`` is a valid identifier (see :data:`IDENTIFIER_PATTERN`)."""
    return _IDENTIFIER.fullmatch(value) is not None


def html_is_blank(text: str) -> bool:
    """True when rich text shows nothing: no image, and nothing but whitespace once the
    tags are removed and entities (``&nbsp;``) decoded."""
    if _IMG.search(text):
        return False
    return not html.unescape(_TAG.sub("", text)).strip()


def normalised_text(text: str) -> str:
    """Rich text as compared for sameness: its plain text, Unicode-normalised (NFKC),
    case-folded, with runs of whitespace as one space and without a final full stop.
    Text that shows only images normalises to ``""`` (nothing to compare)."""
    plain = html.unescape(_TAG.sub("", text))
    plain = unicodedata.normalize("NFKC", plain).casefold()
    return " ".join(plain.split()).rstrip(" .")


# -- schema fields ---------------------------------------------------------------------


#: The bounds of the item types' numbers. Every number is a float that JSON, the
#: database, QTI and the answer key handle exactly, so nothing downstream (export,
#: scoring, statistics) can meet a value validation let through but it cannot use.
MAX_POINTS = 1000
"""Most points an item (or a rubric criterion) can be worth."""
MAX_WEIGHT = 1000
"""Largest weight, either way (weights lie within ``-MAX_WEIGHT .. MAX_WEIGHT``)."""
MAX_NUMBER = 1_000_000
"""Bound, either way, of a :class:`JsonNumber` that names no bounds of its own."""
MAX_CHOICES = 1000
"""Most choices a ``min_choices``/``max_choices`` can ask for."""


class JsonNumber(ma.fields.Float):
    """A JSON number kept as given, so an int stays an int; strings, booleans, NaN and
    infinity are refused, and so is any number outside ``minimum .. maximum`` (by
    default ``-MAX_NUMBER .. MAX_NUMBER``): every value converts to a float exactly
    enough, and the JSON Schema states the bounds. ``minimum=None`` leaves the lower
    bound to a check with its own message (points must be positive: the check refuses
    every number <= 0)."""

    def __init__(
        self, *, minimum: float | None = -MAX_NUMBER, maximum: float = MAX_NUMBER, **kwargs: Any
    ) -> None:
        validators = list(kwargs.pop("validate", None) or [])
        validators.insert(0, ma.validate.Range(min=minimum, max=maximum))
        super().__init__(validate=validators, **kwargs)

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid", input=value)
        return value

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def bounded_integer(default: int, minimum: int, maximum: int) -> ma.fields.Integer:
    """A whole number (``true``/``1.0`` refused) from ``minimum`` to ``maximum``."""
    return ma.fields.Integer(
        strict=True,
        load_default=default,
        validate=ma.validate.Range(min=minimum, max=maximum),
    )


class StrictBoolean(ma.fields.Boolean):
    """``true`` or ``false`` only (marshmallow's Boolean also takes ``1``, ``"yes"`` ...)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


def rich_text_field() -> ma.fields.String:
    """A required rich-text (HTML) field, at most
    :data:`~itembank.itemtypes.MAX_RICH_TEXT_CHARS` characters (the core checks
    the same limit on every field :meth:`ItemType.html_fields` yields)."""
    return ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=MAX_RICH_TEXT_CHARS),
        metadata={"description": "HTML"},
    )


class OptionSchema(ma.Schema):
    """One option (premise, response, scale point): an identifier and its HTML text."""

    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    text = rich_text_field()


def entries_field(schema: type[ma.Schema] = OptionSchema, min_items: int = 2) -> ma.fields.List:
    """A required list of nested entries (options, premises, ...)."""
    return ma.fields.List(ma.fields.Nested(schema), required=True, metadata={"minItems": min_items})


def points_field() -> JsonNumber:
    """The item's points: a number > 0 (:func:`check_points`) and at most
    :data:`MAX_POINTS`, default 1."""
    return JsonNumber(
        load_default=1, minimum=None, maximum=MAX_POINTS, metadata={"exclusiveMinimum": 0}
    )


def shuffle_field(default: bool) -> StrictBoolean:
    """Whether delivery shuffles the options."""
    return StrictBoolean(load_default=default)


def scoring_field() -> ma.fields.String:
    """``all_or_nothing`` (the default), ``partial`` or ``mapped`` (values per option or
    pair: :mod:`plugins.itemtypes._mapped`)."""
    return ma.fields.String(
        load_default="all_or_nothing", validate=ma.validate.OneOf(SCORING_MODES)
    )


def check_not_mapped(content: dict[str, JSON]) -> Iterator[Problem]:
    """For a type whose scoring field offers ``mapped`` but which has no values to map
    (hotspot, graphic associate): say so, rather than score such content otherwise."""
    if content.get("scoring") == "mapped":
        yield Problem(
            "scoring",
            "Penskoran berbobot tidak tersedia untuk jenis soal ini; pilih semua atau tidak "
            "sama sekali, atau sebagian.",
            "Mapped scoring is not available for this item type; choose all or nothing, or "
            "partial.",
        )


# -- checks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Noun:
    """What an entry is called in messages, in Indonesian and English."""

    id: str
    en: str
    en_plural: str


OPTION = Noun("pilihan", "option", "options")


def check_count(
    items: Sized, path: str, noun: Noun, minimum: int, maximum: int | None = None
) -> Iterator[Problem]:
    """At least ``minimum`` and at most ``maximum`` (if given) entries."""
    if len(items) < minimum:
        yield Problem(
            path,
            f"Minimal {minimum} {noun.id}.",
            f"At least one {noun.en} is required."
            if minimum == 1
            else f"At least {minimum} {noun.en_plural} are required.",
        )
    if maximum is not None and len(items) > maximum:
        yield Problem(
            path,
            f"Maksimal {maximum} {noun.id}.",
            f"At most {maximum} {noun.en_plural} are allowed.",
        )


def check_entries(
    groups: Iterable[tuple[str, Sequence[Mapping[str, JSON]], Noun]], text_key: str = "text"
) -> Iterator[Problem]:
    """Valid identifiers, unique across all ``groups`` together, and non-blank texts
    that differ within each group (compared by :func:`normalised_text`).

    :param groups: ``(path, entries, noun)`` for each list of entries.
    """
    seen: set[str] = set()
    for path, entries, noun in groups:
        texts: dict[str, str] = {}  # normalised text -> the identifier that has it
        for index, entry in enumerate(entries):
            ident = entry["id"]
            repeated_id = False
            if not is_identifier(ident):
                yield Problem(
                    f"{path}.{index}.id",
                    f"Kode {noun.id} '{ident}' tidak valid: gunakan huruf, angka, '_', '.' "
                    "atau '-', diawali huruf atau '_', paling panjang 32 karakter.",
                    f"The {noun.en} identifier '{ident}' is not valid: use letters, digits, "
                    "'_', '.' or '-', starting with a letter or '_', at most 32 characters.",
                )
            elif ident in seen:
                repeated_id = True
                yield Problem(
                    f"{path}.{index}.id",
                    f"Kode '{ident}' dipakai lebih dari sekali.",
                    f"Identifier '{ident}' is used more than once.",
                )
            seen.add(ident)
            if html_is_blank(entry[text_key]):
                yield Problem(
                    f"{path}.{index}.{text_key}",
                    f"Teks {noun.id} '{ident}' kosong.",
                    f"The text of {noun.en} '{ident}' is empty.",
                )
                continue
            normal = normalised_text(entry[text_key])
            if normal and normal in texts and not repeated_id:
                yield Problem(
                    f"{path}.{index}.{text_key}",
                    f"Teks {noun.id} '{ident}' sama dengan {noun.id} '{texts[normal]}'.",
                    f"The text of {noun.en} '{ident}' is the same as {noun.en} '{texts[normal]}'.",
                )
            elif normal:
                texts[normal] = str(ident)


def check_positive(value: float, path: str, what_id: str, what_en: str) -> Iterator[Problem]:
    """``value`` > 0; ``what_id``/``what_en`` name it, e.g. ``"Poin"``/``"Points"``."""
    if value <= 0:
        yield Problem(
            path, f"{what_id} harus lebih besar dari 0.", f"{what_en} must be greater than 0."
        )


def check_points(content: Mapping[str, JSON]) -> Iterator[Problem]:
    """The item's ``points`` > 0."""
    yield from check_positive(content["points"], "points", "Poin", "Points")


def unknown_key(path: str, key: str) -> Problem:
    """A key that names no option."""
    return Problem(
        path,
        f"Kunci '{key}' tidak ada di pilihan jawaban.",
        f"Key '{key}' is not one of the options.",
    )


def repeated(values: Iterable[str]) -> Iterator[tuple[int, str]]:
    """``(index, value)`` for each value that already occurred earlier in ``values``."""
    seen: set[str] = set()
    for index, value in enumerate(values):
        if value in seen:
            yield index, value
        seen.add(value)


# -- entries ---------------------------------------------------------------------------


def text_fields(
    content: Mapping[str, JSON], key: str, text_key: str = "text"
) -> Iterator[tuple[str, str]]:
    """``(path, html)`` for the rich text of each entry in ``content[key]``."""
    for index, entry in enumerate(content[key]):
        yield f"{key}.{index}.{text_key}", entry[text_key]


def texts_by_id(entries: Iterable[Mapping[str, JSON]], text_key: str = "text") -> dict[str, str]:
    """Identifier -> HTML text, in the entries' order."""
    return {entry["id"]: entry[text_key] for entry in entries}


# -- responses and scores --------------------------------------------------------------


def _type_name(value: Any) -> str:
    return type(value).__name__


def response_id(response: JSON) -> str | None:
    """A single identifier response (or ``None``); anything else is the wrong shape."""
    if response is None or isinstance(response, str):
        return response
    raise ValueError(f"response must be an identifier string or None, not {_type_name(response)}")


def response_ids(response: JSON) -> list[str] | None:
    """A list of identifiers (or ``None``); anything else is the wrong shape."""
    if response is None:
        return None
    if not isinstance(response, (list, tuple)):
        raise ValueError(
            f"response must be a list of identifiers or None, not {_type_name(response)}"
        )
    for value in response:
        if not isinstance(value, str):
            raise ValueError(f"response must list identifier strings, not {_type_name(value)}")
    return list(response)


def partial_credit(points: float, earned: int, out_of: int) -> float:
    """``points * earned / out_of``, clamped to ``[0, points]`` (exact at both ends)."""
    if earned <= 0:
        return 0
    if earned >= out_of:
        return points
    return points * earned / out_of


# -- previews --------------------------------------------------------------------------


CHOOSE_ONE = ("Pilih satu jawaban.", "Choose one answer.")
"""The instruction for radio-button choices, Indonesian and English."""


def pick(lang: str, id_text: str, en_text: str) -> str:
    """The English text when ``lang == "en"``, else the Indonesian one."""
    return en_text if lang == "en" else id_text


def letter(index: int) -> str:
    """Display letter for the ``index``-th choice: A ... Z, AA, AB, ..."""
    result = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        result = chr(ord("A") + rest) + result
    return result


def render_item(type_id: str, stem: str, body: Callable[[str], Markup]) -> str:
    """The preview wrapper: the stem, then ``body(prefix)``.

    ``prefix`` makes element ids unique per item; it depends only on the type and the
    stem, never on the key.
    """
    digest = hashlib.sha256(f"{type_id}\0{stem}".encode()).hexdigest()[:10]
    prefix = f"ib-{digest}"
    return str(
        Markup(
            '<div class="ib-item ib-{type_id}"><div class="ib-stem" id="{prefix}-stem">{stem}'
            "</div>{body}</div>"
        ).format(type_id=type_id, prefix=prefix, stem=Markup(stem), body=body(prefix))
    )


def hint_paragraph(prefix: str, hint: str) -> Markup:
    """An instruction paragraph with id ``{prefix}-hint``."""
    return Markup('<p class="ib-hint" id="{prefix}-hint">{hint}</p>').format(
        prefix=prefix, hint=hint
    )


def choice_fieldset(
    prefix: str,
    input_type: str,
    legend: str,
    choices: Iterable[tuple[str, Markup]],
    *,
    lettered: bool = True,
    hint: str = "",
) -> Markup:
    """Radio buttons or checkboxes, each with a label, in a fieldset described by the stem.

    :param choices: ``(value, label)``; the label is Markup (sanitized HTML, or escaped
        plain text).
    """
    rows = []
    for index, (value, label) in enumerate(choices):
        marker = (
            Markup('<span class="ib-choice-letter">{}.</span> ').format(letter(index))
            if lettered
            else Markup("")
        )
        rows.append(
            Markup(
                '<div class="ib-choice"><input type="{type}" id="{prefix}-c{index}" '
                'name="{prefix}-response" value="{value}"> <label for="{prefix}-c{index}">'
                '{marker}<span class="ib-choice-text">{label}</span></label></div>'
            ).format(
                type=input_type,
                prefix=prefix,
                index=index,
                value=value,
                marker=marker,
                label=label,
            )
        )
    described_by = f"{prefix}-stem {prefix}-hint" if hint else f"{prefix}-stem"
    return Markup(
        '<fieldset class="ib-choices" aria-describedby="{described_by}"><legend>{legend}'
        "</legend>{hint}{rows}</fieldset>"
    ).format(
        described_by=described_by,
        legend=legend,
        hint=hint_paragraph(prefix, hint) if hint else Markup(""),
        rows=Markup("").join(rows),
    )


# -- a base for types built on one list of entries -------------------------------------


class OptionsItemType(ItemType):
    """Behaviour shared by types whose content holds one list of ``{id, text}`` entries
    (``options``, or a Likert ``scale``): its checks, rich-text fields and texts."""

    #: The content key of the list.
    entries_key: ClassVar[str] = "options"
    #: What one entry is called in messages.
    entry_noun: ClassVar[Noun] = OPTION
    min_entries: ClassVar[int] = 2
    max_entries: ClassVar[int | None] = None

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        """Count, identifiers and texts of the entries; subclasses add their own checks
        after ``yield from super().check(content)``."""
        entries = content[self.entries_key]
        key = self.entries_key
        yield from check_count(entries, key, self.entry_noun, self.min_entries, self.max_entries)
        yield from check_entries([(key, entries, self.entry_noun)])

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield from text_fields(content, self.entries_key)

    def entry_texts(self, content: dict[str, JSON]) -> dict[str, str]:
        """Identifier -> HTML text, in display order."""
        return texts_by_id(content[self.entries_key])

    def render_choices(
        self,
        stem: str,
        content: dict[str, JSON],
        input_type: str,
        legend: str,
        *,
        hint: str = "",
        lettered: bool = True,
    ) -> str:
        """The preview: the entries as radio buttons or checkboxes."""
        choices = [(entry["id"], Markup(entry["text"])) for entry in content[self.entries_key]]
        return render_item(
            self.id,
            stem,
            lambda prefix: choice_fieldset(
                prefix, input_type, legend, choices, hint=hint, lettered=lettered
            ),
        )
