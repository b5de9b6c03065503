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

import functools
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import marshmallow as ma

from itembank.schema_load import load as schema_load
from itembank.schema_load import schema_instance as schema_instance

if TYPE_CHECKING:
    from qti.model import AssessmentItem

JSON = Any
"""A JSON-compatible value."""

#: Longest rich-text field of any content (an option, a rubric criterion, ...), in
#: characters. The core checks it on every field :meth:`ItemType.html_fields` yields
#: before sanitizing; built-in types state it in their schemas too (``maxLength``).
MAX_RICH_TEXT_CHARS = 20_000
#: Longest content document as compact JSON, in characters: all options, keys and
#: numbers of one item together (the stem has its own limit).
MAX_CONTENT_CHARS = 200_000


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
computed by the source's own response processing. For an item whose interactions are
all inline choices (one or several gaps, each its own response variable) the value is a
dict, response identifier -> value (a variable left out is blank), and so are the values
:meth:`ItemType.response_from_qti` gets and :meth:`ItemType.qti_response` returns."""

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
    #: Why choosing one option alone has no score of its own, for types where it has
    #: none (ordering: only a whole order is scored), as ``{"id": ..., "en": ...}``;
    #: answer keys then list no per-option scores and say this instead. ``None``: each
    #: option alone is a response the type scores.
    no_option_scores: ClassVar[Mapping[str, str] | None] = None
    #: True when the content holds the item's text with its embedded parts (a sentence
    #: with gaps, a text with hot texts): :meth:`from_qti` takes the body from its first
    #: text with embedded parts to its last (:func:`qti.model.text_span`) into the
    #: content, and the importer builds the stem from the rest of the body only.
    body_in_content: ClassVar[bool] = False

    # -- validation ---------------------------------------------------------------

    def load(self, content: JSON) -> dict[str, JSON]:
        """Validate ``content`` fully and return its normalised form.

        Runs the marshmallow schema (:func:`itembank.schema_load.load`: marshmallow's
        result and errors, in fewer steps for plain JSON), then :meth:`check`. Raises
        :class:`ContentError` listing every problem found.
        """
        if not isinstance(content, dict):
            raise ContentError(
                [Problem("", "Isi soal harus berupa objek JSON.", "Content must be a JSON object.")]
            )
        try:
            data = schema_load(self.content_schema, content)
        except ma.ValidationError as exc:
            raise ContentError(list(flatten_marshmallow_errors(exc.messages))) from None
        problems = list(self.check(data))
        if problems:
            raise ContentError(problems)
        return data

    def check_stored(self, content: dict[str, JSON]) -> None:
        """Check stored ``content`` again before it leaves the bank (QTI export, answer
        keys): content saved before a limit existed, or written around validation, is
        refused with :class:`ExportNotSupported` naming its problems, so nothing
        downstream meets a value validation would not let through now."""
        try:
            self.load(content)
        except ContentError as exc:
            shown = exc.problems[:5]
            raise ExportNotSupported(
                self.id,
                "Isi soal yang tersimpan tidak lolos validasi: "
                + "; ".join(f"{p.field or 'isi'}: {p.message}" for p in shown),
                "The stored content does not pass validation: "
                + "; ".join(f"{p.field or 'content'}: {p.message_en or p.message}" for p in shown),
            ) from None

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
        result = _copy_json(content)
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

    def scorer(self, content: dict[str, JSON]) -> Callable[[JSON], float]:
        """:meth:`score` for one ``content`` and many responses (the import's scoring
        proof): the same function, for which a type may prepare what depends on the
        content alone once (``content`` must not change while the function is used).
        The default calls :meth:`score`."""
        return functools.partial(self.score, content)

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

        if type(self).to_qti is ItemType.to_qti:
            raise ExportNotSupported(self.id)  # before its content: it cannot export at all
        self.check_stored(content)
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

    def from_qti_contents(
        self, item: AssessmentItem, score: SourceScore
    ) -> Iterator[dict[str, JSON]]:
        """Every content this type offers for ``item``, most preferred first: the importer
        checks and proves each in turn and keeps the first whose scoring it proves (a
        type with two ways to score the same interaction, such as multiple response's
        partial credit and its mapped scoring, offers both). The default yields
        :meth:`from_qti`'s content, if any. Raising :class:`ImportNotSupported` reports
        why the item cannot be represented (contents already yielded are still tried)."""
        content = self.from_qti(item, score)
        if content is not None:
            yield content

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        """The bank's response for a QTI ``RESPONSE`` value (the inverse of
        :meth:`qti_response`; used to prove imported scoring and to read delivery
        results). Raise :class:`ValueError` for values the type has no form for. The
        default turns tuples (pairs) into lists and keeps everything else. ``value`` must
        not be changed (an import's proof gives the items of one shape the same values)."""
        return _plain(value)

    def round_trip(self, content: dict[str, JSON]) -> Callable[[Any], tuple[JSON, dict[str, Any]]]:
        """For one ``content`` and many QTI values (the import's scoring proof): a
        function giving, for a value, the bank's response (:meth:`response_from_qti`) and
        the QTI variables that response gives back (:meth:`qti_response`), raising as
        they raise, in the same order. A type may prepare what depends on the content
        alone once (``content`` must not change while the function is used). The default
        calls the two methods."""
        from_qti, to_qti = self.response_from_qti, self.qti_response

        def trip(value: Any) -> tuple[JSON, dict[str, Any]]:
            response = from_qti(content, value)
            return response, to_qti(content, response)

        return trip

    def proof_key(self, content: dict[str, JSON]) -> Hashable | None:
        """What of ``content`` (as :meth:`load` returned it) the import's scoring proof
        depends on, for an import to prove an item once per distinct key: ``None`` (the
        default) proves every item; a key promises that two contents with equal keys give
        the same results of :meth:`round_trip`, :meth:`response_from_qti`,
        :meth:`qti_response`, :meth:`score` and :meth:`scorer` (values, errors and their
        messages) for every response, and of :attr:`scored_by_person`. It must hold
        everything those methods read (identifiers and their order, keys, points,
        weights, scoring modes, areas, case rules, ...), with the types of numbers
        (``1`` from ``1.0`` and ``True``); it may leave out what none of them reads (the
        texts shown). :func:`key_without_rich_text` is such a key for a type whose
        scoring reads no field :meth:`html_fields` yields."""
        return None

    def json_schema(self) -> dict[str, JSON]:
        """A JSON Schema for the content (best effort, for client editors)."""
        from itembank.jsonschema import schema_to_json_schema

        return schema_to_json_schema(self.content_schema)

    # -- other types ------------------------------------------------------------------

    def attach(self, types: Mapping[str, ItemType]) -> None:
        """Called by the plugin host once every type is registered, with the registry
        (read-only; this type included). A type built of other types (the composite
        item's parts) keeps it to find them; the default ignores it."""

    # -- the web UI's item editor ---------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        """The item editor's controls for the content (the stem and metadata are the
        core's), as :class:`EditorField` descriptions; the web UI builds the form from
        them and writes the content JSON back. Together they must name every field of
        :attr:`content_schema` (:func:`check_editor_fields` says what is wrong).

        The default, ``[]``, makes the editor show the content as JSON in a text area
        (starting from :meth:`example_content`), so a type works before it has one.
        """
        return []

    def __repr__(self) -> str:
        return f"<ItemType {self.id}>"


class _NotJSON(ValueError):
    """A value :func:`key_without_rich_text` or :func:`frozen_json` does not freeze."""


def key_without_rich_text(item_type: ItemType, content: dict[str, JSON]) -> Hashable | None:
    """An :meth:`ItemType.proof_key`: the whole content but the rich-text fields
    :meth:`ItemType.html_fields` yields (each left as a marker, so the structure stays),
    frozen so that what Python's equality would confuse stays apart: the type of every
    scalar (``1``, ``1.0``, ``True``), floats by their exact bits (``0.0`` from ``-0.0``),
    lists from dicts, dicts with their keys in order. Sound for a type none of whose
    scoring methods reads a rich-text field; ``None`` for content that is not plain JSON."""
    skip: dict[str, Any] = {}
    for path, _html in item_type.html_fields(content):
        node = skip
        *parents, last = path.split(".")
        for name in parents:
            child = node.get(name)
            if child is None:
                child = node[name] = {}
            elif child is _RICH_TEXT:
                break  # (a field inside one already left out)
            node = child
        else:
            node[last] = _RICH_TEXT
    try:
        return _frozen_json(content, skip)
    except _NotJSON:
        return None


#: What a left-out rich-text field is frozen as.
_RICH_TEXT = ("rich text",)
_NO_SKIP: dict[str, Any] = {}


def frozen_json(value: Any) -> Hashable:
    """``value`` (JSON-shaped: str-keyed dicts, lists or tuples, scalars) hashable and
    apart from every value Python's equality would confuse it with, as
    :func:`key_without_rich_text` freezes content (the import's proofs' memo keys the
    responses it tries with it). :raises ValueError: for anything else."""
    return _frozen_json(value, _NO_SKIP)


def _frozen_json(value: Any, skip: dict[str, Any]) -> Hashable:
    kind = type(value)
    if kind is str:
        return value
    if kind is dict:
        frozen: list[Any] = [dict]
        for key, item in value.items():
            if type(key) is not str:
                raise _NotJSON
            inner = skip.get(key, _NO_SKIP) if skip else _NO_SKIP
            frozen.append(key)
            frozen.append(_RICH_TEXT if inner is _RICH_TEXT else _frozen_json(item, inner))
        return tuple(frozen)
    if kind is list or kind is tuple:  # (tuples: responses, never content)
        if not skip:
            return (kind, *(_frozen_json(item, _NO_SKIP) for item in value))
        parts: list[Any] = [kind]
        for index, item in enumerate(value):
            inner = skip.get(str(index), _NO_SKIP)
            parts.append(_RICH_TEXT if inner is _RICH_TEXT else _frozen_json(item, inner))
        return tuple(parts)
    if kind is float:
        return (float, value.hex())
    if kind is int or kind is bool or value is None:
        return (kind, value)
    raise _NotJSON


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped ``value`` (dicts and lists copied, scalars shared), as
    ``copy.deepcopy`` makes it at a fraction of the cost; anything else by deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: _copy_json(item) for key, item in value.items()}
    if kind is list:
        return [_copy_json(item) for item in value]
    if value is None or kind in (str, int, float, bool):
        return value
    import copy

    return copy.deepcopy(value)


# -- editor descriptions ---------------------------------------------------------------

#: What an :class:`EditorField` can be, and the JSON each kind writes:
#:
#: ``rich_text`` an HTML string edited with the rich-text editor (sanitized on save);
#: ``text`` a one-line plain string; ``number`` a JSON number; ``integer`` a whole
#: number; ``boolean`` ``true``/``false`` (a checkbox); ``choice`` one of ``choices``'
#: values (any JSON scalar); ``text_list`` a list of plain strings; ``group`` an object
#: of ``fields``; ``entries`` a list of objects, each an ``id`` plus ``fields``;
#: ``key`` one ``id`` of the entries named by ``source``; ``keys`` a list of them;
#: ``order`` every ``id`` of ``source`` in a chosen order; ``pairs`` a list of
#: ``[source id, target id]``, at most one per ``source`` entry; ``pair_values`` a list
#: of ``[source id, target id, number]``, at most one per pair of entries (a grid of
#: numbers, an empty cell left out); ``parts`` a list of objects, each an ``id``, the
#: ``type`` chosen among ``choices``, ``fields`` (a prompt) and ``content``, the chosen
#: type's own content, edited with its description in ``variants``; ``image`` rich text
#: holding one bank image with its ``width`` and ``height`` (picked or uploaded);
#: ``regions`` a list of ``{id, shape, coords, ...}`` drawn on the ``image`` field named
#: by ``source`` (rectangles and circles dragged, polygons clicked point by point,
#: coordinates in image pixels, editable as text too), a source for ``key``/``keys``/``pairs``.
EDITOR_KINDS = frozenset(
    {
        *("rich_text", "text", "number", "integer", "boolean", "choice", "text_list"),
        *("group", "entries", "key", "keys", "order", "pairs", "pair_values", "parts"),
        *("image", "regions"),
    }
)
#: How new entries get their ``id``: ``letter`` A, B, C ...; ``prefix`` ``id_prefix``
#: and a number (P1, P2 ...); ``custom`` typed by the writer.
ID_STYLES = frozenset({"letter", "prefix", "custom"})


@dataclass(frozen=True)
class EditorField:
    """One control of the item editor, writing ``content[name]``.

    :param name: the content key (within its group or entry).
    :param kind: one of :data:`EDITOR_KINDS`.
    :param label: ``{"id": ..., "en": ...}``, shown beside the control.
    :param help: an optional one-line explanation in the same two languages.
    :param default: the value of a new item (``None``: empty).
    :param minimum: lowest value of a number, or fewest entries of a list; 0 on an
        ``image`` makes it optional (the editor offers to remove it).
    :param maximum: highest value of a number, or most entries of a list.
    :param choices: ``(value, label)`` pairs of a ``choice``.
    :param fields: the fields of a ``group``, or of each entry of ``entries``.
    :param source: the ``entries`` field a ``key``/``keys``/``order``/``pairs``/
        ``pair_values`` names.
    :param target: the second ``entries`` field of ``pairs`` and ``pair_values``.
    :param id_style: how a new entry of ``entries`` gets its id (:data:`ID_STYLES`).
    :param id_prefix: the prefix of ``prefix`` ids.
    :param start_items: how many empty entries (or strings) a new item starts with.
    :param entry_label: what one entry is called, ``{"id": "Pilihan", "en": "Option"}``.
    :param variants: for ``parts``: each choice's value -> the description of the
        content that choice edits (an item type's own :meth:`ItemType.editor_fields`).
    """

    name: str
    kind: str
    label: Mapping[str, str]
    help: Mapping[str, str] = field(default_factory=dict)
    default: JSON = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[tuple[JSON, Mapping[str, str]], ...] = ()
    fields: tuple[EditorField, ...] = ()
    source: str = ""
    target: str = ""
    id_style: str = "letter"
    id_prefix: str = ""
    start_items: int = 0
    entry_label: Mapping[str, str] = field(default_factory=dict)
    variants: Mapping[str, tuple[EditorField, ...]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, JSON]:
        """The description as JSON for the editor's script."""
        return {
            "name": self.name,
            "kind": self.kind,
            "label": dict(self.label),
            "help": dict(self.help),
            "default": self.default,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "choices": [{"value": value, "label": dict(label)} for value, label in self.choices],
            "fields": [f.as_dict() for f in self.fields],
            "source": self.source,
            "target": self.target,
            "id_style": self.id_style,
            "id_prefix": self.id_prefix,
            "start_items": self.start_items,
            "entry_label": dict(self.entry_label),
            "variants": {
                str(key): [f.as_dict() for f in fields] for key, fields in self.variants.items()
            },
        }


def check_editor_fields(item_type: ItemType) -> list[str]:
    """What is wrong with ``item_type``'s editor description (``[]`` when nothing is):
    unknown kinds, missing labels, references to fields that are not entries, and
    fields that are not in the content schema or schema fields the editor leaves out."""
    fields = item_type.editor_fields()
    if not fields:
        return []
    problems: list[str] = []
    _check_level(fields, item_type.content_schema(), "", problems)
    return problems


def _check_level(
    fields: tuple[EditorField, ...] | list[EditorField],
    schema: ma.Schema,
    where: str,
    problems: list[str],
) -> None:
    entries = {f.name for f in fields if f.kind in ("entries", "regions")}
    images = {f.name for f in fields if f.kind == "image"}
    names = [f.name for f in fields]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{where}{name}: described more than once")
    declared = set(schema.fields)
    for name in sorted(declared - set(names)):
        problems.append(f"{where}{name}: in the content schema but not in the editor")
    for f in fields:
        path = f"{where}{f.name}"
        if f.name not in declared:
            problems.append(f"{path}: not a field of the content schema")
        if f.kind not in EDITOR_KINDS:
            problems.append(f"{path}: unknown kind {f.kind!r}")
        if not f.label.get("id") or not f.label.get("en"):
            problems.append(f"{path}: needs an Indonesian and an English label")
        if f.kind in ("key", "keys", "order", "pairs", "pair_values") and f.source not in entries:
            problems.append(f"{path}: source {f.source!r} is not an entries field beside it")
        if f.kind in ("pairs", "pair_values") and f.target not in entries:
            problems.append(f"{path}: target {f.target!r} is not an entries field beside it")
        if f.kind == "regions" and f.source not in images:
            problems.append(f"{path}: source {f.source!r} is not an image field beside it")
        if f.kind == "choice" and not f.choices:
            problems.append(f"{path}: a choice needs choices")
        if f.kind == "parts" and not f.choices:
            problems.append(f"{path}: parts need choices")
        if f.kind in ("entries", "group", "parts", "regions"):
            nested = schema.fields.get(f.name)
            inner = getattr(getattr(nested, "inner", nested), "schema", None)
            if inner is None:
                problems.append(f"{path}: the schema field is not a nested object")
                continue
            sub = [EditorField("id", "text", {"id": "Kode", "en": "Code"}), *f.fields]
            if f.kind == "parts":
                sub += [
                    EditorField("type", "choice", {"id": "Jenis", "en": "Type"}, choices=f.choices),
                    # the chosen type's content, checked by that type's description
                    EditorField("content", "text", {"id": "Isi", "en": "Content"}),
                ]
            _check_level(sub if f.kind != "group" else f.fields, inner, f"{path}.", problems)
            if f.kind in ("entries", "regions") and f.id_style not in ID_STYLES:
                problems.append(f"{path}: unknown id style {f.id_style!r}")


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        # (each part looked at here: a call only for the parts that are sequences)
        return [_plain(part) if isinstance(part, (list, tuple)) else part for part in value]
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
    "Number too large.": "Angka terlalu besar.",
    # the item listing's sort=relevance without q (itembank.api.schemas.ItemListQuery)
    "The relevance order needs a search text (q).": (
        "Urutan relevansi hanya berlaku bersama kata pencarian (q)."
    ),
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
