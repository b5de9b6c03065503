"""The web UI's item list with a large bank: the whole page beside the listing query it runs.

    .venv/bin/python bench/ui_listing.py [--quick] [--items N] [--runs N] [--postgres URL]

Writes a bank of ``--items`` realistic items (``_bank.py``: every built-in type,
Indonesian stems of several sentences, 1-3 versions in the statuses of a working bank,
through the content pipeline and with the rows the operations write, proved against
them first) into a temporary SQLite file, and with ``--postgres`` into a PostgreSQL
schema too. Then, as a reviewer (who sees every status), for each filter combination:

1. checks the work: the listing query (``reads.list_items``) and the page
   (``GET /banks/<code>/items`` through the test client) both return the items worked
   out in Python from what was written (the same total, the same 20 identifiers in the
   same order), and the total is not zero;
2. times the median of ``--runs`` calls of each: the query is the floor, the page is
   the user's whole path (login session, filters, query, rendering, headers). On SQLite
   the figures and their ratio are of CPU time (all the work is in this process, and
   CPU time is what other work on a shared machine disturbs least), with the page's
   wall time beside them; on PostgreSQL they are of wall time.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from typing import Any

from _bank import Expected, analyze, check_writer, fill_bank
from _common import (
    PASSWORD,
    Sizes,
    add_postgres,
    database,
    expect,
    expect_some,
    headline,
    login,
    make_app,
    median_times,
    migrate,
    settle,
)

from itembank.extensions import db
from itembank.operations import reads
from itembank.operations.accounts import create_user
from itembank.operations.relevance import RELEVANCE

#: (case, the page's query string, the same filters as keyword arguments).
CASES: list[tuple[str, dict[str, str], dict[str, Any]]] = [
    ("first page", {}, {}),
    (
        "approved, TKP and below",
        {"status": "approved", "node": "skd-cpns:TKP"},
        {"status": "approved", "taxonomy": "skd-cpns", "node": "TKP"},
    ),
    # With a search text the page's default order is relevance, as the UI's users see it.
    ("text, common word", {"q": "koordinasi"}, {"q": "koordinasi", "sort": RELEVANCE}),
    ("text, rare word", {"q": "gratifikasi"}, {"q": "gratifikasi", "sort": RELEVANCE}),
    (
        "level 3 of M.1",
        {"node": "asn-2017:M.1", "level": "3"},
        {"taxonomy": "asn-2017", "node": "M.1", "level": 3},
    ),
    ("last page", {"page": "{last}"}, {"page": "{last}"}),
]
BASIS = {
    "cpu": "CPU time (SQLite runs in this process; CPU time is what other work on a shared "
    "machine disturbs least)",
    "wall": "wall time (PostgreSQL works in its own processes)",
}
ROW_RE = re.compile(r'<td[^>]*><a href="[^"]*">([A-Z][A-Z0-9-]*-\d{6})</a></td>')
#: The page's count: "1.234 soal ditemukan", or "Lebih dari 1.000 ..." where it stops counting.
COUNT_RE = re.compile(r'<p class="result-count" role="status">(Lebih dari |More than )?([\d.,]+)')


def run(url: str, options: dict[str, Any], args: argparse.Namespace) -> None:
    app = make_app(url, options, TESTING=True)
    with app.app_context():
        migrate()
        host = app.extensions["itembank.plugins"]
        author = create_user("bench-author", PASSWORD, actor=None)
        reviewer = create_user("bench-reviewer", PASSWORD, actor=None)
        compared = check_writer(host, author, reviewer)
        began = time.perf_counter()
        bank, written = fill_bank("BENCH", args.items, host, author=author, reviewer=reviewer)
        analyze()
        print(
            f"{db.engine.dialect.name}: wrote {args.items} items in "
            f"{time.perf_counter() - began:.1f} s (bulk writer matched the operations on "
            f"{compared} histories)",
            file=sys.stderr,
        )
        expected = Expected(written)
        settle()
        client = app.test_client()
        login(client, reviewer.username)
        first = expected.page(only_approved=False)
        last = max(1, math.ceil(first.total / 20))
        basis = "cpu" if db.engine.dialect.name == "sqlite" else "wall"
        print(
            f"\nweb UI item list, {db.engine.dialect.name}, {args.items} items, as a reviewer; "
            f"median of {args.runs} runs; query, page and ratio in {BASIS[basis]}"
        )
        print(
            f"{'case':26} {'total':>6} {'query ms':>9} {'page ms':>9} {'page/query':>10} "
            f"{'page wall ms':>12}"
        )
        for name, query, keywords in CASES:
            query = {k: v.format(last=last) for k, v in query.items()}
            keywords = {
                k: int(v.format(last=last)) if k == "page" else v for k, v in keywords.items()
            }
            want = expected.page(only_approved=False, **keywords)
            expect_some(f"{name}: items the bank has for it", want.total)
            filters = reads.ItemFilters(**keywords)

            def listing(f: reads.ItemFilters = filters) -> dict[str, Any]:
                return reads.list_items(bank, f, actor=reviewer)

            def page(q: dict[str, str] = query, case: str = name) -> str:
                response = client.get(f"/banks/{bank.code}/items", query_string=q)
                expect(f"{case}: the page's status", response.status_code, 200)
                return response.get_data(as_text=True)

            result = listing()
            got = (result["total"], result["total_exact"])
            expect(f"{name}: the query's total", got, (want.total, want.total_exact))
            ids = tuple(row["external_id"] for row in result["items"])
            want.check(f"{name}: the query's items", ids)
            html = page()
            found = COUNT_RE.search(html)
            shown = found and (int(re.sub(r"[.,]", "", found[2])), found[1] is None)
            expect(f"{name}: the page's count", shown, (want.total, want.total_exact))
            want.check(f"{name}: the page's rows", tuple(ROW_RE.findall(html)))

            floor = median_times(listing, args.runs, warm_up=True)
            whole = median_times(page, args.runs, warm_up=True)
            query_ms, page_ms = 1000 * floor.on(basis), 1000 * whole.on(basis)
            print(
                f"{name:26} {want.total:6} {query_ms:9.1f} {page_ms:9.1f} "
                f"{page_ms / query_ms:10.2f} {1000 * whole.wall:12.1f}"
            )
            headline(
                f"UI item list, {args.items} items ({db.engine.dialect.name}, {basis}): {name}",
                page_ms,
                "ms",
                "the query alone (reads.list_items)",
                query_ms,
            )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = Sizes(parser)
    sizes.add("--items", quick=5000, full=100_000, help="items in the bank")
    sizes.add("--runs", quick=5, full=7, help="timed runs per case (median)")
    add_postgres(parser)
    args = sizes.parse()
    for given in [None, args.postgres] if args.postgres else [None]:
        with database(given) as (url, options):
            run(url, options, args)


if __name__ == "__main__":
    main()
