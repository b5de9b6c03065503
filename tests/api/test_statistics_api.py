"""The results and statistics API: administrations, results uploads (a job) with their
reports, analyses (JSON, XLSX, DIF), item statistics, the review queue, calibrations and
the item listing's exposure filters; who may call what, bad input, audit events."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.extensions import db
from itembank.models import AuditEvent, Form, ResultImport, ReviewFlag
from itembank.operations.results import import_results
from itembank.plugins import PluginHost
from tests.api.conftest import ApiClient, assert_problem
from tests.factories import World, make_item
from tests.results_helpers import (
    SECRET,
    administration_of,
    best_response,
    exported_form,
    keyed_responses,
    results_csv,
    scorer_for,
    simulated_rows,
)

NIP = "199001012020121001"


@pytest.fixture
def form(world: World, plugins: PluginHost) -> Form:
    made = exported_form(world, plugins)
    db.session.commit()  # a refused request rolls back what was not committed
    return made


def _events(action: str, bank: Any) -> list[AuditEvent]:
    """The test's own events (the API's schemathesis run commits others to the same
    database)."""
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.bank_id == bank.id)
            .order_by(AuditEvent.id)
        )
    )


def _upload(client: ApiClient, url: str, data: bytes, name: str = "hasil.csv") -> Any:
    return client.post(
        url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _planted(world: World, plugins: PluginHost, form: Form, n: int = 240) -> tuple[Any, int]:
    """``n`` simulated candidates (half of them F, half M) with a miskeyed single-choice
    item, imported by the operation; returns the administration and the item's index."""
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
    db.session.commit()
    return administration, index


# -- administrations -----------------------------------------------------------------------


def test_administrations_are_recorded_listed_shown_and_given_forms(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    code = world.bank.code
    assembler = as_user("assembler")
    body = {
        "title": "Seleksi CPNS 2026",
        "starts_on": "2026-11-02",
        "ends_on": "2026-11-20",
        "site": "Kantor Regional I, Yogyakarta",
        "sessions": ["Sesi 1", "Sesi 2"],
        "forms": [form.external_id.lower()],
    }
    response = assembler.post(f"banks/{code}/administrations", json=body)
    assert response.status_code == 201, response.json
    created = response.json
    assert created["id"] == f"{code}-A001" and response.headers["Location"] == created["url"]
    assert created["forms"] == [form.external_id] and created["sessions"] == ["Sesi 1", "Sesi 2"]
    assert created["delivered"] == [
        {
            "form": form.external_id,
            "title": form.title,
            "status": "exported",
            "candidates": 0,
            "added_at": created["delivered"][0]["added_at"],
        }
    ]
    assert created["imports"] == [] and created["created_by"] == world.assembler.username
    assert created["ends_on"] == "2026-11-20" and created["simulated"] is False

    second = exported_form(world, plugins)
    db.session.commit()
    assembler.post(
        f"banks/{code}/administrations",
        json={"title": "Ulangan", "starts_on": "2026-12-01"},
    )
    listed = as_user("reviewer").get(f"banks/{code}/administrations?per_page=1")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert [a["id"] for a in listed.json] == [f"{code}-A002"]  # newest first
    assert listed.json[0]["ends_on"] == "2026-12-01"

    url = created["url"]
    added = assembler.post(f"{url}/forms", json={"forms": [second.external_id, form.external_id]})
    assert added.status_code == 200, added.json
    assert added.json["added"] == [second.external_id]
    assert added.json["administration"]["forms"] == sorted([form.external_id, second.external_id])
    again = assembler.post(f"{url}/forms", json={"forms": [second.external_id]})
    assert again.json["added"] == []
    shown = as_user("bank_admin").get(url.lower())
    assert shown.status_code == 200 and len(shown.json["delivered"]) == 2
    assert [e.object_id for e in _events("administration.create", world.bank)] == [
        f"{code}-A001",
        f"{code}-A002",
    ]
    assert len(_events("administration.forms", world.bank)) == 1


def test_bad_administrations_are_refused_naming_the_field(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    from tests.forms_helpers import build_form_states

    code = world.bank.code
    assembler = as_user("assembler")
    good = {"title": "Seleksi", "starts_on": "2026-11-02", "forms": [form.external_id]}
    draft = build_form_states(world, plugins)["forms"][0]
    db.session.commit()
    for change, field in (
        ({"starts_on": "2026-13-02"}, "starts_on"),
        ({"ends_on": "2026-11-01"}, "ends_on"),
        ({"title": ""}, "title"),
        ({"title": "a\x07b"}, "title"),
        ({"forms": ["NOPE-F001"]}, "forms[0]"),
        ({"forms": [draft]}, "forms[0]"),
        ({"sessions": ["Sesi 1", "Sesi 1"]}, "sessions[1]"),
        ({"simulated": "sometimes"}, "simulated"),
        ({"colour": "blue"}, "colour"),
    ):
        response = assembler.post(f"banks/{code}/administrations", json={**good, **change})
        body = assert_problem(response, 422, "invalid")
        assert [e["field"] for e in body["errors"]] == [field], body
    for missing in ("title", "starts_on"):
        body = {k: v for k, v in good.items() if k != missing}
        response = assembler.post(f"banks/{code}/administrations", json=body)
        assert assert_problem(response, 422)["errors"][0]["field"] == missing
    assert_problem(assembler.post(f"banks/{code}/administrations", data="x"), 415)
    assert_problem(as_user("reviewer").post(f"banks/{code}/administrations", json=good), 403)
    assert_problem(as_user("author").get(f"banks/{code}/administrations"), 403)
    assert_problem(as_user("outsider").get(f"banks/{code}/administrations"), 404)
    assert_problem(assembler.get(f"banks/{code}/administrations/{code}-A999"), 404)
    missing = f"banks/{code}/administrations/{code}-A999/forms"
    assert_problem(assembler.post(missing, json={"forms": [form.external_id]}), 404)
    administration = administration_of(world, form)
    db.session.commit()
    url = f"banks/{code}/administrations/{administration.external_id}"
    assert (
        assert_problem(assembler.post(f"{url}/forms", json={}), 422)["errors"][0]["field"]
        == "forms"
    )
    response = as_user("reviewer").post(f"{url}/forms", json={"forms": [form.external_id]})
    assert_problem(response, 403)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEvent.id)).where(
                AuditEvent.action == "administration.create", AuditEvent.bank_id == world.bank.id
            )
        )
        == 1
    )


# -- results uploads -----------------------------------------------------------------------


def test_results_upload_runs_as_a_job_and_reports_disagreements(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    code = world.bank.code
    administration = administration_of(world, form)
    db.session.commit()
    scorer = scorer_for(form, plugins)
    full = keyed_responses(scorer, plugins)
    k = len(full)
    delivered = [[0.0] + [None] * (k - 1)] * 2 + [[None] * k]
    data = results_csv(
        scorer,
        [(NIP, full), ("199202022021122002", full), ("199303032022123003", [None] * k)],
        delivered=delivered,
        groups=[{"gender": "F"}, {"gender": "M"}, {"gender": "F"}],
    )
    assembler = as_user("assembler")
    base = f"banks/{code}/administrations/{administration.external_id}"
    response = _upload(assembler, f"{base}/results", data)
    assert response.status_code == 202, response.json
    job = assembler.get(response.headers["Location"]).json
    assert job["kind"] == "results_import" and job["status"] == "succeeded", job
    assert job["result"]["type"] == "result_import"
    assert job["result"]["summary"] == {
        "status": "completed",
        "candidates": 3,
        "responses": 3 * k,
        "disagreements": 2,
        "problems": 0,
    }
    batch = assembler.get(job["result"]["url"])
    assert batch.status_code == 200
    report = batch.json
    assert (
        report["status"] == "completed" and report["administration"] == administration.external_id
    )
    assert report["problems"] == [] and report["job"] == job["id"]
    [item] = report["disagreement_report"]
    first = scorer.entries[0]
    assert (item["position"], item["item"], item["count"]) == (1, first.item.external_id, 2)
    assert item["patterns"][0]["delivered"] == 0.0
    assert item["patterns"][0]["bank"] == first.max_score
    # Candidate ids never leave the bank: not in the import, nor in the administration.
    shown = assembler.get(f"{base}").get_data(as_text=True) + batch.get_data(as_text=True)
    assert NIP not in shown
    detail = assembler.get(base).json
    assert detail["delivered"][0]["candidates"] == 3
    assert [b["id"] for b in detail["imports"]] == [report["id"]]
    listed = assembler.get(f"{base}/results")
    assert [b["id"] for b in listed.json] == [report["id"]]
    assert listed.headers["X-Total-Count"] == "1"

    text = assembler.get(report["disagreements_csv_url"])
    assert text.status_code == 200 and text.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(text.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["paket", "nomor", "kode_soal"]
    assert rows[1][1:3] == ["1", first.item.external_id] and rows[1][-1] == "2"
    book_bytes = assembler.get(report["disagreements_xlsx_url"]).data
    book = openpyxl.load_workbook(io.BytesIO(book_bytes))
    sheet = book["Ketidaksesuaian"]
    assert sheet["A1"].value == "Paket" and sheet["A2"].value == "Form"
    assert sheet["B3"].value == 1 and sheet["J3"].value == 2
    assert assembler.get(report["disagreements_xlsx_url"]).data == book_bytes
    reports = _events("statistics.report", world.bank)
    assert [(e.data["report"], e.data["format"]) for e in reports] == [
        ("disagreements", "csv"),
        ("disagreements", "xlsx"),
        ("disagreements", "xlsx"),
    ]
    assert all(e.actor_id == world.assembler.id for e in reports)
    [imported] = _events("results.import", world.bank)
    assert imported.to_status == "completed" and imported.data["candidates"] == 3

    # Nothing more of the same candidates: the second upload is rolled back, reported.
    again = assembler.get(_upload(assembler, f"{base}/results", data).headers["Location"]).json
    rolled = assembler.get(again["result"]["url"]).json
    assert rolled["status"] == "rolled_back" and rolled["problems_total"] == 3
    assert {p["code"] for p in rolled["problems"]} == {"candidate_already_imported"}


def test_results_uploads_are_checked_before_a_job_starts(
    as_user: Any, world: World, plugins: PluginHost, form: Form, app: Flask
) -> None:
    code = world.bank.code
    administration = administration_of(world, form)
    db.session.commit()
    scorer = scorer_for(form, plugins)
    data = results_csv(scorer, [("A1", keyed_responses(scorer, plugins))])
    url = f"banks/{code}/administrations/{administration.external_id}/results"
    assembler = as_user("assembler")
    assert_problem(_upload(assembler, url, b"%PDF-1.7", "hasil.pdf"), 415, "unsupported_media_type")
    assert_problem(assembler.post(url, json={"file": "x"}), 415, "unsupported_media_type")
    response = assembler.post(url, data={"x": "1"}, content_type="multipart/form-data")
    assert assert_problem(response, 422)["errors"][0]["field"] == "file"
    app.config["ITEMBANK_RESULTS_MAX_BYTES"] = 50
    try:
        assert_problem(_upload(assembler, url, data), 413, "content_too_large")
    finally:
        del app.config["ITEMBANK_RESULTS_MAX_BYTES"]
    assert_problem(_upload(as_user("reviewer"), url, data), 403)
    assert_problem(_upload(as_user("author"), url, data), 403)
    assert_problem(_upload(as_user("outsider"), url, data), 404)
    assert_problem(_upload(assembler, f"banks/{code}/administrations/X-A9/results", data), 404)
    # A file whose name does not say its format, and the format field that does.
    assert_problem(_upload(assembler, url, data, "hasil"), 415, "unsupported_media_type")
    response = assembler.post(
        url,
        data={"file": (io.BytesIO(data), "hasil"), "format": "csv"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202 and response.json["result"]["summary"]["candidates"] == 1
    response = assembler.post(
        url,
        data={"file": (io.BytesIO(data), "hasil"), "format": "ods"},
        content_type="multipart/form-data",
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "format"
    # An administration without forms has nothing to import into.
    empty = assembler.post(
        f"banks/{code}/administrations", json={"title": "Kosong", "starts_on": "2026-01-05"}
    ).json
    response = _upload(assembler, f"{empty['url']}/results", data)
    assert assert_problem(response, 422)["errors"][0]["field"] == "administration"
    # A file of the right kind but the wrong content is a failed import with its report.
    response = _upload(assembler, url, b"candidate_id,nonsense\nA1,1\n")
    batch = assembler.get(assembler.get(response.headers["Location"]).json["result"]["url"])
    assert batch.json["status"] == "failed"
    assert batch.json["problems"][0]["code"] == "unreadable_file"
    # Reading imports is for those who import them.
    batch_url = batch.json["url"]
    assert_problem(as_user("reviewer").get(batch_url), 403)
    assert_problem(as_user("reviewer").get(url), 403)
    assert_problem(as_user("reviewer").get(f"{batch_url}/disagreements.csv"), 403)
    assert_problem(assembler.get(f"{url}/99999999"), 404)
    assert _events("statistics.report", world.bank) == []


def test_the_results_template_names_every_item_and_group(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    administration = administration_of(world, form)
    db.session.commit()
    scorer = scorer_for(form, plugins)
    url = (
        f"banks/{world.bank.code}/administrations/{administration.external_id}/results/template.csv"
    )
    response = as_user("assembler").get(f"{url}?group=gender&group=region&group=gender")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    [header] = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header[0] == "candidate_id"
    assert [h for h in header if h.startswith("group:")] == ["group:gender", "group:region"]
    for entry in scorer.entries:
        assert entry.identifier in header and f"{entry.identifier}:score" in header
    body = assert_problem(as_user("assembler").get(f"{url}?group=jenis-kelamin"), 422)
    assert body["errors"][0]["field"].startswith("group")
    assert_problem(as_user("reviewer").get(url), 403)


# -- analyses ------------------------------------------------------------------------------


def test_the_analysis_as_json_with_an_etag_and_as_a_workbook(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    administration, index = _planted(world, plugins, form)
    reviewer = as_user("reviewer")
    url = f"forms/{form.external_id}/analysis"
    pooled = reviewer.get(url)
    assert pooled.status_code == 200, pooled.json
    body = pooled.json
    assert body["administration"] is None and body["candidates"] == 240
    assert body["form"] == form.external_id and body["url"].endswith(url)
    assert body["form_stats"]["n"] == 240 and sum(body["form_stats"]["histogram_counts"]) == 240
    assert set(body["form_stats"]["sections"]) == {"Bagian 1"}
    miskeyed = body["items"][index]
    assert miskeyed["possible_miskey"] is True
    assert "possible_miskey" in {f["code"] for f in miskeyed["flags"]}
    assert sum(o["key"] for o in miskeyed["options"]) == 1
    assert all(len(o["by_group"]) == 5 for o in miskeyed["options"])
    assert "version_id" not in miskeyed and "dif" not in miskeyed
    etag = pooled.headers["ETag"]
    cached = reviewer.get(url, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.headers["ETag"] == etag
    own = reviewer.get(f"{url}?administration={administration.external_id}")
    assert own.json["administration"] == administration.external_id
    assert own.headers["ETag"] != etag
    assert_problem(reviewer.get(f"{url}?administration={world.bank.code}-A999"), 404)

    workbook = reviewer.get(body["xlsx_url"])
    assert workbook.status_code == 200
    assert workbook.mimetype.endswith("spreadsheetml.sheet")
    assert reviewer.get(body["xlsx_url"]).data == workbook.data  # deterministic
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    assert book.sheetnames == ["Paket", "Butir", "Opsi"]
    items = book["Butir"]
    header_id = [c.value for c in items[1]]
    header_en = [c.value for c in items[2]]
    assert header_id[:3] == ["No.", "Bagian", "Kode soal"]
    assert header_en[header_id.index("Tingkat kesukaran (p)")] == "Difficulty (p)"
    assert not any(h.startswith("DIF") for h in header_id)
    row = [c.value for c in items[3 + index]]
    assert row[2] == miskeyed["item"]
    assert row[header_id.index("Tingkat kesukaran (p)")] == pytest.approx(miskeyed["p"])
    assert isinstance(row[header_id.index("N disajikan")], int)
    assert row[header_id.index("Kemungkinan salah kunci")] is True
    assert "possible_miskey" in row[header_id.index("Kode tanda")]
    options = book["Opsi"]
    keyed = [
        [c.value for c in r]
        for r in options.iter_rows(min_row=3)
        if r[1].value == miskeyed["item"] and r[5].value is True
    ]
    assert len(keyed) == 1 and isinstance(keyed[0][7], float)
    facts = {r[0].value: r[2].value for r in book["Paket"].iter_rows(min_row=3, max_row=10)}
    assert facts["Paket"] == form.external_id and facts["Jumlah peserta"] == 240
    [event] = _events("statistics.report", world.bank)[:1]
    assert event.object_id == form.external_id and event.data["analysis"] == body["id"]
    assert event.data["report"] == "analysis" and event.actor_id == world.reviewer.id
    assert len(_events("statistics.report", world.bank)) == 2


def test_analysing_again_with_dif_and_its_refusals(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    administration, _ = _planted(world, plugins, form)
    url = f"forms/{form.external_id}/analysis"
    assembler = as_user("assembler")
    before = assembler.get(url).headers["ETag"]
    response = assembler.post(
        url,
        json={
            "administration": administration.external_id,
            "dif": {"group": "gender", "reference": "M", "focal": "F"},
        },
    )
    assert response.status_code == 201, response.json
    analysis = response.json
    assert analysis["administration"] == administration.external_id
    assert analysis["settings"]["dif"] == {"group": "gender", "reference": "M", "focal": "F"}
    assert all(row["dif"]["category"] in ("A", "B", "C") for row in analysis["items"])
    assert response.headers["Location"] == analysis["url"]
    current = assembler.get(analysis["url"])
    assert current.json["id"] == analysis["id"]
    assert assembler.get(url).headers["ETag"] == before  # the pooled one is unchanged
    book = openpyxl.load_workbook(io.BytesIO(assembler.get(analysis["xlsx_url"]).data))
    assert "DIF kategori" in [c.value for c in book["Butir"][1]]
    [event] = _events("statistics.analyse", world.bank)[-1:]
    assert event.object_id == form.external_id and event.data["analyses"] == [analysis["id"]]
    pooled = assembler.post(url, json={})
    assert pooled.status_code == 201 and pooled.json["administration"] is None

    for body, field in (
        ({"dif": {"group": "region", "reference": "a", "focal": "b"}}, "dif.group"),
        ({"dif": {"group": "gender", "reference": "X", "focal": "F"}}, "dif.reference"),
        ({"dif": {"group": "gender", "reference": "M", "focal": "M"}}, "dif.focal"),
        ({"dif": {"group": "gender", "reference": "M"}}, "dif.focal"),
        ({"dif": {"group": "gen der", "reference": "M", "focal": "F"}}, "dif.group"),
        ({"administration": f"{world.bank.code}-A999"}, "administration"),
    ):
        refused = assert_problem(assembler.post(url, json=body), 422, "invalid")
        assert [e["field"] for e in refused["errors"]] == [field], refused
    assert_problem(as_user("author").post(url, json={}), 403)
    assert_problem(as_user("author").get(url), 403)
    assert_problem(as_user("outsider").get(url), 404)
    assert_problem(assembler.get("forms/NOPE-F001/analysis"), 404)
    # A form without results: nothing to read (404), nothing to analyse (409).
    fresh = exported_form(world, plugins)
    db.session.commit()
    assert_problem(assembler.get(f"forms/{fresh.external_id}/analysis"), 404)
    assert_problem(assembler.get(f"forms/{fresh.external_id}/analysis.xlsx"), 404)
    assert_problem(assembler.post(f"forms/{fresh.external_id}/analysis", json={}), 409)


def test_item_statistics_and_where_used(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    administration, index = _planted(world, plugins, form)
    item = scorer_for(form, plugins).entries[index].item
    for role in ("author", "reviewer", "assembler", "bank_admin"):
        rows = as_user(role).get(f"items/{item.external_id}/statistics")
        assert rows.status_code == 200, (role, rows.json)
        assert {r["administration"] for r in rows.json} == {administration.external_id, None}
        assert all(r["form"] == form.external_id and r["candidates"] == 240 for r in rows.json)
    used = as_user("author").get(f"items/{item.external_id}/where-used")
    assert used.status_code == 200
    [version] = used.json
    assert version["version"] == 1 and version["candidates"] == 240
    assert version["last_used"] == "2026-11-20"
    [pinned] = version["forms"]
    assert pinned["form"] == form.external_id
    assert pinned["administrations"][0]["administration"] == administration.external_id
    unused = make_item(world, plugins)
    db.session.commit()
    assert as_user("author").get(f"items/{unused.external_id}/statistics").json == []
    assert as_user("author").get(f"items/{unused.external_id}/where-used").json == []
    assert_problem(as_user("outsider").get(f"items/{item.external_id}/statistics"), 404)
    assert_problem(as_user("outsider").get(f"items/{item.external_id}/where-used"), 404)
    assert_problem(as_user("author").get("items/NOPE-000001/statistics"), 404)


def test_the_item_listing_filters_on_exposure(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    _planted(world, plugins, form, n=30)
    delivered = {e.item.external_id for e in scorer_for(form, plugins).entries}
    unused = make_item(world, plugins).external_id
    db.session.commit()
    author = as_user("author")
    url = f"banks/{world.bank.code}/items?per_page=100"

    def listed(query: str) -> set[str]:
        response = author.get(f"{url}&{query}")
        assert response.status_code == 200, response.json
        return {row["external_id"] for row in response.json["items"]}

    assert listed("min_exposure=30") == delivered
    assert listed("min_exposure=31") == set()
    assert unused in listed("not_used_since=2026-01-01")
    assert listed("not_used_since=2026-11-20") & delivered == set()
    assert listed("not_used_since=2026-11-21") >= delivered | {unused}
    for query, field in (
        ("min_exposure=-1", "min_exposure"),
        ("not_used_since=x", "not_used_since"),
    ):
        body = assert_problem(author.get(f"{url}&{query}"), 422)
        assert body["errors"][0]["field"] == field


# -- the review queue ----------------------------------------------------------------------


def test_the_review_queue_and_decisions(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    _, index = _planted(world, plugins, form)
    version = scorer_for(form, plugins).entries[index].entry.version
    code = world.bank.code
    queue = as_user("author").get(f"banks/{code}/review-flags")
    assert queue.status_code == 200
    [flag] = [f for f in queue.json if f["item"] == version.item.external_id]
    assert flag["status"] == "open" and flag["source"] == "analysis"
    assert flag["form"] == form.external_id and flag["version"] == version.number
    assert "possible_miskey" in {f["code"] for f in flag["flags"]}
    assert int(queue.headers["X-Total-Count"]) == len(queue.json)
    assert as_user("assembler").get(flag["url"]).json == flag

    decide = flag["decision_url"]
    assert_problem(as_user("assembler").post(decide, json={"decision": "keep", "reason": "x"}), 403)
    assert_problem(as_user("author").post(decide, json={"decision": "keep", "reason": "x"}), 403)
    assert_problem(
        as_user("reviewer").post(decide, json={"decision": "retire", "reason": "bocor"}), 403
    )
    for body, field in (
        ({"decision": "maybe", "reason": "x"}, "decision"),
        ({"decision": "keep", "reason": "  "}, "reason"),
        ({"decision": "keep"}, "reason"),
        ({"decision": "keep", "reason": "x" * 2001}, "reason"),
    ):
        refused = assert_problem(as_user("reviewer").post(decide, json=body), 422)
        assert [e["field"] for e in refused["errors"]] == [field]
    decided = as_user("reviewer").post(
        decide, json={"decision": "revise", "reason": "Kunci perlu diperiksa"}
    )
    assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "revise"
    assert decided.json["decided_by"] == world.reviewer.username
    assert_problem(
        as_user("bank_admin").post(decide, json={"decision": "keep", "reason": "lagi"}), 409
    )
    still_open = as_user("reviewer").get(f"banks/{code}/review-flags").json
    assert flag["id"] not in {f["id"] for f in still_open}
    revised = as_user("reviewer").get(f"banks/{code}/review-flags?status=revise").json
    assert [f["id"] for f in revised] == [flag["id"]]
    every = as_user("reviewer").get(f"banks/{code}/review-flags?status=all&per_page=200").json
    assert flag["id"] in {f["id"] for f in every}
    [event] = _events("statistics.flag_decided", world.bank)
    assert event.reason == "Kunci perlu diperiksa" and event.actor_id == world.reviewer.id
    assert version.status == "approved"  # nothing changes by itself
    assert_problem(as_user("reviewer").get(f"banks/{code}/review-flags?status=closed"), 422)
    assert_problem(as_user("reviewer").get(f"banks/{code}/review-flags/99999999"), 404)
    assert_problem(as_user("outsider").get(f"banks/{code}/review-flags"), 404)

    # A bank admin retires an item from its flag (another entry of the form, flagged here).
    entry = next(e for e in scorer_for(form, plugins).entries if e.entry.version.id != version.id)
    other = ReviewFlag(
        bank_id=world.bank.id,
        item_id=entry.item.id,
        version_id=entry.entry.version.id,
        source="analysis",
        flags=[{"code": "p_low", "message": "", "message_en": "", "value": 0.1}],
    )
    db.session.add(other)
    db.session.flush()
    assert not other.item.is_retired
    response = as_user("bank_admin").post(
        f"banks/{code}/review-flags/{other.id}/decision",
        json={"decision": "retire", "reason": "Statistik buruk"},
    )
    assert response.status_code == 200 and response.json["status"] == "retire"
    assert other.item.is_retired


# -- calibrations --------------------------------------------------------------------------


def test_a_calibration_runs_as_a_job_and_is_read_back(
    as_user: Any, world: World, plugins: PluginHost, form: Form
) -> None:
    scorer = scorer_for(form, plugins)
    administration = administration_of(world, form)
    import_results(
        administration,
        actor=world.assembler,
        plugins=plugins,
        filename="hasil.csv",
        data=results_csv(scorer, simulated_rows(scorer, plugins, 400, seed=3)),
        secret=SECRET,
    )
    db.session.commit()
    code = world.bank.code
    reviewer = as_user("reviewer")
    body = {"administrations": [administration.external_id], "min_responses": 50}
    response = reviewer.post(f"banks/{code}/calibrations", json=body)
    assert response.status_code == 202, response.json
    job = reviewer.get(response.headers["Location"]).json
    assert job["kind"] == "calibration" and job["status"] == "succeeded", job
    assert job["result"]["type"] == "calibration_run"
    run = reviewer.get(job["result"]["url"])
    assert run.status_code == 200
    detail = run.json
    assert detail["id"] == f"{code}-C001" and detail["status"] == "completed"
    assert detail["scale"] == f"{code}-C001" and detail["converged"] is True
    assert detail["candidates"] == 400 and len(detail["estimates"]) == detail["items"] >= 2
    assert "items" not in detail["summary"] and detail["summary"]["iterations"] >= 1
    codes = {e.item.external_id for e in scorer.entries}
    assert {e["item"] for e in detail["estimates"]} <= codes
    assert all(e["standard_errors"]["a"] is not None for e in detail["estimates"])
    assert all(e["params"]["a"] > 0 and e["scale"] == detail["scale"] for e in detail["estimates"])
    assert "scored_by_person" in {row["reason"] for row in detail["left_out"]}
    listed = as_user("assembler").get(f"banks/{code}/calibrations")
    assert [r["id"] for r in listed.json] == [detail["id"]]
    assert listed.headers["X-Total-Count"] == "1"
    assert as_user("bank_admin").get(f"banks/{code}/calibrations/1").json["id"] == detail["id"]
    [event] = _events("statistics.calibrate", world.bank)
    assert event.object_id == detail["id"] and event.actor_id == world.reviewer.id

    for bad, field in (
        ({"administrations": []}, "administrations"),
        ({"administrations": [f"{code}-A999"]}, "administrations[0]"),
        ({**body, "dichotomous_model": "4PL"}, "dichotomous_model"),
        ({**body, "min_responses": 5}, "min_responses"),
        ({**body, "scale": "a b"}, "scale"),
    ):
        refused = assert_problem(reviewer.post(f"banks/{code}/calibrations", json=bad), 422)
        assert [e["field"] for e in refused["errors"]] == [field], refused
    assert_problem(as_user("author").post(f"banks/{code}/calibrations", json=body), 403)
    assert_problem(as_user("author").get(f"banks/{code}/calibrations"), 403)
    assert_problem(reviewer.get(f"banks/{code}/calibrations/{code}-C999"), 404)
    assert_problem(reviewer.get(f"banks/{code}/calibrations/nonsense"), 404)
    assert_problem(as_user("outsider").get(detail["url"]), 404)


# -- who may read what ---------------------------------------------------------------------

READ_ROLES = ("author", "reviewer", "assembler", "bank_admin", "admin", "outsider", None)


def test_who_may_read_what(
    as_user: Any, api: ApiClient, world: World, plugins: PluginHost, form: Form
) -> None:
    administration, index = _planted(world, plugins, form, n=30)
    batch = db.session.scalars(
        sa.select(ResultImport).where(ResultImport.administration_id == administration.id)
    ).one()
    item = scorer_for(form, plugins).entries[index].item
    code, admin = world.bank.code, administration.external_id
    base = f"banks/{code}/administrations/{admin}"
    #  author, reviewer, assembler, bank_admin, admin, outsider, anonymous
    expected = {
        f"banks/{code}/administrations": (403, 200, 200, 200, 200, 404, 401),
        base: (403, 200, 200, 200, 200, 404, 401),
        f"{base}/results": (403, 403, 200, 200, 200, 404, 401),
        f"{base}/results/{batch.id}": (403, 403, 200, 200, 200, 404, 401),
        f"{base}/results/{batch.id}/disagreements.csv": (403, 403, 200, 200, 200, 404, 401),
        f"{base}/results/template.csv": (403, 403, 200, 200, 200, 404, 401),
        f"forms/{form.external_id}/analysis": (403, 200, 200, 200, 200, 404, 401),
        f"forms/{form.external_id}/analysis.xlsx": (403, 200, 200, 200, 200, 404, 401),
        f"items/{item.external_id}/statistics": (200, 200, 200, 200, 200, 404, 401),
        f"items/{item.external_id}/where-used": (200, 200, 200, 200, 200, 404, 401),
        f"banks/{code}/review-flags": (200, 200, 200, 200, 200, 404, 401),
        f"banks/{code}/calibrations": (403, 200, 200, 200, 200, 404, 401),
    }
    clients = {role: as_user(role) if role else api for role in READ_ROLES}
    actual = {
        path: tuple(clients[role].get(path).status_code for role in READ_ROLES) for path in expected
    }
    assert actual == expected
