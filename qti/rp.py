"""Run the response processing of a QTI item: responses in, outcome values out.

Works on QTI 2.1, 2.2 and 3.0 items alike: elements and attributes are matched by local
name, in either spelling (``responseDeclaration`` / ``qti-response-declaration``,
``baseType`` / ``base-type``). The standard templates (``match_correct``, ``map_response``,
``map_response_point`` and the QTI 3 ``CC2_*`` ones) are recognised under every URI
spelling found in the wild and run from their definitions; inline processing is
interpreted rule by rule.

Response values are given per response identifier: single -> ``str``/``int``/``float``/
``bool``/``None``; multiple/ordered -> a list; pair/directedPair -> a 2-tuple of
identifiers (or ``"A B"``); point -> ``(x, y)``. Outcome values come back the same way.

    >>> run_response_processing(item, {"RESPONSE": "ChoiceA"})
    {'SCORE': 1.0}

Anything this evaluator does not implement raises :class:`UnsupportedRP` naming the
element; processing that breaks the rules raises :class:`InvalidRP`. Both are
:class:`RPError` (a ``ValueError``), so an importer can report them per item.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

from lxml import etree

from qti import ns
from qti._names import children, find_child, local_name, namespace_of, qti_attr
from qti._rp_arithmetic import ARITHMETIC_OPERATORS
from qti._rp_compiled import CompiledProcessing
from qti._rp_errors import InvalidRP, RPError, UnsupportedRP
from qti._rp_logic import LOGIC_OPERATORS
from qti._rp_operands import Operands, Operator
from qti._rp_templates import (
    canonical_template_uri,
    template_name,
    template_rules,
)
from qti._rp_values import (
    NUMERIC,
    Declaration,
    Value,
    coerce_input,
    fit_to,
    initial_value,
    is_null,
    parse_scalar,
    read_declarations,
    resolve_number,
    single,
    to_python,
)
from qti.xml import parse_bytes

__all__ = [
    "InvalidRP",
    "RPError",
    "ScoringCache",
    "UnsupportedRP",
    "canonical_template_uri",
    "compile_processing",
    "correct_responses",
    "evaluate_score",
    "run_response_processing",
    "score_function",
    "template_name",
]

_QTI2_CASE_SENSITIVE = frozenset({ns.QTI21, "http://www.imsglobal.org/xsd/imsqti_v2p0"})
_BUILT_IN_RESPONSES: dict[str, tuple[str, Any]] = {
    "numAttempts": ("integer", 1),
    "duration": ("float", 0.0),
}

_UNSUPPORTED: dict[str, str] = {
    "customOperator": "custom operators are vendor extensions",
    "random": "random values would make scoring non-deterministic",
    "randomInteger": "random values would make scoring non-deterministic",
    "randomFloat": "random values would make scoring non-deterministic",
    "include": "XInclude inside response processing is not resolved",
}
for _name in (
    "numberCorrect",
    "numberIncorrect",
    "numberPresented",
    "numberResponded",
    "numberSelected",
    "testVariables",
    "outcomeMaximum",
    "outcomeMinimum",
):
    _UNSUPPORTED[_name] = "a test-level expression cannot be used in item response processing"
for _name in ("setTemplateValue", "setCorrectResponse", "setDefaultValue", "templateCondition"):
    _UNSUPPORTED[_name] = "a template-processing rule cannot be used in response processing"


_OPERATORS: dict[str, Operator] = {**LOGIC_OPERATORS, **ARITHMETIC_OPERATORS}


class _Exit(Exception):
    """exitResponse: stop response processing here."""


class _Processor:
    def __init__(self, item: etree._Element, template_values: Mapping[str, Any] | None) -> None:
        if local_name(item) != "assessmentItem":
            raise InvalidRP(f"<{etree.QName(item).localname}> is not an assessment item")
        self.item = item
        case_sensitive = namespace_of(item) in _QTI2_CASE_SENSITIVE
        self.declarations = read_declarations(item, case_sensitive)
        self.values: dict[str, Value | None] = {}
        for identifier, declaration in self.declarations.items():
            if declaration.kind in ("outcome", "template", "context"):
                self.values[identifier] = initial_value(declaration)
        template_processing = find_child(item, "templateProcessing")
        if template_processing is not None and template_values is None:
            raise UnsupportedRP(
                etree.QName(template_processing).localname,
                "the item computes values by template processing; pass template_values",
                template_processing.sourceline,
            )
        for identifier, raw in (template_values or {}).items():
            declaration = self._declaration(identifier, "template")
            self.values[identifier] = coerce_input(
                raw, declaration.cardinality, declaration.base_type
            )

    # -- entry ------------------------------------------------------------------------

    def run(self, responses: Mapping[str, Any]) -> dict[str, Any]:
        for identifier, declaration in self.declarations.items():
            if declaration.kind == "response":
                self.values[identifier] = declaration.default
        for name, (base_type, value) in _BUILT_IN_RESPONSES.items():
            self.values.setdefault(name, single(base_type, value))
        for identifier, raw in responses.items():
            declaration = self.declarations.get(identifier)
            if identifier in _BUILT_IN_RESPONSES:
                base_type = _BUILT_IN_RESPONSES[identifier][0]
                self.values[identifier] = coerce_input(raw, "single", base_type)
                continue
            if declaration is None or declaration.kind != "response":
                raise InvalidRP(f"the item declares no response {identifier!r}")
            self.values[identifier] = coerce_input(
                raw, declaration.cardinality, declaration.base_type
            )
        processing = find_child(self.item, "responseProcessing")
        if processing is not None:
            with contextlib.suppress(_Exit):
                self._run_rules(self._rules_of(processing))
        outcomes = {
            identifier: to_python(self.values.get(identifier))
            for identifier, declaration in self.declarations.items()
            if declaration.kind == "outcome"
        }
        if "completionStatus" in self.values and "completionStatus" not in outcomes:
            outcomes["completionStatus"] = to_python(self.values["completionStatus"])
        return outcomes

    def _rules_of(self, processing: etree._Element) -> list[etree._Element]:
        rules = children(processing)
        if rules:
            return rules  # inline rules take precedence over a template
        uri = processing.get("template")
        if uri is None:
            return []
        name = template_name(uri)
        if name is None:
            raise UnsupportedRP(
                etree.QName(processing).localname,
                f"unknown response-processing template {uri!r}",
                processing.sourceline,
            )
        return template_rules(name)

    # -- rules ------------------------------------------------------------------------

    def _run_rules(self, rules: list[etree._Element]) -> None:
        for rule in rules:
            self._rule(rule)

    def _rule(self, rule: etree._Element) -> None:
        name = local_name(rule)
        if name == "responseCondition":
            self._condition_rule(rule)
        elif name == "setOutcomeValue":
            self._set_outcome(rule)
        elif name == "lookupOutcomeValue":
            self._lookup_outcome(rule)
        elif name == "exitResponse":
            raise _Exit
        elif name == "responseProcessingFragment":
            self._run_rules(children(rule))
        else:
            raise self._unsupported(rule)

    def _condition_rule(self, rule: etree._Element) -> None:
        branches = children(rule)
        names = [local_name(branch) for branch in branches]
        valid = (
            bool(names)
            and names[0] == "responseIf"
            and all(n == "responseElseIf" for n in names[1:-1])
            and (len(names) == 1 or names[-1] in ("responseElseIf", "responseElse"))
        )
        if not valid:
            raise InvalidRP(
                "a response condition must be one if, any else-ifs, then at most one else; "
                f"found {', '.join(str(n) for n in names) or 'nothing'}",
                rule.sourceline,
            )
        for branch, branch_name in zip(branches, names, strict=True):
            parts = children(branch)
            if branch_name == "responseElse":
                self._run_rules(parts)
                return
            if not parts:
                raise InvalidRP("a response if/else-if has no condition", branch.sourceline)
            if self._true(parts[0]):
                self._run_rules(parts[1:])
                return

    def _true(self, expression: etree._Element) -> bool:
        value = self._eval(expression)
        if is_null(value):
            return False
        assert value is not None
        if value.cardinality != "single" or value.base_type != "boolean":
            raise InvalidRP("a condition must be a single boolean", expression.sourceline)
        return bool(value.value)

    def _set_outcome(self, rule: etree._Element) -> None:
        identifier = rule.get("identifier", "")
        parts = children(rule)
        if len(parts) != 1:
            raise InvalidRP("setOutcomeValue needs exactly one expression", rule.sourceline)
        value = self._eval(parts[0])
        if identifier == "completionStatus" and identifier not in self.declarations:
            self.values[identifier] = value
            return
        declaration = self._declaration(identifier, "outcome", rule)
        self.values[identifier] = fit_to(value, declaration, rule.sourceline)

    def _lookup_outcome(self, rule: etree._Element) -> None:
        identifier = rule.get("identifier", "")
        declaration = self._declaration(identifier, "outcome", rule)
        table = declaration.lookup_table
        parts = children(rule)
        if table is None or len(parts) != 1:
            raise InvalidRP(
                f"lookupOutcomeValue needs one expression and a table on {identifier!r}",
                rule.sourceline,
            )
        value = self._eval(parts[0])
        result = table.default
        if not is_null(value):
            assert value is not None
            if value.cardinality != "single" or value.base_type not in NUMERIC:
                raise InvalidRP("lookupOutcomeValue needs a single number", rule.sourceline)
            number = float(value.value)
            for source, include, target in table.entries:
                if table.kind == "matchTable" and number == source:
                    result = target
                    break
                if table.kind == "interpolationTable" and (
                    number > source or (include and number == source)
                ):
                    result = target
                    break
        self.values[identifier] = None if result is None else single(declaration.base_type, result)

    # -- expressions ------------------------------------------------------------------

    def _eval(self, element: etree._Element) -> Value | None:
        name = local_name(element) or ""
        handler = _SPECIAL.get(name)
        if handler is not None:
            return handler(self, element)
        operator = _OPERATORS.get(name)
        if operator is None:
            raise self._unsupported(element)
        values = [self._eval(child) for child in children(element)]
        return operator(Operands(element, values, self._resolve_number))

    def _base_value(self, element: etree._Element) -> Value:
        base_type = qti_attr(element, "baseType")
        return single(base_type, parse_scalar(element.text or "", base_type, element.sourceline))

    def _variable(self, element: etree._Element) -> Value | None:
        identifier = element.get("identifier", "")
        if identifier not in self.values and identifier not in self.declarations:
            raise InvalidRP(f"undeclared variable {identifier!r}", element.sourceline)
        return self.values.get(identifier)

    def _correct(self, element: etree._Element) -> Value | None:
        return self._declaration(element.get("identifier", ""), "response", element).correct

    def _default(self, element: etree._Element) -> Value | None:
        return self._declaration(element.get("identifier", ""), None, element).default

    def _map_response(self, element: etree._Element) -> Value:
        declaration = self._declaration(element.get("identifier", ""), "response", element)
        mapping = declaration.mapping
        if mapping is None:
            raise InvalidRP(
                f"mapResponse on {declaration.identifier!r}, which has no mapping",
                element.sourceline,
            )
        return mapping.map_value(self.values.get(declaration.identifier))

    def _map_response_point(self, element: etree._Element) -> Value:
        declaration = self._declaration(element.get("identifier", ""), "response", element)
        area = declaration.area_mapping
        if area is None:
            raise InvalidRP(
                f"mapResponsePoint on {declaration.identifier!r}, which has no areaMapping",
                element.sourceline,
            )
        return area.map_value(self.values.get(declaration.identifier))

    # -- helpers ----------------------------------------------------------------------

    def _declaration(
        self, identifier: str, kind: str | None, element: etree._Element | None = None
    ) -> Declaration:
        declaration = self.declarations.get(identifier)
        line = element.sourceline if element is not None else None
        if declaration is None:
            raise InvalidRP(f"undeclared variable {identifier!r}", line)
        if kind is not None and declaration.kind != kind:
            raise InvalidRP(f"{identifier!r} is a {declaration.kind} variable, not {kind}", line)
        return declaration

    def _resolve_number(self, text: str) -> float | None:
        return resolve_number(self.values, text)

    def _unsupported(self, element: etree._Element) -> UnsupportedRP:
        name = local_name(element) or ""
        return UnsupportedRP(
            etree.QName(element).localname, _UNSUPPORTED.get(name, ""), element.sourceline
        )


#: The expressions :meth:`_Processor._eval` reads from the processor's own state. (The
#: class's functions, not the processor's bound methods: a processor holding its own
#: methods would be a reference cycle, and keep its item's tree until Python's cyclic
#: collector came by.)
_SPECIAL: dict[str, Callable[[_Processor, etree._Element], Value | None]] = {
    "baseValue": _Processor._base_value,
    "variable": _Processor._variable,
    "correct": _Processor._correct,
    "default": _Processor._default,
    "mapResponse": _Processor._map_response,
    "mapResponsePoint": _Processor._map_response_point,
}


def _as_item(item: etree._Element | etree._ElementTree | bytes) -> etree._Element:
    if isinstance(item, bytes | bytearray):
        return parse_bytes(bytes(item))
    if isinstance(item, etree._ElementTree):
        return item.getroot()
    return item


def run_response_processing(
    item: etree._Element | etree._ElementTree | bytes,
    responses: Mapping[str, Any],
    *,
    template_values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Run an item's response processing and return every outcome value.

    :param item: the ``assessmentItem`` / ``qti-assessment-item`` element, or its bytes.
    :param responses: response identifier -> value; missing responses take their
        declared default (usually NULL). ``numAttempts`` and ``duration`` may be given too.
    :param template_values: values of template variables, needed (and only used) for items
        with template processing, which this evaluator does not run.
    :returns: outcome identifier -> value, in declaration order (plus
        ``completionStatus`` when the processing sets it).
    :raises UnsupportedRP: for an element or template this evaluator does not implement.
    :raises InvalidRP: for processing or responses that break the QTI rules.
    :raises qti.xml.QtiParseError: if ``item`` is bytes that are not well-formed.
    """
    return _Processor(_as_item(item), template_values).run(responses)


def evaluate_score(
    item: etree._Element | etree._ElementTree | bytes,
    responses: Mapping[str, Any],
    *,
    template_values: Mapping[str, Any] | None = None,
) -> float:
    """The ``SCORE`` outcome after response processing, as a float (0.0 if NULL/absent)."""
    outcomes = run_response_processing(item, responses, template_values=template_values)
    score = outcomes.get("SCORE")
    return 0.0 if score is None else float(score)


def score_function(
    item: etree._Element | etree._ElementTree | bytes,
    *,
    cache: ScoringCache | None = None,
    variable: str | None = None,
) -> Callable[[Any], float]:
    """A function giving ``SCORE`` (as :func:`evaluate_score`) for many responses to one
    item: the declarations are read and the processing is compiled once
    (:mod:`qti._rp_compiled`), and every call starts from the outcomes' initial values.
    Raises as :func:`run_response_processing` does (template processing when the function
    is made; anything else when it is called).

    :param cache: shared by the items of one import: items whose scoring is the same
        (:class:`ScoringCache`) share one compiled processing and its scores.
    :param variable: the function takes the value of this one response variable (the
        score of ``{variable: value}``) instead of every variable's."""
    if cache is not None:
        return cache.score_function(_as_item(item), variable=variable)
    compiled = compile_processing(item)
    if variable is None:
        return compiled.score
    return lambda value: compiled.score({variable: value})


#: The children of an item that response processing never reads.
_NOT_SCORING = frozenset({"itemBody", "modalFeedback", "stylesheet", "companionMaterialsInfo"})


class ScoringCache:
    """Compiled response processing shared by the items of one import whose scoring is
    the same, with the scores it has given.

    Two items score alike when everything response processing reads is written alike:
    the root's name and every element child other than the body, the feedback,
    stylesheets and companion materials (the declarations, template and response processing, as
    serialized, namespaces included); their identifiers, titles and bodies may differ. Such
    items share one :class:`~qti._rp_compiled.CompiledProcessing`, and a response scored
    once for one of them is not run again for the next (the function is deterministic:
    the same processing gives the same score for the same response). A response whose
    run raises is run again with the item's own processing, so the error names the
    item's own lines; errors are never remembered.

    Bounded: at most ``max_programs`` processings and ``max_scores`` remembered scores
    in all; beyond that items are compiled and responses run as without a cache.
    """

    def __init__(self, *, max_programs: int = 512, max_scores: int = 50_000) -> None:
        self._programs: dict[tuple[Any, ...], tuple[CompiledProcessing, dict[Any, float]]] = {}
        self._max_programs = max_programs
        self._max_scores = max_scores
        self._scores = 0
        #: The shared processing (and the one variable, if any) of each function given.
        self._processing_of: weakref.WeakKeyDictionary[Callable[[Any], float], Any] = (
            weakref.WeakKeyDictionary()
        )
        #: Scores by position: (processing, variable, values) -> the first values' scores.
        self._along: dict[tuple[int, str | None, int], tuple[Any, Sequence[Any], list[float]]] = {}
        #: How many items were given a shared processing, and responses a known score.
        self.shared_items = 0
        self.known_scores = 0

    def score_function(
        self, root: etree._Element, *, variable: str | None = None
    ) -> Callable[[Any], float]:
        """:func:`score_function` of ``root`` through the cache (``variable``: the same)."""
        key = (
            root.tag,
            *(
                etree.tostring(child, with_tail=False)
                for child in root
                if isinstance(child.tag, str) and local_name(child) not in _NOT_SCORING
            ),
        )
        entry = self._programs.get(key)
        if entry is None:
            compiled = compile_processing(root)  # raises as score_function does
            if len(self._programs) >= self._max_programs:
                if variable is None:
                    return compiled.score
                return lambda value: compiled.score({variable: value})
            entry = self._programs[key] = (compiled, {})
            own: CompiledProcessing | None = compiled
        else:
            self.shared_items += 1
            own = None
        shared, scores = entry

        def run(frozen: Any, responses: Mapping[str, Any]) -> float:
            """A response not known yet: run, and remembered when it can be."""
            nonlocal own
            try:
                value = shared.score(responses)
            except Exception:
                if own is None:
                    own = compile_processing(root)
                return own.score(responses)  # the same error, with this item's lines
            if frozen is not None and self._scores < self._max_scores:
                scores[frozen] = value
                self._scores += 1
            return value

        if variable is not None:
            # One variable's value: the key of ``{variable: value}`` (as _frozen gives it)
            # built without the dict, which is made only to run the processing.
            def score_value(value: Any) -> float:
                part = _frozen(value)
                frozen = None if part is None else (dict, variable, part)
                known = None if frozen is None else scores.get(frozen)
                if known is None:
                    return run(frozen, {variable: value})
                self.known_scores += 1
                return known

            self._processing_of[score_value] = (entry, variable)
            return score_value

        def score(responses: Mapping[str, Any]) -> float:
            frozen = _frozen(responses)
            known = None if frozen is None else scores.get(frozen)
            if known is None:
                return run(frozen, responses)
            self.known_scores += 1
            return known

        self._processing_of[score] = (entry, None)
        return score

    def key_of(self, score: Callable[[Any], float]) -> Hashable | None:
        """Which scoring ``score`` (a function :meth:`score_function` gave) is: equal
        keys for functions that give the same score for every response (the same shared
        processing and the same one variable, if any) while this cache lives, ``None``
        for any other function. (The processing is held by the cache: its id stays its.)"""
        shared = self._processing_of.get(score)
        if shared is None:
            return None
        entry, variable = shared
        return (id(entry), variable)

    def along(self, score: Callable[[Any], float], values: Sequence[Any]) -> Callable[[Any], float]:
        """``score`` (a function :meth:`score_function` gave) for the values of ``values``
        taken in their order, each value's score remembered by its position for that
        processing (and variable) and that very sequence: an import gives the items of
        one shape the same sequence of responses
        (:class:`itembank.qti_bridge.responses.ResponsesCache`), so the next item
        sharing the processing scores them without running or keying them. A value that
        is not the next one of ``values`` (that very object) is given to ``score``, as is
        every value after it; errors are never remembered (a failed value is run again
        next time). Any other function is returned as it is."""
        shared = self._processing_of.get(score)
        if shared is None:
            return score
        entry, variable = shared
        key = (id(entry), variable, id(values))
        slot = self._along.get(key)
        if slot is None:
            # (the entry and the values are held, so their ids stay theirs)
            slot = self._along[key] = (entry, values, [])
        known = slot[2]
        count = len(values)
        position = 0

        def scored(value: Any) -> float:
            nonlocal position
            index = position
            if index < 0 or index >= count or values[index] is not value:
                position = -1  # not taken in order: everything through ``score``
                return score(value)
            position = index + 1
            if index < len(known):
                self.known_scores += 1
                return known[index]
            result = score(value)
            if index == len(known) and self._scores < self._max_scores:
                known.append(result)
                self._scores += 1
            return result

        return scored


#: (a set: one look-up, not five comparisons)
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _frozen(value: Any) -> Any:
    """A hashable copy of a response that tells apart what coercion tells apart (the
    types of scalars, lists from tuples), or ``None`` for a value it does not know."""
    kind = type(value)
    if kind is dict and len(value) == 1:  # one response variable: the common case
        ((name, part),) = value.items()
        if type(name) is not str:
            return None
        frozen = _frozen(part)
        return None if frozen is None else (dict, name, frozen)
    if kind in _SCALAR_TYPES:
        return (kind, value)
    if kind is list or kind is tuple:
        if not value:
            return (kind, str)
        # Scalars of one type (choices: their identifiers; a point: two numbers).
        first = type(value[0])
        if first in _SCALAR_TYPES:
            if len(set(map(type, value))) == 1:
                return (kind, first, *value)
        elif first is tuple or first is list:
            return _frozen_pairs(kind, value)
        parts = [_frozen(part) for part in value]
        if None in parts:
            return None
        return (kind, *parts)
    if kind is dict:
        items = []
        for name, part in value.items():
            frozen = _frozen(part)
            if type(name) is not str or frozen is None:
                return None
            items.append((name, frozen))
        return (dict, tuple, *items)
    return None


def _frozen_pairs(kind: type, value: Any) -> Any:
    """:func:`_frozen` of a list of pairs (points, directed pairs): each pair of two
    scalars of one type frozen in place, as :func:`_frozen` freezes it, anything else
    through :func:`_frozen`."""
    parts = []
    for part in value:
        pair = type(part)
        if (pair is tuple or pair is list) and len(part) == 2:
            a, b = part
            scalar = type(a)
            if scalar in _SCALAR_TYPES and type(b) is scalar:
                parts.append((pair, scalar, a, b))
                continue
        frozen = _frozen(part)
        if frozen is None:
            return None
        parts.append(frozen)
    return (kind, *parts)


def compile_processing(
    item: etree._Element | etree._ElementTree | bytes,
    *,
    template_values: Mapping[str, Any] | None = None,
) -> CompiledProcessing:
    """The item's response processing compiled once (:mod:`qti._rp_compiled`): its
    ``run(responses)`` returns what :func:`run_response_processing` returns and its
    ``score(responses)`` what :func:`evaluate_score` returns, raising as they do."""
    return CompiledProcessing(
        _Processor(_as_item(item), template_values), _OPERATORS, _BUILT_IN_RESPONSES
    )


def correct_responses(item: etree._Element | etree._ElementTree | bytes) -> dict[str, Any]:
    """The declared correct response of every response variable that has one."""
    root = _as_item(item)
    case_sensitive = namespace_of(root) in _QTI2_CASE_SENSITIVE
    return {
        identifier: to_python(declaration.correct)
        for identifier, declaration in read_declarations(root, case_sensitive).items()
        if declaration.kind == "response" and declaration.correct is not None
    }
