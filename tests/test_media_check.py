"""Tests for uploaded image checks (itembank.media_check)."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib

import pytest
from PIL import Image

from itembank.media_check import ImageInfo, MediaError, inspect_image

MB = 1024 * 1024
INVALID_ID = "Berkas bukan gambar PNG, JPEG, atau GIF yang valid."
INVALID_EN = "File is not a valid PNG, JPEG or GIF image."


def pillow_image(fmt: str, size: tuple[int, int] = (40, 30), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, (200, 30, 60) if mode == "RGB" else 1)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def noisy_image(fmt: str, size: tuple[int, int] = (128, 128)) -> bytes:
    """An image whose pixel data is most of the file (so cutting it hits the pixels)."""
    image = Image.effect_noise(size, 64).convert("RGB" if fmt != "GIF" else "P")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (20, 10), color) for color in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def handmade_png(width: int, height: int, *, idat: bytes | None = None) -> bytes:
    """A 1-bit greyscale PNG written byte by byte (cheap even for large sizes)."""
    if idat is None:
        row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte + packed pixels
        idat = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def refused(data: bytes, **kwargs: int) -> MediaError:
    kwargs.setdefault("max_bytes", 10 * MB)
    with pytest.raises(MediaError) as info:
        inspect_image(data, **kwargs)
    return info.value


# -- accepted images ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mime", "extension"),
    [("PNG", "image/png", "png"), ("JPEG", "image/jpeg", "jpg"), ("GIF", "image/gif", "gif")],
)
def test_valid_images_are_described(fmt: str, mime: str, extension: str) -> None:
    data = pillow_image(fmt, (40, 30))
    info = inspect_image(data, max_bytes=MB)
    assert info == ImageInfo(
        mime=mime,
        extension=extension,
        width=40,
        height=30,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGBA", "I;16"])
def test_png_modes(mode: str) -> None:
    image = Image.new(mode, (8, 8))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert inspect_image(buffer.getvalue(), max_bytes=MB).mime == "image/png"


def test_grayscale_and_progressive_jpeg() -> None:
    gray = pillow_image("JPEG", (16, 16), mode="L")
    assert inspect_image(gray, max_bytes=MB).width == 16
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(buffer, format="JPEG", progressive=True)
    assert (inspect_image(buffer.getvalue(), max_bytes=MB).height) == 48


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF"])
def test_noisy_images(fmt: str) -> None:
    assert inspect_image(noisy_image(fmt), max_bytes=MB).width == 128


def test_animated_gif() -> None:
    info = inspect_image(animated_gif(), max_bytes=MB)
    assert (info.mime, info.width, info.height) == ("image/gif", 20, 10)


def test_handmade_png_is_valid() -> None:
    info = inspect_image(handmade_png(300, 200), max_bytes=MB)
    assert (info.width, info.height) == (300, 200)


def test_bytearray_and_memoryview_are_accepted() -> None:
    data = pillow_image("PNG")
    assert inspect_image(bytearray(data), max_bytes=MB).sha256 == hashlib.sha256(data).hexdigest()
    assert inspect_image(memoryview(data), max_bytes=MB).size == len(data)


def test_exactly_at_the_limits() -> None:
    data = pillow_image("PNG", (50, 40))
    info = inspect_image(data, max_bytes=len(data), max_pixels=2000)
    assert info.size == len(data)


# -- empty and too large ------------------------------------------------------------------------


def test_empty_file() -> None:
    error = refused(b"")
    assert error.code == "empty"
    assert error.message_id == "Berkas kosong."
    assert error.message_en == "The file is empty."


def test_too_many_bytes() -> None:
    data = pillow_image("PNG")
    error = refused(data, max_bytes=len(data) - 1)
    assert error.code == "too_large"


@pytest.mark.parametrize(
    ("max_bytes", "id_text", "en_text"),
    [(5 * MB, "5 MB", "5 MB"), (MB // 2, "0,5 MB", "0.5 MB"), (int(1.25 * MB), "1,25", "1.25")],
)
def test_size_message_names_the_limit(max_bytes: int, id_text: str, en_text: str) -> None:
    error = refused(b"x" * (max_bytes + 1), max_bytes=max_bytes)
    assert error.code == "too_large"
    assert error.message_id.startswith("Berkas terlalu besar")
    assert id_text in error.message_id
    assert error.message_en.startswith("File is too large")
    assert en_text in error.message_en
    assert str(error) == error.message_en


def test_size_is_checked_before_content() -> None:
    assert refused(b"<svg/>" * 100, max_bytes=10).code == "too_large"


def test_too_many_pixels_handmade_png() -> None:
    data = handmade_png(6000, 6000)  # 36 megapixels in a few kilobytes
    assert len(data) < 100_000
    error = refused(data)
    assert error.code == "too_many_pixels"
    assert "6000×6000" in error.message_id
    assert "25 megapiksel" in error.message_id
    assert "25 megapixels" in error.message_en


def test_too_many_pixels_custom_limit() -> None:
    error = refused(pillow_image("PNG", (100, 100)), max_pixels=9_999)
    assert error.code == "too_many_pixels"
    assert "0,01 megapiksel" in error.message_id


def test_bomb_beyond_pillow_limit_is_refused_without_warning() -> None:
    # 400 megapixels: beyond Pillow's own error threshold. The pixel data is not even
    # there; the header alone must be enough to refuse it (pytest turns warnings into
    # errors, so a DecompressionBombWarning would fail this test).
    data = handmade_png(20_000, 20_000, idat=zlib.compress(b"\x00" * 100))
    error = refused(data, max_pixels=10**10)
    assert error.code == "too_many_pixels"


def test_jpeg_header_claiming_huge_size() -> None:
    data = bytearray(pillow_image("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", 30_000, 30_000)
    error = refused(bytes(data))
    assert error.code == "too_many_pixels"
    assert "30000×30000" in error.message_en


def test_gif_with_small_canvas_and_huge_frame() -> None:
    data = (
        b"GIF89a"
        + struct.pack("<HHBBB", 1, 1, 0, 0, 0)  # 1x1 canvas, no colour table
        + b","
        + struct.pack("<HHHHB", 0, 0, 10_000, 10_000, 0)  # 10000x10000 frame
        + b"\x02\x02\x4c\x01\x00;"
    )
    assert refused(data).code == "too_many_pixels"


# -- not images, or not what they claim -----------------------------------------------------------


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def _corrupt_png_crc() -> bytes:
    data = bytearray(pillow_image("PNG"))
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SVG, id="svg"),
        pytest.param(b'<?xml version="1.0"?>' + SVG, id="svg-xml-declaration"),
        pytest.param(HTML, id="html"),
        pytest.param(b"Ini hanya teks biasa.\n", id="text"),
        pytest.param(b"\x00" * 64, id="zeros"),
        pytest.param(pillow_image("WEBP"), id="webp"),
        pytest.param(pillow_image("BMP"), id="bmp"),
        pytest.param(pillow_image("TIFF"), id="tiff"),
        pytest.param(pillow_image("ICO", (16, 16)), id="ico"),
        pytest.param(pillow_image("PNG")[:60], id="truncated-png"),
        pytest.param(pillow_image("PNG")[:-20], id="png-without-end"),
        pytest.param(pillow_image("JPEG", (64, 64))[:300], id="jpeg-cut-in-header"),
        pytest.param(noisy_image("JPEG")[:-2000], id="jpeg-cut-in-pixels"),
        pytest.param(noisy_image("PNG")[:-2000], id="png-cut-in-pixels"),
        pytest.param(noisy_image("GIF")[:40], id="gif-cut-in-header"),
        pytest.param(noisy_image("GIF")[:-2000], id="gif-cut-in-pixels"),
        pytest.param(_corrupt_png_crc(), id="png-bad-crc"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + HTML, id="png-signature-html"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + pillow_image("GIF")[6:], id="png-signature-gif"),
        pytest.param(b"\xff\xd8\xff" + HTML, id="jpeg-signature-html"),
        pytest.param(
            pillow_image("JPEG")[:3] + pillow_image("PNG")[3:], id="jpeg-signature-png-body"
        ),
        pytest.param(b"GIF89a" + SVG, id="gif-signature-svg"),
        pytest.param(b"GIF89a", id="gif-signature-only"),
        pytest.param(b"\x89PNG\r\n\x1a\n", id="png-signature-only"),
        pytest.param(handmade_png(0, 10), id="png-zero-width"),
        pytest.param(handmade_png(10, 10, idat=b"not zlib"), id="png-bad-idat"),
        pytest.param(pillow_image("PNG")[8:], id="png-without-signature"),
    ],
)
def test_not_a_valid_image(data: bytes) -> None:
    error = refused(data)
    assert error.code == "invalid"
    assert error.message_id == INVALID_ID
    assert error.message_en == INVALID_EN
    assert error.as_dict() == {"code": "invalid", "message": INVALID_ID, "message_en": INVALID_EN}


def test_non_bytes_input() -> None:
    with pytest.raises(TypeError):
        inspect_image("GIF89a", max_bytes=MB)  # type: ignore[arg-type]


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        inspect_image(pillow_image("PNG"), max_bytes=0)
    with pytest.raises(ValueError):
        inspect_image(pillow_image("PNG"), max_bytes=MB, max_pixels=0)
