"""Item statistics of delivered forms: the bank's side of the pure core
(:mod:`itembank.psychometrics`).

:func:`load_results` turns a form's stored results (one administration, or all of them)
into the arrays the core takes; :func:`analyse_form` runs the classical analysis (and
DIF for a group variable when asked), stores it as an :class:`~itembank.models.Analysis`
and, for pooled analyses, puts flagged versions in the reviewers' queue
(:mod:`itembank.operations.review_flags`). The results import analyses every form it
touched, so statistics are never older than the newest results.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from numpy.typing import NDArray
from sqlalchemy.orm import selectinload

from itembank.access import require_role
from itembank.audit import record
from itembank.errors import InvalidInput, NotFound
from itembank.extensions import db
from itembank.models import (
    Administration,
    AdministrationForm,
    Analysis,
    Bank,
    CandidateResult,
    Form,
    FormEntry,
    Role,
    User,
)
from itembank.operations.flag_thresholds import bank_thresholds
from itembank.operations.result_scoring import FormScorer, form_scorer
from itembank.operations.review_flags import flag_payload, raise_analysis_flags
from itembank.plugins import PluginHost
from itembank.psychometrics import Thresholds, analyse, item_flags, mantel_haenszel

__all__ = [
    "STATISTICS_ROLES",
    "DifRequest",
    "ResultsMatrix",
    "analyse_form",
    "current_analysis",
    "item_statistics",
    "load_results",
    "thresholds_for",
]

#: Who reads statistics and asks for analyses (item content is as secret as ever).
STATISTICS_ROLES = (Role.REVIEWER, Role.ASSEMBLER, Role.BANK_ADMIN)
#: Types whose response is one option: their options are analysed one by one.
OPTION_TYPES = frozenset({"single_choice", "weighted_options", "likert"})
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class DifRequest:
    """DIF for the group variable ``group``: ``reference`` against ``focal``."""

    group: str
    reference: str
    focal: str


@dataclass
class ResultsMatrix:
    """A form's results as arrays (candidates × entries, delivery order)."""

    scorer: FormScorer
    scores: NDArray[np.float64]  # NaN: not presented
    omitted: NDArray[np.bool_]
    options: NDArray[np.int64]  # -1: no single option chosen
    keys: NDArray[np.int64]  # per entry: the key's option index, -1 when none
    weighted: NDArray[np.bool_]
    max_scores: NDArray[np.float64]
    option_ids: list[list[str]]  # per entry, the option ids in display order
    durations: NDArray[np.float64]  # NaN: not reported
    groups: dict[str, NDArray[np.object_]] = field(default_factory=dict)
    mark: str = ""

    @property
    def n(self) -> int:
        return int(self.scores.shape[0])

    def sections(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for entry in self.scorer.entries:
            out.setdefault(entry.entry.section.title, []).append(entry.index)
        return out


def _administrations_of(form: Form) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(AdministrationForm.administration_id).where(
                AdministrationForm.form_id == form.id
            )
        )
    )


def load_results(
    form: Form,
    plugins: PluginHost,
    administration: Administration | None = None,
    *,
    scorer: FormScorer | None = None,
) -> ResultsMatrix:
    """The stored results of ``form`` in ``administration`` (all of them when None).
    No role check and no audit: the callers do both."""
    scorer = scorer or form_scorer(form, plugins)
    query = sa.select(
        CandidateResult.id,
        CandidateResult.scores,
        CandidateResult.responses,
        CandidateResult.groups,
        CandidateResult.durations,
    ).where(CandidateResult.form_id == form.id)
    if administration is not None:
        query = query.where(CandidateResult.administration_id == administration.id)
    rows = db.session.execute(query.order_by(CandidateResult.id)).all()
    mark = f"{len(rows)}:{rows[-1].id if rows else 0}"
    return results_matrix(scorer, rows, mark)


def results_matrix(scorer: FormScorer, rows: Sequence[Any], mark: str = "") -> ResultsMatrix:
    """The arrays of ``rows``: anything with ``scores``, ``responses``, ``groups`` and
    ``durations`` as stored (stored results, or the records an import just stored)."""
    k = len(scorer.entries)
    scores = np.array([row.scores for row in rows], dtype=np.float64).reshape(len(rows), k)
    option_ids: list[list[str]] = []
    keys = np.full(k, -1, dtype=np.int64)
    weighted = np.zeros(k, dtype=bool)
    for entry in scorer.entries:
        summary = entry.item_type.summary(entry.content)
        type_id = entry.item.item_type
        ids = list(summary.options) if type_id in OPTION_TYPES else []
        option_ids.append(ids)
        if type_id == "single_choice" and summary.keys:
            keys[entry.index] = ids.index(summary.keys[0]) if summary.keys[0] in ids else -1
        weighted[entry.index] = type_id == "weighted_options"
    lookup = [{option: n for n, option in enumerate(ids)} for ids in option_ids]
    n = len(rows)
    options = np.full((n, k), -1, dtype=np.int64)
    omitted = np.zeros((n, k), dtype=bool)
    durations = np.full((n, k), np.nan)
    groups: dict[str, list[Any]] = {}
    # Column by column: an item's responses take few distinct values.
    columns = list(zip(*(row.responses for row in rows), strict=True)) if n else []
    for j, column in enumerate(columns):
        omitted[:, j] = [response is None for response in column]
        if lookup[j]:
            table: dict[Any, int] = {None: -1, **lookup[j]}
            options[:, j] = [table.get(response, -1) for response in column]
    for i, row in enumerate(rows):
        if row.durations:
            durations[i] = np.array(row.durations, dtype=np.float64)
        for name, value in (row.groups or {}).items():
            groups.setdefault(name, [None] * n)[i] = value
    omitted &= ~np.isnan(scores)
    # Essays have no response stored (their score is the rater's): never "omitted".
    for entry in scorer.entries:
        if entry.by_person:
            omitted[:, entry.index] = False
    return ResultsMatrix(
        scorer=scorer,
        scores=scores,
        omitted=omitted,
        options=options,
        keys=keys,
        weighted=weighted,
        max_scores=np.array([e.max_score for e in scorer.entries], dtype=np.float64),
        option_ids=option_ids,
        durations=durations,
        groups={name: np.array(values, dtype=object) for name, values in groups.items()},
        mark=mark,
    )


def thresholds_for(bank: Bank) -> tuple[Thresholds, int]:
    """The bank's flag thresholds (``settings["statistics_thresholds"]``, defaults for
    the rest) and the fewest candidates an item needs before it is flagged."""
    values = bank_thresholds(bank)
    min_n = int(values.pop("min_candidates"))
    values["dif_categories"] = tuple(values["dif_categories"])
    return Thresholds(**values), min_n


def _f(value: Any) -> float | None:
    """A float for JSON: None for NaN and infinities."""
    number = float(value)
    return number if math.isfinite(number) else None


def analyse_form(
    form: Form,
    *,
    plugins: PluginHost,
    actor: User | None,
    administration: Administration | None = None,
    dif: DifRequest | None = None,
    raise_flags: bool | None = None,
    data: ResultsMatrix | None = None,
    same_as: Analysis | None = None,
) -> Analysis | None:
    """Analyse ``form``'s results (in ``administration``, or pooled) and store it.

    Returns None when there are fewer than two candidates (nothing to analyse). Pooled
    analyses raise review flags unless ``raise_flags`` is False.

    :raises InvalidInput: a DIF request naming a group variable or value the results
        do not have."""
    if actor is not None:
        require_role(actor, form.bank, *STATISTICS_ROLES, doing="analyse results")
    if data is None:
        data = load_results(form, plugins, administration)
    if data.n < 2 or data.scores.shape[1] < 2:
        return None
    if same_as is not None:  # the figures of the same data, computed a moment ago
        analysis = Analysis(
            bank_id=form.bank_id,
            form_id=form.id,
            administration_id=administration.id if administration else None,
            candidates=same_as.candidates,
            results_mark=same_as.results_mark,
            settings=same_as.settings,
            form_stats=same_as.form_stats,
            items=same_as.items,
            created_by_id=actor.id if actor else None,
        )
        return _store(analysis, data, administration, raise_flags, actor)
    result = analyse(
        data.scores,
        data.max_scores,
        omitted=data.omitted,
        options=data.options,
        keys=data.keys,
        weighted=data.weighted,
        sections=data.sections(),
    )
    if result.options is not None:
        # The core analyses options by index across the form; an item has only its own.
        for j, ids in enumerate(data.option_ids):
            result.options.share[j, len(ids) :] = np.nan
    dif_result = _dif(data, dif) if dif is not None else None
    thresholds, min_n = thresholds_for(form.bank)
    flags = item_flags(result, dif=dif_result, thresholds=thresholds)
    items = _item_rows(data, result, dif_result, flags, min_n)
    analysis = Analysis(
        bank_id=form.bank_id,
        form_id=form.id,
        administration_id=administration.id if administration else None,
        candidates=data.n,
        results_mark=data.mark,
        settings={
            "thresholds": {
                name: getattr(thresholds, name) for name in Thresholds.__dataclass_fields__
            },
            "min_candidates": min_n,
            "dif": dif.__dict__ if dif else None,
        },
        form_stats=_form_stats(result),
        items=items,
        created_by_id=actor.id if actor else None,
    )
    return _store(analysis, data, administration, raise_flags, actor)


def _store(
    analysis: Analysis,
    data: ResultsMatrix,
    administration: Administration | None,
    raise_flags: bool | None,
    actor: User | None,
) -> Analysis:
    db.session.add(analysis)
    db.session.flush()
    if raise_flags if raise_flags is not None else administration is None:
        raise_analysis_flags(analysis, data.scorer, actor=actor)
    return analysis


def _dif(data: ResultsMatrix, request: DifRequest) -> Any:
    values = data.groups.get(request.group)
    if values is None:
        known = ", ".join(sorted(data.groups)) or "none"
        raise InvalidInput(
            f"the results have no group variable {request.group!r} (they have: {known})",
            [
                {
                    "field": "group",
                    "message": f"Hasil tidak memiliki variabel kelompok '{request.group}' "
                    f"(yang ada: {known}).",
                    "message_en": f"The results have no group variable '{request.group}' "
                    f"(they have: {known}).",
                }
            ],
        )
    present = set(values[values != None].tolist())  # noqa: E711 (numpy element-wise)
    for name in ("reference", "focal"):
        value = getattr(request, name)
        if value not in present:
            raise InvalidInput(
                f"no candidate has {request.group} = {value!r}",
                [
                    {
                        "field": name,
                        "message": f"Tidak ada peserta dengan {request.group} = '{value}'.",
                        "message_en": f"No candidate has {request.group} = '{value}'.",
                    }
                ],
            )
    if request.reference == request.focal:
        raise InvalidInput(
            "reference and focal groups must differ",
            [
                {
                    "field": "focal",
                    "message": "Kelompok acuan dan fokus harus berbeda.",
                    "message_en": "The reference and focal groups must differ.",
                }
            ],
        )
    return mantel_haenszel(
        data.scores,
        values,
        max_scores=data.max_scores,
        reference=request.reference,
        focal=request.focal,
    )


def _form_stats(result: Any) -> dict[str, Any]:
    def one(stats: Any) -> dict[str, Any]:
        return {
            "n": int(stats.n),
            "n_complete": int(stats.n_complete),
            "mean": _f(stats.mean),
            "sd": _f(stats.sd),
            "max_score": _f(stats.max_score),
            "alpha": _f(stats.alpha),
            "sem": _f(stats.sem),
            "histogram_edges": [_f(v) for v in stats.histogram_edges],
            "histogram_counts": [int(v) for v in stats.histogram_counts],
        }

    out = one(result.form)
    out["sections"] = {name: one(stats) for name, stats in result.sections.items()}
    return out


def _item_rows(
    data: ResultsMatrix, result: Any, dif: Any, flags: list[list[Any]], min_n: int
) -> list[dict[str, Any]]:
    it, op, wt = result.items, result.options, result.weights
    rows: list[dict[str, Any]] = []
    for entry in data.scorer.entries:
        j = entry.index
        ids = data.option_ids[j]
        row: dict[str, Any] = {
            "position": j + 1,
            "section": entry.entry.section.title,
            "item": entry.item.external_id,
            "item_id": entry.item.id,
            "version": entry.entry.version.number,
            "version_id": entry.entry.version.id,
            "item_type": entry.item.item_type,
            "identifier": entry.identifier,
            "max_score": entry.max_score,
            "n_exposed": int(it.n_exposed[j]),
            "n_attempted": int(it.n_attempted[j]),
            "n_omitted": int(it.n_omitted[j]),
            "mean": _f(it.mean[j]),
            "p": _f(it.p[j]),
            "sd": _f(it.sd[j]),
            "item_rest": _f(it.item_rest[j]),
            "item_total": _f(it.item_total[j]),
            "latent": _f(it.latent[j]),
            "alpha_if_deleted": _f(it.alpha_if_deleted[j]),
            "dichotomous": bool(it.dichotomous[j]),
        }
        times = data.durations[:, j]
        times = times[np.isfinite(times)]
        row["median_seconds"] = _f(np.median(times)) if times.size else None
        if op is not None and ids:
            summary = entry.item_type.summary(entry.content)
            row["options"] = _option_rows(op, j, ids, summary.weights, int(data.keys[j]))
            row["omitted_share"] = _f(op.omitted_share[j])
            row["group_sizes"] = [int(v) for v in op.group_sizes[j]]
            row["possible_miskey"] = bool(op.possible_miskey[j])
        if wt is not None and data.weighted[j]:
            row["weights"] = {
                "values": [float(v) for v in wt.values],
                "share": [_f(v) for v in wt.share[j]],
                "mean_weight": _f(wt.mean_weight[j]),
            }
        if dif is not None:
            row["dif"] = {
                "method": dif.method[j],
                "delta": _f(dif.delta[j]),
                "alpha_mh": _f(dif.alpha_mh[j]),
                "smd": _f(dif.smd[j]),
                "chi_square": _f(dif.chi_square[j]),
                "p_value": _f(dif.p_value[j]),
                "category": dif.category[j],
                "favours": dif.favours[j],
                "n_reference": int(dif.n_reference[j]),
                "n_focal": int(dif.n_focal[j]),
            }
        enough = int(it.n_exposed[j]) >= min_n
        row["flags"] = flag_payload(flags[j]) if enough else []
        row["too_few_candidates"] = not enough
        rows.append(row)
    return rows


def _option_rows(
    op: Any, j: int, ids: list[str], weights: dict[str, float], key: int
) -> list[dict[str, Any]]:
    """Per option of entry ``j``: share, share by score group, choosers' mean total and
    point-biserial (options nobody chose anywhere have a share of 0 and no more)."""
    rows: list[dict[str, Any]] = []
    known = op.share.shape[1]
    for n, option in enumerate(ids):
        seen = n < known
        rows.append(
            {
                "id": option,
                "letter": LETTERS[n] if n < len(LETTERS) else str(n + 1),
                "key": key == n,
                "weight": weights.get(option),
                "share": _f(op.share[j][n]) if seen else 0.0,
                "by_group": [_f(v) for v in op.share_by_group[j][:, n]] if seen else [],
                "mean_total": _f(op.mean_total[j][n]) if seen else None,
                "point_biserial": _f(op.point_biserial[j][n]) if seen else None,
            }
        )
    return rows


def current_analysis(form: Form, administration: Administration | None = None) -> Analysis | None:
    """The newest analysis of ``form`` in ``administration`` (pooled when None)."""
    query = sa.select(Analysis).where(Analysis.form_id == form.id)
    if administration is None:
        query = query.where(Analysis.administration_id.is_(None))
    else:
        query = query.where(Analysis.administration_id == administration.id)
    return db.session.scalar(query.order_by(Analysis.id.desc()).limit(1))


def analyse_after_import(
    administration: Administration,
    fresh: dict[int, tuple[FormScorer, Sequence[Any]]],
    *,
    plugins: PluginHost,
    actor: User | None,
) -> list[Analysis]:
    """Analyse every form an import touched (``fresh``: form id → its scorer and the
    records just stored), in the administration and pooled. The records stand in for
    the stored rows when they are all there is, sparing a reload."""
    done: list[Analysis] = []
    for form in administration.forms:
        if form.id not in fresh:
            continue
        scorer, records = fresh[form.id]
        counts = dict(
            db.session.execute(
                sa.select(CandidateResult.administration_id, sa.func.count(CandidateResult.id))
                .where(CandidateResult.form_id == form.id)
                .group_by(CandidateResult.administration_id)
            ).all()
        )
        newest = db.session.scalar(
            sa.select(sa.func.max(CandidateResult.id)).where(CandidateResult.form_id == form.id)
        )
        here = counts.get(administration.id, 0)
        if here == len(records):
            data = results_matrix(scorer, records, f"{here}:{newest}")
        else:
            data = load_results(form, plugins, administration, scorer=scorer)
        analysis = analyse_form(
            form, plugins=plugins, actor=None, administration=administration, data=data
        )
        if analysis is None:
            continue
        done.append(analysis)
        # Pooled over every administration: the same data when this is the only one.
        if sum(counts.values()) == here:
            pooled = analyse_form(form, plugins=plugins, actor=None, data=data, same_as=analysis)
        else:
            pooled = analyse_form(
                form, plugins=plugins, actor=None, data=load_results(form, plugins, scorer=scorer)
            )
        if pooled is not None:
            done.append(pooled)
    if done:
        record(
            "statistics.analyse",
            actor=actor,
            bank=administration.bank,
            object_type="administration",
            object_id=administration.external_id,
            analyses=[a.id for a in done],
        )
    return done


def find_form_analysis(
    form: Form, *, actor: User, administration: Administration | None = None
) -> Analysis:
    """The current analysis for a reader (statistics roles), or :class:`NotFound`."""
    require_role(actor, form.bank, *STATISTICS_ROLES, doing="read item statistics")
    analysis = current_analysis(form, administration)
    if analysis is None:
        raise NotFound(f"form {form.external_id} has no analysed results yet")
    return analysis


def item_statistics(item: Any, *, actor: User | None) -> list[dict[str, Any]]:
    """The statistics of ``item``'s versions in every current analysis (each form, per
    administration and pooled), newest first: what the item page's *Statistik* tab and
    the API show. Rows are the analysis' item rows plus where they come from.
    ``actor`` None: the server's operator (the CLI)."""
    if actor is not None:
        require_role(actor, item.bank, Role.AUTHOR, *STATISTICS_ROLES, doing="read item statistics")
    version_ids = {v.id for v in item.versions}
    # Only the forms that pin the item: each analysis carries a whole form's rows.
    pinning = sa.select(FormEntry.form_id).where(FormEntry.item_id == item.id)
    newest = (
        sa.select(sa.func.max(Analysis.id))
        .where(Analysis.form_id.in_(pinning))
        .group_by(Analysis.form_id, Analysis.administration_id)
    )
    analyses = db.session.scalars(
        sa.select(Analysis)
        .where(Analysis.id.in_(newest))
        .options(selectinload(Analysis.form), selectinload(Analysis.administration))
        .order_by(Analysis.id.desc())
    ).all()
    rows: list[dict[str, Any]] = []
    for analysis in analyses:
        for row in analysis.items:
            if row["version_id"] in version_ids:
                rows.append(
                    {
                        **row,
                        "analysis": analysis.id,
                        "form": analysis.form.external_id,
                        "administration": analysis.administration.external_id
                        if analysis.administration
                        else None,
                        "candidates": analysis.candidates,
                        "computed_at": analysis.created_at,
                    }
                )
    return rows
