"""Automated test assembly (the pure core): many parallel forms from one blueprint.

No Flask, no database: plain data and numpy arrays in, a :class:`Result` (forms, their
comparison, the LP bound and the certified gap) or an :class:`Infeasible` (what cannot be
met, in the blueprint's words) out. HiGHS through ``highspy`` solves the models.

    result = assemble(pool, blueprint, Rules(...), MaximinTIF(), Settings(forms=10, seed=7))
"""

from itembank.assembly.assemble import Cancelled, assemble
from itembank.assembly.model import (
    Blueprint,
    Classical,
    ContentOnly,
    Exposure,
    KeyBalance,
    MaximinTIF,
    Pool,
    Row,
    Rules,
    Section,
    Settings,
    Target,
    TargetCurve,
)
from itembank.assembly.result import Form, FormStats, Infeasible, Message, Result
from itembank.assembly.simulate import simulate_blueprint, simulate_pool

__all__ = [
    "Blueprint",
    "Cancelled",
    "Classical",
    "ContentOnly",
    "Exposure",
    "Form",
    "FormStats",
    "Infeasible",
    "KeyBalance",
    "MaximinTIF",
    "Message",
    "Pool",
    "Result",
    "Row",
    "Rules",
    "Section",
    "Settings",
    "Target",
    "TargetCurve",
    "assemble",
    "simulate_blueprint",
    "simulate_pool",
]
