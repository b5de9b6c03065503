"""Bank images in the web UI: ``/media/<sha256>`` (the address stored in items) for
members of a bank that holds the image, the bank's image list for the editor's picker,
and uploads."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Response, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from itembank.access import ensure_visible
from itembank.errors import DomainError, InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import Media, MediaBlob
from itembank.operations.accounts import get_bank
from itembank.operations.media import read_media_anywhere, upload_media
from itembank.ui.blueprint import actor, bp, commit, login_required
from itembank.ui.errors import domain_status
from itembank.ui.i18n import gettext as _
from itembank.ui.i18n import problem_text

SHA256 = re.compile(r"[0-9a-f]{64}")
MEDIA_LIST_LIMIT = 200


@bp.get("/media/<sha256>")
@login_required
def media(sha256: str) -> ResponseReturnValue:
    """The image, if it belongs to a bank the user is a member of (else 404); the read
    is audited as ``media.read``."""
    user = actor()
    if not SHA256.fullmatch(sha256):
        raise NotFound(f"no image {sha256!r}")
    blob = read_media_anywhere(sha256, actor=user, via="web")
    commit()
    response = Response(blob.data, mimetype=blob.mime)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


@bp.get("/banks/<code>/media.json")
@login_required
def bank_media(code: str) -> ResponseReturnValue:
    """The bank's images, newest first, for the editor's image picker."""
    user = actor()
    bank = get_bank(code)
    ensure_visible(user, bank)
    rows = db.session.execute(
        sa.select(Media, MediaBlob.width, MediaBlob.height)
        .join(MediaBlob, MediaBlob.sha256 == Media.sha256)
        .where(Media.bank_id == bank.id)
        .order_by(Media.created_at.desc(), Media.id.desc())
        .limit(MEDIA_LIST_LIMIT)
    ).all()
    return jsonify(
        images=[
            {
                "sha256": m.sha256,
                "src": f"/media/{m.sha256}",
                "filename": m.filename,
                "width": width,
                "height": height,
            }
            for m, width, height in rows
        ]
    )


@bp.post("/banks/<code>/media", endpoint="upload_media")
@login_required
def upload_media_view(code: str) -> ResponseReturnValue:
    """Upload an image (authors and bank admins); answers JSON for the editor."""
    user = actor()
    try:
        bank = get_bank(code)
        ensure_visible(user, bank)
        upload = request.files.get("file")
        if upload is None:
            raise InvalidInput(
                "send the image in the form field 'file'",
                [
                    {
                        "field": "file",
                        "message": "Pilih berkas gambar.",
                        "message_en": "Choose an image file.",
                    }
                ],
            )
        limit = int(current_app.config["ITEMBANK_MEDIA_MAX_BYTES"])
        data = upload.stream.read(limit + 1)
        if len(data) > limit:
            return jsonify(error=_("The image is larger than %(kb)d KB.", kb=limit // 1024)), 413
        stored = upload_media(
            bank, data, actor=user, filename=upload.filename or "", max_bytes=limit
        )
    except DomainError as exc:
        db.session.rollback()
        problems = exc.problems if isinstance(exc, InvalidInput) else []
        message = "; ".join(problem_text(p) for p in problems) or _(
            "You cannot upload images to this bank."
        )
        return jsonify(error=message), domain_status(exc)
    commit()
    return jsonify(
        sha256=stored.sha256, src=f"/media/{stored.sha256}", filename=stored.filename
    ), 201
