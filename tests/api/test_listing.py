"""Listing a bank's items: SQL filters, pagination with a total, sorting, visibility."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import Item
from itembank.operations import reads
from itembank.operations.items import start_new_draft
from itembank.operations.reviews import review_version, submit_version
from tests.api.conftest import assert_problem
from tests.factories import SINGLE_CHOICE, World, make_item

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def classified(taxonomy: str, node: str, level: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"taxonomy": taxonomy, "node": node}
    if level is not None:
        entry["level"] = level
    return {"classifications": [entry]}


@pytest.fixture
def items(world: World, plugins: Any) -> dict[str, str]:
    """Five items; the keys say what each is."""
    made = {
        "deret": make_item(
            world,
            plugins,
            stem="<p>Lanjutkan deret 2, 4, 8, ...</p>",
            metadata=classified("skd-cpns", "TIU.NUM.DERET"),
        ),
        "analogi": make_item(
            world,
            plugins,
            actor=world.author2,
            metadata=classified("skd-cpns", "TIU.VER.ANALOGI"),
        ),
        "m1_level3": make_item(world, plugins, metadata=classified("asn-2017", "M.1", 3)),
        "m1_level4": make_item(
            world,
            plugins,
            content={
                **SINGLE_CHOICE,
                "options": [*SINGLE_CHOICE["options"][:3], {"id": "D", "text": "KerjaSama tim"}],
            },
            metadata=classified("asn-2017", "M.1", 4),
        ),
        "nasionalisme": make_item(world, plugins, metadata=classified("skd-cpns", "TWK.NAS")),
    }
    submit_version(made["analogi"].latest_version, actor=world.author2)
    approved = submit_version(made["m1_level3"].latest_version, actor=world.author)
    review_version(approved, actor=world.reviewer, decision="approve")
    for days, item in enumerate(made.values()):
        item.created_at = item.updated_at = T0 + timedelta(days=days)
    db.session.commit()
    return {key: item.external_id for key, item in made.items()}


def listed(client: Any, bank: str, query: str = "") -> list[str]:
    response = client.get(f"banks/{bank}/items?per_page=100&{query}")
    assert response.status_code == 200, response.json
    return [row["external_id"] for row in response.json["items"]]


def keys(items: dict[str, str], *names: str) -> set[str]:
    return {items[n] for n in names}


@pytest.mark.parametrize(
    "query,expected",
    [
        ("node=TIU", {"deret", "analogi"}),
        ("node=TIU.NUM", {"deret"}),
        ("node=TIU.NUM.DERET", {"deret"}),
        ("taxonomy=skd-cpns&node=TIU", {"deret", "analogi"}),
        ("taxonomy=asn-2017&node=TIU", None),
        ("node=MANAJERIAL", {"m1_level3", "m1_level4"}),
        ("node=M.1&level=3", {"m1_level3"}),
        ("level=4", {"m1_level4"}),
        ("status=in_review", {"analogi"}),
        ("status=approved", {"m1_level3"}),
        ("status=draft&node=TIU", {"deret"}),
        ("type=single_choice", {"deret", "analogi", "m1_level3", "m1_level4", "nasionalisme"}),
        ("type=likert", set()),
        ("q=DERET", {"deret"}),
        ("q=kerjasama", {"m1_level4"}),
        ("q=100%25", set()),
        ("q=_", set()),
        ("updated_since=2026-01-03T00:00:00Z", {"m1_level3", "m1_level4", "nasionalisme"}),
        ("updated_since=2026-01-04", {"m1_level4", "nasionalisme"}),
    ],
)
def test_filters(
    as_user: Any, world: World, items: dict[str, str], query: str, expected: set[str] | None
) -> None:
    client = as_user("reviewer")
    if expected is None:
        assert_problem(client.get(f"banks/{world.bank.code}/items?{query}"), 422)
        return
    assert set(listed(client, world.bank.code, query)) == keys(items, *expected)


def test_node_filters_checked_row_by_row_find_the_same(
    as_user: Any, world: World, items: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16: a subtree with many classified versions is checked item by item as the
    listing walks the bank (PREFETCH_LIMIT 0 forces it): the same items as when its few
    versions are looked up first."""
    client = as_user("reviewer")
    queries = ("node=TIU", "node=MANAJERIAL", "node=M.1&level=3", "level=4", "node=TIU&q=deret")
    few = [set(listed(client, world.bank.code, q)) for q in queries]
    monkeypatch.setattr(reads, "PREFETCH_LIMIT", 0)
    assert [set(listed(client, world.bank.code, q)) for q in queries] == few
    assert few == [
        keys(items, "deret", "analogi"),
        keys(items, "m1_level3", "m1_level4"),
        keys(items, "m1_level3"),
        keys(items, "m1_level4"),
        keys(items, "deret"),
    ]


def test_author_filter(as_user: Any, world: World, items: dict[str, str]) -> None:
    found = listed(as_user("reviewer"), world.bank.code, f"author={world.author2.username}")
    assert found == [items["analogi"]]


def test_q_matches_the_external_id(as_user: Any, world: World, items: dict[str, str]) -> None:
    found = listed(as_user("reviewer"), world.bank.code, f"q={items['analogi'].lower()}")
    assert found == [items["analogi"]]


def test_q_searches_the_text_not_the_json(
    as_user: Any, world: World, plugins: Any, items: dict[str, str]
) -> None:
    """Issue 18.10: ``q`` matched the content's raw JSON (``key``, ``points``,
    ``options`` found every single-choice item) and, on SQLite, missed ``café`` (the
    JSON is stored ASCII-escaped). It searches the derived text of stem and options."""
    client = as_user("reviewer")
    for structural in ("key", "points", "options", "text", '"id"'):
        assert listed(client, world.bank.code, f"q={structural}") == [], structural
    cafe = make_item(
        world,
        plugins,
        stem="<p>Rapat di <strong>Café</strong> Kopi</p>",
        content={
            **SINGLE_CHOICE,
            "options": [*SINGLE_CHOICE["options"][:3], {"id": "D", "text": "Naïve Ünïcode"}],
        },
    )
    db.session.commit()
    for query in ("café", "CAFÉ", "caf%C3%A9 kopi", "naïve ünïcode", "<strong>"):
        expected = [] if query == "<strong>" else [cafe.external_id]
        assert listed(client, world.bank.code, f"q={query}") == expected, query


def test_pagination_and_total(as_user: Any, world: World, items: dict[str, str]) -> None:
    client = as_user("reviewer")
    pages = []
    for page in (1, 2, 3, 4):
        response = client.get(
            f"banks/{world.bank.code}/items?per_page=2&page={page}&sort=external_id"
        )
        body = response.json
        assert (body["total"], body["pages"], body["page"], body["per_page"]) == (5, 3, page, 2)
        pages.append([row["external_id"] for row in body["items"]])
    assert pages == [
        sorted(items.values())[:2],
        sorted(items.values())[2:4],
        [items["nasionalisme"]],
        [],
    ]


def test_large_totals_are_counted_up_to_a_limit(
    as_user: Any, world: World, items: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting stops at COUNT_LIMIT, so a listing costs the same in any size of bank."""
    client = as_user("reviewer")
    body = client.get(f"banks/{world.bank.code}/items?per_page=2").json
    assert (body["total"], body["total_exact"]) == (5, True)
    monkeypatch.setattr(reads, "COUNT_LIMIT", 4)
    body = client.get(f"banks/{world.bank.code}/items?per_page=2&page=2").json
    assert (body["total"], body["total_exact"], body["pages"]) == (4, False, 2)
    assert len(body["items"]) == 2
    body = client.get(f"banks/{world.bank.code}/items?node=TIU").json
    assert (body["total"], body["total_exact"]) == (2, True)


@pytest.mark.parametrize(
    "sort,order",
    [
        ("-updated_at", ["nasionalisme", "m1_level4", "m1_level3", "analogi", "deret"]),
        ("updated_at", ["deret", "analogi", "m1_level3", "m1_level4", "nasionalisme"]),
        ("created_at", ["deret", "analogi", "m1_level3", "m1_level4", "nasionalisme"]),
        ("-external_id", ["nasionalisme", "m1_level4", "m1_level3", "analogi", "deret"]),
    ],
)
def test_sort(
    as_user: Any, world: World, items: dict[str, str], sort: str, order: list[str]
) -> None:
    assert listed(as_user("reviewer"), world.bank.code, f"sort={sort}") == [items[k] for k in order]


def test_default_sort_is_newest_update_first(
    as_user: Any, world: World, items: dict[str, str]
) -> None:
    assert listed(as_user("reviewer"), world.bank.code)[0] == items["nasionalisme"]


def test_pages_of_tied_items_list_each_item_once_in_order(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Pages without filters are one statement per page size, planned once for any
    bank and start on PostgreSQL (a generic plan, after the driver's first pages):
    every order, with items tied on the sorted time, lists them in the order's ties
    broken by id, each item exactly once across the pages, in pages of several sizes,
    each walked more often than PostgreSQL plans a statement for its values, with the
    same total, page count and full pages as the whole listing."""
    made = [make_item(world, plugins) for _ in range(7)]
    # updated_at: three tied, two tied, two alone; created_at: two groups of ties
    # in another grouping, so each order meets ties somewhere else.
    updated = [2, 2, 2, 0, 1, 1, 3]
    created = [1, 0, 1, 0, 1, 0, 2]
    for item, u, c in zip(made, updated, created, strict=True):
        item.updated_at = T0 + timedelta(days=u)
        item.created_at = T0 + timedelta(days=c)
    db.session.commit()

    def ordered(sort: str) -> list[str]:
        key = sort.lstrip("-")
        if key == "external_id":
            rows = sorted(made, key=lambda item: item.number)
        else:
            rows = sorted(made, key=lambda item: (getattr(item, key), item.id))
        if sort.startswith("-"):
            rows.reverse()
        return [item.external_id for item in rows]

    client = as_user("reviewer")
    for sort in ("-updated_at", "updated_at", "-created_at", "created_at", "-external_id"):
        expected = ordered(sort)
        for per_page in (1, 2, 3, 6):
            pages = -(-len(made) // per_page)
            for _ in range(3):  # each statement run at least 9 times
                walked: list[str] = []
                for page in range(1, pages + 2):  # one page past the end
                    body = client.get(
                        f"banks/{world.bank.code}/items?sort={sort}&per_page={per_page}&page={page}"
                    ).json
                    assert (body["total"], body["total_exact"], body["pages"]) == (
                        len(made),
                        True,
                        pages,
                    )
                    rows = [row["external_id"] for row in body["items"]]
                    start = (page - 1) * per_page
                    assert rows == expected[start : start + per_page], (sort, per_page, page)
                    walked += rows
                assert walked == expected, (sort, per_page)


def test_rows_describe_the_listed_version(
    as_user: Any, world: World, items: dict[str, str]
) -> None:
    response = as_user("reviewer").get(f"banks/{world.bank.code}/items?status=approved")
    (row,) = response.json["items"]
    assert row["version"]["number"] == 1 and row["version"]["status"] == "approved"
    assert row["approved_version"] == 1
    assert row["created_by"] == world.author.username
    assert "stem" not in row and "content" not in row


def test_assemblers_see_only_approved_versions(
    as_user: Any, world: World, plugins: Any, items: dict[str, str]
) -> None:
    assembler = as_user("assembler")
    assert listed(assembler, world.bank.code) == [items["m1_level3"]]
    assert listed(assembler, world.bank.code, "status=draft") == []
    # a new draft of the approved item: others see v2, the assembler still v1
    item = db.session.scalars(sa.select(Item).where(Item.external_id == items["m1_level3"])).one()
    start_new_draft(item, actor=world.author)
    db.session.commit()
    (row,) = assembler.get(f"banks/{world.bank.code}/items").json["items"]
    assert (row["version"]["number"], row["version"]["status"]) == (1, "approved")
    seen = assembler.get(f"items/{items['m1_level3']}").json["latest_version"]
    assert (seen["number"], seen["status"]) == (1, "approved")
    assert [v["number"] for v in assembler.get(f"items/{items['m1_level3']}/versions").json] == [1]
    assert_problem(assembler.get(f"items/{items['m1_level3']}/versions/2"), 404)
    assert_problem(assembler.get(f"items/{items['m1_level3']}/draft"), 403)
    assert_problem(assembler.get(f"items/{items['deret']}"), 404)
    author_view = as_user("author").get(f"items/{items['m1_level3']}").json["latest_version"]
    assert (author_view["number"], author_view["status"]) == (2, "draft")


#: Stems of the corpus the text search is checked on: Indonesian text with the
#: characters a search engine could treat specially (wildcards, quotes, superscripts,
#: accents, hyphens, digits like item codes).
SEARCH_CORPUS = (
    "Pegawai negeri wajib menjaga integritas dan menolak gratifikasi.",
    "Koordinasi antarinstansi dalam pelayanan publik.",
    "Berkoordinasi dengan atasan sebelum mengambil keputusan.",
    "Hitunglah 2⁵ + 3⁴ dan tuliskan hasilnya.",
    "Diskon 100% untuk anak-anak; harga_awal dikurangi.",
    'Kata "kutip" dan tanda \' petik tunggal.',
    "Rapat di Café Kopi pukul 08.00 membahas anggaran 2026.",
    "Nilai 47 dari 100 belum memenuhi ambang batas.",
    "Semangat bela negara dan nasionalisme.",
    "KOORDINASI lintas sektor: pemerintah pusat dan daerah.",
)
SEARCH_QUERIES = (
    "koordinasi",
    "KOORDINASI lintas",
    "ordinasi",
    "gratifikasi",
    "2⁵",
    "⁵ + 3",
    "100%",
    "_",
    "harga_awal",
    '"kutip"',
    "' petik",
    "café",
    "CAFÉ kopi",
    "anak-anak",
    "47",
    "000047",
    "ab",
    "a",
    "tidak ada di mana pun",
    "negara dan",
    "  semangat   bela  ",
)


@pytest.fixture(
    params=[(reads.PREFETCH_LIMIT, 0), (3, 0), (0, 0), (reads.PREFETCH_LIMIT, reads.SMALL_BANK)],
    ids=["looked-up", "few-looked-up", "row-by-row", "small-bank"],
)
def lookups(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """How a filter's matches are found: ``reads.PREFETCH_LIMIT`` (3: many matches are
    checked row by row; 0: every filter is) and ``reads.SMALL_BANK`` (0: no bank is
    small; else the test's bank is, and on PostgreSQL its text is checked row by row;
    ``reads.SEVERAL_WORDS_BANK`` the same)."""
    prefetch, small_bank = request.param
    monkeypatch.setattr(reads, "PREFETCH_LIMIT", prefetch)
    monkeypatch.setattr(reads, "SMALL_BANK", small_bank)
    monkeypatch.setattr(reads, "SEVERAL_WORDS_BANK", small_bank)


def test_q_finds_what_a_substring_search_finds(
    as_user: Any, world: World, plugins: Any, lookups: None
) -> None:
    """Issue 16: the text query goes through the database's own index (FTS5 trigram on
    SQLite, pg_trgm on PostgreSQL) and a query with a digit also finds item codes by any
    part; what it finds is what a substring search of each listed version's search text
    finds, on a corpus with wildcards, quotes, superscripts and accents, after an edit
    changed a draft's text (the index follows every write), with few matches (looked up
    first) and many (checked row by row, also every query whatever PostgreSQL's planner
    estimates for a small table, and a small bank's: ``lookups``); the relevance order
    lists the same items."""
    from itembank.operations.content import search_needle
    from itembank.operations.items import update_draft

    made = [make_item(world, plugins, stem=f"<p>{stem}</p>") for stem in SEARCH_CORPUS]
    # An edit moves a draft's text: found by the new words, no longer by the old ones.
    edited = made[-1]
    update_draft(
        edited.latest_version,
        actor=world.author,
        plugins=plugins,
        base_revision=edited.latest_version.revision,
        stem="<p>Sinergi lintas sektor untuk reformasi birokrasi.</p>",
    )
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        assert reads._sqlite_search_table(), "the SQLite search index is missing"
    client = as_user("reviewer")
    for query in SEARCH_QUERIES:
        needle = search_needle(query)
        code = query.strip().upper()
        expected = {
            item.external_id
            for item in made
            if needle in item.newest_version.search_text
            or (any(c.isdigit() for c in code) and code in item.external_id)
        }
        found = set(listed(client, world.bank.code, f"q={quote(query)}"))
        assert found == expected, query
        # the relevance order lists the same items, each once
        ranked = listed(client, world.bank.code, f"q={quote(query)}&sort=relevance")
        assert sorted(ranked) == sorted(found), query
    assert listed(client, world.bank.code, "q=birokrasi") == [edited.external_id]
    assert listed(client, world.bank.code, "q=KOORDINASI lintas") == []


def test_the_page_is_written_as_its_schema_dumps_it(
    as_user: Any, world: World, plugins: Any, items: dict[str, str]
) -> None:
    """The listing writes its answer itself (itembank.api.items.page_answer, issue 16):
    the same as ItemPageOut's dump of the page, for approved, retired, in-review and
    draft items, for a writer and for an assembler."""
    from flask import current_app

    from itembank.api.items import page_answer
    from itembank.api.schemas import ItemPageOut
    from itembank.operations.reviews import retire_item

    retired = db.session.scalars(sa.select(Item).where(Item.external_id == items["m1_level3"]))
    retire_item(retired.one(), actor=world.bank_admin, reason="Usang.")
    db.session.commit()
    for name in ("author", "assembler"):
        user = world.users[name]
        page = reads.list_items(world.bank, reads.ItemFilters(), actor=user, summary=True)
        dumped = current_app.json.loads(current_app.json.dumps(ItemPageOut().dump(page)))
        written = current_app.json.loads(current_app.json.dumps(page_answer(page)))
        assert written == dumped
        assert as_user(name).get(f"banks/{world.bank.code}/items").json == dumped
        if name == "author":
            shown = {row["external_id"]: row for row in dumped["items"]}
            assert shown[items["m1_level3"]]["retired_at"] is not None
            assert shown[items["m1_level3"]]["approved_version"] == 1


def test_a_plain_page_through_psycopg_is_the_general_paths(
    world: World, items: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL a summary page without filters is sent through psycopg's cursor
    (itembank.driver_statement, issue 16): the same items, values and total as the
    general path's page (SQLAlchemy's execution, the reference here), for a writer and
    an assembler, every order, pages full, partial and past the end."""
    from itembank import driver_statement

    if not driver_statement.available(db.engine):
        pytest.skip("pages go through psycopg's cursor on PostgreSQL only")
    sent_rows = driver_statement.DriverStatement.rows
    sent_pages: list[int] = []

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        rows = sent_rows(self, *args, **kwargs)
        sent_pages.append(len(rows))
        return rows

    monkeypatch.setattr(driver_statement.DriverStatement, "rows", counted)
    item = db.session.scalars(sa.select(Item).where(Item.external_id == items["deret"])).one()
    item.retired_at = T0 + timedelta(days=9)  # a retired item among them
    db.session.commit()
    pages = 0
    for name in ("author", "assembler"):
        user = world.users[name]
        for sort in ("-updated_at", "updated_at", "created_at", "-created_at", "external_id"):
            for page, per_page in ((1, 20), (1, 2), (2, 2), (3, 2), (9, 2)):
                filters = reads.ItemFilters(sort=sort, page=page, per_page=per_page)
                before = len(sent_pages)
                sent = reads.list_items(world.bank, filters, actor=user, summary=True)
                # the page's statement went through psycopg's cursor (the token's is
                # the API's, not sent here)
                assert len(sent_pages) == before + 1
                with monkeypatch.context() as patched:
                    patched.setattr(reads.driver_statement, "available", lambda _engine: False)
                    general = reads.list_items(world.bank, filters, actor=user, summary=True)
                assert {**sent, "items": None} == {**general, "items": None}
                assert len(sent["items"]) == len(general["items"])
                for mine, theirs in zip(sent["items"], general["items"], strict=True):
                    assert {**mine, "version": None} == {**theirs, "version": None}
                    for field in ("number", "status", "created_at", "updated_at"):
                        assert getattr(mine["version"], field) == getattr(theirs["version"], field)
                pages += bool(sent["items"])
    assert pages > 20


#: A seeded corpus for the listing's filters: Indonesian stems (the word, the word inside
#: another, none), classifications in both built-in taxonomies (leaves of a subtree,
#: levels), some approved with a newer draft that moves the item elsewhere.
#: (stem, classifications as (taxonomy, node, level), approved, then the new draft's
#: (stem, classifications) or None).
FILTER_CORPUS: tuple[tuple[str, list[tuple[str, str, int | None]], bool, Any], ...] = (
    (
        "Rapat koordinasi membahas deret angka 2, 4, 8.",
        [("skd-cpns", "TIU.NUM.DERET", None)],
        True,
        ("Soal deret tanpa rapat.", [("skd-cpns", "TWK.NAS", None)]),
    ),
    (
        "Analogi: berkoordinasi seperti orkestra.",
        [("skd-cpns", "TIU.VER.ANALOGI", None)],
        False,
        None,
    ),
    (
        "Menolak gratifikasi dari rekanan.",
        [("asn-2017", "M.1", 3), ("skd-cpns", "TWK.NAS", None)],
        True,
        None,
    ),
    (
        "Koordinasi lintas unit kerja.",
        [("asn-2017", "M.1", 4)],
        True,
        ("Koordinasi lintas unit kerja dan daerah.", [("asn-2017", "M.1", 3)]),
    ),
    ("Integritas pegawai negeri.", [("asn-2017", "M.2", 3)], True, None),
    ("Hitung 47 + 53.", [("skd-cpns", "TIU.NUM", None)], False, None),
    (
        "Melayani warga dengan ramah.",
        [("asn-2017", "M.1", 3)],
        True,
        ("Melayani warga dengan ramah dan koordinasi.", [("skd-cpns", "TIU.NUM.DERET", None)]),
    ),
    (
        "Nasionalisme dan bela negara.",
        [("skd-cpns", "TWK.NAS", None), ("asn-2017", "M.1", 5)],
        False,
        None,
    ),
)
FILTER_QUERIES = (
    "node=TIU",
    "node=TIU.NUM",
    "node=TWK",
    "node=MANAJERIAL",
    "node=M.1&level=3",
    "taxonomy=asn-2017&node=M.1",
    "level=3",
    "q=koordinasi",
    "q=KOORDINASI lintas",
    "node=TIU&q=koordinasi",
    "node=M.1&level=3&q=koordinasi",
    "node=MANAJERIAL&q=gratifikasi",
    "q=47",
    "q=000006",
    "node=TIU&q=00006",
    "node=MANAJERIAL&q=00006",
)


def test_filters_find_what_the_reference_finds(
    as_user: Any, world: World, plugins: Any, lookups: None
) -> None:
    """Issue 16: node (with descendants), level, text and item-code filters, alone and
    together, list exactly the items a plain reading of the listed version finds (the
    newest one; for assemblers the approved one, which a new draft leaves behind), on
    both databases, whether the filters' matches are looked up first or each row is
    checked (``lookups``; on PostgreSQL the planner chooses); with a text query the
    relevance order lists the same items as the default order."""
    from itembank.models import TaxonomyNode
    from itembank.operations.content import search_needle
    from itembank.operations.items import update_draft

    def metadata(where: list[tuple[str, str, int | None]]) -> dict[str, Any]:
        return {"classifications": [classified(*c)["classifications"][0] for c in where]}

    made = []
    for stem, where, approve, redraft in FILTER_CORPUS:
        item = make_item(
            world,
            plugins,
            stem=f"<p>{stem}</p>",
            metadata=metadata(where),
        )
        if approve:
            submitted = submit_version(item.latest_version, actor=world.author)
            review_version(submitted, actor=world.reviewer, decision="approve")
        if redraft:
            draft = start_new_draft(item, actor=world.author)
            update_draft(
                draft,
                actor=world.author,
                plugins=plugins,
                base_revision=draft.revision,
                stem=f"<p>{redraft[0]}</p>",
                metadata=metadata(redraft[1]),
            )
        made.append(item)
    db.session.commit()

    nodes = {n.id: n for n in db.session.scalars(sa.select(TaxonomyNode))}

    def under(node_id: int, code: str) -> bool:
        node: Any = nodes[node_id]
        while node is not None:
            if node.code == code:
                return True
            node = nodes.get(node.parent_id) if node.parent_id else None
        return False

    def expected(query: str, approved_only: bool) -> set[str]:
        args = dict(part.split("=", 1) for part in query.split("&"))
        found = set()
        for item in made:
            version = item.approved_version if approved_only else item.newest_version
            if version is None:
                continue
            classes = [
                c
                for c in version.classifications
                if ("node" not in args or under(c.node_id, args["node"]))
                and ("level" not in args or c.level == int(args["level"]))
                and ("taxonomy" not in args or nodes[c.node_id].taxonomy.code == args["taxonomy"])
            ]
            if ("node" in args or "level" in args) and not classes:
                continue
            if "q" in args:
                code = args["q"].strip().upper()
                in_code = any(ch.isdigit() for ch in code) and code in item.external_id
                if search_needle(args["q"]) not in version.search_text and not in_code:
                    continue
            found.add(item.external_id)
        return found

    for role in ("reviewer", "assembler"):
        client = as_user(role)
        for query in FILTER_QUERIES:
            want = expected(query, approved_only=role == "assembler")
            assert set(listed(client, world.bank.code, quote(query, safe="=&"))) == want, (
                role,
                query,
            )
            if "q=" in query:
                # the relevance order: the same items, each once
                ranked = listed(
                    client, world.bank.code, quote(query, safe="=&") + "&sort=relevance"
                )
                assert sorted(ranked) == sorted(want), (role, query, "relevance")
    # the corpus tells the listed versions apart: the assembler's and the author's differ
    assert expected("node=TIU", False) != expected("node=TIU", True)
    assert expected("q=koordinasi", False) != expected("q=koordinasi", True)
    assert expected("node=TIU&q=00006", False) == {made[5].external_id}
