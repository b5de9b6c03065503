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
    key_without_rich_text,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes import _graphic as graphic
from plugins.itemtypes import _pairs as paired
from plugins.itemtypes._common import (
    check_not_mapped,
    check_points,
    pick,
    points_field,
    render_item,
    scoring_field,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, qti_identifier, the_interaction
from plugins.itemtypes.qti_writers import graphic_associate as qti_writer
from qti.model import AssessmentItem, GraphicAssociateInteraction


class AssociableAreaSchema(graphic.RegionSchema):
    match_max = paired.match_max_field(graphic.MAX_REGIONS)


class GraphicAssociateSchema(ma.Schema):
    image = graphic.image_field()
    hotspots = graphic.regions_field(AssociableAreaSchema, minimum=3)
    pairs = paired.key_pairs_field("key pairs [area id, area id], unordered")
    max_associations = paired.max_associations_field()
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
        paired.PairSides(graphic.REGION, limits, graphic.REGION, limits, directed=False),
        limit_path=lambda ident: f"hotspots.{index_of[ident]}.match_max",
    )
    seen = {
        paired.unordered(pair[0], pair[1])
        for pair in content["pairs"]
        if len(pair) == 2 and pair[0] in limits and pair[1] in limits and pair[0] != pair[1]
    }
    yield from paired.check_max_associations(content, seen)


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
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: yang dinilai adalah pasangan area.",
        "en": "No per-option score: pairs of areas are scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from graphic.check_graphic(content, minimum=3)
        yield from check_not_mapped(content)
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
            options=graphic.region_options(regions),
            keys=[f"{first} {second}" for first, second in content["pairs"]],
            extra={
                "points": content["points"],
                "scoring": content["scoring"],
                "max_associations": content["max_associations"],
                "regions": graphic.regions_fact(regions),
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
        key = paired.key_pairs_from_qti(response.correct, score)
        if key is None:
            return None
        pairs = key.pairs
        if key.unequal:
            worth = ", ".join(f"{a}–{b}: {score([(a, b)]):g}" for a, b in pairs)
            raise ImportNotSupported(
                self.id,
                f"pasangan kunci bernilai berbeda-beda ({worth}); setiap pasangan kunci di bank "
                "bernilai sama",
                f"the key pairs are worth different scores ({worth}); every key pair of a bank "
                "item is an equal share",
            )
        return {
            "image": graphic.image_xhtml(interaction.image),
            "hotspots": graphic.regions_from_qti(interaction.choices, match_max=True),
            "pairs": pairs,
            "max_associations": interaction.max_associations,
            "points": plain_number(key.points),
            "scoring": "partial" if key.partial else "all_or_nothing",
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        regions = content["hotspots"]
        rows_count = content["max_associations"] or max(len(regions) // 2, 1)
        options = Markup("").join(
            Markup('<option value="{ident}">{ident}. {name}</option>').format(
                ident=region["id"], name=graphic.region_name(region, lang)
            )
            for region in regions
        )

        def body(prefix: str) -> Markup:
            figure = graphic.content_figure(content, regions)
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
            "image": graphic.EXAMPLE_IMAGE,
            "hotspots": graphic.example_regions(4, match_max=2),
            "pairs": [["B", "C"], ["D", "B"]],  # one partner chosen per area in the editor
            "max_associations": 3,
            "points": 2,
            "scoring": "partial",
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            graphic.image_editor_field(),
            graphic.regions_editor_field(
                "hotspots", editor.label("Area yang dipasangkan", "Regions"), match_max=True
            ),
            paired.pairs_editor(
                "hotspots",
                editor.label(
                    "Untuk setiap area, pilih pasangannya (cukup sekali per pasangan).",
                    "For each region, choose its partner (once per pair is enough).",
                ),
            ),
            paired.max_associations_editor(),
            editor.points(),
            editor.SCORING_NOT_MAPPED,
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(GraphicAssociate())
