"""*Rakit otomatis* in the web UI: the settings form, the job page, the comparison page
with the chart and the overlap matrix, accept (links the draft forms), discard, bad input
beside its field, roles."""

from __future__ import annotations

import re
from typing import Any

from tests.assembly_helpers import small_bank
from tests.factories import World
from tests.ui.conftest import text


def _start(client: Any, code: str, blueprint: str, **fields: str) -> Any:
    data = {"forms": "3", "max_overlap": "0", "thetas": "-1 0 1", "seed": "7"}
    data.update(fields)
    return client.post(f"/banks/{code}/blueprints/{blueprint}/assemble", data)


def test_assemble_compare_and_accept(as_user: Any, world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins)
    code = sim.bank.code
    assembler = as_user("assembler")
    blueprint_page = text(assembler.get(f"/banks/{code}/blueprints/{sim.blueprint_code}"))
    assert "blueprint-assemble" in blueprint_page
    form = assembler.get(f"/banks/{code}/blueprints/{sim.blueprint_code}/assemble")
    assert form.status_code == 200 and "Rakit otomatis" in text(form)
    started = _start(assembler, code, sim.blueprint_code)
    assert started.status_code == 303
    job_page = assembler.get(started.headers["Location"])
    assert job_page.status_code == 200
    match = re.search(r'href="(/banks/[^"]+/assemblies/(\d+))"', text(job_page))
    assert match, text(job_page)
    run_page = assembler.get(match.group(1))
    body = text(run_page)
    assert run_page.status_code == 200
    assert body.count('class="tif-curve"') == 3
    assert 'id="run-overlap"' in body and 'id="run-gap"' in body
    assert "style=" not in body.split("<main", 1)[-1]  # CSP: no inline style
    accepted = assembler.post(f"{match.group(1)}/accept")
    assert accepted.status_code == 303
    body = text(assembler.get(match.group(1)))
    assert body.count("/forms/") >= 3 and 'id="run-accept"' not in body
    again = assembler.post(f"{match.group(1)}/accept")
    assert again.status_code == 409


def test_bad_settings_are_shown_beside_their_field(
    as_user: Any, world: World, plugins: Any
) -> None:
    sim = small_bank(world, plugins)
    assembler = as_user("assembler")
    response = _start(assembler, sim.bank.code, sim.blueprint_code, forms="99", time_limit="x")
    assert response.status_code == 422
    body = text(response)
    assert 'id="f-forms-error"' in body and 'id="f-time_limit-error"' in body


def test_discard_and_roles(as_user: Any, world: World, plugins: Any) -> None:
    sim = small_bank(world, plugins)
    admin = as_user("bank_admin")
    started = _start(admin, sim.bank.code, sim.blueprint_code, forms="2")
    match = re.search(
        r'href="(/banks/[^"]+/assemblies/\d+)"', text(admin.get(started.headers["Location"]))
    )
    assert match
    assert admin.post(f"{match.group(1)}/discard").status_code == 303
    assert "Dibuang" in text(admin.get(match.group(1)))
    outsider = as_user("outsider")
    assert outsider.get(match.group(1)).status_code == 404
    assert (
        outsider.get(f"/banks/{sim.bank.code}/blueprints/{sim.blueprint_code}/assemble").status_code
        == 404
    )
