"""A small builder over ``highspy``: columns and sparse rows from numpy arrays, one solve
with options set by name, cancel through HiGHS's interrupt callbacks, and improving
solutions recorded with their time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

INF = highspy.kHighsInf


def solver_version() -> str:
    return f"{highspy.Highs().versionMajor()}.{highspy.Highs().versionMinor()}." + str(
        highspy.Highs().versionPatch()
    )


@dataclass
class Outcome:
    """``status``: ``optimal``, ``feasible`` (stopped with a solution), ``infeasible``,
    ``no_solution`` (stopped without one) or ``cancelled``. ``x`` is ``None`` without a
    solution. ``dual_bound`` is HiGHS's own (reported, never used for the certificate)."""

    status: str
    x: np.ndarray | None
    objective: float | None
    dual_bound: float | None
    seconds: float
    improvements: list[tuple[float, np.ndarray]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


class Model:
    """Columns and rows added in blocks; ``solve`` hands them to HiGHS once."""

    def __init__(self) -> None:
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []
        self.integer: list[np.ndarray] = []
        self.ncols = 0
        self.row_lower: list[np.ndarray] = []
        self.row_upper: list[np.ndarray] = []
        self.entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.nrows = 0
        self.maximize = False

    def add_columns(
        self,
        n: int,
        lower: float = 0.0,
        upper: float = 1.0,
        cost: float = 0.0,
        integer: bool = True,
    ) -> np.ndarray:
        """``n`` new columns; returns their indices."""
        first = self.ncols
        self.lower.append(np.full(n, lower, dtype=float))
        self.upper.append(np.full(n, upper, dtype=float))
        self.cost.append(np.full(n, cost, dtype=float))
        self.integer.append(np.full(n, 1 if integer else 0, dtype=np.int32))
        self.ncols += n
        return np.arange(first, first + n, dtype=np.int64)

    def set_cost(self, columns: np.ndarray, values: np.ndarray | float) -> None:
        cost = np.concatenate(self.cost) if len(self.cost) > 1 else self.cost[0]
        cost[columns] = values
        self.cost = [cost]

    def add_rows(
        self,
        lower: np.ndarray | float,
        upper: np.ndarray | float,
        rows: np.ndarray,
        cols: np.ndarray,
        values: np.ndarray | float,
        count: int | None = None,
    ) -> np.ndarray:
        """Rows ``lower <= sum(values * x[cols]) <= upper``; ``rows`` numbers the entries'
        rows from 0 within this block (``count`` rows in all, default ``rows.max() + 1``)."""
        rows = np.asarray(rows, dtype=np.int64)
        n = int(count if count is not None else (rows.max() + 1 if rows.size else 0))
        first = self.nrows
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=float), (n,)).copy())
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (n,)).copy())
        vals = np.broadcast_to(np.asarray(values, dtype=float), rows.shape).copy()
        self.entries.append((rows + first, np.asarray(cols, dtype=np.int64), vals))
        self.nrows += n
        return np.arange(first, first + n, dtype=np.int64)

    def solve(
        self,
        *,
        relax: bool = False,
        time_limit: float = 60.0,
        options: dict[str, Any] | None = None,
        cancel: Callable[[], bool] | None = None,
        start: np.ndarray | None = None,
        record: bool = False,
        on_improve: Callable[[float, float], None] | None = None,
    ) -> Outcome:
        highs = highspy.Highs()
        highs.silent()
        settings: dict[str, Any] = {"time_limit": max(float(time_limit), 1e-3)}
        settings.update(options or {})
        for name, value in settings.items():
            highs.setOptionValue(name, value)
        lower = np.concatenate(self.lower)
        upper = np.concatenate(self.upper)
        cost = np.concatenate(self.cost)
        highs.addCols(
            self.ncols,
            cost,
            lower,
            upper,
            0,
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0, dtype=float),
        )
        if not relax:
            integer = np.concatenate(self.integer)
            cols = np.flatnonzero(integer).astype(np.int32)
            if cols.size:
                highs.changeColsIntegrality(
                    cols.size, cols, np.full(cols.size, highspy.HighsVarType.kInteger)
                )
        if self.nrows:
            rows = np.concatenate([e[0] for e in self.entries])
            cols_ = np.concatenate([e[1] for e in self.entries])
            vals = np.concatenate([e[2] for e in self.entries])
            order = np.lexsort((cols_, rows))
            rows, cols_, vals = rows[order], cols_[order], vals[order]
            starts = np.searchsorted(rows, np.arange(self.nrows)).astype(np.int32)
            highs.addRows(
                self.nrows,
                np.concatenate(self.row_lower),
                np.concatenate(self.row_upper),
                vals.size,
                starts,
                cols_.astype(np.int32),
                vals,
            )
        highs.changeObjectiveSense(
            highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        )
        if start is not None and not relax:
            highs.setSolution(
                self.ncols, np.arange(self.ncols, dtype=np.int32), np.asarray(start, float)
            )
        began = time.perf_counter()
        cancelled = False
        improvements: list[tuple[float, np.ndarray]] = []

        def interrupt(event: Any) -> None:
            nonlocal cancelled
            if cancel is not None and cancel():
                cancelled = True
                event.interrupt()

        def improved(event: Any) -> None:
            elapsed = time.perf_counter() - began
            if record:
                improvements.append((elapsed, np.array(event.data_out.mip_solution)))
            if on_improve is not None:
                on_improve(elapsed, float(event.data_out.objective_function_value))

        if cancel is not None:
            highs.cbMipInterrupt.subscribe(interrupt)
            highs.cbSimplexInterrupt.subscribe(interrupt)
            highs.cbIpmInterrupt.subscribe(interrupt)
        if (record or on_improve is not None) and not relax:
            highs.cbMipImprovingSolution.subscribe(improved)
        highs.run()
        seconds = time.perf_counter() - began
        model_status = highs.getModelStatus()
        info = highs.getInfo()
        ms = highspy.HighsModelStatus
        has_solution = info.primal_solution_status == 2
        x = np.array(highs.getSolution().col_value) if has_solution else None
        if cancelled:
            status = "cancelled"
        elif model_status == ms.kOptimal:
            status = "optimal"
        elif model_status == ms.kInfeasible:
            status = "infeasible"
        elif has_solution:
            status = "feasible"
        else:
            status = "no_solution"
        dual = None
        if not relax and has_solution:
            dual = float(info.mip_dual_bound)
        objective = float(info.objective_function_value) if has_solution else None
        return Outcome(status, x, objective, dual, seconds, improvements, settings)
