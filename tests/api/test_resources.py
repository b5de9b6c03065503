"""The other resources: OpenAPI and docs, item types, taxonomies, media, banks,
members, comments, retiring, and the audit trail."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import Flask
from PIL import Image

from tests.api.conftest import ApiClient, assert_problem
from tests.api.test_journey import create_tkp
from tests.factories import World, unique


def png(color: str = "red", size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def test_openapi_document_and_docs_page(api: ApiClient) -> None:
    spec = api.get("openapi.json")
    assert spec.status_code == 200
    doc = spec.json
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path in (
        "/api/v1/tokens",
        "/api/v1/banks",
        "/api/v1/banks/{bank_code}/items",
        "/api/v1/items/{item_id}",
        "/api/v1/items/{item_id}/draft",
        "/api/v1/items/{item_id}/versions/{number}/submit",
        "/api/v1/items/{item_id}/versions/{number}/reviews",
        "/api/v1/item-types",
    ):
        assert path in paths, path
    assert {"get", "patch", "post"} <= set(paths["/api/v1/items/{item_id}/draft"])
    patch = paths["/api/v1/items/{item_id}/draft"]["patch"]
    assert {"412", "428", "200"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" for p in patch["parameters"])
    schemas = doc["components"]["schemas"]
    assert {"ItemCreateIn", "ItemOut", "ProblemOut", "ReviewIn"} <= set(schemas)
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = api.get("docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b"swagger-ui" in page.data and b"openapi.json" in page.data


def test_the_docs_page_loads_its_assets_from_the_app_itself(api: ApiClient) -> None:
    """No CDN: an agency network without internet access still gets the docs page."""
    page = api.get("docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert len(assets) == 3, assets  # Swagger UI's style and script, and our starter
    for asset in assets:
        assert not urlsplit(asset).scheme and not asset.startswith("//"), asset
        # Relative to the page, /api/v1/docs.
        response = api.get(urljoin("/api/v1/docs", asset))
        assert response.status_code == 200, asset
        assert response.mimetype in {"text/css", "text/javascript"}
        assert len(response.data) > (10_000 if "swagger" in asset else 100)
        response.close()
    assert_problem(api.get("docs/assets/../../openapi.json"), 404)
    assert_problem(api.get("docs/assets/nothing.js"), 404)


def test_every_operation_documents_its_own_error_statuses(api: ApiClient) -> None:
    """No catch-all ``default`` response: clients learn which errors to expect."""
    paths = api.get("openapi.json").json["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            responses = operation["responses"]
            assert "default" not in responses, (method, path)
            public = operation.get("security") == []
            assert public or "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "415", "422"} <= set(responses), (method, path)
    assert paths["/api/v1/tokens"]["post"]["security"] == []
    assert {"401", "429"} <= set(paths["/api/v1/tokens"]["post"]["responses"])
    assert "401" not in paths["/api/v1/banks"]["get"]["responses"]["200"]


def test_item_types_give_labels_and_json_schemas(as_user: Any, plugins: Any) -> None:
    response = as_user("author").get("item-types")
    assert response.status_code == 200
    by_id = {t["id"]: t for t in response.json}
    assert set(by_id) == set(plugins.item_types)
    weighted = by_id["weighted_options"]
    assert weighted["label"]["id"] == "Pilihan berbobot"
    assert weighted["json_schema"] == plugins.item_type("weighted_options").json_schema()
    assert "options" in weighted["json_schema"]["properties"]
    one = as_user("author").get("item-types/likert")
    assert one.json["id"] == "likert"
    assert_problem(as_user("author").get("item-types/nope"), 404)


def test_taxonomy_list_and_tree(as_user: Any, world: World) -> None:
    client = as_user("author")
    listing = client.get(f"banks/{world.bank.code}/taxonomies")
    assert {"asn-2017", "skd-cpns", "bloom-revised"} <= {t["code"] for t in listing.json}
    tree = client.get(f"banks/{world.bank.code}/taxonomies/skd-cpns").json
    assert tree["scope"] == "global"
    tiu = next(n for n in tree["nodes"] if n["code"] == "TIU")
    num = next(n for n in tiu["children"] if n["code"] == "TIU.NUM")
    assert "TIU.NUM.DERET" in {n["code"] for n in num["children"]}
    assert_problem(client.get(f"banks/{world.bank.code}/taxonomies/nope"), 404)


def test_media_upload_and_download(app: Flask, as_user: Any, world: World) -> None:
    author = as_user("author")
    data = png()
    uploaded = author.post(
        f"banks/{world.bank.code}/media",
        data={"file": (io.BytesIO(data), "grafik.png")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 201, uploaded.json
    body = uploaded.json
    assert (body["mime"], body["width"], body["height"]) == ("image/png", 8, 6)
    assert body["url"] == f"/api/v1/banks/{world.bank.code}/media/{body['sha256']}"
    download = as_user("assembler").get(body["url"])
    assert download.status_code == 200 and download.data == data
    assert download.mimetype == "image/png"
    # the stem may now show it
    stem = f'<p>Lihat grafik.</p><p><img src="/media/{body["sha256"]}" alt="g"></p>'
    assert create_tkp(author, world.bank.code, stem=stem).status_code == 201
    assert_problem(as_user("outsider").get(body["url"]), 404)


def test_media_errors(app: Flask, as_user: Any, world: World) -> None:
    author = as_user("author")
    url = f"banks/{world.bank.code}/media"
    not_image = author.post(
        url, data={"file": (io.BytesIO(b"hello"), "x.png")}, content_type="multipart/form-data"
    )
    assert assert_problem(not_image, 422)["errors"][0]["field"] == "file"
    missing = author.post(url, data={}, content_type="multipart/form-data")
    assert_problem(missing, 422)
    as_json = author.post(url, json={"file": "abc"})
    assert_problem(as_json, 415)
    big = png(size=(600, 600))
    assert len(big) > 1000
    old = app.config["ITEMBANK_MEDIA_MAX_BYTES"]
    app.config["ITEMBANK_MEDIA_MAX_BYTES"] = 1000
    try:
        too_big = author.post(
            url, data={"file": (io.BytesIO(big), "big.png")}, content_type="multipart/form-data"
        )
    finally:
        app.config["ITEMBANK_MEDIA_MAX_BYTES"] = old
    assert_problem(too_big, 413)
    assert_problem(
        as_user("reviewer").post(
            url, data={"file": (io.BytesIO(png()), "x.png")}, content_type="multipart/form-data"
        ),
        403,
    )


def test_banks_and_members(as_user: Any, world: World) -> None:
    author = as_user("author")
    banks = author.get("banks").json
    assert [b["code"] for b in banks] == [world.bank.code]
    detail = author.get(f"banks/{world.bank.code}").json
    assert detail["my_roles"] == ["author"] and detail["required_approvals"] == 1
    admin = as_user("bank_admin")
    added = admin.post(
        f"banks/{world.bank.code}/members",
        json={"username": world.outsider.username, "role": "reviewer"},
    )
    assert added.status_code == 201
    assert as_user("outsider").get(f"banks/{world.bank.code}").json["my_roles"] == ["reviewer"]
    again = admin.post(
        f"banks/{world.bank.code}/members",
        json={"username": world.outsider.username, "role": "reviewer"},
    )
    assert_problem(again, 409)
    bad_role = admin.post(
        f"banks/{world.bank.code}/members",
        json={"username": world.outsider.username, "role": "king"},
    )
    assert_problem(bad_role, 422)
    removed = admin.delete(f"banks/{world.bank.code}/members/{world.outsider.username}/reviewer")
    assert removed.status_code == 204
    assert_problem(as_user("outsider").get(f"banks/{world.bank.code}"), 404)
    members = author.get(f"banks/{world.bank.code}/members").json
    assert {(m["username"], m["role"]) for m in members} >= {
        (world.author.username, "author"),
        (world.assembler.username, "assembler"),
    }


def test_only_administrators_create_banks(as_user: Any, world: World) -> None:
    code = unique("B").upper()[:20]
    body = {"name": "Bank Kemenkeu", "code": code, "required_approvals": 2}
    for role in ("author", "bank_admin", "outsider"):
        assert_problem(as_user(role).post("banks", json=body), 403)
    created = as_user("admin").post("banks", json=body)
    assert created.status_code == 201, created.json
    assert created.json["code"] == code and created.json["required_approvals"] == 2
    assert created.headers["Location"] == f"/api/v1/banks/{code}"
    assert_problem(as_user("admin").post("banks", json=body), 409)
    bad = as_user("admin").post("banks", json={"name": "x", "code": "1-bad code"})
    assert "capital letters" in assert_problem(bad, 422)["detail"]
    # The new bank has no members: others cannot see it.
    assert_problem(as_user("author").get(f"banks/{code}"), 404)


def test_bank_admins_change_required_approvals(as_user: Any, world: World) -> None:
    path = f"banks/{world.bank.code}"
    changed = as_user("bank_admin").patch(path, json={"required_approvals": 2})
    assert changed.status_code == 200 and changed.json["required_approvals"] == 2
    assert as_user("author").get(path).json["required_approvals"] == 2
    assert_problem(as_user("author").patch(path, json={"required_approvals": 1}), 403)
    assert_problem(as_user("outsider").patch(path, json={"required_approvals": 1}), 404)
    assert_problem(as_user("bank_admin").patch(path, json={"required_approvals": 0}), 422)
    audit = as_user("bank_admin").get(f"{path}/audit", query_string={"action": "bank.settings"})
    assert audit.json["events"][0]["data"]["required_approvals"] == {"from": 1, "to": 2}


def test_bank_admins_set_the_statistics_flag_thresholds(as_user: Any, world: World) -> None:
    from itembank.operations.statistics import thresholds_for

    path = f"banks/{world.bank.code}"
    admin = as_user("bank_admin")
    shown = admin.get(path).json["statistics_thresholds"]
    assert shown["p_low"] == 0.2 and shown["min_candidates"] == 100  # the defaults
    changed = admin.patch(
        path, json={"statistics_thresholds": {"p_low": 0.25, "min_candidates": 50}}
    )
    assert changed.status_code == 200
    assert changed.json["statistics_thresholds"]["p_low"] == 0.25
    assert changed.json["statistics_thresholds"]["p_high"] == 0.95  # left out: default
    thresholds, min_n = thresholds_for(world.bank)
    assert thresholds.p_low == 0.25 and min_n == 50
    bad = admin.patch(path, json={"statistics_thresholds": {"p_low": 0.97}})
    assert_problem(bad, 422)
    assert_problem(admin.patch(path, json={"statistics_thresholds": {"a_min": -1}}), 422)
    assert_problem(
        as_user("author").patch(path, json={"statistics_thresholds": {"p_low": 0.1}}), 403
    )
    audit = admin.get(f"{path}/audit", query_string={"action": "bank.settings"})
    change = audit.json["events"][0]["data"]["statistics_thresholds"]
    assert change["from"]["p_low"] == 0.2 and change["to"]["p_low"] == 0.25


TECH_CSV = (
    "kode;kode_induk;nama;nama_en;tingkat_1;tingkat_2\n"
    "AK;;Akuntansi;Accounting;Dasar;Menengah\n"
    "AK.1;AK;Akuntansi Pemerintah;Government accounting;Mengenal SAP;Menerapkan SAP\n"
)


def test_bank_admins_import_a_taxonomy_through_the_api(as_user: Any, world: World) -> None:
    path = f"banks/{world.bank.code}/taxonomies"

    def upload(client: ApiClient, data: bytes, filename: str = "teknis.csv", **form: str) -> Any:
        body: dict[str, Any] = {"file": (io.BytesIO(data), filename), **form}
        return client.post(path, data=body, content_type="multipart/form-data")

    fields = {"code": "teknis-ak", "name": "Kompetensi teknis akuntansi"}
    assert_problem(upload(as_user("author"), TECH_CSV.encode(), **fields), 403)
    assert_problem(upload(as_user("outsider"), TECH_CSV.encode(), **fields), 404)
    created = upload(as_user("bank_admin"), TECH_CSV.encode(), **fields)
    assert created.status_code == 201, created.json
    assert created.json == {"code": "teknis-ak", "created": 2, "updated": 0}
    tree = as_user("author").get(created.headers["Location"]).json
    assert tree["scope"] == "bank"
    assert [n["code"] for n in tree["nodes"]] == ["AK"]
    assert tree["nodes"][0]["children"][0]["code"] == "AK.1"
    # A broken file: every problem, with its row and column, and nothing written.
    broken = TECH_CSV + "AK.2;AK.9;Audit;;;\n"
    problem = assert_problem(upload(as_user("bank_admin"), broken.encode(), **fields), 422)
    assert any("AK.9" in e["message"] and "4" in e["message"] for e in problem["errors"])
    assert all(e["field"] == "file" for e in problem["errors"])
    again = as_user("author").get(created.headers["Location"]).json
    assert [c["code"] for c in again["nodes"][0]["children"]] == ["AK.1"]
    not_json = upload(as_user("bank_admin"), b'{"code": ', "teknis.json")
    assert_problem(not_json, 422)
    missing = as_user("bank_admin").post(
        path, data={"code": "x"}, content_type="multipart/form-data"
    )
    assert assert_problem(missing, 422)["errors"][0]["field"] == "file"
    as_json = as_user("bank_admin").post(path, json={"file": "AK"})
    assert_problem(as_json, 415)


def test_comments_retire_and_audit(as_user: Any, world: World) -> None:
    author, reviewer, admin = as_user("author"), as_user("reviewer"), as_user("bank_admin")
    item_id = create_tkp(author, world.bank.code).json["external_id"]
    author.post(f"items/{item_id}/versions/1/submit", json={})
    comment = reviewer.post(
        f"items/{item_id}/versions/1/comments",
        json={"body": "Bobot B terlalu tinggi?", "field": "content.options.1.weight"},
    )
    assert comment.status_code == 201
    listed = author.get(f"items/{item_id}/versions/1/comments").json
    assert [(c["author"], c["field"]) for c in listed] == [
        (world.reviewer.username, "content.options.1.weight")
    ]
    reviewer.post(f"items/{item_id}/versions/1/reviews", json={"decision": "approve"})
    assert_problem(admin.post(f"items/{item_id}/retire", json={}), 422)
    retired = admin.post(f"items/{item_id}/retire", json={"reason": "Soal bocor."})
    assert retired.status_code == 200 and retired.json["status"] == "retired"
    assert_problem(admin.post(f"items/{item_id}/retire", json={"reason": "lagi"}), 409)

    audit = admin.get(f"banks/{world.bank.code}/audit?item={item_id}").json
    actions = [e["action"] for e in audit["events"]]
    assert actions[0] == "version.retired"
    assert {"item.create", "version.submit", "comment.add", "version.review"} <= set(actions)
    assert audit["total"] == len(actions)
    only = admin.get(f"banks/{world.bank.code}/audit?action=item.create&per_page=1").json
    assert [e["action"] for e in only["events"]] == ["item.create"]


def test_reading_images_and_comments_is_audited(as_user: Any, world: World) -> None:
    """Issue finding 10: downloading an image or a version's comments left no trace,
    while reading the item did (``item.read``). Each is an audit event naming who read
    what: ``media.read`` (the image's SHA-256) and ``comment.read`` (the version and
    how many comments)."""
    author, reviewer, admin = as_user("author"), as_user("reviewer"), as_user("bank_admin")
    bank = world.bank.code
    url = author.post(
        f"banks/{bank}/media",
        data={"file": (io.BytesIO(png("blue")), "peta.png")},
        content_type="multipart/form-data",
    ).json["url"]
    assert as_user("assembler").get(url).status_code == 200
    item_id = create_tkp(author, bank).json["external_id"]
    author.post(f"items/{item_id}/versions/1/submit", json={})
    reviewer.post(f"items/{item_id}/versions/1/comments", json={"body": "Opsi C rancu."})
    assert author.get(f"items/{item_id}/versions/1/comments").status_code == 200

    reads = admin.get(f"banks/{bank}/audit?action=media.read").json["events"]
    assert [(e["actor"], e["object_id"]) for e in reads] == [
        (world.assembler.username, url.rsplit("/", 1)[-1])
    ]
    comments = admin.get(f"banks/{bank}/audit?action=comment.read").json["events"]
    assert [(e["actor"], e["object_id"], e["version"]) for e in comments] == [
        (world.author.username, item_id, 1)
    ]


def test_a_lone_bank_admin_cannot_approve_alone_through_the_api(as_user: Any, world: World) -> None:
    """Issue finding 9, the attack as it was made, request by request: a bank admin
    adds themself as reviewer (refused, as for a global administrator), lowers the
    required approvals (allowed, audited) and approves (refused: not a reviewer); the
    version in review still needs the count it was submitted under."""
    bank = world.bank.code
    admin, author, reviewer = as_user("bank_admin"), as_user("author"), as_user("reviewer")
    assert admin.patch(f"banks/{bank}", json={"required_approvals": 2}).status_code == 200
    item_id = create_tkp(author, bank).json["external_id"]
    assert author.post(f"items/{item_id}/versions/1/submit", json={}).status_code == 200
    root = as_user("admin")  # a global administrator
    for who, client in (("bank_admin", admin), ("admin", root)):
        self_grant = client.post(
            f"banks/{bank}/members",
            json={"username": world.users[who].username, "role": "reviewer"},
        )
        assert "grant themself" in assert_problem(self_grant, 403)["detail"]
    assert admin.patch(f"banks/{bank}", json={"required_approvals": 1}).status_code == 200
    refused = admin.post(f"items/{item_id}/versions/1/reviews", json={"decision": "approve"})
    assert "role reviewer" in assert_problem(refused, 403)["detail"]
    reviewer.post(f"items/{item_id}/versions/1/reviews", json={"decision": "approve"})
    version = author.get(f"items/{item_id}/versions/1").json
    assert (version["status"], version["required_approvals"]) == ("in_review", 2)
