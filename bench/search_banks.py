"""Text search on banks of several sizes beside a big one, on PostgreSQL: the relevance
order of one, two and three common words and of a rare word, and the plain text filter
(default order), through the API, for banks of 2,000, 5,000 and 20,000 items (regional
banks) in one database with a bank of 100,000 (issue 16: p95 <= 50 ms).

A bank's relevance order takes one of two paths (``reads._small_bank_first_tier_page``,
the bank's own listed versions scored, or the word index's matches of every bank): the
figures say where each pays. Every answer is checked before it is timed: against what
was written (``_bank.Expected``) when this run wrote the banks, and always against the
same listing with every bank-size threshold set to 0 (the path of a big bank), so the
paths are compared on every case. Each row: the API's median and p95 of ``--repeat``
runs (wall ms) and the query alone (``reads.list_items``, median), as author and as
assembler. A digest of every answer is printed last, to compare two trees' answers.

    .venv/bin/python bench/search_banks.py --postgres URL --keep     # write, then time
    .venv/bin/python bench/search_banks.py --postgres URL --schema bench_...  # time again

``--schema`` reuses a schema kept by an earlier run (writing 127,000 items takes
minutes), so the code before and after a change can be timed on the same banks.
``--sqlite FILE`` runs on SQLite instead: the file is written when missing, else timed
again; ``--set SMALL_BANK=0`` (any threshold of ``reads``) times one path by force.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
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
    add_postgres,
    api_headers,
    database,
    expect,
    make_app,
    migrate,
    settle,
)

from itembank.extensions import db
from itembank.models import Bank, Role, User
from itembank.operations import reads
from itembank.operations.accounts import create_user

QUERIES: list[tuple[str, dict[str, str]]] = [
    (f"{COMMON_WORD} by relevance", {"q": COMMON_WORD, "sort": "relevance"}),
    (f"{TWO_WORDS} by relevance", {"q": TWO_WORDS, "sort": "relevance"}),
    (f"{THREE_WORDS} by relevance", {"q": THREE_WORDS, "sort": "relevance"}),
    (f"{RARE_WORD} by relevance", {"q": RARE_WORD, "sort": "relevance"}),
    (f"{COMMON_WORD} (default order)", {"q": COMMON_WORD}),
    (f"{RARE_WORD} (default order)", {"q": RARE_WORD}),
]
#: The module-level bank-size thresholds of ``reads`` (those this tree has): set to 0,
#: every bank takes the big bank's path.
THRESHOLDS = ("SMALL_BANK", "SEVERAL_WORDS_BANK")
USERS = ("penulis-bench", "penelaah-bench", "perakit-bench")


@contextlib.contextmanager
def big_bank_paths() -> Iterator[None]:
    """Every bank-size threshold of ``reads`` at 0 for the block."""
    saved = {name: getattr(reads, name) for name in THRESHOLDS if hasattr(reads, name)}
    for name in saved:
        setattr(reads, name, 0)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(reads, name, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000, help="items in the big bank")
    parser.add_argument(
        "--mid", default="2000,5000,20000", help="items in each bank beside it (commas)"
    )
    parser.add_argument("--repeat", type=int, default=11, help="runs per case")
    parser.add_argument("--schema", help="time a schema kept by an earlier run (no writing)")
    parser.add_argument("--keep", action="store_true", help="keep the schema written")
    parser.add_argument("--only", help="time only the banks of these sizes (commas)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=N",
        help="set a threshold of reads (e.g. SMALL_BANK=0) for the timed runs",
    )
    parser.add_argument(
        "--sqlite", metavar="FILE", help="SQLite instead: this file (written when missing)"
    )
    add_postgres(parser)
    args = parser.parse_args()
    if not (args.postgres or args.sqlite):
        parser.error("--postgres URL or --sqlite FILE is needed")
    sizes = [int(size) for size in args.mid.split(",")] + [args.items]
    print(f"code: {reads.__file__}", file=sys.stderr)
    for setting in args.set:
        name, value = setting.split("=")
        expect(f"--set {name}: a threshold of reads", hasattr(reads, name), True)
        setattr(reads, name, int(value))
    if args.sqlite:
        build = not Path(args.sqlite).exists()
        app = make_app(f"sqlite:///{args.sqlite}")
        with app.app_context():
            run(app, args, sizes, build=build)
        return
    if args.schema:
        url = args.postgres.replace("postgresql://", "postgresql+psycopg://", 1)
        options = {"connect_args": {"options": f"-csearch_path={args.schema}"}}
        app = make_app(url, options)
        with app.app_context():
            run(app, args, sizes, build=False)
        return
    with database(args.postgres, keep=args.keep) as (url, options):
        app = make_app(url, options)
        with app.app_context():
            run(app, args, sizes, build=True)
            db.session.remove()
            db.engine.dispose()


def answer_of(body: dict[str, Any]) -> tuple[Any, ...]:
    """A listing's answer: its total, whether exact, and the page's item codes."""
    return (body["total"], body["total_exact"], [i["external_id"] for i in body["items"]])


def code_of(size: int) -> str:
    return f"B{size}"


def run(app: Any, args: argparse.Namespace, sizes: list[int], *, build: bool) -> None:
    expected: dict[str, Expected] = {}
    if build:
        migrate()
        host = app.extensions["itembank.plugins"]
        author, reviewer, assembler = (create_user(name, PASSWORD, actor=None) for name in USERS)
        check_writer(host, author, reviewer)
        for size in sizes:
            started = time.perf_counter()
            _, written = fill_bank(
                code_of(size),
                size,
                host,
                author=author,
                reviewer=reviewer,
                seed=size,
                members=[(assembler, Role.ASSEMBLER)],
            )
            expected[code_of(size)] = Expected(written)
            print(f"wrote {size} items in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        analyze()
    else:
        author, _, assembler = (
            db.session.scalars(sa.select(User).where(User.username == name)).one() for name in USERS
        )
    banks = {
        code: db.session.scalars(sa.select(Bank).where(Bank.code == code)).one()
        for code in map(code_of, sizes)
    }
    db.session.commit()
    settle()
    client = app.test_client()
    headers = {user: api_headers(client, user.username) for user in (author, assembler)}
    only = {code_of(int(s)) for s in args.only.split(",")} if args.only else set(banks)
    digest = hashlib.sha256()
    print(
        f"\ntext search by bank size, {args.repeat} runs, wall ms "
        f"({db.engine.dialect.name}; every bank in one database)"
    )
    print(f"{'bank':<9}{'query':<36}{'as':<10}{'total':>6}{'median':>8}{'p95':>8}{'alone':>8}")
    worst: list[tuple[float, str]] = []
    for code, bank in banks.items():
        if code not in only:
            continue
        for label, query in QUERIES:
            for who, user in (("author", author), ("assembler", assembler)):
                what = f"{label} as {who} on {code}"

                def get(
                    q: dict[str, str] = query, u: Any = user, c: str = code, w: str = what
                ) -> Any:
                    response = client.get(
                        f"/api/v1/banks/{c}/items", query_string=q, headers=headers[u]
                    )
                    expect(f"{w}: status", response.status_code, 200)
                    return response.get_json()

                body = get()
                answer = answer_of(body)
                if code in expected:
                    want = expected[code].page(
                        only_approved=user is assembler,
                        **query,  # type: ignore[arg-type]
                    )
                    expect(f"{what}: total", answer[:2], (want.total, want.total_exact))
                    want.check(what, tuple(answer[2]))
                with big_bank_paths():
                    big = get()
                expect(
                    f"{what}: the same as the big bank's path",
                    answer,
                    answer_of(big),
                )
                digest.update(repr((what, answer)).encode())

                def alone(q: dict[str, str] = query, u: Any = user, b: Bank = bank) -> Any:
                    result = reads.list_items(b, reads.ItemFilters(**q), actor=u)
                    db.session.rollback()
                    return result

                times, alone_times = [], []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    get()
                    times.append(1000 * (time.perf_counter() - started))
                    started = time.perf_counter()
                    alone()
                    alone_times.append(1000 * (time.perf_counter() - started))
                p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
                worst.append((p95, what))
                print(
                    f"{code:<9}{label:<36}{who:<10}{answer[0]:>6}"
                    f"{statistics.median(times):>8.1f}{p95:>8.1f}"
                    f"{statistics.median(alone_times):>8.1f}",
                    flush=True,
                )
    print(f"\nworst p95 {max(worst)[0]:.1f} ms ({max(worst)[1]})")
    print(f"over 50 ms at p95: {', '.join(w for t, w in worst if t > 50) or 'none'}")
    print(f"answers digest {digest.hexdigest()[:16]}")


if __name__ == "__main__":
    main()
