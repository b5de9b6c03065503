"""The plain data of :mod:`qti.results`: one candidate's results as frozen dataclasses.

See :mod:`qti.results` for what a results report holds and the Python form of values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from qti._results_common import Version

VariableKind = Literal["response", "outcome", "template", "context"]


@dataclass(frozen=True)
class ResultVariable:
    """One response, outcome, template or context variable of a result.

    :ivar kind: ``"response"``, ``"outcome"``, ``"template"`` or ``"context"`` (QTI 3.0).
    :ivar cardinality: ``single``, ``multiple``, ``ordered`` or ``record``.
    :ivar base_type: one of the eleven base types, or ``None`` (records; a variable given
        without one has its values read as text).
    :ivar value: the value in its Python form (see the module), ``None`` for no value.
    :ivar choice_sequence: response variables: the order the choices were shown in
        (``choiceSequence``), or ``None`` when not reported.
    :ivar correct_value: response variables: the ``<correctResponse>`` the delivery
        system reported, in the same form as ``value``; ``None`` when absent.
    :ivar field_base_types: records: field -> base type (``None``: text) of the fields of
        ``value`` and ``correct_value``; ``None`` for other cardinalities.
    """

    identifier: str
    kind: VariableKind
    cardinality: str
    base_type: str | None
    value: Any
    choice_sequence: tuple[str, ...] | None = None
    correct_value: Any = None
    field_base_types: dict[str, str | None] | None = None


def _duration_seconds(variable: ResultVariable, where: str) -> float | None:
    value = variable.value
    if variable.cardinality != "single" or not (
        value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    ):
        raise ValueError(
            f"{where}: the built-in 'duration' response variable must hold one number of "
            f"seconds, not {value!r} (cardinality {variable.cardinality})"
        )
    return None if value is None else float(value)


def _sync_duration(result: ItemResult | TestResult, where: str) -> None:
    """Make ``duration`` and the ``duration`` response variable agree (both set, or both
    absent): whichever is given fills in the other."""
    variable = result.responses.get("duration")
    if variable is None:
        if result.duration is None:
            return
        seconds = result.duration
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise ValueError(f"{where}: duration must be a number of seconds, not {seconds!r}")
        seconds = float(seconds)
        variable = ResultVariable("duration", "response", "single", "duration", seconds)
        object.__setattr__(result, "duration", seconds)
        object.__setattr__(result, "responses", {**result.responses, "duration": variable})
        return
    seconds = _duration_seconds(variable, where)
    if result.duration is None:
        object.__setattr__(result, "duration", seconds)
    elif seconds is None or float(result.duration) != seconds:
        raise ValueError(
            f"{where}: duration={result.duration!r} disagrees with the 'duration' response "
            f"variable ({variable.value!r})"
        )
    else:
        object.__setattr__(result, "duration", seconds)


@dataclass(frozen=True)
class ItemResult:
    """The result of one item for one candidate.

    :ivar identifier: the item's identifier as delivered (the bank exports
        ``I-<code>-V<version>``).
    :ivar sequence_index: the item's position in the test as delivered, if reported.
    :ivar session_status: ``final``, ``initial``, ``pendingSubmission``,
        ``pendingResponseProcessing`` or (3.0) ``pendingExternalScoring``.
    :ivar responses: response variables by identifier, in document order, built-ins
        (``duration``, ``numAttempts``) included.
    :ivar outcomes: outcome variables by identifier (``SCORE``, ``completionStatus``...).
    :ivar duration: seconds the candidate spent on the item: the value of the built-in
        ``duration`` response variable. Given when constructing, it adds that variable to
        ``responses`` (and is filled from it when only the variable is given), so the two
        always agree.
    :ivar line: the line of the ``<itemResult>`` in its document (0 when constructed).
    :ivar templates: template variables by identifier.
    :ivar context_variables: context variables by identifier (QTI 3.0 only).
    :ivar candidate_comment: the ``<candidateComment>``, if any.
    """

    identifier: str
    sequence_index: int | None
    datestamp: datetime | None
    session_status: str
    responses: dict[str, ResultVariable]
    outcomes: dict[str, ResultVariable]
    duration: float | None = None
    line: int = field(default=0, compare=False)
    templates: dict[str, ResultVariable] = field(default_factory=dict)
    context_variables: dict[str, ResultVariable] = field(default_factory=dict)
    candidate_comment: str | None = None

    def __post_init__(self) -> None:
        if self.duration is not None or "duration" in self.responses:
            _sync_duration(self, f"itemResult {self.identifier!r}")

    @property
    def response_values(self) -> dict[str, Any]:
        """Response identifier -> value: what :func:`qti.rp.run_response_processing`
        takes (it accepts the built-in ``duration`` and ``numAttempts`` too)."""
        return {identifier: variable.value for identifier, variable in self.responses.items()}


@dataclass(frozen=True)
class TestResult:
    """The test-level result of one candidate: outcomes such as the total ``SCORE``.

    ``duration`` and ``responses`` behave as in :class:`ItemResult`.
    """

    # Not a test class, although pytest collects classes named Test* that it finds
    # imported into a test module.
    __test__ = False

    identifier: str
    datestamp: datetime | None
    outcomes: dict[str, ResultVariable]
    duration: float | None = None
    responses: dict[str, ResultVariable] = field(default_factory=dict)
    templates: dict[str, ResultVariable] = field(default_factory=dict)
    context_variables: dict[str, ResultVariable] = field(default_factory=dict)
    line: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.duration is not None or "duration" in self.responses:
            _sync_duration(self, f"testResult {self.identifier!r}")


@dataclass(frozen=True)
class AssessmentResult:
    """One candidate's ``assessmentResult`` document.

    :ivar version: ``"2.1"``, ``"2.2"`` or ``"3.0"`` (from the namespace when read; the
        writer takes the version to write as an argument).
    :ivar session_identifiers: ``(sourceID, identifier)`` of each ``<sessionIdentifier>``
        of the ``<context>``, in document order.
    :ivar source_id: the ``<context sourcedId>``: the candidate's identifier in the
        delivery system, if given.
    :ivar test: the ``<testResult>``, if any.
    :ivar items: every ``<itemResult>``, in document order.
    """

    version: Version
    session_identifiers: tuple[tuple[str, str], ...]
    source_id: str | None
    test: TestResult | None
    items: tuple[ItemResult, ...]

    @property
    def candidate_id(self) -> str | None:
        """``sourcedId``, else the identifier of the first session identifier, else
        ``None``."""
        if self.source_id:
            return self.source_id
        if self.session_identifiers:
            return self.session_identifiers[0][1]
        return None
