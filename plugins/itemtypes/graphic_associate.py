"""Graphic associate: the candidate pairs areas drawn on one image with each other (the
routes between airports on a map, the wires between parts of a circuit)."""

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
from plugins.itemtypes import _pairs as paired
from plugins.itemtypes._common import (
    MAX_CHOICES,
    bounded_integer,
    check_points,
    pick,
    points_field,
    render_item,
    scoring_field,
)
from plugins.itemtypes._graphic import (
    EXAMPLE_IMAGE,
    MAX_REGIONS,
    REGION,
    RegionSchema,
    check_image,
    check_regions,
    graphic_figure,
    image_editor_field,
    image_field,
    image_xhtml,
    read_image,
    region_name,
    regions_editor_field,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, qti_identifier, the_interaction
from plugins.itemtypes.qti_writers import graphic_associate as qti_writer
from qti.model import AssessmentItem, GraphicAssociateInteraction


class AssociableAreaSchema(RegionSchema):
    match_max = bounded_integer(1, 0, MAX_REGIONS)


class GraphicAssociateSchema(ma.Schema):
    image = image_field()
    hotspots = ma.fields.List(
        ma.fields.Nested(AssociableAreaSchema),
        required=True,
        validate=ma.validate.Length(max=MAX_REGIONS),
        metadata={"minItems": 3, "maxItems": MAX_REGIONS},
    )
    pairs = ma.fields.List(
        ma.fields.List(ma.fields.String()),
        required=True,
        validate=ma.validate.Length(max=MAX_CHOICES),
        metadata={"minItems": 1, "description": "key pairs [area id, area id], unordered"},
    )
    max_associations = bounded_integer(0, 0, MAX_CHOICES)
    points = points_field()
    scoring = scoring_field()


def _check_pairs(content: dict[str, JSON]) -> Iterator[Problem]:
    """Key pairs of two different known areas (the pair rules of ``associate``, in
    :mod:`plugins.itemtypes._pairs`), at most ``max_associations`` of them."""
    areas = content["hotspots"]
    limits = {area["id"]: area["match_max"] for area in areas}
    index_of = {area["id"]: i for i, area in enumerate(areas)}
    yield from paired.check_key_pairs(
        content["pairs"],
        paired.PairSides(REGION, limits, REGION, limits, directed=False),
        limit_path=lambda ident: f"hotspots.{index_of[ident]}.match_max",
    )
    seen = {
        paired.unordered(pair[0], pair[1])
        for pair in content["pairs"]
        if len(pair) == 2 and pair[0] in limits and pair[1] in limits and pair[0] != pair[1]
    }
    most = content["max_associations"]
    if most and most < len(seen):
        yield Problem(
            "max_associations",
            f"Jumlah pasangan maksimum ({most}) lebih kecil dari jumlah pasangan kunci "
            f"({len(seen)}).",
            f"The maximum number of pairs ({most}) is less than the number of key pairs "
            f"({len(seen)}).",
        )


class GraphicAssociate(ItemType):
    """Areas (rectangles, circles, polygons) drawn on one image, to be paired with each
    other; the key is a set of pairs.

    Scoring, as ``associate``: the response is a list of ``[area, area]`` pairs (either
    order), or ``None``; a pair given twice, in either order, counts once.

    - ``all_or_nothing``: ``points`` when the set of pairs equals the key pairs, else 0.
    - ``partial``: each key pair given earns ``points / len(pairs)`` and each other pair
      costs the same; the total is clamped to ``[0, points]``.
    """

    id = "graphic_associate"
    label = {"id": "Pasangkan gambar", "en": "Graphic associate"}
    description = {
        "id": "Peserta memasangkan area-area yang saling berkaitan pada sebuah gambar.",
        "en": "The candidate pairs up the areas of an image that belong together.",
    }
    content_schema = GraphicAssociateSchema
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: yang dinilai adalah pasangan area.",
        "en": "No per-option score: pairs of areas are scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from check_image(content)
        image = read_image(content["image"])
        yield from check_regions(content["hotspots"], "hotspots", image, minimum=3)
        yield from _check_pairs(content)
        yield from check_points(content)

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "image", content["image"]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
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
        regions = content["hotspots"]
        return ContentSummary(
            options={r["id"]: str(Markup.escape(region_name(r))) for r in regions},
            keys=[f"{first} {second}" for first, second in content["pairs"]],
            extra={
                "points": content["points"],
                "scoring": content["scoring"],
                "max_associations": content["max_associations"],
                "regions": "; ".join(
                    f"{r['id']}: {r['shape']} {','.join(str(c) for c in r['coords'])}"
                    for r in regions
                ),
            },
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.graphic_associate.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A graphic associate interaction (multiple pairs) with a declared correct
        response that scores: the correct pairs are the key, worth what they score
        together; ``partial`` when one key pair alone already scores (with several),
        else ``all_or_nothing`` (as ``associate``). Key pairs worth different scores
        have no form here and are refused with that reason; the proof checks the rest."""
        found = the_interaction(item, GraphicAssociateInteraction)
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
            worth = ", ".join(f"{a}–{b}: {score([(a, b)]):g}" for a, b in pairs)
            raise ImportNotSupported(
                self.id,
                f"pasangan kunci bernilai berbeda-beda ({worth}); setiap pasangan kunci di bank "
                "bernilai sama",
                f"the key pairs are worth different scores ({worth}); every key pair of a bank "
                "item is an equal share",
            )
        return {
            "image": image_xhtml(interaction.image),
            "hotspots": [
                {
                    "id": area.identifier,
                    "shape": area.shape,
                    "coords": list(area.coords),
                    "label": area.label,
                    "match_max": area.match_max,
                }
                for area in interaction.choices
            ],
            "pairs": pairs,
            "max_associations": interaction.max_associations,
            "points": plain_number(points),
            "scoring": "partial" if partial else "all_or_nothing",
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        image = read_image(content["image"])
        regions = content["hotspots"]
        rows_count = content["max_associations"] or max(len(regions) // 2, 1)
        options = Markup("").join(
            Markup('<option value="{ident}">{ident}. {name}</option>').format(
                ident=region["id"], name=region_name(region, lang)
            )
            for region in regions
        )

        def body(prefix: str) -> Markup:
            figure = graphic_figure(content["image"], image, regions) if image else ""
            rows = paired.pair_select_rows(prefix, rows_count, options, lang)
            return Markup(
                '{figure}<fieldset class="ib-associate" aria-describedby="{prefix}-stem">'
                "<legend>{legend}</legend>{rows}</fieldset>"
            ).format(
                figure=figure,
                prefix=prefix,
                legend=pick(
                    lang,
                    "Pasangkan area-area yang saling berkaitan pada gambar.",
                    "Pair up the areas of the image that belong together.",
                ),
                rows=rows,
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Jalur evakuasi baru menghubungkan loket KTP-el dengan ruang
        # tunggu dan dengan ruang perekaman. Pasangkan ruang-ruang yang dihubungkan."; the
        # plan is plugins.itemtypes._graphic.EXAMPLE_PNG, which a bank must hold first.
        return {
            "image": EXAMPLE_IMAGE,
            "hotspots": [
                {
                    "id": "A",
                    "shape": "rect",
                    "coords": [20, 20, 180, 130],
                    "label": "Ruang arsip",
                    "match_max": 2,
                },
                {
                    "id": "B",
                    "shape": "circle",
                    "coords": [300, 75, 50],
                    "label": "Loket KTP-el",
                    "match_max": 2,
                },
                {
                    "id": "C",
                    "shape": "poly",
                    "coords": [40, 170, 180, 170, 110, 280],
                    "label": "Ruang tunggu",
                    "match_max": 2,
                },
                {
                    "id": "D",
                    "shape": "rect",
                    "coords": [220, 170, 380, 280],
                    "label": "Ruang perekaman",
                    "match_max": 2,
                },
            ],
            "pairs": [["B", "C"], ["D", "B"]],  # one partner chosen per area in the editor
            "max_associations": 3,
            "points": 2,
            "scoring": "partial",
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            image_editor_field(),
            regions_editor_field(
                "hotspots", editor.label("Area yang dipasangkan", "Regions"), match_max=True
            ),
            EditorField(
                "pairs",
                "pairs",
                editor.label("Pasangan yang benar", "Correct pairs"),
                help=editor.label(
                    "Untuk setiap area, pilih pasangannya (cukup sekali per pasangan).",
                    "For each region, choose its partner (once per pair is enough).",
                ),
                source="hotspots",
                target="hotspots",
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
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(GraphicAssociate())
