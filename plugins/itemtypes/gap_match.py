"""Gap match: the candidate drags words into the gaps of a text.

The writer types the text in ``text`` and marks each gap with its code, ``[[G1]]`` (as
for inline choice); lists the words (plain text); and pairs each gap with its word in
``key``; each gap has its points.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from markupsafe import Markup

from itembank.hookspecs import hookimpl
from itembank.itemtypes import (
    JSON,
    ContentSummary,
    EditorField,
    ImportNotSupported,
    ItemType,
    Problem,
    SourceScore,
    key_without_rich_text,
)
from itembank.sanitize import html_to_text
from plugins.itemtypes import _editor as editor
from plugins.itemtypes import _mapped as mapped
from plugins.itemtypes import _pairs as paired
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    MAX_POINTS,
    JsonNumber,
    Noun,
    StrictBoolean,
    check_count,
    check_positive,
    hint_paragraph,
    is_identifier,
    pick,
    render_item,
    repeated,
    rich_text_field,
    shuffle_field,
)
from plugins.itemtypes._qti import (
    RESPONSE,
    pair_lookup,
    plain_number,
    qti_identifier,
    the_interaction,
)
from plugins.itemtypes._text_based import (
    MAX_GAPS,
    check_markers,
    check_plain_option,
    plain_option_text,
    text_from_slots,
)
from plugins.itemtypes.qti_writers import gap_match as qti_writer
from plugins.itemtypes.qti_writers._markers import replace_markers_html
from qti.model import AssessmentItem, GapMatchInteraction, ResponseDeclaration

#: Most words to place.
MAX_WORDS = 30
GAP = Noun("rumpang", "gap", "gaps")
WORD = Noun("kata", "word", "words")
DRAG_WORDS = (
    "Isi setiap rumpang dengan salah satu kata yang tersedia.",
    "Fill each gap with one of the words given.",
)


PER_GAP = "per_gap"
GAP_SCORING = (PER_GAP, mapped.MAPPED)


class WordSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    text = ma.fields.String(required=True, validate=ma.validate.Length(max=200))


class GapSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    points = JsonNumber(load_default=1, minimum=None, maximum=MAX_POINTS)


class GapMatchSchema(ma.Schema):
    text = rich_text_field()
    words = ma.fields.List(ma.fields.Nested(WordSchema), required=True)
    gaps = ma.fields.List(ma.fields.Nested(GapSchema), required=True)
    key = ma.fields.List(
        ma.fields.List(ma.fields.String(), validate=ma.validate.Length(equal=2)), required=True
    )
    reuse_words = StrictBoolean(load_default=False)
    shuffle = shuffle_field(True)
    scoring = ma.fields.String(
        required=False,
        validate=ma.validate.OneOf(GAP_SCORING),
        metadata={"description": "per_gap (the default, left out) or mapped"},
    )
    pair_values = paired.pair_values_field(
        "[gap id, word id, value] of pairs other than the key under mapped scoring"
    )
    mapping = mapped.mapping_field()

    @ma.post_load
    def _normalise(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        if data.get("scoring") == PER_GAP:
            del data["scoring"]
        paired.drop_unused_pair_values(data)
        return data


def _sides(content: dict[str, JSON]) -> paired.PairSides:
    return paired.PairSides(
        GAP,
        {gap["id"]: 1 for gap in content["gaps"]},
        WORD,
        {word["id"]: 0 for word in content["words"]},
    )


def scoring_of(content: dict[str, JSON]) -> str:
    """``per_gap`` (content without ``scoring``) or ``mapped``."""
    return content.get("scoring") or PER_GAP


class GapMatch(mapped.MappedImport):
    """Words to place in the gaps of a text.

    Scoring: the response is a list of ``[word, gap]`` pairs (QTI's order: the word
    first), or ``None``; a repeated pair counts once.

    - per gap (the default, no ``scoring``): for each gap in order, its ``points`` are
      added when its key pair is in the response.
    - ``mapped`` (QTI ``mapResponse``): each distinct pair given adds its value: a key
      pair its gap's ``points``, another pair its value in ``pair_values``
      (``[gap, word, value]``; negative: points off for a wrong word), any other
      ``mapping.default``; the sum is bounded below by ``mapping.lower`` (``None``: no
      bound) and above by the gaps' points together; blank scores 0.
    """

    id = "gap_match"
    label = {"id": "Melengkapi rumpang", "en": "Gap match"}
    description = {
        "id": "Peserta menempatkan kata yang tersedia ke rumpang-rumpang dalam teks.",
        "en": "The candidate places the words given into the gaps of a text.",
    }
    content_schema = GapMatchSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    body_in_content = True
    no_option_scores = {
        "id": "Skor diberikan per rumpang: kata kunci setiap rumpang bernilai poinnya.",
        "en": "Scores are per gap: each gap's key word is worth its points.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        words, gaps = content["words"], content["gaps"]
        yield from check_count(gaps, "gaps", GAP, 1, MAX_GAPS)
        yield from check_count(words, "words", WORD, 2, MAX_WORDS)
        codes = [gap["id"] for gap in gaps]
        word_ids = [word["id"] for word in words]
        yield from check_markers(content["text"], codes, "text", GAP)
        for index, code in repeated([*codes, *word_ids]):
            where = f"gaps.{index}.id" if index < len(codes) else f"words.{index - len(codes)}.id"
            yield Problem(
                where,
                f"Kode '{code}' dipakai lebih dari sekali (kode rumpang dan kata harus berbeda).",
                f"Code '{code}' is used more than once (gap and word codes must differ).",
            )
        for index, code in enumerate([*codes, *word_ids]):
            if not is_identifier(code) or code in ("SCORE", "MAXSCORE", RESPONSE):
                where = (
                    f"gaps.{index}.id" if index < len(codes) else f"words.{index - len(codes)}.id"
                )
                yield Problem(
                    where,
                    f"Kode '{code}' tidak valid: gunakan huruf, angka, '_', '.' atau '-', "
                    "diawali huruf atau '_', paling panjang 32 karakter.",
                    f"Code '{code}' is not valid: use letters, digits, '_', '.' or '-', "
                    "starting with a letter or '_', at most 32 characters.",
                )
        seen: set[str] = set()
        for index, word in enumerate(words):
            yield from check_plain_option(word["text"], f"words.{index}.text", seen)
        for index, gap in enumerate(gaps):
            yield from check_positive(gap["points"], f"gaps.{index}.points", "Poin", "Points")
        keyed: dict[str, str] = {}
        for index, (gap, word) in enumerate(content["key"]):
            if gap not in codes:
                yield Problem(
                    f"key.{index}",
                    f"Kunci menyebut rumpang '{gap}' yang tidak ada.",
                    f"The key names gap '{gap}', which does not exist.",
                )
            elif gap in keyed:
                yield Problem(
                    f"key.{index}",
                    f"Rumpang '{gap}' diberi lebih dari satu kata kunci.",
                    f"Gap '{gap}' is given more than one key word.",
                )
            if word not in word_ids:
                yield Problem(
                    f"key.{index}",
                    f"Kunci menyebut kata '{word}' yang tidak ada.",
                    f"The key names word '{word}', which does not exist.",
                )
            keyed.setdefault(gap, word)
        for code in codes:
            if code not in keyed:
                yield Problem(
                    "key",
                    f"Rumpang '{code}' belum diberi kata kunci.",
                    f"Gap '{code}' has no key word yet.",
                )
        if not content["reuse_words"]:
            for word, count in _counts(list(keyed.values())).items():
                if count > 1:
                    yield Problem(
                        "key",
                        f"Kata '{word}' menjadi kunci {count} rumpang, padahal setiap kata hanya "
                        "dapat dipakai sekali; izinkan kata dipakai ulang atau ubah kuncinya.",
                        f"Word '{word}' is the key of {count} gaps, but each word can be used "
                        "once; allow words to be reused or change the key.",
                    )

        yield from self._check_mapped(content, codes, keyed)

    def _check_mapped(
        self, content: dict[str, JSON], codes: list[str], keyed: dict[str, str]
    ) -> Iterator[Problem]:
        problems = list(paired.check_pair_values(content, _sides(content), excluded=keyed.items()))
        yield from problems
        if problems or scoring_of(content) != mapped.MAPPED or len(keyed) != len(codes):
            return
        if any(gap["points"] <= 0 for gap in content["gaps"]):
            return
        top = self.max_score(content)
        lower = mapped.mapping_of(content)["lower"]
        if lower is not None and lower >= top:
            yield Problem(
                "mapping.lower",
                f"Batas bawah skor ({lower:g}) harus lebih kecil dari jumlah poin rumpang "
                f"({top:g}).",
                f"The lower bound of the score ({lower:g}) must be less than the gaps' points "
                f"together ({top:g}).",
            )
            return
        earned = self.score(content, [[word, gap] for gap, word in content["key"]])
        if not mapped.same_score(earned, top):
            yield mapped.keys_score_problem("key", earned, top)

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "text", content["text"]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if scoring_of(content) == mapped.MAPPED:
            key = {(word, gap) for gap, word in content["key"]}
            gap_points = {gap["id"]: gap["points"] for gap in content["gaps"]}
            own = {(word, gap): value for gap, word, value in content.get("pair_values", [])}

            def lookup(pair: tuple[str, str]) -> float | None:
                return gap_points[pair[1]] if pair in key else own.get(pair)

            return paired.mapped_pairs_score(
                content, paired.response_pair_list(response), lookup, self.max_score(content)
            )
        pairs = paired.response_pairs(response)
        if pairs is None:
            return 0
        key = {gap: word for gap, word in content["key"]}
        total: float = 0
        for gap in content["gaps"]:
            if (key.get(gap["id"]), gap["id"]) in pairs:
                total = total + gap["points"]
        return total

    def max_score(self, content: dict[str, JSON]) -> float:
        total: float = 0
        for gap in content["gaps"]:
            total = total + gap["points"]
        return total

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, Any]:
        if paired.response_pairs(response) is None:
            return {RESPONSE: None}
        return {RESPONSE: [(qti_identifier(w), qti_identifier(g)) for w, g in response]}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        words = {word["id"]: html.escape(word["text"], quote=False) for word in content["words"]}
        key = {gap: word for gap, word in content["key"]}
        return ContentSummary(
            options=words,
            keys=[f"{key.get(gap['id'])} {gap['id']}" for gap in content["gaps"]],
            extra=self._facts(content),
        )

    def _facts(self, content: dict[str, JSON]) -> dict[str, JSON]:
        facts: dict[str, JSON] = {
            "text": html_to_text(content["text"]),
            "points": {gap["id"]: gap["points"] for gap in content["gaps"]},
            "reuse_words": content["reuse_words"],
            "shuffle": content["shuffle"],
        }
        if scoring_of(content) == mapped.MAPPED:
            facts["scoring"] = mapped.MAPPED
            facts["pair_values"] = paired.pair_value_facts(content)
            facts["mapping"] = dict(mapped.mapping_of(content))
        return facts

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.gap_match.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A gap match interaction (multiple directed pairs ``word gap``) with plain-text
        words. Each gap's key is the one word that scores placed there alone, its points
        that score; words are used once (``matchMax`` 1) or without limit (0)."""
        found = self._interaction(item)
        if found is None:
            return None
        interaction, _response = found
        key: list[list[str]] = []
        gaps: list[dict[str, JSON]] = []
        for gap in interaction.gaps:
            scores = {
                word.identifier: score([(word.identifier, gap.identifier)])
                for word in interaction.gap_texts
            }
            scoring = [ident for ident, value in scores.items() if value != 0]
            if len(scoring) != 1 or scores[scoring[0]] < 0:
                shown = ", ".join(f"{ident} {value:g}" for ident, value in scores.items())
                raise ImportNotSupported(
                    self.id,
                    f"Pada rumpang '{gap.identifier}' tidak tepat satu kata yang bernilai "
                    f"({shown}) dan skornya bukan pemetaan per pasangan (mapResponse); setiap "
                    "rumpang di bank punya satu kata kunci.",
                    f"In gap '{gap.identifier}' not exactly one word scores on its own "
                    f"({shown}) and the scoring is no mapping per pair (mapResponse); each gap "
                    "in the bank has one key word.",
                )
            key.append([gap.identifier, scoring[0]])
            gaps.append({"id": gap.identifier, "points": plain_number(scores[scoring[0]])})
        return {**self._shape(interaction), "gaps": gaps, "key": key}

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Mapped scoring from the response's declared mapping: each gap's key word is
        its declared correct word (else the word worth most there), its points what the
        mapping gives that pair; every other pair the mapping gives a value is in
        ``pair_values``. ``None`` when a gap's key pair is worth nothing (a gap's points
        are more than 0) or the mapping's upper bound is below the gaps' points."""
        found = self._interaction(item)
        if found is None:
            return None
        interaction, response = found
        mapping = response.mapping
        if mapping is None:
            return None
        declared = {}
        for value in response.correct:
            parts = value.split()
            if len(parts) == 2:
                declared.setdefault(parts[1], parts[0])
        words = [word.identifier for word in interaction.gap_texts]
        key: list[list[str]] = []
        gaps: list[dict[str, JSON]] = []
        for gap in interaction.gaps:
            own = {
                word: pair_lookup(mapping, (word, gap.identifier), directed=True) for word in words
            }
            best = declared.get(gap.identifier)
            if best not in own:
                ranked = [(value, word) for word, value in own.items() if value is not None]
                best = max(ranked, key=lambda entry: entry[0])[1] if ranked else None
            points = None if best is None else own[best]
            if points is None or points <= 0:
                return None
            key.append([gap.identifier, best])
            gaps.append({"id": gap.identifier, "points": plain_number(points)})
        keyed = {(word, gap) for gap, word in key}
        pairs = [(word, gap.identifier) for gap in interaction.gaps for word in words]
        values = [
            [gap, word, value]
            for word, gap, value in paired.mapped_entries(mapping, pairs, directed=True)
            if (word, gap) not in keyed
        ]
        total: float = 0
        for gap in gaps:
            total = total + gap["points"]  # type: ignore[operator]
        if mapping.upper is not None and mapping.upper < total:
            return None
        return {
            **self._shape(interaction),
            "gaps": gaps,
            "key": key,
            "scoring": mapped.MAPPED,
            "pair_values": values,
            "mapping": {
                "default": plain_number(mapping.default),
                "lower": None if mapping.lower is None else plain_number(mapping.lower),
            },
        }

    def _interaction(
        self, item: AssessmentItem
    ) -> tuple[GapMatchInteraction, ResponseDeclaration] | None:
        """The item's gap match interaction (multiple directed pairs) with its response
        declaration, or ``None``.

        :raises ImportNotSupported: when the words' use limits are neither all 1 nor all
            0 (no limit).
        """
        found = the_interaction(item, GapMatchInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "multiple" or response.base_type != "directedPair":
            return None
        limits = {choice.match_max for choice in interaction.gap_texts}
        if limits not in ({0}, {1}):
            raise ImportNotSupported(
                self.id,
                "Batas pemakaian kata berbeda-beda atau lebih dari satu; di bank setiap kata "
                "dipakai sekali atau boleh dipakai ulang tanpa batas.",
                "The words' use limits differ or exceed one; in the bank each word is used "
                "once or may be reused without limit.",
            )
        return interaction, response

    def _shape(self, interaction: GapMatchInteraction) -> dict[str, JSON]:
        codes = [gap.identifier for gap in interaction.gaps]
        return {
            "text": text_from_slots(self.id, interaction.content, codes),
            "words": [
                {"id": word.identifier, "text": plain_option_text(self.id, word)}
                for word in interaction.gap_texts
            ],
            "reuse_words": {c.match_max for c in interaction.gap_texts} == {0},
            "shuffle": interaction.shuffle,
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        gaps = {gap["id"]: index for index, gap in enumerate(content["gaps"])}
        words = content["words"]

        def body(prefix: str) -> Markup:
            def place(code: str) -> str:
                if code not in gaps:
                    return str(Markup("[[{}]]").format(code))
                index = gaps[code]
                options = Markup("").join(
                    Markup('<option value="{}">{}</option>').format(w["id"], w["text"])
                    for w in words
                )
                return str(
                    Markup(
                        '<label class="visually-hidden" for="{prefix}-g{index}">{label}</label>'
                        '<select class="ib-gap" id="{prefix}-g{index}" name="{prefix}-{code}" '
                        'aria-describedby="{prefix}-hint"><option value="">{blank}</option>'
                        "{options}</select>"
                    ).format(
                        prefix=prefix,
                        index=index,
                        code=code,
                        label=pick(lang, f"Rumpang {index + 1}", f"Gap {index + 1}"),
                        blank="…",
                        options=options,
                    )
                )

            bank = Markup("").join(
                Markup('<li class="ib-word">{}</li>').format(w["text"]) for w in words
            )
            return Markup(
                '{hint}<ul class="ib-words" aria-label="{label}">{bank}</ul>'
                '<div class="ib-sentence">{text}</div>'
            ).format(
                hint=hint_paragraph(prefix, pick(lang, *DRAG_WORDS)),
                label=pick(lang, "Kata yang tersedia", "Words given"),
                bank=bank,
                text=Markup(replace_markers_html(content["text"], place)),
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Lengkapi teks berikut dengan kata yang tepat."
        return {
            "text": "<p>Pancasila sebagai [[G1]] negara menjadi sumber dari segala sumber "
            "[[G2]] negara.</p>",
            "words": [
                {"id": "A", "text": "dasar"},
                {"id": "B", "text": "hukum"},
                {"id": "C", "text": "tujuan"},
                {"id": "D", "text": "kekuasaan"},
            ],
            "gaps": [{"id": "G1", "points": 1}, {"id": "G2", "points": 1}],
            "key": [["G1", "A"], ["G2", "B"]],
            "reuse_words": False,
            "shuffle": True,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            EditorField(
                "text",
                "rich_text",
                editor.label("Teks dengan rumpang", "Text with gaps"),
                help=editor.label(
                    "Tandai setiap rumpang dengan kodenya dalam kurung siku ganda, misalnya "
                    "[[G1]].",
                    "Mark each gap with its code in double square brackets, e.g. [[G1]].",
                ),
            ),
            EditorField(
                "words",
                "entries",
                editor.label("Kata yang tersedia", "Words given"),
                minimum=2,
                start_items=4,
                entry_label=editor.label("Kata", "Word"),
                fields=(EditorField("text", "text", editor.label("Teks", "Text")),),
            ),
            EditorField(
                "gaps",
                "entries",
                editor.label("Rumpang", "Gaps"),
                minimum=1,
                start_items=2,
                id_style="prefix",
                id_prefix="G",
                entry_label=editor.label("Rumpang", "Gap"),
                fields=(editor.points(),),
            ),
            EditorField(
                "key",
                "pairs",
                editor.label("Kata kunci setiap rumpang", "The key word of each gap"),
                source="gaps",
                target="words",
            ),
            EditorField(
                "reuse_words",
                "boolean",
                editor.label("Kata boleh dipakai lebih dari sekali", "Words may be reused"),
                default=False,
            ),
            EditorField(
                "scoring",
                "choice",
                editor.label("Penskoran", "Scoring"),
                default=PER_GAP,
                choices=(
                    (PER_GAP, editor.label("Per rumpang (poin rumpang)", "Per gap (its points)")),
                    (
                        mapped.MAPPED,
                        editor.label("Berbobot (nilai per pasangan)", "Mapped (a value per pair)"),
                    ),
                ),
            ),
            paired.pair_values_editor("gaps", "words"),
            mapped.editor_mapping(),
            editor.shuffle(True),
        ]


def _counts(values: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(GapMatch())
