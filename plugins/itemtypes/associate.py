"""Associate: the candidate pairs choices of one set with each other (pairs in either
order), e.g. a policy with the institution that issues it."""

from __future__ import annotations

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
    key_without_rich_text,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes import _mapped as mapped
from plugins.itemtypes import _pairs as paired
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    Noun,
    check_count,
    check_entries,
    check_points,
    letter,
    pick,
    points_field,
    render_item,
    rich_text_field,
    scoring_field,
    shuffle_field,
    text_fields,
    texts_by_id,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, qti_identifier, the_interaction
from plugins.itemtypes.qti_writers import associate as qti_writer
from qti.model import AssessmentItem, AssociateInteraction

CHOICE = Noun("pilihan", "choice", "choices")
#: Most choices of one item.
MAX_ASSOCIABLE = 20


class AssociableSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    text = rich_text_field()
    match_max = paired.match_max_field(MAX_ASSOCIABLE)


class AssociateSchema(ma.Schema):
    choices = ma.fields.List(
        ma.fields.Nested(AssociableSchema),
        required=True,
        validate=ma.validate.Length(max=MAX_ASSOCIABLE),
        metadata={"minItems": 3, "maxItems": MAX_ASSOCIABLE},
    )
    pairs = paired.key_pairs_field("key pairs [choice id, choice id], unordered")
    max_associations = paired.max_associations_field()
    points = points_field()
    scoring = scoring_field()
    shuffle = shuffle_field(True)
    pair_values = paired.pair_values_field("[choice id, choice id, value] under mapped scoring")
    mapping = mapped.mapping_field()

    @ma.post_load
    def _normalise(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        paired.drop_unused_pair_values(data)
        return data


def _sides(content: dict[str, JSON]) -> paired.PairSides:
    limits = {c["id"]: c["match_max"] for c in content["choices"]}
    return paired.PairSides(CHOICE, limits, CHOICE, limits, directed=False)


class Associate(mapped.MappedImport):
    """Choices to be paired with each other; the key is a set of pairs.

    Scoring: the response is a list of ``[choice, choice]`` pairs (either order), or
    ``None``; a pair given twice, in either order, counts once.

    - ``all_or_nothing``: ``points`` when the set of pairs equals the key pairs, else 0.
    - ``partial``: each key pair given earns ``points / len(pairs)`` and each other pair
      costs the same; the total is clamped to ``[0, points]`` (so giving every pair
      earns nothing more than the key does).
    - ``mapped`` (QTI ``mapResponse``): each distinct pair given adds its value in
      ``pair_values`` (either order), or ``mapping.default``; the sum is bounded below
      by ``mapping.lower`` (``None``: no bound) and above by ``points``; blank scores
      0. Key pairs may so be worth different scores and wrong pairs cost points (a
      negative value) or nothing; the key pairs must score ``points``.
    """

    id = "associate"
    label = {"id": "Memasangkan (asosiasi)", "en": "Associate"}
    description = {
        "id": "Peserta memasangkan pilihan-pilihan yang saling berkaitan dari satu daftar.",
        "en": "The candidate pairs up the choices of one list that belong together.",
    }
    content_schema = AssociateSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: yang dinilai adalah pasangan pilihan.",
        "en": "No per-option score: pairs of choices are scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        choices = content["choices"]
        yield from check_count(choices, "choices", CHOICE, 3, MAX_ASSOCIABLE)
        yield from check_entries([("choices", choices, CHOICE)])
        index_of = {c["id"]: i for i, c in enumerate(choices)}
        sides = _sides(content)
        yield from paired.check_key_pairs(
            content["pairs"], sides, limit_path=lambda ident: f"choices.{index_of[ident]}.match_max"
        )
        seen = {
            paired.unordered(pair[0], pair[1])
            for pair in content["pairs"]
            if len(pair) == 2 and pair[0] in index_of and pair[1] in index_of
        }
        yield from paired.check_max_associations(content, seen)
        yield from check_points(content)
        yield from paired.check_mapped_key(
            content, sides, lambda: self.score(content, content["pairs"])
        )

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield from text_fields(content, "choices")

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if content["scoring"] == mapped.MAPPED:
            return paired.mapped_pairs_score(
                content,
                paired.response_pair_list(response, directed=False),
                paired.pair_value_map(content, directed=False).get,
                content["points"],
            )
        given = paired.response_pairs(response, directed=False)
        if given is None:
            return 0
        key = {paired.unordered(first, second) for first, second in content["pairs"]}
        if content["scoring"] == "all_or_nothing":
            return content["points"] if given == key else 0
        return paired.net_credit(given, key, content["points"])

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        if paired.response_pairs(response, directed=False) is None:  # checks the shape
            return {RESPONSE: None}
        return {RESPONSE: [(qti_identifier(a), qti_identifier(b)) for a, b in response]}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        extra: dict[str, JSON] = {
            "points": content["points"],
            "scoring": content["scoring"],
            "max_associations": content["max_associations"],
            "shuffle": content["shuffle"],
        }
        if content["scoring"] == mapped.MAPPED:
            extra.update(paired.mapped_facts(content))
        return ContentSummary(
            options=texts_by_id(content["choices"]),
            keys=[f"{first} {second}" for first, second in content["pairs"]],
            extra=extra,
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.associate.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """An associate interaction (multiple pairs) with a declared correct response
        that scores: the correct pairs are the key, worth what they score together.
        ``partial`` when one key pair alone already scores (with several), else
        ``all_or_nothing``; key pairs worth different scores have no classic form (each
        key pair is an equal share): :meth:`mapped_from_qti` may still represent them."""
        found = the_interaction(item, AssociateInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "multiple" or response.base_type != "pair":
            return None
        key = paired.key_pairs_from_qti(response.correct, score)
        if key is None:
            return None
        pairs = key.pairs
        if key.unequal:
            raise ImportNotSupported(
                self.id,
                "pasangan kunci bernilai berbeda-beda ("
                + ", ".join(f"{a}–{b}: {score([(a, b)]):g}" for a, b in pairs)
                + ") dan skornya bukan pemetaan per pasangan (mapResponse)",
                "the key pairs are worth different scores ("
                + ", ".join(f"{a}–{b}: {score([(a, b)]):g}" for a, b in pairs)
                + ") and the scoring is no mapping per pair (mapResponse)",
            )
        return {
            "choices": self._choices(interaction),
            "pairs": pairs,
            "max_associations": interaction.max_associations,
            "points": plain_number(key.points),
            "scoring": "partial" if key.partial else "all_or_nothing",
            "shuffle": interaction.shuffle,
        }

    @staticmethod
    def _choices(interaction: AssociateInteraction) -> list[dict[str, JSON]]:
        return [
            {"id": c.identifier, "text": c.content, "match_max": c.match_max}
            for c in interaction.choices
        ]

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Mapped scoring from the response's declared mapping
        (:func:`plugins.itemtypes._pairs.mapped_from_mapping`), for every pair of two
        different choices."""
        found = the_interaction(item, AssociateInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.mapping is None or response.cardinality != "multiple":
            return None
        if response.base_type != "pair":
            return None
        ids = [choice.identifier for choice in interaction.choices]
        candidates = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
        read = paired.mapped_from_mapping(
            response.mapping,
            candidates,
            [value.split() for value in response.correct],
            directed=False,
        )
        if read is None:
            return None
        return {
            "choices": self._choices(interaction),
            "pairs": read.key,
            "max_associations": interaction.max_associations,
            "points": read.points,
            "scoring": mapped.MAPPED,
            "shuffle": interaction.shuffle,
            "pair_values": read.pair_values,
            "mapping": read.mapping,
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        choices = content["choices"]
        rows_count = content["max_associations"] or max(len(choices) // 2, 1)
        options = Markup("").join(
            Markup('<option value="{ident}">{letter}</option>').format(
                ident=entry["id"], letter=letter(index)
            )
            for index, entry in enumerate(choices)
        )

        def body(prefix: str) -> Markup:
            listed = Markup("").join(
                Markup(
                    '<li><span class="ib-choice-letter">{letter}.</span> '
                    '<span class="ib-choice-text">{text}</span></li>'
                ).format(letter=letter(index), text=Markup(entry["text"]))
                for index, entry in enumerate(choices)
            )
            rows = paired.pair_select_rows(prefix, rows_count, options, lang)
            return Markup(
                '<div class="ib-match-responses"><p class="ib-hint" id="{prefix}-choices">'
                '{heading}</p><ul aria-labelledby="{prefix}-choices">{listed}</ul></div>'
                '<fieldset class="ib-associate" aria-describedby="{prefix}-stem">'
                "<legend>{legend}</legend>{rows}</fieldset>"
            ).format(
                prefix=prefix,
                heading=pick(lang, "Pilihan:", "Choices:"),
                listed=listed,
                legend=pick(
                    lang,
                    "Pasangkan pilihan-pilihan yang saling berkaitan.",
                    "Pair up the choices that belong together.",
                ),
                rows=rows,
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Pasangkan setiap lembaga negara dengan kewenangannya."
        return {
            "choices": [
                {"id": "A", "text": "<p>Mahkamah Konstitusi</p>", "match_max": 1},
                {"id": "B", "text": "<p>Badan Pemeriksa Keuangan</p>", "match_max": 1},
                {
                    "id": "C",
                    "text": "<p>Menguji undang-undang terhadap UUD 1945</p>",
                    "match_max": 1,
                },
                {"id": "D", "text": "<p>Memeriksa pengelolaan keuangan negara</p>", "match_max": 1},
                {"id": "E", "text": "<p>Komisi Yudisial</p>", "match_max": 1},
                {"id": "F", "text": "<p>Mengusulkan pengangkatan hakim agung</p>", "match_max": 1},
            ],
            "pairs": [["A", "C"], ["B", "D"], ["E", "F"]],
            "max_associations": 3,
            "points": 3,
            "scoring": "partial",
            "shuffle": True,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            editor.text_entries(
                "choices",
                editor.label("Pilihan", "Choice"),
                editor.label("Pilihan yang dipasangkan", "Choices to pair"),
                EditorField(
                    "match_max",
                    "integer",
                    editor.label("Paling banyak dipasangkan", "In at most this many pairs"),
                    help=editor.label("0: tanpa batas.", "0: no limit."),
                    default=1,
                    minimum=0,
                    maximum=MAX_ASSOCIABLE,
                ),
                minimum=3,
                start=6,
            ),
            paired.pairs_editor(
                "choices",
                editor.label(
                    "Untuk setiap pilihan, pilih pasangannya (cukup sekali per pasangan).",
                    "For each choice, choose its partner (once per pair is enough).",
                ),
            ),
            paired.max_associations_editor(),
            editor.points(),
            editor.SCORING,
            paired.pair_values_editor("choices", "choices"),
            mapped.editor_mapping(),
            editor.shuffle(True),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Associate())
