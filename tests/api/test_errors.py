"""ETags on drafts and the one error shape (RFC 9457 problem details)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.api.conftest import ApiClient, assert_problem
from tests.api.test_journey import create_tkp
from tests.factories import World


@pytest.fixture
def item_id(as_user: Any, world: World) -> str:
    response = create_tkp(as_user("author"), world.bank.code)
    assert response.status_code == 201, response.json
    return response.json["external_id"]


# -- ETag / If-Match -----------------------------------------------------------------------


def test_patch_without_if_match_is_428_and_changes_nothing(as_user: Any, item_id: str) -> None:
    author = as_user("author")
    response = author.patch(f"items/{item_id}/draft", json={"stem": "<p>Baru</p>"})
    assert_problem(response, 428, "precondition_required")
    assert author.get(f"items/{item_id}/draft").json["revision"] == 1


def test_stale_if_match_is_412_naming_who_changed_it(
    as_user: Any, world: World, item_id: str
) -> None:
    author, author2 = as_user("author"), as_user("author2")
    etag = author.get(f"items/{item_id}/draft").headers["ETag"]
    first = author2.patch(
        f"items/{item_id}/draft", json={"stem": "<p>Versi rekan</p>"}, headers={"If-Match": etag}
    )
    assert first.status_code == 200
    late = author.patch(
        f"items/{item_id}/draft", json={"stem": "<p>Versi saya</p>"}, headers={"If-Match": etag}
    )
    body = assert_problem(late, 412, "stale_edit")
    assert world.author2.username in body["detail"]
    assert body["changed_by"] == world.author2.username
    assert (body["base_revision"], body["current_revision"]) == (1, 2)
    draft = author.get(f"items/{item_id}/draft")
    assert draft.json["stem"] == "<p>Versi rekan</p>"
    assert draft.headers["ETag"] == '"v1.r2"'


@pytest.mark.parametrize("if_match", ['"v2.r1"', '"nonsense"', "W/"])
def test_if_match_for_another_version_or_garbage_is_412(
    as_user: Any, item_id: str, if_match: str
) -> None:
    response = as_user("author").patch(
        f"items/{item_id}/draft", json={"stem": "<p>Baru</p>"}, headers={"If-Match": if_match}
    )
    body = assert_problem(response, 412, "stale_edit")
    assert body["current_etag"] == '"v1.r1"'


def test_weak_and_star_if_match_are_accepted(as_user: Any, item_id: str) -> None:
    author = as_user("author")
    weak = author.patch(
        f"items/{item_id}/draft", json={"stem": "<p>Satu</p>"}, headers={"If-Match": 'W/"v1.r1"'}
    )
    assert weak.status_code == 200
    star = author.patch(
        f"items/{item_id}/draft", json={"stem": "<p>Dua</p>"}, headers={"If-Match": "*"}
    )
    assert star.status_code == 200 and star.headers["ETag"] == '"v1.r3"'


def test_if_none_match_gives_304(as_user: Any, item_id: str) -> None:
    author = as_user("author")
    etag = author.get(f"items/{item_id}/draft").headers["ETag"]
    again = author.get(f"items/{item_id}/draft", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag


def test_invalid_edit_is_422_with_field_errors_and_changes_nothing(
    as_user: Any, item_id: str
) -> None:
    author = as_user("author")
    response = author.patch(
        f"items/{item_id}/draft",
        # not storable even as a draft: text where the options belong
        json={"content": {"options": "A-E", "scale": {"min": 1, "max": 5}}, "stem": "<p> </p>"},
        headers={"If-Match": '"v1.r1"'},
    )
    body = assert_problem(response, 422, "invalid")
    fields = {e["field"] for e in body["errors"]}
    assert "stem" in fields and any(f.startswith("content") for f in fields)
    assert all({"field", "message", "message_en"} == set(e) for e in body["errors"])
    assert author.get(f"items/{item_id}/draft").json["revision"] == 1


# -- every error status ----------------------------------------------------------------------


def test_401_without_or_with_a_bad_token(api: ApiClient, world: World) -> None:
    response = api.get("banks")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = api.as_("ibk_nope").get("banks")
    assert_problem(bad, 401)
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    basic = api.get("banks", headers={"Authorization": "Basic eDp5"})
    assert_problem(basic, 401)


def test_404_for_unknown_things_and_other_banks(as_user: Any, world: World, item_id: str) -> None:
    outsider = as_user("outsider")
    assert_problem(outsider.get(f"items/{item_id}"), 404, "not_found")
    assert_problem(outsider.get(f"banks/{world.bank.code}/items"), 404, "not_found")
    assert_problem(as_user("author").get("items/NOPE-000001"), 404, "not_found")
    assert_problem(as_user("author").get(f"items/{item_id}/versions/9"), 404)
    assert_problem(as_user("author").get("no/such/route"), 404)


def test_403_for_members_without_the_role(as_user: Any, world: World) -> None:
    response = create_tkp(as_user("reviewer"), world.bank.code)
    body = assert_problem(response, 403, "forbidden")
    assert "author" in body["detail"]


def test_405_lists_allowed_methods(as_user: Any) -> None:
    response = as_user("author").request("PUT", "banks")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_409_for_transitions_the_workflow_does_not_have(as_user: Any, item_id: str) -> None:
    response = as_user("reviewer").post(
        f"items/{item_id}/versions/1/reviews", json={"decision": "approve"}
    )
    body = assert_problem(response, 409, "transition_not_allowed")
    assert "draft" in body["detail"]
    again = as_user("author").post(f"items/{item_id}/draft", json={})
    assert_problem(again, 409, "conflict")


def test_422_from_the_schema_names_fields(as_user: Any, world: World) -> None:
    response = as_user("author").post(
        f"banks/{world.bank.code}/items", json={"type": "weighted_options", "bogus": 1}
    )
    body = assert_problem(response, 422, "invalid")
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"stem", "content", "bogus"}
    assert {e["message"] for e in body["errors"]} >= {"Wajib diisi.", "Kolom tidak dikenal."}


def test_422_for_bad_query_parameters(as_user: Any, world: World) -> None:
    response = as_user("author").get(f"banks/{world.bank.code}/items?status=lost&per_page=0")
    body = assert_problem(response, 422, "invalid")
    assert {e["field"] for e in body["errors"]} == {"status", "per_page"}


def test_422_for_review_without_a_reason(as_user: Any, item_id: str) -> None:
    as_user("author").post(f"items/{item_id}/versions/1/submit", json={})
    response = as_user("reviewer").post(
        f"items/{item_id}/versions/1/reviews", json={"decision": "reject"}
    )
    body = assert_problem(response, 422, "invalid")
    assert body["errors"][0]["field"] == "comment"


def test_400_for_malformed_json(as_user: Any, world: World) -> None:
    response = as_user("author").post(
        f"banks/{world.bank.code}/items", data="{not json", content_type="application/json"
    )
    assert_problem(response, 400, "malformed_json")


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null"])
def test_json_that_is_not_an_object_is_422(as_user: Any, world: World, body: str) -> None:
    response = as_user("author").post(
        f"banks/{world.bank.code}/items", data=body, content_type="application/json"
    )
    assert_problem(response, 422)


def test_415_for_bodies_that_are_not_json(as_user: Any, world: World) -> None:
    response = as_user("author").post(
        f"banks/{world.bank.code}/items", data="type=x", content_type="text/plain"
    )
    assert_problem(response, 415, "unsupported_media_type")


def test_413_for_too_large_bodies(app: Flask, as_user: Any, world: World) -> None:
    author = as_user("author")
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = create_tkp(author, world.bank.code, stem="<p>" + "x" * 2000 + "</p>")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
    assert_problem(response, 413)


def test_wrong_types_in_content_are_422_not_500(as_user: Any, world: World) -> None:
    for content in ({"options": "abc"}, {"options": [{"id": 1, "text": [], "weight": "x"}]}):
        response = create_tkp(as_user("author"), world.bank.code, content=content)
        assert_problem(response, 422)
    response = create_tkp(as_user("author"), world.bank.code, metadata={"classifications": 3})
    assert_problem(response, 422)
    response = create_tkp(as_user("author"), world.bank.code, type="nope")
    assert assert_problem(response, 422)["errors"][0]["field"] == "type"


def test_a_failed_request_rolls_back_its_writes(as_user: Any, world: World) -> None:
    author = as_user("author")
    before = author.get(f"banks/{world.bank.code}/items").json["total"]
    refused = create_tkp(author, world.bank.code, stem="<p> </p>", content={"options": "A-E"})
    assert refused.status_code == 422
    assert author.get(f"banks/{world.bank.code}/items").json["total"] == before


def test_an_unexpected_error_is_a_500_problem_that_tells_nothing(
    app: Flask, as_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = as_user("author")

    def broken() -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("itembank.api.meta.plugins", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("item-types")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["detail"] == "Internal Server Error"


def test_paths_outside_the_api_keep_their_own_errors(api: ApiClient) -> None:
    response = api.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert api.get("/healthz").status_code == 200


def test_a_nul_character_is_refused_wherever_it_is(as_user: Any, world: World) -> None:
    """PostgreSQL cannot store NUL in text: it is a 422 naming the field, never a 500."""
    author = as_user("author")
    listing = author.get(f"banks/{world.bank.code}/items", query_string={"q": "a\x00b"})
    assert assert_problem(listing, 422)["errors"][0]["field"] == "q"
    created = author.post(
        f"banks/{world.bank.code}/items",
        json={
            "type": "true_false",
            "stem": "<p>x</p>",
            "content": {"key": True},
            "metadata": {"tags": ["ok", "b\x00d"]},
        },
    )
    assert assert_problem(created, 422)["errors"][0]["field"] == "metadata.tags.1"
    other = author.get("item-types", query_string={"anything": "\x00"})
    assert_problem(other, 422)


# -- text no field may hold, JSON too deep (itembank.request_guard) ------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "banks/{bank}/items",
            {
                "type": "true_false",
                "stem": "<p>x</p>",
                "content": {"key": True},
                "metadata": {"tags": ["ok", "a\ud800b"]},
            },
            "metadata.tags.1",
        ),
        (
            "banks/{bank}/items",
            {
                "type": "true_false",
                "stem": "<p>x</p>",
                "content": {"key": True},
                "metadata": {"notes": "\udfff"},
            },
            "metadata.notes",
        ),
        ("items/{item}/versions/1/comments", {"body": "komentar \ud83d"}, "body"),
        ("items/{item}/versions/1/comments", {"body": "x", "n\udc00": 1}, "n\\udc00"),
        ("banks/{bank}/forms", {"title": "Paket \udc00A", "code": "P1"}, "title"),
        ("banks/{bank}/enemies", {"items": ["A", "B"], "reason": "\ud800"}, "reason"),
        ("tokens", {"username": "\ud800x", "password": "x"}, "username"),
    ],
)
def test_a_lone_surrogate_is_refused_naming_the_field(
    as_user: Any, world: World, item_id: str, path: str, body: dict[str, Any], field: str
) -> None:
    """A lone UTF-16 surrogate is no Unicode character and PostgreSQL cannot store it:
    wherever it is, the answer is a 422 naming the field, never a 500."""
    author = as_user("author")
    url = path.format(bank=world.bank.code, item=item_id)
    problem = assert_problem(author.post(url, json=body), 422, "invalid")
    assert [e["field"] for e in problem["errors"]] == [field]
    assert "surrogate" in problem["errors"][0]["message_en"]
    assert problem["errors"][0]["message"].startswith("Teks memuat surrogate UTF-16 tunggal")


def test_a_pair_of_surrogates_spelled_in_json_is_one_character(as_user: Any, world: World) -> None:
    """JSON spells characters beyond the BMP as a surrogate pair: that is no problem."""
    created = as_user("author").post(
        f"banks/{world.bank.code}/items",
        data='{"type": "true_false", "stem": "<p>x</p>", "content": {"key": true}, '
        '"metadata": {"tags": ["\\ud83d\\ude00"]}}',
        content_type="application/json",
    )
    assert created.status_code == 201, created.json
    assert created.json["latest_version"]["metadata"]["tags"] == ["\U0001f600"]


def test_a_nul_in_a_path_parameter_is_refused_naming_it(as_user: Any, item_id: str) -> None:
    author = as_user("author")
    problem = assert_problem(author.get(f"items/{item_id}%00"), 422, "invalid")
    assert problem["errors"][0]["field"] == "item_id"
    assert problem["errors"][0]["message_en"] == "The NUL character (\\u0000) is not allowed."
    assert author.get(f"items/{item_id}").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("[" * 100_000 + "]" * 100_000, ".".join(["0"] * 64)),
        ('{"a":' * 100_000 + "1" + "}" * 100_000, ".".join(["a"] * 64)),
        (
            '{"type": "true_false", "stem": "x", "content": {"key": true}, "metadata": '
            '{"tags": ' + "[" * 100 + "]" * 100 + "}}",
            "metadata.tags" + ".0" * 62,
        ),
        ("[" * 100_000, ".".join(["0"] * 64)),  # not even JSON: the same answer
    ],
)
def test_json_nested_too_deep_is_refused_before_it_is_parsed(
    as_user: Any, world: World, body: str, field: str
) -> None:
    author = as_user("author")
    response = author.post(
        f"banks/{world.bank.code}/items", data=body, content_type="application/json"
    )
    problem = assert_problem(response, 422, "invalid")
    assert problem["errors"] == [
        {
            "field": field,
            "message": "JSON bersarang terlalu dalam (lebih dari 64 tingkat).",
            "message_en": "The JSON nests more than 64 levels deep.",
        }
    ]


def _single_choice(**changes: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "options": [{"id": "A", "text": "<p>satu</p>"}, {"id": "B", "text": "<p>dua</p>"}],
        "key": "A",
        "points": 1,
    }
    content.update(changes)
    return {"type": "single_choice", "stem": "<p>Pilih.</p>", "content": content}


@pytest.mark.parametrize(
    ("body", "field", "message_en"),
    [
        (
            _single_choice(
                options=[{"id": "A", "text": "<em>" * 4_000 + "x"}, {"id": "B", "text": "b"}]
            ),
            "content.options.0.text",
            "The text nests HTML elements more than 100 deep.",
        ),
        (
            {**_single_choice(), "stem": "<div>" * 10_000 + "x"},
            "stem",
            "The text nests HTML elements more than 100 deep.",
        ),
        (
            _single_choice(options=[{"id": "A", "text": "a" * 20_001}, {"id": "B", "text": "b"}]),
            "content.options.0.text",
            "Longer than maximum length 20000.",
        ),
        (
            _single_choice(options=[{"id": f"O{i}", "text": "x" * 19_000} for i in range(11)]),
            "content",
            "The content is too large (209277 characters; at most 200000).",
        ),
        (_single_choice(points=10**400), "content.points", "Must be less than or equal to 1000."),
        (_single_choice(points=1000.5), "content.points", "Must be less than or equal to 1000."),
    ],
)
def test_unbounded_content_is_refused_naming_the_field(
    as_user: Any, world: World, body: dict[str, Any], field: str, message_en: str
) -> None:
    response = as_user("author").post(f"banks/{world.bank.code}/items", json=body)
    problem = assert_problem(response, 422, "invalid")
    assert [(e["field"], e["message_en"]) for e in problem["errors"]] == [(field, message_en)]


def test_a_form_part_without_a_name_is_checked_too(as_user: Any, world: World) -> None:
    """A multipart part with no name (werkzeug names it None) holding NUL: a 422."""
    body = "--B\r\nContent-Disposition: form-data\r\n\r\nisi\x00\r\n--B--\r\n"
    response = as_user("author").post(
        f"banks/{world.bank.code}/media",
        data=body,
        content_type="multipart/form-data; boundary=B",
    )
    problem = assert_problem(response, 422, "invalid")
    assert problem["errors"][0]["field"] == ""
    assert problem["errors"][0]["message_en"] == "The NUL character (\\u0000) is not allowed."


def test_json_in_utf16_is_measured_as_the_parser_reads_it(as_user: Any, world: World) -> None:
    """JSON may come as UTF-16: the depth is measured on the decoded text, so bytes that
    look like a backslash (U+5C41 is 41 5C) cannot hide the brackets after them."""
    body = '{"stem": "\u5c41", "content": ' + "[" * 5_000 + "]" * 5_000 + ', "type": "x"}'
    response = as_user("author").post(
        f"banks/{world.bank.code}/items",
        data=body.encode("utf-16-le"),
        content_type="application/json",
    )
    problem = assert_problem(response, 422, "invalid")
    assert problem["errors"][0]["field"] == "content" + ".0" * 63


def test_a_difficulty_too_large_for_a_float_is_refused_in_both_languages(
    as_user: Any, world: World
) -> None:
    body = {**_single_choice(), "metadata": {"difficulty": 10**400}}
    response = as_user("author").post(f"banks/{world.bank.code}/items", json=body)
    problem = assert_problem(response, 422, "invalid")
    assert problem["errors"] == [
        {
            "field": "metadata.difficulty",
            "message": "Angka terlalu besar.",
            "message_en": "Number too large.",
        }
    ]
