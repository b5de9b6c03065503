"""What the benchmark scripts share: the repository on ``sys.path``, sizes for a quick
and a full run, the checks every case passes before it is timed, medians of timed runs,
the app and its database, users and their logins, and generated items and QTI packages.
(A bank of realistic items written in bulk is in ``_bank.py``.)

The scripts run as ``.venv/bin/python bench/<script>.py``, so Python puts ``bench/`` first
on ``sys.path`` and they import this module as ``_common``; importing it puts the
repository root on ``sys.path`` too. The app's modules are imported only by the helpers
that need an app (the QTI benchmarks do without).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import re
import statistics
import struct
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from itembank.plugins import PluginHost
from qti.package import (
    Classification,
    PackageItem,
    PackageSection,
    PackageTest,
    build_package,
)
from qti.package_reader import open_source
from qti.xml import parse_bytes

if TYPE_CHECKING:
    from flask import Flask

    from itembank.itemtypes import ItemType

#: The password of every user a benchmark creates.
PASSWORD = "bench-password-1"
#: The repository.
ROOT = Path(__file__).resolve().parent.parent


# -- sizes: quick or full -----------------------------------------------------------------


class Sizes:
    """Command-line sizes with a full default and a smaller one for ``--quick`` (what
    ``make bench`` runs: every benchmark in a few minutes). A size given on the command
    line wins over both."""

    def __init__(self, parser: argparse.ArgumentParser):
        self.parser = parser
        self.sizes: dict[str, tuple[Any, Any]] = {}
        parser.add_argument(
            "--quick",
            action="store_true",
            help="smaller sizes and fewer runs (make bench); the figures are noisier",
        )

    def add(self, flag: str, *, quick: Any, full: Any, help: str, type: Any = int) -> None:
        dest = flag.lstrip("-").replace("-", "_")
        self.sizes[dest] = (quick, full)
        self.parser.add_argument(
            flag, type=type, default=None, help=f"{help} (default {full}; --quick: {quick})"
        )

    def parse(self, argv: list[str] | None = None) -> argparse.Namespace:
        args = self.parser.parse_args(argv)
        for dest, (quick, full) in self.sizes.items():
            if getattr(args, dest) is None:
                setattr(args, dest, quick if args.quick else full)
        return args


def add_postgres(parser: argparse.ArgumentParser, what: str = "also run on PostgreSQL") -> None:
    """``--postgres URL`` (default ``$ITEMBANK_BENCH_POSTGRES``)."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ITEMBANK_BENCH_POSTGRES") or None,
        metavar="URL",
        help=f"{what}: a SQLAlchemy URL of an existing database, where the bench makes "
        "(and drops) a schema of its own (default $ITEMBANK_BENCH_POSTGRES)",
    )


# -- checks: each case does the work it claims -------------------------------------------


class BenchCheckFailed(SystemExit):
    """A case did not do the work it claims; its figures would mean nothing."""


def expect(what: str, got: object, wanted: object) -> None:
    """Stop the benchmark unless ``got == wanted``."""
    if got != wanted:
        raise BenchCheckFailed(f"bench check failed: {what}: got {got!r}, expected {wanted!r}")


def expect_some(what: str, count: int) -> int:
    """Stop the benchmark unless ``count`` is positive; returns it."""
    if count <= 0:
        raise BenchCheckFailed(f"bench check failed: {what}: got {count}, expected some")
    return count


# -- timing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Medians of timed runs: wall-clock seconds, and CPU seconds of this process (what
    other work on a shared machine disturbs least; it leaves out other processes, such
    as a PostgreSQL server or a job worker)."""

    wall: float
    cpu: float

    def on(self, basis: str) -> float:
        return self.cpu if basis == "cpu" else self.wall


def median_times(function: Callable[[], object], repeat: int, *, warm_up: bool = False) -> Timing:
    """The medians of ``repeat`` calls of ``function`` (after one untimed call first if
    ``warm_up``), wall-clock and CPU."""
    if warm_up:
        function()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return Timing(statistics.median(walls), statistics.median(cpus))


def interleaved_times(
    functions: Sequence[Callable[[], object]], repeat: int, *, warm_up: bool = False
) -> list[Timing]:
    """The medians of ``repeat`` calls of each of ``functions`` (after one untimed call of
    each first if ``warm_up``), wall-clock and CPU, the calls made in rounds (one of each
    function, then the next round) so that a change in the machine's load while they run
    falls on every function alike instead of on the ones timed at that moment."""
    if warm_up:
        for function in functions:
            function()
    walls: list[list[float]] = [[] for _ in functions]
    cpus: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for index, function in enumerate(functions):
            wall, cpu = time.perf_counter(), time.process_time()
            function()
            cpus[index].append(time.process_time() - cpu)
            walls[index].append(time.perf_counter() - wall)
    return [
        Timing(statistics.median(wall), statistics.median(cpu))
        for wall, cpu in zip(walls, cpus, strict=True)
    ]


def settle() -> None:
    """Before timing: collect garbage once and exempt what the setup built (a bank's
    worth of plans, a package) from later collections, so that the timed runs do not
    pay for scanning the benchmark's own data, which a server would not hold."""
    gc.collect()
    gc.freeze()


def median_seconds(function: Callable[[], object], repeat: int, *, warm_up: bool = False) -> float:
    """The median wall-clock time of ``repeat`` calls of ``function`` (after one untimed
    call first if ``warm_up``)."""
    if warm_up:
        function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- the app and its database ----------------------------------------------------------


@contextmanager
def database(
    url: str | None, *, keep: bool = False, prefix: str = "bench_"
) -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh database as (SQLAlchemy URL, engine options): a temporary SQLite file
    without ``url``, else a new schema (``prefix`` + random) in that PostgreSQL database,
    dropped at the end unless ``keep``."""
    if not url:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3", {}
        return
    import sqlalchemy as sa

    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    schema = f"{prefix}{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, {"connect_args": {"options": f"-csearch_path={schema}"}}
    finally:
        if keep:
            print(f"kept schema {schema}", file=sys.stderr)
        else:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_app(url: str, engine_options: dict[str, Any] | None = None, **config: Any) -> Flask:
    """The app on ``url``: no entry-point plugins, fast password hashing, plus ``config``."""
    from itembank.app import create_app

    settings: dict[str, Any] = {"SQLALCHEMY_DATABASE_URI": url}
    if engine_options is not None:
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    settings["ITEMBANK_PLUGINS_ENTRY_POINTS"] = False
    settings["ITEMBANK_PASSWORD_METHOD"] = "pbkdf2:sha256:1000"
    settings.update(config)
    return create_app(settings)


def login(client: Any, username: str) -> None:
    """Log ``username`` into the web UI through the login form (CSRF token included)."""
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    if found is None:
        raise BenchCheckFailed("bench check failed: the login page has no CSRF token")
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": found[1]}
    )
    expect(f"logging in as {username} (status)", response.status_code in (302, 303), True)
    expect(
        f"logging in as {username} (redirected away from the login page)",
        "/login" in response.headers.get("Location", "/login"),
        False,
    )


def api_headers(client: Any, username: str) -> dict[str, str]:
    """The Authorization header of a new API token for ``username``."""
    response = client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD})
    expect(f"a token for {username} (status)", response.status_code, 201)
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def shared_dir() -> Path:
    """The shared folder beside the repository (``../shared``), or
    ``$ITEMBANK_SHARED_DIR``, as the tests find it (``tests/shared.py``)."""
    return Path(os.environ.get("ITEMBANK_SHARED_DIR") or ROOT.parent / "shared")


def migrate() -> None:
    """Create the schema from the migrations and store the plugins' taxonomies (in the
    current app context; the caller commits)."""
    from flask import current_app
    from flask_migrate import upgrade

    from itembank.app import MIGRATIONS
    from itembank.operations.taxonomies import sync_plugin_taxonomies

    upgrade(directory=str(MIGRATIONS))
    sync_plugin_taxonomies(current_app.extensions["itembank.plugins"])


# -- generated items and packages --------------------------------------------------------


def png(seed: int) -> bytes:
    """A small valid PNG, different for every seed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    width = 4 + seed % 50
    rows = b"".join(b"\x00" + bytes([(seed + x) % 256 for x in range(width)]) for _ in range(4))
    header = struct.pack(">IIBBBBB", width, 4, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def package_items(
    count: int,
    host: PluginHost,
    *,
    digits: int = 5,
    versions: int = 1,
    image: Callable[[int], bytes] = png,
    content: Callable[[ItemType, int], dict[str, Any]] | None = None,
) -> tuple[list[PackageItem], dict[str, bytes]]:
    """``count`` items for :func:`qti.package.build_package`, cycling through the host's
    item types (by id) with their example content (or ``content(type, index)``, e.g.
    :func:`varied_content`): a stem with a table, every tenth with the image
    ``image(index)``, identifiers ``item_<n>`` of ``digits`` digits, versions cycling
    from 1 to ``versions``, one ASN 2017 classification each. Returns the items and the
    images by SHA-256."""
    types = [host.item_type(type_id) for type_id in sorted(host.item_types)]
    media: dict[str, bytes] = {}
    items: list[PackageItem] = []
    for index in range(count):
        item_type = types[index % len(types)]
        stem = (
            f"<p>Soal nomor {index + 1}: bacalah uraian berikut dengan saksama, lalu jawab "
            "pertanyaan di bawahnya. <strong>Perhatikan</strong> data pada tabel.</p>"
            "<table><tr><th>Tahun</th><th>Nilai</th></tr><tr><td>2023</td><td>54</td></tr></table>"
        )
        if index % 10 == 0:
            data = image(index)
            digest = hashlib.sha256(data).hexdigest()
            media[digest] = data
            stem += f'<p><img src="/media/{digest}" alt="grafik {index}"></p>'
        if content is None:
            loaded = item_type.load(item_type.example_content())
        else:
            loaded = content(item_type, index)
        shown = repr(loaded)  # the graphic types' examples show the example images
        media.update({sha: data for sha, data in example_media().items() if sha in shown})
        model = item_type.qti_item(
            stem,
            loaded,
            identifier=f"item_{index + 1:0{digits}d}",
            title=f"BENCH-{index + 1:06d}",
        )
        items.append(
            PackageItem(
                model,
                f"BENCH-{index + 1:06d}",
                1 + index % versions,
                (Classification("asn-2017", f"M.{1 + index % 8}", level=1 + index % 5),),
            )
        )
    return items, media


_WORDS = (
    "anggaran",
    "pelayanan",
    "integritas",
    "koordinasi",
    "musyawarah",
    "kebijakan",
    "pengawasan",
    "partisipasi",
    "transparansi",
    "akuntabilitas",
)


def varied_content(item_type: ItemType, index: int) -> dict[str, Any]:
    """The type's example content made the ``index``-th item's own, as the items of a
    real bank (a BKN test: TWK/TIU single choices, TKP weighted options) differ from one
    another: every rich text with the item's own words; single choice, multiple response,
    weighted options and ordering with 4 or 5 options of their own, the key (the keys,
    the order) at a position varying by item, TKP weights 1-5 permuted per item; true or
    false, short answer, numeric and slider keys, hot text keys, inline choice and gap
    match keys varying. Deterministic in ``index``; the example content when the change
    would not load."""
    from itembank.itemtypes import ContentError

    rng = random.Random(index)
    example = item_type.load(item_type.example_content())
    n = index + 1

    def own_words(html: str) -> str:
        if "<img" in html:
            return html  # (an image stays the example's)
        words = " ".join(rng.sample(_WORDS, 2))
        if html.endswith("</p>"):
            return f"{html[:-4]} ({words} {n})</p>"
        return f"{html} {words}"

    content = item_type.map_html(example, own_words)
    kind = item_type.id
    if kind in ("single_choice", "multiple_response", "weighted_options", "ordering"):
        count = 4 + index % 2
        ids = "ABCDE"[:count]
        content["options"] = [
            {"id": ident, "text": f"<p>{' '.join(rng.sample(_WORDS, 3))} ({ident}{n})</p>"}
            for ident in ids
        ]
        if kind == "single_choice":
            content["key"] = ids[(index // 2) % count]
        elif kind == "multiple_response":
            content["keys"] = sorted(rng.sample(ids, rng.randint(1, count - 1)))
            content["points"] = len(content["keys"])
        elif kind == "ordering":
            content["correct_order"] = rng.sample(ids, count)
        else:
            weights = rng.sample(range(1, 6), count)
            if 5 not in weights:
                weights[rng.randrange(count)] = 5
            for option, weight in zip(content["options"], weights, strict=True):
                option["weight"] = weight
    elif kind == "true_false":
        content["key"] = rng.random() < 0.5
    elif kind == "short_text":
        word = rng.choice(_WORDS)
        content["accepted"] = [word, f"{word} daerah"]
    elif kind == "numeric":
        content["answer"] = round(rng.uniform(1, 100), 2)
    elif kind == "slider":
        content["answer"] = rng.randrange(0, 21) * 5
    elif kind == "hot_text":
        content["keys"] = sorted(rng.sample([h["id"] for h in content["hottexts"]], 2))
    elif kind == "inline_choice":
        for gap in content["gaps"]:
            gap["correct"] = rng.choice([o["id"] for o in gap["options"]])
    elif kind == "gap_match":
        words = rng.sample([w["id"] for w in content["words"]], len(content["gaps"]))
        content["key"] = [
            [gap["id"], word] for gap, word in zip(content["gaps"], words, strict=True)
        ]
    elif kind == "matching":
        answers = rng.sample([r["id"] for r in content["responses"]], len(content["premises"]))
        content["pairs"] = [[p["id"], r] for p, r in zip(content["premises"], answers, strict=True)]
    try:
        return item_type.load(content)
    except ContentError:
        return example


def example_media() -> dict[str, bytes]:
    """The images the built-in types' example content shows, by SHA-256 (the graphic
    types' floor plan and markers), or none when those types are not installed."""
    try:
        from plugins.itemtypes._graphic import EXAMPLE_MEDIA
    except ImportError:
        return {}
    return dict(EXAMPLE_MEDIA)


def make_package(count: int, host: PluginHost) -> bytes:
    """A QTI 3.0 package (not validated) of ``count`` :func:`package_items` with valid
    PNG images, in one section: what the import benchmarks read."""
    items, media = package_items(count, host)
    section = PackageSection("section_1", "Bagian 1", tuple(i.item.identifier for i in items))
    test = PackageTest("bench_import", "Paket impor", (section,))
    return build_package(test, items, media, "3.0", validate=False).data


def parse_only(data: bytes) -> int:
    """The XML floor of an import: open the package and parse every item document with
    the hardened parser, nothing else. Returns how many items were parsed."""
    count = 0
    with open_source(data, name="bench.zip") as source:
        for item in source.items:
            parse_bytes(source.read(item.path, document=True))
            count += 1
    return count


# -- the summary make bench prints ---------------------------------------------------------

#: The prefix of the line each benchmark prints with its headline figures.
SUMMARY_PREFIX = "BENCH-SUMMARY "


@dataclass(frozen=True)
class Figure:
    """A headline figure of a benchmark for ``make bench``'s table: ``value`` in ``unit``
    beside its ``baseline`` (what it is compared with, measured in the same run) and its
    ``target`` as the issue states it (``"<= 1.5x"``, ``">= 0.35x"``), if any."""

    what: str
    value: float
    unit: str
    baseline: str = ""
    baseline_value: float | None = None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        if not self.baseline_value:
            return None
        return self.value / self.baseline_value


def summary(bench: str, figures: list[Figure]) -> None:
    """Print ``figures`` as one line, ``BENCH-SUMMARY {json}``, which ``bench/run_all.py``
    (``make bench``) collects from every benchmark into one table at the end."""
    import json
    from dataclasses import asdict

    rows = [{**asdict(figure), "ratio": figure.ratio} for figure in figures]
    print(SUMMARY_PREFIX + json.dumps({"bench": bench, "figures": rows}, ensure_ascii=False))
    sys.stdout.flush()


def headline(
    what: str,
    value: float,
    unit: str,
    baseline: str = "",
    baseline_value: float | None = None,
    target: str = "",
) -> None:
    """One headline :class:`Figure` of the running benchmark (named after its script) for
    ``make bench``'s table; a benchmark calls it where it prints the figure."""
    figure = Figure(what, value, unit, baseline, baseline_value, target)
    summary(Path(sys.argv[0]).stem, [figure])
