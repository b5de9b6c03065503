"""Numeric entry: the candidate types a number, right within a stated tolerance."""

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
    ImportNotSupported,
    ItemType,
    Problem,
    SourceScore,
    key_without_rich_text,
)
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    JsonNumber,
    bounded_integer,
    check_points,
    pick,
    points_field,
    render_item,
)
from plugins.itemtypes._qti import RESPONSE, plain_number, the_interaction
from plugins.itemtypes.qti_writers import numeric as qti_writer
from qti.model import AssessmentItem, Condition, Expr, TextEntryInteraction

TOLERANCE_MODES = ("absolute", "relative")
#: Largest relative tolerance, in percent.
MAX_RELATIVE = 100
#: Longest answer field.
MAX_LENGTH = 40


def check_tolerance(content: dict[str, JSON]) -> Iterator[Problem]:
    """A relative tolerance within its bound and only for a positive answer (numeric
    answers and sliders)."""
    tolerance, mode = content["tolerance"], content["tolerance_mode"]
    if mode == "relative" and tolerance > MAX_RELATIVE:
        yield Problem(
            "tolerance",
            f"Toleransi relatif paling besar {MAX_RELATIVE} persen.",
            f"A relative tolerance is at most {MAX_RELATIVE} percent.",
        )
    if mode == "relative" and tolerance > 0 and content["answer"] <= 0:
        yield Problem(
            "tolerance_mode",
            "Toleransi relatif hanya untuk jawaban positif (QTI menghitung batasnya dari "
            "jawaban); untuk jawaban nol atau negatif gunakan toleransi mutlak.",
            "A relative tolerance needs a positive answer (QTI computes its bounds from "
            "the answer); for zero or negative answers use an absolute tolerance.",
        )


def tolerance_editor_fields() -> tuple[EditorField, EditorField]:
    """The editor's tolerance and its mode (numeric answers and sliders)."""
    return (
        EditorField(
            "tolerance",
            "number",
            editor.label("Toleransi", "Tolerance"),
            help=editor.label(
                "0: harus tepat sama. Mutlak: selisih terbesar; relatif: dalam persen.",
                "0: exactly equal. Absolute: the largest difference; relative: in percent.",
            ),
            default=0,
            minimum=0,
        ),
        EditorField(
            "tolerance_mode",
            "choice",
            editor.label("Jenis toleransi", "Tolerance mode"),
            default="absolute",
            choices=(
                ("absolute", editor.label("Mutlak", "Absolute")),
                ("relative", editor.label("Relatif (persen)", "Relative (percent)")),
            ),
        ),
    )


class NumericSchema(ma.Schema):
    answer = JsonNumber(required=True)
    tolerance = JsonNumber(load_default=0, minimum=0)
    tolerance_mode = ma.fields.String(
        load_default="absolute", validate=ma.validate.OneOf(TOLERANCE_MODES)
    )
    points = points_field()
    expected_length = bounded_integer(10, 1, MAX_LENGTH)


def _number(response: JSON) -> float | None:
    """A numeric response as a float (``None``: blank); anything else is the wrong shape."""
    if response is None:
        return None
    if isinstance(response, bool) or not isinstance(response, (int, float)):
        raise ValueError(f"response must be a number or None, not {type(response).__name__}")
    if not math.isfinite(response):
        raise ValueError("response must be a finite number")
    return float(response)


class Numeric(ItemType):
    """A number compared with the answer within a tolerance.

    Scoring: the response is a number or ``None``; with ``x`` the answer, ``t`` the
    tolerance and ``y`` the response (all as floats) it scores ``points`` when

    - ``t == 0``: ``y == x``;
    - ``absolute``: ``x - t <= y <= x + t``;
    - ``relative`` (``t`` in percent): ``x * (1 - t / 100) <= y <= x * (1 + t / 100)``,

    else 0 - QTI's ``equal`` operator, computed the same way.
    """

    id = "numeric"
    label = {"id": "Isian bilangan", "en": "Numeric answer"}
    description = {
        "id": "Peserta mengetik bilangan; benar bila dalam toleransi dari jawaban.",
        "en": "The candidate types a number; it is right within a tolerance of the answer.",
    }
    content_schema = NumericSchema
    #: The proof depends on everything but the rich text (its scoring reads none).
    proof_key = key_without_rich_text

    def check(self, content: dict[str, JSON]) -> Iterator[Problem]:
        yield from check_tolerance(content)
        yield from check_points(content)

    @staticmethod
    def bounds(content: dict[str, JSON]) -> tuple[float, float]:
        """The lowest and highest response that score (equal when exact)."""
        answer, tolerance = float(content["answer"]), float(content["tolerance"])
        if tolerance == 0:
            return answer, answer
        if content["tolerance_mode"] == "absolute":
            return answer - tolerance, answer + tolerance
        return answer * (1 - tolerance / 100), answer * (1 + tolerance / 100)

    def score(self, content: dict[str, JSON], response: JSON) -> float:
        given = _number(response)
        if given is None:
            return 0
        if float(content["tolerance"]) == 0:
            right = given == float(content["answer"])
        else:
            low, high = self.bounds(content)
            right = low <= given <= high
        return content["points"] if right else 0

    def max_score(self, content: dict[str, JSON]) -> float:
        return content["points"]

    def qti_response(self, content: dict[str, JSON], response: JSON) -> dict[str, Any]:
        return {RESPONSE: _number(response)}

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
        low, high = self.bounds(content)
        return ContentSummary(
            keys=[repr(float(content["answer"])).removesuffix(".0")],
            extra={
                "points": content["points"],
                "tolerance": content["tolerance"],
                "tolerance_mode": content["tolerance_mode"],
                "range": [plain_number(low), plain_number(high)],
            },
        )

    def to_qti(
        self, stem: str, content: dict[str, JSON], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """:func:`plugins.itemtypes.qti_writers.numeric.to_qti`."""
        return qti_writer.to_qti(stem, content, identifier=identifier, title=title, lang=lang)

    def from_qti(self, item: AssessmentItem, score: SourceScore) -> dict[str, JSON] | None:
        """A text entry with a single float or integer response and a declared correct
        value that scores: that value is the answer, its score the points. The tolerance
        is that of the processing's ``equal`` of a constant and the response (the
        constant first, both bounds included); without one, exact."""
        found = the_interaction(item, TextEntryInteraction)
        if found is None:
            return None
        interaction, response = found
        if response.cardinality != "single" or response.base_type not in ("float", "integer"):
            return None
        if len(response.correct) != 1:
            return None
        try:
            answer = float(response.correct[0])
        except ValueError:
            return None
        if not math.isfinite(answer):
            return None
        points = score(int(answer) if response.base_type == "integer" else answer)
        if points <= 0:
            return None
        mode, tolerance = tolerance_of(self.id, item, response.identifier)
        length = interaction.expected_length
        return {
            "answer": plain_number(answer),
            "tolerance": plain_number(tolerance),
            "tolerance_mode": mode,
            "points": plain_number(points),
            "expected_length": min(length, MAX_LENGTH) if length and length > 0 else 10,
        }

    def preview_html(self, stem: str, content: dict[str, JSON], lang: str = "id") -> str:
        def body(prefix: str) -> Markup:
            return Markup(
                '<div class="ib-response"><label for="{prefix}-answer">{label}</label> '
                '<input type="text" inputmode="decimal" id="{prefix}-answer" '
                'name="{prefix}-response" size="{size}" autocomplete="off" '
                'aria-describedby="{prefix}-stem"></div>'
            ).format(
                prefix=prefix,
                label=pick(lang, "Jawaban (bilangan)", "Answer (a number)"),
                size=content["expected_length"],
            )

        return render_item(self.id, stem, body)

    def example_content(self) -> dict[str, JSON]:
        # For a stem such as "Sebuah tabung berjari-jari 7 cm dan tinggi 10 cm. Berapa
        # liter volumenya? (pi = 22/7)"
        return {
            "answer": 1.54,
            "tolerance": 0.01,
            "tolerance_mode": "absolute",
            "points": 2,
            "expected_length": 10,
        }

    # -- the web UI's item editor ----------------------------------------------------

    def editor_fields(self) -> list[EditorField]:
        return [
            EditorField("answer", "number", editor.label("Jawaban benar", "Correct answer")),
            *tolerance_editor_fields(),
            editor.points(),
            editor.expected_length(10, MAX_LENGTH),
        ]


def tolerance_of(type_id: str, item: AssessmentItem, identifier: str) -> tuple[str, float]:
    """``(mode, tolerance)`` of the processing's ``equal`` on the response (``type_id``
    names the type refusing an item whose tolerance it cannot represent)."""
    found: list[Expr] = []
    pending: list[Any] = list(item.processing.rules) if item.processing else []
    while pending:
        node = pending.pop()
        if isinstance(node, Expr):
            if node.name == "equal" and any(
                arg.name == "variable" and dict(arg.attrs).get("identifier") == identifier
                for arg in node.args
            ):
                found.append(node)
            pending += node.args
        elif isinstance(node, Condition):
            for branch in node.branches:
                pending.append(branch.condition)
                pending += branch.rules
            pending += node.otherwise or ()
        elif hasattr(node, "expression"):
            pending.append(node.expression)
    modes = set()
    for node in found:
        attrs = dict(node.attrs)
        mode = attrs.get("toleranceMode", "exact")
        if mode == "exact":
            modes.add(("absolute", 0.0))
            continue
        parts = (attrs.get("tolerance") or "").split()
        bounds_in = all(
            attrs.get(name, "true").strip() in ("true", "1")
            for name in ("includeLowerBound", "includeUpperBound")
        )
        first = node.args[0] if node.args else None
        constant_first = first is not None and first.name in ("baseValue", "correct")
        try:
            values = {float(part) for part in parts}
        except ValueError:
            values = set()
        if len(values) != 1 or not bounds_in or not constant_first:
            raise ImportNotSupported(
                type_id,
                "Toleransi jawaban tidak sama di kedua sisi, tidak memuat batasnya, atau "
                "dihitung di sekitar jawaban peserta; isian bilangan di bank memakai satu "
                "toleransi di sekitar jawaban benar, batas termasuk.",
                "The tolerance differs on the two sides, leaves out its bounds, or is taken "
                "around the candidate's response; a numeric answer in the bank has one "
                "tolerance around the correct answer, bounds included.",
            )
        modes.add((mode, values.pop()))
    if len(modes) > 1:
        raise ImportNotSupported(
            type_id,
            "Pemrosesan membandingkan jawaban dengan beberapa toleransi berbeda.",
            "The processing compares the response with several different tolerances.",
        )
    return modes.pop() if modes else ("absolute", 0.0)


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(Numeric())
