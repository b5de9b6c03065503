"""Who may call what: (endpoint, method) x role -> status, asserted cell by cell.

Each cell runs against fresh state (a new item where the call changes one), so the
cells do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from itembank.operations.accounts import create_user
from tests.api.conftest import ApiClient, login
from tests.assembly_helpers import state_run
from tests.factories import PASSWORD, World, unique
from tests.forms_helpers import (
    one_row_spec,
    state_blueprint,
    state_code,
    state_enemies,
    state_filled_form,
    state_form,
    state_locked_form,
)
from tests.forms_helpers import (
    state_approved as _approved,
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

ROLES = ("author", "reviewer", "assembler", "bank_admin", "admin", "outsider", "anonymous")


def _newcomer(world: World, plugins: Any) -> dict[str, str]:
    return {"user": create_user(unique("new-"), PASSWORD, actor=None).username}


def _new_bank(world: World, plugins: Any) -> dict[str, str]:
    return {"new_bank": unique("N").upper()[:20]}


def _imported(world: World, plugins: Any) -> dict[str, str]:
    from itembank.operations.imports import run_import
    from tests.import_helpers import SC_ROW, csv_bytes

    batch = run_import(
        world.bank, actor=world.author, plugins=plugins, filename="s.csv", data=csv_bytes([SC_ROW])
    )
    return {"import": str(batch.id)}


def _queued_job(world: World, plugins: Any) -> dict[str, str]:
    """A job the author started that no worker has taken yet."""
    from itembank.extensions import db
    from itembank.models import Job

    job = Job(kind="import", bank_id=world.bank.id, actor_id=world.author.id, params={})
    db.session.add(job)
    db.session.flush()
    return {"job": str(job.id)}


def _passage_draft(world: World, plugins: Any) -> dict[str, str]:
    from itembank.operations.passages import create_passage

    passage = create_passage(world.bank, actor=world.author, title="Bacaan", body="<p>Teks.</p>")
    return {"passage": passage.external_id}


def _passage_in_review(world: World, plugins: Any) -> dict[str, str]:
    from itembank.operations.passage_reviews import submit_passage_version
    from itembank.operations.passages import get_passage

    names = _passage_draft(world, plugins)
    passage = get_passage(names["passage"], actor=world.author)
    submit_passage_version(passage.latest_version, actor=world.author)
    return names


def _passage_approved(world: World, plugins: Any) -> dict[str, str]:
    from itembank.operations.passage_reviews import review_passage_version
    from itembank.operations.passages import get_passage

    names = _passage_in_review(world, plugins)
    passage = get_passage(names["passage"], actor=world.author)
    review_passage_version(passage.latest_version, actor=world.reviewer2, decision="approve")
    return names


def row(*statuses: int) -> dict[str, int]:
    return dict(zip(ROLES, statuses, strict=True))


Setup = Callable[[World, Any], dict[str, str]]
# (method, path, body, setup, expected by role)
MATRIX: list[tuple[str, str, Any, Setup, dict[str, int]]] = [
    ("GET", "banks", None, _nothing, row(200, 200, 200, 200, 200, 200, 401)),
    (
        "POST",
        "banks",
        {"code": "{new_bank}", "name": "Bank baru"},
        _new_bank,
        row(403, 403, 403, 403, 201, 403, 401),
    ),
    ("GET", "banks/{bank}", None, _nothing, row(200, 200, 200, 200, 200, 404, 401)),
    (
        "PATCH",
        "banks/{bank}",
        {"required_approvals": 1},
        _nothing,
        row(403, 403, 403, 200, 200, 404, 401),
    ),
    ("GET", "banks/{bank}/members", None, _nothing, row(200, 200, 200, 200, 200, 404, 401)),
    (
        "POST",
        "banks/{bank}/members",
        {"username": "{user}", "role": "assembler"},
        _newcomer,
        row(403, 403, 403, 201, 201, 404, 401),
    ),
    ("GET", "banks/{bank}/audit", None, _nothing, row(403, 403, 403, 200, 200, 404, 401)),
    ("GET", "banks/{bank}/items", None, _nothing, row(200, 200, 200, 200, 200, 404, 401)),
    (
        "POST",
        "banks/{bank}/items",
        {
            "type": "true_false",
            "stem": "<p>Pancasila disahkan 18 Agustus 1945.</p>",
            "content": {"key": True},
        },
        _nothing,
        row(201, 403, 403, 403, 201, 404, 401),
    ),
    ("GET", "items/{item}", None, _draft, row(200, 200, 404, 200, 200, 404, 401)),
    ("GET", "items/{item}", None, _approved, row(200, 200, 200, 200, 200, 404, 401)),
    ("GET", "items/{item}/versions", None, _approved, row(200, 200, 200, 200, 200, 404, 401)),
    ("GET", "items/{item}/versions/1", None, _draft, row(200, 200, 404, 200, 200, 404, 401)),
    ("GET", "items/{item}/draft", None, _draft, row(200, 200, 404, 200, 200, 404, 401)),
    (
        "PATCH",
        "items/{item}/draft",
        {"stem": "<p>Diubah.</p>"},
        _draft,
        row(200, 403, 404, 403, 200, 404, 401),
    ),
    ("POST", "items/{item}/draft", {}, _approved, row(201, 403, 403, 403, 201, 404, 401)),
    (
        "POST",
        "items/{item}/versions/1/submit",
        {},
        _draft,
        row(200, 403, 404, 403, 200, 404, 401),
    ),
    (
        "POST",
        "items/{item}/versions/1/reviews",
        {"decision": "approve"},
        _in_review,
        # an administrator reviews only with a reviewer membership (operations/duties.py)
        row(403, 201, 404, 403, 403, 404, 401),
    ),
    (
        "POST",
        "items/{item}/versions/1/comments",
        {"body": "Periksa kunci."},
        _in_review,
        row(201, 201, 404, 403, 201, 404, 401),
    ),
    (
        "POST",
        "items/{item}/retire",
        {"reason": "Bocor."},
        _approved,
        row(403, 403, 403, 200, 200, 404, 401),
    ),
    ("GET", "item-types", None, _nothing, row(200, 200, 200, 200, 200, 200, 401)),
    # passages: written by authors, reviewed under the items' duties, assemblers see
    # approved ones only
    ("GET", "banks/{bank}/passages", None, _nothing, row(200, 200, 200, 200, 200, 404, 401)),
    (
        "POST",
        "banks/{bank}/passages",
        {"title": "Bacaan", "body": "<p>Teks.</p>"},
        _nothing,
        row(201, 403, 403, 403, 201, 404, 401),
    ),
    ("GET", "passages/{passage}", None, _passage_draft, row(200, 200, 404, 200, 200, 404, 401)),
    ("GET", "passages/{passage}", None, _passage_approved, row(200, 200, 200, 200, 200, 404, 401)),
    (
        "GET",
        "passages/{passage}/versions",
        None,
        _passage_approved,
        row(200, 200, 200, 200, 200, 404, 401),
    ),
    (
        "GET",
        "passages/{passage}/versions/1",
        None,
        _passage_draft,
        row(200, 200, 404, 200, 200, 404, 401),
    ),
    (
        "GET",
        "passages/{passage}/items",
        None,
        _passage_approved,
        row(200, 200, 200, 200, 200, 404, 401),
    ),
    (
        "GET",
        "passages/{passage}/draft",
        None,
        _passage_draft,
        row(200, 200, 404, 200, 200, 404, 401),
    ),
    (
        "PATCH",
        "passages/{passage}/draft",
        {"title": "Diubah"},
        _passage_draft,
        row(200, 403, 404, 403, 200, 404, 401),
    ),
    (
        "POST",
        "passages/{passage}/draft",
        {},
        _passage_approved,
        row(201, 403, 403, 403, 201, 404, 401),
    ),
    (
        "POST",
        "passages/{passage}/versions/1/submit",
        {},
        _passage_draft,
        row(200, 403, 404, 403, 200, 404, 401),
    ),
    (
        "POST",
        "passages/{passage}/versions/1/withdraw",
        {"reason": "Salah kirim."},
        _passage_in_review,
        row(200, 403, 404, 403, 200, 404, 401),
    ),
    (
        "POST",
        "passages/{passage}/versions/1/reviews",
        {"decision": "approve"},
        _passage_in_review,
        row(403, 201, 404, 403, 403, 404, 401),
    ),
    (
        "POST",
        "passages/{passage}/versions/1/comments",
        {"body": "Periksa tabelnya."},
        _passage_in_review,
        row(201, 201, 404, 403, 201, 404, 401),
    ),
    (
        "GET",
        "passages/{passage}/versions/1/comments",
        None,
        _passage_approved,
        row(200, 200, 200, 200, 200, 404, 401),
    ),
    (
        "GET",
        "passages/{passage}/diff?from=1&to=1",
        None,
        _passage_approved,
        row(200, 200, 200, 200, 200, 404, 401),
    ),
    (
        "POST",
        "passages/{passage}/retire",
        {"reason": "Data usang."},
        _passage_approved,
        row(403, 403, 403, 200, 200, 404, 401),
    ),
    (
        "GET",
        "banks/{bank}/taxonomies/skd-cpns",
        None,
        _nothing,
        row(200, 200, 200, 200, 200, 404, 401),
    ),
    # blueprints, forms and enemy pairs
    ("GET", "banks/{bank}/blueprints", None, _nothing, row(200, 200, 200, 200, 200, 404, 401)),
    (
        "POST",
        "banks/{bank}/blueprints",
        one_row_spec("{code}"),
        state_code,
        row(403, 403, 201, 201, 201, 404, 401),
    ),
    (
        "GET",
        "banks/{bank}/blueprints/{blueprint}",
        None,
        state_blueprint,
        row(200, 200, 200, 200, 200, 404, 401),
    ),
    (
        "PUT",
        "banks/{bank}/blueprints/{blueprint}",
        {k: v for k, v in one_row_spec("x").items() if k != "code"},
        state_blueprint,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    (
        "DELETE",
        "banks/{bank}/blueprints/{blueprint}",
        None,
        state_blueprint,
        row(403, 403, 204, 204, 204, 404, 401),
    ),
    ("GET", "banks/{bank}/forms", None, _nothing, row(403, 403, 200, 200, 200, 404, 401)),
    (
        "POST",
        "banks/{bank}/forms",
        {"blueprint": "{blueprint}", "title": "Paket"},
        state_blueprint,
        row(403, 403, 201, 201, 201, 404, 401),
    ),
    ("GET", "forms/{form}", None, state_form, row(403, 403, 200, 200, 200, 404, 401)),
    ("PATCH", "forms/{form}", {"title": "Q"}, state_form, row(403, 403, 200, 200, 200, 404, 401)),
    ("DELETE", "forms/{form}", None, state_form, row(403, 403, 204, 204, 204, 404, 401)),
    (
        "POST",
        "forms/{form}/entries",
        {"item": "{item}"},
        state_form,
        row(403, 403, 201, 201, 201, 404, 401),
    ),
    (
        "PATCH",
        "forms/{form}/entries/{entry}",
        {"position": 1},
        state_filled_form,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    (
        "DELETE",
        "forms/{form}/entries/{entry}",
        None,
        state_filled_form,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    (
        "PUT",
        "forms/{form}/order",
        {"sections": []},
        state_form,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    ("GET", "forms/{form}/report", None, state_form, row(403, 403, 200, 200, 200, 404, 401)),
    ("POST", "forms/{form}/lock", None, state_filled_form, row(403, 403, 200, 200, 200, 404, 401)),
    ("POST", "forms/{form}/export", {}, state_locked_form, row(403, 403, 200, 200, 200, 404, 401)),
    ("POST", "forms/{form}/clone", {}, state_form, row(403, 403, 201, 201, 201, 404, 401)),
    (
        "GET",
        "forms/{form}/answer-key",
        None,
        state_locked_form,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    (
        "GET",
        "forms/{form}/answer-key.csv",
        None,
        state_locked_form,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    ("GET", "banks/{bank}/enemies", None, _nothing, row(200, 200, 200, 200, 200, 404, 401)),
    (
        "POST",
        "banks/{bank}/enemies",
        {"items": ["{item}", "{item2}"]},
        state_enemies,
        row(201, 201, 201, 201, 201, 404, 401),
    ),
    (
        "DELETE",
        "banks/{bank}/enemies/{pair}",
        None,
        state_enemies,
        row(204, 204, 204, 204, 204, 404, 401),
    ),
    # automated assembly
    (
        "POST",
        "banks/{bank}/blueprints/{blueprint}/assemblies",
        {"forms": 1, "time_limit": 5},
        state_blueprint,
        row(403, 403, 202, 202, 202, 404, 401),
    ),
    ("GET", "banks/{bank}/assemblies", None, _nothing, row(403, 403, 200, 200, 200, 404, 401)),
    (
        "GET",
        "banks/{bank}/assemblies/{run}",
        None,
        state_run,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    (
        "POST",
        "banks/{bank}/assemblies/{run}/accept",
        None,
        state_run,
        row(403, 403, 201, 201, 201, 404, 401),
    ),
    (
        "POST",
        "banks/{bank}/assemblies/{run}/discard",
        None,
        state_run,
        row(403, 403, 200, 200, 200, 404, 401),
    ),
    ("GET", "banks/{bank}/imports", None, _nothing, row(200, 403, 403, 200, 200, 404, 401)),
    ("GET", "banks/{bank}/jobs", None, _queued_job, row(200, 200, 200, 200, 200, 404, 401)),
    ("GET", "jobs/{job}", None, _queued_job, row(200, 404, 404, 200, 200, 404, 401)),
    ("POST", "jobs/{job}/cancel", None, _queued_job, row(200, 404, 404, 200, 200, 404, 401)),
    (
        "GET",
        "banks/{bank}/imports/{import}",
        None,
        _imported,
        row(200, 403, 403, 200, 200, 404, 401),
    ),
    (
        "GET",
        "banks/{bank}/imports/{import}/report.csv",
        None,
        _imported,
        row(200, 403, 403, 200, 200, 404, 401),
    ),
    (
        "GET",
        "banks/{bank}/import-templates/true_false?format=csv",
        None,
        _nothing,
        row(200, 200, 200, 200, 200, 404, 401),
    ),
]


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@pytest.mark.parametrize(
    "method,path,body,setup,expected",
    MATRIX,
    ids=[f"{m} {p} ({s.__name__.strip('_')})" for m, p, _, s, _ in MATRIX],
)
def test_authorization_matrix(
    api: ApiClient,
    world: World,
    plugins: Any,
    method: str,
    path: str,
    body: Any,
    setup: Setup,
    expected: dict[str, int],
) -> None:
    world.users["admin"] = create_user(unique("admin-"), PASSWORD, actor=None, is_admin=True)
    tokens = {role: login(api, world.users[role]) for role in ROLES if role != "anonymous"}
    actual = {}
    for role in ROLES:
        names = {"bank": world.bank.code, **setup(world, plugins)}
        client = api.as_(tokens.get(role))
        headers = {"If-Match": "*"} if method == "PATCH" else {}
        response = client.request(
            method, _fill(path, names), json=_fill(body, names), headers=headers
        )
        actual[role] = response.status_code
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json"
    assert actual == expected
