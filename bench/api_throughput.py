"""Benchmark: API throughput as deployed, beside a trivial endpoint of the same server.

The app runs as ``make run`` serves it (gunicorn with ``itembank.gunicorn_conf``, 4
synchronous workers) on PostgreSQL, with a bank of realistic items (``_bank.py``). From
client processes outside the server, 8 connections (keep-alive) send requests as fast as
they are answered, for a few seconds each round, to:

* ``/livez``: the floor, a trivial endpoint of the same app and server (no database);
* ``GET /api/v1/items/{id}``: one item with its latest version, as an author (token
  checked, roles read, the ``item.read`` audit row written in the same transaction);
* ``GET /api/v1/banks/{code}/items``: a 20-item listing page, as an author.

Every answer must be 200 (counted; a bench check fails otherwise), and before timing,
each endpoint's answer is checked to be the right item or page. Rounds alternate the
endpoints, and the figures are medians of the rounds: requests per second and the ratio
to ``/livez`` (targets: an item at least 0.35x, a listing page at least 0.2x).

    .venv/bin/python bench/api_throughput.py [--quick] [--postgres URL]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from typing import Any

from _bank import analyze, fill_bank
from _common import (
    PASSWORD,
    BenchCheckFailed,
    Sizes,
    add_postgres,
    api_headers,
    database,
    expect,
    make_app,
    migrate,
)

from itembank.extensions import db
from itembank.operations.accounts import create_user
from itembank.operations.reads import COUNT_LIMIT

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CONNECTIONS = 8
CLIENT_PROCESSES = 2
WORKERS = 4


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _hammer(port: int, path: str, headers: dict[str, str], seconds: float, out: Any) -> None:
    """One client process: CONNECTIONS / CLIENT_PROCESSES threads, each a keep-alive
    connection sending ``GET path`` until the time is up; puts (answered, not 200)."""
    counts: list[tuple[int, int]] = []
    deadline = time.perf_counter() + seconds

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        done = bad = 0
        while time.perf_counter() < deadline:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            done += 1
            bad += response.status != 200
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()
        counts.append((done, bad))

    threads = [threading.Thread(target=run) for _ in range(CONNECTIONS // CLIENT_PROCESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((sum(d for d, _ in counts), sum(b for _, b in counts)))


def load(port: int, path: str, headers: dict[str, str], seconds: float) -> float:
    """Requests per second answered for ``path`` by the server on ``port``."""
    results: Any = multiprocessing.Queue()
    clients = [
        multiprocessing.Process(target=_hammer, args=(port, path, headers, seconds, results))
        for _ in range(CLIENT_PROCESSES)
    ]
    started = time.perf_counter()
    for client in clients:
        client.start()
    answered = bad = 0
    for _ in clients:
        done, failed = results.get(timeout=seconds + 60)
        answered += done
        bad += failed
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    expect(f"{path}: answers other than 200", bad, 0)
    return answered / elapsed


def get_json(port: int, path: str, headers: dict[str, str]) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    expect(f"{path} (status)", response.status, 200)
    return json.loads(body)


def wait_until_up(port: int, server: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchCheckFailed(f"bench check failed: gunicorn exited ({server.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/livez")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchCheckFailed("bench check failed: gunicorn did not answer /livez in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sizes = Sizes(parser)
    sizes.add("--items", quick=2_000, full=12_000, help="items in the bank")
    sizes.add("--seconds", quick=3.0, full=8.0, type=float, help="seconds per round")
    sizes.add("--rounds", quick=3, full=5, help="rounds per endpoint (median)")
    add_postgres(parser, "the PostgreSQL database to run on")
    args = sizes.parse()
    url = args.postgres or DEFAULT_POSTGRES
    with database(url) as (base_url, options):
        app = make_app(base_url, options)
        with app.app_context():
            migrate()
            host = app.extensions["itembank.plugins"]
            author = create_user("penulis-bench", PASSWORD, actor=None)
            reviewer = create_user("penelaah-bench", PASSWORD, actor=None)
            started = time.perf_counter()
            bank, written = fill_bank(
                "BIG",
                args.items,
                host,
                author=author,
                reviewer=reviewer,
                seed=args.items,
                members=[],
            )
            db.session.commit()
            print(
                f"wrote {args.items} items in {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
            # The planner's statistics of a bank in steady state: without them the
            # listing's plan was made for an empty table, until autovacuum's analyze
            # changed it in the middle of the rounds.
            analyze()
            headers = api_headers(app.test_client(), author.username)
            item_id = written[len(written) // 2].external_id
            bank_code = bank.code
            db.session.remove()
            db.engine.dispose()
        search_path = options["connect_args"]["options"]
        server_url = f"{base_url}?options={urllib.parse.quote(search_path)}"
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": server_url,
            "PORT": str(port),
            "WEB_CONCURRENCY": str(WORKERS),
            "SECRET_KEY": "bench-throughput",
            "ITEMBANK_PRELOAD_SCHEMAS": "0",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:itembank.gunicorn_conf",
                "wsgi:app",
            ],
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(port, server)
            item_path = f"/api/v1/items/{item_id}"
            listing_path = f"/api/v1/banks/{bank_code}/items?per_page=20"
            got = get_json(port, item_path, headers)
            expect("the item answered", got["external_id"], item_id)
            page = get_json(port, listing_path, headers)
            expect("the listing's page size", len(page["items"]), 20)
            expect("the listing's total", page["total"], min(args.items, COUNT_LIMIT))
            targets = {
                "/livez (floor)": ("/livez", {}),
                "GET /items/{id}": (item_path, headers),
                "GET /banks/{code}/items": (listing_path, headers),
            }
            rates: dict[str, list[float]] = {name: [] for name in targets}
            for path, sent in targets.values():  # warm every worker up
                load(port, path, sent, 1.0)
            for _ in range(args.rounds):
                for name, (path, sent) in targets.items():
                    rates[name].append(load(port, path, sent, args.seconds))
        finally:
            server.terminate()
            server.wait(timeout=60)
    floor = statistics.median(rates["/livez (floor)"])
    print(
        f"\nAPI throughput: gunicorn {WORKERS} workers, {CONNECTIONS} connections, "
        f"PostgreSQL, {args.items} items; median of {args.rounds} rounds of {args.seconds:g} s"
    )
    print(f"  {'endpoint':<28}{'requests/s':>12}{'x floor':>10}  target")
    wanted = {"GET /items/{id}": ">= 0.35x", "GET /banks/{code}/items": ">= 0.2x"}
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"  {name:<28}{rate:>12,.0f}{rate / floor:>9.2f}x  {wanted.get(name, '')}")


if __name__ == "__main__":
    main()
