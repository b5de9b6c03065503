"""Matching: the candidate pairs premises with responses."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
from plugins.itemtypes import _editor as editor
from plugins.itemtypes import _mapped as mapped
from plugins.itemtypes import _pairs as paired
from plugins.itemtypes._common import (
    Noun,
    check_count,
    check_entries,
    check_points,
    entries_field,
    letter,
    partial_credit,
    pick,
    points_field,
    render_item,
    scoring_field,
    shuffle_field,
    text_fields,
    texts_by_id,
)
from plugins.itemtypes._qti import (
    RESPONSE as QTI_RESPONSE,
)
from plugins.itemtypes._qti import (
    mapped_lookup,
    option_entries,
    plain_number,
    qti_identifier,
    the_interaction,
)
from plugins.itemtypes.qti_writers import matching as qti_writer
from qti.model import (
    AssessmentItem,
    MatchInteraction,
)

PREMISE = Noun("premis", "premise", "premises")
RESPONSE = Noun("jawaban", "response", "responses")
PAIR = Noun("pasangan kunci", "key pair", "key pairs")


class MatchingSchema(ma.Schema):
    premises = entries_field()
    responses = entries_field()
    pairs = ma.fields.List(
        ma.fields.List(ma.fields.String()),
        required=True,
        metadata={"minItems": 1, "description": "[premise id, response id] pairs"},
    )
    points = points_field()
    scoring = scoring_field()
    shuffle = shuffle_field(True)
    pair_values = paired.pair_values_field("[premise id, response id, value] under mapped scoring")
    mapping = mapped.mapping_field()

    @ma.post_load
    def _normalise(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        paired.drop_unused_pair_values(data)
        return data


def pair_value_map(content: dict[str, JSON]) -> dict[tuple[str, str], float]:
    """``(premise, response)`` -> its own value under mapped scoring."""
    return paired.pair_value_map(content)


class Matching(mapped.MappedImport):
    """Premises to be matched with responses; a response may serve several premises.

    Scoring: the response is a list of ``[premise, response]`` pairs, or ``None``; a
    repeated pair counts once.

    - ``all_or_nothing``: ``points`` when the set of pairs equals the key pairs, else 0.
    - ``partial``: each premise whose key pair is given earns ``points / len(pairs)``
      (computed as ``points * earned / len(pairs)``), unless the response also pairs that
      premise with another of the item's responses: a premise given several responses
      earns nothing, so giving every pair earns nothing either. Other wrong pairs cost
      nothing. Delivery lets each premise take one response (QTI ``matchMax="1"``)
      anyway; the rule keeps scoring safe when a system ignores that.
    - ``mapped`` (QTI ``mapResponse``): each distinct pair given adds its value in
      ``pair_values`` (any pair of a premise and a response, not only key pairs), or
      ``mapping.default``; the sum is bounded below by ``mapping.lower`` (``None``: no
      bound) and above by ``points``; blank scores 0. The best response (one response
      per premise) must reach ``points`` and the key pairs must score it.
    """

    id = "matching"
    label = {"id": "Menjodohkan", "en": "Matching"}
    description = {
        "id": "Peserta memasangkan setiap pernyataan dengan jawaban yang sesuai.",
        "en": "The candidate matches each premise with the right response.",
    }
    content_schema = MatchingSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: yang dinilai adalah pasangan premis dan jawaban.",
        "en": "No per-option score: pairs of a premise and a response are scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        premises, responses = content["premises"], content["responses"]
        yield from check_count(premises, "premises", PREMISE, 2)
        yield from check_count(responses, "responses", RESPONSE, 2)
        yield from check_entries(
            [("premises", premises, PREMISE), ("responses", responses, RESPONSE)]
        )
        yield from self._check_pairs(content)
        yield from check_points(content)
        yield from self._check_pair_values(content)

    def _check_pair_values(self, content: dict[str, JSON]) -> Iterator[Problem]:
        premise_ids = [entry["id"] for entry in content["premises"]]
        response_ids = [entry["id"] for entry in content["responses"]]
        sides = paired.PairSides(
            PREMISE, dict.fromkeys(premise_ids, 1), RESPONSE, dict.fromkeys(response_ids, 0)
        )
        problems = list(paired.check_pair_values(content, sides))
        yield from problems
        if problems or content["scoring"] != mapped.MAPPED or content["points"] <= 0:
            return
        if not all(len(pair) == 2 for pair in content["pairs"]):
            return  # the pairs' own check says what is wrong
        default = mapped.mapping_of(content)["default"]
        own = pair_value_map(content)
        best = 0.0
        for premise in premise_ids:
            scores = [own.get((premise, answer), default) for answer in response_ids]
            best += max(0.0, *scores)
        found = list(mapped.check_mapping(content, best))
        yield from found
        if not found:
            earned = self.score(content, content["pairs"])
            if not mapped.same_score(earned, content["points"]):
                yield mapped.keys_score_problem("pairs", earned, content["points"])

    def _check_pairs(self, content: dict[str, JSON]) -> Iterator[Problem]:
        premise_ids = {entry["id"] for entry in content["premises"]}
        response_ids = {entry["id"] for entry in content["responses"]}
        pairs = content["pairs"]
        yield from check_count(pairs, "pairs", PAIR, 1)
        paired: set[str] = set()
        for index, pair in enumerate(pairs):
            path = f"pairs.{index}"
            if len(pair) != 2:
                yield Problem(
                    path,
                    "Pasangan harus terdiri atas satu premis dan satu jawaban.",
                    "A pair must name one premise and one response.",
                )
                continue
            premise, response = pair
            if premise not in premise_ids:
                yield Problem(
                    f"{path}.0",
                    f"Premis '{premise}' tidak ada.",
                    f"'{premise}' is not one of the premises.",
                )
            elif premise in paired:
                yield Problem(
                    f"{path}.0",
                    f"Premis '{premise}' dipasangkan lebih dari sekali.",
                    f"Premise '{premise}' is in more than one pair.",
                )
            paired.add(premise)
            if response not in response_ids:
                yield Problem(
                    f"{path}.1",
                    f"Jawaban '{response}' tidak ada.",
                    f"'{response}' is not one of the responses.",
                )

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield from text_fields(content, "premises")
        yield from text_fields(content, "responses")

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if content["scoring"] == mapped.MAPPED:
            return paired.mapped_pairs_score(
                content,
                paired.response_pair_list(response),
                pair_value_map(content).get,
                content["points"],
            )
        given = paired.response_pairs(response)
        if given is None:
            return 0
        key = {(premise, answer) for premise, answer in content["pairs"]}
        if content["scoring"] == "all_or_nothing":
            return content["points"] if given == key else 0
        others = {entry["id"] for entry in content["responses"]}
        earned = sum(
            1
            for premise, answer in key
            if (premise, answer) in given
            and not any((premise, other) in given for other in others - {answer})
        )
        return partial_credit(content["points"], earned, len(key))

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        pairs = paired.response_pairs(response)  # checks the shape
        if pairs is None:
            return {QTI_RESPONSE: None}
        return {
            QTI_RESPONSE: [
                (qti_identifier(premise), qti_identifier(answer)) for premise, answer in response
            ]
        }

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A match interaction (multiple directed pairs) with a declared correct response
        that scores: the first set are the premises, the second the responses, the
        correct pairs the key, worth what they score together. Scoring is ``partial``
        when one key pair on its own already scores (with more than one pair), else
        ``all_or_nothing``."""
        found = the_interaction(item, MatchInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "multiple" or response.base_type != "directedPair":
            return None
        pairs = [value.split() for value in response.correct]
        if not pairs or any(len(pair) != 2 for pair in pairs):
            return None
        points = score([tuple(pair) for pair in pairs])
        if points <= 0:
            return None
        partial = len(pairs) > 1 and score([tuple(pairs[0])]) > 0
        return {
            "premises": option_entries(interaction.sources),
            "responses": option_entries(interaction.targets),
            "pairs": pairs,
            "points": plain_number(points),
            "scoring": "partial" if partial else "all_or_nothing",
            "shuffle": interaction.shuffle,
        }

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Mapped scoring from the response's declared mapping: every pair of a premise
        and a response the mapping gives a value is in ``pair_values``, the default and
        lower bound are the mapping's, the points what the best response (one response
        per premise) scores, no more than the upper bound. The key pairs are the
        declared correct response when they earn the points, else each premise's best
        pair. The importer's proof then checks that the source scores by it."""
        found = the_interaction(item, MatchInteraction)
        if found is None:
            return None
        interaction, response = found
        mapping = response.mapping
        if (
            mapping is None
            or response.cardinality != "multiple"
            or response.base_type != "directedPair"
        ):
            return None
        premises = [choice.identifier for choice in interaction.sources]
        answers = [choice.identifier for choice in interaction.targets]
        values: list[list[JSON]] = []
        for premise in premises:
            for answer in answers:
                own = mapped_lookup(mapping, (premise, answer))
                if own is not None:
                    values.append([premise, answer, plain_number(own)])
        default = plain_number(mapping.default)
        own_values = {(p, a): v for p, a, v in values}
        best_pairs: list[list[str]] = []
        best = 0.0
        for premise in premises:
            scored = [(own_values.get((premise, a), default), a) for a in answers]
            top = max(value for value, _answer in scored)
            if top > 0:
                best += top
                best_pairs.append([premise, next(a for v, a in scored if v == top)])
        points = best if mapping.upper is None else min(best, mapping.upper)
        if points <= 0:
            return None
        content: dict[str, JSON] = {
            "premises": option_entries(interaction.sources),
            "responses": option_entries(interaction.targets),
            "pairs": best_pairs,
            "points": plain_number(points),
            "scoring": mapped.MAPPED,
            "shuffle": interaction.shuffle,
            "pair_values": values,
            "mapping": {
                "default": default,
                "lower": None if mapping.lower is None else plain_number(mapping.lower),
            },
        }
        declared = [value.split() for value in response.correct]
        if (
            declared
            and all(len(pair) == 2 for pair in declared)
            and self.score(content, declared) == points
        ):
            content["pairs"] = declared
        return content

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.matching.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        answer_of = {premise: answer for premise, answer in content["pairs"]}
        return ContentSummary(
            options=texts_by_id(content["premises"] + content["responses"]),
            keys=[
                f"{entry['id']} {answer_of[entry['id']]}"
                for entry in content["premises"]
                if entry["id"] in answer_of
            ],
            extra=self._facts(content),
        )

    def _facts(self, content: dict[str, JSON]) -> dict[str, JSON]:
        facts: dict[str, JSON] = {
            "points": content["points"],
            "scoring": content["scoring"],
            "shuffle": content["shuffle"],
        }
        if content["scoring"] == mapped.MAPPED:
            facts["pair_values"] = paired.pair_value_facts(content)
            facts["mapping"] = dict(mapped.mapping_of(content))
        return facts

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        responses = content["responses"]
        choose = pick(lang, "— pilih —", "— choose —")
        select_options = Markup("").join(
            Markup('<option value="{ident}">{letter}</option>').format(
                ident=entry["id"], letter=letter(index)
            )
            for index, entry in enumerate(responses)
        )

        def body(prefix: str) -> Markup:
            listed = Markup("").join(
                Markup(
                    '<li><span class="ib-choice-letter">{letter}.</span> '
                    '<span class="ib-choice-text">{text}</span></li>'
                ).format(letter=letter(index), text=Markup(entry["text"]))
                for index, entry in enumerate(responses)
            )
            rows = Markup("").join(
                Markup(
                    '<div class="ib-match-premise"><label for="{prefix}-m{index}">'
                    '<span class="ib-choice-text">{text}</span></label> '
                    '<select id="{prefix}-m{index}" name="{prefix}-match" '
                    'data-premise="{ident}"><option value="">{choose}</option>{options}'
                    "</select></div>"
                ).format(
                    prefix=prefix,
                    index=index,
                    text=Markup(entry["text"]),
                    ident=entry["id"],
                    choose=choose,
                    options=select_options,
                )
                for index, entry in enumerate(content["premises"])
            )
            return Markup(
                '<div class="ib-match-responses"><p class="ib-hint" id="{prefix}-responses">'
                '{heading}</p><ul aria-labelledby="{prefix}-responses">{listed}</ul></div>'
                '<fieldset class="ib-matching" aria-describedby="{prefix}-stem">'
                "<legend>{legend}</legend>{rows}</fieldset>"
            ).format(
                prefix=prefix,
                heading=pick(lang, "Pilihan jawaban:", "Responses:"),
                listed=listed,
                legend=pick(
                    lang,
                    "Pasangkan setiap pernyataan dengan jawaban yang sesuai.",
                    "Match each statement with the right response.",
                ),
                rows=rows,
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Pasangkan sila Pancasila dengan lambangnya pada perisai
        # Garuda Pancasila."
        return {
            "premises": [
                {"id": "P1", "text": "<p>Ketuhanan Yang Maha Esa</p>"},
                {"id": "P2", "text": "<p>Persatuan Indonesia</p>"},
                {
                    "id": "P3",
                    "text": "<p>Kerakyatan yang Dipimpin oleh Hikmat Kebijaksanaan dalam "
                    "Permusyawaratan/Perwakilan</p>",
                },
            ],
            "responses": [
                {"id": "R1", "text": "<p>Kepala banteng</p>"},
                {"id": "R2", "text": "<p>Bintang</p>"},
                {"id": "R3", "text": "<p>Pohon beringin</p>"},
                {"id": "R4", "text": "<p>Rantai</p>"},
            ],
            "pairs": [["P1", "R2"], ["P2", "R3"], ["P3", "R1"]],
            "points": 3,
            "scoring": "partial",
            "shuffle": True,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.text_entries(
                "premises",
                editor.label("Premis", "Premise"),
                editor.label("Premis (pernyataan)", "Premises"),
                start=3,
                id_style="prefix",
                id_prefix="P",
            ),
            editor.text_entries(
                "responses",
                editor.label("Jawaban", "Response"),
                editor.label("Jawaban (pasangan)", "Responses"),
                start=4,
                id_style="prefix",
                id_prefix="R",
            ),
            EditorField(
                "pairs",
                "pairs",
                editor.label("Pasangan yang benar", "Correct pairs"),
                source="premises",
                target="responses",
            ),
            editor.points(),
            editor.SCORING,
            paired.pair_values_editor("premises", "responses"),
            mapped.editor_mapping(),
            editor.shuffle(True),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Matching())
