"""Simulated results for an exported form, from the bank's data: the item specs from
the form's pinned versions and their parameters (:func:`simulate_form`), and a simulated
administration that imports them through the real importer
(:func:`simulate_administration`), so everything downstream sees stored results."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from itembank.errors import Conflict, InvalidInput
from itembank.extensions import db
from itembank.models import Administration, Form, ItemParameters, ResultImport, User
from itembank.models.forms import FormStatus
from itembank.operations.administrations import add_forms, create_administration
from itembank.operations.result_scoring import FormScorer, form_scorer
from itembank.operations.result_writers import results_csv, results_qti_zip
from itembank.operations.results import import_results
from itembank.operations.simulated_items import ItemSpec, item_spec
from itembank.operations.simulated_results import SimulatedResults, SimulationSettings, simulate
from itembank.plugins import PluginHost

__all__ = [
    "FORMATS",
    "SimulatedAdministration",
    "find_entry",
    "form_item_specs",
    "results_file",
    "simulate_administration",
    "simulate_form",
]

TITLE_SUFFIX = " (simulasi)"


def _invalid(field: str, message: str, message_en: str) -> InvalidInput:
    return InvalidInput(
        message_en, [{"field": field, "message": message, "message_en": message_en}]
    )


def find_entry(scorer: FormScorer, name: str, *, field: str = "item") -> int:
    """The index of the entry ``name`` names: the item's id (``CACT-DEMO-000012``), its
    identifier in the package (``I-CACT-DEMO-000012-V1``) or its 1-based position.

    :raises InvalidInput: no such entry in the form."""
    wanted = str(name).strip()
    for entry in scorer.entries:
        if wanted.upper() in (entry.item.external_id.upper(), entry.identifier.upper()):
            return entry.index
    if wanted.isdigit() and 1 <= int(wanted) <= len(scorer.entries):
        return int(wanted) - 1
    raise _invalid(
        field,
        f"Paket {scorer.form.external_id} tidak memuat soal '{wanted}' (sebut kode soal, "
        f"pengenal QTI-nya, atau nomor 1-{len(scorer.entries)}).",
        f"Form {scorer.form.external_id} has no item '{wanted}' (give the item's id, its QTI "
        f"identifier or a position 1-{len(scorer.entries)}).",
    )


def _bank_rows(scorer: FormScorer) -> dict[int, list[tuple[str, dict[str, Any]]]]:
    """Per pinned version, its ``item_parameters`` rows as (model, params), newest first."""
    version_ids = [entry.entry.version.id for entry in scorer.entries]
    rows: dict[int, list[tuple[str, dict[str, Any]]]] = {}
    for row in db.session.scalars(
        sa.select(ItemParameters)
        .where(ItemParameters.version_id.in_(version_ids))
        .order_by(ItemParameters.id.desc())
    ):
        rows.setdefault(row.version_id, []).append((row.model, dict(row.params or {})))
    return rows


def _proportion(
    rows: list[tuple[str, dict[str, Any]]], meta: Mapping[str, Any]
) -> tuple[str, float] | None:
    for model, params in rows:
        if model == "classical":
            try:
                p = float(params["p"])
            except (KeyError, TypeError, ValueError):
                continue
            if 0 <= p <= 1:
                return "bank p", p
    estimate = meta.get("difficulty") if isinstance(meta, Mapping) else None
    if isinstance(estimate, int | float) and 0 <= estimate <= 1:
        return "difficulty estimate", float(estimate)
    return None


def form_item_specs(
    scorer: FormScorer, *, seed: int, parameters: Mapping[str, Mapping[str, Any]] | None = None
) -> list[ItemSpec]:
    """The spec of every entry, with ``parameters`` given per item (keyed by item id,
    package identifier or position) before the bank's own.

    :raises InvalidInput: a key of ``parameters`` that names no entry, parameters that
        do not fit their item, an item type the simulator does not know."""
    given: dict[int, Mapping[str, Any]] = {}
    for name, values in (parameters or {}).items():
        given[find_entry(scorer, name, field="parameters")] = values
    bank = _bank_rows(scorer)
    specs = []
    for entry in scorer.entries:
        version = entry.entry.version
        rows = bank.get(version.id, [])
        specs.append(
            item_spec(
                index=entry.index,
                identifier=entry.identifier,
                item_id=entry.item.external_id,
                type_id=entry.item.item_type,
                item_type=entry.item_type,
                content=entry.content,
                rater=entry.by_person,
                seed=seed,
                given=given.get(entry.index),
                bank_rows=rows,
                proportion=_proportion(rows, version.meta or {}),
            )
        )
    return specs


def _exported(form: Form) -> None:
    if form.status != FormStatus.EXPORTED.value:
        raise Conflict(
            f"form {form.external_id} was never exported: results name its items by the "
            "exported package's identifiers; export it first",
            status_now=form.status,
        )


def simulate_form(
    form: Form,
    plugins: PluginHost,
    settings: SimulationSettings,
    *,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[FormScorer, SimulatedResults]:
    """Simulated results of an exported form (nothing is written). Item times follow the
    blueprint's time limit unless ``settings`` gives one.

    :raises Conflict: the form was never exported.
    :raises InvalidInput: see :func:`form_item_specs` and
        :func:`~itembank.operations.simulated_results.check_settings`."""
    _exported(form)
    scorer = form_scorer(form, plugins)
    specs = form_item_specs(scorer, seed=settings.seed, parameters=parameters)
    limit = form.blueprint.time_limit_minutes if form.blueprint else None
    if settings.time_limit_seconds is None and limit:
        settings = dataclasses.replace(settings, time_limit_seconds=limit * 60.0)
    return scorer, simulate(specs, settings)


#: The formats simulated results are written in: a results CSV, or a ZIP of QTI 3.0
#: ``assessmentResult`` documents (which also carry times and option orders).
FORMATS = ("qti", "csv")


def results_file(scorer: FormScorer, results: SimulatedResults, fmt: str) -> tuple[str, bytes]:
    """The file name and bytes of ``results`` in ``fmt`` (``qti`` or ``csv``)."""
    stem = f"simulasi-{scorer.form.external_id}-seed{results.settings.seed}"
    if fmt == "csv":
        rows = results.rows(choice_orders=False)
        return f"{stem}.csv", results_csv(scorer, rows, form_column=True)
    if fmt == "qti":
        return f"{stem}.zip", results_qti_zip(scorer, results.rows())
    raise ValueError(f"unknown results format {fmt!r}; expected one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class SimulatedAdministration:
    administration: Administration
    batch: ResultImport
    scorer: FormScorer
    results: SimulatedResults
    #: The file that was imported.
    filename: str
    data: bytes


def simulate_administration(
    form: Form,
    *,
    actor: User | None,
    plugins: PluginHost,
    secret: bytes,
    settings: SimulationSettings,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    administration: Administration | None = None,
    starts_on: date | None = None,
    fmt: str = "qti",
) -> SimulatedAdministration:
    """Simulate results of ``form`` and import them, through the real importer, into
    ``administration`` (which must be simulated) or a new administration flagged
    ``simulated`` and titled "<form title> (simulasi)". The caller commits.

    :param secret: the results key (:func:`itembank.operations.results.results_secret`).
    :param fmt: the file the importer reads: ``qti`` (QTI 3.0 results, with each item's
        time and option order) or ``csv``.
    :raises Conflict: ``administration`` holds real results, or the form was never
        exported.
    :raises PermissionDenied: ``actor`` is not an assembler or bank admin of the bank."""
    if administration is not None and not administration.simulated:
        raise Conflict(
            f"administration {administration.external_id} is not simulated: simulated "
            "results go only into simulated administrations"
        )
    if fmt not in FORMATS:
        raise ValueError(f"unknown results format {fmt!r}; expected one of {', '.join(FORMATS)}")
    _exported(form)
    day = starts_on or (administration.starts_on if administration else date.today())
    sessions = tuple(administration.sessions) if administration and administration.sessions else ()
    settings = dataclasses.replace(
        settings,
        tested_on=settings.tested_on or day,
        sessions=sessions or settings.sessions,
    )
    scorer, results = simulate_form(form, plugins, settings, parameters=parameters)
    if administration is None:
        administration = create_administration(
            form.bank,
            actor=actor,
            title=form.title[: 200 - len(TITLE_SUFFIX)] + TITLE_SUFFIX,
            starts_on=day,
            sessions=list(results.settings.sessions),
            forms=[form.external_id],
            notes=(
                f"Hasil simulasi, bukan peserta nyata: {settings.candidates} peserta, "
                f"seed {settings.seed}. / Simulated results, not real candidates."
            ),
            simulated=True,
        )
    elif form.id not in {f.id for f in administration.forms}:
        add_forms(administration, [form.external_id], actor=actor)
    filename, data = results_file(scorer, results, fmt)
    batch = import_results(
        administration,
        actor=actor,
        plugins=plugins,
        filename=filename,
        data=data,
        secret=secret,
    )
    return SimulatedAdministration(administration, batch, scorer, results, filename, data)
