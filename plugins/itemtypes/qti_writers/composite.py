"""A composite item as QTI: the parts' own items joined into one, each part's response
under the part's id, its score in an outcome of its own, and ``SCORE`` their sum."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from plugins.itemtypes._qti import MAXSCORE, SCORE, score_outcomes
from qti.model import (
    AssessmentItem,
    BodyPart,
    Branch,
    Condition,
    Expr,
    Html,
    OutcomeDeclaration,
    PositionObjectStage,
    ResponseDeclaration,
    ResponseProcessing,
    RubricBlock,
    Rule,
    SetOutcome,
    correct,
    map_response,
    number,
    op,
    part_prompt_block,
    variable,
)

#: Writes one part: ``(type id, prompt XHTML, content) -> AssessmentItem`` with the
#: response ``RESPONSE`` and the outcomes ``SCORE`` and ``MAXSCORE``, as every type's
#: ``to_qti`` does.
PartWriter = Callable[[str, str, dict[str, Any]], AssessmentItem]


def outcome_suffix(number_: int) -> str:
    """What the outcomes of part ``number_`` (from 1) are suffixed with: ``_PART1``."""
    return f"_PART{number_}"


def to_qti(
    stem: str,
    content: dict[str, Any],
    *,
    identifier: str,
    title: str,
    lang: str = "id",
    write_part: PartWriter | None = None,
) -> AssessmentItem:
    """The stem, then each part's interaction with its prompt (the interaction's own
    prompt where it has one, else a block before it). Part ``n`` answers in the
    response named by its ``id``; its processing (a template is written out as the rules
    it stands for) sets ``SCORE_PARTn``, its other outcomes are suffixed the same way;
    ``SCORE`` is the ``sum`` of the parts' scores in part order, which is how the bank
    adds them, and ``MAXSCORE`` the sum of their maxima.

    :param write_part: writes one part; by default the built-in writers
        (:data:`plugins.itemtypes.qti_writers.WRITERS`).
    :raises ValueError: when a part's item is not one response scored into ``SCORE``.
    """
    if write_part is None:
        from plugins.itemtypes.qti_writers import WRITERS

        def write_part(type_id: str, prompt: str, part: dict[str, Any]) -> AssessmentItem:
            return WRITERS[type_id](prompt, part, identifier=identifier, title=title, lang=lang)

    responses: list[ResponseDeclaration] = []
    outcomes: list[OutcomeDeclaration] = []
    body: list[BodyPart] = [Html(stem)]
    rules: list[Rule] = []
    scores: list[Expr] = []
    maximum = 0.0
    for number_, part in enumerate(content["parts"], start=1):
        sub = write_part(part["type"], part["prompt"], part["content"])
        if len(sub.responses) != 1 or sub.processing is None:
            raise ValueError(f"part {number_} is not one response scored automatically")
        declaration = sub.responses[0]
        suffix = outcome_suffix(number_)
        renames = {declaration.identifier: part["id"]}
        for outcome in sub.outcomes:
            if outcome.identifier == MAXSCORE:
                maximum += float(outcome.default or 0)
                continue
            renames[outcome.identifier] = f"{outcome.identifier}{suffix}"
            outcomes.append(replace(outcome, identifier=renames[outcome.identifier]))
        if SCORE not in renames:
            raise ValueError(f"part {number_} declares no SCORE")
        responses.append(replace(declaration, identifier=part["id"]))
        body.extend(_part_body(sub.body, part["id"], part["prompt"]))
        part_rules = _expanded(sub.processing, declaration.identifier)
        rules.extend(_renamed(rule, renames) for rule in part_rules)
        scores.append(variable(renames[SCORE]))
    rules.append(SetOutcome(SCORE, op("sum", *scores)))
    return AssessmentItem(
        identifier=identifier,
        title=title,
        lang=lang,
        responses=tuple(responses),
        outcomes=(*score_outcomes(maximum), *outcomes),
        body=tuple(body),
        processing=ResponseProcessing(rules=tuple(rules)),
    )


def _part_body(pieces: tuple[BodyPart, ...], response: str, prompt: str) -> list[BodyPart]:
    """A part's body: its interaction answering in ``response``, with the prompt as the
    interaction's own prompt where it has one, else as a block before it marked as a
    part's prompt (:func:`qti.model.part_prompt_block`); an import gives either
    back to the part."""
    result: list[BodyPart] = []
    for piece in pieces:
        if isinstance(piece, Html):
            continue  # the prompt, which the part's writer put first
        if isinstance(piece, RubricBlock):
            result.append(piece)
            continue
        if isinstance(piece, PositionObjectStage):  # (a stage has no prompt)
            if prompt.strip():
                result.append(part_prompt_block(prompt))
            moved = tuple(replace(i, response_identifier=response) for i in piece.interactions)
            result.append(replace(piece, interactions=moved))
            continue
        fields = getattr(piece, "__dataclass_fields__", {})
        if "prompt" in fields and prompt.strip():
            result.append(replace(piece, response_identifier=response, prompt=prompt))
            continue
        if prompt.strip():
            result.append(part_prompt_block(prompt))
        result.append(replace(piece, response_identifier=response))
    return result


def _expanded(processing: ResponseProcessing, response: str) -> tuple[Rule, ...]:
    """A part's processing as rules: a standard template as the rules it stands for
    (QTI's ``match_correct`` and ``map_response``), inline rules as they are."""
    if processing.template is None:
        return processing.rules
    if processing.template == "match_correct":
        condition = op("match", variable(response), correct(response))
        then, otherwise = number(1.0), number(0.0)
    else:
        mapper = (
            map_response(response)
            if processing.template == "map_response"
            else Expr("mapResponsePoint", attrs=(("identifier", response),))
        )
        condition = op("isNull", variable(response))
        then, otherwise = number(0.0), mapper
    return (
        Condition(
            (Branch(condition, (SetOutcome(SCORE, then),)),),
            otherwise=(SetOutcome(SCORE, otherwise),),
        ),
    )


def _renamed(rule: Rule, renames: Mapping[str, str]) -> Rule:
    if isinstance(rule, SetOutcome):
        return SetOutcome(
            renames.get(rule.identifier, rule.identifier), _expression(rule.expression, renames)
        )
    if isinstance(rule, Condition):
        return Condition(
            tuple(
                Branch(
                    _expression(branch.condition, renames),
                    tuple(_renamed(inner, renames) for inner in branch.rules),
                )
                for branch in rule.branches
            ),
            otherwise=None
            if rule.otherwise is None
            else tuple(_renamed(inner, renames) for inner in rule.otherwise),
        )
    # Stopping the processing would stop the other parts' too.
    raise ValueError(f"a part's processing uses {type(rule).__name__}, which a composite cannot")


def _expression(expression: Expr, renames: Mapping[str, str]) -> Expr:
    attrs = tuple(
        (name, renames.get(value, value) if name == "identifier" else value)
        for name, value in expression.attrs
    )
    return replace(
        expression,
        attrs=attrs,
        args=tuple(_expression(arg, renames) for arg in expression.args),
    )


__all__ = ["PartWriter", "outcome_suffix", "to_qti"]
