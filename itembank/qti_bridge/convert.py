"""Convert QTI items, folders and packages into bank item candidates, with a report
(pure: no Flask, no database; the import batch stores what this returns).

:func:`convert` takes a path (item file, folder, zip) or bytes (zip or item document) and
the plugin host, and returns an :class:`ImportResult`: a :class:`Candidate` for every
item that can be brought in faithfully, and a :class:`ReportEntry` for every file and
item - imported as what, or not imported and why (:data:`REASONS`), plus notes about
what was left out of imported items.

For each item document:

1. it is read (:mod:`qti.reader`): supported interactions, no template processing, no
   content the bank's rich text cannot carry; an item with several interactions is
   offered to the types as a whole (the composite type splits it into parts:
   :mod:`itembank.qti_bridge.parts`) and proved on responses to all of them at once;
2. the stem is built from the body and the interaction's prompt, converted to sanitized
   bank HTML; every image must be in the source and be a PNG, JPEG or GIF the bank
   accepts, and is referenced as ``/media/<sha256>`` (the SHA-256 of its bytes, computed
   here, so storing the media by hash makes the references valid); an image object
   becomes such an image when its type, or else its file's content, is one of them, and
   otherwise gives way to its fallback content (:mod:`itembank.qti_bridge.html`);
3. the item types are asked in order (:func:`type_order`) for content
   (``from_qti_contents``: one or more, most preferred first), each converted the same way
   and validated with the type's ``load``;
4. the scoring is proved (:mod:`itembank.qti_bridge.proof`): for every response tried
   (:mod:`itembank.qti_bridge.responses` lists them: every order up to 7 choices, every
   combination up to 10, every matching up to 4,000, ...), the new content's ``score``
   equals the source's own response processing run by :mod:`qti.rp`. The first type
   whose content passes wins; if none does, the item is not imported and the report
   gives the first reason found (a type that recognised the item but could not
   represent it, content that failed validation, a proof that would need more responses
   than it may try, or the response on which the scores differ).

Nothing half-done leaves this module: a candidate is complete and proved, or there is
none. A large source's items may be converted in several processes
(:mod:`itembank.qti_bridge.pool`), each item by the same :func:`convert_item`, with the
same result.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from itembank.itemtypes import (
    QTI_LABEL_PREFIX,
    ContentError,
    ImportNotSupported,
    ItemType,
)
from itembank.media_check import DEFAULT_MAX_BYTES as DEFAULT_MEDIA_MAX_BYTES
from itembank.media_check import IMAGE_MEDIA_TYPES, ImageInfo, MediaError, inspect_image
from itembank.qti_bridge.html import HtmlCache, ObjectNotShown, Scans, xhtml_to_html
from itembank.qti_bridge.parts import joint_responses
from itembank.qti_bridge.proof import ProofMemo, prove
from itembank.qti_bridge.report import REASONS, ReportEntry, Status
from itembank.qti_bridge.report import entry as _entry
from itembank.qti_bridge.responses import (
    ProofIncomplete,
    Responses,
    ResponsesCache,
    responses_for,
    responses_for_gaps,
)
from itembank.sanitize import MarkupTooComplex, html_to_text
from qti._names import local_name
from qti._read_body import BLANK
from qti.model import (
    INTERACTION_NAMES,
    SLOT,
    ExtendedTextInteraction,
    Html,
    InlineBlock,
    InlineChoiceInteraction,
    Interaction,
    part_prompts,
    text_span,
)
from qti.package_reader import (
    DEFAULT_IMPORT_LIMITS,
    ImportLimits,
    ImportSource,
    ItemFile,
    SourceReadError,
    open_source,
)
from qti.reader import ItemReadError, ItemReading, read_item
from qti.rp import RPError, ScoringCache, score_function
from qti.stimulus import read_stimulus, split_inline_stimulus, stimulus_refs

__all__ = [
    "IMPORT_ORDER",
    "PARALLEL_MIN_ITEMS",
    "REASONS",
    "Candidate",
    "ConvertError",
    "ImportResult",
    "MediaFile",
    "ReportEntry",
    "convert",
    "type_order",
]

IMPORT_ORDER: tuple[str, ...] = (
    "single_choice",
    "multiple_response",
    "weighted_options",
    "true_false",
    "likert",
    "short_text",
    "extended_text",
    "ordering",
    "matching",
    "inline_choice",
    "numeric",
    "slider",
    "gap_match",
    "hot_text",
    "hotspot",
    "associate",
    "graphic_gap_match",
    "select_point",
    "graphic_order",
    "graphic_associate",
    "composite",
)
"""The built-in types in the order they are asked; every other registered type follows
in registration order. A type named by the item's label (``itembank:<type id>``, written
by the bank's own export) is asked first."""


@dataclass(frozen=True)
class MediaFile:
    """An image an item uses: its bytes, SHA-256 and type, and where it came from."""

    sha256: str
    data: bytes
    media_type: str
    path: str
    referenced_as: str


@dataclass(frozen=True)
class Candidate:
    """An item ready to store as a draft: validated content whose scoring is proved.

    :ivar stem: sanitized HTML; images as ``/media/<sha256>`` of :attr:`media`.
    :ivar content: the type's content, already through ``load``.
    :ivar metadata: ``identifier``, ``resource`` (manifest resource id), ``bank_item_id``
        and ``version`` (from the bank's own exports), ``classifications`` as found in the
        LOM (``purpose``, ``source``, ``taxa``: ``[{"id", "entry"}]``), ``notes``.
    :ivar responses_checked: how many responses the scoring proof compared.
    :ivar proof_scope: what they were, in Indonesian
        (:attr:`itembank.qti_bridge.responses.Responses.scope`).
    :ivar proof_scope_en: the same in English (``blank and every order of the 7 choices``).
    :ivar scans: HTML of the import (its stem, content and passage among it) with its plain
        text and images, from the sanitizer's pass that made it (shared by the
        candidates of one import; :data:`itembank.qti_bridge.html.Scans`).
    """

    file: str
    identifier: str
    title: str
    language: str | None
    type_id: str
    stem: str
    content: dict[str, Any]
    metadata: dict[str, Any]
    media: tuple[MediaFile, ...]
    responses_checked: int
    proof_scope: str = ""
    proof_scope_en: str = ""
    passage: PassageCandidate | None = None
    scans: Scans = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class PassageCandidate:
    """The shared passage an item asks about (a QTI stimulus), ready to store.

    :ivar key: its identifier in the source; items naming the same key share it.
    :ivar title: plain text.
    :ivar body: sanitized HTML; images as ``/media/<sha256>`` of the candidate's media.
    :ivar bank_passage_id: the bank's passage it is a version of, when the source is the
        bank's own export (``S-<passage id>-V<version>``), else ``None``.
    :ivar version: that version's number, or ``None``.
    """

    key: str
    title: str
    body: str
    bank_passage_id: str | None = None
    version: int | None = None


_OWN_STIMULUS = re.compile(r"^S-(.+)-V([1-9][0-9]{0,8})$")


def own_stimulus(identifier: str) -> tuple[str | None, int | None]:
    """``(passage id, version)`` named by a stimulus identifier the bank writes
    (``S-CACT-DEMO-P00001-V2``), else ``(None, None)``."""
    match = _OWN_STIMULUS.match(identifier)
    if match is None:
        return None, None
    return match.group(1), int(match.group(2))


@dataclass
class ImportResult:
    source: str
    candidates: list[Candidate] = field(default_factory=list)
    report: list[ReportEntry] = field(default_factory=list)


def type_order(types: dict[str, ItemType], label: str | None = None) -> list[ItemType]:
    """The item types in the order they are asked (see :data:`IMPORT_ORDER`)."""
    ordered = [types[type_id] for type_id in IMPORT_ORDER if type_id in types]
    ordered += [item_type for type_id, item_type in types.items() if type_id not in IMPORT_ORDER]
    if label and label.startswith(QTI_LABEL_PREFIX):
        hinted = types.get(label[len(QTI_LABEL_PREFIX) :])
        if hinted is not None:
            ordered.remove(hinted)
            ordered.insert(0, hinted)
    return ordered


#: The fewest items a source must have for :func:`convert` to convert them in several
#: processes (when it is given more than one): below it, starting the processes and
#: sending them the source costs more than it saves, and a small upload converts in the
#: process that reads it, as before (:mod:`itembank.qti_bridge.pool`).
PARALLEL_MIN_ITEMS = 500


class ConvertError(Exception):
    """The conversion as a whole failed (a worker process died or raised): nothing of it
    is returned. :ivar message: Indonesian; :ivar message_en: English."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


@dataclass
class _Caches:
    """What the items of one source share while they are converted, one set per process
    converting them (see :func:`convert`)."""

    # Items of one source mostly share their scoring (a standard template, the same
    # declarations): compiled once, each response run once (qti.rp.ScoringCache).
    scoring: ScoringCache | None
    html: HtmlCache | None  # option texts, scales and prompts recur too
    # ... and so do the shapes of their interactions: their responses are generated once
    responses: ResponsesCache | None
    # Images several items show (a shared figure, a graphic item's background) are read
    # and checked once: the source does not change while it is open.
    images: dict[str, tuple[bytes, ImageInfo]]
    # ... so items of one shape, scoring and bank content have the same proof: made once
    proofs: ProofMemo | None = None

    @classmethod
    def new(cls) -> _Caches:
        return cls(ScoringCache(), HtmlCache(), ResponsesCache(), {}, ProofMemo())

    @property
    def scans(self) -> Scans:
        """The HTML made so far with its text and images (``Candidate.scans``)."""
        return {} if self.html is None else self.html.scans


#: What converting one item gives: its candidate (or ``None``) and its report entries,
#: in the report's order.
ItemOutcome = tuple[Candidate | None, list[ReportEntry]]


def convert(
    target: str | os.PathLike[str] | bytes,
    types: dict[str, ItemType],
    *,
    name: str | None = None,
    limits: ImportLimits = DEFAULT_IMPORT_LIMITS,
    media_max_bytes: int = DEFAULT_MEDIA_MAX_BYTES,
    processes: int = 1,
    parallel_min_items: int | None = None,
) -> ImportResult:
    """Read ``target`` and convert every item in it; see the module documentation.

    :param types: the registered item types by id (``PluginHost.item_types``).
    :param name: how the source is called in the report (default: its file name).
    :param media_max_bytes: the largest image an item may bring (an import passes its
        ``ImportLimits.media_max_bytes``, i.e. ``ITEMBANK_MEDIA_MAX_BYTES``); an item with a
        larger one is refused (``unsupported_media``).
    :param processes: how many processes may convert the items (an import passes its
        ``ImportLimits.processes``, i.e. ``ITEMBANK_IMPORT_PROCESSES``). With more than one
        and at least ``parallel_min_items`` items (default :data:`PARALLEL_MIN_ITEMS`),
        the items are converted in worker processes, in contiguous chunks, and put back
        in order: the result is the one converting them here gives
        (:mod:`itembank.qti_bridge.pool`).
    :raises ConvertError: a worker process died or raised (only with several processes;
        one item's failure is that item's report entry, as always).
    """
    with open_source(target, name=name, limits=limits) as source:
        result = ImportResult(source.label)
        for issue in source.issues:
            status: Status = {"warning": "note", "info": "skipped"}.get(
                issue.severity, "not_imported"
            )  # type: ignore[assignment]
            if issue.code == "manifest":
                status = "note"
            result.report.append(
                _entry(issue.file, None, issue.line, status, issue.code, issue.message)
            )
        outcomes: Iterable[ItemOutcome] | None = None
        least = PARALLEL_MIN_ITEMS if parallel_min_items is None else parallel_min_items
        if processes > 1 and len(source.items) >= max(least, 2):
            from itembank.qti_bridge.pool import convert_in_processes

            outcomes = convert_in_processes(
                target, source, types, name, limits, media_max_bytes, processes
            )
        if outcomes is None:  # here (also when the types cannot be sent to workers)
            caches = _Caches.new()
            outcomes = (
                convert_item(source, item_file, types, media_max_bytes, caches)
                for item_file in source.items
            )
        for candidate, entries in outcomes:
            if candidate is not None:
                result.candidates.append(candidate)
            result.report += entries
        return result


def convert_item(
    source: ImportSource,
    item_file: ItemFile,
    types: dict[str, ItemType],
    media_max_bytes: int,
    caches: _Caches,
) -> ItemOutcome:
    """One item of ``source`` converted (never raises: a failure is its report entry)."""
    converter = _ItemConverter(
        source,
        item_file,
        types,
        media_max_bytes,
        caches.scoring,
        caches.html,
        caches.images,
        caches.responses,
        caches.proofs,
    )
    try:
        candidate = converter.run()
    except _Refused as refused:
        return None, [refused.entry]
    except Exception as exc:  # never let one hostile item stop the import
        return None, [
            _entry(item_file.path, None, None, "not_imported", "internal_error", repr(exc))
        ]
    imported = _entry(
        item_file.path,
        candidate.identifier,
        None,
        "imported",
        "imported",
        f"as {types[candidate.type_id].label['en']} ({candidate.type_id}); "
        f"scoring checked on {candidate.responses_checked} responses: "
        f"{candidate.proof_scope_en}",
        f"sebagai {types[candidate.type_id].label['id']} ({candidate.type_id}); "
        f"penskoran diperiksa pada {candidate.responses_checked} jawaban: "
        f"{candidate.proof_scope}",
        candidate.type_id,
    )
    return candidate, [imported, *converter.notes]


class _NoType(Exception):
    """No type offered content for an item with several interactions."""


class _Refused(Exception):
    def __init__(self, entry: ReportEntry) -> None:
        super().__init__(entry.message_en)
        self.entry = entry


class _ItemConverter:
    def __init__(
        self,
        source: ImportSource,
        item_file: ItemFile,
        types: dict[str, ItemType],
        media_max: int,
        scoring: ScoringCache | None = None,
        html_cache: HtmlCache | None = None,
        images: dict[str, tuple[bytes, ImageInfo]] | None = None,
        responses_cache: ResponsesCache | None = None,
        proofs: ProofMemo | None = None,
    ) -> None:
        self.source = source
        #: The import's proofs (None: every item proved as if it were the first).
        self.proofs = proofs
        self.scoring = scoring
        self.responses_cache = responses_cache
        self.html_cache = html_cache
        #: Images already read and checked, by path in the source (shared by the items).
        self.images = {} if images is None else images
        #: Why an object's image was not shown (English, Indonesian), by its ``data``.
        self.unshown: dict[str, tuple[str, str]] = {}
        self.file = item_file
        self.types = types
        self.media_max = media_max
        self.identifier: str | None = item_file.metadata.identifier
        self.notes: list[ReportEntry] = []
        self.gaps = False  # the item's interactions are all inline choices (gaps)
        self.media: dict[tuple[str, str], MediaFile] = {}  # by (document, src)
        self.lines: dict[str, int | None] = {}
        #: The document images are resolved against (the item's, or its stimulus's).
        self.base = item_file.path
        self.passage: PassageCandidate | None = None

    def refuse(
        self, reason: str, detail_en: str, line: int | None = None, detail_id: str | None = None
    ) -> _Refused:
        status: Status = "skipped" if reason == "not_an_item" else "not_imported"
        return _Refused(
            _entry(self.file.path, self.identifier, line, status, reason, detail_en, detail_id)
        )

    def run(self) -> Candidate:
        try:
            data = self.source.read(self.file.path, document=True)
        except SourceReadError as exc:
            raise self.refuse(exc.code, exc.message) from None
        try:
            reading = read_item(data)
        except ItemReadError as exc:
            raise self.refuse(exc.code, exc.message, exc.line) from None
        self.identifier = reading.item.identifier
        self.lines = {image.src: image.line for image in reading.images}
        reading = self.read_passage(reading)
        for note in reading.notes:
            self.notes.append(
                _entry(self.file.path, self.identifier, note.line, "note", note.code, note.message)
            )
        interactions = list(reading.item.interactions())
        if not interactions:
            raise self.refuse("no_interaction", "the item asks for no response")
        # Several inline choices (gaps of one text) make one item; other mixes are parts
        # of a composite item.
        self.gaps = all(isinstance(i, InlineChoiceInteraction) for i in interactions)
        if len(interactions) > 1 and not self.gaps:
            return self.several(reading, len(interactions))
        interaction = interactions[0]
        if reading.item.processing is None and not isinstance(interaction, ExtendedTextInteraction):
            raise self.refuse("no_scoring", "nothing in the item says what a response scores")
        if not isinstance(interaction, ExtendedTextInteraction) and not _sets_score(reading):
            raise self.refuse(
                "no_scoring",
                "the response processing never sets SCORE, so every response scores its "
                "default (a mapping or correct response it declares is never used)",
            )
        if not isinstance(interaction, ExtendedTextInteraction) and not any(
            outcome.identifier == "SCORE" for outcome in reading.item.outcomes
        ):
            others = ", ".join(o.identifier for o in reading.item.outcomes) or "none"
            raise self.refuse(
                "no_scoring", f"the item declares no SCORE outcome (its outcomes: {others})"
            )
        stem = self.html(self.stem_xhtml(reading, interaction))
        if self.is_empty(stem):
            raise self.refuse("empty_stem", "the item has no text or image to show as the stem")
        try:
            return self.choose_type(reading, interaction, stem)
        except RPError as exc:
            raise self.refuse(
                "custom_response_processing", str(exc), getattr(exc, "line", None)
            ) from None

    # -- the passage (stimulus) ------------------------------------------------------------

    def read_passage(self, reading: ItemReading) -> ItemReading:
        """Read the item's passage: a referenced stimulus document (QTI 2.2, 3.0) or the
        passage the bank writes into a QTI 2.1 item's body (then taken out of it). An
        item whose stimulus cannot be read is refused: its candidates would miss it."""
        refs = stimulus_refs(reading.root)
        if len(refs) > 1:
            raise self.refuse(
                "several_stimuli",
                f"the item refers to {len(refs)} stimuli; a bank item asks about one passage",
                refs[1].line,
            )
        if refs:
            ref = refs[0]
            path, why = self.source.resolve(self.file.path, ref.href)
            if path is None:
                raise self.refuse("missing_stimulus", f"{ref.href!r}: {why}", ref.line)
            try:
                stimulus = read_stimulus(self.source.read(path, document=True))
            except SourceReadError as exc:
                raise self.refuse("missing_stimulus", exc.message, ref.line) from None
            except ItemReadError as exc:
                raise self.refuse(
                    "missing_stimulus", f"{ref.href!r}: {exc.message}", ref.line
                ) from None
            self.base = path
        else:
            stimulus, item = split_inline_stimulus(reading.item)
            if stimulus is None:
                return reading
            reading = replace(reading, item=item)
        self.lines.update({image.src: image.line for image in stimulus.images})
        body = self.html(stimulus.body)
        self.base = self.file.path
        if self.is_empty(body):
            raise self.refuse("missing_stimulus", "the item's passage has no text")
        passage_id, version = own_stimulus(stimulus.identifier)
        self.passage = PassageCandidate(
            key=stimulus.identifier,
            title=" ".join(stimulus.title.split())[:200],
            body=body,
            bank_passage_id=passage_id,
            version=version,
        )
        return reading

    def several(self, reading: ItemReading, count: int) -> Candidate:
        """An item with several interactions: a type that takes them all (the composite
        item) or, when none does, refused (``several_interactions`` unless a type said
        why it cannot)."""
        item = reading.item
        if item.processing is None:
            raise self.refuse("no_scoring", "nothing in the item says what a response scores")
        if not any(outcome.identifier == "SCORE" for outcome in item.outcomes):
            others = ", ".join(o.identifier for o in item.outcomes) or "none"
            raise self.refuse(
                "no_scoring", f"the item declares no SCORE outcome (its outcomes: {others})"
            )
        stem = self.html(self.stem_xhtml(reading, None))
        if self.is_empty(stem):
            raise self.refuse("empty_stem", "the item has no text or image to show as the stem")
        run = score_function(reading.root, cache=self.scoring)
        try:
            return self.choose_type(reading, None, stem, score=run)
        except RPError as exc:
            raise self.refuse(
                "custom_response_processing", str(exc), getattr(exc, "line", None)
            ) from None
        except _NoType:
            raise self.refuse(
                "several_interactions",
                f"the item has {count} interactions, and no item type represents them together",
            ) from None

    # -- stem and images ------------------------------------------------------------------

    def stem_xhtml(
        self, reading: ItemReading, interaction: Interaction | None, *, rest_only: bool = False
    ) -> str:
        """The body's XHTML blocks and the interaction's prompt; a text with inline
        interactions shows each as a blank (:data:`qti._read_body.BLANK`). With
        ``rest_only`` (an item type with ``body_in_content``) the body's text with
        embedded parts (:func:`qti.model.text_span`) is left out, as the content holds it."""
        body = reading.item.body
        span = text_span(body) if rest_only else None
        # several interactions (a composite): the parts' own prompts are not the stem
        prompts = part_prompts(body) if interaction is None else {}
        parts: list[str] = []
        for index, part in enumerate(body):
            if index in prompts:
                parts.append(prompts[index].before)
                continue
            if span is not None and span[0] <= index < span[1]:
                prompt = getattr(part, "prompt", None)
                if prompt:
                    parts.append(prompt)
                continue
            if isinstance(part, Html):
                parts.append(part.content)
            elif isinstance(part, InlineBlock):
                parts.append(_SLOT_RE.sub(BLANK, part.content))
            elif part is interaction and getattr(interaction, "prompt", None):
                parts.append(interaction.prompt)  # type: ignore[union-attr]
        return "".join(parts)

    def html(self, fragment: str) -> str:
        try:
            if self.html_cache is not None:
                return self.html_cache.convert(fragment, self.image, self.shows_object)
            return xhtml_to_html(fragment, self.image, self.shows_object)
        except MarkupTooComplex as exc:
            raise self.refuse(
                "unsupported_content",
                f"the rich text cannot be kept: {exc}",
                detail_id=f"teks kaya tidak dapat disimpan: {exc}",
            ) from None
        except ObjectNotShown as exc:
            kind = exc.media_type or "tanpa jenis"
            why = self.unshown.get(exc.data)
            raise self.refuse(
                "unsupported_content",
                f"the object {exc.data!r} ({exc.media_type or 'no type'}) is not an image the "
                "bank can show (PNG, JPEG or GIF), and its fallback content shows none"
                + (f" ({why[0]})" if why else ""),
                self.lines.get(exc.data),
                f"objek {exc.data!r} ({kind}) bukan gambar yang dapat ditampilkan bank (PNG, "
                "JPEG atau GIF), dan isi penggantinya tidak menampilkan gambar"
                + (f" ({why[1]})" if why else ""),
            ) from None

    def is_empty(self, html: str) -> bool:
        """Whether HTML this converter made shows no text and no image (its text from the
        sanitizer's pass that made it, when the import keeps it: :data:`Scans`)."""
        if "<img" in html:
            return False
        scanned = None if self.html_cache is None else self.html_cache.scans.get(html)
        return not (html_to_text(html) if scanned is None else scanned[0])

    def shows_object(self, media_type: str, data: str) -> bool:
        """Whether the bank shows an image object's image (as a browser would, else its
        fallback content): its declared type is one the bank accepts (the file must then
        be there and pass the media check, as an ``img``'s), or, with another image type
        or none, its file's content is (a missing file refuses an object of no type)."""
        kind = media_type.split(";")[0].strip().lower()
        try:
            self.image(data)
        except _Refused as refused:
            missing = refused.entry.reason == "missing_media"
            if kind in IMAGE_MEDIA_TYPES or (missing and not kind):
                raise
            self.unshown[data] = (refused.entry.message_en, refused.entry.message)
            return False
        return True

    def image(self, src: str) -> str:
        known = self.media.get((self.base, src))
        if known is not None:
            return f"/media/{known.sha256}"
        line = self.lines.get(src)
        path, why = self.source.resolve(self.base, src)
        if path is None:
            raise self.refuse("missing_media", why, line)
        checked = self.images.get(path)
        if checked is None:
            try:
                data = self.source.read(path)
            except SourceReadError as exc:
                raise self.refuse("missing_media", exc.message, line) from None
            try:
                info = inspect_image(data, max_bytes=self.media_max)
            except MediaError as exc:
                raise self.refuse(
                    "unsupported_media",
                    f"{src!r}: {exc.message_en}",
                    line,
                    f"{src!r}: {exc.message_id}",
                ) from None
            checked = self.images[path] = (data, info)
        data, info = checked
        self.media[(self.base, src)] = MediaFile(info.sha256, data, info.mime, path, src)
        return f"/media/{info.sha256}"

    # -- types and the proof ----------------------------------------------------------------

    def choose_type(
        self,
        reading: ItemReading,
        interaction: Interaction | None,
        stem: str,
        score: Callable[[dict[str, Any]], float] | None = None,
    ) -> Candidate:
        """The first type whose content is proved; ``interaction`` is ``None`` for an
        item with several (whose responses are ``{identifier: value}``)."""
        item = reading.item
        # (the item's kind decided once, not per response; the source's processing
        # compiled before anything else is asked, as its errors come first)
        single = None  # the one response variable whose value the responses are
        if interaction is not None and not self.gaps and score is None:
            single = next(
                (r for r in item.responses if r.identifier == interaction.response_identifier),
                None,
            )
        source_score: Callable[[Any], float]
        # what source_score is, for the proofs' memo (None: not shared, never memoized)
        shared: Hashable | None
        if single is not None:
            source_score = score_function(
                reading.root, cache=self.scoring, variable=single.identifier
            )
            shared = None if self.scoring is None else self.scoring.key_of(source_score)
            source_key = None if shared is None else ("value", shared)
        else:
            run = score or score_function(reading.root, cache=self.scoring)
            source_score = run
            shared = None if self.scoring is None else self.scoring.key_of(run)
            source_key = None if shared is None else ("variables", shared)
        declaration = None
        if interaction is not None:
            declaration = next(
                r for r in item.responses if r.identifier == interaction.response_identifier
            )
        if self.gaps:  # a dict of the gaps' response variables (None: all blank)

            def source_score(value: Any) -> float:
                return run(value or {})

            source_key = None if shared is None else ("gaps", shared)

        elif declaration is not None and single is None:
            identifier = declaration.identifier

            def source_score(value: Any) -> float:
                return run({identifier: value})

            source_key = None if shared is None else ("variable", identifier, shared)

        reasons: list[_Refused] = []
        rest_stem: str | None = None
        rest_empty = False
        for item_type in type_order(self.types, item.label):
            if item_type.body_in_content:
                if rest_stem is None:
                    rest_stem = self.html(self.stem_xhtml(reading, interaction, rest_only=True))
                    rest_empty = self.is_empty(rest_stem)
                if rest_empty:
                    reasons.append(
                        self.refuse(
                            "empty_stem",
                            f"as {item_type.id}: the item has no text or image to show as the "
                            "stem besides the text with its gaps",
                            None,
                            f"sebagai {item_type.id}: butir tidak memiliki teks atau gambar "
                            "untuk pokok soal selain teks dengan rumpangnya",
                        )
                    )
                    continue
            elif self.gaps:
                continue  # inline choices are gaps of a text: only such types take them
            contents: list[dict[str, Any]] = []
            try:
                for offered in item_type.from_qti_contents(item, source_score):
                    contents.append(offered)
            except ImportNotSupported as exc:
                reasons.append(self.refuse("not_representable", exc.message_en, None, exc.message))
            for content in contents:
                candidate = self.try_content(
                    reading,
                    interaction,
                    declaration,
                    item_type,
                    content,
                    rest_stem if item_type.body_in_content and rest_stem else stem,
                    source_score,
                    reasons,
                    source_key,
                )
                if candidate is not None:
                    return candidate
        if reasons:
            raise reasons[0]
        if interaction is None:
            raise _NoType
        raise self.refuse(
            "no_item_type",
            f"no item type represents this {_describe(interaction, declaration)}"
            + _mismatch(interaction, declaration),
        )

    def try_content(
        self,
        reading: ItemReading,
        interaction: Interaction | None,
        declaration: Any,
        item_type: ItemType,
        content: dict[str, Any],
        stem: str,
        source_score: Any,
        reasons: list[_Refused],
        source_key: Hashable | None = None,
    ) -> Candidate | None:
        """``content`` checked and proved as a candidate, or ``None`` with the reason
        appended to ``reasons`` (``source_key``: what ``source_score`` is, for the
        proofs' memo, or ``None``)."""
        item = reading.item
        try:
            content = item_type.load(item_type.map_html(content, self.html))
        except ContentError as exc:
            problems_en = "; ".join(f"{p.field}: {p.message_en or p.message}" for p in exc.problems)
            problems_id = "; ".join(f"{p.field}: {p.message}" for p in exc.problems)
            reasons.append(
                self.refuse(
                    "content_invalid",
                    f"as {item_type.id}: {problems_en}",
                    None,
                    f"sebagai {item_type.id}: {problems_id}",
                )
            )
            return None
        extra = [str(key) for key in item_type.summary(content).keys]
        try:
            if self.gaps:
                responses = responses_for_gaps(item)
            elif interaction is None:
                responses = joint_responses(item, source_score, self.responses_cache)
            elif self.responses_cache is not None:
                responses = self.responses_cache.responses_for(
                    item, interaction, declaration, extra
                )
            else:
                responses = responses_for(item, interaction, declaration, extra)
        except ProofIncomplete as exc:
            reasons.append(
                self.refuse(
                    "proof_incomplete",
                    f"as {item_type.id}: {exc.message_en}",
                    None,
                    f"sebagai {item_type.id}: {exc.message}",
                )
            )
            return None
        shared_responses = self.responses_cache is not None and self.responses_cache.remembers(
            responses
        )
        if self.scoring is not None and shared_responses:
            # the responses of an earlier item of this shape: their source scores by
            # position, when that item shared this item's processing
            source_score = self.scoring.along(source_score, responses.values)
        if self.proofs is None:
            proof = prove(item_type, content, source_score, responses)
        else:
            proof = self.proofs.prove(
                item_type,
                content,
                source_score,
                responses,
                source_key=source_key,
                shared_responses=shared_responses,
            )
        if proof.failure is not None:
            reasons.append(
                self.refuse(
                    "scoring_mismatch",
                    f"as {item_type.id}: {proof.failure.message_en}",
                    None,
                    f"sebagai {item_type.id}: {proof.failure.message}",
                )
            )
            return None
        return self.candidate(reading, item_type, stem, content, proof.checked, responses)

    def candidate(
        self,
        reading: ItemReading,
        item_type: ItemType,
        stem: str,
        content: dict[str, Any],
        checked: int,
        responses: Responses,
    ) -> Candidate:
        item, meta = reading.item, self.file.metadata
        metadata = {
            "identifier": item.identifier,
            "resource": meta.identifier,
            "bank_item_id": meta.bank_item_id,
            "version": meta.version,
            "classifications": [
                {
                    "purpose": c.purpose,
                    "source": c.source,
                    "taxa": [{"id": ident, "entry": entry} for ident, entry in c.taxa],
                }
                for c in meta.classifications
            ],
            "notes": [note.message_en for note in self.notes],
        }
        used = set(_media_in(stem)) | {
            digest for _path, html in item_type.html_fields(content) for digest in _media_in(html)
        }
        if self.passage is not None:
            used |= set(_media_in(self.passage.body))
        return Candidate(
            file=self.file.path,
            identifier=item.identifier,
            title=item.title or meta.title or item.identifier,
            language=item.lang or meta.language or None,
            type_id=item_type.id,
            stem=stem,
            content=content,
            metadata=metadata,
            media=tuple(
                {m.sha256: m for m in reversed(self.media.values()) if m.sha256 in used}.values()
            )[::-1],
            responses_checked=checked,
            proof_scope=responses.scope,
            proof_scope_en=responses.scope_en,
            passage=self.passage,
            scans={} if self.html_cache is None else self.html_cache.scans,
        )


_SLOT_RE = re.compile(rf'<{SLOT} index="[0-9]+"/>')


_MEDIA_SRC = re.compile(r'<img src="/media/([0-9a-f]{64})"')


def _media_in(html: str) -> Iterator[str]:
    """The media hashes an already sanitized HTML fragment shows (the sanitizer writes
    ``src`` first and only for bank media, so a pattern finds them exactly)."""
    return iter(_MEDIA_SRC.findall(html))


def _sets_score(reading: ItemReading) -> bool:
    """The item's response processing is a template, or some rule of it sets (or looks
    up) ``SCORE``."""
    processing = reading.item.processing
    if processing is None or processing.template is not None:
        return processing is not None
    return any(
        local_name(element) in ("setOutcomeValue", "lookupOutcomeValue")
        and element.get("identifier") == "SCORE"
        for element in reading.root.iter()
    )


#: The response base types each interaction sends (QTI 2 element name -> base types).
_SENDS: dict[str, tuple[str, ...]] = {
    "choiceInteraction": ("identifier",),
    "orderInteraction": ("identifier",),
    "hottextInteraction": ("identifier",),
    "hotspotInteraction": ("identifier",),
    "matchInteraction": ("directedPair",),
    "gapMatchInteraction": ("directedPair",),
    "graphicGapMatchInteraction": ("directedPair",),
    "associateInteraction": ("pair",),
    "extendedTextInteraction": ("string",),
    "sliderInteraction": ("integer", "float"),
}


def _mismatch(interaction: Interaction, declaration: Any) -> str:
    """Why no type fits, when the item itself says: the response declares a base type
    the interaction never sends, or an essay asks for several texts."""
    if declaration is None:
        return ""
    name = INTERACTION_NAMES.get(type(interaction), "")
    sends = _SENDS.get(name)
    if sends and declaration.base_type not in sends:
        return (
            f": the interaction sends {' or '.join(sends)} values, but its response declares "
            f"{declaration.base_type} values, so no response a candidate gives fits it"
        )
    if isinstance(interaction, ExtendedTextInteraction) and declaration.cardinality != "single":
        return (
            f": it asks for several texts ({declaration.cardinality} cardinality); an essay "
            "of the bank takes one text"
        )
    return ""


def _describe(interaction: Interaction, declaration: Any) -> str:
    name = type(interaction).__name__
    return (
        f"{name[0].lower()}{name[1:]} with a {declaration.cardinality} "
        f"{declaration.base_type} response"
    )
