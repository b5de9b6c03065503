"""Short text entry: the candidate types a word or phrase matched against accepted answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

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
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    Noun,
    StrictBoolean,
    bounded_integer,
    check_count,
    check_points,
    pick,
    points_field,
    render_item,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, the_interaction
from plugins.itemtypes.qti_writers import short_text as qti_writer
from qti.model import (
    AssessmentItem,
    TextEntryInteraction,
)

#: The longest accepted answer, in characters.
MAX_ANSWER_LENGTH = 200
ACCEPTED = Noun("jawaban yang diterima", "accepted answer", "accepted answers")
_MARKUP = re.compile(r"<[A-Za-z/!?]")


class ShortTextSchema(ma.Schema):
    accepted = ma.fields.List(ma.fields.String(), required=True, metadata={"minItems": 1})
    case_sensitive = StrictBoolean(load_default=False)
    points = points_field()
    expected_length = bounded_integer(20, 1, MAX_ANSWER_LENGTH)


class ShortText(ItemType):
    """A typed answer compared with a list of accepted answers.

    Scoring: the response is a string or ``None``; it scores ``points`` when it equals
    one of ``accepted`` exactly, else 0. Unless ``case_sensitive``, both sides are
    compared after ``str.lower()`` (not ``str.casefold()``: players compare character
    by character, and so does :mod:`qti.rp`). The response is neither trimmed nor has
    its whitespace collapsed, because QTI ``stringMatch`` does neither; accepted answers
    therefore may not start or end with whitespace.
    """

    id = "short_text"
    label = {"id": "Isian singkat", "en": "Short text entry"}
    description = {
        "id": "Peserta mengetik jawaban singkat yang dicocokkan dengan daftar jawaban benar.",
        "en": "The candidate types a short answer that is matched against accepted answers.",
    }
    content_schema = ShortTextSchema

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        accepted = content["accepted"]
        yield from check_count(accepted, "accepted", ACCEPTED, 1)
        seen: set[str] = set()
        for index, answer in enumerate(accepted):
            path = f"accepted.{index}"
            if not answer.strip():
                yield Problem(
                    path,
                    f"Jawaban yang diterima ke-{index + 1} kosong.",
                    f"Accepted answer {index + 1} is empty.",
                )
                continue
            if len(answer) > MAX_ANSWER_LENGTH:
                yield Problem(
                    path,
                    f"Jawaban yang diterima ke-{index + 1} lebih dari {MAX_ANSWER_LENGTH} "
                    "karakter.",
                    f"Accepted answer {index + 1} is longer than {MAX_ANSWER_LENGTH} characters.",
                )
            if _MARKUP.search(answer):
                yield Problem(
                    path,
                    f"Jawaban '{answer}' berisi HTML; tulis sebagai teks biasa.",
                    f"Answer '{answer}' contains HTML; write it as plain text.",
                )
            if answer != answer.strip():
                yield Problem(
                    path,
                    f"Jawaban '{answer}' diawali atau diakhiri spasi; jawaban peserta tidak "
                    "dipangkas, jadi spasi itu harus ikut diketik.",
                    f"Answer '{answer}' starts or ends with whitespace; responses are not "
                    "trimmed, so a candidate would have to type it too.",
                )
            normal = self._normal(content, answer)
            if normal in seen:
                yield Problem(
                    path,
                    f"Jawaban '{answer}' sudah tercantum"
                    + ("." if content["case_sensitive"] else " (huruf besar/kecil disamakan)."),
                    f"Answer '{answer}' is already listed"
                    + ("." if content["case_sensitive"] else " (ignoring case)."),
                )
            seen.add(normal)
        yield from check_points(content)

    @staticmethod
    def _normal(content: dict[str, JSON], text: str) -> str:
        """``text`` as compared under the content's case rule."""
        return text if content["case_sensitive"] else text.lower()

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if response is None:
            return 0
        if not isinstance(response, str):
            raise ValueError(f"response must be a string or None, not {type(response).__name__}")
        normal = self._normal(content, response)
        if any(self._normal(content, answer) == normal for answer in content["accepted"]):
            return content["points"]
        return 0

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        if response is not None and not isinstance(response, str):
            raise ValueError(f"response must be a string or None, not {type(response).__name__}")
        return {RESPONSE: response}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.short_text.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A text entry with a single string response. The accepted answers are the
        declared correct values and mapping keys that score; they must all score the
        same (the points). The case rule is read off the source: an accepted answer
        typed in the other case scores too, or it does not."""
        found = the_interaction(item, TextEntryInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "single" or response.base_type != "string":
            return None
        candidates = list(response.correct)
        if response.mapping is not None:
            candidates += [entry.key for entry in response.mapping.entries]
        scores = {answer: score(answer) for answer in dict.fromkeys(candidates) if answer}
        accepted = [answer for answer, value in scores.items() if value > 0]
        if not accepted:
            return None
        values = sorted({scores[answer] for answer in accepted})
        if len(values) > 1:
            listed = ", ".join(f"'{answer}' {scores[answer]:g}" for answer in accepted)
            raise ImportNotSupported(
                self.id,
                f"Jawaban yang diterima bernilai berbeda ({listed}); isian singkat memberi "
                "satu nilai untuk setiap jawaban yang diterima.",
                f"Accepted answers score differently ({listed}); a short text item gives one "
                "score to every accepted answer.",
            )
        cased = [answer for answer in accepted if answer.swapcase() != answer]
        case_sensitive = bool(cased) and score(cased[0].swapcase()) != values[0]
        unique: dict[str, str] = {}
        for answer in accepted:
            unique.setdefault(answer if case_sensitive else answer.lower(), answer)
        length = interaction.expected_length
        return {
            "accepted": list(unique.values()),
            "case_sensitive": case_sensitive,
            "points": plain_number(values[0]),
            "expected_length": min(length, MAX_ANSWER_LENGTH) if length and length > 0 else 20,
        }

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        return ContentSummary(
            keys=list(content["accepted"]),
            extra={
                "points": content["points"],
                "case_sensitive": content["case_sensitive"],
                "expected_length": content["expected_length"],
            },
        )

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        def body(prefix: str) -> Markup:
            return Markup(
                '<div class="ib-response"><label for="{prefix}-answer">{label}</label> '
                '<input type="text" id="{prefix}-answer" name="{prefix}-response" '
                'size="{size}" autocomplete="off" spellcheck="false" '
                'aria-describedby="{prefix}-stem"></div>'
            ).format(
                prefix=prefix,
                label=pick(lang, "Jawaban", "Answer"),
                size=content["expected_length"],
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Ibu kota Provinsi Jawa Barat adalah ...."
        return {
            "accepted": ["Bandung", "Kota Bandung"],
            "case_sensitive": False,
            "points": 1,
            "expected_length": 20,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            EditorField(
                "accepted",
                "text_list",
                editor.label("Jawaban yang diterima", "Accepted answers"),
                help=editor.label(
                    "Satu jawaban per baris isian; spasi tidak dipangkas.",
                    "One answer per box; spaces are not trimmed.",
                ),
                minimum=1,
                start_items=1,
            ),
            EditorField(
                "case_sensitive",
                "boolean",
                editor.label("Bedakan huruf besar dan kecil", "Case sensitive"),
                default=False,
            ),
            editor.points(),
            editor.expected_length(20, MAX_ANSWER_LENGTH),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(ShortText())
