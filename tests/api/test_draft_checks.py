"""A draft's checks (problems, similar items) remembered by the bank's content stamp:
each read after a change shows the change, whatever changed (issue 16)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Bank, TaxonomyNode
from itembank.operations.accounts import create_bank
from tests.factories import SINGLE_CHOICE, STEM, World, make_item


def _stamp(bank: Bank) -> int:
    return int(db.session.scalar(sa.select(Bank.content_stamp).where(Bank.id == bank.id)))


def test_a_drafts_checks_show_every_change_they_read(
    as_user: Any, world: World, plugins: Any
) -> None:
    item = make_item(world, plugins)
    db.session.commit()
    author = as_user("author")
    path = f"items/{item.external_id}"

    def checks() -> tuple[list[str], list[str]]:
        response = author.get(path)
        assert response.status_code == 200, response.json
        version = response.json["latest_version"]
        return [p["field"] for p in version["problems"]], [
            s["item"] for s in version["similar_items"]
        ]

    assert checks() == ([], [])
    before = _stamp(world.bank)
    assert checks() == ([], [])  # reads leave the stamp as it was
    assert _stamp(world.bank) == before

    # Another item with the same text: the draft now has a similar item.
    copy = author.post(
        f"banks/{world.bank.code}/items",
        json={"type": "single_choice", "stem": STEM, "content": SINGLE_CHOICE},
    )
    assert copy.status_code == 201, copy.json
    assert checks() == ([], [copy.json["external_id"]])

    # The bank's writing rules.
    rules = {"types": {"single_choice": {"options": 5}}}
    changed = as_user("bank_admin").patch(f"banks/{world.bank.code}", json={"writing_rules": rules})
    assert changed.status_code == 200, changed.json
    assert checks() == (["content.options"], [copy.json["external_id"]])

    # A shared taxonomy's node the draft is classified under.
    node = db.session.scalars(sa.select(TaxonomyNode).where(TaxonomyNode.code == "TIU.NUM")).one()
    node.code = "TIU.NUM.OLD"
    db.session.commit()
    assert checks()[0] == ["metadata.classifications.0.node"]
    node.code = "TIU.NUM"
    db.session.commit()
    assert checks()[0] == ["content.options"]

    # The draft itself, edited.
    etag = author.get(f"{path}/draft").headers["ETag"]
    edited = author.patch(
        f"{path}/draft",
        json={"content": {**SINGLE_CHOICE, "key": None}},
        headers={"If-Match": etag},
    )
    assert edited.status_code == 200, edited.json
    assert checks()[0] == ["content.key", "content.options"]


def test_a_change_raises_the_stamp_of_its_bank_only(world: World, plugins: Any) -> None:
    other = create_bank("STAMP2", "Bank lain", actor=None)
    db.session.commit()
    mine, theirs = _stamp(world.bank), _stamp(other)
    make_item(world, plugins)
    db.session.commit()
    assert _stamp(world.bank) == mine + 1
    assert _stamp(other) == theirs
    db.session.rollback()  # nothing written: nothing raised
    db.session.commit()
    assert (_stamp(world.bank), _stamp(other)) == (mine + 1, theirs)


def test_a_bulk_statement_raises_its_banks_stamp_or_every_banks(world: World) -> None:
    """A bulk statement through the session names its bank in its execution options
    (itembank.content_stamp.in_bank), as the imports do; without one, every bank's
    stamp is raised (what it wrote is not known)."""
    from itembank.models import Item
    from itembank.operations.items import next_item_number

    other = create_bank("STAMP3", "Bank lain", actor=None)
    db.session.commit()
    mine, theirs = _stamp(world.bank), _stamp(other)
    next_item_number(world.bank)  # a bulk UPDATE of the bank row, naming it
    db.session.commit()
    assert (_stamp(world.bank), _stamp(other)) == (mine + 1, theirs)
    db.session.execute(sa.update(Item).where(Item.id == -1).values(source_ref="x"))
    db.session.commit()
    assert (_stamp(world.bank), _stamp(other)) == (mine + 2, theirs + 1)
