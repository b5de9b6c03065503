"""marshmallow schemas for blueprints, forms, their reports, answer keys and enemy pairs.

Request schemas check shape; the operations check meaning (taxonomy nodes, item types,
approved versions, the form's state).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from itembank.api.common import DB_INT_MAX
from itembank.api.schemas import _username
from itembank.models import FormStatus
from itembank.operations.blueprints import BlueprintSchema, RowSchema, code_field, text_field
from itembank.plugins import plugin_choice

INT = validate.Range(min=1, max=DB_INT_MAX)


# -- blueprints ----------------------------------------------------------------------------


class BlueprintIn(BlueprintSchema):
    code = code_field(required=True)


class BlueprintRowOut(RowSchema):
    ref = fields.String(metadata={"description": "section.row, e.g. 2.1"})


class BlueprintSectionOut(ma.Schema):
    position = fields.Integer()
    title = fields.String()
    rows = fields.List(fields.Nested(BlueprintRowOut))


class BlueprintOut(ma.Schema):
    """Dumped from :func:`itembank.operations.blueprints.blueprint_document` plus facts."""

    code = fields.String()
    title = fields.String()
    description = fields.String()
    total_length = fields.Integer()
    time_limit_minutes = fields.Integer(allow_none=True)
    sections = fields.List(fields.Nested(BlueprintSectionOut))
    revision = fields.Integer()
    created_by = fields.String()
    created_at = fields.DateTime()
    updated_by = fields.String()
    updated_at = fields.DateTime()
    forms = fields.List(fields.String(), metadata={"description": "forms built against it"})


class BlueprintSummaryOut(ma.Schema):
    code = fields.String()
    title = fields.String()
    total_length = fields.Integer()
    time_limit_minutes = fields.Integer(allow_none=True)
    updated_at = fields.DateTime()


# -- forms ---------------------------------------------------------------------------------


class FormListQuery(ma.Schema):
    status = fields.String(validate=validate.OneOf([s.value for s in FormStatus]))


class FormCreateIn(ma.Schema):
    blueprint = code_field(required=True)
    title = text_field(max_length=200)


class FormPatchIn(ma.Schema):
    title = text_field(max_length=200)


class CloneIn(ma.Schema):
    title = text_field(max_length=200, required=False, load_default=None)


class EntryIn(ma.Schema):
    item = code_field(required=True)
    version = fields.Integer(
        load_default=None,
        validate=INT,
        metadata={"description": "default: the item's approved version"},
    )
    section = fields.Integer(
        load_default=None,
        validate=INT,
        metadata={"description": "default: the first section whose rows it fits with room"},
    )
    position = fields.Integer(
        load_default=None, validate=INT, metadata={"description": "default: the section's end"}
    )


class EntryPatchIn(ma.Schema):
    """Move (``position``, ``section``) and/or re-pin (``version``, or ``latest``)."""

    position = fields.Integer(validate=INT)
    section = fields.Integer(validate=INT)
    version = fields.Integer(validate=INT)
    latest = fields.Boolean(metadata={"description": "re-pin the item's newest approved version"})

    #: What ``_something`` checks, said in the document too (:mod:`itembank.api.spec_extras`).
    OPENAPI_RULES = {
        "minProperties": 1,
        "not": {"required": ["version", "latest"], "properties": {"latest": {"const": True}}},
    }

    @ma.validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ma.ValidationError("send position, section, version or latest")
        if "version" in data and data.get("latest"):
            raise ma.ValidationError("send version or latest, not both")


class OrderSectionIn(ma.Schema):
    section = fields.Integer(required=True, validate=INT)
    entries = fields.List(
        fields.Integer(validate=INT), required=True, validate=validate.Length(max=10_000)
    )


class OrderIn(ma.Schema):
    sections = fields.List(
        fields.Nested(OrderSectionIn), required=True, validate=validate.Length(max=50)
    )


class EntryOut(ma.Schema):
    id = fields.Integer()
    number = fields.Integer(metadata={"description": "1-based across the whole form"})
    position = fields.Integer(metadata={"description": "1-based within its section"})
    item = fields.Function(lambda e: e.item.external_id)
    version = fields.Function(lambda e: e.version.number)
    type = fields.Function(lambda e: e.item.item_type)
    version_status = fields.Function(lambda e: e.version.status)


class FormSectionOut(ma.Schema):
    position = fields.Integer()
    title = fields.String()
    entries = fields.List(fields.Nested(EntryOut))


class FormSummaryOut(ma.Schema):
    external_id = fields.String()
    title = fields.String()
    status = fields.String()
    blueprint = fields.Function(lambda f: f.blueprint.code)
    length = fields.Function(lambda f: len(f.entries), metadata={"description": "entries"})
    created_at = fields.DateTime()
    locked_at = fields.DateTime(allow_none=True)
    exported_at = fields.DateTime(allow_none=True)


class FormOut(FormSummaryOut):
    bank = fields.Function(lambda f: f.bank.code)
    revision = fields.Integer()
    cloned_from = fields.Function(lambda f: f.cloned_from.external_id if f.cloned_from else None)
    created_by = _username("created_by")
    updated_by = _username("updated_by")
    updated_at = fields.DateTime()
    locked_by = _username("locked_by")
    exported_by = _username("exported_by")
    package_sha256 = fields.String(allow_none=True)
    sections = fields.List(fields.Nested(FormSectionOut))


class FindingOut(ma.Schema):
    severity = fields.String(metadata={"description": "error or warning"})
    code = fields.String()
    message = fields.String(metadata={"description": "in Indonesian"})
    message_en = fields.String()
    item = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    entry = fields.Integer(allow_none=True)
    number = fields.Integer(allow_none=True)
    row = fields.String(allow_none=True, metadata={"description": "blueprint row, e.g. 2.1"})
    related_item = fields.String(allow_none=True)


class LockOut(FormOut):
    warnings = fields.List(fields.Nested(FindingOut))


class ReportRowOut(ma.Schema):
    ref = fields.String()
    section = fields.Integer()
    section_title = fields.String()
    taxonomy = fields.String()
    node = fields.String()
    level = fields.Integer(allow_none=True)
    item_types = fields.List(fields.String())
    count = fields.Integer()
    filled = fields.Integer()
    points = fields.Float(allow_none=True)
    entries = fields.List(fields.Integer())


class ReportEntryOut(ma.Schema):
    entry = fields.Integer()
    number = fields.Integer()
    section = fields.Integer()
    item = fields.String()
    version = fields.Integer()
    row = fields.String(allow_none=True)


class ReportOut(ma.Schema):
    form = fields.String()
    status = fields.String()
    blueprint = fields.String()
    ok = fields.Boolean(metadata={"description": "no errors: the form can be locked"})
    length = fields.Integer()
    total_length = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    rows = fields.List(fields.Nested(ReportRowOut))
    entries = fields.List(fields.Nested(ReportEntryOut))
    findings = fields.List(fields.Nested(FindingOut))


class AnswerKeyItemOut(ma.Schema):
    number = fields.Integer()
    section = fields.Integer()
    section_title = fields.String()
    qti_identifier = fields.String()
    item = fields.String()
    version = fields.Integer()
    type = fields.String()
    content_hash = fields.String()
    max_score = fields.Float(allow_none=True)
    correct_response = fields.List(fields.String())
    option_scores = fields.Dict(keys=fields.String(), values=fields.Float(), allow_none=True)
    option_scores_note = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        allow_none=True,
        metadata={
            "description": "why the item has no per-option scores (ordering: only a whole "
            "order is scored), as {id, en}; null when it has them or has no options"
        },
    )
    scored_by_person = fields.Boolean()


class AnswerKeyOut(ma.Schema):
    form = fields.String()
    title = fields.String()
    bank = fields.String()
    blueprint = fields.String()
    status = fields.String()
    locked_at = fields.String(allow_none=True)
    items = fields.List(fields.Nested(AnswerKeyItemOut))


# -- enemy pairs ---------------------------------------------------------------------------


class EnemyQuery(ma.Schema):
    item = code_field()


class EnemyIn(ma.Schema):
    items = fields.List(code_field(), required=True, validate=validate.Length(equal=2))
    reason = text_field(max_length=2000, required=False, load_default="")


class EnemyOut(ma.Schema):
    id = fields.Integer()
    items = fields.Function(lambda p: [p.item_low.external_id, p.item_high.external_id])
    reason = fields.String()
    created_by = _username("created_by")
    created_at = fields.DateTime()


class ExportIn(ma.Schema):
    format = fields.String(
        load_default="qti3",
        validate=validate.Length(min=1, max=32),
        metadata=plugin_choice(
            "exporters", description="an exporter id: qti3 (QTI 3.0) or qti21 (QTI 2.1)"
        ),
    )
    force = fields.Boolean(
        load_default=False,
        metadata={
            "description": "export although the form's validation report has errors (a "
            "retired item, a version no longer approved); bank admins only, recorded in "
            "the audit trail with the findings"
        },
    )


class SeveralEntriesIn(ma.Schema):
    items = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "item identifiers; each item's approved version is pinned"},
    )


class AddedEntryOut(ma.Schema):
    id = fields.Integer()
    section = fields.Function(lambda e: e.section.position)
    position = fields.Integer()
    item = fields.Function(lambda e: e.item.external_id)
    version = fields.Function(lambda e: e.version.number)


class RowFillOut(ma.Schema):
    row = fields.String()
    wanted = fields.Integer(metadata={"description": "how many the row lacked"})
    eligible = fields.Integer(metadata={"description": "how many items could fill it"})
    short = fields.Integer(metadata={"description": "how many it still lacks"})
    added = fields.List(fields.Nested(AddedEntryOut))
