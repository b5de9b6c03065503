"""IRT calibration of the bank's item versions from delivered results (job kind
``calibration``).

The results of the chosen administrations form one sparse matrix: a row per candidate
result, a column per item version (forms that share versions share columns), NaN where
a candidate was not given the version. Each response is recoded to its score category
(the distinct scores observed, low to high). Dichotomous versions (two score levels)
take 2PL or 3PL, weighted options GPCM, Likert GRM, other partial-credit items GPCM (a
blank of a weighted or Likert item, whose every option weighs more than 0, is left out
rather than taken for a category below the lowest weight); essays are left out (a
rater's score is not a response to calibrate). Versions with fewer than
``min_responses`` responses are left out and listed.

With ``anchor_scale`` the versions that already have parameters on that scale (the
newest row of a matching model and number of categories) are held fixed at them, so
the new versions land on that scale; otherwise the run defines a new scale, named after
the run unless ``scale`` is given. Every estimate is appended to ``item_parameters``
(``source`` ``calibration``, ``run_id`` the run): nothing overwrites an earlier
calibration. Misfit and low slopes put versions in the reviewers' queue.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import (
    Administration,
    AdministrationForm,
    Bank,
    CalibrationRun,
    CandidateResult,
    Form,
    FormEntry,
    ItemParameters,
    ItemVersion,
    ReviewFlag,
    User,
)
from itembank.models._types import utcnow
from itembank.operations.form_report import load_form_entries
from itembank.operations.review_flags import flag_payload
from itembank.operations.statistics import STATISTICS_ROLES, thresholds_for
from itembank.plugins import plugins
from itembank.psychometrics import Settings, calibrate, item_flags
from itembank.psychometrics.irt.results import ItemParameters as CoreParameters

__all__ = ["CalibrationRequest", "check_calibration_request", "run_calibration"]

DICHOTOMOUS_MODELS = ("2PL", "3PL")
#: Fewer calibrated versions than this and misfit raises no flag (the fit statistic
#: groups candidates by a θ that leans on the item itself; fit is still reported).
MIN_ITEMS_FOR_FIT_FLAGS = 20
MAX_ADMINISTRATIONS = 100
SCALE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


@dataclass(frozen=True)
class CalibrationRequest:
    administrations: tuple[str, ...]
    dichotomous_model: str = "2PL"
    anchor_scale: str | None = None
    scale: str | None = None
    min_responses: int = 200

    def as_dict(self) -> dict[str, Any]:
        return {
            "administrations": list(self.administrations),
            "dichotomous_model": self.dichotomous_model,
            "anchor_scale": self.anchor_scale,
            "scale": self.scale,
            "min_responses": self.min_responses,
        }


def _problem(field: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(
        message_en, [{"field": field, "message": message, "message_en": message_en}]
    )


def check_calibration_request(bank: Bank, raw: Any, *, actor: User | None) -> CalibrationRequest:
    """The request, checked: administrations of this bank with results, a known model,
    scale names of the right shape."""
    if actor is not None:
        require_role(actor, bank, *STATISTICS_ROLES, doing="calibrate items")
    if not isinstance(raw, dict):
        raise _problem("", "Permintaan harus berupa objek.", "The request must be an object.")
    names = raw.get("administrations")
    if (
        not isinstance(names, list)
        or not names
        or len(names) > MAX_ADMINISTRATIONS
        or not all(isinstance(n, str) for n in names)
    ):
        raise _problem(
            "administrations",
            f"Sebutkan 1 sampai {MAX_ADMINISTRATIONS} kode pelaksanaan.",
            f"Name 1 to {MAX_ADMINISTRATIONS} administration ids.",
        )
    found = set(
        db.session.scalars(
            sa.select(Administration.external_id).where(
                Administration.bank_id == bank.id, Administration.external_id.in_(names)
            )
        )
    )
    for index, name in enumerate(names):
        if name not in found:
            raise _problem(
                f"administrations[{index}]",
                f"Bank {bank.code} tidak memiliki pelaksanaan '{name}'.",
                f"Bank {bank.code} has no administration '{name}'.",
            )
    model = raw.get("dichotomous_model", "2PL")
    if model not in DICHOTOMOUS_MODELS:
        raise _problem(
            "dichotomous_model",
            "Model butir dikotomus harus 2PL atau 3PL.",
            "The dichotomous model must be 2PL or 3PL.",
        )
    scales: dict[str, str | None] = {}
    for field in ("anchor_scale", "scale"):
        value = raw.get(field)
        if value in (None, ""):
            scales[field] = None
        elif isinstance(value, str) and SCALE_RE.fullmatch(value):
            scales[field] = value
        else:
            raise _problem(
                field,
                "Nama skala: huruf, angka, '.', '_' atau '-', paling banyak 64 karakter.",
                "A scale name is letters, digits, '.', '_' or '-', at most 64 characters.",
            )
    minimum = raw.get("min_responses", 200)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 20 <= minimum <= 100_000:
        raise _problem(
            "min_responses",
            "Jumlah respons minimum harus bilangan bulat 20 sampai 100000.",
            "The minimum number of responses must be a whole number from 20 to 100000.",
        )
    return CalibrationRequest(
        administrations=tuple(dict.fromkeys(names)),
        dichotomous_model=model,
        anchor_scale=scales["anchor_scale"],
        scale=scales["scale"],
        min_responses=minimum,
    )


@dataclass
class _Column:
    version_id: int
    levels: list[float]
    model: str


def _matrix(
    bank: Bank, request: CalibrationRequest
) -> tuple[np.ndarray, list[int], dict[int, str], int]:
    """Scores (candidates × versions, NaN where not given), the version ids, each
    version's item type, and the number of candidate results."""
    administration_ids = list(
        db.session.scalars(
            sa.select(Administration.id).where(
                Administration.bank_id == bank.id,
                Administration.external_id.in_(request.administrations),
            )
        )
    )
    form_ids = sorted(
        set(
            db.session.scalars(
                sa.select(AdministrationForm.form_id).where(
                    AdministrationForm.administration_id.in_(administration_ids)
                )
            )
        )
    )
    layouts: dict[int, list[int]] = {}
    types: dict[int, str] = {}
    blank_missing: set[int] = set()
    forms = db.session.scalars(sa.select(Form).where(Form.id.in_(form_ids))).all()
    for form in forms:
        form_id = form.id
        entries: list[FormEntry] = load_form_entries(form)
        layouts[form_id] = [entry.item_version_id for entry in entries]
        for entry in entries:
            types[entry.item_version_id] = entry.item.item_type
            if _blank_scores_below_every_answer(entry):
                blank_missing.add(entry.item_version_id)
    columns = sorted(types)
    where = {version_id: n for n, version_id in enumerate(columns)}
    blocks: list[np.ndarray] = []
    for form_id in form_ids:
        rows = db.session.execute(
            sa.select(CandidateResult.scores).where(
                CandidateResult.form_id == form_id,
                CandidateResult.administration_id.in_(administration_ids),
            )
        ).all()
        if not rows:
            continue
        scores = np.array([row.scores for row in rows], dtype=np.float64)
        block = np.full((len(rows), len(columns)), np.nan)
        block[:, [where[v] for v in layouts[form_id]]] = scores
        blocks.append(block)
    matrix = np.vstack(blocks) if blocks else np.empty((0, len(columns)))
    for version_id in blank_missing:
        column = matrix[:, where[version_id]]
        column[column == 0] = np.nan  # a blank, not a category below the lowest weight
    return matrix, columns, types, matrix.shape[0]


def _blank_scores_below_every_answer(entry: FormEntry) -> bool:
    """Weighted options and Likert items whose every option weighs more than 0: there a
    score of 0 is a blank, which is left out of the calibration rather than taken for a
    category below the lowest weight."""
    if entry.item.item_type not in ("weighted_options", "likert"):
        return False
    item_type = plugins().item_types.get(entry.item.item_type)
    if item_type is None:
        return False
    weights = item_type.summary(entry.version.content).weights
    return bool(weights) and min(weights.values()) > 0


def _recode(column: np.ndarray) -> tuple[np.ndarray, list[float]]:
    seen = ~np.isnan(column)
    levels = sorted(set(np.round(column[seen], 9).tolist()))
    out = np.full(column.shape, np.nan)
    lookup = {level: n for n, level in enumerate(levels)}
    out[seen] = [lookup[v] for v in np.round(column[seen], 9).tolist()]
    return out, levels


def run_calibration(
    bank: Bank,
    request: CalibrationRequest,
    *,
    actor: User | None,
    progress: Any = None,
    job_id: int | None = None,
) -> CalibrationRun:
    """Calibrate, store the run and its estimates, flag misfitting versions. The caller
    commits."""
    if actor is not None:
        require_role(actor, bank, *STATISTICS_ROLES, doing="calibrate items")
    number = (
        int(
            db.session.scalar(
                sa.select(sa.func.max(CalibrationRun.number)).where(
                    CalibrationRun.bank_id == bank.id
                )
            )
            or 0
        )
        + 1
    )
    run = CalibrationRun(
        bank_id=bank.id,
        number=number,
        scale=request.scale or request.anchor_scale or f"{bank.code}-C{number:03d}",
        status="running",
        settings=request.as_dict(),
        job_id=job_id,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(run)
    db.session.flush()
    if progress is not None:
        progress(0, 3, "Menyusun matriks respons", "Building the response matrix")
    matrix, version_ids, types, n_results = _matrix(bank, request)
    keep: list[int] = []
    left_out: list[dict[str, Any]] = []
    columns: list[_Column] = []
    recoded: list[np.ndarray] = []
    for n, version_id in enumerate(version_ids):
        item_type = types[version_id]
        responses = int(np.sum(~np.isnan(matrix[:, n])))
        if item_type == "extended_text":
            left_out.append({"version_id": version_id, "reason": "scored_by_person"})
            continue
        if responses < request.min_responses:
            left_out.append(
                {"version_id": version_id, "reason": "too_few_responses", "n": responses}
            )
            continue
        codes, levels = _recode(matrix[:, n])
        if len(levels) < 2:
            left_out.append({"version_id": version_id, "reason": "one_score_only"})
            continue
        if len(levels) == 2:
            model = request.dichotomous_model
        elif item_type == "likert":
            model = "GRM"
        else:
            model = "GPCM"
        keep.append(n)
        recoded.append(codes)
        columns.append(_Column(version_id, levels, model))
    if len(columns) < 2:
        run.status = "failed"
        run.summary = {
            "error": "too few versions to calibrate",
            "error_id": "Terlalu sedikit butir yang dapat dikalibrasi (paling sedikit 2).",
            "left_out": left_out,
        }
        run.finished_at = utcnow()
        _audit(run, bank, actor)
        return run
    data = np.column_stack(recoded)
    answered = ~np.all(np.isnan(data), axis=1)
    data = data[answered]
    anchors = _anchors(request.anchor_scale, columns)
    if progress is not None:
        progress(1, 3, "Mengkalibrasi (MML-EM)", "Calibrating (MML-EM)")
    result = calibrate(
        data,
        [c.model for c in columns],
        n_categories=[len(c.levels) for c in columns],
        anchors=anchors,
        settings=Settings(),
    )
    if progress is not None:
        progress(2, 3, "Menyimpan parameter", "Saving the parameters")
    thresholds, _ = thresholds_for(bank)
    flags = item_flags(calibration=result, thresholds=thresholds)
    fit_flags = len(columns) >= MIN_ITEMS_FOR_FIT_FLAGS
    if not fit_flags:  # θ leans on each item in a short form: the fit test over-flags
        flags = [[f for f in item if f.code != "misfit"] for item in flags]
    stored: list[dict[str, Any]] = []
    for estimate, column, item_flag_list in zip(result.items, columns, flags, strict=True):
        par = estimate.parameters
        params: dict[str, Any] = {"a": par.a}
        errors: dict[str, Any] = {"a": _f(estimate.se_a)}
        if column.model in DICHOTOMOUS_MODELS:
            params["b"] = par.b[0]
            errors["b"] = _f(estimate.se_b[0])
            if column.model == "3PL":
                params["c"] = par.c
                errors["c"] = _f(estimate.se_c)
        else:
            params["b"] = list(par.b)
            params["levels"] = column.levels
            errors["b"] = [_f(v) for v in estimate.se_b]
        fit = estimate.fit
        row = {
            "version_id": column.version_id,
            "model": column.model,
            "params": params,
            "fixed": estimate.fixed,
            "n": estimate.n_responses,
            "fit_p": _f(fit.p_value) if fit else None,
            "flags": [f.code for f in item_flag_list],
        }
        stored.append(row)
        if estimate.fixed:
            continue
        db.session.add(
            ItemParameters(
                version_id=column.version_id,
                model=column.model,
                params=params,
                standard_errors=errors,
                scale=run.scale,
                sample_size=estimate.n_responses,
                source="calibration",
                run_id=run.id,
                flags=row["flags"],
                created_by_id=actor.id if actor else None,
            )
        )
        if item_flag_list:
            _flag(run, column.version_id, item_flag_list, actor)
    conv = result.convergence
    run.status = "completed"
    run.candidates = result.n_candidates
    run.items = result.n_items
    run.summary = {
        "converged": conv.converged,
        "iterations": conv.iterations,
        "max_change": _f(conv.max_change),
        "loglik": _f(conv.loglik),
        "population": [_f(v) for v in result.population],
        "seconds": round(result.seconds, 3),
        "results": n_results,
        "anchors": len(anchors),
        "fit_flags": fit_flags,
        "metric": result.metric,
        "standard_errors": result.standard_error_method,
        "items": stored,
        "left_out": left_out,
    }
    run.finished_at = utcnow()
    _audit(run, bank, actor)
    db.session.flush()
    return run


def _anchors(scale: str | None, columns: list[_Column]) -> dict[int, CoreParameters]:
    if not scale:
        return {}
    ids = [c.version_id for c in columns]
    newest: dict[int, ItemParameters] = {}
    for row in db.session.scalars(
        sa.select(ItemParameters)
        .where(ItemParameters.version_id.in_(ids), ItemParameters.scale == scale)
        .order_by(ItemParameters.id)
    ):
        newest[row.version_id] = row
    anchors: dict[int, CoreParameters] = {}
    for n, column in enumerate(columns):
        row = newest.get(column.version_id)
        if row is None or row.model != column.model:
            continue
        b = row.params.get("b")
        b_values = tuple(b) if isinstance(b, list) else (b,)
        if len(b_values) + 1 != len(column.levels):
            continue
        anchors[n] = CoreParameters(
            column.model,
            float(row.params["a"]),
            tuple(map(float, b_values)),
            float(row.params.get("c", 0.0)),
        )
    return anchors


def _flag(run: CalibrationRun, version_id: int, flags: list[Any], actor: User | None) -> None:
    version = db.session.get(ItemVersion, version_id)
    assert version is not None
    payload = flag_payload(flags)
    open_flag = db.session.scalar(
        sa.select(ReviewFlag).where(
            ReviewFlag.version_id == version_id, ReviewFlag.status == "open"
        )
    )
    if open_flag is not None:
        known = {f["code"] for f in open_flag.flags}
        open_flag.flags = open_flag.flags + [f for f in payload if f["code"] not in known]
        return
    db.session.add(
        ReviewFlag(
            bank_id=run.bank_id,
            item_id=version.item_id,
            version_id=version_id,
            source="calibration",
            calibration_id=run.id,
            flags=payload,
        )
    )
    record(
        "statistics.flag",
        actor=actor,
        version=version,
        codes=[f.code for f in flags],
        calibration=run.id,
    )


def _audit(run: CalibrationRun, bank: Bank, actor: User | None) -> None:
    record(
        "statistics.calibrate",
        actor=actor,
        bank=bank,
        object_type="calibration",
        object_id=f"{bank.code}-C{run.number:03d}",
        to_status=run.status,
        scale=run.scale,
        administrations=list(run.settings.get("administrations", [])),
        items=run.items,
        candidates=run.candidates,
    )


def _f(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None
