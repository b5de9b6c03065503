"""QTI building blocks the built-in item types share.

Each type's ``to_qti`` assembles a :class:`qti.model.AssessmentItem` from these: the
``SCORE`` / ``MAXSCORE`` outcomes, choices from content entries, and response-processing
rules whose arithmetic is the arithmetic of the type's ``score`` (same operations, same
order, same Python number types), so the exported score is equal to the bank's, not
merely close to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from qti.model import (
    AssessmentItem,
    BodyPart,
    Branch,
    Choice,
    Condition,
    Expr,
    Html,
    MapEntry,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    Rule,
    SetOutcome,
    identifier_problem,
    number,
    op,
    value_text,
    variable,
)
from qti.model import Mapping as ResponseMapping

InteractionT = TypeVar("InteractionT")

RESPONSE = "RESPONSE"
SCORE = "SCORE"
MAXSCORE = "MAXSCORE"

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", '"': "&#34;"})


def escape_text(text: str) -> str:
    """Plain text as XHTML text, escaped as ``markupsafe.escape`` escapes it (the same
    characters, the same entities), without importing the web side's libraries."""
    return text.translate(_ESCAPES)


def qti_identifier(value: str | None) -> str | None:
    """An identifier response as QTI can carry it: ``None`` and ``""`` (blank) pass, and
    so does any valid QTI identifier, known to the item or not.

    :raises ValueError: for text no delivery system can send as an identifier (such as
        ``"A "``), which therefore has no QTI form.
    """
    if value:
        problem = identifier_problem(value)
        if problem:
            raise ValueError(f"{value!r} is not a QTI identifier: it {problem}")
    return value


def qti_identifiers(values: list[str] | None) -> list[str] | None:
    """:func:`qti_identifier` for each value of a list response."""
    if values is not None:
        for value in values:
            qti_identifier(value)
    return values


def score_outcomes(maximum: float, *, human: bool = False) -> tuple[OutcomeDeclaration, ...]:
    """``SCORE`` (0 by default; set by a rater when ``human``) and ``MAXSCORE``."""
    return (
        OutcomeDeclaration(
            SCORE, normal_maximum=maximum, external_scored="human" if human else None
        ),
        OutcomeDeclaration(MAXSCORE, default=value_text(maximum)),
    )


def choices(
    entries: Iterable[Mapping[str, str]], *, text_key: str = "text", match_max: int = 1
) -> tuple[Choice, ...]:
    """QTI choices from content entries (``{"id": ..., "text": XHTML}``)."""
    return tuple(Choice(entry["id"], entry[text_key], match_max=match_max) for entry in entries)


def build_item(
    *,
    identifier: str,
    title: str,
    lang: str,
    stem: str,
    body: Iterable[BodyPart],
    response: ResponseDeclaration,
    maximum: float,
    processing: ResponseProcessing | None,
    outcomes: Iterable[OutcomeDeclaration] = (),
    human: bool = False,
) -> AssessmentItem:
    """An item with the stem first, then ``body``; one response, ``SCORE``, ``MAXSCORE``
    and any further ``outcomes``."""
    return AssessmentItem(
        identifier=identifier,
        title=title,
        lang=lang,
        responses=(response,),
        outcomes=(*score_outcomes(maximum, human=human), *outcomes),
        body=(Html(stem), *body),
        processing=processing,
    )


def set_score(expression: Expr) -> SetOutcome:
    return SetOutcome(SCORE, expression)


def all_or_nothing(condition: Expr, points: float) -> ResponseProcessing:
    """``SCORE = points`` when ``condition`` holds, else 0."""
    return ResponseProcessing(
        rules=(
            Condition(
                (Branch(condition, (set_score(number(points)),)),),
                otherwise=(set_score(number(0)),),
            ),
        )
    )


def partial_credit_rules(earned: Expr, out_of: int, points: float) -> tuple[Rule, ...]:
    """``plugins.itemtypes._common.partial_credit`` as rules: 0 when ``earned <= 0``,
    ``points`` when ``earned >= out_of``, else ``points * earned / out_of``."""
    return (
        Condition(
            (
                Branch(op("lte", earned, number(0)), (set_score(number(0)),)),
                Branch(op("gte", earned, number(out_of)), (set_score(number(points)),)),
            ),
            otherwise=(
                set_score(op("divide", op("product", number(points), earned), number(out_of))),
            ),
        ),
    )


def match_correct_or_points(points: float) -> ResponseProcessing:
    """``match_correct`` when the item is worth 1 point (the template sets 1), else the
    same test inline with ``points``."""
    if points == 1:
        return ResponseProcessing(template="match_correct")
    return all_or_nothing(
        op("match", variable(RESPONSE), Expr("correct", attrs=(("identifier", RESPONSE),))),
        points,
    )


# -- import ------------------------------------------------------------------------------


def the_interaction(
    item: AssessmentItem, kind: type[InteractionT]
) -> tuple[InteractionT, ResponseDeclaration] | None:
    """The item's only interaction, when it is a ``kind``, with its response declaration;
    ``None`` for any other item."""
    interactions = list(item.interactions())
    if len(interactions) != 1 or not isinstance(interactions[0], kind):
        return None
    interaction = interactions[0]
    for response in item.responses:
        if response.identifier == interaction.response_identifier:
            return interaction, response
    return None


def plain_number(value: float) -> int | float:
    """A score as content stores it: whole numbers as ``int``."""
    return int(value) if float(value).is_integer() else float(value)


def option_entries(entries: Iterable[Choice]) -> list[dict[str, str]]:
    """Content entries (``{"id", "text"}``) from QTI choices; the text stays XHTML."""
    return [{"id": choice.identifier, "text": choice.content} for choice in entries]


def declared_maximum(item: AssessmentItem) -> float | None:
    """The item's maximum as declared: ``MAXSCORE``'s default, else ``SCORE``'s
    ``normalMaximum``; ``None`` when neither is a positive number."""
    for outcome in item.outcomes:
        if outcome.identifier == MAXSCORE and outcome.default is not None:
            try:
                value = float(outcome.default)
            except ValueError:
                continue
            if value > 0:
                return value
    for outcome in item.outcomes:
        if outcome.identifier == SCORE and outcome.normal_maximum and outcome.normal_maximum > 0:
            return outcome.normal_maximum
    return None


def mapped_lookup(mapping: ResponseMapping, value: str | tuple[str, str]) -> float | None:
    """The value ``mapping`` gives one identifier (or one pair) as ``mapResponse`` looks
    it up: its first entry whose key is that value (an identifier compared ignoring case
    when the entry says so; a pair as its two identifiers); ``None`` when no entry has
    it (it scores the mapping's default)."""
    for entry in mapping.entries:
        if isinstance(value, tuple):
            if tuple(entry.key.split()) == value:
                return entry.value
            continue
        key = entry.key.strip()
        if key == value or (not entry.case_sensitive and key.lower() == value.lower()):
            return entry.value
    return None


def pair_lookup(mapping: ResponseMapping, pair: tuple[str, str], *, directed: bool) -> float | None:
    """:func:`mapped_lookup` of a pair; an undirected pair (QTI ``pair``) matches an
    entry whose key names its two identifiers in either order."""
    for entry in mapping.entries:
        key = tuple(entry.key.split())
        if key == pair or (not directed and key == (pair[1], pair[0])):
            return entry.value
    return None


def mapped_pairs_processing(
    content: Mapping[str, object],
    entries: Iterable[tuple[str, str, float]],
    upper: float | None = None,
) -> tuple[ResponseMapping, ResponseProcessing]:
    """Mapped scoring of pairs as QTI: a mapping with an entry per ``(first, second,
    value)``, the content's default and lower bound, the points (or ``upper``) as the
    upper bound, and the standard ``map_response`` template (blank: 0), which sums each
    distinct pair once in the response's order, as
    :func:`plugins.itemtypes._mapped.mapped_sum` does."""
    bounds: Mapping[str, float | None] = content.get("mapping") or {  # type: ignore[assignment]
        "default": 0,
        "lower": 0,
    }
    mapping = ResponseMapping(
        tuple(MapEntry(value_text((first, second)), value) for first, second, value in entries),
        default=bounds["default"] or 0,
        lower=bounds["lower"],
        upper=content["points"] if upper is None else upper,  # type: ignore[arg-type]
    )
    return mapping, ResponseProcessing(template="map_response")


def matched_sets(item: AssessmentItem, identifier: str) -> list[list[str]]:
    """The constant selections the response processing compares the response with:
    for each ``match`` of ``variable(identifier)`` and a ``multiple`` of identifier
    ``baseValue`` s (either side), its identifiers, in the rules' order, each set once."""
    found: list[list[str]] = []
    pending: list[object] = list(item.processing.rules) if item.processing else []
    while pending:
        node = pending.pop(0)
        if isinstance(node, Expr):
            if node.name == "match" and len(node.args) == 2:
                first, second = node.args
                for var, constant in ((first, second), (second, first)):
                    named = var.name == "variable" and dict(var.attrs).get("identifier")
                    if (
                        named == identifier
                        and constant.name == "multiple"
                        and constant.args
                        and all(arg.name == "baseValue" and arg.text for arg in constant.args)
                    ):
                        values = [str(arg.text).strip() for arg in constant.args]
                        if sorted(values) not in [sorted(f) for f in found]:
                            found.append(values)
            pending += node.args
        elif isinstance(node, Condition):
            for branch in node.branches:
                pending.append(branch.condition)
                pending += branch.rules
            pending += node.otherwise or ()
        elif isinstance(node, SetOutcome):
            pending.append(node.expression)
    return found
