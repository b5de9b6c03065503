"""A third-party plugin, living only in the tests: proves that an outside package can
add an item type and a taxonomy through the public hooks, without touching the core.

It adds ``numeric_entry`` (a number within a tolerance) and a small technical
competency taxonomy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

import marshmallow as ma
from markupsafe import escape

from itembank import hookimpl
from itembank.itemtypes import ContentSummary, ItemType, Problem
from itembank.taxonomy import Level, Node, Taxonomy
from qti.model import (
    AssessmentItem,
    Branch,
    Condition,
    Expr,
    Html,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    SetOutcome,
    TextEntryInteraction,
    number,
    op,
    variable,
)


class NumericContent(ma.Schema):
    answer = ma.fields.Float(required=True, allow_nan=False)
    tolerance = ma.fields.Float(load_default=0.0, validate=ma.validate.Range(min=0))
    points = ma.fields.Float(load_default=1.0)
    unit = ma.fields.String(load_default="")


class NumericEntry(ItemType):
    """Scores ``points`` when ``abs(response - answer) <= tolerance``."""

    id = "numeric_entry"
    label = {"id": "Isian angka", "en": "Numeric entry"}
    content_schema = NumericContent

    def check(self, content: dict[str, Any]) -> Iterator[Problem]:
        if content["points"] <= 0:
            yield Problem("points", "Skor harus lebih dari 0.", "Points must be above 0.")

    def score(self, content: dict[str, Any], response: Any) -> float:
        if response is None:
            return 0.0
        if isinstance(response, bool) or not isinstance(response, int | float):
            raise ValueError("a numeric entry response is a number")
        if math.isfinite(response) and abs(response - content["answer"]) <= content["tolerance"]:
            return float(content["points"])
        return 0.0

    def qti_response(self, content: dict[str, Any], response: Any) -> dict[str, Any]:
        if response is not None and (
            isinstance(response, bool) or not isinstance(response, int | float)
        ):
            raise ValueError("a numeric entry response is a number")
        return {"RESPONSE": response}

    def to_qti(
        self, stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
    ) -> AssessmentItem:
        """A text entry with a float response. ``abs(d) <= tolerance`` is written as
        ``-tolerance <= d <= tolerance`` with ``d = RESPONSE - answer`` (QTI 2.1 has no
        ``abs``); the two agree for every float, infinities and NaN included."""
        points = float(content["points"])
        difference = op("subtract", variable("RESPONSE"), number(float(content["answer"])))
        tolerance = float(content["tolerance"])
        within = op(
            "and",
            op("lte", difference, number(tolerance)),
            op("gte", difference, number(-tolerance)),
        )
        rule = Condition((Branch(within, (SetOutcome("SCORE", number(points)),)),))
        return AssessmentItem(
            identifier=identifier,
            title=title,
            lang=lang,
            responses=(ResponseDeclaration("RESPONSE", "single", "float"),),
            outcomes=(
                OutcomeDeclaration("SCORE", normal_maximum=points),
                OutcomeDeclaration("MAXSCORE", default=repr(points)),
            ),
            body=(Html(stem), TextEntryInteraction("RESPONSE", 12)),
            processing=ResponseProcessing(rules=(rule,)),
        )

    def from_qti(self, item: AssessmentItem, score: Any) -> dict[str, Any] | None:
        """A text entry with a single float or integer response: the answer and tolerance
        as :meth:`to_qti` writes them (``RESPONSE - answer`` compared with the tolerance),
        else the declared correct value with no tolerance. The unit is not in QTI."""
        interactions = list(item.interactions())
        if len(interactions) != 1 or not isinstance(interactions[0], TextEntryInteraction):
            return None
        response = next(
            (r for r in item.responses if r.identifier == interactions[0].response_identifier),
            None,
        )
        if response is None or response.cardinality != "single":
            return None
        if response.base_type not in ("float", "integer"):
            return None
        found = _answer_and_tolerance(item)
        if found is None:
            if not response.correct:
                return None
            found = (float(response.correct[0]), 0.0)
        answer, tolerance = found
        points = score(answer)
        if points <= 0:
            return None
        return {"answer": answer, "tolerance": tolerance, "points": points, "unit": ""}

    def max_score(self, content: dict[str, Any]) -> float:
        return float(content["points"])

    def summary(self, content: dict[str, Any]) -> ContentSummary:
        return ContentSummary(
            keys=[repr(content["answer"])], extra={"tolerance": content["tolerance"]}
        )

    def preview_html(self, stem: str, content: dict[str, Any], lang: str = "id") -> str:
        label = "Jawaban" if lang == "id" else "Answer"
        return (
            f'<div class="stem">{stem}</div><label>{label} '
            f'<input type="number" name="response"> {escape(content["unit"])}</label>'
        )

    def example_content(self) -> dict[str, Any]:
        return {"answer": 583200, "tolerance": 0, "points": 5, "unit": "Rp"}


def _answer_and_tolerance(item: AssessmentItem) -> tuple[float, float] | None:
    """``(answer, tolerance)`` from processing shaped like :meth:`NumericEntry.to_qti`'s."""
    if item.processing is None:
        return None
    answer = tolerance = None
    pending: list[Expr] = []
    for rule in item.processing.rules:
        if isinstance(rule, Condition):
            pending += [branch.condition for branch in rule.branches]
    while pending:
        expr = pending.pop()
        second = expr.args[1] if len(expr.args) == 2 else None
        if second is not None and second.name == "baseValue" and second.text is not None:
            if expr.name == "subtract" and answer is None:
                answer = float(second.text)
            elif expr.name == "lte" and tolerance is None:
                tolerance = float(second.text)
        pending += expr.args
    if answer is None or tolerance is None:
        return None
    return answer, tolerance


TECHNICAL = Taxonomy(
    code="acme-tech",
    name={"id": "Kompetensi Teknis Pengadaan", "en": "Procurement technical competencies"},
    source="ACME test plugin",
    nodes=[
        Node(
            code="PBJ",
            name={"id": "Pengadaan Barang/Jasa", "en": "Procurement"},
            children=[
                Node(
                    code="PBJ.1",
                    name={"id": "Perencanaan pengadaan", "en": "Procurement planning"},
                    levels=[Level(n, description={"id": f"Tingkat {n}"}) for n in (1, 2, 3)],
                )
            ],
        )
    ],
)


@hookimpl
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    register(NumericEntry())


@hookimpl
def itembank_register_taxonomies(register: Callable[[Taxonomy], None]) -> None:
    register(TECHNICAL)
