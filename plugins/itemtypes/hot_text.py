"""Hot text: the candidate selects phrases within a text.

The writer types the text in ``text`` and marks where each selectable phrase goes with
its code, ``[[H1]]``; the phrases themselves are listed in ``hottexts`` (bank HTML with
inline formatting only: emphasis, sub/superscripts, formulas), the key phrases in
``keys``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from markupsafe import Markup

from itembank.hookspecs import hookimpl
from itembank.itemtypes import (
    JSON,
    ContentSummary,
    EditorField,
    ItemType,
    Problem,
    SourceScore,
    key_without_rich_text,
)
from itembank.sanitize import MarkupTooComplex, html_to_text, sanitize_inline_html
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    MAX_CHOICES,
    Noun,
    bounded_integer,
    check_count,
    check_points,
    hint_paragraph,
    is_identifier,
    pick,
    points_field,
    render_item,
    repeated,
    response_ids,
    rich_text_field,
)
from plugins.itemtypes._qti import (
    RESPONSE,
    plain_number,
    qti_identifiers,
    the_interaction,
)
from plugins.itemtypes._text_based import (
    MAX_GAPS,
    check_inline_option,
    check_markers,
    inline_option_xhtml,
    text_from_slots,
)
from plugins.itemtypes.qti_writers import hot_text as qti_writer
from plugins.itemtypes.qti_writers._markers import replace_markers_html
from qti.model import AssessmentItem, HottextInteraction

HOT_TEXT = Noun("teks pilihan", "hot text", "hot texts")
SELECT = (
    "Pilih bagian teks yang benar (boleh lebih dari satu).",
    "Select the right parts of the text (there may be more than one).",
)


_MARKUP = re.compile(r"<[A-Za-z/!?]")
#: Longest hot text as stored (its markup included; its text is at most 200 characters).
MAX_HOT_TEXT_CHARS = 2000


class HottextSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    text = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=MAX_HOT_TEXT_CHARS),
        metadata={"description": "HTML with inline formatting only (strong, em, sub, sup)"},
    )

    @ma.post_load
    def _inline(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        # Markup is reduced to inline formatting (the editor's rich text wraps a
        # paragraph around it); text without markup (all that could be stored before)
        # stays exactly as it is.
        # Markup too complex to parse is left to the sanitizer, which reports it on save.
        if _MARKUP.search(data["text"]):
            with contextlib.suppress(MarkupTooComplex):
                data["text"] = sanitize_inline_html(data["text"])
        return data


class HotTextSchema(ma.Schema):
    text = rich_text_field()
    hottexts = ma.fields.List(ma.fields.Nested(HottextSchema), required=True)
    keys = ma.fields.List(ma.fields.String(), required=True)
    points = points_field()
    max_choices = bounded_integer(0, 0, MAX_CHOICES)


class HotText(ItemType):
    """Phrases of a text to select.

    Scoring: the response is the list of selected hot-text codes, or ``None``; it scores
    ``points`` when it holds exactly the keys (in any order, each once), else 0. With
    ``max_choices`` 1 the QTI response is a single identifier (one key, one selection).
    """

    id = "hot_text"
    label = {"id": "Memilih bagian teks", "en": "Hot text"}
    description = {
        "id": "Peserta memilih bagian-bagian teks yang benar di dalam bacaan.",
        "en": "The candidate selects the right parts of a text.",
    }
    content_schema = HotTextSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    body_in_content = True
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: hanya himpunan kunci yang lengkap yang dinilai.",
        "en": "No per-option score: only the whole set of keys is scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        hottexts = content["hottexts"]
        yield from check_count(hottexts, "hottexts", HOT_TEXT, 2, MAX_GAPS)
        codes = [hot["id"] for hot in hottexts]
        yield from check_markers(content["text"], codes, "text", HOT_TEXT)
        for index, code in repeated(codes):
            yield Problem(
                f"hottexts.{index}.id",
                f"Kode '{code}' dipakai lebih dari sekali.",
                f"Code '{code}' is used more than once.",
            )
        seen: set[str] = set()
        for index, hot in enumerate(hottexts):
            if not is_identifier(hot["id"]) or hot["id"] in ("SCORE", "MAXSCORE", RESPONSE):
                yield Problem(
                    f"hottexts.{index}.id",
                    f"Kode '{hot['id']}' tidak valid: gunakan huruf, angka, '_', '.' atau '-', "
                    "diawali huruf atau '_', paling panjang 32 karakter.",
                    f"Code '{hot['id']}' is not valid: use letters, digits, '_', '.' or '-', "
                    "starting with a letter or '_', at most 32 characters.",
                )
            yield from check_inline_option(hot["text"], f"hottexts.{index}.text", seen)
        keys = content["keys"]
        if not keys:
            yield Problem("keys", "Pilih minimal satu kunci.", "Choose at least one key.")
        for index, key in enumerate(keys):
            if key not in codes:
                yield Problem(
                    f"keys.{index}",
                    f"Kunci '{key}' tidak ada di teks pilihan.",
                    f"Key '{key}' is not one of the hot texts.",
                )
        for index, key in repeated(keys):
            yield Problem(
                f"keys.{index}",
                f"Kunci '{key}' disebut lebih dari sekali.",
                f"Key '{key}' is listed more than once.",
            )
        most = content["max_choices"]
        if 0 < most < len(keys):
            yield Problem(
                "max_choices",
                f"Batas pilihan {most} lebih kecil dari jumlah kunci ({len(keys)}).",
                f"The choice limit {most} is below the number of keys ({len(keys)}).",
            )
        yield from check_points(content)

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "text", content["text"]
        for index, hot in enumerate(content["hottexts"]):
            yield f"hottexts.{index}.text", hot["text"]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        ids = response_ids(response)
        if ids is None:
            return 0
        return content["points"] if sorted(ids) == sorted(content["keys"]) else 0

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, Any]:
        ids = qti_identifiers(response_ids(response))
        if content["max_choices"] != 1 or ids is None:
            return {RESPONSE: ids}
        if len(ids) > 1:
            raise ValueError("at most one hot text can be selected (max_choices is 1)")
        return {RESPONSE: ids[0] if ids else None}

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return [value]
        return list(value)

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        return ContentSummary(
            options={h["id"]: h["text"] for h in content["hottexts"]},
            keys=list(content["keys"]),
            extra={
                "text": html_to_text(content["text"]),
                "points": content["points"],
                "max_choices": content["max_choices"],
            },
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.hot_text.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A hot text interaction with hot texts of text and inline formatting
        (:func:`plugins.itemtypes._text_based.inline_option_xhtml`) and an identifier response:
        the declared correct set (single: the one correct hot text, ``max_choices`` 1) is
        the key, worth what it scores."""
        found = the_interaction(item, HottextInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.base_type != "identifier":
            return None
        single = response.cardinality == "single"
        if not response.correct or (single and len(response.correct) != 1):
            return None
        points = score(response.correct[0] if single else list(response.correct))
        if points <= 0:
            return None
        codes = [hot.identifier for hot in interaction.hottexts]
        return {
            "text": text_from_slots(self.id, interaction.content, codes),
            "hottexts": [
                {"id": hot.identifier, "text": inline_option_xhtml(self.id, hot)}
                for hot in interaction.hottexts
            ],
            "keys": list(response.correct),
            "points": plain_number(points),
            "max_choices": 1 if single else max(interaction.max_choices, 0),
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        hottexts = {h["id"]: (index, h) for index, h in enumerate(content["hottexts"])}

        def body(prefix: str) -> Markup:
            def choice(code: str) -> str:
                if code not in hottexts:
                    return str(Markup("[[{}]]").format(code))
                index, hot = hottexts[code]
                return str(
                    Markup(
                        '<span class="ib-hottext"><input type="checkbox" id="{prefix}-h{index}" '
                        'name="{prefix}-response" value="{code}" aria-describedby="{prefix}-hint">'
                        '<label for="{prefix}-h{index}">{text}</label></span>'
                    ).format(prefix=prefix, index=index, code=code, text=Markup(hot["text"]))
                )

            return Markup('{hint}<div class="ib-sentence">{text}</div>').format(
                hint=hint_paragraph(prefix, pick(lang, *SELECT)),
                text=Markup(replace_markers_html(content["text"], choice)),
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Pilih kata yang penulisannya tidak baku dalam kalimat berikut."
        return {
            "text": "<p>Para [[H1]] menyusun [[H2]] kerja dengan [[H3]] dan [[H4]].</p>",
            "hottexts": [
                {"id": "H1", "text": "pegawai"},
                {"id": "H2", "text": "rencana"},
                {"id": "H3", "text": "sistimatis"},
                {"id": "H4", "text": "efektip"},
            ],
            "keys": ["H3", "H4"],
            "points": 2,
            "max_choices": 0,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            EditorField(
                "text",
                "rich_text",
                editor.label("Teks", "Text"),
                help=editor.label(
                    "Tandai tempat setiap teks pilihan dengan kodenya dalam kurung siku ganda, "
                    "misalnya [[H1]].",
                    "Mark where each hot text goes with its code in double square brackets, "
                    "e.g. [[H1]].",
                ),
            ),
            EditorField(
                "hottexts",
                "entries",
                editor.label("Teks pilihan", "Hot texts"),
                minimum=2,
                start_items=4,
                id_style="prefix",
                id_prefix="H",
                entry_label=editor.label("Teks pilihan", "Hot text"),
                # Rich text; only inline formatting is kept (HottextSchema).
                fields=(EditorField("text", "rich_text", editor.label("Teks", "Text")),),
            ),
            EditorField("keys", "keys", editor.label("Kunci jawaban", "Keys"), source="hottexts"),
            editor.points(),
            EditorField(
                "max_choices",
                "integer",
                editor.label("Paling banyak dipilih (0: tanpa batas)", "Most choices (0: any)"),
                default=0,
                minimum=0,
                maximum=MAX_CHOICES,
            ),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(HotText())
