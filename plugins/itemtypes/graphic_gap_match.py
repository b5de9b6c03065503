"""Graphic gap match: the candidate places small images (gaps) on areas of an image."""

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
from plugins.itemtypes import _graphic as graphic
from plugins.itemtypes import _mapped as mapped
from plugins.itemtypes import _pairs as paired
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    Noun,
    check_count,
    check_points,
    is_identifier,
    pick,
    points_field,
    render_item,
    scoring_field,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, qti_identifier, the_interaction
from plugins.itemtypes.qti_writers import graphic_gap_match as qti_writer
from qti.model import AssessmentItem, GraphicGapMatchInteraction, ResponseDeclaration

GAP = Noun("gambar kecil", "gap image", "gap images")
AREA = Noun("area", "area", "areas")
#: Most gaps of one item.
MAX_GAPS = 20


class GapSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    image = graphic.image_field()
    label = ma.fields.String(
        required=True, validate=ma.validate.Length(max=graphic.MAX_LABEL_CHARS)
    )
    match_max = paired.match_max_field(graphic.MAX_REGIONS)


class AreaSchema(graphic.RegionSchema):
    match_max = paired.match_max_field(MAX_GAPS)


class GraphicGapMatchSchema(ma.Schema):
    image = graphic.image_field()
    gaps = ma.fields.List(
        ma.fields.Nested(GapSchema),
        required=True,
        validate=ma.validate.Length(max=MAX_GAPS),
        metadata={"minItems": 2, "maxItems": MAX_GAPS},
    )
    hotspots = graphic.regions_field(AreaSchema)
    pairs = paired.key_pairs_field("key pairs [gap id, area id]")
    points = points_field()
    scoring = scoring_field()
    pair_values = paired.pair_values_field("[gap id, area id, value] under mapped scoring")
    mapping = mapped.mapping_field()

    @ma.post_load
    def _normalise(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        paired.drop_unused_pair_values(data)
        return data


def _sides(content: dict[str, JSON]) -> paired.PairSides:
    return paired.PairSides(
        GAP,
        {g["id"]: g["match_max"] for g in content["gaps"]},
        AREA,
        {a["id"]: a["match_max"] for a in content["hotspots"]},
    )


class GraphicGapMatch(mapped.MappedImport):
    """Small images (gaps, each with a label) to be placed on areas drawn on an image;
    the key is a set of ``[gap, area]`` pairs.

    Scoring: the response is a list of ``[gap, area]`` pairs, or ``None``; a pair given
    twice counts once.

    - ``all_or_nothing``: ``points`` when the set of pairs equals the key pairs, else 0.
    - ``partial``: each key pair given earns ``points / len(pairs)`` and each other pair
      costs the same; the total is clamped to ``[0, points]``.
    - ``mapped`` (QTI ``mapResponse``): each distinct pair given adds its value in
      ``pair_values``, or ``mapping.default`` (0: wrong placements cost nothing); the
      sum is bounded below by ``mapping.lower`` and above by ``points``; blank scores 0.
      The key pairs must score ``points``.
    """

    id = "graphic_gap_match"
    label = {"id": "Menempatkan gambar pada area", "en": "Graphic gap match"}
    description = {
        "id": "Peserta menempatkan gambar-gambar kecil pada area yang tepat di sebuah gambar.",
        "en": "The candidate places small images on the right areas of an image.",
    }
    content_schema = GraphicGapMatchSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: yang dinilai adalah pasangan gambar dan area.",
        "en": "No per-option score: pairs of a gap image and an area are scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from graphic.check_image(content)
        gaps = content["gaps"]
        yield from check_count(gaps, "gaps", GAP, 2, MAX_GAPS)
        seen: set[str] = set()
        for index, gap in enumerate(gaps):
            ident = gap["id"]
            if not is_identifier(ident):
                yield Problem(
                    f"gaps.{index}.id",
                    f"Kode '{ident}' tidak valid: gunakan huruf, angka, '_', '.' atau '-', "
                    "diawali huruf atau '_', paling panjang 32 karakter.",
                    f"The identifier '{ident}' is not valid: use letters, digits, '_', '.' "
                    "or '-', starting with a letter or '_', at most 32 characters.",
                )
            elif ident in seen:
                yield Problem(
                    f"gaps.{index}.id",
                    f"Kode '{ident}' dipakai lebih dari sekali.",
                    f"Identifier '{ident}' is used more than once.",
                )
            seen.add(ident)
            yield from _gap_image(gap, index)
            if not gap["label"].strip():
                yield Problem(
                    f"gaps.{index}.label",
                    f"Keterangan gambar '{ident}' wajib diisi.",
                    f"The label of gap image '{ident}' is required.",
                )
        yield from graphic.check_regions(
            content["hotspots"],
            "hotspots",
            graphic.read_image(content["image"]),
            minimum=1,
            seen=seen,
        )
        yield from paired.check_key_pairs(content["pairs"], _sides(content))
        yield from check_points(content)
        yield from paired.check_mapped_key(
            content, _sides(content), lambda: self.score(content, content["pairs"])
        )

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "image", content["image"]
        for index, gap in enumerate(content["gaps"]):
            yield f"gaps.{index}.image", gap["image"]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        if content["scoring"] == mapped.MAPPED:
            return paired.mapped_pairs_score(
                content,
                paired.response_pair_list(response),
                paired.pair_value_map(content).get,
                content["points"],
            )
        given = paired.response_pairs(response)
        if given is None:
            return 0
        key = {(gap, area) for gap, area in content["pairs"]}
        if content["scoring"] == "all_or_nothing":
            return content["points"] if given == key else 0
        return paired.net_credit(given, key, content["points"])

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        if paired.response_pairs(response) is None:  # checks the shape
            return {RESPONSE: None}
        return {RESPONSE: [(qti_identifier(a), qti_identifier(b)) for a, b in response]}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        options = {g["id"]: str(Markup.escape(g["label"])) for g in content["gaps"]}
        options.update(graphic.region_options(content["hotspots"]))
        return ContentSummary(
            options=options,
            keys=[f"{gap} {area}" for gap, area in content["pairs"]],
            extra=self._facts(content),
        )

    def _facts(self, content: dict[str, JSON]) -> dict[str, JSON]:
        facts: dict[str, JSON] = {"points": content["points"], "scoring": content["scoring"]}
        if content["scoring"] == mapped.MAPPED:
            facts.update(paired.mapped_facts(content))
        return facts

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.graphic_gap_match.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A graphic gap match of gap images (directed pairs gap -> area) with a declared
        correct response that scores: the correct pairs are the key, worth what they
        score together; ``partial`` when one key pair alone scores (with several), else
        ``all_or_nothing``. Key pairs worth different scores have no classic form
        (:meth:`mapped_from_qti` may represent them); text gaps (QTI 3.0 only) are
        refused with that reason."""
        found = self._interaction(item)
        if found is None:
            return None
        interaction, response = found
        key = paired.key_pairs_from_qti(response.correct, score)
        if key is None:
            return None
        if key.unequal:
            raise ImportNotSupported(
                self.id,
                "pasangan kunci bernilai berbeda-beda dan skornya bukan pemetaan per pasangan "
                "(mapResponse)",
                "the key pairs are worth different scores and the scoring is no mapping per "
                "pair (mapResponse)",
            )
        return {
            **self._shape(interaction),
            "pairs": key.pairs,
            "points": plain_number(key.points),
            "scoring": "partial" if key.partial else "all_or_nothing",
        }

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Mapped scoring from the response's declared mapping
        (:func:`plugins.itemtypes._pairs.mapped_from_mapping`), for every pair of a gap
        image and an area."""
        found = self._interaction(item)
        if found is None:
            return None
        interaction, response = found
        if response.mapping is None:
            return None
        read = paired.mapped_from_mapping(
            response.mapping,
            [
                (gap.identifier, area.identifier)
                for gap in interaction.gaps
                for area in interaction.hotspots
            ],
            [value.split() for value in response.correct],
            directed=True,
        )
        if read is None:
            return None
        return {
            **self._shape(interaction),
            "pairs": read.key,
            "points": read.points,
            "scoring": mapped.MAPPED,
            "pair_values": read.pair_values,
            "mapping": read.mapping,
        }

    def _interaction(
        self, item: AssessmentItem
    ) -> tuple[GraphicGapMatchInteraction, ResponseDeclaration] | None:
        """The item's graphic gap match interaction (multiple directed pairs) with its
        response declaration, or ``None``.

        :raises ImportNotSupported: when a gap is text (QTI 3.0's ``gapText``).
        """
        found = the_interaction(item, GraphicGapMatchInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "multiple" or response.base_type != "directedPair":
            return None
        if any(gap.image is None for gap in interaction.gaps):
            raise ImportNotSupported(
                self.id,
                "celah berupa teks (gapText) belum didukung; setiap celah harus berupa gambar",
                "text gaps (gapText) are not supported; every gap must be an image",
            )
        return interaction, response

    @staticmethod
    def _shape(interaction: GraphicGapMatchInteraction) -> dict[str, JSON]:
        return {
            "image": graphic.image_xhtml(interaction.image),
            "gaps": [
                {
                    "id": gap.identifier,
                    "image": graphic.image_xhtml(gap.image),  # type: ignore[arg-type]
                    "label": gap.text or gap.image.alt or gap.identifier,  # type: ignore[union-attr]
                    "match_max": gap.match_max,
                }
                for gap in interaction.gaps
            ],
            "hotspots": graphic.regions_from_qti(interaction.hotspots, match_max=True),
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        choose = pick(lang, "— pilih —", "— choose —")
        options = Markup("").join(
            Markup('<option value="{ident}">{label}</option>').format(
                ident=gap["id"], label=gap["label"]
            )
            for gap in content["gaps"]
        )

        def body(prefix: str) -> Markup:
            figure = graphic.content_figure(content, content["hotspots"])
            gaps = Markup("").join(
                Markup('<li class="ib-gap">{image} <span>{label}</span></li>').format(
                    image=Markup(gap["image"]), label=gap["label"]
                )
                for gap in content["gaps"]
            )
            rows = Markup("").join(
                Markup(
                    '<div class="ib-gap-target"><label for="{prefix}-g{index}">'
                    '<span class="ib-choice-letter">{ident}.</span> {name}</label> '
                    '<select id="{prefix}-g{index}" name="{prefix}-area-{ident}">'
                    '<option value="">{choose}</option>{options}</select></div>'
                ).format(
                    prefix=prefix,
                    index=index,
                    ident=area["id"],
                    name=graphic.region_name(area, lang),
                    choose=choose,
                    options=options,
                )
                for index, area in enumerate(content["hotspots"])
            )
            return Markup(
                '{figure}<p class="ib-hint" id="{prefix}-gaps">{heading}</p>'
                '<ul class="ib-gaps" aria-labelledby="{prefix}-gaps">{gaps}</ul>'
                '<fieldset class="ib-gap-match" aria-describedby="{prefix}-stem">'
                "<legend>{legend}</legend>{rows}</fieldset>"
            ).format(
                figure=figure,
                prefix=prefix,
                heading=pick(lang, "Gambar yang ditempatkan:", "Images to place:"),
                gaps=gaps,
                legend=pick(
                    lang,
                    "Tempatkan gambar yang tepat pada setiap area.",
                    "Place the right image on each area.",
                ),
                rows=rows,
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Tempatkan penanda jalur evakuasi yang tepat pada denah
        # kantor kecamatan berikut."; the images are plugins.itemtypes._graphic's
        # EXAMPLE_MEDIA, which a bank must hold before it saves this content.
        red, green, blue = graphic.EXAMPLE_GAP_IMAGES
        return {
            "image": graphic.EXAMPLE_IMAGE,
            "gaps": [
                {"id": "G1", "image": red, "label": "Titik kumpul", "match_max": 1},
                {"id": "G2", "image": green, "label": "Pintu darurat", "match_max": 1},
                {"id": "G3", "image": blue, "label": "Alat pemadam", "match_max": 1},
            ],
            "hotspots": graphic.example_regions(2, match_max=1),
            "pairs": [["G2", "A"], ["G3", "B"]],
            "points": 2,
            "scoring": "partial",
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            graphic.image_editor_field(),
            EditorField(
                "gaps",
                "entries",
                editor.label("Gambar kecil yang ditempatkan", "Gap images to place"),
                minimum=2,
                start_items=2,
                id_style="prefix",
                id_prefix="G",
                entry_label=editor.label("Gambar kecil", "Gap image"),
                fields=(
                    EditorField("image", "image", editor.label("Gambar", "Image")),
                    EditorField("label", "text", editor.label("Keterangan", "Label")),
                    EditorField(
                        "match_max",
                        "integer",
                        editor.label("Paling banyak ditempatkan", "Placed at most"),
                        help=editor.label("0: tanpa batas.", "0: no limit."),
                        default=1,
                        minimum=0,
                        maximum=graphic.MAX_REGIONS,
                    ),
                ),
            ),
            graphic.regions_editor_field(
                "hotspots", editor.label("Area pada gambar", "Areas"), match_max=True
            ),
            EditorField(
                "pairs",
                "pairs",
                editor.label("Penempatan yang benar", "Correct placements"),
                source="gaps",
                target="hotspots",
            ),
            editor.points(),
            editor.SCORING,
            paired.pair_values_editor("gaps", "hotspots"),
            mapped.editor_mapping(),
        ]


def _gap_image(gap: dict[str, JSON], index: int) -> Iterator[Problem]:
    if graphic.read_image(gap["image"]) is None:
        yield Problem(
            f"gaps.{index}.image",
            f"Pilih satu gambar untuk '{gap['id']}' (dengan lebar dan tinggi dalam piksel).",
            f"Choose one image for '{gap['id']}' (with its width and height in pixels).",
        )


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(GraphicGapMatch())
