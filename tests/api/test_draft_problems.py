"""Incomplete drafts through the API: stored with their problems, refused on submit."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiClient
from tests.factories import SINGLE_CHOICE, STEM, World, make_item


def test_an_incomplete_draft_is_stored_and_its_problems_returned(
    as_user: Any, world: World
) -> None:
    author: ApiClient = as_user("author")
    created = author.post(
        f"banks/{world.bank.code}/items",
        json={"type": "single_choice", "stem": STEM, "content": {**SINGLE_CHOICE, "key": None}},
    )
    assert created.status_code == 201, created.json
    version = created.json["latest_version"]
    assert version["status"] == "draft"
    assert [(p["field"], p["message_en"]) for p in version["problems"]] == [
        ("content.key", "Missing data for required field.")
    ]
    item_id = created.json["external_id"]

    refused = author.post(f"items/{item_id}/versions/1/submit", json={})
    assert refused.status_code == 422, refused.json
    assert [e["field"] for e in refused.json["errors"]] == ["content.key"]
    assert author.get(f"items/{item_id}/draft").json["status"] == "draft"

    fixed = author.patch(
        f"items/{item_id}/draft",
        json={"content": SINGLE_CHOICE},
        headers={"If-Match": created.headers["ETag"]},
    )
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["problems"] == []
    submitted = author.post(f"items/{item_id}/versions/1/submit", json={})
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "in_review"


def test_content_that_cannot_be_stored_is_still_refused(as_user: Any, world: World) -> None:
    author: ApiClient = as_user("author")
    refused = author.post(
        f"banks/{world.bank.code}/items",
        json={"type": "single_choice", "stem": STEM, "content": {**SINGLE_CHOICE, "points": "x"}},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json["errors"]] == ["content.points"]


def test_bank_admins_set_writing_rules_that_drafts_then_list(as_user: Any, world: World) -> None:
    path = f"banks/{world.bank.code}"
    rules = {"require_classification": True, "types": {"single_choice": {"options": 5}}}
    changed = as_user("bank_admin").patch(path, json={"writing_rules": rules})
    assert changed.status_code == 200, changed.json
    assert changed.json["writing_rules"]["types"]["single_choice"]["options"] == 5
    assert changed.json["required_approvals"] == 1  # left as it was
    assert as_user("author").patch(path, json={"writing_rules": rules}).status_code == 403
    bad = as_user("bank_admin").patch(path, json={"writing_rules": {"types": []}})
    assert bad.status_code == 422 and bad.json["errors"][0]["field"] == "writing_rules.types"
    assert as_user("bank_admin").patch(path, json={}).status_code == 422

    created = as_user("author").post(
        f"banks/{world.bank.code}/items",
        json={"type": "single_choice", "stem": STEM, "content": SINGLE_CHOICE},
    )
    assert created.status_code == 201
    assert [p["field"] for p in created.json["latest_version"]["problems"]] == [
        "metadata.classifications",
        "content.options",
    ]


def test_the_api_draft_lists_similar_items(as_user: Any, world: World, plugins: Any) -> None:
    original = make_item(world, plugins)
    client = as_user("author")
    created = client.post(
        f"banks/{world.bank.code}/items",
        json={"type": "single_choice", "stem": STEM, "content": SINGLE_CHOICE},
    )
    similar = created.json["latest_version"]["similar_items"]
    assert similar[0]["item"] == original.external_id and similar[0]["similarity"] >= 0.99
    submitted = client.post(f"items/{created.json['external_id']}/versions/1/submit", json={})
    assert submitted.status_code == 200  # a warning, not a refusal
    assert submitted.json["similar_items"][0]["item"] == original.external_id


def test_a_review_checklist_is_set_answered_and_returned(
    as_user: Any, world: World, plugins: Any
) -> None:
    from itembank.operations.reviews import submit_version

    path = f"banks/{world.bank.code}"
    changed = as_user("bank_admin").patch(path, json={"review_checklist": True})
    assert changed.status_code == 200 and len(changed.json["review_checklist"]) == 11
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    reviews = f"items/{item.external_id}/versions/1/reviews"
    refused = as_user("reviewer").post(reviews, json={"decision": "approve"})
    assert refused.status_code == 422 and len(refused.json["errors"]) == 11
    answers = {c["code"]: "yes" for c in changed.json["review_checklist"]}
    done = as_user("reviewer").post(reviews, json={"decision": "approve", "checklist": answers})
    assert done.status_code == 201, done.json
    kept = done.json["reviews"][0]["checklist"]
    assert {c["code"]: c["answer"] for c in kept} == answers
