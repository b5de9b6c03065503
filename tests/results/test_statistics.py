"""Statistics from stored results: the import analyses what it touched, flags go to the
reviewers' queue, decisions are audited and nothing changes status by itself."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from itembank.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import Analysis, AuditEvent, Form, ReviewFlag
from itembank.operations.results import import_results
from itembank.operations.review_flags import decide_flag, list_flags
from itembank.operations.statistics import (
    DifRequest,
    analyse_form,
    current_analysis,
    load_results,
)
from itembank.plugins import PluginHost
from itembank.psychometrics import analyse
from tests.factories import World
from tests.results_helpers import (
    SECRET,
    administration_of,
    best_response,
    exported_form,
    results_csv,
    scorer_for,
    simulated_rows,
)


@pytest.fixture
def form(world: World, plugins: PluginHost) -> Form:
    return exported_form(world, plugins)


def _planted(world: World, plugins: PluginHost, form: Form, n: int = 240) -> tuple:
    scorer = scorer_for(form, plugins)
    index = next(i for i, e in enumerate(scorer.entries) if e.item.item_type == "single_choice")
    entry = scorer.entries[index]
    key = best_response(entry, plugins)
    distractor = next(o for o in entry.item_type.summary(entry.content).options if o != key)
    rows = simulated_rows(scorer, plugins, n, miskey=(index, distractor))
    groups = [{"gender": "F" if i % 2 else "M"} for i in range(n)]
    administration = administration_of(world, form)
    batch = import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename="hasil.csv",
        data=results_csv(scorer, rows, groups=groups),
        secret=SECRET,
    )
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    return administration, scorer, index


def test_the_import_analyses_the_form_and_the_figures_are_the_cores(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration, scorer, _ = _planted(world, plugins, form)
    own = current_analysis(form, administration)
    pooled = current_analysis(form)
    assert own is not None and pooled is not None and own.candidates == 240
    data = load_results(form, plugins, administration)
    reference = analyse(data.scores, data.max_scores, omitted=data.omitted)
    assert [row["p"] for row in own.items] == pytest.approx(reference.items.p.tolist())
    assert own.form_stats["alpha"] == pytest.approx(reference.form.alpha)
    assert sum(own.form_stats["histogram_counts"]) == 240
    assert set(own.form_stats["sections"]) == {e.entry.section.title for e in scorer.entries}
    # The option analysis of single-choice items: shares over exposed candidates sum to 1.
    choice = next(row for row in own.items if row["item_type"] == "single_choice")
    shares = sum(o["share"] for o in choice["options"]) + choice["omitted_share"]
    assert shares == pytest.approx(1.0)
    assert sum(o["key"] for o in choice["options"]) == 1


def test_a_miskeyed_item_waits_for_a_reviewer_who_decides_with_a_reason(
    world: World, plugins: PluginHost, form: Form
) -> None:
    _, scorer, index = _planted(world, plugins, form)
    version = scorer.entries[index].entry.version
    [flag] = [f for f in list_flags(world.bank, actor=world.reviewer) if f.version_id == version.id]
    assert "possible_miskey" in flag.codes and flag.status == "open"
    assert version.status == "approved"  # nothing changes by itself
    with pytest.raises(PermissionDenied):
        decide_flag(flag, actor=world.assembler, decision="keep", reason="x")
    with pytest.raises(InvalidInput):
        decide_flag(flag, actor=world.reviewer, decision="keep", reason=" ")
    with pytest.raises(PermissionDenied):
        decide_flag(flag, actor=world.reviewer, decision="retire", reason="bocor")
    decide_flag(flag, actor=world.reviewer, decision="revise", reason="Kunci perlu diperiksa")
    assert flag.status == "revise" and flag.decided_by_id == world.reviewer.id
    with pytest.raises(Conflict):
        decide_flag(flag, actor=world.reviewer, decision="keep", reason="lagi")
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "statistics.flag_decided", AuditEvent.bank_id == world.bank.id
        )
    ).one()
    assert event.reason == "Kunci perlu diperiksa" and event.to_status == "revise"
    # A new analysis with the same findings does not reopen the decided flag.
    analyse_form(form, plugins=plugins, actor=world.reviewer)
    assert [
        f.status
        for f in db.session.scalars(
            sa.select(ReviewFlag).where(ReviewFlag.version_id == version.id)
        )
    ] == ["revise"]


def test_dif_is_computed_for_a_named_group_and_refused_for_an_unknown_one(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration, _, _ = _planted(world, plugins, form)
    analysis = analyse_form(
        form,
        plugins=plugins,
        actor=world.reviewer,
        administration=administration,
        dif=DifRequest("gender", "M", "F"),
    )
    assert analysis is not None
    assert all(row["dif"]["category"] in ("A", "B", "C") for row in analysis.items)
    assert all(row["dif"]["n_reference"] + row["dif"]["n_focal"] == 240 for row in analysis.items)
    with pytest.raises(InvalidInput) as unknown:
        analyse_form(
            form, plugins=plugins, actor=world.reviewer, dif=DifRequest("region", "a", "b")
        )
    assert "gender" in unknown.value.problems[0]["message_en"]
    with pytest.raises(InvalidInput):
        analyse_form(
            form, plugins=plugins, actor=world.reviewer, dif=DifRequest("gender", "M", "X")
        )
    with pytest.raises(PermissionDenied):
        analyse_form(form, plugins=plugins, actor=world.author)


def test_the_loaded_matrix_keeps_blanks_apart_from_wrong_answers(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    rows = simulated_rows(scorer, plugins, 30)
    rows[0] = ("BLANK", [None] * len(scorer.entries))
    import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename="h.csv",
        data=results_csv(scorer, rows),
        secret=SECRET,
    )
    data = load_results(form, plugins)
    assert data.scores.shape == (30, len(scorer.entries))
    essay = [e.index for e in scorer.entries if e.by_person]
    others = [e.index for e in scorer.entries if not e.by_person]
    assert data.omitted[0, others].all() and not data.omitted[0, essay].any()
    assert np.all(data.scores[0] == 0)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Analysis.id)).where(Analysis.bank_id == world.bank.id)
        )
        == 2
    )


def test_an_items_statistics_come_from_every_current_analysis(
    world: World, plugins: PluginHost, form: Form
) -> None:
    from itembank.operations.statistics import item_statistics

    administration, scorer, index = _planted(world, plugins, form)
    entry = scorer.entries[index]
    rows = item_statistics(entry.item, actor=world.reviewer)
    assert {row["administration"] for row in rows} == {administration.external_id, None}
    assert all(row["version_id"] == entry.entry.version.id for row in rows)
    assert all(row["candidates"] == 240 and row["form"] == form.external_id for row in rows)
    assert item_statistics(entry.item, actor=world.author) == rows  # writers learn from it
    with pytest.raises((PermissionDenied, NotFound)):
        item_statistics(entry.item, actor=world.outsider)


def test_only_an_items_own_options_can_be_seldom_chosen(
    world: World, plugins: PluginHost, form: Form
) -> None:
    """Options are analysed by index across the form: an item with fewer options (or
    none, like true/false) must not be flagged for the options it does not have."""
    administration, _, _ = _planted(world, plugins, form)
    analysis = current_analysis(form, administration)
    assert analysis is not None
    for row in analysis.items:
        rare = [f for f in row["flags"] if f["code"] == "rare_option"]
        letters = {o["letter"] for o in row.get("options", [])}
        for flag in rare:
            named = flag["message_en"].split("Option ", 1)[1].split(" chosen", 1)[0]
            assert set(named.split(", ")) <= letters, (row["item_type"], named)
        if not row.get("options"):
            assert not rare, row["item_type"]
