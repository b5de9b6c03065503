"""The version diff through the domain: two real versions of one item."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.errors import NotFound
from itembank.operations.items import diff_item_versions, start_new_draft, update_draft
from itembank.operations.reviews import review_version, submit_version
from tests.factories import TKP, World, make_item


def test_diff_shows_words_weights_and_metadata(world: World, plugins: Any) -> None:
    item = make_item(
        world,
        plugins,
        item_type="weighted_options",
        stem="<p>Sepuluh menit sebelum layanan tutup, seorang warga datang.</p>",
        content=TKP,
        metadata={"classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}], "tags": ["tkp"]},
    )
    v1 = submit_version(item.latest_version, actor=world.author)
    review_version(v1, actor=world.reviewer, decision="request_changes", comment="Bobot D dan A.")
    v2 = start_new_draft(item, actor=world.author)
    options = [dict(o) for o in TKP["options"]]
    options[0]["weight"], options[3]["weight"] = 4, 3
    options[2]["text"] = "Menolak melayani dengan sopan."
    update_draft(
        v2,
        actor=world.author,
        plugins=plugins,
        base_revision=v2.revision,
        stem="<p>Lima menit sebelum layanan tutup, seorang warga lanjut usia datang.</p>",
        content={**TKP, "options": options},
        metadata={
            "classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}],
            "tags": ["tkp", "pelayanan"],
        },
    )
    diff = diff_item_versions(item, 1, 2, actor=world.reviewer, plugins=plugins)
    assert diff["changed"] and (diff["from"], diff["to"]) == (1, 2)
    ops = diff["stem"]["ops"]
    assert {"op": "delete", "text": "Sepuluh"} in ops
    assert {"op": "insert", "text": "Lima"} in ops
    assert any(op["op"] == "insert" and "lanjut usia" in op["text"] for op in ops)
    by_id = {o["id"]: o for o in diff["options"]}
    assert by_id["C"]["status"] == "changed" and by_id["A"]["status"] == "unchanged"
    assert any(op["op"] == "insert" and "sopan" in op["text"] for op in by_id["C"]["ops"])
    weights = {c["id"]: (c["from"], c["to"]) for c in diff["weights"]["changes"]}
    assert weights == {"A": (3, 4), "D": (4, 3)}
    assert diff["keys"]["changed"] is False  # B still carries the top weight
    assert [c["field"] for c in diff["metadata"]["changes"]] == ["tags"]


def test_diff_of_a_changed_key(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    review_version(item.latest_version, actor=world.reviewer, decision="approve")
    v2 = start_new_draft(item, actor=world.author)
    update_draft(
        v2,
        actor=world.author,
        plugins=plugins,
        base_revision=v2.revision,
        content={**v2.content, "key": "C"},
    )
    diff = diff_item_versions(item, 1, 2, actor=world.author, plugins=plugins)
    assert diff["keys"] == {"changed": True, "from": ["B"], "to": ["C"]}
    assert diff["stem"]["changed"] is False
    same = diff_item_versions(item, 2, 2, actor=world.author, plugins=plugins)
    assert same["changed"] is False


def test_diff_needs_both_versions_and_membership(world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    with pytest.raises(NotFound, match="has no version 3"):
        diff_item_versions(item, 1, 3, actor=world.author, plugins=plugins)
    with pytest.raises(NotFound):
        diff_item_versions(item, 1, 1, actor=world.outsider, plugins=plugins)
