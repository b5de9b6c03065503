"""IRT calibration (2PL, 3PL, GPCM, GRM) by marginal maximum likelihood, and θ scoring."""

from itembank.psychometrics.irt.calibrate import calibrate
from itembank.psychometrics.irt.models import MODELS, ModelName
from itembank.psychometrics.irt.results import (
    Abilities,
    Calibration,
    Convergence,
    ItemEstimate,
    ItemFit,
    ItemParameters,
    Priors,
    Settings,
)
from itembank.psychometrics.irt.scoring import eap_scores, probabilities

__all__ = [
    "MODELS",
    "Abilities",
    "Calibration",
    "Convergence",
    "ItemEstimate",
    "ItemFit",
    "ItemParameters",
    "ModelName",
    "Priors",
    "Settings",
    "calibrate",
    "eap_scores",
    "probabilities",
]
