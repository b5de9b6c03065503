"""The assembly API: start (202 + job), read the run and its comparison, accept (201 with
the draft forms) once, discard, bad settings (422 naming the field), non-members (404)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import assert_problem
from tests.assembly_helpers import small_bank
from tests.factories import World


def _start(client: Any, bank: str, blueprint: str, **body: Any) -> Any:
    return client.post(f"banks/{bank}/blueprints/{blueprint}/assemblies", json=body)


def test_assembly_through_the_api(as_user: Any, world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins)
    code = sim.bank.code
    api = as_user("assembler")
    response = _start(api, code, sim.blueprint_code, forms=3, seed=5, time_limit=30)
    assert response.status_code == 202, response.json
    assert response.headers["Location"] == response.json["url"]
    job = api.get(response.headers["Location"]).json
    assert job["status"] == "succeeded", job
    run = api.get(job["result"]["url"]).json
    assert run["status"] == "proposed"
    assert run["settings"]["forms"] == 3 and run["settings"]["target_used"] == "maximin"
    assert run["gap"] is not None and run["gap"] <= 0.01
    comparison = run["comparison"]
    assert len(comparison["forms"]) == 3
    assert all(form["rows_ok"] for form in comparison["forms"])
    assert len(comparison["forms"][0]["tif"]) == len(comparison["grid"])
    overlap = comparison["overlap"]
    assert all(overlap[f][g] == 0 for f in range(3) for g in range(3) if f != g)
    assert run["forms"] == []  # nothing made before accepting
    listed = api.get(f"banks/{code}/assemblies").json
    assert [r["id"] for r in listed][:1] == [run["id"]]

    accepted = api.post(f"{run['url']}/accept")
    assert accepted.status_code == 201, accepted.json
    forms = accepted.json["forms"]
    assert len(forms) == 3 and all(f["errors"] == 0 and f["status"] == "draft" for f in forms)
    report = api.get(f"forms/{forms[0]['id']}/report").json
    assert report["length"] == 20
    again = api.post(f"{run['url']}/accept")
    assert_problem(again, 409, "run_decided")
    assert_problem(api.post(f"{run['url']}/discard"), 409, "run_decided")
    assert api.get(run["url"]).json["forms"] == [f["id"] for f in forms]


def test_discard_keeps_the_record(as_user: Any, world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins)
    api = as_user("bank_admin")
    job = api.get(_start(api, sim.bank.code, sim.blueprint_code, forms=2).headers["Location"]).json
    url = job["result"]["url"]
    discarded = api.post(f"{url}/discard")
    assert discarded.status_code == 200 and discarded.json["status"] == "discarded"
    assert api.get(url).json["status"] == "discarded"
    assert_problem(api.post(f"{url}/accept"), 409, "run_decided")


def test_bad_settings_name_their_field(as_user: Any, world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins)
    api = as_user("assembler")
    for body, field in (
        ({"forms": 0}, "forms"),
        ({"forms": 51}, "forms"),
        ({"time_limit": 601}, "time_limit"),
        ({"target": "best"}, "target"),
        ({"thetas": [9]}, "thetas.0"),
        ({"forms": 2, "max_uses": 3}, "max_uses"),
        ({"anchors": ["NOPE-1"]}, "anchors"),
        ({"colour": "red"}, "colour"),
    ):
        response = _start(api, sim.bank.code, sim.blueprint_code, **body)
        if response.status_code == 202:  # checked in the job: it fails naming the item
            job = api.get(response.headers["Location"]).json
            assert job["status"] == "failed" and "NOPE-1" in job["error_en"], job
            continue
        problem = assert_problem(response, 422)
        assert field in [e["field"] for e in problem["errors"]], (body, problem)


def test_infeasible_run_explains_itself(as_user: Any, world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins, items=60, length=20)
    api = as_user("assembler")
    job = api.get(_start(api, sim.bank.code, sim.blueprint_code, forms=5).headers["Location"]).json
    run = api.get(job["result"]["url"]).json
    assert run["status"] == "infeasible"
    assert run["messages"] and all(m["message"] and m["message_en"] for m in run["messages"])
    assert any(m["row"] for m in run["messages"])
    assert_problem(api.post(f"{run['url']}/accept"), 409, "run_decided")


def test_non_members_get_404(as_user: Any, world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins)
    api = as_user("assembler")
    job = api.get(_start(api, sim.bank.code, sim.blueprint_code).headers["Location"]).json
    url = job["result"]["url"]
    outsider = as_user("outsider")
    assert_problem(outsider.get(url), 404)
    assert_problem(outsider.post(f"{url}/accept"), 404)
    assert_problem(_start(outsider, sim.bank.code, sim.blueprint_code), 404)
    author = as_user("author")  # a member of the world's bank, not of the simulated one
    assert_problem(author.get(f"banks/{sim.bank.code}/assemblies"), 404)
