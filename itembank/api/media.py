"""A bank's images: upload (multipart ``file``) and download."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, url_for
from flask.views import MethodView

from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import MULTIPART, Extended, make_blueprint, read_upload
from itembank.api.schemas import MediaOut
from itembank.operations.media import read_media, upload_media

blp = make_blueprint("media", "Images used in stems and options.")

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}


def media_view(media: Any, bank_code: str) -> Extended:
    url = url_for("media.MediaBySha", bank_code=bank_code, sha256=media.sha256)
    return Extended(media, url=url)


@blp.route("/banks/<bank_code>/media")
class MediaUpload(MethodView):
    @blp.doc(**UPLOAD_DOC)
    @blp.response(201, MediaOut)
    @blp.alt_response(413, description="the image is larger than ITEMBANK_MEDIA_MAX_BYTES")
    def post(self, bank_code: str) -> Any:
        """Upload a PNG, JPEG or GIF (authors and bank admins); stored once per SHA-256"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        limit = int(current_app.config["ITEMBANK_MEDIA_MAX_BYTES"])
        filename, data = read_upload(limit, "image")
        media = upload_media(bank, data, actor=actor, filename=filename, max_bytes=limit)
        view = media_view(media, bank.code)
        return view, {"Location": view.url}


MULTIPART.add("media.MediaUpload")


@blp.route("/banks/<bank_code>/media/<sha256>")
class MediaBySha(MethodView):
    @blp.response(200, description="the image bytes")
    def get(self, bank_code: str, sha256: str) -> Any:
        """Download an image (any member; the read is audited as ``media.read``)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        blob = read_media(bank, sha256.lower(), actor=actor, via="api")
        response = Response(blob.data, mimetype=blob.mime)
        response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
