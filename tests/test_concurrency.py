"""Two sessions racing on the same item, with real commits, on both databases.

Each racer runs in its own thread with its own database connection and transaction;
a barrier releases them together. PostgreSQL serialises the racers with row locks;
SQLite, which has none, with transactions that take the write lock as they begin
(``BEGIN IMMEDIATE``, see ``itembank.app``). Whatever the interleaving, the outcome must be one
of the serial outcomes: no duplicate version numbers, no lost update, no approval
counted twice or missed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from itembank.errors import Conflict, DomainError
from itembank.extensions import db
from itembank.models import AuditEvent, Item, ItemVersion, Review
from itembank.operations.items import start_new_draft, update_draft
from itembank.operations.reviews import review_version, submit_version
from tests.factories import World, make_item


@pytest.fixture
def pg_app(app: Flask) -> Flask:
    """The app, outside any test transaction: the racers commit."""
    return app


def committed(app: Flask, fn: Callable[[], Any]) -> Any:
    with app.app_context():
        try:
            result = fn()
            db.session.commit()
            return result
        finally:
            db.session.remove()


def race(app: Flask, *actions: Callable[[], Any]) -> list[Any]:
    """Run each action in its own thread and transaction, started together; return
    what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[index] = action()
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def setup(app: Flask, required_approvals: int = 1, *, submit: bool = True) -> tuple[World, int]:
    def build() -> tuple[World, int]:
        plugins = app.extensions["itembank.plugins"]
        world = World(required_approvals=required_approvals)
        item = make_item(world, plugins)
        if submit:
            submit_version(item.latest_version, actor=world.author)
        return world, item.id

    return committed(app, build)


def load(item_id: int) -> Item:
    return db.session.get(Item, item_id)


def user(world: World, name: str) -> Any:
    return db.session.merge(world.users[name], load=False)


def test_two_reviewers_approving_together_reach_the_required_count(pg_app: Flask) -> None:
    world, item_id = setup(pg_app, required_approvals=2)

    def approve(name: str) -> Callable[[], Any]:
        return lambda: review_version(
            load(item_id).latest_version, actor=user(world, name), decision="approve"
        )

    for _ in range(3):  # repeat: the interleaving differs run to run
        results = race(pg_app, approve("reviewer"), approve("reviewer2"))
        assert not [r for r in results if isinstance(r, Exception)]
        with pg_app.app_context():
            item = load(item_id)
            version = item.latest_version
            assert version.status == "approved"
            assert item.approved_version_id == version.id
            approvals = db.session.scalars(
                sa.select(AuditEvent).where(
                    AuditEvent.item_id == item_id, AuditEvent.action == "version.approved"
                )
            ).all()
            assert len(approvals) == 1
            db.session.remove()
        world, item_id = setup(pg_app, required_approvals=2)


def test_one_reviewer_in_two_sessions_counts_once(pg_app: Flask) -> None:
    world, item_id = setup(pg_app, required_approvals=2)

    def approve() -> Any:
        return review_version(
            load(item_id).latest_version, actor=user(world, "reviewer"), decision="approve"
        )

    results = race(pg_app, approve, approve)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    with pg_app.app_context():
        version = load(item_id).latest_version
        assert version.status == "in_review"
        count = db.session.scalar(
            sa.select(sa.func.count(Review.id)).where(Review.version_id == version.id)
        )
        assert count == 1
        db.session.remove()


def test_racing_new_drafts_give_one_version(pg_app: Flask) -> None:
    world, item_id = setup(pg_app)
    committed(
        pg_app,
        lambda: review_version(
            load(item_id).latest_version, actor=user(world, "reviewer"), decision="approve"
        ),
    )

    def new_draft(name: str) -> Callable[[], Any]:
        return lambda: start_new_draft(load(item_id), actor=user(world, name)).number

    results = race(pg_app, new_draft("author"), new_draft("author2"))
    assert sorted(r for r in results if isinstance(r, int)) == [2]
    assert [type(r) for r in results if isinstance(r, Exception)] == [Conflict]
    with pg_app.app_context():
        numbers = db.session.scalars(
            sa.select(ItemVersion.number).where(ItemVersion.item_id == item_id)
        ).all()
        assert sorted(numbers) == [1, 2]
        db.session.remove()


def test_racing_draft_edits_lose_nothing(pg_app: Flask) -> None:
    world, item_id = setup(pg_app, submit=False)
    plugins = pg_app.extensions["itembank.plugins"]

    def edit(name: str, stem: str) -> Callable[[], Any]:
        return lambda: (
            update_draft(
                load(item_id).latest_version,
                actor=user(world, name),
                plugins=plugins,
                base_revision=1,
                stem=stem,
            ).stem
        )

    results = race(pg_app, edit("author", "<p>Versi A</p>"), edit("author2", "<p>Versi B</p>"))
    winners = [r for r in results if isinstance(r, str)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], DomainError) and losers[0].code == "stale_edit"
    with pg_app.app_context():
        version = load(item_id).latest_version
        assert version.stem == winners[0]  # the stored text is the winner's, whole
        assert version.revision == 2
        db.session.remove()


def test_items_created_together_get_distinct_numbers(pg_app: Flask) -> None:
    world, _ = setup(pg_app, submit=False)
    plugins = pg_app.extensions["itembank.plugins"]

    def create() -> str:
        bank_world = World.__new__(World)
        bank_world.bank = db.session.merge(world.bank, load=False)
        bank_world.users = {"author": user(world, "author")}
        return make_item(bank_world, plugins).external_id

    results = race(pg_app, *[create for _ in range(4)])
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 4


def test_a_results_import_reading_apart_leaves_sqlite_writable(pg_app: Flask) -> None:
    """While a results job reads and re-scores (minutes for a big file), others can
    write on SQLite: the read phase takes no write lock, only the short write does."""
    import sqlite3

    from itembank.operations.results import import_results
    from tests.results_helpers import (
        SECRET,
        administration_of,
        exported_form,
        keyed_responses,
        results_csv,
        scorer_for,
    )

    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite"):
        pytest.skip("PostgreSQL readers never block writers")
    path = ""
    plugins = pg_app.extensions["itembank.plugins"]

    def build() -> tuple[int, bytes, int]:
        world = World()
        form = exported_form(world, plugins)
        administration = administration_of(world, form)
        scorer = scorer_for(form, plugins)
        data = results_csv(scorer, [("R1", keyed_responses(scorer, plugins))])
        return administration.id, data, world.assembler.id

    administration_id, data, assembler_id = committed(pg_app, build)
    writes: list[str] = []

    def write_meanwhile(phase: str, done: int, total: int) -> None:
        if phase != "read" or writes:
            return
        other = sqlite3.connect(path, timeout=1.0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            writes.append("written")
        except sqlite3.OperationalError as exc:
            writes.append(str(exc))
        finally:
            other.close()

    with pg_app.app_context():
        from itembank.models import Administration, User

        path = db.engine.url.database
        administration = db.session.get(Administration, administration_id)
        assembler = db.session.get(User, assembler_id)
        batch = import_results(
            administration,
            actor=assembler,
            plugins=plugins,
            filename="h.csv",
            data=data,
            secret=SECRET,
            progress=write_meanwhile,
            read_apart=True,
        )
        db.session.commit()
        assert batch.status == "completed"
        db.session.remove()
    assert writes == ["written"]
