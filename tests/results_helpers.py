"""Exported forms, administrations and results files for the results tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from itembank.extensions import db
from itembank.models import Administration, Form
from itembank.operations import result_writers as writers
from itembank.operations.administrations import create_administration
from itembank.operations.export import export_form
from itembank.operations.result_scoring import FormScorer, form_scorer
from itembank.operations.result_writers import ResultRow
from itembank.plugins import PluginHost
from tests.factories import World
from tests.test_export import locked_form, responses_for

SECRET = b"test results key"
TESTED_AT = datetime(2026, 11, 3, 8, 30, tzinfo=UTC)


#: The built-in types whose delivery results the results import and the simulator read
#: (one response variable per item, a simulator of its own): all but ``inline_choice``,
#: which has a variable per gap and is refused by name (tests/results/test_results_import.py).
RESULT_TYPES = (
    "extended_text",
    "likert",
    "matching",
    "multiple_response",
    "ordering",
    "short_text",
    "single_choice",
    "true_false",
    "weighted_options",
    "numeric",
    "hot_text",
    "gap_match",
)


def exported_form(world: World, plugins: PluginHost) -> Form:
    """A form with one item of every type of :data:`RESULT_TYPES`, locked and exported
    (QTI 3.0)."""
    form = locked_form(world, plugins, image=False, types=RESULT_TYPES)
    export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    db.session.flush()
    return form


def administration_of(world: World, *forms: Form, title: str = "Seleksi uji") -> Administration:
    administration = create_administration(
        world.bank,
        actor=world.assembler,
        title=title,
        starts_on="2026-11-02",
        ends_on="2026-11-20",
        site="Kantor Regional I, Yogyakarta",
        sessions=["Sesi 1", "Sesi 2"],
        forms=[form.external_id for form in forms],
    )
    db.session.flush()
    return administration


def keyed_responses(scorer: FormScorer, plugins: PluginHost) -> list[Any]:
    """A response to each entry that scores its maximum (essays: the rater's maximum)."""
    return [best_response(entry, plugins) for entry in scorer.entries]


def best_response(entry: Any, plugins: PluginHost) -> Any:
    if entry.by_person:
        return entry.max_score
    type_id = entry.item.item_type
    scored = [
        (entry.item_type.score(entry.content, response), response)
        for response in responses_for(type_id, entry.content, plugins)
    ]
    best = max(scored, key=lambda pair: pair[0])[1]
    assert entry.item_type.score(entry.content, best) == entry.max_score
    return best


def results_csv(
    scorer: FormScorer,
    rows: Sequence[tuple[str, Sequence[Any]]],
    *,
    delivered: Sequence[Sequence[float | None]] | None = None,
    groups: Sequence[dict[str, str]] | None = None,
    form_column: bool = False,
) -> bytes:
    """A results CSV for ``scorer``'s form: ``rows`` as (candidate id, bank responses),
    every candidate in "Sesi 1"."""
    return writers.results_csv(
        scorer,
        [
            ResultRow(
                candidate_id=candidate,
                responses=responses,
                session="Sesi 1",
                groups=groups[number] if groups else {},
                delivered_scores=delivered[number] if delivered is not None else None,
            )
            for number, (candidate, responses) in enumerate(rows)
        ],
        form_column=form_column,
    )


def scorer_for(form: Form, plugins: PluginHost) -> FormScorer:
    return form_scorer(form, plugins)


def simulated_rows(
    scorer: FormScorer,
    plugins: PluginHost,
    n: int,
    *,
    seed: int = 7,
    miskey: tuple[int, str] | None = None,
    groups: Sequence[str] = (),
) -> list[tuple[str, list[Any]]]:
    """``n`` candidates answering by a simple logistic model (a test fixture, not the
    bank's simulator): right with probability 1 / (1 + exp(b - θ)), else a random
    lower-scoring response; ``miskey`` = (entry index, option): able candidates (θ > 0.3)
    choose that distractor instead of the key."""
    import math
    import random

    rng = random.Random(seed)
    difficulties = [rng.uniform(-1.2, 1.2) for _ in scorer.entries]
    choices = []
    for entry in scorer.entries:
        if entry.by_person:
            choices.append((entry.max_score, [0, 1, 2]))
            continue
        best = best_response(entry, plugins)
        lower = []
        for response in responses_for(entry.item.item_type, entry.content, plugins):
            try:  # what the importer accepts (it refuses unknown options)
                value = writers.qti_value(entry, response)
                if entry.score_value(value)[1] < entry.max_score:
                    lower.append(response)
            except ValueError:
                continue
        choices.append((best, lower or [None]))
    rows = []
    for number in range(n):
        theta = rng.gauss(0, 1)
        responses = []
        for index, (best, lower) in enumerate(choices):
            right = rng.random() < 1 / (1 + math.exp(difficulties[index] - 1.5 * theta))
            if miskey is not None and index == miskey[0] and theta > 0.3:
                responses.append(miskey[1])
            else:
                responses.append(best if right else rng.choice(lower))
        rows.append((f"SIM{number:06d}", responses))
    return rows


def results_zip(
    scorer: FormScorer,
    rows: Sequence[tuple[str, Sequence[Any]]],
    *,
    delivered: Sequence[Sequence[float | None]] | None = None,
    version: str = "3.0",
    test_identifier: str | None = None,
) -> bytes:
    """QTI ``assessmentResult`` documents (one per candidate, in a ZIP) for ``scorer``'s
    form: the RESPONSE of each item in QTI form, its SCORE (the delivery's: the bank's
    score unless ``delivered`` says otherwise), the test's identifier and SCORE."""
    results = []
    for number, (candidate, responses) in enumerate(rows):
        scores = [
            float(response)
            if entry.by_person
            else float(entry.item_type.score(entry.content, response))
            for entry, response in zip(scorer.entries, responses, strict=True)
        ]
        if delivered is not None:
            scores = [
                score if given is None else float(given)
                for score, given in zip(scores, delivered[number], strict=True)
            ]
        results.append(
            ResultRow(
                candidate_id=candidate,
                responses=responses,
                session="Sesi-2",
                tested_at=TESTED_AT,
                delivered_scores=scores,
                delivered_total=sum(scores),
                durations=[12.5 + index for index in range(len(responses))],
            )
        )
    return writers.results_qti_zip(
        scorer, results, version=version, test_identifier=test_identifier
    )


def import_file(
    world: World,
    plugins: PluginHost,
    administration: Administration,
    data: bytes,
    *,
    filename: str = "hasil.csv",
    **options: Any,
) -> Any:
    """``data`` imported into ``administration`` by the world's assembler."""
    from itembank.operations.results import import_results

    return import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename=filename,
        data=data,
        secret=SECRET,
        **options,
    )


def stored_results(administration: Administration) -> list[Any]:
    """The administration's candidate results, in import order."""
    import sqlalchemy as sa

    from itembank.models import CandidateResult

    return list(
        db.session.scalars(
            sa.select(CandidateResult)
            .where(CandidateResult.administration_id == administration.id)
            .order_by(CandidateResult.id)
        )
    )
