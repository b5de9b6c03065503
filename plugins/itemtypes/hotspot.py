"""Hotspot: the candidate chooses one or more areas drawn on an image."""

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
from plugins.itemtypes import _graphic as graphic
from plugins.itemtypes._common import (
    Noun,
    bounded_integer,
    check_count,
    check_not_mapped,
    check_points,
    partial_credit,
    pick,
    points_field,
    render_item,
    repeated,
    response_ids,
    scoring_field,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, qti_identifier, the_interaction
from plugins.itemtypes.qti_writers import hotspot as qti_writer
from qti.model import AssessmentItem, HotspotInteraction

KEY = Noun("kunci jawaban", "key", "keys")


class HotspotSchema(ma.Schema):
    image = graphic.image_field()
    hotspots = graphic.regions_field()
    keys = ma.fields.List(ma.fields.String(), required=True, metadata={"minItems": 1})
    max_choices = bounded_integer(1, 0, graphic.MAX_REGIONS)
    points = points_field()
    scoring = scoring_field()


class Hotspot(ItemType):
    """Areas (rectangles, circles, polygons) drawn on an image; the key is one or more
    of them.

    Scoring: the response is a hotspot identifier (``max_choices`` 1) or a list of them
    (``max_choices`` 0, no limit, or more than 1), or ``None``; a repeated identifier
    counts once.

    - one choice: ``points`` when it is the key, else 0;
    - ``all_or_nothing``: ``points`` when the chosen set equals the keys, else 0;
    - ``partial``: each chosen key earns ``points / len(keys)`` and each other chosen
      identifier (unknown ones included) costs the same; the total is clamped to
      ``[0, points]``.
    """

    id = "hotspot"
    label = {"id": "Titik panas (area gambar)", "en": "Hotspot"}
    description = {
        "id": "Peserta memilih area yang benar pada sebuah gambar.",
        "en": "The candidate chooses the right area(s) on an image.",
    }
    content_schema = HotspotSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from graphic.check_graphic(content, minimum=2)
        yield from check_not_mapped(content)
        ids = {region["id"] for region in content["hotspots"]}
        keys = content["keys"]
        yield from check_count(keys, "keys", KEY, 1)
        for index, key in enumerate(keys):
            if key not in ids:
                yield Problem(
                    f"keys.{index}",
                    f"Kunci '{key}' tidak ada di area gambar.",
                    f"Key '{key}' is not one of the regions.",
                )
        for index, key in repeated(keys):
            yield Problem(
                f"keys.{index}",
                f"Kunci '{key}' tercantum lebih dari sekali.",
                f"Key '{key}' is listed more than once.",
            )
        most = content["max_choices"]
        if most and most < len(set(keys)):
            yield Problem(
                "max_choices",
                f"Jumlah pilihan maksimum ({most}) lebih kecil dari jumlah kunci "
                f"({len(set(keys))}).",
                f"The maximum number of choices ({most}) is less than the number of keys "
                f"({len(set(keys))}).",
            )
        yield from check_points(content)

    def html_fields(self, content: dict[str, JSON]) -> Iterator[tuple[str, str]]:
        yield "image", content["image"]

    def _chosen(self, content: dict[str, JSON], response: JSON) -> set[str] | None:
        if content["max_choices"] == 1:
            if response is None or isinstance(response, str):
                return None if response is None else {response}
            raise ValueError(
                f"response must be a region identifier or None, not {type(response).__name__}"
            )
        ids = response_ids(response)
        return None if ids is None else set(ids)

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        chosen = self._chosen(content, response)
        if chosen is None:
            return 0
        keys = set(content["keys"])
        if content["max_choices"] == 1 or content["scoring"] == "all_or_nothing":
            return content["points"] if chosen == keys else 0
        net = len(chosen & keys) - len(chosen - keys)
        return partial_credit(content["points"], net, len(keys))

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, JSON]:
        self._chosen(content, response)  # checks the shape
        if content["max_choices"] == 1:
            return {RESPONSE: qti_identifier(response)}
        return {RESPONSE: None if response is None else [qti_identifier(i) for i in response]}

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        regions = content["hotspots"]
        keys = set(content["keys"])
        return ContentSummary(
            options=graphic.region_options(regions),
            keys=[r["id"] for r in regions if r["id"] in keys],
            extra={
                "points": content["points"],
                "scoring": content["scoring"],
                "max_choices": content["max_choices"],
                "regions": graphic.regions_fact(regions),
            },
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.hotspot.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A hotspot interaction on an identifier response. One choice: exactly one
        area scores (more than 0), the others 0; it is the key. Several: the declared
        correct areas (else those scoring alone) are the keys, worth what they score
        together; ``partial`` when one key alone already scores (with several keys),
        else ``all_or_nothing``. The proof checks every other response."""
        found = the_interaction(item, HotspotInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.base_type != "identifier":
            return None
        ids = [choice.identifier for choice in interaction.choices]
        if response.cardinality == "single":
            scores = {ident: score(ident) for ident in ids}
            scoring = [ident for ident, value in scores.items() if value != 0]
            if len(scoring) != 1 or scores[scoring[0]] < 0:
                return None
            keys, points, partial, most = scoring, scores[scoring[0]], False, 1
        elif response.cardinality == "multiple":
            keys = [ident for ident in ids if ident in response.correct]
            if not keys:
                keys = [ident for ident in ids if score([ident]) > 0]
            if not keys:
                return None
            points = score(keys)
            if points <= 0:
                return None
            partial = len(keys) > 1 and score([keys[0]]) > 0
            most = interaction.max_choices if interaction.max_choices != 1 else 0
        else:
            return None
        return {
            "image": graphic.image_xhtml(interaction.image),
            "hotspots": graphic.regions_from_qti(interaction.choices),
            "keys": keys,
            "max_choices": most,
            "points": plain_number(points),
            "scoring": "partial" if partial else "all_or_nothing",
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        single = content["max_choices"] == 1

        def body(prefix: str) -> Markup:
            figure = graphic.content_figure(content, content["hotspots"])
            rows = Markup("").join(
                Markup(
                    '<div class="ib-choice"><input type="{kind}" id="{prefix}-h{index}" '
                    'name="{prefix}-response" value="{ident}"> <label for="{prefix}-h{index}">'
                    '<span class="ib-choice-letter">{ident}.</span> '
                    '<span class="ib-choice-text">{name}</span></label></div>'
                ).format(
                    kind="radio" if single else "checkbox",
                    prefix=prefix,
                    index=index,
                    ident=region["id"],
                    name=graphic.region_name(region, lang),
                )
                for index, region in enumerate(content["hotspots"])
            )
            legend = (
                pick(lang, "Pilih satu area pada gambar.", "Choose one area on the image.")
                if single
                else pick(lang, "Pilih area yang benar pada gambar.", "Choose the right areas.")
            )
            return Markup(
                '{figure}<fieldset class="ib-choices" '
                'aria-describedby="{prefix}-stem"><legend>{legend}</legend>{rows}</fieldset>'
            ).format(figure=figure, prefix=prefix, legend=legend, rows=rows)

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Pada denah kantor kecamatan berikut, di manakah loket
        # pelayanan KTP elektronik?"; the plan is plugins.itemtypes._graphic.EXAMPLE_PNG,
        # which a bank must hold before it saves this content.
        return {
            "image": graphic.EXAMPLE_IMAGE,
            "hotspots": graphic.example_regions(3),
            "keys": ["B"],
            "max_choices": 1,
            "points": 1,
            "scoring": "all_or_nothing",
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            graphic.image_editor_field(),
            graphic.regions_editor_field("hotspots", editor.label("Area pada gambar", "Regions")),
            EditorField("keys", "keys", editor.label("Kunci jawaban", "Keys"), source="hotspots"),
            EditorField(
                "max_choices",
                "integer",
                editor.label("Jumlah pilihan maksimum", "Most choices"),
                help=editor.label("1: satu area; 0: tanpa batas.", "1: one area; 0: no limit."),
                default=1,
                minimum=0,
                maximum=graphic.MAX_REGIONS,
            ),
            editor.points(),
            editor.SCORING_NOT_MAPPED,
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Hotspot())
