"""Images: upload, storage once per hash, use in items, bank boundaries."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from itembank.errors import InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import MediaBlob
from itembank.operations.media import get_media, upload_media
from tests.factories import World, make_item

LIMIT = 200_000


def png(color: str = "red", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def test_upload_and_use_in_a_stem(world: World, plugins: Any) -> None:
    media = upload_media(
        world.bank, png(), actor=world.author, filename="grafik.png", max_bytes=LIMIT
    )
    blob = db.session.get(MediaBlob, media.sha256)
    assert (blob.mime, blob.width, blob.height) == ("image/png", 8, 6)
    stem = f'<p>Perhatikan grafik.</p><p><img src="/media/{media.sha256}" alt="Grafik"></p>'
    item = make_item(world, plugins, stem=stem)
    assert f'src="/media/{media.sha256}"' in item.latest_version.stem


def test_same_bytes_are_stored_once(session: Any) -> None:
    first, second = World(), World()
    data = png("blue")
    a = upload_media(first.bank, data, actor=first.author, max_bytes=LIMIT)
    again = upload_media(first.bank, data, actor=first.author, max_bytes=LIMIT)
    b = upload_media(second.bank, data, actor=second.author, max_bytes=LIMIT)
    assert a.id == again.id and a.id != b.id
    assert a.sha256 == b.sha256
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(MediaBlob).where(MediaBlob.sha256 == a.sha256)
    )
    assert count == 1


def test_items_cannot_use_images_of_other_banks(session: Any, plugins: Any) -> None:
    mine, theirs = World(), World()
    media = upload_media(theirs.bank, png("green"), actor=theirs.author, max_bytes=LIMIT)
    with pytest.raises(InvalidInput) as info:
        make_item(mine, plugins, stem=f'<p>Lihat</p><img src="/media/{media.sha256}" alt="">')
    assert info.value.problems[0]["field"] == "stem"
    assert "has not been uploaded" in info.value.problems[0]["message_en"]
    with pytest.raises(NotFound):
        get_media(theirs.bank, media.sha256, actor=mine.author)


def test_images_in_options_are_checked_too(world: World, plugins: Any) -> None:
    missing = "a" * 64
    content = {
        "options": [
            {"id": "A", "text": f'<img src="/media/{missing}" alt="pola A">'},
            {"id": "B", "text": "Pola B"},
        ],
        "key": "A",
    }
    with pytest.raises(InvalidInput) as info:
        make_item(world, plugins, content=content)
    assert info.value.problems[0]["field"] == "content.options.0.text"


def test_upload_refuses_non_images_and_big_files(world: World) -> None:
    with pytest.raises(InvalidInput) as info:
        upload_media(world.bank, b"<svg onload=alert(1)>", actor=world.author, max_bytes=LIMIT)
    assert info.value.problems[0]["field"] == "file"
    big = png(size=(400, 400))
    with pytest.raises(InvalidInput):
        upload_media(world.bank, big, actor=world.author, max_bytes=len(big) - 1)


@pytest.mark.parametrize("who", ["reviewer", "assembler"])
def test_only_authors_and_bank_admins_upload(world: World, who: str) -> None:
    with pytest.raises(PermissionDenied):
        upload_media(world.bank, png(), actor=world.users[who], max_bytes=LIMIT)
    with pytest.raises(NotFound):
        upload_media(world.bank, png(), actor=world.outsider, max_bytes=LIMIT)
