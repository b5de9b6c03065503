"""A small simulated bank for the assembly tests (operations, API, CLI, UI)."""

from __future__ import annotations

from typing import Any

from itembank.operations.simulated_bank import SimulatedBank, simulate_bank
from tests.factories import World, unique


def small_bank(world: World, plugins: Any, *, items: int = 150, length: int = 20) -> SimulatedBank:
    """A simulated bank whose admin is the world's bank admin and whose assembler is the
    world's assembler (the world's other users are not members)."""
    return simulate_bank(
        plugins,
        code=unique("SIM").upper()[:16],
        items=items,
        seed=3,
        length=length,
        admin=world.bank_admin,
        assembler=world.assembler,
    )


def state_run(world: World, plugins: Any) -> dict[str, str]:
    """A proposed assembly run of a one-item blueprint (and the blueprint)."""
    from itembank.operations.assembly import run_inline
    from itembank.operations.blueprints import get_blueprint
    from tests.forms_helpers import approved, state_blueprint

    names = state_blueprint(world, plugins)
    approved(world, plugins)
    blueprint = get_blueprint(world.bank, names["blueprint"], actor=world.assembler)
    run = run_inline(
        world.bank,
        blueprint,
        {"forms": 1, "time_limit": 10},
        actor=world.assembler,
        plugins=plugins,
    )
    assert run.status == "proposed", run.messages
    return {**names, "run": str(run.id)}
