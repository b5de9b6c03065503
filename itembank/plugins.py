"""Loading plugins and keeping what they register.

The :class:`PluginHost` owns a :class:`pluggy.PluginManager`: it loads the built-in
plugins listed in :data:`BUILTIN_PLUGINS`, then third-party plugins from the
``itembank`` entry-point group, honouring the allow and deny lists from the Flask config
(``ITEMBANK_PLUGINS_ALLOW`` / ``ITEMBANK_PLUGINS_DENY``, lists of plugin names), and
modules named in ``ITEMBANK_PLUGINS_EXTRA``. Hooks are called only through the typed
methods here, always with keyword arguments.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pluggy
from flask import current_app

from itembank import hookspecs
from itembank.exporters import Exporter
from itembank.importing import Importer, ImportSource
from itembank.itemtypes import ItemType
from itembank.taxonomy import Taxonomy

BUILTIN_PLUGINS: tuple[str, ...] = (
    "plugins.itemtypes.single_choice",
    "plugins.itemtypes.multiple_response",
    "plugins.itemtypes.weighted_options",
    "plugins.itemtypes.true_false",
    "plugins.itemtypes.short_text",
    "plugins.itemtypes.extended_text",
    "plugins.itemtypes.ordering",
    "plugins.itemtypes.matching",
    "plugins.itemtypes.likert",
    "plugins.itemtypes.inline_choice",
    "plugins.itemtypes.numeric",
    "plugins.itemtypes.slider",
    "plugins.itemtypes.gap_match",
    "plugins.itemtypes.hot_text",
    "plugins.itemtypes.hotspot",
    "plugins.itemtypes.associate",
    "plugins.itemtypes.graphic_gap_match",
    "plugins.itemtypes.select_point",
    "plugins.itemtypes.graphic_order",
    "plugins.itemtypes.graphic_associate",
    "plugins.itemtypes.composite",
    "plugins.taxonomies.asn",
    "plugins.taxonomies.skd",
    "plugins.taxonomies.bloom",
    "plugins.exporters.qti",
    "plugins.importers.spreadsheet",
    "plugins.importers.qti",
)


#: Field metadata key: the field's values are the keys of this :class:`PluginHost`
#: registry (``"item_types"``, ``"exporters"``); the API documents them as an enum
#: (:mod:`itembank.api.choices`).
REGISTRY_METADATA = "plugin_registry"


def plugin_choice(registry: str, **metadata: Any) -> dict[str, Any]:
    """Marshmallow field metadata saying the field takes a key of ``registry``."""
    return {**metadata, REGISTRY_METADATA: registry}


class PluginError(RuntimeError):
    """A plugin could not be loaded or registered something invalid."""


@dataclass
class Registration:
    """What one plugin registered, for ``flask itembank plugins``."""

    name: str
    origin: str
    item_types: list[str] = field(default_factory=list)
    taxonomies: list[str] = field(default_factory=list)
    exporters: list[str] = field(default_factory=list)
    importers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Kind:
    """One kind of thing plugins register, and how the host keeps it."""

    hook: str  # the hook that registers it
    attr: str  # the registry attribute of the host and of a Registration
    cls: type
    key: str  # the attribute that identifies it
    noun: str
    noun_article: str
    article: str  # "an ItemType"
    checks_itself: bool = False  # it has a problems() method of its contract


_KINDS = (
    _Kind(
        "itembank_register_item_types",
        "item_types",
        ItemType,
        "id",
        "item type",
        "an item type",
        "an ItemType",
    ),
    _Kind(
        "itembank_register_taxonomies",
        "taxonomies",
        Taxonomy,
        "code",
        "taxonomy",
        "a taxonomy",
        "a Taxonomy",
        checks_itself=True,
    ),
    _Kind(
        "itembank_register_exporters",
        "exporters",
        Exporter,
        "id",
        "exporter",
        "an exporter",
        "an Exporter",
        checks_itself=True,
    ),
    _Kind(
        "itembank_register_importers",
        "importers",
        Importer,
        "id",
        "importer",
        "an importer",
        "an Importer",
    ),
)


class PluginHost:
    """The loaded plugins and the registries they filled."""

    def __init__(
        self,
        *,
        builtins: Iterable[str] = BUILTIN_PLUGINS,
        extra: Iterable[str] = (),
        allow: Iterable[str] | None = None,
        deny: Iterable[str] = (),
        entry_points: bool = True,
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._allow = set(allow) if allow is not None else None
        self._deny = set(deny)
        self._origins: dict[str, str] = {}
        for module_name in [*builtins, *extra]:
            self._load_module(module_name, origin="builtin" if module_name in builtins else "extra")
        if entry_points:
            self._load_entry_points()
        self.pm.check_pending()
        self.item_types: dict[str, ItemType] = {}
        self.taxonomies: dict[str, Taxonomy] = {}
        self.exporters: dict[str, Exporter] = {}
        self.importers: dict[str, Importer] = {}
        self.registrations: dict[str, Registration] = {}
        self._collect()
        registry = MappingProxyType(self.item_types)
        for item_type in self.item_types.values():
            item_type.attach(registry)

    # -- loading ------------------------------------------------------------------------

    def _allowed(self, name: str) -> bool:
        if name in self._deny:
            return False
        return self._allow is None or name in self._allow

    def _load_module(self, module_name: str, origin: str) -> None:
        name = module_name
        if not self._allowed(name):
            return
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # a broken plugin must say which one
            raise PluginError(f"plugin {module_name!r} failed to import: {exc}") from exc
        self.pm.register(module, name=name)
        self._origins[name] = origin

    def _load_entry_points(self) -> None:
        from importlib.metadata import entry_points

        for ep in entry_points(group=hookspecs.PROJECT):
            if not self._allowed(ep.name) or self.pm.get_plugin(ep.name) is not None:
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                raise PluginError(f"plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
            self.pm.register(plugin, name=ep.name)
            dist = getattr(ep, "dist", None)
            self._origins[ep.name] = (
                f"entry point {ep.value} ({dist.name} {dist.version})" if dist else ep.value
            )

    # -- collecting ---------------------------------------------------------------------

    def _collect(self) -> None:
        for name, plugin in self.pm.list_name_plugin():
            reg = Registration(name=name, origin=self._origins.get(name, "?"))
            self.registrations[name] = reg
            for kind in _KINDS:
                self._call_one(plugin, kind.hook, self._adder(reg, kind))

    def _call_one(self, plugin: Any, hook_name: str, register: Any) -> None:
        """Call one plugin's implementation of a ``register`` hook, so that what it
        registers is attributed to it."""
        hook = getattr(self.pm.hook, hook_name)
        impls = [impl for impl in hook.get_hookimpls() if impl.plugin is plugin]
        for impl in impls:
            impl.function(register=register)

    def _adder(self, reg: Registration, kind: _Kind) -> Callable[[Any], None]:
        """The ``register`` function a hook of ``kind`` receives: it checks what the
        plugin registers (its class, its own ``problems()``, an id, no duplicate) and
        records it in this host and in the plugin's :class:`Registration`."""

        def register(obj: Any) -> None:
            if not isinstance(obj, kind.cls):
                raise PluginError(f"plugin {reg.name!r} registered {obj!r}, not {kind.article}")
            key = getattr(obj, kind.key, None)
            problems = obj.problems() if kind.checks_itself else []
            if problems:
                raise PluginError(
                    f"plugin {reg.name!r}: {kind.noun} {key!r}: " + "; ".join(problems)
                )
            if not key or not isinstance(key, str):
                raise PluginError(
                    f"plugin {reg.name!r} registered {kind.noun_article} without an id"
                )
            registry = getattr(self, kind.attr)
            if key in registry:
                other = self._owner(kind.attr, key)
                raise PluginError(
                    f"{kind.noun} {key!r} is registered by both {other!r} and {reg.name!r}"
                )
            registry[key] = obj
            getattr(reg, kind.attr).append(key)

        return register

    def _owner(self, kind: str, key: str) -> str:
        for reg in self.registrations.values():
            if key in getattr(reg, kind):
                return reg.name
        return "?"

    # -- lookups --------------------------------------------------------------------------

    def item_type(self, type_id: str) -> ItemType:
        """The registered item type ``type_id``; :class:`KeyError` if there is none."""
        return self.item_types[type_id]

    def type_name(self, type_id: str, lang: str = "id") -> str:
        """The name people read for item type ``type_id`` in ``lang`` (its id when
        no plugin registers it: then the id is all there is to show)."""
        item_type = self.item_types.get(type_id)
        if item_type is None:
            return type_id
        return item_type.label.get(lang) or item_type.label.get("en") or type_id

    def exporter(self, exporter_id: str) -> Exporter:
        """The registered exporter ``exporter_id``; :class:`KeyError` if there is none."""
        return self.exporters[exporter_id]

    def importer_for(self, source: ImportSource) -> Importer | None:
        """The first importer (in plugin order) that accepts ``source``, or ``None``."""
        return next((imp for imp in self.importers.values() if imp.accepts(source)), None)


def host_from_config(config: dict[str, Any]) -> PluginHost:
    return PluginHost(
        extra=config.get("ITEMBANK_PLUGINS_EXTRA", ()),
        allow=config.get("ITEMBANK_PLUGINS_ALLOW"),
        deny=config.get("ITEMBANK_PLUGINS_DENY", ()),
        entry_points=config.get("ITEMBANK_PLUGINS_ENTRY_POINTS", True),
    )


def plugins() -> PluginHost:
    """The current app's loaded plugins (the host ``create_app`` keeps in its extensions)."""
    return current_app.extensions["itembank.plugins"]
