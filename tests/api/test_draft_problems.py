"""Incomplete drafts through the API: stored with their problems, refused on submit."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiClient
from tests.factories import SINGLE_CHOICE, STEM, World


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
