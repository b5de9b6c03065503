"""Turning what a writer submitted into the stored form of a version.

One pipeline for every path (API, UI, CLI, import): the item type's schema and checks,
the sanitizer on every rich-text field, the metadata schema, classifications resolved
against the taxonomies the bank can see, and image references checked against the
bank's media. Problems are collected and reported together, with field paths.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.itemtypes import (
    MAX_CONTENT_CHARS,
    MAX_RICH_TEXT_CHARS,
    ContentError,
    ItemType,
    Problem,
    flatten_marshmallow_errors,
    schema_instance,
)
from itembank.models import Bank, Media, TaxonomyNode, TaxonomyRecord
from itembank.sanitize import (
    MarkupTooComplex,
    html_to_text,
    media_references,
    sanitize_and_scan,
)

LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_STEM_CHARS = 100_000
#: The longest ``notes`` of a version's metadata.
MAX_NOTES_CHARS = 5000


class ClassificationSchema(ma.Schema):
    taxonomy = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    node = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    level = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=1, max=10)
    )


class MetadataSchema(ma.Schema):
    classifications = ma.fields.List(
        ma.fields.Nested(ClassificationSchema),
        load_default=list,
        validate=ma.validate.Length(max=20),
    )
    difficulty = ma.fields.Float(
        load_default=None, allow_none=True, validate=ma.validate.Range(min=0, max=1)
    )
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=50)),
        load_default=list,
        validate=ma.validate.Length(max=30),
    )
    language = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.Regexp(LANG_RE)
    )
    notes = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_NOTES_CHARS))


@dataclass
class PreparedVersion:
    stem: str
    content: dict[str, Any]
    metadata: dict[str, Any]
    nodes: list[tuple[TaxonomyNode, int | None]]
    content_hash: str
    search_text: str = ""
    #: What still keeps a draft from being submitted (only :func:`prepare_version`
    #: with ``draft=True`` returns any): a draft is stored with them and lists them.
    problems: list[Problem] = field(default_factory=list)


def prepare_version(
    bank: Bank,
    item_type: ItemType,
    stem: Any,
    content: Any,
    metadata: Any,
    *,
    lookup: NodeLookup | None = None,
    uploading: frozenset[str] = frozenset(),
    draft: bool = False,
    passage_hash: str | None = None,
    clean_html: Mapping[str, tuple[str, frozenset[str]]] | None = None,
    loaded: bool = False,
) -> PreparedVersion:
    """Validate and normalise everything a version stores; raise :class:`InvalidInput`
    with every problem found (each with a field path).

    With ``draft=True`` a version that can be stored but is not complete yet (a blank
    stem, a missing key, an empty option, a rule of the bank not met) is returned with
    those problems in :attr:`PreparedVersion.problems`; only what cannot be stored at
    all (text where an object belongs, unknown classification codes, images not in the
    bank, ...) raises. Without it every problem raises, as for an import.

    ``lookup`` remembers taxonomy and node look-ups across calls (imports of many
    items pass one); by default each call looks them up afresh. ``uploading`` names
    images (SHA-256) that are not in the bank yet but are stored together with this
    version (an import's own images, checked already). ``passage_hash``: the content
    hash of the passage version the version pins, part of its own
    (:func:`content_hash`). ``clean_html``: HTML an importer already sanitized, with its
    plain text and images (:attr:`itembank.importing.CandidateItem.clean_html`): a stem
    or field found there is not sanitized again. ``loaded``: ``content`` is what
    ``item_type.load`` returned in this process, this very object and unchanged since
    (an importer that validated it with the type itself:
    :attr:`itembank.importing.CandidateItem.loaded_by`), so it is not loaded again; its
    size, rich text, images and everything else are checked as always."""
    problems: list[Problem] = []  # the version cannot be stored
    incomplete: list[Problem] = []  # it can, as a draft, but cannot be submitted
    scanned: dict[str, frozenset[str]] = {}  # clean HTML -> the images it shows
    texts: dict[str, str] = {}  # clean HTML -> its plain text (the sanitizer's, for search)

    clean_stem = ""
    if not isinstance(stem, str):
        problems.append(Problem("stem", "Pokok soal harus berupa teks.", "The stem must be text."))
    elif len(stem) > MAX_STEM_CHARS:
        problems.append(
            Problem(
                "stem",
                f"Pokok soal terlalu panjang (maks. {MAX_STEM_CHARS} karakter).",
                f"The stem is too long (at most {MAX_STEM_CHARS} characters).",
            )
        )
    else:
        try:
            clean_stem, stem_text, stem_media = _scan(stem, clean_html)
        except MarkupTooComplex as exc:
            problems.append(markup_problem("stem", exc))
        else:
            scanned[clean_stem] = stem_media
            texts[clean_stem] = stem_text
            if not stem_text.strip() and not stem_media:
                incomplete.append(
                    Problem("stem", "Pokok soal wajib diisi.", "The stem is required.")
                )

    clean_content: dict[str, Any] = {}
    complete_content = False
    # Content loaded already is written in the hash's canonical form (sorted keys: the
    # same length), which the hash then uses as it is if the content stays this object.
    canonical = _canonical_json(content) if loaded else None
    size_problem = content_size_problem(content, canonical)
    if size_problem is not None:
        problems.append(size_problem)
    else:
        try:
            clean_content = _clean_content(
                item_type, content, scanned, texts, clean_html, loaded=loaded
            )
            complete_content = True
        except TextRefused as exc:
            problems.extend(_content_problems(exc))
        except ContentError as exc:
            found = _content_problems(exc)
            partial = _load_incomplete(item_type, content) if draft else None
            if partial is None:
                problems.extend(found)
            else:
                incomplete.extend(found)
                try:
                    clean_content = _sanitize_fields(item_type, partial, scanned)
                except TextRefused as refused:
                    problems.extend(_content_problems(refused))
                except (KeyError, IndexError, TypeError, AttributeError, ValueError):
                    problems.append(
                        Problem(
                            "content",
                            "Isi soal belum dapat disimpan: lengkapi teks setiap isian.",
                            "The content cannot be stored yet: fill in every text field.",
                        )
                    )
                else:
                    incomplete.extend(_more_checks(item_type, clean_content, found))

    clean_meta: dict[str, Any] = {}
    nodes: list[tuple[TaxonomyNode, int | None]] = []
    if metadata is None:
        metadata = {}
    try:
        clean_meta = _load_metadata(metadata)
    except ma.ValidationError as exc:
        problems.extend(
            Problem(_join("metadata", p.field), p.message, p.message_en)
            for p in flatten_marshmallow_errors(exc.messages)
        )
    else:
        if clean_meta.get("language") is None:
            clean_meta["language"] = bank.language
        clean_meta["tags"] = sorted(set(clean_meta["tags"]))
        nodes, class_problems = resolve_classifications(
            bank, clean_meta["classifications"], lookup=lookup
        )
        problems.extend(class_problems)

    if not problems:
        problems.extend(
            _check_media(bank, clean_stem, item_type, clean_content, scanned, uploading)
        )
    if draft and not problems:
        from itembank.operations.quality import bank_rule_problems

        incomplete.extend(
            bank_rule_problems(bank, item_type, clean_content, nodes, complete=complete_content)
        )
    if problems or (incomplete and not draft):
        everything = problems + incomplete
        raise InvalidInput(
            "the item has problems: "
            + "; ".join(f"{p.field}: {p.message_en or p.message}" for p in everything[:10]),
            [p.as_dict() for p in everything],
        )
    return PreparedVersion(
        stem=clean_stem,
        content=clean_content,
        metadata=clean_meta,
        nodes=nodes,
        content_hash=content_hash(
            item_type.id,
            clean_stem,
            clean_content,
            clean_meta,
            passage_hash,
            content_json=canonical if clean_content is content else None,
        ),
        search_text=search_text(item_type, clean_stem, clean_content, texts),
        problems=incomplete,
    )


_PLAIN_SCALARS = (str, int, float, bool, type(None))
_METADATA_LOADED: dict[str, dict[str, Any]] = {}
_METADATA_MEMO_SIZE = 1024


def _plain(value: Any) -> bool:
    """Whether ``value`` is made of JSON's types only (dicts with text keys, lists)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN_SCALARS)


def _copy_plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_plain(v) for v in value]
    return value


def _load_metadata(metadata: Any) -> dict[str, Any]:
    """``MetadataSchema().load(metadata)``, remembered by the input's ``repr`` when the
    input is plain JSON data: loading is a function of that input alone, and the
    metadata of an import's rows repeats (the same classification, tags and level).
    Each call gets its own copy (the caller completes it); errors are not remembered.

    ``notes`` that can be stored as they are (text of at most :data:`MAX_NOTES_CHARS`:
    the field gives such a value back unchanged) are not part of the key: the rest is
    remembered with empty notes and the call's own put in their place (an import's
    notes name each item's source, so they differ from item to item)."""
    if not _plain(metadata):
        return schema_instance(MetadataSchema).load(metadata)  # type: ignore[no-any-return]
    notes = metadata.get("notes") if isinstance(metadata, dict) else None
    own_notes = type(notes) is str and len(notes) <= MAX_NOTES_CHARS
    key = repr({**metadata, "notes": ""} if own_notes else metadata)
    loaded = _METADATA_LOADED.get(key)
    if loaded is None:
        loaded = schema_instance(MetadataSchema).load(
            {**metadata, "notes": ""} if own_notes else metadata
        )
        if len(_METADATA_LOADED) >= _METADATA_MEMO_SIZE:
            _METADATA_LOADED.clear()
        _METADATA_LOADED[key] = loaded
    copied: dict[str, Any] = _copy_plain(loaded)
    if own_notes:
        copied["notes"] = notes
    return copied


class TextRefused(ContentError):
    """Rich text the version cannot store at all, draft or not: longer than
    :data:`MAX_RICH_TEXT_CHARS`, or markup the sanitizer refuses to parse."""


def _content_problems(exc: ContentError) -> list[Problem]:
    return [Problem(_join("content", p.field), p.message, p.message_en) for p in exc.problems]


def _clean_content(
    item_type: ItemType,
    content: Any,
    scanned: dict[str, frozenset[str]],
    texts: dict[str, str] | None = None,
    clean_html: Mapping[str, tuple[str, frozenset[str]]] | None = None,
    *,
    loaded: bool = False,
) -> dict[str, Any]:
    """The content loaded by its type (unless ``loaded``: it is the type's own result
    already) and with every rich-text field sanitized; the images each clean field shows
    are added to ``scanned`` (its plain text to ``texts``). Raises :class:`ContentError`
    with every problem of the content, :class:`TextRefused` for text it cannot store."""
    normal = content if loaded else item_type.load(content)
    sanitized = _sanitize_fields(item_type, normal, scanned, texts, clean_html)
    # Loaded content is normal; only if sanitizing changed it must it be checked again.
    return normal if sanitized == normal else item_type.load(sanitized)


def _sanitize_fields(
    item_type: ItemType,
    loaded: dict[str, Any],
    scanned: dict[str, frozenset[str]],
    texts: dict[str, str] | None = None,
    clean_html: Mapping[str, tuple[str, frozenset[str]]] | None = None,
) -> dict[str, Any]:
    """``loaded`` (complete, or a draft's as far as it goes) with every rich-text field
    sanitized, each field's images added to ``scanned`` (and its plain text to
    ``texts``). Raises :class:`TextRefused` with every field too long or too deeply
    nested, whatever the type."""
    cleaned: dict[str, str] = {}
    problems: list[Problem] = []
    for path, html in item_type.html_fields(loaded):
        if len(html) > MAX_RICH_TEXT_CHARS:
            problems.append(
                Problem(
                    path,
                    f"Teks terlalu panjang (maks. {MAX_RICH_TEXT_CHARS} karakter).",
                    f"The text is too long (at most {MAX_RICH_TEXT_CHARS} characters).",
                )
            )
            continue
        if html in cleaned:
            continue
        try:
            clean, text, media = _scan(html, clean_html)
        except MarkupTooComplex as exc:
            problems.append(markup_problem(path, exc))
            continue
        cleaned[html] = clean
        scanned[clean] = media
        if texts is not None:
            texts[clean] = text
    if problems:
        raise TextRefused(problems)
    if all(clean == html for html, clean in cleaned.items()):
        return loaded  # already clean: mapping each field to itself would copy it as it is
    return item_type.map_html(loaded, cleaned.__getitem__)


def _scan(
    html: str, clean_html: Mapping[str, tuple[str, frozenset[str]]] | None
) -> tuple[str, str, frozenset[str]]:
    """:func:`sanitize_and_scan` of ``html``, or what ``clean_html`` knows of it (HTML
    sanitized already, which sanitizing gives back as it is)."""
    known = clean_html.get(html) if clean_html else None
    if known is not None:
        return html, known[0], known[1]
    return sanitize_and_scan(html)


def content_size_problem(content: Any, canonical: str | None = None) -> Problem | None:
    """A problem when ``content`` is larger than :data:`MAX_CONTENT_CHARS` as JSON.
    ``canonical``: its :func:`_canonical_json` when known (sorting the keys changes no
    length)."""
    if canonical is not None:
        size = len(canonical)
    else:
        try:
            size = len(json.dumps(content, ensure_ascii=False, separators=(",", ":")))
        except (TypeError, ValueError, RecursionError):
            return None  # not JSON at all: the type's schema says what is wrong
    if size <= MAX_CONTENT_CHARS:
        return None
    return Problem(
        "content",
        f"Isi soal terlalu besar ({size} karakter; maks. {MAX_CONTENT_CHARS}).",
        f"The content is too large ({size} characters; at most {MAX_CONTENT_CHARS}).",
    )


def markup_problem(field: str, exc: MarkupTooComplex) -> Problem:
    """The problem of a rich-text field the sanitizer refused to parse."""
    if exc.what == "depth":
        return Problem(
            field,
            f"Teks bersarang terlalu dalam: elemen HTML bertumpuk lebih dari {exc.limit} tingkat.",
            f"The text nests HTML elements more than {exc.limit} deep.",
        )
    if exc.what == "formatting":
        return Problem(
            field,
            f"Teks membiarkan lebih dari {exc.limit} elemen format (<b>, <em>, <a> ...) terbuka.",
            f"The text leaves more than {exc.limit} formatting elements (<b>, <em>, <a> ...) open.",
        )
    return Problem(
        field,
        f"Teks membiarkan elemen format (<b>, <em>, <a> ...) tidak tertutup sehingga harus "
        f"dibuka ulang lebih dari {exc.limit} kali; tutup setiap elemen itu.",
        f"The text leaves formatting elements (<b>, <em>, <a> ...) unclosed, so they would be "
        f"re-opened more than {exc.limit} times; close each of them.",
    )


def _prune_nulls(value: Any) -> Any:
    """``value`` without ``null``s: in a draft, an empty control means "not yet"."""
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value if v is not None]
    return value


def _load_incomplete(item_type: ItemType, content: Any) -> dict[str, Any] | None:
    """The draft's content as far as it goes: the type's schema with every field
    optional and empty ones (``null``) left out; defaults fill what has one. ``None``
    when even that fails (a wrong type of value, an unknown field): not storable."""
    if not isinstance(content, dict):
        return None
    schema = schema_instance(item_type.content_schema)
    try:
        data = schema.load(_prune_nulls(content), partial=True)
    except ma.ValidationError:
        return None
    for name, schema_field in schema.fields.items():
        if name in data or schema_field.load_default is ma.missing:
            continue
        default = schema_field.load_default
        data[name] = default() if callable(default) else copy.deepcopy(default)
    return data


def _more_checks(
    item_type: ItemType, content: dict[str, Any], found: list[Problem]
) -> list[Problem]:
    """The type's own checks on incomplete content, as far as they get (a check may
    need a field that is still missing), without repeating what ``found`` says."""
    seen = {(p.field, p.message) for p in found}
    more: list[Problem] = []
    try:
        for problem in item_type.check(content):
            moved = Problem(_join("content", problem.field), problem.message, problem.message_en)
            if (moved.field, moved.message) not in seen:
                seen.add((moved.field, moved.message))
                more.append(moved)
    except Exception:  # a plugin's check may fail on content still incomplete
        pass
    return more


def search_text(
    item_type: ItemType, stem: str, content: dict[str, Any], texts: dict[str, str] | None = None
) -> str:
    """What the listing's text query ``q`` searches in a version: the plain text of the
    stem and of every rich-text field of the content (:meth:`ItemType.html_fields`:
    options, feedback), one per line, NFC-normalised and lower-cased here, so the
    database compares it as it is (SQLite's ``lower()`` folds ASCII only). Keys,
    points and the JSON's own names are not in it. ``texts``: the plain text of clean
    HTML known already (:func:`sanitize_and_scan` gives it with the clean HTML)."""
    try:
        fields = list(item_type.html_fields(content))
    except (KeyError, IndexError, TypeError):  # an incomplete draft's content
        fields = []
    known = texts or {}

    def text_of(html: str) -> str:
        found = known.get(html)
        return html_to_text(html) if found is None else found

    parts = [text_of(stem), *(text_of(html) for _, html in fields)]
    text = "\n".join(part for part in parts if part)
    return unicodedata.normalize("NFC", text).lower()


def search_needle(query: str) -> str:
    """``query`` normalised as :func:`search_text` normalises what it searches."""
    return unicodedata.normalize("NFC", " ".join(query.split())).lower()


def content_hash(
    type_id: str,
    stem: str,
    content: dict[str, Any],
    metadata: dict[str, Any],
    passage_hash: str | None = None,
    *,
    content_json: str | None = None,
) -> str:
    """An item version's identity: SHA-256 of the canonical JSON of its type, stem,
    content and metadata and, when it pins a passage version (its item set), of that
    version's own content hash (title and text). The same question about two different
    texts is two items; exact-copy detection, similar items and exports rely on it.

    ``content_json``: ``content``'s own :func:`_canonical_json` when the caller has it;
    the document is then written around it, the same text as written whole."""
    if content_json is not None:
        # json.dumps(document, sort_keys=True, ...) writes the keys in this order
        canonical = (
            f'{{"content":{content_json},"metadata":{_dump(metadata)}'
            + ("" if passage_hash is None else f',"passage":{_dump(passage_hash)}')
            + f',"stem":{_dump(stem)},"type":{_dump(type_id)}}}'
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    document: dict[str, Any] = {
        "type": type_id,
        "stem": stem,
        "content": content,
        "metadata": metadata,
    }
    if passage_hash is not None:
        document["passage"] = passage_hash
    canonical = _dump(document)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: JSON as :func:`content_hash` writes it: sorted keys, no spaces, not ASCII escaped (one
#: encoder: ``json.dumps`` with these options builds one per call, to the same effect).
_dump = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _canonical_json(value: Any) -> str | None:
    """``value`` as :func:`content_hash` writes it, or None when it cannot be."""
    try:
        return _dump(value)
    except (TypeError, ValueError, RecursionError):
        return None


def visible_taxonomies(bank: Bank) -> sa.Select[tuple[TaxonomyRecord]]:
    return sa.select(TaxonomyRecord).where(
        sa.or_(TaxonomyRecord.bank_id.is_(None), TaxonomyRecord.bank_id == bank.id)
    )


class NodeLookup:
    """Taxonomies and nodes visible to one bank, looked up once each and remembered.

    For work on many items in one transaction (an import); taxonomies must not change
    while it is used."""

    def __init__(self, bank: Bank):
        self.bank = bank
        self._taxonomies: dict[str, TaxonomyRecord | None] = {}
        self._nodes: dict[tuple[int, str], TaxonomyNode | None] = {}

    def taxonomy(self, code: str) -> TaxonomyRecord | None:
        if code not in self._taxonomies:
            self._taxonomies[code] = db.session.scalars(
                visible_taxonomies(self.bank)
                .where(TaxonomyRecord.code == code)
                .order_by(TaxonomyRecord.bank_id.is_(None))  # a bank's own wins
            ).first()
        return self._taxonomies[code]

    def prefetch(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Look up the ``(taxonomy code, node code)`` pairs not remembered yet in one
        query, instead of two per pair (:meth:`taxonomy`, then :meth:`node`)."""
        wanted = [
            (taxonomy, node)
            for taxonomy, node in pairs
            if taxonomy not in self._taxonomies
            or (
                (known := self._taxonomies[taxonomy]) is not None
                and (known.id, node) not in self._nodes
            )
        ]
        if not wanted:
            return
        rows = db.session.execute(
            visible_taxonomies(self.bank)
            .add_columns(TaxonomyNode)
            .outerjoin(
                TaxonomyNode,
                sa.and_(
                    TaxonomyNode.taxonomy_id == TaxonomyRecord.id,
                    TaxonomyNode.code.in_(sorted({node for _, node in wanted})),
                ),
            )
            .where(TaxonomyRecord.code.in_(sorted({taxonomy for taxonomy, _ in wanted})))
        ).all()
        chosen: dict[str, TaxonomyRecord] = {}
        for taxonomy, _ in rows:
            # A bank's own taxonomy wins over a shared one of the same code.
            if taxonomy.code not in chosen or chosen[taxonomy.code].bank_id is None:
                chosen[taxonomy.code] = taxonomy
        found = {
            (taxonomy.id, node.code): node
            for taxonomy, node in rows
            if node is not None and chosen[taxonomy.code] is taxonomy
        }
        for code, node_code in wanted:
            taxonomy = self._taxonomies.setdefault(code, chosen.get(code))
            if taxonomy is not None:
                key = (taxonomy.id, node_code)
                self._nodes.setdefault(key, found.get(key))

    def node(self, taxonomy: TaxonomyRecord, code: str) -> TaxonomyNode | None:
        key = (taxonomy.id, code)
        if key not in self._nodes:
            self._nodes[key] = db.session.scalars(
                sa.select(TaxonomyNode).where(
                    TaxonomyNode.taxonomy_id == taxonomy.id, TaxonomyNode.code == code
                )
            ).first()
        return self._nodes[key]


def resolve_classifications(
    bank: Bank, classifications: list[dict[str, Any]], *, lookup: NodeLookup | None = None
) -> tuple[list[tuple[TaxonomyNode, int | None]], list[Problem]]:
    lookup = lookup or NodeLookup(bank)
    lookup.prefetch((entry["taxonomy"], entry["node"]) for entry in classifications)
    found: list[tuple[TaxonomyNode, int | None]] = []
    problems: list[Problem] = []
    seen: set[tuple[int, int | None]] = set()
    for index, entry in enumerate(classifications):
        where = f"metadata.classifications.{index}"
        taxonomy = lookup.taxonomy(entry["taxonomy"])
        if taxonomy is None:
            problems.append(
                Problem(
                    f"{where}.taxonomy",
                    f"Taksonomi '{entry['taxonomy']}' tidak dikenal.",
                    f"Unknown taxonomy '{entry['taxonomy']}'.",
                )
            )
            continue
        node = lookup.node(taxonomy, entry["node"])
        if node is None:
            problems.append(
                Problem(
                    f"{where}.node",
                    f"Kode '{entry['node']}' tidak ada di taksonomi '{taxonomy.code}'.",
                    f"Code '{entry['node']}' is not in taxonomy '{taxonomy.code}'.",
                )
            )
            continue
        level = entry.get("level")
        if level is not None and level not in node.level_numbers:
            allowed = ", ".join(map(str, node.level_numbers)) or "tidak ada / none"
            problems.append(
                Problem(
                    f"{where}.level",
                    f"Level {level} tidak ada untuk '{node.code}' (level yang ada: {allowed}).",
                    f"Level {level} does not exist for '{node.code}' (levels: {allowed}).",
                )
            )
            continue
        if (node.id, level) not in seen:
            seen.add((node.id, level))
            found.append((node, level))
    return found, problems


def _check_media(
    bank: Bank,
    stem: str,
    item_type: ItemType,
    content: dict[str, Any],
    scanned: dict[str, frozenset[str]],
    uploading: frozenset[str] = frozenset(),
) -> list[Problem]:
    def images(html: str) -> Iterable[str]:
        found = scanned.get(html)
        return found if found is not None else media_references(html)

    wanted: dict[str, str] = {sha: "stem" for sha in images(stem)}
    for path, html in item_type.html_fields(content):
        for sha in images(html):
            wanted.setdefault(sha, _join("content", path))
    for sha in uploading:
        wanted.pop(sha, None)
    if not wanted:
        return []
    have = set(
        db.session.scalars(
            sa.select(Media.sha256).where(Media.bank_id == bank.id, Media.sha256.in_(wanted))
        )
    )
    return [
        Problem(
            field,
            f"Gambar {sha[:12]}… belum diunggah ke bank {bank.code}.",
            f"Image {sha[:12]}… has not been uploaded to bank {bank.code}.",
        )
        for sha, field in wanted.items()
        if sha not in have
    ]


def _join(prefix: str, field: str) -> str:
    return f"{prefix}.{field}" if field else prefix
