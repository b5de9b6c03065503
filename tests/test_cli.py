"""The command line, against a database migrated from empty by ``flask db upgrade``.

Each test gets a database of its own (a SQLite file, a PostgreSQL schema or database):
empty, or a copy of one migrated (with the demo loaded) once for the run, and builds in
it what it needs through the fixtures below, so the tests pass in any order and alone
(``tests/test_cli_order.py`` runs the CLI files in reverse).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from itembank.demo import demo_media
from itembank.extensions import db
from itembank.models import AuditEvent, Bank, Item, ItemVersion, Media, Membership, User
from tests.conftest import (
    POSTGRES_URL,
    SKIP_POSTGRES,
    Backend,
    _normalise,
    _postgres_backend,
    _sqlite_backend,
    make_app,
)

DEMO_PASSWORD = "demo-pass-123"


@pytest.fixture(params=["sqlite", "postgres"])
def empty_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """A brand-new, empty database of the test's own, per backend."""
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(SKIP_POSTGRES)
        backend = _postgres_backend()
    else:
        backend = _sqlite_backend(tmp_path_factory.mktemp("cli"))
    app = make_app(backend)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    backend.cleanup()


@pytest.fixture(params=["sqlite", "postgres"])
def cli_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The test's own database, migrated from empty by ``flask db upgrade``: on SQLite a
    copy of a file migrated once for the run, on PostgreSQL a schema of its own migrated
    for the test (``test_migrations_build_the_schema_from_empty`` and
    ``test_commands_on_an_unmigrated_database_fail_cleanly`` start from empty)."""
    yield from _copied_app(request.param, "migrated", tmp_path_factory)


@pytest.fixture(params=["sqlite", "postgres"])
def demo_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """The test's own migrated database holding the demo bank (users' password
    :data:`DEMO_PASSWORD`): a copy of one that ``flask db upgrade`` and ``itembank demo``
    built once for the run.

    Loading the demo (500 simulated candidates among the rest) costs seconds of CPU; a
    copy of the file (SQLite) or of a template database (PostgreSQL) a fraction of one.
    ``test_demo_loads_a_realistic_bank`` and ``tests/test_cli_forms.py`` still load it
    into an empty database through the command line.
    """
    yield from _copied_app(request.param, "demo", tmp_path_factory)


def _copied_app(
    backend_name: str, template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """An app on a database of the test's own, as the run's ``template`` ("migrated" or
    "demo") left it, to change as it likes."""
    if backend_name == "sqlite":
        path = tmp_path_factory.mktemp("cli") / "itembank-test.sqlite3"
        _copy_sqlite(_sqlite_template(template, tmp_path_factory), path)
        backend = Backend("sqlite", f"sqlite:///{path}", {}, lambda: None)
    elif not POSTGRES_URL:
        pytest.skip(SKIP_POSTGRES)
    elif template == "migrated":
        # A schema migrated in place: on PostgreSQL that costs less than a copied
        # database, whose DROP DATABASE waits for a checkpoint.
        backend = _postgres_backend()
    else:
        backend = _postgres_copy(_postgres_template(template))
    app = make_app(backend)
    if backend.name == "postgres" and template == "migrated":
        ok(app, "db", "upgrade")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    backend.cleanup()


def _database_url(name: str) -> str:
    """The PostgreSQL test URL with another database."""
    return (
        sa.make_url(_normalise(POSTGRES_URL))
        .set(database=name)
        .render_as_string(hide_password=False)
    )


def _build(backend: Backend, template: str) -> None:
    """Migrate an empty database, and for "demo" load the demo, through the command line."""
    app = make_app(backend)
    ok(app, "db", "upgrade")
    if template == "demo":
        ok(app, "itembank", "demo", "--password", DEMO_PASSWORD)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API (a WAL file included)."""
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


def _sqlite_template(template: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's ``template`` database file, built by the first test process that needs
    it; the others (pytest-xdist workers share the base temporary folder's parent) wait
    for it."""
    base = tmp_path_factory.getbasetemp()
    folder = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    path = folder / f"itembank-{template}-template.sqlite3"
    with (folder / f"itembank-{template}-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            building = folder / f"itembank-{template}-template-{os.getpid()}.sqlite3"
            _build(Backend("sqlite", f"sqlite:///{building}", {}, None), template)
            building.rename(path)
    return path


#: This process's PostgreSQL template databases, by template.
_POSTGRES_TEMPLATES: dict[str, str] = {}


def _postgres_template(template: str) -> str:
    """This test process's PostgreSQL template database, built on first use and dropped
    when the process ends. A template must have no connections while it is copied, so
    each process has its own."""
    if template in _POSTGRES_TEMPLATES:
        return _POSTGRES_TEMPLATES[template]
    name, drop = _new_database(template)
    atexit.register(drop)
    url = _database_url(name)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    engine.dispose()
    _build(Backend("postgres", url, {}, None), template)
    _POSTGRES_TEMPLATES[template] = name
    return name


def _postgres_copy(template: str) -> Backend:
    """A new database copied from ``template``, dropped by the backend's cleanup."""
    name, drop = _new_database("cli", template)
    # as conftest's test schemas: commits need not wait for the disk
    options = {"connect_args": {"options": "-csynchronous_commit=off"}, "pool_pre_ping": True}
    return Backend("postgres", _database_url(name), options, drop)


def _new_database(prefix: str, template: str | None = None) -> tuple[str, Callable[[], None]]:
    """Create a PostgreSQL database (a copy of ``template`` if given); its name, and a
    function that drops it."""
    name = f"itembank_{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(_normalise(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"{copy}')

    def drop() -> None:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return name, drop


def run(app: Flask, *args: str, input: str | None = None) -> Result:
    return app.test_cli_runner().invoke(args=list(args), input=input, catch_exceptions=False)


def ok(app: Flask, *args: str) -> str:
    result = run(app, *args)
    assert result.exit_code == 0, result.output
    return result.output


def fails(app: Flask, *args: str) -> str:
    result = run(app, *args)
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith("Error: ")
    return result.output


def test_migrations_build_the_schema_from_empty(empty_app: Flask) -> None:
    cli_app = empty_app
    ok(cli_app, "db", "upgrade")
    with cli_app.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"bank", "item", "item_version", "review", "audit_event", "taxonomy_node"} <= tables
    assert {"passage", "passage_version", "passage_review", "passage_contributor"} <= tables
    # the models and the migrations agree exactly
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from itembank.models.items import include_in_schema_comparison

    with cli_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": include_in_schema_comparison},
        )
        assert compare_metadata(context, db.metadata) == []
    # the passages migration (0018) goes down and up on its own, leaving the rest as it
    # was: on SQLite the search triggers on item_version (0015) survive both ways
    triggers = _search_triggers(cli_app)
    ok(cli_app, "db", "downgrade", "0017")
    with cli_app.app_context():
        inspector = sa.inspect(db.engine)
        assert not {"passage", "passage_version"} & set(inspector.get_table_names())
        columns = {c["name"] for c in inspector.get_columns("item_version")}
        assert "passage_version_id" not in columns
        db.engine.dispose()
    # (0022's word index went down first, with its triggers)
    assert _search_triggers(cli_app) == {t for t in triggers if "_words_" not in t}
    ok(cli_app, "db", "upgrade")
    assert _search_triggers(cli_app) == triggers
    with cli_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_name": include_in_schema_comparison},
        )
        assert compare_metadata(context, db.metadata) == []
    ok(cli_app, "db", "downgrade", "base")
    with cli_app.app_context():
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()
    ok(cli_app, "db", "upgrade")


def _bank_with_author(app: Flask, code: str, username: str) -> str:
    """A new bank ``code`` with an author ``username`` (password ``s3cret-pass``);
    returns the database's dialect name."""
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_bank, create_user

    with app.app_context():
        bank = create_bank(code, f"Bank {code.lower()}", actor=None)
        author = create_user(username, "s3cret-pass", actor=None)
        add_member(bank, author, Role.AUTHOR, actor=None)
        db.session.commit()
        dialect = db.engine.dialect.name
        db.session.remove()
        db.engine.dispose()
    return dialect


def test_migration_0022_word_index_down_and_up(cli_app: Flask) -> None:
    """0022 adds the word index the relevance order reads (SQLite: an FTS5 table and
    its triggers; PostgreSQL: a side table of tsvectors with a GIN index and a trigger) and indexes
    the versions already there; down removes it all, and the listing's relevance order
    then falls back to the default order; up again indexes what was written meanwhile."""
    from itembank.operations import reads, relevance
    from itembank.operations.items import create_item
    from itembank.plugins import PluginHost

    host: PluginHost = cli_app.extensions["itembank.plugins"]

    def make(bank_code: str, stem: str) -> str:
        with cli_app.app_context():
            bank = db.session.scalar(sa.select(Bank).where(Bank.code == bank_code))
            author = db.session.scalar(sa.select(User).where(User.username == "penulis-kata"))
            item = create_item(
                bank, actor=author, plugins=host, item_type="true_false",
                stem=stem, content={"key": True},
            )  # fmt: skip
            db.session.commit()
            code = item.external_id
            db.session.remove()
            db.engine.dispose()
        return code

    def ranked() -> list[str]:
        with cli_app.app_context():
            bank = db.session.scalar(sa.select(Bank).where(Bank.code == "KATA"))
            author = db.session.scalar(sa.select(User).where(User.username == "penulis-kata"))
            page = reads.list_items(
                bank, reads.ItemFilters(q="sinergi", sort="relevance"), actor=author
            )
            db.session.remove()
            db.engine.dispose()
        return [row["external_id"] for row in page["items"]]

    def word_index() -> set[str]:
        with cli_app.app_context():
            inspector = sa.inspect(db.engine)
            found = {t for t in inspector.get_table_names() if t.endswith("_words")}
            if found and db.engine.dialect.name == "postgresql":
                found |= {i["name"] for i in inspector.get_indexes(relevance.WORD_TABLE)}
                found |= set(
                    db.session.scalars(
                        sa.text(
                            "SELECT tgname FROM pg_trigger "
                            "WHERE tgrelid = 'item_version'::regclass AND NOT tgisinternal"
                        )
                    )
                )
            db.session.remove()
            db.engine.dispose()
        return found | {t for t in _search_triggers(cli_app) if "_words_" in t}

    sqlite = _bank_with_author(cli_app, "KATA", "penulis-kata") == "sqlite"
    word = make("KATA", "<p>Sinergi antarunit.</p>")
    inside = make("KATA", "<p>Bersinergi dengan unit lain.</p>")
    expected_index = (
        {relevance.WORD_TABLE, *(f"{relevance.WORD_TABLE}_{t}" for t in ("ai", "ad", "au"))}
        if sqlite
        else {
            relevance.WORD_TABLE,
            relevance.POSTGRES_WORD_INDEX,
            f"ix_{relevance.WORD_TABLE}_repeated",
            f"{relevance.WORD_TABLE}_sync",
            f"{relevance.WORD_TABLE}_insert",  # 0023: inserted versions, per statement
        }
    )
    assert word_index() == expected_index
    assert ranked() == [word, inside]

    ok(cli_app, "db", "downgrade", "0021")
    assert word_index() == set()
    assert ranked() == [inside, word]  # the default order: the newest change first
    later = make("KATA", "<p>Sinergi, sinergi, dan sinergi.</p>")
    assert ranked() == [later, inside, word]

    ok(cli_app, "db", "upgrade")
    assert word_index() == expected_index
    # what was written while the index was down is indexed: three times ranks first
    assert ranked() == [later, word, inside]
    make("KATA", "<p>Bersinergi lagi.</p>")
    assert ranked()[:2] == [later, word]


def test_migration_0019_rehashes_items_that_pin_a_passage(cli_app: Flask) -> None:
    """0019 adds the pinned passage version's hash to an item version's content hash
    (upgrade) and takes it out again (downgrade); retired passages and passage comments
    come and go with it. Then 0018 goes down and up with the items in place."""
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_bank, create_user
    from itembank.operations.content import content_hash
    from itembank.operations.items import create_item
    from itembank.operations.passage_sets import set_item_passage
    from itembank.operations.passages import create_passage
    from itembank.plugins import PluginHost

    with cli_app.app_context():
        bank = create_bank("MIG", "Bank migrasi", actor=None)
        author = create_user("penulis-mig", "s3cret-pass", actor=None)
        add_member(bank, author, Role.AUTHOR, actor=None)
        passage = create_passage(bank, actor=author, title="Bacaan", body="<p>Teks.</p>")
        host: PluginHost = cli_app.extensions["itembank.plugins"]
        pinned = create_item(
            bank, actor=author, plugins=host, item_type="true_false",
            stem="<p>Benar?</p>", content={"key": True},
        )  # fmt: skip
        alone = create_item(
            bank, actor=author, plugins=host, item_type="true_false",
            stem="<p>Benar?</p>", content={"key": True},
        )  # fmt: skip
        set_item_passage(pinned.latest_version, actor=author, passage=passage.latest_version)
        db.session.commit()
        version = pinned.latest_version
        parts = ("true_false", version.stem, version.content, version.meta)
        with_passage = content_hash(*parts, passage.latest_version.content_hash)
        without = content_hash(*parts)
        ids = (version.id, alone.latest_version.id)
        assert version.content_hash == with_passage
        assert alone.latest_version.content_hash == without
        db.session.remove()
        db.engine.dispose()

    def hashes() -> tuple[str, str]:
        with cli_app.app_context():
            found = dict(
                db.session.execute(
                    sa.select(ItemVersion.id, ItemVersion.content_hash).where(
                        ItemVersion.id.in_(ids)
                    )
                ).all()
            )
            db.session.remove()
            db.engine.dispose()
        return found[ids[0]], found[ids[1]]

    ok(cli_app, "db", "downgrade", "0018")
    assert hashes() == (without, without)
    with cli_app.app_context():
        inspector = sa.inspect(db.engine)
        assert "passage_comment" not in inspector.get_table_names()
        assert "retired_at" not in {c["name"] for c in inspector.get_columns("passage")}
        db.engine.dispose()
    ok(cli_app, "db", "upgrade")
    assert hashes() == (with_passage, without)

    # 0018 goes down with items in place, one of them pinning a passage: on SQLite it
    # rebuilds item_version, which other tables' rows point at; nothing is left dangling
    triggers = _search_triggers(cli_app)
    ok(cli_app, "db", "downgrade", "0017")
    with cli_app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count()).select_from(ItemVersion).where(ItemVersion.id.in_(ids))
        )
        assert count == 2
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(sa.text("PRAGMA foreign_key_check")).all() == []
            assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
        db.engine.dispose()
    # (0022's word index went down first, with its triggers)
    assert _search_triggers(cli_app) == {t for t in triggers if "_words_" not in t}
    ok(cli_app, "db", "upgrade")
    assert _search_triggers(cli_app) == triggers


def test_migration_0023_deferrable_newest_version_and_word_index_per_statement(
    cli_app: Flask,
) -> None:
    """0023 makes ``fk_item_newest_version`` deferrable, still checked at each statement
    unless a transaction defers it, and (PostgreSQL) indexes inserted versions' words
    per statement; down and up again keep the items and their word index in step."""
    from itembank.operations.items import create_item
    from itembank.operations.relevance import WORD_TABLE

    host = cli_app.extensions["itembank.plugins"]
    postgres = _bank_with_author(cli_app, "TUNDA", "penulis-tunda") == "postgresql"

    def make(stem: str) -> None:
        with cli_app.app_context():
            bank = db.session.scalar(sa.select(Bank).where(Bank.code == "TUNDA"))
            author = db.session.scalar(sa.select(User).where(User.username == "penulis-tunda"))
            create_item(
                bank, actor=author, plugins=host, item_type="true_false",
                stem=stem, content={"key": True},
            )  # fmt: skip
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

    def state() -> tuple[dict[str, object], list[Any], bool]:
        """The key's options, the items with their newest version's number, and whether
        every version's words are indexed as its search text gives them."""
        with cli_app.app_context():
            (key,) = [
                fk
                for fk in sa.inspect(db.engine).get_foreign_keys("item")
                if fk["name"] == "fk_item_newest_version"
            ]
            items = db.session.execute(
                sa.select(Item.external_id, ItemVersion.number)
                .join(ItemVersion, ItemVersion.id == Item.newest_version_id)
                .order_by(Item.id)
            ).all()
            if postgres:
                unindexed = db.session.scalar(
                    sa.text(
                        f"SELECT count(*) FROM item_version v LEFT JOIN {WORD_TABLE} w "
                        "ON w.version_id = v.id WHERE w.search_vector IS DISTINCT FROM "
                        "to_tsvector('simple', v.search_text)"
                    )
                )
            else:
                unindexed = db.session.scalar(
                    sa.text(
                        "SELECT count(*) FROM item_version WHERE id NOT IN (SELECT rowid "
                        f"FROM {WORD_TABLE} WHERE {WORD_TABLE} MATCH 'tunda')"
                    )
                )
            # an item pointing at no version is refused at once, deferrable or not
            with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
                db.session.execute(sa.update(Item).values(newest_version_id=10**9))
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
        found = key["options"]
        options = {
            "deferrable": bool(found.get("deferrable")),
            "initially": (found.get("initially") or "IMMEDIATE").upper(),
        }
        return options, [tuple(row) for row in items], unindexed == 0

    make("<p>Soal tunda pertama.</p>")
    deferrable = {"deferrable": True, "initially": "IMMEDIATE"}
    options, items, indexed = state()
    assert options == deferrable and len(items) == 1 and indexed
    ok(cli_app, "db", "downgrade", "0022")
    options, before, indexed = state()
    assert not options["deferrable"] and before == items and indexed
    make("<p>Soal tunda kedua.</p>")  # 0022's row trigger indexes it
    options, items, indexed = state()
    assert len(items) == 2 and indexed
    ok(cli_app, "db", "upgrade")
    make("<p>Soal tunda ketiga.</p>")  # 0023's statement trigger indexes it
    options, after, indexed = state()
    assert options == deferrable and after[:2] == items and len(after) == 3 and indexed


def test_migration_0021_adds_the_bank_content_stamp(cli_app: Flask) -> None:
    """0021 adds ``bank.content_stamp`` (0 for the banks already there) and takes it out
    again, the banks staying as they were."""
    from itembank.operations.accounts import create_bank

    with cli_app.app_context():
        create_bank("STAMP", "Bank cap", actor=None)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    def bank_columns() -> tuple[set[str], list[Any]]:
        with cli_app.app_context():
            columns = {c["name"] for c in sa.inspect(db.engine).get_columns("bank")}
            rows = db.session.execute(sa.text("SELECT * FROM bank WHERE code = 'STAMP'")).all()
            db.session.remove()
            db.engine.dispose()
        return columns, [row._mapping.get("content_stamp") for row in rows]

    columns, stamps = bank_columns()
    assert "content_stamp" in columns and len(stamps) == 1 and stamps[0] > 0
    ok(cli_app, "db", "downgrade", "0020")
    columns, stamps = bank_columns()
    assert "content_stamp" not in columns and stamps == [None]
    ok(cli_app, "db", "upgrade")
    columns, stamps = bank_columns()
    assert "content_stamp" in columns and stamps == [0]


def test_migration_0020_listing_indexes_go_down_and_up_with_the_items(demo_app: Flask) -> None:
    """0020 indexes the classifications by (node, level, version) in place of the node's
    own index, and the items by their newest and approved versions; it goes down and up
    on the demo bank, and the node, level and text filters list the same items, to an
    author and to an assembler, at 0019 and at 0020."""
    from itembank.operations import reads

    queries = (
        {"node": "TIU"},
        {"node": "MANAJERIAL"},
        {"node": "MANAJERIAL", "level": 3},
        {"level": 3},
        {"node": "TWK", "q": "negara"},
    )

    def listings() -> list[list[str]]:
        with demo_app.app_context():
            # the demo bank of most items (the demo writes more than one bank); its
            # content stamp deferred, as 0019 has no such column (0021 adds it)
            bank = db.session.scalars(
                sa.select(Bank)
                .options(sa.orm.defer(Bank.content_stamp))
                .join(Item, Item.bank_id == Bank.id)
                .group_by(Bank.id)
                .order_by(sa.func.count(Item.id).desc())
            ).first()
            assert bank is not None
            found = []
            for username in ("penulis", "perakit"):
                user = db.session.scalars(sa.select(User).where(User.username == username)).one()
                for query in queries:
                    rows = reads.list_items(
                        bank, reads.ItemFilters(per_page=100, **query), actor=user
                    )["items"]
                    found.append([row["external_id"] for row in rows])
            db.session.remove()
            db.engine.dispose()
        return found

    def indexes() -> tuple[set[str], set[str]]:
        with demo_app.app_context():
            inspector = sa.inspect(db.engine)
            names = (
                {i["name"] for i in inspector.get_indexes("item_classification")},
                {i["name"] for i in inspector.get_indexes("item")},
            )
            db.engine.dispose()
        return names

    at_0020 = listings()
    assert all(at_0020), [len(f) for f in at_0020]  # the demo has what is asked
    classification, item = indexes()
    assert "ix_item_classification_node_level_version" in classification
    assert "ix_item_classification_node_id" not in classification
    assert {"ix_item_newest_version_id", "ix_item_approved_version_id"} <= item
    triggers = _search_triggers(demo_app)
    ok(demo_app, "db", "downgrade", "0019")
    classification, item = indexes()
    assert "ix_item_classification_node_id" in classification
    assert "ix_item_classification_node_level_version" not in classification
    assert not {"ix_item_newest_version_id", "ix_item_approved_version_id"} & item
    assert listings() == at_0020
    ok(demo_app, "db", "upgrade")
    assert "ix_item_classification_node_level_version" in indexes()[0]
    assert _search_triggers(demo_app) == triggers
    assert listings() == at_0020


def _search_triggers(app: Flask) -> set[str]:
    """The SQLite search triggers on item_version (none on PostgreSQL)."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return set()
        with db.engine.connect() as connection:
            names = set(
                connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'item_version'"
                ).scalars()
            )
        db.engine.dispose()
        return names


def test_demo_loads_a_realistic_bank(cli_app: Flask) -> None:
    output = ok(cli_app, "itembank", "demo", "--if-empty", "--password", "demo-pass-123")
    assert "loaded demo bank CACT-DEMO" in output
    with cli_app.app_context():
        users = set(db.session.scalars(sa.select(User.username)))
        assert {"admin", "penulis", "penelaah1", "penelaah2", "perakit"} <= users
        admin = db.session.scalars(sa.select(User).where(User.username == "admin")).one()
        assert admin.is_admin and admin.check_password("demo-pass-123")
        items = db.session.scalars(sa.select(Item)).all()
        assert len(items) >= 30
        types = Counter(item.item_type for item in items)
        assert set(types) == set(cli_app.extensions["itembank.plugins"].item_types)
        statuses = Counter(item.latest_version.status for item in items)
        for status in ("draft", "in_review", "changes_requested", "approved"):
            assert statuses[status] >= 1, statuses
        assert max(len(item.versions) for item in items) >= 3
        assert sum(1 for item in items if len(item.versions) >= 2) >= 3
        taxonomies = {
            c.node.taxonomy.code for item in items for c in item.latest_version.classifications
        }
        assert {"asn-2017", "skd-cpns"} <= taxonomies
        approved = [i for i in items if i.approved_version_id is not None]
        for item in approved:  # two distinct reviewers, neither of them the author
            version = db.session.get(ItemVersion, item.approved_version_id)
            reviewers = {r.reviewer_id for r in version.reviews if r.decision == "approve"}
            assert len(reviewers) >= 2 and not reviewers & version.contributor_ids
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) > len(items)
        # The graphic items' images are the bank's media, uploaded (audited) by the author.
        uploads = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "media.upload")
        ).all()
        stored = set(db.session.scalars(sa.select(Media.sha256)))
        assert stored == {event.object_id for event in uploads} == set(demo_media()) != set()
        db.session.remove()
    assert "already has data" in ok(cli_app, "itembank", "demo", "--if-empty")
    assert "CACT-DEMO is already loaded" in fails(cli_app, "itembank", "demo")


def test_the_demo_is_not_loaded_into_a_database_with_users(cli_app: Flask) -> None:
    """Issue finding 10: ``itembank demo`` added its accounts (one password for all, a
    global administrator among them) to any database. With users already there it is
    refused, naming them, and adds nothing; ``--if-empty`` leaves it alone;
    ``ITEMBANK_DEMO_FORCE=1`` (or ``--force``) loads it anyway."""
    ok(cli_app, "itembank", "create-user", "rina", "--password", "s3cret-pass", "--admin")
    output = fails(cli_app, "itembank", "demo")
    assert "already has users (rina)" in output and "ITEMBANK_DEMO_FORCE=1" in output
    assert "demo not loaded" in ok(cli_app, "itembank", "demo", "--if-empty")
    with cli_app.app_context():
        assert set(db.session.scalars(sa.select(User.username))) == {"rina"}
        assert db.session.scalar(sa.select(sa.func.count(Bank.id))) == 0
        db.session.remove()
    forced = cli_app.test_cli_runner().invoke(
        args=["itembank", "demo", "--password", "demo-pass-123"],
        env={"ITEMBANK_DEMO_FORCE": "1"},
        catch_exceptions=False,
    )
    assert forced.exit_code == 0, forced.output
    assert "loaded demo bank CACT-DEMO" in forced.output


def test_users_banks_and_members(cli_app: Flask) -> None:
    assert "created user rina" in ok(
        cli_app, "itembank", "create-user", "Rina", "--name", "Rina K", "--password", "s3cret-pass"
    )
    fails(cli_app, "itembank", "create-user", "rina", "--password", "s3cret-pass")
    fails(cli_app, "itembank", "create-user", "x y", "--password", "s3cret-pass")
    fails(cli_app, "itembank", "create-user", "budi", "--password", "short")
    ok(cli_app, "itembank", "create-bank", "KEMENKEU-TEK", "Bank Teknis", "--approvals", "2")
    out = fails(cli_app, "itembank", "create-bank", "kemenkeu-tek", "Lagi")
    assert "already exists" in out
    fails(cli_app, "itembank", "create-bank", "9BAD", "Nama")
    fails(cli_app, "itembank", "create-bank", "OKAY", "Nama", "--approvals", "0")
    assert "rina is now author in KEMENKEU-TEK" in ok(
        cli_app, "itembank", "add-member", "KEMENKEU-TEK", "rina", "author"
    )
    assert "unknown role 'writer'" in fails(
        cli_app, "itembank", "add-member", "KEMENKEU-TEK", "rina", "writer"
    )
    assert "no bank 'NOPE'" in fails(cli_app, "itembank", "add-member", "NOPE", "rina", "author")
    assert "no user 'ghost'" in fails(
        cli_app, "itembank", "add-member", "KEMENKEU-TEK", "ghost", "author"
    )
    with cli_app.app_context():
        roles = db.session.scalars(sa.select(Membership.role)).all()
        assert "author" in roles
        db.session.remove()


def test_password_prompt(cli_app: Flask) -> None:
    result = run(cli_app, "itembank", "create-user", "sari", input="pass-word-1\npass-word-1\n")
    assert result.exit_code == 0, result.output
    assert "created user sari" in result.output


def test_user_passwords_disabling_and_sessions(cli_app: Flask) -> None:
    """``itembank user ...``: each change ends the user's sessions and tokens, audited."""
    from itembank.operations.sessions import start_session

    ok(cli_app, "itembank", "create-user", "rina", "--password", "s3cret-pass")
    with cli_app.app_context():
        rina = db.session.scalars(sa.select(User).where(User.username == "rina")).one()
        start_session(rina, address="10.0.0.7", user_agent="Firefox")
        db.session.commit()
        db.session.remove()
    assert "10.0.0.7\tFirefox" in ok(cli_app, "itembank", "user", "sessions", "rina")
    assert "rina\tactive\t-\t1 session(s)" in ok(cli_app, "itembank", "user", "list")
    assert "current password is wrong" in fails(
        cli_app, "itembank", "user", "password", "rina",
        "--current-password", "guess", "--password", "n3w-password",
    )  # fmt: skip
    assert "rina: password changed; 1 session(s) ended, 0 token(s) revoked" in ok(
        cli_app, "itembank", "user", "password", "rina",
        "--current-password", "s3cret-pass", "--password", "n3w-password",
    )  # fmt: skip
    assert ok(cli_app, "itembank", "user", "sessions", "rina") == ""
    assert "rina: password reset" in ok(
        cli_app, "itembank", "user", "reset-password", "rina", "--password", "reset-pass-1"
    )
    assert "8 to 1024 characters" in fails(
        cli_app, "itembank", "user", "reset-password", "rina", "--password", "short"
    )
    assert "rina: disabled" in ok(cli_app, "itembank", "user", "disable", "rina", "--reason", "x")
    assert "rina\tdisabled" in ok(cli_app, "itembank", "user", "list")
    assert "rina: enabled" in ok(cli_app, "itembank", "user", "enable", "rina")
    assert "rina: signed out everywhere" in ok(cli_app, "itembank", "user", "end-sessions", "rina")
    assert "no user 'ghost'" in fails(cli_app, "itembank", "user", "disable", "ghost")
    with cli_app.app_context():
        rina = db.session.scalars(sa.select(User).where(User.username == "rina")).one()
        assert rina.is_active and rina.check_password("reset-pass-1")
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "user", AuditEvent.object_id == "rina")
            .order_by(AuditEvent.id)
        ).all()
        assert actions == [
            "user.create",
            "user.password_change",
            "user.password_reset",
            "user.disable",
            "user.enable",
            "user.sessions_end",
        ]
        db.session.remove()


def test_plugins_lists_what_each_registers(cli_app: Flask) -> None:
    output = ok(cli_app, "itembank", "plugins")
    assert "plugins.itemtypes.weighted_options  [builtin]" in output
    assert "item type  weighted_options: Pilihan berbobot / Weighted options" in output
    assert "taxonomy   asn-2017" in output


def test_taxonomies(cli_app: Flask, tmp_path: Path) -> None:
    assert ok(cli_app, "itembank", "taxonomy", "list").strip() == ""
    synced = ok(cli_app, "itembank", "taxonomy", "sync")
    assert "asn-2017: " in synced and "skd-cpns: " in synced
    listing = ok(cli_app, "itembank", "taxonomy", "list")
    assert "asn-2017" in listing and "skd-cpns" in listing and "bloom-revised" in listing
    tree = ok(cli_app, "itembank", "taxonomy", "list", "--tree", "asn-2017")
    assert "  M.8  Pengambilan Keputusan  [levels 5]" in tree
    ok(cli_app, "itembank", "create-bank", "KEMENKEU-TEK", "Bank Teknis")
    csv_file = tmp_path / "teknis.csv"
    csv_file.write_text(
        "kode;kode_induk;nama;nama_en;level_1;level_2\n"
        "KEU;;Keuangan Negara;Public finance;;\n"
        "KEU.1;KEU;Penganggaran;Budgeting;Memahami siklus anggaran;Menyusun RKA\n",
        encoding="utf-8",
    )
    output = ok(
        cli_app,
        "itembank",
        "taxonomy",
        "import",
        str(csv_file),
        "--bank",
        "KEMENKEU-TEK",
        "--code",
        "kemenkeu-teknis",
        "--name",
        "Kompetensi Teknis Kemenkeu",
    )
    assert "imported kemenkeu-teknis into KEMENKEU-TEK: 2 new, 0 updated nodes" in output
    assert "kemenkeu-teknis" in ok(
        cli_app, "itembank", "taxonomy", "list", "--bank", "KEMENKEU-TEK"
    )
    # a bank's taxonomy is not global
    assert "kemenkeu-teknis" not in ok(cli_app, "itembank", "taxonomy", "list")
    bad = tmp_path / "bad.csv"
    bad.write_text("kode,kode_induk,nama\nA,,Satu\nA.1,ZZ,Dua\n", encoding="utf-8")
    out = fails(
        cli_app,
        "itembank",
        "taxonomy",
        "import",
        str(bad),
        "--bank",
        "KEMENKEU-TEK",
        "--code",
        "x-tek",
        "--name",
        "X",
    )
    assert "ZZ" in out
    missing = fails(
        cli_app,
        "itembank",
        "taxonomy",
        "import",
        str(tmp_path / "missing.json"),
        "--bank",
        "KEMENKEU-TEK",
    )
    assert "missing.json" in missing, missing


def test_audit_records_cli_changes(cli_app: Flask, tmp_path: Path) -> None:
    ok(cli_app, "itembank", "create-user", "dewi", "--password", "s3cret-pass")
    ok(cli_app, "itembank", "create-bank", "AUDIT-CLI", "Bank audit")
    ok(cli_app, "itembank", "add-member", "AUDIT-CLI", "dewi", "reviewer")
    csv_file = tmp_path / "audit.csv"
    csv_file.write_text("kode;kode_induk;nama\nAUD;;Audit kinerja\n", encoding="utf-8")
    ok(
        cli_app,
        "itembank",
        "taxonomy",
        "import",
        str(csv_file),
        "--bank",
        "AUDIT-CLI",
        "--code",
        "audit-tek",
        "--name",
        "Audit",
    )
    with cli_app.app_context():
        events = [
            (event.action, event.object_id)
            for event in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
        ]
        db.session.remove()
    # every change the commands made, each once, in order (a fresh database has no others)
    assert events == [
        ("user.create", "dewi"),
        ("bank.create", "AUDIT-CLI"),
        ("member.add", "dewi"),
        ("taxonomy.import", "audit-tek"),
    ]


def test_commands_on_an_unmigrated_database_fail_cleanly(empty_app: Flask) -> None:
    out = fails(empty_app, "itembank", "create-bank", "ABC", "Nama")
    assert "the database is not ready" in out
