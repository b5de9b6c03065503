"""What the OpenAPI document says beyond the fields marshmallow converts.

- **Values the installed plugins decide.** Which item types and exporters exist depends
  on the plugins an installation loads (``ITEMBANK_PLUGINS_*``), so the request schemas
  cannot list them as constants. A field marked with
  :func:`itembank.plugins.plugin_choice` is documented with ``enum`` set to the keys of
  this app's :class:`~itembank.plugins.PluginHost` registry, through apispec's public
  hook for field conversion (an attribute function of the marshmallow plugin).
- **Rules across fields.** A schema class may carry ``OPENAPI_RULES``, JSON Schema
  keywords (``if``/``then``, ``not``, ``minProperties``...) saying in the document what
  its ``validates_schema`` methods check; :class:`SchemaRulesPlugin` merges them into
  the schema's component through apispec's ``schema_helper`` hook.

The API still checks each value itself and answers 422 naming the field, so a client
that ignores the document learns the same; the document only says it first.
"""

from __future__ import annotations

from typing import Any

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin

from itembank.plugins import REGISTRY_METADATA, PluginHost


def document_choices(ma_plugin: MarshmallowPlugin, host: PluginHost) -> None:
    """Teach the spec's field converter to turn marked fields into enums; call it
    before any blueprint is registered (their schemas are converted then)."""

    def plugin_enum(self: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
        registry = field.metadata.get(REGISTRY_METADATA)
        if registry is None:
            return {}
        return {"enum": sorted(getattr(host, registry))}

    converter = ma_plugin.converter
    assert converter is not None, "the marshmallow plugin is initialised with the spec"
    converter.add_attribute_function(plugin_enum)


class SchemaRulesPlugin(BasePlugin):
    """Merges a schema class's ``OPENAPI_RULES`` into its component (it must come after
    the marshmallow plugin, whose definition it extends)."""

    def schema_helper(
        self, name: str, definition: dict[str, Any], **kwargs: Any
    ) -> dict[str, Any] | None:
        schema = kwargs.get("schema")
        rules = getattr(schema, "OPENAPI_RULES", None)
        return dict(rules) if rules else None
