"""Uploading and reading a bank's images."""

from __future__ import annotations

import sqlalchemy as sa

from itembank.access import ensure_visible, require_role
from itembank.audit import record
from itembank.errors import InvalidInput, NotFound
from itembank.extensions import db
from itembank.media_check import MediaError, inspect_image
from itembank.models import Bank, Media, MediaBlob, Role, User


def upload_media(
    bank: Bank, data: bytes, *, actor: User, filename: str = "", max_bytes: int
) -> Media:
    """Store an image for ``bank``; the same bytes are stored once however often and
    wherever they are uploaded."""
    require_role(actor, bank, Role.AUTHOR, Role.BANK_ADMIN, doing="upload images")
    try:
        info = inspect_image(data, max_bytes=max_bytes)
    except MediaError as exc:
        raise InvalidInput(
            str(exc),
            [{"field": "file", "message": exc.message_id, "message_en": exc.message_en}],
        ) from None
    blob = db.session.get(MediaBlob, info.sha256)
    if blob is None:
        blob = MediaBlob(
            sha256=info.sha256,
            data=data,
            mime=info.mime,
            size=info.size,
            width=info.width,
            height=info.height,
        )
        db.session.add(blob)
    media = db.session.scalars(
        sa.select(Media).where(Media.bank_id == bank.id, Media.sha256 == info.sha256)
    ).first()
    if media is not None:
        return media
    media = Media(
        bank_id=bank.id, sha256=info.sha256, filename=filename[:255], uploaded_by_id=actor.id
    )
    db.session.add(media)
    db.session.flush()
    record(
        "media.upload",
        actor=actor,
        bank=bank,
        object_type="media",
        object_id=info.sha256,
        filename=media.filename,
        size=info.size,
        mime=info.mime,
    )
    return media


def get_media(bank: Bank, sha256: str, *, actor: User) -> Media:
    ensure_visible(actor, bank)
    media = db.session.scalars(
        sa.select(Media).where(Media.bank_id == bank.id, Media.sha256 == sha256)
    ).first()
    if media is None:
        raise NotFound(f"no image {sha256!r} in bank {bank.code}")
    return media
