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
