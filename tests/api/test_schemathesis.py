"""Property-based run of every API operation against the app's own OpenAPI document.

schemathesis loads ``/api/v1/openapi.json`` from the app in-process (WSGI, no network)
and sends each operation a bounded, seeded set of generated requests, valid and
invalid ones, plus a few explicit valid ones (an upload, a new item, an edit, a review,
...) that random data would rarely produce. Requests carry a real bearer token of a user
who is author, reviewer and bank admin of a bank with items in every state; path
parameters are drawn from generated values and ones that exist, so requests get past the
404. No response may be a 5xx, have an undocumented status or break the schema
documented for its status and media type.

The requests commit, so the data is committed too (a bank with a unique code). The
failed logins the run produces are deleted afterwards, so they cannot lock out later
tests. schemathesis' own lazy pytest loader (``schemathesis.pytest.from_fixture``, needed
as the app is a fixture) fails on pytest 9.2 (it sets ``Function._nodeid``, which is gone),
so each operation runs as a Hypothesis test built from ``operation.as_strategy()`` and is
reported as a subtest.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as ALL_CHECKS
from schemathesis.specs.openapi.checks import positive_data_acceptance

from itembank.extensions import db
from itembank.models import Job, LoginAttempt, Role
from tests.factories import PASSWORD, SINGLE_CHOICE, STEM, World, make_item, unique
from tests.forms_helpers import build_form_states, form_examples, form_path_values
from tests.statistics_api_helpers import (
    build_statistics_state,
    statistics_examples,
    statistics_path_values,
)

SEED = 20240917
#: Generated requests per operation: valid ones, and ones that break the schema. The
#: suite sends a few; ``ITEMBANK_FUZZ_EXAMPLES=30`` (``make fuzz``) sends that many of each.
_EXAMPLES = int(os.environ.get("ITEMBANK_FUZZ_EXAMPLES", "0") or 0)
MAX_EXAMPLES = {
    GenerationMode.POSITIVE: _EXAMPLES or 8,
    GenerationMode.NEGATIVE: _EXAMPLES or 6,
}


@dataclass(frozen=True)
class Rule:
    """A documented refusal of a request the schema allows: a rule that depends on the
    bank's state or on a file's content, which JSON Schema cannot say."""

    status: int
    #: The problem's ``code``, and the field its ``errors`` name (None: any or none).
    code: str
    field: str | None
    why: str


_NUL = Rule(422, "invalid", None, "a NUL character, which no field may hold")
_STALE = Rule(412, "stale_edit", None, "If-Match names an earlier state of the object")
#: What each operation may refuse although the request fits the schema (besides 401,
#: 403, 404, 409 and 429, which schemathesis expects of any operation, and a NUL or a
#: stale ``If-Match``, which any operation refuses that way). Everything that
#: JSON Schema can say is in the document instead (:mod:`itembank.api.spec_extras`).
BUSINESS_RULES: dict[str, tuple[Rule, ...]] = {
    "GET /api/v1/banks/{bank_code}/items": (
        Rule(422, "invalid", "node", "the taxonomy node must exist in the bank's taxonomies"),
        Rule(422, "invalid", "sort", "sort=relevance only with a text query (q)"),
    ),
    "POST /api/v1/banks/{bank_code}/items": (
        Rule(422, "invalid", None, "the content must satisfy its item type's rules"),
    ),
    "PATCH /api/v1/items/{item_id}/draft": (
        Rule(422, "invalid", None, "the content must satisfy its item type's rules"),
    ),
    "PATCH /api/v1/banks/{bank_code}": (
        Rule(422, "invalid", None, "something to change; checklist codes used once each"),
    ),
    "POST /api/v1/items/{item_id}/versions/{number}/submit": (
        Rule(422, "invalid", None, "a draft with problems (incomplete, bank rules) waits"),
    ),
    "POST /api/v1/items/{item_id}/versions/{number}/reviews": (
        Rule(422, "invalid", None, "the bank's review checklist, answered exactly"),
    ),
    "POST /api/v1/banks/{bank_code}/taxonomies": (
        Rule(422, "invalid", None, "the file must be a taxonomy in CSV or JSON"),
        Rule(415, "unsupported_media_type", None, "the file must be CSV or JSON"),
    ),
    "POST /api/v1/banks/{bank_code}/media": (
        Rule(422, "invalid", "file", "the file must be a PNG, JPEG or GIF image"),
    ),
    "POST /api/v1/banks/{bank_code}/blueprints": (
        Rule(422, "invalid", None, "rows must name taxonomies and nodes the bank has"),
    ),
    "PUT /api/v1/banks/{bank_code}/blueprints/{blueprint_code}": (
        Rule(422, "invalid", None, "rows must name taxonomies and nodes the bank has"),
    ),
    "POST /api/v1/forms/{form_id}/entries": (
        Rule(422, "invalid", None, "the item must exist and have an approved version"),
    ),
    "PATCH /api/v1/forms/{form_id}/entries/{entry_id}": (
        Rule(422, "invalid", None, "the section and version must exist"),
    ),
    "POST /api/v1/banks/{bank_code}/imports": (
        Rule(415, "unsupported_media_type", None, "no importer reads the file's type"),
        Rule(422, "invalid", None, "the file must be readable by its importer"),
    ),
    "POST /api/v1/banks/{bank_code}/blueprints/{blueprint_code}/assemblies": (
        Rule(422, "invalid", None, "max_uses may not exceed forms; the bank must fill it"),
    ),
    "POST /api/v1/banks/{bank_code}/assemblies/{run_id}/accept": (
        Rule(422, "invalid", "item", "a run's items must still be assemblable"),
    ),
    "POST /api/v1/banks/{bank_code}/administrations": (
        Rule(422, "invalid", None, "the forms must be the bank's exported forms"),
    ),
    "POST /api/v1/banks/{bank_code}/administrations/{administration_id}/forms": (
        Rule(422, "invalid", None, "the forms must be the bank's exported forms"),
    ),
    "POST /api/v1/banks/{bank_code}/administrations/{administration_id}/results": (
        Rule(415, "unsupported_media_type", None, "the file must be CSV, XLSX or QTI results"),
        Rule(422, "invalid", None, "the file must be readable results"),
    ),
    "POST /api/v1/forms/{form_id}/analysis": (
        Rule(422, "invalid", "administration", "the form must be delivered in it"),
    ),
    "POST /api/v1/me/password": (
        Rule(422, "invalid", "current_password", "the current password must be right"),
    ),
    "POST /api/v1/banks/{bank_code}/calibrations": (
        Rule(422, "invalid", None, "the administrations must exist and hold results"),
    ),
    "POST /api/v1/banks/{bank_code}/items/bulk": (
        Rule(
            422,
            "invalid",
            None,
            "1 to 1,000 items; the action's parameters (reason, form, node) must hold",
        ),
    ),
    "POST /api/v1/banks/{bank_code}/items/export": (
        Rule(422, "invalid", None, "1 to 1,000 items and an exporter that exists"),
    ),
    "POST /api/v1/forms/{form_id}/entries/several": (
        Rule(422, "invalid", None, "approved items of the bank, not on the form yet"),
    ),
    "POST /api/v1/forms/{form_id}/rows/{row}/fill": (
        Rule(422, "invalid", "row", "the row must be one of the form's blueprint"),
    ),
}


def _ruled(case: Any, response: Any) -> Rule | None:
    """The business rule this refusal of a schema-valid request applies, if any."""
    if response.status_code < 400:
        return None
    try:
        problem = response.json()
    except ValueError:
        return None
    if not isinstance(problem, dict):
        return None
    errors = problem.get("errors")
    errors = errors if isinstance(errors, list) else []
    fields = {e.get("field") for e in errors if isinstance(e, dict)}
    for rule in (*BUSINESS_RULES.get(case.operation.label, ()), _NUL, _STALE):
        if rule.status != response.status_code or problem.get("code") != rule.code:
            continue
        if rule is _NUL and "NUL" not in str(problem.get("detail")):
            continue
        if rule.field is None or rule.field in fields:
            return rule
    return None


@schemathesis.check
def accepts_valid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' ``positive_data_acceptance``, except for the documented refusals
    of :data:`BUSINESS_RULES` (each one also a status the operation documents)."""
    if _ruled(case, response) is not None:
        return None
    return positive_data_acceptance(ctx, response, case)


#: Every check schemathesis has (``positive_data_acceptance`` through the business rules).
CHECKS = [
    *(c for c in ALL_CHECKS.get_all() if c is not positive_data_acceptance),
    accepts_valid_data,
]


def _settings(mode: GenerationMode) -> settings:
    return settings(
        max_examples=MAX_EXAMPLES[mode],
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows its case
        print_blob=False,
    )


@dataclass
class Fuzzed:
    """The committed state the run works on."""

    token: str
    token_id: int
    #: Existing values for each path parameter name.
    path_values: dict[str, list[Any]]
    #: Valid requests, by operation label, as keyword arguments of ``operation.Case``.
    examples: dict[str, list[dict[str, Any]]]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "navy").save(buffer, "PNG")
    return buffer.getvalue()


def _items_csv() -> bytes:
    from tests.import_helpers import SC_ROW, csv_bytes

    return csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}])


def _build(app: Flask) -> dict[str, Any]:
    from itembank.operations.accounts import add_member, create_user
    from itembank.operations.assembly import run_inline
    from itembank.operations.blueprints import get_blueprint
    from itembank.operations.imports import run_import
    from itembank.operations.media import upload_media
    from itembank.operations.reviews import add_comment, review_version, submit_version

    with app.app_context():
        try:
            plugins = app.extensions["itembank.plugins"]
            world = World()
            fuzzer = create_user(unique("fuzzer-"), PASSWORD, actor=None)
            for role in (Role.AUTHOR, Role.REVIEWER, Role.BANK_ADMIN):
                add_member(world.bank, fuzzer, role, actor=None)
            draft = make_item(world, plugins)
            in_review = make_item(world, plugins)
            submit_version(in_review.latest_version, actor=world.author)
            approved, to_retire = make_item(world, plugins), make_item(world, plugins)
            for item in (approved, to_retire):
                submit_version(item.latest_version, actor=world.author)
                review_version(
                    item.latest_version, actor=world.reviewer, decision="approve", comment=""
                )
            mine = make_item(world, plugins, actor=fuzzer)
            add_comment(in_review.latest_version, actor=world.reviewer, body="Kunci?", field=None)
            media = upload_media(
                world.bank, _png(), actor=world.author, filename="a.png", max_bytes=200_000
            )
            forms = build_form_states(world, plugins)
            imported = run_import(
                world.bank, actor=fuzzer, plugins=plugins, filename="s.csv", data=_items_csv()
            )
            run = run_inline(
                world.bank,
                get_blueprint(world.bank, "FUZZ-USED", actor=fuzzer),
                {"forms": 1, "time_limit": 10},
                actor=fuzzer,
                plugins=plugins,
            )
            statistics = build_statistics_state(world, plugins)
            queued = Job(kind="import", bank_id=world.bank.id, actor_id=fuzzer.id, params={})
            db.session.add(queued)
            db.session.flush()
            state = {
                "bank": world.bank.code,
                "username": fuzzer.username,
                "author2": world.author2.username,
                "assembler": world.assembler.username,
                "draft": draft.external_id,
                "in_review": in_review.external_id,
                "approved": approved.external_id,
                "to_retire": to_retire.external_id,
                "mine": mine.external_id,
                "sha256": media.sha256,
                **forms,
                **statistics,
                "import_id": imported.id,
                "job_id": queued.id,
                "run_id": run.id,
            }
            db.session.commit()
            return state
        finally:
            db.session.remove()


def _login(app: Flask, username: str, name: str) -> dict[str, Any]:
    response = app.test_client().post(
        "/api/v1/tokens", json={"username": username, "password": PASSWORD, "name": name}
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.json


def _examples(state: dict[str, Any], spare_token_id: int) -> dict[str, list[dict[str, Any]]]:
    bank, mine = state["bank"], state["mine"]
    item = {
        "type": "single_choice",
        "stem": STEM,
        "content": SINGLE_CHOICE,
        "metadata": {"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]},
    }
    return {
        "POST /api/v1/banks/{bank_code}/blueprints/{blueprint_code}/assemblies": [
            {
                "path_parameters": {"bank_code": bank, "blueprint_code": "FUZZ-USED"},
                "body": {"forms": 1, "time_limit": 5, "seed": 3},
            }
        ],
        "POST /api/v1/banks/{bank_code}/members": [
            {
                "path_parameters": {"bank_code": bank},
                "body": {"username": state["author2"], "role": "reviewer"},
            }
        ],
        "POST /api/v1/banks/{bank_code}/items": [
            {"path_parameters": {"bank_code": bank}, "body": item}
        ],
        "GET /api/v1/banks/{bank_code}/items": [
            {
                "path_parameters": {"bank_code": bank},
                "query": {"node": "TIU", "sort": "created_at"},
            },
            # Numbers beyond an SQL INTEGER once made the database fail (500).
            {"path_parameters": {"bank_code": bank}, "query": {"page": 2**63}},
        ],
        "GET /api/v1/items/{item_id}/versions/{number}": [
            {"path_parameters": {"item_id": mine, "number": 2**31}},
        ],
        "PATCH /api/v1/items/{item_id}/draft": [
            {
                "path_parameters": {"item_id": mine},
                "headers": {"If-Match": "*"},
                "body": {"stem": "<p>Berapa 2 + 3?</p>"},
            }
        ],
        "POST /api/v1/items/{item_id}/versions/{number}/submit": [
            {"path_parameters": {"item_id": mine, "number": 1}, "body": {"reason": "siap"}}
        ],
        "POST /api/v1/items/{item_id}/versions/{number}/reviews": [
            {
                "path_parameters": {"item_id": state["in_review"], "number": 1},
                "body": {"decision": "approve", "comment": ""},
            }
        ],
        "GET /api/v1/items/{item_id}/diff": [
            {"path_parameters": {"item_id": state["approved"]}, "query": {"from": 1, "to": 1}}
        ],
        "POST /api/v1/items/{item_id}/draft": [
            {"path_parameters": {"item_id": state["approved"]}, "body": {"from_version": 1}}
        ],
        "POST /api/v1/items/{item_id}/retire": [
            {"path_parameters": {"item_id": state["to_retire"]}, "body": {"reason": "usang"}}
        ],
        "POST /api/v1/banks/{bank_code}/media": [
            {
                "path_parameters": {"bank_code": bank},
                "body": {"file": _png()},
                "media_type": "multipart/form-data",
            }
        ],
        "POST /api/v1/banks/{bank_code}/imports": [
            {
                "path_parameters": {"bank_code": bank},
                "body": {"file": _items_csv(), "mode": "valid_only"},
                "media_type": "multipart/form-data",
            }
        ],
        "GET /api/v1/banks/{bank_code}/audit": [
            {"path_parameters": {"bank_code": bank}, "query": {"item": mine, "per_page": 5}}
        ],
        "DELETE /api/v1/tokens/{token_id}": [{"path_parameters": {"token_id": spare_token_id}}],
        **form_examples(state),
        **statistics_examples(state),
    }


@pytest.fixture(scope="module")
def fuzzed(app: Flask) -> Iterator[Fuzzed]:
    with app.app_context():
        first_attempt = db.session.scalar(sa.select(sa.func.max(LoginAttempt.id))) or 0
        db.session.remove()
    state = _build(app)
    used = _login(app, state["username"], "schemathesis")
    spare = _login(app, state["username"], "spare")
    yield Fuzzed(
        token=used["token"],
        token_id=used["id"],
        path_values={
            "bank_code": [state["bank"]],
            "item_id": [state[k] for k in ("draft", "in_review", "approved", "mine", "to_retire")],
            "number": [1, 2],
            "sha256": [state["sha256"]],
            "import_id": [state["import_id"], state["result_import"]],
            "job_id": [state["job_id"]],
            "run_id": [state["run_id"]],
            "taxonomy_code": ["skd-cpns"],
            "type_id": ["single_choice"],
            "token_id": [spare["id"]],
            "username": [state["assembler"]],
            "role": [Role.ASSEMBLER.value],
            **form_path_values(state),
            **statistics_path_values(state),
        },
        examples=_examples(state, spare["id"]),
    )
    with app.app_context():
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id > first_attempt))
        db.session.commit()
        db.session.remove()


def _existing_path_values(fuzzed: Fuzzed) -> Callable[..., Any]:
    def flatmap_path_parameters(ctx: Any, path_parameters: dict[str, Any] | None) -> Any:
        """Each path parameter is the generated value or one that exists; never the run's
        own token, as revoking it would turn every later request into a 401."""
        if not path_parameters:
            return st.just(path_parameters)
        choices = {}
        for name, value in path_parameters.items():
            if name == "token_id" and value == fuzzed.token_id:
                choices[name] = st.sampled_from(fuzzed.path_values["token_id"])
            else:
                choices[name] = st.sampled_from([value, *fuzzed.path_values.get(name, [])])
        return st.fixed_dictionaries(choices)

    return flatmap_path_parameters


def test_api_conforms_to_its_openapi_document(
    app: Flask, fuzzed: Fuzzed, subtests: pytest.Subtests
) -> None:
    config = schemathesis.Config.from_dict(
        {"auth": {"openapi": {"bearer": {"bearer": fuzzed.token}}}}
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    schema.hook(_existing_path_values(fuzzed))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 29
    assert set(fuzzed.examples) <= {operation.label for operation in operations}
    bearer = {"Authorization": f"Bearer {fuzzed.token}"}

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @seed(SEED)
            @_settings(mode)
            @given(case=operation.as_strategy(mode))
            def run(case: Any) -> None:
                case.call_and_validate(checks=CHECKS)

            if mode is GenerationMode.POSITIVE:
                for kwargs in reversed(fuzzed.examples.get(operation.label, [])):
                    headers = {**bearer, **kwargs.get("headers", {})}
                    run = example(case=operation.Case(**{**kwargs, "headers": headers}))(run)

            with subtests.test(msg=f"{operation.label} ({mode.value})"):
                run()


def test_business_rules_are_documented_refusals(app: Flask) -> None:
    """Each refusal the run tolerates is one its operation documents, and names an
    operation that exists (a renamed path would silently drop its rules)."""
    document = app.test_client().get("/api/v1/openapi.json").json
    for label, rules in BUSINESS_RULES.items():
        method, path = label.split(" ", 1)
        operation = document["paths"][path][method.lower()]
        for rule in rules:
            assert str(rule.status) in operation["responses"], (label, rule)
