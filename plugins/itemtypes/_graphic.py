"""Pieces the graphic item types share (hotspot, graphic order, graphic associate,
graphic gap match, select point): the image field, regions drawn on it (rect, circle,
poly in image pixels), their checks, answer-key facts, QTI reading, the preview, the
examples' plan and its rooms, and the editor's fields.

The image is rich text holding exactly one ``<img src alt width height>``: the bank's
media handling (upload, sanitizing, the media check on save, QTI export and import)
treats it as any other image, and ``width`` x ``height`` is the coordinate space of the
regions, checked here: every point inside the image, a bounded number of regions and of
polygon points.
"""

from __future__ import annotations

import hashlib
import html
import struct
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import marshmallow as ma
from markupsafe import Markup

from itembank.itemtypes import JSON, EditorField, Problem
from plugins.itemtypes import _editor as editor
from plugins.itemtypes._common import (
    IDENTIFIER_PATTERN,
    Noun,
    check_count,
    is_identifier,
    rich_text_field,
)
from qti.model import GraphicImage, HotspotChoice

SHAPES = ("rect", "circle", "poly")
#: Largest side of the image, in pixels (the sanitizer keeps ``width``/``height`` up to it).
MAX_IMAGE_SIDE = 4000
#: Most regions on one image.
MAX_REGIONS = 30
#: Most points of one polygon.
MAX_POLY_POINTS = 40
#: Longest region label (plain text).
MAX_LABEL_CHARS = 200

REGION = Noun("area", "region", "regions")


class RegionSchema(ma.Schema):
    """One region of the image: its shape and coordinates in image pixels."""

    id = ma.fields.String(required=True, metadata={"pattern": IDENTIFIER_PATTERN})
    shape = ma.fields.String(required=True, validate=ma.validate.OneOf(SHAPES))
    coords = ma.fields.List(
        ma.fields.Integer(strict=True),
        required=True,
        validate=ma.validate.Length(max=2 * MAX_POLY_POINTS),
        metadata={
            "description": "rect: x1, y1, x2, y2; circle: x, y, radius; poly: x1, y1, x2, "
            "y2, ... (image pixels, origin top left)"
        },
    )
    label = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=MAX_LABEL_CHARS),
        metadata={"description": "what the region shows, for candidates who cannot see it"},
    )


def image_field() -> ma.fields.String:
    """The image: rich text with exactly one ``<img src alt width height>``."""
    return rich_text_field()


def regions_field(schema: type[ma.Schema] = RegionSchema, minimum: int = 1) -> ma.fields.List:
    """The regions: ``schema`` entries (:class:`RegionSchema` or one that adds to it),
    at least ``minimum`` as the schema tells editors (:func:`check_regions` says so)."""
    return ma.fields.List(
        ma.fields.Nested(schema),
        required=True,
        validate=ma.validate.Length(max=MAX_REGIONS),
        metadata={"minItems": minimum, "maxItems": MAX_REGIONS},
    )


# -- the image -------------------------------------------------------------------------


@dataclass(frozen=True)
class Image:
    """The image of the content, as its field shows it."""

    src: str
    alt: str
    width: int
    height: int


class _ImageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[dict[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append({name: value or "" for name, value in attrs})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _side(value: str | None) -> int | None:
    if value is None or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_IMAGE_SIDE else None


def read_image(field_html: str) -> Image | None:
    """The image of the field, or ``None`` when it does not hold exactly one image with
    a source and a valid size and nothing else to show."""
    scan = _ImageScan()
    scan.feed(field_html)
    scan.close()
    if len(scan.images) != 1 or "".join(scan.text).strip():
        return None
    attrs = scan.images[0]
    width, height = _side(attrs.get("width")), _side(attrs.get("height"))
    if not attrs.get("src") or width is None or height is None:
        return None
    return Image(attrs["src"], attrs.get("alt", ""), width, height)


def check_image(content: Mapping[str, JSON], path: str = "image") -> Iterator[Problem]:
    """The image field shows exactly one image with its size (``width``/``height`` in
    pixels, 1 to :data:`MAX_IMAGE_SIDE`)."""
    if read_image(content[path]) is None:
        yield Problem(
            path,
            "Pilih satu gambar (dengan lebar dan tinggi dalam piksel, paling besar "
            f"{MAX_IMAGE_SIDE}); bidang gambar tidak boleh berisi teks lain.",
            "Choose one image (with its width and height in pixels, at most "
            f"{MAX_IMAGE_SIDE}); the image field may hold nothing else.",
        )


def image_xhtml(image: GraphicImage) -> str:
    """The content's image field for a QTI image (XHTML; the importer makes it bank HTML)."""
    return (
        f'<img src="{html.escape(image.src)}" alt="{html.escape(image.alt)}" '
        f'width="{image.width}" height="{image.height}"/>'
    )


# -- regions ---------------------------------------------------------------------------


def check_regions(
    regions: Sequence[Mapping[str, JSON]],
    path: str,
    image: Image | None,
    *,
    minimum: int,
    seen: set[str] | None = None,
) -> Iterator[Problem]:
    """Count, identifiers (unique, also against ``seen``), and each region's shape and
    coordinates: the right number of them, a real area, every point inside the image."""
    yield from check_count(regions, path, REGION, minimum, MAX_REGIONS)
    seen = set() if seen is None else seen
    for index, region in enumerate(regions):
        where = f"{path}.{index}"
        ident = region["id"]
        if not is_identifier(ident):
            yield Problem(
                f"{where}.id",
                f"Kode area '{ident}' tidak valid: gunakan huruf, angka, '_', '.' atau '-', "
                "diawali huruf atau '_', paling panjang 32 karakter.",
                f"The region identifier '{ident}' is not valid: use letters, digits, '_', "
                "'.' or '-', starting with a letter or '_', at most 32 characters.",
            )
        elif ident in seen:
            yield Problem(
                f"{where}.id",
                f"Kode '{ident}' dipakai lebih dari sekali.",
                f"Identifier '{ident}' is used more than once.",
            )
        seen.add(ident)
        yield from _check_shape(region, where, image)


def check_graphic(content: Mapping[str, JSON], *, minimum: int) -> Iterator[Problem]:
    """:func:`check_image`, then :func:`check_regions` of the content's ``hotspots`` on
    it (at least ``minimum``)."""
    yield from check_image(content)
    yield from check_regions(
        content["hotspots"], "hotspots", read_image(content["image"]), minimum=minimum
    )


def _check_shape(region: Mapping[str, JSON], where: str, image: Image | None) -> Iterator[Problem]:
    shape, coords, ident = region["shape"], region["coords"], region["id"]
    path = f"{where}.coords"
    if shape == "rect" and len(coords) != 4:
        yield Problem(
            path,
            f"Persegi '{ident}' memerlukan 4 koordinat (x1, y1, x2, y2).",
            f"Rectangle '{ident}' needs 4 coordinates (x1, y1, x2, y2).",
        )
        return
    if shape == "circle" and len(coords) != 3:
        yield Problem(
            path,
            f"Lingkaran '{ident}' memerlukan 3 koordinat (x, y, jari-jari).",
            f"Circle '{ident}' needs 3 coordinates (x, y, radius).",
        )
        return
    if shape == "poly" and (len(coords) % 2 or not 3 <= len(coords) // 2 <= MAX_POLY_POINTS):
        yield Problem(
            path,
            f"Poligon '{ident}' memerlukan 3 sampai {MAX_POLY_POINTS} titik (pasangan x, y).",
            f"Polygon '{ident}' needs 3 to {MAX_POLY_POINTS} points (x, y pairs).",
        )
        return
    if shape == "rect" and (coords[0] >= coords[2] or coords[1] >= coords[3]):
        yield Problem(
            path,
            f"Persegi '{ident}': x1 dan y1 harus lebih kecil dari x2 dan y2.",
            f"Rectangle '{ident}': x1 and y1 must be less than x2 and y2.",
        )
        return
    if shape == "circle" and coords[2] < 1:
        yield Problem(
            path,
            f"Lingkaran '{ident}': jari-jari paling kecil 1 piksel.",
            f"Circle '{ident}': the radius must be at least 1 pixel.",
        )
        return
    if shape == "poly" and _poly_area2(coords) == 0:
        yield Problem(
            path,
            f"Poligon '{ident}' tidak mempunyai luas (titik-titiknya segaris).",
            f"Polygon '{ident}' has no area (its points are in a line).",
        )
        return
    if image is None:
        return
    if not all(0 <= x <= image.width and 0 <= y <= image.height for x, y in _points(region)):
        yield Problem(
            path,
            f"Area '{ident}' keluar dari gambar ({image.width}×{image.height} piksel).",
            f"Region '{ident}' goes outside the image ({image.width}×{image.height} pixels).",
        )


def _points(region: Mapping[str, JSON]) -> Iterator[tuple[int, int]]:
    """The points that must lie inside the image (a circle's box)."""
    coords = region["coords"]
    if region["shape"] == "circle":
        x, y, r = coords
        yield from ((x - r, y - r), (x + r, y + r))
    else:
        yield from zip(coords[0::2], coords[1::2], strict=True)


def _poly_area2(coords: Sequence[int]) -> int:
    xs, ys = coords[0::2], coords[1::2]
    n = len(xs)
    return abs(sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n)))


def region_name(region: Mapping[str, JSON], lang: str | None = None) -> str:
    """How a region is named to people: its label, else its identifier (with ``lang``,
    for candidates: "Area A" / "Region A")."""
    if region.get("label"):
        return str(region["label"])
    if lang is None:
        return str(region["id"])
    return f"{'Region' if lang == 'en' else 'Area'} {region['id']}"


def region_options(regions: Iterable[Mapping[str, JSON]]) -> dict[str, str]:
    """The answer key's names of the regions: identifier -> label (else identifier),
    escaped."""
    return {r["id"]: str(Markup.escape(region_name(r))) for r in regions}


def regions_fact(regions: Iterable[Mapping[str, JSON]]) -> str:
    """The regions as the answer key lists them: ``"A: rect 20,20,180,130; B: ..."``."""
    return "; ".join(
        f"{r['id']}: {r['shape']} {','.join(str(c) for c in r['coords'])}" for r in regions
    )


def regions_from_qti(
    choices: Iterable[HotspotChoice], *, match_max: bool = False
) -> list[dict[str, JSON]]:
    """Content regions for QTI hotspots (with each one's ``match_max`` when the type
    keeps it)."""
    return [
        {
            "id": choice.identifier,
            "shape": choice.shape,
            "coords": list(choice.coords),
            "label": choice.label,
            **({"match_max": choice.match_max} if match_max else {}),
        }
        for choice in choices
    ]


# -- preview -----------------------------------------------------------------------------


def content_figure(content: Mapping[str, JSON], regions: Iterable[Mapping[str, Any]]) -> Markup:
    """:func:`graphic_figure` of the content's ``image`` field with ``regions`` outlined;
    empty when the field holds no image to draw on."""
    image = read_image(content["image"])
    return graphic_figure(content["image"], image, regions) if image else Markup("")


def graphic_figure(image_html: str, image: Image, regions: Iterable[Mapping[str, Any]]) -> Markup:
    """The image (its sanitized field, as it is) with an SVG overlay outlining the
    regions, lettered by identifier; the stylesheet lays the overlay over the image and
    scales both to the width available (no inline style: the CSP allows none)."""
    shapes = []
    for region in regions:
        coords = region["coords"]
        shape = region["shape"]
        if shape == "rect":
            x1, y1, x2, y2 = coords
            drawn = Markup('<rect x="{}" y="{}" width="{}" height="{}" class="ib-region"/>').format(
                x1, y1, x2 - x1, y2 - y1
            )
            tx, ty = x1 + 3, y1 + 14
        elif shape == "circle":
            x, y, r = coords
            drawn = Markup('<circle cx="{}" cy="{}" r="{}" class="ib-region"/>').format(x, y, r)
            tx, ty = x - 4, y + 5
        else:
            points = " ".join(f"{x},{y}" for x, y in zip(coords[0::2], coords[1::2], strict=True))
            drawn = Markup('<polygon points="{}" class="ib-region"/>').format(points)
            tx, ty = coords[0] + 3, coords[1] + 14
        shapes.append(
            drawn
            + Markup('<text x="{}" y="{}" class="ib-region-label">{}</text>').format(
                tx, ty, region["id"]
            )
        )
    return Markup(
        '<div class="ib-graphic">{image}<svg class="ib-graphic-overlay" viewBox="0 0 {w} {h}" '
        'preserveAspectRatio="none" aria-hidden="true" focusable="false" '
        'xmlns="http://www.w3.org/2000/svg">{shapes}</svg></div>'
    ).format(
        image=Markup(image_html),
        w=image.width,
        h=image.height,
        shapes=Markup("").join(shapes),
    )


# -- the examples' image -------------------------------------------------------------------


def _example_png(
    width: int = 400, height: int = 300, colour: bytes = b"\xf5\xf3\xea", walls: bool = True
) -> bytes:
    """A floor plan of four rooms as a PNG (RGB, made here: nothing is read from disk),
    the image of the graphic types' example content; without ``walls`` a framed tile of
    ``colour`` (the gaps of the graphic gap match example)."""
    wall = b"\x28\x28\x28"
    rows = []
    for y in range(height):
        edge = y < 3 or y >= height - 3 or (walls and height // 2 - 2 <= y <= height // 2 + 1)
        row = b"".join(
            wall
            if edge or x < 3 or x >= width - 3 or (walls and width // 2 - 2 <= x <= width // 2 + 1)
            else colour
            for x in range(width)
        )
        rows.append(b"\x00" + row)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


#: The PNG the graphic types' ``example_content`` shows; a bank must hold it (upload it)
#: before an item with that content can be saved.
EXAMPLE_PNG = _example_png()
EXAMPLE_SHA256 = hashlib.sha256(EXAMPLE_PNG).hexdigest()
EXAMPLE_IMAGE = (
    f'<img src="/media/{EXAMPLE_SHA256}" alt="Denah kantor kecamatan" width="400" height="300">'
)
#: The gaps of the graphic gap match example: coloured tiles, 60 x 24 pixels.
EXAMPLE_GAP_PNGS = tuple(
    _example_png(60, 24, colour, walls=False)
    for colour in (b"\xd9\x3f\x3f", b"\x3f\x9f\x4f", b"\x3f\x6f\xd9")
)
EXAMPLE_GAP_IMAGES = tuple(
    f'<img src="/media/{hashlib.sha256(data).hexdigest()}" alt="{name}" width="60" height="24">'
    for data, name in zip(EXAMPLE_GAP_PNGS, ("Merah", "Hijau", "Biru"), strict=True)
)
#: The rooms of the example plan as regions (the archive, the ID card counter, the
#: waiting room, the recording room): :func:`example_regions`.
_EXAMPLE_ROOMS = (
    ("rect", (20, 20, 180, 130), "Ruang arsip"),
    ("circle", (300, 75, 50), "Loket KTP-el"),
    ("poly", (40, 170, 180, 170, 110, 280), "Ruang tunggu"),
    ("rect", (220, 170, 380, 280), "Ruang perekaman"),
)


def example_regions(count: int, **extra: JSON) -> list[dict[str, JSON]]:
    """The first ``count`` rooms of :data:`EXAMPLE_PNG` as regions ``A``, ``B``, ...
    (new lists each call), each with ``extra`` fields (``match_max=2``, say)."""
    return [
        {"id": chr(ord("A") + index), "shape": shape, "coords": list(coords), "label": label}
        | extra
        for index, (shape, coords, label) in enumerate(_EXAMPLE_ROOMS[:count])
    ]


#: Every image the examples show, by SHA-256 (what a bank must hold to save them).
EXAMPLE_MEDIA = {
    hashlib.sha256(data).hexdigest(): data for data in (EXAMPLE_PNG, *EXAMPLE_GAP_PNGS)
}


# -- editor ----------------------------------------------------------------------------


def image_editor_field() -> EditorField:
    return EditorField(
        "image",
        "image",
        editor.label("Gambar", "Image"),
        help=editor.label(
            "Unggah atau pilih gambar dari bank; area diukur dalam piksel gambar.",
            "Upload or choose an image from the bank; regions are measured in image pixels.",
        ),
    )


def regions_editor_field(
    name: str,
    plural: dict[str, str],
    *,
    match_max: bool = False,
    extra: tuple[EditorField, ...] = (),
    label: bool = True,
) -> EditorField:
    """Regions drawn on the ``image`` field with the mouse (rectangles and circles by
    dragging, polygons by clicking points), with coordinate fields for the keyboard;
    ``extra`` number fields follow each region's own; without ``label`` the regions have
    no label field."""
    if match_max:
        extra = (
            EditorField(
                "match_max",
                "integer",
                editor.label("Paling banyak dipakai", "Used at most"),
                default=1,
                minimum=0,
                maximum=MAX_REGIONS,
            ),
            *extra,
        )
    return EditorField(
        name,
        "regions",
        plural,
        source="image",
        minimum=1,
        maximum=MAX_REGIONS,
        id_style="letter",
        entry_label=editor.label("Area", "Region"),
        fields=(
            EditorField(
                "shape",
                "choice",
                editor.label("Bentuk", "Shape"),
                default="rect",
                choices=(
                    ("rect", editor.label("Persegi", "Rectangle")),
                    ("circle", editor.label("Lingkaran", "Circle")),
                    ("poly", editor.label("Poligon", "Polygon")),
                ),
            ),
            EditorField("coords", "text", editor.label("Koordinat", "Coordinates")),
            *(
                (EditorField("label", "text", editor.label("Keterangan", "Label")),)
                if label
                else ()
            ),
            *extra,
        ),
    )
