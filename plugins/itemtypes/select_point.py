"""Select point: the candidate clicks one or more points on an image; areas drawn on it
(hidden from the candidate) say what each point is worth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import marshmallow as ma
from markupsafe import Markup

from itembank.hookspecs import hookimpl
from itembank.itemtypes import (
    JSON,
    MAX_RICH_TEXT_CHARS,
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
from plugins.itemtypes._common import (
    MAX_POINTS,
    MAX_WEIGHT,
    JsonNumber,
    Noun,
    bounded_integer,
    check_points,
    letter,
    pick,
    points_field,
    render_item,
)
from plugins.itemtypes._mapped import (
    DEFAULT_MAPPING,
    MappingSchema,
    best_selection,
    check_mapping,
    editor_mapping,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, the_interaction
from plugins.itemtypes.qti_writers import select_point as qti_writer
from plugins.itemtypes.qti_writers._graphic import first_area, inner_points
from qti.model import (
    AreaMapping,
    AssessmentItem,
    PositionObjectInteraction,
    ResponseDeclaration,
    SelectPointInteraction,
)

AREA = Noun("area", "area", "areas")
#: Most points a candidate may be asked to click.
MAX_POINTS_CLICKED = graphic.MAX_REGIONS
#: Largest coordinate of a point response, either way (a point lies on the image, which
#: is at most 4000 pixels a side; farther ones are refused as not a point of it).
MAX_COORDINATE = 100_000


class ValuedAreaSchema(graphic.RegionSchema):
    """A scoring area: a region without a label (candidates do not see it; QTI's area
    mapping keeps none) and the value of a point inside it."""

    class Meta:
        exclude = ("label",)

    value = JsonNumber(required=True, minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)


class SelectPointSchema(ma.Schema):
    image = graphic.image_field()
    #: The image the candidate places on the stage at each point (QTI's position object
    #: interaction); empty: the candidate clicks points (select point).
    marker = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=MAX_RICH_TEXT_CHARS),
        metadata={"description": "HTML"},
    )
    areas = graphic.regions_field(ValuedAreaSchema)
    max_choices = bounded_integer(1, 0, MAX_POINTS_CLICKED)
    mapping = ma.fields.Nested(MappingSchema, load_default=lambda: dict(DEFAULT_MAPPING))
    points = points_field()


def _point(value: Any) -> tuple[int, int]:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        x, y = value
        if (
            type(x) is int
            and type(y) is int
            and -MAX_COORDINATE <= x <= MAX_COORDINATE
            and -MAX_COORDINATE <= y <= MAX_COORDINATE
        ):
            return (x, y)
    raise ValueError(f"a point must be two whole numbers [x, y] (image pixels), not {value!r}")


def response_points(content: dict[str, JSON], response: JSON) -> list[tuple[int, int]] | None:
    """The points of a response: ``[x, y]`` (``max_choices`` 1) or a list of them, or
    ``None``; an empty list is blank too.

    :raises ValueError: for any other shape.
    """
    if response is None:
        return None
    if content["max_choices"] == 1:
        return [_point(response)]
    if not isinstance(response, (list, tuple)):
        raise ValueError(f"response must be a list of points or None, not {response!r}")
    if len(response) > MAX_POINTS_CLICKED * 10:
        raise ValueError(f"a response holds at most {MAX_POINTS_CLICKED * 10} points")
    points = [_point(value) for value in response]
    return points or None


class SelectPoint(ItemType):
    """Areas (rectangles, circles, polygons) drawn on an image, each with a value; the
    candidate clicks points on the image and does not see the areas.

    Scoring, as QTI's ``mapResponsePoint``: the response is a point ``[x, y]`` in image
    pixels (``max_choices`` 1) or a list of points (``max_choices`` 0, no limit, or more
    than 1), or ``None``. From 0, in the response's order, each point adds the value of
    the first area holding it (an area's edge belongs to it; each area counts once,
    however many points fall in it) or, inside no area, ``mapping.default``; the sum is
    held within ``mapping.lower`` (``None``: no bound) and ``points``. A blank response
    scores 0.

    ``mapping.default`` is 0: delivery engines disagree on any other value (``qti.rp``
    adds it for every point outside the areas, as the specification's "a point that
    doesn't fall into any of the areas" reads; Cito's qti-components adds it once per
    response, and also for a point in an area already counted), so content keeps the one
    value they all score alike.
    """

    id = "select_point"
    label = {"id": "Pilih titik", "en": "Select point"}
    description = {
        "id": "Peserta menunjuk satu atau beberapa titik pada gambar; area tersembunyi "
        "menentukan nilainya.",
        "en": "The candidate clicks one or more points on an image; hidden areas give "
        "their values.",
    }
    content_schema = SelectPointSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = {
        "id": "Tidak ada skor per pilihan: titik yang ditunjuk mendapat nilai area tempatnya "
        "berada (nilai setiap area ada di kunci).",
        "en": "No per-option score: a point scores the value of the area it falls in (each "
        "area's value is in the key).",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from graphic.check_image(content)
        if content.get("marker", "").strip():
            yield from graphic.check_image(content, "marker")
        image = graphic.read_image(content["image"])
        areas = content["areas"]
        yield from graphic.check_regions(areas, "areas", image, minimum=1)
        for index, area in enumerate(areas):
            if area["id"] != letter(index):
                yield Problem(
                    f"areas.{index}.id",
                    f"Area ke-{index + 1} harus berkode '{letter(index)}': area dinamai menurut "
                    "urutannya (QTI tidak menyimpan kode area penilaian).",
                    f"Area {index + 1} must be named '{letter(index)}': areas are named by their "
                    "order (QTI keeps no names of scoring areas).",
                )
        if areas and all(area["value"] <= 0 for area in areas):
            yield Problem(
                "areas",
                "Paling sedikit satu area harus bernilai lebih dari 0.",
                "At least one area must be worth more than 0.",
            )
        if content["mapping"]["default"] != 0:
            yield Problem(
                "mapping.default",
                "Titik di luar semua area bernilai 0: mesin penyaji QTI menghitung nilai lain "
                "secara berbeda (sekali per titik atau sekali per jawaban).",
                "A point outside every area is worth 0: QTI delivery engines count another "
                "value differently (once per point or once per response).",
            )
        yield from check_points(content)
        values = [area["value"] for area in areas]
        yield from check_mapping(content, best_selection(values, 1, content["max_choices"]))

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "image", content["image"]
        if content.get("marker"):
            yield "marker", content["marker"]

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        return self.scorer(content)(response)

    def scorer(self, content: dict[str, JSON]) -> Callable[[JSON], float]:
        """:meth:`score` for many responses to ``content``: the area holding each point
        is found once (a pure function of the areas and the point; the proof of an
        import sends the same probe points in hundreds of responses)."""
        holding: dict[tuple[int, int], int | None] = {}
        seen_areas: list[Any] = []  # the areas ``holding`` was found in

        def score(response: JSON) -> float:
            points = response_points(content, response)
            if points is None:
                return 0
            areas = content["areas"]
            if not seen_areas or seen_areas[0] is not areas:
                holding.clear()
                seen_areas[:] = [areas]
            mapping = content["mapping"]
            total = 0.0
            used: set[int] = set()
            for point in points:
                if point in holding:
                    hit = holding[point]
                else:
                    hit = holding[point] = first_area(areas, point)  # (may raise: not kept)
                if hit is None:
                    total += mapping["default"]
                elif hit not in used:
                    used.add(hit)
                    total += areas[hit]["value"]
            lower = mapping["lower"]
            if lower is not None and total < lower:
                total = float(lower)
            return float(min(total, content["points"]))

        return score

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        points = response_points(content, response)
        if points is None:
            return {RESPONSE: None}
        return {RESPONSE: points[0] if content["max_choices"] == 1 else points}

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        if value is None:
            return None
        if content["max_choices"] == 1:
            return list(_point(value))
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"a list of points is expected, not {value!r}")
        return [list(_point(point)) for point in value]

    def round_trip(self, content: dict[str, JSON]) -> Callable[[Any], tuple[JSON, dict[str, Any]]]:
        """:meth:`response_from_qti`, then :meth:`qti_response` of its response, with each
        point checked once: the response's points are the value's points checked, so
        checking them again gives the same tuples."""
        single = content["max_choices"] == 1

        def trip(value: Any) -> tuple[JSON, dict[str, Any]]:
            if value is None:
                return None, {RESPONSE: None}
            if single:
                point = _point(value)
                return list(point), {RESPONSE: point}
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"a list of points is expected, not {value!r}")
            points = [_point(each) for each in value]
            if len(points) > MAX_POINTS_CLICKED * 10:  # (as response_points refuses it)
                raise ValueError(f"a response holds at most {MAX_POINTS_CLICKED * 10} points")
            return [list(point) for point in points], {RESPONSE: points or None}

        return trip

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        areas = content["areas"]
        marker = graphic.read_image(content.get("marker") or "")
        # the marker the candidate places, by its text and size (an item without one
        # has no such fact: the candidate clicks points)
        placed = (
            {}
            if marker is None
            else {"marker": f"{marker.alt} ({marker.width} × {marker.height})".strip()}
        )
        return ContentSummary(
            options=graphic.region_options(areas),
            keys=[a["id"] for a in areas if a["value"] > 0],
            weights={a["id"]: a["value"] for a in areas},
            extra={
                "points": content["points"],
                "max_choices": content["max_choices"],
                "default": content["mapping"]["default"],
                "lower": content["mapping"]["lower"],
                "regions": graphic.regions_fact(areas),
                **placed,
            },
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.select_point.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A select point interaction on a point response with an area mapping: its
        areas (rect, circle, poly) and values, default and lower bound as they are (all
        times the factor a processing multiplies ``mapResponsePoint`` by, when a point in
        each positive area shows one); the points are what the best response scores (the
        upper bound when it is lower).
        Other shapes (``ellipse``, ``default``) and a default other than 0 have no form here
        and are refused with that reason. The proof checks every response tried."""
        found: (
            tuple[SelectPointInteraction | PositionObjectInteraction, ResponseDeclaration] | None
        ) = the_interaction(item, SelectPointInteraction) or the_interaction(
            item, PositionObjectInteraction
        )
        if found is None:
            return None
        interaction, response = found
        areas = response.area_mapping
        if response.base_type != "point" or areas is None or not areas.entries:
            return None
        if response.cardinality not in ("single", "multiple"):
            return None
        for entry in areas.entries:
            if entry.shape not in ("rect", "circle", "poly"):
                raise ImportNotSupported(
                    self.id,
                    f"area berbentuk {entry.shape!r}; bank menyimpan persegi, lingkaran dan "
                    "poligon",
                    f"an area of shape {entry.shape!r}; the bank keeps rect, circle and poly",
                )
        if areas.default != 0:
            raise ImportNotSupported(
                self.id,
                f"titik di luar semua area bernilai {areas.default:g}; di bank bernilai 0, "
                "karena mesin penyaji QTI menghitung nilai lain secara berbeda",
                f"a point outside every area is worth {areas.default:g}; in the bank it is "
                "worth 0, since QTI delivery engines count another value differently",
            )
        most = 1 if response.cardinality == "single" else interaction.max_choices
        scale = _scale(areas, response.cardinality == "single", score)
        values = [entry.value * scale for entry in areas.entries]
        upper = None if areas.upper is None else areas.upper * scale
        best = best_selection(values, 1, most)
        if upper is not None:
            best = min(best, upper)
        if best <= 0:
            return None
        marker = ""
        if isinstance(interaction, PositionObjectInteraction):
            marker = graphic.image_xhtml(interaction.object)
        return {
            "image": graphic.image_xhtml(interaction.image),
            "marker": marker,
            "areas": [
                {
                    "id": letter(index),  # as the editor names regions
                    "shape": entry.shape,
                    "coords": list(entry.coords),
                    "value": plain_number(value),
                }
                for index, (entry, value) in enumerate(zip(areas.entries, values, strict=True))
            ],
            "max_choices": most,
            "mapping": {
                "default": plain_number(areas.default * scale),
                "lower": None if areas.lower is None else plain_number(areas.lower * scale),
            },
            "points": plain_number(best),
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        """The image (without the areas, which are the key), the marker beside it when
        there is one, and an x/y pair of fields for each point. A click on the image
        fills the next pair and shows the marker (else a dot) there; without the
        script the fields alone take the points."""
        image = graphic.read_image(content["image"])
        marker_html = content.get("marker") or ""
        marker = graphic.read_image(marker_html)
        most = content["max_choices"]
        rows_count = most or 3

        def body(prefix: str) -> Markup:
            figure = graphic.content_figure(content, ())
            rows = Markup("").join(
                Markup(
                    '<div class="ib-point"><span class="ib-choice-letter">{label} {number}'
                    '</span> <label for="{prefix}-x{n}">x</label> <input type="number" '
                    'id="{prefix}-x{n}" name="{prefix}-x{n}" min="0" max="{width}" step="1"> '
                    '<label for="{prefix}-y{n}">y</label> <input type="number" id="{prefix}-y{n}"'
                    ' name="{prefix}-y{n}" min="0" max="{height}" step="1"></div>'
                ).format(
                    label=pick(lang, "Titik", "Point"),
                    number=n + 1,
                    prefix=prefix,
                    n=n,
                    width=image.width if image else 0,
                    height=image.height if image else 0,
                )
                for n in range(rows_count)
            )
            if marker is not None:
                legend = (
                    pick(
                        lang,
                        "Letakkan penanda pada satu titik gambar.",
                        "Place the marker at one point of the image.",
                    )
                    if most == 1
                    else pick(
                        lang,
                        "Letakkan penanda pada titik-titik yang tepat.",
                        "Place the marker at the right points.",
                    )
                )
                shown = Markup(
                    '<div class="ib-marker"><span class="ib-marker-label">{label}</span> '
                    "{marker}</div>"
                ).format(label=pick(lang, "Penanda:", "Marker:"), marker=Markup(marker_html))
            else:
                legend = (
                    pick(lang, "Tunjuk satu titik pada gambar.", "Click one point on the image.")
                    if most == 1
                    else pick(
                        lang,
                        "Tunjuk titik-titik yang tepat pada gambar.",
                        "Click the right points.",
                    )
                )
                shown = Markup("")
            return Markup(
                '<div class="ib-point-stage">{figure}{shown}</div>'
                '<fieldset class="ib-points" aria-describedby="{prefix}-stem">'
                "<legend>{legend}</legend>{rows}</fieldset>"
            ).format(figure=figure, shown=shown, prefix=prefix, legend=legend, rows=rows)

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Pada denah kantor kecamatan berikut, tunjuklah loket
        # pelayanan KTP elektronik dan ruang tunggunya."; the plan is
        # plugins.itemtypes._graphic.EXAMPLE_PNG, which a bank must hold first.
        return {
            "image": graphic.EXAMPLE_IMAGE,
            "marker": "",
            "areas": [
                {
                    "id": "A",
                    "shape": "circle",
                    "coords": [300, 75, 50],
                    "value": 1,
                },
                {
                    "id": "B",
                    "shape": "poly",
                    "coords": [40, 170, 180, 170, 110, 280],
                    "value": 1,
                },
                {
                    "id": "C",
                    "shape": "rect",
                    "coords": [20, 20, 180, 130],
                    "value": -1,
                },
            ],
            "max_choices": 2,
            "mapping": {"default": 0, "lower": 0},
            "points": 2,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            graphic.image_editor_field(),
            EditorField(
                "marker",
                "image",
                editor.label("Penanda (tidak wajib)", "Marker (optional)"),
                help=editor.label(
                    "Gambar kecil yang diletakkan peserta pada setiap titik (QTI: "
                    "positionObjectInteraction); tanpa penanda peserta menunjuk titik.",
                    "A small image the candidate places at each point (QTI: "
                    "positionObjectInteraction); without one the candidate clicks points.",
                ),
                minimum=0,
            ),
            graphic.regions_editor_field(
                "areas",
                editor.label("Area penilaian (tidak terlihat peserta)", "Scoring areas (hidden)"),
                label=False,
                extra=(
                    EditorField(
                        "value",
                        "number",
                        editor.label("Nilai titik di area ini", "Value of a point here"),
                        default=1,
                        minimum=-MAX_WEIGHT,
                        maximum=MAX_WEIGHT,
                    ),
                ),
            ),
            EditorField(
                "max_choices",
                "integer",
                editor.label("Jumlah titik maksimum", "Most points"),
                help=editor.label("1: satu titik; 0: tanpa batas.", "1: one point; 0: no limit."),
                default=1,
                minimum=0,
                maximum=MAX_POINTS_CLICKED,
            ),
            _mapping_editor(),
            editor.points(),
        ]


def _mapping_editor() -> EditorField:
    """The mapping group, for points: the lower bound, and the value of a point outside
    every area held at 0 (see :meth:`SelectPoint.check`)."""
    group = editor_mapping()
    return replace(
        group,
        label=editor.label("Penskoran titik", "Point scoring"),
        help=editor.label(
            "Batas bawah skor (kosong: tanpa batas). Batas atasnya adalah poin.",
            "The lowest score (empty: no bound). The points are the highest score.",
        ),
        fields=tuple(
            replace(
                f,
                label=editor.label("Nilai titik di luar area", "Value of a point outside"),
                help=editor.label(
                    "Selalu 0: mesin penyaji berbeda menilai nilai lain.",
                    "Always 0: delivery engines score any other value differently.",
                ),
                minimum=0,
                maximum=0,
            )
            if f.name == "default"
            else f
            for f in group.fields
        ),
    )


def _scale(areas: AreaMapping, single: bool, score: SourceScore) -> float:
    """What the source's processing multiplies ``mapResponsePoint`` by: 1 for the
    template, else the one factor a point inside each positive area scores by (a
    processing that divides the sum by the number of areas, say); 1 when there is no
    such factor (the proof then shows how the scores differ)."""
    regions = [{"shape": e.shape, "coords": e.coords} for e in areas.entries]
    factors = set()
    for index, point in enumerate(inner_points(regions)):
        value = areas.entries[index].value
        if point is None or value <= 0:
            continue
        factors.add(score(point if single else [point]) / value)
    if len(factors) != 1:
        return 1.0
    (factor,) = factors
    return factor if 0 < factor < 1 or 1 < factor <= MAX_POINTS else 1.0


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(SelectPoint())
