"""How the item listing scales: the same API queries on a bank of 100 items and on one of
100,000, in one database, side by side.

The issue asks that a bank of 100,000 items lists as fast as one of 100. Each query
below is sent through the real API (Flask test client, bearer token, JSON out) as an
author (every status) and as an assembler (approved versions only); the figures are
medians of several runs, and the ratio big/small is what matters on a noisy machine.

    .venv/bin/python bench/api_listing.py                      # SQLite file in a temp dir
    .venv/bin/python bench/api_listing.py --database postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python bench/api_listing.py --items 20000 --repeat 5

Items are written with bulk inserts (the domain operations would take minutes for
100,000); their shape is what the operations write: versions 1..3 with the statuses of
a working bank, classifications against the SKD taxonomy with levels, and stems with
Indonesian words so that ``q`` finds some.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from _common import PASSWORD, database, make_app, median_seconds, migrate

from itembank.extensions import db
from itembank.models import (
    Item,
    ItemClassification,
    ItemVersion,
    Role,
    TaxonomyNode,
    TaxonomyRecord,
)
from itembank.models._types import utcnow

WORDS = (
    "pegawai",
    "negeri",
    "sipil",
    "pelayanan",
    "publik",
    "integritas",
    "kerja",
    "sama",
    "komunikasi",
    "orientasi",
    "hasil",
    "pengambilan",
    "keputusan",
    "perekat",
    "bangsa",
    "kebijakan",
    "anggaran",
    "laporan",
    "kinerja",
    "masyarakat",
    "pimpinan",
    "rekan",
    "tim",
    "rapat",
    "koordinasi",
    "inovasi",
    "digital",
    "data",
    "arsip",
)
STATUSES = ("approved",) * 5 + ("draft", "in_review", "changes_requested", "rejected")
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("first page", {}),
    ("page 40", {"page": "40", "per_page": "25"}),
    ("status=approved", {"status": "approved"}),
    ("type=weighted_options", {"type": "weighted_options"}),
    ("node=TIU (descendants)", {"node": "TIU"}),
    ("node=TKP level=3", {"node": "TKP", "level": "3"}),
    ("q=koordinasi (common)", {"q": "koordinasi"}),
    ("q=gratifikasi (rare)", {"q": "gratifikasi"}),
    ("sort=-updated_at", {"sort": "-updated_at"}),
    ("updated_since", {"updated_since": "2026-06-01T00:00:00+00:00"}),
]


def populate(bank_id: int, user_id: int, count: int, nodes: list[tuple[int, int]]) -> None:
    """``count`` items with 1-3 versions each, written in chunks with bulk inserts."""
    rng = random.Random(bank_id)
    start = utcnow() - timedelta(days=365)
    types = ("single_choice", "weighted_options", "multiple_response", "true_false")
    item_id = (db.session.scalar(sa.select(sa.func.max(Item.id))) or 0) + 1
    version_id = (db.session.scalar(sa.select(sa.func.max(ItemVersion.id))) or 0) + 1
    bank_code = db.session.scalar(sa.text("SELECT code FROM bank WHERE id = :id"), {"id": bank_id})
    chunk = 5000
    for offset in range(0, count, chunk):
        items, versions, classifications, approved = [], [], [], []
        for number in range(offset + 1, min(count, offset + chunk) + 1):
            when = start + timedelta(minutes=rng.randrange(525_600))
            n_versions = rng.choice((1, 1, 1, 2, 3))
            items.append(
                {
                    "id": item_id,
                    "bank_id": bank_id,
                    "number": number,
                    "external_id": f"{bank_code}-{number:06d}",
                    "item_type": rng.choice(types),
                    "created_by_id": user_id,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            for n in range(1, n_versions + 1):
                status = "approved" if n < n_versions else rng.choice(STATUSES)
                stem = " ".join(rng.choice(WORDS) for _ in range(25))
                if rng.random() < 0.005:
                    stem += " gratifikasi"
                option = rng.choice(WORDS)
                versions.append(
                    {
                        "id": version_id,
                        "item_id": item_id,
                        "number": n,
                        "status": status,
                        "stem": f"<p>{stem}?</p>",
                        "content": {"options": [{"id": "A", "text": option}]},
                        # what itembank.operations.content.search_text derives from both
                        "search_text": f"{stem}?\n{option}".lower(),
                        "metadata": {},
                        "content_hash": uuid.uuid4().hex,
                        "revision": 1,
                        "created_by_id": user_id,
                        "created_at": when,
                        "updated_by_id": user_id,
                        "updated_at": when,
                    }
                )
                node_id, levels = rng.choice(nodes)
                classifications.append(
                    {
                        "version_id": version_id,
                        "node_id": node_id,
                        "level": rng.randint(1, levels) if levels else None,
                    }
                )
                if status == "approved":
                    approved.append({"item_id": item_id, "version_id": version_id})
                version_id += 1
            item_id += 1
        db.session.execute(sa.insert(Item), items)
        db.session.execute(
            sa.insert(ItemVersion.__table__), versions
        )  # the table, so "metadata" is the column
        db.session.execute(sa.insert(ItemClassification), classifications)
        latest_approved = {row["item_id"]: row["version_id"] for row in approved}
        newest = {row["item_id"]: row["id"] for row in versions}
        db.session.execute(
            sa.update(Item.__table__)
            .where(Item.__table__.c.id == sa.bindparam("item_id"))
            .values(
                approved_version_id=sa.bindparam("approved_id"),
                newest_version_id=sa.bindparam("newest_id"),
            ),
            [
                {"item_id": k, "newest_id": v, "approved_id": latest_approved.get(k)}
                for k, v in newest.items()
            ],
        )
        db.session.commit()
        print(f"  {min(count, offset + chunk):>7} items", end="\r", file=sys.stderr)
    print(file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="items in the big bank")
    parser.add_argument("--small", type=int, default=100, help="items in the small bank")
    parser.add_argument("--repeat", type=int, default=9, help="runs per query (median)")
    parser.add_argument("--database", help="SQLAlchemy URL (default: a temporary SQLite)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL schema (to look at plans)"
    )
    args = parser.parse_args()

    with database(args.database, keep=args.keep) as (url, options):
        app = make_app(url, options, ITEMBANK_LOGIN_DELAY_STEP=0)
        with app.app_context():
            run(app, args)
            db.session.remove()
            db.engine.dispose()


def timed_get(
    client: Any, url: str, query: dict[str, str], headers: dict[str, str], repeat: int
) -> tuple[float, list[Any]]:
    """The median seconds of ``repeat`` GETs of ``url``, and their responses."""
    responses: list[Any] = []

    def get() -> None:
        responses.append(client.get(url, query_string=query, headers=headers))

    return median_seconds(get, repeat), responses


def run(app: Any, args: argparse.Namespace) -> None:
    from itembank.operations.accounts import add_member, create_bank, create_user

    print(f"database: {db.engine.dialect.name}", file=sys.stderr)
    migrate()
    author = create_user("penulis-bench", PASSWORD, actor=None)
    assembler = create_user("perakit-bench", PASSWORD, actor=None)
    banks = {}
    for code, size in (("SMALL", args.small), ("BIG", args.items)):
        bank = create_bank(code, f"Bank {code}", actor=None)
        add_member(bank, author, Role.AUTHOR, actor=None)
        add_member(bank, assembler, Role.ASSEMBLER, actor=None)
        banks[code] = (bank.id, size)
    db.session.commit()
    nodes = [
        (node_id, 5)
        for node_id in db.session.scalars(
            sa.select(TaxonomyNode.id)
            .join(TaxonomyRecord, TaxonomyRecord.id == TaxonomyNode.taxonomy_id)
            .where(TaxonomyRecord.code == "skd-cpns")
        )
    ]
    for code, (bank_id, size) in banks.items():
        started = time.perf_counter()
        populate(bank_id, author.id, size, nodes)
        print(
            f"wrote {size} items to {code} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    db.session.commit()
    # A bank in steady state: statistics gathered (and on PostgreSQL, the visibility map
    # set by a vacuum, as autovacuum would have done).
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        vacuum = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        connection.exec_driver_sql(vacuum)

    client = app.test_client()
    tokens = {}
    for user in (author, assembler):
        response = client.post(
            "/api/v1/tokens", json={"username": user.username, "password": PASSWORD}
        )
        tokens[user.username] = response.get_json()["token"]

    print(
        f"\nitem listing, median of {args.repeat} runs, ms "
        f"({db.engine.dialect.name}; small = {args.small} items, big = {args.items})"
    )
    print(f"{'query':<28}{'as':<10}{'small':>9}{'big':>9}{'big/small':>11}{'total':>9}")
    ratios = []
    for label, query in QUERIES:
        for who, username in (("author", author.username), ("assembler", assembler.username)):
            headers = {"Authorization": f"Bearer {tokens[username]}"}
            medians = {}
            total = 0
            for code in banks:
                seconds, responses = timed_get(
                    client, f"/api/v1/banks/{code}/items", query, headers, args.repeat
                )
                medians[code] = seconds * 1000
                for response in responses:
                    if response.status_code != 200:
                        raise SystemExit(f"{label}: {response.status_code} {response.get_json()}")
                total = responses[-1].get_json()["total"]
            ratio = medians["BIG"] / medians["SMALL"]
            ratios.append(ratio)
            print(
                f"{label:<28}{who:<10}{medians['SMALL']:>9.1f}{medians['BIG']:>9.1f}"
                f"{ratio:>10.1f}x{total:>9}"
            )
    print(f"\nmedian ratio big/small over all queries: {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
