"""Inline choice: a sentence with one or more gaps, each a drop-down list of words.

The writer types the sentence in ``text`` and marks each gap with its code in double
square brackets, ``[[G1]]`` (:mod:`plugins.itemtypes.qti_writers._markers`); each gap
lists its options (plain text), its key and its points.
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
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    MAX_POINTS,
    JsonNumber,
    Noun,
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
from plugins.itemtypes._qti import plain_number, qti_identifier
from plugins.itemtypes._text_based import (
    MAX_GAPS,
    check_markers,
    check_plain_option,
    plain_option_text,
    sentence_from_qti,
)
from plugins.itemtypes.qti_writers import inline_choice as qti_writer
from plugins.itemtypes.qti_writers._markers import replace_markers_html
from qti.model import AssessmentItem, InlineChoiceInteraction

#: Most options of one gap.
MAX_GAP_OPTIONS = 20
GAP = Noun("rumpang", "gap", "gaps")
CHOOSE_PER_GAP = ("Pilih jawaban untuk setiap rumpang.", "Choose an answer for each gap.")
GAP_OPTION = Noun("pilihan rumpang", "gap option", "gap options")


class GapOptionSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    text = ma.fields.String(required=True, validate=ma.validate.Length(max=200))


class GapSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    options = ma.fields.List(ma.fields.Nested(GapOptionSchema), required=True)
    correct = ma.fields.String(required=True)
    points = JsonNumber(load_default=1, minimum=None, maximum=MAX_POINTS)


class InlineChoiceSchema(ma.Schema):
    text = rich_text_field()
    gaps = ma.fields.List(ma.fields.Nested(GapSchema), required=True, metadata={"minItems": 1})
    shuffle = shuffle_field(False)


def _gap_response(response: JSON, codes: list[str]) -> dict[str, str | None] | None:
    """A response as ``{gap code: option id or None}`` (``None``: blank); anything else
    is the wrong shape."""
    if response is None:
        return None
    if not isinstance(response, dict):
        raise ValueError(
            f"response must be an object of gap codes or None, not {type(response).__name__}"
        )
    for code, value in response.items():
        if code not in codes:
            raise ValueError(f"response names {code!r}, which is not a gap of the item")
        if value is not None and not isinstance(value, str):
            raise ValueError(f"the response of gap {code!r} must be an identifier or None")
    return {code: response.get(code) for code in codes}


class InlineChoice(ItemType):
    """Gaps in a sentence, each with a drop-down list.

    Scoring: the response is ``{gap code: option id}`` (a gap left out or ``None`` is
    blank), or ``None``; for each gap in order, ``points`` is added when its option is
    the gap's key. The score is the sum (0 + the first gap's points + ...).
    """

    id = "inline_choice"
    label = {"id": "Pilihan dalam kalimat", "en": "Inline choice"}
    description = {
        "id": "Peserta memilih kata untuk setiap rumpang dalam kalimat dari daftar pilihan.",
        "en": "The candidate picks a word from a list for each gap in a sentence.",
    }
    content_schema = InlineChoiceSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    body_in_content = True
    no_option_scores = {
        "id": "Skor diberikan per rumpang: kunci setiap rumpang bernilai poinnya (lihat kunci).",
        "en": "Scores are per gap: each gap's key is worth its points (see the key).",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        gaps = content["gaps"]
        yield from check_count(gaps, "gaps", GAP, 1, MAX_GAPS)
        codes = [gap["id"] for gap in gaps]
        yield from check_markers(content["text"], codes, "text", GAP)
        for index, code in repeated(codes):
            yield Problem(
                f"gaps.{index}.id",
                f"Kode rumpang '{code}' dipakai lebih dari sekali.",
                f"Gap code '{code}' is used more than once.",
            )
        for index, gap in enumerate(gaps):
            path = f"gaps.{index}"
            if not is_identifier(gap["id"]) or gap["id"] in ("SCORE", "MAXSCORE"):
                yield Problem(
                    f"{path}.id",
                    f"Kode rumpang '{gap['id']}' tidak valid: gunakan huruf, angka, '_', '.' "
                    "atau '-', diawali huruf atau '_', paling panjang 32 karakter (bukan SCORE "
                    "atau MAXSCORE).",
                    f"Gap code '{gap['id']}' is not valid: use letters, digits, '_', '.' or '-', "
                    "starting with a letter or '_', at most 32 characters (not SCORE or "
                    "MAXSCORE).",
                )
            options = gap["options"]
            yield from check_count(options, f"{path}.options", GAP_OPTION, 2, MAX_GAP_OPTIONS)
            seen_ids: set[str] = set()
            seen_texts: set[str] = set()
            for number, option in enumerate(options):
                where = f"{path}.options.{number}"
                if not is_identifier(option["id"]) or option["id"] in seen_ids:
                    yield Problem(
                        f"{where}.id",
                        f"Kode pilihan '{option['id']}' pada rumpang '{gap['id']}' tidak valid "
                        "atau dipakai lebih dari sekali.",
                        f"Option code '{option['id']}' of gap '{gap['id']}' is not valid or is "
                        "used more than once.",
                    )
                seen_ids.add(option["id"])
                yield from check_plain_option(option["text"], f"{where}.text", seen_texts)
            if gap["correct"] not in seen_ids:
                yield Problem(
                    f"{path}.correct",
                    f"Kunci rumpang '{gap['id']}' bukan salah satu pilihannya.",
                    f"The key of gap '{gap['id']}' is not one of its options.",
                )
            yield from check_positive(gap["points"], f"{path}.points", "Poin", "Points")

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "text", content["text"]

    @staticmethod
    def _codes(content: dict[str, JSON]) -> list[str]:
        return [gap["id"] for gap in content["gaps"]]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        given = _gap_response(response, self._codes(content))
        if given is None:
            return 0
        total: float = 0
        for gap in content["gaps"]:
            if given[gap["id"]] == gap["correct"]:
                total = total + gap["points"]
        return total

    def max_score(self, content: dict[str, JSON]) -> float:
        total: float = 0
        for gap in content["gaps"]:
            total = total + gap["points"]
        return total

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, Any]:
        codes = self._codes(content)
        given = _gap_response(response, codes) or dict.fromkeys(codes)
        return {code: qti_identifier(value) for code, value in given.items()}

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        """``{gap code: option id or None}`` from the values of the gaps' response
        variables (a dict by response identifier); ``None`` when all are blank."""
        if value is None:
            return None
        given = _gap_response(value, self._codes(content))
        if given is None or all(v in (None, "") for v in given.values()):
            return None
        return {code: (v or None) for code, v in given.items()}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        options = {
            f"{gap['id']}.{option['id']}": html.escape(option["text"], quote=False)
            for gap in content["gaps"]
            for option in gap["options"]
        }
        return ContentSummary(
            options=options,
            keys=[f"{gap['id']}.{gap['correct']}" for gap in content["gaps"]],
            weights={f"{gap['id']}.{gap['correct']}": gap["points"] for gap in content["gaps"]},
            extra={"text": html_to_text(content["text"]), "shuffle": content["shuffle"]},
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.inline_choice.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """Inline choice interactions only, each with a single identifier response, in
        the body's text. ``score`` takes ``{response identifier: value}``. Each gap's key
        is the one option that scores when the other gaps are blank, its points that
        score; a gap where no option scores alone, or several do, cannot be represented
        (the proof then checks every combination of the gaps' answers)."""
        interactions = list(item.interactions())
        if not interactions or not all(
            isinstance(i, InlineChoiceInteraction) for i in interactions
        ):
            return None
        declarations = {r.identifier: r for r in item.responses}
        gaps: list[dict[str, JSON]] = []
        for interaction in interactions:
            declaration = declarations.get(interaction.response_identifier)
            if (
                declaration is None
                or declaration.cardinality != "single"
                or declaration.base_type != "identifier"
            ):
                return None
            code = interaction.response_identifier
            scores = {
                choice.identifier: score({code: choice.identifier})
                for choice in interaction.choices
            }
            scoring = [ident for ident, value in scores.items() if value != 0]
            if len(scoring) != 1 or scores[scoring[0]] < 0:
                shown = ", ".join(f"{ident} {value:g}" for ident, value in scores.items())
                raise ImportNotSupported(
                    self.id,
                    f"Pada rumpang '{code}' tidak tepat satu pilihan yang bernilai ({shown}); "
                    "setiap rumpang di bank punya satu kunci yang bernilai sendiri.",
                    f"In gap '{code}' not exactly one option scores on its own ({shown}); each "
                    "gap in the bank has one key that scores on its own.",
                )
            gaps.append(
                {
                    "id": code,
                    "options": [
                        {"id": choice.identifier, "text": plain_option_text(self.id, choice)}
                        for choice in interaction.choices
                    ],
                    "correct": scoring[0],
                    "points": plain_number(scores[scoring[0]]),
                }
            )
        return {
            "text": sentence_from_qti(self.id, item),
            "gaps": gaps,
            "shuffle": any(i.shuffle for i in interactions),  # type: ignore[union-attr]
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        gaps = {gap["id"]: (index, gap) for index, gap in enumerate(content["gaps"])}
        blank = pick(lang, "Pilih", "Choose")
        hint = pick(lang, *CHOOSE_PER_GAP)

        def body(prefix: str) -> Markup:
            def select(code: str) -> str:
                if code not in gaps:  # content that passed check() marks known gaps only
                    return str(Markup("[[{}]]").format(code))
                index, gap = gaps[code]
                options = Markup("").join(
                    Markup('<option value="{}">{}</option>').format(o["id"], o["text"])
                    for o in gap["options"]
                )
                return str(
                    Markup(
                        '<label class="visually-hidden" for="{prefix}-g{index}">{label}</label>'
                        '<select class="ib-gap" id="{prefix}-g{index}" name="{prefix}-{code}" '
                        'data-gap="{code}" aria-describedby="{prefix}-hint">'
                        '<option value="">{blank}</option>{options}</select>'
                    ).format(
                        prefix=prefix,
                        index=index,
                        code=code,
                        label=pick(lang, f"Rumpang {index + 1}", f"Gap {index + 1}"),
                        blank=blank,
                        options=options,
                    )
                )

            sentence = replace_markers_html(content["text"], select)
            return Markup('{hint}<div class="ib-sentence">{sentence}</div>').format(
                hint=hint_paragraph(prefix, hint), sentence=Markup(sentence)
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Lengkapi kalimat berikut."
        return {
            "text": "<p>Pancasila disahkan sebagai dasar negara pada tanggal [[G1]] oleh "
            "[[G2]].</p>",
            "gaps": [
                {
                    "id": "G1",
                    "options": [
                        {"id": "A", "text": "1 Juni 1945"},
                        {"id": "B", "text": "18 Agustus 1945"},
                        {"id": "C", "text": "17 Agustus 1945"},
                    ],
                    "correct": "B",
                    "points": 1,
                },
                {
                    "id": "G2",
                    "options": [
                        {"id": "A", "text": "BPUPKI"},
                        {"id": "B", "text": "PPKI"},
                        {"id": "C", "text": "KNIP"},
                    ],
                    "correct": "B",
                    "points": 1,
                },
            ],
            "shuffle": False,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            EditorField(
                "text",
                "rich_text",
                editor.label("Kalimat dengan rumpang", "Sentence with gaps"),
                help=editor.label(
                    "Tandai setiap rumpang dengan kodenya dalam kurung siku ganda, misalnya "
                    "[[G1]].",
                    "Mark each gap with its code in double square brackets, e.g. [[G1]].",
                ),
            ),
            EditorField(
                "gaps",
                "entries",
                editor.label("Rumpang", "Gaps"),
                minimum=1,
                start_items=1,
                id_style="prefix",
                id_prefix="G",
                entry_label=editor.label("Rumpang", "Gap"),
                fields=(
                    EditorField(
                        "options",
                        "entries",
                        editor.label("Pilihan", "Options"),
                        minimum=2,
                        start_items=3,
                        entry_label=editor.OPTION,
                        fields=(EditorField("text", "text", editor.label("Teks", "Text")),),
                    ),
                    EditorField("correct", "key", editor.label("Kunci", "Key"), source="options"),
                    editor.points(),
                ),
            ),
            editor.shuffle(False),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(InlineChoice())
