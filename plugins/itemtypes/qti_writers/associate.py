"""Associate as QTI: undirected pairs of choices from one set."""

from __future__ import annotations

from typing import Any

from plugins.itemtypes._qti import RESPONSE, build_item
from plugins.itemtypes.qti_writers._pairs import pair_response
from qti.model import AssessmentItem, AssociateInteraction, Choice


def to_qti(
    stem: str, content: dict[str, Any], *, identifier: str, title: str, lang: str = "id"
) -> AssessmentItem:
    """An associate interaction (pairs of two choices, in either order; each choice in at
    most ``match_max`` pairs, 0: any number), scored as
    :mod:`plugins.itemtypes.qti_writers._pairs` says. A pair's two identifiers are
    compared unordered, as QTI compares ``pair`` values."""
    response, processing = pair_response(content, "pair")
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
        response=response,
        maximum=content["points"],
        processing=processing,
    )
