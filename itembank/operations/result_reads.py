"""Reads behind the web UI's results and statistics pages, each with its role check.

Administrations and their results imports are for the delivery team (assemblers and
bank admins, :data:`~itembank.operations.blueprints.ASSEMBLY_ROLES`), like creating them
and importing into them. A form's analyses are for reviewers too
(:data:`~itembank.operations.statistics.STATISTICS_ROLES`), who otherwise do not see
forms. Nothing here reads a candidate's responses: counts and group names only.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role
from itembank.extensions import db
from itembank.jobs.operations import list_jobs
from itembank.models import (
    Administration,
    AdministrationForm,
    Analysis,
    Bank,
    CalibrationRun,
    CandidateResult,
    Form,
    ItemParameters,
    ItemVersion,
    Job,
    JobStatus,
    ReviewFlag,
    User,
)
from itembank.models.forms import FormStatus
from itembank.operations.administrations import find_administration, list_administrations
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.statistics import STATISTICS_ROLES
from itembank.operations.statistics_jobs import KIND as RESULTS_IMPORT_KIND
from itembank.psychometrics.irt import ItemParameters as CoreParameters

__all__ = [
    "IRT_MODELS",
    "IrtParameters",
    "administrations",
    "analysis_scopes",
    "current_analyses",
    "dif_groups",
    "exported_forms",
    "flag_figures",
    "get_administration",
    "irt_parameters",
    "unfinished_imports",
]

IRT_MODELS = ("2PL", "3PL", "GPCM", "GRM")
#: Group values offered per variable for DIF (more are typed in).
MAX_GROUP_VALUES = 50


def administrations(bank: Bank, *, actor: User) -> list[Administration]:
    """The bank's administrations, newest first (assemblers and bank admins)."""
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="see administrations")
    return list_administrations(bank)


def get_administration(bank: Bank, external_id: str, *, actor: User) -> Administration:
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="see administrations")
    return find_administration(bank, (external_id or "").strip().upper())


def exported_forms(bank: Bank, *, actor: User) -> list[Form]:
    """The forms an administration can name: the bank's exported ones, newest first."""
    require_role(actor, bank, *ASSEMBLY_ROLES, doing="see administrations")
    return list(
        db.session.scalars(
            sa.select(Form)
            .where(Form.bank_id == bank.id, Form.status == FormStatus.EXPORTED.value)
            .order_by(Form.number.desc())
        )
    )


def unfinished_imports(administration: Administration, *, actor: User) -> list[Job]:
    """Results imports into ``administration`` still waiting or running that ``actor``
    may see (their own; bank admins: all)."""
    found = [
        job
        for status in (JobStatus.RUNNING, JobStatus.QUEUED)
        for job in list_jobs(
            administration.bank, actor=actor, kind=RESULTS_IMPORT_KIND, status=status, limit=50
        ).jobs
        if (job.params or {}).get("administration") == administration.external_id
    ]
    return sorted(found, key=lambda job: (job.created_at, job.id), reverse=True)


def analysis_scopes(form: Form) -> list[Administration]:
    """The administrations that delivered ``form``, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Administration)
            .join(AdministrationForm, AdministrationForm.administration_id == Administration.id)
            .where(AdministrationForm.form_id == form.id)
            .order_by(Administration.starts_on, Administration.number)
        )
    )


def current_analyses(bank: Bank, *, actor: User, limit: int = 100) -> list[Analysis]:
    """The current analysis of every (form, administration or pooled) of the bank,
    newest first."""
    require_role(actor, bank, *STATISTICS_ROLES, doing="read item statistics")
    newest = (
        sa.select(sa.func.max(Analysis.id))
        .where(Analysis.bank_id == bank.id)
        .group_by(Analysis.form_id, Analysis.administration_id)
    )
    return list(
        db.session.scalars(
            sa.select(Analysis)
            .where(Analysis.id.in_(newest))
            .order_by(Analysis.id.desc())
            .limit(limit)
        )
    )


def dif_groups(form: Form, administration: Administration | None = None) -> dict[str, list[str]]:
    """The group variables the results of ``form`` carry, with their values (at most
    :data:`MAX_GROUP_VALUES` each), for the DIF form. Callers checked the reader."""
    query = sa.select(CandidateResult.groups).where(CandidateResult.form_id == form.id)
    if administration is not None:
        query = query.where(CandidateResult.administration_id == administration.id)
    found: dict[str, set[str]] = {}
    for groups in db.session.scalars(query).yield_per(2000):
        for name, value in (groups or {}).items():
            values = found.setdefault(str(name), set())
            if value not in (None, "") and len(values) < MAX_GROUP_VALUES:
                values.add(str(value))
    return {name: sorted(values) for name, values in sorted(found.items())}


@dataclass(frozen=True)
class IrtParameters:
    """A version's newest IRT parameters: the stored row and the core's form of them."""

    row: ItemParameters
    core: CoreParameters


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _core(row: ItemParameters) -> CoreParameters | None:
    params = row.params or {}
    a = _finite(params.get("a"))
    if a is None or a <= 0:
        return None
    raw_b = params.get("b")
    if row.model in ("2PL", "3PL"):
        b = _finite(raw_b[0] if isinstance(raw_b, list) and len(raw_b) == 1 else raw_b)
        c = _finite(params.get("c", 0.0)) if row.model == "3PL" else 0.0
        if b is None or c is None or not 0 <= c < 1:
            return None
        return CoreParameters(row.model, a, (b,), c)  # type: ignore[arg-type]
    if not isinstance(raw_b, list) or not raw_b:
        return None
    steps = [_finite(v) for v in raw_b]
    if any(v is None for v in steps):
        return None
    values = tuple(float(v) for v in steps if v is not None)
    if row.model == "GRM" and any(x >= y for x, y in itertools.pairwise(values)):
        return None  # GRM thresholds must increase
    return CoreParameters(row.model, a, values)  # type: ignore[arg-type]


def irt_parameters(version: ItemVersion) -> IrtParameters | None:
    """The newest IRT parameters (2PL, 3PL, GPCM or GRM) stored for ``version``, or None
    (none stored, or the newest are not usable). Callers checked the reader."""
    row = db.session.scalar(
        sa.select(ItemParameters)
        .where(ItemParameters.version_id == version.id, ItemParameters.model.in_(IRT_MODELS))
        .order_by(ItemParameters.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    core = _core(row)
    return IrtParameters(row, core) if core is not None else None


def flag_figures(flag: ReviewFlag) -> dict[str, Any] | None:
    """The figures that raised ``flag``: its analysis' row of the flagged version (with
    the form and administration), or its calibration's row; None when gone."""
    if flag.analysis is not None:
        analysis = flag.analysis
        for row in analysis.items:
            if row.get("version_id") == flag.version_id:
                return {
                    "kind": "analysis",
                    "row": row,
                    "analysis": analysis,
                    "form": analysis.form,
                    "administration": analysis.administration,
                }
    calibration: CalibrationRun | None = flag.calibration
    if calibration is not None:
        for row in (calibration.summary or {}).get("items", []):
            if row.get("version_id") == flag.version_id:
                return {"kind": "calibration", "row": row, "calibration": calibration}
    return None
