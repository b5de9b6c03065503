"""Bulk actions on the item list: one action over many items, each under its own rules,
from the page and from the API, with a per-item account of what happened."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent, FormEntry, Item
from itembank.operations import bulk, reads
from itembank.operations.forms import create_form
from itembank.operations.reviews import submit_version
from tests.api.conftest import ApiClient, login
from tests.factories import World, make_item
from tests.forms_helpers import _blueprint, approved
from tests.ui.conftest import text


@pytest.fixture
def api_as(api: ApiClient, world: World) -> Any:
    """``api_as("author")``: an API client with a fresh token of that world user."""
    cache: dict[str, ApiClient] = {}

    def get(name: str) -> ApiClient:
        if name not in cache:
            cache[name] = api.as_(login(api, world.users[name]))
        return cache[name]

    return get


def _drafts(world: World, plugins: Any, count: int, **kwargs: Any) -> list[str]:
    return [make_item(world, plugins, **kwargs).external_id for _ in range(count)]


def _status(external_id: str) -> str:
    item = db.session.scalars(sa.select(Item).where(Item.external_id == external_id)).one()
    return item.versions[-1].status


def _outcomes(response: Any) -> dict[str, str]:
    """``{item: outcome}`` from the result page's rows."""
    rows = re.findall(
        r'<tr class="bulk-(\w+)">\s*<td><a href="/items/([A-Z0-9-]+)">', text(response)
    )
    return {item: outcome for outcome, item in rows}


def test_twenty_imported_drafts_are_submitted_in_one_action(
    as_user: Any, world: World, plugins: Any
) -> None:
    ids = _drafts(world, plugins, 20)
    page = as_user("author").get(f"/banks/{world.bank.code}/items?per_page=50")
    assert 'id="bulk-form"' in text(page)
    assert all(f'name="items" value="{i}"' in text(page) for i in ids)

    response = as_user("author").post(
        f"/banks/{world.bank.code}/items/bulk", {"action": "submit", "items": ids}
    )
    assert response.status_code == 200, text(response)
    assert _outcomes(response) == dict.fromkeys(ids, "done")
    assert {_status(i) for i in ids} == {"in_review"}
    submits = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.bank_id == world.bank.id, AuditEvent.action == "version.submit")
    )
    assert submits == 20
    summary = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.bank_id == world.bank.id, AuditEvent.action == "items.bulk"
        )
    ).one()
    assert summary.data["bulk_action"] == "submit" and summary.data["done"] == 20


def test_each_item_keeps_its_own_rules_and_the_page_says_why(
    as_user: Any, world: World, plugins: Any
) -> None:
    draft = make_item(world, plugins).external_id
    in_review = make_item(world, plugins)
    submit_version(in_review.latest_version, actor=world.author)
    response = as_user("author").post(
        f"/banks/{world.bank.code}/items/bulk",
        {"action": "submit", "items": [in_review.external_id, draft, "NOPE-000001"]},
    )
    assert _outcomes(response) == {
        in_review.external_id: "refused",
        draft: "done",
        "NOPE-000001": "refused",
    }
    body = text(response)
    assert "1 selesai" in body and "2 ditolak" in body
    assert "Tidak ditemukan" in body
    # The refusal of the first item did not undo the second.
    assert _status(draft) == "in_review"


def test_a_reviewer_is_refused_per_item_and_nothing_changes(
    api_as: Any, world: World, plugins: Any
) -> None:
    ids = _drafts(world, plugins, 2)
    response = api_as("reviewer").post(
        f"banks/{world.bank.code}/items/bulk", json={"action": "submit", "items": ids}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["counts"] == {"done": 0, "unchanged": 0, "refused": 2}
    assert {r["error"] for r in body["results"]} == {"forbidden"} or all(
        r["message_en"].startswith("Not allowed") for r in body["results"]
    )
    assert {_status(i) for i in ids} == {"draft"}


def test_outsiders_learn_nothing(api_as: Any, as_user: Any, world: World, plugins: Any) -> None:
    ids = _drafts(world, plugins, 1)
    response = api_as("outsider").post(
        f"banks/{world.bank.code}/items/bulk", json={"action": "submit", "items": ids}
    )
    assert response.status_code == 404
    page = as_user("outsider").post(
        f"/banks/{world.bank.code}/items/bulk", {"action": "submit", "items": ids}
    )
    assert page.status_code == 404
    assert _status(ids[0]) == "draft"


def test_tag_and_classify_change_drafts_only(api_as: Any, world: World, plugins: Any) -> None:
    metadata = {"tags": ["lama"], "classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]}
    draft = make_item(world, plugins, metadata=metadata).external_id
    in_review = make_item(world, plugins)
    submit_version(in_review.latest_version, actor=world.author)
    client = api_as("author")
    url = f"banks/{world.bank.code}/items/bulk"

    tagged = client.post(
        url, json={"action": "tag", "items": [draft, in_review.external_id], "tags": ["hots"]}
    ).get_json()
    assert [r["outcome"] for r in tagged["results"]] == ["done", "refused"]
    again = client.post(url, json={"action": "tag", "items": [draft], "tags": ["hots"]})
    assert again.get_json()["results"][0]["outcome"] == "unchanged"

    classified = client.post(
        url,
        json={"action": "classify", "items": [draft], "taxonomy": "skd-cpns", "node": "TIU.VER"},
    ).get_json()
    assert classified["counts"]["done"] == 1
    item = db.session.scalars(sa.select(Item).where(Item.external_id == draft)).one()
    db.session.refresh(item.versions[-1])
    meta = item.versions[-1].meta
    assert sorted(meta["tags"]) == ["hots", "lama"]
    assert {c["node"] for c in meta["classifications"]} == {"TIU.NUM", "TIU.VER"}

    unknown = client.post(
        url, json={"action": "classify", "items": [draft], "taxonomy": "skd-cpns", "node": "X.Y"}
    ).get_json()
    assert unknown["results"][0]["outcome"] == "refused"
    assert "X.Y" in unknown["results"][0]["message_en"]


def test_the_whole_result_uses_the_listing_filters(
    as_user: Any, world: World, plugins: Any
) -> None:
    mine = _drafts(world, plugins, 3)
    other = make_item(world, plugins, actor=world.author2).external_id
    author = world.author.username
    response = as_user("author").post(
        f"/banks/{world.bank.code}/items/bulk",
        {"action": "submit", "scope": "all", "author": author, "status": "draft"},
    )
    assert set(_outcomes(response)) == set(mine)
    assert _status(other) == "draft"


def test_a_selection_beyond_the_limit_is_refused_whole(
    api_as: Any, world: World, plugins: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "BULK_LIMIT", 2)
    ids = _drafts(world, plugins, 3)
    response = api_as("author").post(
        f"banks/{world.bank.code}/items/bulk",
        json={"action": "submit", "filters": {"status": "draft"}},
    )
    assert response.status_code == 422
    assert "Narrow the filters" in response.get_data(as_text=True)
    assert {_status(i) for i in ids} == {"draft"}
    # A count that stopped at its limit is a lower bound: refused too, as "more than".
    monkeypatch.setattr(bulk, "BULK_LIMIT", 3)
    monkeypatch.setattr(reads, "COUNT_LIMIT", 2)
    response = api_as("author").post(
        f"banks/{world.bank.code}/items/bulk",
        json={"action": "submit", "filters": {"status": "draft"}},
    )
    assert response.status_code == 422
    assert "match more than 2 items" in response.get_data(as_text=True)
    assert {_status(i) for i in ids} == {"draft"}


def test_retire_needs_a_reason_and_a_bank_admin(api_as: Any, world: World, plugins: Any) -> None:
    item = approved(world, plugins).external_id
    url = f"banks/{world.bank.code}/items/bulk"
    missing = api_as("bank_admin").post(url, json={"action": "retire", "items": [item]})
    assert missing.status_code == 422
    by_author = (
        api_as("author")
        .post(url, json={"action": "retire", "items": [item], "reason": "bocor"})
        .get_json()
    )
    assert by_author["results"][0]["outcome"] == "refused"
    done = (
        api_as("bank_admin")
        .post(url, json={"action": "retire", "items": [item], "reason": "bocor"})
        .get_json()
    )
    assert done["results"][0]["outcome"] == "done"
    assert _status(item) == "retired"


def test_add_to_form_pins_approved_versions_once(as_user: Any, world: World, plugins: Any) -> None:
    form = create_form(world.bank, _blueprint(world, plugins), title="P", actor=world.bank_admin)
    good = approved(world, plugins).external_id
    draft = make_item(world, plugins).external_id
    page = as_user("bank_admin").get(f"/banks/{world.bank.code}/items")
    assert f'value="{form.external_id}"' in text(page)
    data = {"action": "add_to_form", "form": form.external_id, "items": [good, draft]}
    first = as_user("bank_admin").post(f"/banks/{world.bank.code}/items/bulk", data)
    assert _outcomes(first) == {good: "done", draft: "refused"}
    second = as_user("bank_admin").post(f"/banks/{world.bank.code}/items/bulk", data)
    assert _outcomes(second)[good] == "unchanged"
    entries = db.session.scalar(
        sa.select(sa.func.count()).select_from(FormEntry).where(FormEntry.form_id == form.id)
    )
    assert entries == 1


def test_nothing_ticked_returns_to_the_list_with_a_message(
    as_user: Any, world: World, plugins: Any
) -> None:
    _drafts(world, plugins, 1)
    client = as_user("author")
    response = client.post(
        f"/banks/{world.bank.code}/items/bulk", {"action": "submit", "status": "draft"}
    )
    assert response.status_code == 303
    assert "status=draft" in response.headers["Location"]
    follow = client.get(response.headers["Location"])
    assert "Tidak ada butir yang dipilih." in text(follow)


def test_export_packages_approved_versions_and_names_the_rest(
    api_as: Any, as_user: Any, world: World, plugins: Any
) -> None:
    import io
    import zipfile

    good = [approved(world, plugins).external_id for _ in range(2)]
    draft = make_item(world, plugins).external_id
    url = f"banks/{world.bank.code}/items/export"
    refused = api_as("assembler").post(url, json={"items": [*good, draft]})
    assert refused.status_code == 409
    problem = refused.get_json()
    assert {r["item"]: r["outcome"] for r in problem["results"]} == {
        good[0]: "done",
        good[1]: "done",
        draft: "refused",
    }
    by_author = api_as("author").post(url, json={"items": good})
    assert by_author.status_code == 403

    package = api_as("assembler").post(url, json={"items": [*good, draft], "skip_refused": True})
    assert package.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(package.data)).namelist()
    assert "imsmanifest.xml" in names
    assert sum(1 for n in names if n.startswith("items/")) == 2
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.bank_id == world.bank.id, AuditEvent.action == "items.export"
        )
    ).one()
    assert [v[0] for v in event.data["versions"]] == good

    # The page: refusals are listed with a button that exports the others.
    client = as_user("bank_admin")
    page = client.post(f"/banks/{world.bank.code}/items/export", {"items": [*good, draft]})
    assert page.status_code == 409
    assert _outcomes(page) == {good[0]: "done", good[1]: "done", draft: "refused"}
    assert 'name="skip_refused" value="1"' in text(page)
    download = client.post(
        f"/banks/{world.bank.code}/items/export",
        {"items": good, "skip_refused": "1", "format": "qti3"},
    )
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
