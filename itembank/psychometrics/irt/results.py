"""What a calibration returns: plain dataclasses, nothing prints."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from itembank.psychometrics.irt.models import ModelName


@dataclass(frozen=True)
class ItemParameters:
    """One item's parameters in the IRT metric (logistic, D = 1).

    ``b`` has one value for 2PL/3PL, the step difficulties (GPCM) or the category
    thresholds (GRM) for polytomous items; ``c`` is the lower asymptote (3PL only).
    """

    model: ModelName
    a: float
    b: tuple[float, ...]
    c: float = 0.0

    @property
    def n_categories(self) -> int:
        return len(self.b) + 1


@dataclass(frozen=True)
class Priors:
    """Priors of the M-step (maximum a posteriori for the item parameters).

    ``a_lognormal``: (mean, sd) of log a, or None for no prior on a (applied to the
    models named in ``a_models``). ``c_beta``: (alpha, beta) of the 3PL lower asymptote;
    the default (5, 17) is BILOG-MG's for five options: 20 / n_options + 1 and
    20 (1 - 1 / n_options) + 1.
    """

    a_lognormal: tuple[float, float] | None = (0.0, 0.5)
    a_models: tuple[ModelName, ...] = ("3PL",)
    c_beta: tuple[float, float] | None = (5.0, 17.0)


@dataclass(frozen=True)
class Settings:
    """Estimation settings; every run records the ones it used."""

    quadrature_points: int = 41
    quadrature_range: tuple[float, float] = (-5.0, 5.0)
    max_iterations: int = 500
    tolerance: float = 1e-4
    newton_steps: int = 3
    priors: Priors = field(default_factory=Priors)
    estimate_population: bool | None = None
    standard_errors: bool = True
    fit_groups: int = 10
    chunk_rows: int = 20_000


@dataclass(frozen=True)
class ItemFit:
    """Observed vs expected category proportions in ``groups`` θ groups (by EAP).

    ``statistic`` = Σ_g Σ_k N_g (O_gk - E_gk)² / E_gk; ``df`` = groups × (K - 1) - free
    parameters; ``p_value`` from χ²(df). Expected values average each candidate's
    posterior-predicted probabilities, so the statistic compares the data with the
    fitted model rather than with point estimates of θ.
    """

    statistic: float
    df: int
    p_value: float
    groups: int


@dataclass(frozen=True)
class ItemEstimate:
    index: int
    parameters: ItemParameters
    #: Standard errors of ``a``, ``b`` (same length as ``parameters.b``) and ``c`` (NaN
    #: when not estimated), by the delta method from the internal covariance.
    se_a: float
    se_b: tuple[float, ...]
    se_c: float
    #: Internal slope-intercept parameters and their standard errors.
    internal: tuple[float, ...]
    internal_se: tuple[float, ...]
    fixed: bool
    n_responses: int
    fit: ItemFit | None


@dataclass(frozen=True)
class Convergence:
    converged: bool
    iterations: int
    max_change: float
    loglik_trace: tuple[float, ...]

    @property
    def loglik(self) -> float:
        return self.loglik_trace[-1] if self.loglik_trace else float("nan")


@dataclass(frozen=True)
class Abilities:
    """EAP θ per candidate and its posterior SD (NaN for candidates with no response)."""

    eap: NDArray[np.float64]
    se: NDArray[np.float64]


@dataclass(frozen=True)
class Calibration:
    """The result of :func:`~itembank.psychometrics.irt.calibrate`.

    ``population`` is the (mean, sd) of the latent distribution: (0, 1) unless it was
    estimated (by default when anchors fix the scale). ``standard_error_method`` names how
    SEs were obtained.
    """

    items: tuple[ItemEstimate, ...]
    population: tuple[float, float]
    abilities: Abilities
    convergence: Convergence
    settings: Settings
    n_candidates: int
    n_items: int
    n_responses: int
    seconds: float
    versions: dict[str, str]
    metric: str = "logistic, D = 1"
    standard_error_method: str = (
        "observed information of each item's parameters (Louis, at the final E-step), "
        "other items held at their estimates"
    )

    def summary(self) -> str:
        """A plain-text table of the estimates (for logs and the CLI)."""
        lines = [
            f"{self.n_candidates} candidates, {self.n_items} items, {self.n_responses} "
            f"responses; {self.metric}; population mean {self.population[0]:.3f} "
            f"sd {self.population[1]:.3f}; converged {self.convergence.converged} after "
            f"{self.convergence.iterations} iterations, loglik {self.convergence.loglik:.3f}",
            f"{'item':>5} {'model':>5} {'a':>7} {'se':>6} {'b':>24} {'c':>6} {'fit p':>7}",
        ]
        for est in self.items:
            p = est.parameters
            b = " ".join(f"{v:.2f}" for v in p.b)
            fit = f"{est.fit.p_value:.3f}" if est.fit else "-"
            mark = "*" if est.fixed else " "
            lines.append(
                f"{est.index:>5}{mark}{p.model:>5} {p.a:7.3f} {est.se_a:6.3f} {b:>24} "
                f"{p.c:6.3f} {fit:>7}"
            )
        return "\n".join(lines)
