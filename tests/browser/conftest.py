"""Browser tests: Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``,
never ``playwright install``) against the app served on 127.0.0.1 by werkzeug in a
thread, with a file-based SQLite database holding the demo bank.

Without Chromium the tests are skipped with a message, unless
``ITEMBANK_REQUIRE_BROWSER=1`` (``.ci/run`` sets it), which makes that a failure.
Screenshots go to ``test-artifacts/browser/`` (git-ignored).

The tests wait on events and states, never on fixed delays: navigations with
``wait_for_url``, downloads and requests with ``expect_*``, and every check of what a
page shows with Playwright's retrying ``expect(...)``. ``TIMEOUT_MS`` bounds each wait (a
busy machine only makes a passing test slower). A test that must see a state while a
request is in flight holds the request in the server (:meth:`LiveServer.hold`).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from itembank.app import MIGRATIONS, PROJECT_ROOT, create_app
from itembank.extensions import db

CHROMIUM = Path(os.environ.get("ITEMBANK_CHROMIUM", "/usr/bin/chromium"))
REQUIRE = os.environ.get("ITEMBANK_REQUIRE_BROWSER") == "1"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
THIRDPARTY = PROJECT_ROOT / "tests" / "thirdparty"
PASSWORD = "itembank-demo"
#: The longest any one wait may take, for actions and for ``expect(...)`` alike.
TIMEOUT_MS = 30_000
SKIP_MESSAGE = (
    f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium); "
    "ITEMBANK_REQUIRE_BROWSER=1 makes this a failure"
)
_skipped: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _skipped:
        terminalreporter.write_line(_skipped[0], yellow=True)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if REQUIRE:
        pytest.fail(f"ITEMBANK_REQUIRE_BROWSER=1 but {CHROMIUM} does not exist", pytrace=False)
    if not _skipped:
        _skipped.append(SKIP_MESSAGE)
    pytest.skip(SKIP_MESSAGE)


@dataclass
class HeldRequests:
    """Requests ``method path`` that wait in the server until the test releases them."""

    method: str
    path: str
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def wait_until_arrived(self) -> None:
        """Wait until such a request has reached the server (and is held there)."""
        assert self.arrived.wait(TIMEOUT_MS / 1000), (
            f"no {self.method} {self.path} reached the server"
        )

    def release(self) -> None:
        self.released.set()


@dataclass
class LiveServer:
    url: str
    app: Flask
    #: Item ids by item type, one draft of each type written by ``penulis``.
    drafts: dict[str, str] = field(default_factory=dict)

    @contextmanager
    def hold(self, method: str, path: str) -> Iterator[HeldRequests]:
        """Hold every ``method path`` request in the server until ``release()`` (or the
        end of the block), so a test can check the page while the request is in flight.
        """
        held = HeldRequests(method, path)
        inner: Callable[..., Any] = self.app.wsgi_app

        def holding(environ: dict[str, Any], start_response: Any) -> Any:
            if environ["REQUEST_METHOD"] == method and environ["PATH_INFO"] == path:
                held.arrived.set()
                held.released.wait(TIMEOUT_MS / 1000)
            return inner(environ, start_response)

        self.app.wsgi_app = holding  # type: ignore[method-assign]
        try:
            yield held
        finally:
            held.release()
            self.app.wsgi_app = inner  # type: ignore[method-assign]


def buffered(app: Any) -> Callable[[dict[str, Any], Any], list[bytes]]:
    """``app`` with each answer read whole and its iterable closed before werkzeug's
    development server sends it. When the browser drops a connection mid-answer (a
    page left while a script still loads), that server's clean-up reads the dead
    socket before it closes the answer, so a static file's handle was left to the
    garbage collector, whose ResourceWarning then failed whichever test was running."""

    def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()

    return serve


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    _require_chromium()
    path = tmp_path_factory.mktemp("browser-db") / "itembank.sqlite3"
    # The third-party example plugin too: its item type has no editor description,
    # so the editor shows its content as JSON.
    patch = pytest.MonkeyPatch()
    patch.syspath_prepend(str(THIRDPARTY))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SECRET_KEY": "browser-test-secret",
            "ITEMBANK_PLUGINS_ENTRY_POINTS": False,
            "ITEMBANK_PLUGINS_EXTRA": ["acme_itembank"],
            "ITEMBANK_PASSWORD_METHOD": "pbkdf2:sha256:1000",
            # As in production: the session cookie is Secure (browsers accept it from
            # http://127.0.0.1, a potentially trustworthy origin).
            "ITEMBANK_SECURE_COOKIES": True,
            # Jobs (imports) run inside the request that starts them: no worker, and no
            # queue file in instance/ that a developer's worker could take them from.
            # tests/browser/test_jobs.py moves jobs through their states itself.
            "ITEMBANK_JOBS_IMMEDIATE": True,
        }
    )
    drafts: dict[str, str] = {}
    with app.app_context():
        from flask_migrate import upgrade

        from itembank.demo import load_demo
        from itembank.operations.accounts import get_bank, get_user
        from itembank.operations.items import create_item
        from tests.factories import upload_example_media

        upgrade(directory=str(MIGRATIONS))
        host = app.extensions["itembank.plugins"]
        load_demo(host, password=PASSWORD)
        bank, author = get_bank("CACT-DEMO"), get_user("penulis")
        for type_id, item_type in sorted(host.item_types.items()):
            upload_example_media(bank, author, item_type.example_content())
            item = create_item(
                bank,
                actor=author,
                plugins=host,
                item_type=type_id,
                stem=f"<p>Contoh butir {type_id} untuk uji penyunting.</p>",
                content=item_type.example_content(),
                metadata={"classifications": [{"taxonomy": "skd-cpns", "node": "TKP.PP"}]},
            )
            drafts[type_id] = item.external_id
        db.session.commit()
        db.session.remove()
    # As gunicorn's master does before it listens: no request waits for a QTI schema
    # to compile (seconds each, and far more on a loaded machine).
    from qti.validate import preload_schemas

    preload_schemas()
    server = make_server("127.0.0.1", 0, buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, drafts)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()
        patch.undo()
        sys.modules.pop("acme_itembank", None)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Chromium on its own, for tests that need a page but not the app
    (``test_qti_independent.py``); ``browser`` is the same one."""
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browser(live_server: LiveServer, chromium: Any) -> Any:
    return chromium


class Session:
    """One signed-in user in their own browser context, collecting console errors and
    Content-Security-Policy violations (any of them fails the test)."""

    def __init__(self, browser: Any, server: LiveServer, username: str, lang: str = "id"):
        self.server = server
        self.username = username
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="id-ID", accept_downloads=True
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.login(lang)

    def _console(self, message: Any) -> None:
        text = message.text
        if message.type == "error" and "favicon.ico" not in (message.location or {}).get("url", ""):
            # A failed request is reported as an error without the URL in the text;
            # the test's own expectations catch real failures of expected requests.
            if "Failed to load resource" in text and "404" in text:
                return
            self.problems.append(f"console error: {text}")
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append(f"CSP: {text}")

    def url(self, path: str) -> str:
        return self.server.url + path

    def login(self, lang: str) -> None:
        page = self.page
        page.goto(self.url("/login"))
        if lang != "id":
            page.get_by_role("button", name="English").click()
        page.get_by_label("Nama pengguna" if lang == "id" else "Username").fill(self.username)
        page.get_by_label("Kata sandi" if lang == "id" else "Password").fill(PASSWORD)
        page.locator("form button[type=submit].btn-primary").click()
        page.wait_for_url(self.url("/"))

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def check_accessible_names(self) -> None:
        """Every visible control has an accessible name (a label, aria-label(ledby),
        a title or text)."""
        unnamed = self.page.evaluate(UNNAMED_CONTROLS_JS)
        assert unnamed == [], f"controls without an accessible name on {self.page.url}: {unnamed}"

    def close(self) -> None:
        self.context.close()
        assert self.problems == [], self.problems


UNNAMED_CONTROLS_JS = """
() => {
  const controls = document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, [contenteditable="true"], a[href]')
  const unnamed = []
  for (const el of controls) {
    const style = getComputedStyle(el)
    const hidden = style.display === 'none' || style.visibility === 'hidden'
    if (hidden || !el.getClientRects().length) continue
    if (el.closest('dialog:not([open])')) continue
    const labelled = (el.getAttribute('aria-labelledby') || '').split(' ')
      .filter(Boolean).map((id) => document.getElementById(id))
      .filter((n) => n && n.textContent.trim())
    const labels = el.labels ? [...el.labels] : []
    const named = labels.some((l) => l.textContent.trim())
      || (el.getAttribute('aria-label') || '').trim() || labelled.length
      || (el.getAttribute('title') || '').trim()
      || (['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim())
    if (!named) unnamed.push(el.outerHTML.slice(0, 120))
  }
  return unnamed
}
"""


@pytest.fixture
def login(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """``login("penulis")`` -> a :class:`Session`; closed (and checked for console
    errors and CSP violations) at the end of the test."""
    sessions: list[Session] = []

    def open_session(username: str, lang: str = "id") -> Session:
        session = Session(browser, live_server, username, lang)
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        session.close()


def item_id_from(url: str) -> str:
    match = re.search(r"/items/([A-Z0-9-]+)", url)
    assert match, url
    return match.group(1)
