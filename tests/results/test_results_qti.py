"""QTI Results Reporting into an administration: every version of the format, re-scored
by the bank, a bad document reported by name and line, nothing stored on any problem."""

from __future__ import annotations

import io
import zipfile

import pytest

from itembank.models import Form
from itembank.plugins import PluginHost
from tests.factories import World
from tests.results_helpers import (
    administration_of,
    best_response,
    exported_form,
    import_file,
    keyed_responses,
    results_zip,
    scorer_for,
    stored_results,
)


@pytest.fixture
def form(world: World, plugins: PluginHost) -> Form:
    return exported_form(world, plugins)


@pytest.mark.parametrize("version", ["3.0", "2.2", "2.1"])
def test_results_reports_are_read_rescored_and_kept_with_what_delivery_said(
    world: World, plugins: PluginHost, form: Form, version: str
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    blank = [0 if e.by_person else None for e in scorer.entries]
    batch = import_file(
        world,
        plugins,
        administration,
        results_zip(scorer, [("NIP-1", full), ("NIP-2", blank)], version=version),
        filename="hasil.zip",
    )
    assert batch.status == "completed", [p["message_en"] for p in batch.problems]
    assert batch.format == "qti" and batch.disagreements == 0
    top, empty = stored_results(administration)
    assert top.total == scorer.max_total and empty.total == 0
    assert top.session == "Sesi-2" and top.delivered_total == scorer.max_total
    assert top.durations == [12.5 + i for i in range(len(scorer.entries))]
    assert top.delivered_scores == top.scores


def test_a_wrong_key_in_delivery_is_caught_from_the_reported_scores(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    index = next(i for i, e in enumerate(scorer.entries) if e.item.item_type == "single_choice")
    entry = scorer.entries[index]
    key = best_response(entry, plugins)
    distractor = next(o for o in entry.item_type.summary(entry.content).options if o != key)
    rows, delivered = [], []
    for number in range(3):
        responses = keyed_responses(scorer, plugins)
        responses[index] = distractor
        rows.append((f"K{number}", responses))
        line = [None] * len(scorer.entries)
        line[index] = entry.max_score  # delivery thinks the distractor is the key
        delivered.append(line)
    batch = import_file(
        world,
        plugins,
        administration,
        filename="hasil.zip",
        data=results_zip(scorer, rows, delivered=delivered),
    )
    assert batch.status == "completed"
    [report] = batch.disagreement_report
    assert report["identifier"] == entry.identifier and report["count"] == 3
    assert report["patterns"] == [
        {"response": distractor, "delivered": entry.max_score, "bank": 0.0, "count": 3}
    ]


def test_bad_documents_unknown_items_and_tests_are_refused_by_name(
    world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    good = results_zip(scorer, [("G1", full)])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(buffer, "w") as out:
        for name in source.namelist():
            out.writestr(name, source.read(name))
        out.writestr("hasil/rusak.xml", b"<assessmentResult xmlns='urn:nope'>")
        document = (
            source.read(source.namelist()[0])
            .replace(scorer.entries[0].identifier.encode(), b"I-NOT-EXPORTED-V1")
            .replace(b'sourcedId="G1"', b'sourcedId="G2"')
        )
        out.writestr("hasil/asing.xml", document)
    other = results_zip(scorer, [("T1", full)], test_identifier="T-SOMEONE-ELSES")
    with zipfile.ZipFile(io.BytesIO(other)) as source, zipfile.ZipFile(buffer, "a") as out:
        out.writestr("hasil/lain.xml", source.read(source.namelist()[0]))
    batch = import_file(
        world, plugins, administration, filename="hasil.zip", data=buffer.getvalue()
    )
    assert batch.status == "rolled_back"
    found = {(p["file"], p["code"]) for p in batch.problems}
    assert ("hasil/rusak.xml", "invalid_document") in found
    assert ("hasil/asing.xml", "unknown_item") in found
    assert ("hasil/lain.xml", "unknown_form") in found
    unknown = next(p for p in batch.problems if p["code"] == "unknown_item")
    assert unknown["item"] == "I-NOT-EXPORTED-V1" and unknown["row"] > 1
    assert stored_results(administration) == []
