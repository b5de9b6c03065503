"""The web UI's item list with a large bank: the page beside the listing query it runs.

    .venv/bin/python bench/ui_listing.py [--items 100000] [--runs 7] [--database URL]

Builds a bank of ``--items`` items (bulk-inserted, in a temporary SQLite file unless
``--database`` names an empty database), then times, for a few filter combinations, the
median of ``--runs`` calls of the API's listing query (``reads.list_items``, the
baseline) and of the whole page (``GET /banks/<code>/items`` through the test client:
query, rendering, headers), and prints both with their ratio.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from _common import PASSWORD, make_app, median_seconds, migrate

from itembank.extensions import db
from itembank.models import Item, ItemClassification, ItemVersion, TaxonomyNode, TaxonomyRecord
from itembank.operations import reads
from itembank.operations.accounts import add_member, create_bank, create_user, get_bank

STATUSES = ("approved", "approved", "approved", "draft", "in_review", "changes_requested")
WORDS = [
    "warga",
    "layanan",
    "berkas",
    "pegawai",
    "kantor",
    "kebijakan",
    "aplikasi",
    "antrean",
    "pimpinan",
    "tim",
]
CASES = {
    "first page": "",
    "approved, TKP and below": "status=approved&node=skd-cpns:TKP",
    "text search": "q=pimpinan",
    "level 3 of M.1": "node=asn-2017:M.1&level=3",
    "last page": "page={last}",
}


def build(items: int) -> tuple[str, Any]:
    bank = create_bank("BENCH", "Bank uji kinerja", actor=None)
    author = create_user("bench-author", PASSWORD, actor=None)
    reviewer = create_user("bench-reviewer", PASSWORD, actor=None)
    add_member(bank, author, "author", actor=None)
    add_member(bank, reviewer, "reviewer", actor=None)
    nodes = list(
        db.session.execute(
            sa.select(TaxonomyNode.id, TaxonomyNode.levels)
            .join(TaxonomyRecord, TaxonomyRecord.id == TaxonomyNode.taxonomy_id)
            .where(TaxonomyRecord.code.in_(["skd-cpns", "asn-2017"]))
        )
    )
    db.session.flush()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    item_rows, version_rows, class_rows, approved = [], [], [], []
    for n in range(1, items + 1):
        when = start + timedelta(minutes=n)
        status = STATUSES[n % len(STATUSES)]
        words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(12))
        item_rows.append(
            {
                "id": n,
                "bank_id": bank.id,
                "number": n,
                "external_id": f"BENCH-{n:06d}",
                "item_type": "weighted_options" if n % 2 else "single_choice",
                "created_by_id": author.id,
                "created_at": when,
                "updated_at": when,
            }
        )
        version_rows.append(
            {
                "id": n,
                "item_id": n,
                "number": 1,
                "status": status,
                "stem": f"<p>Butir {n}: {words}.</p>",
                "content": {"options": [{"id": "A", "text": words}], "key": "A"},
                "metadata": {"classifications": []},
                "content_hash": f"{n:064x}",
                "revision": 1,
                "created_by_id": author.id,
                "created_at": when,
                "updated_by_id": author.id,
                "updated_at": when,
            }
        )
        node_id, levels = nodes[n % len(nodes)]
        level = (n % 5) + 1 if levels else None
        class_rows.append({"version_id": n, "node_id": node_id, "level": level})
        if status == "approved":
            approved.append(n)
    for table, rows in (
        (Item.__table__, item_rows),
        (ItemVersion.__table__, version_rows),
        (ItemClassification.__table__, class_rows),
    ):
        for chunk in range(0, len(rows), 5000):
            db.session.execute(sa.insert(table), rows[chunk : chunk + 5000])
    db.session.execute(
        sa.update(Item).where(Item.id.in_(approved)).values(approved_version_id=Item.id)
    )
    bank.item_counter = items
    db.session.commit()
    return bank.code, reviewer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = make_app(url, TESTING=True)
        with app.app_context():
            migrate()
            began = time.perf_counter()
            code, reviewer = build(args.items)
            print(f"built {args.items} items in {time.perf_counter() - began:.1f} s ({url})")
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
            client.post(
                "/login",
                data={"username": "bench-reviewer", "password": PASSWORD, "csrf_token": token},
            )
            bank = get_bank(code)
            last = max(1, -(-args.items // 20))
            print(f"{'case':28} {'query ms':>9} {'page ms':>9} {'page/query':>10}")
            for name, query in CASES.items():
                query = query.format(last=last)
                params = dict(part.split("=", 1) for part in query.split("&") if part)
                filters = reads.ItemFilters(
                    status=params.get("status"),
                    node=params.get("node", ":").split(":")[1] or None,
                    taxonomy=params.get("node", ":").split(":")[0] or None,
                    level=int(params["level"]) if "level" in params else None,
                    q=params.get("q"),
                    page=int(params.get("page", 1)),
                )
                user = db.session.merge(reviewer)
                baseline = 1000 * median_seconds(
                    lambda f=filters, u=user: reads.list_items(bank, f, actor=u),
                    args.runs,
                    warm_up=True,
                )

                def fetch(q: str = query) -> None:
                    response = client.get(f"/banks/{code}/items?{q}")
                    assert response.status_code == 200, response.status_code

                measured = 1000 * median_seconds(fetch, args.runs, warm_up=True)
                print(f"{name:28} {baseline:9.1f} {measured:9.1f} {measured / baseline:10.2f}")
            print(json.dumps({"items": args.items, "runs": args.runs}))


if __name__ == "__main__":
    main()
