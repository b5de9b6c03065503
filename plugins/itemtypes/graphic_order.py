"""Graphic order: the candidate puts areas drawn on an image in order (the stops of a
route on a map, the steps of a procedure on a diagram)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
from plugins.itemtypes import _ordered as ordered
from plugins.itemtypes._common import (
    check_points,
    pick,
    points_field,
    render_item,
    response_ids,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, qti_identifiers, the_interaction
from plugins.itemtypes.qti_writers import graphic_order as qti_writer
from qti.model import AssessmentItem, GraphicOrderInteraction


class GraphicOrderSchema(ordered.OrderSchema):
    image = graphic.image_field()
    hotspots = graphic.regions_field()
    correct_order = ordered.correct_order_field()
    points = points_field()
    scoring = ordered.scoring_field()


class GraphicOrder(ItemType):
    """Areas (rectangles, circles, polygons) drawn on an image, to be put in order;
    every area is in the correct order once.

    Scoring, as ``ordering``: the response is the list of area identifiers in the
    candidate's order, or ``None``; all or nothing (``scoring`` absent or
    ``all_or_nothing``) scores ``points`` when it equals ``correct_order`` exactly, else
    0; ``per_position`` gives each area in its correct position
    ``points / len(correct_order)`` (:mod:`plugins.itemtypes._ordered`).
    """

    id = "graphic_order"
    label = {"id": "Urutkan gambar", "en": "Graphic order"}
    description = {
        "id": "Peserta mengurutkan area-area pada sebuah gambar.",
        "en": "The candidate puts areas of an image in the correct order.",
    }
    content_schema = GraphicOrderSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = ordered.NO_OPTION_SCORES

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from graphic.check_graphic(content, minimum=2)
        yield from ordered.check_order(
            content["correct_order"],
            (region["id"] for region in content["hotspots"]),
            graphic.REGION,
            "area gambar",
        )
        yield from check_points(content)

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "image", content["image"]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        return ordered.order_score(content, response_ids(response))

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        return {RESPONSE: qti_identifiers(response_ids(response))}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        regions = content["hotspots"]
        return ContentSummary(
            options=graphic.region_options(regions),
            keys=list(content["correct_order"]),
            extra={
                "points": content["points"],
                **ordered.scoring_fact(content),
                "regions": graphic.regions_fact(regions),
            },
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.graphic_order.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A graphic order interaction (ordered identifiers) with a declared correct
        order of every area that scores: that order, worth what it scores (as
        ``ordering``). An order of only some of the areas (``maxChoices`` below their
        number) has no form here and is refused with that reason."""
        found = the_interaction(item, GraphicOrderInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "ordered" or response.base_type != "identifier":
            return None
        if not response.correct:
            return None
        ids = [choice.identifier for choice in interaction.choices]
        most = interaction.max_choices
        if sorted(response.correct) != sorted(ids) or (most and most < len(ids)):
            raise ImportNotSupported(
                self.id,
                "hanya sebagian area yang diurutkan; di bank setiap area diurutkan",
                "only some of the areas are ordered; a bank item orders every area",
            )
        points = score(list(response.correct))
        if points <= 0:
            return None
        return {
            "image": graphic.image_xhtml(interaction.image),
            "hotspots": graphic.regions_from_qti(interaction.choices),
            "correct_order": list(response.correct),
            "points": plain_number(points),
        }

    def from_qti_contents(
        self, item: AssessmentItem, score: SourceScore
    ) -> Iterator[dict[str, JSON]]:
        """:meth:`from_qti`'s content (all or nothing), then the same order scored per
        position when every order of up to 7 areas scores as per-position scoring
        gives it (more areas: offered, the proof decides)."""
        content = self.from_qti(item, score)
        if content is None:
            return
        yield content
        order, points = content["correct_order"], content["points"]
        differences = ordered.per_position_differences(order, order, points, score)
        if not differences:
            yield {**content, "scoring": ordered.PER_POSITION}

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        regions = content["hotspots"]
        count = len(regions)
        entries = [
            (
                region["id"],
                Markup(
                    '<span class="ib-choice-letter">{ident}.</span> '
                    '<span class="ib-choice-text">{name}</span>'
                ).format(ident=region["id"], name=graphic.region_name(region, lang)),
            )
            for region in regions
        ]

        def body(prefix: str) -> Markup:
            figure = graphic.content_figure(content, regions)
            rows = ordered.order_rows(prefix, entries, lang)
            legend = pick(
                lang,
                f"Urutkan area pada gambar dengan memberi nomor urut 1 sampai {count}.",
                f"Put the areas of the image in order by numbering them 1 to {count}.",
            )
            return Markup(
                '{figure}<fieldset class="ib-ordering" aria-describedby="{prefix}-stem">'
                '<legend>{legend}</legend><ul class="ib-order-list">{rows}</ul></fieldset>'
            ).format(figure=figure, prefix=prefix, legend=legend, rows=rows)

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Urutkan ruang yang dilalui warga yang mengurus KTP
        # elektronik, dari yang pertama."; the plan is plugins.itemtypes._graphic's
        # EXAMPLE_PNG, which a bank must hold first.
        return {
            "image": graphic.EXAMPLE_IMAGE,
            "hotspots": graphic.example_regions(4),
            "correct_order": ["C", "B", "D", "A"],
            "points": 2,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            graphic.image_editor_field(),
            graphic.regions_editor_field(
                "hotspots", editor.label("Area yang diurutkan", "Regions")
            ),
            EditorField(
                "correct_order",
                "order",
                editor.label("Urutan yang benar", "Correct order"),
                source="hotspots",
            ),
            editor.points(),
            ordered.scoring_editor(),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(GraphicOrder())
