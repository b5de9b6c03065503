"""marshmallow schemas for every API request and response.

Request schemas (``*In`` / ``*Query``) check shape only; the domain operations check
meaning (item content, roles, workflow). Response schemas (``*Out``) dump domain objects.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from itembank.api.auth import DEFAULT_DAYS, MAX_DAYS, is_expired
from itembank.api.common import DB_INT_MAX
from itembank.itemtypes import MAX_CONTENT_CHARS
from itembank.models import Role
from itembank.operations.content import MAX_STEM_CHARS
from itembank.operations.flag_thresholds import ThresholdsSchema
from itembank.operations.quality import WritingRulesSchema
from itembank.operations.relevance import RELEVANCE
from itembank.plugins import plugin_choice
from itembank.workflow import Decision, Status


def _username(attr: str) -> fields.Function:
    """A user relationship dumped as the username (null when unset)."""

    def get(obj: object) -> str | None:
        user = getattr(obj, attr)
        return user.username if user is not None else None

    return fields.Function(get, metadata={"description": "username"})


# -- problems ------------------------------------------------------------------------------


class FieldProblemOut(ma.Schema):
    field = fields.String(metadata={"description": "dotted path, e.g. content.options.2.text"})
    message = fields.String(metadata={"description": "in Indonesian"})
    message_en = fields.String()


class ProblemOut(ma.Schema):
    """RFC 9457 problem details (``application/problem+json``), with extension members
    (a refused transition's ``action`` and ``status_now``, a stale edit's ...)."""

    class Meta:
        unknown = ma.INCLUDE

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String(metadata={"description": "stable, for programs"})
    errors = fields.List(fields.Nested(FieldProblemOut))


# -- tokens --------------------------------------------------------------------------------


class TokenCreateIn(ma.Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    name = fields.String(load_default="", validate=validate.Length(max=100))
    expires_in_days = fields.Integer(
        load_default=DEFAULT_DAYS, validate=validate.Range(min=1, max=MAX_DAYS)
    )


class TokenOut(ma.Schema):
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String(metadata={"description": "the token's first characters"})
    user = _username("user")
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    last_used_at = fields.DateTime(
        allow_none=True, metadata={"description": "to the minute; null if never used"}
    )
    expired = fields.Method("get_expired")

    def get_expired(self, token: Any) -> bool:
        return is_expired(token)


class TokenCreatedOut(TokenOut):
    token = fields.String(metadata={"description": "the secret; shown only this once"})


class TokenListQuery(ma.Schema):
    user = fields.String(metadata={"description": "another user's tokens (administrators)"})


# -- banks ---------------------------------------------------------------------------------


class BankOut(ma.Schema):
    code = fields.String()
    name = fields.String()
    language = fields.String()
    required_approvals = fields.Integer()
    created_at = fields.DateTime()


class BankCreateIn(ma.Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=2, max=24),
        metadata={"description": "capital letters, digits and '-', starting with a letter"},
    )
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    language = fields.String(load_default="id", validate=validate.OneOf(["id", "en"]))
    required_approvals = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10))


class BankSettingsIn(ma.Schema):
    required_approvals = fields.Integer(validate=validate.Range(min=1, max=10))
    statistics_thresholds = fields.Nested(
        ThresholdsSchema,
        metadata={
            "description": "when item statistics are flagged for review; names left out "
            'take their defaults: {"p_low": 0.2, "p_high": 0.95, "item_rest_min": 0.15, '
            '"option_share_min": 0.02, "misfit_p": 0.01, "a_min": 0.3, '
            '"dif_categories": ["C"], "min_candidates": 100}'
        },
    )
    answer_key_from_drafts = fields.Boolean(
        truthy={True},
        falsy={False},
        metadata={
            "description": "true: answer keys of draft forms may be downloaded; false (the "
            "default): only of locked forms"
        },
    )
    review_checklist = fields.Raw(
        metadata={
            "description": "true: the standard checklist (kaidah penulisan soal); false: "
            'none; or a list of {"code", "aspect": substance|construction|language, '
            '"text": {"id", "en"}} with distinct codes',
            "oneOf": [
                {"type": "boolean"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "aspect", "text"],
                        "properties": {
                            "code": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,16}$"},
                            "aspect": {
                                "type": "string",
                                "enum": ["substance", "construction", "language"],
                            },
                            "text": {
                                "type": "object",
                                "required": ["id", "en"],
                                "properties": {
                                    "id": {"type": "string", "minLength": 1, "maxLength": 300},
                                    "en": {"type": "string", "minLength": 1, "maxLength": 300},
                                },
                            },
                        },
                    },
                },
            ],
        }
    )
    writing_rules = fields.Nested(
        WritingRulesSchema,
        metadata={
            "description": "what items must meet before submission: "
            '{"require_classification": true, "types": {"single_choice": {"options": 5}, '
            '"weighted_options": {"distinct_weights": true}}}'
        },
    )


class BankDetailOut(BankOut):
    my_roles = fields.List(fields.String())
    statistics_thresholds = fields.Method(
        "get_statistics_thresholds",
        metadata={"description": "when item statistics are flagged for review (defaults filled)"},
    )
    writing_rules = fields.Method("get_writing_rules")

    review_checklist = fields.Method("get_review_checklist")
    answer_key_from_drafts = fields.Method(
        "get_answer_key_from_drafts",
        metadata={"description": "whether answer keys of draft (unlocked) forms are given out"},
    )

    def get_statistics_thresholds(self, bank: Any) -> dict[str, Any]:
        from itembank.operations.flag_thresholds import bank_thresholds

        return bank_thresholds(bank)

    def get_answer_key_from_drafts(self, bank: Any) -> bool:
        return bool(bank.setting("answer_key_from_drafts"))

    def get_review_checklist(self, bank: Any) -> list[dict[str, Any]]:
        from itembank.operations.review_checklist import bank_checklist

        return bank_checklist(bank)

    def get_writing_rules(self, bank: Any) -> dict[str, Any]:
        from itembank.operations.quality import writing_rules

        return writing_rules(bank)


class MemberOut(ma.Schema):
    username = fields.Function(lambda m: m.user.username)
    name = fields.Function(lambda m: m.user.name)
    role = fields.String()
    created_at = fields.DateTime()


class MemberIn(ma.Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))


# -- items and versions ----------------------------------------------------------------------


#: What the documentation says of a stem and of content (the limits are checked, with
#: messages naming the field, by ``itembank.operations.content.prepare_version``).
STEM_DOC = {"maxLength": MAX_STEM_CHARS, "description": "HTML (sanitized on save)"}
CONTENT_DOC = {
    "description": "the item type's content: see the json_schema of GET /item-types "
    f"(at most {MAX_CONTENT_CHARS} characters as compact JSON)"
}


PASSAGE_REF_DOC = {
    "description": "the passage the item is asked about (its item set): ``id`` and, "
    "optionally, the ``version`` to pin (by default its newest draft, in-review or approved "
    "one); null: none"
}


class PassageRefIn(ma.Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=DB_INT_MAX)
    )


class ItemCreateIn(ma.Schema):
    type = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata=plugin_choice("item_types", description="an item type id (GET /item-types)"),
    )
    stem = fields.String(required=True, metadata=STEM_DOC)
    content = fields.Dict(required=True, metadata=CONTENT_DOC)
    metadata = fields.Dict(load_default=dict)
    passage = fields.Nested(
        PassageRefIn, load_default=None, allow_none=True, metadata=PASSAGE_REF_DOC
    )


class DraftPatchIn(ma.Schema):
    """Only the fields given change."""

    stem = fields.String(metadata=STEM_DOC)
    content = fields.Dict(metadata=CONTENT_DOC)
    metadata = fields.Dict()
    passage = fields.Nested(PassageRefIn, allow_none=True, metadata=PASSAGE_REF_DOC)


class ReviewOut(ma.Schema):
    reviewer = _username("reviewer")
    decision = fields.String()
    comment = fields.String()
    checklist = fields.List(
        fields.Dict(),
        allow_none=True,
        metadata={"description": "the bank's checklist as answered: criteria with answer"},
    )
    created_at = fields.DateTime()


class VersionSummaryOut(ma.Schema):
    number = fields.Integer()
    status = fields.String()
    revision = fields.Integer()
    content_hash = fields.String()
    based_on = fields.Function(lambda v: v.based_on.number if v.based_on else None)
    created_by = _username("created_by")
    created_at = fields.DateTime()
    updated_by = _username("updated_by")
    updated_at = fields.DateTime()
    submitted_by = _username("submitted_by")
    submitted_at = fields.DateTime(allow_none=True)
    required_approvals = fields.Integer(
        allow_none=True,
        metadata={"description": "approvals needed: the bank's count when it was submitted"},
    )
    decided_at = fields.DateTime(allow_none=True)
    reviews = fields.List(fields.Nested(ReviewOut))
    passage = fields.Function(
        lambda v: (
            {"id": v.passage_version.passage.external_id, "version": v.passage_version.number}
            if v.passage_version is not None
            else None
        ),
        metadata={
            "type": ["object", "null"],
            "properties": {"id": {"type": "string"}, "version": {"type": "integer"}},
            "description": "the passage version this version pins (its item set), or null",
        },
    )


SIMILAR_DOC: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "item": {"type": "string"},
            "version": {"type": "integer"},
            "status": {"type": "string"},
            "similarity": {"type": "number"},
            "exact": {"type": "boolean"},
        },
    },
    "description": "the bank's items most similar to this version (word-shingle Jaccard of "
    "the plain text, 0 to 1; at least 0.5): a warning, not a refusal",
}


def _similar(version: Any) -> list[dict[str, Any]]:
    from itembank.operations.similarity import similar_to_version

    return [s.as_dict() for s in similar_to_version(version)]


class SubmittedOut(VersionSummaryOut):
    similar_items = fields.Function(_similar, metadata=SIMILAR_DOC)


class VersionOut(VersionSummaryOut):
    stem = fields.String()
    content = fields.Dict()
    metadata = fields.Dict(attribute="meta")
    problems = fields.Method(
        "get_problems",
        metadata={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "message_en": {"type": "string"},
                },
            },
            "description": "what keeps a draft from being submitted: the draft is stored "
            "with them and submitting refuses them (422); empty past draft",
        },
    )

    similar_items = fields.Method("get_similar_items", metadata=SIMILAR_DOC)

    def get_similar_items(self, version: Any) -> list[dict[str, Any]]:
        return [dict(s) for s in _draft_checks(version).similar]

    def get_problems(self, version: Any) -> list[dict[str, str]]:
        return [dict(p) for p in _draft_checks(version).problems]


def _draft_checks(version: Any) -> Any:
    from itembank.operations.draft_checks import draft_checks
    from itembank.plugins import plugins

    return draft_checks(version, plugins=plugins())


class ItemOut(ma.Schema):
    """Dumped from ``{"item": Item, "latest_version": ItemVersion}``."""

    external_id = fields.String(attribute="item.external_id")
    bank = fields.String(attribute="item.bank.code")
    type = fields.String(attribute="item.item_type")
    created_by = fields.Function(lambda d: d["item"].created_by.username)
    created_at = fields.DateTime(attribute="item.created_at")
    updated_at = fields.DateTime(attribute="item.updated_at")
    retired_at = fields.DateTime(attribute="item.retired_at", allow_none=True)
    approved_version = fields.Function(
        lambda d: d["item"].approved_version.number if d["item"].approved_version else None
    )
    latest_version = fields.Nested(VersionOut)


class SubmitIn(ma.Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=10_000))


class WithdrawIn(ma.Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=10_000))


class ReviewIn(ma.Schema):
    decision = fields.String(required=True, validate=validate.OneOf([d.value for d in Decision]))
    comment = fields.String(
        load_default="",
        validate=validate.Length(max=10_000),
        metadata={"description": "required (not blank) to request changes or reject"},
    )
    checklist = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=16)),
        values=fields.String(validate=validate.OneOf(["yes", "no", "na"])),
        load_default=None,
        metadata={
            "description": "criterion code -> yes, no or na: every criterion of the bank's "
            "review checklist, when it has one"
        },
    )

    #: Said in the document (:mod:`itembank.api.spec_extras`); checked by the operation.
    OPENAPI_RULES = {
        "if": {
            "properties": {
                "decision": {"enum": [d.value for d in Decision if d is not Decision.APPROVE]}
            },
            "required": ["decision"],
        },
        "then": {"required": ["comment"], "properties": {"comment": {"pattern": "\\S"}}},
    }


class RetireIn(ma.Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=10_000))


class NewDraftIn(ma.Schema):
    from_version = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=DB_INT_MAX)
    )


class DiffQuery(ma.Schema):
    from_ = fields.Integer(
        data_key="from", required=True, validate=validate.Range(min=1, max=DB_INT_MAX)
    )
    to = fields.Integer(required=True, validate=validate.Range(min=1, max=DB_INT_MAX))


class DiffOut(ma.Schema):
    """See :func:`itembank.diff.diff_versions` for every member."""

    from_ = fields.Integer(data_key="from", attribute="from")
    to = fields.Integer()
    changed = fields.Boolean()
    item_type = fields.Dict()
    stem = fields.Dict()
    options = fields.List(fields.Dict())
    option_order = fields.Dict()
    keys = fields.Dict()
    weights = fields.Dict()
    extra = fields.Dict()
    metadata = fields.Dict()


class CommentIn(ma.Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    field = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class CommentOut(ma.Schema):
    id = fields.Integer()
    version = fields.Function(lambda c: c.version.number)
    author = _username("author")
    field = fields.String(allow_none=True)
    body = fields.String()
    created_at = fields.DateTime()


# -- listing -------------------------------------------------------------------------------

SORT_KEYS = ("updated_at", "created_at", "external_id")


class ItemListQuery(ma.Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    type = fields.String(validate=validate.Length(min=1, max=64))
    node = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "taxonomy node code; its descendants match too"},
    )
    taxonomy = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "taxonomy code, to tell apart nodes with the same code"},
    )
    level = fields.Integer(validate=validate.Range(min=1, max=10))
    author = fields.String(metadata={"description": "username of the item's creator"})
    updated_since = fields.AwareDateTime(default_timezone=UTC)
    q = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "text in the stem or the content (case-insensitive)"},
    )
    min_exposure = fields.Integer(
        validate=validate.Range(min=0, max=DB_INT_MAX),
        metadata={"description": "delivered to at least this many candidates (any version)"},
    )
    not_used_since = fields.Date(
        metadata={
            "description": "not delivered on or after this day (YYYY-MM-DD); never "
            "delivered items included"
        }
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=DB_INT_MAX))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    sort = fields.String(
        load_default="-updated_at",
        validate=validate.OneOf([*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS), RELEVANCE]),
        metadata={
            "description": "field, or -field for descending; `relevance` (only with `q`): "
            "items whose text has the query's words as whole words first, best scored "
            "first, then those that have it inside words or in their code; ties most "
            "recently changed first"
        },
    )

    @ma.validates_schema
    def _relevance_needs_q(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("sort") == RELEVANCE and not data.get("q"):
            raise ma.ValidationError("The relevance order needs a search text (q).", "sort")


class ListedVersionOut(ma.Schema):
    number = fields.Integer()
    status = fields.String()
    updated_at = fields.DateTime()


class ItemSummaryOut(ma.Schema):
    external_id = fields.String()
    type = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    retired_at = fields.DateTime(allow_none=True)
    approved_version = fields.Integer(allow_none=True)
    version = fields.Nested(ListedVersionOut)


class ItemPageOut(ma.Schema):
    items = fields.List(fields.Nested(ItemSummaryOut))
    total = fields.Integer(
        metadata={
            "description": "matching items, counted up to 1,000: when total_exact is false, "
            "a lower bound (more items match, and pages go on past `pages`)"
        }
    )
    total_exact = fields.Boolean(
        metadata={"description": "false when more than 1,000 items match: total is then 1,000"}
    )
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


# -- item types, taxonomies, media, audit --------------------------------------------------


class ItemTypeOut(ma.Schema):
    id = fields.String()
    label = fields.Dict(keys=fields.String(), values=fields.String())
    description = fields.Dict(keys=fields.String(), values=fields.String())
    scored_by_person = fields.Boolean()
    json_schema = fields.Function(lambda t: t.json_schema())
    example_content = fields.Function(lambda t: t.example_content())


class TaxonomyOut(ma.Schema):
    code = fields.String()
    name = fields.Dict()
    source = fields.String()
    version = fields.String()
    scope = fields.Function(lambda t: "bank" if t.bank_id else "global")


class TaxonomyTreeOut(TaxonomyOut):
    nodes = fields.List(fields.Dict())


class TaxonomyImportOut(ma.Schema):
    code = fields.String()
    created = fields.Integer(metadata={"description": "nodes added"})
    updated = fields.Integer(metadata={"description": "nodes changed"})


class MediaOut(ma.Schema):
    sha256 = fields.String()
    url = fields.String()
    filename = fields.String()
    mime = fields.Function(lambda m: m.blob.mime)
    size = fields.Function(lambda m: m.blob.size)
    width = fields.Function(lambda m: m.blob.width)
    height = fields.Function(lambda m: m.blob.height)
    created_at = fields.DateTime()


class AuditQuery(ma.Schema):
    action = fields.String(validate=validate.Length(max=64))
    item = fields.String(metadata={"description": "external item id"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=DB_INT_MAX))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AuditEventOut(ma.Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor = _username("actor")
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    version = fields.Integer(attribute="version_number", allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String()
    data = fields.Dict()


class AuditPageOut(ma.Schema):
    events = fields.List(fields.Nested(AuditEventOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
