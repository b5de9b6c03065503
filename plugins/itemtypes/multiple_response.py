"""Multiple response: several keys among the options, all-or-nothing or partial credit."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import marshmallow as ma

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
    MAX_CHOICES,
    Noun,
    OptionSchema,
    OptionsItemType,
    bounded_integer,
    check_count,
    check_points,
    entries_field,
    partial_credit,
    pick,
    points_field,
    repeated,
    response_ids,
    scoring_field,
    shuffle_field,
    unknown_key,
)
from plugins.itemtypes._qti import (
    RESPONSE,
    mapped_lookup,
    matched_sets,
    option_entries,
    plain_number,
    qti_identifiers,
    the_interaction,
)
from plugins.itemtypes.qti_writers import multiple_response as qti_writer
from qti.model import (
    AssessmentItem,
    ChoiceInteraction,
    ResponseDeclaration,
)

KEY = Noun("kunci jawaban", "key", "keys")


class ValuedOptionSchema(OptionSchema):
    """An option with its own value under mapped scoring (absent: the mapping's default)."""

    value = mapped.value_field()


class MultipleResponseSchema(ma.Schema):
    options = entries_field(ValuedOptionSchema)
    keys = ma.fields.List(ma.fields.String(), required=True, metadata={"minItems": 1})
    points = points_field()
    scoring = scoring_field()
    min_choices = bounded_integer(0, 0, MAX_CHOICES)
    max_choices = bounded_integer(0, 0, MAX_CHOICES)
    shuffle = shuffle_field(False)
    mapping = mapped.mapping_field()

    @ma.post_load
    def _normalise(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        mapped.normalise(data, data.get("options"))
        return data


def option_values(content: dict[str, JSON]) -> dict[str, float]:
    """Option identifier -> what choosing it adds under mapped scoring (its own value,
    else the mapping's default)."""
    default = mapped.mapping_of(content)["default"]
    return {
        option["id"]: default if option.get("value") is None else option["value"]
        for option in content["options"]
    }


class MultipleResponse(OptionsItemType):
    """Multiple choice with one or more keys.

    Scoring: the response is a list of option identifiers or ``None``; a repeated
    identifier counts once.

    - ``all_or_nothing``: ``points`` when the selected set equals the set of keys, else 0.
    - ``partial``: each selected key earns ``points / len(keys)`` and each other selected
      identifier (unknown ones included) costs the same; the total is clamped to
      ``[0, points]``.
    - ``mapped`` (QTI ``mapResponse``): each selected option adds its own ``value`` (or
      ``mapping.default``, as does an unknown identifier), the sum bounded below by
      ``mapping.lower`` (``None``: no bound) and above by ``points``; blank scores 0.
      The best selection within ``max_choices`` must reach ``points`` and the keys must
      score it.

    ``min_choices`` / ``max_choices`` (0 = no limit) are enforced by delivery, not by
    scoring.
    """

    id = "multiple_response"
    label = {"id": "Pilihan ganda kompleks", "en": "Multiple response"}
    description = {
        "id": "Peserta memilih semua jawaban yang benar; bisa lebih dari satu.",
        "en": "The candidate chooses every correct answer; there may be more than one.",
    }
    content_schema = MultipleResponseSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from super().check(content)
        keys = content["keys"]
        yield from check_count(keys, "keys", KEY, 1)
        options = self.entry_texts(content)
        for index, key in enumerate(keys):
            if key not in options:
                yield unknown_key(f"keys.{index}", key)
        for index, key in repeated(keys):
            yield Problem(
                f"keys.{index}",
                f"Kunci '{key}' tercantum lebih dari sekali.",
                f"Key '{key}' is listed more than once.",
            )
        yield from self._check_choice_limits(content["min_choices"], content["max_choices"], keys)
        yield from check_points(content)
        yield from self._check_mapping(content)

    def _check_mapping(self, content: dict[str, JSON]) -> Iterator[Problem]:
        if content["scoring"] != mapped.MAPPED:
            valued = [
                index
                for index, option in enumerate(content["options"])
                if option.get("value") is not None
            ]
            path = f"options.{valued[0]}.value" if valued else "options"
            yield from mapped.check_unused(content, bool(valued), path)
            return
        if content["points"] <= 0:
            return
        best = mapped.best_selection(
            list(option_values(content).values()), content["min_choices"], content["max_choices"]
        )
        problems = list(mapped.check_mapping(content, best))
        yield from problems
        if not problems:
            earned = self.score(content, list(dict.fromkeys(content["keys"])))
            if not mapped.same_score(earned, content["points"]):
                yield mapped.keys_score_problem("keys", earned, content["points"])

    def _check_choice_limits(
        self, minimum: int, maximum: int, keys: list[str]
    ) -> Iterator[Problem]:
        key_count = len(set(keys))
        if maximum and minimum > maximum:
            yield Problem(
                "min_choices",
                f"Jumlah pilihan minimum ({minimum}) melebihi jumlah maksimum ({maximum}).",
                f"The minimum number of choices ({minimum}) exceeds the maximum ({maximum}).",
            )
        elif minimum > key_count:
            yield Problem(
                "min_choices",
                f"Jumlah pilihan minimum ({minimum}) melebihi jumlah kunci ({key_count}), "
                "sehingga jawaban yang benar tidak dapat diberikan.",
                f"The minimum number of choices ({minimum}) exceeds the number of keys "
                f"({key_count}), so the correct answer cannot be given.",
            )
        if maximum and maximum < key_count:
            yield Problem(
                "max_choices",
                f"Jumlah pilihan maksimum ({maximum}) lebih kecil dari jumlah kunci ({key_count}).",
                f"The maximum number of choices ({maximum}) is less than the number of keys "
                f"({key_count}).",
            )

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        ids = response_ids(response)
        if ids is None:
            return 0
        if content["scoring"] == mapped.MAPPED:
            if not ids:
                return 0
            values = {o["id"]: o.get("value") for o in content["options"]}
            bounds = mapped.mapping_of(content)
            return mapped.mapped_sum(
                ids, values.get, bounds["default"], bounds["lower"], content["points"]
            )
        selected = set(ids)
        keys = set(content["keys"])
        if content["scoring"] == "all_or_nothing":
            return content["points"] if selected == keys else 0
        net = len(selected & keys) - len(selected - keys)
        return partial_credit(content["points"], net, len(keys))

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        options = self.entry_texts(content)
        extra: dict[str, JSON] = {
            "points": content["points"],
            "scoring": content["scoring"],
            "min_choices": content["min_choices"],
            "max_choices": content["max_choices"],
            "shuffle": content["shuffle"],
        }
        is_mapped = content["scoring"] == mapped.MAPPED
        if is_mapped:
            extra["mapping"] = dict(mapped.mapping_of(content))
        return ContentSummary(
            options=options,
            keys=[ident for ident in options if ident in content["keys"]],
            weights=option_values(content) if is_mapped else {},
            extra=extra,
        )

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        return {RESPONSE: qti_identifiers(response_ids(response))}

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.multiple_response.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A choice interaction with a multiple-identifier response. The keys are the
        declared correct response (else the options that score on their own) and the
        points what the keys together score. Scoring is ``partial`` when one key on its
        own already scores (with more than one key), else ``all_or_nothing``; the
        importer's proof then checks every selection against the source."""
        found = the_interaction(item, ChoiceInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "multiple" or response.base_type != "identifier":
            return None
        ids = [choice.identifier for choice in interaction.choices]
        keys = [ident for ident in ids if ident in response.correct]
        if not keys:
            keys = [ident for ident in ids if score([ident]) > 0]
        if not keys:
            keys = self._matched_keys(item, response.identifier, ids, score)
        if not keys:
            return None
        points = score(list(keys))
        if points <= 0:
            return None
        partial = len(keys) > 1 and score([keys[0]]) > 0
        return {
            "options": option_entries(interaction.choices),
            "keys": keys,
            "points": plain_number(points),
            "scoring": "partial" if partial else "all_or_nothing",
            "min_choices": interaction.min_choices,
            "max_choices": interaction.max_choices,
            "shuffle": interaction.shuffle,
        }

    def _matched_keys(
        self, item: AssessmentItem, identifier: str, ids: list[str], score: SourceScore
    ) -> list[str]:
        """Without a declared correct response: the one selection the processing matches
        the response with that scores (its keys, in the choices' order), or none.

        :raises ImportNotSupported: when several different selections score: an item
            has one set of keys.
        """
        scoring = []
        for selection in matched_sets(item, identifier):
            if set(selection) <= set(ids):
                value = score(selection)
                if value > 0:
                    scoring.append((selection, value))
        if len(scoring) > 1:
            shown = "; ".join(f"{' '.join(sel)}: {value:g}" for sel, value in scoring)
            raise ImportNotSupported(
                self.id,
                f"beberapa pilihan jawaban yang berbeda mendapat skor ({shown}); soal pilihan "
                "ganda kompleks di bank punya satu kunci",
                f"several different selections score ({shown}); a multiple-response item of "
                "the bank has one set of keys",
            )
        return [ident for ident in ids if scoring and ident in scoring[0][0]]

    def from_qti_contents(
        self, item: AssessmentItem, score: SourceScore
    ) -> Iterator[dict[str, JSON]]:
        """:meth:`from_qti`'s content, then mapped scoring (:meth:`mapped_from_qti`)."""
        classic = self.from_qti(item, score)
        if classic is not None:
            yield classic
        content = self.mapped_from_qti(item)
        if content is None:
            return
        keys = list(content["keys"])
        exact, summed = score(keys), self.score(content, keys)
        if exact > summed and not mapped.same_score(exact, summed):
            shown = " ".join(keys)
            raise ImportNotSupported(
                self.id,
                f"jawaban benar persis ({shown}) mendapat {exact:g}, lebih dari jumlah nilai "
                f"pilihannya ({summed:g}): bonus untuk jawaban yang persis benar tidak dapat "
                "dinyatakan (penskoran berbobot menjumlahkan nilai setiap pilihan)",
                f"the exact correct response ({shown}) scores {exact:g}, more than its "
                f"choices' values together ({summed:g}): a bonus for the exact answer has no "
                "form in the bank (mapped scoring adds up each choice's value)",
            )
        yield content

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Mapped scoring from the response's declared mapping: each choice's value is
        what the mapping gives it, the default and lower bound are the mapping's, and the
        points are what the best selection within ``maxChoices`` scores (no more than
        the upper bound). The keys are the declared correct response when it earns the
        points, else the best selection. ``None`` without a mapping or when nothing
        scores; the importer's proof then checks that the source scores by it."""
        found = the_interaction(item, ChoiceInteraction)
        if found is None:
            return None
        interaction, response = found
        if not _mapped_shape(response):
            return None
        mapping = response.mapping
        assert mapping is not None
        options = option_entries(interaction.choices)
        for option in options:
            own = mapped_lookup(mapping, option["id"])
            if own is not None:
                option["value"] = plain_number(own)
        content: dict[str, JSON] = {
            "options": options,
            "keys": [],
            "points": 0,
            "scoring": mapped.MAPPED,
            "min_choices": interaction.min_choices,
            "max_choices": interaction.max_choices,
            "shuffle": interaction.shuffle,
            "mapping": {
                "default": plain_number(mapping.default),
                "lower": None if mapping.lower is None else plain_number(mapping.lower),
            },
        }
        values = option_values(content)
        best = mapped.best_selection(
            list(values.values()), interaction.min_choices, interaction.max_choices
        )
        points = best if mapping.upper is None else min(best, mapping.upper)
        if points <= 0:
            return None
        content["points"] = plain_number(points)
        ids = [option["id"] for option in options]
        declared = [ident for ident in ids if ident in response.correct]
        if declared and self.score(content, declared) == points:
            content["keys"] = declared
        else:
            content["keys"] = _best_keys(values, interaction.min_choices, interaction.max_choices)
        return content

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        legend = pick(lang, "Pilih semua jawaban yang benar.", "Choose every correct answer.")
        hint = _limits_hint(content["min_choices"], content["max_choices"], lang)
        return self.render_choices(stem, content, "checkbox", legend, hint=hint)

    def example_content(self) -> dict[str, JSON]:
        return {
            "options": [
                {"id": "A", "text": "<p>Pancasila</p>"},
                {"id": "B", "text": "<p>Garis-Garis Besar Haluan Negara</p>"},
                {"id": "C", "text": "<p>Negara Kesatuan Republik Indonesia</p>"},
                {"id": "D", "text": "<p>Bhinneka Tunggal Ika</p>"},
                {"id": "E", "text": "<p>Ketetapan MPR</p>"},
            ],
            "keys": ["A", "C", "D"],
            "points": 3,
            "scoring": "partial",
            "min_choices": 0,
            "max_choices": 0,
            "shuffle": True,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.options(
                EditorField(
                    "value",
                    "number",
                    editor.label("Nilai (penskoran berbobot)", "Value (mapped scoring)"),
                    help=editor.label("Kosong: nilai lainnya.", "Empty: the value of the others."),
                )
            ),
            EditorField(
                "keys", "keys", editor.label("Jawaban benar", "Correct answers"), source="options"
            ),
            editor.points(),
            editor.SCORING,
            mapped.editor_mapping(),
            EditorField(
                "min_choices",
                "integer",
                editor.label("Paling sedikit dipilih (0: bebas)", "Fewest choices (0: any)"),
                default=0,
                minimum=0,
            ),
            EditorField(
                "max_choices",
                "integer",
                editor.label("Paling banyak dipilih (0: bebas)", "Most choices (0: any)"),
                default=0,
                minimum=0,
            ),
            editor.shuffle(False),
        ]


def _mapped_shape(response: ResponseDeclaration) -> bool:
    return (
        response.mapping is not None
        and response.cardinality == "multiple"
        and response.base_type == "identifier"
    )


def _best_keys(values: dict[str, float], fewest: int, most: int) -> list[str]:
    """The selection :func:`plugins.itemtypes._mapped.best_selection` sums, in option
    order: the highest values, as many as give the best sum."""
    ordered = sorted(values, key=lambda ident: -values[ident])
    largest = most if 0 < most < len(ordered) else len(ordered)
    best_count, best, running = 0, 0.0, 0.0
    for count, ident in enumerate(ordered[:largest], start=1):
        running += values[ident]
        if count >= max(fewest, 1) and running > best:
            best_count, best = count, running
    chosen = set(ordered[:best_count])
    return [ident for ident in values if ident in chosen]


def _limits_hint(minimum: int, maximum: int, lang: str) -> str:
    """How many answers to choose, or ``""`` when there are no limits."""

    def answers(count: int) -> str:
        return f"{count} answer" if count == 1 else f"{count} answers"

    if minimum and maximum:
        if minimum == maximum:
            return pick(
                lang, f"Pilih tepat {minimum} jawaban.", f"Choose exactly {answers(minimum)}."
            )
        return pick(
            lang,
            f"Pilih {minimum} sampai {maximum} jawaban.",
            f"Choose {minimum} to {answers(maximum)}.",
        )
    if minimum:
        return pick(
            lang, f"Pilih paling sedikit {minimum} jawaban.", f"Choose at least {answers(minimum)}."
        )
    if maximum:
        return pick(
            lang, f"Pilih paling banyak {maximum} jawaban.", f"Choose at most {answers(maximum)}."
        )
    return ""


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(MultipleResponse())
