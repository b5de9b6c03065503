"""Item statistics, the pure core: classical item analysis, IRT calibration (MML-EM),
DIF and review flags, with seeded simulation. No Flask, no database: numpy arrays and
plain data in, dataclasses out. The IRT metric is logistic with D = 1.
"""

from itembank.psychometrics.classical import ClassicalResult, analyse
from itembank.psychometrics.dif import DifResult, mantel_haenszel
from itembank.psychometrics.flags import Flag, Thresholds, item_flags
from itembank.psychometrics.irt import Calibration, ItemParameters, Settings, calibrate
from itembank.psychometrics.simulate import anchor_design, simulate_items, simulate_responses

__all__ = [
    "Calibration",
    "ClassicalResult",
    "DifResult",
    "Flag",
    "ItemParameters",
    "Settings",
    "Thresholds",
    "analyse",
    "anchor_design",
    "calibrate",
    "item_flags",
    "mantel_haenszel",
    "simulate_items",
    "simulate_responses",
]
