"""Composite items: several parts, each the content of another registered item type that
scores by itself (single choice, short answer, multiple response, ...), scored as the
sum of the parts' scores."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import marshmallow as ma
from markupsafe import Markup

from itembank.hookspecs import hookimpl
from itembank.itemtypes import (
    JSON,
    MAX_RICH_TEXT_CHARS,
    ContentError,
    ContentSummary,
    EditorField,
    ExportNotSupported,
    ImportNotSupported,
    ItemType,
    Problem,
    SourceScore,
    flatten_marshmallow_errors,
    schema_load,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    Noun,
    check_count,
    is_identifier,
    pick,
    render_item,
    repeated,
)
from plugins.itemtypes.qti_writers import composite as qti_writer
from qti.model import AssessmentItem, identifier_problem, part_prompts

PART = Noun("bagian", "part", "parts")
MAX_PARTS = 20
"""Most parts of one composite item."""
#: A part's fields (the content's schema).
_PART_FIELDS = frozenset({"id", "type", "prompt", "content"})
_RESERVED = re.compile(r"(SCORE|MAXSCORE|.*_PART\d+)")
_ID_ATTRIBUTE = re.compile(r'\b(id|for|name|aria-describedby|aria-labelledby)="([^"]*)"')


class PartSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    type = ma.fields.String(required=True)
    prompt = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=MAX_RICH_TEXT_CHARS),
        metadata={"description": "HTML"},
    )
    content = ma.fields.Dict(required=True, metadata={"description": "the part type's content"})


class CompositeSchema(ma.Schema):
    parts = ma.fields.List(
        ma.fields.Nested(PartSchema),
        required=True,
        metadata={"minItems": 2, "maxItems": MAX_PARTS},
    )


class Composite(ItemType):
    """Several parts, each with its own prompt and the content of another registered
    type that scores by itself (not scored by a person, exportable as QTI, not itself
    composite).

    Scoring: the response is a list with one response per part, in part order (each in
    its type's own shape), or ``None`` (blank). The score is the sum of the parts'
    scores, added in part order from 0 (as QTI's ``sum`` adds them); the maximum is the
    sum of the parts' maxima. In QTI, part ``n`` answers in the response named by its
    ``id`` (``RESPONSE_1``, ... for new items; a source's own names for imported ones).
    """

    id = "composite"
    label = {"id": "Soal majemuk", "en": "Composite"}
    description = {
        "id": "Beberapa bagian dalam satu soal (mis. beberapa isian rumpang, atau pilihan "
        "ganda dan isian singkat); skornya jumlah skor bagian.",
        "en": "Several parts in one item (e.g. several gaps, or a choice and a short answer); "
        "the score is the sum of the parts' scores.",
    }
    content_schema = CompositeSchema
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: setiap bagian dinilai sendiri, lalu dijumlahkan.",
        "en": "No per-option score: each part is scored on its own and the scores are added.",
    }

    def __init__(self) -> None:
        self._types: Mapping[str, ItemType] = {}
        #: The ids of the types a part may be (:func:`part_type_allowed`), worked out
        #: once the registry is complete (:meth:`attach`).
        self._part_ids: frozenset[str] = frozenset()

    def attach(self, types: Mapping[str, ItemType]) -> None:
        self._types = types
        self._part_ids = frozenset(
            type_id for type_id, item_type in types.items() if part_type_allowed(item_type)
        )

    def part_types(self) -> dict[str, ItemType]:
        """The registered types a part may be, in registration order."""
        return {
            type_id: item_type
            for type_id, item_type in self._types.items()
            if type_id in self._part_ids
        }

    def _part_type(self, part: Mapping[str, JSON]) -> ItemType:
        type_id = part.get("type", "")
        if not isinstance(type_id, str) or type_id not in self._part_ids:
            raise ValueError(f"no part type {type_id!r}")
        return self._types[type_id]

    # -- validation -----------------------------------------------------------------

    def load(self, content: JSON) -> dict[str, JSON]:
        """The schema, then every part through its own type's ``load`` (problems named
        ``parts.<n>.content.<field>``), then :meth:`check`."""
        if not isinstance(content, dict):
            raise ContentError(
                [Problem("", "Isi soal harus berupa objek JSON.", "Content must be a JSON object.")]
            )
        try:
            data = schema_load(self.content_schema, content)
        except ma.ValidationError as exc:
            raise ContentError(list(flatten_marshmallow_errors(exc.messages))) from None
        problems = list(self.check(data))
        if len(data["parts"]) > MAX_PARTS:
            raise ContentError(problems)  # the parts themselves are not worth loading
        types = self.part_types()
        for index, part in enumerate(data["parts"]):
            item_type = types.get(part["type"])
            if item_type is None:
                known = ", ".join(types)
                problems.append(
                    Problem(
                        f"parts.{index}.type",
                        f"Jenis bagian '{part['type']}' tidak dapat dipakai (yang dapat: {known}).",
                        f"Part type '{part['type']}' cannot be used (usable: {known}).",
                    )
                )
                continue
            try:
                part["content"] = item_type.load(part["content"])
            except ContentError as exc:
                prefix = f"parts.{index}.content"
                problems += [
                    replace(p, field=f"{prefix}.{p.field}" if p.field else prefix)
                    for p in exc.problems
                ]
        if problems:
            raise ContentError(problems)
        return data

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        parts = content["parts"]
        yield from check_count(parts, "parts", PART, 2, MAX_PARTS)
        ids = [part["id"] for part in parts]
        for index, ident in enumerate(ids):
            if not is_identifier(ident) or identifier_problem(ident):
                yield Problem(
                    f"parts.{index}.id",
                    f"Kode bagian '{ident}' tidak valid: gunakan huruf, angka, '_', '.' atau "
                    "'-', diawali huruf atau '_', paling panjang 32 karakter.",
                    f"The part identifier '{ident}' is not valid: use letters, digits, '_', "
                    "'.' or '-', starting with a letter or '_', at most 32 characters.",
                )
            elif _RESERVED.fullmatch(ident):
                yield Problem(
                    f"parts.{index}.id",
                    f"Kode bagian '{ident}' dipakai untuk skor; pilih kode lain.",
                    f"The part identifier '{ident}' is used for scores; choose another.",
                )
        for index, ident in repeated(ids):
            yield Problem(
                f"parts.{index}.id",
                f"Kode bagian '{ident}' dipakai lebih dari sekali.",
                f"Part identifier '{ident}' is used more than once.",
            )

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        for index, part in enumerate(content.get("parts") or []):
            if not isinstance(part, dict):
                continue
            if isinstance(part.get("prompt"), str):
                yield f"parts.{index}.prompt", part["prompt"]
            type_id = part.get("type")
            item_type = self.part_types().get(type_id) if isinstance(type_id, str) else None
            if item_type is None or not isinstance(part.get("content"), dict):
                continue
            try:
                fields = list(item_type.html_fields(part["content"]))
            except (KeyError, TypeError, IndexError, AttributeError):
                continue  # content the part's type refuses on load anyway
            for path, html in fields:
                yield f"parts.{index}.content.{path}", html

    # -- scoring and display ----------------------------------------------------------

    def proof_key(self, content: dict[str, JSON]) -> Hashable | None:
        """From its parts': each part's id (its response's name), its type and that
        type's own :meth:`~itembank.itemtypes.ItemType.proof_key` of its content, in part
        order (the prompts are text shown, read by no scoring method); ``None`` when a
        part's type is unknown or gives none, or the content holds anything else."""
        if content.keys() != {"parts"}:
            return None
        keys: list[Hashable] = []
        for part in content["parts"]:
            if part.keys() != _PART_FIELDS:
                return None
            try:
                kind = self._part_type(part)
            except ValueError:
                return None
            inner = kind.proof_key(part["content"])
            if inner is None:
                return None
            keys.append((part["id"], kind.id, inner))
        return tuple(keys)

    def _responses(self, content: dict[str, JSON], response: JSON) -> list[JSON]:
        parts = content["parts"]
        if response is None:
            return [None] * len(parts)
        if not isinstance(response, (list, tuple)) or len(response) != len(parts):
            raise ValueError(
                f"response must be a list of {len(parts)} part responses or None, not "
                f"{type(response).__name__}"
                + (f" of {len(response)}" if isinstance(response, list | tuple) else "")
            )
        return list(response)

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        answers = self._responses(content, response)
        return sum(
            float(self._part_type(part).score(part["content"], answer))
            for part, answer in zip(content["parts"], answers, strict=True)
        )

    def scorer(self, content: dict[str, JSON]) -> Callable[[JSON], float]:
        """:meth:`score` for many responses to ``content``: each part's type and its own
        :meth:`~itembank.itemtypes.ItemType.scorer` looked up once, the parts' scores
        added in part order from 0 as :meth:`score` adds them."""
        parts = content["parts"]
        scorers = [
            self._part_type(part).scorer(part["content"])  # type: ignore[arg-type]
            for part in parts
        ]

        def score(response: JSON) -> float:
            answers = self._responses(content, response)
            total = 0
            for part_score, answer in zip(scorers, answers, strict=True):
                total += float(part_score(answer))
            return total

        return score

    def max_score(self, content: dict[str, JSON]) -> float:
        return sum(
            float(self._part_type(part).max_score(part["content"])) for part in content["parts"]
        )

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        options: dict[str, str] = {}
        keys: list[str] = []
        weights: dict[str, float] = {}
        for part in content["parts"]:
            inner = self._part_type(part).summary(part["content"])
            options.update({f"{part['id']}.{ident}": text for ident, text in inner.options.items()})
            keys += [f"{part['id']}.{key}" for key in inner.keys]
            weights.update({f"{part['id']}.{ident}": w for ident, w in inner.weights.items()})
        return ContentSummary(
            options=options,
            keys=keys,
            weights=weights,
            extra={
                "parts": [f"{part['id']}: {part['type']}" for part in content["parts"]],
                "points": self.max_score(content),
            },
        )

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        sections = []
        for number, part in enumerate(content["parts"], start=1):
            inner = self._part_type(part).preview_html(part["prompt"], part["content"], lang)
            scoped = _ID_ATTRIBUTE.sub(
                lambda m, n=number: (
                    m.group(1)
                    + '="'
                    + " ".join(f"{ident}-p{n}" for ident in m.group(2).split())
                    + '"'
                ),
                inner,
            )
            sections.append(
                Markup(
                    '<section class="ib-part" aria-label="{label}"><h3 class="ib-part-title">'
                    "{label}</h3>{inner}</section>"
                ).format(
                    label=pick(lang, f"Bagian {number}", f"Part {number}"), inner=Markup(scoped)
                )
            )
        return render_item(self.id, stem, lambda _prefix: Markup("").join(sections))

    def example_content(self) -> dict[str, JSON]:
        types = self.part_types()
        chosen = [t for t in ("single_choice", "multiple_response") if t in types]
        chosen += [t for t in types if t not in chosen]
        return {
            "parts": [
                {
                    "id": f"RESPONSE_{number}",
                    "type": type_id,
                    "prompt": f"<p>Bagian {number}</p>",
                    "content": types[type_id].example_content(),
                }
                for number, type_id in enumerate(chosen[:2], start=1)
            ]
        }

    # -- QTI ------------------------------------------------------------------------------

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, Any]:
        answers = self._responses(content, response)
        return {
            part["id"]: self._part_type(part).qti_response(part["content"], answer)["RESPONSE"]
            for part, answer in zip(content["parts"], answers, strict=True)
        }

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ValueError("a composite's response is one value per part response")
        answers = [
            self._part_type(part).response_from_qti(part["content"], value.get(part["id"]))
            for part in content["parts"]
        ]
        # every part blank is a blank response, as QTI reports it
        return None if all(answer in (None, "", []) for answer in answers) else answers

    def round_trip(self, content: dict[str, JSON]) -> Callable[[Any], tuple[JSON, dict[str, Any]]]:
        """:meth:`response_from_qti`, then :meth:`qti_response` of its response, with each
        part's type and methods looked up once (every part read first, then every part
        written back, as the two methods do)."""
        try:
            sides = [
                (part["id"], part["content"], kind.response_from_qti, kind.qti_response)
                for part, kind in ((part, self._part_type(part)) for part in content["parts"])
            ]
        except ValueError:  # a part of no known type: raised per response, as before
            return super().round_trip(content)
        blank = [None] * len(sides)

        def trip(value: Any) -> tuple[JSON, dict[str, Any]]:
            if value is None:
                response = answers = None
            else:
                if not isinstance(value, dict):
                    raise ValueError("a composite's response is one value per part response")
                answers = [from_qti(part, value.get(ident)) for ident, part, from_qti, _ in sides]
                # every part blank is a blank response, as QTI reports it
                blank_all = all(answer in (None, "", []) for answer in answers)
                response = None if blank_all else answers
            written = blank if answers is None or response is None else answers
            return response, {
                ident: to_qti(part, answer)["RESPONSE"]
                for (ident, part, _, to_qti), answer in zip(sides, written, strict=True)
            }

        return trip

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.composite.to_qti`, each part written by its
        own type."""

        def write_part(type_id: str, prompt: str, part: dict[str, Any]) -> AssessmentItem:
            return self.part_types()[type_id].to_qti(
                prompt, part, identifier=identifier, title=title, lang=lang
            )

        try:
            return qti_writer.to_qti(
                stem, content, identifier=identifier, title=title, lang=lang, write_part=write_part
            )
        except ValueError as exc:
            raise ExportNotSupported(
                self.id,
                f"Soal majemuk ini tidak dapat diekspor: {exc}.",
                f"This composite item cannot be exported: {exc}.",
            ) from None

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """An item with several interactions: each becomes a part, its content asked of
        the registered part types in the importer's order (the first whose content
        scores every response :mod:`itembank.qti_bridge.responses` tries for it alone
        exactly as the source does, the other parts blank). ``score`` takes every
        response at once (``{identifier: value}``). The importer then proves the whole
        item on responses that vary the parts together. A part's prompt is its
        interaction's, or the block marked as its prompt just before it
        (:func:`qti.model.part_prompts`: the bank's export of a text entry or a stage)."""
        from itembank.qti_bridge.parts import not_a_sum, part_content
        from itembank.qti_bridge.proof import describe

        interactions = list(item.interactions())
        if len(interactions) < 2:
            return None
        if len(interactions) > MAX_PARTS:
            raise ImportNotSupported(
                self.id,
                f"butir memiliki {len(interactions)} interaksi; soal majemuk paling banyak "
                f"{MAX_PARTS} bagian",
                f"the item has {len(interactions)} interactions; a composite item has at most "
                f"{MAX_PARTS} parts",
            )
        blocks = {p.response_identifier: p.prompt for p in part_prompts(item.body).values()}
        parts = []
        for number, interaction in enumerate(interactions, start=1):
            ident = interaction.response_identifier
            if not is_identifier(ident) or _RESERVED.fullmatch(ident):
                raise ImportNotSupported(
                    self.id,
                    f"bagian {number}: respons '{ident}' tidak dapat dipakai sebagai kode bagian",
                    f"part {number}: the response '{ident}' cannot be a part identifier",
                )
            found = part_content(item, interaction, score, self.part_types())
            if found is None:
                joint = not_a_sum(item, score)
                if joint is not None:
                    response, whole, alone = joint
                    shown = describe(response)
                    each = " + ".join(f"{value:g}" for value in alone)
                    raise ImportNotSupported(
                        self.id,
                        f"sumber menilai bagian-bagiannya bersama-sama: jawaban {shown} "
                        f"bernilai {whole:g}, bukan jumlah skor tiap bagian sendiri ({each}, "
                        "bagian lain kosong); soal majemuk menilai setiap bagian sendiri lalu "
                        "menjumlahkannya",
                        f"the source scores the parts together: the response {shown} scores "
                        f"{whole:g}, not the sum of what each part scores alone ({each}, the "
                        "other parts blank); a composite item scores each part by itself and "
                        "adds them up",
                    )
                raise ImportNotSupported(
                    self.id,
                    f"bagian {number} (respons '{ident}') tidak dapat dinyatakan oleh jenis soal "
                    "mana pun dengan skor yang sama",
                    f"part {number} (response '{ident}') is represented by no item type with the "
                    "same scores",
                )
            type_id, part = found
            parts.append(
                {
                    "id": ident,
                    "type": type_id,
                    "prompt": getattr(interaction, "prompt", None) or blocks.get(ident, ""),
                    "content": part,
                }
            )
        return {"parts": parts}

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        offered = {
            type_id: item_type
            for type_id, item_type in self.part_types().items()
            if item_type.editor_fields()
        }
        return [
            EditorField(
                "parts",
                "parts",
                editor.label("Bagian soal", "Parts"),
                help=editor.label(
                    "Setiap bagian dinilai menurut jenisnya; skor soal adalah jumlahnya.",
                    "Each part is scored by its type; the item scores the sum.",
                ),
                minimum=2,
                maximum=MAX_PARTS,
                start_items=2,
                id_style="prefix",
                id_prefix="RESPONSE_",
                entry_label=editor.label("Bagian", "Part"),
                choices=tuple((type_id, dict(t.label)) for type_id, t in offered.items()),
                variants={type_id: tuple(t.editor_fields()) for type_id, t in offered.items()},
                fields=(
                    EditorField(
                        "prompt",
                        "rich_text",
                        editor.label("Perintah bagian", "Part prompt"),
                    ),
                ),
            )
        ]


def part_type_allowed(item_type: ItemType) -> bool:
    """Whether ``item_type`` may be a part: it scores by itself, exports as QTI and is not
    built of parts itself."""
    return (
        not isinstance(item_type, Composite)
        and not item_type.scored_by_person
        and type(item_type).to_qti is not ItemType.to_qti
    )


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Composite())
