"""GET /items/{id} reads plain columns (itembank.operations.shown_item) and writes its
answer itself (itembank.api.items.item_answer): the answer is what ItemOut dumps the ORM
objects to, for every kind of reader and version (issue 16)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import current_app

from itembank.api.items import item_answer
from itembank.api.schemas import ItemOut
from itembank.extensions import db
from itembank.models import User
from itembank.operations import reads
from itembank.operations.items import start_new_draft
from itembank.operations.passage_reviews import review_passage_version, submit_passage_version
from itembank.operations.passage_sets import set_item_passage
from itembank.operations.passages import create_passage
from itembank.operations.reviews import retire_item, review_version, submit_version
from tests.factories import SINGLE_CHOICE, World, make_item


def _orm_answer(external_id: str, user: User) -> Any:
    """ItemOut's dump of the ORM objects; the answer written out from them is the same."""
    item, version = reads.readable_item(external_id, actor=user, shown=True)
    dumped = json.loads(
        current_app.json.dumps(ItemOut().dump({"item": item, "latest_version": version}))
    )
    written = json.loads(current_app.json.dumps(item_answer(item, version)))
    db.session.rollback()
    assert written == dumped
    return dumped


def test_the_answer_is_what_the_orm_objects_dump_to(
    as_user: Any, world: World, plugins: Any
) -> None:
    approved = make_item(world, plugins, actor=world.author2)
    version = submit_version(approved.versions[0], actor=world.author2)
    review_version(version, actor=world.reviewer, decision="approve", comment="Baik.")
    start_new_draft(approved, actor=world.author)  # a newer draft, based on version 1
    draft = make_item(world, plugins)
    # A draft with problems (no key) and one under review.
    keyless = make_item(world, plugins, content={**SINGLE_CHOICE, "key": None})
    in_review = make_item(world, plugins)
    submit_version(in_review.versions[0], actor=world.author)
    retired = make_item(world, plugins)
    review_version(
        submit_version(retired.versions[0], actor=world.author),
        actor=world.reviewer,
        decision="approve",
    )
    retire_item(retired, actor=world.bank_admin, reason="Usang.")
    passage = create_passage(world.bank, actor=world.author, title="Bacaan", body="<p>Teks.</p>")
    passage_version = submit_passage_version(passage.latest_version, actor=world.author)
    review_passage_version(passage_version, actor=world.reviewer, decision="approve")
    pinned = make_item(world, plugins)
    set_item_passage(pinned.latest_version, actor=world.author, passage=passage_version)
    db.session.commit()
    hidden_from_assemblers = (draft, keyless, in_review, retired, pinned)
    for name in ("author", "reviewer", "assembler", "bank_admin"):
        for item in (approved, draft, keyless, in_review, retired, pinned):
            response = as_user(name).get(f"items/{item.external_id}")
            if name == "assembler" and item in hidden_from_assemblers:
                assert response.status_code == 404
                continue
            assert response.status_code == 200, (name, response.json)
            assert response.json == _orm_answer(item.external_id, world.users[name]), name
    shown = as_user("assembler").get(f"items/{approved.external_id}").json
    assert (shown["approved_version"], shown["latest_version"]["number"]) == (1, 1)
    assert shown["latest_version"]["reviews"][0]["reviewer"] == world.reviewer.username
    newest = as_user("author").get(f"items/{approved.external_id}").json["latest_version"]
    assert (newest["number"], newest["status"], newest["based_on"]) == (2, "draft", 1)
    author = as_user("author")
    assert author.get(f"items/{keyless.external_id}").json["latest_version"]["problems"]
    assert author.get(f"items/{retired.external_id}").json["retired_at"] is not None
    shown_passage = author.get(f"items/{pinned.external_id}").json["latest_version"]["passage"]
    assert shown_passage == {"id": passage.external_id, "version": 1}


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_outsiders_see_nothing_and_administrators_everything(
    who: str, as_user: Any, world: World, plugins: Any
) -> None:
    item = make_item(world, plugins)
    db.session.commit()
    response = as_user(who).get(f"items/{item.external_id}")
    if who == "outsider":
        assert response.status_code == 404
        assert as_user(who).get("items/NO-SUCH-000001").status_code == 404
    else:
        assert response.status_code == 200
        assert response.json == _orm_answer(item.external_id, world.users["admin"])
        assert response.json["latest_version"]["status"] == "draft"
