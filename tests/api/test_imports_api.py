"""The imports API: upload, limits and file types, reports as JSON and CSV, templates,
who sees which import."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
from flask import Flask

from tests.api.conftest import ApiClient, assert_problem
from tests.factories import World
from tests.import_helpers import SC_ROW, csv_bytes


def upload(client: ApiClient, bank: str, data: bytes, name: str = "soal.csv", **form: str) -> Any:
    return client.post(
        f"banks/{bank}/imports",
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def imported(client: ApiClient, bank: str, data: bytes, name: str = "soal.csv", **form: str) -> Any:
    """Upload, follow the job (the suite runs jobs where they are sent, so it has ended
    by the time the 202 arrives) to its result, and return the stored import."""
    response = upload(client, bank, data, name, **form)
    assert response.status_code == 202, response.json
    job = client.get(response.headers["Location"]).json
    assert job == response.json and job["status"] == "succeeded", job
    assert job["kind"] == "import" and job["result"]["type"] == "import_batch"
    batch = client.get(job["result"]["url"])
    assert batch.status_code == 200
    assert job["result"]["summary"]["created"] == batch.json["items"]["created"]
    return batch


def test_upload_imports_and_the_report_is_stored(as_user: Any, world: World) -> None:
    author = as_user("author")
    code = world.bank.code
    data = csv_bytes([SC_ROW, {**SC_ROW, "kunci": "X"}])
    response = imported(author, code, data, mode="valid_only")
    body = response.json
    assert body["status"] == "completed" and body["mode"] == "valid_only"
    assert body["items"] == {"total": 2, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert body["actor"] == world.author.username and body["filename"] == "soal.csv"

    detail = author.get(body["url"]).json
    created, rejected = (e for e in detail["entries"] if e["outcome"])
    assert created["item"] == "2" and created["version"] == 1
    item = author.get(f"items/{created['item_id']}").json
    assert item["type"] == "single_choice" and item["latest_version"]["number"] == 1
    assert (rejected["item"], rejected["column"], rejected["severity"]) == ("3", "kunci", "error")
    assert rejected["message"] == "Kunci 'X' tidak ada di pilihan jawaban."
    assert rejected["item_id"] is None

    listed = author.get(f"banks/{code}/imports").json
    assert [b["id"] for b in listed] == [body["id"]]

    report = author.get(body["report_csv_url"])
    assert report.status_code == 200 and report.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["baris_atau_item", "kolom", "tingkat", "hasil"]
    assert rows[2][:4] == ["3", "kunci", "error", "rejected"]


def test_strict_upload_with_problems_is_rolled_back(as_user: Any, world: World) -> None:
    author = as_user("author")
    response = imported(author, world.bank.code, csv_bytes([SC_ROW, {**SC_ROW, "poin": "x"}]))
    assert response.json["status"] == "rolled_back" and response.json["items"]["created"] == 0
    assert author.get(f"banks/{world.bank.code}/items").json["total"] == 0


def test_a_broken_file_is_a_failed_import_not_an_error(as_user: Any, world: World) -> None:
    response = imported(as_user("author"), world.bank.code, b"\x00garbage", name="soal.xlsx")
    assert response.json["status"] == "failed" and response.json["errors"] == 1


def test_upload_limits_and_types(as_user: Any, world: World, app: Flask) -> None:
    author = as_user("author")
    code = world.bank.code
    assert_problem(
        upload(author, code, b"%PDF-1.7", name="soal.pdf"), 415, "unsupported_media_type"
    )
    response = author.post(f"banks/{code}/imports", json={"file": "x"})
    assert_problem(response, 415, "unsupported_media_type")
    response = author.post(
        f"banks/{code}/imports", data={"mode": "strict"}, content_type="multipart/form-data"
    )
    assert_problem(response, 422, "invalid")
    assert_problem(upload(author, code, csv_bytes([SC_ROW]), mode="sometimes"), 422, "invalid")
    app.config["ITEMBANK_IMPORT_MAX_BYTES"] = 100
    try:
        assert_problem(upload(author, code, csv_bytes([SC_ROW] * 3)), 413, "content_too_large")
    finally:
        del app.config["ITEMBANK_IMPORT_MAX_BYTES"]


def test_who_sees_which_import(as_user: Any, world: World) -> None:
    code = world.bank.code
    mine = imported(as_user("author"), code, csv_bytes([SC_ROW])).json
    theirs = imported(as_user("author2"), code, csv_bytes([SC_ROW])).json
    author = as_user("author")
    assert [b["id"] for b in author.get(f"banks/{code}/imports").json] == [mine["id"]]
    assert_problem(author.get(theirs["url"]), 404, "not_found")
    assert_problem(author.get(theirs["report_csv_url"]), 404, "not_found")
    admin = as_user("bank_admin")
    assert [b["id"] for b in admin.get(f"banks/{code}/imports").json] == [theirs["id"], mine["id"]]
    assert admin.get(theirs["url"]).status_code == 200
    assert_problem(as_user("reviewer").get(f"banks/{code}/imports"), 403, "forbidden")
    assert_problem(as_user("outsider").get(mine["url"]), 404, "not_found")
    other = World()
    assert_problem(author.get(f"banks/{other.bank.code}/imports/{mine['id']}"), 404)


def test_templates(as_user: Any, world: World) -> None:
    reviewer = as_user("reviewer")
    code = world.bank.code
    response = reviewer.get(f"banks/{code}/import-templates/weighted_options")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "template-weighted_options.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    header, example = list(book["Soal"].iter_rows(max_row=2, values_only=True))
    assert "bobot_a" in header and example[header.index("jenis_soal")] == "weighted_options"
    book.close()
    response = reviewer.get(f"banks/{code}/import-templates/likert?format=csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv" and text.startswith("\ufeffjenis_soal,")
    assert "arah" in text.splitlines()[0]
    assert_problem(reviewer.get(f"banks/{code}/import-templates/essay"), 404)
    assert_problem(reviewer.get(f"banks/{code}/import-templates/likert?format=ods"), 422)
    assert_problem(as_user("outsider").get(f"banks/{code}/import-templates/likert"), 404)


def test_who_may_upload(as_user: Any, world: World, api: ApiClient) -> None:
    code = world.bank.code
    data = csv_bytes([SC_ROW])
    statuses = {
        role: upload(as_user(role), code, data).status_code
        for role in ("author", "reviewer", "assembler", "bank_admin", "admin", "outsider")
    }
    assert statuses == {
        "author": 202,
        "reviewer": 403,
        "assembler": 403,
        "bank_admin": 403,  # only authors write items, by hand or by import
        "admin": 202,
        "outsider": 404,
    }
    assert_problem(upload(api, code, data), 401)
