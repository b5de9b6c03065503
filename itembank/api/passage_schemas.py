"""marshmallow schemas of the passages API (:mod:`itembank.api.passages`)."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from itembank.api.common import DB_INT_MAX
from itembank.api.schemas import _username
from itembank.operations.passages import MAX_BODY_CHARS, MAX_PAGE, MAX_TITLE_CHARS
from itembank.workflow import Status

BODY_DOC = {
    "maxLength": MAX_BODY_CHARS,
    "description": "rich text: HTML with tables, images of the bank (/media/<sha256>) and "
    "MathML, sanitized on save",
}
#: What a title may not hold: control characters other than whitespace (the operation
#: refuses them too, and collapses whitespace).
TITLE_CHARS = validate.Regexp(
    r"^[^\x00-\x08\x0e-\x1b\x7f-\x9f]*$",
    error="The title may not contain control characters.",
)
TITLE = [validate.Length(max=MAX_TITLE_CHARS), TITLE_CHARS]


class PassageCreateIn(ma.Schema):
    title = fields.String(
        required=True,
        validate=TITLE,
        metadata={"description": f"plain text, at most {MAX_TITLE_CHARS} characters"},
    )
    body = fields.String(required=True, metadata=BODY_DOC)


class PassagePatchIn(ma.Schema):
    """Only the fields given change."""

    title = fields.String(validate=TITLE)
    body = fields.String(metadata=BODY_DOC)


class PassageListQuery(ma.Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "words of the title, case-insensitive"},
    )
    retired = fields.Boolean(
        metadata={"description": "only retired passages (true) or only those in use (false)"}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE))


class PassageReviewOut(ma.Schema):
    reviewer = _username("reviewer")
    decision = fields.String()
    comment = fields.String()
    created_at = fields.DateTime()


class PassageVersionSummaryOut(ma.Schema):
    number = fields.Integer()
    status = fields.String()
    title = fields.String()
    revision = fields.Integer()
    content_hash = fields.String()
    based_on = fields.Function(lambda v: v.based_on.number if v.based_on else None)
    created_by = _username("created_by")
    created_at = fields.DateTime()
    updated_by = _username("updated_by")
    updated_at = fields.DateTime()
    submitted_by = _username("submitted_by")
    submitted_at = fields.DateTime(allow_none=True)
    required_approvals = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    reviews = fields.List(fields.Nested(PassageReviewOut))


class PassageVersionOut(PassageVersionSummaryOut):
    body = fields.String()
    problems = fields.Method(
        "get_problems",
        metadata={
            "type": "array",
            "items": {"type": "object"},
            "description": "what keeps a draft from being submitted (a blank title or text)",
        },
    )

    def get_problems(self, version: Any) -> list[dict[str, str]]:
        from itembank.operations.passages import passage_problems

        return passage_problems(version)


class PassageOut(ma.Schema):
    """Dumped from ``{"passage": Passage, "version": PassageVersion}``."""

    external_id = fields.String(attribute="passage.external_id")
    bank = fields.String(attribute="passage.bank.code")
    created_by = fields.Function(lambda d: d["passage"].created_by.username)
    created_at = fields.DateTime(attribute="passage.created_at")
    updated_at = fields.DateTime(attribute="passage.updated_at")
    approved_version = fields.Function(
        lambda d: d["passage"].approved_version.number if d["passage"].approved_version else None
    )
    retired_at = fields.DateTime(
        attribute="passage.retired_at",
        allow_none=True,
        metadata={"description": "when it was retired: no new item may use it (null: in use)"},
    )
    retired_by = fields.Function(
        lambda d: d["passage"].retired_by.username if d["passage"].retired_by else None,
        metadata={"type": "string", "nullable": True},
    )
    latest_version = fields.Nested(PassageVersionOut, attribute="version")


class PassageSummaryOut(PassageOut):
    latest_version = fields.Nested(PassageVersionSummaryOut, attribute="version")


class PassagePageOut(ma.Schema):
    passages = fields.List(fields.Nested(PassageSummaryOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class PassageItemOut(ma.Schema):
    """An item of the set, dumped from ``(Item, ItemVersion)``."""

    item = fields.Function(lambda row: row[0].external_id)
    type = fields.Function(lambda row: row[0].item_type)
    version = fields.Function(lambda row: row[1].number)
    status = fields.Function(lambda row: row[1].status)
    passage_version = fields.Function(lambda row: row[1].passage_version.number)


class PassageNewDraftIn(ma.Schema):
    from_version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=DB_INT_MAX)
    )


class PassageReviewIn(ma.Schema):
    decision = fields.String(
        required=True, validate=validate.OneOf(["approve", "request_changes", "reject"])
    )
    comment = fields.String(load_default="", validate=validate.Length(max=10_000))


class PassageRetireIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=10_000))


class PassageDiffQuery(ma.Schema):
    from_ = fields.Integer(
        data_key="from", required=True, validate=validate.Range(min=1, max=DB_INT_MAX)
    )
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=DB_INT_MAX))


class PassageDiffOut(ma.Schema):
    """The differences between two versions (:func:`itembank.diff_passages.diff_passages`)."""

    from_ = fields.Integer(data_key="from", attribute="from")
    to = fields.Integer()
    changed = fields.Boolean()
    title = fields.Dict(metadata={"description": "changed, ops (word by word)"})
    body = fields.Dict(metadata={"description": "changed, ops (word by word), images"})


class PassageCommentIn(ma.Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    field = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "what it is about: title, body (none: the whole version)"},
    )
