"""Response processing compiled once into Python closures, for scoring many responses.

:func:`qti.rp.run_response_processing` interprets the processing element by element on
every call: it finds the rules, reads element names, children and attributes, parses each
``baseValue`` and, for a template, builds the template's rules again. An import's scoring
proof calls it thousands of times per item, so :func:`compile_scorer` does all of that
once per item and returns a function that only computes.

The closures are the interpreter's methods with the tree already walked: the same
operators (:mod:`qti._rp_logic`, :mod:`qti._rp_arithmetic`) receive the same
:class:`~qti._rp_operands.Operands`, values are coerced, fitted and mapped by the same
functions of :mod:`qti._rp_values`, and every error the interpreter raises is raised by
the compiled function at the same point of the run with the same message (a problem
found while compiling becomes a closure that raises it when the run reaches it, as the
interpreter would, and never earlier). ``tests/test_qti_rp_compiled.py`` compares the
two on every response of the import proofs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lxml import etree

from qti._names import children, find_child, local_name, qti_attr
from qti._rp_errors import InvalidRP, RPError, UnsupportedRP
from qti._rp_operands import Operands, Operator
from qti._rp_templates import template_name, template_rules
from qti._rp_values import (
    NUMERIC,
    Declaration,
    Value,
    coerce_input,
    fit_to,
    is_null,
    parse_scalar,
    resolve_number,
    single,
    to_python,
)

if TYPE_CHECKING:
    from qti.rp import _Processor

Values = dict[str, Value | None]
Rule = Callable[["_State"], None]
Expression = Callable[["_State"], Value | None]
_MISSING = object()


class _Exit(Exception):
    """exitResponse: stop response processing here."""


class _State:
    """The variables of one run, and the number lookup operators use for attributes
    that may name a variable (``{N}``)."""

    __slots__ = ("values",)

    def __init__(self, values: Values) -> None:
        self.values = values

    def resolve_number(self, text: str) -> float | None:
        return resolve_number(self.values, text)


def _raiser(error: RPError) -> Callable[[_State], Any]:
    def run(state: _State) -> Any:
        raise error

    return run


class _Compiler:
    def __init__(self, processor: _Processor, operators: Mapping[str, Operator]) -> None:
        self.processor = processor
        self.declarations = processor.declarations
        self.operators = operators

    # -- rules ------------------------------------------------------------------------

    def processing(self, item: etree._Element) -> list[Rule]:
        processing = find_child(item, "responseProcessing")
        if processing is None:
            return []
        rules = children(processing)
        if not rules:
            uri = processing.get("template")
            if uri is None:
                return []
            name = template_name(uri)
            if name is None:
                # The interpreter refuses an unknown template each time it runs.
                return [
                    _raiser(
                        UnsupportedRP(
                            etree.QName(processing).localname,
                            f"unknown response-processing template {uri!r}",
                            processing.sourceline,
                        )
                    )
                ]
            rules = template_rules(name)
        return [self.rule(rule) for rule in rules]

    def rule(self, rule: etree._Element) -> Rule:
        name = local_name(rule)
        if name == "responseCondition":
            return self.condition(rule)
        if name == "setOutcomeValue":
            return self.set_outcome(rule)
        if name == "lookupOutcomeValue":
            return self.lookup_outcome(rule)
        if name == "exitResponse":

            def leave(state: _State) -> None:
                raise _Exit

            return leave
        if name == "responseProcessingFragment":
            return _sequence([self.rule(child) for child in children(rule)])
        return _raiser(self.processor._unsupported(rule))

    def condition(self, rule: etree._Element) -> Rule:
        branches = children(rule)
        names = [local_name(branch) for branch in branches]
        valid = (
            bool(names)
            and names[0] == "responseIf"
            and all(n == "responseElseIf" for n in names[1:-1])
            and (len(names) == 1 or names[-1] in ("responseElseIf", "responseElse"))
        )
        if not valid:
            return _raiser(
                InvalidRP(
                    "a response condition must be one if, any else-ifs, then at most one else; "
                    f"found {', '.join(str(n) for n in names) or 'nothing'}",
                    rule.sourceline,
                )
            )
        compiled: list[tuple[Callable[[_State], bool] | None, Rule]] = []
        for branch, branch_name in zip(branches, names, strict=True):
            parts = children(branch)
            if branch_name == "responseElse":
                compiled.append((None, _sequence([self.rule(p) for p in parts])))
                break
            if not parts:
                compiled.append(
                    (
                        _raiser(
                            InvalidRP("a response if/else-if has no condition", branch.sourceline)
                        ),
                        _sequence([]),
                    )
                )
                continue
            compiled.append((self.truth(parts[0]), _sequence([self.rule(p) for p in parts[1:]])))
        branches_run = tuple(compiled)

        def run(state: _State) -> None:
            for test, then in branches_run:
                if test is None or test(state):
                    then(state)
                    return

        return run

    def truth(self, expression: etree._Element) -> Callable[[_State], bool]:
        evaluate = self.expression(expression)
        line = expression.sourceline

        def true(state: _State) -> bool:
            value = evaluate(state)
            if is_null(value):
                return False
            assert value is not None
            if value.cardinality != "single" or value.base_type != "boolean":
                raise InvalidRP("a condition must be a single boolean", line)
            return bool(value.value)

        return true

    def set_outcome(self, rule: etree._Element) -> Rule:
        identifier = rule.get("identifier", "")
        parts = children(rule)
        line = rule.sourceline
        if len(parts) != 1:
            return _raiser(InvalidRP("setOutcomeValue needs exactly one expression", line))
        evaluate = self.expression(parts[0])
        if identifier == "completionStatus" and identifier not in self.declarations:

            def set_status(state: _State) -> None:
                state.values[identifier] = evaluate(state)

            return set_status
        declaration, problem = self.declaration(identifier, "outcome", rule)
        to_float = (
            declaration is not None
            and declaration.cardinality == "single"
            and declaration.base_type == "float"
        )

        def assign(state: _State) -> None:
            value = evaluate(state)
            if problem is not None:
                raise problem
            if (
                to_float
                and value is not None
                and value.cardinality == "single"
                and value.base_type in ("float", "integer")
            ):
                # what fit_to gives for a number assigned to a single float outcome
                state.values[identifier] = Value("single", "float", float(value.value))
                return
            state.values[identifier] = fit_to(value, declaration, line)  # type: ignore[arg-type]

        return assign

    def lookup_outcome(self, rule: etree._Element) -> Rule:
        identifier = rule.get("identifier", "")
        declaration, problem = self.declaration(identifier, "outcome", rule)
        if problem is not None:
            return _raiser(problem)
        assert declaration is not None
        table = declaration.lookup_table
        parts = children(rule)
        line = rule.sourceline
        if table is None or len(parts) != 1:
            return _raiser(
                InvalidRP(
                    f"lookupOutcomeValue needs one expression and a table on {identifier!r}", line
                )
            )
        evaluate = self.expression(parts[0])
        base_type = declaration.base_type

        def look_up(state: _State) -> None:
            value = evaluate(state)
            result = table.default
            if not is_null(value):
                assert value is not None
                if value.cardinality != "single" or value.base_type not in NUMERIC:
                    raise InvalidRP("lookupOutcomeValue needs a single number", line)
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
            state.values[identifier] = None if result is None else single(base_type, result)

        return look_up

    # -- expressions ------------------------------------------------------------------

    def expression(self, element: etree._Element) -> Expression:
        name = local_name(element) or ""
        special = {
            "baseValue": self.base_value,
            "variable": self.variable,
            "correct": self.correct,
            "default": self.default,
            "mapResponse": self.map_response,
            "mapResponsePoint": self.map_response_point,
        }.get(name)
        if special is not None:
            return special(element)
        operator = self.operators.get(name)
        if operator is None:
            return _raiser(self.processor._unsupported(element))
        operands = tuple(self.expression(child) for child in children(element))
        fast = _FAST.get(name)
        if fast is not None and len(operands) == fast[0]:
            return _fast_apply(fast[1], operator, element, operands)
        if name in ("and", "or") and operands:
            return _fast_apply(_fast_variadic(name), operator, element, operands)

        def apply(state: _State) -> Value | None:
            values = [operand(state) for operand in operands]
            return operator(Operands(element, values, state.resolve_number))

        return apply

    def base_value(self, element: etree._Element) -> Expression:
        base_type = qti_attr(element, "baseType")
        try:
            value = single(
                base_type, parse_scalar(element.text or "", base_type, element.sourceline)
            )
        except RPError as exc:
            return _raiser(exc)
        return lambda state: value

    def variable(self, element: etree._Element) -> Expression:
        identifier = element.get("identifier", "")
        declared = identifier in self.declarations
        line = element.sourceline

        def read(state: _State) -> Value | None:
            value = state.values.get(identifier, _MISSING)
            if value is _MISSING:
                if not declared:
                    raise InvalidRP(f"undeclared variable {identifier!r}", line)
                return None
            return value  # type: ignore[return-value]

        return read

    def correct(self, element: etree._Element) -> Expression:
        declaration, problem = self.declaration(element.get("identifier", ""), "response", element)
        if problem is not None:
            return _raiser(problem)
        assert declaration is not None
        value = declaration.correct
        return lambda state: value

    def default(self, element: etree._Element) -> Expression:
        declaration, problem = self.declaration(element.get("identifier", ""), None, element)
        if problem is not None:
            return _raiser(problem)
        assert declaration is not None
        value = declaration.default
        return lambda state: value

    def map_response(self, element: etree._Element) -> Expression:
        declaration, problem = self.declaration(element.get("identifier", ""), "response", element)
        if problem is not None:
            return _raiser(problem)
        assert declaration is not None
        mapping = declaration.mapping
        if mapping is None:
            return _raiser(
                InvalidRP(
                    f"mapResponse on {declaration.identifier!r}, which has no mapping",
                    element.sourceline,
                )
            )
        identifier = declaration.identifier

        return lambda state: mapping.map_value(state.values.get(identifier))

    def map_response_point(self, element: etree._Element) -> Expression:
        declaration, problem = self.declaration(element.get("identifier", ""), "response", element)
        if problem is not None:
            return _raiser(problem)
        assert declaration is not None
        area = declaration.area_mapping
        if area is None:
            return _raiser(
                InvalidRP(
                    f"mapResponsePoint on {declaration.identifier!r}, which has no areaMapping",
                    element.sourceline,
                )
            )
        identifier = declaration.identifier

        return lambda state: area.map_value(state.values.get(identifier))

    # -- helpers ----------------------------------------------------------------------

    def declaration(
        self, identifier: str, kind: str | None, element: etree._Element
    ) -> tuple[Declaration | None, InvalidRP | None]:
        """The declaration the interpreter would look up, or the error it would raise."""
        try:
            return self.processor._declaration(identifier, kind, element), None
        except InvalidRP as exc:
            return None, exc


# -- the common cases of the commonest operators ------------------------------------------
#
# Each function takes the operands' values and returns the operator's result for the
# case it knows - operands of the right cardinality and type, nothing NULL - computed as
# the operator computes it, or _GENERIC for every other case, which the operator itself
# then handles (its NULL rules and its errors).

_GENERIC: Any = object()
_TRUE = single("boolean", True)
_FALSE = single("boolean", False)


def _is_boolean(value: Value | None) -> bool:
    return value is not None and value.cardinality == "single" and value.base_type == "boolean"


def _fast_not(values: list[Value | None]) -> Value | None:
    (value,) = values
    if _is_boolean(value):
        return _FALSE if value.value else _TRUE  # type: ignore[union-attr]
    return _GENERIC


def _fast_and(values: list[Value | None]) -> Value | None:
    if all(_is_boolean(value) for value in values):
        return _TRUE if all(value.value for value in values) else _FALSE  # type: ignore[union-attr]
    return _GENERIC


def _fast_or(values: list[Value | None]) -> Value | None:
    if all(_is_boolean(value) for value in values):
        return _TRUE if any(value.value for value in values) else _FALSE  # type: ignore[union-attr]
    return _GENERIC


def _fast_is_null(values: list[Value | None]) -> Value | None:
    (value,) = values
    return _TRUE if is_null(value) else _FALSE


def _fast_member(values: list[Value | None]) -> Value | None:
    needle, haystack = values
    if (
        needle is not None
        and haystack is not None
        and haystack.cardinality in ("multiple", "ordered")
        and haystack.value
        and not is_null(needle)
    ):
        return _TRUE if needle.value in haystack.value else _FALSE
    return _GENERIC


def _fast_match(values: list[Value | None]) -> Value | None:
    first, second = values
    if (
        first is not None
        and second is not None
        and first.cardinality == "single"
        and second.cardinality == "single"
        and not is_null(first)
        and not is_null(second)
    ):
        return _TRUE if first.value == second.value else _FALSE
    return _GENERIC


#: QTI 2 name -> (how many operands, the common case).
_FAST: dict[str, tuple[int, Callable[[list[Value | None]], Value | None]]] = {
    "not": (1, _fast_not),
    "isNull": (1, _fast_is_null),
    "member": (2, _fast_member),
    "match": (2, _fast_match),
}


def _fast_apply(
    fast: Callable[[list[Value | None]], Value | None],
    operator: Operator,
    element: etree._Element,
    operands: tuple[Expression, ...],
) -> Expression:
    def apply(state: _State) -> Value | None:
        values = [operand(state) for operand in operands]
        result = fast(values)
        if result is _GENERIC:
            return operator(Operands(element, values, state.resolve_number))
        return result

    return apply


def _fast_variadic(name: str) -> Callable[[list[Value | None]], Value | None]:
    return {"and": _fast_and, "or": _fast_or}[name]


def _sequence(rules: list[Rule]) -> Rule:
    if len(rules) == 1:
        return rules[0]
    frozen = tuple(rules)

    def run(state: _State) -> None:
        for rule in frozen:
            rule(state)

    return run


class CompiledProcessing:
    """An item's response processing compiled (see the module documentation): :meth:`run`
    gives what :func:`qti.rp.run_response_processing` gives, :meth:`score` what
    :func:`qti.rp.evaluate_score` gives, for any number of calls."""

    def __init__(
        self,
        processor: _Processor,
        operators: Mapping[str, Operator],
        built_in: Mapping[str, tuple[str, Any]],
    ) -> None:
        declarations = processor.declarations
        self._declarations = declarations
        self._built_in = built_in
        self._initial = dict(processor.values)
        self._responses = [
            (identifier, declaration.default)
            for identifier, declaration in declarations.items()
            if declaration.kind == "response"
        ]
        self._built_in_values = [
            (name, single(base_type, value)) for name, (base_type, value) in built_in.items()
        ]
        self._outcomes = [
            identifier
            for identifier, declaration in declarations.items()
            if declaration.kind == "outcome"
        ]
        self._program = _sequence(_Compiler(processor, operators).processing(processor.item))

    def _values(self, responses: Mapping[str, Any]) -> Values:
        values: Values = dict(self._initial)
        for identifier, default in self._responses:
            values[identifier] = default
        for name, value in self._built_in_values:
            values.setdefault(name, value)
        for identifier, raw in responses.items():
            if identifier in self._built_in:
                values[identifier] = coerce_input(raw, "single", self._built_in[identifier][0])
                continue
            declaration = self._declarations.get(identifier)
            if declaration is None or declaration.kind != "response":
                raise InvalidRP(f"the item declares no response {identifier!r}")
            values[identifier] = coerce_input(raw, declaration.cardinality, declaration.base_type)
        with contextlib.suppress(_Exit):
            self._program(_State(values))
        return values

    def run(self, responses: Mapping[str, Any]) -> dict[str, Any]:
        """Every outcome value, as :func:`qti.rp.run_response_processing` returns them."""
        values = self._values(responses)
        outcomes = {identifier: to_python(values.get(identifier)) for identifier in self._outcomes}
        if "completionStatus" in values and "completionStatus" not in outcomes:
            outcomes["completionStatus"] = to_python(values["completionStatus"])
        return outcomes

    def score(self, responses: Mapping[str, Any]) -> float:
        """``SCORE`` as a float (0.0 if NULL or not an outcome)."""
        values = self._values(responses)
        if "SCORE" not in self._outcomes:
            return 0.0
        result = to_python(values.get("SCORE"))
        return 0.0 if result is None else float(result)
