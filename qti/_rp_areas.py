"""Shapes of area mappings and of the ``inside`` operator (HTML image-map coordinates)."""

from __future__ import annotations

import re

from qti._rp_errors import InvalidRP


def parse_coords(text: str, line: int | None = None) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in re.split(r"[\s,]+", text.strip()) if part)
    except ValueError:
        raise InvalidRP(f"coords {text!r} are not numbers", line) from None


def inside(shape: str, coords: tuple[float, ...], point: tuple[int, int]) -> bool:
    """Whether ``point`` is inside an HTML-style shape (``default`` covers everything)."""
    x, y = point
    try:
        if shape == "default":
            return True
        if shape == "rect":
            left, top, right, bottom = coords[:4]
            return left <= x <= right and top <= y <= bottom
        if shape == "circle":
            cx, cy, radius = coords[:3]
            return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2
        if shape == "ellipse":
            cx, cy, hr, vr = coords[:4]
            return ((x - cx) / hr) ** 2 + ((y - cy) / vr) ** 2 <= 1 if hr and vr else False
        if shape == "poly":
            return _inside_polygon(coords, x, y)
    except ValueError:
        raise InvalidRP(f"too few coords for shape {shape!r}: {coords}") from None
    raise InvalidRP(f"unknown shape {shape!r}")


def _inside_polygon(coords: tuple[float, ...], x: float, y: float) -> bool:
    points = list(zip(coords[0::2], coords[1::2], strict=False))
    if len(points) < 3:
        raise ValueError("polygon")
    result = False
    j = len(points) - 1
    for i, (xi, yi) in enumerate(points):
        xj, yj = points[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        j = i
    return result
