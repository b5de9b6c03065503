"""The forms API end to end: a blueprint, a form built, refused, fixed, locked, cloned;
its report, answer key (JSON and CSV) and enemy pairs; ETags on form edits."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent
from qti.validate import validate_package_bytes
from tests.api.conftest import assert_problem
from tests.factories import World, make_item
from tests.forms_helpers import approve_new_version, approved, blueprint_spec


def test_form_journey(as_user: Any, world: World, plugins: Any) -> None:
    perakit = as_user("assembler")
    bank = world.bank.code
    tiu1 = approved(world, plugins, "TIU.NUM.DERET")
    tiu2 = approved(world, plugins, "TIU.NUM")
    tkp = approved(world, plugins, "TKP.PP", item_type="weighted_options")
    draft = make_item(world, plugins)
    db.session.commit()  # a refused request rolls back what was not committed

    # a blueprint, checked
    bad = blueprint_spec(total_length=9)
    body = assert_problem(perakit.post(f"banks/{bank}/blueprints", json=bad), 422, "invalid")
    assert body["errors"][0]["field"] == "total_length"
    created = perakit.post(f"banks/{bank}/blueprints", json=blueprint_spec())
    assert created.status_code == 201, created.json
    assert created.json["sections"][0]["rows"][0]["ref"] == "1.1"
    assert as_user("author").get(f"banks/{bank}/blueprints/SKD-MINI").status_code == 200

    # a form, built
    made = perakit.post(f"banks/{bank}/forms", json={"blueprint": "SKD-MINI", "title": "Paket 1"})
    assert made.status_code == 201, made.json
    form_id = made.json["external_id"]
    assert made.headers["Location"].endswith(f"/api/v1/forms/{form_id}")
    assert [s["title"] for s in made.json["sections"]] == ["TIU", "TKP"]
    refused = perakit.post(f"forms/{form_id}/entries", json={"item": draft.external_id})
    assert_problem(refused, 404)  # assemblers do not even see drafts
    for item in (tiu1, tkp):
        added = perakit.post(f"forms/{form_id}/entries", json={"item": item.external_id})
        assert added.status_code == 201, added.json
    etag = perakit.get(f"forms/{form_id}").headers["ETag"]

    # not complete: locking is refused with the findings
    body = assert_problem(perakit.post(f"forms/{form_id}/lock"), 409, "form_invalid")
    assert [f["code"] for f in body["findings"]] == ["row_missing", "length_mismatch"]
    assert body["findings"][0]["row"] == "1.1"
    report = perakit.get(f"forms/{form_id}/report").json
    assert report["ok"] is False and report["counts"] == {"error": 2, "warning": 0}

    # a stale ETag is refused; the current one works
    added = perakit.post(
        f"forms/{form_id}/entries",
        json={"item": tiu2.external_id, "position": 1},
        headers={"If-Match": etag},
    )
    assert added.status_code == 201, added.json
    assert added.json["number"] == 1
    stale = perakit.patch(f"forms/{form_id}", json={"title": "X"}, headers={"If-Match": etag})
    assert_problem(stale, 412, "stale_edit")
    renamed = perakit.patch(
        f"forms/{form_id}",
        json={"title": "Paket 1 final"},
        headers={"If-Match": added.headers["ETag"]},
    )
    assert renamed.status_code == 200 and renamed.json["title"] == "Paket 1 final"

    # move, then the report is clean
    entry = renamed.json["sections"][0]["entries"][0]
    moved = perakit.patch(f"forms/{form_id}/entries/{entry['id']}", json={"position": 2})
    assert [e["item"] for e in moved.json["sections"][0]["entries"]] == [
        tiu1.external_id,
        tiu2.external_id,
    ]
    assert perakit.get(f"forms/{form_id}/report").json["findings"] == []

    # a newer version is noticed, not taken; re-pinning takes it
    approve_new_version(world, tiu1, plugins)
    db.session.commit()
    findings = perakit.get(f"forms/{form_id}/report").json["findings"]
    assert [(f["code"], f["item"], f["version"]) for f in findings] == [
        ("newer_version", tiu1.external_id, 1)
    ]
    first = moved.json["sections"][0]["entries"][0]["id"]
    repinned = perakit.patch(f"forms/{form_id}/entries/{first}", json={"latest": True})
    assert repinned.json["sections"][0]["entries"][0]["version"] == 2

    # lock; then nothing changes
    locked = perakit.post(f"forms/{form_id}/lock")
    assert locked.status_code == 200, locked.json
    assert (locked.json["status"], locked.json["locked_by"]) == ("locked", world.assembler.username)
    assert locked.json["warnings"] == []
    body = assert_problem(perakit.delete(f"forms/{form_id}/entries/{first}"), 409, "form_locked")
    assert "clone it" in body["detail"]

    # answer key, JSON and CSV, both audited
    key = perakit.get(f"forms/{form_id}/answer-key").json
    assert [row["item"] for row in key["items"]] == [
        tiu1.external_id,
        tiu2.external_id,
        tkp.external_id,
    ]
    assert key["items"][0]["qti_identifier"] == f"I-{tiu1.external_id}-V2"
    assert key["items"][2]["option_scores"] == {"A": 3, "B": 5, "C": 1, "D": 4, "E": 2}
    response = perakit.get(f"forms/{form_id}/answer-key.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["item"] for r in rows] == [r["item"] for r in key["items"]]
    assert rows[0]["correct_response"] == "B" and rows[0]["option_scores"] == "A=0; B=5; C=0; D=0"

    # clone: a new draft with the same pins
    clone = perakit.post(f"forms/{form_id}/clone", json={"title": "Paket 2"})
    assert clone.status_code == 201, clone.json
    assert (clone.json["status"], clone.json["cloned_from"]) == ("draft", form_id)
    listing = perakit.get(f"banks/{bank}/forms").json
    assert [(f["external_id"], f["status"], f["length"]) for f in listing] == [
        (form_id, "locked", 3),
        (clone.json["external_id"], "draft", 3),
    ]
    # export: the package itself, valid, and the same bytes each time
    assert_problem(perakit.post(f"forms/{clone.json['external_id']}/export", json={}), 409)
    assert_problem(as_user("author").post(f"forms/{form_id}/export", json={}), 403)
    assert_problem(perakit.post(f"forms/{form_id}/export", json={"format": "pdf"}), 422)
    exported = perakit.post(f"forms/{form_id}/export", json={"format": "qti21"})
    assert exported.status_code == 200, exported.get_data(as_text=True)[:500]
    assert exported.mimetype == "application/zip"
    assert exported.headers["Content-Disposition"] == (
        f'attachment; filename="{form_id}-qti21.zip"'
    )
    assert exported.headers["X-Package-SHA256"] == hashlib.sha256(exported.data).hexdigest()
    assert validate_package_bytes(exported.data).ok
    again = perakit.post(f"forms/{form_id}/export", json={"format": "qti21"})
    assert again.data == exported.data
    qti3 = perakit.post(f"forms/{form_id}/export", json={})
    assert validate_package_bytes(qti3.data).ok and qti3.data != exported.data
    assert perakit.get(f"banks/{bank}/forms?status=exported").json[0]["external_id"] == form_id
    actions = {
        e.action
        for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_id == form_id))
    }
    assert {
        "form.create",
        "form.entry_add",
        "form.lock",
        "form.answer_key",
        "form.export",
    } <= actions


def test_enemy_pairs_api(as_user: Any, world: World, plugins: Any) -> None:
    bank = world.bank.code
    one, two = approved(world, plugins), approved(world, plugins, "TIU.NUM.DERET")
    db.session.commit()
    penelaah = as_user("reviewer")
    marked = penelaah.post(
        f"banks/{bank}/enemies",
        json={"items": [two.external_id, one.external_id], "reason": "Soal kembar"},
    )
    assert marked.status_code == 201, marked.json
    assert marked.json["items"] == sorted([one.external_id, two.external_id])
    again = penelaah.post(
        f"banks/{bank}/enemies", json={"items": [one.external_id, two.external_id]}
    )
    assert_problem(again, 409)
    listed = as_user("assembler").get(f"banks/{bank}/enemies?item={one.external_id}").json
    assert [p["id"] for p in listed] == [marked.json["id"]]
    assert_problem(as_user("outsider").get(f"banks/{bank}/enemies"), 404)
    assert penelaah.delete(f"banks/{bank}/enemies/{marked.json['id']}").status_code == 204
    assert as_user("assembler").get(f"banks/{bank}/enemies").json == []


def test_blueprint_freezes_once_used(as_user: Any, world: World) -> None:
    admin = as_user("bank_admin")
    bank = world.bank.code
    assert admin.post(f"banks/{bank}/blueprints", json=blueprint_spec()).status_code == 201
    spec = blueprint_spec(title="Diubah")
    del spec["code"]
    changed = admin.request("PUT", f"banks/{bank}/blueprints/SKD-MINI", json=spec)
    assert changed.status_code == 200 and changed.json["title"] == "Diubah"
    admin.post(f"banks/{bank}/forms", json={"blueprint": "SKD-MINI", "title": "P"})
    body = assert_problem(
        admin.request("PUT", f"banks/{bank}/blueprints/SKD-MINI", json=spec), 409, "conflict"
    )
    assert body["forms"] == [f"{bank}-F001"]
    assert_problem(admin.delete(f"banks/{bank}/blueprints/SKD-MINI"), 409)
    assert_problem(admin.get(f"banks/{bank}/blueprints/NOPE"), 404)


def test_an_item_retired_after_locking_stops_the_export(
    as_user: Any, world: World, plugins: Any
) -> None:
    """409 ``form_invalid`` with the findings, as locking does; a bank admin may force
    it, and the audit event says so with the findings."""
    from tests.forms_helpers import state_locked_form

    names = state_locked_form(world, plugins)
    db.session.commit()
    form_id, item_id = names["form"], names["item"]
    admin = as_user("bank_admin")
    retired = admin.post(f"items/{item_id}/retire", json={"reason": "Bocor di media sosial"})
    assert retired.status_code == 200, retired.json

    perakit = as_user("assembler")
    body = assert_problem(perakit.post(f"forms/{form_id}/export", json={}), 409, "form_invalid")
    assert [(f["code"], f["item"]) for f in body["findings"]] == [("item_retired", item_id)]
    assert body["findings"][0]["message"] and body["findings"][0]["message_en"]
    assert perakit.get(f"forms/{form_id}").json["status"] == "locked"
    forced = perakit.post(f"forms/{form_id}/export", json={"force": True})
    assert_problem(forced, 403)

    exported = admin.post(f"forms/{form_id}/export", json={"format": "qti3", "force": True})
    assert exported.status_code == 200, exported.get_data(as_text=True)[:500]
    assert validate_package_bytes(exported.data).ok
    (event,) = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "form.export", AuditEvent.object_id == form_id
        )
    ).all()
    assert event.data["forced"] is True
    assert event.data["package_sha256"] == exported.headers["X-Package-SHA256"]
    assert [f["code"] for f in event.data["findings"]] == ["item_retired"]


def test_deleting_a_cloned_draft_answers_204_and_keeps_the_clone(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Issue finding 4: ``DELETE /forms/<id>`` of a draft someone had cloned answered
    500. It deletes the draft; the clone stays, no longer pointing at it."""
    perakit = as_user("assembler")
    bank = world.bank.code
    approved(world, plugins, "TIU.NUM")
    db.session.commit()
    assert perakit.post(f"banks/{bank}/blueprints", json=blueprint_spec()).status_code == 201
    made = perakit.post(f"banks/{bank}/forms", json={"blueprint": "SKD-MINI", "title": "Asal"})
    source = made.json["external_id"]
    clone = perakit.post(f"forms/{source}/clone", json={"title": "Salinan"}).json["external_id"]

    deleted = perakit.delete(f"forms/{source}")
    assert deleted.status_code == 204, deleted.get_json()
    assert_problem(perakit.get(f"forms/{source}"), 404)
    kept = perakit.get(f"forms/{clone}")
    assert (kept.status_code, kept.json["cloned_from"]) == (200, None)


def test_answer_keys_come_from_locked_forms_unless_the_bank_allows_drafts(
    as_user: Any, world: World, plugins: Any
) -> None:
    from tests.forms_helpers import state_filled_form

    form_id = state_filled_form(world, plugins)["form"]
    db.session.commit()
    perakit, admin = as_user("assembler"), as_user("bank_admin")
    for path in (f"forms/{form_id}/answer-key", f"forms/{form_id}/answer-key.csv"):
        body = assert_problem(perakit.get(path), 409, "conflict")
        assert "not locked" in body["detail"] and "answer_key_from_drafts" in body["detail"]
    assert not db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "form.answer_key")
    ).all()

    bank = world.bank.code
    assert admin.get(f"banks/{bank}").json["answer_key_from_drafts"] is False
    assert_problem(
        admin.patch(f"banks/{bank}", json={"answer_key_from_drafts": "yes"}), 422, "invalid"
    )
    assert_problem(perakit.patch(f"banks/{bank}", json={"answer_key_from_drafts": True}), 403)
    allowed = admin.patch(f"banks/{bank}", json={"answer_key_from_drafts": True})
    assert allowed.status_code == 200 and allowed.json["answer_key_from_drafts"] is True
    key = perakit.get(f"forms/{form_id}/answer-key")
    assert key.status_code == 200 and key.json["status"] == "draft"

    admin.patch(f"banks/{bank}", json={"answer_key_from_drafts": False})
    assert_problem(perakit.get(f"forms/{form_id}/answer-key"), 409)
    assert perakit.post(f"forms/{form_id}/lock").status_code == 200
    assert perakit.get(f"forms/{form_id}/answer-key").status_code == 200
