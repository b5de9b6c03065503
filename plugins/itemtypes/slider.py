"""Slider: the candidate sets a number on a bounded scale (QTI ``sliderInteraction``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

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
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    MAX_WEIGHT,
    JsonNumber,
    StrictBoolean,
    bounded_integer,
    check_points,
    is_identifier,
    pick,
    points_field,
    render_item,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, the_interaction
from plugins.itemtypes.numeric import (
    TOLERANCE_MODES,
    check_tolerance,
    tolerance_editor_fields,
    tolerance_of,
)
from plugins.itemtypes.qti_writers import slider as qti_writer
from qti.model import AssessmentItem, SliderInteraction

ANSWER = "answer"
SLIDER_SCORING = (ANSWER, mapped.MAPPED)
#: Most values one slider offers (every one of them is tried by an import's proof).
MAX_POSITIONS = 5000
#: Largest step.
MAX_STEP = 1_000_000


class ValueSchema(ma.Schema):
    """One value of the scale and what it scores under mapped scoring."""

    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    value = JsonNumber(required=True)
    score = JsonNumber(required=True, minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)


class SliderSchema(ma.Schema):
    # QTI 3.0 allows no negative bounds.
    lower = JsonNumber(required=True, minimum=0)
    upper = JsonNumber(required=True)
    step = bounded_integer(1, 1, MAX_STEP)
    integer = StrictBoolean(load_default=True)
    answer = JsonNumber(required=True)
    tolerance = JsonNumber(load_default=0, minimum=0)
    tolerance_mode = ma.fields.String(
        load_default="absolute", validate=ma.validate.OneOf(TOLERANCE_MODES)
    )
    points = points_field()
    scoring = ma.fields.String(load_default=ANSWER, validate=ma.validate.OneOf(SLIDER_SCORING))
    values = ma.fields.List(
        ma.fields.Nested(ValueSchema),
        required=False,
        validate=ma.validate.Length(max=MAX_POSITIONS),
        metadata={"description": "what each value scores under mapped scoring"},
    )
    mapping = mapped.mapping_field()
    step_label = StrictBoolean(load_default=False)
    vertical = StrictBoolean(load_default=False)

    @ma.post_load
    def _normalise(self, data: dict[str, JSON], **kwargs: object) -> dict[str, JSON]:
        if not data.get("values") and data.get("scoring") != mapped.MAPPED:
            data.pop("values", None)
        mapped.normalise(data, None)
        return data


def _number(response: JSON) -> float | None:
    """A slider response as a float (``None``: blank); anything else is the wrong shape."""
    if response is None:
        return None
    if isinstance(response, bool) or not isinstance(response, (int, float)):
        raise ValueError(f"response must be a number or None, not {type(response).__name__}")
    if not math.isfinite(response):
        raise ValueError("response must be a finite number")
    return float(response)


def positions(content: dict[str, JSON]) -> int:
    """How many values the slider offers: ``lower``, ``lower + step`` ... up to ``upper``."""
    span = (float(content["upper"]) - float(content["lower"])) / content["step"]
    return math.floor(span + 1e-9) + 1 if span >= 0 else 0


def on_scale(content: dict[str, JSON], value: float) -> bool:
    """``value`` is one the slider offers."""
    lower, upper = float(content["lower"]), float(content["upper"])
    if not lower <= value <= upper:
        return False
    steps = (value - lower) / content["step"]
    return abs(steps - round(steps)) < 1e-9


def scale_values(content: dict[str, JSON]) -> list[int | float]:
    """Every value the slider offers, in order."""
    lower, step = content["lower"], content["step"]
    if content["integer"]:
        return [int(lower) + k * step for k in range(positions(content))]
    return [float(lower) + k * step for k in range(positions(content))]


class Slider(mapped.MappedImport):
    """A number set on a scale from ``lower`` to ``upper`` by ``step`` (whole numbers
    when ``integer``).

    Scoring: the response is a number or ``None`` (blank: 0).

    - ``answer``: ``points`` when the response equals ``answer`` within the tolerance,
      computed as the numeric type computes it (QTI ``equal``), else 0.
    - ``mapped`` (QTI ``mapResponse``): the response scores its value's ``score`` in
      ``values``, or ``mapping.default``, held within ``mapping.lower`` (``None``: no
      bound) and ``points``; ``answer`` must score the points.
    """

    id = "slider"
    label = {"id": "Geser nilai", "en": "Slider"}
    description = {
        "id": "Peserta menggeser penanda pada skala untuk memilih sebuah bilangan.",
        "en": "The candidate moves a marker along a scale to choose a number.",
    }
    content_schema = SliderSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text
    no_option_scores = {
        "id": "Tidak ada pilihan: yang dinilai adalah bilangan yang dipilih.",
        "en": "No options: the number chosen is scored.",
    }

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        lower, upper = content["lower"], content["upper"]
        if content["integer"]:
            for name in ("lower", "upper", "answer"):
                if not float(content[name]).is_integer():
                    yield Problem(
                        name,
                        "Skala bilangan bulat hanya memuat bilangan bulat.",
                        "A whole-number scale holds whole numbers only.",
                    )
        if lower >= upper:
            yield Problem(
                "upper",
                f"Batas atas ({upper:g}) harus lebih besar dari batas bawah ({lower:g}).",
                f"The upper bound ({upper:g}) must be greater than the lower bound ({lower:g}).",
            )
            return
        count = positions(content)
        if count > MAX_POSITIONS:
            yield Problem(
                "step",
                f"Skala ini memuat {count} nilai; paling banyak {MAX_POSITIONS}: perbesar "
                "langkahnya atau persempit skalanya.",
                f"This scale offers {count} values; at most {MAX_POSITIONS}: take a larger "
                "step or a narrower scale.",
            )
            return
        if not on_scale(content, float(content["answer"])):
            yield Problem(
                "answer",
                f"Jawaban {content['answer']:g} tidak ada di skala ({lower:g} sampai "
                f"{upper:g}, langkah {content['step']:g}).",
                f"The answer {content['answer']:g} is not on the scale ({lower:g} to "
                f"{upper:g}, step {content['step']:g}).",
            )
        yield from check_tolerance(content)
        yield from check_points(content)
        yield from self._check_values(content)

    def _check_values(self, content: dict[str, JSON]) -> Iterator[Problem]:
        values = content.get("values", [])
        if content["scoring"] != mapped.MAPPED:
            yield from mapped.check_unused(content, bool(values), "values", mapped.VALUE)
            return
        seen_ids: set[str] = set()
        seen: set[float] = set()
        problems = 0
        for index, entry in enumerate(values):
            ident, value = entry["id"], float(entry["value"])
            if not is_identifier(ident) or ident in seen_ids:
                problems += 1
                yield Problem(
                    f"values.{index}.id",
                    f"Kode '{ident}' tidak valid atau dipakai lebih dari sekali.",
                    f"Identifier '{ident}' is not valid or used more than once.",
                )
            seen_ids.add(ident)
            if not on_scale(content, value):
                problems += 1
                yield Problem(
                    f"values.{index}.value",
                    f"Nilai {value:g} tidak ada di skala.",
                    f"The value {value:g} is not on the scale.",
                )
            elif value in seen:
                problems += 1
                yield Problem(
                    f"values.{index}.value",
                    f"Nilai {value:g} diberi skor lebih dari sekali.",
                    f"The value {value:g} is given a score more than once.",
                )
            seen.add(value)
        if problems or content["points"] <= 0:
            return
        scores = [entry["score"] for entry in values]
        if len(seen) < positions(content):
            scores.append(mapped.mapping_of(content)["default"])
        found = list(mapped.check_mapping(content, max(scores)))
        yield from found
        if not found:
            earned = self.score(content, content["answer"])
            if not mapped.same_score(earned, content["points"]):
                yield mapped.keys_score_problem("answer", earned, content["points"])

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        given = _number(response)
        if given is None:
            return 0
        if content["scoring"] == mapped.MAPPED:
            own = {float(entry["value"]): entry["score"] for entry in content.get("values", [])}
            bounds = mapped.mapping_of(content)
            return mapped.mapped_sum(
                [given], own.get, bounds["default"], bounds["lower"], content["points"]
            )
        answer, tolerance = float(content["answer"]), float(content["tolerance"])
        if tolerance == 0:
            right = given == answer
        elif content["tolerance_mode"] == "absolute":
            right = answer - tolerance <= given <= answer + tolerance
        else:
            right = answer * (1 - tolerance / 100) <= given <= answer * (1 + tolerance / 100)
        return content["points"] if right else 0

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, Any]:
        given = _number(response)
        if given is None or not content["integer"]:
            return {RESPONSE: given}
        if not given.is_integer():
            raise ValueError(
                f"{response!r} is not a whole number: a whole-number slider has no such value"
            )
        return {RESPONSE: int(given)}

    def response_from_qti(self, content: dict[str, JSON], value: Any) -> JSON:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a number") from None
        return value

    def summary(self, content: dict[str, JSON]) -> ContentSummary:
        extra: dict[str, JSON] = {
            "points": content["points"],
            "lower": content["lower"],
            "upper": content["upper"],
            "step": content["step"],
            "scoring": content["scoring"],
        }
        if content["scoring"] == mapped.MAPPED:
            extra["values"] = [
                f"{entry['value']:g}: {entry['score']:g}" for entry in content.get("values", [])
            ]
            extra["mapping"] = dict(mapped.mapping_of(content))
        else:
            extra["tolerance"] = content["tolerance"]
            extra["tolerance_mode"] = content["tolerance_mode"]
        return ContentSummary(keys=[f"{content['answer']:g}"], extra=extra)

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.slider.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    # -- import ----------------------------------------------------------------------

    def _found(self, item: AssessmentItem) -> tuple[SliderInteraction, Any] | None:
        found = the_interaction(item, SliderInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "single" or response.base_type not in ("integer", "float"):
            return None
        return interaction, response

    @staticmethod
    def _scale(interaction: SliderInteraction, integer: bool) -> dict[str, JSON]:
        return {
            "lower": plain_number(interaction.lower_bound),
            "upper": plain_number(interaction.upper_bound),
            "step": interaction.step or 1,
            "integer": integer,
            "step_label": interaction.step_label,
            "vertical": interaction.vertical,
        }

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A slider with a single integer or float response and a declared correct value
        that scores: that value is the answer, its score the points, the tolerance that
        of the processing's ``equal`` (as for a numeric answer)."""
        found = self._found(item)
        if found is None:
            return None
        interaction, response = found
        if len(response.correct) != 1:
            return None
        try:
            answer = float(response.correct[0])
        except ValueError:
            return None
        if not math.isfinite(answer):
            return None
        integer = response.base_type == "integer"
        points = score(int(answer) if integer else answer)
        if points <= 0:
            return None
        mode, tolerance = tolerance_of(self.id, item, response.identifier)
        return {
            **self._scale(interaction, integer),
            "answer": plain_number(answer),
            "tolerance": plain_number(tolerance),
            "tolerance_mode": mode,
            "points": plain_number(points),
        }

    def mapped_from_qti(self, item: AssessmentItem) -> dict[str, JSON] | None:
        """Mapped scoring from the response's declared mapping: each value of the scale
        the mapping names scores its entry (the first naming it), the others the
        default; the points are what the best value scores (no more than the upper
        bound), the answer the declared correct value when it scores them, else the
        first value that does."""
        found = self._found(item)
        if found is None or found[1].mapping is None:
            return None
        interaction, response = found
        mapping = response.mapping
        integer = response.base_type == "integer"
        scale = self._scale(interaction, integer)
        if positions(scale) > MAX_POSITIONS:
            return None
        values: list[dict[str, JSON]] = []
        seen: set[float] = set()
        for entry in mapping.entries:
            try:
                value = float(entry.key)
            except ValueError:
                continue
            if value in seen or not on_scale(scale, value):
                continue
            seen.add(value)
            values.append(
                {
                    "id": f"N{len(values) + 1}",
                    "value": plain_number(value),
                    "score": plain_number(entry.value),
                }
            )
        own = {float(v["value"]): float(v["score"]) for v in values}  # type: ignore[arg-type]
        default = float(mapping.default)
        every = scale_values(scale)
        best_score = max(own.get(float(v), default) for v in every)
        upper = math.inf if mapping.upper is None else mapping.upper
        lower = mapping.lower
        points = min(best_score, upper)
        if lower is not None:
            points = max(points, lower)
        if points <= 0:
            return None

        def scores_points(value: float) -> bool:
            return min(own.get(value, default), upper) >= points

        answer: float | None = None
        if len(response.correct) == 1:
            try:
                declared = float(response.correct[0])
            except ValueError:
                declared = math.nan
            if declared in {float(v) for v in every} and scores_points(declared):
                answer = declared
        if answer is None:
            answer = next(float(v) for v in every if scores_points(float(v)))
        return {
            **scale,
            "answer": plain_number(answer),
            "points": plain_number(points),
            "scoring": mapped.MAPPED,
            "values": values,
            "mapping": {
                "default": plain_number(default),
                "lower": None if lower is None else plain_number(lower),
            },
        }

    # -- preview and editor ----------------------------------------------------------

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        lower, upper = content["lower"], content["upper"]

        def body(prefix: str) -> Markup:
            return Markup(
                '<div class="ib-slider{vertical}"><label for="{prefix}-slider">{label}</label> '
                '<span class="ib-slider-bound">{lower}</span> '
                '<input type="range" id="{prefix}-slider" name="{prefix}-response" '
                'min="{lower}" max="{upper}" step="{step}" value="{start}" '
                'aria-describedby="{prefix}-stem"> '
                '<span class="ib-slider-bound">{upper}</span> '
                '<output for="{prefix}-slider" id="{prefix}-value" aria-live="polite">'
                "{start}</output></div>"
            ).format(
                vertical=" ib-slider-vertical" if content["vertical"] else "",
                prefix=prefix,
                label=pick(lang, "Geser untuk memilih nilai", "Slide to choose a value"),
                lower=f"{lower:g}",
                upper=f"{upper:g}",
                step=content["step"],
                start=f"{lower:g}",
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Berapa persen luas wilayah Indonesia yang berupa lautan?
        # Geser ke nilai terdekat."
        return {
            "lower": 0,
            "upper": 100,
            "step": 5,
            "integer": True,
            "answer": 65,
            "tolerance": 5,
            "tolerance_mode": "absolute",
            "points": 1,
            "scoring": ANSWER,
            "step_label": False,
            "vertical": False,
        }

    def editor_fields(self) -> list[EditorField]:
        return [
            EditorField("lower", "number", editor.label("Batas bawah", "Lower bound"), default=0),
            EditorField("upper", "number", editor.label("Batas atas", "Upper bound"), default=100),
            EditorField(
                "step",
                "integer",
                editor.label("Langkah", "Step"),
                default=1,
                minimum=1,
                maximum=MAX_STEP,
            ),
            EditorField(
                "integer",
                "boolean",
                editor.label("Hanya bilangan bulat", "Whole numbers only"),
                default=True,
            ),
            EditorField("answer", "number", editor.label("Jawaban benar", "Correct answer")),
            *tolerance_editor_fields(),
            editor.points(),
            EditorField(
                "scoring",
                "choice",
                editor.label("Penskoran", "Scoring"),
                default=ANSWER,
                choices=(
                    (ANSWER, editor.label("Jawaban dan toleransi", "Answer and tolerance")),
                    (
                        mapped.MAPPED,
                        editor.label("Berbobot (skor per nilai)", "Mapped (a score per value)"),
                    ),
                ),
            ),
            EditorField(
                "values",
                "entries",
                editor.label("Skor per nilai (penskoran berbobot)", "Score per value (mapped)"),
                help=editor.label(
                    "Nilai lain mendapat 'nilai lainnya'.",
                    "Other values score the 'value of the others'.",
                ),
                minimum=0,
                start_items=0,
                id_style="prefix",
                id_prefix="N",
                entry_label=editor.label("Nilai", "Value"),
                fields=(
                    EditorField("value", "number", editor.label("Nilai", "Value")),
                    EditorField(
                        "score",
                        "number",
                        editor.label("Skor", "Score"),
                        minimum=-MAX_WEIGHT,
                        maximum=MAX_WEIGHT,
                    ),
                ),
            ),
            mapped.editor_mapping(),
            EditorField(
                "step_label",
                "boolean",
                editor.label("Tampilkan label setiap langkah", "Label each step"),
                default=False,
            ),
            EditorField(
                "vertical",
                "boolean",
                editor.label("Skala tegak", "Vertical scale"),
                default=False,
            ),
        ]


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Slider())
