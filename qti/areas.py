"""Points of an image's areas (HTML image-map shapes in image pixels): one well inside
each, and those on and just beyond its edge. The select point writer takes its correct
response from :func:`inner_point`; the import's scoring proof tries both kinds."""

from __future__ import annotations

from collections.abc import Sequence

from qti._rp_areas import inside as _inside


def inside(shape: str, coords: Sequence[int], point: tuple[int, int]) -> bool:
    """Whether ``point`` is inside the area, as :mod:`qti.rp` decides it."""
    return _inside(shape, tuple(float(c) for c in coords), point)


def inner_point(shape: str, coords: Sequence[int]) -> tuple[int, int] | None:
    """A point well inside the area: the middle of a rectangle, the centre of a
    circle, for a polygon its vertices' mean when inside it, else the first point of a
    grid over its box that is (``None`` when a thin polygon holds none of them)."""
    if shape == "rect":
        return ((coords[0] + coords[2]) // 2, (coords[1] + coords[3]) // 2)
    if shape == "circle":
        return (coords[0], coords[1])
    xs, ys = coords[0::2], coords[1::2]
    mean = (round(sum(xs) / len(xs)), round(sum(ys) / len(ys)))
    if inside(shape, coords, mean):
        return mean
    for y in range(min(ys), max(ys) + 1, max((max(ys) - min(ys)) // 16, 1)):
        for x in range(min(xs), max(xs) + 1, max((max(xs) - min(xs)) // 16, 1)):
            if inside(shape, coords, (x, y)):
                return (x, y)
    return None


def edge_points(shape: str, coords: Sequence[int]) -> list[tuple[int, int]]:
    """Points on the edge of the area and just outside it (a pixel beyond), where a
    scoring rule that draws the edge differently would give another score."""
    if shape == "rect":
        left, top, right, bottom = coords
        mid_x, mid_y = (left + right) // 2, (top + bottom) // 2
        on = [(left, top), (right, bottom), (left, mid_y), (right, mid_y), (mid_x, top)]
        out = [(left - 1, mid_y), (right + 1, mid_y), (mid_x, top - 1), (mid_x, bottom + 1)]
        return [*on, (mid_x, bottom), *out]
    if shape == "circle":
        cx, cy, r = coords
        return [(cx + r, cy), (cx, cy - r), (cx - r - 1, cy), (cx, cy + r + 1), (cx + r, cy + 1)]
    corners = list(zip(coords[0::2], coords[1::2], strict=True))
    middles = [
        ((x1 + x2) // 2, (y1 + y2) // 2)
        for (x1, y1), (x2, y2) in zip(corners, [*corners[1:], corners[0]], strict=True)
    ]
    return [*corners, *middles, *((x + 1, y + 1) for x, y in corners)]
