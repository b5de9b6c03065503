"""Pieces the graphic item types' QTI writers share (hotspot, graphic order, graphic
associate, graphic gap match, select point): the content's image as a
:class:`qti.model.GraphicImage`, its regions as hotspots and the points inside them.

Content keeps its image as rich text holding one ``<img src alt width height>`` (so the
bank's media handling, sanitizing, export and import treat it as any other image); the
writers receive it as XHTML and read the image out of it here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html.parser import HTMLParser
from typing import Any

from qti.areas import inner_point
from qti.model import GraphicImage, HotspotChoice


def graphic_image(markup: str) -> GraphicImage:
    """The one image of ``markup`` (XHTML or HTML: an ``img`` with ``src``, ``width`` and
    ``height``), read with the standard library's HTML parser.

    :raises ValueError: when the fragment holds no such image (content that passed the
        type's checks always does).
    """
    scan = _Images()
    scan.feed(markup)
    scan.close()
    if len(scan.images) != 1:
        raise ValueError(f"the image field must show exactly one image, not {len(scan.images)}")
    image = scan.images[0]
    try:
        width, height = int(image.get("width", "")), int(image.get("height", ""))
    except ValueError:
        raise ValueError("the image needs its width and height in pixels") from None
    return GraphicImage(image.get("src", ""), width, height, image.get("alt", ""))


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append({name: value or "" for name, value in attrs})


def hotspot_choices(regions: Iterable[Mapping[str, Any]]) -> tuple[HotspotChoice, ...]:
    """Content regions (``{"id", "shape", "coords", "label"}``, ``match_max`` when the
    type has it) as QTI hotspots."""
    return tuple(
        HotspotChoice(
            region["id"],
            region["shape"],
            tuple(region["coords"]),
            region.get("label", ""),
            region.get("match_max", 1),
        )
        for region in regions
    )


# -- points on the image (select point) ----------------------------------------------------


def contains(region: Mapping[str, Any], point: Sequence[int]) -> bool:
    """Whether ``point`` (x, y in image pixels) is inside ``region``, as QTI's
    ``mapResponsePoint`` decides it: a rectangle and a circle hold their edge, a polygon
    is tested by crossings (a point on its left or top edge is inside, on its right or
    bottom edge outside: every point of the plane belongs to one side of each edge)."""
    shape, coords = region["shape"], region["coords"]
    x, y = point
    if shape == "rect":
        left, top, right, bottom = coords
        return left <= x <= right and top <= y <= bottom
    if shape == "circle":
        cx, cy, radius = coords
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2
    count = len(coords)
    if count % 2:
        raise ValueError(f"a polygon's coordinates come in pairs, not {count}")
    result = False
    xj, yj = coords[count - 2], coords[count - 1]  # the previous corner
    for index in range(0, count, 2):
        xi, yi = coords[index], coords[index + 1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            result = not result
        xj, yj = xi, yi
    return result


def first_area(regions: Sequence[Mapping[str, Any]], point: Sequence[int]) -> int | None:
    """The index of the first region holding ``point`` (``None``: none does)."""
    for index, region in enumerate(regions):
        if contains(region, point):
            return index
    return None


def inner_points(areas: Sequence[Mapping[str, Any]]) -> list[tuple[int, int] | None]:
    """A point inside each area that the area itself scores (not an earlier one that
    overlaps it); ``None`` where :func:`inner_point` finds none."""
    found: list[tuple[int, int] | None] = []
    for index, area in enumerate(areas):
        point = inner_point(area["shape"], area["coords"])
        found.append(point if point is not None and first_area(areas, point) == index else None)
    return found
