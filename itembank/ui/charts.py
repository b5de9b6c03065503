"""Charts drawn by the server as SVG: no script, nothing from elsewhere, within the CSP
(colours are SVG presentation attributes, never ``style``).

:func:`line_chart` scales series of values over shared x positions (test information
curves, option trace lines, ICC and information curves); :func:`histogram` draws bars
from bin edges and counts (score distributions). Both return plain dictionaries that
the macros in ``templates/ui/_charts.html`` draw, with a title and a legend.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

#: Colours of the series (a colour-blind-safe palette), repeated past ten series.
COLOURS = (
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7",
    "#56b4e9", "#f0e442", "#000000", "#999999", "#882255",
)  # fmt: skip
#: The drawing area inside the SVG's view box (the margins hold the axis labels).
SIZE = {"width": 640, "height": 320, "left": 48, "right": 12, "top": 12, "bottom": 40}


def nice_top(value: float) -> float:
    """A round number at or above ``value`` for the top of an axis (1, 2, 2.5, 5 × 10ⁿ)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-9):
            return step * power
    return 10 * power


def _label(value: float) -> str:
    return f"{value:g}" if abs(value) >= 1e-9 else "0"


def _frame(size: dict[str, int]) -> dict[str, Any]:
    w, h = size["width"], size["height"]
    return {
        **size,
        "x0": size["left"],
        "x1": w - size["right"],
        "y0": h - size["bottom"],
        "y1": size["top"],
    }


def line_chart(
    x: Sequence[float],
    series: Sequence[dict[str, Any]],
    *,
    y_min: float = 0.0,
    y_max: float | None = None,
    x_ticks: Sequence[tuple[float, str]] | None = None,
    y_ticks: int = 4,
    x_range: tuple[float, float] | None = None,
    guides: Sequence[float] = (),
    markers: bool = False,
    size: dict[str, int] | None = None,
) -> dict[str, Any] | None:
    """Polylines of ``series`` over ``x``, or None when there is nothing to draw.

    Each series is ``{"label", "values"}`` (one value per x; None leaves a point out)
    with optional ``"colour"``, ``"class"`` (CSS class of its line), ``"width"`` (stroke
    width) and ``"dash"`` (a ``stroke-dasharray``). ``y_max`` None: a round number above
    the largest value. ``x_ticks``: (x, label) pairs (default: every whole x). ``guides``:
    x positions marked by dashed vertical lines (the assembly's target thetas).
    ``x_range``: the x axis' ends (default: the first and last x), to leave room beside
    the outer points of a few categories."""
    frame = _frame(size or SIZE)
    xs = [float(v) for v in x]
    values = [
        [float(v) for v in s["values"] if v is not None and math.isfinite(float(v))] for s in series
    ]
    if not xs or not any(values):
        return None
    top = y_max if y_max is not None else nice_top(max(max(v) for v in values if v))
    lo, hi = x_range if x_range is not None else (min(xs), max(xs))
    x0, x1, y0, y1 = frame["x0"], frame["x1"], frame["y0"], frame["y1"]

    def sx(value: float) -> float:
        return round(x0 + (value - lo) / ((hi - lo) or 1) * (x1 - x0), 1)

    def sy(value: float) -> float:
        clipped = min(max(value, y_min), top)
        return round(y0 - (clipped - y_min) / ((top - y_min) or 1) * (y0 - y1), 1)

    lines = []
    for k, s in enumerate(series):
        points = [
            (sx(xv), sy(float(yv)))
            for xv, yv in zip(xs, s["values"], strict=False)
            if yv is not None and math.isfinite(float(yv))
        ]
        lines.append(
            {
                "label": s["label"],
                "colour": s.get("colour") or COLOURS[k % len(COLOURS)],
                "class": s.get("class", ""),
                "width": s.get("width", 2),
                "dash": s.get("dash", ""),
                "points": " ".join(f"{px},{py}" for px, py in points),
                "markers": points if markers else [],
            }
        )
    ticks = x_ticks if x_ticks is not None else [(v, _label(v)) for v in xs if v.is_integer()]
    step = (top - y_min) / max(y_ticks, 1)
    return {
        **frame,
        "lines": lines,
        "x_ticks": [(sx(v), text) for v, text in ticks],
        "y_ticks": [
            (sy(y_min + step * k), _label(round(y_min + step * k, 6))) for k in range(y_ticks + 1)
        ],
        "guides": [sx(v) for v in guides],
    }


def histogram(
    edges: Sequence[float | None],
    counts: Sequence[int],
    *,
    size: dict[str, int] | None = None,
    colour: str = COLOURS[0],
) -> dict[str, Any] | None:
    """Bars of ``counts`` between consecutive ``edges`` (len(counts) + 1 of them), or
    None when there is nothing to draw."""
    frame = _frame(size or SIZE)
    bounds = [float(e) for e in edges if e is not None]
    if len(bounds) != len(counts) + 1 or not counts or sum(counts) <= 0:
        return None
    top = nice_top(max(counts))
    lo, hi = bounds[0], bounds[-1]
    x0, x1, y0, y1 = frame["x0"], frame["x1"], frame["y0"], frame["y1"]

    def sx(value: float) -> float:
        return round(x0 + (value - lo) / ((hi - lo) or 1) * (x1 - x0), 1)

    def sy(value: float) -> float:
        return round(y0 - value / top * (y0 - y1), 1)

    bars = []
    for k, count in enumerate(counts):
        left, right = sx(bounds[k]), sx(bounds[k + 1])
        bars.append(
            {
                "x": left,
                "width": max(round(right - left - 1, 1), 0.5),
                "y": sy(count),
                "height": round(y0 - sy(count), 1),
                "count": int(count),
                "start": _label(round(bounds[k], 4)),
                "end": _label(round(bounds[k + 1], 4)),
            }
        )
    every = max(1, math.ceil(len(bounds) / 11))
    # Counts are whole numbers: as many ticks (at most five) as divide the top evenly.
    ticks = next(n for n in (5, 4, 2, 1) if float(top / n).is_integer())
    return {
        **frame,
        "colour": colour,
        "bars": bars,
        "x_ticks": [(sx(v), _label(round(v, 2))) for v in bounds[::every]],
        "y_ticks": [(sy(top * k / ticks), _label(top * k / ticks)) for k in range(ticks + 1)],
    }
