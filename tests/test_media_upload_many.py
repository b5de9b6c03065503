"""Storing an import's images in one go (:func:`upload_checked_media`) writes what
storing them one by one with :func:`upload_media` writes: the same blobs, the bank's
images with their names and uploader, the same ``media.upload`` events in the same
order, nothing for an image the bank has already (its blob shared with another bank, or
its own), the same ``Media`` back; and it refuses a check that describes other bytes
before storing anything."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.media_check import inspect_image
from itembank.models import AuditEvent, Media, MediaBlob
from itembank.operations.media import upload_checked_media, upload_media
from tests.factories import World
from tests.qti_items import png


def _stored(world: World, digests: list[str]) -> dict[str, Any]:
    media = db.session.scalars(
        sa.select(Media).where(Media.bank_id == world.bank.id).order_by(Media.sha256)
    ).all()
    blobs = db.session.scalars(
        sa.select(MediaBlob).where(MediaBlob.sha256.in_(digests)).order_by(MediaBlob.sha256)
    ).all()
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.bank_id == world.bank.id, AuditEvent.action == "media.upload")
        .order_by(AuditEvent.id)
    ).all()
    return {
        "media": [(m.sha256, m.filename, m.uploaded_by_id) for m in media],
        "blobs": [(b.sha256, b.data, b.mime, b.size, b.width, b.height) for b in blobs],
        "events": [(e.actor_id, e.object_type, e.object_id, e.data) for e in events],
    }


def _images() -> list[tuple[bytes, str, Any]]:
    datas = [png(3, 3), png(4, 5), png(3, 3), png(6, 2), png(7, 7)]
    names = ["a.png", "b.png", "a-again.png", "c" * 300 + ".png", "d.png"]
    return [
        (data, name, inspect_image(data, max_bytes=100_000))
        for data, name in zip(datas, names, strict=True)
    ]


def _prepare(world: World, images: list[tuple[bytes, str, Any]]) -> None:
    """The bank has one of the images already, another bank another (its blob)."""
    upload_media(world.bank, images[3][0], actor=world.author, filename="own.png", max_bytes=10**6)
    other = World()
    upload_media(other.bank, images[4][0], actor=other.author, filename="x.png", max_bytes=10**6)
    db.session.flush()


def test_many_at_once_write_what_one_by_one_writes(session: Any) -> None:
    images = _images()
    digests = sorted({info.sha256 for _data, _name, info in images})
    results = []
    for together in (False, True):
        world = World()
        _prepare(world, images)
        if together:
            given = upload_checked_media(world.bank, images, actor=world.author)
        else:
            given = [
                upload_media(
                    world.bank, data, actor=world.author, filename=name, max_bytes=1, checked=info
                )
                for data, name, info in images
            ]
        db.session.flush()
        assert [m.sha256 for m in given] == [info.sha256 for _d, _n, info in images]
        assert given[0] is given[2]
        state = _stored(world, digests)
        state["media"] = [(sha, name, uid == world.author.id) for sha, name, uid in state["media"]]
        state["events"] = [(actor == world.author.id, *rest) for actor, *rest in state["events"]]
        results.append(state)
    one_by_one, together = results
    assert together == one_by_one
    assert len(together["events"]) == 4  # the bank's own image: no second event
    assert [name for _sha, name, _by in together["media"]].count("own.png") == 1


def test_a_check_of_other_bytes_stores_nothing(session: Any) -> None:
    world = World()
    images = _images()
    wrong = [images[0], (images[1][0], "b.png", images[4][2])]
    with pytest.raises(ValueError, match="other bytes"):
        upload_checked_media(world.bank, wrong, actor=world.author)
    assert db.session.scalars(sa.select(Media).where(Media.bank_id == world.bank.id)).all() == []
