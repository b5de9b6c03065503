"""The item editor's form posts: create, save, conflicts, submit, preview, images."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image

from itembank.extensions import db
from itembank.models import AuditEvent, Item
from itembank.operations.items import current_draft, update_draft
from tests.factories import SINGLE_CHOICE, STEM, TKP, World, make_item
from tests.ui.conftest import text

META = {"classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}]}


def form(stem: str = STEM, content: Any = TKP, metadata: Any = META, **extra: str) -> dict:
    return {
        "stem": stem,
        "content": json.dumps(content),
        "metadata": json.dumps(metadata),
        **extra,
    }


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_editor_page_describes_the_type(as_user: Any, world: World) -> None:
    page = as_user("author").get(f"/banks/{world.bank.code}/items/new?type=weighted_options")
    assert page.status_code == 200
    body = text(page)
    config = json.loads(body.split('id="editor-config">')[1].split("</script>")[0])
    assert config["type"]["id"] == "weighted_options"
    names = [f["name"] for f in config["type"]["fields"]]
    assert names == ["options", "scale", "shuffle"]
    assert config["taxonomies"] and config["csrfToken"]
    asn = next(t for t in config["taxonomies"] if t["code"] == "asn-2017")
    integrity = next(n for n in asn["nodes"] if n["code"] == "M.1")
    assert [lv["level"] for lv in integrity["levels"]] == [1, 2, 3, 4, 5]
    assert integrity["levels"][2]["indicators"]  # level descriptions for the picker


def test_choosing_a_type_first(as_user: Any, world: World) -> None:
    page = as_user("author").get(f"/banks/{world.bank.code}/items/new?type=nonsense")
    assert page.status_code == 200
    assert 'name="type"' in text(page) and "Pilihan berbobot" in text(page)


def test_create_then_submit(as_user: Any, world: World) -> None:
    author = as_user("author")
    created = author.post(
        f"/banks/{world.bank.code}/items/new?type=weighted_options", form(action="save")
    )
    assert created.status_code == 303
    external_id = created.location.split("/")[2]
    item = db.session.scalars(sa.select(Item).where(Item.external_id == external_id)).one()
    draft = item.latest_version
    assert draft.status == "draft" and draft.content["options"][1]["weight"] == 5
    assert "Draf disimpan" in text(author.get(created.location))

    unchanged = author.post(
        f"/items/{external_id}/edit", form(base_revision=str(draft.revision), action="save")
    )
    assert unchanged.status_code == 303
    assert "Tidak ada perubahan" in text(author.get(unchanged.location))

    submitted = author.post(
        f"/items/{external_id}/edit", form(base_revision=str(draft.revision), action="submit")
    )
    assert submitted.status_code == 303 and submitted.location == f"/items/{external_id}"
    assert item.latest_version.status == "in_review"
    assert "telah diajukan untuk ditelaah" in text(author.get(submitted.location))


def test_an_incomplete_draft_is_saved_with_its_problems_named(as_user: Any, world: World) -> None:
    author = as_user("author")
    half_done = {**SINGLE_CHOICE, "key": None}
    half_done["options"] = [*SINGLE_CHOICE["options"][:-1], {"id": "D", "text": "<p></p>"}]
    created = author.post(
        f"/banks/{world.bank.code}/items/new?type=single_choice",
        form(stem="<p> </p>", content=half_done, action="save"),
    )
    assert created.status_code == 303  # parked, not refused
    external_id = created.location.split("/")[2]
    item = db.session.scalars(sa.select(Item).where(Item.external_id == external_id)).one()
    draft = item.latest_version
    assert draft.status == "draft" and "key" not in draft.content
    assert len(draft.content["options"]) == len(SINGLE_CHOICE["options"])

    body = text(author.get(created.location))
    assert "Draf disimpan" in body and "masih harus dilengkapi" in body
    summary = body.split('id="problem-summary"')[1].split("</div>")[0]
    assert "Draf ini sudah disimpan" in summary
    # Each line names its field and is a link the editor's script points at the control.
    assert 'data-path="content.key"' in summary
    assert "Kunci jawaban</span>: Wajib diisi." in summary
    assert "Pokok soal</span>: Pokok soal wajib diisi." in summary
    assert "Pilihan D › Teks</span>: Teks pilihan &#39;D&#39; kosong." in summary
    assert summary.count('class="problem-link"') == 3

    refused = author.post(
        f"/items/{external_id}/edit",
        form(
            stem="<p> </p>", content=half_done, base_revision=str(draft.revision), action="submit"
        ),
    )
    assert refused.status_code == 303 and refused.location == f"/items/{external_id}/edit"
    assert draft.status == "draft"
    assert "tidak diajukan" in text(author.get(refused.location))


def test_content_that_cannot_be_stored_is_refused_and_kept_in_the_form(
    as_user: Any, world: World
) -> None:
    author = as_user("author")
    bad = {**TKP, "options": [{**TKP["options"][0], "weight": "lima"}, *TKP["options"][1:]]}
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Item))
    page = author.post(
        f"/banks/{world.bank.code}/items/new?type=weighted_options",
        form(stem="<p> </p>", content=bad, action="save"),
    )
    assert page.status_code == 422
    body = text(page)
    assert "Butir soal belum disimpan" in body
    assert 'data-path="stem"' in body and "Pokok soal wajib diisi." in body
    assert 'data-path="content.options.0.weight"' in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Item)) == before
    # What was typed comes back in the form.
    config = json.loads(body.split('id="editor-config">')[1].split("</script>")[0])
    assert config["content"]["options"][0]["weight"] == "lima" and config["problems"]


def test_unreadable_json_is_a_problem_not_an_error(as_user: Any, world: World) -> None:
    page = as_user("author").post(
        f"/banks/{world.bank.code}/items/new?type=weighted_options",
        {"stem": STEM, "content": "{not json", "metadata": "{}", "action": "save"},
    )
    assert page.status_code == 422 and "JSON tidak valid" in text(page)


def test_a_stale_edit_shows_who_changed_the_draft(as_user: Any, world: World, plugins: Any) -> None:
    item = make_item(world, plugins)
    draft = current_draft(item)
    update_draft(
        draft,
        actor=world.author2,
        plugins=plugins,
        base_revision=1,
        stem="<p>Diubah oleh penulis kedua.</p>",
    )
    author = as_user("author")
    mine = form(stem="<p>Versi saya.</p>", content=SINGLE_CHOICE, base_revision="1", action="save")
    conflict = author.post(f"/items/{item.external_id}/edit", mine)
    assert conflict.status_code == 409
    body = text(conflict)
    assert "Orang lain menyimpan draf ini" in body and world.author2.username in body
    assert "Versi saya." in body  # the writer's work is still in the form
    assert draft.stem == "<p>Diubah oleh penulis kedua.</p>"

    replaced = author.post(f"/items/{item.external_id}/edit", {**mine, "overwrite": "2"})
    assert replaced.status_code == 303
    assert current_draft(item).stem == "<p>Versi saya.</p>"


def test_revise_starts_the_next_version(as_user: Any, world: World, plugins: Any) -> None:
    from tests.ui.test_roles import _approved

    external_id = _approved(world, plugins)["item"]
    author = as_user("author")
    assert "Revisi (mulai versi 2)" in text(author.get(f"/items/{external_id}"))
    response = author.post(f"/items/{external_id}/revise")
    assert response.status_code == 303 and response.location == f"/items/{external_id}/edit"
    assert "Versi 2 dimulai sebagai draf" in text(author.get(response.location))
    again = author.post(f"/items/{external_id}/revise")
    assert again.status_code == 409  # one open version at a time


def test_live_preview(as_user: Any, world: World) -> None:
    author = as_user("author")
    url = f"/banks/{world.bank.code}/preview"
    good = author.post_json(
        url, {"type": "weighted_options", "stem": STEM, "content": TKP, "metadata": META}
    )
    assert good.status_code == 200 and good.json["complete"] and good.json["problems"] == []
    assert "Menolak melayani." in good.json["html"] and 'type="radio"' in good.json["html"]
    partial = author.post_json(
        url,
        {
            "type": "weighted_options",
            "stem": "<p>Hanya pokok<script>x()</script></p>",
            "content": {"options": []},
        },
    )
    assert partial.status_code == 200 and not partial.json["complete"]
    assert {p["field"] for p in partial.json["problems"]} >= {"content.options"}
    assert "Hanya pokok" in partial.json["html"] and "script" not in partial.json["html"]
    assert author.post_json(url, {"type": "nope"}).status_code == 400
    assert as_user("reviewer").post_json(url, {"type": "true_false"}).status_code == 403


def test_the_live_preview_refuses_markup_nested_too_deep(as_user: Any, world: World) -> None:
    """The preview takes the saving path: markup whose parse would not stay linear is a
    problem of its field (and is not shown), never minutes of a worker's time."""
    author = as_user("author")
    options = [{"id": "A", "text": "<em>" * 4_000 + "x"}, {"id": "B", "text": "<p>b</p>"}]
    response = author.post_json(
        f"/banks/{world.bank.code}/preview",
        {
            "type": "single_choice",
            "stem": "<div>" * 19_000 + "pokok",
            "content": {"options": options, "key": "A"},
        },
    )
    assert response.status_code == 200 and not response.json["complete"]
    problems = {p["field"]: p["message"] for p in response.json["problems"]}
    deep = "Teks bersarang terlalu dalam: elemen HTML bertumpuk lebih dari 100 tingkat."
    assert problems == {"stem": deep, "content.options.0.text": deep}
    assert "pokok" not in response.json["html"]


def test_images_upload_list_and_serve(as_user: Any, world: World) -> None:
    author = as_user("author")
    uploaded = author.client.post(
        f"/banks/{world.bank.code}/media",
        data={"file": (io.BytesIO(png()), "loket.png")},
        headers={"X-CSRFToken": author.csrf},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.json
    src = uploaded.json["src"]
    listed = author.get(f"/banks/{world.bank.code}/media.json").json["images"]
    assert [image["src"] for image in listed] == [src]

    image = author.get(src)
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.data == png()
    assert as_user("assembler").get(src).status_code == 200
    assert as_user("outsider").get(src).status_code == 404
    assert author.get("/media/" + "0" * 64).status_code == 404
    assert author.get("/media/not-a-hash").status_code == 404
    # every read of the bytes is audited (issue finding 10), refusals are not reads
    reads = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "media.read", AuditEvent.bank_id == world.bank.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.object_id, e.data["via"]) for e in reads] == [
        (world.author.id, src.rsplit("/", 1)[-1], "web"),
        (world.assembler.id, src.rsplit("/", 1)[-1], "web"),
    ]

    not_image = author.client.post(
        f"/banks/{world.bank.code}/media",
        data={"file": (io.BytesIO(b"GIF89a not really"), "x.gif")},
        headers={"X-CSRFToken": author.csrf},
        content_type="multipart/form-data",
    )
    assert not_image.status_code == 422 and not_image.json["error"]
    refused = as_user("reviewer").client.post(
        f"/banks/{world.bank.code}/media",
        data={"file": (io.BytesIO(png()), "x.png")},
        headers={"X-CSRFToken": as_user("reviewer").csrf},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403


def test_an_item_with_an_image_round_trips(as_user: Any, world: World) -> None:
    author = as_user("author")
    uploaded = author.client.post(
        f"/banks/{world.bank.code}/media",
        data={"file": (io.BytesIO(png()), "loket.png")},
        headers={"X-CSRFToken": author.csrf},
        content_type="multipart/form-data",
    )
    stem = f'<p>Perhatikan gambar.</p><img src="{uploaded.json["src"]}" alt="Loket">'
    created = author.post(
        f"/banks/{world.bank.code}/items/new?type=weighted_options",
        form(stem=stem, action="save"),
    )
    assert created.status_code == 303
    page = text(author.get(created.location.replace("/edit", "")))
    assert f'<img src="{uploaded.json["src"]}" alt="Loket">' in page


def test_the_editor_bundle_ships_its_licences(as_user: Any) -> None:
    """The bundled script names its licence file, and that file carries the notice of
    every npm package the bundle holds (its MIT licences ask that the notice travels)."""
    client = as_user("author")
    bundle = client.get("/static/vendor/richtext.js")
    assert bundle.status_code == 200
    assert bundle.data.startswith(b"/*! Third-party licences: richtext.js.LICENSES.txt */")
    bundle.close()
    notices = client.get("/static/vendor/richtext.js.LICENSES.txt")
    assert notices.status_code == 200
    listed = notices.get_data(as_text=True)
    notices.close()
    package = Path(__file__).resolve().parents[2] / "frontend" / "package.json"
    direct = json.loads(package.read_text(encoding="utf-8"))["dependencies"]
    for name, version in direct.items():
        assert f"\n{name} {version} (" in listed, name
    assert listed.count("Permission is hereby granted") >= len(direct)
