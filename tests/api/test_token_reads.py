"""The item read and the listing check the token in the statement that reads what they
answer (``itembank.api.item_read`` on PostgreSQL, where the statement also writes the
audit row and the token's use; ``itembank.api.banks.authenticate_with_bank``): the same
answers as a check of its own, in the same order, and the same rows written (issue 16)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.api.auth import hash_token
from itembank.extensions import db
from itembank.models import ApiToken, AuditEvent, Item
from itembank.models._types import utcnow
from tests.api.conftest import ApiClient, assert_problem, login
from tests.factories import World, make_item

PATHS = [
    "items/{item}",
    "items/NOSUCH-000001",
    "banks/{bank}/items",
    "banks/NOSUCH/items",
    "banks/{bank}/items?per_page=0",  # a 422 with a token
]


def _stored(token: str) -> ApiToken:
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).one()


@pytest.mark.parametrize("path", PATHS)
def test_a_bad_token_is_refused_before_anything_else(
    api: ApiClient, world: World, plugins: Any, path: str
) -> None:
    item = make_item(world, plugins)
    db.session.commit()
    path = path.format(item=item.external_id, bank=world.bank.code)
    anonymous = api.as_(None)
    body = assert_problem(anonymous.get(path), 401, "unauthorized")
    assert body["detail"].startswith("send a token")
    response = anonymous.get(path, headers={"Authorization": "Basic abc"})
    assert_problem(response, 401)
    assert 'error="invalid_request"' in response.headers["WWW-Authenticate"]
    unknown = assert_problem(api.as_("ibk_unknown").get(path), 401)
    assert unknown["detail"] == "the token is unknown or revoked"
    expired = login(api, world.author)
    _stored(expired).expires_at = utcnow() - timedelta(seconds=1)
    revoked = login(api, world.author)
    _stored(revoked).revoked_at = utcnow()
    db.session.commit()
    assert "expired" in assert_problem(api.as_(expired).get(path), 401)["detail"]
    revoked_answer = assert_problem(api.as_(revoked).get(path), 401)
    assert revoked_answer["detail"] == "the token is unknown or revoked"
    disabled = login(api, world.author)
    world.author.is_active = False
    db.session.commit()
    assert assert_problem(api.as_(disabled).get(path), 401)["detail"] == (
        "this account is disabled"
    )


def _reads(item: Item) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "item.read", AuditEvent.item_id == item.id)
            .order_by(AuditEvent.id)
        )
    )


def _last_used(token: str) -> Any:
    stored = _stored(token)
    db.session.refresh(stored)
    return stored.last_used_at


def test_an_item_read_records_the_read_and_the_tokens_use_only_when_answered(
    api: ApiClient, world: World, plugins: Any
) -> None:
    item = make_item(world, plugins)
    db.session.commit()
    token = login(api, world.author)
    assert _last_used(token) is None
    before = utcnow()
    response = api.as_(token).get(f"items/{item.external_id}")
    assert response.status_code == 200, response.json
    (read,) = _reads(item)
    assert (read.actor_id, read.bank_id, read.item_id, read.version_number) == (
        world.author.id,
        world.bank.id,
        item.id,
        1,
    )
    assert (read.object_type, read.object_id, read.data) == (
        "item",
        item.external_id,
        {"via": "item"},
    )
    assert (read.reason, read.from_status, read.to_status) == ("", None, None)
    assert read.created_at >= before - timedelta(seconds=1)
    assert _last_used(token) >= before - timedelta(seconds=1)
    # Within the minute, the token's use is not written again; after it, it is.
    stored = _stored(token)
    stored.last_used_at = half_a_minute_ago = utcnow() - timedelta(seconds=30)
    db.session.commit()
    assert api.as_(token).get(f"items/{item.external_id}").status_code == 200
    assert _last_used(token) == half_a_minute_ago
    assert len(_reads(item)) == 2
    # A refused read writes nothing: no such item, or a draft an assembler does not see.
    stored.last_used_at = five_minutes_ago = utcnow() - timedelta(minutes=5)
    db.session.commit()
    assert_problem(api.as_(token).get("items/NOSUCH-000001"), 404)
    assembler = login(api, world.assembler)
    assert_problem(api.as_(assembler).get(f"items/{item.external_id}"), 404)
    assert _last_used(token) == five_minutes_ago
    assert _last_used(assembler) is None
    assert len(_reads(item)) == 2
    assert api.as_(token).get(f"items/{item.external_id}").status_code == 200
    assert _last_used(token) > five_minutes_ago
    assert len(_reads(item)) == 3


def test_an_item_without_its_newest_version_recorded_is_read_once(
    api: ApiClient, world: World, plugins: Any
) -> None:
    """Such an item (the statement cannot show it) is found by the ORM read, which
    records the read and the token's use as the one statement does, once."""
    item = make_item(world, plugins)
    db.session.execute(sa.update(Item).where(Item.id == item.id).values(newest_version_id=None))
    db.session.commit()
    token = login(api, world.author)
    response = api.as_(token).get(f"items/{item.external_id}")
    assert response.status_code == 200, response.json
    assert response.json["latest_version"]["number"] == 1
    assert [r.data for r in _reads(item)] == [{"via": "item"}]
    assert _last_used(token) is not None


def test_an_item_read_with_real_commits_records_the_read(app: Any) -> None:
    """With the app's own session and real commits, as served (on PostgreSQL the read
    is committed with its statement, outside the session): each answered read leaves
    one committed ``item.read`` row, a refused one none."""
    from tests.api.test_races import committed, setup

    external_id, tokens = setup(app, submit=False)

    def recorded() -> int:
        return int(
            committed(
                app,
                lambda: db.session.scalar(
                    sa.select(sa.func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.action == "item.read", AuditEvent.object_id == external_id)
                ),
            )
        )

    client = ApiClient(app.test_client(), tokens["author"])
    for expected in (1, 2):
        response = client.get(f"items/{external_id}")
        assert response.status_code == 200
        assert response.json["external_id"] == external_id
        assert recorded() == expected
    assert client.as_("ibk_no-such-token").get(f"items/{external_id}").status_code == 401
    assert recorded() == 2
