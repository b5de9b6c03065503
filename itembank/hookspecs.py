"""The itembank plugin hooks.

Every hook takes keyword arguments only and is called through
:class:`itembank.plugins.PluginHost`. Built-in features (``plugins/``) implement these
same hooks, so a third-party plugin can do anything a built-in can.

Third-party plugins are modules or objects published under the ``itembank`` entry-point
group::

    [project.entry-points.itembank]
    acme = "acme_itembank.plugin"

and decorate their functions with :data:`itembank.hookimpl`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from itembank.exporters import Exporter
    from itembank.importing import Importer
    from itembank.itemtypes import ItemType
    from itembank.taxonomy import Taxonomy

PROJECT = "itembank"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- Content: item types ---------------------------------------------------------------


@hookspec
def itembank_register_item_types(register: Callable[[ItemType], None]) -> None:
    """Register item types.

    Call ``register(item_type)`` once per :class:`itembank.itemtypes.ItemType`
    instance. The core refuses two types with the same ``id`` and says which plugins
    clash.

    :param register: the core's registration function.
    """


# -- Output: exporters -------------------------------------------------------------------


@hookspec
def itembank_register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register export formats for test forms.

    Call ``register(exporter)`` once per :class:`itembank.exporters.Exporter`: an id, names,
    a file extension and media type, and ``export(test, items, media) -> bytes`` taking
    the plain data of :mod:`qti.package`. The core refuses an invalid exporter or two
    with the same ``id``, naming the plugins.

    :param register: the core's registration function.
    """


# -- Classification: taxonomies ------------------------------------------------------------


@hookspec
def itembank_register_taxonomies(register: Callable[[Taxonomy], None]) -> None:
    """Register taxonomies available to every bank.

    Call ``register(taxonomy)`` once per :class:`itembank.taxonomy.Taxonomy`. They are
    written to the database by ``flask itembank taxonomy sync`` (``make run`` and the
    demo loader do this), so items can be classified and filtered against them.

    :param register: the core's registration function.
    """


# -- Import: files into items ----------------------------------------------------------------


@hookspec
def itembank_register_importers(register: Callable[[Importer], None]) -> None:
    """Register importers: readers that turn an uploaded file into candidate items.

    Call ``register(importer)`` once per :class:`itembank.importing.Importer`
    instance. The core refuses two importers with the same ``id`` and says which
    plugins clash. An import uses the first importer (in plugin order) whose
    ``accepts(source)`` is true, unless the caller names one.

    :param register: the core's registration function.
    """
