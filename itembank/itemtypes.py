"""The item type contract.

An item type is a plugin object registered through the
:func:`itembank.hookspecs.itembank_register_item_types` hook. Built-in types in
``plugins/itemtypes/`` use exactly this contract, so a third-party package can add a
type that the core treats the same way.

Content is plain JSON (dicts, lists, strings, numbers) validated first by the type's
marshmallow schema and then by :meth:`ItemType.check`, which reports problems an item
writer can act on. The core never looks inside content except through this class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import marshmallow as ma

if TYPE_CHECKING:
    from qti.model import AssessmentItem

JSON = Any
"""A JSON-compatible value."""


@dataclass(frozen=True)
class Problem:
    """One problem with an item's content, in words an item writer understands.

    :param field: a dotted path into the content (``"options.2.text"``), or ``""`` for the
        item as a whole.
    :param message: the message in Indonesian (the UI's first language).
    :param message_en: the same message in English.
    """

    field: str
    message: str
    message_en: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "message_en": self.message_en}


@dataclass(frozen=True)
class ContentSummary:
    """What the core needs to know about content without knowing the type.

    Used for the version diff, for text search and for answer-key reports.

    :param options: option (or statement, premise, ...) identifier -> its HTML text, in
        display order. Identifiers are unique within the item.
    :param keys: the identifiers (or accepted answers) that make up the correct response,
        in a stable order; empty when the type has no key (Likert, essay).
    :param weights: identifier -> score for types that weight every option.
    :param extra: any further type-specific facts worth showing in a diff, as
        ``{label: value}`` (points, scoring mode, case rule, ...).
    """

    options: dict[str, str] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)
    extra: dict[str, JSON] = field(default_factory=dict)


class ContentError(ValueError):
    """Content failed the type's schema or checks; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field or 'content'}: {p.message}" for p in problems))


class ExportNotSupported(ValueError):
    """An item type (or one content of it) cannot be written as QTI.

    :ivar type_id: the item type.
    :ivar message: why, in Indonesian; :ivar message_en: the same in English.
    """

    def __init__(self, type_id: str, message: str = "", message_en: str = "") -> None:
        self.type_id = type_id
        self.message = message or f"Jenis soal '{type_id}' tidak dapat diekspor ke QTI."
        self.message_en = message_en or f"Item type '{type_id}' cannot be exported to QTI."
        super().__init__(self.message_en)


class ImportNotSupported(ValueError):
    """A QTI item of the shape an item type handles that it still cannot represent
    faithfully (``from_qti`` raises it; the importer reports the reason and asks the next
    type).

    :ivar type_id: the item type.
    :ivar message: why, in Indonesian; :ivar message_en: the same in English.
    """

    def __init__(self, type_id: str, message: str, message_en: str) -> None:
        self.type_id = type_id
        self.message = message
        self.message_en = message_en
        super().__init__(message_en)


SourceScore = Callable[[Any], float]
"""The source item's ``SCORE`` for a ``RESPONSE`` value in QTI form (what :mod:`qti.rp`
takes: an identifier, a list, pairs as 2-tuples, a string or a number; ``None`` is blank),
computed by the source's own response processing."""

#: The ``label`` the core writes on exported items (``itembank:<type id>``), read back as
#: a hint on import: the type it names is asked first.
QTI_LABEL_PREFIX = "itembank:"


class ItemType:
    """Base class for item types. Subclass it and register an instance.

    Subclasses set the class attributes and implement :meth:`score`, :meth:`summary`
    and :meth:`preview_html`; :meth:`check` and :meth:`html_fields` have sensible
    defaults but most types override them.
    """

    #: Stable identifier stored with every item, e.g. ``"single_choice"``. Lowercase,
    #: letters, digits and underscores.
    id: ClassVar[str]
    #: Human names, ``{"id": "Pilihan ganda", "en": "Single choice"}``.
    label: ClassVar[Mapping[str, str]]
    #: One-sentence descriptions in the same two languages.
    description: ClassVar[Mapping[str, str]] = {"id": "", "en": ""}
    #: The marshmallow schema class for the content JSON.
    content_schema: ClassVar[type[ma.Schema]]
    #: True when a person scores responses (essay); ``score`` then takes the rater's
    #: rubric scores as the response.
    scored_by_person: ClassVar[bool] = False

    # -- validation ---------------------------------------------------------------

    def load(self, content: JSON) -> dict[str, JSON]:
        """Validate ``content`` fully and return its normalised form.

        Runs the marshmallow schema, then :meth:`check`. Raises :class:`ContentError`
        listing every problem found.
        """
        if not isinstance(content, dict):
            raise ContentError(
                [Problem("", "Isi soal harus berupa objek JSON.", "Content must be a JSON object.")]
            )
        try:
            data = self.content_schema().load(content)
        except ma.ValidationError as exc:
            raise ContentError(list(flatten_marshmallow_errors(exc.messages))) from None
        problems = list(self.check(data))
        if problems:
            raise ContentError(problems)
        return data

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        """Yield problems the schema cannot express (a key naming a missing option,
        weights out of range, fewer than two options, ...). ``content`` has passed the
        schema already."""
        return iter(())

    # -- rich text ------------------------------------------------------------------

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        """Yield ``(dotted_path, html)`` for every rich-text field in the content
        (option texts, feedback). The core sanitizes each one on save."""
        return iter(())

    def map_html(self, content: dict[str, JSON], fn: Callable[[str], str]) -> dict[str, JSON]:
        """Return a copy of ``content`` with ``fn`` applied to every field that
        :meth:`html_fields` yields."""
        import copy

        result = copy.deepcopy(content)
        for path, value in self.html_fields(content):
            _set_path(result, path, fn(value))
        return result

    # -- scoring and display ----------------------------------------------------------

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        """The reference score of ``response`` for this content.

        ``None`` means no response (blank), which scores 0 for every built-in type. The
        QTI export must reproduce this function exactly. Responses of the wrong shape
        raise :class:`ValueError`.
        """
        raise NotImplementedError

    def max_score(self, content: dict[str, JSON]) -> float:
        """The highest score any response can get."""
        raise NotImplementedError

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        """Options, keys and weights, for diffs, search and answer keys."""
        raise NotImplementedError

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        """The item as a candidate would see it, as an HTML fragment (no key shown).

        ``stem`` and the content's rich-text fields are already sanitized; everything
        else must be escaped by the implementation.
        """
        raise NotImplementedError

    def example_content(self) -> dict[str, JSON]:
        """A small valid content document, used by editors and API docs."""
        raise NotImplementedError

    # -- QTI ------------------------------------------------------------------------------

    def to_qti(
        self,
        stem: str,
        content: dict[str, JSON],
        *,
        identifier: str,
        title: str,
        lang: str = "id",
    ) -> AssessmentItem:
        """The item as a neutral QTI model (:class:`qti.model.AssessmentItem`).

        ``stem`` and every field :meth:`html_fields` yields arrive as XHTML fragments
        already (call :meth:`qti_item` to have the core convert sanitized HTML); texts the
        type writes itself must be escaped. The model's scoring must reproduce
        :meth:`score` exactly for every response :meth:`qti_response` accepts: ``SCORE``
        (float) after response processing equals ``score(content, response)``. The
        response variable is ``RESPONSE`` and ``MAXSCORE`` holds :meth:`max_score`.

        Types that cannot be exported keep this default, which raises
        :class:`ExportNotSupported`. The inverse is :meth:`from_qti`.

        :param identifier: the QTI identifier for the item (valid, unique in a package).
        :param title: the item's title (e.g. the bank's item id).
        :param lang: the content language.
        """
        raise ExportNotSupported(self.id)

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, Any]:
        """The QTI response variables for a response in the bank's own shape.

        Used to check an export against :meth:`score` and to read delivery results.
        Raises :class:`ValueError` for the shapes :meth:`score` refuses. The default
        passes the response through as ``RESPONSE``.
        """
        return {"RESPONSE": response}

    def qti_item(
        self,
        stem_html: str,
        content: dict[str, JSON],
        *,
        identifier: str,
        title: str,
        lang: str = "id",
    ) -> AssessmentItem:
        """:meth:`to_qti` on stored content: the stem and rich-text fields are sanitized
        HTML, converted here to XHTML (``itembank.sanitize.html_to_xhtml``)."""
        from itembank.sanitize import html_to_xhtml

        item = self.to_qti(
            html_to_xhtml(stem_html),
            self.map_html(content, html_to_xhtml),
            identifier=identifier,
            title=title,
            lang=lang,
        )
        if item.label is None:
            item = replace(item, label=f"{QTI_LABEL_PREFIX}{self.id}")
        return item

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """Content for a QTI item this type represents faithfully, or ``None`` when the
        item is not of this type's shape (the importer then asks the next type).

        ``item`` is the item as read (:mod:`qti.reader`): the body's XHTML fragments have
        no namespace and image sources are as written. Copy rich text into the fields
        :meth:`html_fields` yields; the core converts them (and the stem, which it builds
        from the body and the interaction's prompt) to sanitized HTML with bank images.
        ``score`` runs the source's own response processing, so scores can be read off
        the source (the score of each option, of the declared correct response) whatever
        the processing looks like. The importer then checks the content with
        :meth:`load` and proves the scoring: for every response in a generated set
        :meth:`score` must equal the source's score exactly, or the item is refused.

        Raise :class:`ImportNotSupported` for an item of this type's shape that the type
        still cannot represent (the reason is reported). The default returns ``None``.
        """
        return None

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        """The bank's response for a QTI ``RESPONSE`` value (the inverse of
        :meth:`qti_response`; used to prove imported scoring and to read delivery
        results). Raise :class:`ValueError` for values the type has no form for. The
        default turns tuples (pairs) into lists and keeps everything else."""
        return _plain(value)

    def json_schema(self) -> dict[str, JSON]:
        """A JSON Schema for the content (best effort, for client editors)."""
        from itembank.jsonschema import schema_to_json_schema

        return schema_to_json_schema(self.content_schema)

    def __repr__(self) -> str:
        return f"<ItemType {self.id}>"


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(part) for part in value]
    return value


def _set_path(doc: Any, path: str, value: Any) -> None:
    parts = path.split(".")
    target = doc
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value


def flatten_marshmallow_errors(messages: Any, prefix: str = "") -> Iterator[Problem]:
    """Turn marshmallow's nested error dict into a flat list of problems."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix
            yield from flatten_marshmallow_errors(value, path)
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict | list):
                yield from flatten_marshmallow_errors(message, prefix)
            else:
                yield Problem(prefix, _translate(str(message)), str(message))
    else:
        yield Problem(prefix, _translate(str(messages)), str(messages))


_MARSHMALLOW_ID = {
    "Missing data for required field.": "Wajib diisi.",
    "Unknown field.": "Kolom tidak dikenal.",
    "Field may not be null.": "Tidak boleh kosong.",
    "Not a valid string.": "Harus berupa teks.",
    "Not a valid integer.": "Harus berupa bilangan bulat.",
    "Not a valid number.": "Harus berupa angka.",
    "Not a valid boolean.": "Harus benar atau salah (true/false).",
    "Not a valid list.": "Harus berupa daftar.",
    "Invalid input type.": "Jenis masukan tidak valid.",
    "Shorter than minimum length 1.": "Tidak boleh kosong.",
}


def _translate(message: str) -> str:
    """Indonesian for marshmallow's stock English messages (others pass through)."""
    if message in _MARSHMALLOW_ID:
        return _MARSHMALLOW_ID[message]
    if message.startswith("Must be one of:"):
        return "Harus salah satu dari:" + message[len("Must be one of:") :]
    for english, indonesian in _MARSHMALLOW_PHRASES:
        message = message.replace(english, indonesian)
    return message


# Pieces of marshmallow's composed messages (Range, Length), longest first.
_MARSHMALLOW_PHRASES = (
    ("Must be greater than or equal to", "Harus lebih besar atau sama dengan"),
    ("Must be less than or equal to", "Harus lebih kecil atau sama dengan"),
    ("Must be greater than", "Harus lebih besar dari"),
    ("Must be less than", "Harus lebih kecil dari"),
    (" and less than or equal to ", " dan lebih kecil atau sama dengan "),
    (" and less than ", " dan lebih kecil dari "),
    ("Shorter than minimum length", "Lebih pendek dari panjang minimum"),
    ("Longer than maximum length", "Lebih panjang dari panjang maksimum"),
    ("Length must be between", "Panjang harus antara"),
    (" and ", " dan "),
)
