"""The API's documentation page in a real browser: under the pages' Content-Security-
Policy (no inline script), Swagger UI still starts and lists the operations."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def test_the_api_docs_page_works_under_the_sites_policy(login: Any) -> None:
    """Issue finding 10: the docs page got the pages' policy; a page broken by it would
    show no operation and report a CSP violation (which fails the session)."""
    session = login("penulis")
    page = session.page
    page.goto(session.url("/api/v1/docs"))
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/tokens").first).to_be_visible()
    assert page.evaluate("document.querySelectorAll('.opblock').length") > 50
    session.shot("api-docs")
