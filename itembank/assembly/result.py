"""What an assembly gives back: a :class:`Result` with the forms and their comparison, or
an :class:`Infeasible` that says, in the blueprint's words, what cannot be met.

Messages carry Indonesian (``message``) and English (``message_en``) text, a stable
``code``, and the blueprint row (``"2.1"``) or rule they are about, as the form report does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Message:
    """One finding: ``code`` is stable (tests and the UI key on it); ``numbers`` holds the
    figures quoted in the text (demand, eligible, removed by each rule, slack)."""

    code: str
    message: str
    message_en: str
    row: str | None = None
    rule: str | None = None
    numbers: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
            "row": self.row,
            "rule": self.rule,
            "numbers": dict(self.numbers),
        }


@dataclass
class FormStats:
    """One form's figures: items per row, TIF and TCC over the result's theta grid (IRT),
    expected score and mean p (classical, when ``p`` is known), the number of items with
    each key letter per section, and the form's value of the target (``objective``)."""

    row_counts: dict[str, int]
    tif: np.ndarray | None
    tcc: np.ndarray | None
    expected_score: float | None
    mean_p: float | None
    keys: dict[str, dict[str, int]]
    objective: float | None


@dataclass
class Form:
    """A produced form: per blueprint section the item ids in delivery order, and the
    blueprint row each item fills (``rows[item_id] == "2.1"``)."""

    index: int
    sections: list[list[int]]
    rows: dict[int, str]
    stats: FormStats

    @property
    def items(self) -> list[int]:
        return [item for section in self.sections for item in section]


@dataclass
class Result:
    """A finished assembly.

    ``objective``: the target's value over the forms, recomputed from the chosen items
    (maximin: the weakest form's smallest TIF at the target thetas; target curve: the
    largest relative deviation; classical: the largest spread in expected score; content
    only: ``None``). ``lp_bound``: the LP relaxation's value, solved explicitly (no set of
    forms can do better). ``gap``: ``|lp_bound - objective| / max(|lp_bound|, |objective|)``
    computed here from those two numbers, never the solver's. ``trace``: ``(seconds,
    objective)`` at every improvement. ``overlap[f, g]``: items forms f and g share
    (anchors included; the diagonal is each form's length). ``usage``: forms per item
    used. ``solver``: what ran, its version and options; ``times``: seconds per stage.
    """

    forms: list[Form]
    objective: float | None
    lp_bound: float | None
    gap: float | None
    method: str
    sense: str
    solver: dict[str, Any]
    times: dict[str, float]
    trace: list[tuple[float, float]]
    first_feasible: float
    overlap: np.ndarray
    usage: dict[int, int]
    grid: tuple[float, ...]
    seed: int
    stopped: str
    messages: list[Message] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return True


@dataclass
class Infeasible:
    """No forms: ``messages`` say which rows and rules cannot be met and by how much;
    ``stage`` is ``check`` (supply against demand before solving), ``solve`` (a relaxed
    model with slack per rule after a failed solve) or ``order`` (no delivery order meets
    the key-run rule)."""

    stage: str
    messages: list[Message]
    times: dict[str, float] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return False


def relative_gap(bound: float, objective: float) -> float:
    """``|bound - objective| / max(|bound|, |objective|)`` (0 when both are 0)."""
    scale = max(abs(bound), abs(objective))
    return 0.0 if scale == 0 else abs(bound - objective) / scale
