"""How the item listing scales: the same API queries on a bank of 100 items and on one of
100,000, in one database, side by side, with the listing query alone as the floor.

The issue asks that a bank of 100,000 items lists as fast as one of 100. Each query
below is sent through the real API (Flask test client, bearer token, JSON out) as an
author (every status) and as an assembler (approved versions only). Before a query is
timed its answers are checked: on both banks the API returns the total and the page of
identifiers worked out in Python from what was written, and on the big bank the total
is not zero. The figures are medians of several runs; the ratio big/small is what
matters on a noisy machine, and API/query says what the request costs on top of the
query (``reads.list_items`` called directly for the same user and filters). On SQLite
the times are of CPU (everything runs in this process, and CPU time is what other work
on a shared machine disturbs least); on PostgreSQL of the wall clock (the server works
in its own processes).

    .venv/bin/python bench/api_listing.py                      # SQLite file in a temp dir
    .venv/bin/python bench/api_listing.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python bench/api_listing.py --quick              # 12,000 items, 3 runs
    .venv/bin/python bench/api_listing.py --postgres URL --postgres-only --keep

Items are written by ``_bank.py``: realistic Indonesian items of every built-in type
with 1-3 versions in the statuses of a working bank, created over the year before now,
through the content pipeline (sanitized HTML, ``search_text``) and with exactly the
rows the domain operations write (checked against them before anything is timed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from _bank import (
    COMMON_WORD,
    RARE_WORD,
    THREE_WORDS,
    TWO_WORDS,
    Expected,
    analyze,
    check_writer,
    fill_bank,
)
from _common import (
    PASSWORD,
    Sizes,
    add_postgres,
    api_headers,
    database,
    expect,
    expect_some,
    headline,
    make_app,
    median_times,
    migrate,
    settle,
)

from itembank.extensions import db
from itembank.models import Role
from itembank.operations import reads
from itembank.operations.accounts import create_user

#: The updated_since query: the last 30 days before the run (the items span a year).
SINCE = (datetime.now(UTC) - timedelta(days=30)).replace(microsecond=0)
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("first page", {}),
    ("page 40", {"page": "40", "per_page": "25"}),
    ("status=approved", {"status": "approved"}),
    ("type=weighted_options", {"type": "weighted_options"}),
    ("node=TIU (descendants)", {"node": "TIU"}),
    ("node=M.1 level=3", {"node": "M.1", "level": "3"}),
    (f"q={COMMON_WORD} (common)", {"q": COMMON_WORD}),
    (f"q={RARE_WORD} (rare)", {"q": RARE_WORD}),
    (f"q={COMMON_WORD} by relevance", {"q": COMMON_WORD, "sort": "relevance"}),
    (f"q={RARE_WORD} by relevance", {"q": RARE_WORD, "sort": "relevance"}),
    (f"q={TWO_WORDS} by relevance", {"q": TWO_WORDS, "sort": "relevance"}),
    (f"q={THREE_WORDS} by relevance", {"q": THREE_WORDS, "sort": "relevance"}),
    ("sort=external_id", {"sort": "external_id"}),
    ("updated_since (30 days)", {"updated_since": SINCE.isoformat()}),
]


def keywords(query: dict[str, str]) -> dict[str, Any]:
    """The query string as :class:`reads.ItemFilters` arguments."""
    out: dict[str, Any] = dict(query)
    for name in ("page", "per_page", "level"):
        if name in out:
            out[name] = int(out[name])
    if "updated_since" in out:
        out["updated_since"] = datetime.fromisoformat(out["updated_since"])
    return out


def p95_time(function: Any, repeat: int, basis: str) -> float:
    """The 95th percentile of ``repeat`` timed calls of ``function`` (seconds of CPU or
    wall clock, as ``basis``): with few runs, close to the slowest."""
    times = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.process_time() - cpu if basis == "cpu" else time.perf_counter() - wall)
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sizes = Sizes(parser)
    sizes.add("--items", quick=12_000, full=100_000, help="items in the big bank")
    sizes.add("--small", quick=100, full=100, help="items in the small bank")
    sizes.add(
        "--mid", quick=0, full=0, help="items in a bank between them, a regional one (0: none)"
    )
    sizes.add("--repeat", quick=3, full=9, help="runs per query (median)")
    add_postgres(parser)
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL schema (to look at plans)"
    )
    parser.add_argument(
        "--postgres-only", action="store_true", help="with --postgres: skip the SQLite run"
    )
    args = sizes.parse()
    runs = [None, args.postgres] if args.postgres else [None]
    for given in runs[1:] if args.postgres_only and args.postgres else runs:
        with database(given, keep=args.keep) as (url, options):
            app = make_app(url, options)
            with app.app_context():
                run(app, args)
                db.session.remove()
                db.engine.dispose()


def run(app: Any, args: argparse.Namespace) -> None:
    migrate()
    host = app.extensions["itembank.plugins"]
    author = create_user("penulis-bench", PASSWORD, actor=None)
    reviewer = create_user("penelaah-bench", PASSWORD, actor=None)
    assembler = create_user("perakit-bench", PASSWORD, actor=None)
    compared = check_writer(host, author, reviewer)
    banks, expected = {}, {}
    chosen = (("SMALL", args.small), ("MID", args.mid), ("BIG", args.items))
    for code, size in ((code, size) for code, size in chosen if size):
        started = time.perf_counter()
        bank, written = fill_bank(
            code,
            size,
            host,
            author=author,
            reviewer=reviewer,
            seed=size,
            members=[(assembler, Role.ASSEMBLER)],
        )
        banks[code], expected[code] = bank, Expected(written)
        print(
            f"wrote {size} items to {code} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    print(f"bulk writer matched the operations on {compared} histories", file=sys.stderr)
    analyze()

    settle()
    client = app.test_client()
    headers = {user: api_headers(client, user.username) for user in (author, assembler)}
    basis = "cpu" if db.engine.dialect.name == "sqlite" else "wall"
    print(
        f"\nitem listing, median of {args.repeat} runs, ms of {basis} time "
        f"({db.engine.dialect.name}; small = {args.small} items, "
        f"{f'mid = {args.mid}, ' if args.mid else ''}big = {args.items})"
    )
    print(
        f"{'query':<38}{'as':<10}{'total':>7}{'small':>8}{'     mid' if args.mid else ''}"
        f"{'big':>8}{'big p95':>8}"
        f"{'big/small':>10}{'query':>8}{'API/query':>10}"
    )
    ratios, overheads = [], []
    p95s: list[tuple[float, str]] = []
    slowest: tuple[float, str, float] = (0.0, "", 0.0)
    for label, query in QUERIES:
        filters = keywords(query)
        for who, user in (("author", author), ("assembler", assembler)):
            only_approved = user is assembler
            medians, total, p95 = {}, 0, 0.0
            for code in banks:
                want = expected[code].page(only_approved=only_approved, **filters)
                if code == "BIG":
                    expect_some(f"{label} as {who}: items the big bank has for it", want.total)
                    total = want.total

                what = f"{label} as {who} on {code}"

                def get(
                    c: str = code, q: dict[str, str] = query, u: Any = user, w: str = what
                ) -> Any:
                    response = client.get(
                        f"/api/v1/banks/{c}/items", query_string=q, headers=headers[u]
                    )
                    expect(f"{w}: status", response.status_code, 200)
                    return response.get_json()

                body = get()
                expect(
                    f"{what}: total",
                    (body["total"], body["total_exact"]),
                    (want.total, want.total_exact),
                )
                want.check(what, tuple(i["external_id"] for i in body["items"]))
                medians[code] = 1000 * median_times(get, args.repeat).on(basis)
                if code == "BIG":
                    p95 = 1000 * p95_time(get, args.repeat, basis)
                    p95s.append((p95, f"{label} as {who}"))

            def query_only(f: dict[str, Any] = filters, u: Any = user) -> dict[str, Any]:
                return reads.list_items(banks["BIG"], reads.ItemFilters(**f), actor=u)

            result = query_only()
            expect(f"{label} as {who}: the query's total", result["total"], total)
            floor = 1000 * median_times(query_only, args.repeat).on(basis)
            ratio = medians["BIG"] / medians["SMALL"]
            ratios.append(ratio)
            overheads.append(medians["BIG"] / floor)
            slowest = max(slowest, (medians["BIG"], f"{label} as {who}", floor))
            print(
                f"{label:<38}{who:<10}{total:>7}{medians['SMALL']:>8.1f}"
                f"{format(medians['MID'], '>8.1f') if 'MID' in medians else ''}"
                f"{medians['BIG']:>8.1f}"
                f"{p95:>8.1f}{ratio:>9.1f}x{floor:>8.1f}{medians['BIG'] / floor:>9.1f}x"
            )
    print(
        f"\nmedian over all queries: big/small {statistics.median(ratios):.1f}x, "
        f"API/query {statistics.median(overheads):.1f}x"
    )
    worst = max(p95s)
    print(
        f"p95 of {args.repeat} runs on the big bank: at most {worst[0]:.1f} ms ({worst[1]}); "
        f"over 50 ms: {', '.join(w for t, w in p95s if t > 50) or 'none'}"
    )
    headline(
        f"API listing, {args.items} items ({db.engine.dialect.name}, {basis}): slowest query "
        f"median ({slowest[1]})",
        slowest[0],
        "ms",
        "the same query without the API (reads.list_items)",
        slowest[2],
        "p95 <= 50 ms",
    )


if __name__ == "__main__":
    main()
