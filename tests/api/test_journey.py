"""The journey a script takes with curl: token, create, edit, submit, review, compare."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent
from tests.api.conftest import ApiClient, assert_problem, login
from tests.factories import TKP, World

TKP_STEM = "<p>Sepuluh menit sebelum layanan tutup, seorang warga datang dengan berkas kurang.</p>"


def create_tkp(client: ApiClient, bank: str, **overrides: Any) -> Any:
    body = {
        "type": "weighted_options",
        "stem": TKP_STEM,
        "content": TKP,
        "metadata": {"classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}]},
        **overrides,
    }
    return client.post(f"banks/{bank}/items", json=body)


def test_the_curl_journey(api: ApiClient, session: Any) -> None:
    world = World(required_approvals=2)
    bank = world.bank.code
    token = login(api, world.author, name="laptop")
    author = api.as_(token)

    # create a weighted-options item: its first version is a draft
    created = create_tkp(author, bank)
    assert created.status_code == 201, created.json
    item = created.json
    item_id = item["external_id"]
    assert item_id == f"{bank}-{int(item_id.rsplit('-', 1)[1]):06d}"
    assert created.headers["Location"].endswith(f"/api/v1/items/{item_id}")
    assert item["type"] == "weighted_options"
    assert item["created_by"] == world.author.username
    assert item["latest_version"]["number"] == 1
    assert item["latest_version"]["status"] == "draft"
    assert item["latest_version"]["stem"] == TKP_STEM
    assert item["latest_version"]["content"]["options"][1]["weight"] == 5
    assert item["latest_version"]["metadata"]["classifications"][0]["node"] == "TKP.PP"

    # read the draft and edit it with If-Match
    draft = author.get(f"items/{item_id}/draft")
    assert draft.status_code == 200
    etag = draft.headers["ETag"]
    assert etag == '"v1.r1"' == created.headers["ETag"]
    edited = author.patch(
        f"items/{item_id}/draft",
        json={"stem": "<p>Lima menit sebelum layanan tutup, seorang warga datang.</p>"},
        headers={"If-Match": etag},
    )
    assert edited.status_code == 200, edited.json
    assert edited.headers["ETag"] == '"v1.r2"'
    assert edited.json["revision"] == 2
    assert edited.json["content"] == draft.json["content"]  # only the stem changed

    # submit; the author may not approve their own version
    submitted = author.post(f"items/{item_id}/versions/1/submit", json={"reason": "siap"})
    assert submitted.status_code == 200, submitted.json
    assert submitted.json["status"] == "in_review"
    assert submitted.json["submitted_by"] == world.author.username

    world_author_reviewer = api.as_(login(api, world.author_reviewer))
    edited_by_them = world_author_reviewer.post(
        f"items/{item_id}/versions/1/reviews", json={"decision": "approve"}
    )
    assert edited_by_them.status_code == 201  # a reviewer who did not edit it may
    # ... but someone who edited it may not: make the author a reviewer too
    from itembank.operations.accounts import add_member

    add_member(world.bank, world.author, "reviewer", actor=None)
    db.session.commit()
    own = author.post(f"items/{item_id}/versions/1/reviews", json={"decision": "approve"})
    body = assert_problem(own, 403, "forbidden")
    assert "you wrote, edited or submitted version 1" in body["detail"]

    # the second distinct approval approves it
    reviewer = api.as_(login(api, world.reviewer))
    approved = reviewer.post(
        f"items/{item_id}/versions/1/reviews", json={"decision": "approve", "comment": "Baik."}
    )
    assert approved.status_code == 201, approved.json
    assert approved.json["status"] == "approved"
    assert [r["decision"] for r in approved.json["reviews"]] == ["approve", "approve"]

    # a new draft, a change of weights, then the version list and the diff
    new_draft = author.post(f"items/{item_id}/draft", json={})
    assert new_draft.status_code == 201, new_draft.json
    assert new_draft.headers["ETag"] == '"v2.r1"'
    options = [dict(o) for o in TKP["options"]]
    options[0]["weight"], options[3]["weight"] = 4, 3
    changed = author.patch(
        f"items/{item_id}/draft",
        json={"content": {**TKP, "options": options}},
        headers={"If-Match": new_draft.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.json

    versions = author.get(f"items/{item_id}/versions")
    assert versions.status_code == 200
    assert [(v["number"], v["status"]) for v in versions.json] == [(1, "approved"), (2, "draft")]
    assert "stem" not in versions.json[0]
    assert versions.json[1]["based_on"] == 1

    diff = author.get(f"items/{item_id}/diff?from=1&to=2")
    assert diff.status_code == 200, diff.json
    assert diff.json["from"] == 1 and diff.json["to"] == 2
    assert diff.json["changed"] is True
    assert diff.json["stem"]["changed"] is False
    assert {c["id"]: (c["from"], c["to"]) for c in diff.json["weights"]["changes"]} == {
        "A": (3, 4),
        "D": (4, 3),
    }

    item_now = author.get(f"items/{item_id}")
    assert item_now.json["approved_version"] == 1
    assert item_now.json["latest_version"]["number"] == 2

    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.actor_id == world.author.id)
    ).all()
    assert "token.create" in actions and "item.read" in actions


def test_reading_an_item_records_who_read_which_version(
    as_user: Any, world: World, session: Any
) -> None:
    created = create_tkp(as_user("author"), world.bank.code)
    item_id = created.json["external_id"]
    assert as_user("reviewer").get(f"items/{item_id}").status_code == 200
    assert as_user("reviewer").get(f"items/{item_id}/versions/1").status_code == 200
    reads = db.session.execute(
        sa.select(AuditEvent.actor_id, AuditEvent.version_number, AuditEvent.data).where(
            AuditEvent.action == "item.read", AuditEvent.object_id == item_id
        )
    ).all()
    assert [(r.actor_id, r.version_number, r.data["via"]) for r in reads] == [
        (world.reviewer.id, 1, "item"),
        (world.reviewer.id, 1, "version"),
    ]


def test_withdrawing_a_version_from_review(api: ApiClient, world: World) -> None:
    bank = world.bank.code
    author = api.as_(login(api, world.author))
    item_id = create_tkp(author, bank).json["external_id"]
    submitted = author.post(f"items/{item_id}/versions/1/submit", json={})
    assert submitted.json["required_approvals"] == world.bank.required_approvals
    reviewer = api.as_(login(api, world.reviewer))
    assert_problem(reviewer.post(f"items/{item_id}/versions/1/withdraw", json={}), 403)
    withdrawn = author.post(f"items/{item_id}/versions/1/withdraw", json={"reason": "Salah."})
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert_problem(
        author.post(f"items/{item_id}/versions/1/withdraw", json={}), 409, "transition_not_allowed"
    )
    revised = author.post(f"items/{item_id}/draft", json={"from_version": 1})
    assert revised.status_code == 201 and revised.json["number"] == 2
