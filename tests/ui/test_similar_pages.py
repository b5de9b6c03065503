"""Similar items shown to the writer in the editor and through the API."""

from __future__ import annotations

from typing import Any

from itembank.operations.similarity import similar_to_version
from itembank.plugins import PluginHost
from tests.factories import STEM, World, make_item
from tests.ui.conftest import text


def test_the_editor_shows_similar_items_with_their_similarity(
    as_user: Any, world: World, plugins: PluginHost
) -> None:
    original = make_item(world, plugins)
    copy = make_item(world, plugins, stem=STEM.replace("12 rim", "15 rim"))
    body = text(as_user("author").get(f"/items/{copy.external_id}/edit"))
    panel = body.split('id="similar-items"')[1].split("</section>")[0]
    assert "Mirip dengan butir yang sudah ada di bank" in panel
    assert f'href="/items/{original.external_id}"' in panel
    percent = round(similar_to_version(copy.latest_version)[0].similarity * 100)
    assert f"{percent}%" in panel


def test_the_import_page_skips_exact_copies_when_asked(as_user: Any, world: World) -> None:
    from tests.import_helpers import SC_ROW, csv_bytes
    from tests.ui.test_import_pages import report_of, upload

    author = as_user("author")
    bank = world.bank.code
    assert 'name="skip_duplicates"' in text(author.get(f"/banks/{bank}/imports"))
    data = csv_bytes([SC_ROW])
    first = report_of(author, upload(author, bank, data).location)
    assert "1 baru" in text(author.get(first))
    again = text(author.get(report_of(author, upload(author, bank, data).location)))
    assert "1 baru" in again and "Berkas yang sama persis sudah diimpor" in again
    skipped = text(
        author.get(report_of(author, upload(author, bank, data, skip_duplicates="1").location))
    )
    assert "0 baru" in skipped and "1 tidak berubah" in skipped
    assert "dilewati (lewati duplikat)" in skipped


def test_submitting_a_near_copy_warns_after_submitting(
    as_user: Any, world: World, plugins: PluginHost
) -> None:
    import json

    from tests.factories import SINGLE_CHOICE

    original = make_item(world, plugins)
    copy = make_item(world, plugins, stem=STEM.replace("12 rim", "15 rim"))
    author = as_user("author")
    submitted = author.post(
        f"/items/{copy.external_id}/edit",
        {
            "stem": STEM.replace("12 rim", "15 rim"),
            "content": json.dumps(SINGLE_CHOICE),
            "metadata": json.dumps(copy.latest_version.meta),
            "base_revision": "1",
            "action": "submit",
        },
    )
    assert submitted.status_code == 303 and copy.latest_version.status == "in_review"
    page = text(author.get(submitted.location))
    assert "telah diajukan untuk ditelaah" in page
    assert f"sangat mirip dengan butir yang sudah ada di bank: {original.external_id} (" in page
