"""The web UI refuses exactly what the API refuses.

Each row names a page action and the API call that does the same thing. For every role
both run against fresh state: where the API succeeds the page succeeds (200, or 303
after a change), and where the API refuses the page refuses with the same status
(403 for a role that may not, 404 for what the user may not know exists). Anonymous
users are sent to the sign-in page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from itembank.operations.accounts import create_user
from itembank.operations.reviews import review_version, submit_version
from tests.api.conftest import ApiClient, login
from tests.factories import PASSWORD, SINGLE_CHOICE, World, make_item, unique
from tests.ui.conftest import UiClient

ROLES = ("author", "reviewer", "assembler", "bank_admin", "admin", "outsider")


def _draft(world: World, plugins: Any) -> dict[str, str]:
    return {"item": make_item(world, plugins).external_id}


def _in_review(world: World, plugins: Any) -> dict[str, str]:
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    return {"item": item.external_id}


def _approved(world: World, plugins: Any) -> dict[str, str]:
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    review_version(version, actor=world.reviewer2, decision="approve")
    return {"item": item.external_id}


def _nothing(world: World, plugins: Any) -> dict[str, str]:
    return {}


EDIT = {
    "stem": "<p>Diubah lewat halaman.</p>",
    "content": json.dumps(SINGLE_CHOICE),
    "metadata": json.dumps({"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]}),
    "base_revision": "1",
}
NEW_TRUE_FALSE = {
    "stem": "<p>Pancasila disahkan 18 Agustus 1945.</p>",
    "content": json.dumps({"key": True}),
    "metadata": "{}",
}

Setup = Callable[[World, Any], dict[str, str]]
# (page method, page path, form, API method, API path, API body, setup)
PAIRS: list[tuple[str, str, Any, str, str, Any, Setup]] = [
    ("GET", "/banks/{bank}/items", None, "GET", "banks/{bank}/items", None, _nothing),
    ("GET", "/items/{item}", None, "GET", "items/{item}", None, _draft),
    ("GET", "/items/{item}", None, "GET", "items/{item}", None, _approved),
    ("GET", "/items/{item}/versions/1", None, "GET", "items/{item}/versions/1", None, _draft),
    (
        "GET",
        "/items/{item}/versions/1/review",
        None,
        "GET",
        "items/{item}/versions/1",
        None,
        _in_review,
    ),
    (
        "POST",
        "/banks/{bank}/items/new?type=true_false",
        {**NEW_TRUE_FALSE, "action": "save"},
        "POST",
        "banks/{bank}/items",
        {"type": "true_false", "stem": NEW_TRUE_FALSE["stem"], "content": {"key": True}},
        _nothing,
    ),
    (
        "POST",
        "/items/{item}/edit",
        {**EDIT, "action": "save"},
        "PATCH",
        "items/{item}/draft",
        {"stem": EDIT["stem"]},
        _draft,
    ),
    (
        "POST",
        "/items/{item}/edit",
        {**EDIT, "action": "submit"},
        "POST",
        "items/{item}/versions/1/submit",
        {},
        _draft,
    ),
    ("POST", "/items/{item}/revise", {}, "POST", "items/{item}/draft", {}, _approved),
    (
        "POST",
        "/items/{item}/versions/1/review",
        {"decision": "approve"},
        "POST",
        "items/{item}/versions/1/reviews",
        {"decision": "approve"},
        _in_review,
    ),
    (
        "POST",
        "/items/{item}/versions/1/comments",
        {"body": "Periksa kunci."},
        "POST",
        "items/{item}/versions/1/comments",
        {"body": "Periksa kunci."},
        _in_review,
    ),
]


@pytest.mark.parametrize(
    "page_method,page_path,form,api_method,api_path,api_body,setup",
    PAIRS,
    ids=[f"{m} {p} ({s.__name__.strip('_')})" for m, p, _, _, _, _, s in PAIRS],
)
def test_pages_refuse_what_the_api_refuses(
    app: Any,
    api: ApiClient,
    world: World,
    plugins: Any,
    page_method: str,
    page_path: str,
    form: Any,
    api_method: str,
    api_path: str,
    api_body: Any,
    setup: Setup,
) -> None:
    world.users["admin"] = create_user(unique("admin-"), PASSWORD, actor=None, is_admin=True)
    for role in ROLES:
        user = world.users[role]
        names = {"bank": world.bank.code, **setup(world, plugins)}
        client = api.as_(login(api, user))
        headers = {"If-Match": "*"} if api_method == "PATCH" else {}
        api_status = client.request(
            api_method, api_path.format(**names), json=api_body, headers=headers
        ).status_code

        names = {"bank": world.bank.code, **setup(world, plugins)}
        browser = UiClient(app.test_client())
        assert browser.login(user).status_code == 303
        if page_method == "GET":
            page = browser.get(page_path.format(**names))
        else:
            page = browser.post(page_path.format(**names), form)
        if api_status < 300:
            assert page.status_code in (200, 303), (role, api_status, page.status_code)
        else:
            assert page.status_code == api_status, (role, api_status, page.status_code)
            assert page.mimetype == "text/html"
            assert "Traceback" not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/", "/banks", "/banks/{bank}/items", "/items/{item}", "/items/{item}/edit"],
)
def test_anonymous_users_are_sent_to_sign_in(
    ui: UiClient, world: World, plugins: Any, path: str
) -> None:
    names = {"bank": world.bank.code, **_draft(world, plugins)}
    response = ui.get(path.format(**names))
    assert response.status_code == 303
    assert response.location.startswith("/login?next=")


def test_the_editor_page_is_for_authors(as_user: Any, world: World, plugins: Any) -> None:
    """Reading a draft is every member's right (but an assembler's); editing it is an
    author's, so the editor page refuses the others before they type anything."""
    item = make_item(world, plugins).external_id
    expected = {
        "author": 200,
        "reviewer": 403,
        "assembler": 404,
        "bank_admin": 403,
        "admin": 200,
        "outsider": 404,
    }
    actual = {role: as_user(role).get(f"/items/{item}/edit").status_code for role in expected}
    assert actual == expected
    new = {
        role: as_user(role).get(f"/banks/{world.bank.code}/items/new").status_code
        for role in expected
    }
    assert new == {**expected, "assembler": 403}
