"""Results into an administration: re-scored by the bank, compared with delivery, stored
whole or not at all, candidates kept only as keyed hashes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from itembank.errors import InvalidInput, NotFound, PermissionDenied
from itembank.extensions import db
from itembank.models import AuditEvent, CandidateResult, Form
from itembank.operations.administrations import add_forms, create_administration
from itembank.operations.result_readers import ResultLimits, candidate_key
from itembank.operations.results import import_results
from itembank.plugins import PluginHost
from tests.factories import World
from tests.results_helpers import (
    SECRET,
    administration_of,
    best_response,
    exported_form,
    import_file,
    keyed_responses,
    results_csv,
    scorer_for,
    stored_results,
)


@pytest.fixture
def form(world: World, plugins: PluginHost) -> Form:
    return exported_form(world, plugins)


def test_a_spreadsheet_is_rescored_and_stored_with_hashed_candidates(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    blank = [None] * len(full)
    data = results_csv(
        scorer,
        [("199001012020121001", full), ("199202022021122002", blank)],
        groups=[{"gender": "F"}, {"gender": "M"}],
    )
    batch = import_file(world, plugins, administration, data)
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    assert batch.candidates == 2 and batch.problems == [] and batch.disagreements == 0
    rows = stored_results(administration)
    assert [r.total for r in rows] == [scorer.max_total, 0.0]
    top, empty = rows
    assert top.scores == [entry.max_score for entry in scorer.entries]
    assert empty.scores == [0.0] * len(full)
    assert top.groups == {"gender": "F"} and top.session == "Sesi 1"
    # The NIP never reaches the database: only its keyed hash, per bank.
    assert top.candidate_key == candidate_key(SECRET, world.bank.code, "199001012020121001")
    assert "199001012020121001" not in repr(
        db.session.execute(sa.select(CandidateResult.__table__)).all()
    )
    assert candidate_key(SECRET, "OTHER", "199001012020121001") != top.candidate_key
    event = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "results.import", AuditEvent.bank_id == world.bank.id
        )
    ).one()
    assert event.data["candidates"] == 2 and event.object_id == administration.external_id


def test_a_wrong_key_in_delivery_is_caught_per_item(
    world: World, plugins: PluginHost, form: Form
) -> None:
    """Delivery scored a distractor of the single-choice item as correct (and the key as
    wrong): every such candidate is listed against that item, nothing else."""
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    index = next(i for i, e in enumerate(scorer.entries) if e.item.item_type == "single_choice")
    entry = scorer.entries[index]
    key = best_response(entry, plugins)
    distractor = next(o for o in entry.item_type.summary(entry.content).options if o != key)
    rows, delivered = [], []
    for number in range(6):
        responses = keyed_responses(scorer, plugins)
        responses[index] = distractor if number < 4 else key
        scores = [
            entry_.item_type.score(entry_.content, r) if not entry_.by_person else r
            for entry_, r in zip(scorer.entries, responses, strict=True)
        ]
        scores[index] = 1.0 if number < 4 else 0.0  # the delivery's wrong key
        rows.append((f"PESERTA-{number}", responses))
        delivered.append(scores)
    batch = import_file(
        world, plugins, administration, results_csv(scorer, rows, delivered=delivered)
    )
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    assert batch.disagreements == 6
    [report] = batch.disagreement_report
    assert report["identifier"] == entry.identifier and report["position"] == index + 1
    assert report["count"] == 6
    patterns = {(p["response"], p["delivered"], p["bank"]): p["count"] for p in report["patterns"]}
    assert patterns == {
        (distractor, 1.0, 0.0): 4,
        (key, 0.0, entry.max_score): 2,
    }
    # The bank's scores are what is stored, not the delivery's.
    stored = stored_results(administration)
    assert [r.scores[index] for r in stored] == [0.0] * 4 + [entry.max_score] * 2
    assert [r.delivered_scores[index] for r in stored] == [1.0] * 4 + [0.0] * 2


def test_problems_are_reported_by_row_and_item_and_nothing_lands(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    data = results_csv(scorer, [("A1", full), ("A2", full), ("A1", full)])
    lines = data.decode().splitlines()
    index = next(i for i, e in enumerate(scorer.entries) if e.item.item_type == "single_choice")
    cells = lines[2].split(",")
    cells[2 + index] = "Z"  # row 3: an option the item does not have
    lines[2] = ",".join(cells)
    batch = import_file(world, plugins, administration, ("\n".join(lines) + "\n").encode())
    assert batch.status == "rolled_back"
    codes = {(p["code"], p["row"], p["item"]) for p in batch.problems}
    assert ("unknown_option", 3, scorer.entries[index].identifier) in codes
    assert any(p["code"] == "duplicate_candidate" and p["row"] == 4 for p in batch.problems)
    assert stored_results(administration) == []


def test_an_unknown_column_or_a_file_of_no_format_is_refused(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    batch = import_file(world, plugins, administration, b"candidate_id,I-NOPE-V1\nX,A\n")
    assert batch.status == "failed"
    [problem] = batch.problems
    assert problem["code"] == "unreadable_file" and "I-NOPE-V1" in problem["message_en"]
    with pytest.raises(InvalidInput):
        import_file(world, plugins, administration, b"\x89PNG", filename="foto.png")


def test_the_same_candidate_cannot_be_imported_twice(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    data = results_csv(scorer, [("NIP-1", keyed_responses(scorer, plugins))])
    assert import_file(world, plugins, administration, data).status == "completed"
    again = import_file(world, plugins, administration, data)
    assert again.status == "rolled_back"
    assert [p["code"] for p in again.problems] == ["candidate_already_imported"]
    assert "NIP-1" not in repr(again.problems)  # the report names rows, never candidates
    assert len(stored_results(administration)) == 1


def test_an_essay_keeps_the_raters_score_within_its_maximum(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    index = next(i for i, e in enumerate(scorer.entries) if e.by_person)
    responses = keyed_responses(scorer, plugins)
    responses[index] = 2
    batch = import_file(world, plugins, administration, results_csv(scorer, [("E1", responses)]))
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    assert stored_results(administration)[0].scores[index] == 2.0
    responses[index] = scorer.entries[index].max_score + 1
    too_high = import_file(world, plugins, administration, results_csv(scorer, [("E2", responses)]))
    assert [p["code"] for p in too_high.problems] == ["score_out_of_range"]


def test_limits_bound_the_file(world: World, plugins: PluginHost, form: Form) -> None:
    import csv

    before = csv.field_size_limit()
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    data = results_csv(scorer, [(f"C{n}", full) for n in range(3)])
    batch = import_file(world, plugins, administration, data, limits=ResultLimits(max_candidates=2))
    assert batch.status == "failed" and "2" in batch.problems[0]["message_en"]
    small = import_file(world, plugins, administration, data, limits=ResultLimits(max_bytes=100))
    assert small.status == "failed" and "bytes" in small.problems[0]["message_en"]
    assert csv.field_size_limit() == before  # process-wide: the item importer reads it too


def test_only_exported_forms_are_delivered_and_only_assemblers_record_it(
    world: World, plugins: PluginHost, form: Form
) -> None:
    from tests.test_export import locked_form

    locked = locked_form(world, plugins, image=False)
    with pytest.raises(InvalidInput) as raised:
        create_administration(
            world.bank,
            actor=world.assembler,
            title="X",
            starts_on="2026-11-02",
            forms=[locked.external_id],
        )
    assert raised.value.problems[0]["field"] == "forms[0]"
    with pytest.raises(InvalidInput):
        create_administration(
            world.bank,
            actor=world.assembler,
            title="X",
            starts_on="2026-11-02",
            ends_on="2026-11-01",
            forms=[form.external_id],
        )
    with pytest.raises(PermissionDenied):
        create_administration(
            world.bank,
            actor=world.author,
            title="X",
            starts_on="2026-11-02",
            forms=[form.external_id],
        )
    with pytest.raises(InvalidInput) as unknown:
        create_administration(
            world.bank,
            actor=world.assembler,
            title="X",
            starts_on="2026-11-02",
            forms=["NOPE-F999"],
        )
    assert "NOPE-F999" in unknown.value.problems[0]["message_en"]
    administration = administration_of(world, form)
    assert administration.external_id == f"{world.bank.code}-A001"
    assert add_forms(administration, [form.external_id], actor=world.assembler) == []
    with pytest.raises((PermissionDenied, NotFound)):
        import_results(
            administration,
            actor=world.reviewer,
            plugins=plugins,
            filename="x.csv",
            data=b"candidate_id\n",
            secret=SECRET,
        )


def test_a_workbook_and_the_template_read_like_the_csv(
    world: World, plugins: PluginHost, form: Form
) -> None:
    import csv
    import io

    import openpyxl

    from itembank.operations.result_readers import template_csv

    scorer = scorer_for(form, plugins)
    template = template_csv([scorer], groups=["gender"]).decode("utf-8-sig").splitlines()
    header = template[0].split(",")
    assert header[0] == "candidate_id" and "group:gender" in header
    assert [h for h in header if h.startswith("I-") and not h.endswith(":score")] == [
        e.identifier for e in scorer.entries
    ]
    text = results_csv(scorer, [("W1", keyed_responses(scorer, plugins))]).decode()
    book = openpyxl.Workbook()
    sheet = book.active
    for line in csv.reader(io.StringIO(text)):
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    administration = administration_of(world, form)
    batch = import_file(world, plugins, administration, buffer.getvalue(), filename="hasil.xlsx")
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    assert batch.format == "xlsx" and stored_results(administration)[0].total == scorer.max_total


def test_text_answers_are_scored_as_typed(world: World, plugins: PluginHost, form: Form) -> None:
    """Spaces and case in a short answer reach the item's own rule unchanged."""
    scorer = scorer_for(form, plugins)
    index = next(i for i, e in enumerate(scorer.entries) if e.item.item_type == "short_text")
    entry = scorer.entries[index]
    accepted = entry.content["accepted"][0]
    answer = accepted["text"] if isinstance(accepted, dict) else str(accepted)
    variants = [answer, f"  {answer}  ", answer.upper(), answer.lower(), f"{answer}."]
    rows = []
    for number, variant in enumerate(variants):
        responses = keyed_responses(scorer, plugins)
        responses[index] = variant
        rows.append((f"T{number}", responses))
    administration = administration_of(world, form)
    batch = import_file(world, plugins, administration, results_csv(scorer, rows))
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    stored = [r.scores[index] for r in stored_results(administration)]
    assert stored == [entry.item_type.score(entry.content, v) for v in variants]


def test_a_form_with_an_item_of_several_response_variables_is_refused_by_name(
    world: World, plugins: PluginHost
) -> None:
    """An inline choice has a response variable per gap; a result holds one per item, so
    its results are refused with the reason rather than misread."""
    from itembank.operations.result_scoring import form_scorer
    from tests.test_export import locked_form

    form = locked_form(world, plugins, image=False, types=["inline_choice", "numeric"])
    with pytest.raises(InvalidInput) as raised:
        form_scorer(form, plugins)
    (problem,) = raised.value.problems
    assert "(inline_choice)" in problem["message_en"]
    assert "2 response variables (one per gap)" in problem["message_en"]
    assert problem["message"].startswith("Hasil butir")


def test_results_of_the_single_variable_text_types_are_read_and_rescored(
    world: World, plugins: PluginHost
) -> None:
    """Numeric answers, gap matches and hot texts: one response variable each, read from
    a results spreadsheet and scored by the bank as delivery scored them."""
    from itembank.operations.export import export_form
    from tests.test_export import locked_form

    form = locked_form(world, plugins, image=False, types=["gap_match", "hot_text", "numeric"])
    export_form(form, exporter_id="qti3", actor=world.assembler, plugins=plugins)
    db.session.flush()
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    data = results_csv(scorer, [("199001012020121001", full), ("199202022021122002", [None] * 3)])
    batch = import_file(world, plugins, administration, data)
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    assert [r.total for r in stored_results(administration)] == [scorer.max_total, 0.0]
