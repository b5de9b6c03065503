"""Attack itembank from outside, as an adversary would, and count what gets through.

``make attack`` (or ``.venv/bin/python bench/attack.py [--postgres URL]``) starts the app
as it is deployed: gunicorn with ``itembank/gunicorn_conf.py`` and 4 workers
(``WEB_CONCURRENCY=4``), on a fresh PostgreSQL schema (``--postgres URL``, default
``$ITEMBANK_BENCH_POSTGRES`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/test``),
migrated and filled through the domain operations: the demo bank (items in every state,
a locked and exported form, a simulated administration with results, an analysis, a
calibration, review flags) with users of every role added, a second bank with users of
every role, and fresh state for each attacked operation (the authorization matrix's own
state builders, ``tests/api/test_matrix.py``). Then it talks to the server over HTTP
only (urllib3, from this process) and prints one table: per category, how many attacks
were tried and how many got through (a defence that failed), followed by each one that
got through with its request and response. It exits 1 if anything got through.

Categories (what counts as *got through*):

- **access control**: every operation of the OpenAPI document x every principal
  (author, reviewer, assembler, bank admin of the attacked bank; a global administrator;
  an outsider; anonymous; the author, reviewer, assembler and bank admin of *another*
  bank): a 2xx where the principal's role may not do it. The roles' rules are the
  authorization matrix's (``MATRIX`` in ``tests/api/test_matrix.py``) where it has the
  operation, else the README's documented rules (:data:`DOCUMENTED`); anonymous never
  succeeds, an outsider or another bank's member never succeeds at anything in the bank.
  Also data that must not be shown: the bank in another's bank list, unapproved items in
  an assembler's listing. Every operation of the document must be attacked.
- **stored XSS**: payloads (script, event handlers, ``javascript:`` URLs plain and
  entity-encoded, SVG, MathML mutation, iframe/object/base/meta refresh, attribute
  breakouts) in every text field the API writes, then every UI page showing them: an
  inline script, an ``on*`` attribute, a ``javascript:``/``vbscript:``/``data:text/html``
  URL or style, an iframe/object/embed/base element in the served HTML; a page without a
  strict Content-Security-Policy; then the same pages in headless Chromium (Playwright,
  ``--no-browser`` skips it): any dialog a payload opens.
- **hostile input** (nested markup, huge numbers, lone surrogates, NUL in a path, JSON
  nested 100,000 deep, invalid UTF-8): an answer other than 4xx, or one slower than 2 s.
- **form races**: concurrent entry edits of one draft form without ``If-Match`` from 8
  threads: any 5xx, or a form left inconsistent (entries not numbered 1..n).
- **sessions**: a session cookie that still works after sign-out, after a password change
  or after the account was disabled; an API token that survives either; a session id that
  does not change at sign-in.
- **lockout**: 20 failures for one account from one address lock another account from
  the same address; a failed or refused login slower than 2 s; a health check slower than
  2 s while 24 failed logins run in parallel.
- **separation of duties**: a bank admin granting themself a role, approving without a
  reviewer membership, an approval counted against a lowered requirement, a reviewer
  approving twice, an author approving their own version, an administrator approving.
- **headers**: an API response without ``Cache-Control: no-store`` and
  ``X-Content-Type-Options: nosniff`` (images excepted, which set their own caching), a
  UI or docs page without a CSP forbidding inline script, image and comment reads
  missing from the audit trail.
- **CSRF**: a UI POST without the session's CSRF token (or with another session's) that
  is not refused.
- **server errors**: every 5xx the server sent during the whole run.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import _common
import urllib3

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: An answer slower than this counts as got through where speed is the defence.
SLOW = 2.0
API = "/api/v1"
WRONG_PASSWORD = "not-the-password-1"


# -- HTTP from outside ---------------------------------------------------------------------


@dataclass
class Answer:
    method: str
    path: str
    who: str
    status: int
    headers: urllib3.HTTPHeaderDict
    data: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.data)

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    def show(self) -> str:
        body = self.text.replace("\n", " ")
        if len(body) > 300:
            body = body[:300] + "..."
        return (
            f"{self.method} {self.path[:160]} as {self.who} -> {self.status} "
            f"in {self.seconds:.2f} s: {body}"
        )


class Client:
    """Requests to the server (thread-safe); every answer is kept for the run's totals."""

    def __init__(self, base: str):
        self.base = base
        self.pool = urllib3.PoolManager(
            num_pools=2,
            maxsize=64,
            retries=False,
            timeout=urllib3.Timeout(connect=10, read=120),
        )
        self.lock = threading.Lock()
        self.answers: list[Answer] = []

    def send(
        self,
        method: str,
        path: str,
        *,
        who: str = "anonymous",
        token: str | None = None,
        cookies: dict[str, str] | None = None,
        json_body: Any = None,
        raw: bytes | None = None,
        content_type: str | None = None,
        form: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Accept": "application/json, text/html;q=0.9, */*;q=0.1"}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            sent["Content-Type"] = "application/json"
        elif raw is not None:
            body = raw
            sent["Content-Type"] = content_type or "application/json"
        elif files is not None:
            body, sent["Content-Type"] = urllib3.encode_multipart_formdata(
                {**(form or {}), **files}
            )
        elif form is not None:
            body = urlencode(form, encoding="utf-8", errors="surrogatepass").encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        start = time.perf_counter()
        try:
            response = self.pool.request(
                method, self.base + path, body=body, headers=sent, redirect=False
            )
            status, got, data = response.status, response.headers, response.data
        except urllib3.exceptions.HTTPError as exc:
            status, got, data = 0, urllib3.HTTPHeaderDict(), str(exc).encode()
        answer = Answer(method, path, who, status, got, data, time.perf_counter() - start)
        with self.lock:
            self.answers.append(answer)
        return answer


class Browser:
    """A web UI user agent: cookies and the page's CSRF token."""

    def __init__(self, client: Client, who: str):
        self.client = client
        self.who = who
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def _keep(self, answer: Answer) -> Answer:
        for line in answer.headers.getlist("Set-Cookie"):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            gone = "max-age=0" in line.lower() or "1970" in line or value == ""
            if gone:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        found = re.search(r'name="csrf-token" content="([^"]+)"', answer.text)
        if found:
            self.csrf = found[1]
        return answer

    def get(self, path: str) -> Answer:
        return self._keep(self.client.send("GET", path, who=self.who, cookies=self.cookies))

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        csrf: str | None = None,
        files: dict[str, Any] | None = None,
    ) -> Answer:
        form = dict(data or {})
        token = self.csrf if csrf is None else csrf
        if token:
            form["csrf_token"] = token
        return self._keep(
            self.client.send(
                "POST", path, who=self.who, cookies=self.cookies, form=form, files=files
            )
        )

    def post_json(self, path: str, body: Any) -> Answer:
        """A script's JSON POST (the editor's preview), the CSRF token in its header."""
        return self._keep(
            self.client.send(
                "POST",
                path,
                who=self.who,
                cookies=self.cookies,
                json_body=body,
                headers={"X-CSRFToken": self.csrf},
            )
        )

    def login(self, username: str, password: str) -> Answer:
        """Sign in through the form; then load the dashboard, whose CSRF token belongs
        to the new session (the login page's belonged to the one before)."""
        self.get("/login")
        answer = self.post("/login", {"username": username, "password": password})
        if answer.status in (302, 303):
            self.get("/")
        return answer

    def signed_in(self) -> bool:
        """Whether the dashboard answers (signed out, it redirects to the login page)."""
        return self.client.send("GET", "/", who=self.who, cookies=self.cookies).status == 200


# -- counting ------------------------------------------------------------------------------


CATEGORIES = {
    "access control": "a 2xx (or data shown) where the role may not; an operation not attacked",
    "stored XSS": "active markup served (script, on*, javascript: URL), a Chromium dialog; no CSP",
    "hostile input": "an answer other than 4xx, or slower than 2 s",
    "form races": "a 5xx, or a form left with gaps in its positions",
    "sessions": "a cookie or token that still works after sign-out/password change/disable",
    "lockout": "another account locked from the same address; a login or health check > 2 s",
    "separation of duties": "a self-granted role, a lone or double approval that counted",
    "headers": "API without no-store/nosniff; page without strict CSP; reads not audited",
    "CSRF": "a UI POST without (or with another session's) CSRF token not refused",
    "server errors": "any 5xx answer during the whole run (tried: every request)",
}


class Ledger:
    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose
        self.lock = threading.Lock()
        self.tried = dict.fromkeys(CATEGORIES, 0)
        self.through = dict.fromkeys(CATEGORIES, 0)
        self.findings: list[tuple[str, str]] = []

    def check(self, category: str, held: bool, what: str) -> bool:
        with self.lock:
            self.tried[category] += 1
            if not held:
                self.through[category] += 1
                self.findings.append((category, what))
            if self.verbose and category != "server errors":
                print(f"{'GOT THROUGH' if not held else 'held'} [{category}] {what}")
        return held


# -- the scene: banks, users, state, through the domain operations -------------------------


class Scene:
    """What the harness builds in the database before (and while) it attacks."""

    def __init__(self, app: Any):
        self.app = app
        self.plugins = app.extensions["itembank.plugins"]
        self.names: dict[str, str] = {}
        self.tokens: dict[str, str] = {}
        self.usernames: dict[str, str] = {}

    def build(self) -> None:
        import sqlalchemy as sa

        from itembank.demo import BANK_CODE, load_demo
        from itembank.extensions import db
        from itembank.models import (
            Administration,
            Bank,
            CalibrationRun,
            Item,
            ItemVersion,
            ResultImport,
            ReviewFlag,
            Role,
        )
        from itembank.operations.accounts import add_member, create_user, update_bank_settings
        from itembank.operations.media import upload_media
        from tests.factories import PASSWORD, World, unique

        with self.app.app_context():
            _common.migrate()
            # The demo bank: items in every state, an exported form delivered in a
            # simulated administration, analysed and calibrated (its users get a
            # password nobody knows).
            load_demo(self.plugins, password=secrets.token_urlsafe(24))
            bank = db.session.scalars(sa.select(Bank).where(Bank.code == BANK_CODE)).one()
            admin = create_user(unique("admin-"), PASSWORD, actor=None, is_admin=True)
            # The matrix's state builders approve with one reviewer and write items
            # of the tests' shape (four options), which the demo's writing rules refuse.
            update_bank_settings(bank, actor=admin, required_approvals=1, writing_rules={})
            world = World.__new__(World)
            world.bank = bank
            world.users = {"admin": admin}
            for name, roles in {
                "author": [Role.AUTHOR],
                "author2": [Role.AUTHOR],
                "reviewer": [Role.REVIEWER],
                "reviewer2": [Role.REVIEWER],
                "assembler": [Role.ASSEMBLER],
                "bank_admin": [Role.BANK_ADMIN],
                "outsider": [],
            }.items():
                user = create_user(unique(name + "-"), PASSWORD, actor=None)
                world.users[name] = user
                for role in roles:
                    add_member(bank, user, role, actor=None)
            other = World(required_approvals=2)
            db.session.commit()
            self.world, self.other, self.password = world, other, PASSWORD
            self.ids = {
                id(w): (w.bank.id, {k: u.id for k, u in w.users.items()}) for w in (world, other)
            }
            for name, user in world.users.items():
                self.usernames[name] = user.username
            for name, user in other.users.items():
                self.usernames[f"other:{name}"] = user.username

            administration = db.session.scalars(
                sa.select(Administration).where(Administration.bank_id == bank.id)
            ).first()
            result_import = db.session.scalars(
                sa.select(ResultImport).where(ResultImport.administration_id == administration.id)
            ).first()
            exported = administration.forms[0] if administration.forms else None
            flags = db.session.scalars(
                sa.select(ReviewFlag).where(ReviewFlag.bank_id == bank.id).order_by(ReviewFlag.id)
            ).all()
            calibration = db.session.scalars(
                sa.select(CalibrationRun).where(CalibrationRun.bank_id == bank.id)
            ).first()
            media = upload_media(
                bank,
                _common.png(3),
                actor=world.users["author"],
                filename="grafik.png",
                max_bytes=2**20,
            )
            db.session.commit()
            unapproved = db.session.scalars(
                sa.select(Item.external_id).where(
                    Item.bank_id == bank.id, Item.approved_version_id.is_(None)
                )
            ).all()
            _common.expect_some("demo items without an approved version", len(unapproved))
            _common.expect_some("demo review flags", len(flags))
            self.unapproved = set(unapproved)
            self.names = {
                "bank": bank.code,
                "other_bank": other.bank.code,
                "administration": administration.external_id,
                "result_import": str(result_import.id),
                "exported_form": exported.external_id if exported else "",
                "flag": str(flags[0].id),
                "calibration": calibration.external_id if calibration else "none",
                "sha256": media.sha256,
            }
            _common.expect("the demo's exported form", bool(self.names["exported_form"]), True)
            _ = ItemVersion

    def _attach(self) -> None:
        """Load the worlds' bank and users afresh in this app context's session (never
        merge the detached copies: their stale columns, such as the bank's item counter,
        would overwrite what the server wrote since)."""
        from itembank.extensions import db
        from itembank.models import Bank, User

        for world in (self.world, self.other):
            world.bank = db.session.get(Bank, self.ids[id(world)][0])
            world.users = {k: db.session.get(User, v) for k, v in self.ids[id(world)][1].items()}

    def state(self, setup: Callable[..., dict[str, str]]) -> dict[str, str]:
        """Run one state builder of the authorization matrix (or ours) and commit."""
        from itembank.extensions import db

        with self.app.app_context():
            self._attach()
            names = setup(self.world, self.plugins)
            db.session.commit()
        return {**self.names, **names}

    def run(self, function: Callable[..., Any]) -> Any:
        """``function(world, other, plugins)`` in an app context, committed."""
        from itembank.extensions import db

        with self.app.app_context():
            self._attach()
            result = function(self.world, self.other, self.plugins)
            db.session.commit()
            return result


# -- state builders for the operations the matrix leaves out -------------------------------


def _nothing(world: Any, plugins: Any) -> dict[str, str]:
    return {}


def _victim(world: Any, plugins: Any) -> dict[str, str]:
    """A fresh member of the bank (an author)."""
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_user
    from tests.factories import PASSWORD, unique

    user = create_user(unique("victim-"), PASSWORD, actor=None)
    add_member(world.bank, user, Role.AUTHOR, actor=None)
    return {"victim": user.username}


def _disabled_victim(world: Any, plugins: Any) -> dict[str, str]:
    from itembank.operations.accounts import disable_user, get_user

    names = _victim(world, plugins)
    disable_user(get_user(names["victim"]), actor=world.users["admin"], reason="attack")
    return names


def _victim_token(world: Any, plugins: Any) -> dict[str, str]:
    """Another user's API token (made directly: no client address here)."""
    from datetime import timedelta

    from itembank.api.auth import hash_token
    from itembank.extensions import db
    from itembank.models import ApiToken
    from itembank.models._types import utcnow
    from itembank.operations.accounts import get_user

    names = _victim(world, plugins)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=get_user(names["victim"]).id,
        name="victim",
        token_hash=hash_token(secret),
        prefix=secret[:8],
        expires_at=utcnow() + timedelta(days=1),
    )
    db.session.add(token)
    db.session.flush()
    return {**names, "token": str(token.id)}


def _item_in_review(world: Any, plugins: Any) -> dict[str, str]:
    from tests.forms_helpers import state_in_review

    return state_in_review(world, plugins)


def _item_approved(world: Any, plugins: Any) -> dict[str, str]:
    from tests.forms_helpers import state_approved

    return state_approved(world, plugins)


def _taxonomy_code(world: Any, plugins: Any) -> dict[str, str]:
    from tests.factories import unique

    return {"taxonomy": unique("tx-")}


# (method, path under /api/v1, body, state builder, the roles that may succeed): the
# README's rules for the operations the authorization matrix leaves out. B members of
# another bank follow the outsider; "admin" is a global administrator.
MEMBERS = frozenset({"author", "reviewer", "assembler", "bank_admin", "admin"})
ANY_USER = MEMBERS | {"outsider"}
ASSEMBLY = frozenset({"assembler", "bank_admin", "admin"})
STATISTICS = frozenset({"reviewer", "assembler", "bank_admin", "admin"})
PNG = _common.png(7)
TAXONOMY_CSV = b"code,name,parent_code\nA1,Aspek satu,\nA1.1,Indikator,A1\n"
IMPORT_CSV = (
    b"jenis_soal,pokok_soal,opsi_a,opsi_b,kunci,poin,taksonomi,kode_klasifikasi\r\n"
    b"Pilihan ganda,Berapa 2 + 3?,4,5,b,5,skd-cpns,TIU.NUM\r\n"
)
RESULTS_CSV = b"candidate_id,form,item_1\nSIM-X,F,A\n"


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _multipart(**fields: Any) -> tuple[str, dict[str, Any]]:
    return ("multipart", fields)


def _empty_form(world: Any, plugins: Any) -> dict[str, str]:
    """An empty draft form of a one-row blueprint, and an approved item that fits it."""
    from tests.forms_helpers import state_form

    return state_form(world, plugins)


DOCUMENTED: list[tuple[str, str, Any, Callable[..., dict[str, str]], frozenset[str]]] = [
    ("GET", "tokens", None, _nothing, ANY_USER),
    ("GET", "tokens?user={victim}", None, _victim, frozenset({"admin"})),
    ("POST", "tokens", {"username": "{victim}", "password": WRONG_PASSWORD}, _victim, frozenset()),
    ("DELETE", "tokens/{token}", None, _victim_token, frozenset({"admin"})),
    ("GET", "me", None, _nothing, ANY_USER),
    # Notifications and their preference are the signed-in user's own.
    ("GET", "me/notifications", None, _nothing, ANY_USER),
    ("POST", "me/notifications/read", {}, _nothing, ANY_USER),
    ("GET", "me/notification-preferences", None, _nothing, ANY_USER),
    ("PATCH", "me/notification-preferences", {"mail": "none"}, _nothing, ANY_USER),
    # A bulk action is open to the bank's members; each item is then done or refused
    # under its own rules, answered per item (tests/ui/test_bulk.py checks those).
    (
        "POST",
        "banks/{bank}/items/bulk",
        {"action": "submit", "items": ["{item}"]},
        _item_approved,
        MEMBERS,
    ),
    ("POST", "banks/{bank}/items/export", {"items": ["{item}"]}, _item_approved, ASSEMBLY),
    ("POST", "forms/{form}/entries/several", {"items": ["{item}"]}, _empty_form, ASSEMBLY),
    ("POST", "forms/{form}/rows/1.1/fill", None, _empty_form, ASSEMBLY),
    (
        "POST",
        "me/password",
        {"current_password": WRONG_PASSWORD, "new_password": "attack-new-password-1"},
        _nothing,
        frozenset(),
    ),
    ("GET", "users", None, _nothing, frozenset({"admin"})),
    (
        "POST",
        "users/{victim}/password",
        {"new_password": "attack-reset-password-1"},
        _victim,
        frozenset({"admin"}),
    ),
    ("POST", "users/{victim}/disable", {"reason": "x"}, _victim, frozenset({"admin"})),
    ("POST", "users/{victim}/enable", None, _disabled_victim, frozenset({"admin"})),
    (
        "DELETE",
        "banks/{bank}/members/{victim}/author",
        None,
        _victim,
        frozenset({"bank_admin", "admin"}),
    ),
    ("GET", "items/{item}/diff?from=1&to=1", None, _item_approved, MEMBERS),
    (
        "POST",
        "items/{item}/versions/1/withdraw",
        {"reason": "x"},
        _item_in_review,
        frozenset({"author", "admin"}),
    ),
    (
        "GET",
        "items/{item}/versions/1/comments",
        None,
        _item_in_review,
        frozenset({"author", "reviewer", "bank_admin", "admin"}),
    ),
    ("GET", "item-types/true_false", None, _nothing, ANY_USER),
    ("GET", "banks/{bank}/taxonomies", None, _nothing, MEMBERS),
    (
        "POST",
        "banks/{bank}/taxonomies",
        _multipart(code="{taxonomy}", name="Taksonomi", file=("t.csv", TAXONOMY_CSV, "text/csv")),
        _taxonomy_code,
        frozenset({"bank_admin", "admin"}),
    ),
    (
        "POST",
        "banks/{bank}/media",
        _multipart(file=("g.png", PNG, "image/png")),
        _nothing,
        frozenset({"author", "bank_admin", "admin"}),
    ),
    ("GET", "banks/{bank}/media/{sha256}", None, _nothing, MEMBERS),
    (
        "POST",
        "banks/{bank}/imports",
        _multipart(mode="strict", file=("s.csv", IMPORT_CSV, "text/csv")),
        _nothing,
        frozenset({"author", "admin"}),
    ),
    ("GET", "banks/{bank}/administrations", None, _nothing, STATISTICS),
    (
        "POST",
        "banks/{bank}/administrations",
        {"title": "Pelaksanaan", "starts_on": "2026-01-05", "forms": ["{exported_form}"]},
        _nothing,
        ASSEMBLY,
    ),
    ("GET", "banks/{bank}/administrations/{administration}", None, _nothing, STATISTICS),
    (
        "POST",
        "banks/{bank}/administrations/{administration}/forms",
        {"forms": ["{exported_form}"]},
        _nothing,
        ASSEMBLY,
    ),
    ("GET", "banks/{bank}/administrations/{administration}/results", None, _nothing, ASSEMBLY),
    (
        "POST",
        "banks/{bank}/administrations/{administration}/results",
        _multipart(file=("r.csv", RESULTS_CSV, "text/csv")),
        _nothing,
        ASSEMBLY,
    ),
    (
        "GET",
        "banks/{bank}/administrations/{administration}/results/{result_import}",
        None,
        _nothing,
        ASSEMBLY,
    ),
    (
        "GET",
        "banks/{bank}/administrations/{administration}/results/{result_import}/disagreements.csv",
        None,
        _nothing,
        ASSEMBLY,
    ),
    (
        "GET",
        "banks/{bank}/administrations/{administration}/results/{result_import}/disagreements.xlsx",
        None,
        _nothing,
        ASSEMBLY,
    ),
    (
        "GET",
        "banks/{bank}/administrations/{administration}/results/template.csv",
        None,
        _nothing,
        ASSEMBLY,
    ),
    ("GET", "forms/{exported_form}/analysis", None, _nothing, STATISTICS),
    ("POST", "forms/{exported_form}/analysis", {}, _nothing, STATISTICS),
    ("GET", "forms/{exported_form}/analysis.xlsx", None, _nothing, STATISTICS),
    ("GET", "items/{item}/statistics", None, _item_approved, MEMBERS),
    ("GET", "items/{item}/where-used", None, _item_approved, MEMBERS),
    ("GET", "banks/{bank}/review-flags", None, _nothing, MEMBERS),
    ("GET", "banks/{bank}/review-flags/{flag}", None, _nothing, MEMBERS),
    (
        "POST",
        "banks/{bank}/review-flags/{flag}/decision",
        {"decision": "keep", "reason": "Statistik wajar setelah ditelaah."},
        _nothing,
        frozenset({"reviewer", "bank_admin", "admin"}),
    ),
    ("GET", "banks/{bank}/calibrations", None, _nothing, STATISTICS),
    ("GET", "banks/{bank}/calibrations/{calibration}", None, _nothing, STATISTICS),
    (
        "POST",
        "banks/{bank}/calibrations",
        {"administrations": ["{administration}"], "min_responses": 100},
        _nothing,
        STATISTICS,
    ),
]


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        filled = [_fill(v, names) for v in value]
        return tuple(filled) if isinstance(value, tuple) else filled
    return value


@dataclass
class Row:
    method: str
    path: str
    body: Any
    setup: Callable[..., dict[str, str]]
    allowed: frozenset[str]
    source: str
    names: dict[str, str] = field(default_factory=dict)


def access_rows() -> list[Row]:
    from tests.api.test_matrix import MATRIX

    rows = [
        Row(m, p, b, s, frozenset(r for r, code in e.items() if code < 400), "test_matrix")
        for m, p, b, s, e in MATRIX
    ]
    rows += [Row(m, p, b, s, a, "README") for m, p, b, s, a in DOCUMENTED]
    return rows


def operation_patterns(document: dict[str, Any]) -> dict[tuple[str, str], re.Pattern[str]]:
    patterns = {}
    for template, operations in document["paths"].items():
        regex = re.sub(
            r"\{[^}]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
        )
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                patterns[(method.upper(), template)] = re.compile(f"^{regex}$")
    return patterns


# -- the attacks ---------------------------------------------------------------------------


class Attack:
    def __init__(self, client: Client, scene: Scene, ledger: Ledger):
        self.client = client
        self.scene = scene
        self.ledger = ledger
        self.xss_stored = self.xss_fields = self.xss_pages = self.xss_marked = 0
        self.xss_browser_pages = 0
        self.race_statuses: dict[int, int] = {}
        self.xss_sessions = []
        self.access_cells = self.allowed_cells = self.allowed_succeeded = 0

    # helpers

    def api(self, method: str, path: str, principal: str, **kwargs: Any) -> Answer:
        token = self.scene.tokens.get(principal)
        return self.client.send(method, API + "/" + path, who=principal, token=token, **kwargs)

    def login_tokens(self, principals: Iterable[str]) -> None:
        for principal in principals:
            answer = self.client.send(
                "POST",
                API + "/tokens",
                json_body={
                    "username": self.scene.usernames[principal],
                    "password": self.scene.password,
                    "name": f"attack {principal}",
                },
            )
            _common.expect(f"a token for {principal}", answer.status, 201)
            self.scene.tokens[principal] = answer.json()["token"]

    def fresh_user(self, role: str = "author", bank: str = "world") -> str:
        """A new user with ``role`` in the attacked bank (or the other), and its name."""

        def make(world: Any, other: Any, plugins: Any) -> str:
            from itembank.operations.accounts import add_member, create_user
            from tests.factories import unique

            user = create_user(unique(f"{role}-"), self.scene.password, actor=None)
            add_member((world if bank == "world" else other).bank, user, role, actor=None)
            return user.username

        return self.scene.run(make)

    def token_for(self, username: str, password: str | None = None) -> str:
        answer = self.client.send(
            "POST",
            API + "/tokens",
            who=username,
            json_body={"username": username, "password": password or self.scene.password},
        )
        _common.expect(f"a token for {username}", answer.status, 201)
        return answer.json()["token"]

    # 1. access control

    def access_control(self) -> None:
        rows = access_rows()
        document = self.client.send("GET", API + "/openapi.json").json()
        patterns = operation_patterns(document)
        attacked: set[tuple[str, str]] = set()
        for row in rows:
            row.names = self.scene.state(row.setup)
            path = _fill(row.path, row.names).split("?", 1)[0]
            matched = [
                key
                for key, pattern in patterns.items()
                if key[0] == row.method and pattern.match(f"{API}/{path}")
            ]
            attacked.update(matched)
        for key in sorted(set(patterns) - attacked):
            self.ledger.check("access control", False, f"not attacked: {key[0]} {key[1]}")
        principals = [*ROLES_HERE, *(f"other:{r}" for r in OTHER_ROLES)]

        def attack(row: Row) -> None:
            def expectation(principal: str) -> bool:
                role = "outsider" if principal.startswith("other:") else principal
                return role in row.allowed

            order = sorted(principals, key=expectation)  # those refused first
            for principal in order:
                allowed = expectation(principal)
                headers = {"If-Match": "*"} if row.method == "PATCH" else {}
                kwargs: dict[str, Any] = {"headers": headers}
                body = _fill(row.body, row.names)
                if isinstance(body, tuple) and body and body[0] == "multipart":
                    fields = dict(body[1])
                    files = {k: v for k, v in fields.items() if isinstance(v, tuple)}
                    kwargs["form"] = {k: v for k, v in fields.items() if k not in files}
                    kwargs["files"] = files
                elif body is not None:
                    kwargs["json_body"] = body
                answer = self.api(row.method, _fill(row.path, row.names), principal, **kwargs)
                if not allowed:
                    self.ledger.check(
                        "access control",
                        not 200 <= answer.status < 300,
                        f"{principal} ({row.source} says refused): {answer.show()}",
                    )
                else:
                    with self.ledger.lock:
                        self.allowed_cells += 1
                        self.allowed_succeeded += 200 <= answer.status < 300
                    if self.ledger.verbose and not 200 <= answer.status < 300:
                        print(f"note [access control] may act, did not: {answer.show()}")

        self.allowed_cells = self.allowed_succeeded = 0
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(attack, rows))
        self.access_cells = len(rows) * len(principals)
        # Not vacuous: the state is there, so the roles that may mostly succeed.
        _common.expect(
            "most cells where the role may act answered 2xx",
            self.allowed_succeeded >= 0.8 * self.allowed_cells,
            True,
        )
        self._access_data()

    def _access_pages(self) -> None:
        """The bank's UI pages to an outsider and to another bank's members: never 200."""
        bank = self.scene.names["bank"]
        names = self.scene.state(_filled_form_state)
        item, form = names["item"], names["form"]
        pages = [
            f"/banks/{bank}/items",
            f"/banks/{bank}/items/new",
            f"/items/{item}",
            f"/items/{item}/versions/1",
            f"/items/{item}/statistics",
            f"/items/{item}/edit",
            f"/banks/{bank}/blueprints",
            f"/banks/{bank}/forms",
            f"/forms/{form}",
            f"/forms/{form}/answer-key.json",
            f"/forms/{form}/answer-key.csv",
            f"/forms/{self.scene.names['exported_form']}/analysis",
            f"/forms/{self.scene.names['exported_form']}/analysis.xlsx",
            f"/banks/{bank}/imports",
            f"/banks/{bank}/administrations",
            f"/banks/{bank}/administrations/{self.scene.names['administration']}",
            f"/banks/{bank}/review-flags",
            f"/banks/{bank}/review-flags/{self.scene.names['flag']}",
            f"/banks/{bank}/media.json",
            f"/media/{self.scene.names['sha256']}",
            "/admin/users",
        ]
        for principal in ["outsider", *(f"other:{r}" for r in OTHER_ROLES)]:
            browser = Browser(self.client, principal)
            browser.login(self.scene.usernames[principal], self.scene.password)
            for path in pages:
                answer = browser.get(path)
                self.ledger.check(
                    "access control",
                    not 200 <= answer.status < 300,
                    f"UI page of bank {bank} shown to {principal}: {answer.show()}",
                )
        anonymous = Browser(self.client, "anonymous")
        for path in pages:
            answer = anonymous.get(path)
            self.ledger.check(
                "access control",
                not 200 <= answer.status < 300,
                f"UI page shown to anonymous: {answer.show()}",
            )

    def _access_data(self) -> None:
        self._access_pages()
        bank = self.scene.names["bank"]
        for principal in ["outsider", *(f"other:{r}" for r in OTHER_ROLES)]:
            answer = self.api("GET", "banks", principal)
            self.ledger.check(
                "access control",
                answer.status == 200 and bank not in answer.text,
                f"bank {bank} listed to {principal}: {answer.show()}",
            )
            answer = self.api("GET", f"banks/{bank}/items?q=a", principal)
            self.ledger.check(
                "access control", answer.status == 404, f"items to {principal}: {answer.show()}"
            )
        for query in ("per_page=100", "status=draft&per_page=100", "status=in_review"):
            answer = self.api("GET", f"banks/{bank}/items?{query}", "assembler")
            leaked = sorted(i for i in self.scene.unapproved if i in answer.text)
            self.ledger.check(
                "access control",
                answer.status < 500 and not leaked,
                f"assembler's listing ({query}) shows unapproved items {leaked[:5]}",
            )

    # 2. stored XSS

    PAYLOADS = (
        '<script>alert("XSSMARK1")</script>XSSMARK1',
        '<img src=x onerror=alert("XSSMARK2")>XSSMARK2',
        '<svg onload=alert("XSSMARK3")><circle r="1"/></svg>XSSMARK3',
        "<a href=\"javascript:alert('XSSMARK4')\">XSSMARK4</a>",
        '<a href=" JaVaScRiPt:alert(1)//">XSSMARK5</a>',
        '<a href="&#106;avascript:alert(1)">XSSMARK6</a>',
        '<math><mtext><table><mglyph><style><img src=x onerror=alert("XSSMARK7")>'
        "</style></mglyph></table></mtext></math>XSSMARK7",
        "<iframe src=\"javascript:alert('XSSMARK8')\"></iframe>XSSMARK8",
        '"><script>alert("XSSMARK9")</script>XSSMARK9',
        "'><img src=x onerror=alert('XSSMARK10')>XSSMARK10",
        '<details open ontoggle=alert("XSSMARK11")>XSSMARK11</details>',
        '<form action="javascript:alert(1)"><button>XSSMARK12</button></form>',
        '<p style="background:url(javascript:alert(1))">XSSMARK13</p>',
        "<noscript><p title=\"</noscript><img src=x onerror=alert('XSSMARK14')>\"></noscript>",
        '<svg><a xlink:href="javascript:alert(1)"><text>XSSMARK15</text></a></svg>',
        '<object data="javascript:alert(1)">XSSMARK16</object>',
        '<base href="javascript:/XSSMARK17/">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">XSSMARK18',
        "javascript:alert('XSSMARK19')",
        '</textarea></title></script><img src=x onerror=alert("XSSMARK20")>XSSMARK20',
        '<a href="data:text/html,<script>alert(1)</script>">XSSMARK21</a>',
        "{{7*7}}${7*7}<%= 7*7 %>XSSMARK22",
    )
    #: A payload short enough for a title or a tag.
    SHORT = '"><img src=x onerror=alert(1)><script>alert(1)</script>XSSMARK0'

    def stored_xss(self) -> None:
        bank = self.scene.names["bank"]
        rich = "".join(f"<p>{p}</p>" for p in self.PAYLOADS)
        stored: list[tuple[str, Answer]] = []

        def store(what: str, answer: Answer) -> Answer:
            stored.append((what, answer))
            return answer

        content = {
            "options": [
                {"id": letter, "text": payload}
                for letter, payload in zip("ABCDE", self.PAYLOADS[:5], strict=True)
            ],
            "key": "B",
            "points": 5,
        }
        metadata = {
            "classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}],
            "tags": [
                '"><svg onload=alert(1)>XSSMARK0',
                "<script>alert(1)</script>",
                "javascript:alert(1)",
            ],
            "notes": rich[:2000],
        }
        items = []
        for _ in range(4):
            answer = store(
                "item stem, options, tags, notes",
                self.api(
                    "POST",
                    f"banks/{bank}/items",
                    "author",
                    json_body={
                        "type": "single_choice",
                        "stem": rich,
                        "content": content,
                        "metadata": metadata,
                    },
                ),
            )
            if answer.status == 201:
                items.append(answer.json()["external_id"])
        if not items:
            raise _common.BenchCheckFailed(
                f"bench check failed: no item carrying the payloads: {stored[-1][1].show()}"
            )
        if len(items) < 4:
            raise _common.BenchCheckFailed(f"bench check failed: {stored[-1][1].show()}")
        shown, reviewed, approved, pending = items
        passage = store(
            "passage title and text",
            self.api(
                "POST",
                f"banks/{bank}/passages",
                "author",
                json_body={"title": self.SHORT, "body": rich},
            ),
        )
        passage_id = passage.json().get("external_id", "") if passage.status == 201 else ""
        if passage_id:  # the item's pages show the passage beside it
            self.api(
                "PATCH",
                f"items/{shown}/draft",
                "author",
                json_body={"passage": {"id": passage_id}},
                headers={"If-Match": "*"},
            )
        for item in (reviewed, approved, pending):
            self.api("POST", f"items/{item}/versions/1/submit", "author", json_body={})
        store(
            "comment body",
            self.api(
                "POST",
                f"items/{reviewed}/versions/1/comments",
                "reviewer",
                json_body={"body": rich[:4000]},
            ),
        )
        store(
            "comment body (in review)",
            self.api(
                "POST",
                f"items/{pending}/versions/1/comments",
                "reviewer",
                json_body={"body": rich[:4000]},
            ),
        )
        store(
            "review comment",
            self.api(
                "POST",
                f"items/{reviewed}/versions/1/reviews",
                "reviewer",
                json_body={"decision": "request_changes", "comment": rich[:4000]},
            ),
        )
        self.api(
            "POST",
            f"items/{approved}/versions/1/reviews",
            "reviewer",
            json_body={"decision": "approve", "comment": self.SHORT},
        )
        other_approved = self.scene.state(_item_approved)["item"]
        store(
            "enemy reason",
            self.api(
                "POST",
                f"banks/{bank}/enemies",
                "reviewer",
                json_body={"items": [approved, other_approved], "reason": self.SHORT},
            ),
        )
        blueprint = {
            "code": "XSS-BP",
            "title": self.SHORT,
            "total_length": 1,
            "sections": [
                {
                    "title": self.SHORT,
                    "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": 1}],
                }
            ],
        }
        store(
            "blueprint and section titles",
            self.api("POST", f"banks/{bank}/blueprints", "assembler", json_body=blueprint),
        )
        form = store(
            "form title",
            self.api(
                "POST",
                f"banks/{bank}/forms",
                "assembler",
                json_body={"blueprint": "XSS-BP", "title": self.SHORT},
            ),
        )
        form_id = form.json().get("external_id", "") if form.status == 201 else ""
        if form_id:
            self.api("POST", f"forms/{form_id}/entries", "assembler", json_body={"item": approved})
        store(
            "administration title, site, notes",
            self.api(
                "POST",
                f"banks/{bank}/administrations",
                "assembler",
                json_body={
                    "title": self.SHORT,
                    "starts_on": "2026-02-02",
                    "site": self.SHORT,
                    "notes": self.SHORT,
                    "forms": [self.scene.names["exported_form"]],
                },
            ),
        )
        retired = self.scene.state(_item_approved)["item"]
        store(
            "retire reason",
            self.api(
                "POST", f"items/{retired}/retire", "bank_admin", json_body={"reason": self.SHORT}
            ),
        )
        withdrawn = self.scene.state(_item_in_review)["item"]
        store(
            "withdraw reason",
            self.api(
                "POST",
                f"items/{withdrawn}/versions/1/withdraw",
                "author",
                json_body={"reason": self.SHORT},
            ),
        )
        flag = self.scene.names["flag"]
        flags = self.api("GET", f"banks/{bank}/review-flags", "reviewer").json()
        open_flags = [f["id"] for f in flags if str(f["id"]) != flag]
        if open_flags:
            store(
                "review flag reason",
                self.api(
                    "POST",
                    f"banks/{bank}/review-flags/{open_flags[0]}/decision",
                    "reviewer",
                    json_body={"decision": "keep", "reason": self.SHORT},
                ),
            )
        store(
            "bank name",
            self.api(
                "POST",
                "banks",
                "admin",
                json_body={"code": "XSS-BANK", "name": self.SHORT},
            ),
        )
        victim = self.fresh_user()
        store(
            "disable reason",
            self.api("POST", f"users/{victim}/disable", "admin", json_body={"reason": self.SHORT}),
        )
        imported = store(
            "import file name",
            self.api(
                "POST",
                f"banks/{bank}/imports",
                "author",
                form={"mode": "strict"},
                files={"file": (self.SHORT.replace('"', "") + ".csv", IMPORT_CSV, "text/csv")},
            ),
        )
        job = imported.json().get("id") if imported.status == 202 else None
        taxonomy = (
            "code,name,name_en,description\n"
            + "X1,"
            + csv_cell(self.SHORT)
            + ","
            + csv_cell("<svg onload=alert(1)>XSSMARK0")
            + ","
            + csv_cell(self.PAYLOADS[3])
            + "\n"
        ).encode()
        store(
            "taxonomy node name and description",
            self.api(
                "POST",
                f"banks/{bank}/taxonomies",
                "bank_admin",
                form={"code": "xss-tax", "name": "XSSMARK0 <script>alert(1)</script>"},
                files={"file": ("t.csv", taxonomy, "text/csv")},
            ),
        )
        self.stored_fields = [
            f"{what}: {a.status}" for what, a in stored if not 200 <= a.status < 300
        ]
        self.xss_stored = sum(1 for _, a in stored if 200 <= a.status < 300)
        self.xss_fields = len(stored)

        pages = {
            "admin": [
                "/",
                "/banks",
                f"/banks/{bank}/items",
                f"/banks/{bank}/items?q=XSSMARK",
                f"/items/{shown}",
                f"/items/{shown}/versions/1",
                f"/items/{reviewed}",
                f"/items/{reviewed}/versions/1",
                f"/items/{approved}",
                f"/items/{retired}",
                f"/items/{withdrawn}",
                f"/items/{approved}/statistics",
                f"/banks/{bank}/blueprints",
                "/banks/" + bank + "/blueprints/XSS-BP",
                f"/banks/{bank}/forms",
                f"/banks/{bank}/administrations",
                f"/banks/{bank}/imports",
                f"/banks/{bank}/review-flags",
                "/admin/users",
                "/review-flags",
            ],
            "author": [
                "/",
                f"/items/{shown}/edit",
                f"/items/{reviewed}",
                f"/banks/{bank}/items/new?type=single_choice",
            ],
            "reviewer2": [
                "/",
                f"/items/{approved}/versions/1",
                f"/items/{pending}/versions/1/review",
            ],
            "assembler": ["/", f"/banks/{bank}/forms"],
        }
        if form_id:
            pages["admin"].append(f"/forms/{form_id}")
            pages["assembler"].append(f"/forms/{form_id}")
        if passage_id:
            pages["admin"] += [
                f"/banks/{bank}/passages",
                f"/passages/{passage_id}",
                f"/passages/{passage_id}/set",
            ]
            pages["author"].append(f"/passages/{passage_id}/edit")
        if open_flags:
            pages["admin"].append(f"/banks/{bank}/review-flags/{open_flags[0]}")
        if job:
            pages["author"].append(f"/jobs/{job}")
        administrations = self.api("GET", f"banks/{bank}/administrations", "admin")
        for entry in administrations.json() if administrations.status == 200 else []:
            pages["admin"].append(f"/banks/{bank}/administrations/{entry['id']}")
        self.xss_pages = 0
        self.xss_marked = 0
        self.xss_sessions: list[tuple[str, dict[str, str], list[str]]] = []
        for principal, paths in pages.items():
            browser = Browser(self.client, principal)
            answer = browser.login(self.scene.usernames[principal], self.scene.password)
            _common.expect(f"signing in as {principal}", answer.status in (302, 303), True)
            self.xss_sessions.append((principal, browser.cookies, paths))
            for path in paths:
                page = browser.get(path)
                if page.status >= 500:
                    self.ledger.check("stored XSS", False, f"page failed: {page.show()}")
                    continue
                _common.expect(f"loading {path} as {principal}", page.status, 200)
                self.xss_pages += 1
                self.xss_marked += "XSSMARK" in page.text
                active = active_markup(page.text)
                self.ledger.check(
                    "stored XSS",
                    not active,
                    f"{path} as {principal}: active markup served: {active[:3]}",
                )
                csp = page.header("Content-Security-Policy")
                self.ledger.check(
                    "stored XSS",
                    strict_csp(csp),
                    f"{path} as {principal}: CSP {csp!r}",
                )
        # The editor's live preview: its HTML goes into the page by script.
        author = Browser(self.client, "author")
        author.login(self.scene.usernames["author"], self.scene.password)
        for label, body in (
            ("valid", {"type": "single_choice", "stem": rich, "content": content}),
            ("with problems", {"type": "single_choice", "stem": rich, "content": {}}),
        ):
            answer = author.post_json(f"/banks/{bank}/preview", body)
            _common.expect(f"the editor's preview ({label})", answer.status, 200)
            active = active_markup(answer.json().get("html", ""))
            self.ledger.check(
                "stored XSS",
                not active,
                f"the editor's preview ({label}) returns active markup: {active[:3]}",
            )
            self.xss_pages += 1
            self.xss_marked += "XSSMARK" in answer.text
        _common.expect_some("pages showing the payloads (inert)", self.xss_marked)

    def browser_xss(self) -> None:
        """The same pages in headless Chromium (``/usr/bin/chromium`` or
        ``$ITEMBANK_CHROMIUM``, through Playwright): an alert, confirm or prompt dialog,
        i.e. a payload that ran, gets through; so does a page the browser cannot load."""
        from playwright.sync_api import sync_playwright

        ran: list[str] = []
        host = self.client.base
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=os.environ.get("ITEMBANK_CHROMIUM", "/usr/bin/chromium"),
                args=["--no-sandbox", "--disable-gpu"],
            )
            try:
                # The check itself: a payload without the app's CSP does raise a dialog.
                probe = chromium.new_page()
                fired: list[str] = []
                probe.on("dialog", lambda dialog: (fired.append(dialog.type), dialog.dismiss()))
                probe.set_content("<img src=x onerror=\"alert('probe')\">")
                probe.wait_for_timeout(300)
                probe.close()
                _common.expect("Chromium reports a payload that runs", fired, ["alert"])
                for principal, cookies, paths in self.xss_sessions:
                    context = chromium.new_context()
                    context.add_cookies(
                        [{"name": k, "value": v, "url": host} for k, v in cookies.items()]
                    )
                    page = context.new_page()

                    def on_dialog(dialog: Any, who: str = principal, tab: Any = page) -> None:
                        ran.append(f"{dialog.type}({dialog.message!r}) on {tab.url} as {who}")
                        dialog.dismiss()

                    page.on("dialog", on_dialog)
                    for path in paths:
                        before = len(ran)
                        try:
                            response = page.goto(host + path, wait_until="load", timeout=30_000)
                            page.wait_for_timeout(150)
                            loaded = response is not None and response.status == 200
                            what = f"status {response.status if response else None}"
                        except Exception as exc:
                            loaded, what = False, str(exc)[:200]
                        self.ledger.check(
                            "stored XSS",
                            loaded and len(ran) == before,
                            f"in Chromium {path} as {principal}: {what}; ran: {ran[before:]}",
                        )
                        self.xss_browser_pages += loaded
                    context.close()
            finally:
                chromium.close()

    # 3. hostile input

    def hostile_input(self) -> None:
        bank = self.scene.names["bank"]
        form_names = self.scene.state(_form_state)
        form = form_names["form"]
        item = form_names["item"]
        draft = self.scene.state(_draft_state)["item"]
        blueprint = self.scene.state(_blueprint_state)["blueprint"]
        nested = "<em>" * 80_000 + "x" + "</em>" * 80_000
        within = "<p>" + "<em>" * 10_000 + "x" + "</em>" * 10_000 + "</p>"
        wide = "<em>" * 20_000 + "x" + "</em>" * 20_000
        deep_divs = "<div>" * 10_000 + "x" + "</div>" * 10_000
        huge = int("9" * 400)
        cases: list[tuple[str, Callable[[], Answer]]] = []

        def item_body(**changes: Any) -> dict[str, Any]:
            body: dict[str, Any] = {
                "type": "single_choice",
                "stem": "<p>Soal?</p>",
                "content": {
                    "options": [{"id": "A", "text": "satu"}, {"id": "B", "text": "dua"}],
                    "key": "A",
                    "points": 5,
                },
                "metadata": {"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]},
            }
            for key, value in changes.items():
                if key in ("points", "options"):
                    body["content"][key] = value
                elif key in ("tags", "notes", "difficulty"):
                    body["metadata"][key] = value
                else:
                    body[key] = value
            return body

        def post_item(**changes: Any) -> Callable[[], Answer]:
            return lambda: self.api(
                "POST", f"banks/{bank}/items", "author", json_body=item_body(**changes)
            )

        raw_api = lambda method, path, raw, who="author": (  # noqa: E731
            lambda: self.api(method, path, who, raw=raw)
        )
        cases += [
            ("10,000 nested <em> in the stem (within the size limit)", post_item(stem=within)),
            (
                "20,000 nested <em> in an option (within the size limit)",
                post_item(options=[{"id": "A", "text": wide}, {"id": "B", "text": "dua"}]),
            ),
            (
                "80,000 nested <em> in an option",
                post_item(options=[{"id": "A", "text": nested}, {"id": "B", "text": "dua"}]),
            ),
            ("80,000 nested <em> in the stem", post_item(stem=nested)),
            ("10,000 nested <div> in the stem", post_item(stem=deep_divs)),
            (
                "80,000 nested <em> in a draft edit",
                lambda: self.api(
                    "PATCH",
                    f"items/{draft}/draft",
                    "author",
                    json_body={"stem": nested},
                    headers={"If-Match": "*"},
                ),
            ),
            (
                "80,000 nested <em> in a comment",
                lambda: self.api(
                    "POST",
                    f"items/{self.scene.state(_item_in_review)['item']}/versions/1/comments",
                    "reviewer",
                    json_body={"body": nested},
                ),
            ),
            ("400-digit points", post_item(points=huge)),
            ("points 1e308", post_item(points=1e308)),
            (
                "points 1e400 (raw JSON)",
                raw_api(
                    "POST",
                    f"banks/{bank}/items",
                    json.dumps(item_body()).replace('"points": 5', '"points": 1e400').encode(),
                ),
            ),
            ("400-digit difficulty", post_item(difficulty=huge)),
            (
                "400-digit required approvals",
                lambda: self.api(
                    "PATCH",
                    f"banks/{bank}",
                    "bank_admin",
                    json_body={"required_approvals": huge},
                    headers={"If-Match": "*"},
                ),
            ),
            (
                "400-digit blueprint count",
                lambda: self.api(
                    "POST",
                    f"banks/{bank}/blueprints",
                    "assembler",
                    json_body={
                        "code": "HUGE",
                        "title": "x",
                        "total_length": huge,
                        "sections": [
                            {
                                "title": "x",
                                "rows": [
                                    {
                                        "taxonomy": "skd-cpns",
                                        "node": "TIU.NUM",
                                        "count": huge,
                                        "points": huge,
                                    }
                                ],
                            }
                        ],
                    },
                ),
            ),
            (
                "400-digit entry position",
                lambda: self.api(
                    "POST",
                    f"forms/{form}/entries",
                    "assembler",
                    json_body={"item": item, "position": huge, "section": huge},
                ),
            ),
            (
                "400-digit page and per_page",
                lambda: self.api(
                    "GET", f"banks/{bank}/items?page={huge}&per_page={huge}", "author"
                ),
            ),
            (
                "400-digit item version number in the path",
                lambda: self.api("GET", f"items/{item}/versions/{huge}", "author"),
            ),
            (
                "400-digit job id (UI)",
                lambda: self.client.send("GET", f"/jobs/{huge}"),
            ),
            (
                "assembly with 400-digit forms and time limit",
                lambda: self.api(
                    "POST",
                    f"banks/{bank}/blueprints/{blueprint}/assemblies",
                    "assembler",
                    json_body={"forms": huge, "time_limit": huge},
                ),
            ),
        ]
        surrogate = "x\ud800y"
        cases += [
            ("lone surrogate in tags", post_item(tags=[surrogate])),
            ("lone surrogate in notes", post_item(notes=surrogate)),
            ("lone surrogate in the stem", post_item(stem=f"<p>{surrogate}</p>")),
            ("lone surrogate as a JSON key", post_item(metadata={surrogate: 1})),
            (
                "lone surrogate in a comment",
                lambda: self.api(
                    "POST",
                    f"items/{self.scene.state(_item_in_review)['item']}/versions/1/comments",
                    "reviewer",
                    json_body={"body": surrogate},
                ),
            ),
            (
                "lone surrogate in a form title",
                lambda: self.api(
                    "PATCH",
                    f"forms/{form}",
                    "assembler",
                    json_body={"title": surrogate},
                    headers={"If-Match": "*"},
                ),
            ),
            (
                "lone surrogate in an enemy reason",
                lambda: self.api(
                    "POST",
                    f"banks/{bank}/enemies",
                    "reviewer",
                    json_body={"items": [item, draft], "reason": surrogate},
                ),
            ),
            (
                "lone surrogate in a token username",
                lambda: self.client.send(
                    "POST",
                    API + "/tokens",
                    json_body={"username": surrogate, "password": "x"},
                ),
            ),
            (
                "lone surrogate (CESU-8 bytes) in a query",
                lambda: self.api("GET", f"banks/{bank}/items?q=%ED%A0%80", "author"),
            ),
            (
                "invalid UTF-8 bytes in a JSON body",
                raw_api("POST", f"banks/{bank}/items", b'{"type": "\xff\xfe", "stem": "x"}'),
            ),
            (
                "lone surrogate (CESU-8 bytes) in the sign-in form",
                lambda: Browser(self.client, "anonymous").login(surrogate, "x"),
            ),
            (
                "NUL in an API path",
                lambda: self.api("GET", "items/%00", "author"),
            ),
            (
                "NUL in a bank code",
                lambda: self.api("GET", f"banks/{bank}%00/items", "author"),
            ),
            ("NUL in a UI path", lambda: self.client.send("GET", "/items/abc%00def")),
            ("NUL in a media path", lambda: self.client.send("GET", "/media/%00")),
            ("NUL in a query", lambda: self.api("GET", f"banks/{bank}/items?q=a%00b", "author")),
            ("NUL in the stem", post_item(stem="<p>a\x00b</p>")),
            (
                "NUL in a token username",
                lambda: self.client.send(
                    "POST", API + "/tokens", json_body={"username": "a\x00b", "password": "x"}
                ),
            ),
            (
                "NUL in a blueprint code path",
                lambda: self.api("GET", f"banks/{bank}/blueprints/%00", "assembler"),
            ),
        ]
        deep = b"[" * 100_000 + b"]" * 100_000
        deep_object = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
        cases += [
            ("JSON nested 100,000 deep (array)", raw_api("POST", f"banks/{bank}/items", deep)),
            (
                "JSON nested 100,000 deep (object)",
                raw_api("POST", f"banks/{bank}/items", deep_object),
            ),
            (
                "JSON nested 100,000 deep in content",
                raw_api(
                    "POST",
                    f"banks/{bank}/items",
                    b'{"type":"single_choice","stem":"x","content":' + deep + b"}",
                ),
            ),
            (
                "JSON nested 100,000 deep in a form edit",
                raw_api("PUT", f"forms/{form}/order", deep, "assembler"),
            ),
            (
                "JSON nested 100,000 deep, UTF-16",
                lambda: self.api(
                    "POST",
                    f"banks/{bank}/items",
                    "author",
                    raw=("[" * 100_000 + "]" * 100_000).encode("utf-16"),
                    content_type="application/json",
                ),
            ),
            (
                "JSON nested 100,000 deep to the token endpoint",
                lambda: self.client.send("POST", API + "/tokens", raw=deep),
            ),
        ]
        big = b'{"type": "true_false", "stem": "' + b"x" * (17 * 2**20) + b'"}'
        cases += [
            (
                "a 17 MB body (above ITEMBANK_MAX_REQUEST_BYTES)",
                raw_api("POST", f"banks/{bank}/items", big),
            ),
            ("a 100 KB path", lambda: self.api("GET", "items/" + "A" * 100_000, "author")),
            (
                "300 query parameters",
                lambda: self.api(
                    "GET",
                    f"banks/{bank}/items?" + "&".join(f"status={i}" for i in range(300)),
                    "author",
                ),
            ),
            ("a JSON list for an object", raw_api("POST", f"banks/{bank}/items", b"[1, 2]")),
            ("a JSON string for an object", raw_api("POST", f"banks/{bank}/items", b'"x"')),
            (
                "a form body sent as JSON",
                lambda: self.api(
                    "POST",
                    f"banks/{bank}/items",
                    "author",
                    raw=b"type=true_false&stem=x",
                    content_type="application/json",
                ),
            ),
            (
                "path traversal out of /static",
                lambda: self.client.send("GET", "/static/..%2f..%2fconfig.py"),
            ),
            (
                "path traversal in a media address",
                lambda: self.client.send("GET", "/media/..%2f..%2fetc%2fpasswd"),
            ),
        ]
        browser = Browser(self.client, "author")
        browser.login(self.scene.usernames["author"], self.scene.password)
        cases += [
            (
                "UI preview: 80,000 nested <em>",
                lambda: browser.post_json(
                    f"/banks/{bank}/preview",
                    {"type": "single_choice", "stem": nested, "content": {}},
                ),
            ),
            (
                "UI preview: 10,000 nested <em> (within the size limit)",
                lambda: browser.post_json(
                    f"/banks/{bank}/preview",
                    {"type": "single_choice", "stem": within, "content": {}},
                ),
            ),
            (
                "UI editor: JSON 100,000 deep in the content field",
                lambda: browser.post(
                    f"/banks/{bank}/items/new",
                    {"type": "single_choice", "stem": "<p>x</p>", "content": deep.decode()},
                ),
            ),
            (
                "UI editor: lone surrogate in the content's JSON",
                lambda: browser.post(
                    f"/banks/{bank}/items/new",
                    {
                        "type": "single_choice",
                        "stem": "<p>x</p>",
                        "content": '{"options": [{"id": "A", "text": "\\ud800"}], "key": "A"}',
                    },
                ),
            ),
        ]
        for what, send in cases:
            answer = send()
            if what in ANSWER_ENOUGH:
                refused = 0 < answer.status < 500
            else:
                refused = 400 <= answer.status < 500
            self.ledger.check(
                "hostile input",
                refused and answer.seconds <= SLOW,
                f"{what}: {answer.show()}",
            )

    # 4. form races

    def form_races(self, threads: int = 8, rounds: int = 25) -> None:
        names = self.scene.state(_race_form_state)
        form = names["form"]
        items = names["items"].split(",")

        def entries() -> list[dict[str, Any]]:
            answer = self.api("GET", f"forms/{form}", "assembler")
            return [e for s in answer.json()["sections"] for e in s["entries"]]

        def worker(seed: int) -> None:
            rng = random.Random(seed)
            for _ in range(rounds):
                current = entries()
                choice = rng.random()
                if current and choice < 0.35:
                    entry = rng.choice(current)
                    answer = self.api(
                        "PATCH",
                        f"forms/{form}/entries/{entry['id']}",
                        "assembler",
                        json_body={"position": rng.randint(1, len(current))},
                    )
                elif current and choice < 0.6:
                    entry = rng.choice(current)
                    answer = self.api("DELETE", f"forms/{form}/entries/{entry['id']}", "assembler")
                elif choice < 0.85:
                    answer = self.api(
                        "POST",
                        f"forms/{form}/entries",
                        "bank_admin",
                        json_body={"item": rng.choice(items)},
                    )
                else:
                    ids = [e["id"] for e in current]
                    rng.shuffle(ids)
                    answer = self.api(
                        "PUT",
                        f"forms/{form}/order",
                        "assembler",
                        json_body={"sections": [{"section": 1, "entries": ids}]},
                    )
                self.ledger.check(
                    "form races",
                    answer.status < 500 and answer.status != 0,
                    f"race: {answer.show()}",
                )
                with self.ledger.lock:
                    self.race_statuses[answer.status] = self.race_statuses.get(answer.status, 0) + 1

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(worker, range(threads)))
        final = self.api("GET", f"forms/{form}", "assembler").json()
        for section in final["sections"]:
            positions = [e["position"] for e in section["entries"]]
            self.ledger.check(
                "form races",
                positions == list(range(1, len(positions) + 1)),
                f"section {section.get('position', '?')} positions after the race: {positions}",
            )
        self._clone_delete_races()

    def _clone_delete_races(self, rounds: int = 6) -> None:
        """Finding 4's ground: a draft form cloned and deleted at once, from 6 threads
        (clones of it, edits of it and its deletion racing): no 5xx."""

        def race(index: int) -> list[Answer]:
            form = self.scene.state(_filled_form_state)["form"]
            actions = [
                ("POST", f"forms/{form}/clone", {}),
                ("POST", f"forms/{form}/clone", {}),
                ("DELETE", f"forms/{form}", None),
                ("PATCH", f"forms/{form}", {"title": f"Balapan {index}"}),
                ("POST", f"forms/{form}/lock", None),
                ("DELETE", f"forms/{form}", None),
            ]
            with ThreadPoolExecutor(len(actions)) as pool:
                return list(
                    pool.map(lambda a: self.api(a[0], a[1], "bank_admin", json_body=a[2]), actions)
                )

        clones = []
        for index in range(rounds):
            for answer in race(index):
                self.race_statuses[answer.status] = self.race_statuses.get(answer.status, 0) + 1
                self.ledger.check(
                    "form races",
                    0 < answer.status < 500,
                    f"clone/delete race: {answer.show()}",
                )
                if answer.status == 201:
                    clones.append(answer.json()["external_id"])
        _common.expect_some("clones made during the races", len(clones))
        # Whichever won, every clone made stays readable (its original may be gone).
        for clone in clones:
            answer = self.api("GET", f"forms/{clone}", "bank_admin")
            self.ledger.check(
                "form races", answer.status == 200, f"a clone after the race: {answer.show()}"
            )

    # 5. sessions

    def sessions(self) -> None:
        user = self.fresh_user()
        browser = Browser(self.client, user)
        browser.get("/login")
        before = dict(browser.cookies)
        answer = browser.post("/login", {"username": user, "password": self.scene.password})
        self.ledger.check("sessions", browser.signed_in(), f"{user} could not sign in")
        cookie = " ".join(answer.headers.getlist("Set-Cookie")).lower()
        self.ledger.check(
            "sessions",
            "httponly" in cookie and "samesite=lax" in cookie,
            f"the session cookie lacks HttpOnly or SameSite=Lax: {cookie!r}",
        )
        for target in (
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "javascript:alert(1)",
        ):
            other = Browser(self.client, user)
            other.get("/login?" + urlencode({"next": target}))
            answer = other.post(
                "/login",
                {"username": user, "password": self.scene.password, "next": target},
            )
            location = answer.header("Location")
            self.ledger.check(
                "sessions",
                answer.status in (302, 303)
                and (
                    (location.startswith("/") and not location.startswith(("//", "/\\")))
                    or location.startswith(self.client.base + "/")
                ),
                f"sign-in redirects to {target!r}: Location {location!r}",
            )
        self.ledger.check(
            "sessions",
            any(before.get(k) != v for k, v in browser.cookies.items()),
            f"the session cookie did not change at sign-in: {before} -> {browser.cookies}",
        )
        browser.get("/")
        copied = dict(browser.cookies)
        answer = browser.post("/logout")
        _common.expect("signing out (status)", answer.status in (302, 303), True)
        replay = Browser(self.client, f"{user} (copied cookie)")
        replay.cookies = dict(copied)
        self.ledger.check(
            "sessions", not replay.signed_in(), "a copied session cookie works after sign-out"
        )
        replay.cookies["remember_token"] = copied.get("session", "x")
        replay.cookies.pop("session", None)
        self.ledger.check(
            "sessions", not replay.signed_in(), "a remember_token cookie signs someone in"
        )

        # A password change (web UI) ends the other sessions and the tokens.
        user = self.fresh_user()
        first, second = Browser(self.client, user), Browser(self.client, user)
        first.login(user, self.scene.password)
        second.login(user, self.scene.password)
        token = self.token_for(user)
        old_first = dict(first.cookies)
        first.get("/account/password")
        answer = first.post(
            "/account/password",
            {
                "current_password": self.scene.password,
                "new_password": "attack-changed-pass-1",
                "confirm_password": "attack-changed-pass-1",
            },
        )
        _common.expect("a password change (status)", answer.status in (302, 303), True)
        self.ledger.check("sessions", first.signed_in(), "no fresh session after the change")
        self.ledger.check(
            "sessions", not second.signed_in(), "another session survived a password change"
        )
        stale = Browser(self.client, user)
        stale.cookies = old_first
        self.ledger.check(
            "sessions", not stale.signed_in(), "the changing session's old cookie still works"
        )
        answer = self.client.send("GET", API + "/me", token=token, who=user)
        self.ledger.check(
            "sessions", answer.status == 401, f"a token survived a password change: {answer.show()}"
        )

        # The API's password change ends the web sessions.
        user = self.fresh_user()
        browser = Browser(self.client, user)
        browser.login(user, self.scene.password)
        token = self.token_for(user)
        answer = self.client.send(
            "POST",
            API + "/me/password",
            token=token,
            who=user,
            json_body={"current_password": self.scene.password, "new_password": "attack-p-2x"},
        )
        _common.expect("an API password change (status)", answer.status, 200)
        self.ledger.check(
            "sessions", not browser.signed_in(), "a session survived an API password change"
        )
        answer = self.client.send("GET", API + "/me", token=token, who=user)
        self.ledger.check(
            "sessions", answer.status == 401, f"the changing token still works: {answer.show()}"
        )

        # Disabling an account ends its sessions and tokens, and it cannot sign in.
        for how in ("api", "ui"):
            user = self.fresh_user()
            browser = Browser(self.client, user)
            browser.login(user, self.scene.password)
            token = self.token_for(user)
            if how == "api":
                answer = self.api("POST", f"users/{user}/disable", "admin", json_body={})
                _common.expect("disabling through the API", answer.status, 200)
            else:
                admin = Browser(self.client, "admin")
                admin.login(self.scene.usernames["admin"], self.scene.password)
                admin.get("/admin/users")
                answer = admin.post(f"/admin/users/{user}/disable", {"reason": "attack"})
                _common.expect("disabling in the UI", answer.status in (302, 303), True)
            self.ledger.check(
                "sessions", not browser.signed_in(), f"a session survived disabling ({how})"
            )
            answer = self.client.send("GET", API + "/me", token=token, who=user)
            self.ledger.check(
                "sessions",
                answer.status == 401,
                f"a token survived disabling ({how}): {answer.show()}",
            )
            again = Browser(self.client, user)
            again.login(user, self.scene.password)
            self.ledger.check(
                "sessions", not again.signed_in(), f"a disabled account signed in ({how})"
            )
            answer = self.client.send(
                "POST",
                API + "/tokens",
                who=user,
                json_body={"username": user, "password": self.scene.password},
            )
            self.ledger.check(
                "sessions",
                not 200 <= answer.status < 300,
                f"a disabled account got a token ({how}): {answer.show()}",
            )

    # 6. lockout

    def lockout(self) -> None:
        victim, colleague, third = (self.fresh_user() for _ in range(3))
        for attempt in range(20):
            answer = self.client.send(
                "POST",
                API + "/tokens",
                who=victim,
                json_body={"username": victim, "password": f"{WRONG_PASSWORD}{attempt}"},
            )
            self.ledger.check(
                "lockout",
                answer.status in (401, 429) and answer.seconds <= SLOW,
                f"failed login {attempt + 1} for {victim}: {answer.show()}",
            )
        locked = self.client.send(
            "POST",
            API + "/tokens",
            who=victim,
            json_body={"username": victim, "password": self.scene.password},
        )
        self.ledger.check(
            "lockout",
            locked.status == 429 and bool(locked.header("Retry-After")),
            f"the guessed account is not locked after 20 failures: {locked.show()}",
        )
        answer = self.client.send(
            "POST",
            API + "/tokens",
            who=colleague,
            json_body={"username": colleague, "password": self.scene.password},
        )
        self.ledger.check(
            "lockout",
            answer.status == 201,
            f"another account from the same address was locked out: {answer.show()}",
        )
        browser = Browser(self.client, colleague)
        browser.login(colleague, self.scene.password)
        self.ledger.check(
            "lockout", browser.signed_in(), "another account could not sign in to the web UI"
        )

        # Parallel failures do not hold the workers: time health checks meanwhile.
        stop = threading.Event()
        health: list[Answer] = []

        def probe() -> None:
            while not stop.is_set():
                health.append(self.client.send("GET", "/healthz"))
                time.sleep(0.05)

        def fail(index: int) -> Answer:
            target = victim if index % 2 else third
            return self.client.send(
                "POST",
                API + "/tokens",
                who=target,
                json_body={"username": target, "password": f"{WRONG_PASSWORD}x{index}"},
            )

        prober = threading.Thread(target=probe)
        prober.start()
        with ThreadPoolExecutor(12) as pool:
            failures = list(pool.map(fail, range(24)))
        stop.set()
        prober.join()
        for answer in failures:
            self.ledger.check(
                "lockout",
                answer.status in (401, 429) and answer.seconds <= SLOW,
                f"parallel failed login: {answer.show()}",
            )
        for answer in health:
            self.ledger.check(
                "lockout",
                answer.status == 200 and answer.seconds <= SLOW,
                f"health check during parallel failed logins: {answer.show()}",
            )

    # 7. separation of duties

    def duties(self) -> None:
        other = self.scene.names["other_bank"]
        admin_name = self.scene.usernames["other:bank_admin"]

        for role in ("reviewer", "author", "bank_admin"):
            answer = self.api(
                "POST",
                f"banks/{other}/members",
                "other:bank_admin",
                json_body={"username": admin_name, "role": role},
            )
            self.ledger.check(
                "separation of duties",
                not 200 <= answer.status < 300,
                f"a bank admin granted themself {role}: {answer.show()}",
            )
        answer = self.api(
            "POST",
            f"banks/{self.scene.names['bank']}/members",
            "admin",
            json_body={"username": self.scene.usernames["admin"], "role": "reviewer"},
        )
        self.ledger.check(
            "separation of duties",
            not 200 <= answer.status < 300,
            f"an administrator granted themself reviewer: {answer.show()}",
        )

        def item_in_review() -> str:
            body = {
                "type": "true_false",
                "stem": "<p>Sumpah Pemuda diikrarkan pada 28 Oktober 1928.</p>",
                "content": {"key": True},
            }
            answer = self.api("POST", f"banks/{other}/items", "other:author", json_body=body)
            _common.expect("an item in the other bank", answer.status, 201)
            item = answer.json()["external_id"]
            answer = self.api(
                "POST", f"items/{item}/versions/1/submit", "other:author", json_body={}
            )
            _common.expect("submitting it", answer.status, 200)
            return item

        def status(item: str) -> str:
            return self.api("GET", f"items/{item}/versions/1", "other:bank_admin").json()["status"]

        approve = {"decision": "approve"}
        item = item_in_review()
        answer = self.api(
            "POST", f"items/{item}/versions/1/reviews", "other:bank_admin", json_body=approve
        )
        self.ledger.check(
            "separation of duties",
            not 200 <= answer.status < 300,
            f"a bank admin without a reviewer membership approved: {answer.show()}",
        )
        answer = self.api("POST", f"items/{item}/versions/1/reviews", "admin", json_body=approve)
        self.ledger.check(
            "separation of duties",
            not 200 <= answer.status < 300,
            f"a global administrator approved: {answer.show()}",
        )
        # Lower the requirement after submission: one approval must not be enough.
        answer = self.api(
            "PATCH",
            f"banks/{other}",
            "other:bank_admin",
            json_body={"required_approvals": 1},
            headers={"If-Match": "*"},
        )
        _common.expect("lowering required approvals", answer.status, 200)
        answer = self.api(
            "POST", f"items/{item}/versions/1/reviews", "other:reviewer", json_body=approve
        )
        _common.expect("one reviewer's approval (status)", answer.status, 201)
        self.ledger.check(
            "separation of duties",
            status(item) == "in_review",
            f"one approval counted against a requirement lowered after submission: {status(item)}",
        )
        answer = self.api(
            "POST", f"items/{item}/versions/1/reviews", "other:reviewer", json_body=approve
        )
        self.ledger.check(
            "separation of duties",
            not 200 <= answer.status < 300 and status(item) == "in_review",
            f"a reviewer approved twice: {answer.show()}; status {status(item)}",
        )
        answer = self.api(
            "PATCH",
            f"banks/{other}",
            "other:bank_admin",
            json_body={"required_approvals": 2},
            headers={"If-Match": "*"},
        )
        # An author who is also a reviewer approves their own version.
        author_reviewer = "other:author_reviewer"
        self.login_tokens([author_reviewer])
        body = {
            "type": "true_false",
            "stem": "<p>Bahasa negara ialah bahasa Indonesia.</p>",
            "content": {"key": True},
        }
        answer = self.api("POST", f"banks/{other}/items", author_reviewer, json_body=body)
        own = answer.json()["external_id"]
        self.api("POST", f"items/{own}/versions/1/submit", author_reviewer, json_body={})
        answer = self.api(
            "POST", f"items/{own}/versions/1/reviews", author_reviewer, json_body=approve
        )
        self.ledger.check(
            "separation of duties",
            not 200 <= answer.status < 300,
            f"an author approved their own version: {answer.show()}",
        )
        # A contributor (edited the draft someone else wrote and submits) reviews it.
        body = {
            "type": "true_false",
            "stem": "<p>Lambang negara Garuda Pancasila.</p>",
            "content": {"key": True},
        }
        answer = self.api("POST", f"banks/{other}/items", "other:author", json_body=body)
        _common.expect("a draft in the other bank (status)", answer.status, 201)
        item = answer.json()["external_id"]
        answer = self.api(
            "PATCH",
            f"items/{item}/draft",
            author_reviewer,
            json_body={"stem": "<p>Diubah oleh penelaah.</p>"},
            headers={"If-Match": "*"},
        )
        _common.expect(f"editing {item} as the author-reviewer (status)", answer.status, 200)
        answer = self.api("POST", f"items/{item}/versions/1/submit", "other:author", json_body={})
        _common.expect(f"submitting {item} (status)", answer.status, 200)
        answer = self.api(
            "POST", f"items/{item}/versions/1/reviews", author_reviewer, json_body=approve
        )
        self.ledger.check(
            "separation of duties",
            not 200 <= answer.status < 300,
            f"a contributor to the version approved it: {answer.show()}",
        )

    # 8. headers and audit

    def headers(self) -> None:
        bank = self.scene.names["bank"]
        item = self.scene.state(_item_approved)["item"]
        form = self.scene.state(_filled_form_state)["form"]
        for path in (
            f"items/{item}",
            f"items/{item}/versions/1",
            f"banks/{bank}/items",
            f"forms/{form}/answer-key",
            f"forms/{form}/answer-key.csv",
            "items/nonexistent",
        ):
            self.api("GET", path, "bank_admin")
        docs = self.client.send("GET", API + "/docs")
        self.ledger.check(
            "headers",
            strict_csp(docs.header("Content-Security-Policy")),
            f"the API docs page's CSP: {docs.header('Content-Security-Policy')!r}",
        )
        # Reads of images and comments are audited.
        upload = self.api(
            "POST",
            f"banks/{bank}/media",
            "author",
            files={"file": ("grafik.png", _common.png(11), "image/png")},
        )
        _common.expect("uploading an image (status)", upload.status, 201)
        sha = upload.json()["sha256"]
        in_review = self.scene.state(_item_in_review)["item"]
        answer = self.api(
            "POST",
            f"items/{in_review}/versions/1/comments",
            "author",
            json_body={"body": "Mohon periksa kunci."},
        )
        _common.expect("a comment to read (status)", answer.status, 201)
        self.api("GET", f"banks/{bank}/media/{sha}", "reviewer")
        self.api("GET", f"items/{in_review}/versions/1/comments", "reviewer")
        browser = Browser(self.client, "reviewer")
        browser.login(self.scene.usernames["reviewer"], self.scene.password)
        browser.get(f"/media/{sha}")
        for action in ("media.read", "comment.read"):
            answer = self.api(
                "GET", f"banks/{bank}/audit?action={action}&per_page=200", "bank_admin"
            )
            self.ledger.check(
                "headers",
                answer.status == 200 and self.scene.usernames["reviewer"] in answer.text,
                f"{action} by the reviewer not in the audit trail: {answer.show()}",
            )

    def header_totals(self) -> None:
        """Every API answer of the whole run: no-store and nosniff (images set their own
        caching); every HTML page: a strict CSP and nosniff."""
        for answer in list(self.client.answers):
            # gunicorn's own answers to what never reaches the application (a request
            # line over its limit: 414) carry nothing of the bank, nor the app's request id.
            if answer.status == 0 or not answer.header("X-Request-ID"):
                continue
            path = answer.path.split("?", 1)[0]
            kind = answer.header("Content-Type")
            docs = path.rstrip("/") == API + "/docs"
            if (
                path.startswith(API + "/")
                and not docs
                and "/media/" not in path
                and answer.status != 304
            ):
                cache = answer.header("Cache-Control")
                self.ledger.check(
                    "headers",
                    "no-store" in cache and answer.header("X-Content-Type-Options") == "nosniff",
                    f"API answer without no-store/nosniff (Cache-Control {cache!r}, nosniff "
                    f"{answer.header('X-Content-Type-Options')!r}): {answer.show()}",
                )
            elif kind.startswith("text/html"):
                # Pages show item content: not stored either (the public docs page, error
                # pages and redirects may be).
                cache = answer.header("Cache-Control")
                self.ledger.check(
                    "headers",
                    strict_csp(answer.header("Content-Security-Policy"))
                    and answer.header("X-Content-Type-Options") == "nosniff"
                    and (docs or answer.status >= 300 or "no-store" in cache),
                    f"page without a strict CSP, nosniff or no-store ({cache!r}): {answer.show()}",
                )

    # 9. CSRF

    def csrf(self) -> None:
        bank = self.scene.names["bank"]
        names = self.scene.state(_form_state)
        form = names["form"]
        in_review = self.scene.state(_item_in_review)["item"]
        blueprint = self.scene.state(_blueprint_state)["blueprint"]
        victim = self.fresh_user()
        browsers = {}
        for principal in ("author", "reviewer", "assembler", "admin"):
            browser = Browser(self.client, principal)
            browser.login(self.scene.usernames[principal], self.scene.password)
            browser.get("/")
            browsers[principal] = browser
        foreign = Browser(self.client, "reviewer2")
        foreign.login(self.scene.usernames["reviewer2"], self.scene.password)
        foreign.get("/")
        posts = [
            ("author", f"/banks/{bank}/items/new", {"type": "true_false", "stem": "<p>x</p>"}),
            ("reviewer", f"/items/{in_review}/versions/1/comments", {"body": "csrf"}),
            ("reviewer", f"/items/{in_review}/versions/1/review", {"decision": "approve"}),
            ("assembler", f"/forms/{form}/rename", {"title": "CSRF"}),
            ("assembler", f"/forms/{form}/delete", {}),
            ("assembler", f"/forms/{form}/clone", {}),
            ("assembler", f"/forms/{form}/entries", {"item": names["item"]}),
            ("assembler", f"/banks/{bank}/forms", {"blueprint": blueprint, "title": "X"}),
            ("admin", f"/admin/users/{victim}/disable", {"reason": "csrf"}),
            ("admin", f"/admin/users/{victim}/password", {"new_password": "csrf-pass-123"}),
            (
                "author",
                "/account/password",
                {
                    "current_password": self.scene.password,
                    "new_password": "csrf-pass-1234",
                    "confirm_password": "csrf-pass-1234",
                },
            ),
            ("author", "/language", {"language": "en"}),
            ("author", "/logout", {}),
        ]
        for principal, path, data in posts:
            browser = browsers[principal]
            for how, token in (("without a token", ""), ("with another session's", foreign.csrf)):
                answer = browser.post(path, data, csrf=token)
                self.ledger.check(
                    "CSRF",
                    400 <= answer.status < 500,
                    f"UI POST {how} not refused: {answer.show()}",
                )
        self.ledger.check(
            "CSRF",
            browsers["author"].signed_in(),
            "a logout without a token signed the author out",
        )
        answer = self.api("GET", f"forms/{form}", "assembler")
        self.ledger.check(
            "CSRF",
            answer.status == 200 and answer.json().get("title") != "CSRF",
            f"the form changed by a refused POST: {answer.show()}",
        )
        answer = self.client.send(
            "POST",
            API + "/tokens",
            who=victim,
            json_body={"username": victim, "password": self.scene.password},
        )
        self.ledger.check(
            "CSRF", answer.status == 201, f"the victim's account changed: {answer.show()}"
        )


#: Hostile inputs where any quick answer but a 5xx holds: invalid UTF-8 in a query string
#: or a form reaches the application as U+FFFD (werkzeug decodes it with replacement), so
#: no surrogate is left to refuse; markup nested deep but within the size limits may be
#: saved (its nesting cut) or refused, and the editor's preview answers 200 with the
#: problems: what matters there is the time.
ANSWER_ENOUGH = {
    "lone surrogate (CESU-8 bytes) in a query",
    "lone surrogate (CESU-8 bytes) in the sign-in form",
    "10,000 nested <em> in the stem (within the size limit)",
    "20,000 nested <em> in an option (within the size limit)",
    "UI preview: 80,000 nested <em>",
    "UI preview: 10,000 nested <em> (within the size limit)",
}

ROLES_HERE = ("author", "reviewer", "assembler", "bank_admin", "admin", "outsider", "anonymous")
OTHER_ROLES = ("author", "reviewer", "assembler", "bank_admin")


def _form_state(world: Any, plugins: Any) -> dict[str, str]:
    from tests.forms_helpers import state_form

    return state_form(world, plugins)


def _filled_form_state(world: Any, plugins: Any) -> dict[str, str]:
    from tests.forms_helpers import state_filled_form

    return state_filled_form(world, plugins)


def _blueprint_state(world: Any, plugins: Any) -> dict[str, str]:
    from tests.forms_helpers import state_blueprint

    return state_blueprint(world, plugins)


def _draft_state(world: Any, plugins: Any) -> dict[str, str]:
    from tests.forms_helpers import state_draft

    return state_draft(world, plugins)


def _race_form_state(world: Any, plugins: Any) -> dict[str, str]:
    """A draft form of a 12-item blueprint with 8 entries, and 16 approved items."""
    from itembank.operations.blueprints import create_blueprint
    from itembank.operations.forms import add_entry, create_form
    from tests.factories import unique
    from tests.forms_helpers import approved

    spec = {
        "code": unique("RACE-"),
        "title": "Balapan",
        "total_length": 12,
        "sections": [
            {"title": "TIU", "rows": [{"taxonomy": "skd-cpns", "node": "TIU.NUM", "count": 12}]}
        ],
    }
    blueprint = create_blueprint(world.bank, spec, actor=world.bank_admin, plugins=plugins)
    form = create_form(world.bank, blueprint, title="Balapan", actor=world.bank_admin)
    items = [approved(world, plugins) for _ in range(16)]
    for item in items[:8]:
        add_entry(form, item.approved_version, actor=world.bank_admin)
    return {"form": form.external_id, "items": ",".join(i.external_id for i in items)}


# -- reading the served HTML ---------------------------------------------------------------


URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "srcdoc",
    "codebase",
    "dynsrc",
    "lowsrc",
}
DANGEROUS_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
_SCHEME_NOISE = re.compile(r"[\x00-\x20]+")


def _dangerous_url(value: str) -> bool:
    cleaned = _SCHEME_NOISE.sub("", html.unescape(value)).lower()
    return cleaned.startswith(("javascript:", "vbscript:", "data:text/html", "data:image/svg"))


class _ActiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        shown = f"<{tag} {' '.join(f'{k}={v[:60]!r}' for k, v in attributes.items())}>"
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(f"event handler {shown}")
            elif name in URL_ATTRIBUTES and _dangerous_url(value):
                self.found.append(f"script URL {shown}")
            elif name == "style" and re.search(r"javascript:|expression\(|url\(", value, re.I):
                self.found.append(f"style {shown}")
        if tag in DANGEROUS_TAGS:
            self.found.append(f"element {shown}")
        refresh = tag == "meta" and "refresh" in attributes.get("http-equiv", "").lower()
        if refresh and "javascript" in attributes.get("content", "").lower():
            self.found.append(f"refresh {shown}")
        if tag == "script":
            kind = attributes.get("type", "").lower()
            src = attributes.get("src", "")
            if src and not src.startswith("/static/"):
                self.found.append(f"script from elsewhere {shown}")
            if kind in ("", "text/javascript", "module", "application/javascript"):
                self._script = "" if not src else None
            else:
                self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            if self._script.strip():
                self.found.append(f"inline script {self._script.strip()[:80]!r}")
            self._script = None


def active_markup(page: str) -> list[str]:
    parser = _ActiveMarkup()
    parser.feed(page)
    parser.close()
    return parser.found


def check_detectors() -> None:
    """The HTML and CSP checks find what they must and nothing else (else every XSS
    figure would mean nothing)."""
    active = [
        "<img src=x onerror=alert(1)>",
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        "<script>alert(1)</script>",
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        '<iframe src="/x"></iframe>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<script src="https://evil.example/x.js"></script>',
    ]
    inert = [
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror=alert(1) javascript:alert(1)</p>",
        '<script src="/static/js/app.js"></script>',
        '<script type="application/json">{"a": "<b>"}</script>',
        '<a href="/items/X-1">x</a>',
    ]
    for html_text in active:
        _common.expect(f"the HTML check finds {html_text!r}", bool(active_markup(html_text)), True)
    for html_text in inert:
        _common.expect(f"the HTML check passes {html_text!r}", active_markup(html_text), [])
    _common.expect("a strict CSP", strict_csp("default-src 'self'; script-src 'self'"), True)
    _common.expect("an inline-script CSP", strict_csp("script-src 'self' 'unsafe-inline'"), False)
    _common.expect("no CSP", strict_csp(""), False)


def strict_csp(policy: str) -> bool:
    """A policy whose scripts come from this site only: no inline script, no eval."""
    directives = {
        part.strip().split(" ", 1)[0]: part.strip() for part in policy.split(";") if part.strip()
    }
    scripts = directives.get("script-src") or directives.get("default-src") or ""
    return bool(scripts) and not re.search(r"'unsafe-inline'|'unsafe-eval'|\*|data:", scripts)


# -- the server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    url: str, schema: str, port: int, workers: int, tmp: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "SECRET_KEY": secrets.token_hex(32),
        "ITEMBANK_SECURE_COOKIES": "0",
        "ITEMBANK_QUEUE_FILE": str(tmp / "queue.sqlite3"),
        "ITEMBANK_LOG_FORMAT": "text",
    }
    log = open(tmp / "server.log", "wb")  # noqa: SIM115 (closed with the process)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:itembank.gunicorn_conf",
        "--chdir",
        str(_common.ROOT),
        "wsgi:app",
    ]
    process = subprocess.Popen(
        command,
        cwd=_common.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    pool = urllib3.PoolManager(retries=False, timeout=2)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}; see {tmp / 'server.log'}")
        try:
            if pool.request("GET", f"http://127.0.0.1:{port}/livez").status == 200:
                return process
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer /livez within 120 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ITEMBANK_BENCH_POSTGRES") or DEFAULT_POSTGRES,
        metavar="URL",
        help="an existing PostgreSQL database where the attack makes (and drops) a schema "
        f"of its own (default $ITEMBANK_BENCH_POSTGRES, else {DEFAULT_POSTGRES})",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--keep", action="store_true", help="keep the schema and the server log")
    parser.add_argument(
        "--only",
        metavar="CATEGORY,...",
        help="run only these attack categories (e.g. 'sessions,lockout'); the default is all",
    )
    parser.add_argument(
        "--no-browser",
        dest="browser",
        action="store_false",
        help="skip loading the XSS pages in headless Chromium (the static check still runs)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every check, held or not"
    )
    args = parser.parse_args(argv)
    check_detectors()
    started = time.perf_counter()
    ledger = Ledger(args.verbose)
    with (
        _common.database(args.postgres, keep=args.keep, prefix="attack_") as (url, options),
        tempfile.TemporaryDirectory() as tmp,
    ):
        schema = options["connect_args"]["options"].split("=", 1)[1]
        app = _common.make_app(url, options)
        scene = Scene(app)
        scene.build()
        print(f"scene built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        port = free_port()
        server = start_server(url, schema, port, args.workers, Path(tmp))
        try:
            client = Client(f"http://127.0.0.1:{port}")
            attack = Attack(client, scene, ledger)
            attack.login_tokens(
                [*(r for r in ROLES_HERE if r != "anonymous"), "reviewer2"]
                + [f"other:{r}" for r in (*OTHER_ROLES, "reviewer2")]
            )
            steps = [
                ("access control", attack.access_control),
                ("stored XSS", attack.stored_xss),
                ("hostile input", attack.hostile_input),
                ("form races", attack.form_races),
                ("separation of duties", attack.duties),
                ("headers", attack.headers),
                ("CSRF", attack.csrf),
                ("sessions", attack.sessions),
                ("lockout", attack.lockout),
            ]
            if args.browser:
                steps.insert(2, ("stored XSS in Chromium", attack.browser_xss))
            if args.only:
                wanted = {part.strip() for part in args.only.split(",")}
                steps = [
                    (name, step)
                    for name, step in steps
                    if name in wanted or (name.startswith("stored XSS") and "stored XSS" in wanted)
                ]
            for name, step in steps:
                begun = time.perf_counter()
                step()
                print(f"{name}: {time.perf_counter() - begun:.1f} s", file=sys.stderr)
            attack.header_totals()
            for answer in client.answers:
                ledger.check(
                    "server errors",
                    answer.status < 500 and answer.status != 0,
                    f"server error: {answer.show()}",
                )
        finally:
            stop_server(server)
            log = (Path(tmp) / "server.log").read_text(errors="replace")
            if args.keep:
                kept = Path(tempfile.gettempdir()) / f"attack-server-{port}.log"
                kept.write_text(log)
                print(f"server log kept in {kept}", file=sys.stderr)
        tracebacks = log.count("Traceback (most recent call last)")
    elapsed = time.perf_counter() - started
    print()
    print(
        f"Attack on gunicorn ({args.workers} workers) + PostgreSQL, {len(client.answers)} "
        f"requests over HTTP, {elapsed:.0f} s"
    )
    if attack.access_cells:
        print(
            f"Access control: {attack.access_cells} cells (operation x principal); "
            f"{attack.access_cells - attack.allowed_cells} where the principal must be refused, "
            f"{attack.allowed_cells} where it may act ({attack.allowed_succeeded} answered 2xx)"
        )
    print(
        f"Stored XSS: {attack.xss_stored} of {attack.xss_fields} payload writes stored, "
        f"{attack.xss_pages} pages checked, payload text shown (inert) on {attack.xss_marked}, "
        f"{attack.xss_browser_pages} pages loaded in Chromium"
    )
    if attack.race_statuses:
        shown = ", ".join(f"{n} x {code}" for code, n in sorted(attack.race_statuses.items()))
        print(f"Form races: {sum(attack.race_statuses.values())} concurrent edits ({shown})")
    print()
    width = max(len(c) for c in CATEGORIES)
    print(f"| {'category':<{width}} | tried | got through | counts as got through |")
    print(f"|{'-' * (width + 2)}|------:|------------:|---|")
    for category, meaning in CATEGORIES.items():
        print(
            f"| {category:<{width}} | {ledger.tried[category]:>5} | "
            f"{ledger.through[category]:>11} | {meaning} |"
        )
    print(f"\nserver log: {tracebacks} tracebacks")
    if ledger.findings:
        print(f"\n{len(ledger.findings)} got through:")
        for category, what in ledger.findings:
            print(f"- [{category}] {what}")
    return 1 if ledger.findings or tracebacks else 0


if __name__ == "__main__":
    sys.exit(main())
