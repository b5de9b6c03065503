"""GET /items/{id} reads plain columns (itembank.operations.shown_item): its answer is
what the ORM objects dump to, for every kind of reader and version (issue 16)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import current_app

from itembank.api.schemas import ItemOut
from itembank.extensions import db
from itembank.models import User
from itembank.operations import reads
from itembank.operations.items import start_new_draft
from itembank.operations.reviews import review_version, submit_version
from tests.factories import World, make_item


def _orm_answer(external_id: str, user: User) -> Any:
    item, version = reads.readable_item(external_id, actor=user, shown=True)
    dumped = ItemOut().dump({"item": item, "latest_version": version})
    db.session.rollback()
    return json.loads(current_app.json.dumps(dumped))


def test_the_answer_is_what_the_orm_objects_dump_to(
    as_user: Any, world: World, plugins: Any
) -> None:
    approved = make_item(world, plugins, actor=world.author2)
    version = submit_version(approved.versions[0], actor=world.author2)
    review_version(version, actor=world.reviewer, decision="approve", comment="Baik.")
    start_new_draft(approved, actor=world.author)  # a newer draft, based on version 1
    draft = make_item(world, plugins)
    db.session.commit()
    for name in ("author", "reviewer", "assembler", "bank_admin"):
        for item in (approved, draft):
            response = as_user(name).get(f"items/{item.external_id}")
            if name == "assembler" and item is draft:
                assert response.status_code == 404
                continue
            assert response.status_code == 200, (name, response.json)
            assert response.json == _orm_answer(item.external_id, world.users[name]), name
    shown = as_user("assembler").get(f"items/{approved.external_id}").json
    assert (shown["approved_version"], shown["latest_version"]["number"]) == (1, 1)
    assert shown["latest_version"]["reviews"][0]["reviewer"] == world.reviewer.username
    newest = as_user("author").get(f"items/{approved.external_id}").json["latest_version"]
    assert (newest["number"], newest["status"], newest["based_on"]) == (2, "draft", 1)


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
