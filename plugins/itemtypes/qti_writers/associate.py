"""Associate as QTI: undirected pairs of choices from one set."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import (
    RESPONSE,
    all_or_nothing,
    build_item,
    mapped_pairs_processing,
)
from plugins.itemtypes.qti_writers._graphic import pair_partial_rules
from qti.model import (
    AssessmentItem,
    AssociateInteraction,
    Choice,
    MapEntry,
    Mapping,
    ResponseDeclaration,
    ResponseProcessing,
    map_response,
    number,
    op,
    value_text,
)


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """An associate interaction (pairs of two choices, in either order; each choice in at
    most ``match_max`` pairs, 0: any number). A mapping counts distinct pairs, each key
    pair +1 and any other pair the default, as ``multiple_response`` counts choices:
    ``all_or_nothing`` with default ``-(pairs + 1)``, ``partial`` with default -1 (the
    net of right and wrong pairs, then ``points * net / pairs`` clamped as
    ``partial_credit`` computes it). A pair's two identifiers are compared unordered, as
    QTI compares ``pair`` values. ``mapped``: the content's own mapping
    (:func:`plugins.itemtypes._qti.mapped_pairs_processing`)."""
    keys = [value_text(tuple(pair)) for pair in content["pairs"]]
    count, points = len(keys), content["points"]
    all_or_none = content["scoring"] == "all_or_nothing"
    mapping = Mapping(
        tuple(MapEntry(key, 1) for key in keys), default=-(count + 1) if all_or_none else -1
    )
    net = map_response(RESPONSE)
    if content["scoring"] == "mapped":
        mapping, processing = mapped_pairs_processing(content, content.get("pair_values", []))
    elif all_or_none:
        processing = all_or_nothing(op("equal", net, number(count), toleranceMode="exact"), points)
    else:
        processing = ResponseProcessing(rules=pair_partial_rules(net, count, points))
    interaction = AssociateInteraction(
        RESPONSE,
        tuple(
            Choice(choice["id"], choice["text"], match_max=choice["match_max"])
            for choice in content["choices"]
        ),
        shuffle=content["shuffle"],
        max_associations=content["max_associations"],
    )
    return build_item(
        identifier=identifier,
        title=title,
        lang=lang,
        stem=stem,
        body=[interaction],
        response=ResponseDeclaration(RESPONSE, "multiple", "pair", tuple(keys), mapping),
        maximum=points,
        processing=processing,
    )
