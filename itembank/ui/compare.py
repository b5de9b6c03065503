"""Comparing any two versions of an item, chosen on the item page."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from itembank.operations import reads
from itembank.operations.items import diff_item_versions
from itembank.plugins import plugins
from itembank.ui.blueprint import actor, bp, commit, login_required, page
from itembank.ui.review import diff_labels
from itembank.ui.viewmodels import type_label, version_view


@bp.get("/items/<external_id>/compare")
@login_required
def compare(external_id: str) -> ResponseReturnValue:
    """``?from=1&to=3``: the two versions side by side and what changed between them
    (by default the newest version against the one before). Versions the user may not
    see (for assemblers, all but approved ones) are not offered and not shown."""
    user = actor()
    item, _latest = reads.readable_item(external_id, actor=user)
    versions = reads.readable_versions(item, actor=user)
    numbers = [v.number for v in versions]
    newest = numbers[-1]
    default_old = numbers[-2] if len(numbers) > 1 else newest
    chosen_old = request.args.get("from", type=int)
    chosen_new = request.args.get("to", type=int)
    ignored = [
        raw
        for raw, chosen in (
            (request.args.get("from"), chosen_old),
            (request.args.get("to"), chosen_new),
        )
        if raw is not None and chosen not in numbers
    ]
    old_number = chosen_old if chosen_old in numbers else default_old
    new_number = chosen_new if chosen_new in numbers else newest
    old = reads.readable_version(item, old_number, actor=user)
    new = reads.readable_version(item, new_number, actor=user)
    diff = diff_item_versions(item, old.number, new.number, actor=user, plugins=plugins())
    for version in (old, new):
        reads.record_read(user, version, via="web-compare")
    context = {
        "item": item,
        "bank": item.bank,
        "type_label": type_label(item.item_type),
        "versions": versions,
        "old_view": version_view(item, old),
        "new_view": version_view(item, new),
        "diff": diff,
        "ignored": ignored,
        **diff_labels(item),
    }
    commit()  # the reads are recorded
    return page("compare.html", **context)
