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
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    MAX_CHOICES,
    Noun,
    bounded_integer,
    check_count,
    check_entries,
    check_points,
    letter,
    partial_credit,
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
PAIR = Noun("pasangan kunci", "key pair", "key pairs")
#: Most choices of one item.
MAX_ASSOCIABLE = 20


class AssociableSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    text = rich_text_field()
    match_max = bounded_integer(1, 0, MAX_ASSOCIABLE)


class AssociateSchema(ma.Schema):
    choices = ma.fields.List(
        ma.fields.Nested(AssociableSchema),
        required=True,
        validate=ma.validate.Length(max=MAX_ASSOCIABLE),
        metadata={"minItems": 3, "maxItems": MAX_ASSOCIABLE},
    )
    pairs = ma.fields.List(
        ma.fields.List(ma.fields.String()),
        required=True,
        validate=ma.validate.Length(max=MAX_CHOICES),
        metadata={"minItems": 1, "description": "key pairs [choice id, choice id], unordered"},
    )
    max_associations = bounded_integer(0, 0, MAX_CHOICES)
    points = points_field()
    scoring = scoring_field()
    shuffle = shuffle_field(True)


def _pair(first: str, second: str) -> tuple[str, str]:
    """A pair as compared: its two identifiers in order (pairs are unordered)."""
    return (first, second) if first <= second else (second, first)


def _response_pairs(response: JSON) -> set[tuple[str, str]] | None:
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
        pairs.add(_pair(pair[0], pair[1]))
    return pairs


class Associate(ItemType):
    """Choices to be paired with each other; the key is a set of pairs.

    Scoring: the response is a list of ``[choice, choice]`` pairs (either order), or
    ``None``; a pair given twice, in either order, counts once.

    - ``all_or_nothing``: ``points`` when the set of pairs equals the key pairs, else 0.
    - ``partial``: each key pair given earns ``points / len(pairs)`` and each other pair
      costs the same; the total is clamped to ``[0, points]`` (so giving every pair
      earns nothing more than the key does).
    """

    id = "associate"
    label = {"id": "Memasangkan (asosiasi)", "en": "Associate"}
    description = {
        "id": "Peserta memasangkan pilihan-pilihan yang saling berkaitan dari satu daftar.",
        "en": "The candidate pairs up the choices of one list that belong together.",
    }
    content_schema = AssociateSchema
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: yang dinilai adalah pasangan pilihan.",
        "en": "No per-option score: pairs of choices are scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        choices = content["choices"]
        yield from check_count(choices, "choices", CHOICE, 3, MAX_ASSOCIABLE)
        yield from check_entries([("choices", choices, CHOICE)])
        limits = {c["id"]: c["match_max"] for c in choices}
        pairs = content["pairs"]
        yield from check_count(pairs, "pairs", PAIR, 1)
        seen: set[tuple[str, str]] = set()
        used: dict[str, int] = {}
        for index, pair in enumerate(pairs):
            path = f"pairs.{index}"
            if len(pair) != 2:
                yield Problem(
                    path,
                    "Pasangan harus terdiri atas dua pilihan.",
                    "A pair must name two choices.",
                )
                continue
            unknown = [ident for ident in pair if ident not in limits]
            for ident in unknown:
                yield Problem(
                    path,
                    f"Pilihan '{ident}' tidak ada.",
                    f"'{ident}' is not one of the choices.",
                )
            if unknown:
                continue
            if pair[0] == pair[1]:
                yield Problem(
                    path,
                    f"Pilihan '{pair[0]}' tidak dapat dipasangkan dengan dirinya sendiri.",
                    f"Choice '{pair[0]}' cannot be paired with itself.",
                )
                continue
            key = _pair(pair[0], pair[1])
            if key in seen:
                yield Problem(
                    path,
                    f"Pasangan {pair[0]}–{pair[1]} tercantum lebih dari sekali.",
                    f"The pair {pair[0]}–{pair[1]} is listed more than once.",
                )
            seen.add(key)
            for ident in pair:
                used[ident] = used.get(ident, 0) + 1
        for ident, count in used.items():
            if limits[ident] and count > limits[ident]:
                index = next(i for i, c in enumerate(choices) if c["id"] == ident)
                yield Problem(
                    f"choices.{index}.match_max",
                    f"Pilihan '{ident}' ada di {count} pasangan kunci, tetapi boleh dipakai "
                    f"paling banyak {limits[ident]} kali.",
                    f"Choice '{ident}' is in {count} key pairs but may be used at most "
                    f"{limits[ident]} times.",
                )
        most = content["max_associations"]
        if most and most < len(seen):
            yield Problem(
                "max_associations",
                f"Jumlah pasangan maksimum ({most}) lebih kecil dari jumlah pasangan kunci "
                f"({len(seen)}).",
                f"The maximum number of pairs ({most}) is less than the number of key pairs "
                f"({len(seen)}).",
            )
        yield from check_points(content)

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield from text_fields(content, "choices")

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        given = _response_pairs(response)
        if given is None:
            return 0
        key = {_pair(first, second) for first, second in content["pairs"]}
        if content["scoring"] == "all_or_nothing":
            return content["points"] if given == key else 0
        net = len(given & key) - len(given - key)
        return partial_credit(content["points"], net, len(key))

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        if _response_pairs(response) is None:  # checks the shape
            return {RESPONSE: None}
        return {RESPONSE: [(qti_identifier(a), qti_identifier(b)) for a, b in response]}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        return ContentSummary(
            options=texts_by_id(content["choices"]),
            keys=[f"{first} {second}" for first, second in content["pairs"]],
            extra={
                "points": content["points"],
                "scoring": content["scoring"],
                "max_associations": content["max_associations"],
                "shuffle": content["shuffle"],
            },
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
        ``all_or_nothing``; key pairs worth different scores have no form here (each key
        pair is an equal share) and are refused with that reason."""
        found = the_interaction(item, AssociateInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "multiple" or response.base_type != "pair":
            return None
        pairs = [value.split() for value in response.correct]
        if not pairs or any(len(pair) != 2 for pair in pairs):
            return None
        points = score([tuple(pair) for pair in pairs])
        if points <= 0:
            return None
        alone = {score([tuple(pair)]) for pair in pairs}
        partial = len(pairs) > 1 and alone != {0}
        if partial and len(alone) > 1:
            raise ImportNotSupported(
                self.id,
                "pasangan kunci bernilai berbeda-beda ("
                + ", ".join(f"{a}–{b}: {score([(a, b)]):g}" for a, b in pairs)
                + "); setiap pasangan kunci di bank bernilai sama",
                "the key pairs are worth different scores ("
                + ", ".join(f"{a}–{b}: {score([(a, b)]):g}" for a, b in pairs)
                + "); every key pair of a bank item is an equal share",
            )
        return {
            "choices": [
                {"id": c.identifier, "text": c.content, "match_max": c.match_max}
                for c in interaction.choices
            ],
            "pairs": pairs,
            "max_associations": interaction.max_associations,
            "points": plain_number(points),
            "scoring": "partial" if partial else "all_or_nothing",
            "shuffle": interaction.shuffle,
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        choices = content["choices"]
        rows_count = content["max_associations"] or max(len(choices) // 2, 1)
        choose = pick(lang, "— pilih —", "— choose —")
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
            rows = Markup("").join(
                Markup(
                    '<div class="ib-associate-pair"><label for="{prefix}-a{n}">{pair} {number}'
                    '</label> <select id="{prefix}-a{n}" name="{prefix}-pair{n}"><option value="">'
                    '{choose}</option>{options}</select> <label for="{prefix}-b{n}">{with_}'
                    '</label> <select id="{prefix}-b{n}" name="{prefix}-pair{n}"><option value="">'
                    "{choose}</option>{options}</select></div>"
                ).format(
                    prefix=prefix,
                    n=n,
                    number=n + 1,
                    pair=pick(lang, "Pasangan", "Pair"),
                    with_=pick(lang, "dengan", "with"),
                    choose=choose,
                    options=options,
                )
                for n in range(rows_count)
            )
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
            EditorField(
                "pairs",
                "pairs",
                editor.label("Pasangan yang benar", "Correct pairs"),
                help=editor.label(
                    "Untuk setiap pilihan, pilih pasangannya (cukup sekali per pasangan).",
                    "For each choice, choose its partner (once per pair is enough).",
                ),
                source="choices",
                target="choices",
            ),
            EditorField(
                "max_associations",
                "integer",
                editor.label("Jumlah pasangan maksimum", "Most pairs"),
                help=editor.label("0: tanpa batas.", "0: no limit."),
                default=0,
                minimum=0,
                maximum=MAX_CHOICES,
            ),
            editor.points(),
            editor.SCORING,
            editor.shuffle(True),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Associate())
