"""Request and response schemas of bulk actions on items."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from itembank.api.schemas import ItemListQuery
from itembank.operations.bulk import ACTIONS, BULK_LIMIT
from itembank.plugins import plugin_choice


class BulkFilters(ItemListQuery):
    """The listing's filters; paging and sorting are ignored (every match counts)."""

    class Meta:
        exclude = ("page", "per_page", "sort")


class BulkIn(ma.Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    items = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        validate=validate.Length(min=1, max=BULK_LIMIT),
        metadata={"description": f"item identifiers (at most {BULK_LIMIT})"},
    )
    filters = fields.Nested(
        BulkFilters,
        metadata={
            "description": "instead of ``items``: every item the listing shows with these "
            f"filters (refused when they match more than {BULK_LIMIT})"
        },
    )
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=50)),
        validate=validate.Length(min=1, max=30),
        metadata={"description": "tag: the tags to add"},
    )
    taxonomy = fields.String(
        validate=validate.Length(min=1, max=64), metadata={"description": "classify"}
    )
    node = fields.String(
        validate=validate.Length(min=1, max=64), metadata={"description": "classify"}
    )
    level = fields.Integer(
        allow_none=True,
        validate=validate.Range(min=1, max=10),
        metadata={"description": "classify"},
    )
    reason = fields.String(
        validate=validate.Length(max=10_000), metadata={"description": "retire (required), submit"}
    )
    form = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "add_to_form: the form's identifier"},
    )

    @ma.validates_schema
    def _one_selection(self, data: dict, **kwargs: object) -> None:
        if ("items" in data) == ("filters" in data):
            raise ma.ValidationError("give either items or filters", "items")


class BulkOutcomeOut(ma.Schema):
    item = fields.String()
    outcome = fields.String(metadata={"description": "done, unchanged or refused"})
    message = fields.String(metadata={"description": "in Indonesian"})
    message_en = fields.String()
    error = fields.String(allow_none=True, metadata={"description": "the refusal's code"})


class BulkOut(ma.Schema):
    action = fields.String()
    total = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    results = fields.List(fields.Nested(BulkOutcomeOut))


class ExportItemsIn(ma.Schema):
    items = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        validate=validate.Length(min=1, max=BULK_LIMIT),
        metadata={"description": f"item identifiers (at most {BULK_LIMIT})"},
    )
    filters = fields.Nested(
        BulkFilters,
        metadata={"description": "instead of ``items``: every item the listing shows"},
    )
    format = fields.String(
        load_default="qti3",
        validate=validate.Length(min=1, max=32),
        metadata=plugin_choice(
            "exporters", description="an exporter id: qti3 (QTI 3.0) or qti21 (QTI 2.1)"
        ),
    )
    skip_refused = fields.Boolean(
        load_default=False,
        metadata={
            "description": "leave out the items that cannot be exported (else the export is "
            "refused with 409 items_not_exported and each item's outcome)"
        },
    )

    @ma.validates_schema
    def _one_selection(self, data: dict, **kwargs: object) -> None:
        if ("items" in data) == ("filters" in data):
            raise ma.ValidationError("give either items or filters", "items")
