"""Reading the results and statistics loop for the API and the CLI: administrations,
results imports, forms' analyses, calibration runs and the review queue, each behind
its role check, plus asking for a new analysis (with DIF).

Who reads what:

- administrations (their forms and imports' summaries): reviewers, assemblers and bank
  admins (:data:`~itembank.operations.statistics.STATISTICS_ROLES`); recording them and
  importing results stays with assemblers and bank admins;
- a results import's report (its problems may quote candidate ids from the file) and
  disagreement report: assemblers and bank admins, who import them;
- analyses and calibration runs: the statistics roles;
- the review queue: authors too (:data:`~itembank.operations.review_flags.FLAG_READERS`).

Candidate-level rows are never read here: every figure is an aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import Conflict, InvalidInput, NotFound
from itembank.extensions import db
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
    ResultImport,
    ReviewFlag,
    User,
)
from itembank.operations.blueprints import ASSEMBLY_ROLES
from itembank.operations.forms import EXTERNAL_ID_RE
from itembank.operations.review_flags import FLAG_READERS
from itembank.operations.statistics import STATISTICS_ROLES, DifRequest, analyse_form
from itembank.plugins import PluginHost

__all__ = [
    "FLAG_FILTERS",
    "Page",
    "TooFewResults",
    "administration_forms",
    "administration_page",
    "analysis_administration",
    "calibration_items",
    "calibration_page",
    "find_calibration",
    "find_result_import",
    "flag_page",
    "import_summaries",
    "readable_administration",
    "reanalyse",
    "result_import_page",
    "statistics_form",
]

#: ``status`` filters of the review queue (``all``: every status).
FLAG_FILTERS = ("open", "keep", "revise", "retire", "all")


class TooFewResults(Conflict):
    """An analysis was asked of a form with fewer than two candidates' results."""

    code = "too_few_results"


@dataclass(frozen=True)
class Page:
    """One page of a listing and how many there are in all."""

    rows: list[Any]
    total: int


def _page(query: sa.Select[Any], order: Any, limit: int, offset: int) -> Page:
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = list(db.session.scalars(query.order_by(*order).limit(limit).offset(offset)))
    return Page(rows, int(total))


# -- administrations -----------------------------------------------------------------------


def administration_page(bank: Bank, *, actor: User, limit: int = 50, offset: int = 0) -> Page:
    """The bank's administrations, newest first."""
    require_role(actor, bank, *STATISTICS_ROLES, doing="see administrations")
    query = sa.select(Administration).where(Administration.bank_id == bank.id)
    return _page(
        query, (Administration.starts_on.desc(), Administration.number.desc()), limit, offset
    )


def readable_administration(bank: Bank, external_id: str, *, actor: User) -> Administration:
    """The administration for a reader (statistics roles), or :class:`NotFound`."""
    require_role(actor, bank, *STATISTICS_ROLES, doing="see administrations")
    administration = db.session.scalar(
        sa.select(Administration).where(
            Administration.bank_id == bank.id,
            Administration.external_id == (external_id or "").strip().upper(),
        )
    )
    if administration is None:
        raise NotFound(f"bank {bank.code} has no administration {external_id!r}")
    return administration


def candidates_per_form(administration: Administration) -> dict[int, int]:
    """Stored candidate results per form id."""
    rows = db.session.execute(
        sa.select(CandidateResult.form_id, sa.func.count(CandidateResult.id))
        .where(CandidateResult.administration_id == administration.id)
        .group_by(CandidateResult.form_id)
    )
    return {form_id: int(count) for form_id, count in rows}


def administration_forms(administration: Administration) -> list[dict[str, Any]]:
    """The delivered forms with how many candidates' results each has."""
    counts = candidates_per_form(administration)
    added = {
        form_id: added_at
        for form_id, added_at in db.session.execute(
            sa.select(AdministrationForm.form_id, AdministrationForm.added_at).where(
                AdministrationForm.administration_id == administration.id
            )
        )
    }
    return [
        {
            "form": form.external_id,
            "title": form.title,
            "status": form.status,
            "candidates": counts.get(form.id, 0),
            "added_at": added.get(form.id),
        }
        for form in administration.forms
    ]


def import_summaries(administration: Administration) -> list[ResultImport]:
    """Every import into the administration, newest first (no role check: the caller's
    reader sees only the counts)."""
    return list(
        db.session.scalars(
            sa.select(ResultImport)
            .where(ResultImport.administration_id == administration.id)
            .order_by(ResultImport.id.desc())
        )
    )


def result_import_page(
    administration: Administration, *, actor: User, limit: int = 50, offset: int = 0
) -> Page:
    """The administration's results imports with their reports, newest first
    (assemblers and bank admins)."""
    require_role(actor, administration.bank, *ASSEMBLY_ROLES, doing="see results imports")
    query = sa.select(ResultImport).where(ResultImport.administration_id == administration.id)
    return _page(query, (ResultImport.id.desc(),), limit, offset)


def find_result_import(
    administration: Administration, import_id: int, *, actor: User | None
) -> ResultImport:
    """One import of the administration with its reports (assemblers and bank admins;
    ``actor`` None: the server's operator)."""
    if actor is not None:
        require_role(actor, administration.bank, *ASSEMBLY_ROLES, doing="see results imports")
    batch = db.session.get(ResultImport, import_id)
    if batch is None or batch.administration_id != administration.id:
        raise NotFound(
            f"administration {administration.external_id} has no results import {import_id}"
        )
    return batch


# -- analyses ------------------------------------------------------------------------------


def statistics_form(external_id: str, *, actor: User) -> Form:
    """A form whose statistics ``actor`` may read (reviewers, assemblers, bank admins):
    NotFound for unknown forms and non-members, PermissionDenied for other roles."""
    key = (external_id or "").strip().upper()
    form = None
    if EXTERNAL_ID_RE.fullmatch(key):
        form = db.session.scalar(sa.select(Form).where(Form.external_id == key))
    if form is None:
        raise NotFound(f"no form {external_id!r}")
    try:
        require_role(actor, form.bank, *STATISTICS_ROLES, doing="read item statistics")
    except NotFound:
        raise NotFound(f"no form {external_id!r}") from None
    return form


def analysis_administration(
    form: Form, external_id: str | None, *, field: str | None = None
) -> Administration | None:
    """The administration ``external_id`` names for an analysis of ``form`` (None:
    pooled). One the bank does not have, or that did not deliver the form, is
    :class:`NotFound`, or :class:`InvalidInput` naming ``field`` when it came in a
    request body."""
    if external_id is None or not external_id.strip():
        return None
    administration = db.session.scalar(
        sa.select(Administration)
        .join(AdministrationForm, AdministrationForm.administration_id == Administration.id)
        .where(
            Administration.bank_id == form.bank_id,
            Administration.external_id == external_id.strip().upper(),
            AdministrationForm.form_id == form.id,
        )
    )
    if administration is None:
        message_en = (
            f"Form {form.external_id} was not delivered in an administration '{external_id}'."
        )
        if field is None:
            raise NotFound(message_en)
        raise InvalidInput(
            message_en,
            [
                {
                    "field": field,
                    "message": f"Paket {form.external_id} tidak dilaksanakan dalam "
                    f"pelaksanaan '{external_id}'.",
                    "message_en": message_en,
                }
            ],
        )
    return administration


def reanalyse(
    form: Form,
    *,
    actor: User | None,
    plugins: PluginHost,
    administration: Administration | None = None,
    dif: DifRequest | None = None,
) -> Analysis:
    """A new analysis of ``form`` (in ``administration``, or pooled), with DIF when
    asked; audited as ``statistics.analyse``. The caller commits.

    :raises TooFewResults: fewer than two candidates' results to analyse."""
    analysis = analyse_form(
        form, plugins=plugins, actor=actor, administration=administration, dif=dif
    )
    if analysis is None:
        scope = administration.external_id if administration else "any administration"
        raise TooFewResults(
            f"form {form.external_id} has results of fewer than two candidates in {scope}"
        )
    record(
        "statistics.analyse",
        actor=actor,
        bank=form.bank,
        object_type="form",
        object_id=form.external_id,
        analyses=[analysis.id],
        administration=administration.external_id if administration else None,
        dif=dif.__dict__ if dif else None,
    )
    return analysis


# -- calibrations --------------------------------------------------------------------------


def calibration_page(bank: Bank, *, actor: User, limit: int = 50, offset: int = 0) -> Page:
    """The bank's calibration runs, newest first."""
    require_role(actor, bank, *STATISTICS_ROLES, doing="see calibrations")
    query = sa.select(CalibrationRun).where(CalibrationRun.bank_id == bank.id)
    return _page(query, (CalibrationRun.number.desc(),), limit, offset)


def find_calibration(bank: Bank, external_id: str, *, actor: User | None) -> CalibrationRun:
    """The run ``CODE-C001`` (or its number, ``1``) of ``bank``."""
    if actor is not None:
        require_role(actor, bank, *STATISTICS_ROLES, doing="see calibrations")
    key = (external_id or "").strip().upper()
    prefix = f"{bank.code}-C"
    digits = key[len(prefix) :] if key.startswith(prefix) else key
    run = None
    if digits.isdigit() and len(digits) <= 9:
        run = db.session.scalar(
            sa.select(CalibrationRun).where(
                CalibrationRun.bank_id == bank.id, CalibrationRun.number == int(digits)
            )
        )
    if run is None:
        raise NotFound(f"bank {bank.code} has no calibration {external_id!r}")
    return run


def calibration_items(run: CalibrationRun) -> dict[str, list[dict[str, Any]]]:
    """The run's estimates per version (item code and version number added; standard
    errors and the scale from the parameters it stored; anchors held fixed have none
    stored) and the versions it left out, with why."""
    summary = run.summary or {}
    estimated = summary.get("items") or []
    left_out = summary.get("left_out") or []
    ids = {row["version_id"] for row in estimated} | {row["version_id"] for row in left_out}
    versions = {
        version.id: version
        for version in db.session.scalars(sa.select(ItemVersion).where(ItemVersion.id.in_(ids)))
    }
    stored = {
        row.version_id: row
        for row in db.session.scalars(
            sa.select(ItemParameters).where(ItemParameters.run_id == run.id)
        )
    }

    def where(version_id: int) -> dict[str, Any]:
        version = versions.get(version_id)
        return {
            "item": version.item.external_id if version else None,
            "version": version.number if version else None,
        }

    items = []
    for row in estimated:
        parameters = stored.get(row["version_id"])
        items.append(
            {
                **where(row["version_id"]),
                "model": row["model"],
                "params": row["params"],
                "standard_errors": parameters.standard_errors if parameters else None,
                "fixed": bool(row.get("fixed")),
                "n": row.get("n"),
                "fit_p": row.get("fit_p"),
                "flags": list(row.get("flags") or []),
                "scale": run.scale,
            }
        )
    skipped = [
        {**where(row["version_id"]), "reason": row.get("reason", ""), "n": row.get("n")}
        for row in left_out
    ]
    return {"items": items, "left_out": skipped}


# -- the review queue ----------------------------------------------------------------------


def flag_page(
    bank: Bank, *, actor: User, status: str = "open", limit: int = 50, offset: int = 0
) -> Page:
    """The bank's review flags of one status (``all``: any), newest first."""
    require_role(actor, bank, *FLAG_READERS, doing="read the statistics review queue")
    query = sa.select(ReviewFlag).where(ReviewFlag.bank_id == bank.id)
    if status != "all":
        query = query.where(ReviewFlag.status == status)
    return _page(query, (ReviewFlag.id.desc(),), limit, offset)
