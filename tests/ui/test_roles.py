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
from tests.api.conftest import ApiClient, login
from tests.api.test_matrix import _queued_job
from tests.factories import PASSWORD, SINGLE_CHOICE, World, make_item, unique
from tests.forms_helpers import (
    state_approved as _approved,
)
from tests.forms_helpers import (
    state_blueprint,
    state_code,
    state_enemies,
    state_filled_form,
    state_form,
    state_locked_form,
)
from tests.forms_helpers import (
    state_draft as _draft,
)
from tests.forms_helpers import (
    state_in_review as _in_review,
)
from tests.forms_helpers import (
    state_nothing as _nothing,
)
from tests.ui.conftest import UiClient

ROLES = ("author", "reviewer", "assembler", "bank_admin", "admin", "outsider")


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


# -- blueprints, forms, enemy pairs, imports, jobs -----------------------------------------------

ONE_ROW_FORM = {
    "code": "{code}",
    "title": "Satu butir",
    "sections.0.title": "TIU",
    "sections.0.rows.0.node": "skd-cpns:TIU.NUM",
    "sections.0.rows.0.count": "1",
    "action": "save",
}
ONE_ROW_SPEC = {
    "code": "{code}",
    "title": "Satu butir",
    "total_length": 1,
    "sections": [
        {"title": "TIU", "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": 1}]}
    ],
}
ONE_ROW_BODY = {k: v for k, v in ONE_ROW_SPEC.items() if k != "code"}

ASSEMBLY_PAIRS: list[tuple[str, str, Any, str, str, Any, Setup]] = [
    ("GET", "/banks/{bank}/blueprints", None, "GET", "banks/{bank}/blueprints", None, _nothing),
    (
        "GET",
        "/banks/{bank}/blueprints/{blueprint}",
        None,
        "GET",
        "banks/{bank}/blueprints/{blueprint}",
        None,
        state_blueprint,
    ),
    (
        "POST",
        "/banks/{bank}/blueprints/new",
        ONE_ROW_FORM,
        "POST",
        "banks/{bank}/blueprints",
        ONE_ROW_SPEC,
        state_code,
    ),
    (
        "POST",
        "/banks/{bank}/blueprints/{blueprint}/edit",
        {**ONE_ROW_FORM, "code": "{blueprint}"},
        "PUT",
        "banks/{bank}/blueprints/{blueprint}",
        ONE_ROW_BODY,
        state_blueprint,
    ),
    (
        "POST",
        "/banks/{bank}/blueprints/{blueprint}/delete",
        {},
        "DELETE",
        "banks/{bank}/blueprints/{blueprint}",
        None,
        state_blueprint,
    ),
    ("GET", "/banks/{bank}/forms", None, "GET", "banks/{bank}/forms", None, _nothing),
    (
        "POST",
        "/banks/{bank}/forms",
        {"blueprint": "{blueprint}", "title": "Paket"},
        "POST",
        "banks/{bank}/forms",
        {"blueprint": "{blueprint}", "title": "Paket"},
        state_blueprint,
    ),
    ("GET", "/forms/{form}", None, "GET", "forms/{form}", None, state_form),
    (
        "POST",
        "/forms/{form}/entries",
        {"item": "{item}"},
        "POST",
        "forms/{form}/entries",
        {"item": "{item}"},
        state_form,
    ),
    (
        "POST",
        "/forms/{form}/entries/{entry}/remove",
        {},
        "DELETE",
        "forms/{form}/entries/{entry}",
        None,
        state_filled_form,
    ),
    (
        "POST",
        "/forms/{form}/entries/{entry}/move",
        {"direction": "up"},
        "PATCH",
        "forms/{form}/entries/{entry}",
        {"position": 1},
        state_filled_form,
    ),
    (
        "POST",
        "/forms/{form}/entries/{entry}/repin",
        {},
        "PATCH",
        "forms/{form}/entries/{entry}",
        {"latest": True},
        state_filled_form,
    ),
    (
        "POST",
        "/forms/{form}/rename",
        {"title": "Baru"},
        "PATCH",
        "forms/{form}",
        {"title": "Baru"},
        state_form,
    ),
    ("POST", "/forms/{form}/delete", {}, "DELETE", "forms/{form}", None, state_form),
    ("POST", "/forms/{form}/lock", {}, "POST", "forms/{form}/lock", None, state_filled_form),
    (
        "POST",
        "/forms/{form}/clone",
        {"title": "Salinan"},
        "POST",
        "forms/{form}/clone",
        {"title": "Salinan"},
        state_locked_form,
    ),
    (
        "POST",
        "/forms/{form}/export",
        {"format": "qti3"},
        "POST",
        "forms/{form}/export",
        {"format": "qti3"},
        state_locked_form,
    ),
    (
        "GET",
        "/forms/{form}/answer-key.csv",
        None,
        "GET",
        "forms/{form}/answer-key.csv",
        None,
        state_locked_form,
    ),
    (
        "POST",
        "/banks/{bank}/enemies",
        {"first": "{item}", "second": "{item2}"},
        "POST",
        "banks/{bank}/enemies",
        {"items": ["{item}", "{item2}"]},
        state_enemies,
    ),
    (
        "POST",
        "/banks/{bank}/enemies/{pair}/delete",
        {},
        "DELETE",
        "banks/{bank}/enemies/{pair}",
        None,
        state_enemies,
    ),
    ("GET", "/banks/{bank}/imports", None, "GET", "banks/{bank}/imports", None, _nothing),
    ("GET", "/jobs/{job}", None, "GET", "jobs/{job}", None, _queued_job),
    ("POST", "/jobs/{job}/cancel", {}, "POST", "jobs/{job}/cancel", None, _queued_job),
    (
        "GET",
        "/banks/{bank}/import-templates/likert?format=csv",
        None,
        "GET",
        "banks/{bank}/import-templates/likert?format=csv",
        None,
        _nothing,
    ),
]


def _fill(value: Any, names: dict[str, str]) -> Any:
    """``value`` with ``{name}`` placeholders in its strings filled in."""
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    return value


@pytest.mark.parametrize(
    "page_method,page_path,form,api_method,api_path,api_body,setup",
    ASSEMBLY_PAIRS,
    ids=[f"{m} {p} ({s.__name__.strip('_')})" for m, p, _, _, _, _, s in ASSEMBLY_PAIRS],
)
def test_assembly_pages_refuse_what_the_api_refuses(
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
    outcomes = {}
    for role in ROLES:
        user = world.users[role]
        names = {"bank": world.bank.code, **setup(world, plugins)}
        client = api.as_(login(api, user))
        api_status = client.request(
            api_method, _fill(api_path, names), json=_fill(api_body, names)
        ).status_code

        names = {"bank": world.bank.code, **setup(world, plugins)}
        browser = UiClient(app.test_client())
        assert browser.login(user).status_code == 303
        if page_method == "GET":
            page = browser.get(_fill(page_path, names))
        else:
            page = browser.post(_fill(page_path, names), _fill(form, names))
        outcomes[role] = (api_status, page.status_code)
        if api_status < 300:
            assert page.status_code in (200, 303), (role, api_status, page.status_code)
        else:
            assert page.status_code == api_status, (role, api_status, page.status_code)
            assert page.mimetype == "text/html"
            assert "Traceback" not in page.get_data(as_text=True)
    # The matrix is not trivial: someone may and someone may not.
    assert any(a < 300 for a, _p in outcomes.values()), outcomes
    assert any(a >= 400 for a, _p in outcomes.values()), outcomes


def test_uploading_an_import_is_refused_like_the_api(
    app: Any, api: ApiClient, world: World
) -> None:
    import io

    from tests.import_helpers import SC_ROW, csv_bytes

    world.users["admin"] = create_user(unique("admin-"), PASSWORD, actor=None, is_admin=True)
    data = csv_bytes([SC_ROW])
    for role in ROLES:
        user = world.users[role]
        api_status = (
            api.as_(login(api, user))
            .post(
                f"banks/{world.bank.code}/imports",
                data={"file": (io.BytesIO(data), "soal.csv")},
                content_type="multipart/form-data",
            )
            .status_code
        )
        browser = UiClient(app.test_client())
        browser.login(user)
        page = browser.post(
            f"/banks/{world.bank.code}/imports",
            {"file": (io.BytesIO(data), "soal.csv")},
            content_type="multipart/form-data",
        )
        if api_status < 300:
            assert page.status_code == 303, role
        else:
            assert page.status_code == api_status, (role, api_status, page.status_code)
