"""Racing requests through the API, with real commits, on both databases.

Each client runs in its own thread (its own app context, session and connection); a
barrier releases them together. Whatever the interleaving, the answers must be those of
some serial order: one edit wins and the other gets 412, two approvals both count, the
same reviewer twice counts once, and nothing answers 500.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent, Item, ItemVersion, Review
from itembank.operations.reviews import submit_version
from tests.api.conftest import ApiClient, login
from tests.factories import World, make_item


def committed(app: Flask, fn: Callable[[], Any]) -> Any:
    with app.app_context():
        try:
            result = fn()
            db.session.commit()
            return result
        finally:
            db.session.remove()


def race(app: Flask, *requests: Callable[[ApiClient], Any]) -> list[Any]:
    """Send each request from its own thread and client, released together."""
    barrier = threading.Barrier(len(requests))
    results: list[Any] = [None] * len(requests)

    def run(index: int, request: Callable[[ApiClient], Any]) -> None:
        client = ApiClient(app.test_client())
        barrier.wait(timeout=10)
        try:
            results[index] = request(client)
        except Exception as exc:  # the assertion below shows it
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


NAMES = ("author", "author2", "reviewer", "reviewer2")


def setup(app: Flask, *, submit: bool, required_approvals: int = 1) -> tuple[str, dict[str, str]]:
    """A committed item (in review if ``submit``) and a token per user."""

    def build() -> tuple[str, dict[str, str]]:
        world = World(required_approvals=required_approvals)
        item = make_item(world, app.extensions["itembank.plugins"])
        if submit:
            submit_version(item.latest_version, actor=world.author)
        client = ApiClient(app.test_client())
        return item.external_id, {name: login(client, world.users[name]) for name in NAMES}

    return committed(app, build)


def test_racing_draft_edits_one_wins_one_gets_412(app: Flask) -> None:
    external_id, tokens = setup(app, submit=False)

    def edit(name: str, stem: str) -> Callable[[ApiClient], Any]:
        return lambda client: client.as_(tokens[name]).patch(
            f"items/{external_id}/draft", json={"stem": stem}, headers={"If-Match": '"v1.r1"'}
        )

    first, second = race(app, edit("author", "<p>Versi A</p>"), edit("author2", "<p>Versi B</p>"))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 412], (first.get_json(), second.get_json())
    winner = first if first.status_code == 200 else second
    loser = second if winner is first else first
    assert loser.get_json()["code"] == "stale_edit"
    draft = ApiClient(app.test_client(), tokens["author"]).get(f"items/{external_id}/draft")
    assert draft.json["stem"] == winner.json["stem"]
    assert draft.json["revision"] == 2


def test_two_reviewers_approving_together_both_count(app: Flask) -> None:
    external_id, tokens = setup(app, submit=True, required_approvals=2)

    def approve(name: str) -> Callable[[ApiClient], Any]:
        return lambda client: client.as_(tokens[name]).post(
            f"items/{external_id}/versions/1/reviews", json={"decision": "approve"}
        )

    results = race(app, approve("reviewer"), approve("reviewer2"))
    assert [r.status_code for r in results] == [201, 201], [r.get_json() for r in results]
    item = ApiClient(app.test_client(), tokens["author"]).get(f"items/{external_id}").json
    assert item["latest_version"]["status"] == "approved"

    def approvals() -> int:
        item_id = db.session.scalar(sa.select(Item.id).where(Item.external_id == external_id))
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.item_id == item_id, AuditEvent.action == "version.approved")
        )

    assert committed(app, approvals) == 1


def test_one_reviewer_twice_at_once_counts_once(app: Flask) -> None:
    external_id, tokens = setup(app, submit=True, required_approvals=2)

    def approve(client: ApiClient) -> Any:
        return client.as_(tokens["reviewer"]).post(
            f"items/{external_id}/versions/1/reviews", json={"decision": "approve"}
        )

    results = race(app, approve, approve)
    assert sorted(r.status_code for r in results) == [201, 409], [r.get_json() for r in results]

    def reviews() -> int:
        return db.session.scalar(
            sa.select(sa.func.count(Review.id))
            .join(ItemVersion, ItemVersion.id == Review.version_id)
            .join(Item, Item.id == ItemVersion.item_id)
            .where(Item.external_id == external_id)
        )

    assert committed(app, reviews) == 1


def form_setup(app: Flask, entries: int) -> tuple[str, list[int], list[str], str]:
    """A committed draft form with ``entries`` pinned items (all in its first section),
    the entries' ids, ``entries`` more approved items not pinned, and an assembler's
    token."""
    from itembank.operations.blueprints import create_blueprint
    from itembank.operations.forms import add_entry, create_form
    from tests.forms_helpers import approved, blueprint_spec

    def build() -> tuple[str, list[int], list[str], str]:
        plugins = app.extensions["itembank.plugins"]
        world = World()
        blueprint = create_blueprint(
            world.bank, blueprint_spec(), actor=world.assembler, plugins=plugins
        )
        form = create_form(world.bank, blueprint, title="Paket balapan", actor=world.assembler)
        items = [approved(world, plugins, "TIU.NUM") for _ in range(2 * entries)]
        ids = [
            add_entry(form, item.approved_version, actor=world.assembler, section=1).id
            for item in items[:entries]
        ]
        spare = [item.external_id for item in items[entries:]]
        token = login(ApiClient(app.test_client()), world.assembler)
        return form.external_id, ids, spare, token

    return committed(app, build)


def test_racing_entry_edits_without_if_match_answer_as_some_serial_order(app: Flask) -> None:
    """Issue finding 5: concurrent edits of one form's entries without If-Match answered
    500 (``list.remove``, a unique position violation, ``StaleDataError``). Each entry
    operation locks the form first and reads its entries under the lock, so every
    answer is one of a serial order: done, 404 for an entry another request removed
    first, 422 for a position or an order that no longer fits; never 500, nor 409 (the
    database never has to refuse a write); and the form's positions stay dense. Played
    on two forms, since a race is not lost every time."""
    for _ in range(2):
        _race_entry_edits(app)


def _race_entry_edits(app: Flask) -> None:
    form_id, ids, spare, token = form_setup(app, 6)
    base = f"forms/{form_id}"

    def remove(entry_id: int) -> Callable[[ApiClient], Any]:
        return lambda client: client.as_(token).delete(f"{base}/entries/{entry_id}")

    def move(entry_id: int, position: int) -> Callable[[ApiClient], Any]:
        return lambda client: client.as_(token).patch(
            f"{base}/entries/{entry_id}", json={"position": position, "section": 1}
        )

    def add(item: str, position: int) -> Callable[[ApiClient], Any]:
        return lambda client: client.as_(token).post(
            f"{base}/entries", json={"item": item, "section": 1, "position": position}
        )

    def reorder(client: ApiClient) -> Any:
        current = client.as_(token).get(base).json
        listed = [e["id"] for s in current["sections"] for e in s["entries"]]
        return client.as_(token).request(
            "PUT", f"{base}/order", json={"sections": [{"section": 1, "entries": listed[::-1]}]}
        )

    rounds: list[list[Callable[[ApiClient], Any]]] = [
        [remove(ids[0]), remove(ids[0]), move(ids[1], 1), move(ids[2], 1)],
        [move(ids[1], 3), remove(ids[1]), add(spare[0], 1), move(ids[3], 1)],
        [add(spare[1], 1), add(spare[2], 2), remove(ids[2]), reorder],
        [move(ids[4], 1), move(ids[5], 2), remove(ids[4]), reorder],
    ]
    answers: list[Any] = []
    for requests in rounds:
        answers.extend(race(app, *requests))
    broken = [
        a if isinstance(a, Exception) else (a.status_code, a.get_json())
        for a in answers
        if isinstance(a, Exception) or a.status_code not in (200, 201, 404, 422)
    ]
    assert broken == []
    form = ApiClient(app.test_client(), token).get(base).json
    for section in form["sections"]:
        assert [e["position"] for e in section["entries"]] == list(
            range(1, len(section["entries"]) + 1)
        )
    assert ids[0] not in [e["id"] for s in form["sections"] for e in s["entries"]]
