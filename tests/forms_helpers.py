"""Builders for blueprint and form tests: approved items, blueprint documents."""

from __future__ import annotations

from typing import Any

from itembank.models import Item
from itembank.operations.reviews import review_version, submit_version
from itembank.plugins import PluginHost
from tests.factories import SINGLE_CHOICE, TKP, World, make_item


def approved(
    world: World,
    plugins: PluginHost,
    node: str = "TIU.NUM",
    *,
    taxonomy: str = "skd-cpns",
    level: int | None = None,
    item_type: str = "single_choice",
    content: dict[str, Any] | None = None,
) -> Item:
    """An item whose version 1 is approved, classified under ``node``."""
    if content is None:
        content = TKP if item_type == "weighted_options" else SINGLE_CHOICE
    item = make_item(
        world,
        plugins,
        item_type=item_type,
        content=content,
        metadata={"classifications": [{"taxonomy": taxonomy, "node": node, "level": level}]},
    )
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer, decision="approve")
    return item


def approve_new_version(world: World, item: Item, plugins: PluginHost, **changes: Any) -> Any:
    """Start, edit, submit and approve the item's next version."""
    from itembank.operations.items import start_new_draft, update_draft

    draft = start_new_draft(item, actor=world.author)
    draft = update_draft(
        draft,
        actor=world.author,
        plugins=plugins,
        base_revision=draft.revision,
        stem=changes.get("stem", "<p>Versi baru: berapa yang harus dibayar?</p>"),
    )
    submit_version(draft, actor=world.author)
    review_version(draft, actor=world.reviewer, decision="approve")
    return draft


def blueprint_spec(code: str = "SKD-MINI", **overrides: Any) -> dict[str, Any]:
    """Two sections: TIU (2 single-choice numeric items, 5 points each) and TKP (1
    weighted item of any TKP aspect)."""
    spec: dict[str, Any] = {
        "code": code,
        "title": "Kisi-kisi SKD mini",
        "total_length": 3,
        "time_limit_minutes": 10,
        "sections": [
            {
                "title": "TIU",
                "rows": [
                    {
                        "taxonomy": "skd-cpns",
                        "node": "TIU.NUM",
                        "item_types": ["single_choice"],
                        "count": 2,
                        "points": 5,
                    }
                ],
            },
            {
                "title": "TKP",
                "rows": [{"taxonomy": "skd-cpns", "node": "TKP", "count": 1, "points": 5}],
            },
        ],
    }
    spec.update(overrides)
    return spec
