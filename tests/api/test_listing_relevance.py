"""The listing's relevance order (``sort=relevance``, issue 16's search target): whole
words above words found inside other words and item codes, the engine's score among
them, ties in the default order; the same items as the default order, stable pages."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.models import ItemVersion
from itembank.operations import reads, relevance
from tests.api.conftest import assert_problem
from tests.factories import World, make_item

T0 = datetime(2026, 3, 1, tzinfo=UTC)

#: (key, stem), made in this order, the first changed last (so the default order, most
#: recently changed first, is the reverse of the relevance order within each tier).
CORPUS = (
    ("often", "Koordinasi, koordinasi, dan koordinasi menjadi kunci kerja tim."),
    ("once", "Rapat koordinasi bulanan membahas kerja tim di unit."),
    ("once_twin", "Rapat koordinasi bulanan membahas kerja tim di unit."),
    ("inside", "Pegawai berkoordinasi dengan atasan sebelum mengambil keputusan."),
    ("inside_too", "Koordinasinya buruk sehingga rapat ditunda sampai minggu depan."),
    ("near", "Rapat lain membahas hal lain lalu koordinasi ditunda."),
    ("none", "Integritas pegawai negeri dan menolak gratifikasi."),
)


@pytest.fixture
def corpus(world: World, plugins: Any) -> dict[str, Any]:
    """The corpus's items by key, each changed a day before the one made before it."""
    made = {key: make_item(world, plugins, stem=f"<p>{stem}</p>") for key, stem in CORPUS}
    for days, item in enumerate(made.values()):
        item.created_at = item.updated_at = T0 - timedelta(days=days)
    db.session.commit()
    return made


def listed(client: Any, bank: str, query: str) -> list[str]:
    response = client.get(f"banks/{bank}/items?per_page=100&{query}")
    assert response.status_code == 200, response.json
    return [row["external_id"] for row in response.json["items"]]


def codes(corpus: dict[str, Any], *keys: str) -> list[str]:
    return [corpus[key].external_id for key in keys]


def bank_paths(patched: pytest.MonkeyPatch, small: int, several: int | None = None) -> None:
    """The banks whose relevance order is scored among their own listed versions
    (``reads._small_bank_first_tier_page``): those of at most ``small`` items, and for
    several words on PostgreSQL of at most ``several`` (default ``small``) items."""
    patched.setattr(reads, "SMALL_BANK", small)
    patched.setattr(reads, "SEVERAL_WORDS_BANK", small if several is None else several)


def test_whole_words_rank_above_words_inside_words(
    as_user: Any, world: World, corpus: dict[str, Any]
) -> None:
    """``koordinasi``: three times before once (the engine's score; texts of the same
    length), three equal scores (once each, as long) in the default order, then the
    versions that have it only inside a word (``berkoordinasi``, ``koordinasinya``) in
    the default order; the default order lists the same items."""
    client = as_user("reviewer")
    ranked = listed(client, world.bank.code, "q=koordinasi&sort=relevance")
    assert ranked == codes(corpus, "often", "once", "once_twin", "near", "inside", "inside_too")
    default = listed(client, world.bank.code, "q=koordinasi")
    assert default == codes(corpus, "often", "once", "once_twin", "inside", "inside_too", "near")
    assert sorted(ranked) == sorted(default)
    # the order is the default order's when every match is inside a word
    assert listed(client, world.bank.code, "q=ordinasi&sort=relevance") == listed(
        client, world.bank.code, "q=ordinasi"
    )


def test_more_occurrences_score_higher_on_both_engines(
    as_user: Any, world: World, plugins: Any
) -> None:
    """Texts of the same length, the word once, twice and three times: ranked by
    frequency (ts_rank_cd on PostgreSQL, bm25 on SQLite), whatever the default order."""
    stems = {
        1: "Pelayanan publik yang ramah kepada warga desa setiap hari kerja.",
        3: "Pelayanan publik, pelayanan cepat, pelayanan ramah setiap hari kerja.",
        2: "Pelayanan publik dan pelayanan ramah kepada warga setiap hari kerja.",
    }
    made = {n: make_item(world, plugins, stem=f"<p>{stem}</p>") for n, stem in stems.items()}
    db.session.commit()
    ranked = listed(as_user("reviewer"), world.bank.code, "q=PELAYANAN&sort=relevance")
    assert ranked == [made[n].external_id for n in (3, 2, 1)]


def test_several_words_rank_on_the_words_and_find_the_phrase(
    as_user: Any, world: World, corpus: dict[str, Any], plugins: Any
) -> None:
    """The filter is still the whole query as one substring; the first tier is the
    versions where each of its words is a whole word."""
    inside = make_item(world, plugins, stem="<p>Kapal merapat koordinasinya lancar.</p>")
    db.session.commit()
    client = as_user("reviewer")
    ranked = listed(client, world.bank.code, f"q={quote('rapat  KOORDINASI')}&sort=relevance")
    assert ranked == [*codes(corpus, "once", "once_twin"), inside.external_id]
    assert sorted(ranked) == sorted(listed(client, world.bank.code, "q=rapat%20koordinasi"))


def test_item_codes_alone_rank_below_the_text(
    as_user: Any, world: World, plugins: Any, corpus: dict[str, Any]
) -> None:
    """A query with a digit finds item codes by any part; an item found by its code
    alone comes after the items whose text has the query as a word."""
    coded = corpus["none"]
    number = coded.external_id.rsplit("-", 1)[1]
    worded = make_item(world, plugins, stem=f"<p>Surat nomor {number} sudah dicatat.</p>")
    db.session.commit()
    client = as_user("reviewer")
    ranked = listed(client, world.bank.code, f"q={number}&sort=relevance")
    assert ranked == [worded.external_id, coded.external_id]
    # an item code itself: that item
    assert listed(client, world.bank.code, f"q={coded.external_id}&sort=relevance") == [
        coded.external_id
    ]


def test_one_word_typed_with_more_is_checked_in_the_text(
    as_user: Any, world: World, corpus: dict[str, Any]
) -> None:
    """``koordinasi,`` (one word, typed with a comma): of the versions that have the
    word, only those that hold the query as typed are listed, as in the default order
    (PostgreSQL's one-word path reads the text only then)."""
    client = as_user("reviewer")
    query = "q=" + quote("koordinasi,")
    assert listed(client, world.bank.code, f"{query}&sort=relevance") == codes(corpus, "often")
    assert listed(client, world.bank.code, query) == codes(corpus, "often")


@pytest.mark.parametrize(
    ("candidates", "small_bank"),
    [((200, 10), reads.SMALL_BANK), ((200, 10), 0), ((0, 0), 0), ((1, 1), 0)],
)
def test_pages_are_stable(
    as_user: Any,
    world: World,
    corpus: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    candidates: tuple[int, int],
    small_bank: int,
) -> None:
    """Pages of 1 to 4 items, across the tiers' boundary (the second tier's start worked
    out on a page that holds the first tier's end, and counted on a page past it), put
    together give the whole order, each item once; the total is the default order's.
    The same when the first tier's matches are cut at the best one or two scores
    (``candidates``: (0, 0) leaves only the best, so most pages fall back to every
    match; (1, 1) keeps as many as the page needs, ties included), which a bank above
    ``small_bank`` items takes (else its own versions alone are scored)."""
    client = as_user("reviewer")
    whole = listed(client, world.bank.code, "q=koordinasi&sort=relevance")
    monkeypatch.setattr(reads, "MIN_CANDIDATES", candidates[0])
    monkeypatch.setattr(reads, "CANDIDATES_PER_ROW", candidates[1])
    monkeypatch.setattr(reads, "SMALL_BANK", small_bank)
    for size in (1, 2, 3, 4):
        pages = []
        for number in range(1, 6 // size + 3):
            body = client.get(
                f"banks/{world.bank.code}/items?q=koordinasi&sort=relevance"
                f"&per_page={size}&page={number}"
            ).json
            assert (body["total"], body["total_exact"]) == (6, True)
            pages.append([row["external_id"] for row in body["items"]])
        assert pages[-1] == []
        assert [code for page in pages for code in page] == whole, size
    # a first tier past the count's limit gives the total: "more than"
    monkeypatch.setattr(reads, "COUNT_LIMIT", 2)
    body = client.get(
        f"banks/{world.bank.code}/items?q=koordinasi&sort=relevance&per_page=2&page=2"
    ).json
    assert (body["total"], body["total_exact"]) == (2, False)
    assert [row["external_id"] for row in body["items"]] == whole[2:4]


def test_assemblers_rank_the_approved_version(as_user: Any, world: World, plugins: Any) -> None:
    """The relevance order ranks the version the reader lists: for assemblers the
    approved one, not a newer draft's text."""
    from itembank.operations.items import start_new_draft, update_draft
    from itembank.operations.reviews import review_version, submit_version

    first = make_item(world, plugins, stem="<p>Sinergi antarunit dalam sinergi daerah.</p>")
    second = make_item(world, plugins, stem="<p>Bersinergi dengan sinergi pusat.</p>")
    for item in (first, second):
        review_version(
            submit_version(item.latest_version, actor=world.author),
            actor=world.reviewer,
            decision="approve",
        )
    draft = start_new_draft(first, actor=world.author)
    update_draft(
        draft,
        actor=world.author,
        plugins=plugins,
        base_revision=draft.revision,
        stem="<p>Bersinergi saja.</p>",
    )
    db.session.commit()
    query = "q=sinergi&sort=relevance"
    assert listed(as_user("assembler"), world.bank.code, query) == [
        first.external_id,
        second.external_id,
    ]
    assert listed(as_user("reviewer"), world.bank.code, query) == [
        second.external_id,
        first.external_id,
    ]


def test_relevance_needs_a_text_query(as_user: Any, world: World, corpus: dict[str, Any]) -> None:
    client = as_user("reviewer")
    response = client.get(f"banks/{world.bank.code}/items?sort=relevance")
    assert_problem(response, 422)
    assert response.json["errors"] == [
        {
            "field": "sort",
            "message": "Urutan relevansi hanya berlaku bersama kata pencarian (q).",
            "message_en": "The relevance order needs a search text (q).",
        }
    ]
    # the operation refuses it too (callers other than the API)
    with pytest.raises(reads.InvalidInput):
        reads.list_items(world.bank, reads.ItemFilters(sort="relevance"), actor=world.reviewer)
    # the API's default order is unchanged
    assert listed(client, world.bank.code, "q=koordinasi") == listed(
        client, world.bank.code, "q=koordinasi&sort=-updated_at"
    )


def test_the_word_index_follows_every_write(world: World, plugins: Any) -> None:
    """The word index (SQLite: FTS5 table and triggers; PostgreSQL: the generated
    tsvector) holds the words of what was written, edited and inserted in bulk."""
    from itembank.operations.items import update_draft

    item = make_item(world, plugins, stem="<p>Transparansi anggaran.</p>")
    db.session.commit()
    words = relevance.word_query("transparansi")
    assert words is not None, "the word index is missing"

    def found(word: str) -> set[int]:
        query = relevance.word_query(word)
        assert query is not None
        return set(db.session.scalars(sa.select(query.scored().c.version_id)))

    version = item.latest_version
    assert version.id in found("transparansi")
    update_draft(
        version,
        actor=world.author,
        plugins=plugins,
        base_revision=version.revision,
        stem="<p>Akuntabilitas anggaran.</p>",
    )
    db.session.commit()
    assert version.id not in found("transparansi")
    assert version.id in found("akuntabilitas")


#: Words around the query's in the seeded corpus below.
FILLER = [
    "pegawai",
    "unit",
    "kerja",
    "laporan",
    "warga",
    "layanan",
    "membahas",
    "bulanan",
    "lintas",
    "bidang",
    "dan",
    "yang",
    "di",
    "untuk",
    "anggaran",
    "pimpinan",
    "keluhan",
    "arsip",
]
#: Where the words of ``rapat koordinasi`` / ``pada rapat koordinasi`` stand in a stem
#: (``{}``: a few other words): together once or more, one of them again elsewhere,
#: apart (the query then only inside words: ``merapat koordinasi``, ``sepada rapat
#: koordinasinya``), reversed, absent.
SHAPES = (
    "rapat koordinasi",
    "pada rapat koordinasi",
    "Rapat koordinasi {} rapat koordinasi {} rapat koordinasi",
    "rapat koordinasi {} koordinasi",
    "pada rapat koordinasi {} pada",
    "koordinasi rapat {} rapat koordinasi",
    "merapat koordinasi {} rapat",
    "merapat koordinasi {} rapat {} koordinasi",
    "pada {} merapat koordinasi {} rapat",
    "pada {} sepada rapat koordinasinya {} koordinasi",
    "rapat {} koordinasi",
    "koordinasinya {} rapat",
)


def seeded_stems(seed: int, count: int) -> list[str]:
    """``count`` Indonesian stems, each a shape of :data:`SHAPES` (every shape as often)
    among other words, in a seeded order."""
    rng = random.Random(seed)

    def words(low: int, high: int) -> str:
        return " ".join(rng.choice(FILLER) for _ in range(rng.randint(low, high)))

    stems = []
    for n in range(count):
        shape = SHAPES[n % len(SHAPES)]
        while "{}" in shape:
            shape = shape.replace("{}", words(1, 6), 1)
        stems.append(f"{words(0, 8)} {shape} {words(0, 8)}.".strip().capitalize())
    rng.shuffle(stems)
    return stems


def spy_on(monkeypatch: pytest.MonkeyPatch, names: tuple[str, ...], used: list[str]) -> None:
    """Each of ``reads``' functions ``names`` appends its name to ``used`` when called."""
    for name in names:
        real = getattr(reads, name)

        def spied(*args: Any, _real: Any = real, _name: str = name) -> Any:
            used.append(_name)
            return _real(*args)

        monkeypatch.setattr(reads, name, spied)


@pytest.mark.parametrize(("seed", "candidates"), [(16, (200, 10)), (2026, (0, 0)), (7, (1, 1))])
def test_several_words_pages_equal_scoring_every_match(
    world: World,
    plugins: Any,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    candidates: tuple[int, int],
) -> None:
    """PostgreSQL scores only the versions that repeat one of several words and reads
    the others in the default order (``reads._several_words_first_tier_page``): on a
    seeded corpus with every part of the tier (scores above, at and below the best a
    version with each word once can have, ties in the default order), every page of
    every size is the page that scoring every match gives, also when those above are
    cut at the best one or two scores (``candidates``, as in test_pages_are_stable).
    The same pages when the bank's own versions alone are scored, as a bank of at most
    ``reads.SMALL_BANK`` items is (``reads._small_bank_first_tier_page``), and on
    PostgreSQL for several words one of at most ``reads.SEVERAL_WORDS_BANK``, and the
    listing's total with the count's limit below and above the tier."""
    made = [make_item(world, plugins, stem=f"<p>{stem}</p>") for stem in seeded_stems(seed, 48)]
    for n, item in enumerate(made):
        # pairs changed at the same time: ties in the default order too (then by id)
        item.created_at = item.updated_at = T0 - timedelta(hours=n // 2)
    db.session.commit()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    used: list[str] = []

    def pages(query: str, size: int) -> list[list[str]]:
        out = []
        for number in range(1, 48 // size + 3):
            found = reads.list_items(
                world.bank,
                reads.ItemFilters(q=query, sort="relevance", per_page=size, page=number),
                actor=world.reviewer,
            )
            out.append([row["external_id"] for row in found["items"]])
            if not out[-1]:
                break
        return out

    for query in ("rapat koordinasi", "pada rapat koordinasi", "koordinasi rapat"):
        words = relevance.word_query(query)
        assert words is not None
        assert words.by_single_cover is postgres
        if postgres and query != "koordinasi rapat":
            # the corpus has each part of the tier (the query in the text, each word a
            # whole word): scores above, at and below the best of a version with each
            # word once
            scored = words.scored()
            scores = set(
                db.session.scalars(
                    sa.select(scored.c.score)
                    .join(ItemVersion, ItemVersion.id == scored.c.version_id)
                    .where(sa.func.strpos(ItemVersion.search_text, query) > 0)
                )
            )
            best = relevance.SINGLE_COVER_BEST
            assert any(s > best + 1e-6 for s in scores), query
            assert any(abs(s - best) < 1e-6 for s in scores), query
            assert any(s < best - 1e-6 for s in scores), query
        with monkeypatch.context() as patched:
            # every match scored (the bank is not taken for a small one)
            patched.setattr(relevance.WordQuery, "by_single_cover", property(lambda _: False))
            bank_paths(patched, 0)
            expected = {size: pages(query, size) for size in (1, 3, 7, 100)}
        with monkeypatch.context() as patched:
            spy_on(patched, ("_several_words_first_tier_page", "_small_bank_first_tier_page"), used)
            patched.setattr(reads, "MIN_CANDIDATES", candidates[0])
            patched.setattr(reads, "CANDIDATES_PER_ROW", candidates[1])
            # every bank on the path of big ones; this one small; this one among those
            # that several words (PostgreSQL) score among their own versions
            several_words = reads.SEVERAL_WORDS_BANK
            for small_bank, several in ((0, 0), (reads.SMALL_BANK, 0), (0, several_words)):
                bank_paths(patched, small_bank, several)
                for size, want in expected.items():
                    assert pages(query, size) == want, (query, size, small_bank, several)
                tier = "_small_bank_first_tier_page"
                if not small_bank and not (several and postgres):
                    tier = "_several_words_first_tier_page" if postgres else ""
                assert set(used) == ({tier} if tier else set()), (query, small_bank)
                used.clear()
                # the tier's count to a limit below it (on PostgreSQL reached among the
                # versions that repeat a word) and above it: the total, as the
                # listing's, and the same page
                whole = len(expected[100][0])
                for limit in (2, whole):
                    patched.setattr(reads, "COUNT_LIMIT", limit)
                    found = reads.list_items(
                        world.bank,
                        reads.ItemFilters(q=query, sort="relevance", per_page=3),
                        actor=world.reviewer,
                    )
                    ids = [row["external_id"] for row in found["items"]]
                    assert ids == expected[3][0], (query, small_bank, limit)
                    assert (found["total"], found["total_exact"]) == (
                        min(whole, limit),
                        whole <= limit,
                    ), (query, small_bank, limit)
                patched.setattr(reads, "COUNT_LIMIT", 1_000)
                used.clear()
        assert [code for page in expected[1] for code in page] == expected[100][0]


@pytest.mark.parametrize("small_bank", [0, reads.SMALL_BANK])
def test_postgres_sends_the_listings_checks_and_settings_once(
    world: World, corpus: dict[str, Any], monkeypatch: pytest.MonkeyPatch, small_bank: int
) -> None:
    """PostgreSQL (issue 16: a relevance listing's fixed cost is its round trips): the
    word index's and the trigram index's checks, the query's words and the planner's
    settings come in one statement, asked again by every listing (a migration may
    drop an index between two); ``random_page_cost`` is set for the first tier only
    and set back after it, also when the listing is refused after setting it (an
    unknown node); the pages are those of the checks sent one by one. The same for a
    bank of at most ``small_bank`` items (its own versions alone scored, its text
    checked row by row)."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's settings and indexes")
    bank_paths(monkeypatch, small_bank)
    from contextlib import ExitStack

    from tests.api.test_access import statements

    def setting(name: str) -> str:
        return str(db.session.scalar(sa.text("SELECT current_setting(:name)"), {"name": name}))

    cost = setting("random_page_cost")
    cases = [
        dict(q="rapat koordinasi", sort="relevance"),
        dict(q="rapat koordinasi", sort="relevance", page=3, per_page=1),
        dict(q="koordinasi", sort="relevance", page=2, per_page=2),
        dict(q="tim", sort="relevance", per_page=3),
        dict(q="koordinasi"),
    ]
    for case in cases:
        filters = reads.ItemFilters(**case)  # type: ignore[arg-type]
        with statements() as sent:
            found = reads.list_items(world.bank, filters, actor=world.reviewer)
        checks = [s for s in sent if "to_regclass" in s]
        assert len(checks) == 1, (case, sent)
        assert not [s for s in sent if s.startswith("SELECT current_setting")], case
        # whether the bank is small: asked with the checks, never on its own; a small
        # bank's text is checked row by row (no estimate nor look-up in the index)
        asked = [s for s in sent if "bank_items" in s]
        assert asked == [s for s in sent if "set_config('plan_cache_mode'" in s], case
        assert any(s.startswith("EXPLAIN") for s in sent) is not bool(small_bank), case
        # plan settings once, with the checks; the cost set back once, on its own
        assert sum("set_config('plan_cache_mode'" in s for s in sent) == 1, case
        assert sum("set_config('random_page_cost'" in s for s in sent) == (
            2 if case.get("sort") else 0
        ), case
        tiers = [s for s in sent if "cover_scored" in s or "word_matches" in s]
        if small_bank and case.get("sort"):
            # the page with the tier's count; past the tier's end, its exact count
            assert len(tiers) == 1 + (case.get("page") == 3), sent
            assert all("among_words" in s for s in tiers), sent
        elif case["q"] == "rapat koordinasi":
            # several words: those above the cut with the tier's count, then (when
            # they do not fill the page) every other part in one statement
            assert 1 <= len(tiers) <= 2, sent
            assert all("tier_part_" in s for s in tiers[1:]), sent
        assert setting("random_page_cost") == cost
        assert setting("jit") == "off"  # for the rest of the transaction, as before
        with ExitStack() as one_by_one:  # the listing without its state: each check alone
            one_by_one.enter_context(pytest.MonkeyPatch.context()).setattr(
                reads, "_PostgresListing", lambda: None
            )
            assert reads.list_items(world.bank, filters, actor=world.reviewer) == found
    with pytest.raises(InvalidInput):
        reads.list_items(
            world.bank,
            reads.ItemFilters(q="rapat koordinasi", sort="relevance", node="NO-SUCH-NODE"),
            actor=world.reviewer,
        )
    assert setting("random_page_cost") == cost


def test_postgres_first_tier_runs_without_workers_and_with_look_ups(
    world: World, corpus: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: several words' first tier, for a page within the first
    ``reads.LOOKUP_ROWS`` repeating versions, runs without parallel workers and with
    joins as look-ups only (no hash or merge join: the planner would hash every match
    of words it takes as independent to count to the limit), whether the listing's
    first statement sets them or, without the listing's state, the tier itself; a
    deeper page, and one word, as before (``random_page_cost`` alone). Every setting is
    as before once the tier is done, and the pages are the order worked out from every
    match's score. The same settings for a small bank's tier (its own versions alone
    scored, ``reads._small_bank_first_tier_page``)."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's settings")
    names = (
        "random_page_cost",
        "max_parallel_workers_per_gather",
        "enable_hashjoin",
        "enable_mergejoin",
    )

    def settings() -> dict[str, str]:
        return {
            name: str(db.session.scalar(sa.text("SELECT current_setting(:n)"), {"n": name}))
            for name in names
        }

    before = settings()
    assert before["enable_hashjoin"] == before["enable_mergejoin"] == "on"
    assert before["max_parallel_workers_per_gather"] != "0"
    seen: list[tuple[str, dict[str, str]]] = []

    def spy(tier: str) -> None:
        run = getattr(reads, tier)

        def spied(*args: Any) -> Any:
            seen.append((tier, settings()))
            return run(*args)

        monkeypatch.setattr(reads, tier, spied)

    spy("_several_words_first_tier_page")
    spy("_one_word_first_tier_page")
    spy("_small_bank_first_tier_page")
    cached = {**before, "random_page_cost": "1.1"}
    lookups = {
        "random_page_cost": "1.1",
        "max_parallel_workers_per_gather": "0",
        "enable_hashjoin": "off",
        "enable_mergejoin": "off",
    }
    # (query, page size, page, other filters): the tier's settings; a bank of at most
    # reads.SMALL_BANK items (the corpus's: unless set to 0 below), as for the others
    small = "_small_bank_first_tier_page"
    small_cases = [
        ("rapat koordinasi", 100, 1, {}, (small, lookups)),
        ("rapat koordinasi", 1, 101, {}, (small, cached)),
        ("rapat koordinasi", 100, 1, {"status": "draft"}, (small, cached)),
        ("koordinasi", 100, 1, {}, (small, cached)),
    ]
    cases = [
        ("rapat koordinasi", 100, 1, {}, ("_several_words_first_tier_page", lookups)),
        ("rapat koordinasi", 1, 100, {}, ("_several_words_first_tier_page", lookups)),
        ("rapat koordinasi", 1, 101, {}, ("_several_words_first_tier_page", cached)),
        (
            "rapat koordinasi",
            100,
            1,
            {"status": "draft"},
            ("_several_words_first_tier_page", cached),
        ),
        ("koordinasi", 100, 1, {}, ("_one_word_first_tier_page", cached)),
    ]
    monkeypatch.setattr(reads, "LOOKUP_ROWS", 1_000)
    for listing_state, small_bank in ((True, 0), (False, 0), (True, None), (False, None)):
        with monkeypatch.context() as patched:
            if not listing_state:  # each setting read and set by the tier itself
                patched.setattr(reads, "_PostgresListing", lambda: None)
            if small_bank is not None:
                bank_paths(patched, small_bank)
            for query, size, page, other, tier in small_cases if small_bank is None else cases:
                seen.clear()
                found = reads.list_items(
                    world.bank,
                    reads.ItemFilters(q=query, sort="relevance", per_page=size, page=page, **other),
                    actor=world.reviewer,
                )
                ranked = [row["external_id"] for row in found["items"]]
                whole = _scored_every_match(world, query, **other)
                assert ranked == whole[(page - 1) * size : page * size], (query, page)
                assert found["total"] == len(whole)
                assert seen == [tier], (query, size, page, listing_state)
                assert settings() == before, (query, listing_state)


#: Short texts that repeat the words: in another bank, they score above every version of
#: the seeded corpus, so the best matches of the whole word index (where the first tier's
#: cut is taken) are not the listed bank's.
NEIGHBOUR_STEMS = (
    "Pada rapat koordinasi, koordinasi.",
    "Rapat koordinasi pada rapat koordinasi.",
    "Koordinasi rapat koordinasi pada rapat.",
)


def _scored_every_match(world: World, query: str, **other: Any) -> list[str]:
    """The relevance order worked out from every match's score (reference): the listed
    versions of the bank that have each word of ``query`` as a whole word (the word
    index's matches, each with the engine's own score) and the query as typed, best
    score first, ties in the default order (most recently changed, then the newest
    item); then the rest of what the default order lists, in that order. ``other``: a
    ``status`` the listed version has, for both tiers."""
    from itembank.models import Item
    from itembank.operations.content import search_needle

    needle = search_needle(query)
    words = relevance.word_query(needle)
    assert words is not None
    scored = words.scored()
    scores = dict(db.session.execute(sa.select(scored.c.version_id, scored.c.score)).all())
    items = db.session.scalars(sa.select(Item).where(Item.bank_id == world.bank.id)).all()
    assert set(other) <= {"status"}
    first = [
        item
        for item in items
        if item.newest_version_id in scores
        and needle in item.newest_version.search_text
        and other.get("status", item.newest_version.status) == item.newest_version.status
    ]
    first.sort(
        key=lambda item: (-scores[item.newest_version_id], -item.updated_at.timestamp(), -item.id)
    )
    ranked = [item.external_id for item in first]
    default = reads.list_items(
        world.bank, reads.ItemFilters(q=query, per_page=1000, **other), actor=world.reviewer
    )
    rest = [row["external_id"] for row in default["items"] if row["external_id"] not in ranked]
    assert len(ranked) + len(rest) == default["total"]
    return ranked + rest


@pytest.mark.parametrize(
    ("seed", "candidates", "small_bank", "several"),
    [
        (16, (200, 10), reads.SMALL_BANK, 0),
        (16, (200, 10), 0, 0),
        (16, (200, 10), 0, reads.SEVERAL_WORDS_BANK),
        (2026, (0, 0), 0, 0),
        (7, (1, 1), reads.SMALL_BANK, 0),
        (7, (1, 1), 0, 0),
        (7, (1, 1), 0, reads.SEVERAL_WORDS_BANK),
        (12, (4, 1), 0, 0),
    ],
)
def test_pages_equal_scoring_every_match_beside_a_better_bank(
    world: World,
    plugins: Any,
    monkeypatch: pytest.MonkeyPatch,
    seed: int,
    candidates: tuple[int, int],
    small_bank: int,
    several: int,
) -> None:
    """Every page of every size is the page that scoring every match gives (worked out
    here from the word index's scores, :func:`_scored_every_match`): one, two and three
    words and an item code, on a seeded Indonesian corpus with ties in the score and in
    the default order, beside another bank whose versions score best. The first tier's
    cut (of every bank) then keeps few or none of this bank's matches (``candidates``:
    the cut's rank, as in test_pages_are_stable), and the page is every match's. On
    SQLite the matches are scored by one statement per page, also then
    (``reads._sqlite_first_tier_page``; before, a second statement scored them all
    again). A bank of at most ``small_bank`` items (this one, unless it is 0) is scored
    among its own listed versions alone (``reads._small_bank_first_tier_page``, on both
    engines), on PostgreSQL for several words one of at most ``several``, a bigger one
    by the cut (on PostgreSQL one word's, several words' or the general page)."""
    neighbour = World()
    for stem in NEIGHBOUR_STEMS * 3:
        make_item(neighbour, plugins, stem=f"<p>{stem}</p>")
    made = [make_item(world, plugins, stem=f"<p>{stem}</p>") for stem in seeded_stems(seed, 36)]
    number = made[4].external_id.rsplit("-", 1)[1]
    made.append(make_item(world, plugins, stem=f"<p>Surat nomor {number} rapat koordinasi.</p>"))
    for n, item in enumerate(made):
        # pairs changed at the same time: ties in the default order too (then by id)
        item.created_at = item.updated_at = T0 - timedelta(hours=n // 2)
    db.session.commit()
    monkeypatch.setattr(reads, "MIN_CANDIDATES", candidates[0])
    monkeypatch.setattr(reads, "CANDIDATES_PER_ROW", candidates[1])
    bank_paths(monkeypatch, small_bank, several)
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    scoring: list[str] = []
    used: list[str] = []
    tier_pages = (
        "_small_bank_first_tier_page",
        "_sqlite_first_tier_page",
        "_one_word_first_tier_page",
        "_several_words_first_tier_page",
        "_first_tier_page",
    )
    spy_on(monkeypatch, tier_pages, used)

    def counted(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "bm25(" in statement:
            scoring.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", counted)
    try:
        for query in ("koordinasi", "rapat koordinasi", "pada rapat koordinasi", number):
            whole = _scored_every_match(world, query)
            assert whole, query
            for size in (1, 3, 7, 100):
                pages = []
                for page in range(1, len(whole) // size + 3):
                    scoring.clear()
                    found = reads.list_items(
                        world.bank,
                        reads.ItemFilters(q=query, sort="relevance", per_page=size, page=page),
                        actor=world.reviewer,
                        summary=True,
                    )
                    assert (found["total"], found["total_exact"]) == (len(whole), True)
                    ids = [row["external_id"] for row in found["items"]]
                    assert ids == whole[(page - 1) * size : page * size], (query, size, page)
                    pages.append(ids)
                    assert len(scoring) <= (1 if sqlite else 0), (query, size, page)
                assert [code for ids in pages for code in ids] == whole, (query, size)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counted)
    if small_bank:
        assert set(used) == {"_small_bank_first_tier_page"}
    elif sqlite:
        assert set(used) == {"_sqlite_first_tier_page"}
    elif several:
        assert set(used) == {"_one_word_first_tier_page", "_small_bank_first_tier_page"}
    else:
        assert set(used) == {"_one_word_first_tier_page", "_several_words_first_tier_page"}


def test_scores_among_candidates_as_among_every_match(world: World, plugins: Any) -> None:
    """The engine's score computed for some of the matches alone
    (``WordQuery.scored_among``, what a small bank's page scores) gives each the score
    that scoring every match gives (SQLite's ``bm25()`` with the whole index's
    statistics; PostgreSQL's ``ts_rank_cd``), on one, two and three words; versions
    that are not matches are not scored."""
    made = [make_item(world, plugins, stem=f"<p>{stem}</p>") for stem in seeded_stems(5, 36)]
    db.session.commit()
    ids = [item.latest_version.id for item in made]
    for query in ("koordinasi", "rapat koordinasi", "pada rapat koordinasi"):
        words = relevance.word_query(query)
        assert words is not None
        every = words.scored()
        scores = dict(db.session.execute(sa.select(every.c.version_id, every.c.score)).all())
        assert len(scores) > 6, query
        assert len(set(scores.values())) > 2, query  # scores that tell versions apart
        chosen = ids[::3]
        among = words.scored_among(sa.select(ItemVersion.id).where(ItemVersion.id.in_(chosen)))
        found = dict(db.session.execute(sa.select(among.c.version_id, among.c.score)).all())
        assert found == {i: scores[i] for i in chosen if i in scores}, query
        assert set(found) < set(scores), query
