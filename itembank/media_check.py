"""Checks for uploaded images (pure: no Flask, no database).

Only PNG, JPEG and GIF are accepted, and only when the leading bytes say so *and*
Pillow decodes the file completely as that same format. SVG (which can carry script),
WebP, BMP, text or HTML renamed to ``.png``, truncated files and files whose signature
lies about their content are all refused with one bilingual message.

Decompression bombs are refused before any pixel is decoded: the dimensions are read
from the file header by this module and compared with ``max_pixels``; Pillow only
sees files that are within the limit. Pillow's own bomb check is process-wide and
only warns below twice its limit, so it is not relied on (and since the limit used
here never exceeds Pillow's, Pillow never gets to warn).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image

__all__ = ["DEFAULT_MAX_BYTES", "MAX_PIXELS", "ImageInfo", "MediaError", "inspect_image"]

#: Default largest accepted image, in pixels (width × height).
MAX_PIXELS = 25_000_000
#: Default largest accepted image file, in bytes (``ITEMBANK_MEDIA_MAX_BYTES``): 2 MB.
DEFAULT_MAX_BYTES = 2 * 1024 * 1024

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_GIF_SIGNATURES = (b"GIF87a", b"GIF89a")

# kind -> (mime, extension, Pillow formats accepted for it)
_KINDS: dict[str, tuple[str, str, frozenset[str]]] = {
    "PNG": ("image/png", "png", frozenset({"PNG"})),
    # Camera files with several pictures are identified as MPO; they are JPEGs.
    "JPEG": ("image/jpeg", "jpg", frozenset({"JPEG", "MPO"})),
    "GIF": ("image/gif", "gif", frozenset({"GIF"})),
}
#: The media types of the images the bank accepts.
IMAGE_MEDIA_TYPES = frozenset(mime for mime, _extension, _formats in _KINDS.values())

# JPEG start-of-frame markers (baseline, progressive, lossless, arithmetic, ...).
_JPEG_SOF = frozenset({*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC)}) | {
    0xCD,
    0xCE,
    0xCF,
}
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


class MediaError(ValueError):
    """An upload was refused. The messages are meant for the person who uploaded it.

    :param message_id: the message in Indonesian.
    :param message_en: the same message in English.
    :param code: a stable machine-readable reason: ``"empty"``, ``"too_large"``,
        ``"too_many_pixels"`` or ``"invalid"``.
    """

    def __init__(self, message_id: str, message_en: str, *, code: str = "invalid") -> None:
        super().__init__(message_en)
        self.message_id = message_id
        self.message_en = message_en
        self.code = code

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message_id, "message_en": self.message_en}


@dataclass(frozen=True)
class ImageInfo:
    """A checked image.

    :param mime: ``"image/png"``, ``"image/jpeg"`` or ``"image/gif"``.
    :param extension: the usual file extension without the dot: ``"png"``, ``"jpg"``
        or ``"gif"``.
    :param width: width in pixels.
    :param height: height in pixels.
    :param sha256: lowercase hex SHA-256 of the bytes (the bank's media address).
    :param size: size of the file in bytes.
    """

    mime: str
    extension: str
    width: int
    height: int
    sha256: str
    size: int


def _invalid() -> MediaError:
    return MediaError(
        "Berkas bukan gambar PNG, JPEG, atau GIF yang valid.",
        "File is not a valid PNG, JPEG or GIF image.",
        code="invalid",
    )


def _number(value: float, decimal_mark: str) -> str:
    """``5`` -> ``"5"``, ``0.5`` -> ``"0.5"`` (or ``"0,5"``), two decimals at most."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal_mark)


def _too_large(max_bytes: int) -> MediaError:
    megabytes = max_bytes / (1024 * 1024)
    return MediaError(
        f"Berkas terlalu besar; ukuran maksimum {_number(megabytes, ',')} MB.",
        f"File is too large; the maximum size is {_number(megabytes, '.')} MB.",
        code="too_large",
    )


def _too_many_pixels(width: int, height: int, max_pixels: int) -> MediaError:
    megapixels = max_pixels / 1_000_000
    return MediaError(
        f"Dimensi gambar terlalu besar ({width}×{height} piksel); "
        f"maksimum {_number(megapixels, ',')} megapiksel.",
        f"Image dimensions are too large ({width}×{height} pixels); "
        f"the maximum is {_number(megapixels, '.')} megapixels.",
        code="too_many_pixels",
    )


# -- header parsing -------------------------------------------------------------------------


def _kind(data: bytes) -> str | None:
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data.startswith(_JPEG_SIGNATURE):
        return "JPEG"
    if data.startswith(_GIF_SIGNATURES):
        return "GIF"
    return None


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk must be IHDR (length 13): width and height, big-endian.
    if len(data) < 24 or data[8:16] != b"\x00\x00\x00\x0dIHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Dimensions from the first start-of-frame segment before the scan data."""
    index = 2
    length = len(data)
    while index + 4 <= length:
        if data[index] != 0xFF:
            index += 1  # tolerate stray bytes between segments, as decoders do
            continue
        marker = data[index + 1]
        if marker == 0xFF:  # fill byte
            index += 1
            continue
        if marker in _JPEG_STANDALONE:
            index += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan: no frame header seen
            return None
        segment = int.from_bytes(data[index + 2 : index + 4], "big")
        if marker in _JPEG_SOF:
            if index + 9 > length or segment < 8:
                return None
            height = int.from_bytes(data[index + 5 : index + 7], "big")
            width = int.from_bytes(data[index + 7 : index + 9], "big")
            return width, height
        if segment < 2:
            return None
        index += 2 + segment
    return None


def _gif_size(data: bytes) -> tuple[int, int] | None:
    """The canvas, grown to the first frame's extent (as Pillow grows it)."""
    if len(data) < 13:
        return None
    width = int.from_bytes(data[6:8], "little")
    height = int.from_bytes(data[8:10], "little")
    index = 13
    flags = data[10]
    if flags & 0x80:
        index += 3 << ((flags & 7) + 1)
    length = len(data)
    while index < length:
        block = data[index]
        if block == 0x21:  # extension: label, then data sub-blocks
            index += 2
            while index < length and data[index]:
                index += data[index] + 1
            index += 1
        elif block == 0x2C:  # image descriptor
            if index + 9 > length:
                return None
            left = int.from_bytes(data[index + 1 : index + 3], "little")
            top = int.from_bytes(data[index + 3 : index + 5], "little")
            frame_width = int.from_bytes(data[index + 5 : index + 7], "little")
            frame_height = int.from_bytes(data[index + 7 : index + 9], "little")
            return max(width, left + frame_width), max(height, top + frame_height)
        else:
            return None
    return None


_HEADER_SIZE = {"PNG": _png_size, "JPEG": _jpeg_size, "GIF": _gif_size}


# -- the check -----------------------------------------------------------------------------


def inspect_image(data: bytes, *, max_bytes: int, max_pixels: int = MAX_PIXELS) -> ImageInfo:
    """Check an uploaded image and describe it.

    :param data: the uploaded bytes.
    :param max_bytes: the largest accepted file size.
    :param max_pixels: the largest accepted width × height. Pillow's own process-wide
        limit (``PIL.Image.MAX_IMAGE_PIXELS``) caps it.
    :raises MediaError: empty, too large, too many pixels, or not a valid PNG, JPEG or
        GIF image.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if max_bytes <= 0 or max_pixels <= 0:
        raise ValueError("max_bytes and max_pixels must be positive")
    if not data:
        raise MediaError("Berkas kosong.", "The file is empty.", code="empty")
    if len(data) > max_bytes:
        raise _too_large(max_bytes)

    kind = _kind(data)
    if kind is None:
        raise _invalid()
    mime, extension, formats = _KINDS[kind]

    if Image.MAX_IMAGE_PIXELS is not None:
        max_pixels = min(max_pixels, Image.MAX_IMAGE_PIXELS)

    dimensions = _HEADER_SIZE[kind](data)
    if dimensions is None or 0 in dimensions:
        raise _invalid()
    if dimensions[0] * dimensions[1] > max_pixels:
        raise _too_many_pixels(*dimensions, max_pixels)

    width, height = _decode(data, kind, formats, max_pixels, dimensions)
    return ImageInfo(
        mime=mime,
        extension=extension,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


def _decode(
    data: bytes,
    kind: str,
    formats: frozenset[str],
    max_pixels: int,
    header_size: tuple[int, int],
) -> tuple[int, int]:
    """Have Pillow identify, verify and fully decode the image; return its size."""
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            if image.format not in formats:
                raise _invalid()
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(width, height, max_pixels)
            image.verify()  # structure and checksums (PNG); no pixel data yet
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            image.load()  # decode the (first frame's) pixels; truncation fails here
            if image.size != (width, height):
                raise _invalid()
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Only reachable if the header parse and Pillow disagree about the size.
        raise _too_many_pixels(*header_size, max_pixels) from None  # pragma: no cover
    except Exception:  # Pillow signals bad data with many exception types
        raise _invalid() from None
    return width, height
