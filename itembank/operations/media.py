"""Uploading and reading a bank's images. Reading one (its bytes, by the API or the web
UI) is recorded as a ``media.read`` audit event, as reading an item is ``item.read``:
an image can give an item away."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa

from itembank.access import ensure_visible, require_role
from itembank.audit import record
from itembank.errors import InvalidInput, NotFound
from itembank.extensions import db
from itembank.media_check import ImageInfo, MediaError, inspect_image
from itembank.models import AuditEvent, Bank, Media, MediaBlob, Membership, Role, User
from itembank.models._types import utcnow


def upload_media(
    bank: Bank,
    data: bytes,
    *,
    actor: User,
    filename: str = "",
    max_bytes: int,
    checked: ImageInfo | None = None,
) -> Media:
    """Store an image for ``bank``; the same bytes are stored once however often and
    wherever they are uploaded.

    :param checked: what :func:`~itembank.media_check.inspect_image` gave for ``data``
        with this ``max_bytes``, when the caller has checked it already (an import checks
        each of its images once); it must describe these bytes (their SHA-256 and size),
        else :class:`ValueError`. ``None``: the image is checked here."""
    require_role(actor, bank, Role.AUTHOR, Role.BANK_ADMIN, doing="upload images")
    if checked is not None:
        _ensure_describes(checked, data)
        info = checked
    else:
        try:
            info = inspect_image(data, max_bytes=max_bytes)
        except MediaError as exc:
            raise InvalidInput(
                str(exc),
                [{"field": "file", "message": exc.message_id, "message_en": exc.message_en}],
            ) from None
    if db.session.get(MediaBlob, info.sha256) is None:
        db.session.add(_blob(data, info))
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
    _record_upload(media, info, actor=actor, bank=bank)
    return media


def _blob(data: bytes, info: ImageInfo) -> MediaBlob:
    return MediaBlob(
        sha256=info.sha256,
        data=data,
        mime=info.mime,
        size=info.size,
        width=info.width,
        height=info.height,
    )


def _record_upload(media: Media, info: ImageInfo, *, actor: User, bank: Bank) -> None:
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


def _ensure_describes(checked: ImageInfo, data: bytes) -> None:
    if checked.size != len(data) or checked.sha256 != hashlib.sha256(data).hexdigest():
        raise ValueError("the image check given describes other bytes")


#: Images looked up per statement by :func:`upload_checked_media`.
_LOOKUP_CHUNK = 500


def upload_checked_media(
    bank: Bank, images: Sequence[tuple[bytes, str, ImageInfo]], *, actor: User
) -> list[Media]:
    """:func:`upload_media` of many images already checked (``(data, filename, checked)``
    each, in order; an import checks each of its images once), with the same rows and
    ``media.upload`` events in the same order as calling it for each, but the stored
    blobs and the bank's images looked up a chunk at a time and one flush for all
    instead of two look-ups and a flush per image. Returns each image's ``Media``."""
    require_role(actor, bank, Role.AUTHOR, Role.BANK_ADMIN, doing="upload images")
    for data, _filename, checked in images:
        _ensure_describes(checked, data)
    digests = list(dict.fromkeys(checked.sha256 for _data, _filename, checked in images))
    blobs: set[str] = set()
    known: dict[str, Media] = {}
    for start in range(0, len(digests), _LOOKUP_CHUNK):
        chunk = digests[start : start + _LOOKUP_CHUNK]
        blobs.update(
            db.session.scalars(sa.select(MediaBlob.sha256).where(MediaBlob.sha256.in_(chunk)))
        )
        for media in db.session.scalars(  # (one per bank and image: a unique pair)
            sa.select(Media).where(Media.bank_id == bank.id, Media.sha256.in_(chunk))
        ):
            known[media.sha256] = media
    added: list[tuple[Media, ImageInfo]] = []
    result: list[Media] = []
    for data, filename, info in images:
        if info.sha256 not in blobs:
            blobs.add(info.sha256)
            db.session.add(_blob(data, info))
        media = known.get(info.sha256)
        if media is None:
            media = known[info.sha256] = Media(
                bank_id=bank.id,
                sha256=info.sha256,
                filename=filename[:255],
                uploaded_by_id=actor.id,
            )
            db.session.add(media)
            added.append((media, info))
        result.append(media)
    if added:
        db.session.flush()
        _record_uploads(added, actor=actor, bank=bank)
    return result


def _record_uploads(added: list[tuple[Media, ImageInfo]], *, actor: User, bank: Bank) -> None:
    """:func:`_record_upload` of each of ``added``, in order, written in one multi-row
    INSERT (an import stores hundreds of images) with one time for all of them."""
    from itembank.operations.import_writes import insert_rows

    now = utcnow()
    insert_rows(
        AuditEvent,
        [
            {
                # what record("media.upload", ...) writes
                "created_at": now,
                "action": "media.upload",
                "actor_id": actor.id,
                "bank_id": bank.id,
                "item_id": None,
                "version_number": None,
                "from_status": None,
                "to_status": None,
                "reason": "",
                "object_type": "media",
                "object_id": info.sha256,
                "data": {"filename": media.filename, "size": info.size, "mime": info.mime},
            }
            for media, info in added
        ],
    )


def get_media(bank: Bank, sha256: str, *, actor: User) -> Media:
    ensure_visible(actor, bank)
    media = db.session.scalars(
        sa.select(Media).where(Media.bank_id == bank.id, Media.sha256 == sha256)
    ).first()
    if media is None:
        raise NotFound(f"no image {sha256!r} in bank {bank.code}")
    return media


def record_media_read(actor: User, media: Media, via: str) -> None:
    """Record that ``actor`` read the image's bytes (``via``: which path)."""
    record(
        "media.read",
        actor=actor,
        bank=db.session.get(Bank, media.bank_id),
        object_type="media",
        object_id=media.sha256,
        via=via,
    )


def read_media(bank: Bank, sha256: str, *, actor: User, via: str) -> MediaBlob:
    """The bytes of ``bank``'s image ``sha256`` for a member of the bank (NotFound
    otherwise), the read recorded."""
    media = get_media(bank, sha256, actor=actor)
    record_media_read(actor, media, via)
    return media.blob


def read_media_anywhere(sha256: str, *, actor: User, via: str) -> MediaBlob:
    """The bytes of image ``sha256`` if it belongs to a bank ``actor`` is a member of
    (any bank for a global administrator; NotFound otherwise), the read recorded against
    the first such bank. The address items store (``/media/<sha256>``) names no bank."""
    query = sa.select(Media).where(Media.sha256 == sha256)
    if not actor.is_admin:
        query = query.where(
            Media.bank_id.in_(sa.select(Membership.bank_id).where(Membership.user_id == actor.id))
        )
    media = db.session.scalars(query.order_by(Media.id).limit(1)).first()
    if media is None:
        raise NotFound(f"no image {sha256!r}")
    record_media_read(actor, media, via)
    return media.blob
