"""The built-in item types' QTI writers, importable without the web framework, the
database layer or marshmallow: plain content in, :class:`qti.model.AssessmentItem` out.

Each module holds one type's ``to_qti(stem, content, *, identifier, title, lang)``; the
type's plugin class (``plugins.itemtypes.<type>``) calls it from its own ``to_qti``, after
the bank has checked and loaded the content. A process that only turns content into a
package (a script, a benchmark, another system) imports these and :mod:`qti.package`
and nothing of the bank's web side::

    from plugins.itemtypes.qti_writers import write_item
    item = write_item("single_choice", "<p>Stem</p>", content, identifier="q1", title="Q1")

``content`` is what the type's content schema loads (every key present, defaults
filled) and rich text is XHTML, as :meth:`itembank.itemtypes.ItemType.to_qti` takes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from plugins.itemtypes.qti_writers import (
    associate,
    composite,
    extended_text,
    gap_match,
    graphic_associate,
    graphic_gap_match,
    graphic_order,
    hot_text,
    hotspot,
    inline_choice,
    likert,
    matching,
    multiple_response,
    numeric,
    ordering,
    select_point,
    short_text,
    single_choice,
    slider,
    true_false,
    weighted_options,
)
from qti.model import AssessmentItem

__all__ = ["LABEL_PREFIX", "WRITERS", "write_item"]

#: The label the bank gives exported items (``itembank:<type id>``), so that its importer
#: recognises their type; equal to ``itembank.itemtypes.QTI_LABEL_PREFIX`` (a test says so).
LABEL_PREFIX = "itembank:"

Writer = Callable[..., AssessmentItem]

#: Type id -> its writer.
WRITERS: Mapping[str, Writer] = {
    "associate": associate.to_qti,
    "composite": composite.to_qti,
    "extended_text": extended_text.to_qti,
    "gap_match": gap_match.to_qti,
    "graphic_associate": graphic_associate.to_qti,
    "graphic_gap_match": graphic_gap_match.to_qti,
    "graphic_order": graphic_order.to_qti,
    "hot_text": hot_text.to_qti,
    "hotspot": hotspot.to_qti,
    "inline_choice": inline_choice.to_qti,
    "likert": likert.to_qti,
    "matching": matching.to_qti,
    "multiple_response": multiple_response.to_qti,
    "numeric": numeric.to_qti,
    "ordering": ordering.to_qti,
    "select_point": select_point.to_qti,
    "short_text": short_text.to_qti,
    "single_choice": single_choice.to_qti,
    "slider": slider.to_qti,
    "true_false": true_false.to_qti,
    "weighted_options": weighted_options.to_qti,
}


def write_item(
    type_id: str,
    stem: str,
    content: dict[str, Any],
    *,
    identifier: str,
    title: str,
    lang: str = "id",
) -> AssessmentItem:
    """The item of built-in type ``type_id`` as the bank exports it: the type's writer,
    labelled ``itembank:<type id>`` (as :meth:`itembank.itemtypes.ItemType.qti_item` does).

    :raises KeyError: naming the type when it is not a built-in type.
    """
    writer = WRITERS.get(type_id)
    if writer is None:
        known = ", ".join(sorted(WRITERS))
        raise KeyError(f"no built-in QTI writer for item type {type_id!r} (known: {known})")
    item = writer(stem, content, identifier=identifier, title=title, lang=lang)
    if item.label is None:
        item = replace(item, label=f"{LABEL_PREFIX}{type_id}")
    return item
