"""JSON Schema for marshmallow schemas, so clients can build editors for item content."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin


def schema_to_json_schema(schema: type[ma.Schema]) -> dict[str, Any]:
    """Return the schema as a self-contained JSON Schema (nested schemas inlined)."""
    plugin = MarshmallowPlugin()
    APISpec(  # binds the plugin to an OpenAPI version
        title="itembank", version="1", openapi_version="3.1.0", plugins=[plugin]
    )
    plugin.converter.schema_name_resolver = lambda _schema: None  # inline everything
    return plugin.converter.schema2jsonschema(schema)
