"""Calibration from stored results: a run with its estimates appended per version, never
overwriting an earlier one; anchors hold the bank's values."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from itembank.errors import InvalidInput, PermissionDenied
from itembank.extensions import db
from itembank.models import AuditEvent, Form, ItemParameters
from itembank.operations.calibration import check_calibration_request, run_calibration
from itembank.operations.results import import_results
from itembank.plugins import PluginHost
from tests.factories import World
from tests.results_helpers import (
    SECRET,
    administration_of,
    exported_form,
    results_csv,
    scorer_for,
    simulated_rows,
)


@pytest.fixture
def administration(world: World, plugins: PluginHost) -> object:
    form: Form = exported_form(world, plugins)
    scorer = scorer_for(form, plugins)
    administration = administration_of(world, form)
    batch = import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename="hasil.csv",
        data=results_csv(scorer, simulated_rows(scorer, plugins, 400, seed=3)),
        secret=SECRET,
    )
    assert batch.status == "completed"
    return administration


def test_a_calibration_appends_estimates_and_anchors_keep_the_banks_values(
    world: World, plugins: PluginHost, administration: object
) -> None:
    raw = {"administrations": [administration.external_id], "min_responses": 50}
    request = check_calibration_request(world.bank, raw, actor=world.assembler)
    first = run_calibration(world.bank, request, actor=world.assembler)
    assert first.status == "completed", first.summary
    assert first.summary["converged"] and first.candidates == 400
    rows = list(
        db.session.scalars(sa.select(ItemParameters).where(ItemParameters.run_id == first.id))
    )
    assert len(rows) == first.items >= 2
    assert {row.scale for row in rows} == {first.scale}
    assert all(row.source == "calibration" and 0 < row.sample_size <= 400 for row in rows)
    # A blank of a weighted or Likert item is left out, not a category below weight 1.
    polytomous = [
        row for row in rows if row.version.item.item_type in ("weighted_options", "likert")
    ]
    assert polytomous and all(0 not in row.params["levels"] for row in polytomous)
    assert all(row.params["a"] > 0 for row in rows)
    left_out = {entry["reason"] for entry in first.summary["left_out"]}
    assert "scored_by_person" in left_out  # the essay
    # Anchored on the first run's scale: every version there is held, nothing is re-stored,
    # and the earlier rows are untouched.
    anchored = check_calibration_request(
        world.bank, {**raw, "anchor_scale": first.scale}, actor=world.assembler
    )
    second = run_calibration(world.bank, anchored, actor=world.assembler)
    assert second.summary["anchors"] == first.items
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ItemParameters.id)).where(ItemParameters.run_id == second.id)
        )
        == 0
    )
    versions = [row.version_id for row in rows]
    assert db.session.scalar(
        sa.select(sa.func.count(ItemParameters.id)).where(ItemParameters.version_id.in_(versions))
    ) == len(rows)
    assert db.session.scalars(
        sa.select(AuditEvent.object_id).where(
            AuditEvent.action == "statistics.calibrate", AuditEvent.bank_id == world.bank.id
        )
    ).all() == [f"{world.bank.code}-C001", f"{world.bank.code}-C002"]


def test_a_request_out_of_bounds_is_refused_before_anything_runs(
    world: World, plugins: PluginHost, administration: object
) -> None:
    for raw, field in (
        ({"administrations": []}, "administrations"),
        ({"administrations": ["NOPE-A9"]}, "administrations[0]"),
        (
            {"administrations": [administration.external_id], "dichotomous_model": "4PL"},
            "dichotomous_model",
        ),
        ({"administrations": [administration.external_id], "min_responses": 5}, "min_responses"),
        ({"administrations": [administration.external_id], "scale": "a b"}, "scale"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_calibration_request(world.bank, raw, actor=world.assembler)
        assert refused.value.problems[0]["field"] == field
    with pytest.raises(PermissionDenied):
        check_calibration_request(
            world.bank, {"administrations": [administration.external_id]}, actor=world.author
        )
