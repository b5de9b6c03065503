"""The passages API: a script writes a passage, reviewers approve it, items pin it."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ApiClient, assert_problem
from tests.factories import SINGLE_CHOICE, STEM, World

BODY = "<p>Data izin usaha:</p><table><tr><td>2024</td><td>1.200</td></tr></table>"


def _item(client: ApiClient, bank: str, **extra: Any) -> Any:
    return client.post(
        f"banks/{bank}/items",
        json={
            "type": "single_choice",
            "stem": STEM,
            "content": SINGLE_CHOICE,
            "metadata": {"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]},
            **extra,
        },
    )


def test_a_passage_set_through_the_api(as_user: Any, world: World) -> None:
    bank = world.bank.code
    author, reviewer = as_user("author"), as_user("reviewer")
    created = author.post(
        f"banks/{bank}/passages", json={"title": "Izin usaha", "body": BODY + "<script>x</script>"}
    )
    assert created.status_code == 201, created.json
    passage = created.json["external_id"]
    assert created.headers["Location"].endswith(f"/api/v1/passages/{passage}")
    version = created.json["latest_version"]
    assert version["status"] == "draft" and "<script" not in version["body"]
    assert version["problems"] == []

    # edit with If-Match; a stale ETag is refused
    edited = author.patch(
        f"passages/{passage}/draft",
        json={"title": "Izin usaha daerah"},
        headers={"If-Match": '"v1.r1"'},
    )
    assert edited.status_code == 200 and edited.headers["ETag"] == '"v1.r2"'
    stale = author.patch(
        f"passages/{passage}/draft", json={"title": "X"}, headers={"If-Match": '"v1.r1"'}
    )
    assert_problem(stale, 412)

    # an item pins the draft at creation; another by editing its draft
    first = _item(author, bank, passage={"id": passage})
    assert first.status_code == 201, first.json
    assert first.json["latest_version"]["passage"] == {"id": passage, "version": 1}
    second = _item(author, bank).json["external_id"]
    pinned = author.patch(
        f"items/{second}/draft",
        json={"passage": {"id": passage, "version": 1}},
        headers={"If-Match": '"v1.r1"'},
    )
    assert pinned.status_code == 200, pinned.json
    assert pinned.json["passage"] == {"id": passage, "version": 1}
    listed = reviewer.get(f"passages/{passage}/items").json
    assert [row["item"] for row in listed] == [first.json["external_id"], second]

    # the items wait for the passage's approval
    refused = author.post(f"items/{second}/versions/1/submit", json={})
    body = assert_problem(refused, 422)
    assert [e["field"] for e in body["errors"]] == ["passage"]

    submitted = author.post(f"passages/{passage}/versions/1/submit", json={})
    assert submitted.status_code == 200 and submitted.json["status"] == "in_review"
    own = author.post(f"passages/{passage}/versions/1/reviews", json={"decision": "approve"})
    assert_problem(own, 403)
    approved = reviewer.post(f"passages/{passage}/versions/1/reviews", json={"decision": "approve"})
    assert approved.status_code == 201 and approved.json["status"] == "approved"
    assert author.post(f"items/{second}/versions/1/submit", json={}).status_code == 200

    # assemblers see it once approved; a new draft starts from it
    assert as_user("assembler").get(f"passages/{passage}").status_code == 200
    again = author.post(f"passages/{passage}/draft", json={})
    assert again.status_code == 201 and again.json["number"] == 2
    assert as_user("assembler").get(f"passages/{passage}/versions/2").status_code == 404
    page = author.get(f"banks/{bank}/passages?q=daerah").json
    assert page["total"] == 1 and page["passages"][0]["external_id"] == passage


def test_bad_input_is_a_clear_422(as_user: Any, world: World) -> None:
    author = as_user("author")
    bank = world.bank.code
    too_long = author.post(f"banks/{bank}/passages", json={"title": "T", "body": "x" * 100_001})
    body = assert_problem(too_long, 422)
    assert body["errors"][0]["field"] == "body"
    missing = author.post(f"banks/{bank}/passages", json={"title": "T"})
    assert_problem(missing, 422)
    unknown = _item(author, bank, passage={"id": "NOPE-P00001"})
    body = assert_problem(unknown, 422)
    assert body["errors"][0]["field"] == "passage"
    assert_problem(author.get("passages/NOPE-P00001"), 404)


def test_comments_diff_notifications_and_retiring_through_the_api(
    as_user: Any, world: World
) -> None:
    bank = world.bank.code
    author, reviewer, admin = as_user("author"), as_user("reviewer"), as_user("bank_admin")
    passage = author.post(
        f"banks/{bank}/passages", json={"title": "Izin usaha", "body": BODY}
    ).json["external_id"]
    assert author.post(f"passages/{passage}/versions/1/submit", json={}).status_code == 200
    # the reviewer is told, and the notification leads to the review page
    waiting = reviewer.get("me/notifications").json
    (told,) = [n for n in waiting["notifications"] if n["kind"] == "review_waiting"]
    assert told["link"] == f"/passages/{passage}/versions/1/review"

    said = reviewer.post(
        f"passages/{passage}/versions/1/comments", json={"body": "Angkanya benar?", "field": "body"}
    )
    assert said.status_code == 201, said.json
    assert (said.json["version"], said.json["field"]) == (1, "body")
    assert_problem(author.post(f"passages/{passage}/versions/1/comments", json={"body": ""}), 422)
    comments = author.get(f"passages/{passage}/versions/1/comments").json
    assert [(c["author"], c["body"]) for c in comments] == [
        (world.reviewer.username, "Angkanya benar?")
    ]
    approved = reviewer.post(f"passages/{passage}/versions/1/reviews", json={"decision": "approve"})
    assert approved.status_code == 201
    kinds = [n["kind"] for n in author.get("me/notifications").json["notifications"]]
    assert "approved" in kinds

    # the differences between two versions, word by word
    author.post(f"passages/{passage}/draft", json={})
    author.patch(
        f"passages/{passage}/draft",
        json={"title": "Izin usaha mikro"},
        headers={"If-Match": '"v2.r1"'},
    )
    diff = author.get(f"passages/{passage}/diff?from=1&to=2").json
    assert diff["changed"] and {"op": "insert", "text": " mikro"} in diff["title"]["ops"]
    assert_problem(author.get(f"passages/{passage}/diff?from=1&to=9"), 404)
    assert_problem(author.get(f"passages/{passage}/diff?from=x&to=2"), 422)

    # retiring: bank admins, with a reason, once no version is open
    assert_problem(admin.post(f"passages/{passage}/retire", json={"reason": ""}), 422)
    assert_problem(author.post(f"passages/{passage}/retire", json={"reason": "Usang."}), 403)
    assert_problem(admin.post(f"passages/{passage}/retire", json={"reason": "Usang."}), 409)
    author.post(f"passages/{passage}/versions/2/submit", json={})
    author.post(f"passages/{passage}/versions/2/withdraw", json={"reason": "Tidak jadi."})
    retired = admin.post(f"passages/{passage}/retire", json={"reason": "Usang."})
    assert retired.status_code == 200, retired.json
    assert retired.json["retired_at"] and retired.json["retired_by"] == world.bank_admin.username
    refused = _item(author, bank, passage={"id": passage})
    assert assert_problem(refused, 422)["errors"][0]["field"] == "passage"
    assert author.get(f"banks/{bank}/passages?retired=true").json["total"] == 1
    assert author.get(f"banks/{bank}/passages?retired=false").json["total"] == 0
