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
)
from itembank.sanitize import html_to_text
from plugins.itemtypes import _editor as editor
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
from plugins.itemtypes._qti import RESPONSE, plain_number, qti_identifier, the_interaction
from plugins.itemtypes._text_based import (
    MAX_GAPS,
    check_markers,
    check_plain_option,
    plain_option_text,
    text_from_slots,
)
from plugins.itemtypes.qti_writers import gap_match as qti_writer
from plugins.itemtypes.qti_writers._markers import replace_markers_html
from qti.model import AssessmentItem, GapMatchInteraction

#: Most words to place.
MAX_WORDS = 30
GAP = Noun("rumpang", "gap", "gaps")
WORD = Noun("kata", "word", "words")
DRAG_WORDS = (
    "Isi setiap rumpang dengan salah satu kata yang tersedia.",
    "Fill each gap with one of the words given.",
)


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


def _pairs(response: JSON) -> set[tuple[str, str]] | None:
    """The response as a set of ``(word, gap)`` pairs; ``None`` when blank."""
    if response is None:
        return None
    if not isinstance(response, list | tuple):
        raise ValueError(f"response must be a list of pairs or None, not {type(response).__name__}")
    pairs = set()
    for pair in response:
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(part, str) for part in pair)
        ):
            raise ValueError(f"each response pair must be two identifier strings, not {pair!r}")
        pairs.add((pair[0], pair[1]))
    return pairs


class GapMatch(ItemType):
    """Words to place in the gaps of a text.

    Scoring: the response is a list of ``[word, gap]`` pairs (QTI's order: the word
    first), or ``None``; for each gap in order, its ``points`` are added when its key
    pair is in the response. A repeated pair counts once.
    """

    id = "gap_match"
    label = {"id": "Melengkapi rumpang", "en": "Gap match"}
    description = {
        "id": "Peserta menempatkan kata yang tersedia ke rumpang-rumpang dalam teks.",
        "en": "The candidate places the words given into the gaps of a text.",
    }
    content_schema = GapMatchSchema
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

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "text", content["text"]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        pairs = _pairs(response)
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
        if _pairs(response) is None:
            return {RESPONSE: None}
        return {RESPONSE: [(qti_identifier(w), qti_identifier(g)) for w, g in response]}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        words = {word["id"]: html.escape(word["text"], quote=False) for word in content["words"]}
        key = {gap: word for gap, word in content["key"]}
        return ContentSummary(
            options=words,
            keys=[f"{key.get(gap['id'])} {gap['id']}" for gap in content["gaps"]],
            extra={
                "text": html_to_text(content["text"]),
                "points": {gap["id"]: gap["points"] for gap in content["gaps"]},
                "reuse_words": content["reuse_words"],
                "shuffle": content["shuffle"],
            },
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.gap_match.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A gap match interaction (multiple directed pairs ``word gap``) with plain-text
        words. Each gap's key is the one word that scores placed there alone, its points
        that score; words are used once (``matchMax`` 1) or without limit (0)."""
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
                    f"({shown}); setiap rumpang di bank punya satu kata kunci.",
                    f"In gap '{gap.identifier}' not exactly one word scores on its own "
                    f"({shown}); each gap in the bank has one key word.",
                )
            key.append([gap.identifier, scoring[0]])
            gaps.append({"id": gap.identifier, "points": plain_number(scores[scoring[0]])})
        codes = [gap.identifier for gap in interaction.gaps]
        return {
            "text": text_from_slots(self.id, interaction.content, codes),
            "words": [
                {"id": word.identifier, "text": plain_option_text(self.id, word)}
                for word in interaction.gap_texts
            ],
            "gaps": gaps,
            "key": key,
            "reuse_words": limits == {0},
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
