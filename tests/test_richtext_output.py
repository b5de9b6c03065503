"""What the web UI's rich-text editor produces is stored unchanged.

``tests/data/richtext_editor_output.html`` is the editor's output for every toolbar
feature, captured in the browser by ``tests/browser/test_editor.py`` (which fails when
the editor's output changes, and rewrites the file with ``ITEMBANK_UPDATE_GOLDEN=1``).
This test needs no browser, so the sanitizer's allowlist cannot drift from the editor
on a machine without Chromium either.
"""

from __future__ import annotations

from pathlib import Path

from itembank.sanitize import html_to_xhtml, media_references, sanitize_html

GOLDEN = Path(__file__).parent / "data" / "richtext_editor_output.html"


def test_the_editors_output_survives_the_sanitizer_unchanged() -> None:
    html = GOLDEN.read_text(encoding="utf-8").rstrip("\n")
    for feature in (
        "<strong>",
        "<em>",
        "<sub>",
        "<sup>",
        '<span lang="en">',
        "<br>",
        "<ul>",
        "<ol>",
        "<li>",
        "<table>",
        "<th ",
        "<td ",
        "<img ",
    ):
        assert feature in html, feature
    assert sanitize_html(html) == html
    assert len(media_references(html)) == 1
    assert html_to_xhtml(html).count("<br/>") == 1  # and it serializes as XML for QTI
