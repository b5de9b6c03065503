"""A bank state with results, analyses, a calibration and review flags, for the runs
that call every API operation (``tests/api/test_schemathesis.py``)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import ReviewFlag
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


def build_statistics_state(world: World, plugins: PluginHost) -> dict[str, Any]:
    """An exported form delivered in an administration with 60 candidates' results
    (group ``gender``), analysed; a calibration run; the review flags raised."""
    form = exported_form(world, plugins)
    scorer = scorer_for(form, plugins)
    administration = administration_of(world, form)
    rows = simulated_rows(scorer, plugins, 60, seed=11)
    groups = [{"gender": "F" if n % 2 else "M"} for n in range(len(rows))]
    batch = import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename="hasil.csv",
        data=results_csv(scorer, rows, groups=groups),
        secret=SECRET,
    )
    assert batch.status == "completed", batch.problems
    request = check_calibration_request(
        world.bank,
        {"administrations": [administration.external_id], "min_responses": 20},
        actor=world.reviewer,
    )
    run = run_calibration(world.bank, request, actor=world.reviewer)
    flags = list(
        db.session.scalars(sa.select(ReviewFlag.id).where(ReviewFlag.bank_id == world.bank.id))
    )
    more = simulated_rows(scorer, plugins, 3, seed=12)
    return {
        "statistics_form": form.external_id,
        "statistics_item": scorer.entries[0].item.external_id,
        "administration": administration.external_id,
        "result_import": batch.id,
        "calibration": run.external_id,
        "flags": flags,
        "results_csv": results_csv(
            scorer, [(f"NEW{n}", responses) for n, (_, responses) in enumerate(more)]
        ),
    }


def statistics_path_values(state: dict[str, Any]) -> dict[str, list[Any]]:
    """Existing values of the path parameters (the forms of ``build_form_states`` and
    the analysed one)."""
    return {
        "form_id": [*state["forms"], state["statistics_form"]],
        "administration_id": [state["administration"]],
        "calibration_id": [state["calibration"]],
        "flag_id": state["flags"],
    }


def statistics_examples(state: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Valid requests, by operation label, that random data would rarely make."""
    bank, administration = state["bank"], state["administration"]
    at = {"bank_code": bank, "administration_id": administration}
    form = {"form_id": state["statistics_form"]}
    examples: dict[str, list[dict[str, Any]]] = {
        "POST /api/v1/banks/{bank_code}/administrations": [
            {
                "path_parameters": {"bank_code": bank},
                "body": {
                    "title": "Seleksi uji",
                    "starts_on": "2026-11-02",
                    "sessions": ["Sesi 1"],
                    "forms": [state["statistics_form"]],
                },
            }
        ],
        "POST /api/v1/banks/{bank_code}/administrations/{administration_id}/forms": [
            {"path_parameters": at, "body": {"forms": [state["statistics_form"]]}}
        ],
        "POST /api/v1/banks/{bank_code}/administrations/{administration_id}/results": [
            {
                "path_parameters": at,
                "body": {"file": state["results_csv"], "format": "csv"},
                "media_type": "multipart/form-data",
            }
        ],
        "GET /api/v1/banks/{bank_code}/administrations/{administration_id}/results/{import_id}": [
            {"path_parameters": {**at, "import_id": state["result_import"]}}
        ],
        "GET /api/v1/forms/{form_id}/analysis": [
            {"path_parameters": form, "query": {"administration": administration}}
        ],
        "POST /api/v1/forms/{form_id}/analysis": [
            {
                "path_parameters": form,
                "body": {"dif": {"group": "gender", "reference": "M", "focal": "F"}},
            }
        ],
        "GET /api/v1/items/{item_id}/statistics": [
            {"path_parameters": {"item_id": state["statistics_item"]}}
        ],
        "POST /api/v1/banks/{bank_code}/calibrations": [
            {
                "path_parameters": {"bank_code": bank},
                "body": {"administrations": [administration], "min_responses": 20},
            }
        ],
    }
    if state["flags"]:
        examples["POST /api/v1/banks/{bank_code}/review-flags/{flag_id}/decision"] = [
            {
                "path_parameters": {"bank_code": bank, "flag_id": state["flags"][0]},
                "body": {"decision": "keep", "reason": "Sudah ditelaah."},
            }
        ]
    for suffix in ("disagreements.csv", "disagreements.xlsx"):
        label = (
            "GET /api/v1/banks/{bank_code}/administrations/{administration_id}/results"
            f"/{{import_id}}/{suffix}"
        )
        examples[label] = [{"path_parameters": {**at, "import_id": state["result_import"]}}]
    return examples
