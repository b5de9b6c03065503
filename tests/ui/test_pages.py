"""The item list, the item page, the review screen and the dashboard, per role."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import AuditEvent
from itembank.operations import reads
from itembank.operations.reviews import add_comment, review_version, submit_version
from tests.factories import World, make_item
from tests.ui.conftest import text
from tests.ui.test_roles import _approved, _draft, _in_review

ROLES = ("author", "reviewer", "assembler", "bank_admin", "admin")


def listed_ids(response: Any) -> list[str]:
    return re.findall(r'<td class="nowrap"><a href="/items/([A-Z0-9-]+)">', text(response))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_renders_for_every_role(
    as_user: Any, world: World, plugins: Any, role: str
) -> None:
    draft, in_review, approved = (
        _draft(world, plugins)["item"],
        _in_review(world, plugins)["item"],
        _approved(world, plugins)["item"],
    )
    client = as_user(role)
    bank = world.bank.code
    pages = [
        "/",
        "/banks",
        f"/banks/{bank}/items",
        f"/items/{approved}",
        f"/items/{approved}/versions/1",
    ]
    if role != "assembler":
        pages += [f"/items/{draft}", f"/items/{in_review}/versions/1/review"]
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 303), (path, response.status_code)
        if response.status_code == 200:
            assert "Traceback" not in text(response)
            assert '<html lang="id">' in text(response)


def test_the_list_filters_sorts_and_pages(
    as_user: Any, world: World, plugins: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tkp = make_item(
        world,
        plugins,
        item_type="true_false",
        content={"key": True},
        stem="<p>Pelayanan publik harus ramah.</p>",
        metadata={"classifications": [{"taxonomy": "asn-2017", "node": "M.5", "level": 2}]},
    ).external_id
    others = [make_item(world, plugins).external_id for _ in range(3)]
    submit_version(
        make_item(world, plugins, actor=world.author2).latest_version, actor=world.author2
    )
    client = as_user("reviewer")
    bank = world.bank.code
    everything = client.get(f"/banks/{bank}/items")
    assert "5 butir soal ditemukan" in text(everything)
    assert listed_ids(client.get(f"/banks/{bank}/items?type=true_false")) == [tkp]
    assert listed_ids(client.get(f"/banks/{bank}/items?node=asn-2017:M.5&level=2")) == [tkp]
    assert listed_ids(client.get(f"/banks/{bank}/items?node=asn-2017:M.5&level=3")) == []
    assert listed_ids(client.get(f"/banks/{bank}/items?q=ramah")) == [tkp]
    assert len(listed_ids(client.get(f"/banks/{bank}/items?status=in_review"))) == 1
    assert len(listed_ids(client.get(f"/banks/{bank}/items?author={world.author2.username}"))) == 1
    ascending = listed_ids(client.get(f"/banks/{bank}/items?sort=external_id&status=draft"))
    assert ascending == sorted([tkp, *others])

    page_one = client.get(f"/banks/{bank}/items?per_page=20&status=draft&sort=external_id")
    assert 'class="pagination"' not in text(page_one)  # one page: no pager
    for _ in range(18):
        make_item(world, plugins)
    first = client.get(f"/banks/{bank}/items?status=draft&sort=external_id")
    assert len(listed_ids(first)) == 20
    links = re.findall(r'href="(/banks/[^"]+page=2[^"]*)"', text(first))
    assert links and all("status=draft" in link and "sort=external_id" in link for link in links)
    second = client.get(links[0].replace("&amp;", "&"))
    assert len(listed_ids(second)) == 2

    # Past the count's limit the page says "more than" and its pages go on past the
    # counted ones.
    monkeypatch.setattr(reads, "COUNT_LIMIT", 10)
    capped = client.get(f"/banks/{bank}/items?status=draft&sort=external_id")
    assert "Lebih dari 10 butir soal ditemukan" in text(capped)
    assert listed_ids(capped) == listed_ids(first)
    following = re.findall(r'href="([^"]+)" rel="next"', text(capped))
    assert following and "page=2" in following[0]
    rest = client.get(following[0].replace("&amp;", "&"))
    assert listed_ids(rest) == listed_ids(second)
    assert 'rel="next"' not in text(rest)


def sort_choices(response: Any) -> list[tuple[str, str, bool]]:
    """The list's sort control as (value, label, selected)."""
    control = re.search(r'<select id="f-sort" name="sort">(.*?)</select>', text(response), re.S)
    assert control is not None
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', control.group(1)
        )
    ]


def test_a_search_is_ordered_by_relevance_unless_another_order_is_chosen(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Relevansi is offered only with a search text, and is then the order (whole
    words first) unless the user chose another; the default choice is sent empty, so a
    search typed later with the sort left alone is ordered by relevance, and a chosen
    order stays chosen. Relevance without a search text falls back quietly."""
    word = make_item(world, plugins, stem="<p>Koordinasi lintas unit.</p>").external_id
    inside = make_item(world, plugins, stem="<p>Berkoordinasi dengan atasan.</p>").external_id
    client = as_user("reviewer")
    bank = world.bank.code

    plain = client.get(f"/banks/{bank}/items")
    choices = sort_choices(plain)
    assert "Relevansi" not in [label for _, label, _ in choices]
    # the default choice (recently changed first) is sent empty, and selected
    assert choices[0] == ("", "Terakhir diubah lebih dulu", True)

    searched = client.get(f"/banks/{bank}/items?q=koordinasi&sort=")
    assert listed_ids(searched) == [word, inside]  # the newer one is second: by relevance
    choices = sort_choices(searched)
    assert choices[0] == ("", "Relevansi", True)
    assert ("-updated_at", "Terakhir diubah lebih dulu", False) in choices
    # a page link carries no sort: the next search is by relevance too
    assert "sort=" not in " ".join(re.findall(r'href="(/banks/[^"]+)"', text(searched)))

    chosen = client.get(f"/banks/{bank}/items?q=koordinasi&sort=-updated_at")
    assert listed_ids(chosen) == [inside, word]
    choices = sort_choices(chosen)
    assert ("relevance", "Relevansi", False) in choices
    assert ("-updated_at", "Terakhir diubah lebih dulu", True) in choices

    explicit = client.get(f"/banks/{bank}/items?q=koordinasi&sort=relevance")
    assert listed_ids(explicit) == [word, inside]
    assert ("relevance", "Relevansi", True) in sort_choices(explicit)

    # relevance without a search text: the default order, no warning
    fallback = client.get(f"/banks/{bank}/items?sort=relevance")
    assert fallback.status_code == 200
    assert listed_ids(fallback)[:2] == [inside, word]
    assert "flash-warning" not in text(fallback)
    assert ("", "Terakhir diubah lebih dulu", True) in sort_choices(fallback)


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=99999999999",
        "page=abc",
        "per_page=7",
        "sort=evil",
        "sort=-password",
        "node=nonsense",
        "node=skd-cpns:NOPE",
        "level=abc",
        "level=99",
        "status=foo",
        "type=nope",
        "author=nobody",
        "q=" + "x" * 500,
        "q=%00%ff",
        "page=2&per_page=100",
    ],
)
def test_bad_query_strings_never_fail(as_user: Any, world: World, query: str) -> None:
    response = as_user("author").get(f"/banks/{world.bank.code}/items?{query}")
    assert response.status_code == (400 if "%00" in query else 200)
    assert "Traceback" not in text(response)


def test_nul_characters_are_refused_everywhere(as_user: Any, world: World, plugins: Any) -> None:
    """PostgreSQL cannot store or compare text with NUL; the UI refuses it up front."""
    author = as_user("author")
    item = make_item(world, plugins).external_id
    assert author.get("/items/CACT%00-1").status_code == 400
    assert author.post(f"/items/{item}/versions/1/comments", {"body": "a\x00b"}).status_code == 400
    preview = author.post_json(
        f"/banks/{world.bank.code}/preview",
        {
            "type": "true_false",
            "stem": "x",
            "content": {"key": True},
            "metadata": {"classifications": [{"taxonomy": "\x00", "node": "x"}]},
        },
    )
    assert preview.status_code == 400
    assert author.post("/login", {"username": "a\x00", "password": "x"}).status_code == 400


def test_assemblers_see_approved_versions_only(as_user: Any, world: World, plugins: Any) -> None:
    approved = _approved(world, plugins)["item"]
    draft = _draft(world, plugins)["item"]
    client = as_user("assembler")
    assert listed_ids(client.get(f"/banks/{world.bank.code}/items")) == [approved]
    assert client.get(f"/items/{draft}").status_code == 404


def test_the_item_page_shows_key_and_history(as_user: Any, world: World, plugins: Any) -> None:
    external_id = _approved(world, plugins)["item"]
    page = text(as_user("author").get(f"/items/{external_id}"))
    assert "Kunci dan bobot" in page and 'class="is-key"' in page
    assert "membuat butir soal" in page and "mengajukan untuk ditelaah" in page
    assert "menyetujui" in page and world.reviewer2.name in page
    assert 'aria-current="page">v1<' in page


def test_review_screen_compares_with_the_approved_version(
    as_user: Any, world: World, plugins: Any
) -> None:
    from itembank.operations.items import current_draft, start_new_draft, update_draft

    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    review_version(item.latest_version, actor=world.reviewer, decision="approve")
    start_new_draft(item, actor=world.author)
    draft = current_draft(item)
    update_draft(
        draft,
        actor=world.author,
        plugins=plugins,
        base_revision=draft.revision,
        stem=draft.stem.replace("12 rim", "15 rim"),
    )
    submit_version(draft, actor=world.author)
    page = text(as_user("reviewer2").get(f"/items/{item.external_id}/versions/2/review"))
    assert "Versi 1 yang disetujui" in page
    assert "<del>12</del>" in page and "<ins>15</ins>" in page
    assert 'id="decision-form"' in page


def test_your_own_version_is_not_offered_for_review(
    as_user: Any, world: World, plugins: Any
) -> None:
    item = make_item(world, plugins, actor=world.author_reviewer)
    submit_version(item.latest_version, actor=world.author_reviewer)
    client = as_user("author_reviewer")
    page = text(client.get(f"/items/{item.external_id}/versions/1/review"))
    assert 'id="decision-form"' not in page
    assert "Anda menulis, mengubah atau mengajukan versi ini" in page
    dashboard = text(client.get("/"))
    waiting = dashboard.split('id="panel-waiting_for_review"')[1].split("</section>")[0]
    assert item.external_id not in waiting
    mine = dashboard.split('id="panel-my_in_review"')[1].split("</section>")[0]
    assert item.external_id in mine
    refused = client.post(f"/items/{item.external_id}/versions/1/review", {"decision": "approve"})
    assert refused.status_code == 403
    assert item.latest_version.status == "in_review"


def test_decisions(as_user: Any, world: World, plugins: Any) -> None:
    external_id = _in_review(world, plugins)["item"]
    reviewer = as_user("reviewer")
    url = f"/items/{external_id}/versions/1/review"
    missing_comment = reviewer.post(url, {"decision": "request_changes", "comment": " "})
    assert missing_comment.status_code == 422
    assert "Tuliskan alasan atau perbaikan yang diminta." in text(missing_comment)
    unknown = reviewer.post(url, {"decision": "maybe"})
    assert unknown.status_code == 422
    done = reviewer.post(url, {"decision": "request_changes", "comment": "Kunci salah."})
    assert done.status_code == 303 and done.location == "/"
    assert "Revisi diminta" in text(reviewer.get("/"))
    again = reviewer.post(url, {"decision": "approve"})
    assert again.status_code == 409


def test_comments(as_user: Any, world: World, plugins: Any) -> None:
    external_id = _in_review(world, plugins)["item"]
    author = as_user("author")
    url = f"/items/{external_id}/versions/1/comments"
    assert author.post(url, {"body": ""}).status_code == 422
    response = author.post(url, {"body": "Kunci sudah saya periksa."})
    assert response.status_code == 303
    page = text(author.get(response.location))
    assert "Komentar ditambahkan." in page and "Kunci sudah saya periksa." in page


def test_pages_showing_comments_record_reading_them(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Issue finding 10: reading a version's comments is audited (``comment.read``) as
    reading the item is, on the item page and the review page; and those reads stay out
    of the item's history shown on its page."""
    item = make_item(world, plugins)
    version = submit_version(item.latest_version, actor=world.author)
    db.session.commit()
    external_id = item.external_id
    reviewer = as_user("reviewer")
    assert reviewer.get(f"/items/{external_id}/versions/1/review").status_code == 200
    add_comment(version, actor=world.author, body="Sudah saya periksa.")
    db.session.commit()
    assert "Sudah saya periksa." in text(reviewer.get(f"/items/{external_id}/versions/1/review"))
    page = text(as_user("author2").get(f"/items/{external_id}"))
    assert "Sudah saya periksa." in page
    reads = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "comment.read", AuditEvent.object_id == external_id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.actor_id, e.version_number, e.data) for e in reads] == [
        (world.reviewer.id, 1, {"via": "web-review", "comments": 1}),
        (world.author2.id, 1, {"via": "web", "comments": 1}),
    ]
    assert "comment.read" not in page


def test_dashboard_panels_per_role(as_user: Any, world: World, plugins: Any) -> None:
    draft = make_item(world, plugins).external_id
    waiting = _in_review(world, plugins)["item"]
    sent_back = make_item(world, plugins)
    submit_version(sent_back.latest_version, actor=world.author)
    review_version(
        sent_back.latest_version,
        actor=world.reviewer,
        decision="request_changes",
        comment="Perbaiki.",
    )
    approved = _approved(world, plugins)["item"]
    add_comment(sent_back.latest_version, actor=world.reviewer, body="Lihat pilihan C.")

    def panels(role: str) -> dict[str, str]:
        page = text(as_user(role).get("/"))
        return dict(re.findall(r'id="panel-(\w+)".*?>(.*?)</section>', page, re.S))

    author = panels("author")
    assert set(author) == {"changes_requested", "my_drafts", "my_in_review", "recently_approved"}
    assert draft in author["my_drafts"] and waiting in author["my_in_review"]
    assert sent_back.external_id in author["changes_requested"]
    assert approved in author["recently_approved"]
    reviewer = panels("reviewer")
    assert set(reviewer) == {"waiting_for_review", "statistics_flags", "recently_approved"}
    assert waiting in reviewer["waiting_for_review"] and draft not in reviewer["waiting_for_review"]
    assert set(panels("assembler")) == {"recently_approved", "forms_in_progress"}
    assert "Anda belum menjadi anggota" in text(as_user("outsider").get("/"))


def test_an_author_withdraws_a_version_from_the_item_page(
    as_user: Any, world: World, plugins: Any
) -> None:
    item = make_item(world, plugins)
    submit_version(item.latest_version, actor=world.author)
    assert 'id="withdraw-form"' not in text(as_user("reviewer").get(f"/items/{item.external_id}"))
    author = as_user("author2")
    assert 'id="withdraw-form"' in text(author.get(f"/items/{item.external_id}"))
    done = author.post(f"/items/{item.external_id}/versions/1/withdraw", {"reason": ""})
    assert done.status_code == 303
    db.session.refresh(item.latest_version)
    assert item.latest_version.status == "withdrawn"
    page = text(author.get(f"/items/{item.external_id}"))
    assert "Ditarik" in page and "Revisi (mulai versi 2)" in page


def test_the_item_page_shows_mapped_values(as_user: Any, world: World, plugins: Any) -> None:
    options = [
        {"id": "A", "text": "<p>Hidrogen</p>", "value": 1},
        {"id": "B", "text": "<p>Helium</p>"},
        {"id": "C", "text": "<p>Oksigen</p>", "value": 1.5},
    ]
    chosen = make_item(
        world,
        plugins,
        item_type="multiple_response",
        content={
            "options": options,
            "keys": ["A", "C"],
            "points": 2.5,
            "scoring": "mapped",
            "mapping": {"default": -0.5, "lower": None},
        },
    )
    page = text(as_user("author").get(f"/items/{chosen.external_id}"))
    assert "Berbobot (nilai per pilihan)" in page
    assert "1,5" in page and "-0,5" in page  # Helium scores the value of the others
    assert "nilai lainnya: -0,5" in page and "skor terendah: —" in page
    matched = make_item(
        world,
        plugins,
        item_type="matching",
        content={
            **plugins.item_type("matching").example_content(),
            "scoring": "mapped",
            "points": 2,
            "pair_values": [["P1", "R2", 1], ["P2", "R3", 0.5], ["P3", "R1", 0.5]],
        },
    )
    page = text(as_user("author").get(f"/items/{matched.external_id}"))
    assert "Nilai pasangan (penskoran berbobot)" in page and "P2 R3: 0.5" in page
