"""Simulated results: drawn from known truth, valid for the real importer, and the truth
comes back out of the stored results (p-values, a planted wrong key, planted DIF)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask

from itembank.errors import Conflict, InvalidInput
from itembank.extensions import db
from itembank.models import Form, ItemParameters
from itembank.operations.blueprints import create_blueprint
from itembank.operations.export import export_form
from itembank.operations.forms import add_entry, create_form, lock_form
from itembank.operations.results import import_results, iter_results
from itembank.operations.simulated_administration import simulate_administration, simulate_form
from itembank.operations.simulated_items import ItemSpec, item_spec
from itembank.operations.simulated_parameters import centred_on, parameters_from_row
from itembank.operations.simulated_results import (
    GroupSpec,
    SimulationSettings,
    WrongKey,
    simulate,
)
from itembank.plugins import PluginHost
from itembank.psychometrics import analyse, mantel_haenszel
from itembank.psychometrics.irt.scoring import probabilities
from tests.factories import World, unique
from tests.forms_helpers import approved
from tests.results_helpers import RESULT_TYPES, SECRET, administration_of, exported_form

HOST = PluginHost(entry_points=False)
TYPES = sorted(RESULT_TYPES)


def _spec(type_id: str, index: int = 0, seed: int = 1, **kw: Any) -> ItemSpec:
    item_type = HOST.item_types[type_id]
    return item_spec(
        index=index,
        identifier=f"I-{type_id}-{index}",
        item_id=f"X-{index:03d}",
        type_id=type_id,
        item_type=item_type,
        content=kw.pop("content", item_type.example_content()),
        rater=item_type.scored_by_person,
        seed=seed,
        **kw,
    )


def _every_type(seed: int = 1) -> list[ItemSpec]:
    return [_spec(type_id, index, seed) for index, type_id in enumerate(TYPES)]


# -- the drawing, over plain data ------------------------------------------------------------


@pytest.mark.parametrize("type_id", TYPES)
def test_each_category_holds_responses_that_score_as_it_says(type_id: str) -> None:
    item_type = HOST.item_types[type_id]
    content = item_type.example_content()
    spec = _spec(type_id)
    assert len(spec.categories) == spec.parameters.n_categories >= 2
    for category in spec.categories:
        assert category.responses and abs(sum(category.appeal) - 1) < 1e-9
        for response, score in zip(category.responses, category.scores, strict=True):
            assert item_type.score(content, response) == score
    lowest = [max(c.scores) for c in spec.categories]
    assert lowest == sorted(set(lowest)), "categories run from the lowest score up"
    assert max(spec.categories[-1].scores) == item_type.max_score(content)
    if spec.parameters.n_categories == 2:
        assert set(spec.categories[0].scores) == {0.0}, "wrong answers score nothing"


def test_the_same_seed_gives_the_same_results_and_streams_stay_apart() -> None:
    specs = _every_type()
    settings = SimulationSettings(candidates=200, seed=11, group=GroupSpec())
    first, again = simulate(specs, settings), simulate(specs, settings)
    assert list(first.rows()) == list(again.rows())
    other = simulate(specs, dataclasses.replace(settings, seed=12))
    assert [r.responses for r in other.rows()] != [r.responses for r in first.rows()]
    # Planting DIF on one item leaves every other item's responses as they were.
    planted = simulate(specs, dataclasses.replace(settings, dif={0: 1.5}))
    assert np.array_equal(planted.category[:, 1:], first.category[:, 1:])
    assert not np.array_equal(planted.category[:, 0], first.category[:, 0])
    # Parameters are the item's own: another spec list order does not move them.
    assert _spec(TYPES[2], index=2, seed=11).parameters == _every_type(11)[2].parameters


def test_candidates_are_clearly_synthetic_and_distinct() -> None:
    results = simulate(
        [_spec("single_choice")], SimulationSettings(candidates=3000, group=GroupSpec())
    )
    ids = results.candidate_ids
    assert len(set(ids)) == 3000
    assert all(re.fullmatch(r"SIM\d{18}", ident) for ident in ids)
    # The NIP's sex digit (the 15th) follows the group: 2 for the focal group.
    sex = np.array([ident[3 + 14] for ident in ids])
    assert set(sex[results.focal]) == {"2"} and set(sex[~results.focal]) == {"1"}
    sessions = Counter(row.session for row in results.rows())
    assert sessions == {"Pagi": 1500, "Siang": 1500}


def test_blanks_distractors_orders_and_times() -> None:
    spec = dataclasses.replace(_spec("single_choice"), shuffle=("A", "B", "C", "D", "E"))
    settings = SimulationSettings(candidates=5000, seed=3, omit_rate=0.03, time_limit_seconds=60)
    results = simulate([spec, _spec("true_false", 1)], settings)
    rows = list(results.rows())
    chosen = Counter(row.responses[0] for row in rows)
    blank_share = chosen[None] / len(rows)
    assert 0.02 < blank_share < 0.06, blank_share
    distractors = [chosen[o] for o in ("A", "C", "D", "E")]
    assert max(distractors) > 2 * min(distractors), "distractors are not equally attractive"
    # Weaker candidates leave more blanks.
    blank = np.array([row.responses[0] is None for row in rows])
    assert results.theta[blank].mean() < results.theta[~blank].mean()
    for row in rows[:50]:
        assert sorted(row.choice_orders[0]) == ["A", "B", "C", "D", "E"]
        assert row.choice_orders[1] is None
        assert all(d > 0 for d in row.durations)
    assert len({tuple(row.choice_orders[0]) for row in rows}) > 60
    # Times fill about 70 % of the limit for a typical candidate.
    totals = np.array([row.duration for row in rows])
    assert 0.45 * 60 < np.median(totals) < 60


def test_a_wrong_key_changes_only_the_deliverys_scores_of_that_item() -> None:
    specs = [_spec("single_choice", 0), _spec("single_choice", 1)]
    results = simulate(specs, SimulationSettings(candidates=400, wrong_key=WrongKey(1, "C")))
    bank = results.scores
    moved = 0
    for i, row in enumerate(results.rows()):
        assert row.delivered_scores[0] == bank[i, 0]
        response = row.responses[1]
        if response == "C":
            assert (row.delivered_scores[1], bank[i, 1]) == (5.0, 0.0)
        elif response == "B":
            assert (row.delivered_scores[1], bank[i, 1]) == (0.0, 5.0)
        else:
            assert row.delivered_scores[1] == bank[i, 1] == 0.0
        moved += response in ("B", "C")
        assert row.delivered_total == sum(row.delivered_scores)
    assert moved > 100


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"candidates": 0}, "candidates"),
        ({"omit_rate": 0.9}, "omit_rate"),
        ({"dif": {0: 1.0}}, "dif"),
        ({"group": GroupSpec(), "dif": {7: 1.0}}, "dif"),
        ({"wrong_key": WrongKey(1, "A")}, "wrong_key"),  # a weighted-options item
        ({"wrong_key": WrongKey(0, "B")}, "wrong_key"),  # the key itself
        ({"wrong_key": WrongKey(0, "Z")}, "wrong_key"),
        ({"group": GroupSpec(reference="P", focal="P")}, "group"),
    ],
)
def test_settings_out_of_range_are_refused_by_name(change: dict[str, Any], field: str) -> None:
    specs = [_spec("single_choice", 0), _spec("weighted_options", 1)]
    with pytest.raises(InvalidInput) as raised:
        simulate(specs, SimulationSettings(**change))
    assert raised.value.problems[0]["field"] == field


def test_parameters_come_from_what_fits_the_item() -> None:
    fits = parameters_from_row("3PL", {"a": 1.1, "b": -0.4, "c": 0.25}, 2)
    assert fits is not None and (fits.a, fits.b, fits.c) == (1.1, (-0.4,), 0.25)
    assert parameters_from_row("GPCM", {"a": 1.0, "b": [0.1]}, 2) is None  # another kind
    assert parameters_from_row("GPCM", {"a": 1.0, "b": [0.1, 0.2]}, 5) is None  # 2 steps, not 4
    assert parameters_from_row("GRM", {"a": 1.0, "b": [0.5, 0.1]}, 3) is None  # not ordered
    assert parameters_from_row("2PL", {"a": -1.0, "b": 0.0}, 2) is None
    spec = _spec(
        "single_choice",
        bank_rows=[("GPCM", {"a": 1, "b": [0.0]}), ("2PL", {"a": 0.8, "b": 1.5}), ("3PL", {})],
    )
    assert spec.source == "bank 2PL" and spec.parameters.b == (1.5,)
    given = _spec("weighted_options", given={"model": "GRM", "a": 1.0, "b": [-1, 0, 1, 2]})
    assert given.source == "given" and given.parameters.model == "GRM"
    with pytest.raises(InvalidInput) as raised:
        _spec("weighted_options", given={"model": "3PL", "a": 1.0, "b": 0.0})
    assert raised.value.problems[0]["field"] == "parameters"


def test_a_calibrations_levels_say_which_score_each_category_is() -> None:
    """A calibration recodes the scores it saw, a blank's 0 included, and stores them as
    ``levels``: its categories are then those scores, the blank one drawn as a blank."""
    row = {"a": 1.1, "b": [-2.0, -1.0, 0.0, 0.5, 1.0], "levels": [0, 1, 2, 3, 4, 5]}
    spec = _spec("weighted_options", bank_rows=[("GPCM", row)])
    assert spec.source == "bank GPCM" and spec.blank_in_model
    assert [max(c.scores) for c in spec.categories] == [0, 1, 2, 3, 4, 5]
    assert spec.categories[0].responses == (None,)
    results = simulate([spec], SimulationSettings(candidates=3000, omit_rate=0.5))
    blank = np.array([row.responses[0] is None for row in results.rows()])
    expected = probabilities(spec.parameters, results.theta)[:, 0].mean()
    assert abs(blank.mean() - expected) < 0.02, "blanks come from the model alone"
    # Levels the item cannot score, or unordered ones, do not fit it.
    for levels in ([0, 1, 2, 3, 4, 7], [1, 0, 2, 3, 4, 5]):
        other = _spec("weighted_options", bank_rows=[("GPCM", {**row, "levels": levels})])
        assert other.source == "default"


@pytest.mark.parametrize(("type_id", "p"), [("single_choice", 0.8), ("weighted_options", 0.55)])
def test_a_proportion_centres_the_default_parameters(type_id: str, p: float) -> None:
    spec = _spec(type_id, proportion=("difficulty estimate", p), seed=5)
    assert spec.source == "difficulty estimate"
    nodes = np.linspace(-5, 5, 201)
    weights = np.exp(-0.5 * nodes**2) / np.exp(-0.5 * nodes**2).sum()
    scores = np.array([max(c.scores) for c in spec.categories])
    expected = weights @ (probabilities(spec.parameters, nodes) @ scores) / spec.max_score
    assert abs(expected - p) < 0.005
    results = simulate([spec], SimulationSettings(candidates=6000, omit_rate=0.0))
    assert abs(results.scores[:, 0].mean() / spec.max_score - p) < 0.02
    # centred_on keeps the slope and moves every b by one amount.
    moved = centred_on(spec.parameters, scores, spec.max_score, 0.3)
    assert moved.a == spec.parameters.a
    assert np.ptp(np.subtract(moved.b, spec.parameters.b)) < 1e-12


def test_session_labels_and_group_values_travel_as_qti_identifiers() -> None:
    from itembank.operations.result_writers import qti_identifier

    assert [qti_identifier(t) for t in ("Pagi", "Sesi 1", "Luar Jawa", "1 A", "a/b  c")] == [
        "Pagi",
        "Sesi-1",
        "Luar-Jawa",
        "_1-A",
        "a-b-c",
    ]


# -- through the bank and its importer -------------------------------------------------------


def _stored(administration: Any) -> tuple[np.ndarray, list[Any]]:
    rows = list(iter_results(administration))
    return np.array([r.scores for r in rows], dtype=float), rows


@pytest.mark.parametrize("fmt", ["qti", "csv"])
def test_a_simulated_administration_lands_through_the_importer(
    world: World, plugins: PluginHost, fmt: str
) -> None:
    form = exported_form(world, plugins)
    made = simulate_administration(
        form,
        actor=world.assembler,
        plugins=plugins,
        secret=SECRET,
        settings=SimulationSettings(candidates=300, seed=4, group=GroupSpec()),
        fmt=fmt,
    )
    assert made.batch.format == fmt and made.filename.endswith((".zip", ".csv"))
    batch, administration, results = made.batch, made.administration, made.results
    assert batch.status == "completed", batch.problems[:5]
    assert batch.problems == [] and batch.disagreements == 0 and batch.candidates == 300
    assert administration.simulated and administration.title.endswith("(simulasi)")
    assert [f.external_id for f in administration.forms] == [form.external_id]
    scores, rows = _stored(administration)
    assert np.array_equal(scores, results.scores)
    simulated = list(results.rows())
    for row, drawn in zip(rows, simulated, strict=True):
        assert row.delivered_scores == drawn.delivered_scores
        assert row.groups == drawn.groups and row.session == drawn.session
        assert row.tested_at is not None
        if fmt == "qti":  # only QTI results carry times and option orders
            assert row.durations == drawn.durations and row.duration == drawn.duration
            assert row.choice_orders == drawn.choice_orders
            assert row.delivered_total == drawn.delivered_total
        else:
            assert row.durations is None and row.choice_orders is None
        for entry, stored, response in zip(
            made.scorer.entries, row.responses, drawn.responses, strict=True
        ):
            if not entry.by_person:
                assert stored == response, entry.item.item_type
    if fmt == "qti":
        shuffled = [j for j, spec in enumerate(results.items) if spec.shuffle]
        assert shuffled and all(rows[0].choice_orders[j] for j in shuffled)
    # Every type answered right, wrong and blank somewhere.
    for j, entry in enumerate(made.scorer.entries):
        seen = set(scores[:, j])
        assert {0.0, entry.max_score} <= seen, entry.item.item_type
    # More of the same administration: another seed adds other candidates.
    more = simulate_administration(
        form,
        actor=world.assembler,
        plugins=plugins,
        secret=SECRET,
        settings=SimulationSettings(candidates=20, seed=5),
        administration=administration,
    )
    assert more.batch.status == "completed", more.batch.problems[:3]
    assert len(_stored(administration)[1]) == 320


def test_real_administrations_and_unexported_forms_are_refused(
    world: World, plugins: PluginHost
) -> None:
    from tests.test_export import locked_form

    form = exported_form(world, plugins)
    real = administration_of(world, form)
    with pytest.raises(Conflict, match="not simulated"):
        simulate_administration(
            form,
            actor=world.assembler,
            plugins=plugins,
            secret=SECRET,
            settings=SimulationSettings(candidates=5),
            administration=real,
        )
    with pytest.raises(Conflict, match="never exported"):
        simulate_form(locked_form(world, plugins, image=False), plugins, SimulationSettings())


def _single_choice_form(world: World, plugins: PluginHost, difficulties: list[float]) -> Form:
    """An exported form of single-choice items (5 points) whose versions carry 3PL
    parameters with these b's."""
    items = [approved(world, plugins) for _ in difficulties]
    spec = {
        "code": unique("BP-"),
        "title": "Pilihan ganda",
        "total_length": len(items),
        "sections": [
            {
                "title": "TIU",
                "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": len(items)}],
            }
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Paket simulasi", actor=world.assembler)
    for item, b in zip(items, difficulties, strict=True):
        add_entry(form, item.approved_version, actor=world.assembler)
        db.session.add(
            ItemParameters(
                version_id=item.approved_version.id,
                model="3PL",
                params={"a": 1.3, "b": b, "c": 0.2},
                source="simulated",
                scale="TEST",
            )
        )
    return _exported(world, plugins, items)


def _exported(world: World, plugins: PluginHost, items: list[Any]) -> Form:
    """An exported form of ``items`` (all under TIU.NUM) in one section."""
    row = {"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": len(items)}
    spec = {
        "code": unique("BP-"),
        "title": "Simulasi",
        "total_length": len(items),
        "sections": [{"title": "Bagian 1", "rows": [row]}],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Paket simulasi", actor=world.assembler)
    for item in items:
        add_entry(form, item.approved_version, actor=world.assembler)
    lock_form(form, actor=world.assembler, plugins=plugins)
    export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    db.session.flush()
    return form


DIFFICULTIES = [float(b) for b in np.linspace(-2.0, 2.0, 12)]


def test_p_values_dif_and_a_wrong_key_come_back_out_of_the_stored_results(
    world: World, plugins: PluginHost
) -> None:
    form = _single_choice_form(world, plugins, DIFFICULTIES)
    dif_item, wrong_item = 4, 7
    made = simulate_administration(
        form,
        actor=world.assembler,
        plugins=plugins,
        secret=SECRET,
        settings=SimulationSettings(
            candidates=2000,
            seed=21,
            group=GroupSpec("gender", "L", "P"),
            dif={dif_item: 1.2},
            wrong_key=WrongKey(wrong_item, "C"),
        ),
    )
    assert made.batch.status == "completed", made.batch.problems[:5]
    assert {spec.source for spec in made.results.items} == {"bank 3PL"}
    scores, rows = _stored(made.administration)

    # p-values: close to what the generating parameters imply (blanks score 0).
    p = analyse(scores, [5.0] * len(DIFFICULTIES)).items.p
    truth = np.array([probabilities(spec.parameters, made.results.theta)[:, 1].mean()
                      for spec in made.results.items])  # fmt: skip
    others = [j for j in range(len(DIFFICULTIES)) if j != dif_item]
    assert np.corrcoef(p[others], truth[others])[0, 1] > 0.98
    assert np.corrcoef(p, DIFFICULTIES)[0, 1] < -0.95
    assert np.max(np.abs(p[others] - truth[others])) < 0.06

    # DIF: the planted item stands out for gender=P.
    group = np.array([row.groups["gender"] for row in rows])
    dif = mantel_haenszel(scores, group, reference="L", focal="P")
    assert int(np.argmax(dif.chi_square)) == dif_item
    assert dif.category[dif_item] in ("B", "C") and dif.favours[dif_item] == "reference"
    assert sorted(dif.chi_square)[-2] < dif.chi_square[dif_item] / 4

    # The wrong key: every candidate who chose C or the key B, against that item only.
    chosen = Counter(row.responses[wrong_item] for row in rows)
    [report] = made.batch.disagreement_report
    assert report["position"] == wrong_item + 1 and report["count"] == chosen["C"] + chosen["B"]
    patterns = {(q["response"], q["delivered"], q["bank"]): q["count"] for q in report["patterns"]}
    assert patterns == {("C", 5.0, 0.0): chosen["C"], ("B", 0.0, 5.0): chosen["B"]}
    assert made.batch.disagreements == report["count"]


def test_a_form_of_ordering_items_reads_back(world: World, plugins: PluginHost) -> None:
    """Their cells hold more ';' than the file has ',' (the reader takes the delimiter
    from the header row)."""
    content = plugins.item_types["ordering"].example_content()
    items = [approved(world, plugins, item_type="ordering", content=content) for _ in range(3)]
    spec = {
        "code": unique("BP-"),
        "title": "Mengurutkan",
        "total_length": 3,
        "sections": [
            {"title": "S", "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": 3}]}
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.assembler, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Urutan", actor=world.assembler)
    for item in items:
        add_entry(form, item.approved_version, actor=world.assembler)
    lock_form(form, actor=world.assembler, plugins=plugins)
    export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    made = simulate_administration(
        form,
        actor=world.assembler,
        plugins=plugins,
        secret=SECRET,
        settings=SimulationSettings(candidates=100, seed=2),
    )
    assert made.batch.status == "completed", made.batch.problems[:3]


def test_the_command_writes_a_file_the_importer_accepts(
    app: Flask, world: World, plugins: PluginHost, session: Any, tmp_path: Path
) -> None:
    form = exported_form(world, plugins)
    single = next(e for e in form.sections[0].entries if e.item.item_type == "single_choice")
    runner = app.test_cli_runner()
    target = tmp_path / "hasil.csv"
    args = ["itembank", "simulate-results", form.external_id, "--candidates", "60", "--seed", "9",
            "--date", "2026-11-02"]  # fmt: skip
    planted = ["--wrong-key", f"{single.item.external_id}:A", "--dif-item", "1"]
    result = runner.invoke(args=[*args, "--out", str(target), *planted])
    assert result.exit_code == 0, result.output
    assert f"simulated 60 candidates on {form.external_id} (seed 9)" in result.output
    assert "planted wrong key" in result.output and "planted DIF" in result.output
    data = target.read_bytes()
    assert data.startswith(b"candidate_id,form,session,tested_at,duration,group:gender,")
    again = tmp_path / "lagi.csv"
    assert runner.invoke(args=[*args, "--out", str(again), *planted]).exit_code == 0
    assert again.read_bytes() == data
    assert b",Pagi,2026-11-02T00:30:00+00:00," in data
    batch = import_results(
        administration_of(world, form),
        actor=world.assembler,
        plugins=plugins,
        filename="hasil.csv",
        data=data,
        secret=SECRET,
    )
    assert batch.status == "completed" and batch.problems == [] and batch.candidates == 60
    assert [r["item"] for r in batch.disagreement_report] == [single.item.external_id]

    imported = runner.invoke(
        args=[*args, "--administration", "new", "--user", world.assembler.username]
    )
    assert imported.exit_code == 0, imported.output
    assert "(simulated: Paket uji ekspor (simulasi)): 60 candidates" in imported.output
    same = runner.invoke(args=[*args, "--administration", "CACT-NOPE"])
    assert same.exit_code != 0 and "no administration 'CACT-NOPE'" in same.output
    administration_id = imported.output.split("imported into ")[1].split()[0]
    twice = runner.invoke(args=[*args, "--administration", administration_id])
    assert twice.exit_code != 0 and "give another --seed" in twice.output, twice.output
    assert "... 40 more" in twice.output
    packed, repacked = tmp_path / "hasil.zip", tmp_path / "lagi.zip"
    assert runner.invoke(args=[*args, "--out", str(packed), *planted]).exit_code == 0
    assert runner.invoke(args=[*args, "--out", str(repacked), *planted]).exit_code == 0
    assert packed.read_bytes() == repacked.read_bytes()
    zipped = import_results(
        administration_of(world, form),
        actor=world.assembler,
        plugins=plugins,
        filename="hasil.zip",
        data=packed.read_bytes(),
        secret=SECRET,
    )
    assert zipped.status == "completed" and zipped.format == "qti" and zipped.candidates == 60
    assert zipped.disagreement_report == batch.disagreement_report
    for bad, message in (
        ([], "give --out FILE.csv|FILE.zip, --administration NEW|ID, or both"),
        (["--out", str(tmp_path / "x.txt")], "write a .csv or a .zip file"),
        (["--out", str(tmp_path / "x.csv"), "--format", "qti"], "--out x.csv is csv"),
        (["--administration", "NOPE-A9"], "no administration 'NOPE-A9'"),
        (["--out", str(target), "--wrong-key", "99:A"], "has no item '99'"),
        (["--out", str(target), "--wrong-key", "nocolon"], "give ITEM_ID:OPTION"),
        (["--out", str(target), "--group", "gender=L"], "NAME=REFERENCE,FOCAL"),
    ):
        failed = runner.invoke(args=[*args, *bad])
        assert failed.exit_code != 0 and message in failed.output, failed.output
        assert "Traceback" not in failed.output


def test_a_calibrations_estimates_drive_the_next_simulation(
    world: World, plugins: PluginHost
) -> None:
    """Results simulated, calibrated by the bank, and simulated again from what the
    calibration stored: they import cleanly."""
    from itembank.operations.calibration import check_calibration_request, run_calibration

    form = exported_form(world, plugins)
    first = simulate_administration(
        form,
        actor=world.assembler,
        plugins=plugins,
        secret=SECRET,
        settings=SimulationSettings(candidates=600, seed=8, omit_rate=0.05),
    )
    raw = {"administrations": [first.administration.external_id], "min_responses": 100}
    request = check_calibration_request(world.bank, raw, actor=world.assembler)
    run = run_calibration(world.bank, request, actor=world.assembler)
    assert run.status == "completed", run.summary
    _, again = simulate_form(form, plugins, SimulationSettings(candidates=300, seed=9))
    sources = {spec.type_id: spec.source for spec in again.items}
    assert sources.pop("extended_text") == "default"  # a person scores it: not calibrated
    assert all(source.startswith("bank ") for source in sources.values()), sources
    # A weighted or Likert item's blank is left out of its calibration, so the model
    # draws only answers and blanks come from the omit rate.
    weighted = [s for s in again.items if s.type_id in ("weighted_options", "likert")]
    assert weighted and not any(spec.blank_in_model for spec in weighted)
    second = simulate_administration(
        form,
        actor=world.assembler,
        plugins=plugins,
        secret=SECRET,
        settings=SimulationSettings(candidates=300, seed=9),
    )
    assert second.batch.status == "completed" and second.batch.problems == []
