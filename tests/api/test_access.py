"""Roles in a bank (itembank.access.roles_in): read once per transaction, never stale."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from itembank.access import roles_in
from itembank.extensions import db
from itembank.models import Role
from itembank.operations.accounts import add_member, create_user, remove_member
from tests.factories import PASSWORD, World, unique


@contextmanager
def membership_reads() -> Iterator[list[str]]:
    """The statements reading the membership table while the block runs."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "membership" in statement.lower():
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)


def test_roles_follow_membership_changes_in_the_same_transaction(world: World) -> None:
    """What the session adds or removes counts at once, flushed or not, and after a
    commit the roles are read again (another request may have changed them)."""
    user = create_user(unique("roles-"), PASSWORD, actor=None)
    assert roles_in(user, world.bank) == set()
    add_member(world.bank, user, Role.AUTHOR, actor=None)
    assert roles_in(user, world.bank) == {Role.AUTHOR}
    add_member(world.bank, user, Role.REVIEWER, actor=None)
    db.session.flush()
    assert roles_in(user, world.bank) == {Role.AUTHOR, Role.REVIEWER}
    remove_member(world.bank, user, Role.AUTHOR, actor=None)
    assert roles_in(user, world.bank) == {Role.REVIEWER}
    db.session.commit()
    with membership_reads() as reads:
        assert roles_in(user, world.bank) == {Role.REVIEWER}
        assert roles_in(user, world.bank) == {Role.REVIEWER}
    assert len(reads) == 1


def test_an_item_read_asks_for_the_readers_roles_once(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Issue 16: GET /items/{id} read the reader's memberships three times (the view,
    the operation, the serializer)."""
    from tests.factories import make_item

    item = make_item(world, plugins)
    db.session.commit()
    client = as_user("reviewer")
    with membership_reads() as reads:
        response = client.get(f"items/{item.external_id}")
    assert response.status_code == 200
    assert len(reads) == 1
    # ... in the query that reads the item (and its bank), as a listing reads them
    # with the bank (on PostgreSQL, the item is joined to the reader's token).
    assert ("FROM item" in reads[0] or "JOIN item" in reads[0]) and "JOIN bank" in reads[0]
    with membership_reads() as reads:
        response = client.get(f"banks/{world.bank.code}/items")
    assert response.status_code == 200
    assert len(reads) == 1
    assert "FROM api_token" in reads[0] and "JOIN bank" in reads[0]  # with the token


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every statement sent while the block runs, transaction control left out."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.split(None, 1)[0].upper() not in {"BEGIN", "SAVEPOINT", "RELEASE"}:
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)


def read_statements() -> int:
    """The statements of an item's read: on PostgreSQL one (the token, the item and the
    audit row: :mod:`itembank.api.item_read`), elsewhere three."""
    return 1 if db.engine.dialect.name == "postgresql" else 3


def audit_inserts(sent: list[str]) -> int:
    return sum("INSERT INTO audit_event" in s for s in sent)


def test_an_approved_item_is_read_in_three_statements(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Issue 16: the reader's token, then the item with its bank, the reader's
    memberships, its version and the version's people and the reviews with their
    reviewers (one statement: :mod:`itembank.operations.shown_item`), and the audit row;
    nothing is read again while the answer is written (each lazily read person or
    review was a round trip of its own). On PostgreSQL, all three are one statement."""
    from itembank.operations.reviews import review_version, submit_version
    from tests.factories import make_item

    item = make_item(world, plugins, actor=world.author2)
    version = submit_version(item.versions[0], actor=world.author2)
    review_version(version, actor=world.reviewer, decision="approve", comment="Baik.")
    db.session.commit()
    path = f"items/{item.external_id}"
    client = as_user("reviewer3")
    assert client.get(path).status_code == 200  # the token's first use is recorded
    db.session.expire_all()
    with statements() as sent:
        response = client.get(path)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["approved_version"] == body["latest_version"]["number"] == 1
    assert body["latest_version"]["created_by"] == world.author2.username
    assert [r["reviewer"] for r in body["latest_version"]["reviews"]] == [world.reviewer.username]
    kinds = [" ".join(s.split())[:90] for s in sent]
    assert len(sent) <= read_statements(), "\n".join(kinds)
    assert audit_inserts(sent) == 1, kinds


def test_a_draft_is_read_in_three_statements(as_user: Any, world: World, plugins: Any) -> None:
    """Issue 16: a draft shows what keeps it from being submitted (its classification
    checked against the taxonomies now) and the bank's items most like it. Read again
    with nothing changed in the bank (its content stamp, read with the item, is the
    same: :mod:`itembank.operations.draft_checks`), they are not checked again: the
    token, the item with its bank, version, people and reviews, and the audit row (one
    statement on PostgreSQL). The
    first read checked them: the classification's taxonomy with its node (one query,
    not one for each) and the similar items' candidates, five statements."""
    from tests.factories import make_item

    item = make_item(world, plugins)
    db.session.commit()
    path = f"items/{item.external_id}"
    client = as_user("author")
    assert client.get(path).status_code == 200  # the token's first use is recorded
    db.session.expire_all()
    with statements() as sent:
        response = client.get(path)
    assert response.status_code == 200, response.json
    version = response.json["latest_version"]
    assert version["status"] == "draft"
    assert version["problems"] == []
    assert version["metadata"]["classifications"][0]["node"] == "TIU.NUM"
    kinds = [" ".join(s.split())[:90] for s in sent]
    assert len(sent) <= read_statements(), "\n".join(kinds)
    assert audit_inserts(sent) == 1, kinds
    # After a change in the bank, the checks run again: the draft (as objects, with its
    # item, bank and pinned passage), its classification and the similar items, once.
    make_item(world, plugins)
    db.session.commit()
    db.session.expire_all()
    with statements() as sent:
        response = client.get(path)
    assert response.status_code == 200, response.json
    assert [s["item"] for s in response.json["latest_version"]["similar_items"]] != []
    kinds = [" ".join(s.split())[:90] for s in sent]
    assert len(sent) <= read_statements() + 3, "\n".join(kinds)


def test_a_drafts_unknown_classification_is_still_a_problem(
    as_user: Any, world: World, plugins: Any
) -> None:
    """The one query for taxonomies and nodes tells apart an unknown node, an unknown
    taxonomy and a known pair, as the query for each did."""
    from itembank.operations.content import NodeLookup, resolve_classifications

    nodes, problems = resolve_classifications(
        world.bank,
        [
            {"taxonomy": "skd-cpns", "node": "TIU.NUM"},
            {"taxonomy": "skd-cpns", "node": "NO.SUCH.NODE"},
            {"taxonomy": "no-such-taxonomy", "node": "TIU.NUM"},
            {"taxonomy": "skd-cpns", "node": "TIU.NUM"},
        ],
        lookup=NodeLookup(world.bank),
    )
    assert [(n.code, level) for n, level in nodes] == [("TIU.NUM", None)]
    assert [p.field for p in problems] == [
        "metadata.classifications.1.node",
        "metadata.classifications.2.taxonomy",
    ]


def test_a_listing_page_is_read_in_two_statements(as_user: Any, world: World, plugins: Any) -> None:
    """Issue 16: the token with the bank and the reader's roles in it, and the page with
    what its summaries show and the (bounded) count; nothing read again per item. A
    page past the end still says the total."""
    from tests.factories import make_item

    for _ in range(3):
        make_item(world, plugins)
    db.session.commit()
    client = as_user("author")
    path = f"banks/{world.bank.code}/items?per_page=20"
    assert client.get(path).status_code == 200
    db.session.expire_all()
    with statements() as sent:
        response = client.get(path)
    assert response.status_code == 200, response.json
    assert len(response.json["items"]) == response.json["total"] >= 3
    kinds = [" ".join(s.split())[:90] for s in sent]
    assert len(sent) <= 2, "\n".join(kinds)
    past = client.get(f"banks/{world.bank.code}/items?per_page=20&page=9")
    assert past.status_code == 200
    assert past.json["items"] == []
    assert past.json["total"] == response.json["total"]
