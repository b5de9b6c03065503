"""Short text entry: the candidate types a word or phrase matched against accepted answers
(all or nothing, or mapped: other answers with values of their own)."""

from __future__ import annotations

import math
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
    ImportNotSupported,
    ItemType,
    Problem,
    SourceScore,
    key_without_rich_text,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes import _mapped as mapped
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    MAX_WEIGHT,
    JsonNumber,
    Noun,
    StrictBoolean,
    bounded_integer,
    check_count,
    check_points,
    is_identifier,
    pick,
    points_field,
    render_item,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, the_interaction
from plugins.itemtypes.qti_writers import short_text as qti_writer
from qti.model import AssessmentItem, ResponseDeclaration, TextEntryInteraction

#: The longest accepted answer, in characters.
MAX_ANSWER_LENGTH = 200
ACCEPTED = Noun("jawaban yang diterima", "accepted answer", "accepted answers")
_MARKUP = re.compile(r"<[A-Za-z/!?]")
ALL_OR_NOTHING = "all_or_nothing"
TEXT_SCORING = (ALL_OR_NOTHING, mapped.MAPPED)
#: Most answers with a value of their own.
MAX_ANSWER_VALUES = 50


class AnswerValueSchema(ma.Schema):
    """An answer that scores its own value under mapped scoring (``id``: the editor's)."""

    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    text = ma.fields.String(required=True)
    value = JsonNumber(required=True, minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)


class ShortTextSchema(ma.Schema):
    accepted = ma.fields.List(ma.fields.String(), required=True, metadata={"minItems": 1})
    case_sensitive = StrictBoolean(load_default=False)
    points = points_field()
    expected_length = bounded_integer(20, 1, MAX_ANSWER_LENGTH)
    scoring = ma.fields.String(
        required=False,
        validate=ma.validate.OneOf(TEXT_SCORING),
        metadata={"description": "all_or_nothing (the default, left out) or mapped"},
    )
    answer_values = ma.fields.List(
        ma.fields.Nested(AnswerValueSchema),
        required=False,
        validate=ma.validate.Length(max=MAX_ANSWER_VALUES),
        metadata={"description": "other answers and what each scores under mapped scoring"},
    )
    mapping = mapped.mapping_field()

    @ma.post_load
    def _normalise(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        # What the editor writes for an all-or-nothing item says nothing: left out, so
        # such content (and its hash) is what it was before mapped scoring existed.
        if data.get("scoring") == ALL_OR_NOTHING:
            del data["scoring"]
        if not data.get("answer_values") and data.get("scoring") != mapped.MAPPED:
            data.pop("answer_values", None)
        mapped.normalise(data, None)
        return data


def is_mapped(content: dict[str, JSON]) -> bool:
    return content.get("scoring") == mapped.MAPPED


class ShortText(mapped.MappedImport):
    """A typed answer compared with a list of accepted answers.

    Scoring: the response is a string or ``None``. Unless ``case_sensitive``, answers
    and response are compared after ``str.lower()`` (not ``str.casefold()``: players
    compare character by character, and so does :mod:`qti.rp`). The response is neither
    trimmed nor has its whitespace collapsed, because QTI ``stringMatch`` does neither;
    answers therefore may not start or end with whitespace.

    - all or nothing (the default, no ``scoring``): ``points`` when the response equals
      one of ``accepted``, else 0.
    - ``mapped`` (QTI ``mapResponse``): an accepted answer scores ``points``, an answer
      of ``answer_values`` its ``value`` (less than the points: half marks for a
      misspelling, points off for a known error), any other response
      ``mapping.default``; the score is held within ``mapping.lower`` (``None``: no
      bound) and ``points``. Blank (``None`` or the empty string, which QTI reads as no
      response) scores 0.
    """

    id = "short_text"
    label = {"id": "Isian singkat", "en": "Short text entry"}
    description = {
        "id": "Peserta mengetik jawaban singkat yang dicocokkan dengan daftar jawaban benar.",
        "en": "The candidate types a short answer that is matched against accepted answers.",
    }
    content_schema = ShortTextSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        accepted = content["accepted"]
        yield from check_count(accepted, "accepted", ACCEPTED, 1)
        seen: set[str] = set()
        for index, answer in enumerate(accepted):
            yield from self._check_answer(
                content,
                answer,
                f"accepted.{index}",
                (f"Jawaban yang diterima ke-{index + 1}", f"Accepted answer {index + 1}"),
                seen,
            )
        yield from check_points(content)
        yield from self._check_values(content, seen)

    def _check_answer(
        self,
        content: dict[str, JSON],
        answer: str,
        path: str,
        name: tuple[str, str],
        seen: set[str],
    ) -> Iterator[Problem]:
        """One answer: not blank, plain text, not too long, not padded, not listed
        before (in ``seen``, under the content's case rule; it joins them)."""
        if not answer.strip():
            yield Problem(path, f"{name[0]} kosong.", f"{name[1]} is empty.")
            return
        if len(answer) > MAX_ANSWER_LENGTH:
            yield Problem(
                path,
                f"{name[0]} lebih dari {MAX_ANSWER_LENGTH} karakter.",
                f"{name[1]} is longer than {MAX_ANSWER_LENGTH} characters.",
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

    def _check_values(self, content: dict[str, JSON], seen: set[str]) -> Iterator[Problem]:
        """The answers with values of their own and the mapping (mapped scoring only)."""
        values = content.get("answer_values", [])
        if not is_mapped(content):
            yield from mapped.check_unused(content, bool(values), "answer_values", mapped.ANSWER)
            return
        points = content["points"]
        ids: set[str] = set()
        for index, entry in enumerate(values):
            path = f"answer_values.{index}"
            if not is_identifier(entry["id"]) or entry["id"] in ids:
                yield Problem(
                    f"{path}.id",
                    f"Kode '{entry['id']}' tidak valid atau dipakai lebih dari sekali.",
                    f"Identifier '{entry['id']}' is not valid or used more than once.",
                )
            ids.add(entry["id"])
            yield from self._check_answer(
                content,
                entry["text"],
                f"{path}.text",
                (f"Jawaban bernilai ke-{index + 1}", f"Scored answer {index + 1}"),
                seen,
            )
            if points > 0 and entry["value"] >= points:
                yield Problem(
                    f"{path}.value",
                    f"Nilai jawaban '{entry['text']}' ({entry['value']:g}) tidak kurang dari "
                    f"poin ({points:g}): tulis jawaban itu di antara jawaban yang diterima.",
                    f"Answer '{entry['text']}' is worth {entry['value']:g}, not less than the "
                    f"points ({points:g}): list it among the accepted answers.",
                )
        if points <= 0:
            return
        yield from mapped.check_mapping(content, points)
        default = mapped.mapping_of(content)["default"]
        if default >= points:
            yield Problem(
                "mapping.default",
                f"Nilai jawaban lainnya ({default:g}) tidak kurang dari poin ({points:g}): "
                "setiap jawaban akan mendapat poin penuh.",
                f"The value of other answers ({default:g}) is not less than the points "
                f"({points:g}): every response would score full marks.",
            )

    @staticmethod
    def _normal(content: dict[str, JSON], text: str) -> str:
        """``text`` as compared under the content's case rule."""
        return text if content["case_sensitive"] else text.lower()

    def _answer_values(self, content: dict[str, JSON]) -> dict[str, float]:
        """Mapped scoring: each answer under the case rule with its value (an accepted
        answer's is the item's points; the first of a text's values counts)."""
        own: dict[str, float] = {}
        for answer in content["accepted"]:
            own.setdefault(self._normal(content, answer), content["points"])
        for entry in content.get("answer_values", []):
            own.setdefault(self._normal(content, entry["text"]), entry["value"])
        return own

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if response is None:
            return 0
        if not isinstance(response, str):
            raise ValueError(f"response must be a string or None, not {type(response).__name__}")
        normal = self._normal(content, response)
        if is_mapped(content):
            if response == "":
                return 0
            own = self._answer_values(content)
            bounds = mapped.mapping_of(content)
            return mapped.mapped_sum(
                [normal], own.get, bounds["default"], bounds["lower"], content["points"]
            )
        if any(self._normal(content, answer) == normal for answer in content["accepted"]):
            return content["points"]
        return 0

    def scorer(self, content: dict[str, JSON]) -> Callable[[JSON], float]:
        """:meth:`score` for many responses to ``content``: the accepted answers (mapped:
        each answer with its value, and the mapping's bounds) put under the case rule the
        first time a response needs them, not again for every response."""
        prepared: list[Any] = []  # [the normal answers: a set, or {normal: value}, bounds]

        def prepare() -> list[Any]:
            if is_mapped(content):
                prepared[:] = [self._answer_values(content), mapped.mapping_of(content)]
            else:
                prepared[:] = [{self._normal(content, a) for a in content["accepted"]}, None]
            return prepared

        def score(response: JSON) -> float:
            if response is None:
                return 0
            if not isinstance(response, str):
                raise ValueError(
                    f"response must be a string or None, not {type(response).__name__}"
                )
            normal = self._normal(content, response)
            if is_mapped(content):
                if response == "":
                    return 0
                own, bounds = prepared or prepare()
                return mapped.mapped_sum(
                    [normal], own.get, bounds["default"], bounds["lower"], content["points"]
                )
            accepted, _ = prepared or prepare()
            if normal in accepted:
                return content["points"]
            return 0

        return score

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        if response is not None and not isinstance(response, str):
            raise ValueError(f"response must be a string or None, not {type(response).__name__}")
        return {RESPONSE: response}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.short_text.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    # -- import ----------------------------------------------------------------------

    @staticmethod
    def _found(item: AssessmentItem) -> tuple[TextEntryInteraction, ResponseDeclaration] | None:
        found = the_interaction(item, TextEntryInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "single" or response.base_type != "string":
            return None
        return interaction, response

    @staticmethod
    def _length(interaction: TextEntryInteraction) -> int:
        length = interaction.expected_length
        return min(length, MAX_ANSWER_LENGTH) if length and length > 0 else 20

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A text entry with a single string response. The accepted answers are the
        declared correct values and mapping keys that score; they must all score the
        same (the points); when they do not, only mapped scoring
        (:meth:`mapped_from_qti`) can represent the item, from its mapping. The case
        rule is read off the source: an accepted answer typed in the other case scores
        too, or it does not."""
        found = self._found(item)
        if found is None:
            return None
        interaction, response = found
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
                f"Jawaban yang diterima bernilai berbeda ({listed}) tanpa pemetaan jawaban "
                "(mapResponse); isian singkat memberi nilai per jawaban hanya dengan "
                "penskoran berbobot.",
                f"Accepted answers score differently ({listed}) without a mapping of the "
                "answers (mapResponse); a short text item gives answers values of their own "
                "only with mapped scoring.",
            )
        cased = [answer for answer in accepted if answer.swapcase() != answer]
        case_sensitive = bool(cased) and score(cased[0].swapcase()) != values[0]
        unique: dict[str, str] = {}
        for answer in accepted:
            unique.setdefault(answer if case_sensitive else answer.lower(), answer)
        return {
            "accepted": list(unique.values()),
            "case_sensitive": case_sensitive,
            "points": plain_number(values[0]),
            "expected_length": self._length(interaction),
        }

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Mapped scoring from the response's declared mapping: each key scores its
        entry's value (the first entry a response matches, as QTI looks it up), any
        other response the default. The points are the best value (no more than the
        upper bound); the keys that score them are the accepted answers (the declared
        correct value first), the others keep their values. The case rule is the
        entries' own: they must agree on it.

        :raises ImportNotSupported: when entries with letters differ in their case rule.
        """
        found = self._found(item)
        if found is None or found[1].mapping is None:
            return None
        interaction, response = found
        mapping = response.mapping
        rules = {e.case_sensitive for e in mapping.entries if e.key.swapcase() != e.key}
        if len(rules) > 1:
            raise ImportNotSupported(
                self.id,
                "Sebagian jawaban terpetakan membedakan huruf besar dan kecil, sebagian "
                "tidak; isian singkat memakai satu aturan untuk semua jawaban.",
                "Some mapped answers are case sensitive and others are not; a short text "
                "item has one case rule for every answer.",
            )
        case_sensitive = rules.pop() if rules else False
        rule = {"case_sensitive": case_sensitive}
        own: dict[str, tuple[str, float]] = {}
        for entry in mapping.entries:
            if entry.key:
                own.setdefault(self._normal(rule, entry.key), (entry.key, float(entry.value)))
        if not own:
            return None
        upper = math.inf if mapping.upper is None else mapping.upper
        default = float(mapping.default)
        points = min(max([value for _, value in own.values()] + [default]), upper)
        if mapping.lower is not None:
            points = max(points, mapping.lower)
        if points <= 0:
            return None
        full = {normal for normal, (_, value) in own.items() if min(value, upper) >= points}
        if not full:
            return None
        first = [self._normal(rule, value) for value in response.correct]
        order = [n for n in first if n in full] + [n for n in own if n in full]
        accepted = [own[normal][0] for normal in dict.fromkeys(order)]
        values = [
            {"id": f"J{count}", "text": text, "value": plain_number(value)}
            for count, (text, value) in enumerate(
                (own[normal] for normal in own if normal not in full), start=1
            )
        ]
        return {
            "accepted": accepted,
            "case_sensitive": case_sensitive,
            "points": plain_number(points),
            "expected_length": self._length(interaction),
            "scoring": mapped.MAPPED,
            "answer_values": values,
            "mapping": {
                "default": plain_number(default),
                "lower": None if mapping.lower is None else plain_number(mapping.lower),
            },
        }

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        extra: dict[str, JSON] = {
            "points": content["points"],
            "case_sensitive": content["case_sensitive"],
            "expected_length": content["expected_length"],
        }
        if is_mapped(content):
            extra["scoring"] = mapped.MAPPED
            extra["answer_values"] = [
                f"{entry['text']}: {entry['value']:g}" for entry in content["answer_values"]
            ]
            extra["mapping"] = dict(mapped.mapping_of(content))
        return ContentSummary(keys=list(content["accepted"]), extra=extra)

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
            EditorField(
                "scoring",
                "choice",
                editor.label("Penskoran", "Scoring"),
                default=ALL_OR_NOTHING,
                choices=(
                    (
                        ALL_OR_NOTHING,
                        editor.label(
                            "Jawaban yang diterima mendapat poin",
                            "Accepted answers score the points",
                        ),
                    ),
                    (
                        mapped.MAPPED,
                        editor.label("Berbobot (nilai per jawaban)", "Mapped (a value per answer)"),
                    ),
                ),
            ),
            EditorField(
                "answer_values",
                "entries",
                editor.label(
                    "Jawaban lain dan nilainya (penskoran berbobot)",
                    "Other answers and their values (mapped)",
                ),
                help=editor.label(
                    "Misalnya setengah poin untuk salah eja, atau nilai negatif; jawaban lain "
                    "mendapat 'nilai lainnya'.",
                    "For instance half marks for a misspelling, or a negative value; any other "
                    "answer scores the 'value of the others'.",
                ),
                minimum=0,
                start_items=0,
                id_style="prefix",
                id_prefix="J",
                entry_label=editor.label("Jawaban bernilai", "Scored answer"),
                fields=(
                    EditorField("text", "text", editor.label("Jawaban", "Answer")),
                    EditorField(
                        "value",
                        "number",
                        editor.label("Nilai", "Value"),
                        minimum=-MAX_WEIGHT,
                        maximum=MAX_WEIGHT,
                    ),
                ),
            ),
            mapped.editor_mapping(),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(ShortText())
